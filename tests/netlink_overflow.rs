//! When the kernel's route events overflow the watcher's socket (ENOBUFS),
//! the watcher dumps the kernel's state again and reports the differences,
//! so the picture the daemon has of the kernel ends up exact. Needs root.
//!
//! The watcher runs with a tiny socket buffer and its consumer pauses while
//! `ip -batch` deletes routes it has seen and adds thousands more: events are
//! lost for certain, and only the resync can account for them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod support;

use std::collections::BTreeSet;
use std::io::Write;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use rip_codec::Ipv4Prefix;
use rip_engine::{RedistributeEvent, RedistributeKind};
use riprs::netlink::watch::{self, KernelEvent};
use support::Netns;
use tokio::sync::mpsc;

const SEEN_THEN_DELETED: usize = 200;
const ADDED_UNSEEN: usize = 5_000;
/// The kernel doubles it and holds a few dozen notifications in it.
const TINY_BUFFER: usize = 16 << 10;

fn host(second: u8, i: usize) -> String {
    format!("10.{second}.{}.{}/32", i / 256, i % 256)
}

fn ip_batch(ns: &Netns, lines: impl Iterator<Item = String>) {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    for line in lines {
        writeln!(file, "{line}").unwrap();
    }
    let status = Command::new("ip")
        .args(["-n", ns.name(), "-batch"])
        .arg(file.path())
        .status()
        .unwrap();
    assert!(status.success(), "ip -batch failed");
}

/// The static routes the watcher has reported, as a consumer that can be
/// paused sees them.
#[derive(Default)]
struct Consumer {
    statics: Mutex<BTreeSet<Ipv4Prefix>>,
    paused: AtomicBool,
}

impl Consumer {
    fn run(&self, mut events: mpsc::Receiver<KernelEvent>) {
        loop {
            if self.paused.load(Ordering::SeqCst) {
                thread::sleep(Duration::from_millis(5));
                continue;
            }
            let Some(event) = events.blocking_recv() else {
                return;
            };
            let mut statics = self.statics.lock().unwrap();
            match event {
                KernelEvent::Redistribute(RedistributeEvent::Add {
                    kind: RedistributeKind::Static,
                    prefix,
                    ..
                }) => {
                    statics.insert(prefix);
                }
                KernelEvent::Redistribute(RedistributeEvent::Remove {
                    kind: RedistributeKind::Static,
                    prefix,
                }) => {
                    statics.remove(&prefix);
                }
                _ => {}
            }
        }
    }

    fn wait_for(&self, expected: &BTreeSet<Ipv4Prefix>, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let statics = self.statics.lock().unwrap();
            if *statics == *expected {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{what}: the watcher reported {} static routes, the kernel has {} ({} missing, {} extra)",
                statics.len(),
                expected.len(),
                expected.difference(&statics).count(),
                statics.difference(expected).count(),
            );
            drop(statics);
            thread::sleep(Duration::from_millis(20));
        }
    }
}

fn prefixes(second: u8, count: usize) -> BTreeSet<Ipv4Prefix> {
    (0..count)
        .map(|i| host(second, i).parse().unwrap())
        .collect()
}

#[test]
fn lost_route_events_are_recovered_by_a_fresh_dump() {
    let ns = Netns::new("nlovf");
    // The routes' device: a veth pair inside the namespace (the dummy driver
    // is not on every kernel).
    ns.ip("link add link0 type veth peer name link1");
    ns.link_up("link1");
    ns.link_up("link0");
    ns.addr("link0", "10.99.0.1/24");
    ip_batch(
        &ns,
        (0..SEEN_THEN_DELETED)
            .map(|i| format!("route add {} via 10.99.0.2 proto static", host(2, i))),
    );

    let consumer = Arc::new(Consumer::default());
    let (events_tx, events_rx) = mpsc::channel(16);
    let reader = Arc::clone(&consumer);
    thread::spawn(move || reader.run(events_rx));
    let watcher = ns
        .enter(|| watch::start_with_buffer(events_tx, TINY_BUFFER))
        .expect("start the watcher");
    consumer.wait_for(&prefixes(2, SEEN_THEN_DELETED), "initial dump");
    assert_eq!(watcher.resyncs(), 0, "no overflow before the burst");

    // The consumer stops reading: the watcher blocks on its full channel and
    // the kernel's notifications pile up in the tiny socket buffer.
    consumer.paused.store(true, Ordering::SeqCst);
    thread::sleep(Duration::from_millis(50));
    ip_batch(
        &ns,
        (0..SEEN_THEN_DELETED)
            .map(|i| format!("route del {} via 10.99.0.2 proto static", host(2, i)))
            .chain(
                (0..ADDED_UNSEEN)
                    .map(|i| format!("route add {} via 10.99.0.2 proto static", host(3, i))),
            ),
    );
    consumer.paused.store(false, Ordering::SeqCst);

    consumer.wait_for(&prefixes(3, ADDED_UNSEEN), "after the burst");
    assert!(
        watcher.resyncs() >= 1,
        "the burst should have overflowed a {TINY_BUFFER}-byte buffer"
    );
}
