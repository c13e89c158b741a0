//! Read-only views of the engine's state, for `riprs show`, tests and tools.

use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use rip_codec::Ipv4Prefix;

use crate::counters::{GlobalCounters, InterfaceCounters, NeighborState};
use crate::engine::Engine;
use crate::table::{Origin, Route};
use crate::time::Ticks;

/// One route of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteView {
    pub prefix: Ipv4Prefix,
    pub metric: u8,
    pub tag: u16,
    pub origin: Origin,
    pub paths: Vec<PathView>,
    /// Installed in the kernel.
    pub in_fib: bool,
    /// For a route in garbage collection: how long until it is deleted.
    pub garbage_in: Option<Duration>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathView {
    pub gateway: Ipv4Addr,
    pub source: Ipv4Addr,
    pub ifindex: u32,
    /// Time since the path was last heard (learned routes).
    pub age: Duration,
}

/// One interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterfaceView {
    pub ifindex: u32,
    pub name: String,
    pub up: bool,
    pub multicast: bool,
    /// RIP runs here.
    pub active: bool,
    pub passive: bool,
    pub addresses: Vec<crate::interface::Address>,
    pub counters: InterfaceCounters,
}

impl Engine {
    fn route_view(&self, route: &Route, now: Ticks) -> RouteView {
        RouteView {
            prefix: route.prefix,
            metric: route.metric,
            tag: route.tag,
            origin: route.origin,
            paths: route
                .paths
                .iter()
                .map(|p| PathView {
                    gateway: p.gateway,
                    source: p.source,
                    ifindex: p.ifindex,
                    age: now.since(p.heard_at),
                })
                .collect(),
            in_fib: route.in_fib,
            garbage_in: (route.garbage_since != Ticks::NEVER).then(|| {
                route
                    .garbage_since
                    .after(self.config.timers.garbage)
                    .since(now)
            }),
        }
    }

    /// Every route, sorted by prefix.
    pub fn routes(&self, now: Instant) -> Vec<RouteView> {
        let now = self.clock.ticks(now);
        let mut routes: Vec<RouteView> = self
            .table
            .iter()
            .map(|(_, r)| self.route_view(r, now))
            .collect();
        routes.sort_by_key(|r| r.prefix);
        routes
    }

    pub fn route(&self, now: Instant, prefix: &Ipv4Prefix) -> Option<RouteView> {
        let now = self.clock.ticks(now);
        let id = self.table.find(prefix)?;
        self.table.get(id).map(|r| self.route_view(r, now))
    }

    pub fn route_count(&self) -> usize {
        self.table.len()
    }

    pub fn interfaces(&self) -> Vec<InterfaceView> {
        self.interfaces
            .values()
            .map(|s| InterfaceView {
                ifindex: s.iface.link.ifindex,
                name: s.iface.link.name.clone(),
                up: s.iface.link.up,
                multicast: s.iface.link.multicast,
                active: s.iface.active,
                passive: s.iface.passive,
                addresses: s.iface.addresses.clone(),
                counters: s.counters,
            })
            .collect()
    }

    pub fn neighbors(&self) -> Vec<NeighborState> {
        self.neighbors.values().cloned().collect()
    }

    pub fn counters(&self) -> GlobalCounters {
        self.counters
    }

    /// Approximate bytes the route table holds (slab, index, timers).
    pub fn table_bytes(&self) -> usize {
        self.table.approximate_bytes()
    }
}
