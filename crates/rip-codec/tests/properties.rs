//! Property tests of the wire format: every valid message survives
//! emit → parse under every authentication mode; any octets decode without
//! panicking; a changed signed message is rejected; the packetizer splits any
//! route list into valid messages.
//!
//! The per-input checks live in `fuzzing/mod.rs`, shared with the fuzz targets.

// Test code: a panic is a failed check. clippy.toml allows these in #[test]
// functions only, not in the helpers they call.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod fuzzing;

use std::net::Ipv4Addr;

use fuzzing::{
    MODES, SignerSpec, check_auth_all_modes, check_packetizer, check_roundtrip, check_tampered,
    decode_plain, next_hop, roundtrip, secret_max, v1_destination, v1_query, v2_destination,
};
use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use rip_codec::{
    AuthMode, Body, Command, ENTRY_LEN, EmitError, Ipv4Prefix, MAX_MESSAGE_LEN, Md5AuthLen,
    MessageWriter, Repr, RouteEntry, max_routes,
};

// ---------------------------------------------------------------------------
// Strategies

fn any_mode() -> impl Strategy<Value = AuthMode> {
    select(MODES.to_vec())
}

fn spec_for(mode: AuthMode) -> impl Strategy<Value = SignerSpec> {
    (
        any::<u8>(),
        vec(any::<u8>(), 0..=secret_max(mode)),
        any::<u32>(),
        any::<bool>(),
    )
        .prop_map(move |(key_id, secret, sequence, rfc)| SignerSpec {
            mode,
            key_id,
            secret,
            sequence,
            md5_auth_len: if rfc {
                Md5AuthLen::Rfc
            } else {
                Md5AuthLen::OldRipd
            },
        })
}

/// Every mode; passwords and keyed MD5 with secrets of 0..=16 octets,
/// HMAC-SHA with 0..=100 (longer than the hash: hashed first, RFC 4822 §3.4.2).
fn signer_spec() -> impl Strategy<Value = SignerSpec> {
    any_mode().prop_flat_map(spec_for)
}

fn prefix_len() -> impl Strategy<Value = u8> {
    // The default route and host routes as often as the rest together.
    prop_oneof![Just(0u8), Just(32u8), 0u8..=32]
}

fn v2_route() -> impl Strategy<Value = RouteEntry> {
    (
        prefix_len(),
        any::<u32>(),
        prop_oneof![Just(0u32), any::<u32>()],
        1u8..=16,
        any::<u16>(),
    )
        .prop_map(|(len, addr, hop, metric, tag)| RouteEntry {
            prefix: v2_destination(addr, len),
            next_hop: next_hop(hop),
            metric,
            tag,
        })
}

fn v2_query() -> impl Strategy<Value = Ipv4Prefix> {
    (any::<u32>(), prefix_len())
        .prop_map(|(addr, len)| Ipv4Prefix::new_truncating(Ipv4Addr::from(addr), len))
}

fn v1_route() -> impl Strategy<Value = RouteEntry> {
    // 0 is the default route (RFC 1058 §3.2).
    (
        prop_oneof![1 => Just(0u32), 15 => any::<u32>()],
        any::<bool>(),
        1u8..=16,
    )
        .prop_map(|(addr, host, metric)| RouteEntry::new(v1_destination(addr, host), metric))
}

fn body(
    max: usize,
    route: impl Strategy<Value = RouteEntry> + 'static,
    query: impl Strategy<Value = Ipv4Prefix> + 'static,
) -> impl Strategy<Value = Body> {
    prop_oneof![
        1 => Just(Body::WholeTableRequest),
        2 => vec(query, 0..=max).prop_map(Body::Request),
        4 => vec(route, 0..=max).prop_map(Body::Response),
    ]
}

fn v2_body(mode: AuthMode) -> impl Strategy<Value = Body> {
    body(max_routes(mode), v2_route(), v2_query())
}

fn v1_body() -> impl Strategy<Value = Body> {
    body(
        max_routes(AuthMode::None),
        v1_route(),
        any::<u32>().prop_map(v1_query),
    )
}

/// A signer and a v2 message that fits under its mode.
fn signed_v2() -> impl Strategy<Value = (SignerSpec, Repr)> {
    signer_spec().prop_flat_map(|spec| {
        let body = v2_body(spec.mode);
        (Just(spec), body.prop_map(|body| Repr { version: 2, body }))
    })
}

/// First octets and metrics at the edges of the entry rules.
const EDGE_OCTETS: [u8; 10] = [0, 1, 15, 16, 17, 126, 127, 128, 224, 240];

/// Octets shaped like a message: a header of plausible values, entries that
/// are sometimes valid routes, sometimes authentication entries, sometimes
/// noise, and sometimes a tail.
fn structured_message() -> impl Strategy<Value = Vec<u8>> {
    let entry = prop_oneof![
        v2_route().prop_map(|r| {
            let mut e = [0u8; ENTRY_LEN];
            r.write_v2(&mut e);
            e
        }),
        // A valid route with one field moved to the edge of its rule.
        (
            v2_route(),
            0usize..4,
            any::<u32>(),
            select(EDGE_OCTETS.to_vec())
        )
            .prop_map(|(r, field, noise, octet)| {
                let mut e = [0u8; ENTRY_LEN];
                r.write_v2(&mut e);
                match field {
                    0 => e[16..].copy_from_slice(&[0, 0, 0, octet]),
                    1 => e[4] = octet,
                    2 => e[12] = octet,
                    _ => e[8..12].copy_from_slice(&noise.to_be_bytes()),
                }
                e
            }),
        (any::<[u8; ENTRY_LEN]>(), select(vec![0u16, 2, 0xFFFF, 7])).prop_map(|(mut e, afi)| {
            e[..2].copy_from_slice(&afi.to_be_bytes());
            e
        }),
        (any::<[u8; ENTRY_LEN]>(), 0u16..=4, 0u16..=30).prop_map(|(mut e, kind, at)| {
            // An authentication entry, its packet length field pointing somewhere plausible.
            e[..4].copy_from_slice(&[0xFF, 0xFF, 0, kind as u8]);
            e[4..6].copy_from_slice(&(4 + 20 * at).to_be_bytes());
            e
        }),
    ];
    (
        select(vec![0u8, 1, 2, 3]),
        select(vec![0u8, 1, 2, 3]),
        prop_oneof![Just([0u8; 2]), any::<[u8; 2]>()],
        vec(entry, 0..=27),
        prop_oneof![
            Just(Vec::new()),
            Just(vec![0xFF, 0xFF, 0, 1]),
            vec(any::<u8>(), 0..70)
        ],
    )
        .prop_map(|(command, version, mbz, entries, tail)| {
            let mut out = vec![command, version, mbz[0], mbz[1]];
            for e in entries {
                out.extend_from_slice(&e);
            }
            out.extend_from_slice(&tail);
            out
        })
}

#[derive(Debug, Clone)]
enum Mutation {
    FlipBit { at: usize, bit: u8 },
    SetByte { at: usize, value: u8 },
    Truncate { to: usize },
    Extend(Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<usize>(), 0u8..8).prop_map(|(at, bit)| Mutation::FlipBit { at, bit }),
        2 => (any::<usize>(), any::<u8>()).prop_map(|(at, value)| Mutation::SetByte { at, value }),
        1 => any::<usize>().prop_map(|to| Mutation::Truncate { to }),
        1 => vec(any::<u8>(), 1..=64).prop_map(Mutation::Extend),
    ]
}

fn apply(message: &mut Vec<u8>, mutation: &Mutation) {
    let len = message.len();
    match mutation {
        Mutation::FlipBit { at, bit } if len > 0 => message[at % len] ^= 1 << bit,
        Mutation::SetByte { at, value } if len > 0 => message[at % len] = *value,
        Mutation::Truncate { to } => message.truncate(to % (len + 1)),
        Mutation::Extend(tail) => message.extend_from_slice(tail),
        _ => {}
    }
}

// ---------------------------------------------------------------------------
// An independent computation of the digests, from the RFCs.

/// Keyed MD5: MD5 over the message up to the trailer's 0xFFFF 0x0001, then
/// the key NUL padded to 16 octets (RFC 2082 §3.2.2, RFC 4822 §3.2.1).
/// HMAC-SHA: Ko is the key zero padded, or hashed when longer than the hash
/// (RFC 4822 §3.4.2); HMAC over the same octets followed by Apad, 0x878FE1F3
/// repeated to the hash's length.
fn reference_digest(mode: AuthMode, secret: &[u8], signed: &[u8]) -> Vec<u8> {
    macro_rules! hmac {
        ($hash:ty) => {{
            let len = <$hash as Digest>::output_size();
            let ko = if secret.len() > len {
                <$hash>::digest(secret).to_vec()
            } else {
                secret.to_vec()
            };
            let mut mac = <Hmac<$hash> as Mac>::new_from_slice(&ko).unwrap();
            mac.update(signed);
            let apad: Vec<u8> = [0x87, 0x8F, 0xE1, 0xF3]
                .into_iter()
                .cycle()
                .take(len)
                .collect();
            mac.update(&apad);
            mac.finalize().into_bytes().to_vec()
        }};
    }
    match mode {
        AuthMode::KeyedMd5 => {
            let mut key = [0u8; 16];
            let n = secret.len().min(16);
            key[..n].copy_from_slice(&secret[..n]);
            let mut md5 = Md5::new();
            md5.update(signed);
            md5.update(key);
            md5.finalize().to_vec()
        }
        AuthMode::HmacSha1 => hmac!(sha1::Sha1),
        AuthMode::HmacSha256 => hmac!(sha2::Sha256),
        AuthMode::HmacSha384 => hmac!(sha2::Sha384),
        AuthMode::HmacSha512 => hmac!(sha2::Sha512),
        AuthMode::None | AuthMode::Password => Vec::new(),
    }
}

/// The authentication entry and trailer of an emitted message, field by field.
fn check_auth_layout(message: &[u8], spec: &SignerSpec, entries: usize) {
    match spec.mode {
        AuthMode::None => assert_ne!(message.get(4..6), Some(&[0xFF, 0xFF][..])),
        AuthMode::Password => {
            assert_eq!(message[4..8], [0xFF, 0xFF, 0, 2]);
            let mut padded = [0u8; 16];
            padded[..spec.secret.len()].copy_from_slice(&spec.secret);
            assert_eq!(message[8..24], padded);
        }
        mode => {
            // RFC 4822 §2.1: AFI 0xFFFF, type 3, packet length (the offset of
            // the trailer), key id, auth data length, sequence, 8 zero octets.
            let trailer_at = 4 + ENTRY_LEN * (entries + 1);
            assert_eq!(message[4..8], [0xFF, 0xFF, 0, 3]);
            assert_eq!(message[8..10], (trailer_at as u16).to_be_bytes());
            assert_eq!(message[10], spec.key_id);
            let auth_len = match (mode, spec.md5_auth_len) {
                (AuthMode::KeyedMd5, Md5AuthLen::OldRipd) => 20,
                _ => mode.digest_len(),
            };
            assert_eq!(usize::from(message[11]), auth_len);
            assert_eq!(message[12..16], spec.sequence.to_be_bytes());
            assert_eq!(message[16..24], [0; 8]);
            // RFC 4822 §2.2: the trailer, 0xFFFF 0x0001 then the digest.
            assert_eq!(message[trailer_at..trailer_at + 4], [0xFF, 0xFF, 0, 1]);
            let digest = &message[trailer_at + 4..];
            assert_eq!(digest.len(), mode.digest_len());
            let expected = reference_digest(mode, &spec.secret, &message[..trailer_at + 4]);
            assert_eq!(
                digest,
                &expected[..],
                "{mode:?} digest differs from RFC 4822's"
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Properties

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// v2 responses, whole-table and specific requests, under every mode.
    #[test]
    fn v2_messages_roundtrip_under_every_mode((spec, repr) in signed_v2()) {
        check_roundtrip(&repr, &spec);
    }

    /// RIPv1 carries no mask: class networks, host routes and the default route survive.
    #[test]
    fn v1_messages_roundtrip(body in v1_body()) {
        check_roundtrip(&Repr { version: 1, body }, &SignerSpec::unauthenticated());
    }

    #[test]
    fn v1_messages_cannot_be_authenticated(
        spec in signer_spec().prop_filter("authenticated", |s| s.mode != AuthMode::None),
        body in v1_body(),
    ) {
        let mut buf = [0u8; MAX_MESSAGE_LEN];
        let result = Repr { version: 1, body }.emit(&mut buf, spec.signer());
        prop_assert!(matches!(result, Err(EmitError::BadKey(_))), "{result:?}");
    }

    /// The authentication entry, trailer and digest are what the RFCs say,
    /// computed here independently of the codec.
    #[test]
    fn emitted_authentication_follows_the_rfcs((spec, repr) in signed_v2()) {
        let mut buf = [0u8; MAX_MESSAGE_LEN];
        let len = repr.emit(&mut buf, spec.signer()).unwrap();
        let entries = match &repr.body {
            Body::WholeTableRequest => 1,
            Body::Request(q) => q.len(),
            Body::Response(r) => r.len(),
        };
        check_auth_layout(&buf[..len], &spec, entries);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in vec(any::<u8>(), 0..600)) {
        decode_plain(&bytes);
        check_auth_all_modes(&bytes);
        roundtrip(&bytes);
    }

    #[test]
    fn message_shaped_bytes_never_panic(bytes in structured_message()) {
        decode_plain(&bytes);
        check_auth_all_modes(&bytes);
    }

    /// Bit flips, changed octets, truncation and extension of a signed
    /// message: nothing panics, and a change the authentication covers
    /// (every octet for keyed MD5 and HMAC-SHA, the password entry for a
    /// simple password) makes it fail.
    #[test]
    fn changed_messages_are_rejected(
        (spec, repr) in signed_v2(),
        mutations in vec(mutation(), 1..=3),
    ) {
        let mut buf = [0u8; MAX_MESSAGE_LEN];
        let len = repr.emit(&mut buf, spec.signer()).unwrap();
        let original = &buf[..len];
        let mut changed = original.to_vec();
        for m in &mutations {
            apply(&mut changed, m);
        }
        check_tampered(original, &changed, &spec);
    }

    /// A writer given any buffer writes within it, stops with an error when
    /// it is full, and what it finishes parses back to the routes it took.
    #[test]
    fn message_writer_stays_within_any_buffer(
        spec in signer_spec().prop_filter("password fits", |s| s.mode != AuthMode::Password || s.secret.len() <= 16),
        routes in vec(v2_route(), 0..=30),
        buf_len in 0usize..=600,
    ) {
        let mut buf = vec![0u8; buf_len];
        let need = 4 + spec.mode.auth_entry_len() + ENTRY_LEN + spec.mode.trailer_len();
        let writer = MessageWriter::new(&mut buf, Command::Response, 2, spec.signer());
        let mut writer = match writer {
            Ok(writer) => writer,
            Err(e) => {
                prop_assert!(buf_len < need, "{e}");
                prop_assert!(matches!(e, EmitError::BufferTooSmall { .. }), "{}", e);
                return Ok(());
            }
        };
        prop_assert!(buf_len >= need);
        let mut taken = 0;
        for route in &routes {
            if writer.push_route(route).is_err() {
                break;
            }
            taken += 1;
        }
        prop_assert_eq!(writer.routes(), taken);
        let message = writer.finish().to_vec();
        prop_assert!(message.len() <= buf_len.min(MAX_MESSAGE_LEN));
        let fit = (buf_len.min(MAX_MESSAGE_LEN) - need) / ENTRY_LEN + 1;
        prop_assert_eq!(taken, routes.len().min(fit).min(max_routes(spec.mode)));
        let keys = spec.keys();
        let parsed = Repr::parse(&message, spec.mode, &keys[..]).unwrap();
        prop_assert_eq!(parsed.repr.body, Body::Response(routes[..taken].to_vec()));
    }

    #[test]
    fn packetizer_splits_any_v2_route_list(
        spec in signer_spec(),
        routes in vec(v2_route(), 0..=130),
    ) {
        check_packetizer(&routes, 2, &spec);
    }

    #[test]
    fn packetizer_splits_any_v1_route_list(routes in vec(v1_route(), 0..=130)) {
        check_packetizer(&routes, 1, &SignerSpec::unauthenticated());
    }
}

// ---------------------------------------------------------------------------
// Fixed cases at the edges the strategies reach only by chance.

/// A full message under every mode, each secret length at the edges of the
/// hash lengths and block sizes (RFC 4822 §3.4.2 key preparation).
#[test]
fn full_messages_and_key_length_edges() {
    let route = |i: usize| RouteEntry {
        prefix: v2_destination((i as u32) << 16 | 0x0A00_0000, 16),
        next_hop: Ipv4Addr::new(192, 168, 10, 1),
        metric: 1 + (i % 16) as u8,
        tag: i as u16,
    };
    for mode in MODES {
        let mut lens = vec![0, 1, 15, 16];
        if secret_max(mode) > 16 {
            let l = mode.digest_len();
            lens.extend([l - 1, l, l + 1, 64, 65, 100]);
        }
        lens.retain(|&n| n <= secret_max(mode));
        for len in lens {
            for md5_auth_len in [Md5AuthLen::Rfc, Md5AuthLen::OldRipd] {
                let spec = SignerSpec {
                    mode,
                    key_id: 255,
                    secret: (0..len).map(|i| i as u8 ^ 0xA5).collect(),
                    sequence: u32::MAX,
                    md5_auth_len,
                };
                let routes: Vec<RouteEntry> = (0..max_routes(mode)).map(route).collect();
                let repr = Repr {
                    version: 2,
                    body: Body::Response(routes.clone()),
                };
                check_roundtrip(&repr, &spec);
                let mut buf = [0u8; MAX_MESSAGE_LEN];
                let n = repr.emit(&mut buf, spec.signer()).unwrap();
                check_auth_layout(&buf[..n], &spec, routes.len());
                // One more route does not fit.
                let mut more = routes;
                more.push(route(99));
                let too_many = Repr {
                    version: 2,
                    body: Body::Response(more),
                };
                assert!(matches!(
                    too_many.emit(&mut buf, spec.signer()),
                    Err(EmitError::TooManyEntries { .. })
                ));
            }
        }
    }
}

/// The number of routes per message for each mode.
#[test]
fn routes_per_message() {
    let got: Vec<usize> = MODES.iter().map(|m| max_routes(*m)).collect();
    // None, password, keyed MD5, HMAC-SHA-1, -256, -384, -512.
    assert_eq!(got, [25, 24, 23, 23, 22, 21, 21]);
}

/// A simple password longer than the 16 octets of the wire is refused.
#[test]
fn long_passwords_are_refused() {
    let spec = SignerSpec {
        mode: AuthMode::Password,
        key_id: 0,
        secret: vec![b'x'; 17],
        sequence: 0,
        md5_auth_len: Md5AuthLen::Rfc,
    };
    let mut buf = [0u8; MAX_MESSAGE_LEN];
    let repr = Repr {
        version: 2,
        body: Body::WholeTableRequest,
    };
    assert!(matches!(
        repr.emit(&mut buf, spec.signer()),
        Err(EmitError::BadKey(_))
    ));
}
