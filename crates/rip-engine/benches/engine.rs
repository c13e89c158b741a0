//! The engine at scale: ingesting 100k routes, one regular update of 100k
//! routes, bytes per route.
//!
//! cargo bench -p rip-engine --bench engine

// Test and benchmark code: a failed expectation is a failed run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::{Duration, Instant, SystemTime};

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use rip_codec::{Command, Ipv4Prefix, MessageWriter, RouteEntry, VERSION_2};
use rip_engine::{Address, Engine, EngineConfig, InterfaceEvent, Link, Timers};

const ROUTES: usize = 100_000;
const PER_MESSAGE: usize = 25;

fn prefix_of(i: usize) -> Ipv4Prefix {
    let i = i as u32;
    Ipv4Prefix::new(Ipv4Addr::from(0x0A00_0000 | (i << 8)), 24).expect("a /24 in 10/8")
}

/// 4,000 responses of 25 routes from 192.168.10.4.
fn responses() -> Vec<Vec<u8>> {
    (0..ROUTES)
        .collect::<Vec<_>>()
        .chunks(PER_MESSAGE)
        .map(|chunk| {
            let mut buf = [0u8; 512];
            let mut writer =
                MessageWriter::new(&mut buf, Command::Response, VERSION_2, None).expect("room");
            for &i in chunk {
                writer
                    .push_route(&RouteEntry::new(prefix_of(i), 1 + (i % 14) as u8))
                    .expect("fits");
            }
            writer.finish().to_vec()
        })
        .collect()
}

fn site(now: Instant, timers: Timers) -> Engine {
    let config = EngineConfig {
        networks: vec!["192.168.0.0/16".parse().expect("prefix")],
        max_routes: 1_000_000,
        timers,
        ..EngineConfig::default()
    };
    let mut engine = Engine::new(config, now, SystemTime::now(), 1);
    for (ifindex, name, local) in [
        (1, "vti02", [192, 168, 10, 3]),
        (2, "eth1", [192, 168, 20, 1]),
    ] {
        engine.handle_interface(
            now,
            InterfaceEvent::Link(Link {
                ifindex,
                name: name.into(),
                up: true,
                multicast: true,
            }),
        );
        engine.handle_interface(
            now,
            InterfaceEvent::AddressAdded(Address {
                ifindex,
                local: Ipv4Addr::from(local),
                prefix_len: 24,
                peer: None,
            }),
        );
    }
    drain(&mut engine);
    engine
}

fn drain(engine: &mut Engine) -> usize {
    let mut n = 0;
    while engine.poll_transmit().is_some() {
        n += 1;
    }
    while engine.poll_fib().is_some() {
        n += 1;
    }
    while engine.poll_event().is_some() {
        n += 1;
    }
    n
}

fn ingest(engine: &mut Engine, now: Instant, messages: &[Vec<u8>]) {
    let from = SocketAddrV4::new(Ipv4Addr::new(192, 168, 10, 4), 520);
    for message in messages {
        engine.handle_packet(now, 1, from, message);
        drain(engine);
    }
}

fn bench_ingest(c: &mut Criterion) {
    let messages = responses();
    let mut group = c.benchmark_group("engine");
    group.sample_size(10);
    group.bench_function("ingest_100k_routes_4000_responses", |b| {
        b.iter_batched(
            || {
                let now = Instant::now();
                (site(now, Timers::default()), now)
            },
            |(mut engine, now)| {
                ingest(&mut engine, now, black_box(&messages));
                engine
            },
            BatchSize::PerIteration,
        )
    });

    // A regular update of the whole table (with timers long enough that
    // nothing times out while the benchmark steps from update to update).
    let now = Instant::now();
    let long = Timers {
        update: Duration::from_secs(30),
        timeout: Duration::from_secs(1_000_000_000),
        garbage: Duration::from_secs(120),
    };
    let mut engine = site(now, long);
    ingest(&mut engine, now, &messages);
    assert_eq!(engine.route_count(), ROUTES + 2);
    group.bench_function("regular_update_100k_routes", |b| {
        b.iter(|| {
            let at = engine.poll_timeout().expect("a timer");
            engine.handle_timeout(at);
            let mut entries = 0;
            while let Some(t) = engine.poll_transmit() {
                entries += t.entries.len();
            }
            assert!(entries >= ROUTES);
            entries
        })
    });
    group.bench_function("regular_update_100k_routes_encoded", |b| {
        b.iter(|| {
            let at = engine.poll_timeout().expect("a timer");
            engine.handle_timeout(at);
            let mut bytes = 0;
            while let Some(t) = engine.poll_transmit() {
                t.encode(1, |m| bytes += m.len()).expect("encodes");
            }
            bytes
        })
    });
    group.finish();
    let per_route = engine.table_bytes() as f64 / engine.route_count() as f64;
    println!("table bytes per route: {per_route:.0}");
}

criterion_group!(benches, bench_ingest);
criterion_main!(benches);
