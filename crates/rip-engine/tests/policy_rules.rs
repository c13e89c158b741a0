//! Prefix lists in and out, offset lists, and policy changes applied at once.

mod rig;

use rig::*;
use rip_engine::{
    Direction, EngineConfig, FibChange, InterfaceConfig, OffsetList, PrefixList, PrefixRule,
};

fn list(rules: &[(bool, &str, Option<u8>)]) -> PrefixList {
    PrefixList {
        rules: rules
            .iter()
            .map(|(permit, p, le)| PrefixRule {
                permit: *permit,
                prefix: prefix(p),
                ge: None,
                le: *le,
            })
            .collect(),
    }
}

fn base() -> EngineConfig {
    let mut config = Rig::config();
    config.prefix_lists.insert(
        "no-10-2".into(),
        list(&[(false, "10.2.0.0/16", None), (true, "0.0.0.0/0", Some(32))]),
    );
    config
}

fn rig(config: EngineConfig) -> Rig {
    let mut rig = Rig::new(config);
    rig.link(1, "vti02");
    rig.addr(1, "192.168.10.3/24");
    rig.link(2, "eth1");
    rig.addr(2, "192.168.20.1/24");
    rig
}

#[test]
fn global_in_filter() {
    let mut config = base();
    config.filter_in = Some("no-10-2".into());
    let mut rig = rig(config);
    rig.response(
        1,
        "192.168.10.4",
        &[route("10.1.0.0/16", 1), route("10.2.0.0/16", 1)],
    );
    assert_eq!(rig.metric("10.1.0.0/16"), Some(2));
    assert_eq!(rig.metric("10.2.0.0/16"), None);
}

#[test]
fn per_interface_out_filter() {
    let mut config = base();
    config.interfaces.insert(
        "eth1".into(),
        InterfaceConfig {
            filter_out: Some("no-10-2".into()),
            ..InterfaceConfig::default()
        },
    );
    let mut rig = rig(config);
    rig.response(
        1,
        "192.168.10.4",
        &[route("10.1.0.0/16", 1), route("10.2.0.0/16", 1)],
    );
    rig.advance_secs(40);
    let lan = advertised(
        &rig.sent()
            .into_iter()
            .filter(|t| t.ifindex == 2)
            .collect::<Vec<_>>(),
    );
    assert!(lan.contains(&("10.1.0.0/16".to_string(), 2)));
    assert!(!lan.iter().any(|(p, _)| p == "10.2.0.0/16"), "{lan:?}");
}

#[test]
fn an_unknown_list_name_denies_everything() {
    let mut config = base();
    config.filter_in = Some("typo".into());
    let mut rig = rig(config);
    rig.response(1, "192.168.10.4", &[route("10.1.0.0/16", 1)]);
    assert_eq!(rig.metric("10.1.0.0/16"), None);
}

#[test]
fn offset_lists_in_and_out() {
    let mut config = base();
    config
        .prefix_lists
        .insert("ten".into(), list(&[(true, "10.0.0.0/8", Some(32))]));
    config.offsets = vec![
        OffsetList {
            prefix_list: "ten".into(),
            direction: Direction::In,
            offset: 3,
            interface: Some("vti02".into()),
        },
        OffsetList {
            prefix_list: "ten".into(),
            direction: Direction::Out,
            offset: 5,
            interface: None,
        },
    ];
    let mut rig = rig(config);
    rig.response(1, "192.168.10.4", &[route("10.1.0.0/16", 1)]);
    assert_eq!(rig.metric("10.1.0.0/16"), Some(5), "1 + cost 1 + offset 3");
    rig.advance_secs(40);
    let lan = advertised(
        &rig.sent()
            .into_iter()
            .filter(|t| t.ifindex == 2)
            .collect::<Vec<_>>(),
    );
    assert!(lan.contains(&("10.1.0.0/16".to_string(), 10)), "{lan:?}");
}

#[test]
fn a_new_in_filter_withdraws_at_once() {
    let mut config = base();
    let mut rig = rig(config.clone());
    rig.response(
        1,
        "192.168.10.4",
        &[route("10.1.0.0/16", 1), route("10.2.0.0/16", 1)],
    );
    rig.advance_secs(10);
    rig.take_fib();
    rig.sent();
    config.filter_in = Some("no-10-2".into());
    let now = rig.now;
    rig.engine.handle_config(now, config);
    rig.drain();
    assert_eq!(rig.metric("10.2.0.0/16"), Some(16));
    assert_eq!(rig.metric("10.1.0.0/16"), Some(2));
    assert_eq!(
        rig.take_fib(),
        vec![FibChange::Delete {
            prefix: prefix("10.2.0.0/16")
        }]
    );
    rig.advance(std::time::Duration::from_millis(60));
    let lan = advertised(&rig.sent());
    assert!(lan.contains(&("10.2.0.0/16".to_string(), 16)), "{lan:?}");
}

#[test]
fn a_new_out_filter_poisons_at_once() {
    let mut config = base();
    let mut rig = rig(config.clone());
    rig.response(1, "192.168.10.4", &[route("10.2.0.0/16", 1)]);
    rig.advance_secs(10);
    rig.sent();
    config.interfaces.insert(
        "eth1".into(),
        InterfaceConfig {
            filter_out: Some("no-10-2".into()),
            ..InterfaceConfig::default()
        },
    );
    let now = rig.now;
    rig.engine.handle_config(now, config);
    rig.drain();
    let lan: Vec<_> = rig.sent().into_iter().filter(|t| t.ifindex == 2).collect();
    assert_eq!(advertised(&lan), [("10.2.0.0/16".to_string(), 16)]);
    // And it stays out of later updates.
    rig.advance_secs(40);
    let later = advertised(
        &rig.sent()
            .into_iter()
            .filter(|t| t.ifindex == 2)
            .collect::<Vec<_>>(),
    );
    assert!(!later.iter().any(|(p, _)| p == "10.2.0.0/16"), "{later:?}");
}
