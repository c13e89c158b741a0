//! The 4-octet RIP header and the numbers of the wire format (RFC 2453 §4).

use std::net::Ipv4Addr;

/// UDP port of RIP (RFC 2453 §3.6).
pub const RIP_PORT: u16 = 520;
/// The RIPv2 multicast group (RFC 2453 §4.5).
pub const RIP_MULTICAST: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 9);
/// The metric that means unreachable (RFC 2453 §3.4).
pub const INFINITY: u8 = 16;

pub const HEADER_LEN: usize = 4;
pub const ENTRY_LEN: usize = 20;
/// Entries in one message, authentication entry included (RFC 2453 §3.6).
pub const RFC_MAX_ENTRIES: usize = 25;
/// The largest datagram payload RIP sends: 512 octets (RFC 2453 §3.6).
pub const MAX_MESSAGE_LEN: usize = 512;

/// Address family of a route entry (RFC 2453 §4).
pub const AFI_INET: u16 = 2;
/// Address family of an authentication entry (RFC 2453 §4.1).
pub const AFI_AUTH: u16 = 0xFFFF;
/// Address family of the whole-table request entry (RFC 2453 §3.9.1).
pub const AFI_UNSPECIFIED: u16 = 0;

/// What a message asks or tells (RFC 2453 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    Request,
    Response,
}

impl Command {
    pub fn from_wire(value: u8) -> Option<Command> {
        match value {
            1 => Some(Command::Request),
            2 => Some(Command::Response),
            _ => None,
        }
    }

    pub fn to_wire(self) -> u8 {
        match self {
            Command::Request => 1,
            Command::Response => 2,
        }
    }
}

/// Protocol versions riprs speaks (RFC 1058, RFC 2453).
pub const VERSION_1: u8 = 1;
pub const VERSION_2: u8 = 2;
