//! What can be wrong with a RIP message, one variant per rule.
//!
//! Three layers, matching what the receiver does with each:
//! a [`HeaderError`] rejects the whole message, an [`AuthError`] rejects it
//! before any entry is looked at, an [`EntryError`] skips one entry.

use std::net::Ipv4Addr;

/// The message as a whole is malformed; nothing in it may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    /// Shorter than the 4-octet header (RFC 2453 §4).
    #[error("message of {len} octets is shorter than the 4-octet RIP header")]
    Truncated { len: usize },
    /// The body is not a whole number of 20-octet entries (RFC 2453 §4).
    #[error("message of {len} octets is not 4 + 20n octets long")]
    BadLength { len: usize },
    /// More entries than the receiver accepts (25 in RFC 2453 §3.6).
    #[error("{count} entries in one message, at most {max} accepted")]
    TooManyEntries { count: usize, max: usize },
    /// Neither request (1) nor response (2) (RFC 2453 §3.6, §4).
    #[error("unknown command {0}")]
    UnknownCommand(u8),
    /// Version 0 messages are ignored (RFC 2453 §4, RFC 1058 §3.4).
    #[error("version 0 message")]
    VersionZero,
    /// A RIPv1 message whose must-be-zero fields are not zero is ignored
    /// as a whole (RFC 1058 §3.4).
    #[error("RIPv1 message with a must-be-zero field set")]
    V1MustBeZero,
}

/// Authentication failed or was not as configured: the message yields no entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// Authentication is required and the message carries none (RFC 2453 §5.2).
    #[error("authentication required, message has none")]
    Missing,
    /// Authentication is not configured and the message carries it: RFC 2453
    /// §5.2 says authenticated messages are then discarded.
    #[error("message is authenticated, interface is not configured for it")]
    Unexpected,
    /// The authentication type differs from the configured one.
    #[error("authentication type {got}, expected {expected}")]
    WrongType { expected: u16, got: u16 },
    /// No acceptable key has this key id (RFC 4822 §3.2).
    #[error("no acceptable key with id {0}")]
    UnknownKeyId(u8),
    /// The simple password matches no acceptable key (RFC 2453 §4.1).
    #[error("wrong password")]
    BadPassword,
    /// The digest does not match (RFC 2082, RFC 4822 §3.4).
    #[error("digest mismatch")]
    BadDigest,
    /// An authentication entry somewhere other than first (RFC 2453 §4.1).
    #[error("authentication entry is not the first entry")]
    NotFirst,
    /// The authentication entry or trailer layout is inconsistent: packet
    /// length field, auth data length, trailer marker (RFC 4822 §2.2).
    #[error("malformed authentication: {0}")]
    Malformed(&'static str),
    /// The auth data length does not fit the algorithm of the key.
    #[error("auth data length {got} does not fit the algorithm")]
    BadAuthLength { got: u8 },
}

/// One route entry is malformed; it is skipped and counted, the rest of the
/// message is processed (RFC 2453 §3.9.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    /// An address family other than IP (2) (RFC 2453 §3.9.2).
    #[error("unknown address family {0}")]
    UnknownAfi(u16),
    /// Metric outside 1..=16 (RFC 2453 §3.9.2).
    #[error("metric {0} outside 1..=16")]
    BadMetric(u32),
    /// The subnet mask has holes (RFC 2453 §4.3).
    #[error("non-contiguous subnet mask {0}")]
    NonContiguousMask(Ipv4Addr),
    /// The address has bits set past its mask.
    #[error("address {addr} has host bits outside mask {mask}")]
    HostBitsSet { addr: Ipv4Addr, mask: Ipv4Addr },
    /// 0/8 other than the default route, 127/8, class D and E, broadcast
    /// (RFC 2453 §3.9.2, RFC 1122 §3.2.1.3).
    #[error("martian destination {0}")]
    MartianDestination(Ipv4Addr),
    /// A next hop in 224/4 (RFC 2453 §4.4 asks for a directly reachable unicast address).
    #[error("multicast next hop {0}")]
    MulticastNextHop(Ipv4Addr),
    /// A next hop in 127/8.
    #[error("loopback next hop {0}")]
    LoopbackNextHop(Ipv4Addr),
    /// A next hop in 0/8 other than 0.0.0.0, or in 240/4.
    #[error("reserved next hop {0}")]
    ReservedNextHop(Ipv4Addr),
    /// An authentication entry (AFI 0xFFFF) after the first position (RFC 2453 §4.1).
    #[error("authentication entry out of place")]
    MisplacedAuth,
}

/// Why a message could not be decoded at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error(transparent)]
    Header(#[from] HeaderError),
    #[error(transparent)]
    Auth(#[from] AuthError),
}

/// Why a message could not be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmitError {
    /// The caller's buffer is too small for the message.
    #[error("buffer of {have} octets, message needs {need}")]
    BufferTooSmall { have: usize, need: usize },
    /// More entries than fit in one message with this authentication.
    #[error("{count} entries, at most {max} fit in one message")]
    TooManyEntries { count: usize, max: usize },
    /// The key cannot be used with this authentication mode.
    #[error("key unusable: {0}")]
    BadKey(&'static str),
}
