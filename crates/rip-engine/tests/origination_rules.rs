//! Routes that start here: connected, redistributed, default.

mod rig;

use rig::*;
use rip_engine::{Origin, Redistribute, RedistributeEvent, RedistributeKind};

#[test]
fn connected_networks_are_advertised_with_metric_1() {
    let mut rig = Rig::new(Rig::config());
    rig.link(1, "vti02");
    rig.addr(1, "192.168.10.3/24");
    rig.link(2, "eth1");
    rig.addr(2, "192.168.20.1/24");
    let r = rig.route("192.168.20.0/24").unwrap();
    assert_eq!(
        (r.metric, r.origin, r.in_fib),
        (1, Origin::Connected, false)
    );
    rig.advance_secs(40);
    let vti = advertised(
        &rig.sent()
            .into_iter()
            .filter(|t| t.ifindex == 1)
            .collect::<Vec<_>>(),
    );
    assert!(vti.contains(&("192.168.20.0/24".to_string(), 1)));
}

#[test]
fn point_to_point_peers_are_advertised_as_host_routes() {
    let mut rig = Rig::new(Rig::config());
    rig.link(1, "vti02");
    rig.addr_peer(1, "10.9.0.1", "10.9.0.2");
    assert_eq!(rig.metric("10.9.0.2/32"), Some(1));
}

#[test]
fn redistribution_follows_config_and_kernel() {
    let mut config = Rig::config();
    config.default_metric = 3;
    let mut rig = Rig::new(config.clone());
    rig.link(1, "vti02");
    rig.addr(1, "192.168.10.3/24");
    let now = rig.now;
    rig.engine.handle_redistribute(
        now,
        RedistributeEvent::Add {
            kind: RedistributeKind::Static,
            prefix: prefix("172.20.0.0/16"),
            ifindex: 0,
        },
    );
    assert_eq!(rig.metric("172.20.0.0/16"), None, "not redistributed yet");
    config.redistribute = Redistribute {
        static_routes: true,
        ..Redistribute::default()
    };
    rig.engine.handle_config(now, config.clone());
    assert_eq!(rig.metric("172.20.0.0/16"), Some(3));
    // Gone from the kernel: withdrawn.
    rig.engine.handle_redistribute(
        now,
        RedistributeEvent::Remove {
            kind: RedistributeKind::Static,
            prefix: prefix("172.20.0.0/16"),
        },
    );
    assert_eq!(rig.metric("172.20.0.0/16"), Some(16));
}

#[test]
fn a_local_route_wins_over_a_learned_one() {
    let mut rig = Rig::new(Rig::config());
    rig.link(1, "vti02");
    rig.addr(1, "192.168.10.3/24");
    rig.response(1, "192.168.10.4", &[route("192.168.20.0/24", 1)]);
    assert_eq!(rig.route("192.168.20.0/24").unwrap().origin, Origin::Rip);
    rig.take_fib();
    rig.link(2, "eth1");
    rig.addr(2, "192.168.20.1/24");
    let r = rig.route("192.168.20.0/24").unwrap();
    assert_eq!((r.origin, r.metric), (Origin::Connected, 1));
    assert!(
        rig.take_fib()
            .iter()
            .any(|f| matches!(f, rip_engine::FibChange::Delete { .. })),
        "the learned route leaves the kernel"
    );
}

#[test]
fn default_information_originate() {
    let mut config = Rig::config();
    config.default_information_originate = true;
    let mut rig = Rig::new(config.clone());
    rig.link(1, "vti02");
    rig.addr(1, "192.168.10.3/24");
    assert_eq!(rig.metric("0.0.0.0/0"), Some(1));
    config.default_information_originate = false;
    let now = rig.now;
    rig.engine.handle_config(now, config);
    assert_eq!(rig.metric("0.0.0.0/0"), Some(16));
}

/// `originate` (quagga's static RIP route): advertised with metric 1 whatever
/// the kernel has, never installed; a connected network outranks it, and it
/// takes over again when the network goes; dropped from the config, it is
/// withdrawn with metric 16.
#[test]
fn configured_prefixes_are_advertised_until_the_config_drops_them() {
    let mut config = Rig::config();
    config.originate = vec![prefix("10.5.0.0/16"), prefix("192.168.20.0/24")];
    let mut rig = Rig::new(config.clone());
    rig.link(1, "vti02");
    rig.addr(1, "192.168.10.3/24");
    let r = rig.route("10.5.0.0/16").unwrap();
    assert_eq!(
        (r.metric, r.origin, r.in_fib),
        (1, Origin::Configured, false)
    );
    rig.advance_secs(40);
    assert!(advertised(&rig.sent()).contains(&("10.5.0.0/16".to_string(), 1)));
    assert!(rig.take_fib().is_empty(), "nothing goes to the kernel");

    // The LAN's own network outranks the configured one, and hands it back.
    rig.link(2, "eth1");
    rig.addr(2, "192.168.20.1/24");
    assert_eq!(
        rig.route("192.168.20.0/24").unwrap().origin,
        Origin::Connected
    );
    rig.remove_addr(2, "192.168.20.1/24");
    let r = rig.route("192.168.20.0/24").unwrap();
    assert_eq!((r.metric, r.origin), (1, Origin::Configured));

    config.originate = vec![prefix("192.168.20.0/24")];
    let now = rig.now;
    rig.engine.handle_config(now, config);
    rig.drain();
    assert_eq!(rig.route("10.5.0.0/16").unwrap().metric, 16);
    rig.advance_secs(10);
    assert!(advertised(&rig.sent()).contains(&("10.5.0.0/16".to_string(), 16)));
}

/// `redistribute KIND metric N`: that kind's routes carry N, the others the
/// default metric.
#[test]
fn redistributed_kinds_may_have_their_own_metric() {
    let mut config = Rig::config();
    config.default_metric = 2;
    config.redistribute = Redistribute {
        static_routes: true,
        static_metric: Some(5),
        kernel: true,
        ..Redistribute::default()
    };
    let mut rig = Rig::new(config);
    rig.link(1, "vti02");
    rig.addr(1, "192.168.10.3/24");
    let now = rig.now;
    for (kind, prefix) in [
        (RedistributeKind::Static, "172.20.0.0/16"),
        (RedistributeKind::Kernel, "172.21.0.0/16"),
    ] {
        rig.engine.handle_redistribute(
            now,
            RedistributeEvent::Add {
                kind,
                prefix: self::prefix(prefix),
                ifindex: 0,
            },
        );
    }
    assert_eq!(rig.metric("172.20.0.0/16"), Some(5));
    assert_eq!(rig.metric("172.21.0.0/16"), Some(2));
}
