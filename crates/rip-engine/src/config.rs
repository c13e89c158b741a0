//! The engine's part of ripd.toml, as plain values. The daemon parses and
//! validates the file; the engine applies a whole new config as a diff
//! against the old one ([`crate::Engine::handle_config`]).

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use rip_codec::{AuthMode, Ipv4Prefix, Md5AuthLen};

/// Everything the engine needs to know from the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineConfig {
    /// RIP runs on interfaces with an address inside one of these prefixes
    /// (quagga's `network`).
    pub networks: Vec<Ipv4Prefix>,
    /// ... or named here.
    pub network_interfaces: Vec<String>,
    /// Advertised, but nothing is sent there (except to configured neighbors).
    pub passive_interfaces: Vec<String>,
    /// Every interface is passive unless its `InterfaceConfig::passive` says
    /// otherwise (quagga's `passive-interface default`).
    pub passive_default: bool,
    /// Extra unicast peers, sent every update (RFC 2453 §3.8 "neighbor").
    pub neighbors: Vec<Ipv4Addr>,
    /// Metric of redistributed and originated default routes.
    pub default_metric: u8,
    pub default_information_originate: bool,
    /// Prefixes advertised from here whatever the kernel has (quagga's
    /// `route`), with metric 1; never installed in the kernel.
    pub originate: Vec<Ipv4Prefix>,
    pub redistribute: Redistribute,
    pub timers: Timers,
    /// Up to this many equal-cost next hops per prefix (quagga's default 1).
    pub max_paths: usize,
    /// New prefixes past this many routes are dropped and counted.
    pub max_routes: usize,
    /// Per-interface settings by name; an interface named here runs RIP too.
    pub interfaces: BTreeMap<String, InterfaceConfig>,
    pub prefix_lists: BTreeMap<String, PrefixList>,
    /// Filters for every interface (quagga's `distribute-list`).
    pub filter_in: Option<String>,
    pub filter_out: Option<String>,
    pub offsets: Vec<OffsetList>,
}

impl EngineConfig {
    /// Whether RIP only listens on the interface `name`: its own setting,
    /// else whether it is listed, else the default.
    pub fn is_passive(&self, name: &str) -> bool {
        self.interfaces
            .get(name)
            .and_then(|i| i.passive)
            .unwrap_or_else(|| {
                self.passive_default || self.passive_interfaces.iter().any(|n| n == name)
            })
    }
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            networks: Vec::new(),
            network_interfaces: Vec::new(),
            passive_interfaces: Vec::new(),
            passive_default: false,
            neighbors: Vec::new(),
            default_metric: 1,
            default_information_originate: false,
            originate: Vec::new(),
            redistribute: Redistribute::default(),
            timers: Timers::default(),
            max_paths: 1,
            max_routes: 1_000_000,
            interfaces: BTreeMap::new(),
            prefix_lists: BTreeMap::new(),
            filter_in: None,
            filter_out: None,
            offsets: Vec::new(),
        }
    }
}

/// Which routes from the kernel are advertised, and with which metric
/// (`None`: the default metric; quagga's `redistribute KIND metric N`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Redistribute {
    pub connected: bool,
    pub static_routes: bool,
    pub kernel: bool,
    pub connected_metric: Option<u8>,
    pub static_metric: Option<u8>,
    pub kernel_metric: Option<u8>,
}

/// RIP's timers (RFC 2453 §3.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timers {
    pub update: Duration,
    pub timeout: Duration,
    pub garbage: Duration,
}

impl Default for Timers {
    fn default() -> Self {
        Timers {
            update: Duration::from_secs(30),
            timeout: Duration::from_secs(180),
            garbage: Duration::from_secs(120),
        }
    }
}

/// `[interfaces.NAME]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterfaceConfig {
    pub split_horizon: SplitHorizon,
    /// Added to metrics learned here, 1..=15.
    pub cost: u8,
    pub authentication: Authentication,
    pub filter_in: Option<String>,
    pub filter_out: Option<String>,
    /// Passive or not, whatever `passive_interfaces` and `passive_default`
    /// say; `None` leaves it to them.
    pub passive: Option<bool>,
    pub send_version: SendVersion,
    pub receive_version: ReceiveVersion,
}

/// What an interface sends: RFC 2453 §5.1's compatibility switch ("none" is
/// a passive interface).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SendVersion {
    /// RIPv2 to 224.0.0.9 ("RIP-2").
    #[default]
    V2,
    /// RIPv2 to the subnet's broadcast address ("RIP-1 compatibility").
    V2Broadcast,
    /// RIPv1 broadcasts, classful ("RIP-1", RFC 1058).
    V1,
}

/// Which versions an interface accepts: RFC 2453 §5.1's receive control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReceiveVersion {
    #[default]
    Both,
    V1Only,
    V2Only,
}

impl ReceiveVersion {
    pub fn accepts(self, version: u8) -> bool {
        match self {
            ReceiveVersion::Both => true,
            ReceiveVersion::V1Only => version == rip_codec::VERSION_1,
            ReceiveVersion::V2Only => version != rip_codec::VERSION_1,
        }
    }
}

impl Default for InterfaceConfig {
    fn default() -> Self {
        InterfaceConfig {
            split_horizon: SplitHorizon::Simple,
            cost: 1,
            authentication: Authentication::default(),
            filter_in: None,
            filter_out: None,
            passive: None,
            send_version: SendVersion::V2,
            receive_version: ReceiveVersion::Both,
        }
    }
}

/// RFC 2453 §3.4.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SplitHorizon {
    #[default]
    Simple,
    PoisonedReverse,
    Off,
}

/// How an interface authenticates, with its keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authentication {
    pub mode: AuthMode,
    pub keys: Vec<KeyConfig>,
    /// The auth data length written with keyed MD5.
    pub md5_auth_len: Md5AuthLen,
}

impl Default for Authentication {
    fn default() -> Self {
        Authentication {
            mode: AuthMode::None,
            keys: Vec::new(),
            md5_auth_len: Md5AuthLen::default(),
        }
    }
}

/// One key of a key chain, with optional lifetimes (RFC 4822 §3.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyConfig {
    pub id: u8,
    pub secret: Arc<[u8]>,
    pub send_from: Option<SystemTime>,
    pub send_until: Option<SystemTime>,
    pub accept_from: Option<SystemTime>,
    pub accept_until: Option<SystemTime>,
}

impl KeyConfig {
    /// A key valid for sending and accepting at all times.
    pub fn new(id: u8, secret: &[u8]) -> Self {
        KeyConfig {
            id,
            secret: Arc::from(secret),
            send_from: None,
            send_until: None,
            accept_from: None,
            accept_until: None,
        }
    }
}

/// quagga's `ip prefix-list`: rules in order, first match decides, no match denies.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PrefixList {
    pub rules: Vec<PrefixRule>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrefixRule {
    pub permit: bool,
    pub prefix: Ipv4Prefix,
    /// Matches routes whose length is within `ge..=le`; both default to the
    /// rule's own length (an exact match).
    pub ge: Option<u8>,
    pub le: Option<u8>,
}

/// quagga's `offset-list`: add `offset` to the metric of routes the prefix
/// list permits, on receive or on send, everywhere or on one interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffsetList {
    pub prefix_list: String,
    pub direction: Direction,
    pub offset: u8,
    pub interface: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    In,
    Out,
}
