//! Writing the collected configuration as ripd.toml, resolving the names
//! that `distribute-list` and `offset-list` use and authentication's key
//! chains; what does not resolve is reported at its line.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use rip_codec::{AuthMode, Md5AuthLen};
use rip_engine::{Direction, PrefixRule, ReceiveVersion, SendVersion, SplitHorizon};

use super::model::{Interface, Key, ListRef, Quagga};
use crate::config::timestamp::format_rfc3339;

/// A TOML string, quoted and escaped.
fn string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// A TOML key: bare where it can be, quoted otherwise.
fn key(name: &str) -> String {
    let bare = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if bare { name.to_string() } else { string(name) }
}

fn strings<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let quoted: Vec<String> = items.into_iter().map(string).collect();
    format!("[{}]", quoted.join(", "))
}

fn rule(rule: &PrefixRule) -> String {
    let mut out = format!(
        "{{ action = \"{}\", prefix = \"{}\"",
        if rule.permit { "permit" } else { "deny" },
        rule.prefix
    );
    if let Some(ge) = rule.ge {
        let _ = write!(out, ", ge = {ge}");
    }
    if let Some(le) = rule.le {
        let _ = write!(out, ", le = {le}");
    }
    out.push_str(" }");
    out
}

/// Filters of one scope (all interfaces, or one), in and out.
#[derive(Default)]
struct Filters {
    filter_in: Option<(usize, String)>,
    filter_out: Option<(usize, String)>,
}

impl Filters {
    fn toml(&self) -> Option<String> {
        let mut parts = Vec::new();
        if let Some((_, list)) = &self.filter_in {
            parts.push(format!("in = {}", string(list)));
        }
        if let Some((_, list)) = &self.filter_out {
            parts.push(format!("out = {}", string(list)));
        }
        (!parts.is_empty()).then(|| format!("{{ {} }}", parts.join(", ")))
    }
}

/// Names of prefix lists in the output: quagga's own, then its access lists
/// (renamed where a prefix list has the same name).
struct ListNames {
    prefix: BTreeSet<String>,
    access: BTreeMap<String, String>,
}

impl ListNames {
    fn new(q: &Quagga) -> Self {
        let prefix: BTreeSet<String> = q.prefix_lists.keys().cloned().collect();
        let mut taken = prefix.clone();
        let mut access = BTreeMap::new();
        for (name, list) in &q.access_lists {
            if list.broken.is_some() {
                continue;
            }
            let mut out = name.clone();
            let mut n = 1;
            while taken.contains(&out) {
                out = if n == 1 {
                    format!("access-list-{name}")
                } else {
                    format!("access-list-{name}-{n}")
                };
                n += 1;
            }
            taken.insert(out.clone());
            access.insert(name.clone(), out);
        }
        ListNames { prefix, access }
    }

    /// The output name of a referenced list, or why there is none.
    fn resolve(&self, q: &Quagga, list: &ListRef) -> Result<String, String> {
        match list {
            ListRef::Prefix(name) if self.prefix.contains(name) => Ok(name.clone()),
            ListRef::Prefix(name) => Err(format!(
                "ip prefix-list {name} is not defined in this file (quagga then filters nothing)"
            )),
            ListRef::Access(name) => self.access_list(q, name),
        }
    }

    fn access_list(&self, q: &Quagga, name: &str) -> Result<String, String> {
        match (self.access.get(name), q.access_lists.get(name)) {
            (Some(out), _) => Ok(out.clone()),
            (None, Some(list)) => Err(format!(
                "access-list {name} could not be converted (line {})",
                list.broken.unwrap_or_default()
            )),
            (None, None) => Err(format!("access-list {name} is not defined in this file")),
        }
    }
}

/// Writes ripd.toml; lines whose references do not resolve go to `notes`.
pub(super) fn write(q: &Quagga, notes: &mut Vec<(usize, String)>) -> String {
    let names = ListNames::new(q);
    let mut out = String::from("# Converted from a quagga ripd.conf by `riprs import-quagga`.\n\n");

    // distribute-list: one per direction for all interfaces, and per interface.
    let mut global = Filters::default();
    let mut per_interface: BTreeMap<String, Filters> = BTreeMap::new();
    for dl in &q.distribute_lists {
        let list = match names.resolve(q, &dl.list) {
            Ok(list) => list,
            Err(why) => {
                notes.push((dl.line, format!("{why}; not carried over")));
                continue;
            }
        };
        let scope = match &dl.interface {
            None => &mut global,
            Some(name) => per_interface.entry(name.clone()).or_default(),
        };
        let slot = match dl.direction {
            Direction::In => &mut scope.filter_in,
            Direction::Out => &mut scope.filter_out,
        };
        match slot {
            Some((first, _)) => notes.push((
                dl.line,
                format!(
                    "riprs takes one distribute-list per direction and interface; line {first}'s is carried over, this one is not"
                ),
            )),
            None => *slot = Some((dl.line, list)),
        }
    }

    // [rip]
    out.push_str("[rip]\n");
    let _ = writeln!(
        out,
        "networks = {}",
        strings(q.networks.iter().map(String::as_str))
    );
    if q.passive_default {
        out.push_str("passive-default = true\n");
    } else if !q.passive_interfaces.is_empty() {
        let _ = writeln!(
            out,
            "passive-interfaces = {}",
            strings(q.passive_interfaces.iter().map(String::as_str))
        );
    }
    if !q.neighbors.is_empty() {
        let neighbors: Vec<String> = q.neighbors.iter().map(|n| n.to_string()).collect();
        let _ = writeln!(
            out,
            "neighbors = {}",
            strings(neighbors.iter().map(String::as_str))
        );
    }
    if let Some(metric) = q.default_metric {
        let _ = writeln!(out, "default-metric = {metric}");
    }
    if q.default_information_originate {
        out.push_str("default-information-originate = true\n");
    }
    if !q.originate.is_empty() {
        let prefixes: Vec<String> = q.originate.iter().map(|p| p.to_string()).collect();
        let _ = writeln!(
            out,
            "originate = {}",
            strings(prefixes.iter().map(String::as_str))
        );
    }
    if !q.redistribute.is_empty() {
        let kinds: Vec<String> = q
            .redistribute
            .iter()
            .map(|(kind, metric)| match metric {
                None => string(kind),
                Some(metric) => format!("{{ kind = {}, metric = {metric} }}", string(kind)),
            })
            .collect();
        let _ = writeln!(out, "redistribute = [{}]", kinds.join(", "));
    }
    if let Some(paths) = q.max_paths {
        let _ = writeln!(out, "max-paths = {paths}");
    }
    if let Some(filters) = global.toml() {
        let _ = writeln!(out, "distribute-list = {filters}");
    }
    let mut offsets = Vec::new();
    for ol in &q.offset_lists {
        match names.access_list(q, &ol.access_list) {
            Ok(list) => {
                let mut entry = format!(
                    "{{ prefix-list = {}, direction = \"{}\", offset = {}",
                    string(&list),
                    if ol.direction == Direction::In {
                        "in"
                    } else {
                        "out"
                    },
                    ol.offset
                );
                if let Some(iface) = &ol.interface {
                    let _ = write!(entry, ", interface = {}", string(iface));
                }
                entry.push_str(" }");
                offsets.push(entry);
            }
            Err(why) => notes.push((ol.line, format!("{why}; not carried over"))),
        }
    }
    if !offsets.is_empty() {
        out.push_str("offset-lists = [\n");
        for entry in offsets {
            let _ = writeln!(out, "  {entry},");
        }
        out.push_str("]\n");
    }
    if let Some([update, timeout, garbage]) = q.timers {
        let _ = write!(
            out,
            "\n[rip.timers]\nupdate = {update}\ntimeout = {timeout}\ngarbage = {garbage}\n"
        );
    }

    // [interfaces.NAME], with chains made for md5 keys given as strings.
    let mut made_chains: Vec<(String, String)> = Vec::new();
    let mut names_in_use: BTreeSet<String> = q.key_chains.keys().cloned().collect();
    let mut interface_names: BTreeSet<&String> = q.interfaces.keys().collect();
    interface_names.extend(per_interface.keys());
    // With `passive-interface default`, the listed interfaces are the active ones.
    let active: &[String] = if q.passive_default {
        &q.passive_interfaces
    } else {
        &[]
    };
    interface_names.extend(active);
    let mut wrote_interface = false;
    for name in interface_names {
        let iface = q.interfaces.get(name);
        let mut lines = Vec::new();
        if let Some(iface) = iface {
            match iface.split_horizon {
                Some(SplitHorizon::PoisonedReverse) => {
                    lines.push("split-horizon = \"poisoned-reverse\"".to_string())
                }
                Some(SplitHorizon::Off) => lines.push("split-horizon = \"off\"".to_string()),
                _ => {}
            }
            if let Some(auth) =
                authentication(q, name, iface, &mut names_in_use, &mut made_chains, notes)
            {
                lines.push(format!("authentication = {auth}"));
            }
            match iface.send_version {
                Some(SendVersion::V1) => lines.push("send-version = \"v1\"".to_string()),
                Some(SendVersion::V2Broadcast) => {
                    lines.push("send-version = \"v2-broadcast\"".to_string())
                }
                _ => {}
            }
            match iface.receive_version {
                Some(ReceiveVersion::V1Only) => lines.push("receive-version = \"v1\"".to_string()),
                Some(ReceiveVersion::V2Only) => lines.push("receive-version = \"v2\"".to_string()),
                _ => {}
            }
        }
        if let Some(filters) = per_interface.get(name).and_then(Filters::toml) {
            lines.push(format!("distribute-list = {filters}"));
        }
        if active.contains(name) {
            lines.push("passive = false".to_string());
        }
        if lines.is_empty() {
            continue;
        }
        if !wrote_interface {
            out.push_str(
                "\n# riprs runs RIP on every interface named under [interfaces], as well as on those\n\
                 # `networks` matches; quagga ran it only where `network` matched.\n",
            );
            wrote_interface = true;
        }
        let _ = writeln!(out, "\n[interfaces.{}]", key(name));
        for description in iface.map(|i| i.descriptions.as_slice()).unwrap_or_default() {
            let _ = writeln!(out, "# {description}");
        }
        for line in lines {
            let _ = writeln!(out, "{line}");
        }
    }

    // [key-chains.NAME]
    let lifetimes = q
        .key_chains
        .values()
        .flatten()
        .any(|k| k.send.is_some() || k.accept.is_some());
    if lifetimes {
        out.push_str(
            "\n# quagga read key lifetimes in the machine's local time; they are written here as UTC.\n",
        );
    }
    for (chain, keys) in &q.key_chains {
        let _ = writeln!(out, "\n[key-chains.{}]", key(chain));
        let entries: Vec<String> = keys.iter().filter_map(|k| key_entry(k, notes)).collect();
        write_array(&mut out, "keys", &entries);
    }
    for (chain, secret) in &made_chains {
        let _ = writeln!(out, "\n[key-chains.{}]", key(chain));
        let entries = vec![format!("{{ id = 1, secret = {} }}", string(secret))];
        write_array(&mut out, "keys", &entries);
    }

    // [prefix-lists.NAME]: quagga's prefix lists, then its access lists.
    for (name, rules) in &q.prefix_lists {
        let _ = writeln!(out, "\n[prefix-lists.{}]", key(name));
        let entries: Vec<String> = rules.iter().map(|r| rule(&r.rule)).collect();
        write_array(&mut out, "rules", &entries);
    }
    for (acl, name) in &names.access {
        let Some(list) = q.access_lists.get(acl) else {
            continue;
        };
        let _ = writeln!(
            out,
            "\n[prefix-lists.{}]\n# from access-list {acl}",
            key(name)
        );
        let entries: Vec<String> = list.rules.iter().map(rule).collect();
        write_array(&mut out, "rules", &entries);
    }

    if q.log_file.is_some() || q.log_level.is_some() {
        out.push_str("\n[log]\n");
        if let Some(level) = q.log_level {
            let _ = writeln!(out, "level = \"{level}\"");
        }
        if let Some(file) = &q.log_file {
            let _ = writeln!(out, "file = {}", string(file));
        }
    }
    out
}

fn write_array(out: &mut String, name: &str, entries: &[String]) {
    if entries.is_empty() {
        let _ = writeln!(out, "{name} = []");
        return;
    }
    let _ = writeln!(out, "{name} = [");
    for entry in entries {
        let _ = writeln!(out, "  {entry},");
    }
    out.push_str("]\n");
}

/// One key of a chain, or `None` (reported) when riprs cannot take it.
fn key_entry(k: &Key, notes: &mut Vec<(usize, String)>) -> Option<String> {
    let Ok(id) = u8::try_from(k.id) else {
        notes.push((
            k.line,
            format!(
                "key {}: RIP carries key ids 0 to 255; not carried over",
                k.id
            ),
        ));
        return None;
    };
    let Some(secret) = &k.secret else {
        notes.push((
            k.line,
            format!("key {id} has no key-string; not carried over"),
        ));
        return None;
    };
    let mut entry = format!("{{ id = {id}, secret = {}", string(secret));
    for (prefix, window) in [("send", k.send), ("accept", k.accept)] {
        if let Some((from, until)) = window {
            let _ = write!(entry, ", {prefix}-from = \"{}\"", format_rfc3339(from));
            if let Some(until) = until {
                let _ = write!(entry, ", {prefix}-until = \"{}\"", format_rfc3339(until));
            }
        }
    }
    entry.push_str(" }");
    Some(entry)
}

/// `authentication = { ... }` of an interface, if it authenticates.
///
/// quagga prefers the key chain to the string when both are given; an md5
/// string becomes a key chain of its own with key id 1, as quagga sends it.
/// Where keys are missing the mode is still written, so that `riprs check`
/// refuses the file rather than running without authentication.
fn authentication(
    q: &Quagga,
    ifname: &str,
    iface: &Interface,
    names_in_use: &mut BTreeSet<String>,
    made_chains: &mut Vec<(String, String)>,
    notes: &mut Vec<(usize, String)>,
) -> Option<String> {
    let Some((mode_line, mode, len)) = iface.auth_mode else {
        for (line, what) in [
            (iface.key_chain.as_ref().map(|(l, _)| *l), "key-chain"),
            (iface.auth_string.as_ref().map(|(l, _)| *l), "string"),
        ] {
            if let Some(line) = line {
                notes.push((
                    line,
                    format!("authentication {what} without `ip rip authentication mode` has no effect in quagga; not carried over"),
                ));
            }
        }
        return None;
    };
    let mode_name = if mode == AuthMode::KeyedMd5 {
        "md5"
    } else {
        "text"
    };
    let mut parts = vec![format!("mode = \"{mode_name}\"")];
    match (&iface.key_chain, &iface.auth_string) {
        (Some((chain_line, chain)), string_given) => {
            parts.push(format!("key-chain = {}", string(chain)));
            if !q.key_chains.contains_key(chain) {
                notes.push((
                    *chain_line,
                    format!(
                        "key chain {chain} is not defined in this file: add [key-chains.{}] before `riprs check` accepts the result",
                        key(chain)
                    ),
                ));
            }
            if let Some((string_line, _)) = string_given {
                notes.push((
                    *string_line,
                    "quagga uses the key chain when both are given; the string is not carried over".into(),
                ));
            }
        }
        (None, Some((_, secret))) if mode == AuthMode::Password => {
            parts.push(format!("password = {}", string(secret)));
        }
        (None, Some((_, secret))) => {
            let mut chain = ifname.to_string();
            let mut n = 2;
            while names_in_use.contains(&chain) {
                chain = format!("{ifname}-{n}");
                n += 1;
            }
            names_in_use.insert(chain.clone());
            parts.push(format!("key-chain = {}", string(&chain)));
            made_chains.push((chain, secret.clone()));
        }
        (None, None) => notes.push((
            mode_line,
            format!(
                "authentication mode {mode_name} without a key-chain or string: written as is, `riprs check` will ask for keys"
            ),
        )),
    }
    match len {
        Some(Md5AuthLen::Rfc) => parts.push("md5-auth-length = \"rfc\"".into()),
        Some(Md5AuthLen::OldRipd) => parts.push("md5-auth-length = \"old-ripd\"".into()),
        None => {}
    }
    Some(format!("{{ {} }}", parts.join(", ")))
}
