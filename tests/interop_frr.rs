//! riprs and FRR 8.4 ripd on one link: routes both ways with the right
//! metrics, split horizon and poisoned reverse as sent on the wire, RIPv1
//! from FRR, authentication (text, keyed MD5 with both auth data lengths,
//! wrong keys), unicast neighbors on a link without multicast, and
//! withdrawals when riprs stops.
//!
//! Topology (see tests/interop): riprs 10.0.0.1 and FRR 10.0.0.2 on eth0,
//! through a bridge where the test listens (10.0.0.9); riprs's LAN
//! 10.2.0.0/24, FRR's 10.1.0.0/24, both connected and advertised with
//! metric 1, learned across the link with metric 2. Each test prints both
//! tables, what was heard on the link and riprs's log when it fails.
//! Needs root, frr (scripts/install-test-deps).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod interop;
mod support;

use std::time::{Duration, Instant};

use interop::{
    FRR_LAN, LEARN, OnPanic, PEER_LINK, RIPRS_LAN, RIPRS_LINK, Riprs, WITHDRAW, Wire, frr_conf,
    frr_report, full_updates, riprs_tables, riprs_toml,
};
use support::Frr;

/// FRR's side of the link with its LAN.
fn start_frr<'ns>(ns: &'ns support::Netns, top: &str, iface: &str, router: &str) -> Frr<'ns> {
    interop::add_lan(ns, "10.1.0.1/24");
    Frr::start(ns, &frr_conf(top, iface, router))
}

/// Both LANs learned across the link, each with metric 2 and the other's
/// link address as next hop.
fn assert_learned_both_ways(riprs: &Riprs, frr: &Frr) {
    let learned = riprs.wait_route(FRR_LAN, LEARN, |r| r.origin == "rip");
    let learned = learned.unwrap_or_else(|| panic!("riprs did not learn {FRR_LAN}"));
    assert_eq!(learned.metric, 2, "{learned:?}");
    assert_eq!(learned.gateways, ["10.0.0.2"], "{learned:?}");
    assert_eq!(learned.interfaces, ["eth0"], "{learned:?}");
    let learned = frr.wait_for_route(RIPRS_LAN, LEARN, |r| r.code == "R(n)");
    let learned = learned.unwrap_or_else(|| panic!("FRR did not learn {RIPRS_LAN}"));
    assert_eq!(learned.metric, 2, "{learned:?}");
    assert_eq!(learned.next_hop, RIPRS_LINK.to_string(), "{learned:?}");
    assert_eq!(learned.from, RIPRS_LINK.to_string(), "{learned:?}");
}

/// Split horizon (simple): learned both ways; riprs's updates on eth0, as
/// heard on the link, never carry FRR's LAN back. Then SIGTERM: FRR marks
/// riprs's LAN unreachable within seconds, not after its 15 s timeout.
#[test]
fn frr_learns_both_ways_split_horizon_and_withdrawal_on_stop() {
    let (riprs_ns, frr_ns, listener_ns) = interop::link_with_listener("frrsh");
    let wire = Wire::listen(&listener_ns, interop::LISTENER);
    let frr = start_frr(&frr_ns, "", "", "");
    let mut riprs =
        interop::start_riprs(&riprs_ns, &riprs_toml("", "split-horizon = \"simple\"", ""));
    let socket = riprs.socket_path();
    let _report = OnPanic(|| {
        format!(
            "{}{}{}",
            frr_report(&frr),
            wire.dump(),
            riprs_tables(&socket)
        )
    });
    assert_learned_both_ways(&riprs, &frr);

    // Two whole updates from riprs after it learned FRR's LAN.
    let heard = wire.two_updates_from_riprs();
    for message in &heard {
        assert_eq!(message.version(), Some(2), "{message:?}");
        assert!(
            message.entry(FRR_LAN).is_none(),
            "riprs sent {FRR_LAN} back to where it learned it: {message:?}"
        );
    }
    // FRR's LAN is what riprs would send elsewhere: it is in the table.
    assert!(riprs.route(FRR_LAN).is_some());
    // On the wire, each side advertised its own LAN with metric 1 (riprs's
    // updates above are those that carry it so); the 2s above are the
    // receivers' interface cost added.
    let peer_sent = wire.heard_from(PEER_LINK);
    assert!(
        peer_sent
            .iter()
            .any(|h| h.entry(FRR_LAN).is_some_and(|e| e.metric == 1)),
        "FRR never sent {FRR_LAN} with metric 1"
    );

    let stopped = Instant::now();
    riprs.terminate();
    let status = riprs.wait_exit(Duration::from_secs(5));
    assert!(status.success(), "riprs exited with {status}");
    let gone = support::wait_until(WITHDRAW, Duration::from_millis(100), || {
        frr.rip_route(RIPRS_LAN)
            .is_none_or(|r| r.metric == 16)
            .then_some(())
    });
    assert!(
        gone.is_some(),
        "FRR still has {RIPRS_LAN} reachable {:?} after riprs stopped",
        stopped.elapsed()
    );
    // The withdrawal was on the wire: riprs's LAN with metric 16.
    let poisoned = wire
        .heard_since(RIPRS_LINK, stopped)
        .iter()
        .any(|h| h.entry(RIPRS_LAN).is_some_and(|e| e.metric == 16));
    assert!(poisoned, "no withdrawal of {RIPRS_LAN} heard from riprs");
    let _ = PEER_LINK;
}

/// Poisoned reverse: riprs's updates on eth0 carry FRR's LAN back with
/// metric 16, every time.
#[test]
fn frr_poisoned_reverse_on_the_wire() {
    let (riprs_ns, frr_ns, listener_ns) = interop::link_with_listener("frrpr");
    let wire = Wire::listen(&listener_ns, interop::LISTENER);
    let frr = start_frr(&frr_ns, "", "", "");
    let riprs = interop::start_riprs(
        &riprs_ns,
        &riprs_toml("", "split-horizon = \"poisoned-reverse\"", ""),
    );
    let socket = riprs.socket_path();
    let _report = OnPanic(|| {
        format!(
            "{}{}{}",
            frr_report(&frr),
            wire.dump(),
            riprs_tables(&socket)
        )
    });
    assert_learned_both_ways(&riprs, &frr);

    let heard = wire.two_updates_from_riprs();
    for update in full_updates(&heard) {
        let entry = update.entry(FRR_LAN);
        assert_eq!(
            entry.map(|e| e.metric),
            Some(16),
            "{FRR_LAN} not poisoned in {update:?}"
        );
    }
    // Nor sent reachable in any other message (a triggered update).
    for message in &heard {
        if let Some(entry) = message.entry(FRR_LAN) {
            assert_eq!(entry.metric, 16, "{message:?}");
        }
    }
    // FRR keeps its connected LAN; the poisoned copy changes nothing there.
    let own = frr.rip_route(FRR_LAN).expect("FRR's own LAN");
    assert_eq!((own.code.as_str(), own.metric), ("C(i)", 1));
}

/// FRR with `version 1` sends RIPv1 broadcasts; riprs learns from them (the
/// classful 192.168.1.0 as /24, and 10.1.0.0, a subnet of the link's class A
/// network, with the link's /24 mask as RFC 1058 §3.2 says) and still sends
/// RIPv2 itself.
#[test]
fn riprs_learns_from_frr_ripv1_and_sends_v2() {
    let (riprs_ns, frr_ns, listener_ns) = interop::link_with_listener("frrv1");
    let wire = Wire::listen(&listener_ns, interop::LISTENER);
    frr_ns.ip("link add lan1 type veth peer name lan1p");
    frr_ns.addr("lan1", "192.168.1.1/24");
    frr_ns.link_up("lan1");
    frr_ns.link_up("lan1p");
    let frr = start_frr(
        &frr_ns,
        "",
        "",
        " version 1\n network lan1\n passive-interface lan1",
    );
    let riprs = interop::start_riprs(&riprs_ns, &riprs_toml("", "", ""));
    let socket = riprs.socket_path();
    let _report = OnPanic(|| {
        format!(
            "{}{}{}",
            frr_report(&frr),
            wire.dump(),
            riprs_tables(&socket)
        )
    });

    for network in ["192.168.1.0/24", FRR_LAN] {
        let learned = riprs.wait_route(network, LEARN, |r| r.origin == "rip");
        let learned = learned.unwrap_or_else(|| panic!("riprs did not learn {network}"));
        assert_eq!(learned.metric, 2, "{learned:?}");
        assert_eq!(learned.gateways, ["10.0.0.2"], "{learned:?}");
    }
    // No host route made of a subnet address.
    assert!(riprs.route("10.1.0.0/32").is_none());
    // FRR with `version 1` receives RIPv1 only: it counts riprs's RIPv2
    // messages as bad packets and learns nothing from riprs, which sends
    // RIPv2 unless told otherwise (see the next test).
    let neighbors = riprs.show("neighbors");
    assert_eq!(
        neighbors[0]["version"], 1,
        "riprs's neighbor table: {neighbors}"
    );
    // What FRR sent was RIPv1.
    let from_frr = wire.heard_from(PEER_LINK);
    assert!(
        from_frr.iter().any(|h| h.is_response()),
        "no response heard from FRR"
    );
    assert!(
        from_frr.iter().all(|h| h.version() == Some(1)),
        "FRR sent something else than RIPv1"
    );
    // riprs answers in RIPv2 only: two whole updates, and nothing else.
    let heard = wire.two_updates_from_riprs();
    let all = wire.heard_from(RIPRS_LINK);
    assert!(
        all.iter().all(|h| h.version() == Some(2)),
        "riprs sent something else than RIPv2"
    );
    assert!(
        full_updates(&heard)
            .iter()
            .all(|h| h.entry(FRR_LAN).is_none())
    );
}

/// With `send-version = "v1"` (RFC 2453 §5.1 "RIP-1"), riprs broadcasts
/// RIPv1 to 10.0.0.255 and FRR with `version 1` learns riprs's LAN from it:
/// 10.2.0.0, a subnet of the link's class A network, read with the link's
/// /24 mask.
#[test]
fn frr_ripv1_learns_from_riprs_sending_v1() {
    let (riprs_ns, frr_ns, listener_ns) = interop::link_with_listener("frrv1s");
    let wire = Wire::listen(&listener_ns, interop::LISTENER);
    let frr = start_frr(&frr_ns, "", "", " version 1");
    let riprs = interop::start_riprs(&riprs_ns, &riprs_toml("", "send-version = \"v1\"", ""));
    let socket = riprs.socket_path();
    let _report = OnPanic(|| {
        format!(
            "{}{}{}",
            frr_report(&frr),
            wire.dump(),
            riprs_tables(&socket)
        )
    });

    let learned = frr.wait_for_route(RIPRS_LAN, LEARN, |r| r.code == "R(n)");
    let learned = learned.unwrap_or_else(|| panic!("FRR did not learn {RIPRS_LAN}"));
    assert_eq!(learned.metric, 2, "{learned:?}");
    assert_eq!(learned.from, RIPRS_LINK.to_string(), "{learned:?}");
    let learned = riprs.wait_route(FRR_LAN, LEARN, |r| r.origin == "rip");
    assert!(learned.is_some(), "riprs did not learn {FRR_LAN}");
    // Every message riprs sent was RIPv1.
    let heard = wire.heard_from(RIPRS_LINK);
    assert!(
        heard.iter().any(|h| h.is_response()),
        "nothing heard from riprs"
    );
    assert!(
        heard.iter().all(|h| h.version() == Some(1)),
        "riprs sent something else than RIPv1"
    );
}

// --- authentication ------------------------------------------------------------

const KEY_CHAIN: &str = "key chain lab\n key 1\n  key-string lab-key-1\n!";
const RIPRS_KEYS: &str = "[key-chains.lab]\nkeys = [{ id = 1, secret = \"lab-key-1\" }]";

/// The Auth Data Len octet of a keyed-MD5 message (RFC 2082 §3.2: after
/// AFI 0xFFFF, type 3, packet length and key id), or None if the message
/// has no keyed-MD5 authentication entry first.
fn md5_auth_data_len(bytes: &[u8]) -> Option<u8> {
    (bytes.get(4..8)? == [0xff, 0xff, 0, 3]).then(|| bytes.get(11).copied())?
}

/// riprs and FRR with matching authentication learn each other's LANs, and
/// neither counts a bad packet.
fn authenticated_exchange(
    tag: &str,
    frr_top: &str,
    frr_iface: &str,
    riprs_iface: &str,
    riprs_rest: &str,
    check_wire: impl Fn(&[interop::Heard], &[interop::Heard]),
) {
    let (riprs_ns, frr_ns, listener_ns) = interop::link_with_listener(tag);
    let wire = Wire::listen(&listener_ns, interop::LISTENER);
    let frr = start_frr(&frr_ns, frr_top, frr_iface, "");
    let riprs = interop::start_riprs(&riprs_ns, &riprs_toml("", riprs_iface, riprs_rest));
    let socket = riprs.socket_path();
    let _report = OnPanic(|| {
        format!(
            "{}{}{}",
            frr_report(&frr),
            wire.dump(),
            riprs_tables(&socket)
        )
    });
    assert_learned_both_ways(&riprs, &frr);
    // FRR accepted everything riprs sent.
    assert_eq!(frr.bad_packets(&RIPRS_LINK.to_string()), Some(0));
    // riprs rejected only FRR's unauthenticated request.
    let before = unauthenticated_requests(&wire.heard_from(PEER_LINK));
    let bad = interop::bad_packets(&riprs, "eth0");
    let after = unauthenticated_requests(&wire.heard_from(PEER_LINK));
    assert!(
        (before..=after).contains(&(bad as usize)),
        "riprs counted {bad} bad packets; FRR sent {before}..{after} unauthenticated requests"
    );
    check_wire(&wire.heard_from(RIPRS_LINK), &wire.heard_from(PEER_LINK));
}

/// FRR 8.4 sends its whole-table request (when an interface comes up)
/// without authentication even where authentication is configured;
/// riprs, like FRR itself, drops an unauthenticated message on such an
/// interface and counts it (RFC 2082 §3.2.1, RFC 4822 §3.2.2). How many such
/// requests are among `heard` (everything else from FRR must be signed).
fn unauthenticated_requests(heard: &[interop::Heard]) -> usize {
    heard
        .iter()
        .filter(|h| h.message.is_ok())
        .inspect(|h| {
            assert!(
                matches!(
                    h.message,
                    Ok(rip_codec::Repr {
                        body: rip_codec::Body::WholeTableRequest,
                        ..
                    })
                ),
                "FRR sent an unauthenticated {h:?}"
            )
        })
        .count()
}

#[test]
fn frr_simple_password() {
    authenticated_exchange(
        "frrtext",
        "",
        " ip rip authentication mode text\n ip rip authentication string lab-text",
        "authentication = { mode = \"text\", password = \"lab-text\" }",
        "",
        |riprs, _frr| {
            // RFC 2453 §4.1: AFI 0xFFFF, type 2, the password padded to 16.
            let message = riprs.iter().find(|h| h.bytes.len() > 24).unwrap();
            assert_eq!(message.bytes[4..8], [0xff, 0xff, 0, 2], "{message:?}");
            assert_eq!(&message.bytes[8..24], b"lab-text\0\0\0\0\0\0\0\0");
        },
    );
}

/// Keyed MD5 with an auth data length of 16, as RFC 2082 has it: FRR's
/// `auth-length rfc`, riprs's `md5-auth-length = "rfc"`.
#[test]
fn frr_keyed_md5_auth_length_rfc() {
    authenticated_exchange(
        "frrmd16",
        KEY_CHAIN,
        " ip rip authentication mode md5 auth-length rfc\n ip rip authentication key-chain lab",
        "authentication = { mode = \"md5\", key-chain = \"lab\", md5-auth-length = \"rfc\" }",
        RIPRS_KEYS,
        |riprs, frr| check_md5_lengths(riprs, frr, 16),
    );
}

/// Keyed MD5 with FRR's default auth data length, 20 (old ripd's): riprs's
/// `md5-auth-length = "old-ripd"`.
#[test]
fn frr_keyed_md5_auth_length_old_ripd() {
    authenticated_exchange(
        "frrmd20",
        KEY_CHAIN,
        " ip rip authentication mode md5\n ip rip authentication key-chain lab",
        "authentication = { mode = \"md5\", key-chain = \"lab\", md5-auth-length = \"old-ripd\" }",
        RIPRS_KEYS,
        |riprs, frr| check_md5_lengths(riprs, frr, 20),
    );
}

/// Every signed message on the wire is keyed MD5 with `len`, and riprs's
/// verify with the key (rip-codec, independently of FRR having accepted
/// them).
fn check_md5_lengths(riprs: &[interop::Heard], frr: &[interop::Heard], len: u8) {
    use rip_codec::{AuthMode, Key, Repr};
    assert!(!riprs.is_empty() && !frr.is_empty());
    for (who, heard) in [("riprs", riprs), ("FRR", frr)] {
        // Except FRR's unauthenticated request (`unauthenticated_requests`).
        for h in heard.iter().filter(|h| h.message.is_err()) {
            assert_eq!(
                md5_auth_data_len(&h.bytes),
                Some(len),
                "{who} sent {:02x?}",
                h.bytes
            );
        }
    }
    let key = [Key {
        id: 1,
        secret: b"lab-key-1",
    }];
    for h in riprs {
        let parsed = Repr::parse(&h.bytes, AuthMode::KeyedMd5, &key[..]);
        assert!(parsed.is_ok(), "{parsed:?}: {:02x?}", h.bytes);
    }
}

/// Different keys: neither side learns anything, and both count the other's
/// messages as bad packets.
#[test]
fn frr_wrong_md5_key_learns_nothing() {
    let (riprs_ns, frr_ns, listener_ns) = interop::link_with_listener("frrbad");
    let wire = Wire::listen(&listener_ns, interop::LISTENER);
    let frr = start_frr(
        &frr_ns,
        KEY_CHAIN,
        " ip rip authentication mode md5\n ip rip authentication key-chain lab",
        "",
    );
    let riprs = interop::start_riprs(
        &riprs_ns,
        &riprs_toml(
            "",
            "authentication = { mode = \"md5\", key-chain = \"lab\" }",
            "[key-chains.lab]\nkeys = [{ id = 1, secret = \"not-the-key\" }]",
        ),
    );
    let socket = riprs.socket_path();
    let _report = OnPanic(|| {
        format!(
            "{}{}{}",
            frr_report(&frr),
            wire.dump(),
            riprs_tables(&socket)
        )
    });
    // Two rejected updates each way: FRR's updates reached riprs, and
    // riprs's reached FRR. (riprs also rejects FRR's unauthenticated
    // request, see `unauthenticated_requests`.)
    let rejected = support::wait_until(LEARN, Duration::from_millis(200), || {
        let requests = unauthenticated_requests(&wire.heard_from(PEER_LINK)) as u64;
        let at_riprs = interop::bad_packets(&riprs, "eth0");
        let at_frr = frr.bad_packets(&RIPRS_LINK.to_string()).unwrap_or(0);
        (at_riprs >= requests + 2 && at_frr >= 2).then_some(())
    });
    assert!(rejected.is_some(), "bad packets not counted on both sides");
    assert!(riprs.route(FRR_LAN).is_none(), "riprs learned {FRR_LAN}");
    assert!(
        frr.rip_route(RIPRS_LAN).is_none(),
        "FRR learned {RIPRS_LAN}"
    );
    // riprs's log names the reason (rate limited: the first drop of a kind
    // per interface is logged, later ones are counted into the next line).
    assert!(riprs.log().contains("message dropped"), "nothing logged");
}

/// A link without IFF_MULTICAST (as a VTI): riprs with `multicast = "keep"`
/// and `neighbors`, FRR with `neighbor` and eth0 passive (FRR's way to send
/// only to its neighbors). Both learn by unicast alone: the listener on the
/// link hears no update by multicast or broadcast from either, and riprs
/// leaves the flag off.
#[test]
fn frr_unicast_neighbors_without_multicast() {
    let (riprs_ns, frr_ns, listener_ns) = interop::link_with_listener("frruni");
    riprs_ns.set_multicast("eth0", false);
    frr_ns.set_multicast("eth0", false);
    let wire = Wire::listen(&listener_ns, interop::LISTENER);
    let frr = start_frr(
        &frr_ns,
        "",
        "",
        " neighbor 10.0.0.1\n passive-interface eth0",
    );
    let riprs = interop::start_riprs(
        &riprs_ns,
        &riprs_toml("neighbors = [\"10.0.0.2\"]", "multicast = \"keep\"", ""),
    );
    let socket = riprs.socket_path();
    let _report = OnPanic(|| {
        format!(
            "{}{}{}",
            frr_report(&frr),
            wire.dump(),
            riprs_tables(&socket)
        )
    });
    assert_learned_both_ways(&riprs, &frr);
    // Another round of updates both ways, still unicast only.
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        wire.heard_from(RIPRS_LINK).is_empty(),
        "riprs sent multicast or broadcast on a link without multicast"
    );
    // FRR 8.4 still broadcasts its whole-table request when the interface
    // comes up (passive or not; without IFF_MULTICAST it goes to the
    // subnet's broadcast address), but no response.
    assert!(
        wire.heard_from(PEER_LINK).iter().all(|h| !h.is_response()),
        "FRR sent responses by multicast or broadcast"
    );
    let link = riprs_ns.ip("-o link show dev eth0");
    assert!(
        !link.contains("MULTICAST"),
        "riprs turned multicast on: {link}"
    );
    assert_eq!(riprs.interface("eth0").unwrap()["multicast"], false);
}
