//! A ring of four riprs routers, each with a LAN, joined by point-to-point
//! /30 veths. One link breaks: traffic for the far LAN goes the other way
//! round within seconds, and every router's metrics are what hop counts say,
//! before, during and after; the link comes back and so do the short paths.
//!
//! ```text
//!        R0 -------- 10.0.0.0/30 -------- R1
//!   lan 172.16.0.0/24               lan 172.16.1.0/24
//!        |                                 |
//!   10.0.3.0/30                       10.0.1.0/30
//!        |                                 |
//!        R3 -------- 10.0.2.0/30 -------- R2
//!   lan 172.16.3.0/24               lan 172.16.2.0/24
//! ```
//!
//! Link k joins Rk (`.1`, interface `to{k+1}`) and Rk+1 (`.2`, interface
//! `to{k}`). Timers 2/20/10 s: a change that takes less than the timeout
//! came from updates. Needs root.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod support;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::Duration;

use support::riprs::{rip_routes, within};
use support::{Netns, Riprs, veth};

const RIPRS: &str = env!("CARGO_BIN_EXE_riprs");
const N: usize = 4;
const UPDATE: u64 = 2;
const TIMEOUT: u64 = 20;

const CONFIG: &str = r#"[rip]
networks = ["10.0.0.0/16", "172.16.0.0/16"]
passive-interfaces = ["lan0"]

[rip.timers]
update = 2
timeout = 20
garbage = 10
"#;

fn lan(k: usize) -> String {
    format!("172.16.{k}.0/24")
}

fn link_net(k: usize) -> String {
    format!("10.0.{k}.0/30")
}

/// Rk's address on link `link` (which joins R`link` and R`link+1`).
fn address_on(k: usize, link: usize) -> String {
    if k == link {
        format!("10.0.{link}.1")
    } else {
        format!("10.0.{link}.2")
    }
}

/// The link joining `a` and `b`, neighbours on the ring.
fn link_between(a: usize, b: usize) -> usize {
    if (a + 1) % N == b { a } else { b }
}

/// What every router must have: for each prefix, the metric and the
/// gateways that lie on a shortest path (`None` for its own connected ones).
type Expected = BTreeMap<usize, BTreeMap<String, (u8, Option<BTreeSet<String>>)>>;

/// Hop counts over the links that are up: RIP's metrics (connected 1, plus
/// 1 per router on the way) and the next hops that achieve them.
fn expected(up: &[bool; N]) -> Expected {
    let neighbours = |r: usize| -> Vec<usize> {
        (0..N)
            .filter(|&l| up[l])
            .filter_map(|l| {
                if l == r {
                    Some((l + 1) % N)
                } else if (l + 1) % N == r {
                    Some(l)
                } else {
                    None
                }
            })
            .collect()
    };
    let distances = |owners: &[usize]| -> Vec<Option<usize>> {
        let mut dist = vec![None; N];
        let mut queue = VecDeque::new();
        for &o in owners {
            dist[o] = Some(0);
            queue.push_back(o);
        }
        while let Some(r) = queue.pop_front() {
            for n in neighbours(r) {
                if dist[n].is_none() {
                    dist[n] = Some(dist[r].unwrap() + 1);
                    queue.push_back(n);
                }
            }
        }
        dist
    };
    let mut prefixes: Vec<(String, Vec<usize>)> = (0..N).map(|k| (lan(k), vec![k])).collect();
    prefixes.extend(
        (0..N)
            .filter(|&l| up[l])
            .map(|l| (link_net(l), vec![l, (l + 1) % N])),
    );
    let mut all = Expected::new();
    for (prefix, owners) in prefixes {
        let dist = distances(&owners);
        for r in 0..N {
            let Some(d) = dist[r] else { continue };
            let entry = if d == 0 {
                (1, None)
            } else {
                let gateways = neighbours(r)
                    .into_iter()
                    .filter(|&n| dist[n] == Some(d - 1))
                    .map(|n| address_on(n, link_between(r, n)))
                    .collect();
                (d as u8 + 1, Some(gateways))
            };
            all.entry(r).or_default().insert(prefix.clone(), entry);
        }
    }
    all
}

/// Compares every router's `riprs show routes` and kernel table with
/// `want`; the first difference, or Ok.
fn check(routers: &[Riprs<'_>], want: &Expected) -> Result<(), String> {
    for (r, riprs) in routers.iter().enumerate() {
        let shown: BTreeMap<String, _> = riprs
            .routes()
            .into_iter()
            .filter(|route| route.metric < 16)
            .map(|route| (route.prefix.clone(), route))
            .collect();
        let kernel: BTreeMap<String, _> = rip_routes(riprs.netns(), "main")
            .into_iter()
            .map(|route| (route.prefix.clone(), route))
            .collect();
        let want = &want[&r];
        let names: BTreeSet<&String> = shown.keys().collect();
        let wanted: BTreeSet<&String> = want.keys().collect();
        if names != wanted {
            return Err(format!("R{r}: routes {names:?}, expected {wanted:?}"));
        }
        for (prefix, (metric, gateways)) in want {
            let route = &shown[prefix];
            if route.metric != *metric {
                return Err(format!(
                    "R{r}: {prefix} metric {}, expected {metric}",
                    route.metric
                ));
            }
            match gateways {
                None => {
                    if route.origin != "connected" || kernel.contains_key(prefix) {
                        return Err(format!("R{r}: {prefix} should be connected: {route:?}"));
                    }
                }
                Some(gateways) => {
                    let gateway = route.gateways.first().cloned().unwrap_or_default();
                    if !gateways.contains(&gateway) {
                        return Err(format!(
                            "R{r}: {prefix} via {gateway}, expected one of {gateways:?}"
                        ));
                    }
                    let in_kernel = kernel
                        .get(prefix)
                        .and_then(|k| k.via)
                        .map(|v| v.to_string());
                    if in_kernel.as_ref() != Some(&gateway) {
                        return Err(format!(
                            "R{r}: kernel has {prefix} via {in_kernel:?}, riprs says {gateway}"
                        ));
                    }
                }
            }
        }
        if let Some(extra) = kernel.keys().find(|p| !shown.contains_key(*p)) {
            return Err(format!(
                "R{r}: kernel route {extra} that riprs does not have"
            ));
        }
    }
    Ok(())
}

/// Waits until [`check`] passes; panics with the last difference.
fn converge(routers: &[Riprs<'_>], up: &[bool; N], timeout: Duration, what: &str) -> Duration {
    let want = expected(up);
    let mut last = String::new();
    let took = within(timeout, || match check(routers, &want) {
        Ok(()) => true,
        Err(e) => {
            last = e;
            false
        }
    });
    took.unwrap_or_else(|| panic!("{what}: not converged within {timeout:?}: {last}"))
}

#[test]
fn ring_of_four_reroutes_around_a_broken_link_and_back() {
    let ns: Vec<Netns> = (0..N).map(|_| Netns::new("ring")).collect();
    for link in 0..N {
        let (a, b) = (link, (link + 1) % N);
        veth(&ns[a], &format!("to{b}"), &ns[b], &format!("to{a}"));
        ns[a].addr(&format!("to{b}"), &format!("{}/30", address_on(a, link)));
        ns[b].addr(&format!("to{a}"), &format!("{}/30", address_on(b, link)));
    }
    for (k, ns) in ns.iter().enumerate() {
        ns.ip("link add lan0 type veth peer name lan0p");
        ns.addr("lan0", &format!("172.16.{k}.1/24"));
        ns.link_up("lan0");
        ns.link_up("lan0p");
        ns.sh("sysctl -qw net.ipv4.ip_forward=1");
    }
    let routers: Vec<Riprs<'_>> = ns
        .iter()
        .enumerate()
        .map(|(k, ns)| Riprs::start(ns, RIPRS, &format!("R{k}"), CONFIG))
        .collect();

    let all_up = [true; N];
    let took = converge(&routers, &all_up, Duration::from_secs(4 * UPDATE), "start");
    eprintln!("converged at start in {took:?}");
    // R0 reaches R1's LAN directly; R2's LAN, two hops away either way,
    // by one of the two.
    let via = |r: usize, prefix: &str| {
        rip_routes(&ns[r], "main")
            .into_iter()
            .find(|route| route.prefix == prefix)
            .and_then(|route| route.via)
            .map(|v| v.to_string())
    };
    assert_eq!(via(0, &lan(1)).as_deref(), Some("10.0.0.2"));

    // Link 0 (R0 - R1) breaks: R0 takes its end down, R1 loses the carrier.
    ns[0].link_down("to1");
    let broken = [false, true, true, true];
    let took = converge(
        &routers,
        &broken,
        Duration::from_secs(4 * UPDATE),
        "link broken",
    );
    assert!(took < Duration::from_secs(TIMEOUT), "{took:?}");
    eprintln!("rerouted in {took:?}");
    // R1's LAN is now three routers away from R0, through R3.
    assert_eq!(via(0, &lan(1)).as_deref(), Some("10.0.3.1"));
    assert_eq!(routers[0].route(&lan(1)).unwrap().metric, 4);
    assert_eq!(via(1, &lan(0)).as_deref(), Some("10.0.1.2"));
    // And the traffic goes that way: LAN to LAN, both directions.
    ns[0].sh("ping -c 1 -W 2 -I 172.16.0.1 172.16.1.1 >/dev/null");

    // The link comes back: the short paths return.
    ns[0].link_up("to1");
    let took = converge(
        &routers,
        &all_up,
        Duration::from_secs(4 * UPDATE),
        "link restored",
    );
    eprintln!("restored in {took:?}");
    assert_eq!(via(0, &lan(1)).as_deref(), Some("10.0.0.2"));
    ns[0].sh("ping -c 1 -W 2 -I 172.16.0.1 172.16.1.1 >/dev/null");
    // The kernel removed the routes through the downed link by itself; the
    // routers' deletes finding nothing is not worth a warning.
    for riprs in &routers {
        let refused = riprs.log_lines_with(&["the kernel refused a route change"]);
        assert_eq!(refused, Vec::<String>::new(), "{}", riprs.label());
    }
}
