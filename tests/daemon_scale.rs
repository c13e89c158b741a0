//! A peer sends 10,000 routes back to back (rip-gen --rate 0): riprs takes
//! every one and puts all of them into the kernel within seconds, and
//! passes all of them on to a second riprs.
//!
//! ```text
//!  rip-gen  eth0 .50.2/24 ---- eth0 .50.1/24  riprs  eth1 .51.1/24 ---- eth0 .51.2/24  riprs (far)
//! ```
//!
//! 10,000 routes are 400 messages of 25 sent without pause: riprs's socket
//! buffer must hold them while the engine works, and its FIB writer must
//! batch. Its own updates to the far side are 400 messages too, sent 64 at
//! a time with UDP segmentation offload: every one must arrive as its own
//! datagram. Needs root.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod support;

use std::time::{Duration, Instant};

use support::riprs::{kernel_routes, within};
use support::{Netns, Riprs, veth};

const RIPRS: &str = env!("CARGO_BIN_EXE_riprs");
const RIP_GEN: &str = env!("CARGO_BIN_EXE_rip-gen");
const ROUTES: usize = 10_000;

const CONFIG: &str = r#"[rip]
networks = ["192.168.50.0/24", "192.168.51.0/24"]

[rip.timers]
update = 5
timeout = 60
garbage = 10
"#;

fn rip_route_count(ns: &Netns) -> usize {
    kernel_routes(ns, "proto rip").len()
}

#[test]
fn ten_thousand_routes_back_to_back_all_reach_the_kernel() {
    let router = Netns::new("scale");
    let peer = Netns::new("scale");
    let far = Netns::new("scale");
    veth(&router, "eth0", &peer, "eth0");
    veth(&router, "eth1", &far, "eth0");
    router.addr("eth0", "192.168.50.1/24");
    router.addr("eth1", "192.168.51.1/24");
    peer.addr("eth0", "192.168.50.2/24");
    far.addr("eth0", "192.168.51.2/24");
    let riprs = Riprs::start(&router, RIPRS, "router", CONFIG);
    let far_riprs = Riprs::start(&far, RIPRS, "far", CONFIG);

    let sent = Instant::now();
    let output = peer
        .command(RIP_GEN)
        .args([
            "--device",
            "eth0",
            "--routes",
            &ROUTES.to_string(),
            "--rate",
            "0",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "rip-gen: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    eprintln!("{}", String::from_utf8_lossy(&output.stderr).trim());

    let mut count = 0;
    let took = within(Duration::from_secs(10), || {
        count = rip_route_count(&router);
        count >= ROUTES
    });
    assert!(
        took.is_some(),
        "{count} of {ROUTES} routes in the kernel after 10 s; riprs: {}",
        riprs.show("status")
    );
    eprintln!(
        "{ROUTES} routes in the kernel {:?} after the first was sent",
        sent.elapsed()
    );
    // Exactly those, each once, via the generator, and riprs agrees.
    let routes = kernel_routes(&router, "proto rip");
    assert_eq!(routes.len(), ROUTES);
    assert!(
        routes
            .iter()
            .all(|r| r.via.map(|v| v.to_string()).as_deref() == Some("192.168.50.2")),
        "{:?}",
        routes.iter().find(|r| r.via.is_none())
    );
    assert_eq!(routes[0].prefix, "10.0.0.0/24");
    let last = format!("10.{}.{}.0/24", (ROUTES - 1) / 256, (ROUTES - 1) % 256);
    assert!(routes.iter().any(|r| r.prefix == last), "no {last}");
    let status = riprs.show("status");
    assert_eq!(status["routes_in_kernel"], ROUTES, "{status}");
    // Its own 10k installs never flood its kernel watcher (they are
    // filtered out in the kernel), so it never had to dump the kernel again.
    assert_eq!(status["netlink_resyncs"], 0, "{status}");
    // Nothing was dropped on the way in.
    let interfaces = riprs.show("interfaces");
    let eth0 = interfaces
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "eth0")
        .unwrap();
    assert_eq!(eth0["bad_packets"], 0, "{eth0}");
    assert_eq!(eth0["bad_routes"], 0, "{eth0}");

    // The far side has every route, through the router, at metric 3 (the
    // generator's 1, plus one per hop), and the router's other subnet at 2.
    let mut far_count = 0;
    let relayed = within(Duration::from_secs(15), || {
        far_count = rip_route_count(&far);
        far_count > ROUTES
    });
    assert!(
        relayed.is_some(),
        "{far_count} of {ROUTES} routes relayed to the far side after 15 s; router: {}, far: {}",
        riprs.show("interfaces"),
        far_riprs.show("interfaces")
    );
    let far_routes = kernel_routes(&far, "proto rip");
    assert_eq!(far_routes.len(), ROUTES + 1);
    assert!(far_routes.iter().any(|r| r.prefix == "192.168.50.0/24"));
    assert!(
        far_routes
            .iter()
            .all(|r| r.via.map(|v| v.to_string()).as_deref() == Some("192.168.51.1")),
        "{:?}",
        far_routes.iter().find(|r| r.via.is_none())
    );
    let table = far_riprs.show("routes");
    let at_three = table
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["metric"] == 3)
        .count();
    assert_eq!(at_three, ROUTES, "routes at metric 3 on the far side");
    let far_interfaces = far_riprs.show("interfaces");
    assert_eq!(far_interfaces[0]["bad_packets"], 0, "{far_interfaces}");
}
