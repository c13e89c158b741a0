//! One UDP socket on port 520 per RIP interface, bound to the device: the
//! arrival interface is the socket's, the kernel picks the interface's own
//! source address, and multicast goes out of and in through that device only.

use std::io::{self, IoSlice};
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::os::fd::AsRawFd;

use rip_codec::{RIP_MULTICAST, RIP_PORT};
use rustix::net::addr::SocketAddrArg;
use rustix::net::{MMsgHdr, SendAncillaryBuffer, SendFlags};
use socket2::{Domain, Protocol, Socket, Type};
use tokio::io::Interest;
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
    // RIPv1 and "RIP-1 compatible" updates go to the subnet's broadcast address.
    socket.set_broadcast(true)?;
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

/// Messages handed to the kernel per system call.
const SEND_BATCH: usize = 64;

/// Sends every message to one destination: in one `sendmsg` with
/// UDP_SEGMENT (GSO) when they are alike, else up to [`SEND_BATCH`] per
/// `sendmmsg`. A periodic update of 1,000 routes to 100 spokes is 4,000
/// messages, and the kernel's per-message send path was most of a hub's
/// CPU time. On the wire it makes no difference: the kernel cuts the one
/// send into the same datagrams, at the device or, over a veth, at the
/// receiving socket (so tcpdump on a veth shows one large packet).
pub async fn send_all(
    socket: &UdpSocket,
    destination: SocketAddrV4,
    messages: &[&[u8]],
    gso: &mut bool,
) -> io::Result<()> {
    for chunk in messages.chunks(SEND_BATCH) {
        if *gso && let Some(segment) = gso_segment(chunk) {
            let sent = socket
                .async_io(Interest::WRITABLE, || {
                    send_segmented(socket, destination, chunk, segment)
                })
                .await;
            match sent.map_err(|e| (rustix::io::Errno::from_io_error(&e), e)) {
                Ok(()) => continue,
                // A kernel without UDP GSO: one by one from now on.
                Err((Some(rustix::io::Errno::NOPROTOOPT | rustix::io::Errno::OPNOTSUPP), _)) => {
                    *gso = false
                }
                // A route GSO cannot take (IPsec policy on it, EIO) or a
                // limit of this kernel (EINVAL): one by one this time.
                Err((Some(rustix::io::Errno::IO | rustix::io::Errno::INVAL), _)) => {}
                Err((_, e)) => return Err(e),
            }
        }
        send_batched(socket, destination, chunk).await?;
    }
    Ok(())
}

/// Linux cuts a GSO send into datagrams of one size, the last one shorter;
/// it takes at most 64 of them (UDP_MAX_SEGMENTS) and 64 KB in all. A
/// single message goes without.
fn gso_segment(messages: &[&[u8]]) -> Option<u16> {
    let (last, full) = messages.split_last()?;
    let size = full.first()?.len();
    let total: usize = messages.iter().map(|m| m.len()).sum();
    let alike = full.iter().all(|m| m.len() == size) && last.len() <= size;
    (alike && messages.len() <= SEND_BATCH && total <= 60_000).then(|| u16::try_from(size).ok())?
}

fn send_segmented(
    socket: &UdpSocket,
    destination: SocketAddrV4,
    messages: &[&[u8]],
    segment: u16,
) -> io::Result<()> {
    let slices: Vec<IoSlice<'_>> = messages.iter().map(|m| IoSlice::new(m)).collect();
    let address = nix::sys::socket::SockaddrIn::from(destination);
    nix::sys::socket::sendmsg(
        socket.as_raw_fd(),
        &slices,
        &[nix::sys::socket::ControlMessage::UdpGsoSegments(&segment)],
        nix::sys::socket::MsgFlags::empty(),
        Some(&address),
    )
    .map(|_| ())
    .map_err(io::Error::from)
}

/// One `sendmmsg` for all of them (at most [`SEND_BATCH`]), more if the
/// socket's buffer fills.
async fn send_batched(
    socket: &UdpSocket,
    destination: SocketAddrV4,
    messages: &[&[u8]],
) -> io::Result<()> {
    let address = destination.as_any();
    let mut rest = messages;
    while !rest.is_empty() {
        let sent = socket
            .async_io(Interest::WRITABLE, || {
                let slices: Vec<[IoSlice<'_>; 1]> =
                    rest.iter().map(|m| [IoSlice::new(m)]).collect();
                let mut controls: Vec<SendAncillaryBuffer<'_, '_, '_>> = rest
                    .iter()
                    .map(|_| SendAncillaryBuffer::default())
                    .collect();
                let mut headers: Vec<MMsgHdr<'_>> = slices
                    .iter()
                    .zip(controls.iter_mut())
                    .map(|(iov, control)| MMsgHdr::new_with_addr(&address, iov, control))
                    .collect();
                rustix::net::sendmmsg(socket, &mut headers, SendFlags::empty())
                    .map_err(io::Error::from)
            })
            .await?;
        // sendmmsg sends at least one message or fails.
        rest = rest.get(sent.max(1)..).unwrap_or_default();
    }
    Ok(())
}
