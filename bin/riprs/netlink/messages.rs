//! Building and reading rtnetlink messages.

// The netlink-packet-route types are #[non_exhaustive]: they can only be
// built from Default and then filled in.
#![allow(clippy::field_reassign_with_default)]

use std::net::{IpAddr, Ipv4Addr};

use netlink_packet_core::{
    NLM_F_CREATE, NLM_F_DUMP, NLM_F_EXCL, NLM_F_REPLACE, NLM_F_REQUEST, NetlinkHeader,
    NetlinkMessage, NetlinkPayload,
};
use netlink_packet_route::address::{AddressAttribute, AddressMessage};
use netlink_packet_route::link::{LinkAttribute, LinkFlags, LinkMessage};
use netlink_packet_route::route::{
    RouteAddress, RouteAttribute, RouteHeader, RouteMessage, RouteNextHop, RouteProtocol,
    RouteScope, RouteType,
};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};
use rip_codec::Ipv4Prefix;
use rip_engine::{Address, Link, NextHop};

use super::RTPROT_RIP;

pub type Message = NetlinkMessage<RouteNetlinkMessage>;

/// Where and how the daemon's routes go into the kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteTarget {
    pub table: u32,
    /// The kernel's priority (`metric` in `ip route`).
    pub priority: u32,
}

/// What to do with one route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteOp {
    /// Create; fails (EEXIST) rather than replace a route of someone else.
    Create,
    /// Replace the daemon's own route.
    Replace,
    Delete,
}

fn header(prefix: Ipv4Prefix, target: RouteTarget) -> RouteHeader {
    let mut header = RouteHeader::default();
    header.address_family = AddressFamily::Inet;
    header.destination_prefix_length = prefix.prefix_len();
    // Tables above 255 go in RTA_TABLE; the header keeps RT_TABLE_UNSPEC.
    header.table = u8::try_from(target.table).unwrap_or(RouteHeader::RT_TABLE_UNSPEC);
    header.protocol = RouteProtocol::Other(RTPROT_RIP);
    header.scope = RouteScope::Universe;
    header.kind = RouteType::Unicast;
    header
}

/// RTM_NEWROUTE or RTM_DELROUTE for one of the daemon's routes: protocol
/// rip, the configured table and priority; next hops as a gateway or, for
/// equal-cost paths, RTA_MULTIPATH.
pub fn route(
    op: RouteOp,
    prefix: Ipv4Prefix,
    next_hops: &[NextHop],
    target: RouteTarget,
) -> Message {
    let mut route = RouteMessage::default();
    route.header = header(prefix, target);
    let attributes = &mut route.attributes;
    attributes.push(RouteAttribute::Table(target.table));
    if prefix.prefix_len() > 0 {
        attributes.push(RouteAttribute::Destination(RouteAddress::Inet(
            prefix.addr(),
        )));
    }
    attributes.push(RouteAttribute::Priority(target.priority));
    if op != RouteOp::Delete {
        match next_hops {
            [one] => {
                attributes.push(RouteAttribute::Gateway(RouteAddress::Inet(one.gateway)));
                attributes.push(RouteAttribute::Oif(one.ifindex));
            }
            many => {
                let hops = many
                    .iter()
                    .map(|hop| {
                        let mut next = RouteNextHop::default();
                        next.interface_index = hop.ifindex;
                        next.attributes =
                            vec![RouteAttribute::Gateway(RouteAddress::Inet(hop.gateway))];
                        next
                    })
                    .collect();
                attributes.push(RouteAttribute::MultiPath(hops));
            }
        }
    }
    let (payload, flags) = match op {
        RouteOp::Create => (
            RouteNetlinkMessage::NewRoute(route),
            NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL,
        ),
        RouteOp::Replace => (
            RouteNetlinkMessage::NewRoute(route),
            NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE,
        ),
        RouteOp::Delete => (RouteNetlinkMessage::DelRoute(route), NLM_F_REQUEST),
    };
    request(payload, flags)
}

/// A request message with its flags; the sequence number is set when sent.
pub fn request(payload: RouteNetlinkMessage, flags: u16) -> Message {
    let mut header = NetlinkHeader::default();
    header.flags = flags;
    let mut message = NetlinkMessage::new(header, NetlinkPayload::InnerMessage(payload));
    message.finalize();
    message
}

pub fn dump_links() -> Message {
    request(
        RouteNetlinkMessage::GetLink(LinkMessage::default()),
        NLM_F_REQUEST | NLM_F_DUMP,
    )
}

pub fn dump_addresses() -> Message {
    let mut message = AddressMessage::default();
    message.header.family = AddressFamily::Inet;
    request(
        RouteNetlinkMessage::GetAddress(message),
        NLM_F_REQUEST | NLM_F_DUMP,
    )
}

pub fn dump_routes() -> Message {
    let mut message = RouteMessage::default();
    message.header.address_family = AddressFamily::Inet;
    request(
        RouteNetlinkMessage::GetRoute(message),
        NLM_F_REQUEST | NLM_F_DUMP,
    )
}

/// RTM_NEWLINK changing only IFF_MULTICAST (`ip link set DEV multicast on`).
pub fn set_multicast(ifindex: u32, on: bool) -> Message {
    let mut link = LinkMessage::default();
    link.header.index = ifindex;
    link.header.change_mask = LinkFlags::Multicast;
    link.header.flags = if on {
        LinkFlags::Multicast
    } else {
        LinkFlags::empty()
    };
    request(
        RouteNetlinkMessage::SetLink(link),
        NLM_F_REQUEST | netlink_packet_core::NLM_F_ACK,
    )
}

/// The engine's view of a link message.
pub fn link(message: &LinkMessage) -> Option<Link> {
    let name = message.attributes.iter().find_map(|a| match a {
        LinkAttribute::IfName(name) => Some(name.clone()),
        _ => None,
    })?;
    let flags = message.header.flags;
    Some(Link {
        ifindex: message.header.index,
        name,
        // Administratively up and with a carrier (or no carrier concept, as
        // on a VTI or TUN, where the kernel reports RUNNING while up).
        up: flags.contains(LinkFlags::Up) && flags.contains(LinkFlags::Running),
        multicast: flags.contains(LinkFlags::Multicast),
    })
}

/// The engine's view of an IPv4 address message. IFA_LOCAL is our address;
/// an IFA_ADDRESS that differs is the point-to-point peer.
pub fn address(message: &AddressMessage) -> Option<Address> {
    if message.header.family != AddressFamily::Inet {
        return None;
    }
    let mut local = None;
    let mut address = None;
    for attribute in &message.attributes {
        match attribute {
            AddressAttribute::Local(IpAddr::V4(a)) => local = Some(*a),
            AddressAttribute::Address(IpAddr::V4(a)) => address = Some(*a),
            _ => {}
        }
    }
    let local = local.or(address)?;
    let peer = address.filter(|a| *a != local);
    Some(Address {
        ifindex: message.header.index,
        local,
        prefix_len: message.header.prefix_len,
        peer,
    })
}

/// A kernel route, as far as redistribution and the startup sweep care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KernelRoute {
    pub prefix: Ipv4Prefix,
    pub table: u32,
    pub protocol: u8,
    pub priority: u32,
    pub ifindex: u32,
    /// Scope link: a connected network.
    pub link_scope: bool,
    pub unicast: bool,
}

pub fn kernel_route(message: &RouteMessage) -> Option<KernelRoute> {
    if message.header.address_family != AddressFamily::Inet {
        return None;
    }
    let mut destination = Ipv4Addr::UNSPECIFIED;
    let mut table = u32::from(message.header.table);
    let mut priority = 0;
    let mut ifindex = 0;
    for attribute in &message.attributes {
        match attribute {
            RouteAttribute::Destination(RouteAddress::Inet(a)) => destination = *a,
            RouteAttribute::Table(t) => table = *t,
            RouteAttribute::Priority(p) => priority = *p,
            RouteAttribute::Oif(i) => ifindex = *i,
            _ => {}
        }
    }
    let prefix = Ipv4Prefix::new(destination, message.header.destination_prefix_length).ok()?;
    Some(KernelRoute {
        prefix,
        table,
        protocol: u8::from(message.header.protocol),
        priority,
        ifindex,
        link_scope: message.header.scope == RouteScope::Link,
        unicast: message.header.kind == RouteType::Unicast,
    })
}

/// Splits a datagram into netlink messages; unparsable ones are skipped.
pub fn parse_all(bytes: &[u8]) -> Vec<Message> {
    parse_where(bytes, |_| true)
}

/// RTM_NEWROUTE and RTM_DELROUTE.
const RTM_NEWROUTE: u16 = 24;
const RTM_DELROUTE: u16 = 25;

/// True unless the raw message is a route notification of protocol rip:
/// the daemon's own routes, which the watcher has no use for, and which
/// arrive by the hundred thousand when a large table is installed.
pub fn not_own_route(raw: &[u8]) -> bool {
    route_protocol(raw) != Some(RTPROT_RIP)
}

/// For the start-up sweep: rip routes, and the dump's own control messages
/// (NLMSG_DONE, errors); every other route is skipped unparsed.
pub fn own_route_or_control(raw: &[u8]) -> bool {
    route_protocol(raw).is_none_or(|protocol| protocol == RTPROT_RIP)
}

/// The protocol of a route message, None for any other message.
fn route_protocol(raw: &[u8]) -> Option<u8> {
    let kind = raw
        .get(4..)
        .and_then(|b| b.first_chunk::<2>())
        .map_or(0, |b| u16::from_ne_bytes(*b));
    // struct rtmsg follows the 16-octet header; rtm_protocol is its 6th octet.
    let protocol = raw.get(16 + 5).copied().unwrap_or(0);
    (kind == RTM_NEWROUTE || kind == RTM_DELROUTE).then_some(protocol)
}

/// Splits a datagram into netlink messages, parsing only those `keep` accepts.
pub fn parse_where(mut bytes: &[u8], keep: impl Fn(&[u8]) -> bool) -> Vec<Message> {
    let mut out = Vec::new();
    while let Some(len_field) = bytes.first_chunk::<4>() {
        let len = u32::from_ne_bytes(*len_field) as usize;
        if len < 16 || len > bytes.len() {
            break;
        }
        let (this, rest) = bytes.split_at(len);
        if keep(this)
            && let Ok(message) = Message::deserialize(this)
        {
            out.push(message);
        }
        let aligned = (len + 3) & !3;
        bytes = rest.get(aligned - len..).unwrap_or_default();
    }
    out
}
