//! The RIPv2 wire format (RFC 2453, RFC 1058 for version 1), with simple
//! password, keyed MD5 (RFC 2082) and HMAC-SHA (RFC 4822) authentication.
//!
//! Receiving is zero-copy and allocation-free:
//!
//! ```
//! use rip_codec::{AuthMode, Key, Packet};
//! # let bytes = [2u8, 2, 0, 0, 0, 2, 0, 0, 10, 0, 0, 0, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
//! let packet = Packet::parse(&bytes)?;                    // header and layout
//! let keys: &[Key] = &[];
//! let verified = packet.authenticate(AuthMode::None, keys)?; // before any entry
//! for route in verified.routes() {
//!     match route {
//!         Ok(route) => println!("{} metric {}", route.prefix, route.metric),
//!         Err(bad) => println!("skipped: {bad}"),
//!     }
//! }
//! # Ok::<(), rip_codec::DecodeError>(())
//! ```
//!
//! Sending writes into the caller's buffer with [`MessageWriter`], or splits
//! a route list into messages with [`Packetizer`]. [`Repr`] is an owned form
//! for tests and tools.

pub mod auth;
mod entry;
mod error;
mod header;
mod packet;
mod packetizer;
mod prefix;
mod repr;
mod writer;

pub use auth::{AuthMode, Authenticated, Key, KeyLookup, Md5AuthLen, Signer};
pub use entry::{EntryView, RouteEntry, classful_len, is_martian_destination};
pub use error::{AuthError, DecodeError, EmitError, EntryError, HeaderError};
pub use header::*;
pub use packet::{Packet, Queries, Request, Routes, Verified};
pub use packetizer::Packetizer;
pub use prefix::{Ipv4Prefix, PrefixError, len_to_mask, mask_to_len};
pub use repr::{Body, Parsed, Repr};
pub use writer::{MessageWriter, max_routes};
