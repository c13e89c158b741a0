//! RFC 2453 §3.9.2 and §4.4: what a valid response entry does to the table.

mod rig;

use rig::*;
use rip_codec::RouteEntry;
use rip_engine::smallvec::smallvec;
use rip_engine::{FibChange, InterfaceConfig, NextHop};

fn two_neighbors(max_paths: usize, cost: u8) -> Rig {
    let mut config = Rig::config();
    config.max_paths = max_paths;
    config.interfaces.insert(
        "vti02".into(),
        InterfaceConfig {
            cost,
            ..InterfaceConfig::default()
        },
    );
    let mut rig = Rig::new(config);
    rig.link(1, "vti02");
    rig.addr(1, "192.168.10.3/24");
    rig.link(2, "eth1");
    rig.addr(2, "192.168.20.1/24");
    rig.take_fib();
    rig.take_events();
    rig
}

fn hops(rig: &Rig, p: &str) -> Vec<String> {
    rig.route(p)
        .map(|r| r.paths.iter().map(|p| p.gateway.to_string()).collect())
        .unwrap_or_default()
}

#[test]
fn metric_adds_interface_cost_and_caps_at_16() {
    let mut rig = two_neighbors(1, 3);
    rig.response(
        1,
        "192.168.10.4",
        &[route("10.1.0.0/16", 1), route("10.2.0.0/16", 14)],
    );
    assert_eq!(rig.metric("10.1.0.0/16"), Some(4));
    assert_eq!(rig.metric("10.2.0.0/16"), None, "14 + 3 is unreachable");
}

#[test]
fn next_hop_is_used_when_on_link_else_the_sender() {
    let mut rig = two_neighbors(1, 1);
    let via = |p: &str, nh: &str| RouteEntry {
        next_hop: ip(nh),
        ..route(p, 1)
    };
    rig.response(
        1,
        "192.168.10.4",
        &[
            via("10.1.0.0/16", "192.168.10.9"),
            via("10.2.0.0/16", "172.16.0.1"),
            via("10.3.0.0/16", "192.168.10.3"),
        ],
    );
    assert_eq!(hops(&rig, "10.1.0.0/16"), ["192.168.10.9"]);
    assert_eq!(hops(&rig, "10.2.0.0/16"), ["192.168.10.4"], "not on link");
    assert_eq!(
        hops(&rig, "10.3.0.0/16"),
        ["192.168.10.4"],
        "our own address"
    );
    assert_eq!(
        rig.take_fib()[0],
        FibChange::Add {
            prefix: prefix("10.1.0.0/16"),
            next_hops: smallvec![NextHop {
                gateway: ip("192.168.10.9"),
                ifindex: 1
            }],
            metric: 2
        }
    );
}

#[test]
fn route_tag_is_kept_and_readvertised() {
    let mut rig = two_neighbors(1, 1);
    rig.response(
        1,
        "192.168.10.4",
        &[RouteEntry {
            tag: 0xBEEF,
            ..route("10.1.0.0/16", 1)
        }],
    );
    assert_eq!(rig.route("10.1.0.0/16").unwrap().tag, 0xBEEF);
    rig.sent();
    rig.advance_secs(31);
    let on_lan: Vec<RouteEntry> = rig
        .sent()
        .into_iter()
        .filter(|t| t.ifindex == 2)
        .flat_map(|t| t.entries)
        .filter(|e| e.prefix == prefix("10.1.0.0/16"))
        .collect();
    assert!(!on_lan.is_empty());
    assert!(
        on_lan.iter().all(|e| (e.tag, e.metric) == (0xBEEF, 2)),
        "{on_lan:?}"
    );
}

#[test]
fn better_metric_replaces_worse_from_others_is_ignored() {
    let mut rig = two_neighbors(1, 1);
    rig.response(1, "192.168.10.4", &[route("10.1.0.0/16", 5)]);
    rig.response(1, "192.168.10.5", &[route("10.1.0.0/16", 7)]);
    assert_eq!(hops(&rig, "10.1.0.0/16"), ["192.168.10.4"]);
    rig.response(1, "192.168.10.5", &[route("10.1.0.0/16", 2)]);
    assert_eq!(rig.metric("10.1.0.0/16"), Some(3));
    assert_eq!(hops(&rig, "10.1.0.0/16"), ["192.168.10.5"]);
    let fib = rig.take_fib();
    assert!(
        matches!(fib.last(), Some(FibChange::Replace { .. })),
        "{fib:?}"
    );
}

#[test]
fn current_next_hop_is_believed_even_when_worse() {
    let mut rig = two_neighbors(1, 1);
    rig.response(1, "192.168.10.4", &[route("10.1.0.0/16", 2)]);
    rig.response(1, "192.168.10.4", &[route("10.1.0.0/16", 9)]);
    assert_eq!(rig.metric("10.1.0.0/16"), Some(10));
    rig.response(1, "192.168.10.4", &[route("10.1.0.0/16", 16)]);
    assert_eq!(rig.metric("10.1.0.0/16"), Some(16), "poisoned, in garbage");
    assert!(!rig.route("10.1.0.0/16").unwrap().in_fib);
    assert!(matches!(
        rig.take_fib().last(),
        Some(FibChange::Delete { .. })
    ));
}

#[test]
fn equal_metric_from_another_router_is_ignored_with_one_path() {
    let mut rig = two_neighbors(1, 1);
    rig.response(1, "192.168.10.4", &[route("10.1.0.0/16", 2)]);
    rig.response(1, "192.168.10.5", &[route("10.1.0.0/16", 2)]);
    assert_eq!(hops(&rig, "10.1.0.0/16"), ["192.168.10.4"]);
}

#[test]
fn equal_metric_route_takes_over_when_the_current_one_is_half_timed_out() {
    let mut rig = two_neighbors(1, 1);
    rig.response(1, "192.168.10.4", &[route("10.1.0.0/16", 2)]);
    rig.advance_secs(91);
    rig.response(1, "192.168.10.5", &[route("10.1.0.0/16", 2)]);
    assert_eq!(hops(&rig, "10.1.0.0/16"), ["192.168.10.5"]);
}

#[test]
fn equal_metric_paths_form_an_ecmp_set_up_to_max_paths() {
    let mut rig = Rig::new({
        let mut c = Rig::config();
        c.max_paths = 2;
        c
    });
    rig.link(1, "vti02");
    rig.addr(1, "192.168.10.3/24");
    rig.link(3, "vti03");
    rig.addr(3, "192.168.30.3/24");
    rig.take_fib();
    rig.response(1, "192.168.10.4", &[route("10.1.0.0/16", 1)]);
    rig.response(3, "192.168.30.4", &[route("10.1.0.0/16", 1)]);
    rig.response(1, "192.168.10.5", &[route("10.1.0.0/16", 1)]);
    assert_eq!(hops(&rig, "10.1.0.0/16"), ["192.168.10.4", "192.168.30.4"]);
    assert_eq!(
        rig.take_fib().last().unwrap(),
        &FibChange::Replace {
            prefix: prefix("10.1.0.0/16"),
            next_hops: smallvec![
                NextHop {
                    gateway: ip("192.168.10.4"),
                    ifindex: 1
                },
                NextHop {
                    gateway: ip("192.168.30.4"),
                    ifindex: 3
                }
            ],
            metric: 2
        }
    );
    // One path poisoned: the other carries on, still reachable.
    rig.response(3, "192.168.30.4", &[route("10.1.0.0/16", 16)]);
    assert_eq!(hops(&rig, "10.1.0.0/16"), ["192.168.10.4"]);
    assert_eq!(rig.metric("10.1.0.0/16"), Some(2));
    // A better path replaces the whole set.
    rig.response(3, "192.168.30.4", &[route("10.1.0.0/16", 1)]);
    rig.response(3, "192.168.30.9", &[route("10.1.0.0/16", 1)]);
    assert_eq!(hops(&rig, "10.1.0.0/16").len(), 2);
}

#[test]
fn a_path_that_gets_worse_leaves_the_ecmp_set() {
    let mut rig = Rig::new({
        let mut c = Rig::config();
        c.max_paths = 2;
        c
    });
    rig.link(1, "vti02");
    rig.addr(1, "192.168.10.3/24");
    rig.response(1, "192.168.10.4", &[route("10.1.0.0/16", 1)]);
    rig.response(1, "192.168.10.5", &[route("10.1.0.0/16", 1)]);
    rig.response(1, "192.168.10.5", &[route("10.1.0.0/16", 4)]);
    assert_eq!(hops(&rig, "10.1.0.0/16"), ["192.168.10.4"]);
    assert_eq!(rig.metric("10.1.0.0/16"), Some(2));
}

/// The daemon moved the kernel's routes elsewhere (a new table or metric):
/// every learned route in the kernel is queued again as an addition, and
/// only those (an unreachable one is not).
#[test]
fn reinstall_queues_every_route_in_the_kernel_again() {
    let mut rig = two_neighbors(1, 1);
    rig.response(
        1,
        "192.168.10.4",
        &[route("10.1.0.0/16", 1), route("10.2.0.0/16", 2)],
    );
    rig.response(1, "192.168.10.4", &[route("10.2.0.0/16", 16)]);
    rig.take_fib();
    rig.engine.reinstall_fib();
    rig.drain();
    let fib = rig.take_fib();
    assert_eq!(
        fib,
        [FibChange::Add {
            prefix: prefix("10.1.0.0/16"),
            next_hops: smallvec![NextHop {
                gateway: ip("192.168.10.4"),
                ifindex: 1
            }],
            metric: 2
        }]
    );
    assert!(rig.route("10.1.0.0/16").unwrap().in_fib);
}
