//! The sockets of the RIP interfaces, opened when the engine starts RIP on
//! an interface and closed when it stops; IFF_MULTICAST on VTIs.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::UdpSocket;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tracing::{debug, error, info, warn};

use crate::config::MulticastMode;
use crate::netlink;
use crate::rip_socket;

/// A message received on a RIP socket.
pub struct Received {
    pub ifindex: u32,
    pub source: std::net::SocketAddrV4,
    pub bytes: Vec<u8>,
}

struct Open {
    socket: Arc<UdpSocket>,
    reader: JoinHandle<()>,
    joined: bool,
    multicast_reported: bool,
}

/// The daemon's sockets, by ifindex.
pub struct Sockets {
    open: BTreeMap<u32, Open>,
    received: mpsc::Sender<Received>,
}

impl Drop for Sockets {
    fn drop(&mut self) {
        for open in self.open.values() {
            open.reader.abort();
        }
    }
}

impl Sockets {
    pub fn new(received: mpsc::Sender<Received>) -> Self {
        Sockets {
            open: BTreeMap::new(),
            received,
        }
    }

    pub fn get(&self, ifindex: u32) -> Option<&Arc<UdpSocket>> {
        self.open.get(&ifindex).map(|o| &o.socket)
    }

    /// RIP starts on an interface: open its socket.
    pub fn open(&mut self, ifindex: u32, name: &str) {
        self.close(ifindex);
        match rip_socket::open(name, ifindex) {
            Ok(socket) => {
                let socket = Arc::new(socket);
                let reader = tokio::spawn(read(socket.clone(), ifindex, self.received.clone()));
                self.open.insert(
                    ifindex,
                    Open {
                        socket,
                        reader,
                        joined: false,
                        multicast_reported: false,
                    },
                );
                info!(iface = name, ifindex, "RIP socket open");
            }
            Err(e) => error!(iface = name, ifindex, error = %e, "cannot open the RIP socket"),
        }
    }

    pub fn close(&mut self, ifindex: u32) {
        if let Some(open) = self.open.remove(&ifindex) {
            open.reader.abort();
        }
    }

    /// Follows the interface's multicast flag: joins 224.0.0.9 once it can,
    /// turns IFF_MULTICAST on where the config allows (a VTI comes up
    /// without it), or says why multicast RIP cannot work there.
    pub fn follow_multicast(
        &mut self,
        ifindex: u32,
        name: &str,
        multicast: bool,
        mode: MulticastMode,
        has_neighbors: bool,
    ) {
        let Some(open) = self.open.get_mut(&ifindex) else {
            return;
        };
        if multicast {
            if !open.joined {
                match rip_socket::join_group(&open.socket, ifindex) {
                    Ok(()) => open.joined = true,
                    Err(e) => error!(iface = name, error = %e, "cannot join 224.0.0.9"),
                }
            }
            return;
        }
        if open.multicast_reported {
            return;
        }
        open.multicast_reported = true;
        match mode {
            MulticastMode::Auto => match netlink::link::enable_multicast(ifindex) {
                Ok(()) => warn!(
                    iface = name,
                    "interface had no IFF_MULTICAST (as Libreswan creates VTIs); turned it on so \
                     RIP updates to 224.0.0.9 can be sent and received (multicast = \"keep\" leaves it off)"
                ),
                Err(e) => error!(
                    iface = name,
                    error = %e,
                    "interface has no IFF_MULTICAST and turning it on failed: RIP multicast cannot work there"
                ),
            },
            MulticastMode::Keep if has_neighbors => error!(
                iface = name,
                "interface has no IFF_MULTICAST and multicast = \"keep\": multicast RIP cannot work \
                 there; using the configured neighbors by unicast"
            ),
            MulticastMode::Keep => error!(
                iface = name,
                "interface has no IFF_MULTICAST and multicast = \"keep\", and no neighbor on it is \
                 configured: nothing will be sent or heard there (add `neighbors` or set multicast = \"auto\")"
            ),
        }
    }
}

/// The largest message read. RIP messages are at most 512 octets (RFC 2453
/// §3.6) plus an authentication trailer (at most 68 for HMAC-SHA-512); a
/// buffer per interface of 64 KB made 100 interfaces cost 6.4 MB of RSS.
const MAX_MESSAGE: usize = 1024;

async fn read(socket: Arc<UdpSocket>, ifindex: u32, received: mpsc::Sender<Received>) {
    // One octet more than accepted: a datagram that fills it was truncated.
    let mut buffer = vec![0u8; MAX_MESSAGE + 1];
    loop {
        match socket.recv_from(&mut buffer).await {
            Ok((n, source)) if n > MAX_MESSAGE => {
                debug!(ifindex, peer = %source, "message longer than {MAX_MESSAGE} octets ignored");
            }
            Ok((n, SocketAddr::V4(source))) => {
                let bytes = buffer.get(..n).unwrap_or_default().to_vec();
                let message = Received {
                    ifindex,
                    source,
                    bytes,
                };
                if received.send(message).await.is_err() {
                    return;
                }
            }
            Ok(_) => {}
            Err(e) => {
                warn!(ifindex, error = %e, "receive failed");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
    }
}
