//! The namespace harness itself (tests/support): namespaces go away, links
//! and addresses are as asked, sockets live in their namespace, and FRR and
//! BIRD started by it run, talk RIP to each other and are stopped.

mod support;

use std::net::Ipv4Addr;
use std::path::Path;
use std::time::Duration;

use support::{Bird, Daemon, Frr, LinkOptions, Netns, RipSocket, veth, veth_with};

fn namespace_exists(name: &str) -> bool {
    Path::new("/run/netns").join(name).exists()
}

fn process_exists(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

#[test]
fn namespace_and_its_processes_go_away_on_drop_even_after_a_panic() {
    let mut name = String::new();
    let mut pid = 0;
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let ns = Netns::new("drop");
        name = ns.name().to_string();
        assert!(namespace_exists(&name));
        // A process nobody stops: the namespace's drop kills it.
        let mut sleeper = ns.command("sleep");
        sleeper.arg("600");
        let child = sleeper.spawn().unwrap();
        pid = child.id();
        std::mem::forget(child);
        // Only a process already inside can be found there.
        support::wait_until(Duration::from_secs(5), Duration::from_millis(10), || {
            ns.pids().contains(&(pid as i32)).then_some(())
        })
        .unwrap();
        panic!("test failure inside the namespace");
    }));
    assert!(result.is_err());
    assert!(!namespace_exists(&name), "{name} still exists");
    // Killed; the zombie is ours to reap but holds nothing.
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    assert!(stat.is_empty() || stat.contains(") Z "), "{pid}: {stat}");
}

#[test]
fn names_are_unique_and_interface_names_are_per_namespace() {
    let a = Netns::new("uniq");
    let b = Netns::new("uniq");
    assert_ne!(a.name(), b.name());
    veth(&a, "eth0", &b, "eth0");
    assert!(a.ifindex("eth0") > 1);
    assert!(b.ifindex("eth0") > 1);
    // Nothing in the root namespace.
    let root = support::run(std::process::Command::new("ip").args(["-o", "link"]));
    assert!(!root.contains(a.name()));
}

#[test]
fn daemon_is_stopped_by_pid_on_drop() {
    let ns = Netns::new("daemon");
    let mut cmd = ns.command("sleep");
    cmd.arg("600");
    let daemon = Daemon::spawn("sleep", cmd, None);
    let pid = daemon.pid();
    assert!(process_exists(pid));
    // `ip netns exec` enters the namespace, then execs sleep.
    let inside = support::wait_until(Duration::from_secs(5), Duration::from_millis(10), || {
        (ns.pids() == vec![pid as i32]).then_some(())
    });
    assert!(inside.is_some(), "{:?}", ns.pids());
    drop(daemon);
    assert!(!process_exists(pid));
}

#[test]
fn vti_like_link_with_slash_32_peer_addresses() {
    let a = Netns::new("vti");
    let b = Netns::new("vti");
    veth_with(&a, "vti02", &b, "vti01", LinkOptions::vti_like());
    a.addr_peer("vti02", Ipv4Addr::new(192, 168, 10, 3), "192.168.10.1/32");
    b.addr_peer("vti01", Ipv4Addr::new(192, 168, 10, 1), "192.168.10.3/32");
    let link = a.ip("-o link show dev vti02");
    assert!(!link.contains("MULTICAST"), "{link}");
    assert!(link.contains("UP"), "{link}");
    let addr = a.ip("-o addr show dev vti02");
    assert!(
        addr.contains("inet 192.168.10.3 peer 192.168.10.1/32"),
        "{addr}"
    );
    // The peer is reachable through the /32; unicast RIP goes through
    // (there is no multicast on this link).
    let sa = RipSocket::bind(&a, Ipv4Addr::new(192, 168, 10, 3));
    let sb = RipSocket::bind(&b, Ipv4Addr::new(192, 168, 10, 1));
    sa.send_to(b"unicast", Ipv4Addr::new(192, 168, 10, 1));
    let (got, from) = sb.recv_timeout(Duration::from_secs(2)).unwrap();
    assert_eq!(got, b"unicast");
    assert_eq!(from.to_string(), "192.168.10.3:520");
}

#[test]
fn rip_sockets_live_in_their_namespace() {
    let a = Netns::new("sock");
    let b = Netns::new("sock");
    veth(&a, "eth0", &b, "eth0");
    a.addr("eth0", "10.0.0.1/24");
    b.addr("eth0", "10.0.0.2/24");
    // Both bind 0.0.0.0:520: different namespaces, no conflict.
    let sa = RipSocket::bind(&a, Ipv4Addr::new(10, 0, 0, 1));
    let sb = RipSocket::bind(&b, Ipv4Addr::new(10, 0, 0, 2));
    sa.send_multicast(b"hello");
    let (got, from) = sb.recv_timeout(Duration::from_secs(2)).unwrap();
    assert_eq!(got, b"hello");
    assert_eq!(from.to_string(), "10.0.0.1:520");
    // Multicast loop is off: the sender does not hear itself.
    assert!(sa.recv_timeout(Duration::from_millis(200)).is_none());
    // The thread that entered the namespace sees its links, this one does not.
    let inside = a.enter(|| std::fs::read_to_string("/proc/self/net/dev").unwrap());
    assert!(inside.contains("eth0:"), "{inside}");
}

/// FRR and BIRD from the harness, each with a LAN subnet, learn each
/// other's over a veth: both peers start, speak, and are read correctly.
#[test]
fn frr_and_bird_learn_each_others_subnets() {
    let frr_ns = Netns::new("interop");
    let bird_ns = Netns::new("interop");
    veth(&frr_ns, "eth0", &bird_ns, "eth0");
    frr_ns.addr("eth0", "10.0.0.1/24");
    bird_ns.addr("eth0", "10.0.0.2/24");
    for (ns, lan) in [(&frr_ns, "192.168.1.1/24"), (&bird_ns, "192.168.2.1/24")] {
        ns.ip("link add lan0 type veth peer name lan0p");
        ns.addr("lan0", lan);
        ns.link_up("lan0");
        ns.link_up("lan0p");
    }
    let frr = Frr::start(
        &frr_ns,
        &format!(
            "hostname frr\nrouter rip\n network eth0\n network lan0\n passive-interface lan0\n {}\n",
            support::frr::FAST_TIMERS
        ),
    );
    let bird = Bird::start(
        &bird_ns,
        r#"router id 10.0.0.2;
protocol device { scan time 1; }
protocol direct { ipv4; interface "lan0"; }
protocol rip {
    ipv4 { import all; export all; };
    interface "eth0" { update time 2; timeout time 10; };
}
"#,
    );
    let timeout = Duration::from_secs(15);
    let learned = frr.wait_for_route("192.168.2.0/24", timeout, |r| r.code == "R(n)");
    let learned = learned.unwrap_or_else(|| panic!("FRR:\n{}\n{}", frr.show_ip_rip(), bird.logs()));
    assert_eq!((learned.metric, learned.next_hop.as_str()), (2, "10.0.0.2"));
    let learned = bird.wait_for_route("192.168.1.0/24", timeout, |r| r.protocol == "rip1");
    let learned = learned.unwrap_or_else(|| panic!("BIRD:\n{}\n{}", bird.show_route(), frr.logs()));
    assert_eq!(learned.metric, Some(2));
    assert_eq!(learned.via.as_deref(), Some("10.0.0.1"));
    assert_eq!(learned.interface.as_deref(), Some("eth0"));

    // Dropping stops the daemons and removes FRR's traces.
    let name = frr.name().to_string();
    let dir = frr.dir().to_path_buf();
    let bird_dir = bird.dir().to_path_buf();
    drop(frr);
    drop(bird);
    assert!(!Path::new("/run/frr").join(&name).exists());
    assert!(!dir.exists());
    assert!(!bird_dir.exists());
    assert!(frr_ns.pids().is_empty(), "{:?}", frr_ns.pids());
    assert!(bird_ns.pids().is_empty(), "{:?}", bird_ns.pids());
}
