//! Following the kernel: links, IPv4 addresses and routes, from a dump at
//! start and a subscription after; after an overflow (ENOBUFS) the state is
//! dumped again and only the differences are reported.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;

use netlink_packet_core::NetlinkPayload;
use netlink_packet_route::RouteNetlinkMessage;
use rip_codec::Ipv4Prefix;
use rip_engine::{Address, InterfaceEvent, Link, RedistributeEvent, RedistributeKind};
use tokio::sync::mpsc;
use tracing::{debug, warn};

use super::messages::{self, KernelRoute, Message};
use super::socket::{
    Netlink, RTMGRP_IPV4_IFADDR, RTMGRP_IPV4_ROUTE, RTMGRP_LINK, SUBSCRIPTION_BUFFER,
};
use super::{RT_TABLE_MAIN, RTPROT_RIP};

/// What the kernel tells the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KernelEvent {
    Interface(InterfaceEvent),
    Redistribute(RedistributeEvent),
}

/// The kernel's state as last reported, to turn a fresh dump into changes.
#[derive(Debug, Default, Clone)]
struct Mirror {
    links: BTreeMap<u32, Link>,
    addresses: BTreeSet<AddressKey>,
    routes: BTreeSet<(RedistributeKind, Ipv4Prefix, u32)>,
}

/// `Address` ordered, for the mirror.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct AddressKey {
    ifindex: u32,
    local: std::net::Ipv4Addr,
    prefix_len: u8,
    peer: Option<std::net::Ipv4Addr>,
}

impl From<Address> for AddressKey {
    fn from(a: Address) -> Self {
        AddressKey {
            ifindex: a.ifindex,
            local: a.local,
            prefix_len: a.prefix_len,
            peer: a.peer,
        }
    }
}

impl From<AddressKey> for Address {
    fn from(a: AddressKey) -> Self {
        Address {
            ifindex: a.ifindex,
            local: a.local,
            prefix_len: a.prefix_len,
            peer: a.peer,
        }
    }
}

/// The running watcher thread.
pub struct Watcher {
    resyncs: Arc<AtomicU64>,
    _thread: thread::JoinHandle<()>,
}

impl Watcher {
    /// How often the kernel's events overflowed the socket and the state
    /// was dumped again.
    pub fn resyncs(&self) -> u64 {
        self.resyncs.load(Ordering::Relaxed)
    }
}

/// Starts the watcher thread: the first events are the whole current state.
pub fn start(events: mpsc::Sender<KernelEvent>) -> io::Result<Watcher> {
    start_with_buffer(events, SUBSCRIPTION_BUFFER)
}

/// [`start`] with a subscription buffer of `receive_buffer` bytes (a small
/// one overflows sooner, which tests use).
pub fn start_with_buffer(
    events: mpsc::Sender<KernelEvent>,
    receive_buffer: usize,
) -> io::Result<Watcher> {
    let subscription = Netlink::open_with_buffer(
        RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV4_ROUTE,
        receive_buffer,
    )?;
    let mut dumper = Netlink::open(0)?;
    let mut mirror = Mirror::default();
    let snapshot = dump(&mut dumper)?;
    for event in diff(&mirror, &snapshot) {
        if events.blocking_send(event).is_err() {
            break;
        }
    }
    mirror = snapshot;
    let resyncs = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&resyncs);
    let thread = thread::Builder::new()
        .name("riprs-netlink".into())
        .spawn(move || follow(subscription, dumper, mirror, events, &counter))?;
    Ok(Watcher {
        resyncs,
        _thread: thread,
    })
}

fn follow(
    mut subscription: Netlink,
    mut dumper: Netlink,
    mut mirror: Mirror,
    events: mpsc::Sender<KernelEvent>,
    resyncs: &AtomicU64,
) {
    loop {
        let messages = match subscription.receive_where(messages::not_own_route) {
            Ok(messages) => messages,
            Err(e) if e.raw_os_error() == Some(rustix::io::Errno::NOBUFS.raw_os_error()) => {
                // Events were lost: start again from a full dump. What is
                // still queued is older than the dump, and must go first so
                // that the kernel reports the next overflow.
                warn!("netlink event overflow, resynchronising with a full dump");
                resyncs.fetch_add(1, Ordering::Relaxed);
                if let Err(e) = subscription.discard_pending() {
                    warn!(error = %e, "netlink receive failed");
                }
                match dump(&mut dumper) {
                    Ok(snapshot) => {
                        for event in diff(&mirror, &snapshot) {
                            if events.blocking_send(event).is_err() {
                                return;
                            }
                        }
                        mirror = snapshot;
                    }
                    Err(e) => warn!(error = %e, "netlink dump failed"),
                }
                continue;
            }
            Err(e) => {
                warn!(error = %e, "netlink receive failed");
                continue;
            }
        };
        let mut next = mirror.clone();
        for message in &messages {
            apply(&mut next, message);
        }
        for event in diff(&mirror, &next) {
            if events.blocking_send(event).is_err() {
                return;
            }
        }
        mirror = next;
    }
}

fn dump(netlink: &mut Netlink) -> io::Result<Mirror> {
    let mut mirror = Mirror::default();
    for request in [
        messages::dump_links(),
        messages::dump_addresses(),
        messages::dump_routes(),
    ] {
        // Our own routes are skipped unparsed, as in `follow`.
        netlink.dump_each(request, messages::not_own_route, |message| {
            apply(&mut mirror, &message)
        })?;
    }
    Ok(mirror)
}

/// Folds one kernel message into the mirror.
fn apply(mirror: &mut Mirror, message: &Message) {
    let NetlinkPayload::InnerMessage(inner) = &message.payload else {
        return;
    };
    match inner {
        RouteNetlinkMessage::NewLink(link) => {
            if let Some(link) = messages::link(link) {
                mirror.links.insert(link.ifindex, link);
            }
        }
        RouteNetlinkMessage::DelLink(link) => {
            let ifindex = link.header.index;
            mirror.links.remove(&ifindex);
            mirror.addresses.retain(|a| a.ifindex != ifindex);
        }
        RouteNetlinkMessage::NewAddress(address) => {
            if let Some(address) = messages::address(address) {
                mirror.addresses.insert(address.into());
            }
        }
        RouteNetlinkMessage::DelAddress(address) => {
            if let Some(address) = messages::address(address) {
                mirror.addresses.remove(&address.into());
            }
        }
        RouteNetlinkMessage::NewRoute(route) => {
            if let Some(key) = messages::kernel_route(route).and_then(redistributable) {
                mirror.routes.insert(key);
            }
        }
        RouteNetlinkMessage::DelRoute(route) => {
            if let Some(key) = messages::kernel_route(route).and_then(redistributable) {
                mirror.routes.remove(&key);
            }
        }
        _ => {}
    }
}

/// Routes of the main table that `redistribute static|kernel` would carry:
/// unicast, not connected (scope link), not RIP's own.
fn redistributable(route: KernelRoute) -> Option<(RedistributeKind, Ipv4Prefix, u32)> {
    if route.table != RT_TABLE_MAIN || !route.unicast || route.link_scope {
        return None;
    }
    let kind = match route.protocol {
        RTPROT_RIP => return None,
        4 => RedistributeKind::Static, // RTPROT_STATIC
        _ => RedistributeKind::Kernel,
    };
    Some((kind, route.prefix, route.ifindex))
}

/// The events that turn `old` into `new`, in an order the engine can follow:
/// links first, then addresses, then routes; removals before additions.
fn diff(old: &Mirror, new: &Mirror) -> Vec<KernelEvent> {
    let mut events = Vec::new();
    for ifindex in old.links.keys().filter(|i| !new.links.contains_key(i)) {
        events.push(KernelEvent::Interface(InterfaceEvent::LinkRemoved {
            ifindex: *ifindex,
        }));
    }
    for (ifindex, link) in &new.links {
        if old.links.get(ifindex) != Some(link) {
            events.push(KernelEvent::Interface(InterfaceEvent::Link(link.clone())));
        }
    }
    for gone in old.addresses.difference(&new.addresses) {
        if new.links.contains_key(&gone.ifindex) {
            events.push(KernelEvent::Interface(InterfaceEvent::AddressRemoved(
                (*gone).into(),
            )));
        }
        events.push(KernelEvent::Redistribute(RedistributeEvent::Remove {
            kind: RedistributeKind::Connected,
            prefix: Address::from(*gone).connected(),
        }));
    }
    for added in new.addresses.difference(&old.addresses) {
        events.push(KernelEvent::Interface(InterfaceEvent::AddressAdded(
            (*added).into(),
        )));
        events.push(KernelEvent::Redistribute(RedistributeEvent::Add {
            kind: RedistributeKind::Connected,
            prefix: Address::from(*added).connected(),
            ifindex: added.ifindex,
        }));
    }
    for (kind, prefix, _) in old.routes.difference(&new.routes) {
        events.push(KernelEvent::Redistribute(RedistributeEvent::Remove {
            kind: *kind,
            prefix: *prefix,
        }));
    }
    for (kind, prefix, ifindex) in new.routes.difference(&old.routes) {
        events.push(KernelEvent::Redistribute(RedistributeEvent::Add {
            kind: *kind,
            prefix: *prefix,
            ifindex: *ifindex,
        }));
    }
    debug!(events = events.len(), "kernel changes");
    events
}
