//! The riprs daemon: sockets, netlink, configuration and the control socket
//! around the `rip-engine` state machine.

pub mod config;
pub mod control;
pub mod daemon;
pub mod import_quagga;
pub mod logging;
pub mod netlink;
pub mod rip_socket;
