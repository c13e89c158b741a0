//! The running daemon: one tokio task owns the engine; sockets, the kernel
//! watcher, signals and the control socket feed it; its outputs go to the
//! sockets and to the FIB writer thread.

mod interfaces;
mod log_events;
mod main_loop;
mod notify;
mod sequence;

pub use main_loop::run;
