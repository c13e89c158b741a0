//! rip-engine proven in simulated networks: chains, rings, ECMP tunnels and
//! random graphs of up to 100 routers, on a virtual clock (see `sim`).

mod sim;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use rip_engine::Timers;
use rip_engine::rip_codec::INFINITY;

use sim::{FailMode, Sim, SimConfig, ms, secs, short_timers};

/// A chain of `n` routers, each with a stub LAN; returns (sim, LANs, links).
fn chain(config: SimConfig, n: usize) -> (Sim, Vec<usize>, Vec<usize>) {
    let mut sim = Sim::new(config);
    let routers = sim.add_routers(n);
    let lans: Vec<usize> = routers.iter().map(|&r| sim.add_stub(r)).collect();
    let links: Vec<usize> = routers
        .windows(2)
        .map(|w| sim.add_link(w[0], w[1]))
        .collect();
    (sim, lans, links)
}

fn chain_of_16(timers: Timers) {
    let wall = Instant::now();
    let (mut sim, lans, _links) = chain(
        SimConfig {
            seed: 16,
            timers,
            ..SimConfig::default()
        },
        16,
    );
    let converged = sim.settle();
    // Router i's LAN at router j: connected (1) plus one per hop.
    for (owner, &lan) in lans.iter().enumerate() {
        let prefix = sim.prefix(lan);
        for at in 0..16 {
            let hops = owner.abs_diff(at);
            let metric = sim.metric(at, prefix);
            if hops + 1 < usize::from(INFINITY) {
                assert_eq!(
                    metric,
                    Some(hops as u8 + 1),
                    "LAN of router {owner} at router {at}"
                );
            } else {
                assert!(
                    metric.is_none_or(|m| m == INFINITY),
                    "LAN of router {owner} at router {at}: {metric:?}"
                );
                assert!(!sim.fib(at).contains_key(&prefix));
            }
        }
    }
    // The brief's words: router 1's LAN (index 0) at metric 15 at router 15
    // (index 14), unreachable at router 16.
    assert_eq!(sim.reachable(14, sim.prefix(lans[0])), Some(15));
    assert_eq!(sim.reachable(15, sim.prefix(lans[0])), None);
    assert_eq!(sim.reachable(15, sim.prefix(lans[1])), Some(15));
    sim.assert_shortest_paths();
    assert!(sim.dropped().is_empty(), "{:?}", sim.dropped());
    println!(
        "chain of 16 ({:?}): converged at {converged:?} simulated, {:?} wall",
        timers.update,
        wall.elapsed()
    );
}

#[test]
fn chain_of_16_counts_to_15_short_timers() {
    chain_of_16(short_timers());
}

#[test]
fn chain_of_16_counts_to_15_default_timers() {
    chain_of_16(Timers::default());
}

/// Regression: a change made when the regular update was less than a
/// second away (so the triggered update is folded into it, RFC 2453
/// §3.10.1) left `poll_timeout` at the passed triggered hold, and a caller
/// woken there was asked again at once until the regular update: a busy
/// loop. The harness asserts this after every timeout; this is the
/// smallest case, a single engine fed a new route every 100 ms.
#[test]
fn no_busy_loop_when_a_triggered_update_folds_into_the_regular_one() {
    use std::net::{Ipv4Addr, SocketAddrV4};
    use std::time::{Duration, SystemTime};

    use rip_engine::rip_codec::{Command, RouteEntry};
    use rip_engine::{Address, Engine, EngineConfig, InterfaceEvent, Link, Transmit};

    let t0 = Instant::now();
    let config = EngineConfig {
        networks: vec!["10.0.0.0/8".parse().unwrap()],
        ..EngineConfig::default()
    };
    let mut engine = Engine::new(config, t0, SystemTime::UNIX_EPOCH, 3);
    let link = Link {
        ifindex: 2,
        name: "eth0".into(),
        up: true,
        multicast: true,
    };
    engine.handle_interface(t0, InterfaceEvent::Link(link));
    let address = Address {
        ifindex: 2,
        local: Ipv4Addr::new(10, 0, 0, 1),
        prefix_len: 30,
        peer: None,
    };
    engine.handle_interface(t0, InterfaceEvent::AddressAdded(address));
    let peer = SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 2), 520);
    for step in 0..1200u32 {
        let now = t0 + Duration::from_millis(100 * u64::from(step));
        if engine.poll_timeout().is_some_and(|t| t <= now) {
            engine.handle_timeout(now);
        }
        let update = Transmit {
            ifindex: 2,
            source: *peer.ip(),
            destination: SocketAddrV4::new(Ipv4Addr::new(224, 0, 0, 9), 520),
            command: Command::Response,
            version: 2,
            entries: vec![RouteEntry {
                prefix: format!("10.{}.{}.0/24", 1 + step / 256, step % 256)
                    .parse()
                    .unwrap(),
                next_hop: Ipv4Addr::UNSPECIFIED,
                metric: 1,
                tag: 0,
            }],
            auth: None,
        };
        for message in update.encode_to_vec(0).unwrap() {
            engine.handle_packet(now, 2, peer, &message);
        }
        engine.handle_timeout(now);
        while engine.poll_transmit().is_some() {}
        let next = engine.poll_timeout().unwrap();
        assert!(
            next > now,
            "at {:?} after handle_timeout the engine wants to be woken at {:?}",
            now - t0,
            next - t0
        );
    }
}

/// A random connected graph: a random tree (each router joins one of the
/// `locality` routers before it; 1 makes a chain) plus `extra` links.
fn random_network(config: SimConfig, n: usize, locality: usize, extra: usize) -> Sim {
    let mut rng = sim::Rng::new(config.seed);
    let mut sim = Sim::new(config);
    let routers = sim.add_routers(n);
    for &r in &routers {
        sim.add_stub(r);
    }
    for i in 1..n {
        let back = 1 + rng.below(i.min(locality) as u64) as usize;
        sim.add_link(i - back, i);
    }
    for _ in 0..extra {
        let a = rng.below(n as u64) as usize;
        let b = rng.below(n as u64) as usize;
        if a != b {
            sim.add_link(a, b);
        }
    }
    sim
}

/// The longest finite hop count from any router to any prefix, capped
/// where RIP stops (15 hops away is already unreachable).
fn reach_diameter(sim: &Sim) -> u32 {
    (0..sim.segments.len())
        .flat_map(|s| sim.distances(s))
        .flatten()
        .filter(|&d| d + 1 < u32::from(INFINITY))
        .max()
        .unwrap_or(0)
}

/// From a cold start, news travels one hop per triggered update: at most
/// the triggered-update hold (5 s, RFC 2453 §3.10.1) plus the link delay.
fn assert_cold_convergence_bound(sim: &Sim, converged: Duration) {
    let hops = reach_diameter(sim);
    let bound = (secs(5) + sim.config.delay) * hops;
    assert!(
        converged <= bound,
        "converged at {converged:?}, past {hops} hops x (5 s + delay) = {bound:?}"
    );
}

fn hundred_routers(timers: Timers) {
    let wall = Instant::now();
    let mut sim = random_network(
        SimConfig {
            seed: 100,
            timers,
            ..SimConfig::default()
        },
        100,
        100,
        60,
    );
    let converged = sim.settle();
    let settled = wall.elapsed();
    sim.assert_shortest_paths();
    assert_cold_convergence_bound(&sim, converged);
    assert!(sim.dropped().is_empty(), "{:?}", sim.dropped());
    println!(
        "100 routers, {} links, {} hops across, timers {:?}: converged at {converged:?} \
         simulated, quiet at {:?}; wall {settled:?} to quiet, {:?} with checks; {:?}",
        sim.segments.len() - 100,
        reach_diameter(&sim),
        timers.update,
        sim.elapsed(),
        wall.elapsed(),
        sim.stats
    );
}

#[test]
fn a_hundred_routers_converge_in_milliseconds_short_timers() {
    hundred_routers(short_timers());
}

#[test]
fn a_hundred_routers_converge_in_milliseconds_default_timers() {
    hundred_routers(Timers::default());
}

/// How a link fails in the ring and ECMP scenarios.
#[derive(Debug, Clone, Copy)]
enum Failure {
    Interface(FailMode),
    /// The interfaces stay up; every packet is lost.
    Silent,
}

fn fail(sim: &mut Sim, segment: usize, how: Failure) {
    match how {
        Failure::Interface(mode) => sim.fail(segment, mode),
        Failure::Silent => sim.set_loss(segment, 1.0),
    }
}

fn restore(sim: &mut Sim, segment: usize, how: Failure) {
    match how {
        Failure::Interface(mode) => sim.restore(segment, mode),
        Failure::Silent => sim.set_loss(segment, 0.0),
    }
}

/// The highest metric any router had for any prefix since the last reset,
/// and the most FIB changes one router made for one prefix.
fn high_water(sim: &Sim) -> (u8, u32) {
    let metric = sim
        .routers
        .iter()
        .flat_map(|r| r.high_water.values().copied())
        .max()
        .unwrap_or(0);
    let changes = sim
        .routers
        .iter()
        .flat_map(|r| r.fib_changes.values().copied())
        .max()
        .unwrap_or(0);
    (metric, changes)
}

fn ring(n: usize, how: Failure) {
    let wall = Instant::now();
    let mut sim = Sim::new(SimConfig {
        seed: 6,
        ..SimConfig::default()
    });
    let routers = sim.add_routers(n);
    let lans: Vec<usize> = routers.iter().map(|&r| sim.add_stub(r)).collect();
    let links: Vec<usize> = (0..n).map(|i| sim.add_link(i, (i + 1) % n)).collect();
    sim.settle();
    sim.assert_shortest_paths();
    // Around the ring: the far side is n/2 hops away.
    let lan0 = sim.prefix(lans[0]);
    assert_eq!(sim.reachable(n / 2, lan0), Some(n as u8 / 2 + 1));
    assert_eq!(sim.reachable(1, lan0), Some(2));

    // Router 0 and router 1 lose their direct link: now a chain 1 .. n-1, 0.
    sim.reset_high_water();
    let failed_at = sim.elapsed();
    fail(&mut sim, links[0], how);
    let converged = sim.settle() - failed_at;
    sim.assert_shortest_paths();
    for (owner, &lan) in lans.iter().enumerate() {
        for at in 0..n {
            // Positions along the chain 1, 2, .., n-1, 0.
            let pos = |r: usize| (r + n - 1) % n;
            let hops = pos(owner).abs_diff(pos(at));
            assert_eq!(
                sim.metric(at, sim.prefix(lan)),
                Some(hops as u8 + 1),
                "LAN of {owner} at {at}"
            );
        }
    }
    // No counting: no router ever had a metric above the longest loop-free
    // path (n routers in a row: metric n), far from 16.
    let (worst, flaps) = high_water(&sim);
    assert!(
        worst <= n as u8,
        "a metric reached {worst} after the failure"
    );
    let bound = match how {
        // Withdrawn at once, then the detour: two FIB changes at most.
        Failure::Interface(_) => 2,
        // Same, after the timeout.
        Failure::Silent => 2,
    };
    assert!(flaps <= bound, "a route changed {flaps} times in the FIB");
    let timeout_part = match how {
        Failure::Interface(_) => Duration::ZERO,
        Failure::Silent => sim.config.timers.timeout,
    };
    assert!(
        converged <= timeout_part + secs(5) * n as u32,
        "converged {converged:?} after the failure"
    );

    sim.reset_high_water();
    let restored_at = sim.elapsed();
    restore(&mut sim, links[0], how);
    let back = sim.settle() - restored_at;
    sim.assert_shortest_paths();
    let (worst_back, flaps_back) = high_water(&sim);
    assert!(worst_back <= n as u8);
    assert!(flaps_back <= 2, "{flaps_back} FIB changes for one route");
    assert!(sim.dropped().is_empty(), "{:?}", sim.dropped());
    println!(
        "ring of {n}, {how:?}: after the failure converged in {converged:?} (highest metric \
         {worst}, at most {flaps} FIB changes per route), after the repair in {back:?} \
         (highest {worst_back}, {flaps_back}); {:?} wall",
        wall.elapsed()
    );
}

#[test]
fn ring_of_6_routes_around_a_link_down_and_back() {
    ring(6, Failure::Interface(FailMode::Down));
}

#[test]
fn ring_of_6_routes_around_a_removed_link_and_back() {
    ring(6, Failure::Interface(FailMode::Removed));
}

#[test]
fn ring_of_6_routes_around_a_silent_link_and_back() {
    ring(6, Failure::Silent);
}

#[test]
fn ring_of_12_routes_around_a_link_down_and_back() {
    ring(12, Failure::Interface(FailMode::Down));
}

/// Router A (0) and B (1) joined by two tunnels, `max_paths = 2`.
fn ecmp(timers: Timers, how: Failure) {
    let wall = Instant::now();
    let mut sim = Sim::new(SimConfig {
        seed: 2,
        timers,
        max_paths: 2,
        ..SimConfig::default()
    });
    let (a, b) = (sim.add_router(), sim.add_router());
    let lan_a = sim.add_stub(a);
    let lan_b = sim.add_stub(b);
    let t1 = sim.add_link(a, b);
    let t2 = sim.add_link(a, b);
    let (pa, pb) = (sim.prefix(lan_a), sim.prefix(lan_b));
    let hops = |sim: &Sim, at: usize, prefix| -> BTreeSet<(std::net::Ipv4Addr, u32)> {
        sim.fib(at)
            .get(&prefix)
            .map(|e| e.next_hops.iter().map(|h| (h.gateway, h.ifindex)).collect())
            .unwrap_or_default()
    };
    let both_at_a: BTreeSet<_> = [t1, t2]
        .iter()
        .map(|&t| (sim.addr(b, t), sim.ifindex(a, t)))
        .collect();
    let only_t2_at_a: BTreeSet<_> = [(sim.addr(b, t2), sim.ifindex(a, t2))].into();
    let only_t2_at_b: BTreeSet<_> = [(sim.addr(a, t2), sim.ifindex(b, t2))].into();

    sim.settle();
    sim.assert_shortest_paths();
    assert_eq!(hops(&sim, a, pb), both_at_a);
    assert_eq!(sim.fib(a)[&pb].metric, 2);
    assert_eq!(hops(&sim, b, pa).len(), 2);

    let failed_at = sim.elapsed();
    let update = timers.update;
    let timeout = timers.timeout;
    fail(&mut sim, t1, how);
    match how {
        Failure::Interface(_) => {
            // The interface went down: withdrawn in the same call, no time passed.
            assert_eq!(hops(&sim, a, pb), only_t2_at_a);
            assert_eq!(hops(&sim, b, pa), only_t2_at_b);
        }
        Failure::Silent => {
            // Nothing heard through tunnel 1 any more: the path times out
            // 180 s (here `timeout`) after it was last heard, and it was
            // heard within the last update interval.
            sim.run_until(failed_at + timeout - update - secs(1));
            assert_eq!(hops(&sim, a, pb), both_at_a, "withdrawn too early");
            let gone = sim.run_until_cond(update + secs(2), |sim| hops(sim, a, pb) == only_t2_at_a)
                - failed_at;
            assert!(
                gone <= timeout,
                "one next hop left {gone:?} after the tunnel went silent"
            );
            println!(
                "ECMP {:?}: silent tunnel dropped after {gone:?}",
                timers.update
            );
        }
    }
    sim.settle();
    sim.assert_shortest_paths();
    assert_eq!(hops(&sim, a, pb), only_t2_at_a);
    assert_eq!(sim.fib(a)[&pb].metric, 2);

    let restored_at = sim.elapsed();
    restore(&mut sim, t1, how);
    let again = sim.run_until_cond(update + secs(1), |sim| {
        hops(sim, a, pb) == both_at_a && hops(sim, b, pa).len() == 2
    }) - restored_at;
    match how {
        // Both ends ask for the table when the interface comes up (RFC 2453
        // §3.9.1): back after one request and one answer.
        Failure::Interface(_) => assert!(again <= sim.config.delay * 2, "{again:?}"),
        // Back with the next regular update.
        Failure::Silent => assert!(again <= update + sim.config.delay, "{again:?}"),
    }
    sim.settle();
    sim.assert_shortest_paths();
    assert!(sim.dropped().is_empty(), "{:?}", sim.dropped());
    println!(
        "ECMP {:?} {how:?}: both next hops back {again:?} after the repair; {:?} wall",
        timers.update,
        wall.elapsed()
    );
}

#[test]
fn ecmp_tunnels_link_down_short_timers() {
    ecmp(short_timers(), Failure::Interface(FailMode::Down));
}

#[test]
fn ecmp_tunnels_link_removed_short_timers() {
    ecmp(short_timers(), Failure::Interface(FailMode::Removed));
}

#[test]
fn ecmp_tunnels_silent_short_timers() {
    ecmp(short_timers(), Failure::Silent);
}

#[test]
fn ecmp_tunnels_link_down_default_timers() {
    ecmp(Timers::default(), Failure::Interface(FailMode::Down));
}

#[test]
fn ecmp_tunnels_silent_default_timers() {
    ecmp(Timers::default(), Failure::Silent);
}
