//! Engine events as log lines, with fields. Dropped messages are rate
//! limited per interface and reason: a misconfigured peer must not flood.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use rip_engine::{DropReason, Event};
use tracing::{debug, info, warn};

const QUIET: Duration = Duration::from_secs(10);

/// The reason without the values that change from message to message.
fn reason_kind(reason: &DropReason) -> String {
    match reason {
        DropReason::Header(e) => format!("header {:?}", std::mem::discriminant(e)),
        DropReason::Auth(e) => format!("auth {:?}", std::mem::discriminant(e)),
        DropReason::Replay { .. } => "replay".into(),
        other => format!("{other:?}"),
    }
}

#[derive(Default)]
pub struct EventLog {
    /// (interface, reason) -> when last logged, how many since.
    last: HashMap<(u32, String), (Instant, u64)>,
}

impl EventLog {
    pub fn log(&mut self, event: &Event, ifname: impl Fn(u32) -> String) {
        match event {
            Event::PacketDropped {
                ifindex,
                source,
                reason,
            } => {
                // By reason and detail: a wrong key is not hidden behind
                // the unsigned request a peer sent first.
                let key = (*ifindex, reason_kind(reason));
                let now = Instant::now();
                let entry = self.last.entry(key).or_insert((now - QUIET * 2, 0));
                if now.duration_since(entry.0) < QUIET {
                    entry.1 += 1;
                    return;
                }
                let suppressed = entry.1;
                *entry = (now, 0);
                warn!(
                    iface = %ifname(*ifindex),
                    peer = %source,
                    reason = ?reason,
                    suppressed,
                    "message dropped"
                );
            }
            Event::RouteRejected {
                ifindex,
                source,
                reason,
            } => {
                debug!(iface = %ifname(*ifindex), peer = %source, reason = %reason, "route entry skipped")
            }
            Event::RouteAdded {
                prefix,
                metric,
                origin,
            } => debug!(prefix = %prefix, metric, origin = ?origin, "route added"),
            Event::RouteChanged { prefix, metric } => {
                debug!(prefix = %prefix, metric, "route changed")
            }
            Event::RouteWithdrawn { prefix, reason } => {
                debug!(prefix = %prefix, reason = ?reason, "route unreachable")
            }
            Event::RouteDeleted { prefix } => debug!(prefix = %prefix, "route deleted"),
            Event::RouteLimitReached { prefix, limit } => warn!(
                prefix = %prefix,
                limit,
                "route limit reached: new prefixes are dropped (rip.max-routes)"
            ),
            Event::InterfaceUp { ifindex, name } => info!(iface = %name, ifindex, "RIP running"),
            Event::InterfaceDown { ifindex, name } => {
                info!(iface = %name, ifindex, "RIP stopped, routes through it withdrawn")
            }
            Event::MulticastUnavailable { ifindex, name } => {
                warn!(iface = %name, ifindex, "no multicast and no neighbor: nothing is exchanged here")
            }
        }
    }
}
