//! One test per rule of ripd.toml, and CONFIG.md's example verbatim.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use rip_codec::{AuthMode, Ipv4Prefix, Md5AuthLen};
use rip_engine::{
    Authentication, Direction, EngineConfig, InterfaceConfig, KeyConfig, OffsetList, PrefixList,
    PrefixRule, ReceiveVersion, Redistribute, SendVersion, SplitHorizon, Timers,
};

use super::*;

/// The example of CONFIG.md, verbatim.
const CONFIG_MD_EXAMPLE: &str = r#"[rip]
# Like quagga's `network`: run RIP on every interface with an address inside one of
# these prefixes (or named here), and advertise their connected subnets.
networks = ["192.168.20.0/24", "192.168.10.0/24"]
passive-interfaces = ["eth1"]      # advertised, but nothing sent there (as in quagga,
                                   # packets received there are still processed)
neighbors = []                     # extra unicast peers, e.g. where multicast is impossible
default-metric = 1
default-information-originate = false
redistribute = []                  # any of "connected", "static", "kernel"

[rip.timers]                       # seconds (integers); tests and labs may use 1
update = 30
timeout = 180
garbage = 120

[kernel]
table = "main"                     # "main" or a number, e.g. 5 for the VTI's mark table
metric = 20                        # kernel priority of installed routes
keep-routes-on-exit = false

[interfaces.vti02]
multicast = "auto"                 # "auto": turn IFF_MULTICAST on when it is off (a VTI's
                                   # default) and log that it did; "keep": never touch it
split-horizon = "simple"           # "simple", "poisoned-reverse" or "off"
cost = 1                           # added to metrics learned here (1..=15)
authentication = { mode = "md5", key-chain = "vpn" }
# mode: "none", "text" (with password = "..."), "md5", "hmac-sha1",
#       "hmac-sha256", "hmac-sha384", "hmac-sha512" (with key-chain)

[key-chains.vpn]
keys = [
  { id = 1, secret = "change-me" },
  # { id = 2, secret-file = "/etc/riprs/key2", send-from = "2027-01-01T00:00:00Z" },
]

[control]
socket = "/run/riprs/riprs.sock"

[log]
level = "info"                     # error, warn, info, debug, trace
# file = "/var/log/riprs.log"      # default: stderr
"#;

const MINIMAL: &str = "[rip]\nnetworks = [\"10.0.0.0/8\"]\n";

fn ok(text: &str) -> Settings {
    match parse(text, "ripd.toml") {
        Ok(settings) => settings,
        Err(e) => panic!("unexpected errors:\n{e}"),
    }
}

fn errors(text: &str) -> ConfigErrors {
    match parse(text, "ripd.toml") {
        Ok(settings) => panic!("expected errors, got {settings:#?}"),
        Err(e) => e,
    }
}

/// The only error of `text`.
fn error(text: &str) -> ConfigError {
    let found = errors(text);
    assert_eq!(found.len(), 1, "expected one error, got:\n{found}");
    found.errors[0].clone()
}

fn p(s: &str) -> Ipv4Prefix {
    s.parse().unwrap()
}

fn at(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
}

/// MINIMAL with more text after it.
fn with(more: &str) -> String {
    format!("{MINIMAL}{more}")
}

/// MINIMAL with more keys in its [rip] table.
fn rip_with(more: &str) -> String {
    format!("{MINIMAL}{}", more.trim_start_matches('\n'))
}

fn interface_with(more: &str) -> String {
    with(&format!("[interfaces.vti02]\n{more}\n"))
}

// ---------------------------------------------------------------- CONFIG.md

#[test]
fn config_md_example_parses_to_the_documented_values() {
    let settings = ok(CONFIG_MD_EXAMPLE);
    let mut interfaces = BTreeMap::new();
    interfaces.insert(
        "vti02".to_string(),
        InterfaceConfig {
            split_horizon: SplitHorizon::Simple,
            cost: 1,
            authentication: Authentication {
                mode: AuthMode::KeyedMd5,
                keys: vec![KeyConfig::new(1, b"change-me")],
                md5_auth_len: Md5AuthLen::OldRipd,
            },
            filter_in: None,
            filter_out: None,
            passive: None,
            send_version: SendVersion::V2,
            receive_version: ReceiveVersion::Both,
        },
    );
    let engine = EngineConfig {
        networks: vec![p("192.168.20.0/24"), p("192.168.10.0/24")],
        network_interfaces: vec![],
        passive_interfaces: vec!["eth1".to_string()],
        passive_default: false,
        neighbors: vec![],
        default_metric: 1,
        default_information_originate: false,
        originate: vec![],
        redistribute: Redistribute::default(),
        timers: Timers {
            update: Duration::from_secs(30),
            timeout: Duration::from_secs(180),
            garbage: Duration::from_secs(120),
        },
        max_paths: 1,
        max_routes: 1_000_000,
        interfaces,
        prefix_lists: BTreeMap::new(),
        filter_in: None,
        filter_out: None,
        offsets: vec![],
    };
    assert_eq!(settings.engine, engine);
    assert_eq!(
        settings.kernel,
        KernelSettings {
            table: 254,
            metric: 20,
            keep_routes_on_exit: false
        }
    );
    assert_eq!(
        settings.multicast,
        BTreeMap::from([("vti02".to_string(), MulticastMode::Auto)])
    );
    assert_eq!(
        settings.control_socket,
        PathBuf::from("/run/riprs/riprs.sock")
    );
    assert_eq!(
        settings.log,
        LogSettings {
            level: LogLevel::Info,
            file: None
        }
    );
    assert!(settings.warnings.is_empty(), "{:?}", settings.warnings);
}

#[test]
fn every_key_but_networks_has_the_documented_default() {
    let settings = ok(MINIMAL);
    let engine = EngineConfig {
        networks: vec![p("10.0.0.0/8")],
        ..EngineConfig::default()
    };
    assert_eq!(settings.engine, engine);
    assert_eq!(settings.engine.timers, Timers::default());
    assert_eq!(settings.engine.timers.update, Duration::from_secs(30));
    assert_eq!(settings.engine.timers.timeout, Duration::from_secs(180));
    assert_eq!(settings.engine.timers.garbage, Duration::from_secs(120));
    assert_eq!(settings.engine.default_metric, 1);
    assert_eq!(settings.engine.max_paths, 1);
    assert_eq!(settings.engine.max_routes, 1_000_000);
    assert_eq!(settings.kernel, KernelSettings::default());
    assert_eq!(settings.kernel.table, TABLE_MAIN);
    assert_eq!(settings.kernel.metric, 20);
    assert!(!settings.kernel.keep_routes_on_exit);
    assert_eq!(
        settings.control_socket,
        PathBuf::from("/run/riprs/riprs.sock")
    );
    assert_eq!(settings.log, LogSettings::default());
    assert_eq!(settings.log.level, LogLevel::Info);
    assert_eq!(settings.multicast_mode("vti02"), MulticastMode::Auto);
}

#[test]
fn an_interface_table_gets_the_documented_defaults() {
    let settings = ok(&with("[interfaces.vti02]\n"));
    let vti = &settings.engine.interfaces["vti02"];
    assert_eq!(vti, &InterfaceConfig::default());
    assert_eq!(vti.split_horizon, SplitHorizon::Simple);
    assert_eq!(vti.cost, 1);
    assert_eq!(vti.authentication.mode, AuthMode::None);
    assert_eq!(settings.multicast_mode("vti02"), MulticastMode::Auto);
}

// ------------------------------------------------------ errors and their shape

#[test]
fn errors_print_file_line_column_key_and_what_is_allowed() {
    let text = with("[interfaces.vti02]\nsplit-horizon = \"sometimes\"\n");
    let e = error(&text);
    assert_eq!((e.line, e.column), (4, 17));
    assert_eq!(e.key, "interfaces.vti02.split-horizon");
    assert_eq!(
        e.to_string(),
        "ripd.toml:4:17: interfaces.vti02.split-horizon: \"sometimes\" is not allowed: \
         expected one of \"simple\", \"poisoned-reverse\", \"off\""
    );
}

#[test]
fn every_error_is_reported_in_file_order() {
    let text = r#"[rip]
networks = ["10.0.0.1/8", "eth0"]
neighbors = ["224.0.0.9"]
colour = "blue"

[rip.timers]
update = 0

[interfaces.vti02]
cost = 16
"#;
    let found = errors(text);
    let lines: Vec<String> = found
        .iter()
        .map(|e| format!("{}:{} {}", e.line, e.column, e.key))
        .collect();
    assert_eq!(
        lines,
        [
            "2:13 rip.networks[0]",
            "3:14 rip.neighbors[0]",
            "4:1 rip.colour",
            "7:10 rip.timers.update",
            "10:8 interfaces.vti02.cost",
        ]
    );
    let printed = found.to_string();
    assert_eq!(printed.lines().count(), 5);
    assert!(
        printed.starts_with("ripd.toml:2:13: rip.networks[0]: \"10.0.0.1/8\" has host bits set")
    );
}

#[test]
fn unknown_keys_are_errors_listing_the_allowed_ones() {
    let e = error(&interface_with("split_horizon = \"off\""));
    assert_eq!(e.key, "interfaces.vti02.split_horizon");
    assert!(e.message.contains("unknown key"), "{}", e.message);
    assert!(
        e.message.contains("did you mean `split-horizon`"),
        "{}",
        e.message
    );
    assert!(
        e.message.contains(
            "allowed here: multicast, split-horizon, cost, authentication, distribute-list"
        ),
        "{}",
        e.message
    );

    let e = error(&with("[routing]\n"));
    assert_eq!(e.key, "routing");
    assert!(
        e.message
            .contains("rip, kernel, interfaces, key-chains, prefix-lists, control, log")
    );

    let e = error(&with("[kernel]\ntabel = 5\n"));
    assert_eq!(e.key, "kernel.tabel");
    assert!(e.message.contains("did you mean `table`"));
}

#[test]
fn toml_syntax_errors_have_a_place() {
    let found = errors("[rip]\nnetworks = [\"10.0.0.0/8\"\n");
    let e = &found.errors[0];
    assert_eq!(e.key, "");
    assert_eq!(e.line, 2);
    assert!(e.to_string().starts_with("ripd.toml:2:"), "{e}");
    // Values of the half-parsed tree are not checked: no echoes.
    assert!(found.iter().all(|e| e.key.is_empty()), "{found}");
    let found = errors("[rip]\nnetworks = [\"10.0.0.0/8\"]\n[rip]\ncost = 1\n");
    assert!(found.errors[0].message.contains("duplicate"), "{found}");
    assert_eq!(found.errors[0].line, 3);
}

#[test]
fn wrong_types_say_what_was_expected() {
    let e = error(&with("[kernel]\nkeep-routes-on-exit = \"yes\"\n"));
    assert_eq!(e.message, "expected true or false, found a string");
    let e = error(&interface_with("cost = \"1\""));
    assert_eq!(
        e.message,
        "expected an integer from 1 to 15, found a string"
    );
    let e = error("rip = 5\n");
    assert_eq!(e.key, "rip");
    assert_eq!(e.message, "expected a table, found an integer");
}

#[test]
fn an_unreadable_file_is_one_error_without_a_position() {
    let found = load(std::path::Path::new("/nonexistent/ripd.toml")).unwrap_err();
    assert_eq!(found.len(), 1);
    let printed = found.to_string();
    assert!(
        printed.starts_with("/nonexistent/ripd.toml: cannot read the file:"),
        "{printed}"
    );
}

// ------------------------------------------------------------------- [rip]

#[test]
fn networks_are_required() {
    let e = error("[kernel]\ntable = 5\n");
    assert_eq!(e.key, "rip.networks");
    assert!(e.message.starts_with("required"));
    let e = error("[rip]\npassive-interfaces = [\"eth1\"]\n");
    assert_eq!(e.key, "rip.networks");
    assert_eq!(e.line, 1);
}

#[test]
fn networks_are_prefixes_or_interface_names() {
    let settings =
        ok("[rip]\nnetworks = [\"10.0.0.0/8\", \"vti02\", \"192.168.1.0/24\", \"eth0.100\"]\n");
    assert_eq!(
        settings.engine.networks,
        [p("10.0.0.0/8"), p("192.168.1.0/24")]
    );
    assert_eq!(settings.engine.network_interfaces, ["vti02", "eth0.100"]);
    let e = error("[rip]\nnetworks = [\"192.168.20.1/24\"]\n");
    assert_eq!(e.key, "rip.networks[0]");
    assert!(e.message.contains("\"192.168.20.1/24\" has host bits set"));
    assert!(e.message.contains("192.168.20.0/24"));
    let e = error("[rip]\nnetworks = [\"192.168.20.1\"]\n");
    assert!(e.message.contains("prefix length"));
    let e = error("[rip]\nnetworks = [\"10.0.0.0/33\"]\n");
    assert!(e.message.contains("above 32"));
    let e = error("[rip]\nnetworks = [\"not an interface\"]\n");
    assert!(e.message.contains("not an interface name"));
    let e = error("[rip]\nnetworks = [5]\n");
    assert_eq!(e.key, "rip.networks[0]");
    assert!(ok("[rip]\nnetworks = []\n").engine.networks.is_empty());
}

#[test]
fn passive_interfaces_are_interface_names() {
    let settings = ok(&rip_with("\npassive-interfaces = [\"eth1\", \"lan0\"]\n"));
    assert_eq!(settings.engine.passive_interfaces, ["eth1", "lan0"]);
    let e = error(&rip_with("\npassive-interfaces = [\"eth/1\"]\n"));
    assert_eq!(e.key, "rip.passive-interfaces[0]");
}

#[test]
fn passive_by_default_with_exceptions() {
    let settings = ok(&format!(
        "{}\n[interfaces.vti02]\npassive = false\n[interfaces.eth1]\npassive = true\n",
        rip_with("passive-default = true")
    ));
    let e = &settings.engine;
    assert!(e.passive_default);
    assert!(!e.is_passive("vti02"), "its own setting wins");
    assert!(e.is_passive("eth1"));
    assert!(e.is_passive("eth7"), "not named anywhere: the default");
    assert!(
        settings.summary().contains("passive but vti02"),
        "{}",
        settings.summary()
    );

    // Without the default, `passive = true` is the same as listing it.
    let settings = ok(&interface_with("passive = true"));
    assert!(settings.engine.is_passive("vti02"));
    assert!(!settings.engine.is_passive("eth1"));
    assert!(
        settings.summary().contains("1 passive"),
        "{}",
        settings.summary()
    );

    let e = error(&format!(
        "{}\n[interfaces.eth1]\npassive = false\n",
        rip_with("passive-interfaces = [\"eth1\"]")
    ));
    assert_eq!(e.key, "interfaces.eth1.passive");
    assert!(
        e.message.contains("rip.passive-interfaces"),
        "{}",
        e.message
    );
    let e = error(&rip_with("passive-default = \"yes\""));
    assert_eq!(e.key, "rip.passive-default");
}

#[test]
fn originate_takes_routable_prefixes_once() {
    let settings = ok(&rip_with("originate = [\"10.5.0.0/16\", \"0.0.0.0/0\"]"));
    assert_eq!(
        settings.engine.originate,
        [p("10.5.0.0/16"), p("0.0.0.0/0")]
    );
    let e = error(&rip_with("originate = [\"10.5.0.1/16\"]"));
    assert_eq!(e.key, "rip.originate[0]");
    assert!(e.message.contains("host bits"), "{}", e.message);
    for martian in ["127.0.0.0/8", "224.0.0.0/4", "0.1.0.0/16"] {
        let e = error(&rip_with(&format!("originate = [\"{martian}\"]")));
        assert!(
            e.message.contains("not a destination"),
            "{martian}: {}",
            e.message
        );
    }
    let e = error(&rip_with("originate = [\"10.5.0.0/16\", \"10.5.0.0/16\"]"));
    assert_eq!(e.key, "rip.originate[1]");
}

#[test]
fn rip_versions_per_interface() {
    let settings = ok(&interface_with(
        "send-version = \"v1\"\nreceive-version = \"v1\"",
    ));
    let vti = &settings.engine.interfaces["vti02"];
    assert_eq!(vti.send_version, SendVersion::V1);
    assert_eq!(vti.receive_version, ReceiveVersion::V1Only);
    let settings = ok(&interface_with(
        "send-version = \"v2-broadcast\"\nreceive-version = \"v2\"",
    ));
    let vti = &settings.engine.interfaces["vti02"];
    assert_eq!(vti.send_version, SendVersion::V2Broadcast);
    assert_eq!(vti.receive_version, ReceiveVersion::V2Only);
    let e = error(&interface_with("send-version = \"2\""));
    assert_eq!(e.key, "interfaces.vti02.send-version");
    // RIPv1 cannot authenticate.
    let found = errors(&format!(
        "{}\n[key-chains.vpn]\nkeys = [{{ id = 1, secret = \"s\" }}]\n",
        interface_with(
            "send-version = \"v1\"\nreceive-version = \"v1\"\n\
             authentication = { mode = \"md5\", key-chain = \"vpn\" }"
        )
    ));
    let keys: Vec<&str> = found.errors.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "interfaces.vti02.send-version",
            "interfaces.vti02.receive-version"
        ],
        "{found}"
    );
}

#[test]
fn neighbors_are_unicast_addresses() {
    let settings = ok(&rip_with("\nneighbors = [\"192.0.2.1\", \"10.1.1.1\"]\n"));
    assert_eq!(
        settings.engine.neighbors,
        [Ipv4Addr::new(192, 0, 2, 1), Ipv4Addr::new(10, 1, 1, 1)]
    );
    for bad in [
        "224.0.0.9",
        "255.255.255.255",
        "0.0.0.0",
        "127.0.0.1",
        "10.0.0.0/8",
        "peer",
    ] {
        let e = error(&rip_with(&format!("\nneighbors = [\"{bad}\"]\n")));
        assert_eq!(e.key, "rip.neighbors[0]");
        assert!(e.message.contains(bad), "{}", e.message);
    }
}

#[test]
fn default_metric_is_1_to_16_and_originate_is_a_boolean() {
    let settings = ok(&rip_with(
        "\ndefault-metric = 3\ndefault-information-originate = true\n",
    ));
    assert_eq!(settings.engine.default_metric, 3);
    assert!(settings.engine.default_information_originate);
    for bad in ["0", "17", "-1"] {
        let e = error(&rip_with(&format!("\ndefault-metric = {bad}\n")));
        assert!(e.message.contains("from 1 to 16"), "{}", e.message);
    }
}

#[test]
fn redistribute_takes_connected_static_kernel() {
    let settings = ok(&rip_with("\nredistribute = [\"connected\", \"kernel\"]\n"));
    assert_eq!(
        settings.engine.redistribute,
        Redistribute {
            connected: true,
            kernel: true,
            ..Redistribute::default()
        }
    );
    let settings = ok(&rip_with("\nredistribute = [\"static\"]\n"));
    assert!(settings.engine.redistribute.static_routes);
    let e = error(&rip_with("\nredistribute = [\"ospf\"]\n"));
    assert_eq!(e.key, "rip.redistribute[0]");
    assert!(e.message.contains("\"connected\", \"static\", \"kernel\""));
}

/// quagga's `redistribute KIND metric N`: a table with the kind and metric.
#[test]
fn redistribute_takes_a_metric_per_kind() {
    let settings = ok(&rip_with(
        "redistribute = [\"connected\", { kind = \"static\", metric = 3 }]",
    ));
    assert_eq!(
        settings.engine.redistribute,
        Redistribute {
            connected: true,
            static_routes: true,
            static_metric: Some(3),
            ..Redistribute::default()
        }
    );
    let e = error(&rip_with(
        "redistribute = [{ kind = \"static\", metric = 17 }]",
    ));
    assert_eq!(e.key, "rip.redistribute[0].metric");
    let e = error(&rip_with("redistribute = [{ metric = 2 }]"));
    assert_eq!(e.key, "rip.redistribute[0].kind");
    let e = error(&rip_with(
        "redistribute = [{ kind = \"kernel\", metrc = 2 }]",
    ));
    assert_eq!(e.key, "rip.redistribute[0].metrc");
}

#[test]
fn timers_are_positive_integers() {
    let settings = ok(&with(
        "[rip.timers]\nupdate = 1\ntimeout = 6\ngarbage = 4\n",
    ));
    assert_eq!(
        settings.engine.timers,
        Timers {
            update: Duration::from_secs(1),
            timeout: Duration::from_secs(6),
            garbage: Duration::from_secs(4),
        }
    );
    for bad in ["0", "-30", "1.5", "\"30\""] {
        let e = error(&with(&format!("[rip.timers]\nupdate = {bad}\n")));
        assert_eq!(e.key, "rip.timers.update");
        assert!(e.message.contains("from 1 to 2147483647"), "{}", e.message);
    }
    let e = error(&with("[rip.timers]\ngarbage = 0\n"));
    assert_eq!(e.key, "rip.timers.garbage");
    let e = error(&with("[rip.timers]\nupdates = 5\n"));
    assert!(e.message.contains("update, timeout, garbage"));
}

#[test]
fn a_timeout_not_longer_than_update_is_a_warning() {
    let settings = ok(&with("[rip.timers]\nupdate = 30\ntimeout = 30\n"));
    assert_eq!(settings.warnings.len(), 1);
    let w = &settings.warnings[0];
    assert_eq!(w.key, "rip.timers.timeout");
    assert_eq!(w.severity, Severity::Warning);
    assert!(w.to_string().contains(": warning: timeout (30s)"), "{w}");
}

#[test]
fn max_paths_and_max_routes() {
    let settings = ok(&rip_with("\nmax-paths = 4\nmax-routes = 5000\n"));
    assert_eq!(settings.engine.max_paths, 4);
    assert_eq!(settings.engine.max_routes, 5000);
    let e = error(&rip_with("\nmax-paths = 0\n"));
    assert_eq!(e.key, "rip.max-paths");
    let e = error(&rip_with("\nmax-routes = 0\n"));
    assert_eq!(e.key, "rip.max-routes");
}

// ---------------------------------------------------------------- [kernel]

#[test]
fn kernel_table_is_main_or_a_number() {
    let table = |v: &str| ok(&with(&format!("[kernel]\ntable = {v}\n"))).kernel.table;
    assert_eq!(table("\"main\""), 254);
    assert_eq!(table("5"), 5);
    assert_eq!(table("\"5\""), 5);
    assert_eq!(table("254"), 254);
    assert_eq!(table("4294967295"), u32::MAX);
    for bad in ["0", "255", "\"local\"", "-1", "4294967296", "true"] {
        let e = error(&with(&format!("[kernel]\ntable = {bad}\n")));
        assert_eq!(e.key, "kernel.table");
        assert!(
            e.message.contains("\"main\" or a table number"),
            "{bad}: {}",
            e.message
        );
    }
}

#[test]
fn kernel_metric_and_keep_routes() {
    let settings = ok(&with("[kernel]\nmetric = 0\nkeep-routes-on-exit = true\n"));
    assert_eq!(settings.kernel.metric, 0);
    assert!(settings.kernel.keep_routes_on_exit);
    let e = error(&with("[kernel]\nmetric = -1\n"));
    assert_eq!(e.key, "kernel.metric");
}

// ------------------------------------------------------ [control] and [log]

#[test]
fn control_socket_and_log() {
    let settings = ok(&with(
        "[control]\nsocket = \"/tmp/r.sock\"\n[log]\nlevel = \"debug\"\nfile = \"/var/log/riprs.log\"\n",
    ));
    assert_eq!(settings.control_socket, PathBuf::from("/tmp/r.sock"));
    assert_eq!(settings.log.level, LogLevel::Debug);
    assert_eq!(settings.log.file, Some(PathBuf::from("/var/log/riprs.log")));
    for (name, level) in [
        ("error", LogLevel::Error),
        ("warn", LogLevel::Warn),
        ("info", LogLevel::Info),
        ("trace", LogLevel::Trace),
    ] {
        assert_eq!(
            ok(&with(&format!("[log]\nlevel = \"{name}\"\n"))).log.level,
            level
        );
        assert_eq!(level.as_str(), name);
    }
    let e = error(&with("[log]\nlevel = \"verbose\"\n"));
    assert!(
        e.message
            .contains("\"error\", \"warn\", \"info\", \"debug\", \"trace\"")
    );
    let e = error(&with("[control]\nsocket = \"\"\n"));
    assert_eq!(e.key, "control.socket");
}

// ---------------------------------------------------------- [interfaces.NAME]

#[test]
fn multicast_is_auto_or_keep() {
    let settings = ok(&with(
        "[interfaces.vti02]\nmulticast = \"keep\"\n[interfaces.vti03]\n",
    ));
    assert_eq!(settings.multicast_mode("vti02"), MulticastMode::Keep);
    assert_eq!(settings.multicast_mode("vti03"), MulticastMode::Auto);
    assert_eq!(settings.multicast_mode("eth9"), MulticastMode::Auto);
    let e = error(&interface_with("multicast = \"on\""));
    assert!(e.message.contains("\"auto\", \"keep\""));
}

#[test]
fn split_horizon_modes() {
    for (name, mode) in [
        ("simple", SplitHorizon::Simple),
        ("poisoned-reverse", SplitHorizon::PoisonedReverse),
        ("off", SplitHorizon::Off),
    ] {
        let settings = ok(&interface_with(&format!("split-horizon = \"{name}\"")));
        assert_eq!(settings.engine.interfaces["vti02"].split_horizon, mode);
    }
}

#[test]
fn cost_is_1_to_15() {
    assert_eq!(
        ok(&interface_with("cost = 15")).engine.interfaces["vti02"].cost,
        15
    );
    for bad in ["0", "16"] {
        let e = error(&interface_with(&format!("cost = {bad}")));
        assert_eq!(e.key, "interfaces.vti02.cost");
        assert!(e.message.contains("from 1 to 15"));
    }
}

#[test]
fn interface_names_are_checked() {
    let e = error(&with("[interfaces.\"eth 0\"]\n"));
    assert_eq!(e.key, "interfaces.\"eth 0\"");
    assert!(e.message.contains("not an interface name"));
    let e = error(&with("[interfaces.averyveryverylongname]\n"));
    assert!(e.message.contains("at most 15"));
    let settings = ok(&with("[interfaces.\"eth0.100\"]\ncost = 2\n"));
    assert_eq!(settings.engine.interfaces["eth0.100"].cost, 2);
}

// ------------------------------------------------------------ authentication

const VPN_CHAIN: &str = "[key-chains.vpn]\nkeys = [{ id = 1, secret = \"change-me\" }]\n";

fn auth_of(text: &str) -> Authentication {
    ok(text).engine.interfaces["vti02"].authentication.clone()
}

#[test]
fn md5_with_a_key_chain() {
    let auth = auth_of(&format!(
        "{}{VPN_CHAIN}",
        interface_with(
            "authentication = { mode = \"md5\", key-chain = \"vpn\", md5-auth-length = \"rfc\" }"
        )
    ));
    assert_eq!(auth.mode, AuthMode::KeyedMd5);
    assert_eq!(auth.keys, [KeyConfig::new(1, b"change-me")]);
    assert_eq!(auth.md5_auth_len, Md5AuthLen::Rfc);
    let auth = auth_of(&format!(
        "{}{VPN_CHAIN}",
        interface_with(
            "authentication = { mode = \"md5\", key-chain = \"vpn\", md5-auth-length = \"old-ripd\" }"
        )
    ));
    assert_eq!(auth.md5_auth_len, Md5AuthLen::OldRipd);
}

#[test]
fn hmac_modes_take_a_key_chain() {
    for (name, mode) in [
        ("hmac-sha1", AuthMode::HmacSha1),
        ("hmac-sha256", AuthMode::HmacSha256),
        ("hmac-sha384", AuthMode::HmacSha384),
        ("hmac-sha512", AuthMode::HmacSha512),
    ] {
        let auth = auth_of(&format!(
            "{}{VPN_CHAIN}",
            interface_with(&format!(
                "authentication = {{ mode = \"{name}\", key-chain = \"vpn\" }}"
            ))
        ));
        assert_eq!(auth.mode, mode);
        assert_eq!(auth.keys.len(), 1);
    }
}

#[test]
fn text_with_a_password_or_a_key_chain() {
    let auth = auth_of(&interface_with(
        "authentication = { mode = \"text\", password = \"s3cret\" }",
    ));
    assert_eq!(auth.mode, AuthMode::Password);
    assert_eq!(auth.keys, [KeyConfig::new(1, b"s3cret")]);
    let auth = auth_of(&format!(
        "{}{VPN_CHAIN}",
        interface_with("authentication = { mode = \"text\", key-chain = \"vpn\" }")
    ));
    assert_eq!(auth.mode, AuthMode::Password);
    assert_eq!(auth.keys, [KeyConfig::new(1, b"change-me")]);
}

#[test]
fn text_passwords_are_at_most_16_octets() {
    let auth = auth_of(&interface_with(
        "authentication = { mode = \"text\", password = \"0123456789abcdef\" }",
    ));
    assert_eq!(auth.keys[0].secret.len(), 16);
    let e = error(&interface_with(
        "authentication = { mode = \"text\", password = \"0123456789abcdefg\" }",
    ));
    assert_eq!(e.key, "interfaces.vti02.authentication.password");
    assert!(e.message.contains("17 octets"));
    let e = error(&format!(
        "{}[key-chains.long]\nkeys = [{{ id = 3, secret = \"0123456789abcdefXYZ\" }}]\n",
        interface_with("authentication = { mode = \"text\", key-chain = \"long\" }")
    ));
    assert_eq!(e.key, "interfaces.vti02.authentication.key-chain");
    assert!(
        e.message
            .contains("key 3 of key chain \"long\" is 19 octets")
    );
    let e = error(&interface_with(
        "authentication = { mode = \"text\", password = \"\" }",
    ));
    assert!(e.message.contains("cannot be empty"));
}

#[test]
fn a_key_chain_that_does_not_exist() {
    let e = error(&format!(
        "{}{VPN_CHAIN}",
        interface_with("authentication = { mode = \"md5\", key-chain = \"vnp\" }")
    ));
    assert_eq!(e.key, "interfaces.vti02.authentication.key-chain");
    assert_eq!(
        e.message,
        "key chain \"vnp\" is not defined; defined: \"vpn\""
    );
    let e = error(&interface_with(
        "authentication = { mode = \"md5\", key-chain = \"vpn\" }",
    ));
    assert!(
        e.message
            .contains("none is defined (add [key-chains.NAME])")
    );
}

#[test]
fn a_mode_needing_keys_without_any() {
    let e = error(&interface_with("authentication = { mode = \"md5\" }"));
    assert_eq!(e.key, "interfaces.vti02.authentication");
    assert!(e.message.contains("mode \"md5\" needs key-chain"));
    let e = error(&interface_with("authentication = { mode = \"text\" }"));
    assert!(e.message.contains("mode \"text\" needs password"));
    let e = error(&format!(
        "{}[key-chains.vpn]\nkeys = []\n",
        interface_with("authentication = { mode = \"hmac-sha256\", key-chain = \"vpn\" }")
    ));
    assert!(e.message.contains("key chain \"vpn\" has no keys"));
    let e = error(&interface_with("authentication = { key-chain = \"vpn\" }"));
    assert_eq!(e.key, "interfaces.vti02.authentication.mode");
}

#[test]
fn authentication_keys_that_do_not_go_together() {
    let e = error(&format!(
        "{}{VPN_CHAIN}",
        interface_with("authentication = { mode = \"none\", key-chain = \"vpn\" }")
    ));
    assert!(e.message.contains("mode \"none\" takes no key-chain"));
    let e = error(&format!(
        "{}{VPN_CHAIN}",
        interface_with(
            "authentication = { mode = \"md5\", key-chain = \"vpn\", password = \"x\" }"
        )
    ));
    assert_eq!(e.key, "interfaces.vti02.authentication.password");
    let e = error(&format!(
        "{}{VPN_CHAIN}",
        interface_with(
            "authentication = { mode = \"text\", key-chain = \"vpn\", password = \"x\" }"
        )
    ));
    assert!(e.message.contains("either password or key-chain"));
    let e = error(&format!(
        "{}{VPN_CHAIN}",
        interface_with(
            "authentication = { mode = \"hmac-sha1\", key-chain = \"vpn\", md5-auth-length = \"rfc\" }"
        )
    ));
    assert_eq!(e.key, "interfaces.vti02.authentication.md5-auth-length");
    let e = error(&interface_with("authentication = { mode = \"sha\" }"));
    assert!(e.message.contains("\"none\", \"text\", \"md5\""));
    let e = error(&interface_with(
        "authentication = { mode = \"none\", keychain = \"vpn\" }",
    ));
    assert!(e.message.contains("did you mean `key-chain`"));
    let auth = auth_of(&interface_with("authentication = { mode = \"none\" }"));
    assert_eq!(auth, Authentication::default());
}

#[test]
fn long_md5_keys_are_a_warning() {
    let settings = ok(&format!(
        "{}[key-chains.vpn]\nkeys = [{{ id = 1, secret = \"0123456789abcdefXYZ\" }}]\n",
        interface_with("authentication = { mode = \"md5\", key-chain = \"vpn\" }")
    ));
    assert_eq!(settings.warnings.len(), 1);
    assert!(settings.warnings[0].message.contains("only the first 16"));
}

// -------------------------------------------------------------- key chains

#[test]
fn key_ids_are_0_to_255_and_unique() {
    let settings = ok(&format!(
        "{}[key-chains.vpn]\nkeys = [{{ id = 0, secret = \"a\" }}, {{ id = 255, secret = \"b\" }}]\n",
        interface_with("authentication = { mode = \"md5\", key-chain = \"vpn\" }")
    ));
    let ids: Vec<u8> = settings.engine.interfaces["vti02"]
        .authentication
        .keys
        .iter()
        .map(|k| k.id)
        .collect();
    assert_eq!(ids, [0, 255]);
    let e = error(&with(
        "[key-chains.vpn]\nkeys = [{ id = 256, secret = \"a\" }]\n",
    ));
    assert_eq!(e.key, "key-chains.vpn.keys[0].id");
    assert!(e.message.contains("from 0 to 255"));
    let e = error(&with(
        "[key-chains.vpn]\nkeys = [{ id = 1, secret = \"a\" }, { id = 1, secret = \"b\" }]\n",
    ));
    assert_eq!(e.key, "key-chains.vpn.keys[1].id");
    assert!(e.message.contains("appears twice"));
    let e = error(&with("[key-chains.vpn]\nkeys = [{ secret = \"a\" }]\n"));
    assert_eq!(e.key, "key-chains.vpn.keys[0].id");
}

#[test]
fn secrets_are_non_empty_and_given_once() {
    let e = error(&with(
        "[key-chains.vpn]\nkeys = [{ id = 1, secret = \"\" }]\n",
    ));
    assert_eq!(e.key, "key-chains.vpn.keys[0].secret");
    assert!(e.message.contains("cannot be empty"));
    let e = error(&with("[key-chains.vpn]\nkeys = [{ id = 1 }]\n"));
    assert!(e.message.contains("secret = \"...\" or secret-file"));
    let e = error(&with(
        "[key-chains.vpn]\nkeys = [{ id = 1, secret = \"a\", secret-file = \"k\" }]\n",
    ));
    assert!(e.message.contains("not both"));
    let e = error(&with("[key-chains.vpn]\n"));
    assert_eq!(e.key, "key-chains.vpn.keys");
}

#[test]
fn secret_files_are_read_relative_to_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("key2"), "from-a-file\n").unwrap();
    std::fs::write(dir.path().join("key3"), "two-lines\n\n").unwrap();
    std::fs::write(dir.path().join("empty"), "\n").unwrap();
    let config = dir.path().join("ripd.toml");
    std::fs::write(
        &config,
        format!(
            "{}[key-chains.vpn]\nkeys = [{{ id = 2, secret-file = \"key2\" }}, {{ id = 3, secret-file = \"key3\" }}]\n",
            interface_with("authentication = { mode = \"md5\", key-chain = \"vpn\" }")
        ),
    )
    .unwrap();
    let settings = load(&config).unwrap();
    let keys = &settings.engine.interfaces["vti02"].authentication.keys;
    assert_eq!(&*keys[0].secret, b"from-a-file");
    assert_eq!(&*keys[1].secret, b"two-lines\n");

    std::fs::write(
        &config,
        with("[key-chains.vpn]\nkeys = [{ id = 2, secret-file = \"missing\" }, { id = 3, secret-file = \"empty\" }]\n"),
    )
    .unwrap();
    let found = load(&config).unwrap_err();
    assert_eq!(found.len(), 2, "{found}");
    let missing = dir.path().join("missing");
    assert!(
        found.errors[0]
            .message
            .contains(&format!("cannot read {}", missing.display())),
        "{}",
        found.errors[0]
    );
    assert!(
        found.errors[1].message.contains("is empty"),
        "{}",
        found.errors[1]
    );
    assert_eq!(found.errors[0].file, config.display().to_string());
}

#[test]
fn key_lifetimes_are_rfc3339_timestamps() {
    let settings = ok(&format!(
        "{}[key-chains.vpn]\nkeys = [{{ id = 2, secret = \"k\", send-from = \"2027-01-01T00:00:00Z\", \
         send-until = \"2028-01-01T00:00:00+01:00\", accept-from = 2026-12-31T00:00:00Z, \
         accept-until = \"2028-01-02T00:00:00Z\" }}]\n",
        interface_with("authentication = { mode = \"md5\", key-chain = \"vpn\" }")
    ));
    let key = &settings.engine.interfaces["vti02"].authentication.keys[0];
    assert_eq!(key.send_from, Some(at(1_798_761_600)));
    assert_eq!(key.send_until, Some(at(1_830_297_600 - 3600)));
    assert_eq!(key.accept_from, Some(at(1_798_761_600 - 86_400)));
    assert_eq!(key.accept_until, Some(at(1_830_297_600 + 86_400)));

    for bad in [
        "\"2027-01-01\"",
        "\"2027-01-01T00:00:00\"",
        "\"tomorrow\"",
        "5",
    ] {
        let e = error(&with(&format!(
            "[key-chains.vpn]\nkeys = [{{ id = 1, secret = \"a\", send-from = {bad} }}]\n"
        )));
        assert_eq!(e.key, "key-chains.vpn.keys[0].send-from");
        assert!(e.message.contains("RFC 3339"), "{}", e.message);
    }
    let e = error(&with(
        "[key-chains.vpn]\nkeys = [{ id = 1, secret = \"a\", accept-from = \"2027-01-01T00:00:00Z\", \
         accept-until = \"2026-01-01T00:00:00Z\" }]\n",
    ));
    assert_eq!(e.key, "key-chains.vpn.keys[0].accept-until");
    assert!(e.message.contains("later than accept-from"));
}

// ------------------------------------------------------------ prefix lists

#[test]
fn prefix_lists_with_ge_and_le() {
    let settings = ok(&with(
        r#"[prefix-lists.lan]
rules = [
  { action = "deny", prefix = "10.9.0.0/16", le = 32 },
  { action = "permit", prefix = "10.0.0.0/8", ge = 16, le = 24 },
  { action = "permit", prefix = "0.0.0.0/0" },
]
"#,
    ));
    assert_eq!(
        settings.engine.prefix_lists["lan"],
        PrefixList {
            rules: vec![
                PrefixRule {
                    permit: false,
                    prefix: p("10.9.0.0/16"),
                    ge: None,
                    le: Some(32)
                },
                PrefixRule {
                    permit: true,
                    prefix: p("10.0.0.0/8"),
                    ge: Some(16),
                    le: Some(24)
                },
                PrefixRule {
                    permit: true,
                    prefix: p("0.0.0.0/0"),
                    ge: None,
                    le: None
                },
            ]
        }
    );
}

#[test]
fn prefix_list_rules_are_checked() {
    let rule = |r: &str| with(&format!("[prefix-lists.l]\nrules = [{r}]\n"));
    let e = error(&rule(
        "{ action = \"permit\", prefix = \"10.0.0.0/8\", ge = 4 }",
    ));
    assert_eq!(e.key, "prefix-lists.l.rules[0].ge");
    assert!(e.message.contains("expected 8 to 32"));
    let e = error(&rule(
        "{ action = \"permit\", prefix = \"10.0.0.0/8\", ge = 24, le = 16 }",
    ));
    assert_eq!(e.key, "prefix-lists.l.rules[0].le");
    assert!(e.message.contains("below ge (24)"));
    let e = error(&rule(
        "{ action = \"permit\", prefix = \"10.0.0.0/8\", le = 4 }",
    ));
    assert!(e.message.contains("below the prefix length (8)"));
    let e = error(&rule(
        "{ action = \"permit\", prefix = \"10.0.0.0/8\", le = 33 }",
    ));
    assert!(e.message.contains("from 0 to 32"));
    let e = error(&rule("{ action = \"allow\", prefix = \"10.0.0.0/8\" }"));
    assert!(e.message.contains("\"permit\", \"deny\""));
    let e = error(&rule("{ action = \"permit\", prefix = \"10.0.0.1/8\" }"));
    assert!(e.message.contains("host bits"));
    let e = error(&rule("{ action = \"permit\" }"));
    assert_eq!(e.key, "prefix-lists.l.rules[0].prefix");
    let e = error(&rule(
        "{ prefix = \"10.0.0.0/8\", seq = 5, action = \"deny\" }",
    ));
    assert_eq!(e.key, "prefix-lists.l.rules[0].seq");
    let settings = ok(&with("[prefix-lists.l]\nrules = []\n"));
    assert!(settings.warnings[0].message.contains("denies every route"));
}

#[test]
fn distribute_lists_and_offset_lists() {
    let settings = ok(&with(
        r#"distribute-list = { in = "lan", out = "lan" }
offset-lists = [
  { prefix-list = "lan", direction = "in", offset = 2 },
  { prefix-list = "lan", direction = "out", offset = 16, interface = "vti02" },
]
[interfaces.vti02]
distribute-list = { out = "lan" }
[prefix-lists.lan]
rules = [{ action = "permit", prefix = "10.0.0.0/8", le = 32 }]
"#,
    ));
    let engine = &settings.engine;
    assert_eq!(engine.filter_in.as_deref(), Some("lan"));
    assert_eq!(engine.filter_out.as_deref(), Some("lan"));
    assert_eq!(engine.interfaces["vti02"].filter_in, None);
    assert_eq!(
        engine.interfaces["vti02"].filter_out.as_deref(),
        Some("lan")
    );
    assert_eq!(
        engine.offsets,
        [
            OffsetList {
                prefix_list: "lan".into(),
                direction: Direction::In,
                offset: 2,
                interface: None
            },
            OffsetList {
                prefix_list: "lan".into(),
                direction: Direction::Out,
                offset: 16,
                interface: Some("vti02".into())
            },
        ]
    );
}

#[test]
fn referenced_prefix_lists_must_be_defined() {
    let found = errors(&with(
        r#"distribute-list = { in = "lan" }
offset-lists = [{ prefix-list = "wan", direction = "in", offset = 1 }]
[interfaces.vti02]
distribute-list = { out = "vpn" }
[prefix-lists.other]
rules = []
"#,
    ));
    let keys: Vec<&str> = found.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "rip.distribute-list.in",
            "rip.offset-lists[0].prefix-list",
            "interfaces.vti02.distribute-list.out"
        ]
    );
    assert_eq!(
        found.errors[0].message,
        "prefix list \"lan\" is not defined; defined: \"other\""
    );
}

#[test]
fn offset_list_entries_are_checked() {
    let offset = |o: &str| {
        with(&format!(
            "offset-lists = [{o}]\n[prefix-lists.l]\nrules = [{{ action = \"permit\", prefix = \"0.0.0.0/0\", le = 32 }}]\n"
        ))
    };
    let e = error(&offset(
        "{ prefix-list = \"l\", direction = \"in\", offset = 17 }",
    ));
    assert_eq!(e.key, "rip.offset-lists[0].offset");
    let e = error(&offset(
        "{ prefix-list = \"l\", direction = \"up\", offset = 1 }",
    ));
    assert!(e.message.contains("\"in\", \"out\""));
    let e = error(&offset("{ prefix-list = \"l\", direction = \"in\" }"));
    assert_eq!(e.key, "rip.offset-lists[0].offset");
    assert!(e.message.starts_with("required"));
    let e = error(&offset(
        "{ prefix-list = \"l\", direction = \"in\", offset = 1, interface = \"a/b\" }",
    ));
    assert_eq!(e.key, "rip.offset-lists[0].interface");
    let e = error(&offset(
        "{ prefix-list = \"\", direction = \"in\", offset = 1 }",
    ));
    assert_eq!(e.key, "rip.offset-lists[0].prefix-list");
}
