//! Counters as RFC 1724 (the RIPv2 MIB) defines them.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::time::Instant;

/// rip2GlobalGroup.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GlobalCounters {
    /// rip2GlobalRouteChanges: changes made to the table by RIP.
    pub route_changes: u64,
    /// rip2GlobalQueries: responses sent to requests.
    pub queries: u64,
    /// New prefixes dropped because the table was full.
    pub routes_over_limit: u64,
}

/// rip2IfStatTable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InterfaceCounters {
    /// rip2IfStatRcvBadPackets.
    pub bad_packets: u64,
    /// rip2IfStatRcvBadRoutes.
    pub bad_routes: u64,
    /// rip2IfStatSentUpdates: triggered updates sent.
    pub updates_sent: u64,
    /// Messages received and processed.
    pub packets_received: u64,
    /// Messages sent (every kind).
    pub packets_sent: u64,
}

/// rip2PeerTable: one row per neighbor heard from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeighborState {
    pub address: Ipv4Addr,
    pub ifindex: u32,
    /// rip2PeerLastUpdate.
    pub last_update: Instant,
    /// rip2PeerVersion.
    pub version: u8,
    /// rip2PeerRcvBadPackets.
    pub bad_packets: u64,
    /// rip2PeerRcvBadRoutes.
    pub bad_routes: u64,
    /// Last sequence number accepted per key id (RFC 4822 §3.2.2).
    pub(crate) sequences: BTreeMap<u8, u32>,
}

impl NeighborState {
    pub(crate) fn new(address: Ipv4Addr, ifindex: u32, now: Instant) -> Self {
        NeighborState {
            address,
            ifindex,
            last_update: now,
            version: 0,
            bad_packets: 0,
            bad_routes: 0,
            sequences: BTreeMap::new(),
        }
    }
}
