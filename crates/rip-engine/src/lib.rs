pub use rip_codec;
