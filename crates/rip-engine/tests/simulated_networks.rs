//! rip-engine proven in simulated networks: chains, rings, ECMP tunnels and
//! random graphs of up to 100 routers, on a virtual clock (see `sim`).

// Scenario helpers outside #[test] functions: a panic is a failed scenario.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod sim;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use rip_engine::rip_codec::INFINITY;
use rip_engine::{InterfaceConfig, SplitHorizon, Timers};

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

/// A ring of `n` routers, each with a stub LAN. The link between routers 0
/// and 1 fails and is repaired `cycles` times, each at a random moment of
/// the update cycle, over links of random delay (up to 300 ms, so that
/// updates cross poison in flight).
fn ring(n: usize, how: Failure, cycles: usize) {
    let wall = Instant::now();
    let mut sim = Sim::new(SimConfig {
        seed: 6 + n as u64,
        ..SimConfig::default()
    });
    let mut rng = sim::Rng::new(n as u64);
    let routers = sim.add_routers(n);
    let lans: Vec<usize> = routers.iter().map(|&r| sim.add_stub(r)).collect();
    let links: Vec<usize> = (0..n).map(|i| sim.add_link(i, (i + 1) % n)).collect();
    for &link in &links {
        sim.set_delay(link, ms(1 + rng.below(300)));
    }
    sim.settle();
    sim.assert_shortest_paths();
    // Around the ring: the far side is n/2 hops away.
    let lan0 = sim.prefix(lans[0]);
    assert_eq!(sim.reachable(n / 2, lan0), Some(n as u8 / 2 + 1));
    assert_eq!(sim.reachable(1, lan0), Some(2));

    let update = sim.config.timers.update;
    let timeout = sim.config.timers.timeout;
    let mut slowest = (Duration::ZERO, Duration::ZERO);
    let mut worst = (0, 0);
    let mut flaps = (0, 0);
    for cycle in 0..cycles {
        sim.run_for(ms(rng.below(update.as_millis() as u64)));
        // Router 0 and router 1 lose their direct link: now a chain
        // 1, 2, .., n-1, 0.
        sim.reset_high_water();
        let failed_at = sim.elapsed();
        fail(&mut sim, links[0], how);
        let converged = sim.settle() - failed_at;
        sim.assert_shortest_paths();
        let pos = |r: usize| (r + n - 1) % n;
        for (owner, &lan) in lans.iter().enumerate() {
            for at in 0..n {
                let hops = pos(owner).abs_diff(pos(at));
                assert_eq!(
                    sim.metric(at, sim.prefix(lan)),
                    Some(hops as u8 + 1),
                    "cycle {cycle}: LAN of {owner} at {at}"
                );
            }
        }
        // No counting to infinity: no router ever had a metric above the
        // longest loop-free path (n routers in a row: metric n).
        let (metric, changes) = high_water(&sim);
        assert!(
            metric <= n as u8,
            "cycle {cycle}: a metric reached {metric} after the failure"
        );
        // Withdrawn (at once, or at the timeout), then the detour. Updates
        // crossing in flight may add a step; never a run of them.
        assert!(
            changes <= 3,
            "cycle {cycle}: a route changed {changes} times in the FIB"
        );
        // News of the failure travels one triggered update (5 s at most)
        // per hop; a silent link is noticed at the timeout.
        let noticed = match how {
            Failure::Interface(_) => Duration::ZERO,
            Failure::Silent => timeout,
        };
        assert!(
            converged <= noticed + (secs(5) + ms(300)) * n as u32,
            "cycle {cycle}: converged {converged:?} after the failure"
        );
        slowest.0 = slowest.0.max(converged);
        worst.0 = worst.0.max(metric);
        flaps.0 = flaps.0.max(changes);

        sim.run_for(ms(rng.below(update.as_millis() as u64)));
        sim.reset_high_water();
        let restored_at = sim.elapsed();
        restore(&mut sim, links[0], how);
        let back = sim.settle() - restored_at;
        sim.assert_shortest_paths();
        let (metric, changes) = high_water(&sim);
        assert!(
            metric <= n as u8,
            "cycle {cycle}: metric {metric} after the repair"
        );
        assert!(
            changes <= 3,
            "cycle {cycle}: {changes} FIB changes for one route"
        );
        assert!(
            back <= update + (secs(5) + ms(300)) * n as u32,
            "cycle {cycle}: converged {back:?} after the repair"
        );
        slowest.1 = slowest.1.max(back);
        worst.1 = worst.1.max(metric);
        flaps.1 = flaps.1.max(changes);
    }
    assert!(sim.dropped().is_empty(), "{:?}", sim.dropped());
    println!(
        "ring of {n}, {how:?}, {cycles} cycles: after the failure converged within {:?} \
         (highest metric {}, at most {} FIB changes per route), after the repair within {:?} \
         (highest {}, {}); {:?} wall",
        slowest.0,
        worst.0,
        flaps.0,
        slowest.1,
        worst.1,
        flaps.1,
        wall.elapsed()
    );
}

#[test]
fn ring_of_6_routes_around_a_link_down_and_back() {
    ring(6, Failure::Interface(FailMode::Down), 20);
}

#[test]
fn ring_of_6_routes_around_a_removed_link_and_back() {
    ring(6, Failure::Interface(FailMode::Removed), 20);
}

#[test]
fn ring_of_6_routes_around_a_recreated_link_and_back() {
    ring(6, Failure::Interface(FailMode::Recreated), 20);
}

#[test]
fn ring_of_6_routes_around_a_silent_link_and_back() {
    ring(6, Failure::Silent, 20);
}

#[test]
fn ring_of_12_routes_around_a_link_down_and_back() {
    ring(12, Failure::Interface(FailMode::Down), 20);
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
    // A recreated tunnel comes back with a new ifindex.
    let both_again: BTreeSet<_> = [t1, t2]
        .iter()
        .map(|&t| (sim.addr(b, t), sim.ifindex(a, t)))
        .collect();
    let again = sim.run_until_cond(update + secs(1), |sim| {
        hops(sim, a, pb) == both_again && hops(sim, b, pa).len() == 2
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
fn ecmp_tunnels_link_recreated_short_timers() {
    ecmp(short_timers(), Failure::Interface(FailMode::Recreated));
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

/// A random network for the property test, drawn as plain numbers so that
/// proptest can shrink it.
#[derive(Debug, Clone)]
struct NetworkPlan {
    routers: usize,
    /// Router i + 1 joins router i - parents[i] % locality (a chain when 1).
    parents: Vec<usize>,
    locality: usize,
    extra_links: Vec<(usize, usize)>,
    /// Multi-access LANs: their members (modulo the router count).
    lans: Vec<Vec<usize>>,
    /// (which link or LAN, how: 0 down, 1 removed, 2 recreated, 3 silent).
    failures: Vec<(usize, u8)>,
    split_horizon: SplitHorizon,
    max_paths: usize,
    delay_ms: u64,
    loss_percent: u8,
    seed: u64,
}

fn network_plan() -> impl proptest::strategy::Strategy<Value = NetworkPlan> {
    use proptest::collection::vec;
    use proptest::prelude::*;
    (2usize..=100).prop_flat_map(|n| {
        (
            vec(0usize..1000, n - 1),
            prop_oneof![Just(1usize), Just(3), Just(1000)],
            vec((0..n, 0..n), 0..=n / 2),
            vec(vec(0..n, 2..=5), 0..=3),
            vec((0usize..1000, 0u8..4), 0..=6),
            prop_oneof![
                2 => Just(SplitHorizon::Simple),
                1 => Just(SplitHorizon::PoisonedReverse),
                1 => Just(SplitHorizon::Off),
            ],
            1usize..=3,
            0u64..=40,
            prop_oneof![3 => Just(0u8), 1 => 1u8..=5],
            any::<u64>(),
        )
            .prop_map(
                move |(
                    parents,
                    locality,
                    extra_links,
                    lans,
                    failures,
                    split_horizon,
                    max_paths,
                    delay,
                    loss,
                    seed,
                )| {
                    NetworkPlan {
                        routers: n,
                        parents,
                        locality,
                        extra_links,
                        lans,
                        failures,
                        split_horizon,
                        max_paths,
                        delay_ms: delay,
                        loss_percent: loss,
                        seed,
                    }
                },
            )
    })
}

fn build(plan: &NetworkPlan) -> (Sim, Vec<usize>) {
    let mut sim = Sim::new(SimConfig {
        seed: plan.seed,
        timers: short_timers(),
        max_paths: plan.max_paths,
        delay: ms(plan.delay_ms),
        loss: f64::from(plan.loss_percent) / 100.0,
    });
    let mut config = sim.engine_config();
    // Interfaces are named eth2, eth3, ... in the order they are attached.
    for ifindex in 2..64 {
        let iface = InterfaceConfig {
            split_horizon: plan.split_horizon,
            ..InterfaceConfig::default()
        };
        config.interfaces.insert(format!("eth{ifindex}"), iface);
    }
    let routers: Vec<usize> = (0..plan.routers)
        .map(|_| sim.add_router_with(config.clone()))
        .collect();
    for &r in &routers {
        sim.add_stub(r);
    }
    let mut transit = Vec::new();
    for i in 1..plan.routers {
        let back = 1 + plan.parents[i - 1] % i.min(plan.locality);
        transit.push(sim.add_link(i - back, i));
    }
    for &(a, b) in &plan.extra_links {
        if a != b {
            transit.push(sim.add_link(a, b));
        }
    }
    for members in &plan.lans {
        let members: Vec<usize> = members
            .iter()
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if members.len() >= 2 {
            transit.push(sim.add_lan(&members));
        }
    }
    (sim, transit)
}

fn check(sim: &Sim, phase: &str) -> Result<(), proptest::test_runner::TestCaseError> {
    let errors = sim.check_shortest_paths();
    proptest::prop_assert!(
        errors.is_empty(),
        "{phase}: {} mismatches at {:?}:\n{}",
        errors.len(),
        sim.elapsed(),
        errors
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    proptest::prop_assert!(sim.dropped().is_empty(), "{phase}: {:?}", sim.dropped());
    Ok(())
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: 16,
        failure_persistence: None,
        ..proptest::prelude::ProptestConfig::default()
    })]

    /// Random connected graphs of up to 100 routers with stub LANs, /30s
    /// and multi-access LANs: once quiet, every table is the shortest-path
    /// hop count (capped at 16) with loop-free next hops, from a cold start,
    /// after random links fail (down, removed or silent) and after they
    /// are repaired.
    #[test]
    fn random_networks_converge_to_shortest_paths(plan in network_plan()) {
        let (mut sim, transit) = build(&plan);
        sim.settle();
        check(&sim, "cold start")?;

        let failed: Vec<(usize, Failure)> = plan
            .failures
            .iter()
            .map(|&(i, how)| {
                let how = match how {
                    0 => Failure::Interface(FailMode::Down),
                    1 => Failure::Interface(FailMode::Removed),
                    2 => Failure::Interface(FailMode::Recreated),
                    _ => Failure::Silent,
                };
                (transit[i % transit.len()], how)
            })
            .collect::<std::collections::BTreeMap<_, _>>()
            .into_iter()
            .collect();
        for &(segment, how) in &failed {
            fail(&mut sim, segment, how);
        }
        sim.settle();
        check(&sim, "after the failures")?;

        for &(segment, how) in &failed {
            restore(&mut sim, segment, how);
        }
        sim.settle();
        check(&sim, "after the repairs")?;
    }
}
