//! What the engine asks its caller to do: send messages, change the kernel's
//! routes; and what it reports for logs.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::Arc;

use rip_codec::{
    AuthMode, Command, EmitError, Key, MAX_MESSAGE_LEN, Md5AuthLen, MessageWriter, RouteEntry,
    Signer, max_routes,
};

use crate::table::Origin;

/// Messages to send out one interface to one destination.
///
/// `entries` may be longer than one message holds: [`Transmit::encode`]
/// splits them (RFC 2453 §3.6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    pub ifindex: u32,
    /// Our address on that interface, the source to send from.
    pub source: Ipv4Addr,
    /// 224.0.0.9:520, a neighbor, or a requester's address and port.
    pub destination: SocketAddrV4,
    pub command: Command,
    pub version: u8,
    pub entries: Vec<RouteEntry>,
    pub auth: Option<SignWith>,
}

/// The key a message is signed with. The sequence number is the caller's
/// (a wall-clock based one survives restarts, RFC 4822 §3.2.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignWith {
    pub mode: AuthMode,
    pub key_id: u8,
    pub secret: Arc<[u8]>,
    pub md5_auth_len: Md5AuthLen,
}

impl Transmit {
    /// Writes the messages, each into a buffer handed to `sink`.
    pub fn encode(&self, sequence: u32, mut sink: impl FnMut(&[u8])) -> Result<usize, EmitError> {
        let signer = self.auth.as_ref().map(|a| Signer {
            mode: a.mode,
            key: Key {
                id: a.key_id,
                secret: &a.secret,
            },
            sequence,
            md5_auth_len: a.md5_auth_len,
        });
        let mode = signer.map_or(AuthMode::None, |s| s.mode);
        let mut buf = [0u8; MAX_MESSAGE_LEN];
        let mut messages = 0;
        if self.command == Command::Request && self.entries.is_empty() {
            let mut writer = MessageWriter::new(&mut buf, self.command, self.version, signer)?;
            writer.push_whole_table_request()?;
            sink(writer.finish());
            return Ok(1);
        }
        for chunk in self.entries.chunks(max_routes(mode)) {
            let mut writer = MessageWriter::new(&mut buf, self.command, self.version, signer)?;
            for entry in chunk {
                writer.push_route(entry)?;
            }
            sink(writer.finish());
            messages += 1;
        }
        Ok(messages)
    }

    /// The messages as owned buffers, for tests and tools.
    pub fn encode_to_vec(&self, sequence: u32) -> Result<Vec<Vec<u8>>, EmitError> {
        let mut out = Vec::new();
        self.encode(sequence, |m| out.push(m.to_vec()))?;
        Ok(out)
    }
}

/// One next hop of a kernel route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NextHop {
    pub gateway: Ipv4Addr,
    pub ifindex: u32,
}

/// The next hops of one route: one or two inline, more on the heap.
pub type NextHops = smallvec::SmallVec<[NextHop; 2]>;

/// A change to make in the kernel's table. Routes the engine learned over
/// RIP only; connected and redistributed routes are the kernel's already.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FibChange {
    Add {
        prefix: rip_codec::Ipv4Prefix,
        next_hops: NextHops,
        metric: u8,
    },
    Replace {
        prefix: rip_codec::Ipv4Prefix,
        next_hops: NextHops,
        metric: u8,
    },
    Delete {
        prefix: rip_codec::Ipv4Prefix,
    },
}

impl FibChange {
    pub fn prefix(&self) -> rip_codec::Ipv4Prefix {
        match self {
            FibChange::Add { prefix, .. }
            | FibChange::Replace { prefix, .. }
            | FibChange::Delete { prefix } => *prefix,
        }
    }
}

/// Something worth a log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A message was dropped as a whole.
    PacketDropped {
        ifindex: u32,
        source: SocketAddrV4,
        reason: DropReason,
    },
    /// One entry of a message was skipped.
    RouteRejected {
        ifindex: u32,
        source: Ipv4Addr,
        reason: rip_codec::EntryError,
    },
    RouteAdded {
        prefix: rip_codec::Ipv4Prefix,
        metric: u8,
        origin: Origin,
    },
    RouteChanged {
        prefix: rip_codec::Ipv4Prefix,
        metric: u8,
    },
    /// Unreachable now: timed out, poisoned by its neighbor, interface gone.
    RouteWithdrawn {
        prefix: rip_codec::Ipv4Prefix,
        reason: WithdrawReason,
    },
    RouteDeleted {
        prefix: rip_codec::Ipv4Prefix,
    },
    /// The route limit is reached: a new prefix was dropped.
    RouteLimitReached {
        prefix: rip_codec::Ipv4Prefix,
        limit: usize,
    },
    InterfaceUp {
        ifindex: u32,
        name: String,
    },
    InterfaceDown {
        ifindex: u32,
        name: String,
    },
    /// RIP would run here but the interface cannot do multicast, and no
    /// neighbor is configured on it: nothing will be heard or sent.
    MulticastUnavailable {
        ifindex: u32,
        name: String,
    },
}

/// Why a whole message was dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DropReason {
    UnknownInterface,
    RipNotEnabled,
    /// A response from a port other than 520 (RFC 2453 §3.9.2).
    NotFromRipPort,
    /// The source is not on a directly connected network (RFC 2453 §3.9.2).
    SourceNotOnLink,
    Header(rip_codec::HeaderError),
    Auth(rip_codec::AuthError),
    /// A sequence number lower than the last accepted (RFC 4822 §3.2.2).
    Replay {
        key_id: u8,
        sequence: u32,
        last: u32,
    },
    /// A version the interface is configured not to accept (RFC 2453 §5.1).
    VersionRefused(u8),
}

/// Why a route became unreachable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WithdrawReason {
    Timeout,
    /// The neighbor advertised metric 16.
    Unreachable,
    InterfaceDown,
    Filtered,
    /// A connected or redistributed route that went away.
    OriginGone,
    Shutdown,
}
