//! What each fuzz target checks about one input, in one place.
//!
//! Included with `#[path]` by the cargo-fuzz targets in `fuzz/fuzz_targets/`
//! and by the stable tests `tests/fuzz_corpus.rs` and `tests/properties.rs`,
//! so libFuzzer and `cargo test` assert exactly the same things. It uses only
//! the public API of `rip_codec` (and `arbitrary` for the roundtrip target).
//!
//! - [`decode_plain`]: parse, unauthenticated, iterate; nothing panics and the
//!   views agree with each other and with the raw bytes.
//! - [`decode_auth`]: the first octet selects the [`AuthMode`], the rest is a
//!   message checked against the fixed key ring [`RING`]; an accepted message
//!   must really carry the ring's authentication (a cryptographic one must be
//!   one of the messages this module signed itself: no forgery).
//! - [`roundtrip`]: the input drives [`arbitrary`] to build a valid [`Repr`]
//!   and signer; emit, parse back, compare; and the same for [`Packetizer`].

// Each includer uses a subset of what is here.
#![allow(dead_code)]
// Test code: a panic is a failed check. clippy.toml allows these in #[test]
// functions only, not in the helpers they call.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::HashSet;
use std::net::Ipv4Addr;
use std::sync::OnceLock;

use arbitrary::Unstructured;
use rip_codec::{
    AuthMode, Authenticated, Body, Command, ENTRY_LEN, EntryError, HEADER_LEN, Ipv4Prefix, Key,
    MAX_MESSAGE_LEN, Md5AuthLen, Packet, Packetizer, Parsed, Repr, Request, RouteEntry, Signer,
    Verified, classful_len, len_to_mask, max_routes,
};

/// Every authentication mode, in the order the selector octet of
/// [`decode_auth`] picks them.
pub const MODES: [AuthMode; 7] = [
    AuthMode::None,
    AuthMode::Password,
    AuthMode::KeyedMd5,
    AuthMode::HmacSha1,
    AuthMode::HmacSha256,
    AuthMode::HmacSha384,
    AuthMode::HmacSha512,
];

/// The mode a selector octet picks.
pub fn mode_of(selector: u8) -> AuthMode {
    MODES[usize::from(selector) % MODES.len()]
}

/// The selector octet of a mode.
pub fn selector_of(mode: AuthMode) -> u8 {
    MODES.iter().position(|m| *m == mode).unwrap_or(0) as u8
}

/// A 100-octet secret: longer than every hash, so HMAC keys are hashed
/// first (RFC 4822 §3.4.2); cut to 16 octets by password and keyed MD5.
pub const LONG_SECRET: [u8; 100] = {
    let mut out = [0u8; 100];
    let mut i = 0;
    while i < out.len() {
        out[i] = (i as u8).wrapping_mul(37).wrapping_add(11);
        i += 1;
    }
    out
};

/// The fixed key ring of [`decode_auth`]: an ordinary secret, an empty one
/// and a long one.
pub const RING: [Key<'static>; 3] = [
    Key {
        id: 1,
        secret: b"riprs-fuzz-key-1",
    },
    Key { id: 2, secret: b"" },
    Key {
        id: 200,
        secret: &LONG_SECRET,
    },
];

/// The longest secret a mode is exercised with: 16 octets for simple
/// passwords and keyed MD5, 100 (longer than any hash) for HMAC-SHA.
pub fn secret_max(mode: AuthMode) -> usize {
    match mode {
        AuthMode::None => 0,
        AuthMode::Password | AuthMode::KeyedMd5 => 16,
        _ => 100,
    }
}

/// An owned signer, for generated cases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerSpec {
    pub mode: AuthMode,
    pub key_id: u8,
    pub secret: Vec<u8>,
    pub sequence: u32,
    pub md5_auth_len: Md5AuthLen,
}

impl SignerSpec {
    pub fn unauthenticated() -> Self {
        SignerSpec {
            mode: AuthMode::None,
            key_id: 0,
            secret: Vec::new(),
            sequence: 0,
            md5_auth_len: Md5AuthLen::default(),
        }
    }

    pub fn key(&self) -> Key<'_> {
        Key {
            id: self.key_id,
            secret: &self.secret,
        }
    }

    /// `None` for an unauthenticated message.
    pub fn signer(&self) -> Option<Signer<'_>> {
        (self.mode != AuthMode::None).then(|| Signer {
            mode: self.mode,
            key: self.key(),
            sequence: self.sequence,
            md5_auth_len: self.md5_auth_len,
        })
    }

    /// The receiver's keys: the signer's among two decoys with other ids.
    pub fn keys(&self) -> [Key<'_>; 3] {
        [
            Key {
                id: self.key_id.wrapping_add(1),
                secret: b"decoy-one",
            },
            self.key(),
            Key {
                id: self.key_id.wrapping_sub(1),
                secret: b"decoy-two",
            },
        ]
    }

    /// What a receiver must report for a message this signer signed.
    pub fn expected(&self) -> Authenticated {
        match self.mode {
            AuthMode::None => Authenticated::None,
            AuthMode::Password => Authenticated::Password,
            _ => Authenticated::Crypto {
                key_id: self.key_id,
                sequence: self.sequence,
            },
        }
    }
}

/// A secret that differs from `secret` in what every mode uses of it (its
/// first octet, within the 16 that passwords and keyed MD5 keep).
pub fn wrong_secret(secret: &[u8]) -> Vec<u8> {
    match secret.split_first() {
        Some((first, rest)) => {
            let mut out = vec![first ^ 0x5A];
            out.extend_from_slice(rest);
            out
        }
        None => vec![1],
    }
}

// ---------------------------------------------------------------------------
// Valid values, from raw numbers (shared by the arbitrary and proptest
// generators).

fn first_octet(addr: u32) -> u32 {
    addr >> 24
}

/// Moves an address out of 0/8, 127/8 and 224/3 by setting bit 31 and
/// clearing bit 30, which keeps it inside any mask that already covered it.
fn to_unicast(addr: u32) -> u32 {
    let mut a = addr;
    if first_octet(a) == 0 || first_octet(a) == 127 {
        a |= 0x8000_0000;
    }
    if first_octet(a) >= 224 {
        a &= !0x4000_0000;
    }
    a
}

/// A destination a RIPv2 receiver accepts: the default route for length 0,
/// else a prefix outside the martian ranges (RFC 2453 §3.9.2).
pub fn v2_destination(addr: u32, len: u8) -> Ipv4Prefix {
    let len = len.min(32);
    if len == 0 {
        return Ipv4Prefix::DEFAULT;
    }
    let a = to_unicast(addr & len_to_mask(len));
    Ipv4Prefix::new_truncating(Ipv4Addr::from(a), len)
}

/// 0.0.0.0 ("via the sender") stays; anything else becomes a unicast address.
pub fn next_hop(raw: u32) -> Ipv4Addr {
    if raw == 0 {
        Ipv4Addr::UNSPECIFIED
    } else {
        Ipv4Addr::from(to_unicast(raw))
    }
}

/// A destination RIPv1 can carry without a mask (RFC 1058 §3.1, §3.2): a
/// class A, B or C network, or a host address with bits set past its class;
/// 0 is the default route.
pub fn v1_destination(addr: u32, host: bool) -> Ipv4Prefix {
    if addr == 0 {
        return Ipv4Prefix::DEFAULT;
    }
    let a = to_unicast(addr);
    let class = classful_len(a);
    if host {
        let a = if a & !len_to_mask(class) == 0 {
            a | 1
        } else {
            a
        };
        Ipv4Prefix::host(Ipv4Addr::from(a))
    } else {
        Ipv4Prefix::new_truncating(Ipv4Addr::from(a), class)
    }
}

/// What a RIPv1 query asks for: read as a RIPv1 route is (the default route,
/// a host, or its address's class network).
pub fn v1_query(addr: u32) -> Ipv4Prefix {
    Ipv4Prefix::new_truncating(Ipv4Addr::from(addr), v1_len(addr))
}

// ---------------------------------------------------------------------------
// decode_plain

/// Parse, unauthenticated, iterate everything.
pub fn decode_plain(data: &[u8]) {
    let strict = Packet::parse(data);
    let loose = Packet::parse_with_limit(data, usize::MAX);
    let _ = Packet::parse_with_limit(data, data.len() % 32);
    match (&strict, &loose) {
        (Ok(s), Ok(l)) => {
            assert_eq!(s.entry_count(), l.entry_count());
            assert!(s.entry_count() <= 25);
        }
        (Err(rip_codec::HeaderError::TooManyEntries { count, max }), Ok(l)) => {
            assert_eq!((*count, *max), (l.entry_count(), 25));
        }
        // The entry count is checked before the RIPv1 must-be-zero fields.
        (
            Err(rip_codec::HeaderError::TooManyEntries { .. }),
            Err(rip_codec::HeaderError::V1MustBeZero),
        ) => {}
        (Err(a), Err(b)) => assert_eq!(a, b),
        (s, l) => panic!("parse {s:?} disagrees with parse_with_limit {l:?}"),
    }
    let Ok(packet) = loose else { return };
    assert!(HEADER_LEN + ENTRY_LEN * packet.entry_count() <= data.len());
    assert_eq!(Some(packet.command()), Command::from_wire(data[0]));
    assert_eq!(packet.version(), data[1]);

    let verified = packet.unauthenticated();
    let carries_auth = packet.version() >= 2 && data.get(4..6) == Some(&[0xFF, 0xFF]);
    assert_eq!(
        verified.is_ok(),
        !carries_auth,
        "an unauthenticated receiver accepts exactly the messages without an authentication entry"
    );
    if let Ok(verified) = verified {
        assert_eq!(verified.authenticated(), Authenticated::None);
        assert_eq!(verified.entry_count(), packet.entry_count());
        assert_eq!(data.len(), HEADER_LEN + ENTRY_LEN * packet.entry_count());
        walk(&verified);
    }
    let parsed = Repr::parse(data, AuthMode::None, &[] as &[Key<'_>]);
    assert_eq!(parsed.is_ok(), !carries_auth);
    if let Ok(parsed) = parsed {
        reemit(&parsed, data, &SignerSpec::unauthenticated());
    }
}

/// Iterates every view of a verified message and checks them against each
/// other and the raw entries.
pub fn walk(verified: &Verified<'_>) {
    let count = verified.entry_count();
    let routes = verified.routes();
    assert_eq!(routes.len(), count);
    assert_eq!(verified.raw_entries().len(), count);
    let mut seen = 0;
    for (route, raw) in routes.zip(verified.raw_entries()) {
        seen += 1;
        let reference = if verified.version() == 1 {
            reference_route_v1(raw.0)
        } else {
            reference_route_v2(raw.0)
        };
        assert_eq!(route, reference, "entry {:02x?}", raw.0);
        if let Ok(route) = route {
            assert!((1..=16).contains(&route.metric));
            assert!(Ipv4Prefix::new(route.prefix.addr(), route.prefix.prefix_len()).is_ok());
            // A valid entry is canonical: writing it back gives its octets.
            let mut out = [0u8; ENTRY_LEN];
            if verified.version() == 1 {
                route.write_v1(&mut out);
            } else {
                route.write_v2(&mut out);
            }
            assert_eq!(&out, raw.0, "{route:?} does not write back to its entry");
        }
    }
    assert_eq!(seen, count);
    match verified.request() {
        Request::Empty => assert_eq!(count, 0),
        Request::WholeTable => {
            assert_eq!(count, 1);
            let raw = verified.raw_entries().next().map(|e| (e.afi(), e.metric()));
            assert_eq!(raw, Some((0, 16)));
        }
        Request::Specific(queries) => {
            assert!(count >= 1);
            assert_eq!(queries.len(), count);
            for (query, raw) in queries.zip(verified.raw_entries()) {
                assert_eq!(query, reference_query(verified.version(), raw.0));
                if let Ok(query) = query {
                    assert!(Ipv4Prefix::new(query.addr(), query.prefix_len()).is_ok());
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The entry rules written out plainly, one after the other, to check the
// codec's branch-free validation against.

struct Fields {
    afi: u16,
    tag: u16,
    addr: u32,
    mask: u32,
    next_hop: u32,
    metric: u32,
}

fn fields(raw: &[u8; ENTRY_LEN]) -> Fields {
    let word = |i: usize| u32::from_be_bytes([raw[i], raw[i + 1], raw[i + 2], raw[i + 3]]);
    Fields {
        afi: u16::from_be_bytes([raw[0], raw[1]]),
        tag: u16::from_be_bytes([raw[2], raw[3]]),
        addr: word(4),
        mask: word(8),
        next_hop: word(12),
        metric: word(16),
    }
}

/// Contiguous ones then zeros: the prefix length.
fn contiguous_len(mask: u32) -> Option<u8> {
    (0..=32u8).find(|&len| len_to_mask(len) == mask)
}

/// 0/8 other than the default route, 127/8, 224/4 and 240/4.
fn is_martian(addr: u32, len: u8) -> bool {
    match addr >> 24 {
        0 => !(addr == 0 && len == 0),
        127 => true,
        first => first >= 224,
    }
}

/// RFC 2453 §3.9.2 and §4.4, checked in this order: address family,
/// metric 1..=16, contiguous mask, no host bits, no martian destination,
/// next hop 0.0.0.0 or a usable unicast address.
pub fn reference_route_v2(raw: &[u8; ENTRY_LEN]) -> Result<RouteEntry, EntryError> {
    let f = fields(raw);
    if f.afi == 0xFFFF {
        return Err(EntryError::MisplacedAuth);
    }
    if f.afi != 2 {
        return Err(EntryError::UnknownAfi(f.afi));
    }
    if !(1..=16).contains(&f.metric) {
        return Err(EntryError::BadMetric(f.metric));
    }
    let Some(len) = contiguous_len(f.mask) else {
        return Err(EntryError::NonContiguousMask(Ipv4Addr::from(f.mask)));
    };
    if f.addr & !f.mask != 0 {
        return Err(EntryError::HostBitsSet {
            addr: Ipv4Addr::from(f.addr),
            mask: Ipv4Addr::from(f.mask),
        });
    }
    if is_martian(f.addr, len) {
        return Err(EntryError::MartianDestination(Ipv4Addr::from(f.addr)));
    }
    let hop = Ipv4Addr::from(f.next_hop);
    match f.next_hop >> 24 {
        _ if f.next_hop == 0 => {}
        127 => return Err(EntryError::LoopbackNextHop(hop)),
        224..=239 => return Err(EntryError::MulticastNextHop(hop)),
        0 | 240..=255 => return Err(EntryError::ReservedNextHop(hop)),
        _ => {}
    }
    Ok(RouteEntry {
        prefix: Ipv4Prefix::new(Ipv4Addr::from(f.addr), len).unwrap(),
        next_hop: hop,
        metric: f.metric as u8,
        tag: f.tag,
    })
}

/// RFC 1058 §3.1, §3.2: no mask; 0.0.0.0 is the default route, otherwise
/// the class's length, or a host route when bits are set past the class.
pub fn reference_route_v1(raw: &[u8; ENTRY_LEN]) -> Result<RouteEntry, EntryError> {
    let f = fields(raw);
    if f.afi == 0xFFFF {
        return Err(EntryError::MisplacedAuth);
    }
    if f.afi != 2 {
        return Err(EntryError::UnknownAfi(f.afi));
    }
    if !(1..=16).contains(&f.metric) {
        return Err(EntryError::BadMetric(f.metric));
    }
    let len = v1_len(f.addr);
    if is_martian(f.addr, len) {
        return Err(EntryError::MartianDestination(Ipv4Addr::from(f.addr)));
    }
    Ok(RouteEntry::new(
        Ipv4Prefix::new(Ipv4Addr::from(f.addr), len).unwrap(),
        f.metric as u8,
    ))
}

/// RFC 1058 §3.2: 0.0.0.0 is the default route, an address with bits past
/// its class is a host, anything else is its class's network.
fn v1_len(addr: u32) -> u8 {
    let class = classful_len(addr);
    if addr == 0 {
        0
    } else if addr & !len_to_mask(class) != 0 {
        32
    } else {
        class
    }
}

/// RFC 2453 §3.9.1: a query names a destination; the metric is not looked
/// at and host bits are cleared. RIPv1 queries are read as RIPv1 routes are.
pub fn reference_query(version: u8, raw: &[u8; ENTRY_LEN]) -> Result<Ipv4Prefix, EntryError> {
    let f = fields(raw);
    if f.afi == 0xFFFF {
        return Err(EntryError::MisplacedAuth);
    }
    if f.afi != 2 {
        return Err(EntryError::UnknownAfi(f.afi));
    }
    let mask = if version == 1 {
        len_to_mask(v1_len(f.addr))
    } else {
        f.mask
    };
    let Some(len) = contiguous_len(mask) else {
        return Err(EntryError::NonContiguousMask(Ipv4Addr::from(mask)));
    };
    Ok(Ipv4Prefix::new_truncating(Ipv4Addr::from(f.addr), len))
}

/// A parsed message, written again and parsed again, is the same message;
/// a response of valid routes writes back to the received octets.
fn reemit(parsed: &Parsed, data: &[u8], spec: &SignerSpec) {
    let count = match &parsed.repr.body {
        Body::WholeTableRequest => 1,
        Body::Request(q) => q.len(),
        Body::Response(r) => r.len(),
    };
    if count > max_routes(spec.mode) || (parsed.repr.version == 1 && spec.mode != AuthMode::None) {
        return;
    }
    let mut buf = [0u8; MAX_MESSAGE_LEN];
    let len = match parsed.repr.emit(&mut buf, spec.signer()) {
        Ok(len) => len,
        Err(e) => panic!("{:?} parsed but does not emit: {e}", parsed.repr),
    };
    let again = Repr::parse(&buf[..len], spec.mode, &spec.keys()[..])
        .unwrap_or_else(|e| panic!("{:?} emitted but does not parse: {e}", parsed.repr));
    assert_eq!(again.repr, parsed.repr);
    assert!(again.bad_entries.is_empty());
    if spec.mode == AuthMode::None
        && parsed.bad_entries.is_empty()
        && matches!(parsed.repr.body, Body::Response(_))
    {
        // Only the must-be-zero octets of a v2 header may differ.
        let emitted = &buf[..len];
        assert_eq!(emitted.len(), data.len());
        assert_eq!(emitted[..2], data[..2]);
        assert_eq!(emitted[HEADER_LEN..], data[HEADER_LEN..]);
        if parsed.repr.version == 1 {
            assert_eq!(emitted, data);
        }
    }
}

// ---------------------------------------------------------------------------
// decode_auth

/// Selector octet, then a message checked against [`RING`].
pub fn decode_auth(data: &[u8]) {
    let Some((&selector, message)) = data.split_first() else {
        return;
    };
    check_auth(mode_of(selector), message);
}

/// A message under one mode and the fixed key ring.
pub fn check_auth(mode: AuthMode, message: &[u8]) {
    let Ok(packet) = Packet::parse_with_limit(message, usize::MAX) else {
        assert!(Repr::parse(message, mode, &RING[..]).is_err());
        return;
    };
    let _ = Packet::parse(message).map(|p| p.authenticate(mode, &RING[..]));
    let verified = packet.authenticate(mode, &RING[..]);
    let parsed = Repr::parse(message, mode, &RING[..]);
    assert_eq!(verified.is_ok(), parsed.is_ok());
    if mode != AuthMode::None {
        // No key, no entry.
        assert!(packet.authenticate(mode, &[] as &[Key<'_>]).is_err());
    }
    let Ok(verified) = verified else { return };
    let authenticated = verified.authenticated();
    match (mode, authenticated) {
        (AuthMode::None, Authenticated::None) => {
            assert_eq!(verified.entry_count(), packet.entry_count());
        }
        (AuthMode::Password, Authenticated::Password) => {
            let wire = &message[8..24];
            assert!(
                RING.iter()
                    .any(|k| rip_codec::auth::pad_password(k.secret) == wire),
                "accepted a password that is no key's"
            );
            assert_eq!(verified.entry_count() + 1, packet.entry_count());
        }
        (mode, Authenticated::Crypto { key_id, sequence }) if mode.is_cryptographic() => {
            assert!(RING.iter().any(|k| k.id == key_id));
            assert_eq!(key_id, message[10]);
            assert_eq!(sequence.to_be_bytes(), message[12..16]);
            assert!(
                signed_seeds().contains(&(mode, message.to_vec())),
                "{mode:?} accepted a message no key of the ring signed: {message:02x?}"
            );
            assert_eq!(verified.entry_count() + 1, packet.entry_count());
        }
        (mode, got) => panic!("{mode:?} accepted a message as {got:?}"),
    }
    if mode != AuthMode::None {
        // RFC 2453 §5.2: an interface without authentication discards it.
        assert!(packet.unauthenticated().is_err());
    }
    walk(&verified);
    if let Ok(parsed) = parsed {
        assert_eq!(parsed.authenticated, authenticated);
        let spec = match authenticated {
            Authenticated::Crypto { key_id, sequence } => SignerSpec {
                mode,
                key_id,
                secret: RING
                    .iter()
                    .find(|k| k.id == key_id)
                    .map(|k| k.secret.to_vec())
                    .unwrap_or_default(),
                sequence,
                md5_auth_len: Md5AuthLen::OldRipd,
            },
            _ => SignerSpec {
                mode,
                key_id: 0,
                secret: RING[0].secret.to_vec(),
                sequence: 0,
                md5_auth_len: Md5AuthLen::OldRipd,
            },
        };
        reemit(&parsed, message, &spec);
    }
}

/// Sample messages every seed corpus starts from.
pub fn sample_reprs(version: u8, mode: AuthMode) -> Vec<Repr> {
    let prefix = |s: &str| s.parse::<Ipv4Prefix>().unwrap_or(Ipv4Prefix::DEFAULT);
    let route = |p: &str, metric, tag, hop: [u8; 4]| RouteEntry {
        prefix: prefix(p),
        next_hop: Ipv4Addr::from(hop),
        metric,
        tag,
    };
    let routes = if version == 1 {
        vec![
            route("10.0.0.0/8", 1, 0, [0; 4]),
            route("172.16.0.0/16", 2, 0, [0; 4]),
            route("192.168.20.0/24", 16, 0, [0; 4]),
            route("10.1.2.3/32", 3, 0, [0; 4]),
            route("0.0.0.0/0", 1, 0, [0; 4]),
        ]
    } else {
        vec![
            route("0.0.0.0/0", 1, 0, [0; 4]),
            route("192.168.20.0/24", 2, 7, [0; 4]),
            route("10.1.2.3/32", 16, 0xFFFF, [192, 168, 10, 1]),
            route("172.16.0.0/12", 5, 1, [0; 4]),
        ]
    };
    let full: Vec<RouteEntry> = (0..max_routes(mode))
        .map(|i| RouteEntry {
            prefix: Ipv4Prefix::new_truncating(Ipv4Addr::new(10, i as u8, 0, 0), 16),
            next_hop: Ipv4Addr::UNSPECIFIED,
            metric: (i % 16) as u8 + 1,
            tag: 0,
        })
        .collect();
    let queries = if version == 1 {
        vec![prefix("10.0.0.0/8"), prefix("192.168.20.0/24")]
    } else {
        vec![prefix("192.168.20.0/24"), prefix("10.1.2.3/32")]
    };
    [
        Body::Response(routes),
        Body::WholeTableRequest,
        Body::Request(queries),
        Body::Response(Vec::new()),
        Body::Response(full),
    ]
    .into_iter()
    .map(|body| Repr { version, body })
    .collect()
}

/// The messages signed with [`RING`] that seed the corpus, with their mode:
/// for every mode, every sample under the first key, one under the others
/// (both auth data lengths for keyed MD5).
pub fn signed_seeds() -> &'static HashSet<(AuthMode, Vec<u8>)> {
    static SEEDS: OnceLock<HashSet<(AuthMode, Vec<u8>)>> = OnceLock::new();
    SEEDS.get_or_init(|| signed_seed_list().into_iter().collect())
}

/// [`signed_seeds`] in a fixed order.
pub fn signed_seed_list() -> Vec<(AuthMode, Vec<u8>)> {
    let mut out = Vec::new();
    for mode in MODES {
        let lens: &[Md5AuthLen] = if mode == AuthMode::KeyedMd5 {
            &[Md5AuthLen::OldRipd, Md5AuthLen::Rfc]
        } else {
            &[Md5AuthLen::OldRipd]
        };
        for (k, key) in RING.iter().enumerate() {
            if (mode == AuthMode::None && k > 0)
                || (mode == AuthMode::Password && key.secret.len() > 16)
            {
                continue;
            }
            for &md5_auth_len in lens {
                let reprs = sample_reprs(2, mode);
                let take = if k == 0 { reprs.len() } else { 1 };
                for repr in reprs.iter().take(take) {
                    let signer = Signer {
                        mode,
                        key: *key,
                        sequence: 0x0102_0304 + k as u32,
                        md5_auth_len,
                    };
                    let mut buf = [0u8; MAX_MESSAGE_LEN];
                    if let Ok(len) = repr.emit(&mut buf, Some(signer)) {
                        out.push((mode, buf[..len].to_vec()));
                    }
                }
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// roundtrip

/// A valid message, a signer, and more routes for the packetizer.
#[derive(Debug, Clone)]
pub struct RoundtripCase {
    pub repr: Repr,
    pub spec: SignerSpec,
    pub more_routes: Vec<RouteEntry>,
}

/// Builds a case from the input and checks it.
pub fn roundtrip(data: &[u8]) {
    let mut u = Unstructured::new(data);
    if let Ok(case) = roundtrip_case(&mut u) {
        check_roundtrip(&case.repr, &case.spec);
        check_packetizer(&case.more_routes, case.repr.version, &case.spec);
    }
}

pub fn roundtrip_case(u: &mut Unstructured<'_>) -> arbitrary::Result<RoundtripCase> {
    let version = if u.ratio(1u8, 5u8)? { 1 } else { 2 };
    let mode = if version == 1 {
        AuthMode::None
    } else {
        *u.choose(&MODES)?
    };
    let secret_len = u.int_in_range(0..=secret_max(mode))?;
    let secret = (0..secret_len)
        .map(|_| u.arbitrary::<u8>())
        .collect::<arbitrary::Result<Vec<u8>>>()?;
    let spec = SignerSpec {
        mode,
        key_id: u.arbitrary()?,
        secret,
        sequence: u.arbitrary()?,
        md5_auth_len: if u.arbitrary()? {
            Md5AuthLen::Rfc
        } else {
            Md5AuthLen::OldRipd
        },
    };
    let max = max_routes(mode);
    let body = match u.int_in_range(0..=3u8)? {
        0 => Body::WholeTableRequest,
        1 => {
            let n = u.int_in_range(0..=max)?;
            Body::Request(
                (0..n)
                    .map(|_| arbitrary_query(u, version))
                    .collect::<arbitrary::Result<_>>()?,
            )
        }
        _ => {
            let n = u.int_in_range(0..=max)?;
            Body::Response(
                (0..n)
                    .map(|_| arbitrary_route(u, version))
                    .collect::<arbitrary::Result<_>>()?,
            )
        }
    };
    let extra = u.int_in_range(0..=80usize)?;
    let more_routes = (0..extra)
        .map(|_| arbitrary_route(u, version))
        .collect::<arbitrary::Result<_>>()?;
    Ok(RoundtripCase {
        repr: Repr { version, body },
        spec,
        more_routes,
    })
}

pub fn arbitrary_route(u: &mut Unstructured<'_>, version: u8) -> arbitrary::Result<RouteEntry> {
    let metric = u.int_in_range(1..=16u8)?;
    if version == 1 {
        let addr = if u.ratio(1u8, 16u8)? {
            0
        } else {
            u.arbitrary()?
        };
        return Ok(RouteEntry::new(
            v1_destination(addr, u.arbitrary()?),
            metric,
        ));
    }
    let len = u.int_in_range(0..=32u8)?;
    let prefix = v2_destination(u.arbitrary()?, len);
    let hop = if u.arbitrary()? {
        Ipv4Addr::UNSPECIFIED
    } else {
        next_hop(u.arbitrary()?)
    };
    Ok(RouteEntry {
        prefix,
        next_hop: hop,
        metric,
        tag: u.arbitrary()?,
    })
}

pub fn arbitrary_query(u: &mut Unstructured<'_>, version: u8) -> arbitrary::Result<Ipv4Prefix> {
    let addr: u32 = u.arbitrary()?;
    if version == 1 {
        return Ok(v1_query(addr));
    }
    let len = u.int_in_range(0..=32u8)?;
    Ok(Ipv4Prefix::new_truncating(Ipv4Addr::from(addr), len))
}

/// Emit, parse back under the signer's mode and keys: the same message, as
/// authenticated as it was signed; every other mode and a wrong key reject it.
pub fn check_roundtrip(repr: &Repr, spec: &SignerSpec) {
    let mut buf = [0u8; MAX_MESSAGE_LEN];
    let len = repr
        .emit(&mut buf, spec.signer())
        .unwrap_or_else(|e| panic!("{repr:?} with {spec:?} does not emit: {e}"));
    let message = &buf[..len];
    let entries = match &repr.body {
        Body::WholeTableRequest => 1,
        Body::Request(q) => q.len(),
        Body::Response(r) => r.len(),
    };
    let expected_len =
        HEADER_LEN + spec.mode.auth_entry_len() + ENTRY_LEN * entries + spec.mode.trailer_len();
    assert_eq!(len, expected_len);
    assert!(len <= MAX_MESSAGE_LEN);
    assert_eq!(message[0], repr.command().to_wire());
    assert_eq!(message[1], repr.version);

    let keys = spec.keys();
    let parsed = Repr::parse(message, spec.mode, &keys[..])
        .unwrap_or_else(|e| panic!("{repr:?} with {spec:?}: {e} in {message:02x?}"));
    assert_eq!(parsed.repr, *repr, "with {spec:?}");
    assert!(parsed.bad_entries.is_empty(), "{:?}", parsed.bad_entries);
    assert_eq!(parsed.authenticated, spec.expected());
    let packet = Packet::parse(message).unwrap_or_else(|e| panic!("{e}: {message:02x?}"));
    let verified = packet
        .authenticate(spec.mode, &keys[..])
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(verified.authenticated(), spec.expected());

    for other in MODES {
        if other != spec.mode {
            assert!(
                Repr::parse(message, other, &keys[..]).is_err(),
                "signed {:?}, accepted as {other:?}",
                spec.mode
            );
        }
    }
    if spec.mode != AuthMode::None {
        let wrong = wrong_secret(&spec.secret);
        let wrong = [Key {
            id: spec.key_id,
            secret: &wrong,
        }];
        assert!(Repr::parse(message, spec.mode, &wrong[..]).is_err());
        let other_id = [Key {
            id: spec.key_id.wrapping_add(1),
            secret: &spec.secret,
        }];
        if spec.mode.is_cryptographic() {
            assert!(Repr::parse(message, spec.mode, &other_id[..]).is_err());
        }
    }
}

/// Any routes become messages that each parse back, in order, with at most
/// [`max_routes`] entries and at most 512 octets.
pub fn check_packetizer(routes: &[RouteEntry], version: u8, spec: &SignerSpec) {
    let max = max_routes(spec.mode);
    // max_routes is the most that fit in 512 octets.
    assert!(
        HEADER_LEN + spec.mode.auth_entry_len() + ENTRY_LEN * (max + 1) + spec.mode.trailer_len()
            > MAX_MESSAGE_LEN
    );
    let keys = spec.keys();
    let mut packetizer = Packetizer::new(routes, version, spec.signer());
    let expected_messages = packetizer.message_count();
    let mut messages = 0;
    let mut back = Vec::with_capacity(routes.len());
    while let Some(message) = packetizer.next_message() {
        let message = message.unwrap_or_else(|e| panic!("{spec:?}: {e}"));
        messages += 1;
        assert!(message.len() <= MAX_MESSAGE_LEN);
        assert!(Packet::parse(message).is_ok());
        let parsed = Repr::parse(message, spec.mode, &keys[..])
            .unwrap_or_else(|e| panic!("{spec:?}: {e} in {message:02x?}"));
        assert_eq!(parsed.authenticated, spec.expected());
        assert!(parsed.bad_entries.is_empty(), "{:?}", parsed.bad_entries);
        assert_eq!(parsed.repr.version, version);
        let Body::Response(got) = parsed.repr.body else {
            panic!("the packetizer wrote a request");
        };
        assert!(!got.is_empty() && got.len() <= max, "{} routes", got.len());
        back.extend(got);
    }
    assert_eq!(messages, expected_messages);
    assert_eq!(messages, routes.len().div_ceil(max));
    assert_eq!(back, routes);
}

// ---------------------------------------------------------------------------
// Tampering

/// `tampered` is `original` (signed by `spec`) changed somehow. Nothing
/// panics; if a byte the authentication covers changed, the message is
/// rejected. Cryptographic modes cover every octet (RFC 4822 §3.4: the whole
/// message, trailer included); a simple password only its own entry.
pub fn check_tampered(original: &[u8], tampered: &[u8], spec: &SignerSpec) {
    decode_plain(tampered);
    // A message signed with a key of the ring would be accepted by it, and
    // rightly: the forgery check of check_auth knows only its own seeds.
    if !RING.iter().any(|k| k.id == spec.key_id) {
        check_auth_all_modes(tampered);
    }
    if tampered == original || spec.mode == AuthMode::None {
        return;
    }
    let covered = match spec.mode {
        AuthMode::Password => {
            tampered.len() < HEADER_LEN + ENTRY_LEN || tampered[4..24] != original[4..24]
        }
        _ => true,
    };
    if covered {
        let keys = spec.keys();
        let result = Repr::parse(tampered, spec.mode, &keys[..]);
        assert!(
            result.is_err(),
            "{:?} accepted a changed message: {original:02x?} -> {tampered:02x?}: {result:?}",
            spec.mode
        );
    }
}

/// Every mode under the ring: nothing panics, nothing is forged.
pub fn check_auth_all_modes(message: &[u8]) {
    for mode in MODES {
        check_auth(mode, message);
    }
}
