//! Messages written by rip-codec are accepted by real peers: FRR 8.4 ripd and
//! BIRD 2.0 learn the routes of RIPv2 responses that rip-codec emits (no
//! authentication, simple password, keyed MD5 with auth data length 16 and
//! 20, HMAC-SHA-256), with the metric they should, and drop the ones signed
//! with a wrong key.
//!
//! Each test: a peer namespace (eth0 10.0.0.1/24, the peer) and a sender
//! namespace (eth0 10.0.0.2/24) joined by a veth; the test sends from UDP
//! port 520 in the sender namespace to 224.0.0.9 and reads the peer's table.
//! Needs root, frr and bird2 (scripts/install-test-deps).

// Test and benchmark code: a failed expectation is a failed run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod support;

use std::net::Ipv4Addr;
use std::time::Duration;

use rip_codec::{
    AuthMode, Body, Command, Ipv4Prefix, Key, Md5AuthLen, MessageWriter, Repr, RouteEntry, Signer,
};
use support::{Bird, Frr, Netns, RipSocket, veth};

const PEER: &str = "10.0.0.1";
const SENDER: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
/// Advertised metric; both peers add their interface cost of 1.
const SENT_METRIC: u8 = 2;
const LEARNED_METRIC: u8 = 3;
/// How long a peer may take to learn a route that is sent every 250 ms.
const LEARN_TIMEOUT: Duration = Duration::from_secs(10);

/// The route the test wants learned, the one signed with a wrong key (never
/// learned), and the one sent after it (learned: the wrong one was looked at).
const GOOD: &str = "10.91.0.0/24";
const FORGED: &str = "10.92.0.0/24";
const AFTER: &str = "10.93.0.0/24";

fn prefix(p: &str) -> Ipv4Prefix {
    p.parse().unwrap()
}

/// Two namespaces joined by a veth: the peer's and the sender's.
fn lab(tag: &str) -> (Netns, Netns) {
    let peer = Netns::new(tag);
    let sender = Netns::new(tag);
    veth(&peer, "eth0", &sender, "eth0");
    peer.addr("eth0", &format!("{PEER}/24"));
    sender.addr("eth0", &format!("{SENDER}/24"));
    (peer, sender)
}

/// How the sender signs: mode, key and the auth data length for keyed MD5.
#[derive(Clone, Copy)]
struct Auth {
    mode: AuthMode,
    key: Key<'static>,
    md5_auth_len: Md5AuthLen,
}

impl Auth {
    const NONE: Auth = Auth {
        mode: AuthMode::None,
        key: Key { id: 0, secret: b"" },
        md5_auth_len: Md5AuthLen::Rfc,
    };

    fn with_secret(self, secret: &'static [u8]) -> Auth {
        Auth {
            key: Key {
                id: self.key.id,
                secret,
            },
            ..self
        }
    }
}

/// Sends signed responses, counting the sequence number up as RFC 4822
/// §3.2.2 asks (BIRD drops a message with a lower one than the last).
struct Sender {
    socket: RipSocket,
    sequence: u32,
}

impl Sender {
    fn new(ns: &Netns) -> Sender {
        Sender {
            socket: RipSocket::bind(ns, SENDER),
            sequence: 0,
        }
    }

    /// One response for `network` at [`SENT_METRIC`], written by `Repr::emit`.
    fn send(&mut self, network: &str, auth: Auth) -> Vec<u8> {
        self.sequence += 1;
        let repr = Repr {
            version: 2,
            body: Body::Response(vec![RouteEntry::new(prefix(network), SENT_METRIC)]),
        };
        let signer = (auth.mode != AuthMode::None).then(|| Signer {
            md5_auth_len: auth.md5_auth_len,
            ..Signer::new(auth.mode, auth.key, self.sequence)
        });
        let mut buf = [0u8; 512];
        let len = repr.emit(&mut buf, signer).unwrap();
        let message = buf[..len].to_vec();
        self.socket.send_multicast(&message);
        message
    }

    /// Sends `network` every 250 ms until `learned` returns true (or the
    /// timeout); returns whether it did.
    fn send_until(&mut self, network: &str, auth: Auth, learned: impl Fn() -> bool) -> bool {
        support::wait_until(LEARN_TIMEOUT, Duration::from_millis(250), || {
            self.send(network, auth);
            learned().then_some(())
        })
        .is_some()
    }
}

/// The scenario every test runs against a peer: the route signed with the
/// right key is learned with the right metric; then a route signed with
/// `wrong`, then one with the right key again; the last is learned, the
/// forged one is not.
fn learns_good_and_drops_forged(
    has_route: &dyn Fn(&str) -> bool,
    sender: &mut Sender,
    right: Auth,
    wrong: Option<Auth>,
    diagnostics: &dyn Fn() -> String,
) {
    assert!(
        sender.send_until(GOOD, right, || has_route(GOOD)),
        "{GOOD} not learned:\n{}",
        diagnostics()
    );
    let Some(wrong) = wrong else { return };
    for _ in 0..3 {
        sender.send(FORGED, wrong);
    }
    // The peer reads its socket in order: once AFTER is in, FORGED was seen.
    assert!(
        sender.send_until(AFTER, right, || has_route(AFTER)),
        "{AFTER} not learned:\n{}",
        diagnostics()
    );
    assert!(
        !has_route(FORGED),
        "{FORGED}, signed with a wrong key, was learned:\n{}",
        diagnostics()
    );
}

// --- FRR ---------------------------------------------------------------------

/// A ripd.conf: RIP on eth0 with `auth` lines under `interface eth0`.
fn frr_conf(auth: &str) -> String {
    format!(
        "hostname riprs-test
key chain test
 key 1
  key-string frr-key-1
 key 7
  key-string frr-key-7
!
interface eth0
{auth}
!
router rip
 network eth0
 {timers}
",
        timers = support::frr::FAST_TIMERS
    )
}

fn frr_case(tag: &str, auth_conf: &str, right: Auth, wrong: Option<Auth>) {
    let (peer, sender_ns) = lab(tag);
    let frr = Frr::start(&peer, &frr_conf(auth_conf));
    let mut sender = Sender::new(&sender_ns);
    let has_route = |network: &str| {
        frr.rip_route(network).is_some_and(|r| {
            assert_eq!(r.code, "R(n)", "{network}: {r:?}");
            assert_eq!(r.next_hop, SENDER.to_string(), "{network}: {r:?}");
            assert_eq!(r.from, SENDER.to_string(), "{network}: {r:?}");
            assert_eq!(r.metric, LEARNED_METRIC, "{network}: {r:?}");
            true
        })
    };
    let diagnostics = || format!("{}\n{}", frr.show_ip_rip(), frr.logs());
    learns_good_and_drops_forged(&has_route, &mut sender, right, wrong, &diagnostics);
    if wrong.is_some() {
        // ripd counts what it dropped against the neighbor.
        let bad = frr.bad_packets(&SENDER.to_string());
        assert!(
            bad.is_some_and(|n| n >= 1),
            "BadPackets {bad:?} for {SENDER}:\n{}",
            frr.vtysh("show ip rip status")
        );
    }
}

#[test]
fn frr_learns_unauthenticated_response() {
    let (peer, sender_ns) = lab("frrnone");
    let frr = Frr::start(&peer, &frr_conf(""));
    let socket = RipSocket::bind(&sender_ns, SENDER);
    // Two routes in one message, written with MessageWriter; the second
    // with a tag, which FRR shows.
    let mut buf = [0u8; 512];
    let mut writer = MessageWriter::new(&mut buf, Command::Response, 2, None).unwrap();
    writer
        .push_route(&RouteEntry::new(prefix(GOOD), SENT_METRIC))
        .unwrap();
    writer
        .push_route(&RouteEntry {
            tag: 77,
            ..RouteEntry::new(prefix("172.20.0.0/16"), 5)
        })
        .unwrap();
    let message = writer.finish().to_vec();
    let learned = support::wait_until(LEARN_TIMEOUT, Duration::from_millis(250), || {
        socket.send_multicast(&message);
        let routes = frr.rip_routes();
        let good = routes.iter().find(|r| r.network == GOOD)?.clone();
        let tagged = routes
            .iter()
            .find(|r| r.network == "172.20.0.0/16")?
            .clone();
        Some((good, tagged))
    });
    let Some((good, tagged)) = learned else {
        panic!("not learned:\n{}\n{}", frr.show_ip_rip(), frr.logs());
    };
    assert_eq!(
        (good.code.as_str(), good.metric, good.tag),
        ("R(n)", LEARNED_METRIC, 0)
    );
    assert_eq!(good.next_hop, SENDER.to_string());
    assert_eq!((tagged.metric, tagged.tag), (6, 77));
}

#[test]
fn frr_learns_simple_password() {
    let right = Auth {
        mode: AuthMode::Password,
        key: Key {
            id: 0,
            secret: b"frr-text-pw",
        },
        md5_auth_len: Md5AuthLen::Rfc,
    };
    frr_case(
        "frrtext",
        " ip rip authentication mode text\n ip rip authentication string frr-text-pw",
        right,
        Some(right.with_secret(b"frr-text-pX")),
    );
}

#[test]
fn frr_learns_keyed_md5_auth_len_16() {
    let right = Auth {
        mode: AuthMode::KeyedMd5,
        key: Key {
            id: 1,
            secret: b"frr-key-1",
        },
        md5_auth_len: Md5AuthLen::Rfc,
    };
    frr_case(
        "frrmd16",
        " ip rip authentication mode md5 auth-length rfc\n ip rip authentication key-chain test",
        right,
        Some(right.with_secret(b"frr-key-7")),
    );
}

#[test]
fn frr_learns_keyed_md5_auth_len_20() {
    let right = Auth {
        mode: AuthMode::KeyedMd5,
        key: Key {
            id: 7,
            secret: b"frr-key-7",
        },
        md5_auth_len: Md5AuthLen::OldRipd,
    };
    frr_case(
        "frrmd20",
        // No auth-length: FRR's default, old-ripd.
        " ip rip authentication mode md5\n ip rip authentication key-chain test",
        right,
        Some(right.with_secret(b"frr-key-1")),
    );
}

// --- BIRD --------------------------------------------------------------------

/// A bird.conf: RIP on eth0 with `auth` lines in its interface block.
fn bird_conf(auth: &str) -> String {
    format!(
        r#"router id 10.0.0.1;
protocol device {{ scan time 1; }}
protocol rip {{
    ipv4 {{ import all; export none; }};
    interface "eth0" {{
        update time 2;
        timeout time 10;
{auth}
    }};
}}
"#
    )
}

fn bird_case(tag: &str, auth_conf: &str, right: Auth, wrong: Option<Auth>) {
    let (peer, sender_ns) = lab(tag);
    let bird = Bird::start(&peer, &bird_conf(auth_conf));
    let mut sender = Sender::new(&sender_ns);
    let has_route = |network: &str| {
        bird.route(network).is_some_and(|r| {
            assert_eq!(
                r.metric,
                Some(u32::from(LEARNED_METRIC)),
                "{network}: {r:?}"
            );
            assert_eq!(r.via.as_deref(), Some("10.0.0.2"), "{network}: {r:?}");
            assert_eq!(r.interface.as_deref(), Some("eth0"), "{network}: {r:?}");
            true
        })
    };
    let diagnostics = || format!("{}\n{}", bird.show_route(), bird.logs());
    learns_good_and_drops_forged(&has_route, &mut sender, right, wrong, &diagnostics);
    if wrong.is_some() {
        let log = bird.log();
        assert!(
            log.contains("Authentication failed"),
            "BIRD did not log the forged message:\n{log}"
        );
    }
}

#[test]
fn bird_learns_unauthenticated_response() {
    bird_case("birdnone", "", Auth::NONE, None);
}

#[test]
fn bird_learns_keyed_md5_auth_len_16() {
    let right = Auth {
        mode: AuthMode::KeyedMd5,
        key: Key {
            id: 3,
            secret: b"bird-md5-key",
        },
        md5_auth_len: Md5AuthLen::Rfc,
    };
    bird_case(
        "birdmd16",
        r#"        authentication cryptographic;
        password "bird-md5-key" { algorithm keyed md5; id 3; };"#,
        right,
        Some(right.with_secret(b"bird-md5-kez")),
    );
}

#[test]
fn bird_learns_keyed_md5_auth_len_20() {
    let right = Auth {
        mode: AuthMode::KeyedMd5,
        key: Key {
            id: 3,
            secret: b"bird-md5-key",
        },
        md5_auth_len: Md5AuthLen::OldRipd,
    };
    bird_case(
        "birdmd20",
        r#"        authentication cryptographic;
        password "bird-md5-key" { algorithm keyed md5; id 3; };"#,
        right,
        Some(right.with_secret(b"bird-md5-kez")),
    );
}

#[test]
fn bird_learns_hmac_sha256() {
    let right = Auth {
        mode: AuthMode::HmacSha256,
        key: Key {
            id: 9,
            secret: b"bird-sha256-key",
        },
        md5_auth_len: Md5AuthLen::Rfc,
    };
    bird_case(
        "birdsha",
        r#"        authentication cryptographic;
        password "bird-sha256-key" { algorithm hmac sha256; id 9; };"#,
        right,
        Some(right.with_secret(b"bird-sha256-kez")),
    );
}
