//! Routes that start here: connected networks of RIP interfaces,
//! redistributed kernel routes, configured prefixes, the default route.

use std::time::Instant;

use rip_codec::Ipv4Prefix;

use crate::engine::Engine;
use crate::table::{Origin, RedistributeKind};
use crate::time::Ticks;

/// Connected networks are advertised with metric 1 (as quagga and FRR do).
const CONNECTED_METRIC: u8 = 1;
/// So are configured prefixes (quagga's and FRR's static RIP routes).
const CONFIGURED_METRIC: u8 = 1;

/// A kernel route offered for redistribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedistributeEvent {
    Add {
        kind: RedistributeKind,
        prefix: Ipv4Prefix,
        ifindex: u32,
    },
    Remove {
        kind: RedistributeKind,
        prefix: Ipv4Prefix,
    },
}

impl Engine {
    /// Kernel routes offered for redistribution; advertised when the config
    /// redistributes their kind.
    pub fn handle_redistribute(&mut self, now: Instant, event: RedistributeEvent) {
        if self.shut_down {
            return;
        }
        let now = self.clock.ticks(now);
        match event {
            RedistributeEvent::Add {
                kind,
                prefix,
                ifindex,
            } => {
                self.redistributable.insert((kind, prefix), ifindex);
            }
            RedistributeEvent::Remove { kind, prefix } => {
                self.redistributable.remove(&(kind, prefix));
                self.withdraw_origin(now, prefix, Origin::Redistributed(kind));
            }
        }
        self.sync_redistribution(now);
        self.flush_triggered(now);
    }

    /// Makes the table's connected routes of an interface match its addresses.
    pub(crate) fn sync_connected(&mut self, now: Ticks, ifindex: u32) {
        let Some(state) = self.interfaces.get(&ifindex) else {
            return;
        };
        let wanted: Vec<Ipv4Prefix> = state
            .iface
            .addresses
            .iter()
            .map(|a| a.connected())
            .collect();
        let stale: Vec<Ipv4Prefix> = self
            .table
            .iter()
            .map(|(_, r)| r)
            .filter(|r| {
                r.origin == Origin::Connected
                    && r.is_reachable()
                    && r.uses_interface(ifindex)
                    && !wanted.contains(&r.prefix)
            })
            .map(|r| r.prefix)
            .collect();
        for prefix in stale {
            self.withdraw_origin(now, prefix, Origin::Connected);
        }
        for prefix in wanted {
            self.originate(now, prefix, CONNECTED_METRIC, Origin::Connected, ifindex);
        }
    }

    /// Advertises what the config redistributes and withdraws the rest.
    pub(crate) fn sync_redistribution(&mut self, now: Ticks) {
        let redistribute = self.config.redistribute;
        let metric = self.config.default_metric;
        let enabled = |kind: RedistributeKind| match kind {
            RedistributeKind::Connected => redistribute.connected,
            RedistributeKind::Static => redistribute.static_routes,
            RedistributeKind::Kernel => redistribute.kernel,
        };
        let metric_of = |kind: RedistributeKind| {
            match kind {
                RedistributeKind::Connected => redistribute.connected_metric,
                RedistributeKind::Static => redistribute.static_metric,
                RedistributeKind::Kernel => redistribute.kernel_metric,
            }
            .unwrap_or(metric)
        };
        let offered: Vec<((RedistributeKind, Ipv4Prefix), u32)> =
            self.redistributable.iter().map(|(k, v)| (*k, *v)).collect();
        for ((kind, prefix), ifindex) in &offered {
            if enabled(*kind) {
                let metric = metric_of(*kind);
                self.originate(now, *prefix, metric, Origin::Redistributed(*kind), *ifindex);
            }
        }
        let withdrawn: Vec<(Ipv4Prefix, RedistributeKind)> = self
            .table
            .iter()
            .map(|(_, r)| r)
            .filter_map(|r| match r.origin {
                Origin::Redistributed(kind) if r.is_reachable() && !enabled(kind) => {
                    Some((r.prefix, kind))
                }
                _ => None,
            })
            .collect();
        for (prefix, kind) in withdrawn {
            self.withdraw_origin(now, prefix, Origin::Redistributed(kind));
        }
    }

    /// `originate`: every configured prefix is advertised (unless a route of
    /// higher rank has it, see `origin_rank`); those no longer configured
    /// are withdrawn.
    pub(crate) fn sync_configured(&mut self, now: Ticks) {
        for prefix in self.config.originate.clone() {
            self.originate_configured(now, prefix);
        }
        let gone: Vec<Ipv4Prefix> = self
            .table
            .iter()
            .map(|(_, r)| r)
            .filter(|r| {
                r.origin == Origin::Configured
                    && r.is_reachable()
                    && !self.config.originate.contains(&r.prefix)
            })
            .map(|r| r.prefix)
            .collect();
        for prefix in gone {
            self.withdraw_origin(now, prefix, Origin::Configured);
        }
    }

    pub(crate) fn originate_configured(&mut self, now: Ticks, prefix: Ipv4Prefix) {
        self.originate(now, prefix, CONFIGURED_METRIC, Origin::Configured, 0);
    }

    /// `default-information-originate`: 0.0.0.0/0 with the default metric.
    pub(crate) fn sync_default_route(&mut self, now: Ticks) {
        if self.config.default_information_originate {
            self.originate(
                now,
                Ipv4Prefix::DEFAULT,
                self.config.default_metric,
                Origin::DefaultOriginate,
                0,
            );
        } else {
            self.withdraw_origin(now, Ipv4Prefix::DEFAULT, Origin::DefaultOriginate);
        }
    }
}
