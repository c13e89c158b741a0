//! One engine on a virtual clock, fed real RIP messages built with rip-codec:
//! the fixture of the per-rule tests.

// Test fixture code: a failed expectation is a failed test.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::{Duration, Instant, SystemTime};

use rip_codec::{AuthMode, Command, Ipv4Prefix, Key, MessageWriter, RouteEntry, Signer, VERSION_2};
use rip_engine::{
    Address, Engine, EngineConfig, Event, FibChange, InterfaceEvent, Link, RouteView, Transmit,
};

pub const RIP_GROUP: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::new(224, 0, 0, 9), 520);

pub fn prefix(s: &str) -> Ipv4Prefix {
    s.parse().expect("prefix")
}

pub fn ip(s: &str) -> Ipv4Addr {
    s.parse().expect("address")
}

pub fn route(p: &str, metric: u8) -> RouteEntry {
    RouteEntry::new(prefix(p), metric)
}

/// The wall clock the rig starts at: 2026-01-01T00:00:00Z.
pub fn wall_start() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600)
}

pub struct Rig {
    pub engine: Engine,
    pub start: Instant,
    pub now: Instant,
    pub transmits: Vec<(Instant, Transmit)>,
    pub fib: Vec<FibChange>,
    pub events: Vec<Event>,
}

impl Rig {
    pub fn new(config: EngineConfig) -> Rig {
        let start = Instant::now();
        Rig {
            engine: Engine::new(config, start, wall_start(), 1),
            start,
            now: start,
            transmits: Vec::new(),
            fib: Vec::new(),
            events: Vec::new(),
        }
    }

    /// A config that runs RIP on 10.0.0.0/8 and 192.168.0.0/16.
    pub fn config() -> EngineConfig {
        EngineConfig {
            networks: vec![prefix("10.0.0.0/8"), prefix("192.168.0.0/16")],
            ..EngineConfig::default()
        }
    }

    pub fn elapsed(&self) -> Duration {
        self.now - self.start
    }

    pub fn drain(&mut self) {
        while let Some(t) = self.engine.poll_transmit() {
            self.transmits.push((self.now, t));
        }
        while let Some(f) = self.engine.poll_fib() {
            self.fib.push(f);
        }
        while let Some(e) = self.engine.poll_event() {
            self.events.push(e);
        }
    }

    /// An interface that is up, with multicast.
    pub fn link(&mut self, ifindex: u32, name: &str) {
        self.link_with(ifindex, name, true, true);
    }

    pub fn link_with(&mut self, ifindex: u32, name: &str, up: bool, multicast: bool) {
        self.engine.handle_interface(
            self.now,
            InterfaceEvent::Link(Link {
                ifindex,
                name: name.to_string(),
                up,
                multicast,
            }),
        );
        self.drain();
    }

    pub fn remove_link(&mut self, ifindex: u32) {
        self.engine
            .handle_interface(self.now, InterfaceEvent::LinkRemoved { ifindex });
        self.drain();
    }

    /// "192.168.10.3/24" on an interface.
    pub fn addr(&mut self, ifindex: u32, cidr: &str) {
        let address = parse_address(ifindex, cidr, None);
        self.engine
            .handle_interface(self.now, InterfaceEvent::AddressAdded(address));
        self.drain();
    }

    /// A /32 with a point-to-point peer.
    pub fn addr_peer(&mut self, ifindex: u32, local: &str, peer: &str) {
        let address = parse_address(ifindex, &format!("{local}/32"), Some(ip(peer)));
        self.engine
            .handle_interface(self.now, InterfaceEvent::AddressAdded(address));
        self.drain();
    }

    pub fn remove_addr(&mut self, ifindex: u32, cidr: &str) {
        let address = parse_address(ifindex, cidr, None);
        self.engine
            .handle_interface(self.now, InterfaceEvent::AddressRemoved(address));
        self.drain();
    }

    /// Moves the clock, running every timer that comes due on the way.
    pub fn advance(&mut self, by: Duration) {
        let end = self.now + by;
        let mut spins = 0u32;
        loop {
            match self.engine.poll_timeout() {
                Some(at) if at <= end => {
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
                _ => break,
            }
        }
        self.now = end;
    }

    pub fn advance_secs(&mut self, secs: u64) {
        self.advance(Duration::from_secs(secs));
    }

    /// Raw bytes from `source` on `ifindex`.
    pub fn packet(&mut self, ifindex: u32, source: SocketAddrV4, bytes: &[u8]) {
        self.engine.handle_packet(self.now, ifindex, source, bytes);
        self.drain();
    }

    /// An unauthenticated RIPv2 response from `from`:520.
    pub fn response(&mut self, ifindex: u32, from: &str, routes: &[RouteEntry]) {
        let bytes = encode(Command::Response, routes, None);
        self.packet(ifindex, SocketAddrV4::new(ip(from), 520), &bytes);
    }

    pub fn signed_response(
        &mut self,
        ifindex: u32,
        from: &str,
        routes: &[RouteEntry],
        signer: Signer<'_>,
    ) {
        let bytes = encode(Command::Response, routes, Some(signer));
        self.packet(ifindex, SocketAddrV4::new(ip(from), 520), &bytes);
    }

    pub fn route(&self, p: &str) -> Option<RouteView> {
        self.engine.route(self.now, &prefix(p))
    }

    /// The route's metric, if present.
    pub fn metric(&self, p: &str) -> Option<u8> {
        self.route(p).map(|r| r.metric)
    }

    /// Takes what was sent since the last call.
    pub fn sent(&mut self) -> Vec<Transmit> {
        self.transmits.drain(..).map(|(_, t)| t).collect()
    }

    pub fn take_fib(&mut self) -> Vec<FibChange> {
        std::mem::take(&mut self.fib)
    }

    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }
}

pub fn parse_address(ifindex: u32, cidr: &str, peer: Option<Ipv4Addr>) -> Address {
    let (local, len) = cidr.split_once('/').expect("a/len");
    Address {
        ifindex,
        local: ip(local),
        prefix_len: len.parse().expect("length"),
        peer,
    }
}

pub fn encode(command: Command, routes: &[RouteEntry], signer: Option<Signer<'_>>) -> Vec<u8> {
    let mut buf = [0u8; 512];
    let mut writer = MessageWriter::new(&mut buf, command, VERSION_2, signer).expect("room");
    if command == Command::Request && routes.is_empty() {
        writer.push_whole_table_request().expect("fits");
    }
    for r in routes {
        if command == Command::Request {
            writer.push_query(r.prefix).expect("fits");
        } else {
            writer.push_route(r).expect("fits");
        }
    }
    writer.finish().to_vec()
}

pub fn signer(mode: AuthMode, id: u8, secret: &[u8], sequence: u32) -> Signer<'_> {
    Signer::new(mode, Key { id, secret }, sequence)
}

/// The entries of a transmit as (prefix, metric).
pub fn entries(t: &Transmit) -> Vec<(String, u8)> {
    t.entries
        .iter()
        .map(|e| (e.prefix.to_string(), e.metric))
        .collect()
}

/// The (prefix, metric) pairs a list of transmits advertised, in order.
pub fn advertised(ts: &[Transmit]) -> Vec<(String, u8)> {
    ts.iter().flat_map(entries).collect()
}
