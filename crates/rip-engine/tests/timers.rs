//! RFC 2453 §3.8 and §3.10: timeout, garbage collection, regular and
//! triggered updates.

mod rig;

use std::time::Duration;

use rig::*;
use rip_codec::Command;
use rip_engine::{Event, FibChange, Transmit, WithdrawReason};

fn rig() -> Rig {
    let mut rig = Rig::new(Rig::config());
    rig.link(1, "vti02");
    rig.addr(1, "192.168.10.3/24");
    rig.link(2, "eth1");
    rig.addr(2, "192.168.20.1/24");
    rig.take_fib();
    rig.take_events();
    rig.sent();
    rig
}

#[test]
fn timeout_then_garbage_collection_then_deletion() {
    let mut rig = rig();
    rig.response(1, "192.168.10.4", &[route("10.1.0.0/16", 1)]);
    rig.take_fib();
    rig.advance_secs(179);
    assert_eq!(rig.metric("10.1.0.0/16"), Some(2));
    rig.advance_secs(2);
    // Timed out: metric 16, out of the kernel, advertised as unreachable.
    assert_eq!(rig.metric("10.1.0.0/16"), Some(16));
    assert_eq!(
        rig.take_fib(),
        vec![FibChange::Delete {
            prefix: prefix("10.1.0.0/16")
        }]
    );
    assert!(rig.take_events().contains(&Event::RouteWithdrawn {
        prefix: prefix("10.1.0.0/16"),
        reason: WithdrawReason::Timeout
    }));
    let poisoned = advertised(&rig.sent());
    assert!(
        poisoned.contains(&("10.1.0.0/16".into(), 16)),
        "{poisoned:?}"
    );
    // Timed out at 180 s: collected at 300 s.
    rig.advance_secs(118);
    assert_eq!(
        rig.metric("10.1.0.0/16"),
        Some(16),
        "still in garbage collection"
    );
    rig.advance_secs(2);
    assert_eq!(rig.metric("10.1.0.0/16"), None, "deleted after 120 s");
}

#[test]
fn updates_from_the_current_next_hop_restart_the_timeout() {
    let mut rig = rig();
    for _ in 0..10 {
        rig.response(1, "192.168.10.4", &[route("10.1.0.0/16", 1)]);
        rig.advance_secs(100);
    }
    assert_eq!(rig.metric("10.1.0.0/16"), Some(2));
}

#[test]
fn a_route_in_garbage_collection_comes_back_when_heard_again() {
    let mut rig = rig();
    rig.response(1, "192.168.10.4", &[route("10.1.0.0/16", 1)]);
    rig.response(1, "192.168.10.4", &[route("10.1.0.0/16", 16)]);
    assert_eq!(rig.metric("10.1.0.0/16"), Some(16));
    rig.take_fib();
    rig.response(1, "192.168.10.5", &[route("10.1.0.0/16", 3)]);
    assert_eq!(rig.metric("10.1.0.0/16"), Some(4));
    assert!(matches!(rig.take_fib()[..], [FibChange::Add { .. }]));
    rig.advance_secs(150);
    assert_eq!(
        rig.metric("10.1.0.0/16"),
        Some(4),
        "garbage timer cancelled"
    );
}

#[test]
fn regular_updates_every_30_seconds_with_jitter() {
    let mut rig = rig();
    // Past the start, where the triggered updates of the new interfaces go.
    rig.advance_secs(60);
    rig.sent();
    let mut times = Vec::new();
    for _ in 0..600 {
        rig.advance_secs(1);
        if rig
            .sent()
            .iter()
            .any(|t| t.ifindex == 1 && t.command == Command::Response)
        {
            times.push(rig.elapsed());
        }
    }
    assert!(times.len() >= 19, "{times:?}");
    let gaps: Vec<Duration> = times.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(
        gaps.iter()
            .all(|g| *g >= Duration::from_secs(25) && *g <= Duration::from_secs(31)),
        "{gaps:?}"
    );
    assert!(gaps.iter().any(|g| *g != gaps[0]), "jittered: {gaps:?}");
}

#[test]
fn triggered_updates_carry_only_changes_and_are_rate_limited() {
    let mut rig = rig();
    // Get past the triggered update of the connected networks and its hold,
    // then past the first regular update, so that none is imminent.
    rig.advance_secs(6);
    rig.sent();
    while !rig.sent().iter().any(|t| t.ifindex == 2) {
        rig.advance_secs(1);
    }
    let triggered_before = rig.engine.interfaces()[1].counters.updates_sent;
    rig.response(1, "192.168.10.4", &[route("10.1.0.0/16", 1)]);
    // Not at once: the engine waits for a quiet 50 ms, in case more changes
    // are on their way.
    assert!(rig.sent().is_empty(), "sent before the burst could end");
    rig.advance(Duration::from_millis(60));
    let first = rig.sent();
    let to_lan: Vec<_> = first.iter().filter(|t| t.ifindex == 2).collect();
    assert_eq!(to_lan.len(), 1, "sent 50 ms after the change");
    assert_eq!(
        entries(to_lan[0]),
        [("10.1.0.0/16".to_string(), 2)],
        "only the change"
    );
    assert_eq!(
        rig.engine.interfaces()[1].counters.updates_sent,
        triggered_before + 1
    );

    // A second change right after waits 1 to 5 s.
    rig.response(1, "192.168.10.4", &[route("10.2.0.0/16", 1)]);
    assert!(rig.sent().is_empty());
    let before = rig.now;
    let mut waited = None;
    for _ in 0..60 {
        rig.advance(Duration::from_millis(100));
        let sent = rig.sent();
        if let Some(t) = sent.iter().find(|t| t.ifindex == 2) {
            assert_eq!(entries(t), [("10.2.0.0/16".to_string(), 2)]);
            waited = Some(rig.now - before);
            break;
        }
    }
    let waited = waited.expect("a triggered update within 6 s");
    assert!(
        waited >= Duration::from_millis(900) && waited <= Duration::from_millis(5100),
        "{waited:?}"
    );
}

#[test]
fn triggered_update_is_skipped_when_a_regular_one_is_imminent() {
    let mut rig = rig();
    rig.advance(Duration::from_millis(100));
    // Find when the regular update goes and stop just before it.
    let mut probe = Rig::new(Rig::config());
    probe.link(1, "vti02");
    probe.addr(1, "192.168.10.3/24");
    probe.link(2, "eth1");
    probe.addr(2, "192.168.20.1/24");
    // The triggered update of the connected networks goes 50 ms in.
    probe.advance(Duration::from_millis(100));
    probe.sent();
    let mut regular = None;
    for ms in (100..40_000).step_by(50) {
        probe.advance(Duration::from_millis(50));
        if probe.sent().iter().any(|t| t.ifindex == 2) {
            regular = Some(Duration::from_millis(ms));
            break;
        }
    }
    let regular = regular.expect("a regular update");
    rig.advance(regular - Duration::from_millis(600));
    rig.sent();
    rig.response(1, "192.168.10.4", &[route("10.1.0.0/16", 1)]);
    assert!(
        rig.sent().is_empty(),
        "no triggered update just before the regular one"
    );
    rig.advance_secs(1);
    let sent = rig.sent();
    let lan: Vec<_> = sent.iter().filter(|t| t.ifindex == 2).collect();
    assert_eq!(lan.len(), 1);
    assert!(entries(lan[0]).contains(&("10.1.0.0/16".to_string(), 2)));
}

/// A burst of changes goes out as one triggered update once 50 ms pass
/// without a new one (a neighbor's table arriving message by message), and
/// a stream that does not stop goes out after 500 ms at the latest.
#[test]
fn triggered_updates_gather_a_burst() {
    let mut rig = rig();
    rig.advance_secs(6);
    rig.sent();
    while !rig.sent().iter().any(|t| t.ifindex == 2) {
        rig.advance_secs(1);
    }
    let start = rig.now;
    for i in 0..10u8 {
        rig.response(1, "192.168.10.4", &[route(&format!("10.{i}.0.0/16"), 1)]);
        rig.advance(Duration::from_millis(10));
    }
    assert!(rig.sent().is_empty(), "sent during the burst");
    rig.advance(Duration::from_millis(50));
    let lan: Vec<Transmit> = rig.sent().into_iter().filter(|t| t.ifindex == 2).collect();
    assert_eq!(lan.len(), 1, "one triggered update");
    assert_eq!(entries(&lan[0]).len(), 10, "{:?}", entries(&lan[0]));

    // A change every 20 ms, on and on: the first update of it goes at 500 ms.
    rig.advance_secs(6);
    rig.sent();
    let start_stream = rig.now;
    let mut first = None;
    for i in 0..60u8 {
        rig.response(
            1,
            "192.168.10.4",
            &[route(&format!("10.{}.0.0/16", 100 + i), 1)],
        );
        rig.advance(Duration::from_millis(20));
        if first.is_none() && rig.sent().iter().any(|t| t.ifindex == 2) {
            first = Some(rig.now - start_stream);
        }
    }
    let first = first.expect("a triggered update during the stream");
    assert!(
        first >= Duration::from_millis(500) && first <= Duration::from_millis(540),
        "{first:?} (burst test started at {:?})",
        start - rig.start
    );
}
