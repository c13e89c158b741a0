//! riprs and BIRD 2.0.12 on one link: routes both ways with the right
//! metrics, split horizon and poisoned reverse as sent on the wire,
//! authentication (keyed MD5, HMAC-SHA-256, a wrong key), a link without
//! multicast, and withdrawals when riprs stops.
//!
//! Topology (see tests/interop): riprs 10.0.0.1 and BIRD 10.0.0.2 on eth0,
//! through a bridge where the test listens (10.0.0.9); riprs's LAN
//! 10.2.0.0/24, BIRD's 10.3.0.0/24 (exported from `protocol direct`), both
//! advertised with metric 1 and learned across the link with metric 2.
//! Each test prints both tables, what was heard on the link and riprs's log
//! when it fails. Needs root, bird2 (scripts/install-test-deps).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod interop;
mod support;

use std::time::{Duration, Instant};

use interop::{
    BIRD_LAN, LEARN, OnPanic, PEER_LINK, RIPRS_LAN, RIPRS_LINK, Riprs, WITHDRAW, Wire, bird_conf,
    bird_report, full_updates, riprs_tables, riprs_toml,
};
use support::{Bird, Netns};

/// BIRD's side of the link with its LAN; `iface` goes in its eth0 block.
fn start_bird<'ns>(ns: &'ns Netns, iface: &str) -> Bird<'ns> {
    interop::add_lan(ns, "10.3.0.1/24");
    Bird::start(ns, &bird_conf(PEER_LINK, iface))
}

/// Both LANs learned across the link, each with metric 2 and the other's
/// link address as next hop.
fn assert_learned_both_ways(riprs: &Riprs, bird: &Bird) {
    let learned = riprs.wait_route(BIRD_LAN, LEARN, |r| r.origin == "rip");
    let learned = learned.unwrap_or_else(|| panic!("riprs did not learn {BIRD_LAN}"));
    assert_eq!(learned.metric, 2, "{learned:?}");
    assert_eq!(learned.gateways, ["10.0.0.2"], "{learned:?}");
    assert_eq!(learned.interfaces, ["eth0"], "{learned:?}");
    let learned = bird.wait_for_route(RIPRS_LAN, LEARN, |r| r.protocol == "rip1");
    let learned = learned.unwrap_or_else(|| panic!("BIRD did not learn {RIPRS_LAN}"));
    assert_eq!(learned.metric, Some(2), "{learned:?}");
    assert_eq!(learned.via.as_deref(), Some("10.0.0.1"), "{learned:?}");
    assert_eq!(learned.interface.as_deref(), Some("eth0"), "{learned:?}");
}

/// Split horizon (simple): learned both ways; riprs's updates on eth0, as
/// heard on the link, never carry BIRD's LAN back. Then SIGTERM: BIRD
/// withdraws riprs's LAN within seconds, not after its 30 s timeout.
#[test]
fn bird_learns_both_ways_split_horizon_and_withdrawal_on_stop() {
    let (riprs_ns, bird_ns, listener_ns) = interop::link_with_listener("birdsh");
    let wire = Wire::listen(&listener_ns, interop::LISTENER);
    let bird = start_bird(&bird_ns, "");
    let mut riprs =
        interop::start_riprs(&riprs_ns, &riprs_toml("", "split-horizon = \"simple\"", ""));
    let socket = riprs.socket_path();
    let _report = OnPanic(|| {
        format!(
            "{}{}{}",
            bird_report(&bird),
            wire.dump(),
            riprs_tables(&socket)
        )
    });
    assert_learned_both_ways(&riprs, &bird);

    let heard = wire.two_updates_from_riprs();
    for message in &heard {
        assert_eq!(message.version(), Some(2), "{message:?}");
        assert!(
            message.entry(BIRD_LAN).is_none(),
            "riprs sent {BIRD_LAN} back to where it learned it: {message:?}"
        );
    }
    assert!(riprs.route(BIRD_LAN).is_some());
    // On the wire, each side advertised its own LAN with metric 1 (riprs's
    // updates above are those that carry it so); the 2s above are the
    // receivers' interface cost added.
    let peer_sent = wire.heard_from(PEER_LINK);
    assert!(
        peer_sent
            .iter()
            .any(|h| h.entry(BIRD_LAN).is_some_and(|e| e.metric == 1)),
        "BIRD never sent {BIRD_LAN} with metric 1"
    );

    let stopped = Instant::now();
    riprs.terminate();
    let status = riprs.wait_exit(Duration::from_secs(5));
    assert!(status.success(), "riprs exited with {status}");
    let gone = support::wait_until(WITHDRAW, Duration::from_millis(100), || {
        bird.route(RIPRS_LAN).is_none().then_some(())
    });
    assert!(
        gone.is_some(),
        "BIRD still has {RIPRS_LAN} {:?} after riprs stopped",
        stopped.elapsed()
    );
    let poisoned = wire
        .heard_since(RIPRS_LINK, stopped)
        .iter()
        .any(|h| h.entry(RIPRS_LAN).is_some_and(|e| e.metric == 16));
    assert!(poisoned, "no withdrawal of {RIPRS_LAN} heard from riprs");
}

/// Poisoned reverse: riprs's updates on eth0 carry BIRD's LAN back with
/// metric 16, every time; BIRD keeps its own.
#[test]
fn bird_poisoned_reverse_on_the_wire() {
    let (riprs_ns, bird_ns, listener_ns) = interop::link_with_listener("birdpr");
    let wire = Wire::listen(&listener_ns, interop::LISTENER);
    let bird = start_bird(&bird_ns, "");
    let riprs = interop::start_riprs(
        &riprs_ns,
        &riprs_toml("", "split-horizon = \"poisoned-reverse\"", ""),
    );
    let socket = riprs.socket_path();
    let _report = OnPanic(|| {
        format!(
            "{}{}{}",
            bird_report(&bird),
            wire.dump(),
            riprs_tables(&socket)
        )
    });
    assert_learned_both_ways(&riprs, &bird);

    let heard = wire.two_updates_from_riprs();
    for update in full_updates(&heard) {
        let entry = update.entry(BIRD_LAN);
        assert_eq!(
            entry.map(|e| e.metric),
            Some(16),
            "{BIRD_LAN} not poisoned in {update:?}"
        );
    }
    for message in &heard {
        if let Some(entry) = message.entry(BIRD_LAN) {
            assert_eq!(entry.metric, 16, "{message:?}");
        }
    }
    let own = bird.route(BIRD_LAN).expect("BIRD's own LAN");
    assert_eq!(own.protocol, "direct1", "{own:?}");
}

// --- authentication ------------------------------------------------------------

/// riprs and BIRD with the same key learn each other's LANs; riprs counts
/// no bad packet, BIRD logs no authentication failure, and riprs's messages
/// verify with the key (rip-codec).
fn authenticated_exchange(
    tag: &str,
    bird_auth: &str,
    riprs_auth: &str,
    check: rip_codec::AuthMode,
) {
    let (riprs_ns, bird_ns, listener_ns) = interop::link_with_listener(tag);
    let wire = Wire::listen(&listener_ns, interop::LISTENER);
    let bird = start_bird(&bird_ns, bird_auth);
    let riprs = interop::start_riprs(
        &riprs_ns,
        &riprs_toml(
            "",
            riprs_auth,
            "[key-chains.lab]\nkeys = [{ id = 5, secret = \"lab-key-5\" }]",
        ),
    );
    let socket = riprs.socket_path();
    let _report = OnPanic(|| {
        format!(
            "{}{}{}",
            bird_report(&bird),
            wire.dump(),
            riprs_tables(&socket)
        )
    });
    assert_learned_both_ways(&riprs, &bird);
    assert_eq!(interop::bad_packets(&riprs, "eth0"), 0);
    assert!(
        !bird.log().contains("Authentication failed"),
        "BIRD rejected riprs's messages"
    );
    let key = [rip_codec::Key {
        id: 5,
        secret: b"lab-key-5",
    }];
    let sent = wire.heard_from(RIPRS_LINK);
    assert!(!sent.is_empty());
    for h in sent.iter().chain(&wire.heard_from(PEER_LINK)) {
        let parsed = rip_codec::Repr::parse(&h.bytes, check, &key[..]);
        assert!(parsed.is_ok(), "{parsed:?}: {:02x?}", h.bytes);
    }
}

#[test]
fn bird_keyed_md5() {
    authenticated_exchange(
        "birdmd5",
        r#"        authentication cryptographic;
        password "lab-key-5" { algorithm keyed md5; id 5; };"#,
        "authentication = { mode = \"md5\", key-chain = \"lab\", md5-auth-length = \"rfc\" }",
        rip_codec::AuthMode::KeyedMd5,
    );
}

#[test]
fn bird_hmac_sha256() {
    authenticated_exchange(
        "birdsha",
        r#"        authentication cryptographic;
        password "lab-key-5" { algorithm hmac sha256; id 5; };"#,
        "authentication = { mode = \"hmac-sha256\", key-chain = \"lab\" }",
        rip_codec::AuthMode::HmacSha256,
    );
}

/// Different keys: neither side learns anything; riprs counts BIRD's
/// messages as bad packets, BIRD logs riprs's as failing authentication.
#[test]
fn bird_wrong_key_learns_nothing() {
    let (riprs_ns, bird_ns, listener_ns) = interop::link_with_listener("birdbad");
    let wire = Wire::listen(&listener_ns, interop::LISTENER);
    let bird = start_bird(
        &bird_ns,
        r#"        authentication cryptographic;
        password "lab-key-5" { algorithm hmac sha256; id 5; };"#,
    );
    let riprs = interop::start_riprs(
        &riprs_ns,
        &riprs_toml(
            "",
            "authentication = { mode = \"hmac-sha256\", key-chain = \"lab\" }",
            "[key-chains.lab]\nkeys = [{ id = 5, secret = \"not-the-key\" }]",
        ),
    );
    let socket = riprs.socket_path();
    let _report = OnPanic(|| {
        format!(
            "{}{}{}",
            bird_report(&bird),
            wire.dump(),
            riprs_tables(&socket)
        )
    });
    // BIRD's request and at least one update rejected by riprs; riprs's
    // rejected by BIRD (which has no counter, but logs each).
    let rejected = support::wait_until(LEARN, Duration::from_millis(200), || {
        let at_riprs = interop::bad_packets(&riprs, "eth0");
        let at_bird = bird
            .log()
            .lines()
            .filter(|l| l.contains("Authentication failed") && l.contains("10.0.0.1"))
            .count();
        (at_riprs >= 2 && at_bird >= 2).then_some(())
    });
    assert!(rejected.is_some(), "bad packets not seen on both sides");
    assert!(riprs.route(BIRD_LAN).is_none(), "riprs learned {BIRD_LAN}");
    assert!(bird.route(RIPRS_LAN).is_none(), "BIRD learned {RIPRS_LAN}");
}

/// A link without IFF_MULTICAST (as a VTI). riprs: `multicast = "keep"` and
/// `neighbors`, so it sends by unicast only. BIRD 2.0.12 has no unicast
/// mode or neighbor list for RIP (its grammar has `mode multicast|broadcast`
/// only; `mode unicast` and `neighbors` came in later versions), so it runs
/// `mode broadcast`, which needs no multicast. Both learn; the listener
/// hears BIRD's broadcasts but nothing from riprs, which leaves the flag off.
#[test]
fn bird_without_multicast_riprs_unicast_neighbor() {
    let (riprs_ns, bird_ns, listener_ns) = interop::link_with_listener("birduni");
    riprs_ns.set_multicast("eth0", false);
    bird_ns.set_multicast("eth0", false);
    let wire = Wire::listen(&listener_ns, interop::LISTENER);
    let bird = start_bird(&bird_ns, "        mode broadcast;");
    let riprs = interop::start_riprs(
        &riprs_ns,
        &riprs_toml("neighbors = [\"10.0.0.2\"]", "multicast = \"keep\"", ""),
    );
    let socket = riprs.socket_path();
    let _report = OnPanic(|| {
        format!(
            "{}{}{}",
            bird_report(&bird),
            wire.dump(),
            riprs_tables(&socket)
        )
    });
    assert_learned_both_ways(&riprs, &bird);
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        wire.heard_from(RIPRS_LINK).is_empty(),
        "riprs sent multicast or broadcast on a link without multicast"
    );
    assert!(
        wire.heard_from(PEER_LINK).iter().any(|h| h.is_response()),
        "BIRD's broadcast updates not heard: is it really in broadcast mode?"
    );
    let link = riprs_ns.ip("-o link show dev eth0");
    assert!(
        !link.contains("MULTICAST"),
        "riprs turned multicast on: {link}"
    );
}
