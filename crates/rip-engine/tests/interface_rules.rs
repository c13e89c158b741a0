//! Interfaces coming and going, as Libreswan does with VTIs; and which
//! interfaces RIP runs on (quagga's `network`).

mod rig;

use rig::*;
use rip_engine::{Event, FibChange, InterfaceConfig, WithdrawReason};

fn site() -> Rig {
    let mut rig = Rig::new(Rig::config());
    rig.link(1, "vti02");
    rig.addr(1, "192.168.10.3/24");
    rig.link(2, "eth1");
    rig.addr(2, "192.168.20.1/24");
    rig.response(1, "192.168.10.4", &[route("192.168.21.0/24", 1)]);
    rig.take_fib();
    rig.take_events();
    rig.sent();
    rig
}

#[test]
fn interface_down_withdraws_its_routes_at_once() {
    let mut rig = site();
    rig.link_with(1, "vti02", false, true);
    assert_eq!(
        rig.take_fib(),
        vec![FibChange::Delete {
            prefix: prefix("192.168.21.0/24")
        }]
    );
    assert_eq!(rig.metric("192.168.21.0/24"), Some(16));
    assert_eq!(
        rig.metric("192.168.10.0/24"),
        Some(16),
        "connected network gone too"
    );
    let events = rig.take_events();
    assert!(events.contains(&Event::RouteWithdrawn {
        prefix: prefix("192.168.21.0/24"),
        reason: WithdrawReason::InterfaceDown
    }));
    // The LAN hears metric 16 in the next triggered update (at most 5 s,
    // RFC 2453 §3.10.1, after the one that announced the route).
    rig.advance_secs(5);
    let lan = advertised(&rig.sent());
    assert!(
        lan.contains(&("192.168.21.0/24".to_string(), 16)),
        "{lan:?}"
    );
    assert!(
        lan.contains(&("192.168.10.0/24".to_string(), 16)),
        "{lan:?}"
    );
}

#[test]
fn deleted_interface_recreated_with_a_new_ifindex_starts_over() {
    let mut rig = site();
    rig.remove_link(1);
    assert_eq!(rig.metric("192.168.21.0/24"), Some(16));
    rig.link(7, "vti02");
    rig.addr(7, "192.168.10.3/24");
    let sent = rig.sent();
    assert!(
        sent.iter()
            .any(|t| t.ifindex == 7 && t.command == rip_codec::Command::Request)
    );
    assert_eq!(rig.metric("192.168.10.0/24"), Some(1));
    rig.response(7, "192.168.10.4", &[route("192.168.21.0/24", 1)]);
    assert_eq!(rig.metric("192.168.21.0/24"), Some(2));
    let path = rig.route("192.168.21.0/24").unwrap().paths[0];
    assert_eq!(path.ifindex, 7);
    // Messages for the old ifindex are refused.
    rig.take_events();
    rig.response(1, "192.168.10.4", &[route("10.5.0.0/16", 1)]);
    assert_eq!(rig.metric("10.5.0.0/16"), None);
}

#[test]
fn interface_is_used_from_the_moment_it_exists_and_has_an_address() {
    let mut rig = Rig::new(Rig::config());
    rig.link_with(1, "vti02", false, true);
    rig.addr(1, "192.168.10.3/24");
    assert!(rig.sent().is_empty(), "down: nothing");
    rig.link(1, "vti02");
    assert!(!rig.sent().is_empty(), "up: request and update");
    assert!(rig.engine.interfaces()[0].active);
}

#[test]
fn networks_match_by_prefix_or_by_name_and_interfaces_sections_enable_too() {
    let mut config = Rig::config();
    config.networks = vec![prefix("192.168.10.0/24")];
    config.network_interfaces = vec!["tun5".into()];
    config
        .interfaces
        .insert("vti09".into(), InterfaceConfig::default());
    let mut rig = Rig::new(config);
    rig.link(1, "vti02");
    rig.addr(1, "192.168.10.3/24");
    rig.link(2, "eth9");
    rig.addr(2, "172.16.0.1/24");
    rig.link(3, "tun5");
    rig.addr(3, "172.17.0.1/24");
    rig.link(4, "vti09");
    rig.addr(4, "172.18.0.1/24");
    let active: Vec<(String, bool)> = rig
        .engine
        .interfaces()
        .into_iter()
        .map(|i| (i.name, i.active))
        .collect();
    assert_eq!(
        active,
        [
            ("vti02".to_string(), true),
            ("eth9".to_string(), false),
            ("tun5".to_string(), true),
            ("vti09".to_string(), true)
        ]
    );
    assert_eq!(rig.metric("172.16.0.0/24"), None, "not a RIP interface");
    assert_eq!(rig.metric("172.17.0.0/24"), Some(1));
}

#[test]
fn removing_an_address_withdraws_its_network_and_the_routes_through_it() {
    let mut rig = site();
    rig.addr(1, "192.168.99.3/24");
    rig.response(1, "192.168.99.4", &[route("10.9.0.0/16", 1)]);
    rig.remove_addr(1, "192.168.99.3/24");
    assert_eq!(rig.metric("192.168.99.0/24"), Some(16));
    assert_eq!(rig.metric("10.9.0.0/16"), Some(16), "its neighbor is gone");
    assert_eq!(rig.metric("192.168.21.0/24"), Some(2), "the other stays");
}
