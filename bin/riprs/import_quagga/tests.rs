//! The VPN endpoint's ripd.conf, a round trip through `config::parse`, and
//! one test per kind of line that is or is not carried over.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use rip_codec::{AuthMode, Ipv4Prefix, Md5AuthLen};
use rip_engine::{
    Authentication, Direction, EngineConfig, InterfaceConfig, KeyConfig, OffsetList, PrefixList,
    PrefixRule, ReceiveVersion, Redistribute, SendVersion, SplitHorizon, Timers,
};

use super::import;
use crate::config::{self, LogLevel, MulticastMode, Settings};

/// What quagga ran on the VPN endpoint.
const VPN_RIPD_CONF: &str = "\
! -*- rip -*-
!
! RIPd configuration for the VPN endpoint
!
hostname ripd
password zebra
log file /var/log/quagga/ripd.log
!
debug rip events
!
key chain vpn
 key 1
  key-string change-me
!
interface vti02
 ip rip authentication mode md5 auth-length old-ripd
 ip rip authentication key-chain vpn
!
interface eth1
 description LAN
!
router rip
 version 2
 network 192.168.20.0/24
 network 192.168.10.0/24
 passive-interface eth1
!
line vty
!
";

fn p(s: &str) -> Ipv4Prefix {
    s.parse().unwrap()
}

fn parsed(toml: &str) -> Settings {
    match config::parse(toml, "imported.toml") {
        Ok(settings) => settings,
        Err(e) => panic!("the imported file does not parse:\n{e}\n---\n{toml}"),
    }
}

/// The lines reported, as (line, start of reason).
fn reported(notes: &[(usize, String)]) -> Vec<usize> {
    notes.iter().map(|(line, _)| *line).collect()
}

#[test]
fn the_vpn_endpoint_converts_to_the_expected_settings() {
    let (toml, notes) = import(VPN_RIPD_CONF);
    let settings = parsed(&toml);

    let mut interfaces = BTreeMap::new();
    interfaces.insert(
        "vti02".to_string(),
        InterfaceConfig {
            authentication: Authentication {
                mode: AuthMode::KeyedMd5,
                keys: vec![KeyConfig::new(1, b"change-me")],
                md5_auth_len: Md5AuthLen::OldRipd,
            },
            ..InterfaceConfig::default()
        },
    );
    let expected = Settings {
        engine: EngineConfig {
            networks: vec![p("192.168.20.0/24"), p("192.168.10.0/24")],
            passive_interfaces: vec!["eth1".to_string()],
            interfaces,
            ..EngineConfig::default()
        },
        multicast: BTreeMap::from([("vti02".to_string(), MulticastMode::Auto)]),
        log: config::LogSettings {
            level: LogLevel::Info,
            file: Some(PathBuf::from("/var/log/quagga/ripd.log")),
        },
        ..Settings::default()
    };
    assert_eq!(settings, expected);

    // hostname, password, debug rip events, line vty.
    assert_eq!(reported(&notes), [5, 6, 9, 28], "{notes:#?}");
    assert!(notes[0].1.contains("hostname"));
    assert!(notes[3].1.contains("vty"));
}

/// Everything riprs can carry over, at once.
const FULL_RIPD_CONF: &str = "\
key chain lan
 key 1
  key-string first
  send-lifetime 00:00:00 1 Jan 2027 00:00:00 Jan 1 2028
  accept-lifetime 00:00:00 Dec 31 2026 infinite
 key 2
  key-string second
  send-lifetime 00:00:00 1 Jan 2028 duration 86400
!
interface vti02
 ip rip authentication mode md5 auth-length rfc
 ip rip authentication key-chain lan
 ip split-horizon poisoned-reverse
!
interface vti03
 ip rip authentication mode md5
 ip rip authentication string md5-secret
 no ip split-horizon
!
interface eth1
 ip rip authentication mode text
 ip rip authentication string lanpass
 ip rip send version 2
 ip rip receive version 2
!
router rip
 version 2
 network 10.0.0.0/8
 network vti02
 neighbor 192.0.2.7
 passive-interface eth1
 default-metric 3
 default-information originate
 redistribute connected
 redistribute static
 timers basic 10 60 40
 distribute-list prefix from-peers in
 distribute-list prefix to-lan out eth1
 offset-list slow in 2 vti03
!
ip prefix-list from-peers seq 10 deny 10.99.0.0/16 le 32
ip prefix-list from-peers seq 5 permit 10.0.0.0/8 ge 16 le 24
ip prefix-list from-peers seq 20 permit any
ip prefix-list to-lan permit 192.168.0.0/16 le 32
access-list slow permit 172.16.0.0/12
access-list slow deny any
!
";

fn at(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
}

#[test]
fn round_trip_import_parse_equals_the_hand_written_config() {
    let (toml, notes) = import(FULL_RIPD_CONF);
    assert!(notes.is_empty(), "{notes:#?}\n{toml}");
    let settings = parsed(&toml);

    const JAN_1_2027: u64 = 1_798_761_600;
    const JAN_1_2028: u64 = 1_830_297_600;
    let mut key1 = KeyConfig::new(1, b"first");
    key1.send_from = Some(at(JAN_1_2027));
    key1.send_until = Some(at(JAN_1_2028));
    key1.accept_from = Some(at(JAN_1_2027 - 86_400));
    let mut key2 = KeyConfig::new(2, b"second");
    key2.send_from = Some(at(JAN_1_2028));
    key2.send_until = Some(at(JAN_1_2028 + 86_400));

    let interfaces = BTreeMap::from([
        (
            "eth1".to_string(),
            InterfaceConfig {
                authentication: Authentication {
                    mode: AuthMode::Password,
                    keys: vec![KeyConfig::new(1, b"lanpass")],
                    md5_auth_len: Md5AuthLen::OldRipd,
                },
                filter_out: Some("to-lan".to_string()),
                // `ip rip receive version 2`
                receive_version: ReceiveVersion::V2Only,
                ..InterfaceConfig::default()
            },
        ),
        (
            "vti02".to_string(),
            InterfaceConfig {
                split_horizon: SplitHorizon::PoisonedReverse,
                authentication: Authentication {
                    mode: AuthMode::KeyedMd5,
                    keys: vec![key1, key2],
                    md5_auth_len: Md5AuthLen::Rfc,
                },
                ..InterfaceConfig::default()
            },
        ),
        (
            "vti03".to_string(),
            InterfaceConfig {
                split_horizon: SplitHorizon::Off,
                authentication: Authentication {
                    mode: AuthMode::KeyedMd5,
                    keys: vec![KeyConfig::new(1, b"md5-secret")],
                    md5_auth_len: Md5AuthLen::OldRipd,
                },
                ..InterfaceConfig::default()
            },
        ),
    ]);
    let rule = |permit, prefix: &str, ge, le| PrefixRule {
        permit,
        prefix: p(prefix),
        ge,
        le,
    };
    let prefix_lists = BTreeMap::from([
        (
            "from-peers".to_string(),
            PrefixList {
                rules: vec![
                    rule(true, "10.0.0.0/8", Some(16), Some(24)),
                    rule(false, "10.99.0.0/16", None, Some(32)),
                    rule(true, "0.0.0.0/0", None, Some(32)),
                ],
            },
        ),
        (
            "to-lan".to_string(),
            PrefixList {
                rules: vec![rule(true, "192.168.0.0/16", None, Some(32))],
            },
        ),
        (
            "slow".to_string(),
            PrefixList {
                rules: vec![
                    rule(true, "172.16.0.0/12", None, Some(32)),
                    rule(false, "0.0.0.0/0", None, Some(32)),
                ],
            },
        ),
    ]);
    let expected = EngineConfig {
        networks: vec![p("10.0.0.0/8")],
        network_interfaces: vec!["vti02".to_string()],
        passive_interfaces: vec!["eth1".to_string()],
        passive_default: false,
        neighbors: vec![Ipv4Addr::new(192, 0, 2, 7)],
        default_metric: 3,
        default_information_originate: true,
        originate: vec![],
        redistribute: Redistribute {
            connected: true,
            static_routes: true,
            ..Redistribute::default()
        },
        timers: Timers {
            update: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
            garbage: Duration::from_secs(40),
        },
        max_paths: 1,
        max_routes: 1_000_000,
        interfaces,
        prefix_lists,
        filter_in: Some("from-peers".to_string()),
        filter_out: None,
        offsets: vec![OffsetList {
            prefix_list: "slow".to_string(),
            direction: Direction::In,
            offset: 2,
            interface: Some("vti03".to_string()),
        }],
    };
    assert_eq!(settings.engine, expected, "\n{toml}");
    assert!(settings.warnings.is_empty(), "{:?}", settings.warnings);
}

#[test]
fn lines_that_are_not_carried_over_are_reported_with_a_reason() {
    let conf = "\
hostname r1
password zebra
enable password zebra
log syslog
router rip
 version 1
 route 10.5.0.0/16
 redistribute ospf
 redistribute kernel metric 5
 redistribute static route-map X
 passive-interface default
 distance 120
 network 10.0.0.0/8
interface vti02
 ip rip receive version 1 2
 ip rip v2-broadcast
 ip address 10.0.0.1/24
router ospf
 network 10.0.0.0/8 area 0
line vty
 exec-timeout 0 0
";
    let (toml, notes) = import(conf);
    let lines = reported(&notes);
    assert_eq!(
        lines,
        [1, 2, 3, 4, 6, 8, 10, 12, 17, 18, 19, 20, 21],
        "{notes:#?}"
    );
    let reason = |line: usize| {
        notes
            .iter()
            .find(|(l, _)| *l == line)
            .map(|(_, r)| r.clone())
            .unwrap()
    };
    assert!(reason(6).contains("per interface"));
    assert!(reason(10).contains("route maps"));
    assert!(reason(19).contains("inside `router ospf`"));
    assert!(reason(21).contains("inside `line vty`"));
    // What could be carried over was: kernel routes, the network.
    let settings = parsed(&toml);
    assert!(settings.engine.redistribute.kernel);
    // `redistribute kernel metric 5`
    assert_eq!(settings.engine.redistribute.kernel_metric, Some(5));
    assert!(!settings.engine.redistribute.static_routes);
    assert_eq!(settings.engine.networks, [p("10.0.0.0/8")]);
    // `ip rip receive version 1 2` is the default; `ip rip v2-broadcast` is not.
    let vti = &settings.engine.interfaces["vti02"];
    assert_eq!(
        (vti.send_version, vti.receive_version),
        (SendVersion::V2Broadcast, ReceiveVersion::Both)
    );
    // The static RIP route.
    assert_eq!(settings.engine.originate, [p("10.5.0.0/16")]);
}

/// `passive-interface default` with exceptions, and without: the same
/// interfaces end up passive as under quagga, whose one list of interfaces
/// that differ from the default the commands edit in order.
#[test]
fn passive_interfaces_with_and_without_the_default() {
    let conf = "\
router rip
 network 10.0.0.0/8
 passive-interface eth9
 passive-interface default
 no passive-interface vti02
 no passive-interface vti03
 passive-interface vti03
";
    let (toml, notes) = import(conf);
    assert!(notes.is_empty(), "{notes:#?}");
    let settings = parsed(&toml);
    let e = &settings.engine;
    assert!(e.passive_default, "{toml}");
    assert!(e.is_passive("eth9"));
    assert!(e.is_passive("eth1"));
    assert!(!e.is_passive("vti02"));
    assert!(e.is_passive("vti03"), "made passive again");
    assert_eq!(e.interfaces["vti02"].passive, Some(false));
    assert!(!e.interfaces.contains_key("vti03"));

    let conf = "\
router rip
 network 10.0.0.0/8
 passive-interface eth1
 passive-interface eth2
 no passive-interface eth2
";
    let (toml, notes) = import(conf);
    assert!(notes.is_empty(), "{notes:#?}");
    let settings = parsed(&toml);
    assert!(!settings.engine.passive_default);
    assert_eq!(settings.engine.passive_interfaces, ["eth1"]);
}

/// quagga's per-interface versions: `send version 1`, `receive version 1`,
/// and `send version 1 2`, which riprs cannot do (one version per interface).
#[test]
fn rip_versions_per_interface_are_carried_over() {
    let conf = "\
interface eth1
 ip rip send version 1
 ip rip receive version 1
interface eth2
 ip rip send version 1 2
 ip rip receive version 2
router rip
 network 10.0.0.0/8
";
    let (toml, notes) = import(conf);
    assert_eq!(reported(&notes), [5], "{notes:#?}");
    let settings = parsed(&toml);
    let eth1 = &settings.engine.interfaces["eth1"];
    assert_eq!(
        (eth1.send_version, eth1.receive_version),
        (SendVersion::V1, ReceiveVersion::V1Only)
    );
    let eth2 = &settings.engine.interfaces["eth2"];
    assert_eq!(
        (eth2.send_version, eth2.receive_version),
        (SendVersion::V2, ReceiveVersion::V2Only)
    );
}

#[test]
fn comments_blank_lines_and_framing_are_silent() {
    let conf = "\
! comment
# another

frr version 8.4
frr defaults traditional
service integrated-vtysh-config
router rip
 network eth0
 exit
!
end
";
    let (toml, notes) = import(conf);
    assert!(notes.is_empty(), "{notes:#?}");
    assert_eq!(parsed(&toml).engine.network_interfaces, ["eth0"]);
}

#[test]
fn blocks_need_no_separators_or_indentation() {
    let conf = "\
router rip
network 10.0.0.0/8
interface vti02
ip split-horizon poisoned-reverse
key chain k
key 7
key-string s
key 8
key-string t
router rip
passive-interface vti02
";
    let (toml, notes) = import(conf);
    assert!(notes.is_empty(), "{notes:#?}");
    let settings = parsed(&toml);
    assert_eq!(settings.engine.passive_interfaces, ["vti02"]);
    assert_eq!(
        settings.engine.interfaces["vti02"].split_horizon,
        SplitHorizon::PoisonedReverse
    );
    assert!(toml.contains("{ id = 7, secret = \"s\" }"), "{toml}");
    assert!(toml.contains("{ id = 8, secret = \"t\" }"), "{toml}");
}

#[test]
fn unresolved_references_are_reported_where_they_are_used() {
    let conf = "\
interface vti02
 ip rip authentication mode md5
 ip rip authentication key-chain nowhere
interface vti03
 ip rip authentication key-chain k
router rip
 network 10.0.0.0/8
 distribute-list prefix missing in
 distribute-list nolist out
 offset-list bad in 1
 distribute-list prefix pl in
 distribute-list prefix pl in
access-list bad permit 10.0.0.0 0.255.255.255
ip prefix-list pl permit 10.0.0.0/8
";
    let (toml, notes) = import(conf);
    assert_eq!(reported(&notes), [3, 5, 8, 9, 10, 12, 13], "{notes:#?}");
    assert!(notes[0].1.contains("key chain nowhere is not defined"));
    assert!(notes[1].1.contains("has no effect"));
    assert!(notes[2].1.contains("ip prefix-list missing is not defined"));
    assert!(notes[3].1.contains("access-list nolist is not defined"));
    assert!(notes[4].1.contains("could not be converted (line 13)"));
    assert!(notes[5].1.contains("line 11's is carried over"));
    assert!(notes[6].1.contains("cisco-style"));
    // Authentication is kept, so the result fails closed.
    let errors = config::parse(&toml, "imported.toml").unwrap_err();
    assert_eq!(errors.len(), 1, "{errors}");
    assert!(
        errors.errors[0]
            .message
            .contains("key chain \"nowhere\" is not defined")
    );
}

#[test]
fn key_strings_and_chains_for_text_and_md5() {
    let conf = "\
key chain vti02
 key 300
  key-string too-big
 key 2
router rip
 network 10.0.0.0/8
interface vti02
 ip rip authentication mode md5
 ip rip authentication string md5pass
interface eth1
 ip rip authentication mode text
 ip rip authentication key-chain vti02
 ip rip authentication string ignored
";
    let (toml, notes) = import(conf);
    assert_eq!(reported(&notes), [2, 4, 13], "{notes:#?}\n{toml}");
    assert!(notes[0].1.contains("key ids 0 to 255"));
    assert!(notes[1].1.contains("no key-string"));
    assert!(notes[2].1.contains("uses the key chain"));
    // vti02's md5 string becomes a chain of its own, named apart from "vti02".
    assert!(toml.contains("[key-chains.vti02-2]"), "{toml}");
    let errors = config::parse(&toml, "imported.toml").unwrap_err();
    // The chain "vti02" kept no keys, so eth1's text authentication has none.
    assert_eq!(errors.len(), 1, "{errors}");
    assert!(errors.errors[0].message.contains("has no keys"));
}

#[test]
fn md5_with_a_string_uses_key_id_1() {
    let conf = "\
router rip
 network 10.0.0.0/8
interface vti02
 ip rip authentication string md5pass
 ip rip authentication mode md5
";
    let (toml, notes) = import(conf);
    assert!(notes.is_empty(), "{notes:#?}");
    let auth = &parsed(&toml).engine.interfaces["vti02"].authentication;
    assert_eq!(auth.mode, AuthMode::KeyedMd5);
    assert_eq!(auth.keys, [KeyConfig::new(1, b"md5pass")]);
}

#[test]
fn names_that_toml_must_quote() {
    let conf = "\
router rip
 network eth0.100
 distribute-list prefix my.list out eth0.100
ip prefix-list my.list permit 10.0.0.0/8
";
    let (toml, notes) = import(conf);
    assert!(notes.is_empty(), "{notes:#?}");
    let settings = parsed(&toml);
    assert_eq!(
        settings.engine.interfaces["eth0.100"].filter_out.as_deref(),
        Some("my.list")
    );
}

#[test]
fn access_lists_and_prefix_lists_with_one_name() {
    let conf = "\
router rip
 network 10.0.0.0/8
 distribute-list same in
 distribute-list prefix same out
access-list same permit 10.1.0.0/16 exact-match
ip prefix-list same deny any
";
    let (toml, notes) = import(conf);
    assert!(notes.is_empty(), "{notes:#?}");
    let settings = parsed(&toml);
    assert_eq!(
        settings.engine.filter_in.as_deref(),
        Some("access-list-same")
    );
    assert_eq!(settings.engine.filter_out.as_deref(), Some("same"));
    assert_eq!(
        settings.engine.prefix_lists["access-list-same"].rules,
        [PrefixRule {
            permit: true,
            prefix: p("10.1.0.0/16"),
            ge: None,
            le: None
        }]
    );
}

#[test]
fn log_levels_and_timers() {
    let conf = "\
log file /var/log/ripd.log debugging
router rip
 network 10.0.0.0/8
 timers basic 5 15 10
 allow-ecmp 4
";
    let (toml, notes) = import(conf);
    assert!(notes.is_empty(), "{notes:#?}");
    let settings = parsed(&toml);
    assert_eq!(settings.log.level, LogLevel::Debug);
    assert_eq!(settings.engine.timers.update, Duration::from_secs(5));
    assert_eq!(settings.engine.max_paths, 4);
}

#[test]
fn an_empty_file_gives_a_file_that_parses() {
    let (toml, notes) = import("");
    assert!(notes.is_empty());
    assert!(parsed(&toml).engine.networks.is_empty());
}
