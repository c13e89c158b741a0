//! `[rip]` and `[rip.timers]`: where RIP runs and how it behaves.

use std::ops::Range;
use std::time::Duration;

use rip_engine::{Direction, OffsetList, Redistribute, Timers};
use toml::de::{DeTable, DeValue};

use super::{int, name, read_distribute_list};
use crate::config::model::Document;
use crate::config::names::{self, Network};
use crate::config::reader::{Reader, child, element};

const KEYS: &[&str] = &[
    "networks",
    "passive-interfaces",
    "passive-default",
    "neighbors",
    "default-metric",
    "default-information-originate",
    "originate",
    "redistribute",
    "timers",
    "max-paths",
    "max-routes",
    "distribute-list",
    "offset-lists",
];

/// Largest timer quagga accepts, in seconds.
const MAX_TIMER: i64 = 2_147_483_647;
/// Largest `max-paths`: next hops the kernel takes in one multipath route is
/// far more, but more than this many equal-cost RIP neighbors is a mistake.
const MAX_PATHS: i64 = 64;
const MAX_ROUTES: i64 = u32::MAX as i64;

pub(super) fn read(
    reader: &mut Reader<'_>,
    rip: &DeTable<'_>,
    span: Range<usize>,
    doc: &mut Document,
) {
    reader.check_keys(rip, "rip", KEYS);
    let engine = &mut doc.settings.engine;

    match rip.get("networks") {
        Some(value) => {
            for (key, text, span) in reader.strings(value, "rip.networks") {
                match names::parse_network(text) {
                    Ok(Network::Prefix(prefix)) => engine.networks.push(prefix),
                    Ok(Network::Interface(name)) => engine.network_interfaces.push(name),
                    Err(why) => reader.error(span, &key, why),
                }
            }
        }
        None => reader.error(
            span,
            "rip.networks",
            "required: the prefixes or interface names RIP runs on, e.g. networks = [\"192.168.10.0/24\"]",
        ),
    }
    if let Some(value) = rip.get("passive-interfaces") {
        for (key, text, span) in reader.strings(value, "rip.passive-interfaces") {
            match names::check_ifname(text) {
                Ok(()) => engine.passive_interfaces.push(text.to_string()),
                Err(why) => reader.error(span, &key, why),
            }
        }
    }
    if let Some(value) = rip.get("passive-default")
        && let Some(on) = reader.boolean(value, "rip.passive-default")
    {
        engine.passive_default = on;
    }
    if let Some(value) = rip.get("neighbors") {
        for (key, text, span) in reader.strings(value, "rip.neighbors") {
            match names::parse_unicast(text) {
                Ok(addr) => engine.neighbors.push(addr),
                Err(why) => reader.error(span, &key, why),
            }
        }
    }
    if let Some(value) = rip.get("default-metric")
        && let Some(metric) = int(reader, value, "rip.default-metric", 1..=16)
    {
        engine.default_metric = metric;
    }
    if let Some(value) = rip.get("default-information-originate")
        && let Some(on) = reader.boolean(value, "rip.default-information-originate")
    {
        engine.default_information_originate = on;
    }
    if let Some(value) = rip.get("originate") {
        for (key, text, span) in reader.strings(value, "rip.originate") {
            match names::parse_prefix(text).and_then(routable) {
                Ok(prefix) if engine.originate.contains(&prefix) => {
                    reader.error(span, &key, format!("{prefix} is listed twice"))
                }
                Ok(prefix) => engine.originate.push(prefix),
                Err(why) => reader.error(span, &key, why),
            }
        }
    }
    if let Some(value) = rip.get("redistribute") {
        engine.redistribute = read_redistribute(reader, value);
    }
    if let Some(value) = rip.get("timers")
        && let Some(timers) = reader.table(value, "rip.timers")
    {
        engine.timers = read_timers(reader, timers, value.span());
    }
    if let Some(value) = rip.get("max-paths")
        && let Some(paths) = int(reader, value, "rip.max-paths", 1..=MAX_PATHS)
    {
        engine.max_paths = paths;
    }
    if let Some(value) = rip.get("max-routes")
        && let Some(routes) = int(reader, value, "rip.max-routes", 1..=MAX_ROUTES)
    {
        engine.max_routes = routes;
    }
    if let Some(value) = rip.get("distribute-list") {
        let (filter_in, filter_out) =
            read_distribute_list(reader, value, "rip.distribute-list", doc);
        doc.settings.engine.filter_in = filter_in;
        doc.settings.engine.filter_out = filter_out;
    }
    if let Some(value) = rip.get("offset-lists") {
        read_offset_lists(reader, value, doc);
    }
}

/// `redistribute = ["connected", { kind = "static", metric = 3 }]`: a kind,
/// or a kind with its own metric (quagga's `redistribute KIND metric N`).
fn read_redistribute(
    reader: &mut Reader<'_>,
    value: &crate::config::reader::Value<'_>,
) -> Redistribute {
    let mut redistribute = Redistribute::default();
    let Some(array) = reader.array(value, "rip.redistribute") else {
        return redistribute;
    };
    let kinds = [("connected", 0), ("static", 1), ("kernel", 2)];
    for (i, item) in array.iter().enumerate() {
        let key = element("rip.redistribute", i);
        let (kind, metric) = if let DeValue::Table(table) = item.get_ref() {
            reader.check_keys(table, &key, &["kind", "metric"]);
            let kind = match table.get("kind") {
                Some(kind) => reader.choice(kind, &child(&key, "kind"), &kinds),
                None => {
                    reader.error(
                        item.span(),
                        &child(&key, "kind"),
                        "required: \"connected\", \"static\" or \"kernel\"",
                    );
                    None
                }
            };
            let metric = table
                .get("metric")
                .and_then(|m| int(reader, m, &child(&key, "metric"), 1..=16));
            (kind, metric)
        } else {
            (reader.choice(item, &key, &kinds), None)
        };
        match kind {
            Some(0) => {
                redistribute.connected = true;
                redistribute.connected_metric = metric;
            }
            Some(1) => {
                redistribute.static_routes = true;
                redistribute.static_metric = metric;
            }
            Some(_) => {
                redistribute.kernel = true;
                redistribute.kernel_metric = metric;
            }
            None => {}
        }
    }
    redistribute
}

fn read_timers(reader: &mut Reader<'_>, table: &DeTable<'_>, span: Range<usize>) -> Timers {
    reader.check_keys(table, "rip.timers", &["update", "timeout", "garbage"]);
    let mut timers = Timers::default();
    let seconds = |reader: &mut Reader<'_>, name: &str| {
        let value = table.get(name)?;
        let secs: u64 = int(reader, value, &child("rip.timers", name), 1..=MAX_TIMER)?;
        Some(Duration::from_secs(secs))
    };
    if let Some(update) = seconds(reader, "update") {
        timers.update = update;
    }
    if let Some(timeout) = seconds(reader, "timeout") {
        timers.timeout = timeout;
    }
    if let Some(garbage) = seconds(reader, "garbage") {
        timers.garbage = garbage;
    }
    if timers.timeout <= timers.update {
        let at = table.get("timeout").map_or(span, |v| v.span());
        reader.warning(
            at,
            "rip.timers.timeout",
            format!(
                "timeout ({}s) is not longer than update ({}s): routes will expire between updates \
                 (RFC 2453 uses 180 for 30)",
                timers.timeout.as_secs(),
                timers.update.as_secs()
            ),
        );
    }
    timers
}

/// `offset-lists = [ { prefix-list, direction, offset, interface } ]`.
fn read_offset_lists(
    reader: &mut Reader<'_>,
    value: &crate::config::reader::Value<'_>,
    doc: &mut Document,
) {
    let Some(array) = reader.array(value, "rip.offset-lists") else {
        return;
    };
    for (i, item) in array.iter().enumerate() {
        let key = element("rip.offset-lists", i);
        let Some(table) = reader.table(item, &key) else {
            continue;
        };
        reader.check_keys(
            table,
            &key,
            &["prefix-list", "direction", "offset", "interface"],
        );
        let required = |reader: &mut Reader<'_>, field: &str, what: &str| {
            let found = table.get(field);
            if found.is_none() {
                reader.error(
                    item.span(),
                    &child(&key, field),
                    format!("required: {what}"),
                );
            }
            found
        };
        let list = required(reader, "prefix-list", "the name of a prefix list")
            .and_then(|v| name(reader, v, &child(&key, "prefix-list"), "a prefix list"));
        let direction = required(reader, "direction", "\"in\" or \"out\"").and_then(|v| {
            reader.choice(
                v,
                &child(&key, "direction"),
                &[("in", Direction::In), ("out", Direction::Out)],
            )
        });
        let offset = required(reader, "offset", "the metric to add, 0 to 16")
            .and_then(|v| int(reader, v, &child(&key, "offset"), 0..=16));
        let interface = match table.get("interface") {
            None => Some(None),
            Some(v) => {
                let ikey = child(&key, "interface");
                reader
                    .string(v, &ikey)
                    .and_then(|name| match names::check_ifname(name) {
                        Ok(()) => Some(Some(name.to_string())),
                        Err(why) => {
                            reader.error(v.span(), &ikey, why);
                            None
                        }
                    })
            }
        };
        if let (Some(list), Some(direction), Some(offset), Some(interface)) =
            (list, direction, offset, interface)
        {
            doc.settings.engine.offsets.push(OffsetList {
                prefix_list: list.value.clone(),
                direction,
                offset,
                interface,
            });
            doc.list_references.push(list);
        }
    }
}

/// A destination RIP may carry: the codec's rule for received entries.
fn routable(prefix: rip_codec::Ipv4Prefix) -> Result<rip_codec::Ipv4Prefix, String> {
    if rip_codec::is_martian_destination(prefix) {
        Err(format!(
            "{prefix} is not a destination RIP may carry (loopback, class D/E or 0/8)"
        ))
    } else {
        Ok(prefix)
    }
}
