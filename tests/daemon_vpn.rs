//! The seed's route-based VPN, end to end, with riprs at both sites:
//!
//! ```text
//!  LAN A host            site A                          site B            LAN B host
//!  192.168.20.10 eth0 -- eth1 [riprs] vti02 ========== vti02 [riprs] eth1 -- eth0 192.168.21.10
//!                192.168.20.1   192.168.10.3/24    192.168.10.4/24   192.168.21.1
//! ```
//!
//! vti02 is a veth pair that comes up without IFF_MULTICAST, as Libreswan's
//! VTI does; eth1 is passive; site B installs into table 5 (Libreswan's
//! mark). Timers are 2/10/6 s: a change seen within a second or two came
//! from an update, not from a timeout. When a test fails, each riprs prints
//! its namespace's routes, `riprs show routes --json` and its log.
//! Needs root and tcpdump (scripts/install-test-deps).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod support;

use std::io::ErrorKind;
use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use rip_codec::{Command as RipCommand, Packet};
use support::riprs::{kernel_routes, rip_routes, within};
use support::{Daemon, LinkOptions, Netns, RipSocket, Riprs, veth, veth_with, wait_until};

const RIPRS: &str = env!("CARGO_BIN_EXE_riprs");

/// The regular update interval of every riprs here, in seconds.
const UPDATE: u64 = 2;
/// Learned routes time out after this long without an update.
const TIMEOUT: u64 = 10;

const LAN_A: &str = "192.168.20.0/24";
const LAN_B: &str = "192.168.21.0/24";
const VTI_A: Ipv4Addr = Ipv4Addr::new(192, 168, 10, 3);
const VTI_B: Ipv4Addr = Ipv4Addr::new(192, 168, 10, 4);

/// The four namespaces of the scenario; deleted on drop, after the daemons
/// that borrow them.
struct Sites {
    a: Netns,
    b: Netns,
    lan_a: Netns,
    lan_b: Netns,
}

impl Sites {
    /// Both sites, their LANs with a host each, and the VTI-like link.
    fn new(tag: &str) -> Sites {
        let sites = Sites {
            a: Netns::new(tag),
            b: Netns::new(tag),
            lan_a: Netns::new(tag),
            lan_b: Netns::new(tag),
        };
        sites.vti_up();
        for (router, host, net) in [
            (&sites.a, &sites.lan_a, "192.168.20"),
            (&sites.b, &sites.lan_b, "192.168.21"),
        ] {
            veth(router, "eth1", host, "eth0");
            router.addr("eth1", &format!("{net}.1/24"));
            host.addr("eth0", &format!("{net}.10/24"));
            host.ip(&format!("route add default via {net}.1"));
            router.sh("sysctl -qw net.ipv4.ip_forward=1");
        }
        // Site B's LAN traffic is routed by table 5, as Libreswan's mark=5.
        sites.b.ip("rule add iif eth1 lookup 5 pref 100");
        sites
    }

    /// (Re)creates vti02 on both sides: multicast off, addresses as in the seed.
    fn vti_up(&self) {
        veth_with(&self.a, "vti02", &self.b, "vti02", LinkOptions::vti_like());
        self.a.addr("vti02", &format!("{VTI_A}/24"));
        self.b.addr("vti02", &format!("{VTI_B}/24"));
    }
}

/// The ripd.toml of a site, as CONFIG.md writes it, with short timers.
/// `rip_extra` goes into `[rip]`, `vti_extra` into `[interfaces.vti02]`.
fn site_config(lan: &str, table: &str, rip_extra: &str, vti_extra: &str) -> String {
    format!(
        r#"[rip]
networks = ["{lan}", "192.168.10.0/24"]
passive-interfaces = ["eth1"]
{rip_extra}

[rip.timers]
update = {UPDATE}
timeout = {TIMEOUT}
garbage = 6

[kernel]
table = {table}
metric = 20

[interfaces.vti02]
split-horizon = "simple"
{vti_extra}
"#
    )
}

fn site_a_config() -> String {
    site_config(LAN_A, "\"main\"", "", "multicast = \"auto\"")
}

fn site_b_config() -> String {
    site_config(LAN_B, "5", "", "multicast = \"auto\"")
}

/// The route `riprs` put in `table` for `prefix`, if it is there via `gateway` on vti02.
fn has_rip_route(ns: &Netns, table: &str, prefix: &str, gateway: Ipv4Addr) -> bool {
    rip_routes(ns, table)
        .iter()
        .any(|r| r.prefix == prefix && r.via == Some(gateway) && r.dev.as_deref() == Some("vti02"))
}

/// Both sites have the other's LAN in the kernel: A in main, B in table 5.
fn both_learned(sites: &Sites) -> bool {
    has_rip_route(&sites.a, "main", LAN_B, VTI_B) && has_rip_route(&sites.b, "5", LAN_A, VTI_A)
}

fn link_flags(ns: &Netns, ifname: &str) -> String {
    ns.ip(&format!("-o link show dev {ifname}"))
}

fn has_multicast(ns: &Netns, ifname: &str) -> bool {
    // "<BROADCAST,MULTICAST,UP,LOWER_UP>": the flag, not "NOMULTICAST" or the like.
    let flags = link_flags(ns, ifname);
    let inside = flags
        .split_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .map(|(f, _)| f.to_string())
        .unwrap_or_default();
    inside.split(',').any(|f| f == "MULTICAST")
}

/// Scenario 1: the lab. Learned both ways within two update intervals;
/// riprs turned IFF_MULTICAST on and said so; site B's routes are in table 5
/// with proto rip and main has none; LAN hosts reach each other.
#[test]
fn vpn_sites_learn_each_others_lan_with_site_b_in_table_5() {
    let sites = Sites::new("vpnlab");
    assert!(!has_multicast(&sites.a, "vti02") && !has_multicast(&sites.b, "vti02"));
    let riprs_a = Riprs::start(&sites.a, RIPRS, "site A", &site_a_config());
    let riprs_b = Riprs::start(&sites.b, RIPRS, "site B", &site_b_config());

    let took = within(Duration::from_secs(2 * UPDATE), || both_learned(&sites));
    assert!(took.is_some(), "not learned within two update intervals");
    eprintln!("learned both ways in {took:?}");

    for (ns, riprs) in [(&sites.a, &riprs_a), (&sites.b, &riprs_b)] {
        assert!(has_multicast(ns, "vti02"), "{}", link_flags(ns, "vti02"));
        let warned = riprs.log_lines_with(&["WARN", "no IFF_MULTICAST", "turned it on", "vti02"]);
        assert_eq!(warned.len(), 1, "{}", riprs.log());
    }
    // Site B: table 5, proto rip, its configured metric; nothing in main.
    let table5 = rip_routes(&sites.b, "5");
    assert_eq!(table5.len(), 1, "{table5:?}");
    assert_eq!(table5[0].prefix, LAN_A);
    assert_eq!(table5[0].metric, Some(20), "{table5:?}");
    assert_eq!(rip_routes(&sites.b, "main"), vec![]);
    // Site A: main only.
    let main_a = rip_routes(&sites.a, "main");
    assert_eq!(main_a.len(), 1, "{main_a:?}");
    assert_eq!(main_a[0].prefix, LAN_B);
    assert_eq!(rip_routes(&sites.a, "5"), vec![]);
    // What riprs says agrees: metric 2 (the LAN's 1 plus vti02's cost).
    let shown = riprs_b.route(LAN_A).unwrap();
    assert_eq!(
        (shown.metric, shown.origin.as_str(), shown.in_kernel),
        (2, "rip", true)
    );
    assert_eq!(shown.gateways, [VTI_A.to_string()]);
    let shown = riprs_a.route(LAN_B).unwrap();
    assert_eq!(
        (shown.metric, shown.origin.as_str(), shown.in_kernel),
        (2, "rip", true)
    );
    // And they route: LAN host to LAN host, through both tables.
    sites.lan_a.sh("ping -c 1 -W 2 192.168.21.10 >/dev/null");
    sites.lan_b.sh("ping -c 1 -W 2 192.168.20.10 >/dev/null");
}

/// Scenario 2: `multicast = "keep"` and the peer as a neighbor on both
/// sides: updates go by unicast, IFF_MULTICAST stays off, and riprs logs
/// an error saying multicast RIP cannot work there.
#[test]
fn multicast_keep_with_neighbors_exchanges_by_unicast_and_leaves_the_flag_off() {
    let sites = Sites::new("vpnkeep");
    let keep = "multicast = \"keep\"";
    let config_a = site_config(
        LAN_A,
        "\"main\"",
        &format!("neighbors = [\"{VTI_B}\"]"),
        keep,
    );
    let config_b = site_config(LAN_B, "5", &format!("neighbors = [\"{VTI_A}\"]"), keep);
    let riprs_a = Riprs::start(&sites.a, RIPRS, "site A", &config_a);
    let riprs_b = Riprs::start(&sites.b, RIPRS, "site B", &config_b);

    let took = within(Duration::from_secs(2 * UPDATE), || both_learned(&sites));
    assert!(
        took.is_some(),
        "not learned by unicast within two update intervals"
    );
    eprintln!("learned both ways in {took:?}");
    // Still learned a full update interval later: refreshed by updates,
    // which without IFF_MULTICAST can only have come by unicast (a socket
    // that has not joined 224.0.0.9 hears no multicast).
    std::thread::sleep(Duration::from_secs(UPDATE));
    assert!(both_learned(&sites));
    for (ns, riprs, peer) in [(&sites.a, &riprs_a, VTI_B), (&sites.b, &riprs_b, VTI_A)] {
        assert!(!has_multicast(ns, "vti02"), "{}", link_flags(ns, "vti02"));
        let errors = riprs.log_lines_with(&["ERROR", "no IFF_MULTICAST", "keep", "vti02"]);
        assert_eq!(errors.len(), 1, "{}", riprs.log());
        assert!(
            riprs.log_lines_with(&["WARN", "turned it on"]).is_empty(),
            "{}",
            riprs.log()
        );
        let neighbors = riprs.show("neighbors");
        let heard: Vec<&str> = neighbors
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|n| n.get("address").and_then(|a| a.as_str()))
            .collect();
        assert_eq!(heard, [peer.to_string()], "{neighbors}");
        let shown = riprs.interface("vti02").unwrap();
        assert_eq!(shown["multicast"], false, "{shown}");
    }
}

/// tcpdump on an interface of `ns`, capturing UDP port 520; stopped on drop.
struct Capture {
    daemon: Daemon,
    file: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Capture {
    fn start(ns: &Netns, ifname: &str) -> Capture {
        let dir = tempfile::Builder::new()
            .prefix(&format!("{}-cap.", ns.name()))
            .tempdir_in("/tmp")
            .unwrap();
        let file = dir.path().join("tcpdump.txt");
        let mut cmd = ns.command("tcpdump");
        cmd.args(["-i", ifname, "-n", "-l", "-U", "udp port 520"]);
        let mut daemon = Daemon::spawn("tcpdump", cmd, Some(file.clone()));
        let ready = wait_until(Duration::from_secs(10), Duration::from_millis(20), || {
            daemon.assert_running();
            std::fs::read_to_string(&file)
                .unwrap_or_default()
                .contains("listening on")
                .then_some(())
        });
        assert!(ready.is_some(), "tcpdump on {ifname} did not start");
        Capture {
            daemon,
            file,
            _dir: dir,
        }
    }

    /// Stops tcpdump; returns the packets it printed.
    fn stop(mut self) -> Vec<String> {
        self.daemon.stop();
        std::fs::read_to_string(&self.file)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains(" IP "))
            .map(str::to_string)
            .collect()
    }
}

/// Scenario 3: a passive LAN. For three update intervals, not one RIP
/// packet reaches the LAN (while the VTI carries updates all along), and
/// the LAN's subnet is advertised to the other site.
#[test]
fn passive_lan_hears_no_rip_but_its_subnet_is_advertised() {
    let sites = Sites::new("vpnpass");
    // Captures from before riprs starts: its first requests count too.
    let lan_a = Capture::start(&sites.lan_a, "eth0");
    let lan_b = Capture::start(&sites.lan_b, "eth0");
    let vti = Capture::start(&sites.b, "vti02");
    let riprs_a = Riprs::start(&sites.a, RIPRS, "site A", &site_a_config());
    let riprs_b = Riprs::start(&sites.b, RIPRS, "site B", &site_b_config());

    std::thread::sleep(Duration::from_secs(3 * UPDATE));
    let on_vti = vti.stop();
    let on_lan_a = lan_a.stop();
    let on_lan_b = lan_b.stop();
    // The capture works: updates both ways on the VTI, at least two regular
    // ones from each side.
    let from = |who: Ipv4Addr| {
        on_vti
            .iter()
            .filter(|l| l.contains(&format!(" {who}.520 > ")))
            .count()
    };
    assert!(
        from(VTI_A) >= 2 && from(VTI_B) >= 2,
        "{}",
        on_vti.join("\n")
    );
    assert_eq!(
        on_lan_a,
        Vec::<String>::new(),
        "RIP on site A's passive LAN"
    );
    assert_eq!(
        on_lan_b,
        Vec::<String>::new(),
        "RIP on site B's passive LAN"
    );
    // The passive LANs are advertised all the same.
    assert!(both_learned(&sites));
    for (riprs, lan) in [(&riprs_a, LAN_B), (&riprs_b, LAN_A)] {
        assert_eq!(riprs.route(lan).map(|r| r.metric), Some(2));
    }
}

/// The routes of the RIP responses received on `socket` within `timeout`
/// from `source`, until `accept` returns true for one of them: its prefix
/// and metric. Returns the accepted entry and when it arrived.
fn wait_for_entry(
    socket: &RipSocket,
    source: Ipv4Addr,
    timeout: Duration,
    accept: impl Fn(&str, u8) -> bool,
) -> Option<(String, u8, Instant)> {
    let deadline = Instant::now() + timeout;
    let mut buffer = vec![0u8; 65536];
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        let socket = socket.socket();
        socket
            .set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .unwrap();
        let (len, from) = match socket.recv_from(&mut buffer) {
            Ok(got) => got,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => break,
            Err(e) => {
                // Whatever it was (an interrupted call), the message that
                // matters is still to come: keep listening until the deadline.
                eprintln!("observer: recv: {e} ({:?})", e.kind());
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        if from.ip() != IpAddr::V4(source) {
            continue;
        }
        let bytes = &buffer[..len];
        let Ok(packet) = Packet::parse(bytes) else {
            continue;
        };
        if packet.command() != RipCommand::Response {
            continue;
        }
        let Ok(verified) = packet.unauthenticated() else {
            continue;
        };
        for route in verified.routes().flatten() {
            let prefix = route.prefix.to_string();
            if accept(&prefix, route.metric) {
                return Some((prefix, route.metric, Instant::now()));
            }
        }
    }
    None
}

/// Scenario 4: the VTI is deleted while riprs runs. Routes through it leave
/// the kernel at once on that side, and a third RIP peer of site A (on
/// vti03, a listening socket) gets the withdrawn LAN with metric 16 within
/// seconds, well before any timeout. Then the VTI is created again (a new
/// pair: new ifindexes, multicast off): the routes come back by themselves.
#[test]
fn vti_deleted_withdraws_at_once_and_recreated_vti_brings_routes_back() {
    let sites = Sites::new("vpndel");
    let c = Netns::new("vpndel");
    veth(&sites.a, "vti03", &c, "eth0");
    sites.a.set_multicast("vti03", false);
    sites.a.addr("vti03", "192.168.30.1/24");
    c.addr("eth0", "192.168.30.2/24");
    let observer = RipSocket::bind(&c, Ipv4Addr::new(192, 168, 30, 2));
    let config_a = site_config(LAN_A, "\"main\"", "", "multicast = \"auto\"").replace(
        "\"192.168.10.0/24\"]",
        "\"192.168.10.0/24\", \"192.168.30.0/24\"]",
    );
    let riprs_a = Riprs::start(&sites.a, RIPRS, "site A", &config_a);
    let riprs_b = Riprs::start(&sites.b, RIPRS, "site B", &site_b_config());
    let a_source = Ipv4Addr::new(192, 168, 30, 1);

    assert!(
        within(Duration::from_secs(2 * UPDATE), || both_learned(&sites)).is_some(),
        "not learned"
    );
    // The observer hears site B's LAN from A, reachable (metric 2 at A, so 2
    // in A's update: A adds vti02's cost when learning, not when sending).
    let heard = wait_for_entry(
        &observer,
        a_source,
        Duration::from_secs(3 * UPDATE),
        |p, m| p == LAN_B && m < 16,
    );
    assert!(heard.is_some(), "the observer never heard {LAN_B} from A");
    let old_ifindex = sites.a.ifindex("vti02");

    let deleted = Instant::now();
    sites.a.ip("link del vti02");
    // Site A: out of the kernel and unreachable in riprs within a second.
    let gone_a = within(Duration::from_secs(1), || {
        !rip_routes(&sites.a, "main")
            .iter()
            .any(|r| r.prefix == LAN_B)
            && riprs_a.route(LAN_B).is_none_or(|r| r.metric == 16)
    });
    assert!(
        gone_a.is_some(),
        "site A still routes {LAN_B} via the deleted VTI"
    );
    // Site B lost its end with the pair: the same there, for table 5.
    let gone_b = within(Duration::from_secs(1), || {
        !rip_routes(&sites.b, "5").iter().any(|r| r.prefix == LAN_A)
            && riprs_b.route(LAN_A).is_none_or(|r| r.metric == 16)
    });
    assert!(
        gone_b.is_some(),
        "site B still routes {LAN_A} via the deleted VTI"
    );
    // The peer on vti03 is told: metric 16, by a triggered update.
    let poisoned = wait_for_entry(&observer, a_source, Duration::from_secs(4), |p, m| {
        p == LAN_B && m == 16
    });
    let (_, _, at) = poisoned.unwrap_or_else(|| {
        panic!("no metric-16 update for {LAN_B} reached the peer on vti03 within 4 s")
    });
    let after = at.duration_since(deleted);
    assert!(after < Duration::from_secs(TIMEOUT / 2), "{after:?}");
    eprintln!(
        "withdrawn: kernel A {gone_a:?}, kernel B {gone_b:?}, metric 16 at the peer after {after:?}"
    );

    // The tunnel comes back: a new pair, multicast off again.
    sites.vti_up();
    let new_ifindex = sites.a.ifindex("vti02");
    assert_ne!(old_ifindex, new_ifindex);
    let back = within(Duration::from_secs(3 * UPDATE), || both_learned(&sites));
    assert!(back.is_some(), "routes did not come back over the new VTI");
    eprintln!("back after {back:?}");
    for (ns, riprs) in [(&sites.a, &riprs_a), (&sites.b, &riprs_b)] {
        assert!(has_multicast(ns, "vti02"), "{}", link_flags(ns, "vti02"));
        // Turned on for the first vti02 and again for the new one.
        let warned = riprs.log_lines_with(&["WARN", "no IFF_MULTICAST", "turned it on", "vti02"]);
        assert_eq!(warned.len(), 2, "{}", riprs.log());
    }
    // The kernel took the routes through the deleted link out itself; that
    // riprs's deletes then found nothing is no failure to warn about.
    for riprs in [&riprs_a, &riprs_b] {
        let refused = riprs.log_lines_with(&["the kernel refused a route change"]);
        assert_eq!(refused, Vec::<String>::new());
    }
    // The peer on vti03 hears B's LAN reachable again.
    let heard = wait_for_entry(
        &observer,
        a_source,
        Duration::from_secs(3 * UPDATE),
        |p, m| p == LAN_B && m < 16,
    );
    assert!(heard.is_some(), "the observer did not hear {LAN_B} again");
}

/// Scenario 6: riprs killed with SIGKILL leaves its routes; started again,
/// it sweeps what the killed run (or an older one, with another kernel
/// metric) left in its table, relearns, and the tables hold each route
/// once. Routes of other tables and other protocols are not its own.
#[test]
fn restart_after_kill_9_sweeps_stale_routes_and_leaves_no_duplicates() {
    let sites = Sites::new("vpnkill");
    let _riprs_a = Riprs::start(&sites.a, RIPRS, "site A", &site_a_config());
    let mut riprs_b = Riprs::start(&sites.b, RIPRS, "site B", &site_b_config());
    assert!(
        within(Duration::from_secs(2 * UPDATE), || both_learned(&sites)).is_some(),
        "not learned"
    );

    riprs_b.kill9();
    // SIGKILL: nothing was withdrawn.
    assert!(has_rip_route(&sites.b, "5", LAN_A, VTI_A));
    // More of what a crashed run leaves: a route the peer no longer sends,
    // and the same prefix at an older kernel metric. Not riprs's: table 7,
    // and a static route in table 5.
    sites
        .b
        .ip("route add 10.99.0.0/24 via 192.168.10.3 dev vti02 proto rip table 5 metric 20");
    sites
        .b
        .ip("route add 192.168.20.0/24 via 192.168.10.3 dev vti02 proto rip table 5 metric 30");
    sites
        .b
        .ip("route add 10.98.0.0/24 via 192.168.10.3 dev vti02 proto rip table 7");
    sites
        .b
        .ip("route add 10.97.0.0/24 via 192.168.10.3 dev vti02 proto static table 5");
    assert_eq!(rip_routes(&sites.b, "5").len(), 3);

    riprs_b.spawn();
    // Relearned, exactly once, with the configured metric.
    let settled = within(Duration::from_secs(2 * UPDATE), || {
        let table5 = rip_routes(&sites.b, "5");
        table5.len() == 1
            && table5[0].prefix == LAN_A
            && table5[0].via == Some(VTI_A)
            && table5[0].metric == Some(20)
    });
    assert!(
        settled.is_some(),
        "table 5 not swept and relearned: {:?}",
        rip_routes(&sites.b, "5")
    );
    let swept = riprs_b.log_lines_with(&["removed rip routes left by an earlier run", "routes=3"]);
    assert_eq!(swept.len(), 1, "{}", riprs_b.log());
    // Not its own: still there.
    assert_eq!(rip_routes(&sites.b, "7").len(), 1);
    assert_eq!(kernel_routes(&sites.b, "table 5 proto static").len(), 1);
    assert_eq!(rip_routes(&sites.b, "main"), vec![]);
    // Site A, whose peer restarted: one route, still via B.
    let main_a = rip_routes(&sites.a, "main");
    assert_eq!(main_a.len(), 1, "{main_a:?}");
    assert!(has_rip_route(&sites.a, "main", LAN_B, VTI_B));
    // No trouble writing the routes after the sweep.
    assert!(
        riprs_b
            .log_lines_with(&["the kernel refused a route change"])
            .is_empty(),
        "{}",
        riprs_b.log()
    );
}

/// Scenario 7: SIGTERM. riprs takes its routes out of the kernel, and its
/// peer drops what it learned from it within a second (the metric-16
/// update sent at shutdown; the timeout is 10 s).
#[test]
fn sigterm_removes_the_routes_and_the_peer_drops_them_within_a_second() {
    let sites = Sites::new("vpnterm");
    let mut riprs_a = Riprs::start(&sites.a, RIPRS, "site A", &site_a_config());
    let riprs_b = Riprs::start(&sites.b, RIPRS, "site B", &site_b_config());
    assert!(
        within(Duration::from_secs(2 * UPDATE), || both_learned(&sites)).is_some(),
        "not learned"
    );

    let stopped = Instant::now();
    riprs_a.terminate();
    let status = riprs_a.wait_exit(Duration::from_secs(5));
    assert!(status.success(), "{status}");
    assert_eq!(rip_routes(&sites.a, "main"), vec![], "site A kept routes");
    let dropped = within(
        Duration::from_secs(1).saturating_sub(stopped.elapsed()),
        || {
            !rip_routes(&sites.b, "5").iter().any(|r| r.prefix == LAN_A)
                && riprs_b.route(LAN_A).is_some_and(|r| r.metric == 16)
        },
    );
    assert!(
        dropped.is_some(),
        "site B still has {LAN_A} a second after site A stopped"
    );
    eprintln!(
        "site B dropped {LAN_A} {:?} after SIGTERM",
        stopped.elapsed()
    );
    let log = riprs_a.log();
    assert!(log.contains("stopping: withdrawing routes"), "{log}");
}
