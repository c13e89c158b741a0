//! The route table: routes in a slab, found by prefix through a hash map,
//! and one timer heap for all of them.
//!
//! Each route has at most one live entry in the heap, at the earliest instant
//! something may happen to it (a path times out, garbage collection ends).
//! Refreshing a path moves its deadline later and touches nothing: when the
//! early entry comes due, the route is looked at and rescheduled. So a
//! refresh costs no heap operation and the heap holds one entry per route.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::net::Ipv4Addr;

use rip_codec::Ipv4Prefix;
use rustc_hash::FxHashMap;
use smallvec::SmallVec;

use crate::time::Ticks;

/// Where a route comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    /// Learned from a RIP neighbor.
    Rip,
    /// A connected network of a RIP interface.
    Connected,
    /// Redistributed from the kernel's table.
    Redistributed(RedistributeKind),
    /// `default-information-originate`.
    DefaultOriginate,
    /// Advertised because the configuration says so (`originate`, quagga's
    /// `route`), whatever the kernel has.
    Configured,
}

/// The kinds of kernel routes that can be redistributed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RedistributeKind {
    /// Connected networks of interfaces that do not run RIP.
    Connected,
    /// Routes of protocol `static` (`ip route add ... proto static`).
    Static,
    /// Routes of protocol `kernel` or `boot`.
    Kernel,
}

/// One way to reach a prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Path {
    /// The next hop the kernel forwards to (RFC 2453 §4.4).
    pub(crate) gateway: Ipv4Addr,
    /// The neighbor that advertised it.
    pub(crate) source: Ipv4Addr,
    pub(crate) ifindex: u32,
    pub(crate) heard_at: Ticks,
}

#[derive(Debug, Clone)]
pub(crate) struct Route {
    pub(crate) prefix: Ipv4Prefix,
    /// 1..=16; 16 while the route is being garbage collected.
    pub(crate) metric: u8,
    pub(crate) tag: u16,
    pub(crate) origin: Origin,
    /// Equal-cost paths; learned routes keep their last path while in
    /// garbage collection, for split horizon.
    pub(crate) paths: SmallVec<[Path; 1]>,
    /// When garbage collection started (metric 16), or NEVER.
    pub(crate) garbage_since: Ticks,
    /// The route change flag of RFC 2453 §3.10.1.
    pub(crate) changed: bool,
    /// Installed in the kernel.
    pub(crate) in_fib: bool,
    /// The instant of this route's live heap entry, or NEVER.
    timer_at: Ticks,
}

impl Route {
    pub(crate) fn new(prefix: Ipv4Prefix, metric: u8, tag: u16, origin: Origin) -> Self {
        Route {
            prefix,
            metric,
            tag,
            origin,
            paths: SmallVec::new(),
            garbage_since: Ticks::NEVER,
            changed: false,
            in_fib: false,
            timer_at: Ticks::NEVER,
        }
    }

    pub(crate) fn is_reachable(&self) -> bool {
        self.metric < rip_codec::INFINITY
    }

    pub(crate) fn is_learned(&self) -> bool {
        self.origin == Origin::Rip
    }

    /// True when one of the paths goes out this interface.
    pub(crate) fn uses_interface(&self, ifindex: u32) -> bool {
        self.paths.iter().any(|p| p.ifindex == ifindex)
    }
}

/// A handle to a route in the slab; valid until the route is removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct RouteId(u32);

#[derive(Debug)]
struct Slot {
    generation: u32,
    route: Option<Route>,
}

#[derive(Debug, Default)]
pub(crate) struct RouteTable {
    slots: Vec<Slot>,
    free: Vec<u32>,
    by_prefix: FxHashMap<Ipv4Prefix, RouteId>,
    /// (deadline, slot, generation), earliest first.
    timers: BinaryHeap<Reverse<(Ticks, u32, u32)>>,
    /// Routes whose change flag is set, for the next triggered update.
    changed: Vec<RouteId>,
}

impl RouteTable {
    pub(crate) fn len(&self) -> usize {
        self.by_prefix.len()
    }

    pub(crate) fn find(&self, prefix: &Ipv4Prefix) -> Option<RouteId> {
        self.by_prefix.get(prefix).copied()
    }

    pub(crate) fn get(&self, id: RouteId) -> Option<&Route> {
        self.slots.get(id.0 as usize)?.route.as_ref()
    }

    pub(crate) fn get_mut(&mut self, id: RouteId) -> Option<&mut Route> {
        self.slots.get_mut(id.0 as usize)?.route.as_mut()
    }

    pub(crate) fn insert(&mut self, route: Route) -> RouteId {
        let prefix = route.prefix;
        let vacant = match self.by_prefix.entry(prefix) {
            std::collections::hash_map::Entry::Occupied(existing) => {
                let existing = *existing.get();
                if let Some(slot) = self.get_mut(existing) {
                    *slot = route;
                }
                return existing;
            }
            std::collections::hash_map::Entry::Vacant(vacant) => vacant,
        };
        let id = match self.free.pop() {
            Some(index) => {
                if let Some(slot) = self.slots.get_mut(index as usize) {
                    slot.route = Some(route);
                }
                RouteId(index)
            }
            None => {
                self.slots.push(Slot {
                    generation: 0,
                    route: Some(route),
                });
                RouteId((self.slots.len() - 1) as u32)
            }
        };
        vacant.insert(id);
        id
    }

    pub(crate) fn remove(&mut self, id: RouteId) -> Option<Route> {
        let slot = self.slots.get_mut(id.0 as usize)?;
        let route = slot.route.take()?;
        slot.generation = slot.generation.wrapping_add(1);
        self.free.push(id.0);
        self.by_prefix.remove(&route.prefix);
        Some(route)
    }

    /// Every route, in slab order (stable for a given history).
    pub(crate) fn iter(&self) -> impl Iterator<Item = (RouteId, &Route)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.route.as_ref().map(|r| (RouteId(i as u32), r)))
    }

    pub(crate) fn ids(&self) -> Vec<RouteId> {
        self.iter().map(|(id, _)| id).collect()
    }

    /// Makes sure the route is looked at no later than `at`.
    pub(crate) fn schedule(&mut self, id: RouteId, at: Ticks) {
        let Some(slot) = self.slots.get_mut(id.0 as usize) else {
            return;
        };
        let generation = slot.generation;
        let Some(route) = slot.route.as_mut() else {
            return;
        };
        if at < route.timer_at {
            route.timer_at = at;
            self.timers.push(Reverse((at, id.0, generation)));
        }
    }

    /// The earliest instant a route may need attention; may be early.
    pub(crate) fn next_deadline(&self) -> Option<Ticks> {
        self.timers.peek().map(|Reverse((at, _, _))| *at)
    }

    /// The next route whose live timer is due at `now`; its timer is
    /// cleared, the caller reschedules it.
    pub(crate) fn pop_due(&mut self, now: Ticks) -> Option<RouteId> {
        while let Some(Reverse((at, index, generation))) = self.timers.peek().copied() {
            if at > now {
                return None;
            }
            self.timers.pop();
            let Some(slot) = self.slots.get_mut(index as usize) else {
                continue;
            };
            if slot.generation != generation {
                continue;
            }
            let Some(route) = slot.route.as_mut() else {
                continue;
            };
            if route.timer_at != at {
                continue;
            }
            route.timer_at = Ticks::NEVER;
            return Some(RouteId(index));
        }
        None
    }

    /// Sets the route change flag (RFC 2453 §3.10.1).
    pub(crate) fn mark_changed(&mut self, id: RouteId) {
        if let Some(route) = self.get_mut(id)
            && !route.changed
        {
            route.changed = true;
            self.changed.push(id);
        }
    }

    /// The routes flagged changed, flags cleared. Removed routes are skipped.
    pub(crate) fn take_changed(&mut self) -> Vec<RouteId> {
        let ids = std::mem::take(&mut self.changed);
        ids.into_iter()
            .filter(|id| match self.get_mut(*id) {
                Some(route) if route.changed => {
                    route.changed = false;
                    true
                }
                _ => false,
            })
            .collect()
    }

    /// Routes marked changed since the last `take_changed`.
    pub(crate) fn changed_count(&self) -> usize {
        self.changed.len()
    }

    pub(crate) fn has_changes(&self) -> bool {
        !self.changed.is_empty()
    }

    /// Bytes of memory held per route, for the benchmark's report.
    pub fn approximate_bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<Slot>()
            + self.free.capacity() * 4
            + self.by_prefix.capacity() * (std::mem::size_of::<(Ipv4Prefix, RouteId)>() + 1)
            + self.timers.capacity() * std::mem::size_of::<Reverse<(Ticks, u32, u32)>>()
            + self.changed.capacity() * std::mem::size_of::<RouteId>()
    }
}
