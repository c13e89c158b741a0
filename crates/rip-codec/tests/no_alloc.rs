//! Decoding, authenticating and writing messages allocate nothing
//! (DESIGN.md: "Decoding allocates nothing"). A counting global allocator
//! sees every heap allocation the code under test makes.

// The workspace denies unsafe code. This test's global allocator must be an
// `unsafe impl GlobalAlloc` that calls into `System`: it is the measuring
// instrument of this one test file, not product code.
#![allow(unsafe_code)]
// Test code: a panic is a failed check. clippy.toml allows these in #[test]
// functions only, not in the helpers they call.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;
use std::net::Ipv4Addr;

use rip_codec::{
    AuthMode, Command, Ipv4Prefix, Key, MAX_MESSAGE_LEN, Md5AuthLen, MessageWriter, Packet,
    Packetizer, Request, RouteEntry, Signer, max_routes,
};

/// Forwards to the system allocator and counts, per thread, the calls that
/// hand out memory (alloc, alloc_zeroed, realloc).
struct Counting;

thread_local! {
    // Const-initialised and without a destructor: using it never allocates.
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn count_one() {
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: each method forwards its arguments unchanged to `System`, which
// upholds the GlobalAlloc contract; counting only touches a thread-local Cell.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: the caller's guarantees for `layout` are passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: as for alloc.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        // SAFETY: `ptr` and `layout` come from this allocator, which is System's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` and `layout` come from this allocator, which is System's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `f` and returns what it returned and how many allocations this
/// thread made meanwhile.
fn allocations<R>(f: impl FnOnce() -> R) -> (R, u64) {
    let before = ALLOCATIONS.with(Cell::get);
    let result = black_box(f());
    (result, ALLOCATIONS.with(Cell::get) - before)
}

const MODES: [AuthMode; 7] = [
    AuthMode::None,
    AuthMode::Password,
    AuthMode::KeyedMd5,
    AuthMode::HmacSha1,
    AuthMode::HmacSha256,
    AuthMode::HmacSha384,
    AuthMode::HmacSha512,
];

/// 100 octets: longer than every hash, so HMAC-SHA hashes the key first
/// (RFC 4822 §3.4.2), the path most likely to allocate.
const LONG: [u8; 100] = [0x5A; 100];

fn secret(mode: AuthMode) -> &'static [u8] {
    match mode {
        AuthMode::Password | AuthMode::KeyedMd5 => b"riprs-secret",
        _ => &LONG,
    }
}

fn signer(mode: AuthMode) -> Option<Signer<'static>> {
    (mode != AuthMode::None).then(|| Signer {
        mode,
        key: Key {
            id: 7,
            secret: secret(mode),
        },
        sequence: 42,
        md5_auth_len: Md5AuthLen::OldRipd,
    })
}

fn keys(mode: AuthMode) -> [Key<'static>; 2] {
    [
        Key {
            id: 1,
            secret: b"another",
        },
        Key {
            id: 7,
            secret: secret(mode),
        },
    ]
}

fn routes(n: usize) -> Vec<RouteEntry> {
    (0..n)
        .map(|i| RouteEntry {
            prefix: Ipv4Prefix::new_truncating(Ipv4Addr::new(10, i as u8, 0, 0), 16),
            next_hop: Ipv4Addr::new(192, 168, 10, 1),
            metric: 1 + (i % 16) as u8,
            tag: i as u16,
        })
        .collect()
}

/// A full response (25 entries, the authentication entry included, fewer
/// routes when the trailer takes room) written with this mode.
fn full_response(mode: AuthMode, buf: &mut [u8; MAX_MESSAGE_LEN]) -> usize {
    let routes = routes(max_routes(mode));
    let mut writer = MessageWriter::new(buf, Command::Response, 2, signer(mode)).unwrap();
    for route in &routes {
        writer.push_route(route).unwrap();
    }
    writer.finish().len()
}

/// Parses, authenticates and reads every route; returns how many were valid.
fn receive(message: &[u8], mode: AuthMode, keys: &[Key<'_>]) -> usize {
    let packet = Packet::parse(message).unwrap();
    let verified = packet.authenticate(mode, keys).unwrap();
    let mut valid = 0;
    for route in verified.routes() {
        let route = black_box(route).unwrap();
        valid += usize::from(route.metric >= 1);
    }
    valid
}

#[test]
fn the_counter_counts() {
    let (_, n) = allocations(|| Box::new(black_box(1u64)));
    assert_eq!(n, 1);
    let (_, n) = allocations(|| black_box(1u64) + 1);
    assert_eq!(n, 0);
}

#[test]
fn receiving_an_unauthenticated_25_entry_response_allocates_nothing() {
    let mut buf = [0u8; MAX_MESSAGE_LEN];
    let len = full_response(AuthMode::None, &mut buf);
    let message = &buf[..len];
    let (valid, n) = allocations(|| {
        let packet = Packet::parse(message).unwrap();
        let verified = packet.unauthenticated().unwrap();
        verified.routes().filter(|r| black_box(r).is_ok()).count()
    });
    assert_eq!(valid, 25);
    assert_eq!(n, 0, "{n} allocations");
}

#[test]
fn receiving_an_authenticated_response_allocates_nothing() {
    // Keyed MD5 and HMAC-SHA-256 as asked, and every other mode too.
    for mode in MODES {
        let mut buf = [0u8; MAX_MESSAGE_LEN];
        let len = full_response(mode, &mut buf);
        let message = &buf[..len];
        let keys = keys(mode);
        let (valid, n) = allocations(|| receive(message, mode, &keys));
        assert_eq!(valid, max_routes(mode), "{mode:?}");
        assert_eq!(n, 0, "{mode:?}: {n} allocations");
    }
}

#[test]
fn rejecting_a_message_allocates_nothing() {
    for mode in MODES.into_iter().filter(|m| *m != AuthMode::None) {
        let mut buf = [0u8; MAX_MESSAGE_LEN];
        let len = full_response(mode, &mut buf);
        // The password itself, or the last octet of the digest.
        let at = if mode == AuthMode::Password {
            8
        } else {
            len - 1
        };
        buf[at] ^= 1;
        let message = &buf[..len];
        let keys = keys(mode);
        let (rejected, n) = allocations(|| {
            Packet::parse(message)
                .unwrap()
                .authenticate(mode, &keys[..])
                .is_err()
        });
        assert!(rejected, "{mode:?}");
        assert_eq!(n, 0, "{mode:?}: {n} allocations");
    }
}

#[test]
fn reading_a_request_allocates_nothing() {
    let mut buf = [0u8; MAX_MESSAGE_LEN];
    let mut writer = MessageWriter::new(&mut buf, Command::Request, 2, None).unwrap();
    for route in routes(25) {
        writer.push_query(route.prefix).unwrap();
    }
    let message = writer.finish();
    let (queries, n) = allocations(|| {
        let verified = Packet::parse(message).unwrap().unauthenticated().unwrap();
        match verified.request() {
            Request::Specific(queries) => queries.filter(|q| black_box(q).is_ok()).count(),
            _ => 0,
        }
    });
    assert_eq!(queries, 25);
    assert_eq!(n, 0, "{n} allocations");
}

#[test]
fn writing_a_full_response_allocates_nothing() {
    for mode in MODES {
        let routes = routes(max_routes(mode));
        let mut buf = [0u8; MAX_MESSAGE_LEN];
        let (len, n) = allocations(|| {
            let mut writer =
                MessageWriter::new(&mut buf, Command::Response, 2, signer(mode)).unwrap();
            for route in &routes {
                writer.push_route(route).unwrap();
            }
            writer.finish().len()
        });
        assert!(len <= MAX_MESSAGE_LEN);
        assert_eq!(n, 0, "{mode:?}: {n} allocations");
        assert_eq!(receive(&buf[..len], mode, &keys(mode)), routes.len());
    }
}

#[test]
fn packetizing_25_routes_allocates_nothing() {
    let routes = routes(25);
    for mode in MODES {
        let (messages, n) = allocations(|| {
            let mut packetizer = Packetizer::new(&routes, 2, signer(mode));
            let mut messages = 0;
            while let Some(message) = packetizer.next_message() {
                black_box(message.unwrap());
                messages += 1;
            }
            messages
        });
        assert_eq!(messages, 25usize.div_ceil(max_routes(mode)), "{mode:?}");
        assert_eq!(n, 0, "{mode:?}: {n} allocations");
    }
}
