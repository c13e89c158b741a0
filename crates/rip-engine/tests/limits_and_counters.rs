//! The route limit and the RFC 1724 counters.

mod rig;

use std::net::Ipv4Addr;

use rig::*;
use rip_codec::{Ipv4Prefix, RouteEntry};
use rip_engine::Event;

#[test]
fn new_prefixes_past_the_limit_are_dropped_and_counted() {
    let mut config = Rig::config();
    config.max_routes = 10;
    let mut rig = Rig::new(config);
    rig.link(1, "vti02");
    rig.addr(1, "192.168.10.3/24");
    let routes: Vec<RouteEntry> = (0..25u8)
        .map(|i| RouteEntry::new(Ipv4Prefix::new(Ipv4Addr::new(10, i, 0, 0), 16).unwrap(), 1))
        .collect();
    rig.response(1, "192.168.10.4", &routes);
    assert_eq!(rig.engine.route_count(), 10, "connected + 9 learned");
    assert_eq!(rig.engine.counters().routes_over_limit, 16);
    let reports = rig
        .take_events()
        .into_iter()
        .filter(|e| matches!(e, Event::RouteLimitReached { .. }))
        .count();
    assert_eq!(reports, 1, "reported once, not per route");
    // Known prefixes are still refreshed past the limit.
    rig.advance_secs(100);
    rig.response(1, "192.168.10.4", &routes);
    rig.advance_secs(100);
    assert_eq!(rig.metric("10.0.0.0/16"), Some(2));
}

#[test]
fn counters_follow_rfc_1724() {
    let mut rig = Rig::new(Rig::config());
    rig.link(1, "vti02");
    rig.addr(1, "192.168.10.3/24");
    rig.link(2, "eth1");
    rig.addr(2, "192.168.20.1/24");
    let before = rig.engine.counters().route_changes;
    rig.response(1, "192.168.10.4", &[route("10.1.0.0/16", 1)]);
    rig.response(1, "192.168.10.4", &[route("10.1.0.0/16", 3)]);
    assert_eq!(rig.engine.counters().route_changes, before + 2);
    let neighbors = rig.engine.neighbors();
    assert_eq!(neighbors.len(), 1);
    assert_eq!(neighbors[0].address, ip("192.168.10.4"));
    assert_eq!(neighbors[0].version, 2);
    assert_eq!(neighbors[0].last_update, rig.now);
    rig.advance_secs(10);
    let lan = &rig.engine.interfaces()[1];
    assert!(lan.counters.updates_sent >= 1);
    assert!(lan.counters.packets_sent >= 1);
    assert_eq!(rig.engine.interfaces()[0].counters.packets_received, 2);
}

#[test]
fn silent_neighbors_leave_the_peer_table() {
    let mut rig = Rig::new(Rig::config());
    rig.link(1, "vti02");
    rig.addr(1, "192.168.10.3/24");
    rig.response(1, "192.168.10.4", &[route("10.1.0.0/16", 1)]);
    rig.advance_secs(200);
    assert_eq!(
        rig.engine.neighbors().len(),
        1,
        "kept while its routes may live"
    );
    rig.advance_secs(150);
    assert!(
        rig.engine.neighbors().is_empty(),
        "gone after timeout + garbage"
    );
    rig.response(1, "192.168.10.4", &[route("10.1.0.0/16", 1)]);
    rig.remove_link(1);
    assert!(rig.engine.neighbors().is_empty(), "gone with its interface");
}
