//! What goes out and where: split horizon (RFC 2453 §3.4.3), passive
//! interfaces, unicast neighbors, requests (§3.9.1).

mod rig;

use std::net::SocketAddrV4;

use rig::*;
use rip_codec::{Command, MessageWriter, Packet, Request};
use rip_engine::{
    DropReason, EngineConfig, Event, InterfaceConfig, ReceiveVersion, SendVersion, SplitHorizon,
    Transmit,
};

fn rig_with(config: EngineConfig) -> Rig {
    let mut rig = Rig::new(config);
    rig.link(1, "vti02");
    rig.addr(1, "192.168.10.3/24");
    rig.link(2, "eth1");
    rig.addr(2, "192.168.20.1/24");
    rig.response(1, "192.168.10.4", &[route("192.168.21.0/24", 1)]);
    rig.sent();
    rig
}

fn split(mode: SplitHorizon) -> EngineConfig {
    let mut config = Rig::config();
    config.interfaces.insert(
        "vti02".into(),
        InterfaceConfig {
            split_horizon: mode,
            ..InterfaceConfig::default()
        },
    );
    config
}

fn regular_update_on(rig: &mut Rig, ifindex: u32) -> Vec<(String, u8)> {
    for _ in 0..40 {
        rig.advance_secs(1);
        let sent: Vec<Transmit> = rig
            .sent()
            .into_iter()
            .filter(|t| t.ifindex == ifindex && t.command == Command::Response)
            .collect();
        if !sent.is_empty() {
            return advertised(&sent);
        }
    }
    panic!("no update on {ifindex}");
}

#[test]
fn simple_split_horizon_leaves_out_routes_learned_there() {
    let mut rig = rig_with(split(SplitHorizon::Simple));
    let vti = regular_update_on(&mut rig, 1);
    assert_eq!(vti, [("192.168.20.0/24".to_string(), 1)]);
    let lan = regular_update_on(&mut rig, 2);
    assert!(lan.contains(&("192.168.21.0/24".to_string(), 2)), "{lan:?}");
    assert!(lan.contains(&("192.168.10.0/24".to_string(), 1)), "{lan:?}");
}

#[test]
fn poisoned_reverse_sends_them_back_with_metric_16() {
    let mut rig = rig_with(split(SplitHorizon::PoisonedReverse));
    let vti = regular_update_on(&mut rig, 1);
    assert!(
        vti.contains(&("192.168.21.0/24".to_string(), 16)),
        "{vti:?}"
    );
    assert!(vti.contains(&("192.168.20.0/24".to_string(), 1)), "{vti:?}");
}

#[test]
fn without_split_horizon_the_real_next_hop_is_named() {
    let mut rig = rig_with(split(SplitHorizon::Off));
    rig.sent();
    let mut found = None;
    for _ in 0..40 {
        rig.advance_secs(1);
        if let Some(t) = rig.sent().into_iter().find(|t| t.ifindex == 1) {
            found = t
                .entries
                .into_iter()
                .find(|e| e.prefix == prefix("192.168.21.0/24"));
            break;
        }
    }
    let entry = found.expect("advertised back");
    assert_eq!((entry.metric, entry.next_hop), (2, ip("192.168.10.4")));
}

#[test]
fn passive_interfaces_send_nothing_but_their_subnet_is_advertised() {
    let mut config = Rig::config();
    config.passive_interfaces = vec!["eth1".into()];
    let mut rig = Rig::new(config);
    rig.link(1, "vti02");
    rig.addr(1, "192.168.10.3/24");
    rig.link(2, "eth1");
    rig.addr(2, "192.168.20.1/24");
    rig.response(1, "192.168.10.4", &[route("192.168.21.0/24", 1)]);
    // A request on the LAN is not answered either.
    let request = encode(Command::Request, &[], None);
    rig.packet(2, SocketAddrV4::new(ip("192.168.20.7"), 520), &request);
    rig.advance_secs(200);
    let sent = rig.sent();
    assert!(
        sent.iter().all(|t| t.ifindex != 2),
        "sent on the passive LAN"
    );
    assert!(advertised(&sent).contains(&("192.168.20.0/24".to_string(), 1)));
    // Packets received there are still processed (as in quagga).
    rig.response(2, "192.168.20.9", &[route("10.7.0.0/16", 1)]);
    assert_eq!(rig.metric("10.7.0.0/16"), Some(2));
}

/// quagga's `passive-interface default` with `no passive-interface vti02`:
/// only the exception sends; a reload that drops the default makes the LAN
/// send too.
#[test]
fn passive_by_default_sends_only_on_the_exceptions() {
    let mut config = Rig::config();
    config.passive_default = true;
    config.interfaces.insert(
        "vti02".into(),
        InterfaceConfig {
            passive: Some(false),
            ..InterfaceConfig::default()
        },
    );
    let mut rig = Rig::new(config.clone());
    rig.link(1, "vti02");
    rig.addr(1, "192.168.10.3/24");
    rig.link(2, "eth1");
    rig.addr(2, "192.168.20.1/24");
    rig.advance_secs(100);
    let sent = rig.sent();
    assert!(
        sent.iter().all(|t| t.ifindex != 2),
        "sent on the passive LAN"
    );
    assert!(
        sent.iter().any(|t| t.ifindex == 1),
        "nothing sent on the VTI"
    );
    assert!(advertised(&sent).contains(&("192.168.20.0/24".to_string(), 1)));

    config.passive_default = false;
    rig.engine.handle_config(rig.now, config);
    rig.drain();
    rig.advance_secs(100);
    assert!(
        rig.sent().iter().any(|t| t.ifindex == 2),
        "the LAN is active now"
    );
}

#[test]
fn configured_neighbors_get_unicast_updates_even_without_multicast() {
    let mut config = Rig::config();
    config.neighbors = vec![ip("192.168.10.4")];
    let mut rig = Rig::new(config);
    rig.link_with(1, "vti02", true, false);
    rig.addr(1, "192.168.10.3/24");
    rig.link(2, "eth1");
    rig.addr(2, "192.168.20.1/24");
    rig.advance_secs(40);
    let to_vti: Vec<Transmit> = rig.sent().into_iter().filter(|t| t.ifindex == 1).collect();
    assert!(!to_vti.is_empty());
    assert!(
        to_vti
            .iter()
            .all(|t| t.destination == SocketAddrV4::new(ip("192.168.10.4"), 520)),
        "{to_vti:?}"
    );
    assert!(to_vti.iter().any(|t| t.command == Command::Request));
    assert!(to_vti.iter().any(|t| t.command == Command::Response));
}

#[test]
fn an_interface_without_multicast_or_neighbors_is_reported() {
    let mut rig = Rig::new(Rig::config());
    rig.link_with(1, "vti02", true, false);
    rig.addr(1, "192.168.10.3/24");
    assert!(rig.take_events().iter().any(|e| matches!(
        e,
        rip_engine::Event::MulticastUnavailable { ifindex: 1, .. }
    )));
    rig.advance_secs(40);
    assert!(rig.sent().iter().all(|t| t.ifindex != 1));
}

#[test]
fn a_request_goes_out_of_every_interface_that_comes_up() {
    let mut rig = Rig::new(Rig::config());
    rig.link(1, "vti02");
    rig.addr(1, "192.168.10.3/24");
    let sent = rig.sent();
    let request = sent
        .iter()
        .find(|t| t.command == Command::Request)
        .expect("a request");
    assert_eq!((request.ifindex, request.destination), (1, RIP_GROUP));
    let bytes = request.encode_to_vec(1).unwrap();
    let packet = Packet::parse(&bytes[0]).unwrap();
    assert!(matches!(
        packet.unauthenticated().unwrap().request(),
        Request::WholeTable
    ));
}

#[test]
fn whole_table_requests_are_answered_to_the_requester() {
    let mut rig = rig_with(Rig::config());
    let request = encode(Command::Request, &[], None);
    // From a router: a normal update, with split horizon, to its address.
    rig.packet(1, SocketAddrV4::new(ip("192.168.10.4"), 520), &request);
    let sent = rig.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].destination,
        SocketAddrV4::new(ip("192.168.10.4"), 520)
    );
    assert_eq!(entries(&sent[0]), [("192.168.20.0/24".to_string(), 1)]);
    // From a query tool's port: the whole table, no split horizon.
    rig.packet(1, SocketAddrV4::new(ip("192.168.10.50"), 40000), &request);
    let sent = rig.sent();
    assert_eq!(
        sent[0].destination,
        SocketAddrV4::new(ip("192.168.10.50"), 40000)
    );
    let all = entries(&sent[0]);
    assert!(all.contains(&("192.168.21.0/24".to_string(), 2)), "{all:?}");
    assert_eq!(rig.engine.counters().queries, 2);
}

#[test]
fn specific_requests_are_answered_entry_by_entry() {
    let mut rig = rig_with(Rig::config());
    let request = encode(
        Command::Request,
        &[route("192.168.21.0/24", 16), route("10.99.0.0/16", 16)],
        None,
    );
    rig.packet(1, SocketAddrV4::new(ip("192.168.10.50"), 40000), &request);
    let sent = rig.sent();
    assert_eq!(
        entries(&sent[0]),
        [
            ("192.168.21.0/24".to_string(), 2),
            ("10.99.0.0/16".to_string(), 16)
        ]
    );
}

fn v1_rig(send: SendVersion) -> Rig {
    let mut config = Rig::config();
    config.interfaces.insert(
        "eth1".into(),
        InterfaceConfig {
            send_version: send,
            ..InterfaceConfig::default()
        },
    );
    let mut rig = Rig::new(config);
    rig.link(1, "vti02");
    rig.addr(1, "192.168.10.3/24");
    rig.link(2, "eth1");
    rig.addr(2, "10.1.0.1/24");
    rig.response(
        1,
        "192.168.10.4",
        &[
            route("0.0.0.0/0", 1),
            route("10.1.5.0/24", 1),
            route("10.1.6.0/25", 1),
            route("10.1.7.7/32", 1),
            route("10.0.0.0/8", 1),
            route("172.16.0.0/16", 1),
            route("172.16.5.0/24", 1),
            route("192.168.9.0/24", 1),
            route("192.168.0.0/16", 1),
        ],
    );
    rig.sent();
    rig
}

/// RFC 2453 §5.1 "RIP-1": RIPv1 broadcasts to the subnet, carrying only
/// what a receiver can read without a mask (RFC 1058 §3.7): the default
/// route, subnets of the interface's network as long as its own and hosts
/// there, and whole classful networks elsewhere.
#[test]
fn send_version_1_broadcasts_what_ripv1_can_carry() {
    let mut rig = v1_rig(SendVersion::V1);
    rig.advance_secs(40);
    let lan: Vec<Transmit> = rig.sent().into_iter().filter(|t| t.ifindex == 2).collect();
    assert!(!lan.is_empty());
    for t in &lan {
        assert_eq!(t.version, 1);
        assert_eq!(t.destination, SocketAddrV4::new(ip("10.1.0.255"), 520));
    }
    let mut sent: Vec<String> = advertised(&lan).into_iter().map(|(p, _)| p).collect();
    sent.sort();
    sent.dedup();
    assert_eq!(
        sent,
        [
            "0.0.0.0/0",
            "10.1.5.0/24",
            "10.1.7.7/32",
            "172.16.0.0/16",
            "192.168.10.0/24",
            "192.168.9.0/24"
        ]
    );
    // The VTI still sends RIPv2, everything.
    rig.advance_secs(40);
    let vti: Vec<Transmit> = rig.sent().into_iter().filter(|t| t.ifindex == 1).collect();
    assert!(vti.iter().all(|t| t.version == 2));
}

/// "RIP-1 compatibility": RIPv2 with masks, to the broadcast address.
#[test]
fn send_version_2_broadcast_sends_ripv2_to_the_broadcast_address() {
    let mut rig = v1_rig(SendVersion::V2Broadcast);
    rig.advance_secs(40);
    let lan: Vec<Transmit> = rig.sent().into_iter().filter(|t| t.ifindex == 2).collect();
    assert!(!lan.is_empty());
    assert!(
        lan.iter()
            .all(|t| t.version == 2 && t.destination == SocketAddrV4::new(ip("10.1.0.255"), 520))
    );
    assert!(advertised(&lan).contains(&("10.1.6.0/25".to_string(), 2)));
}

/// RFC 2453 §5.1 receive control: a version not accepted is dropped and
/// counted.
#[test]
fn receive_version_drops_the_other_version() {
    let mut config = Rig::config();
    config.interfaces.insert(
        "vti02".into(),
        InterfaceConfig {
            receive_version: ReceiveVersion::V1Only,
            ..InterfaceConfig::default()
        },
    );
    let mut rig = Rig::new(config);
    rig.link(1, "vti02");
    rig.addr(1, "192.168.10.3/24");
    rig.response(1, "192.168.10.4", &[route("10.7.0.0/16", 1)]);
    assert_eq!(rig.metric("10.7.0.0/16"), None, "RIPv2 refused");
    assert!(rig.take_events().iter().any(|e| matches!(
        e,
        Event::PacketDropped {
            reason: DropReason::VersionRefused(2),
            ..
        }
    )));
    let mut buf = [0u8; 512];
    let mut writer =
        MessageWriter::new(&mut buf, Command::Response, rip_codec::VERSION_1, None).unwrap();
    writer.push_route(&route("172.30.0.0/16", 1)).unwrap();
    let v1 = writer.finish().to_vec();
    rig.packet(1, SocketAddrV4::new(ip("192.168.10.4"), 520), &v1);
    assert_eq!(rig.metric("172.30.0.0/16"), Some(2), "RIPv1 accepted");
}

/// A specific request is answered in its own version, whatever the
/// interface sends (as ripd does): a RIPv1 query gets a RIPv1 answer.
#[test]
fn specific_requests_are_answered_in_their_version() {
    let mut rig = v1_rig(SendVersion::V2);
    let mut buf = [0u8; 512];
    let mut writer =
        MessageWriter::new(&mut buf, Command::Request, rip_codec::VERSION_1, None).unwrap();
    writer.push_query(prefix("172.16.0.0/16")).unwrap();
    let query = writer.finish().to_vec();
    rig.packet(2, SocketAddrV4::new(ip("10.1.0.9"), 520), &query);
    let answers = rig.sent();
    assert_eq!(answers.len(), 1, "{answers:?}");
    assert_eq!(answers[0].version, 1);
    assert_eq!(entries(&answers[0]), [("172.16.0.0/16".to_string(), 2)]);
}
