//! Link settings the daemon changes: IFF_MULTICAST on a VTI.

use std::io;

use super::messages;
use super::socket::Netlink;

/// `ip link set DEV multicast on`, over netlink.
pub fn enable_multicast(ifindex: u32) -> io::Result<()> {
    let mut netlink = Netlink::open(0)?;
    netlink.request_ack(messages::set_multicast(ifindex, true))
}
