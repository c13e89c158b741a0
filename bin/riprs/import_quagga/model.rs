//! What a ripd.conf says that riprs can express, each piece with the line it
//! came from so that references that do not resolve can be reported there.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use rip_codec::{AuthMode, Ipv4Prefix, Md5AuthLen};
use rip_engine::{Direction, PrefixRule, ReceiveVersion, SendVersion, SplitHorizon};

use crate::config::LogLevel;

#[derive(Debug, Default)]
pub(super) struct Quagga {
    /// `network`: prefixes (masked, as quagga does) and interface names, as text.
    pub(super) networks: Vec<String>,
    /// `passive-interface default`.
    pub(super) passive_default: bool,
    /// The interfaces that differ from the default, as quagga keeps them:
    /// passive ones without `passive-interface default`, active ones with it.
    pub(super) passive_interfaces: Vec<String>,
    pub(super) neighbors: Vec<Ipv4Addr>,
    pub(super) default_metric: Option<u8>,
    pub(super) default_information_originate: bool,
    /// `route PREFIX`: static RIP routes.
    pub(super) originate: Vec<Ipv4Prefix>,
    /// "connected", "static", "kernel", in the order first seen, with the
    /// metric of `redistribute KIND metric N`.
    pub(super) redistribute: Vec<(&'static str, Option<u8>)>,
    /// update, timeout, garbage in seconds.
    pub(super) timers: Option<[u64; 3]>,
    /// FRR's `allow-ecmp N`.
    pub(super) max_paths: Option<u32>,
    pub(super) distribute_lists: Vec<DistributeList>,
    pub(super) offset_lists: Vec<OffsetList>,
    /// `interface NAME` blocks.
    pub(super) interfaces: BTreeMap<String, Interface>,
    /// `key chain NAME` blocks.
    pub(super) key_chains: BTreeMap<String, Vec<Key>>,
    pub(super) prefix_lists: BTreeMap<String, Vec<SequencedRule>>,
    pub(super) access_lists: BTreeMap<String, AccessList>,
    pub(super) log_file: Option<String>,
    pub(super) log_level: Option<LogLevel>,
}

/// `distribute-list [prefix] NAME in|out [IFNAME]`.
#[derive(Debug, Clone)]
pub(super) struct DistributeList {
    pub(super) line: usize,
    pub(super) list: ListRef,
    pub(super) direction: Direction,
    pub(super) interface: Option<String>,
}

/// A `distribute-list` names either a prefix list or an access list.
#[derive(Debug, Clone)]
pub(super) enum ListRef {
    Prefix(String),
    Access(String),
}

/// `offset-list ACCESS-LIST in|out N [IFNAME]`.
#[derive(Debug, Clone)]
pub(super) struct OffsetList {
    pub(super) line: usize,
    pub(super) access_list: String,
    pub(super) direction: Direction,
    pub(super) offset: u8,
    pub(super) interface: Option<String>,
}

/// What an `interface` block says about RIP.
#[derive(Debug, Default)]
pub(super) struct Interface {
    pub(super) descriptions: Vec<String>,
    pub(super) split_horizon: Option<SplitHorizon>,
    /// `ip rip authentication mode`, with `auth-length` if given.
    pub(super) auth_mode: Option<(usize, AuthMode, Option<Md5AuthLen>)>,
    /// `ip rip authentication key-chain NAME`.
    pub(super) key_chain: Option<(usize, String)>,
    /// `ip rip authentication string S`.
    pub(super) auth_string: Option<(usize, String)>,
    /// `ip rip send version 1|2`, `ip rip v2-broadcast`.
    pub(super) send_version: Option<SendVersion>,
    /// `ip rip receive version 1|2|1 2`.
    pub(super) receive_version: Option<ReceiveVersion>,
}

/// `key N` in a key chain.
#[derive(Debug, Default)]
pub(super) struct Key {
    pub(super) line: usize,
    pub(super) id: u32,
    pub(super) secret: Option<String>,
    /// Seconds since the epoch: from, and until (`None`: infinite).
    pub(super) send: Option<(i64, Option<i64>)>,
    pub(super) accept: Option<(i64, Option<i64>)>,
}

/// `ip prefix-list NAME seq N ...`.
#[derive(Debug, Clone)]
pub(super) struct SequencedRule {
    pub(super) seq: u32,
    pub(super) rule: PrefixRule,
}

/// `access-list NAME ...` as prefix-list rules; `broken` is the first line
/// that could not be converted, which makes the whole list unusable.
#[derive(Debug, Default)]
pub(super) struct AccessList {
    pub(super) rules: Vec<PrefixRule>,
    pub(super) broken: Option<usize>,
}
