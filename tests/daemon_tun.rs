//! riprs over a point-to-point link with /32 addresses and a peer, as a VTI
//! with `leftvti=10.9.0.1/32` has: two TUN devices (POINTOPOINT, NOARP, no
//! MULTICAST) in two namespaces joined by a relay thread (support/tun.rs).
//!
//! ```text
//!  lan0 172.16.1.1/24 [riprs A] tun0 10.9.0.1 peer 10.9.0.2/32 ==relay== tun0 10.9.0.2 peer 10.9.0.1/32 [riprs B] lan0 172.16.2.1/24
//! ```
//!
//! Multicast is left to riprs (`multicast = "auto"`, no neighbors): it turns
//! IFF_MULTICAST on, and a TUN then carries the updates to 224.0.0.9 like any
//! other packet; the receiving kernel delivers them to the socket that
//! joined the group on its tun0. Each side installs the other's LAN via the
//! peer address, which only counts as on-link through the /32's peer.
//! Needs root.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod support;

use std::net::Ipv4Addr;
use std::time::Duration;

use support::riprs::{rip_routes, within};
use support::{Netns, Riprs, TunLink};

const RIPRS: &str = env!("CARGO_BIN_EXE_riprs");

fn config(lan: &str) -> String {
    format!(
        r#"[rip]
networks = ["10.9.0.0/24", "{lan}"]
passive-interfaces = ["lan0"]

[rip.timers]
update = 2
timeout = 10
garbage = 6

[interfaces.tun0]
multicast = "auto"
"#
    )
}

/// A LAN inside the namespace: a veth pair whose both ends stay there, the
/// address on `lan0`.
fn add_lan(ns: &Netns, cidr: &str) {
    ns.ip("link add lan0 type veth peer name lan0p");
    ns.addr("lan0", cidr);
    ns.link_up("lan0");
    ns.link_up("lan0p");
}

#[test]
fn lan_routes_cross_a_tun_point_to_point_link_with_slash_32_peer_addresses() {
    let a = Netns::new("tun");
    let b = Netns::new("tun");
    let link = TunLink::new(&a, "tun0", &b, "tun0");
    a.addr_peer("tun0", Ipv4Addr::new(10, 9, 0, 1), "10.9.0.2/32");
    b.addr_peer("tun0", Ipv4Addr::new(10, 9, 0, 2), "10.9.0.1/32");
    add_lan(&a, "172.16.1.1/24");
    add_lan(&b, "172.16.2.1/24");
    for ns in [&a, &b] {
        let flags = ns.ip("-o link show dev tun0");
        assert!(
            flags.contains("POINTOPOINT") && flags.contains("NOARP"),
            "{flags}"
        );
        assert!(!flags.contains("MULTICAST"), "{flags}");
    }

    let riprs_a = Riprs::start(&a, RIPRS, "A", &config("172.16.1.0/24"));
    let riprs_b = Riprs::start(&b, RIPRS, "B", &config("172.16.2.0/24"));

    // Within two update intervals, each side has the other's LAN, via the
    // peer address, in the kernel.
    let learned = within(Duration::from_secs(8), || {
        let a_has = rip_routes(&a, "main").into_iter().any(|r| {
            r.prefix == "172.16.2.0/24"
                && r.via == Some(Ipv4Addr::new(10, 9, 0, 2))
                && r.dev.as_deref() == Some("tun0")
        });
        let b_has = rip_routes(&b, "main").into_iter().any(|r| {
            r.prefix == "172.16.1.0/24"
                && r.via == Some(Ipv4Addr::new(10, 9, 0, 1))
                && r.dev.as_deref() == Some("tun0")
        });
        a_has && b_has
    });
    assert!(
        learned.is_some(),
        "LANs not learned over the TUN link ({} packets relayed)",
        link.relayed()
    );
    for (riprs, lan) in [(&riprs_a, "172.16.2.0/24"), (&riprs_b, "172.16.1.0/24")] {
        let route = riprs.route(lan).unwrap();
        assert_eq!(route.metric, 2, "{route:?}");
        assert_eq!(route.interfaces, ["tun0"], "{route:?}");
        assert!(route.in_kernel, "{route:?}");
        // The other side's /32 (its connected network on this link) is not
        // learned as a route of its own here: it is our connected peer.
        let peer = riprs.route(if lan.starts_with("172.16.2") {
            "10.9.0.2/32"
        } else {
            "10.9.0.1/32"
        });
        assert!(
            peer.as_ref().is_none_or(|p| p.origin == "connected"),
            "{peer:?}"
        );
    }
    // riprs turned IFF_MULTICAST on, so the updates went to 224.0.0.9: the
    // exchange needed no neighbors.
    for (ns, riprs) in [(&a, &riprs_a), (&b, &riprs_b)] {
        let flags = ns.ip("-o link show dev tun0");
        assert!(flags.contains("MULTICAST"), "{flags}");
        assert!(
            !riprs
                .log_lines_with(&["WARN", "IFF_MULTICAST", "tun0"])
                .is_empty(),
            "{}",
            riprs.log()
        );
    }
    // The routes carry traffic: LAN address to LAN address over the relay.
    a.sh("ping -c 1 -W 2 -I 172.16.1.1 172.16.2.1 >/dev/null");
    b.sh("ping -c 1 -W 2 -I 172.16.2.1 172.16.1.1 >/dev/null");
}
