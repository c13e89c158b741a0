//! RFC 2453 §3.9.2 and RFC 4822 input checks, one rule per test.

mod rig;

use std::net::SocketAddrV4;
use std::time::Duration;

use rig::*;
use rip_codec::{AuthError, AuthMode, Command, HeaderError};
use rip_engine::{Authentication, DropReason, EngineConfig, Event, InterfaceConfig, KeyConfig};

fn lan_rig(config: EngineConfig) -> Rig {
    let mut rig = Rig::new(config);
    rig.link(1, "vti02");
    rig.addr(1, "192.168.10.3/24");
    rig.link(2, "eth1");
    rig.addr(2, "192.168.20.1/24");
    rig.take_events();
    rig
}

fn dropped(rig: &mut Rig) -> Vec<DropReason> {
    rig.take_events()
        .into_iter()
        .filter_map(|e| match e {
            Event::PacketDropped { reason, .. } => Some(reason),
            _ => None,
        })
        .collect()
}

#[test]
fn responses_only_from_port_520() {
    let mut rig = lan_rig(Rig::config());
    let bytes = encode(Command::Response, &[route("10.1.0.0/16", 1)], None);
    rig.packet(1, SocketAddrV4::new(ip("192.168.10.4"), 5000), &bytes);
    assert_eq!(rig.metric("10.1.0.0/16"), None);
    assert_eq!(dropped(&mut rig), vec![DropReason::NotFromRipPort]);
    assert_eq!(rig.engine.interfaces()[0].counters.bad_packets, 1);
    rig.packet(1, SocketAddrV4::new(ip("192.168.10.4"), 520), &bytes);
    assert_eq!(rig.metric("10.1.0.0/16"), Some(2));
}

#[test]
fn source_must_be_on_a_connected_network() {
    let mut rig = lan_rig(Rig::config());
    rig.response(1, "192.168.11.4", &[route("10.1.0.0/16", 1)]);
    assert_eq!(rig.metric("10.1.0.0/16"), None);
    assert_eq!(dropped(&mut rig), vec![DropReason::SourceNotOnLink]);
}

#[test]
fn slash_30_and_point_to_point_peers_are_on_link() {
    let mut rig = Rig::new(Rig::config());
    rig.link(1, "tun0");
    rig.addr(1, "10.0.0.1/30");
    rig.link(2, "vti03");
    rig.addr_peer(2, "10.9.0.1", "10.9.0.2");
    rig.response(1, "10.0.0.2", &[route("10.1.0.0/16", 1)]);
    rig.response(2, "10.9.0.2", &[route("10.2.0.0/16", 1)]);
    rig.response(1, "10.0.0.5", &[route("10.3.0.0/16", 1)]);
    rig.response(2, "10.9.0.3", &[route("10.4.0.0/16", 1)]);
    assert_eq!(rig.metric("10.1.0.0/16"), Some(2), "/30 neighbor");
    assert_eq!(rig.metric("10.2.0.0/16"), Some(2), "/32 peer");
    assert_eq!(rig.metric("10.3.0.0/16"), None, "outside the /30");
    assert_eq!(rig.metric("10.4.0.0/16"), None, "not the peer");
}

#[test]
fn our_own_messages_are_ignored_silently() {
    let mut rig = lan_rig(Rig::config());
    // Looped back from our own address, on either interface.
    rig.response(1, "192.168.10.3", &[route("10.1.0.0/16", 1)]);
    assert_eq!(rig.metric("10.1.0.0/16"), None);
    assert!(dropped(&mut rig).is_empty());
    assert_eq!(rig.engine.interfaces()[0].counters.bad_packets, 0);
}

fn auth_config(mode: AuthMode, keys: Vec<KeyConfig>) -> EngineConfig {
    let mut config = Rig::config();
    config.interfaces.insert(
        "vti02".into(),
        InterfaceConfig {
            authentication: Authentication {
                mode,
                keys,
                ..Authentication::default()
            },
            ..InterfaceConfig::default()
        },
    );
    config
}

#[test]
fn authentication_mode_is_enforced() {
    let mut rig = lan_rig(auth_config(
        AuthMode::KeyedMd5,
        vec![KeyConfig::new(1, b"vpn")],
    ));
    rig.response(1, "192.168.10.4", &[route("10.1.0.0/16", 1)]);
    assert_eq!(
        dropped(&mut rig),
        vec![DropReason::Auth(AuthError::Missing)]
    );
    rig.signed_response(
        1,
        "192.168.10.4",
        &[route("10.1.0.0/16", 1)],
        signer(AuthMode::KeyedMd5, 1, b"wrong", 1),
    );
    assert_eq!(
        dropped(&mut rig),
        vec![DropReason::Auth(AuthError::BadDigest)]
    );
    assert_eq!(rig.metric("10.1.0.0/16"), None);
    // A router with the wrong key shows in the peer table with its count.
    let peers = rig.engine.neighbors();
    assert_eq!(peers.len(), 1);
    assert_eq!(
        (peers[0].address, peers[0].bad_packets),
        (ip("192.168.10.4"), 2)
    );
    rig.signed_response(
        1,
        "192.168.10.4",
        &[route("10.1.0.0/16", 1)],
        signer(AuthMode::KeyedMd5, 1, b"vpn", 2),
    );
    assert_eq!(rig.metric("10.1.0.0/16"), Some(2));
    assert_eq!(rig.engine.interfaces()[0].counters.bad_packets, 2);

    // And an interface without authentication drops authenticated messages
    // (RFC 2453 §5.2).
    let mut plain = lan_rig(Rig::config());
    plain.signed_response(
        1,
        "192.168.10.4",
        &[route("10.1.0.0/16", 1)],
        signer(AuthMode::KeyedMd5, 1, b"vpn", 1),
    );
    assert_eq!(
        dropped(&mut plain),
        vec![DropReason::Auth(AuthError::Unexpected)]
    );
}

#[test]
fn every_cryptographic_mode_and_password_work_end_to_end() {
    for mode in [
        AuthMode::Password,
        AuthMode::KeyedMd5,
        AuthMode::HmacSha1,
        AuthMode::HmacSha256,
        AuthMode::HmacSha384,
        AuthMode::HmacSha512,
    ] {
        let mut rig = lan_rig(auth_config(mode, vec![KeyConfig::new(3, b"secret")]));
        rig.signed_response(
            1,
            "192.168.10.4",
            &[route("10.1.0.0/16", 1)],
            signer(mode, 3, b"secret", 10),
        );
        assert_eq!(rig.metric("10.1.0.0/16"), Some(2), "{mode:?}");
        // What it sends is signed with the same mode and key.
        rig.advance_secs(31);
        let sent = rig.sent();
        let update = sent
            .iter()
            .find(|t| t.command == Command::Response && t.ifindex == 1)
            .unwrap();
        let auth = update.auth.as_ref().unwrap();
        assert_eq!((auth.mode, auth.key_id), (mode, 3));
        let bytes = update.encode_to_vec(7).unwrap();
        let keys = [rip_codec::Key {
            id: 3,
            secret: b"secret",
        }];
        let packet = rip_codec::Packet::parse(&bytes[0]).unwrap();
        assert!(packet.authenticate(mode, &keys[..]).is_ok(), "{mode:?}");
    }
}

#[test]
fn key_lifetimes_follow_the_clock() {
    let start = wall_start();
    let mut old = KeyConfig::new(1, b"old");
    old.send_until = Some(start + Duration::from_secs(100));
    old.accept_until = Some(start + Duration::from_secs(200));
    let mut new = KeyConfig::new(2, b"new");
    new.send_from = Some(start + Duration::from_secs(100));
    let mut rig = lan_rig(auth_config(AuthMode::KeyedMd5, vec![old, new]));

    rig.advance_secs(40);
    let first = rig
        .sent()
        .into_iter()
        .find(|t| t.command == Command::Response && t.ifindex == 1);
    assert_eq!(first.and_then(|t| t.auth).map(|a| a.key_id), Some(1));
    rig.advance_secs(60);
    rig.sent();
    rig.advance_secs(50);
    let later: Vec<u8> = rig
        .sent()
        .into_iter()
        .filter(|t| t.ifindex == 1)
        .filter_map(|t| t.auth.map(|a| a.key_id))
        .collect();
    assert!(
        !later.is_empty() && later.iter().all(|id| *id == 2),
        "{later:?}"
    );

    // Key 1 is still accepted until 200 s, then not.
    rig.signed_response(
        1,
        "192.168.10.4",
        &[route("10.1.0.0/16", 1)],
        signer(AuthMode::KeyedMd5, 1, b"old", 1),
    );
    assert_eq!(rig.metric("10.1.0.0/16"), Some(2));
    rig.advance_secs(100);
    rig.take_events();
    rig.signed_response(
        1,
        "192.168.10.4",
        &[route("10.2.0.0/16", 1)],
        signer(AuthMode::KeyedMd5, 1, b"old", 2),
    );
    assert_eq!(
        dropped(&mut rig),
        vec![DropReason::Auth(AuthError::UnknownKeyId(1))]
    );
}

#[test]
fn lower_sequence_numbers_are_replays() {
    let mut rig = lan_rig(auth_config(
        AuthMode::HmacSha256,
        vec![KeyConfig::new(1, b"k")],
    ));
    let send = |rig: &mut Rig, p: &str, seq: u32| {
        rig.signed_response(
            1,
            "192.168.10.4",
            &[route(p, 1)],
            signer(AuthMode::HmacSha256, 1, b"k", seq),
        )
    };
    send(&mut rig, "10.1.0.0/16", 100);
    send(&mut rig, "10.2.0.0/16", 100); // equal: same update, accepted
    rig.take_events();
    send(&mut rig, "10.3.0.0/16", 99);
    assert_eq!(rig.metric("10.2.0.0/16"), Some(2));
    assert_eq!(rig.metric("10.3.0.0/16"), None);
    assert_eq!(
        dropped(&mut rig),
        vec![DropReason::Replay {
            key_id: 1,
            sequence: 99,
            last: 100
        }]
    );
    assert_eq!(rig.engine.neighbors()[0].bad_packets, 1);
    send(&mut rig, "10.3.0.0/16", 101);
    assert_eq!(rig.metric("10.3.0.0/16"), Some(2));
}

#[test]
fn malformed_messages_and_entries_are_counted_never_fatal() {
    let mut rig = lan_rig(Rig::config());
    let from = SocketAddrV4::new(ip("192.168.10.4"), 520);
    rig.packet(1, from, &[2, 2, 0]);
    rig.packet(1, from, &[9, 2, 0, 0]);
    assert_eq!(
        dropped(&mut rig),
        vec![
            DropReason::Header(HeaderError::Truncated { len: 3 }),
            DropReason::Header(HeaderError::UnknownCommand(9)),
        ]
    );
    // One good entry, one martian, one with metric 0.
    let mut bytes = encode(Command::Response, &[route("10.1.0.0/16", 1)], None);
    bytes.extend_from_slice(&[
        0, 2, 0, 0, 127, 0, 0, 0, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
    ]);
    bytes.extend_from_slice(&[
        0, 2, 0, 0, 10, 2, 0, 0, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ]);
    rig.packet(1, from, &bytes);
    assert_eq!(rig.metric("10.1.0.0/16"), Some(2));
    let counters = rig.engine.interfaces()[0].counters;
    assert_eq!((counters.bad_packets, counters.bad_routes), (2, 2));
    let neighbor = &rig.engine.neighbors()[0];
    assert_eq!(neighbor.bad_routes, 2);
}
