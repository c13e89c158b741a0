//! One UDP socket on port 520 per RIP interface, bound to the device: the
//! arrival interface is the socket's, the kernel picks the interface's own
//! source address, and multicast goes out of and in through that device only.

use std::io;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};

use rip_codec::{RIP_MULTICAST, RIP_PORT};
use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::UdpSocket;

/// Enough for a peer's whole table sent back to back (100k routes is 4,000
/// messages of 504 octets, about 10 MB with the kernel's overhead).
const RECEIVE_BUFFER: usize = 32 << 20;

/// Opens the socket of one interface.
pub fn open(name: &str, ifindex: u32) -> io::Result<UdpSocket> {
    let socket = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
    // Several sockets on 0.0.0.0:520, one per device.
    socket.set_reuse_address(true)?;
    socket.bind_device(Some(name.as_bytes()))?;
    // Only the groups this socket joined, not every socket's (Linux's
    // default would let the LAN socket hear the tunnel's updates).
    socket.set_multicast_all_v4(false)?;
    socket.set_multicast_loop_v4(false)?;
    socket.set_multicast_ttl_v4(1)?;
    socket.set_ttl_v4(1)?;
    rustix::net::sockopt::set_ip_multicast_if_with_ifindex(
        &socket,
        &RIP_MULTICAST,
        &Ipv4Addr::UNSPECIFIED,
        ifindex,
    )?;
    // As root, past net.core.rmem_max; otherwise as much as allowed.
    if rustix::net::sockopt::set_socket_recv_buffer_size_force(&socket, RECEIVE_BUFFER).is_err() {
        socket.set_recv_buffer_size(RECEIVE_BUFFER)?;
    }
    socket.bind(&SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, RIP_PORT)).into())?;
    socket.set_nonblocking(true)?;
    UdpSocket::from_std(socket.into())
}

/// Joins 224.0.0.9 on the interface (RFC 2453 §4.5).
pub fn join_group(socket: &UdpSocket, ifindex: u32) -> io::Result<()> {
    rustix::net::sockopt::set_ip_add_membership_with_ifindex(
        socket,
        &RIP_MULTICAST,
        &Ipv4Addr::UNSPECIFIED,
        ifindex,
    )
    .map_err(io::Error::from)
}
