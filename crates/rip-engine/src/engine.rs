//! The engine: state, the calls that feed it and the queues it fills.

use std::collections::{BTreeMap, VecDeque};
use std::net::Ipv4Addr;
use std::time::{Instant, SystemTime};

use crate::config::{Direction, EngineConfig, InterfaceConfig};
use crate::counters::{GlobalCounters, InterfaceCounters, NeighborState};
use crate::interface::{Interface, InterfaceEvent};
use crate::output::{Event, FibChange, NextHop, Transmit, WithdrawReason};
use crate::policy::DirectionalPolicy;
use crate::rng::Rng;
use crate::table::{Origin, RedistributeKind, Route, RouteId, RouteTable};
use crate::time::{Clock, Ticks};
use crate::update::Outgoing;

/// RIP's behaviour as a deterministic state machine: no sockets, no clock,
/// no global randomness. Feed it with the `handle_*` calls, each with `now`;
/// carry out what the `poll_*` calls return; call [`Engine::handle_timeout`]
/// at [`Engine::poll_timeout`].
pub struct Engine {
    pub(crate) config: EngineConfig,
    pub(crate) clock: Clock,
    /// The wall-clock time at the clock's epoch, for key lifetimes.
    wall_at_epoch: SystemTime,
    pub(crate) rng: Rng,
    pub(crate) table: RouteTable,
    pub(crate) interfaces: BTreeMap<u32, InterfaceState>,
    pub(crate) neighbors: BTreeMap<Ipv4Addr, NeighborState>,
    pub(crate) counters: GlobalCounters,
    /// Kernel routes offered for redistribution, whether or not config
    /// redistributes their kind right now.
    pub(crate) redistributable: BTreeMap<(RedistributeKind, rip_codec::Ipv4Prefix), u32>,
    /// When the next regular update goes out (RFC 2453 §3.8).
    pub(crate) next_periodic: Ticks,
    /// No triggered update before this instant (RFC 2453 §3.10.1).
    pub(crate) triggered_hold_until: Ticks,
    /// Changes waiting for a triggered update: since when, when the last of
    /// them came, and how many there were then (see `flush_triggered`).
    pub(crate) changes_since: Ticks,
    pub(crate) last_change_at: Ticks,
    pub(crate) changes_seen: usize,
    pub(crate) limit_reported: bool,
    pub(crate) shut_down: bool,
    pub(crate) transmits: VecDeque<Outgoing>,
    pub(crate) fib: VecDeque<FibChange>,
    pub(crate) events: VecDeque<Event>,
}

/// An interface with what the engine derived for it.
#[derive(Debug, Clone)]
pub(crate) struct InterfaceState {
    pub(crate) iface: Interface,
    pub(crate) config: InterfaceConfig,
    pub(crate) policy_in: DirectionalPolicy,
    pub(crate) policy_out: DirectionalPolicy,
    pub(crate) counters: InterfaceCounters,
}

impl Engine {
    /// A new engine. `seed` drives update jitter; `wall_clock` is the
    /// wall-clock time at `now`, for key lifetimes.
    pub fn new(config: EngineConfig, now: Instant, wall_clock: SystemTime, seed: u64) -> Self {
        let mut rng = Rng::new(seed);
        let clock = Clock::new(now);
        // The first regular update goes out after a random part of the
        // interval, so routers started together do not synchronise (RFC 2453 §3.8).
        let first = rng.duration_between(config.timers.update / 6, config.timers.update);
        let mut engine = Engine {
            config,
            clock,
            wall_at_epoch: wall_clock,
            rng,
            table: RouteTable::default(),
            interfaces: BTreeMap::new(),
            neighbors: BTreeMap::new(),
            counters: GlobalCounters::default(),
            redistributable: BTreeMap::new(),
            next_periodic: Ticks(0).after(first),
            triggered_hold_until: Ticks(0),
            changes_since: Ticks::NEVER,
            last_change_at: Ticks(0),
            changes_seen: 0,
            limit_reported: false,
            shut_down: false,
            transmits: VecDeque::new(),
            fib: VecDeque::new(),
            events: VecDeque::new(),
        };
        engine.sync_default_route(Ticks(0));
        engine.sync_configured(Ticks(0));
        engine
    }

    /// Corrects the wall clock (after NTP steps, for key lifetimes).
    pub fn handle_wall_clock(&mut self, now: Instant, wall_clock: SystemTime) {
        let since = now.saturating_duration_since(self.clock.instant(Ticks(0)));
        self.wall_at_epoch = wall_clock.checked_sub(since).unwrap_or(wall_clock);
    }

    pub(crate) fn wall(&self, now: Ticks) -> SystemTime {
        self.wall_at_epoch + now.since(Ticks(0))
    }

    /// The instant the engine next needs [`Engine::handle_timeout`].
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.shut_down {
            return None;
        }
        let mut next = self.next_periodic;
        if let Some(route_deadline) = self.table.next_deadline() {
            next = next.min(route_deadline);
        }
        if self.table.has_changes() {
            next = next.min(self.triggered_hold_until.max(self.triggered_ready_at()));
        }
        Some(self.clock.instant(next))
    }

    /// Messages to send, in order. An update's entries are built here from
    /// the table as it is now: poll after every input.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        while let Some(outgoing) = self.transmits.pop_front() {
            match outgoing {
                Outgoing::Ready(transmit) => return Some(transmit),
                Outgoing::Update(update) => {
                    if let Some(transmit) = self.assemble(update) {
                        return Some(transmit);
                    }
                }
            }
        }
        None
    }

    /// Kernel route changes, in order.
    pub fn poll_fib(&mut self) -> Option<FibChange> {
        self.fib.pop_front()
    }

    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Runs timers: route timeouts, garbage collection, regular and
    /// triggered updates.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.shut_down {
            return;
        }
        let now = self.clock.ticks(now);
        while let Some(id) = self.table.pop_due(now) {
            self.run_route_timer(now, id);
        }
        if now >= self.next_periodic {
            self.forget_silent_neighbors(now);
            self.send_regular_update(now);
            let update = self.config.timers.update;
            // RFC 2453 §3.8: a random offset keeps routers from synchronising.
            let jitter = self.rng.duration_between(update * 5 / 6, update);
            self.next_periodic = now.after(jitter);
        }
        self.flush_triggered(now);
    }

    /// Interface and address changes.
    pub fn handle_interface(&mut self, now: Instant, event: InterfaceEvent) {
        if self.shut_down {
            return;
        }
        let now = self.clock.ticks(now);
        match event {
            InterfaceEvent::Link(link) => {
                let ifindex = link.ifindex;
                let renamed_or_new = self
                    .interfaces
                    .get(&ifindex)
                    .is_none_or(|s| s.iface.link.name != link.name);
                if renamed_or_new {
                    // A new ifindex, or a new name on an old one: start over.
                    self.deactivate(now, ifindex, WithdrawReason::InterfaceDown);
                    let state = self.new_interface_state(Interface::new(link));
                    let addresses = self
                        .interfaces
                        .remove(&ifindex)
                        .map(|s| s.iface.addresses)
                        .unwrap_or_default();
                    let mut state = state;
                    state.iface.addresses = addresses;
                    self.interfaces.insert(ifindex, state);
                } else if let Some(state) = self.interfaces.get_mut(&ifindex) {
                    state.iface.link = link;
                }
                self.refresh_interface(now, ifindex);
            }
            InterfaceEvent::LinkRemoved { ifindex } => {
                self.deactivate(now, ifindex, WithdrawReason::InterfaceDown);
                self.interfaces.remove(&ifindex);
                self.neighbors.retain(|_, n| n.ifindex != ifindex);
            }
            InterfaceEvent::AddressAdded(address) => {
                if let Some(state) = self.interfaces.get_mut(&address.ifindex) {
                    if !state.iface.addresses.contains(&address) {
                        state.iface.addresses.push(address);
                    }
                    self.refresh_interface(now, address.ifindex);
                }
            }
            InterfaceEvent::AddressRemoved(address) => {
                if let Some(state) = self.interfaces.get_mut(&address.ifindex) {
                    state.iface.addresses.retain(|a| *a != address);
                    self.refresh_interface(now, address.ifindex);
                }
            }
        }
        self.flush_triggered(now);
    }

    /// A new configuration, applied as a diff against the current one.
    pub fn handle_config(&mut self, now: Instant, config: EngineConfig) {
        if self.shut_down {
            return;
        }
        let now = self.clock.ticks(now);
        let old = std::mem::replace(&mut self.config, config);
        if old.timers.update != self.config.timers.update {
            let update = self.config.timers.update;
            let first = self.rng.duration_between(update / 6, update);
            self.next_periodic = self.next_periodic.min(now.after(first));
        }
        // Interface settings and policies, remembering what each interface
        // advertised before, to withdraw what the new out filters deny.
        let ifindexes: Vec<u32> = self.interfaces.keys().copied().collect();
        for ifindex in &ifindexes {
            let Some(state) = self.interfaces.get(ifindex) else {
                continue;
            };
            let old_out = state.policy_out.clone();
            let rebuilt = self.new_interface_state(state.iface.clone());
            let was_active = state.iface.active;
            if let Some(state) = self.interfaces.get_mut(ifindex) {
                state.config = rebuilt.config;
                state.policy_in = rebuilt.policy_in;
                state.policy_out = rebuilt.policy_out;
            }
            if was_active {
                self.withdraw_newly_filtered_out(now, *ifindex, &old_out);
            }
        }
        for ifindex in ifindexes {
            self.refresh_interface(now, ifindex);
        }
        self.withdraw_newly_filtered_in(now);
        self.trim_paths(now);
        self.sync_redistribution(now);
        self.sync_default_route(now);
        self.sync_configured(now);
        self.flush_triggered(now);
    }

    /// Stops: every route is advertised unreachable once to every interface
    /// and neighbor, and learned routes are removed from the kernel. The
    /// engine does nothing after this.
    pub fn handle_shutdown(&mut self, now: Instant) {
        if self.shut_down {
            return;
        }
        let now = self.clock.ticks(now);
        let ids = self.table.ids();
        for &id in &ids {
            if let Some(route) = self.table.get_mut(id) {
                route.metric = rip_codec::INFINITY;
            }
            self.remove_from_fib(id);
        }
        self.send_update_of(now, &ids, crate::update::UpdateKind::Triggered);
        self.shut_down = true;
    }

    pub(crate) fn new_interface_state(&self, iface: Interface) -> InterfaceState {
        let name = iface.link.name.clone();
        InterfaceState {
            config: self
                .config
                .interfaces
                .get(&name)
                .cloned()
                .unwrap_or_default(),
            policy_in: DirectionalPolicy::build(&self.config, &name, Direction::In),
            policy_out: DirectionalPolicy::build(&self.config, &name, Direction::Out),
            counters: InterfaceCounters::default(),
            iface,
        }
    }

    /// Re-derives whether RIP runs on an interface and follows the change.
    pub(crate) fn refresh_interface(&mut self, now: Ticks, ifindex: u32) {
        let Some(state) = self.interfaces.get(&ifindex) else {
            return;
        };
        let name = &state.iface.link.name;
        let config = &self.config;
        let enabled = config.network_interfaces.iter().any(|n| n == name)
            || config.interfaces.contains_key(name)
            || state
                .iface
                .addresses
                .iter()
                .any(|a| config.networks.iter().any(|n| n.contains(a.local)));
        let active = enabled && state.iface.link.up && !state.iface.addresses.is_empty();
        let passive = config.is_passive(name);
        let was_active = state.iface.active;
        if was_active && !active {
            self.deactivate(now, ifindex, WithdrawReason::InterfaceDown);
            return;
        }
        if let Some(state) = self.interfaces.get_mut(&ifindex) {
            state.iface.passive = passive;
        }
        if !active {
            return;
        }
        if let Some(state) = self.interfaces.get_mut(&ifindex) {
            state.iface.active = true;
        }
        self.sync_connected(now, ifindex);
        self.withdraw_paths_off_link(now, ifindex);
        if !was_active {
            self.on_interface_up(now, ifindex);
        }
    }

    fn on_interface_up(&mut self, now: Ticks, ifindex: u32) {
        let Some(state) = self.interfaces.get(&ifindex) else {
            return;
        };
        let name = state.iface.link.name.clone();
        let multicast = state.iface.link.multicast;
        let passive = state.iface.passive;
        self.events.push_back(Event::InterfaceUp {
            ifindex,
            name: name.clone(),
        });
        let has_neighbor = self.neighbors_on(ifindex).next().is_some();
        if !multicast && !has_neighbor && !passive {
            self.events
                .push_back(Event::MulticastUnavailable { ifindex, name });
        }
        // RFC 2453 §3.9.1: ask the new neighbors for their tables.
        self.send_request(now, ifindex);
    }

    /// RIP stops on an interface: everything through it is withdrawn at once.
    pub(crate) fn deactivate(&mut self, now: Ticks, ifindex: u32, reason: WithdrawReason) {
        let Some(state) = self.interfaces.get_mut(&ifindex) else {
            return;
        };
        if !state.iface.active {
            return;
        }
        state.iface.active = false;
        let name = state.iface.link.name.clone();
        let ids: Vec<RouteId> = self
            .table
            .iter()
            .filter(|(_, r)| r.is_reachable() && r.uses_interface(ifindex))
            .map(|(id, _)| id)
            .collect();
        for id in ids {
            self.withdraw_paths(now, id, |p| p.ifindex == ifindex, reason);
        }
        self.events
            .push_back(Event::InterfaceDown { ifindex, name });
    }

    /// Removes the paths that `drop` selects; a route left without paths
    /// becomes unreachable and starts garbage collection (RFC 2453 §3.8).
    pub(crate) fn withdraw_paths(
        &mut self,
        now: Ticks,
        id: RouteId,
        drop: impl Fn(&crate::table::Path) -> bool,
        reason: WithdrawReason,
    ) {
        let Some(route) = self.table.get_mut(id) else {
            return;
        };
        if !route.is_reachable() {
            return;
        }
        let before = route.paths.len();
        let kept: smallvec::SmallVec<[crate::table::Path; 1]> =
            route.paths.iter().copied().filter(|p| !drop(p)).collect();
        if kept.len() == before {
            return;
        }
        if kept.is_empty() {
            self.make_unreachable(now, id, reason);
        } else {
            route.paths = kept;
            self.install(id);
            self.counters.route_changes += 1;
        }
    }

    /// Metric 16, garbage collection, out of the kernel, flagged changed.
    pub(crate) fn make_unreachable(&mut self, now: Ticks, id: RouteId, reason: WithdrawReason) {
        let garbage = self.config.timers.garbage;
        let Some(route) = self.table.get_mut(id) else {
            return;
        };
        if !route.is_reachable() {
            return;
        }
        route.metric = rip_codec::INFINITY;
        route.garbage_since = now;
        // Keep one path: split horizon still applies to the poisoned route.
        route.paths.truncate(1);
        let prefix = route.prefix;
        let origin = route.origin;
        self.remove_from_fib(id);
        self.table.schedule(id, now.after(garbage));
        self.table.mark_changed(id);
        self.counters.route_changes += 1;
        self.events
            .push_back(Event::RouteWithdrawn { prefix, reason });
        // A configured prefix that this route outranked takes over again.
        if origin != Origin::Configured
            && !self.shut_down
            && self.config.originate.contains(&prefix)
        {
            self.originate_configured(now, prefix);
        }
    }

    /// A route's timer came due: paths time out, garbage is collected
    /// (RFC 2453 §3.8).
    fn run_route_timer(&mut self, now: Ticks, id: RouteId) {
        let timers = self.config.timers;
        let Some(route) = self.table.get(id) else {
            return;
        };
        if route.garbage_since != Ticks::NEVER {
            let end = route.garbage_since.after(timers.garbage);
            if now >= end {
                let prefix = route.prefix;
                self.table.remove(id);
                if self.table.len() < self.config.max_routes {
                    self.limit_reported = false;
                }
                self.events.push_back(Event::RouteDeleted { prefix });
            } else {
                self.table.schedule(id, end);
            }
            return;
        }
        if !route.is_learned() {
            return;
        }
        let timeout = timers.timeout;
        self.withdraw_paths(
            now,
            id,
            |p| p.heard_at.after(timeout) <= now,
            WithdrawReason::Timeout,
        );
        if let Some(route) = self.table.get(id)
            && route.is_reachable()
            && let Some(oldest) = route.paths.iter().map(|p| p.heard_at).min()
        {
            self.table.schedule(id, oldest.after(timeout));
        }
    }

    /// Puts a learned route's current paths into the kernel.
    pub(crate) fn install(&mut self, id: RouteId) {
        let Some(route) = self.table.get_mut(id) else {
            return;
        };
        if !route.is_learned() || !route.is_reachable() {
            return;
        }
        let mut next_hops: crate::output::NextHops = route
            .paths
            .iter()
            .map(|p| NextHop {
                gateway: p.gateway,
                ifindex: p.ifindex,
            })
            .collect();
        next_hops.sort();
        next_hops.dedup();
        let change = if route.in_fib {
            FibChange::Replace {
                prefix: route.prefix,
                next_hops,
                metric: route.metric,
            }
        } else {
            FibChange::Add {
                prefix: route.prefix,
                next_hops,
                metric: route.metric,
            }
        };
        route.in_fib = true;
        self.fib.push_back(change);
    }

    /// The kernel's copy of the learned routes is gone, moved away by the
    /// caller (to another table or priority): every route that was in the
    /// kernel is queued again, as an addition.
    pub fn reinstall_fib(&mut self) {
        for id in self.table.ids() {
            if let Some(route) = self.table.get_mut(id)
                && route.in_fib
            {
                route.in_fib = false;
                self.install(id);
            }
        }
    }

    pub(crate) fn remove_from_fib(&mut self, id: RouteId) {
        if let Some(route) = self.table.get_mut(id)
            && route.in_fib
        {
            route.in_fib = false;
            self.fib.push_back(FibChange::Delete {
                prefix: route.prefix,
            });
        }
    }

    /// Routes learned through neighbors that are no longer on-link (an
    /// address was removed) are withdrawn.
    fn withdraw_paths_off_link(&mut self, now: Ticks, ifindex: u32) {
        let Some(state) = self.interfaces.get(&ifindex) else {
            return;
        };
        let iface = state.iface.clone();
        let ids: Vec<RouteId> = self
            .table
            .iter()
            .filter(|(_, r)| {
                r.is_learned()
                    && r.is_reachable()
                    && r.paths
                        .iter()
                        .any(|p| p.ifindex == ifindex && !iface.is_on_link(p.source))
            })
            .map(|(id, _)| id)
            .collect();
        for id in ids {
            self.withdraw_paths(
                now,
                id,
                |p| p.ifindex == ifindex && !iface.is_on_link(p.source),
                WithdrawReason::InterfaceDown,
            );
        }
    }

    /// After a filter change: learned routes the in filters now deny are
    /// withdrawn at once (FRR leaves them to time out).
    fn withdraw_newly_filtered_in(&mut self, now: Ticks) {
        let denied: Vec<(RouteId, u32)> = self
            .table
            .iter()
            .filter(|(_, r)| r.is_learned() && r.is_reachable())
            .flat_map(|(id, r)| r.paths.iter().map(move |p| (id, p.ifindex, r.prefix)))
            .filter(|(_, ifindex, prefix)| {
                self.interfaces
                    .get(ifindex)
                    .is_some_and(|s| !s.policy_in.permits(prefix))
            })
            .map(|(id, ifindex, _)| (id, ifindex))
            .collect();
        for (id, ifindex) in denied {
            self.withdraw_paths(now, id, |p| p.ifindex == ifindex, WithdrawReason::Filtered);
        }
    }

    /// With fewer equal-cost paths allowed, the extra ones go.
    fn trim_paths(&mut self, _now: Ticks) {
        let max = self.config.max_paths.max(1);
        let over: Vec<RouteId> = self
            .table
            .iter()
            .filter(|(_, r)| r.is_reachable() && r.paths.len() > max)
            .map(|(id, _)| id)
            .collect();
        for id in over {
            if let Some(route) = self.table.get_mut(id) {
                route.paths.truncate(max);
            }
            self.install(id);
        }
    }

    /// The peer table keeps neighbors heard within a route's lifetime
    /// (timeout plus garbage collection), as FRR does.
    fn forget_silent_neighbors(&mut self, now: Ticks) {
        let now = self.clock.instant(now);
        let keep = self.config.timers.timeout + self.config.timers.garbage;
        self.neighbors
            .retain(|_, n| now.saturating_duration_since(n.last_update) < keep);
    }

    /// Neighbors from the config that are on-link of this interface.
    pub(crate) fn neighbors_on(&self, ifindex: u32) -> impl Iterator<Item = Ipv4Addr> + '_ {
        let iface = self.interfaces.get(&ifindex).map(|s| &s.iface);
        self.config
            .neighbors
            .iter()
            .copied()
            .filter(move |n| iface.is_some_and(|i| i.is_on_link(*n)))
    }

    /// True for an address of ours, on any interface.
    pub(crate) fn is_local_address(&self, addr: Ipv4Addr) -> bool {
        self.interfaces.values().any(|s| s.iface.has_local(addr))
    }

    /// Adds a route originated here (connected, redistributed, default),
    /// taking over from a learned route for the same prefix.
    pub(crate) fn originate(
        &mut self,
        now: Ticks,
        prefix: rip_codec::Ipv4Prefix,
        metric: u8,
        origin: Origin,
        ifindex: u32,
    ) {
        let path = crate::table::Path {
            gateway: Ipv4Addr::UNSPECIFIED,
            source: Ipv4Addr::UNSPECIFIED,
            ifindex,
            heard_at: now,
        };
        if let Some(id) = self.table.find(&prefix) {
            let Some(route) = self.table.get(id) else {
                return;
            };
            let outranks = origin_rank(origin) <= origin_rank(route.origin);
            if route.is_reachable() && !outranks {
                return;
            }
            if route.is_reachable()
                && route.origin == origin
                && route.metric == metric
                && route.paths.first().is_some_and(|p| p.ifindex == ifindex)
            {
                return;
            }
            self.remove_from_fib(id);
            if let Some(route) = self.table.get_mut(id) {
                route.origin = origin;
                route.metric = metric;
                route.tag = 0;
                route.paths.clear();
                route.paths.push(path);
                route.garbage_since = Ticks::NEVER;
            }
            self.table.mark_changed(id);
            self.counters.route_changes += 1;
            self.events
                .push_back(Event::RouteChanged { prefix, metric });
            return;
        }
        let mut route = Route::new(prefix, metric, 0, origin);
        route.paths.push(path);
        let id = self.table.insert(route);
        self.table.mark_changed(id);
        self.counters.route_changes += 1;
        self.events.push_back(Event::RouteAdded {
            prefix,
            metric,
            origin,
        });
    }

    /// Withdraws a route originated here, if it is still the one of `origin`.
    pub(crate) fn withdraw_origin(
        &mut self,
        now: Ticks,
        prefix: rip_codec::Ipv4Prefix,
        origin: Origin,
    ) {
        if let Some(id) = self.table.find(&prefix)
            && self.table.get(id).is_some_and(|r| r.origin == origin)
        {
            self.make_unreachable(now, id, WithdrawReason::OriginGone);
        }
    }
}

/// Lower wins: local knowledge beats what neighbors say (as zebra's
/// administrative distance does).
pub(crate) fn origin_rank(origin: Origin) -> u8 {
    match origin {
        Origin::Connected => 0,
        Origin::Redistributed(_) => 1,
        Origin::Configured => 2,
        Origin::DefaultOriginate => 3,
        Origin::Rip => 4,
    }
}
