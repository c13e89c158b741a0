//! The riprs daemon: sockets, netlink, configuration and the control socket
//! around the `rip-engine` state machine.

pub mod config;
pub mod import_quagga;
