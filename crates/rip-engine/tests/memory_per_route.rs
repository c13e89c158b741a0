//! The floor: at most 200 bytes of heap per route. A global
//! allocator that tracks live bytes measures the engine holding 100k
//! learned routes (the FIB and transmit queues drained, as a caller does),
//! and what a regular update out of 100 interfaces holds before it is sent.

// The workspace denies unsafe code. This test's global allocator must be an
// `unsafe impl GlobalAlloc` forwarding to `System`: it is the measuring
// instrument of this one test file, not product code.
#![allow(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use std::time::{Instant, SystemTime};

use rip_codec::{Command, Ipv4Prefix, MessageWriter, RouteEntry, VERSION_2};
use rip_engine::{Address, Engine, EngineConfig, InterfaceEvent, Link};

struct Tracking;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// The counters are global: one measurement at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn grew(size: usize) {
    let live = LIVE.fetch_add(size, Ordering::Relaxed) + size;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

// SAFETY: every method forwards its arguments unchanged to `System`, which
// upholds the GlobalAlloc contract; the bookkeeping is one atomic counter.
unsafe impl GlobalAlloc for Tracking {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        // SAFETY: the caller's guarantees for `layout` are passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` and `layout` come from this allocator, which is System's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        grew(new_size);
        // SAFETY: `ptr` and `layout` come from this allocator, which is System's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Tracking = Tracking;

const ROUTES: usize = 100_000;

#[test]
fn a_hundred_thousand_routes_take_at_most_200_bytes_each() {
    let _measuring = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let messages: Vec<Vec<u8>> = (0..ROUTES as u32)
        .step_by(25)
        .map(|first| message_of(first..first + 25))
        .collect();

    let now = Instant::now();
    let before = LIVE.load(Ordering::Relaxed);
    let config = EngineConfig {
        networks: vec!["192.168.0.0/16".parse().unwrap()],
        ..EngineConfig::default()
    };
    let mut engine = Engine::new(config, now, SystemTime::now(), 1);
    engine.handle_interface(
        now,
        InterfaceEvent::Link(Link {
            ifindex: 1,
            name: "vti02".into(),
            up: true,
            multicast: true,
        }),
    );
    engine.handle_interface(
        now,
        InterfaceEvent::AddressAdded(Address {
            ifindex: 1,
            local: Ipv4Addr::new(192, 168, 10, 3),
            prefix_len: 24,
            peer: None,
        }),
    );
    let from = SocketAddrV4::new(Ipv4Addr::new(192, 168, 10, 4), 520);
    for message in &messages {
        engine.handle_packet(now, 1, from, message);
        while engine.poll_transmit().is_some() {}
        while engine.poll_fib().is_some() {}
        while engine.poll_event().is_some() {}
    }
    assert_eq!(engine.route_count(), ROUTES + 1);
    let held = LIVE.load(Ordering::Relaxed) - before;
    let per_route = held / ROUTES;
    println!("engine heap: {held} bytes for {ROUTES} routes, {per_route} bytes per route");
    assert!(per_route <= 200, "{per_route} bytes per route");
    drop(engine);
}

fn message_of(routes: std::ops::Range<u32>) -> Vec<u8> {
    let mut buf = [0u8; 512];
    let mut writer = MessageWriter::new(&mut buf, Command::Response, VERSION_2, None).unwrap();
    for i in routes {
        let prefix = Ipv4Prefix::new(Ipv4Addr::from(0x0A00_0000 | (i << 8)), 24).unwrap();
        writer.push_route(&RouteEntry::new(prefix, 1)).unwrap();
    }
    writer.finish().to_vec()
}

/// A hub: the regular update to 100 spokes is queued as one list of route
/// ids and built interface by interface as the caller polls, so the queue
/// never holds 100 copies of the table's entries (about 1.6 MB here).
#[test]
fn a_regular_update_to_a_hundred_interfaces_is_built_as_it_is_polled() {
    let _measuring = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    const SPOKES: u32 = 100;
    const ROUTES: u32 = 1_000;
    let now = Instant::now();
    let config = EngineConfig {
        networks: vec!["172.20.0.0/16".parse().unwrap()],
        ..EngineConfig::default()
    };
    let mut engine = Engine::new(config, now, SystemTime::now(), 1);
    for spoke in 1..=SPOKES {
        engine.handle_interface(
            now,
            InterfaceEvent::Link(Link {
                ifindex: spoke,
                name: format!("hub{spoke}"),
                up: true,
                multicast: true,
            }),
        );
        engine.handle_interface(
            now,
            InterfaceEvent::AddressAdded(Address {
                ifindex: spoke,
                local: Ipv4Addr::new(172, 20, spoke as u8, 1),
                prefix_len: 30,
                peer: None,
            }),
        );
    }
    // Each spoke announces 10 subnets.
    let per_spoke = ROUTES / SPOKES;
    for spoke in 1..=SPOKES {
        let from = SocketAddrV4::new(Ipv4Addr::new(172, 20, spoke as u8, 2), 520);
        let first = (spoke - 1) * per_spoke;
        engine.handle_packet(now, spoke, from, &message_of(first..first + per_spoke));
    }
    while engine.poll_transmit().is_some() {}
    while engine.poll_fib().is_some() {}
    while engine.poll_event().is_some() {}
    assert_eq!(engine.route_count(), (ROUTES + SPOKES) as usize);

    // The regular update comes due.
    let later = now + Duration::from_secs(31);
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    engine.handle_timeout(later);
    let queued = PEAK.load(Ordering::Relaxed) - before;

    PEAK.store(LIVE.load(Ordering::Relaxed), Ordering::Relaxed);
    let polling_from = LIVE.load(Ordering::Relaxed);
    let mut updates = 0;
    while let Some(transmit) = engine.poll_transmit() {
        // Split horizon: everything but the spoke's own 10 subnets and
        // its own link.
        assert_eq!(
            transmit.entries.len(),
            (ROUTES + SPOKES - per_spoke - 1) as usize
        );
        updates += 1;
    }
    let polling = PEAK.load(Ordering::Relaxed) - polling_from;
    println!(
        "regular update to {SPOKES} interfaces: {queued} bytes queued, {polling} bytes at most while polled"
    );
    assert_eq!(updates, SPOKES);
    // The ids once (4 bytes a route) and a small record per interface.
    assert!(queued <= 64 * 1024, "{queued} bytes queued");
    // One interface's entries at a time (16 bytes an entry).
    assert!(polling <= 64 * 1024, "{polling} bytes while polling");
}
