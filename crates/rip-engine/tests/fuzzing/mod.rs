//! One engine driven by a script of arbitrary inputs, with its invariants
//! checked after every step. "Impossible to crash with a packet" for the
//! whole of RIP's logic, not only the codec.
//!
//! Included with `#[path]` by the cargo-fuzz target
//! `fuzz/fuzz_targets/engine_inputs.rs` and by the stable test
//! `tests/random_inputs.rs`, so both check exactly the same things.
//!
//! The engine has three interfaces (a LAN, a point-to-point VTI with keyed
//! MD5, a third LAN that may be passive) and a configuration chosen by the
//! script. Steps: raw datagrams, well-formed responses (signed or not, any
//! sequence number), requests, time passing, links going up, down and away,
//! addresses coming and going, redistributed kernel routes, reloads.
//!
//! After every step:
//! - every message the engine asks to send encodes, fits the limit of its
//!   authentication mode, and decodes back to the same routes with the
//!   interface's key;
//! - the kernel changes it asks for are consistent: an addition for a prefix
//!   not in the kernel, a replacement or removal for one that is, at least
//!   one next hop, never via one of our own addresses; and what is in the
//!   kernel is exactly the routes it reports as installed;
//! - every route it reports has a metric in 1..=16, and an installed one is
//!   reachable (below 16);
//! - its timers move forward.

// Each includer uses a subset of what is here.
#![allow(dead_code)]
// Test code: a panic is a failed check.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::{BTreeMap, BTreeSet};
use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::{Duration, Instant, SystemTime};

use arbitrary::{Arbitrary, Unstructured};
use rip_codec::{
    AuthMode, Command, Ipv4Prefix, Key, MessageWriter, Packet, RouteEntry, Signer, VERSION_2,
    max_routes,
};
use rip_engine::{
    Address, Authentication, Engine, EngineConfig, FibChange, InterfaceConfig, InterfaceEvent,
    KeyConfig, Link, NextHop, ReceiveVersion, RedistributeEvent, RedistributeKind, SendVersion,
    SplitHorizon, Transmit,
};

const SECRET: &[u8] = b"vpn-secret";
const KEY_ID: u8 = 1;

/// One interface: ifindex, name, our address, prefix length, peer.
type InterfaceSpec = (u32, &'static str, [u8; 4], u8, Option<[u8; 4]>);

const INTERFACES: [InterfaceSpec; 3] = [
    (1, "eth1", [10, 1, 0, 1], 24, None),
    (2, "vti2", [10, 2, 0, 1], 32, Some([10, 2, 0, 2])),
    (3, "eth3", [192, 168, 3, 1], 24, None),
];

/// The neighbors on each interface's link.
const NEIGHBORS: [&[[u8; 4]]; 3] = [
    &[[10, 1, 0, 2], [10, 1, 0, 3], [10, 1, 0, 4]],
    &[[10, 2, 0, 2]],
    &[[192, 168, 3, 2], [192, 168, 3, 3]],
];

/// Who a datagram comes from: three times in four a neighbor on the link it
/// arrives on, else anyone in [`SOURCES`] (our own addresses, strangers).
fn sender(iface: u8, source: u8) -> Ipv4Addr {
    if source.is_multiple_of(4) {
        addr(pick(&SOURCES, source / 4))
    } else {
        let neighbors = NEIGHBORS[(ifindex(iface) - 1) as usize];
        addr(pick(neighbors, source / 4))
    }
}

/// Anyone: neighbors on each link, our own addresses, strangers off every
/// link, and 0.0.0.0.
const SOURCES: [[u8; 4]; 10] = [
    [10, 1, 0, 2],
    [10, 1, 0, 3],
    [10, 1, 0, 4],
    [10, 2, 0, 2],
    [192, 168, 3, 2],
    [192, 168, 3, 3],
    [10, 1, 0, 1],
    [10, 2, 0, 1],
    [172, 16, 0, 1],
    [0, 0, 0, 0],
];

/// Destinations the scripts advertise, overlapping on purpose, the default
/// route and our own subnets among them.
const PREFIXES: [([u8; 4], u8); 16] = [
    ([0, 0, 0, 0], 0),
    ([10, 0, 0, 0], 8),
    ([10, 1, 0, 0], 24),
    ([10, 2, 0, 2], 32),
    ([10, 50, 0, 0], 16),
    ([10, 50, 1, 0], 24),
    ([10, 50, 1, 128], 25),
    ([10, 60, 0, 0], 16),
    ([172, 16, 0, 0], 12),
    ([172, 20, 5, 0], 24),
    ([192, 168, 0, 0], 16),
    ([192, 168, 3, 0], 24),
    ([192, 168, 77, 0], 24),
    ([192, 168, 77, 9], 32),
    ([198, 51, 100, 0], 24),
    ([203, 0, 113, 0], 24),
];

fn pick<T: Copy>(list: &[T], index: u8) -> T {
    list[usize::from(index) % list.len()]
}

fn addr(octets: [u8; 4]) -> Ipv4Addr {
    Ipv4Addr::from(octets)
}

fn prefix_of(index: u8) -> Ipv4Prefix {
    let (octets, len) = pick(&PREFIXES, index);
    Ipv4Prefix::new_truncating(addr(octets), len)
}

/// A route in a well-formed response.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub struct WireRoute {
    prefix: u8,
    /// Into [`SOURCES`], or 0.0.0.0 ("via the sender") when out of range.
    next_hop: u8,
    metric: u8,
    tag: u16,
}

#[derive(Debug, Clone)]
pub enum Step {
    /// Any bytes, from any source and port.
    Raw {
        iface: u8,
        source: u8,
        from_520: bool,
        bytes: Vec<u8>,
    },
    /// A well-formed RIPv2 response, signed with the VTI's key on the VTI
    /// and unsigned elsewhere, with a sequence number a little above the
    /// last; `odd` one time in eight does the opposite, with any number.
    Response {
        iface: u8,
        source: u8,
        odd: u8,
        sequence: u32,
        routes: Vec<WireRoute>,
    },
    /// A whole-table or specific request, from port 520 or another.
    Request {
        iface: u8,
        source: u8,
        from_520: bool,
        prefixes: Vec<u8>,
    },
    /// Time passes, every timer due on the way runs.
    Advance {
        millis: u32,
    },
    /// The wall clock jumps (key lifetimes, sequence numbers).
    WallClock {
        seconds: i32,
    },
    Link {
        iface: u8,
        up: bool,
        multicast: bool,
    },
    RemoveLink {
        iface: u8,
    },
    Address {
        iface: u8,
        add: bool,
    },
    Redistribute {
        add: bool,
        kind: u8,
        prefix: u8,
        iface: u8,
    },
    /// A new configuration, as from a reload.
    Reconfigure {
        variant: u8,
    },
}

impl<'a> Arbitrary<'a> for Step {
    /// Weighted towards what makes routes: responses 40%, time 15%, raw
    /// datagrams 10%; links and addresses mostly come back (up 3 times in
    /// 4, added 2 in 3); a link disappears in 1 step of 40.
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(match u8::arbitrary(u)? % 40 {
            0..=15 => Step::Response {
                iface: u.arbitrary()?,
                source: u.arbitrary()?,
                odd: u.arbitrary()?,
                sequence: u.arbitrary()?,
                routes: u.arbitrary()?,
            },
            16..=21 => Step::Advance {
                millis: u.arbitrary()?,
            },
            22..=25 => Step::Raw {
                iface: u.arbitrary()?,
                source: u.arbitrary()?,
                from_520: u.arbitrary()?,
                bytes: u.arbitrary()?,
            },
            26..=27 => Step::Request {
                iface: u.arbitrary()?,
                source: u.arbitrary()?,
                from_520: u.arbitrary()?,
                prefixes: u.arbitrary()?,
            },
            28 => Step::WallClock {
                seconds: u.arbitrary()?,
            },
            29..=31 => Step::Link {
                iface: u.arbitrary()?,
                up: u8::arbitrary(u)? % 4 != 0,
                multicast: u.arbitrary()?,
            },
            32..=34 => Step::Address {
                iface: u.arbitrary()?,
                add: u8::arbitrary(u)? % 3 != 0,
            },
            35..=36 => Step::Redistribute {
                add: u.arbitrary()?,
                kind: u.arbitrary()?,
                prefix: u.arbitrary()?,
                iface: u.arbitrary()?,
            },
            37..=38 => Step::Reconfigure {
                variant: u.arbitrary()?,
            },
            _ => Step::RemoveLink {
                iface: u.arbitrary()?,
            },
        })
    }
}

/// The configuration a variant octet selects: split horizon modes, ECMP,
/// passive or not, unicast neighbors, redistribution, default route,
/// configured prefixes, RIP versions.
pub fn config(variant: u8) -> EngineConfig {
    let mut config = EngineConfig {
        networks: vec![
            "10.0.0.0/8".parse().unwrap(),
            "192.168.0.0/16".parse().unwrap(),
        ],
        max_paths: if variant & 1 == 0 { 1 } else { 4 },
        default_information_originate: variant & 2 != 0,
        ..EngineConfig::default()
    };
    config.redistribute.connected = variant & 4 != 0;
    config.redistribute.static_routes = variant & 8 != 0;
    config.redistribute.kernel = variant & 8 != 0;
    if variant & 16 != 0 {
        config.passive_interfaces.push("eth3".into());
    }
    if variant & 32 != 0 {
        config.neighbors.push(addr([192, 168, 3, 2]));
    }
    if variant.is_multiple_of(3) {
        // Configured prefixes, one of them also a connected network and one
        // the VTI peer's host route.
        config.originate = vec![prefix_of(4), prefix_of(11), prefix_of(3)];
    }
    config.timers.update = Duration::from_secs(if variant & 64 != 0 { 5 } else { 30 });
    config.timers.timeout = config.timers.update * 6;
    config.timers.garbage = config.timers.update * 4;
    config.interfaces.insert(
        "eth1".into(),
        InterfaceConfig {
            split_horizon: if variant & 128 != 0 {
                SplitHorizon::Off
            } else {
                SplitHorizon::Simple
            },
            ..InterfaceConfig::default()
        },
    );
    // The third LAN speaks the other versions.
    config.interfaces.insert(
        "eth3".into(),
        InterfaceConfig {
            send_version: pick(
                &[SendVersion::V2, SendVersion::V2Broadcast, SendVersion::V1],
                variant / 3,
            ),
            receive_version: pick(
                &[
                    ReceiveVersion::Both,
                    ReceiveVersion::V1Only,
                    ReceiveVersion::V2Only,
                ],
                variant / 9,
            ),
            ..InterfaceConfig::default()
        },
    );
    config.interfaces.insert(
        "vti2".into(),
        InterfaceConfig {
            split_horizon: SplitHorizon::PoisonedReverse,
            cost: 1 + variant % 3,
            authentication: Authentication {
                mode: AuthMode::KeyedMd5,
                keys: vec![KeyConfig::new(KEY_ID, SECRET)],
                ..Authentication::default()
            },
            ..InterfaceConfig::default()
        },
    );
    config
}

/// The engine, the kernel as its changes left it, and the clock.
pub struct Harness {
    engine: Engine,
    start: Instant,
    now: Instant,
    wall: SystemTime,
    kernel: BTreeMap<Ipv4Prefix, Vec<NextHop>>,
    /// Routes the kernel removed by itself, with their link; the engine may
    /// still replace or withdraw them (the daemon takes ESRCH as done).
    vanished: BTreeSet<Ipv4Prefix>,
    own: BTreeSet<Ipv4Addr>,
    /// The last sequence number the VTI's neighbor used.
    sequence: u32,
}

impl Harness {
    pub fn new(variant: u8) -> Harness {
        let start = Instant::now();
        let wall = SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600);
        let mut harness = Harness {
            engine: Engine::new(config(variant), start, wall, 7),
            start,
            now: start,
            wall,
            kernel: BTreeMap::new(),
            vanished: BTreeSet::new(),
            own: INTERFACES.iter().map(|i| addr(i.2)).collect(),
            sequence: 1,
        };
        for (ifindex, name, ..) in INTERFACES {
            harness.engine.handle_interface(
                start,
                InterfaceEvent::Link(Link {
                    ifindex,
                    name: name.into(),
                    up: true,
                    multicast: ifindex != 2,
                }),
            );
            harness
                .engine
                .handle_interface(start, InterfaceEvent::AddressAdded(address_of(ifindex)));
        }
        harness.check();
        harness
    }

    pub fn step(&mut self, step: &Step) {
        let now = self.now;
        match step {
            Step::Raw {
                iface,
                source,
                from_520,
                bytes,
            } => {
                let from = SocketAddrV4::new(sender(*iface, *source), port(*from_520));
                self.engine.handle_packet(now, ifindex(*iface), from, bytes);
            }
            Step::Response {
                iface,
                source,
                odd,
                sequence,
                routes,
            } => {
                let routes: Vec<RouteEntry> = routes.iter().map(route_entry).collect();
                let from = SocketAddrV4::new(sender(*iface, *source), 520);
                let odd = odd % 8 == 0;
                let sequence = if odd {
                    *sequence
                } else {
                    self.sequence = self.sequence.wrapping_add(sequence % 3);
                    self.sequence
                };
                let signer = ((ifindex(*iface) == 2) != odd).then(|| {
                    Signer::new(
                        AuthMode::KeyedMd5,
                        Key {
                            id: KEY_ID,
                            secret: SECRET,
                        },
                        sequence,
                    )
                });
                let mode = signer.map_or(AuthMode::None, |s| s.mode);
                for chunk in routes.chunks(max_routes(mode)) {
                    let mut buf = [0u8; 512];
                    let mut writer =
                        MessageWriter::new(&mut buf, Command::Response, VERSION_2, signer).unwrap();
                    for route in chunk {
                        writer.push_route(route).unwrap();
                    }
                    let bytes = writer.finish().to_vec();
                    self.engine
                        .handle_packet(now, ifindex(*iface), from, &bytes);
                    self.drain();
                }
            }
            Step::Request {
                iface,
                source,
                from_520,
                prefixes,
            } => {
                let from = SocketAddrV4::new(sender(*iface, *source), port(*from_520));
                let mut buf = [0u8; 512];
                let mut writer =
                    MessageWriter::new(&mut buf, Command::Request, VERSION_2, None).unwrap();
                if prefixes.is_empty() {
                    writer.push_whole_table_request().unwrap();
                } else {
                    for &p in prefixes.iter().take(25) {
                        writer
                            .push_route(&RouteEntry::new(prefix_of(p), rip_codec::INFINITY))
                            .unwrap();
                    }
                }
                let bytes = writer.finish().to_vec();
                self.engine
                    .handle_packet(now, ifindex(*iface), from, &bytes);
            }
            Step::Advance { millis } => {
                // Mostly a few seconds; one time in four up to 200 s, past
                // timeouts and garbage collection.
                let cap = if millis % 4 == 0 { 200_000 } else { 5_000 };
                self.advance(Duration::from_millis(u64::from(*millis % cap)));
            }
            Step::WallClock { seconds } => {
                let jump = Duration::from_secs(u64::from(seconds.unsigned_abs()));
                self.wall = if *seconds < 0 {
                    self.wall - jump
                } else {
                    self.wall + jump
                };
                self.engine.handle_wall_clock(now, self.wall);
            }
            Step::Link {
                iface,
                up,
                multicast,
            } => {
                let (index, name, ..) = pick(&INTERFACES, *iface);
                if !up {
                    self.kernel_drops_link(index);
                }
                self.engine.handle_interface(
                    now,
                    InterfaceEvent::Link(Link {
                        ifindex: index,
                        name: name.into(),
                        up: *up,
                        multicast: *multicast,
                    }),
                );
            }
            Step::RemoveLink { iface } => {
                let index = ifindex(*iface);
                self.kernel_drops_link(index);
                self.engine
                    .handle_interface(now, InterfaceEvent::LinkRemoved { ifindex: index });
            }
            Step::Address { iface, add } => {
                let address = address_of(ifindex(*iface));
                let event = if *add {
                    InterfaceEvent::AddressAdded(address)
                } else {
                    InterfaceEvent::AddressRemoved(address)
                };
                self.engine.handle_interface(now, event);
            }
            Step::Redistribute {
                add,
                kind,
                prefix,
                iface,
            } => {
                let kind = pick(
                    &[
                        RedistributeKind::Static,
                        RedistributeKind::Kernel,
                        RedistributeKind::Connected,
                    ],
                    *kind,
                );
                let prefix = prefix_of(*prefix);
                let event = if *add {
                    RedistributeEvent::Add {
                        kind,
                        prefix,
                        ifindex: ifindex(*iface),
                    }
                } else {
                    RedistributeEvent::Remove { kind, prefix }
                };
                self.engine.handle_redistribute(now, event);
            }
            Step::Reconfigure { variant } => self.engine.handle_config(now, config(*variant)),
        }
        self.drain();
        self.check();
    }

    /// Linux flushes the IPv4 routes through a link that goes down or away;
    /// a multipath route only loses that next hop.
    fn kernel_drops_link(&mut self, ifindex: u32) {
        for (prefix, hops) in &mut self.kernel {
            hops.retain(|h| h.ifindex != ifindex);
            if hops.is_empty() {
                self.vanished.insert(*prefix);
            }
        }
        self.kernel.retain(|_, hops| !hops.is_empty());
    }

    fn advance(&mut self, by: Duration) {
        let end = self.now + by;
        let mut spins = 0u32;
        while let Some(at) = self.engine.poll_timeout() {
            if at > end {
                break;
            }
            spins += 1;
            assert!(
                spins < 100_000,
                "the engine keeps asking for {:?} at {:?}",
                at - self.start,
                self.now - self.start
            );
            self.now = self.now.max(at);
            self.engine.handle_timeout(self.now);
            self.drain();
        }
        self.now = end;
    }

    /// Takes what the engine asks for, checking each message and kernel change.
    fn drain(&mut self) {
        while let Some(transmit) = self.engine.poll_transmit() {
            check_transmit(&transmit);
        }
        while let Some(change) = self.engine.poll_fib() {
            self.apply(change);
        }
        while self.engine.poll_event().is_some() {}
    }

    fn apply(&mut self, change: FibChange) {
        match change {
            FibChange::Add {
                prefix,
                next_hops,
                metric,
            } => {
                self.check_hops(prefix, &next_hops, metric);
                self.vanished.remove(&prefix);
                let before = self.kernel.insert(prefix, next_hops.to_vec());
                assert!(before.is_none(), "{prefix} added twice");
            }
            FibChange::Replace {
                prefix,
                next_hops,
                metric,
            } => {
                self.check_hops(prefix, &next_hops, metric);
                let before = self.kernel.insert(prefix, next_hops.to_vec());
                assert!(
                    before.is_some() || self.vanished.remove(&prefix),
                    "{prefix} replaced, not in the kernel"
                );
            }
            FibChange::Delete { prefix } => {
                let before = self.kernel.remove(&prefix);
                assert!(
                    before.is_some() || self.vanished.remove(&prefix),
                    "{prefix} deleted, not in the kernel"
                );
            }
        }
    }

    fn check_hops(&self, prefix: Ipv4Prefix, hops: &[NextHop], metric: u8) {
        assert!(!hops.is_empty(), "{prefix} without next hop");
        assert!(
            metric < rip_codec::INFINITY,
            "{prefix} installed unreachable"
        );
        for hop in hops {
            assert!(
                !self.own.contains(&hop.gateway),
                "{prefix} via our own address {}",
                hop.gateway
            );
        }
    }

    /// The engine's view agrees with the kernel it has written.
    fn check(&self) {
        let routes = self.engine.routes(self.now);
        let mut installed = BTreeSet::new();
        for route in &routes {
            assert!(
                (1..=rip_codec::INFINITY).contains(&route.metric),
                "{} with metric {}",
                route.prefix,
                route.metric
            );
            if route.in_fib {
                assert!(
                    route.metric < rip_codec::INFINITY,
                    "{} installed at 16",
                    route.prefix
                );
                installed.insert(route.prefix);
            }
        }
        let in_kernel: BTreeSet<Ipv4Prefix> = self.kernel.keys().copied().collect();
        assert!(
            in_kernel.is_subset(&installed),
            "in the kernel, not installed: {:?}",
            in_kernel.difference(&installed).collect::<Vec<_>>()
        );
        // What the engine counts as installed and the kernel lacks, the
        // kernel removed with a link.
        let missing: BTreeSet<Ipv4Prefix> = installed.difference(&in_kernel).copied().collect();
        assert!(
            missing.is_subset(&self.vanished),
            "installed, not in the kernel: {:?}",
            missing.difference(&self.vanished).collect::<Vec<_>>()
        );
    }
}

fn port(from_520: bool) -> u16 {
    if from_520 { 520 } else { 40_000 }
}

fn ifindex(iface: u8) -> u32 {
    pick(&INTERFACES, iface).0
}

fn address_of(ifindex: u32) -> Address {
    let (index, _, local, len, peer) = INTERFACES[(ifindex - 1) as usize];
    Address {
        ifindex: index,
        local: addr(local),
        prefix_len: len,
        peer: peer.map(addr),
    }
}

fn route_entry(route: &WireRoute) -> RouteEntry {
    let next_hop = SOURCES
        .get(usize::from(route.next_hop))
        .map_or(Ipv4Addr::UNSPECIFIED, |s| addr(*s));
    RouteEntry {
        prefix: prefix_of(route.prefix),
        // Valid next hops only: a multicast or 0/8 one is the codec's to
        // reject, and Raw steps cover that.
        next_hop: if next_hop.octets()[0] == 0 {
            Ipv4Addr::UNSPECIFIED
        } else {
            next_hop
        },
        metric: 1 + route.metric % rip_codec::INFINITY,
        tag: route.tag,
    }
}

/// A message the engine wants sent must encode, fit, and decode back.
fn check_transmit(transmit: &Transmit) {
    for entry in &transmit.entries {
        assert!(
            (1..=rip_codec::INFINITY).contains(&entry.metric),
            "sending {} at metric {}",
            entry.prefix,
            entry.metric
        );
    }
    let messages = transmit
        .encode_to_vec(99)
        .unwrap_or_else(|e| panic!("cannot encode {transmit:?}: {e}"));
    let mode = transmit.auth.as_ref().map_or(AuthMode::None, |a| a.mode);
    let keys = [Key {
        id: KEY_ID,
        secret: SECRET,
    }];
    let mut decoded = Vec::new();
    for bytes in &messages {
        let packet = Packet::parse(bytes).unwrap_or_else(|e| panic!("own message: {e}"));
        let verified = packet
            .authenticate(mode, &keys[..])
            .unwrap_or_else(|e| panic!("own message fails its authentication: {e}"));
        assert!(verified.entry_count() <= max_routes(mode));
        if transmit.command == Command::Response {
            for route in verified.routes() {
                decoded.push(route.unwrap_or_else(|e| panic!("own entry invalid: {e}")));
            }
        }
    }
    if transmit.command != Command::Response {
        return;
    }
    if transmit.version == rip_codec::VERSION_1 {
        // RIPv1 carries the address and metric; the receiver infers the
        // length (RFC 1058 §3.2).
        let fields = |routes: &[RouteEntry]| -> Vec<(Ipv4Addr, u8)> {
            routes.iter().map(|r| (r.prefix.addr(), r.metric)).collect()
        };
        assert_eq!(
            fields(&decoded),
            fields(&transmit.entries),
            "RIPv1 decoded differently"
        );
    } else {
        assert_eq!(decoded, transmit.entries, "decoded differently");
    }
}

/// Runs a whole script: the first octet picks the configuration, the rest
/// are steps. Unstructured input that runs out simply ends the script.
pub fn run(data: &[u8]) {
    let mut input = Unstructured::new(data);
    let Ok(variant) = u8::arbitrary(&mut input) else {
        return;
    };
    let mut harness = Harness::new(variant);
    while !input.is_empty() {
        let Ok(step) = Step::arbitrary(&mut input) else {
            return;
        };
        harness.step(&step);
    }
}
