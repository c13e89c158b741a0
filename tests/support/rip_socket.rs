//! UDP port 520 inside a test namespace: send RIP messages as a peer would,
//! and receive what the peers there send.

use std::io;
use std::net::{Ipv4Addr, SocketAddrV4, UdpSocket};
use std::time::Duration;

use rustix::net::sockopt;

use super::Netns;

/// RIP's UDP port (RFC 2453 §3.6) and multicast group (§4.5).
pub const RIP_PORT: u16 = 520;
pub const RIP_GROUP: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 9);

/// A socket on 0.0.0.0:520 in a namespace, sending from the interface that
/// holds `local`: multicast goes out there with TTL 1 (no multicast route
/// needed), and 224.0.0.9 is joined there. One per namespace (no
/// SO_REUSEADDR): peers in the same namespace would need the port themselves.
pub struct RipSocket {
    socket: UdpSocket,
    local: Ipv4Addr,
}

impl RipSocket {
    /// Binds port 520 in `ns`; `local` must be an address of `ns`.
    pub fn bind(ns: &Netns, local: Ipv4Addr) -> RipSocket {
        let socket = ns.udp_socket(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, RIP_PORT));
        sockopt::set_ip_multicast_if(&socket, &local).expect("IP_MULTICAST_IF");
        socket.set_multicast_ttl_v4(1).expect("IP_MULTICAST_TTL");
        socket
            .set_multicast_loop_v4(false)
            .expect("IP_MULTICAST_LOOP");
        socket.set_ttl(1).expect("IP_TTL");
        socket
            .join_multicast_v4(&RIP_GROUP, &local)
            .unwrap_or_else(|e| panic!("join {RIP_GROUP} on {local} in {}: {e}", ns.name()));
        RipSocket { socket, local }
    }

    pub fn local(&self) -> Ipv4Addr {
        self.local
    }

    /// Sends one message to 224.0.0.9:520.
    pub fn send_multicast(&self, message: &[u8]) {
        self.send_to(message, RIP_GROUP);
    }

    /// Sends one message to `dst`:520.
    pub fn send_to(&self, message: &[u8], dst: Ipv4Addr) {
        let sent = self
            .socket
            .send_to(message, SocketAddrV4::new(dst, RIP_PORT))
            .unwrap_or_else(|e| panic!("send to {dst}:{RIP_PORT}: {e}"));
        assert_eq!(sent, message.len(), "short send to {dst}");
    }

    /// The next message received within `timeout`, with its source.
    pub fn recv_timeout(&self, timeout: Duration) -> Option<(Vec<u8>, SocketAddrV4)> {
        self.socket
            .set_read_timeout(Some(timeout))
            .expect("SO_RCVTIMEO");
        let mut buf = [0u8; 65536];
        loop {
            match self.socket.recv_from(&mut buf) {
                Ok((len, std::net::SocketAddr::V4(from))) => {
                    return Some((buf[..len].to_vec(), from));
                }
                Ok(_) => return None,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    return None;
                }
                // A signal reached the test process: with a receive timeout
                // set, the kernel does not restart the call (signal(7)).
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => panic!("recv on port {RIP_PORT}: {e}"),
            }
        }
    }

    pub fn socket(&self) -> &UdpSocket {
        &self.socket
    }
}
