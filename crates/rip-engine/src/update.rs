//! Sending: regular and triggered updates (RFC 2453 §3.8, §3.10), answers to
//! requests, split horizon (§3.4.3), the next hop field (§4.4), requests.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::Arc;
use std::time::Duration;

use rip_codec::{Command, INFINITY, RIP_MULTICAST, RIP_PORT, RouteEntry, VERSION_1, VERSION_2};

use crate::config::{SendVersion, SplitHorizon};
use crate::engine::{Engine, InterfaceState};
use crate::keys;
use crate::output::{SignWith, Transmit};
use crate::policy::DirectionalPolicy;
use crate::table::{Route, RouteId};
use crate::time::Ticks;

/// What an update is for, which decides split horizon and counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UpdateKind {
    Regular,
    Triggered,
    /// An answer to a diagnostic whole-table query: no split horizon.
    Query,
}

/// A message waiting in the engine's queue.
pub(crate) enum Outgoing {
    Ready(Transmit),
    Update(PendingUpdate),
}

/// An update to one destination whose entries are built when polled.
pub(crate) struct PendingUpdate {
    ifindex: u32,
    source: Ipv4Addr,
    destination: SocketAddrV4,
    ids: Arc<[RouteId]>,
    kind: UpdateKind,
    auth: Option<SignWith>,
}

/// Triggered updates wait 1 to 5 seconds after the previous one (RFC 2453 §3.10.1).
const TRIGGERED_MIN: Duration = Duration::from_secs(1);
const TRIGGERED_MAX: Duration = Duration::from_secs(5);
/// A triggered update goes out once changes have stopped coming for this
/// long, or this long after the first of them at the latest: a neighbor's
/// table arrives as a burst of messages, and an update made of its first
/// message would hold the rest back for 1 to 5 seconds.
const TRIGGERED_QUIET: Duration = Duration::from_millis(50);
const TRIGGERED_GATHER_MAX: Duration = Duration::from_millis(500);

impl Engine {
    /// The full table to every RIP interface and neighbor; pending triggered
    /// changes ride along (RFC 2453 §3.10.1).
    pub(crate) fn send_regular_update(&mut self, now: Ticks) {
        let ids = self.table.ids();
        self.table.take_changed();
        self.send_update_of(now, &ids, UpdateKind::Regular);
    }

    /// Sends the changed routes if the triggered-update hold allows;
    /// skipped when the regular update is due within the hold interval.
    pub(crate) fn flush_triggered(&mut self, now: Ticks) {
        if !self.table.has_changes() {
            self.changes_since = Ticks::NEVER;
            return;
        }
        let count = self.table.changed_count();
        if self.changes_since == Ticks::NEVER {
            self.changes_since = now;
        }
        if count != self.changes_seen {
            self.changes_seen = count;
            self.last_change_at = now;
        }
        if now < self.triggered_hold_until || now < self.triggered_ready_at() {
            return;
        }
        if self.next_periodic <= now.after(TRIGGERED_MIN) {
            // The regular update carries the changes: hold until then, or
            // poll_timeout would keep answering the passed hold and the
            // caller would spin until the regular update.
            self.triggered_hold_until = self.next_periodic;
            return;
        }
        let changed = self.table.take_changed();
        if changed.is_empty() {
            return;
        }
        self.send_update_of(now, &changed, UpdateKind::Triggered);
        let hold = self.rng.duration_between(TRIGGERED_MIN, TRIGGERED_MAX);
        self.triggered_hold_until = now.after(hold);
        self.changes_since = Ticks::NEVER;
        self.changes_seen = 0;
    }

    /// When the pending changes may go out: after a quiet spell, or when
    /// gathering has gone on long enough.
    pub(crate) fn triggered_ready_at(&self) -> Ticks {
        if self.changes_since == Ticks::NEVER {
            return Ticks(0);
        }
        self.last_change_at
            .after(TRIGGERED_QUIET)
            .min(self.changes_since.after(TRIGGERED_GATHER_MAX))
    }

    /// An update with these routes on every active, non-passive interface
    /// (multicast where it can) and to every configured neighbor. Queued as
    /// route ids: each interface's entries are built when it is polled, so
    /// an update to 100 interfaces holds one list of ids, not 100 lists of
    /// entries.
    pub(crate) fn send_update_of(&mut self, now: Ticks, ids: &[RouteId], kind: UpdateKind) {
        let ids: Arc<[RouteId]> = ids.into();
        let ifindexes: Vec<u32> = self
            .interfaces
            .iter()
            .filter(|(_, s)| s.iface.active)
            .map(|(i, _)| *i)
            .collect();
        for ifindex in ifindexes {
            for destination in self.destinations(ifindex) {
                let Some((source, auth)) = self.sender(now, ifindex) else {
                    continue;
                };
                self.transmits.push_back(Outgoing::Update(PendingUpdate {
                    ifindex,
                    source,
                    destination,
                    ids: ids.clone(),
                    kind,
                    auth,
                }));
            }
        }
    }

    /// Builds a queued update's entries; None when none are left for that
    /// interface (all filtered or split-horizoned) or it has gone.
    pub(crate) fn assemble(&mut self, update: PendingUpdate) -> Option<Transmit> {
        let state = self.interfaces.get(&update.ifindex)?;
        let entries = self.entries_for(state, &update.ids, update.kind);
        if entries.is_empty() {
            return None;
        }
        let state = self.interfaces.get_mut(&update.ifindex)?;
        state.counters.packets_sent += 1;
        if update.kind == UpdateKind::Triggered {
            state.counters.updates_sent += 1;
        }
        let version = wire_version(state.config.send_version);
        Some(Transmit {
            ifindex: update.ifindex,
            source: update.source,
            destination: update.destination,
            command: Command::Response,
            version,
            entries,
            auth: update.auth,
        })
    }

    /// Where updates and requests out of an interface go: 224.0.0.9 where
    /// the interface can multicast and is not passive (RFC 2453 §4.5), or
    /// its broadcast address when it sends RIPv1 or "RIP-1 compatible"
    /// (§5.1); and every configured neighbor on it (§3.8).
    fn destinations(&self, ifindex: u32) -> Vec<SocketAddrV4> {
        let mut destinations = Vec::new();
        if let Some(state) = self.interfaces.get(&ifindex)
            && !state.iface.passive
        {
            match state.config.send_version {
                SendVersion::V2 => {
                    if state.iface.link.multicast {
                        destinations.push(SocketAddrV4::new(RIP_MULTICAST, RIP_PORT));
                    }
                }
                SendVersion::V2Broadcast | SendVersion::V1 => {
                    if let Some(broadcast) = state.iface.broadcast() {
                        destinations.push(SocketAddrV4::new(broadcast, RIP_PORT));
                    }
                }
            }
        }
        destinations.extend(
            self.neighbors_on(ifindex)
                .map(|n| SocketAddrV4::new(n, RIP_PORT)),
        );
        destinations
    }

    /// An update with these routes to one destination on one interface.
    pub(crate) fn send_to(
        &mut self,
        now: Ticks,
        ifindex: u32,
        destination: SocketAddrV4,
        ids: &[RouteId],
        kind: UpdateKind,
    ) {
        let Some(state) = self.interfaces.get(&ifindex) else {
            return;
        };
        let entries = self.entries_for(state, ids, kind);
        if !entries.is_empty() {
            self.push_transmit(now, ifindex, destination, Command::Response, entries, None);
        }
    }

    /// The answer to a specific request, in the request's version (as ripd
    /// does): its entries are the destinations asked for, read with that
    /// version's rules.
    pub(crate) fn send_answer(
        &mut self,
        now: Ticks,
        ifindex: u32,
        destination: SocketAddrV4,
        entries: Vec<RouteEntry>,
        version: u8,
    ) {
        if !entries.is_empty() {
            let version = Some(version);
            self.push_transmit(
                now,
                ifindex,
                destination,
                Command::Response,
                entries,
                version,
            );
        }
    }

    /// A whole-table request out of a new interface (RFC 2453 §3.9.1).
    pub(crate) fn send_request(&mut self, now: Ticks, ifindex: u32) {
        for destination in self.destinations(ifindex) {
            self.push_transmit(
                now,
                ifindex,
                destination,
                Command::Request,
                Vec::new(),
                None,
            );
        }
    }

    /// Queues a message; `version` None is the interface's own.
    fn push_transmit(
        &mut self,
        now: Ticks,
        ifindex: u32,
        destination: SocketAddrV4,
        command: Command,
        entries: Vec<RouteEntry>,
        version: Option<u8>,
    ) {
        let Some((source, auth)) = self.sender(now, ifindex) else {
            return;
        };
        let Some(state) = self.interfaces.get_mut(&ifindex) else {
            return;
        };
        state.counters.packets_sent += 1;
        let version = version.unwrap_or_else(|| wire_version(state.config.send_version));
        self.transmits.push_back(Outgoing::Ready(Transmit {
            ifindex,
            source,
            destination,
            command,
            version,
            entries,
            auth,
        }));
    }

    /// The source address and signing key of messages out of an interface;
    /// None when it has no address yet, or authentication is on and no key
    /// is valid for sending (unauthenticated messages would be dropped by
    /// every neighbor: say nothing).
    fn sender(&self, now: Ticks, ifindex: u32) -> Option<(Ipv4Addr, Option<SignWith>)> {
        let state = self.interfaces.get(&ifindex)?;
        let source = state.iface.source()?;
        let auth = &state.config.authentication;
        if auth.mode == rip_codec::AuthMode::None {
            return Some((source, None));
        }
        let sign = keys::send_key(auth, self.wall(now))?;
        Some((source, Some(sign)))
    }

    /// The entries of an update out of one interface: out filter, split
    /// horizon, offset, next hop.
    pub(crate) fn entries_for(
        &self,
        state: &InterfaceState,
        ids: &[RouteId],
        kind: UpdateKind,
    ) -> Vec<RouteEntry> {
        let mut entries = Vec::with_capacity(ids.len());
        for route in ids.iter().filter_map(|id| self.table.get(*id)) {
            if let Some(entry) = advertised(state, &state.policy_out, route, kind) {
                entries.push(entry);
            }
        }
        entries
    }

    /// After a filter change: routes the old out filter let through and the
    /// new one denies are poisoned on that interface at once.
    pub(crate) fn withdraw_newly_filtered_out(
        &mut self,
        now: Ticks,
        ifindex: u32,
        old: &DirectionalPolicy,
    ) {
        let Some(state) = self.interfaces.get(&ifindex) else {
            return;
        };
        if state.iface.passive && self.neighbors_on(ifindex).next().is_none() {
            return;
        }
        let entries: Vec<RouteEntry> = self
            .table
            .iter()
            .map(|(_, r)| r)
            .filter(|r| r.is_reachable())
            .filter(|r| old.permits(&r.prefix) && !state.policy_out.permits(&r.prefix))
            .filter_map(|r| advertised(state, old, r, UpdateKind::Regular))
            .map(|e| RouteEntry {
                metric: INFINITY,
                ..e
            })
            .collect();
        if entries.is_empty() {
            return;
        }
        let destinations = self.destinations(ifindex);
        for destination in destinations {
            self.push_transmit(
                now,
                ifindex,
                destination,
                Command::Response,
                entries.clone(),
                None,
            );
        }
    }
}

/// How one route is advertised out of one interface, if at all.
fn advertised(
    state: &InterfaceState,
    policy: &DirectionalPolicy,
    route: &Route,
    kind: UpdateKind,
) -> Option<RouteEntry> {
    if !policy.permits(&route.prefix) {
        return None;
    }
    if state.config.send_version == SendVersion::V1 && !state.iface.v1_can_carry(route.prefix) {
        return None;
    }
    let ifindex = state.iface.link.ifindex;
    let mut metric = route.metric;
    let mut next_hop = Ipv4Addr::UNSPECIFIED;
    let learned_here = route.is_learned() && route.uses_interface(ifindex);
    // FRR's rule for connected routes: the network of the interface's own
    // source address is not sent back out of it.
    let connected_here = !route.is_learned()
        && state
            .iface
            .source()
            .is_some_and(|source| route.prefix.contains(source));
    if kind != UpdateKind::Query && (learned_here || connected_here) {
        match state.config.split_horizon {
            SplitHorizon::Simple => return None,
            SplitHorizon::PoisonedReverse => metric = INFINITY,
            SplitHorizon::Off => {
                // RFC 2453 §4.4: name the real next hop when it is on this network.
                if let Some(path) = route.paths.iter().find(|p| p.ifindex == ifindex)
                    && path.gateway != Ipv4Addr::UNSPECIFIED
                    && state.iface.is_on_link(path.gateway)
                {
                    next_hop = path.gateway;
                }
            }
        }
    }
    if metric < INFINITY {
        metric = policy.apply_offset(&route.prefix, metric);
    }
    Some(RouteEntry {
        prefix: route.prefix,
        next_hop,
        metric,
        tag: route.tag,
    })
}

/// The version field of what an interface sends.
fn wire_version(send: SendVersion) -> u8 {
    match send {
        SendVersion::V1 => VERSION_1,
        SendVersion::V2 | SendVersion::V2Broadcast => VERSION_2,
    }
}
