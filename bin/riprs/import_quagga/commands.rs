//! Reading ripd.conf command by command, in quagga's nodes.

use std::collections::btree_map::Entry;
use std::net::Ipv4Addr;

use rip_codec::{AuthMode, Ipv4Prefix, Md5AuthLen};
use rip_engine::{Direction, PrefixRule, ReceiveVersion, SendVersion, SplitHorizon};

use super::lifetime;
use super::model::{DistributeList, Key, ListRef, OffsetList, Quagga, SequencedRule};
use crate::config::LogLevel;
use crate::config::names;

/// Where in the configuration tree a command is read (quagga's vty node).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Config,
    RouterRip,
    Interface(String),
    KeyChain(String),
    /// Chain and key id.
    Key(String, u32),
    /// A block riprs has nothing for (`router ospf`, `line vty`), by its header.
    Foreign(String),
}

impl Node {
    fn parent(&self) -> Option<Node> {
        match self {
            Node::Config => None,
            Node::Key(chain, _) => Some(Node::KeyChain(chain.clone())),
            _ => Some(Node::Config),
        }
    }
}

/// What a node's handler made of a command.
enum Outcome {
    /// Carried over, or deliberately silent.
    Done,
    /// Understood but not carried over, with the reason.
    Report(String),
    /// Not a command of this node: try the node above.
    NotHere,
}

struct Reader {
    quagga: Quagga,
    notes: Vec<(usize, String)>,
    node: Node,
}

/// Reads the whole file: what riprs can carry over, and the lines it cannot.
pub(super) fn read(text: &str) -> (Quagga, Vec<(usize, String)>) {
    let mut reader = Reader {
        quagga: Quagga::default(),
        notes: Vec::new(),
        node: Node::Config,
    };
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('!') || trimmed.starts_with('#') {
            continue;
        }
        let words: Vec<&str> = trimmed.split_whitespace().collect();
        reader.command(line, &words);
    }
    (reader.quagga, reader.notes)
}

/// The words from `from` on, joined by single spaces (quagga's `LINE`).
fn rest(words: &[&str], from: usize) -> String {
    words.get(from..).unwrap_or_default().join(" ")
}

fn direction(word: &str) -> Option<Direction> {
    match word {
        "in" => Some(Direction::In),
        "out" => Some(Direction::Out),
        _ => None,
    }
}

/// A prefix as quagga takes it: host bits are cleared.
fn masked_prefix(word: &str) -> Option<Ipv4Prefix> {
    let (addr, len) = word.split_once('/')?;
    let addr: Ipv4Addr = addr.parse().ok()?;
    let len: u8 = len.parse().ok().filter(|l| *l <= 32)?;
    Some(Ipv4Prefix::new_truncating(addr, len))
}

impl Reader {
    fn command(&mut self, line: usize, words: &[&str]) {
        match words {
            ["exit" | "quit"] => {
                self.node = self.node.parent().unwrap_or(Node::Config);
                return;
            }
            ["end"] => {
                self.node = Node::Config;
                return;
            }
            _ => {}
        }
        let mut node = Some(self.node.clone());
        while let Some(current) = node {
            let outcome = match &current {
                Node::Config => self.config(line, words),
                Node::RouterRip => self.router_rip(line, words),
                Node::Interface(name) => self.interface(line, words, name),
                Node::KeyChain(chain) => self.key_chain(line, words, chain),
                Node::Key(chain, id) => self.key(line, words, chain, *id),
                Node::Foreign(_) => Outcome::NotHere,
            };
            match outcome {
                Outcome::Done => return,
                Outcome::Report(reason) => {
                    self.notes.push((line, reason));
                    return;
                }
                Outcome::NotHere => node = current.parent(),
            }
        }
        let reason = match &self.node {
            Node::Foreign(header) => format!("inside `{header}`, which riprs does not carry over"),
            Node::Config => format!("`{}` is not a ripd command riprs knows", words.join(" ")),
            _ => format!("`{}` has no equivalent in riprs", words.join(" ")),
        };
        self.notes.push((line, reason));
    }

    /// The configuration node: blocks, prefix and access lists, logging.
    fn config(&mut self, line: usize, words: &[&str]) -> Outcome {
        match words {
            ["router", "rip"] => {
                self.node = Node::RouterRip;
                Outcome::Done
            }
            ["router", ..] => {
                let header = words.join(" ");
                self.node = Node::Foreign(header.clone());
                Outcome::Report(format!("`{header}`: riprs speaks RIPv2 only"))
            }
            ["interface", name] => match names::check_ifname(name) {
                Ok(()) => {
                    self.node = Node::Interface(name.to_string());
                    Outcome::Done
                }
                Err(why) => {
                    self.node = Node::Foreign(words.join(" "));
                    Outcome::Report(why)
                }
            },
            ["interface", ..] => {
                self.node = Node::Foreign(words.join(" "));
                Outcome::Report(
                    "riprs has no VRFs: this interface block is not carried over".into(),
                )
            }
            ["key", "chain", name] => {
                self.quagga.key_chains.entry(name.to_string()).or_default();
                self.node = Node::KeyChain(name.to_string());
                Outcome::Done
            }
            ["ip", "prefix-list", ..] => self.prefix_list(words),
            ["access-list", name, ..] => {
                self.access_list(line, name, words.get(2..).unwrap_or_default())
            }
            ["log", "file", path, level @ ..] => self.log_file(path, level),
            ["log", ..] => Outcome::Report(
                "riprs logs to stderr (the journal under systemd) or to [log] file".into(),
            ),
            ["debug", ..] | ["no", "debug", ..] => {
                Outcome::Report("no debug switches in riprs: use [log] level = \"debug\"".into())
            }
            ["hostname", ..] => Outcome::Report("riprs has no hostname setting".into()),
            ["password", ..] | ["enable", "password", ..] => Outcome::Report(
                "riprs has no vty: no passwords (its control socket is a file with permissions)"
                    .into(),
            ),
            ["line", ..] => {
                self.node = Node::Foreign(words.join(" "));
                Outcome::Report("riprs has no vty; `riprs show` reads the control socket".into())
            }
            ["frr", "version" | "defaults", ..] | ["service", "integrated-vtysh-config"] => {
                Outcome::Done
            }
            ["service", ..] => Outcome::Report("a vty service setting: riprs has no vty".into()),
            _ => Outcome::NotHere,
        }
    }

    fn router_rip(&mut self, line: usize, words: &[&str]) -> Outcome {
        let q = &mut self.quagga;
        match words {
            ["version", "2"] => Outcome::Done,
            ["version", ..] => Outcome::Report(
                "riprs sets the RIP version per interface: send-version and receive-version = \"v1\" under [interfaces.NAME]".into(),
            ),
            ["network", what] => {
                let entry = if what.contains('/') {
                    match masked_prefix(what) {
                        Some(prefix) => prefix.to_string(),
                        None => return Outcome::Report(format!("\"{what}\" is not a prefix")),
                    }
                } else {
                    match names::check_ifname(what) {
                        Ok(()) => what.to_string(),
                        Err(why) => return Outcome::Report(why),
                    }
                };
                if !q.networks.contains(&entry) {
                    q.networks.push(entry);
                }
                Outcome::Done
            }
            ["passive-interface", "default"] => {
                q.passive_default = true;
                q.passive_interfaces.clear();
                Outcome::Done
            }
            ["passive-interface", name] => match names::check_ifname(name) {
                Ok(()) => {
                    set_passive(q, name, true);
                    Outcome::Done
                }
                Err(why) => Outcome::Report(why),
            },
            ["neighbor", addr] => match names::parse_unicast(addr) {
                Ok(addr) => {
                    if !q.neighbors.contains(&addr) {
                        q.neighbors.push(addr);
                    }
                    Outcome::Done
                }
                Err(why) => Outcome::Report(why),
            },
            ["default-metric", n] => match n.parse::<u8>() {
                Ok(metric) if (1..=16).contains(&metric) => {
                    q.default_metric = Some(metric);
                    Outcome::Done
                }
                _ => Outcome::Report(format!("default-metric \"{n}\" is not 1 to 16")),
            },
            ["default-information", "originate"] => {
                q.default_information_originate = true;
                Outcome::Done
            }
            ["redistribute", kind, options @ ..] => Self::redistribute(q, kind, options),
            ["timers", "basic", update, timeout, garbage] => {
                let parsed: Vec<u64> = [update, timeout, garbage]
                    .iter()
                    .filter_map(|w| w.parse().ok())
                    .filter(|s| (1..=2_147_483_647).contains(s))
                    .collect();
                match parsed.as_slice() {
                    [u, t, g] => {
                        q.timers = Some([*u, *t, *g]);
                        Outcome::Done
                    }
                    _ => {
                        Outcome::Report("timers must be whole seconds from 1 to 2147483647".into())
                    }
                }
            }
            ["allow-ecmp", n] => match n.parse::<u32>() {
                Ok(paths) if (1..=64).contains(&paths) => {
                    q.max_paths = Some(paths);
                    Outcome::Done
                }
                _ => Outcome::Report(format!("allow-ecmp \"{n}\": riprs takes 1 to 64 paths")),
            },
            ["allow-ecmp"] => Outcome::Report(
                "FRR's bare allow-ecmp uses its build's path limit: set [rip] max-paths".into(),
            ),
            ["distribute-list", "prefix", list, dir, iface @ ..] => {
                self.distribute_list(line, ListRef::Prefix(list.to_string()), dir, iface)
            }
            ["distribute-list", list, dir, iface @ ..] => {
                self.distribute_list(line, ListRef::Access(list.to_string()), dir, iface)
            }
            ["offset-list", list, dir, offset, iface @ ..] => {
                let Some(direction) = direction(dir) else {
                    return Outcome::Report(format!("\"{dir}\" is not in or out"));
                };
                let Some(offset) = offset.parse::<u8>().ok().filter(|o| *o <= 16) else {
                    return Outcome::Report(format!("offset \"{offset}\" is not 0 to 16"));
                };
                let interface = match iface {
                    [] => None,
                    [name] => Some(name.to_string()),
                    _ => return Outcome::NotHere,
                };
                q.offset_lists.push(OffsetList {
                    line,
                    access_list: list.to_string(),
                    direction,
                    offset,
                    interface,
                });
                Outcome::Done
            }
            ["route", what] => match masked_prefix(what) {
                Some(prefix) => {
                    if !q.originate.contains(&prefix) {
                        q.originate.push(prefix);
                    }
                    Outcome::Done
                }
                None => Outcome::Report(format!("\"{what}\" is not a prefix")),
            },
            ["distance", ..] => Outcome::Report(
                "riprs installs routes with [kernel] metric; it has no distance".into(),
            ),
            ["no", "passive-interface", "default"] => {
                q.passive_default = false;
                q.passive_interfaces.clear();
                Outcome::Done
            }
            ["no", "passive-interface", name] => match names::check_ifname(name) {
                Ok(()) => {
                    set_passive(q, name, false);
                    Outcome::Done
                }
                Err(why) => Outcome::Report(why),
            },
            ["no", ..] => Outcome::Report(
                "`no` commands restate quagga defaults or have no equivalent".into(),
            ),
            _ => Outcome::NotHere,
        }
    }

    /// `redistribute connected|static|kernel [metric N] [route-map NAME]`.
    fn redistribute(q: &mut Quagga, kind: &str, options: &[&str]) -> Outcome {
        let kind = match kind {
            "connected" => "connected",
            "static" => "static",
            "kernel" => "kernel",
            other => {
                return Outcome::Report(format!(
                    "riprs redistributes connected, static and kernel routes, not {other}"
                ));
            }
        };
        if options.contains(&"route-map") {
            return Outcome::Report(format!(
                "riprs has no route maps: `redistribute {kind}` without it would advertise more, so it is not carried over"
            ));
        }
        let (metric, outcome) = match options {
            [] => (None, Outcome::Done),
            ["metric", n] => match n.parse::<u8>() {
                Ok(metric) if (1..=16).contains(&metric) => (Some(metric), Outcome::Done),
                _ => (
                    None,
                    Outcome::Report(format!(
                        "redistribute {kind} is carried over, its metric \"{n}\" is not (1 to 16)"
                    )),
                ),
            },
            _ => (
                None,
                Outcome::Report(format!(
                    "redistribute {kind} is carried over, `{}` is not",
                    options.join(" ")
                )),
            ),
        };
        match q.redistribute.iter_mut().find(|(k, _)| *k == kind) {
            Some(entry) => entry.1 = metric,
            None => q.redistribute.push((kind, metric)),
        }
        outcome
    }

    fn distribute_list(
        &mut self,
        line: usize,
        list: ListRef,
        dir: &str,
        iface: &[&str],
    ) -> Outcome {
        let Some(direction) = direction(dir) else {
            return Outcome::Report(format!("\"{dir}\" is not in or out"));
        };
        let interface = match iface {
            [] => None,
            [name] => match names::check_ifname(name) {
                Ok(()) => Some(name.to_string()),
                Err(why) => return Outcome::Report(why),
            },
            _ => return Outcome::NotHere,
        };
        self.quagga.distribute_lists.push(DistributeList {
            line,
            list,
            direction,
            interface,
        });
        Outcome::Done
    }

    fn interface(&mut self, line: usize, words: &[&str], name: &str) -> Outcome {
        const ZEBRA: &str =
            "an interface setting of zebra's, not ripd's: riprs does not configure interfaces";
        let iface = self.quagga.interfaces.entry(name.to_string()).or_default();
        match words {
            ["description", ..] => {
                iface.descriptions.push(rest(words, 1));
                Outcome::Done
            }
            ["ip", "rip", "authentication", "mode", mode, options @ ..] => {
                let mode = match *mode {
                    "md5" => AuthMode::KeyedMd5,
                    "text" => AuthMode::Password,
                    other => return Outcome::Report(format!("authentication mode \"{other}\" is not md5 or text")),
                };
                let len = match options {
                    [] => None,
                    ["auth-length", "rfc"] if mode == AuthMode::KeyedMd5 => Some(Md5AuthLen::Rfc),
                    ["auth-length", "old-ripd"] if mode == AuthMode::KeyedMd5 => Some(Md5AuthLen::OldRipd),
                    _ => return Outcome::Report(format!("`{}` is not auth-length rfc|old-ripd", options.join(" "))),
                };
                iface.auth_mode = Some((line, mode, len));
                Outcome::Done
            }
            ["ip", "rip", "authentication", "key-chain", chain] => {
                iface.key_chain = Some((line, chain.to_string()));
                Outcome::Done
            }
            ["ip", "rip", "authentication", "string", _, ..] => {
                iface.auth_string = Some((line, rest(words, 4)));
                Outcome::Done
            }
            ["ip", "rip", "split-horizon"] | ["ip", "split-horizon"] => {
                iface.split_horizon = Some(SplitHorizon::Simple);
                Outcome::Done
            }
            ["ip", "rip", "split-horizon", "poisoned-reverse"] | ["ip", "split-horizon", "poisoned-reverse"] => {
                iface.split_horizon = Some(SplitHorizon::PoisonedReverse);
                Outcome::Done
            }
            ["no", "ip", "rip", "split-horizon"] | ["no", "ip", "split-horizon"] => {
                iface.split_horizon = Some(SplitHorizon::Off);
                Outcome::Done
            }
            ["no", "ip", "rip", "split-horizon", "poisoned-reverse"]
            | ["no", "ip", "split-horizon", "poisoned-reverse"] => {
                iface.split_horizon = Some(SplitHorizon::Simple);
                Outcome::Done
            }
            ["ip", "rip", "send", "version", "1"] => {
                iface.send_version = Some(SendVersion::V1);
                Outcome::Done
            }
            ["ip", "rip", "send", "version", "2"] => {
                // After `ip rip v2-broadcast`, still broadcast.
                if iface.send_version != Some(SendVersion::V2Broadcast) {
                    iface.send_version = Some(SendVersion::V2);
                }
                Outcome::Done
            }
            ["ip", "rip", "send", "version", ..] => Outcome::Report(
                "riprs sends one RIP version per interface (send-version): not carried over".into(),
            ),
            ["ip", "rip", "v2-broadcast"] => {
                if iface.send_version != Some(SendVersion::V1) {
                    iface.send_version = Some(SendVersion::V2Broadcast);
                }
                Outcome::Done
            }
            ["ip", "rip", "receive", "version", "1"] => {
                iface.receive_version = Some(ReceiveVersion::V1Only);
                Outcome::Done
            }
            ["ip", "rip", "receive", "version", "2"] => {
                iface.receive_version = Some(ReceiveVersion::V2Only);
                Outcome::Done
            }
            ["ip", "rip", "receive", "version", "1", "2"] => {
                iface.receive_version = Some(ReceiveVersion::Both);
                Outcome::Done
            }
            ["multicast"] => Outcome::Done,
            ["no", "multicast"] => Outcome::Report(
                "riprs turns multicast on where RIP runs (multicast = \"auto\"); \"keep\" leaves it alone".into(),
            ),
            ["ip", "address", ..] | ["ipv6", ..] | ["link-detect"] | ["no", "link-detect"] | ["bandwidth", ..]
            | ["shutdown"] | ["no", "shutdown"] => Outcome::Report(ZEBRA.into()),
            ["ip", "rip", ..] | ["no", "ip", "rip", ..] => {
                Outcome::Report(format!("`{}` has no equivalent in riprs", words.join(" ")))
            }
            _ => Outcome::NotHere,
        }
    }

    fn key_chain(&mut self, line: usize, words: &[&str], chain: &str) -> Outcome {
        match words {
            ["key", id] => {
                let Ok(id) = id.parse::<u32>() else {
                    return Outcome::Report(format!("key id \"{id}\" is not a number"));
                };
                let keys = self.quagga.key_chains.entry(chain.to_string()).or_default();
                if !keys.iter().any(|k| k.id == id) {
                    keys.push(Key {
                        line,
                        id,
                        ..Key::default()
                    });
                }
                self.node = Node::Key(chain.to_string(), id);
                Outcome::Done
            }
            _ => Outcome::NotHere,
        }
    }

    fn key(&mut self, _line: usize, words: &[&str], chain: &str, id: u32) -> Outcome {
        let Some(key) = self
            .quagga
            .key_chains
            .get_mut(chain)
            .and_then(|keys| keys.iter_mut().find(|k| k.id == id))
        else {
            return Outcome::NotHere;
        };
        match words {
            ["key-string", _, ..] => {
                key.secret = Some(rest(words, 1));
                Outcome::Done
            }
            ["accept-lifetime", times @ ..] => match lifetime::parse(times) {
                Ok(window) => {
                    key.accept = Some(window);
                    Outcome::Done
                }
                Err(why) => Outcome::Report(format!("{why}; the key is accepted at all times")),
            },
            ["send-lifetime", times @ ..] => match lifetime::parse(times) {
                Ok(window) => {
                    key.send = Some(window);
                    Outcome::Done
                }
                Err(why) => Outcome::Report(format!("{why}; the key may be sent at all times")),
            },
            _ => Outcome::NotHere,
        }
    }

    /// `ip prefix-list NAME [seq N] permit|deny PREFIX|any [ge N] [le N]`.
    fn prefix_list(&mut self, words: &[&str]) -> Outcome {
        let (name, mut args) = match words {
            ["ip", "prefix-list", "sequence-number"] => return Outcome::Done,
            ["ip", "prefix-list", name, "description", ..] => {
                self.quagga
                    .prefix_lists
                    .entry(name.to_string())
                    .or_default();
                return Outcome::Done;
            }
            ["ip", "prefix-list", name, args @ ..] => (*name, args),
            _ => return Outcome::NotHere,
        };
        let seq = match args {
            ["seq", n, more @ ..] => {
                args = more;
                match n.parse::<u32>() {
                    Ok(n) => Some(n),
                    Err(_) => return Outcome::Report(format!("seq \"{n}\" is not a number")),
                }
            }
            _ => None,
        };
        let rule = match parse_prefix_rule(args) {
            Ok(rule) => rule,
            Err(why) => return Outcome::Report(why),
        };
        let rules = self
            .quagga
            .prefix_lists
            .entry(name.to_string())
            .or_default();
        // quagga numbers rules without seq in fives after the highest.
        let seq = seq.unwrap_or_else(|| {
            rules
                .iter()
                .map(|r| r.seq)
                .max()
                .map_or(5, |m| m.saturating_add(5))
        });
        let at = rules.partition_point(|r| r.seq <= seq);
        rules.insert(at, SequencedRule { seq, rule });
        Outcome::Done
    }

    /// `access-list NAME [seq N] permit|deny PREFIX [exact-match] | any`
    /// (zebra style) or `... A.B.C.D WILDCARD | host A.B.C.D` (cisco style),
    /// as prefix-list rules.
    fn access_list(&mut self, line: usize, name: &str, args: &[&str]) -> Outcome {
        let args = match args {
            ["seq", _, more @ ..] => more,
            _ => args,
        };
        if let ["remark", ..] = args {
            return Outcome::Done;
        }
        let list = match self.quagga.access_lists.entry(name.to_string()) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(Default::default()),
        };
        let (permit, what) = match args {
            ["permit", what @ ..] => (true, what),
            ["deny", what @ ..] => (false, what),
            _ => {
                list.broken.get_or_insert(line);
                return Outcome::Report(
                    "not a standard access-list entry (permit|deny ...)".into(),
                );
            }
        };
        let inside = |prefix: Ipv4Prefix| PrefixRule {
            permit,
            prefix,
            ge: None,
            le: Some(32),
        };
        let converted = match what {
            ["any"] => Ok(inside(Ipv4Prefix::DEFAULT)),
            [prefix] if prefix.contains('/') => masked_prefix(prefix).map(inside).ok_or_else(|| format!("\"{prefix}\" is not a prefix")),
            [prefix, "exact-match"] => masked_prefix(prefix)
                .map(|prefix| PrefixRule {
                    permit,
                    prefix,
                    ge: None,
                    le: None,
                })
                .ok_or_else(|| format!("\"{prefix}\" is not a prefix")),
            ["host", _] | [_, _] | [_] => Err(
                "a cisco-style access-list matches a route's address whatever its length, which a prefix list \
                 cannot express: write it as a zebra-style access-list (PREFIX [exact-match]) or an ip prefix-list"
                    .to_string(),
            ),
            _ => Err("an extended access-list: riprs converts standard ones (PREFIX [exact-match] | any)".to_string()),
        };
        match converted {
            Ok(rule) => {
                list.rules.push(rule);
                Outcome::Done
            }
            Err(why) => {
                list.broken.get_or_insert(line);
                Outcome::Report(why)
            }
        }
    }

    fn log_file(&mut self, path: &str, level: &[&str]) -> Outcome {
        self.quagga.log_file = Some(path.to_string());
        let level = match level {
            [] => return Outcome::Done,
            ["emergencies" | "alerts" | "critical" | "errors"] => LogLevel::Error,
            ["warnings"] => LogLevel::Warn,
            ["notifications" | "informational"] => LogLevel::Info,
            ["debugging"] => LogLevel::Debug,
            _ => {
                return Outcome::Report(format!(
                    "log level `{}` is not a quagga level",
                    level.join(" ")
                ));
            }
        };
        self.quagga.log_level = Some(level);
        Outcome::Done
    }
}

/// `permit|deny PREFIX|any [ge N] [le N]`.
fn parse_prefix_rule(args: &[&str]) -> Result<PrefixRule, String> {
    let (permit, rest) = match args {
        ["permit", rest @ ..] => (true, rest),
        ["deny", rest @ ..] => (false, rest),
        _ => return Err("expected permit or deny".into()),
    };
    let (prefix, mut bounds) = match rest {
        ["any", more @ ..] => {
            return if more.is_empty() {
                Ok(PrefixRule {
                    permit,
                    prefix: Ipv4Prefix::DEFAULT,
                    ge: None,
                    le: Some(32),
                })
            } else {
                Err("`any` takes no ge or le".into())
            };
        }
        [prefix, more @ ..] => (
            prefix
                .parse::<Ipv4Prefix>()
                .map_err(|e| format!("\"{prefix}\": {e}"))?,
            more,
        ),
        [] => return Err("expected a prefix".into()),
    };
    let mut ge = None;
    let mut le = None;
    loop {
        match bounds {
            [] => break,
            ["ge", n, more @ ..] => {
                ge = Some(
                    n.parse::<u8>()
                        .map_err(|_| format!("ge \"{n}\" is not a length"))?,
                );
                bounds = more;
            }
            ["le", n, more @ ..] => {
                le = Some(
                    n.parse::<u8>()
                        .map_err(|_| format!("le \"{n}\" is not a length"))?,
                );
                bounds = more;
            }
            _ => return Err(format!("`{}` is not ge N or le N", bounds.join(" "))),
        }
    }
    let len = prefix.prefix_len();
    let low = ge.unwrap_or(len);
    if low < len || low > 32 || le.is_some_and(|le| le < low || le > 32) {
        return Err(format!("the range is not within {len}..=32 with ge <= le"));
    }
    Ok(PrefixRule {
        permit,
        prefix,
        ge,
        le,
    })
}

/// quagga's ripd keeps the interfaces that differ from the passive default
/// in one list: `passive-interface NAME` and `no passive-interface NAME` add
/// or remove NAME depending on the default.
fn set_passive(q: &mut Quagga, name: &str, passive: bool) {
    let differs = passive != q.passive_default;
    let listed = q.passive_interfaces.iter().position(|p| p == name);
    match (differs, listed) {
        (true, None) => q.passive_interfaces.push(name.to_string()),
        (false, Some(at)) => {
            q.passive_interfaces.remove(at);
        }
        _ => {}
    }
}
