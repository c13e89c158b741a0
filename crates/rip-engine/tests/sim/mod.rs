//! A simulated network of RIP engines: many [`Engine`]s wired by links, a
//! virtual clock and a discrete-event queue. No sockets, no threads, no
//! sleeping: time is one `Instant` taken at the start plus `Duration`s.
//!
//! - A *segment* is a link: a point-to-point /30 between two routers, a
//!   multi-access LAN (a /24 shared by several), or a stub LAN (one router,
//!   nobody to talk to; its prefix is what the others learn).
//! - Every `Transmit` an engine emits is encoded with `encode_to_vec` (real
//!   RIP bytes) and delivered after the segment's one-way delay, each message
//!   lost with the segment's loss probability (a seeded RNG), to the members
//!   of the segment it is addressed to (224.0.0.9: all others; unicast: the
//!   member with that address), from port 520.
//! - A failed segment takes its interfaces down at both ends (`Link` with
//!   `up = false`, or `LinkRemoved`); packets in flight on it are lost.
//! - Engines are driven by `poll_timeout`; after every call into an engine
//!   its transmits, FIB changes and events are drained. The FIB of each
//!   router is kept as a map and every change is checked against what the
//!   engine promises: `Add` for a prefix not installed, `Replace` and
//!   `Delete` for one that is, next hops that are real neighbors.

// Test support: each test file uses part of it; panics are how it reports.
#![allow(dead_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, VecDeque};
use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::{Duration, Instant, SystemTime};

use rip_engine::rip_codec::{INFINITY, Ipv4Prefix, RIP_MULTICAST, RIP_PORT};
use rip_engine::{
    Address, Engine, EngineConfig, Event, FibChange, InterfaceEvent, Link, NextHop, Origin,
    RouteView, Timers,
};

pub type RouterId = usize;
pub type SegmentId = usize;

/// update 5 s, timeout 30 s, garbage 20 s.
pub fn short_timers() -> Timers {
    Timers {
        update: Duration::from_secs(5),
        timeout: Duration::from_secs(30),
        garbage: Duration::from_secs(20),
    }
}

pub fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

pub fn ms(m: u64) -> Duration {
    Duration::from_millis(m)
}

/// SplitMix64: the simulation's own deterministic randomness (loss, seeds).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// What a segment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentKind {
    PointToPoint,
    Lan,
    Stub,
}

/// How a segment fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailMode {
    /// `Link { up: false }` at both ends.
    Down,
    /// `LinkRemoved` at both ends (the VTI is deleted); restored with the
    /// same ifindex.
    Removed,
    /// `LinkRemoved`, then restored as a new link with a new ifindex (the
    /// VTI is deleted and created again).
    Recreated,
}

/// One router's interface on a segment.
#[derive(Debug, Clone, Copy)]
pub struct Attachment {
    pub router: RouterId,
    pub ifindex: u32,
    pub addr: Ipv4Addr,
}

#[derive(Debug, Clone)]
pub struct Segment {
    pub kind: SegmentKind,
    pub prefix: Ipv4Prefix,
    pub members: Vec<Attachment>,
    /// One-way delay, whole milliseconds.
    pub delay: Duration,
    /// Probability that one message to one receiver is lost.
    pub loss: f64,
    /// Interfaces up (not failed).
    pub up: bool,
    /// Bumped at every failure: packets sent before it are lost.
    generation: u64,
}

impl Segment {
    /// Carries packets: up and not silently dropping everything.
    pub fn carries(&self) -> bool {
        self.up && self.loss < 1.0
    }
}

/// A route as the simulated kernel holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FibEntry {
    pub next_hops: Vec<NextHop>,
    pub metric: u8,
}

pub struct Router {
    pub engine: Engine,
    pub max_paths: usize,
    /// The kernel's RIP routes, from the engine's FIB changes.
    pub fib: BTreeMap<Ipv4Prefix, FibEntry>,
    /// ifindex -> segment.
    pub interfaces: BTreeMap<u32, SegmentId>,
    next_ifindex: u32,
    /// The Timer event in the queue that counts, if any.
    timer_at: Option<Duration>,
    sequence: u32,
    /// The highest metric below 16 each prefix had since the last
    /// [`Sim::reset_high_water`], from FIB changes and route events.
    pub high_water: HashMap<Ipv4Prefix, u8>,
    /// FIB changes per prefix since the last reset.
    pub fib_changes: HashMap<Ipv4Prefix, u32>,
    /// Events since the start, with their simulated time.
    pub events: Vec<(Duration, Event)>,
}

#[derive(Debug)]
enum Action {
    Deliver {
        to: RouterId,
        ifindex: u32,
        segment: SegmentId,
        generation: u64,
        source: SocketAddrV4,
        bytes: Vec<u8>,
    },
    Timer {
        router: RouterId,
    },
}

#[derive(Debug)]
struct Scheduled {
    at: Duration,
    seq: u64,
    action: Action,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Scheduled {}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scheduled {
    /// Reversed: the heap's top is the earliest, ties in insertion order.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

/// Counters of the simulation itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct SimStats {
    pub transmits: u64,
    pub messages_delivered: u64,
    pub messages_lost: u64,
    pub timer_calls: u64,
    /// Unicasts to an address nobody on the segment has.
    pub unicast_unanswered: u64,
}

/// Defaults for new routers and segments.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub seed: u64,
    pub timers: Timers,
    pub max_paths: usize,
    pub delay: Duration,
    pub loss: f64,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 1,
            timers: short_timers(),
            max_paths: 1,
            delay: ms(10),
            loss: 0.0,
        }
    }
}

pub struct Sim {
    start: Instant,
    wall: SystemTime,
    elapsed: Duration,
    pub config: SimConfig,
    pub routers: Vec<Router>,
    pub segments: Vec<Segment>,
    queue: BinaryHeap<Scheduled>,
    seq: u64,
    rng: Rng,
    /// The last time a route changed anywhere (or the network was changed).
    last_change: Duration,
    next_p2p: u32,
    next_stub: u32,
    next_lan: u32,
    pub stats: SimStats,
}

impl Sim {
    pub fn new(config: SimConfig) -> Sim {
        Sim {
            start: Instant::now(),
            wall: SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
            elapsed: Duration::ZERO,
            rng: Rng::new(config.seed ^ 0x5EED_5EED),
            config,
            routers: Vec::new(),
            segments: Vec::new(),
            queue: BinaryHeap::new(),
            seq: 0,
            last_change: Duration::ZERO,
            next_p2p: 0,
            next_stub: 0,
            next_lan: 0,
            stats: SimStats::default(),
        }
    }

    /// Simulated time since the start.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    pub fn now(&self) -> Instant {
        self.start + self.elapsed
    }

    pub fn last_change(&self) -> Duration {
        self.last_change
    }

    /// The config a router gets: RIP on every simulated network.
    pub fn engine_config(&self) -> EngineConfig {
        EngineConfig {
            networks: vec![
                "10.0.0.0/8".parse().unwrap(),
                "172.16.0.0/12".parse().unwrap(),
                "192.168.0.0/16".parse().unwrap(),
            ],
            timers: self.config.timers,
            max_paths: self.config.max_paths,
            ..EngineConfig::default()
        }
    }

    pub fn add_router(&mut self) -> RouterId {
        let config = self.engine_config();
        self.add_router_with(config)
    }

    pub fn add_router_with(&mut self, config: EngineConfig) -> RouterId {
        let id = self.routers.len();
        let seed = self.config.seed.wrapping_mul(0x100_0000_01B3) ^ (id as u64 + 1);
        let max_paths = config.max_paths.max(1);
        let engine = Engine::new(config, self.now(), self.wall, seed);
        self.routers.push(Router {
            engine,
            max_paths,
            fib: BTreeMap::new(),
            interfaces: BTreeMap::new(),
            next_ifindex: 2,
            timer_at: None,
            sequence: 0,
            high_water: HashMap::new(),
            fib_changes: HashMap::new(),
            events: Vec::new(),
        });
        self.after_call(id);
        id
    }

    pub fn add_routers(&mut self, n: usize) -> Vec<RouterId> {
        (0..n).map(|_| self.add_router()).collect()
    }

    /// A point-to-point /30 from 10.0.0.0/8 between two routers.
    pub fn add_link(&mut self, a: RouterId, b: RouterId) -> SegmentId {
        let base = u32::from(Ipv4Addr::new(10, 0, 0, 0)) + 4 * self.next_p2p;
        self.next_p2p += 1;
        assert!(base < u32::from(Ipv4Addr::new(11, 0, 0, 0)), "out of /30s");
        let prefix = Ipv4Prefix::new(Ipv4Addr::from(base), 30).unwrap();
        let hosts = [Ipv4Addr::from(base + 1), Ipv4Addr::from(base + 2)];
        self.add_segment(SegmentKind::PointToPoint, prefix, &[a, b], &hosts)
    }

    /// A stub LAN /24 from 172.16.0.0/12 with only this router on it.
    pub fn add_stub(&mut self, router: RouterId) -> SegmentId {
        let base = u32::from(Ipv4Addr::new(172, 16, 0, 0)) + 256 * self.next_stub;
        self.next_stub += 1;
        assert!(
            base < u32::from(Ipv4Addr::new(172, 32, 0, 0)),
            "out of stubs"
        );
        let prefix = Ipv4Prefix::new(Ipv4Addr::from(base), 24).unwrap();
        self.add_segment(
            SegmentKind::Stub,
            prefix,
            &[router],
            &[Ipv4Addr::from(base + 1)],
        )
    }

    /// A multi-access LAN /24 from 192.168.0.0/16 shared by these routers.
    pub fn add_lan(&mut self, routers: &[RouterId]) -> SegmentId {
        assert!(self.next_lan < 256, "out of LANs");
        assert!(routers.len() < 254);
        let base = u32::from(Ipv4Addr::new(192, 168, 0, 0)) + 256 * self.next_lan;
        self.next_lan += 1;
        let prefix = Ipv4Prefix::new(Ipv4Addr::from(base), 24).unwrap();
        let hosts: Vec<Ipv4Addr> = (0..routers.len() as u32)
            .map(|i| Ipv4Addr::from(base + 1 + i))
            .collect();
        self.add_segment(SegmentKind::Lan, prefix, routers, &hosts)
    }

    fn add_segment(
        &mut self,
        kind: SegmentKind,
        prefix: Ipv4Prefix,
        routers: &[RouterId],
        hosts: &[Ipv4Addr],
    ) -> SegmentId {
        let id = self.segments.len();
        let members = routers
            .iter()
            .zip(hosts)
            .map(|(&router, &addr)| {
                let r = &mut self.routers[router];
                let ifindex = r.next_ifindex;
                r.next_ifindex += 1;
                r.interfaces.insert(ifindex, id);
                Attachment {
                    router,
                    ifindex,
                    addr,
                }
            })
            .collect();
        self.segments.push(Segment {
            kind,
            prefix,
            members,
            delay: self.config.delay,
            loss: self.config.loss,
            up: true,
            generation: 0,
        });
        self.bring_up(id, true);
        self.touch();
        id
    }

    fn link_of(&self, attachment: &Attachment, up: bool) -> Link {
        Link {
            ifindex: attachment.ifindex,
            name: format!("eth{}", attachment.ifindex),
            up,
            multicast: true,
        }
    }

    fn address_of(&self, segment: SegmentId, attachment: &Attachment) -> Address {
        Address {
            ifindex: attachment.ifindex,
            local: attachment.addr,
            prefix_len: self.segments[segment].prefix.prefix_len(),
            peer: None,
        }
    }

    /// Link up at every end; with `add_address`, the link and its address
    /// are new to the engines.
    fn bring_up(&mut self, segment: SegmentId, add_address: bool) {
        let members = self.segments[segment].members.clone();
        for m in &members {
            let link = self.link_of(m, true);
            self.call(m.router, |e, now| {
                e.handle_interface(now, InterfaceEvent::Link(link));
            });
            if add_address {
                let address = self.address_of(segment, m);
                self.call(m.router, |e, now| {
                    e.handle_interface(now, InterfaceEvent::AddressAdded(address));
                });
            }
        }
    }

    /// Fails a segment: its interfaces go down at every end and packets in
    /// flight are lost.
    pub fn fail(&mut self, segment: SegmentId, mode: FailMode) {
        let seg = &mut self.segments[segment];
        assert!(seg.up, "segment {segment} already failed");
        seg.up = false;
        seg.generation += 1;
        let members = seg.members.clone();
        for m in &members {
            let event = match mode {
                FailMode::Down => InterfaceEvent::Link(self.link_of(m, false)),
                FailMode::Removed | FailMode::Recreated => {
                    InterfaceEvent::LinkRemoved { ifindex: m.ifindex }
                }
            };
            self.call(m.router, |e, now| e.handle_interface(now, event));
        }
        self.touch();
    }

    /// Restores a failed segment (after `FailMode::Removed` the link and its
    /// address are announced anew; after `Recreated`, with a new ifindex).
    pub fn restore(&mut self, segment: SegmentId, mode: FailMode) {
        let seg = &mut self.segments[segment];
        assert!(!seg.up, "segment {segment} is up");
        seg.up = true;
        seg.generation += 1;
        if mode == FailMode::Recreated {
            for i in 0..self.segments[segment].members.len() {
                let m = self.segments[segment].members[i];
                let r = &mut self.routers[m.router];
                r.interfaces.remove(&m.ifindex);
                let ifindex = r.next_ifindex;
                r.next_ifindex += 1;
                r.interfaces.insert(ifindex, segment);
                self.segments[segment].members[i].ifindex = ifindex;
            }
        }
        self.bring_up(segment, mode != FailMode::Down);
        self.touch();
    }

    /// Loss probability of one segment; 1.0 drops everything silently
    /// while the interfaces stay up.
    pub fn set_loss(&mut self, segment: SegmentId, loss: f64) {
        self.segments[segment].loss = loss;
        self.touch();
    }

    /// Sets one segment's delay (whole milliseconds).
    pub fn set_delay(&mut self, segment: SegmentId, delay: Duration) {
        assert_eq!(delay.subsec_nanos() % 1_000_000, 0, "whole milliseconds");
        self.segments[segment].delay = delay;
    }

    /// The network was changed on purpose: quiet starts counting now.
    fn touch(&mut self) {
        self.last_change = self.last_change.max(self.elapsed);
    }

    /// Calls into one engine, then drains it.
    pub fn call(&mut self, router: RouterId, f: impl FnOnce(&mut Engine, Instant)) {
        let now = self.now();
        f(&mut self.routers[router].engine, now);
        self.after_call(router);
    }

    fn push(&mut self, at: Duration, action: Action) {
        self.seq += 1;
        self.queue.push(Scheduled {
            at,
            seq: self.seq,
            action,
        });
    }

    /// Drains transmits, FIB changes and events, and reschedules the timer.
    fn after_call(&mut self, router: RouterId) {
        while let Some(transmit) = self.routers[router].engine.poll_transmit() {
            self.transmit(router, transmit);
        }
        while let Some(change) = self.routers[router].engine.poll_fib() {
            self.apply_fib(router, change);
        }
        while let Some(event) = self.routers[router].engine.poll_event() {
            self.record_event(router, event);
        }
        self.reschedule(router);
    }

    fn reschedule(&mut self, router: RouterId) {
        let next = self.routers[router].engine.poll_timeout();
        let at = next.map(|t| {
            // The engine's instants are whole milliseconds from ours.
            t.checked_duration_since(self.start)
                .unwrap_or(Duration::ZERO)
                .max(self.elapsed)
        });
        if at != self.routers[router].timer_at {
            self.routers[router].timer_at = at;
            if let Some(at) = at {
                self.push(at, Action::Timer { router });
            }
        }
    }

    fn transmit(&mut self, router: RouterId, transmit: rip_engine::Transmit) {
        self.stats.transmits += 1;
        let Some(&segment) = self.routers[router].interfaces.get(&transmit.ifindex) else {
            panic!(
                "router {router} sent on unknown ifindex {}",
                transmit.ifindex
            );
        };
        let seg = &self.segments[segment];
        assert!(
            seg.up,
            "router {router} sent on ifindex {} of failed segment {segment}",
            transmit.ifindex
        );
        let me = seg
            .members
            .iter()
            .find(|m| m.router == router && m.ifindex == transmit.ifindex)
            .copied()
            .unwrap();
        assert_eq!(
            transmit.source, me.addr,
            "router {router} sends from the wrong address"
        );
        let dst = *transmit.destination.ip();
        let receivers: Vec<Attachment> = seg
            .members
            .iter()
            .filter(|m| m.router != router || m.ifindex != transmit.ifindex)
            .filter(|m| dst == RIP_MULTICAST || m.addr == dst)
            .copied()
            .collect();
        if dst != RIP_MULTICAST && receivers.is_empty() {
            self.stats.unicast_unanswered += 1;
        }
        if receivers.is_empty() {
            return;
        }
        let sequence = {
            let r = &mut self.routers[router];
            r.sequence = r.sequence.wrapping_add(1);
            r.sequence
        };
        let messages = transmit.encode_to_vec(sequence).expect("encodes");
        let (delay, loss, generation) = (seg.delay, seg.loss, seg.generation);
        let source = SocketAddrV4::new(transmit.source, RIP_PORT);
        let at = self.elapsed + delay;
        for receiver in receivers {
            for bytes in &messages {
                if loss > 0.0 && self.rng.unit() < loss {
                    self.stats.messages_lost += 1;
                    continue;
                }
                self.push(
                    at,
                    Action::Deliver {
                        to: receiver.router,
                        ifindex: receiver.ifindex,
                        segment,
                        generation,
                        source,
                        bytes: bytes.clone(),
                    },
                );
            }
        }
    }

    fn apply_fib(&mut self, router: RouterId, change: FibChange) {
        let elapsed = self.elapsed;
        self.last_change = elapsed;
        let prefix = change.prefix();
        if let FibChange::Add {
            next_hops, metric, ..
        }
        | FibChange::Replace {
            next_hops, metric, ..
        } = &change
        {
            self.check_next_hops(router, prefix, next_hops, *metric);
        }
        let r = &mut self.routers[router];
        *r.fib_changes.entry(prefix).or_default() += 1;
        match change {
            FibChange::Add {
                prefix,
                next_hops,
                metric,
            } => {
                let old = r.fib.insert(
                    prefix,
                    FibEntry {
                        next_hops: next_hops.to_vec(),
                        metric,
                    },
                );
                assert!(
                    old.is_none(),
                    "router {router} at {elapsed:?}: FIB Add for {prefix}, already installed"
                );
                raise(&mut r.high_water, prefix, metric);
            }
            FibChange::Replace {
                prefix,
                next_hops,
                metric,
            } => {
                let old = r.fib.insert(
                    prefix,
                    FibEntry {
                        next_hops: next_hops.to_vec(),
                        metric,
                    },
                );
                assert!(
                    old.is_some(),
                    "router {router} at {elapsed:?}: FIB Replace for {prefix}, not installed"
                );
                raise(&mut r.high_water, prefix, metric);
            }
            FibChange::Delete { prefix } => {
                let old = r.fib.remove(&prefix);
                assert!(
                    old.is_some(),
                    "router {router} at {elapsed:?}: FIB Delete for {prefix}, not installed"
                );
            }
        }
    }

    /// Next hops are real neighbors on an interface that is up, at most
    /// `max_paths` of them, and the prefix is not one of our own networks.
    fn check_next_hops(
        &self,
        router: RouterId,
        prefix: Ipv4Prefix,
        next_hops: &[NextHop],
        metric: u8,
    ) {
        let r = &self.routers[router];
        let at = self.elapsed;
        assert!(
            (1..INFINITY).contains(&metric),
            "router {router} at {at:?}: {prefix} installed with metric {metric}"
        );
        assert!(
            !next_hops.is_empty() && next_hops.len() <= r.max_paths,
            "router {router} at {at:?}: {prefix} with {} next hops",
            next_hops.len()
        );
        let distinct: BTreeSet<&NextHop> = next_hops.iter().collect();
        assert_eq!(distinct.len(), next_hops.len(), "duplicate next hops");
        for nh in next_hops {
            let segment = r.interfaces.get(&nh.ifindex).map(|&s| &self.segments[s]);
            let Some(seg) = segment else {
                panic!(
                    "router {router}: {prefix} via unknown ifindex {}",
                    nh.ifindex
                );
            };
            assert!(
                seg.up,
                "router {router} at {at:?}: {prefix} via {} on a failed segment",
                nh.gateway
            );
            assert!(
                seg.members
                    .iter()
                    .any(|m| m.router != router && m.addr == nh.gateway),
                "router {router} at {at:?}: {prefix} via {} which is not a neighbor on eth{}",
                nh.gateway,
                nh.ifindex
            );
        }
        for (&ifindex, &s) in &r.interfaces {
            let seg = &self.segments[s];
            assert!(
                !(seg.up && seg.prefix == prefix),
                "router {router} at {at:?}: learned {prefix} installed while connected on eth{ifindex}"
            );
        }
    }

    fn record_event(&mut self, router: RouterId, event: Event) {
        let r = &mut self.routers[router];
        match &event {
            Event::RouteAdded { prefix, metric, .. } | Event::RouteChanged { prefix, metric } => {
                raise(&mut r.high_water, *prefix, *metric);
                self.last_change = self.elapsed;
            }
            Event::RouteWithdrawn { .. } => self.last_change = self.elapsed,
            _ => {}
        }
        r.events.push((self.elapsed, event));
    }

    /// Runs the next event; false when there is none.
    fn step(&mut self) -> bool {
        let Some(next) = self.queue.pop() else {
            return false;
        };
        debug_assert!(next.at >= self.elapsed);
        self.elapsed = next.at;
        match next.action {
            Action::Timer { router } => {
                if self.routers[router].timer_at != Some(next.at) {
                    return true;
                }
                self.routers[router].timer_at = None;
                self.stats.timer_calls += 1;
                let now = self.now();
                self.routers[router].engine.handle_timeout(now);
                if let Some(again) = self.routers[router].engine.poll_timeout() {
                    assert!(
                        again > now,
                        "router {router} at {:?}: right after handle_timeout the engine wants \
                         another at {:?}: it would spin",
                        self.elapsed,
                        again.saturating_duration_since(self.start)
                    );
                }
                self.after_call(router);
            }
            Action::Deliver {
                to,
                ifindex,
                segment,
                generation,
                source,
                bytes,
            } => {
                let seg = &self.segments[segment];
                if !seg.up || seg.generation != generation {
                    self.stats.messages_lost += 1;
                    return true;
                }
                self.stats.messages_delivered += 1;
                let now = self.now();
                self.routers[to]
                    .engine
                    .handle_packet(now, ifindex, source, &bytes);
                self.after_call(to);
            }
        }
        true
    }

    /// Runs every event up to `t` (simulated time since the start).
    pub fn run_until(&mut self, t: Duration) {
        while self.queue.peek().is_some_and(|next| next.at <= t) {
            self.step();
        }
        self.elapsed = self.elapsed.max(t);
    }

    pub fn run_for(&mut self, d: Duration) {
        self.run_until(self.elapsed + d);
    }

    /// Runs until no route changed anywhere for `quiet`; returns the time
    /// of the last change. Panics past `limit` (simulated time).
    pub fn run_until_quiet(&mut self, quiet: Duration, limit: Duration) -> Duration {
        loop {
            let deadline = self.last_change + quiet;
            match self.queue.peek() {
                Some(next) if next.at <= deadline => {
                    assert!(
                        next.at <= limit,
                        "not quiet by {limit:?}: last change at {:?}",
                        self.last_change
                    );
                    self.step();
                }
                _ => {
                    self.elapsed = self.elapsed.max(deadline);
                    return self.last_change;
                }
            }
        }
    }

    /// Quiet long enough that any stale route would have timed out.
    pub fn settle(&mut self) -> Duration {
        let timers = self.config.timers;
        let quiet = timers.timeout + timers.update;
        let limit = self.elapsed + timers.timeout * 20 + secs(600);
        self.run_until_quiet(quiet, limit)
    }

    /// Runs until `done` holds (checked after every event), or panics past
    /// `limit` from now. Returns the time it became true.
    pub fn run_until_cond(
        &mut self,
        limit: Duration,
        mut done: impl FnMut(&Sim) -> bool,
    ) -> Duration {
        let end = self.elapsed + limit;
        loop {
            if done(self) {
                return self.elapsed;
            }
            match self.queue.peek() {
                Some(next) if next.at <= end => {
                    self.step();
                }
                _ => panic!("condition not met within {limit:?}"),
            }
        }
    }

    pub fn reset_high_water(&mut self) {
        for r in &mut self.routers {
            r.high_water.clear();
            r.fib_changes.clear();
        }
    }

    // ---- views ----

    pub fn route(&self, router: RouterId, prefix: Ipv4Prefix) -> Option<RouteView> {
        self.routers[router].engine.route(self.now(), &prefix)
    }

    /// The metric in the table, 16 included; None when absent.
    pub fn metric(&self, router: RouterId, prefix: Ipv4Prefix) -> Option<u8> {
        self.route(router, prefix).map(|r| r.metric)
    }

    /// The metric of a usable route; None when absent or unreachable.
    pub fn reachable(&self, router: RouterId, prefix: Ipv4Prefix) -> Option<u8> {
        self.metric(router, prefix).filter(|&m| m < INFINITY)
    }

    pub fn fib(&self, router: RouterId) -> &BTreeMap<Ipv4Prefix, FibEntry> {
        &self.routers[router].fib
    }

    pub fn prefix(&self, segment: SegmentId) -> Ipv4Prefix {
        self.segments[segment].prefix
    }

    /// The address of `router` on `segment`.
    pub fn addr(&self, router: RouterId, segment: SegmentId) -> Ipv4Addr {
        self.attachment(router, segment).addr
    }

    pub fn ifindex(&self, router: RouterId, segment: SegmentId) -> u32 {
        self.attachment(router, segment).ifindex
    }

    fn attachment(&self, router: RouterId, segment: SegmentId) -> Attachment {
        *self.segments[segment]
            .members
            .iter()
            .find(|m| m.router == router)
            .unwrap_or_else(|| panic!("router {router} is not on segment {segment}"))
    }

    /// Which router owns `gateway`, reached out of `ifindex` of `router`.
    pub fn neighbor_behind(&self, router: RouterId, hop: &NextHop) -> Option<RouterId> {
        let segment = *self.routers[router].interfaces.get(&hop.ifindex)?;
        self.segments[segment]
            .members
            .iter()
            .find(|m| m.router != router && m.addr == hop.gateway)
            .map(|m| m.router)
    }

    /// Messages dropped by engines, and entries they rejected: none in a
    /// well-formed simulation.
    pub fn dropped(&self) -> Vec<(RouterId, Duration, Event)> {
        self.routers
            .iter()
            .enumerate()
            .flat_map(|(i, r)| {
                r.events
                    .iter()
                    .filter(|(_, e)| {
                        matches!(e, Event::PacketDropped { .. } | Event::RouteRejected { .. })
                    })
                    .map(move |(t, e)| (i, *t, e.clone()))
            })
            .collect()
    }

    // ---- the expected state: shortest paths over the surviving graph ----

    /// Hop counts from every router to the nearest owner of `segment`'s
    /// prefix (its members, while it is up), over segments that carry
    /// packets. None: no path.
    pub fn distances(&self, segment: SegmentId) -> Vec<Option<u32>> {
        let n = self.routers.len();
        let mut dist = vec![None; n];
        let seg = &self.segments[segment];
        if !seg.up {
            return dist;
        }
        let adjacency = self.adjacency();
        let mut queue = VecDeque::new();
        for m in &seg.members {
            if dist[m.router].is_none() {
                dist[m.router] = Some(0);
                queue.push_back(m.router);
            }
        }
        while let Some(u) = queue.pop_front() {
            let d = dist[u].unwrap();
            for &(v, _) in &adjacency[u] {
                if dist[v].is_none() {
                    dist[v] = Some(d + 1);
                    queue.push_back(v);
                }
            }
        }
        dist
    }

    /// For each router: (neighbor, the next hop to it), over segments that
    /// carry packets.
    pub fn adjacency(&self) -> Vec<Vec<(RouterId, NextHop)>> {
        let mut adjacency = vec![Vec::new(); self.routers.len()];
        for seg in self.segments.iter().filter(|s| s.carries()) {
            for a in &seg.members {
                for b in &seg.members {
                    if a.router != b.router {
                        adjacency[a.router].push((
                            b.router,
                            NextHop {
                                gateway: b.addr,
                                ifindex: a.ifindex,
                            },
                        ));
                    }
                }
            }
        }
        adjacency
    }

    /// Checks every router's table and FIB against shortest paths: for each
    /// segment's prefix, metric 1 where connected, 1 + hops where reachable
    /// under 16, absent or 16 elsewhere (absent once quiet for longer than
    /// garbage collection); the FIB holds exactly the usable
    /// routes with `min(max_paths, equal-cost neighbors)` next hops, each a
    /// neighbor one hop nearer; following next hops never loops and ends at
    /// an owner. Returns a description of every mismatch.
    pub fn check_shortest_paths(&self) -> Vec<String> {
        let mut errors = Vec::new();
        let adjacency = self.adjacency();
        let known: BTreeSet<Ipv4Prefix> = self.segments.iter().map(|s| s.prefix).collect();
        for (sid, seg) in self.segments.iter().enumerate() {
            let prefix = seg.prefix;
            let dist = self.distances(sid);
            for u in 0..self.routers.len() {
                let route = self.route(u, prefix);
                let fib = self.routers[u].fib.get(&prefix);
                let expected = dist[u].map(|d| d + 1).filter(|&m| m < u32::from(INFINITY));
                match expected {
                    Some(1) => {
                        let ok = route
                            .as_ref()
                            .is_some_and(|r| r.metric == 1 && r.origin == Origin::Connected);
                        if !ok || fib.is_some() {
                            errors.push(format!(
                                "router {u}: {prefix} should be connected, table {route:?}, fib {fib:?}"
                            ));
                        }
                    }
                    Some(metric) => {
                        let metric = metric as u8;
                        let d = dist[u].unwrap();
                        let candidates: BTreeSet<NextHop> = adjacency[u]
                            .iter()
                            .filter(|(v, _)| dist[*v] == Some(d - 1))
                            .map(|(_, hop)| *hop)
                            .collect();
                        let want = candidates.len().min(self.routers[u].max_paths);
                        let table_ok = route.as_ref().is_some_and(|r| {
                            r.metric == metric && r.origin == Origin::Rip && r.in_fib
                        });
                        let fib_ok = fib.is_some_and(|f| {
                            f.metric == metric
                                && f.next_hops.len() == want
                                && f.next_hops.iter().all(|h| candidates.contains(h))
                        });
                        if !table_ok || !fib_ok {
                            errors.push(format!(
                                "router {u}: {prefix} should be metric {metric} via {want} of \
                                 {candidates:?}; table {route:?}, fib {fib:?}"
                            ));
                        }
                        if let Some(e) = self.follow(u, prefix, &seg.members) {
                            errors.push(e);
                        }
                    }
                    None => {
                        // Quiet for longer than garbage collection: deleted
                        // (RFC 2453 §3.8), not merely at 16.
                        let collected =
                            self.elapsed >= self.last_change + self.config.timers.garbage;
                        let gone = route
                            .as_ref()
                            .is_none_or(|r| r.metric == INFINITY && !collected);
                        if !gone || fib.is_some() {
                            errors.push(format!(
                                "router {u}: {prefix} should be unreachable; table {route:?}, fib {fib:?}"
                            ));
                        }
                    }
                }
            }
        }
        for (u, r) in self.routers.iter().enumerate() {
            for view in r.engine.routes(self.now()) {
                if !known.contains(&view.prefix) {
                    errors.push(format!("router {u}: unknown prefix {}", view.prefix));
                }
            }
        }
        errors
    }

    /// Follows FIB next hops from `from` towards `prefix` along every branch:
    /// an error if a branch loops, dead-ends, or ends anywhere but at one of
    /// `owners` (a router where the prefix is connected).
    pub fn follow(
        &self,
        from: RouterId,
        prefix: Ipv4Prefix,
        owners: &[Attachment],
    ) -> Option<String> {
        let mut on_path = vec![false; self.routers.len()];
        let mut done = vec![false; self.routers.len()];
        self.follow_from(from, prefix, owners, &mut on_path, &mut done)
            .err()
            .map(|e| format!("from router {from} to {prefix}: {e}"))
    }

    fn follow_from(
        &self,
        u: RouterId,
        prefix: Ipv4Prefix,
        owners: &[Attachment],
        on_path: &mut [bool],
        done: &mut [bool],
    ) -> Result<(), String> {
        if owners.iter().any(|m| m.router == u) {
            return Ok(());
        }
        if on_path[u] {
            return Err(format!("loops back to router {u}"));
        }
        if done[u] {
            return Ok(());
        }
        on_path[u] = true;
        let Some(entry) = self.routers[u].fib.get(&prefix) else {
            return Err(format!("router {u} has no route"));
        };
        for hop in &entry.next_hops {
            let Some(v) = self.neighbor_behind(u, hop) else {
                return Err(format!("router {u}: next hop {hop:?} is nobody"));
            };
            self.follow_from(v, prefix, owners, on_path, done)
                .map_err(|e| format!("{u} -> {e}"))?;
        }
        on_path[u] = false;
        done[u] = true;
        Ok(())
    }

    /// Panics with every mismatch against shortest paths.
    pub fn assert_shortest_paths(&self) {
        let errors = self.check_shortest_paths();
        assert!(
            errors.is_empty(),
            "{} mismatches at {:?}:\n{}",
            errors.len(),
            self.elapsed,
            errors
                .iter()
                .take(30)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

fn raise(high_water: &mut HashMap<Ipv4Prefix, u8>, prefix: Ipv4Prefix, metric: u8) {
    if metric < INFINITY {
        let entry = high_water.entry(prefix).or_insert(metric);
        *entry = (*entry).max(metric);
    }
}
