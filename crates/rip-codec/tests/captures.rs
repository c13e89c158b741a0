//! Real messages captured from FRR ripd and BIRD (tests/captures/*.hex,
//! written by scripts/capture-peers; the comment lines of each file say which
//! peer, config and keys produced it). Every message must parse, authenticate
//! with the peer's key and yield exactly the routes the peer announced; with a
//! wrong key or mode it must fail with the right error and yield nothing.

use std::net::Ipv4Addr;
use std::path::PathBuf;

use rip_codec::{
    AuthError, AuthMode, Authenticated, Body, Command, DecodeError, Ipv4Prefix, Key, Packet, Repr,
    Request, RouteEntry,
};

/// The messages of one capture file, decoded from hex.
fn capture(name: &str) -> Vec<Vec<u8>> {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "captures", name]
        .iter()
        .collect();
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run scripts/capture-peers)", path.display()));
    let messages: Vec<Vec<u8>> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| hex::decode(l).unwrap_or_else(|e| panic!("{name}: bad hex: {e}")))
        .collect();
    assert!(!messages.is_empty(), "{name} holds no message");
    messages
}

fn route(prefix: &str, metric: u8, next_hop: [u8; 4], tag: u16) -> RouteEntry {
    RouteEntry {
        prefix: prefix
            .parse::<Ipv4Prefix>()
            .unwrap_or_else(|e| panic!("{prefix}: {e}")),
        next_hop: Ipv4Addr::from(next_hop),
        metric,
        tag,
    }
}

/// What both FRR and BIRD announce in the RIPv2 captures (see the files).
fn v2_routes() -> Vec<RouteEntry> {
    sorted(vec![
        route("192.168.20.0/24", 1, [0, 0, 0, 0], 0),
        route("172.16.5.0/24", 3, [0, 0, 0, 0], 77),
        route("198.51.100.0/24", 1, [10, 0, 0, 3], 0),
    ])
}

fn sorted(mut routes: Vec<RouteEntry>) -> Vec<RouteEntry> {
    routes.sort_by_key(|r| (r.prefix, r.metric, r.tag, r.next_hop));
    routes
}

/// How a capture is expected to authenticate.
struct Expect<'a> {
    file: &'a str,
    mode: AuthMode,
    keys: &'a [Key<'a>],
    /// Key id of a cryptographic capture.
    key_id: Option<u8>,
    version: u8,
    routes: Vec<RouteEntry>,
}

/// Parses and authenticates every message of a capture both ways (zero-copy
/// and `Repr`), checks the routes and the authentication details.
fn check(expect: &Expect<'_>) {
    let messages = capture(expect.file);
    let mut last_sequence = None;
    for (i, bytes) in messages.iter().enumerate() {
        let what = format!("{} message {}", expect.file, i + 1);
        let packet = Packet::parse(bytes).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(packet.command(), Command::Response, "{what}");
        assert_eq!(packet.version(), expect.version, "{what}");
        let verified = packet
            .authenticate(expect.mode, expect.keys)
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let routes: Vec<RouteEntry> = verified
            .routes()
            .map(|r| r.unwrap_or_else(|e| panic!("{what}: entry rejected: {e}")))
            .collect();
        assert_eq!(sorted(routes), expect.routes, "{what}");

        match (verified.authenticated(), expect.key_id) {
            (Authenticated::None, None) => assert_eq!(expect.mode, AuthMode::None, "{what}"),
            (Authenticated::Password, None) => {
                assert_eq!(expect.mode, AuthMode::Password, "{what}")
            }
            (Authenticated::Crypto { key_id, sequence }, Some(want)) => {
                assert_eq!(key_id, want, "{what}: key id");
                // RFC 4822 §3.2.2: non-decreasing; FRR counts from 1, BIRD
                // starts from the time of day; both increase per message.
                if let Some(previous) = last_sequence {
                    assert!(
                        sequence > previous,
                        "{what}: sequence {sequence} after {previous}"
                    );
                }
                last_sequence = Some(sequence);
            }
            (got, want) => panic!("{what}: authenticated {got:?}, expected key id {want:?}"),
        }

        let parsed =
            Repr::parse(bytes, expect.mode, expect.keys).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert!(
            parsed.bad_entries.is_empty(),
            "{what}: {:?}",
            parsed.bad_entries
        );
        assert_eq!(parsed.authenticated, verified.authenticated(), "{what}");
        assert_eq!(parsed.repr.version, expect.version, "{what}");
        match parsed.repr.body {
            Body::Response(routes) => assert_eq!(sorted(routes), expect.routes, "{what}"),
            other => panic!("{what}: {other:?}"),
        }
    }
}

/// Every message of a capture fails with `error` under `mode` and `keys`, on
/// both paths, so no route of it can be used.
fn check_rejected(file: &str, mode: AuthMode, keys: &[Key<'_>], error: AuthError) {
    for (i, bytes) in capture(file).iter().enumerate() {
        let what = format!("{file} message {} with {mode:?} {keys:?}", i + 1);
        let packet = Packet::parse(bytes).unwrap_or_else(|e| panic!("{what}: {e}"));
        match packet.authenticate(mode, keys) {
            Err(e) => assert_eq!(e, error, "{what}"),
            Ok(v) => panic!("{what}: accepted, {} routes", v.routes().count()),
        }
        assert_eq!(
            Repr::parse(bytes, mode, keys),
            Err(DecodeError::Auth(error)),
            "{what}"
        );
    }
}

// --- FRR 8.4 ripd ------------------------------------------------------------

const FRR_TEXT: &[Key<'static>] = &[Key {
    id: 0,
    secret: b"riprs-text",
}];
const FRR_MD5_RFC: &[Key<'static>] = &[Key {
    id: 3,
    secret: b"riprs-md5-rfc",
}];
const FRR_MD5_OLD: &[Key<'static>] = &[Key {
    id: 5,
    secret: b"riprs-md5-old",
}];
const NO_KEYS: &[Key<'static>] = &[];

#[test]
fn frr_plain_response() {
    check(&Expect {
        file: "frr-v2-plain.hex",
        mode: AuthMode::None,
        keys: NO_KEYS,
        key_id: None,
        version: 2,
        routes: v2_routes(),
    });
    // An interface that requires authentication takes nothing from it.
    check_rejected(
        "frr-v2-plain.hex",
        AuthMode::Password,
        FRR_TEXT,
        AuthError::Missing,
    );
    check_rejected(
        "frr-v2-plain.hex",
        AuthMode::KeyedMd5,
        FRR_MD5_RFC,
        AuthError::Missing,
    );
}

#[test]
fn frr_whole_table_request() {
    let messages = capture("frr-v2-request.hex");
    for bytes in &messages {
        let packet = Packet::parse(bytes).unwrap();
        assert_eq!(packet.command(), Command::Request);
        assert_eq!(packet.version(), 2);
        let verified = packet.unauthenticated().unwrap();
        assert!(matches!(verified.request(), Request::WholeTable));
        let parsed = Repr::parse(bytes, AuthMode::None, NO_KEYS).unwrap();
        assert_eq!(
            parsed.repr,
            Repr {
                version: 2,
                body: Body::WholeTableRequest
            }
        );
        // Round trip: the codec writes the same 24 octets.
        let mut buf = [0u8; 512];
        let len = parsed.repr.emit(&mut buf, None).unwrap();
        assert_eq!(&buf[..len], bytes.as_slice());
    }
}

#[test]
fn frr_simple_password() {
    check(&Expect {
        file: "frr-v2-text.hex",
        mode: AuthMode::Password,
        keys: FRR_TEXT,
        key_id: None,
        version: 2,
        routes: v2_routes(),
    });
    check_rejected(
        "frr-v2-text.hex",
        AuthMode::Password,
        &[Key {
            id: 0,
            secret: b"riprs-texT",
        }],
        AuthError::BadPassword,
    );
    // A prefix of the password is not the password (it is NUL padded).
    check_rejected(
        "frr-v2-text.hex",
        AuthMode::Password,
        &[Key {
            id: 0,
            secret: b"riprs-tex",
        }],
        AuthError::BadPassword,
    );
    // RFC 2453 §5.2: without authentication configured it is discarded.
    check_rejected(
        "frr-v2-text.hex",
        AuthMode::None,
        NO_KEYS,
        AuthError::Unexpected,
    );
    check_rejected(
        "frr-v2-text.hex",
        AuthMode::KeyedMd5,
        FRR_MD5_RFC,
        AuthError::WrongType {
            expected: 3,
            got: 2,
        },
    );
}

#[test]
fn frr_keyed_md5_rfc_auth_length() {
    let messages = capture("frr-v2-md5-rfc.hex");
    // Auth data length 16 on the wire (byte 11: the entry's 8th octet).
    assert!(messages.iter().all(|m| m[11] == 16));
    check(&Expect {
        file: "frr-v2-md5-rfc.hex",
        mode: AuthMode::KeyedMd5,
        keys: FRR_MD5_RFC,
        key_id: Some(3),
        version: 2,
        routes: v2_routes(),
    });
    check_rejected(
        "frr-v2-md5-rfc.hex",
        AuthMode::KeyedMd5,
        &[Key {
            id: 3,
            secret: b"riprs-md5-old",
        }],
        AuthError::BadDigest,
    );
    check_rejected(
        "frr-v2-md5-rfc.hex",
        AuthMode::KeyedMd5,
        FRR_MD5_OLD,
        AuthError::UnknownKeyId(3),
    );
    check_rejected(
        "frr-v2-md5-rfc.hex",
        AuthMode::None,
        NO_KEYS,
        AuthError::Unexpected,
    );
    check_rejected(
        "frr-v2-md5-rfc.hex",
        AuthMode::Password,
        FRR_TEXT,
        AuthError::WrongType {
            expected: 2,
            got: 3,
        },
    );
}

#[test]
fn frr_keyed_md5_old_ripd_auth_length() {
    let messages = capture("frr-v2-md5-old-ripd.hex");
    // FRR's default writes auth data length 20 (digest plus trailer header).
    assert!(messages.iter().all(|m| m[11] == 20));
    check(&Expect {
        file: "frr-v2-md5-old-ripd.hex",
        mode: AuthMode::KeyedMd5,
        keys: FRR_MD5_OLD,
        key_id: Some(5),
        version: 2,
        routes: v2_routes(),
    });
    check_rejected(
        "frr-v2-md5-old-ripd.hex",
        AuthMode::KeyedMd5,
        &[Key {
            id: 5,
            secret: b"riprs-md5-rfc",
        }],
        AuthError::BadDigest,
    );
    check_rejected(
        "frr-v2-md5-old-ripd.hex",
        AuthMode::KeyedMd5,
        FRR_MD5_RFC,
        AuthError::UnknownKeyId(5),
    );
}

#[test]
fn frr_version_1_response() {
    check(&Expect {
        file: "frr-v1.hex",
        mode: AuthMode::None,
        keys: NO_KEYS,
        key_id: None,
        version: 1,
        // Classful: both are class C networks, so /24; no tag, no next hop.
        routes: sorted(vec![
            route("192.168.20.0/24", 1, [0, 0, 0, 0], 0),
            route("198.51.100.0/24", 1, [0, 0, 0, 0], 0),
        ]),
    });
}

// --- BIRD 2.0 ----------------------------------------------------------------

const BIRD_MD5: &[Key<'static>] = &[Key {
    id: 2,
    secret: b"riprs-bird-md5",
}];
const BIRD_SHA256: &[Key<'static>] = &[Key {
    id: 9,
    secret: b"riprs-bird-sha256",
}];

#[test]
fn bird_plain_response() {
    check(&Expect {
        file: "bird-v2-plain.hex",
        mode: AuthMode::None,
        keys: NO_KEYS,
        key_id: None,
        version: 2,
        routes: v2_routes(),
    });
    check_rejected(
        "bird-v2-plain.hex",
        AuthMode::HmacSha256,
        BIRD_SHA256,
        AuthError::Missing,
    );
}

#[test]
fn bird_keyed_md5() {
    let messages = capture("bird-v2-keyed-md5.hex");
    // BIRD writes auth data length 20 for keyed MD5, like old ripd.
    assert!(messages.iter().all(|m| m[11] == 20));
    check(&Expect {
        file: "bird-v2-keyed-md5.hex",
        mode: AuthMode::KeyedMd5,
        keys: BIRD_MD5,
        key_id: Some(2),
        version: 2,
        routes: v2_routes(),
    });
    // Several acceptable keys: the one with the message's id is used.
    check(&Expect {
        file: "bird-v2-keyed-md5.hex",
        mode: AuthMode::KeyedMd5,
        keys: &[
            Key {
                id: 1,
                secret: b"other",
            },
            Key {
                id: 2,
                secret: b"riprs-bird-md5",
            },
        ],
        key_id: Some(2),
        version: 2,
        routes: v2_routes(),
    });
    check_rejected(
        "bird-v2-keyed-md5.hex",
        AuthMode::KeyedMd5,
        &[Key {
            id: 2,
            secret: b"riprs-bird-md6",
        }],
        AuthError::BadDigest,
    );
    check_rejected(
        "bird-v2-keyed-md5.hex",
        AuthMode::KeyedMd5,
        &[Key {
            id: 3,
            secret: b"riprs-bird-md5",
        }],
        AuthError::UnknownKeyId(2),
    );
    check_rejected(
        "bird-v2-keyed-md5.hex",
        AuthMode::None,
        NO_KEYS,
        AuthError::Unexpected,
    );
}

#[test]
fn bird_hmac_sha256() {
    let messages = capture("bird-v2-hmac-sha256.hex");
    assert!(messages.iter().all(|m| m[11] == 32));
    check(&Expect {
        file: "bird-v2-hmac-sha256.hex",
        mode: AuthMode::HmacSha256,
        keys: BIRD_SHA256,
        key_id: Some(9),
        version: 2,
        routes: v2_routes(),
    });
    check_rejected(
        "bird-v2-hmac-sha256.hex",
        AuthMode::HmacSha256,
        &[Key {
            id: 9,
            secret: b"riprs-bird-sha255",
        }],
        AuthError::BadDigest,
    );
    check_rejected(
        "bird-v2-hmac-sha256.hex",
        AuthMode::HmacSha256,
        BIRD_MD5,
        AuthError::UnknownKeyId(9),
    );
    // The right key under another algorithm: the digest length does not fit.
    check_rejected(
        "bird-v2-hmac-sha256.hex",
        AuthMode::KeyedMd5,
        &[Key {
            id: 9,
            secret: b"riprs-bird-sha256",
        }],
        AuthError::BadAuthLength { got: 32 },
    );
}

// bird-v2-hmac-sha256-longkey.hex: BIRD signed with a 40-octet key, longer
// than SHA-256's 32 octets and shorter than its 64-octet block. BIRD keys the
// HMAC as RFC 2104 does (the key zero padded to the block, hashed only when
// longer than the block), not as RFC 4822 §3.4.2 says (hashed to L octets
// when longer than L). Keys of at most 32 octets (or more than 64) give the
// same digest both ways. rip-codec signs as RFC 4822 says and accepts both
// keyings on receive; this test pins down what BIRD sends and that the codec
// takes it.
#[test]
fn bird_hmac_sha256_long_key_is_keyed_as_rfc_2104() {
    use hmac::{Mac, SimpleHmac};
    use sha2::{Digest, Sha256};

    const KEY: &[u8] = b"riprs-bird-sha256-long-key-0123456789abc";
    assert_eq!(KEY.len(), 40);
    for bytes in capture("bird-v2-hmac-sha256-longkey.hex") {
        // Packet length: the offset of the trailer (RFC 4822 §2.1).
        let trailer = usize::from(u16::from_be_bytes([bytes[8], bytes[9]]));
        let (signed, digest) = bytes.split_at(trailer + 4);
        let apad = [0x87u8, 0x8F, 0xE1, 0xF3].repeat(8);
        let hmac_with = |key: &[u8]| {
            let mut mac = SimpleHmac::<Sha256>::new_from_slice(key).unwrap();
            mac.update(signed);
            mac.update(&apad);
            mac.finalize().into_bytes().to_vec()
        };
        assert_eq!(hmac_with(KEY), digest, "RFC 2104 keying");
        assert_ne!(hmac_with(&Sha256::digest(KEY)), digest, "RFC 4822 keying");
        // The key id is read all the same.
        assert_eq!(bytes[10], 4);
        let packet = rip_codec::Packet::parse_with_limit(&bytes, 100).unwrap();
        let verified = packet
            .authenticate(
                AuthMode::HmacSha256,
                &[Key { id: 4, secret: KEY }] as &[Key],
            )
            .expect("BIRD's RFC 2104 keying is accepted");
        assert!(verified.routes().all(|r| r.is_ok()));
        assert!(verified.entry_count() > 0);
    }
}
