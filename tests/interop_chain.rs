//! FRR — riprs — BIRD: three namespaces, two links, riprs in the middle.
//! Routes cross riprs with the right metrics, withdrawals pass through it
//! within one triggered update, and when riprs stops both peers drop what
//! they learned from it within seconds.
//!
//! ```text
//!  FRR lan0 10.1.0.1/24                                     BIRD lan0 10.3.0.1/24
//!  FRR eth0 10.0.1.2 ---- eth0 10.0.1.1  riprs  eth1 10.0.2.1 ---- eth0 10.0.2.2 BIRD
//!                         riprs lan0 10.2.0.1/24
//! ```
//!
//! Each LAN is advertised with metric 1 by its router: riprs learns FRR's and
//! BIRD's with 2, BIRD learns FRR's (and FRR BIRD's) with 3. riprs's route
//! timeout is 30 s here, BIRD's 30 s and FRR's 15 s: a withdrawal seen
//! within [`WITHDRAW`] (8 s) came from an update, not a timeout.
//! Needs root, frr and bird2 (scripts/install-test-deps).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod interop;
mod support;

use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use interop::{BIRD_LAN, FRR_LAN, LEARN, OnPanic, RIPRS_LAN, WITHDRAW, bird_report, frr_report};
use support::{Bird, Frr, Netns, veth};

const RIPRS_TO_FRR: &str = "10.0.1.1";
const RIPRS_TO_BIRD: &str = "10.0.2.1";

const RIPRS_TOML: &str = r#"[rip]
networks = ["eth0", "eth1", "lan0"]
passive-interfaces = ["lan0"]

[rip.timers]
update = 3
timeout = 30
garbage = 10
"#;

#[test]
fn frr_and_bird_reach_each_other_across_riprs_and_withdrawals_pass_through() {
    let frr_ns = Netns::new("chain");
    let riprs_ns = Netns::new("chain");
    let bird_ns = Netns::new("chain");
    veth(&frr_ns, "eth0", &riprs_ns, "eth0");
    veth(&riprs_ns, "eth1", &bird_ns, "eth0");
    frr_ns.addr("eth0", "10.0.1.2/24");
    riprs_ns.addr("eth0", &format!("{RIPRS_TO_FRR}/24"));
    riprs_ns.addr("eth1", &format!("{RIPRS_TO_BIRD}/24"));
    bird_ns.addr("eth0", "10.0.2.2/24");
    interop::add_lan(&frr_ns, "10.1.0.1/24");
    interop::add_lan(&riprs_ns, "10.2.0.1/24");
    interop::add_lan(&bird_ns, "10.3.0.1/24");

    let frr = Frr::start(&frr_ns, &interop::frr_conf("", "", ""));
    let bird = Bird::start(
        &bird_ns,
        &interop::bird_conf(Ipv4Addr::new(10, 0, 2, 2), ""),
    );
    let mut riprs = interop::start_riprs(&riprs_ns, RIPRS_TOML);
    let socket = riprs.socket_path();
    let _report = OnPanic(|| {
        format!(
            "{}{}{}",
            frr_report(&frr),
            bird_report(&bird),
            interop::riprs_tables(&socket)
        )
    });

    // riprs learns both LANs with 2.
    for (lan, gateway, iface) in [
        (FRR_LAN, "10.0.1.2", "eth0"),
        (BIRD_LAN, "10.0.2.2", "eth1"),
    ] {
        let learned = riprs.wait_route(lan, LEARN, |r| r.origin == "rip");
        let learned = learned.unwrap_or_else(|| panic!("riprs did not learn {lan}"));
        assert_eq!(learned.metric, 2, "{learned:?}");
        assert_eq!(learned.gateways, [gateway], "{learned:?}");
        assert_eq!(learned.interfaces, [iface], "{learned:?}");
    }
    // In the kernel of riprs's namespace, as protocol rip (written by
    // riprs's FIB thread, maybe a moment after the table shows them).
    let expected = [
        "10.1.0.0/24 via 10.0.1.2 dev eth0",
        "10.3.0.0/24 via 10.0.2.2 dev eth1",
    ];
    let installed = support::wait_until(Duration::from_secs(5), Duration::from_millis(50), || {
        let kernel = riprs_ns.ip("-4 route show proto rip");
        expected.iter().all(|e| kernel.contains(e)).then_some(())
    });
    assert!(
        installed.is_some(),
        "{expected:?} not all in:\n{}",
        riprs_ns.ip("-4 route show proto rip")
    );
    // FRR's LAN reaches BIRD with 3, BIRD's reaches FRR with 3, via riprs.
    let at_bird = bird.wait_for_route(FRR_LAN, LEARN, |r| r.protocol == "rip1");
    let at_bird = at_bird.unwrap_or_else(|| panic!("BIRD did not learn {FRR_LAN}"));
    assert_eq!(at_bird.metric, Some(3), "{at_bird:?}");
    assert_eq!(at_bird.via.as_deref(), Some(RIPRS_TO_BIRD), "{at_bird:?}");
    let at_frr = frr.wait_for_route(BIRD_LAN, LEARN, |r| r.code == "R(n)");
    let at_frr = at_frr.unwrap_or_else(|| panic!("FRR did not learn {BIRD_LAN}"));
    assert_eq!(at_frr.metric, 3, "{at_frr:?}");
    assert_eq!(at_frr.next_hop, RIPRS_TO_FRR, "{at_frr:?}");
    // And riprs's own LAN with 2 at both.
    let own = bird.wait_for_route(RIPRS_LAN, LEARN, |r| r.protocol == "rip1");
    assert_eq!(own.and_then(|r| r.metric), Some(2));
    let own = frr.wait_for_route(RIPRS_LAN, LEARN, |r| r.code == "R(n)");
    assert_eq!(own.map(|r| r.metric), Some(2));

    // FRR's LAN goes away (its address deleted): FRR poisons it, riprs
    // passes that on, BIRD withdraws it.
    let removed = Instant::now();
    frr_ns.ip("addr del 10.1.0.1/24 dev lan0");
    let unreachable = support::wait_until(WITHDRAW, Duration::from_millis(50), || {
        riprs
            .route(FRR_LAN)
            .is_none_or(|r| r.metric == 16)
            .then_some(())
    });
    let at_riprs = removed.elapsed();
    assert!(
        unreachable.is_some(),
        "riprs still has {FRR_LAN} reachable after {at_riprs:?}"
    );
    let gone = support::wait_until(WITHDRAW, Duration::from_millis(100), || {
        bird.route(FRR_LAN).is_none().then_some(())
    });
    assert!(
        gone.is_some(),
        "BIRD still has {FRR_LAN} {:?} after FRR removed it (riprs saw it after {at_riprs:?})",
        removed.elapsed()
    );
    eprintln!(
        "{FRR_LAN} removed at FRR: unreachable at riprs after {at_riprs:?}, withdrawn at BIRD after {:?}",
        removed.elapsed()
    );

    // BIRD's LAN goes away (its link set down): BIRD withdraws it with
    // metric 16, riprs passes that on, FRR marks it unreachable.
    let removed = Instant::now();
    bird_ns.link_down("lan0");
    let unreachable = support::wait_until(WITHDRAW, Duration::from_millis(50), || {
        riprs
            .route(BIRD_LAN)
            .is_none_or(|r| r.metric == 16)
            .then_some(())
    });
    let at_riprs = removed.elapsed();
    assert!(
        unreachable.is_some(),
        "riprs still has {BIRD_LAN} reachable after {at_riprs:?}"
    );
    let gone = support::wait_until(WITHDRAW, Duration::from_millis(100), || {
        frr.rip_route(BIRD_LAN)
            .is_none_or(|r| r.metric == 16)
            .then_some(())
    });
    assert!(
        gone.is_some(),
        "FRR still has {BIRD_LAN} reachable {:?} after BIRD removed it (riprs saw it after {at_riprs:?})",
        removed.elapsed()
    );
    eprintln!(
        "{BIRD_LAN} removed at BIRD: unreachable at riprs after {at_riprs:?}, at FRR after {:?}",
        removed.elapsed()
    );

    // riprs stops: both peers drop its LAN within seconds.
    let stopped = Instant::now();
    riprs.terminate();
    let status = riprs.wait_exit(Duration::from_secs(5));
    assert!(status.success(), "riprs exited with {status}");
    let dropped = support::wait_until(WITHDRAW, Duration::from_millis(100), || {
        let at_frr = frr.rip_route(RIPRS_LAN).is_none_or(|r| r.metric == 16);
        let at_bird = bird.route(RIPRS_LAN).is_none();
        (at_frr && at_bird).then_some(())
    });
    assert!(
        dropped.is_some(),
        "{RIPRS_LAN} still reachable at FRR or BIRD {:?} after riprs stopped",
        stopped.elapsed()
    );
    eprintln!(
        "riprs stopped: {RIPRS_LAN} dropped by FRR and BIRD after {:?}",
        stopped.elapsed()
    );
}
