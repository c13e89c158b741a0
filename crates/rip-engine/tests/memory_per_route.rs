//! The floor: at most 200 bytes of heap per route. A global
//! allocator that tracks live bytes measures the engine holding 100k
//! learned routes (the FIB and transmit queues drained, as a caller does).

// The workspace denies unsafe code. This test's global allocator must be an
// `unsafe impl GlobalAlloc` forwarding to `System`: it is the measuring
// instrument of this one test file, not product code.
#![allow(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Instant, SystemTime};

use rip_codec::{Command, Ipv4Prefix, MessageWriter, RouteEntry, VERSION_2};
use rip_engine::{Address, Engine, EngineConfig, InterfaceEvent, Link};

struct Tracking;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every method forwards its arguments unchanged to `System`, which
// upholds the GlobalAlloc contract; the bookkeeping is one atomic counter.
unsafe impl GlobalAlloc for Tracking {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
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
        LIVE.fetch_add(new_size, Ordering::Relaxed);
        // SAFETY: `ptr` and `layout` come from this allocator, which is System's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Tracking = Tracking;

const ROUTES: usize = 100_000;

#[test]
fn a_hundred_thousand_routes_take_at_most_200_bytes_each() {
    let messages: Vec<Vec<u8>> = (0..ROUTES)
        .collect::<Vec<_>>()
        .chunks(25)
        .map(|chunk| {
            let mut buf = [0u8; 512];
            let mut writer =
                MessageWriter::new(&mut buf, Command::Response, VERSION_2, None).unwrap();
            for &i in chunk {
                let prefix =
                    Ipv4Prefix::new(Ipv4Addr::from(0x0A00_0000 | ((i as u32) << 8)), 24).unwrap();
                writer.push_route(&RouteEntry::new(prefix, 1)).unwrap();
            }
            writer.finish().to_vec()
        })
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
