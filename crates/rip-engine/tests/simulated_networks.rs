//! rip-engine proven in simulated networks: chains, rings, ECMP tunnels and
//! random graphs of up to 100 routers, on a virtual clock (see `sim`).

mod sim;

use std::time::Instant;

use rip_engine::Timers;
use rip_engine::rip_codec::INFINITY;

use sim::{FailMode, Sim, SimConfig, secs, short_timers};

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
