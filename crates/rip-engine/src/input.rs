//! Receiving: the input checks of RFC 2453 §3.9, then requests (§3.9.1) and
//! responses (§3.9.2).

use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::Instant;

use rip_codec::{
    Authenticated, Command, INFINITY, Ipv4Prefix, Packet, RIP_PORT, Request, RouteEntry,
};

use crate::counters::NeighborState;
use crate::engine::Engine;
use crate::keys::AcceptedKeys;
use crate::output::{DropReason, Event, WithdrawReason};
use crate::table::{Origin, Path, Route, RouteId};
use crate::time::Ticks;

/// Messages carry at most this many entries here: BIRD fills its interface
/// MTU (up to 9000 octets), far past RFC 2453's 25.
const MAX_ENTRIES_ACCEPTED: usize = 9000 / rip_codec::ENTRY_LEN;

impl Engine {
    /// A RIP message arrived on `ifindex` from `source`.
    pub fn handle_packet(
        &mut self,
        now: Instant,
        ifindex: u32,
        source: SocketAddrV4,
        bytes: &[u8],
    ) {
        if self.shut_down {
            return;
        }
        let now = self.clock.ticks(now);
        self.receive(now, ifindex, source, bytes);
        self.flush_triggered(now);
    }

    fn receive(&mut self, now: Ticks, ifindex: u32, source: SocketAddrV4, bytes: &[u8]) {
        let src = *source.ip();
        // Our own multicast, looped back: not an error.
        if self.is_local_address(src) {
            return;
        }
        let Some(state) = self.interfaces.get(&ifindex) else {
            self.drop_packet(now, ifindex, source, DropReason::UnknownInterface);
            return;
        };
        if !state.iface.active {
            self.drop_packet(now, ifindex, source, DropReason::RipNotEnabled);
            return;
        }
        let packet = match Packet::parse_with_limit(bytes, MAX_ENTRIES_ACCEPTED) {
            Ok(packet) => packet,
            Err(e) => {
                self.drop_packet(now, ifindex, source, DropReason::Header(e));
                return;
            }
        };
        if !state.config.receive_version.accepts(packet.version()) {
            let version = packet.version();
            self.drop_packet(now, ifindex, source, DropReason::VersionRefused(version));
            return;
        }
        let on_link = state.iface.is_on_link(src);
        if packet.command() == Command::Response {
            // RFC 2453 §3.9.2: responses come from port 520 and from a
            // directly connected neighbor.
            if source.port() != RIP_PORT {
                self.drop_packet(now, ifindex, source, DropReason::NotFromRipPort);
                return;
            }
            if !on_link {
                self.drop_packet(now, ifindex, source, DropReason::SourceNotOnLink);
                return;
            }
        }
        let keys = AcceptedKeys {
            keys: &state.config.authentication.keys,
            at: self.wall(now),
        };
        let verified = match packet.authenticate(state.config.authentication.mode, &keys) {
            Ok(verified) => verified,
            Err(e) => {
                self.drop_packet(now, ifindex, source, DropReason::Auth(e));
                return;
            }
        };
        if let Authenticated::Crypto { key_id, sequence } = verified.authenticated()
            && on_link
            && !self.accept_sequence(now, ifindex, src, key_id, sequence)
        {
            return;
        }
        if let Some(state) = self.interfaces.get_mut(&ifindex) {
            state.counters.packets_received += 1;
        }
        match verified.command() {
            Command::Request => {
                // Versions above 2 are answered as RIPv2 (RFC 2453 §4).
                let version = verified.version().min(rip_codec::VERSION_2);
                self.handle_request(now, ifindex, source, verified.request(), version)
            }
            Command::Response => {
                let version = verified.version();
                let instant = self.clock.instant(now);
                let neighbor = self.neighbor(now, ifindex, src);
                neighbor.last_update = instant;
                neighbor.version = version;
                for route in verified.routes() {
                    match route {
                        Ok(mut route) => {
                            if version == rip_codec::VERSION_1
                                && let Some(state) = self.interfaces.get(&ifindex)
                            {
                                route.prefix = state.iface.v1_subnet(route.prefix);
                            }
                            self.handle_route(now, ifindex, src, route)
                        }
                        Err(reason) => self.reject_route(ifindex, src, reason),
                    }
                }
            }
        }
    }

    /// RFC 4822 §3.2.2: a sequence number lower than the last accepted from
    /// this neighbor with this key is a replay. Equal is accepted: senders
    /// reuse one number for all messages of an update.
    fn accept_sequence(
        &mut self,
        now: Ticks,
        ifindex: u32,
        src: Ipv4Addr,
        key_id: u8,
        sequence: u32,
    ) -> bool {
        let neighbor = self.neighbor(now, ifindex, src);
        let last = neighbor.sequences.get(&key_id).copied();
        match last {
            Some(last) if sequence < last => {
                neighbor.bad_packets += 1;
                if let Some(state) = self.interfaces.get_mut(&ifindex) {
                    state.counters.bad_packets += 1;
                }
                self.events.push_back(Event::PacketDropped {
                    ifindex,
                    source: SocketAddrV4::new(src, RIP_PORT),
                    reason: DropReason::Replay {
                        key_id,
                        sequence,
                        last,
                    },
                });
                false
            }
            _ => {
                neighbor.sequences.insert(key_id, sequence);
                true
            }
        }
    }

    pub(crate) fn neighbor(
        &mut self,
        now: Ticks,
        ifindex: u32,
        addr: Ipv4Addr,
    ) -> &mut NeighborState {
        let instant = self.clock.instant(now);
        let neighbor = self
            .neighbors
            .entry(addr)
            .or_insert_with(|| NeighborState::new(addr, ifindex, instant));
        neighbor.ifindex = ifindex;
        neighbor
    }

    /// Counts a dropped message on the interface and, for a router on the
    /// link (even one that never got a message through, as with a wrong
    /// key), in the peer table (RFC 1724 rip2PeerRcvBadPackets).
    fn drop_packet(&mut self, now: Ticks, ifindex: u32, source: SocketAddrV4, reason: DropReason) {
        let mut from_router = false;
        if let Some(state) = self.interfaces.get_mut(&ifindex) {
            state.counters.bad_packets += 1;
            from_router = state.iface.active
                && source.port() == RIP_PORT
                && state.iface.is_on_link(*source.ip());
        }
        if from_router {
            self.neighbor(now, ifindex, *source.ip()).bad_packets += 1;
        } else if let Some(neighbor) = self.neighbors.get_mut(source.ip()) {
            neighbor.bad_packets += 1;
        }
        self.events.push_back(Event::PacketDropped {
            ifindex,
            source,
            reason,
        });
    }

    fn reject_route(&mut self, ifindex: u32, src: Ipv4Addr, reason: rip_codec::EntryError) {
        if let Some(state) = self.interfaces.get_mut(&ifindex) {
            state.counters.bad_routes += 1;
        }
        if let Some(neighbor) = self.neighbors.get_mut(&src) {
            neighbor.bad_routes += 1;
        }
        self.events.push_back(Event::RouteRejected {
            ifindex,
            source: src,
            reason,
        });
    }

    /// One valid route entry of a response (RFC 2453 §3.9.2).
    fn handle_route(&mut self, now: Ticks, ifindex: u32, src: Ipv4Addr, entry: RouteEntry) {
        let Some(state) = self.interfaces.get(&ifindex) else {
            return;
        };
        let prefix = entry.prefix;
        if !state.policy_in.permits(&prefix) {
            return;
        }
        // metric = min(metric + cost, infinity), then the offset list.
        let metric = entry.metric.saturating_add(state.config.cost).min(INFINITY);
        let metric = state.policy_in.apply_offset(&prefix, metric);
        // RFC 2453 §4.4: a next hop on the receiving network is used as it
        // is; anything else means "via the sender".
        let gateway = if entry.next_hop != Ipv4Addr::UNSPECIFIED
            && state.iface.is_on_link(entry.next_hop)
            && !self.is_local_address(entry.next_hop)
        {
            entry.next_hop
        } else {
            src
        };
        let path = Path {
            gateway,
            source: src,
            ifindex,
            heard_at: now,
        };
        match self.table.find(&prefix) {
            None => self.learn_new(now, prefix, metric, entry.tag, path),
            Some(id) => self.learn_existing(now, id, metric, entry.tag, path),
        }
    }

    fn learn_new(&mut self, now: Ticks, prefix: Ipv4Prefix, metric: u8, tag: u16, path: Path) {
        if metric >= INFINITY {
            return;
        }
        if self.table.len() >= self.config.max_routes {
            self.counters.routes_over_limit += 1;
            if !self.limit_reported {
                self.limit_reported = true;
                self.events.push_back(Event::RouteLimitReached {
                    prefix,
                    limit: self.config.max_routes,
                });
            }
            return;
        }
        let mut route = Route::new(prefix, metric, tag, Origin::Rip);
        route.paths.push(path);
        let id = self.table.insert(route);
        self.table
            .schedule(id, now.after(self.config.timers.timeout));
        self.table.mark_changed(id);
        self.install(id);
        self.counters.route_changes += 1;
        self.events.push_back(Event::RouteAdded {
            prefix,
            metric,
            origin: Origin::Rip,
        });
    }

    fn learn_existing(&mut self, now: Ticks, id: RouteId, metric: u8, tag: u16, path: Path) {
        let max_paths = self.config.max_paths.max(1);
        let timeout = self.config.timers.timeout;
        let Some(route) = self.table.get_mut(id) else {
            return;
        };
        // Local routes win over learned ones while they are reachable.
        if route.origin != Origin::Rip && route.is_reachable() {
            return;
        }
        let prefix = route.prefix;
        let current = route
            .paths
            .iter()
            .position(|p| p.source == path.source && p.ifindex == path.ifindex);

        if !route.is_reachable() {
            // In garbage collection: any reachable announcement revives it.
            if metric >= INFINITY {
                return;
            }
            route.origin = Origin::Rip;
            route.metric = metric;
            route.tag = tag;
            route.paths.clear();
            route.paths.push(path);
            route.garbage_since = Ticks::NEVER;
            self.changed_route(now, id, timeout);
            self.events.push_back(Event::RouteAdded {
                prefix,
                metric,
                origin: Origin::Rip,
            });
            return;
        }

        match current {
            // From a router we already use: always believed, even when worse
            // (RFC 2453 §3.9.2); the timeout restarts.
            Some(index) => {
                let single = route.paths.len() == 1;
                if metric >= INFINITY {
                    if single {
                        self.make_unreachable(now, id, WithdrawReason::Unreachable);
                    } else {
                        route.paths.remove(index);
                        self.install(id);
                        self.counters.route_changes += 1;
                    }
                    return;
                }
                let gateway_moved = route
                    .paths
                    .get(index)
                    .is_some_and(|p| p.gateway != path.gateway);
                if let Some(p) = route.paths.get_mut(index) {
                    *p = path;
                }
                if metric == route.metric {
                    if route.tag != tag && index == 0 {
                        route.tag = tag;
                        self.table.mark_changed(id);
                    }
                    if gateway_moved {
                        self.install(id);
                    }
                    return;
                }
                if single || metric < route.metric {
                    // Worse on the only path, or better than the other paths:
                    // this path alone carries the route now.
                    route
                        .paths
                        .retain(|p| p.source == path.source && p.ifindex == path.ifindex);
                    route.metric = metric;
                    route.tag = tag;
                    self.changed_route(now, id, timeout);
                    self.events
                        .push_back(Event::RouteChanged { prefix, metric });
                } else {
                    // Worse than its equal-cost siblings: it leaves the set.
                    route.paths.remove(index);
                    self.install(id);
                    self.counters.route_changes += 1;
                }
            }
            // From another router.
            None => {
                if metric >= INFINITY || metric > route.metric {
                    return;
                }
                if metric < route.metric {
                    route.paths.clear();
                    route.paths.push(path);
                    route.metric = metric;
                    route.tag = tag;
                    self.changed_route(now, id, timeout);
                    self.events
                        .push_back(Event::RouteChanged { prefix, metric });
                    return;
                }
                // Equal metric.
                if route.paths.len() < max_paths {
                    route.paths.push(path);
                    self.install(id);
                    self.counters.route_changes += 1;
                    return;
                }
                // RFC 2453 §3.9.2: with one path allowed, switch to an equal
                // route when the current one is half-way to timing out.
                let stale = route
                    .paths
                    .first()
                    .is_some_and(|p| now >= p.heard_at.after(timeout / 2));
                if max_paths == 1 && stale {
                    route.paths.clear();
                    route.paths.push(path);
                    route.tag = tag;
                    self.install(id);
                    self.counters.route_changes += 1;
                }
            }
        }
    }

    /// After a learned route's metric or paths changed: kernel, timer, flag.
    fn changed_route(&mut self, now: Ticks, id: RouteId, timeout: std::time::Duration) {
        self.install(id);
        self.table.schedule(id, now.after(timeout));
        self.table.mark_changed(id);
        self.counters.route_changes += 1;
    }

    /// RFC 2453 §3.9.1.
    fn handle_request(
        &mut self,
        now: Ticks,
        ifindex: u32,
        source: SocketAddrV4,
        request: Request<'_>,
        version: u8,
    ) {
        let Some(state) = self.interfaces.get(&ifindex) else {
            return;
        };
        let from_rip_port = source.port() == RIP_PORT;
        let is_neighbor = self.config.neighbors.contains(source.ip());
        // A passive interface sends nothing, answers included (to configured
        // neighbors only).
        if state.iface.passive && !is_neighbor {
            return;
        }
        match request {
            Request::Empty => {}
            Request::WholeTable => {
                // From a router (port 520) the answer is a normal update with
                // split horizon; a diagnostic query gets the whole table.
                let kind = if from_rip_port {
                    crate::update::UpdateKind::Regular
                } else {
                    crate::update::UpdateKind::Query
                };
                let ids = self.table.ids();
                self.send_to(now, ifindex, source, &ids, kind);
                self.counters.queries += 1;
            }
            Request::Specific(queries) => {
                // Entry by entry, the metric we have or 16, no split horizon,
                // in the request's version.
                let entries: Vec<RouteEntry> = queries
                    .filter_map(Result::ok)
                    .map(|prefix| {
                        let found = self.table.find(&prefix).and_then(|id| self.table.get(id));
                        let metric = found.map_or(INFINITY, |r| r.metric);
                        let tag = found.map_or(0, |r| r.tag);
                        RouteEntry {
                            prefix,
                            next_hop: Ipv4Addr::UNSPECIFIED,
                            metric,
                            tag,
                        }
                    })
                    .collect();
                self.send_answer(now, ifindex, source, entries, version);
                self.counters.queries += 1;
            }
        }
    }
}
