//! Reading ripd.toml section by section into a [`Document`]: every value is
//! type and range checked here; names that refer elsewhere (key chains,
//! prefix lists) are checked afterwards by [`super::validate`].

mod daemon;
mod interfaces;
mod key_chains;
mod prefix_lists;
mod rip;

use std::ops::RangeInclusive;
use std::path::Path;

use toml::Spanned;
use toml::de::DeTable;

use super::model::{Document, Placed};
use super::reader::{Reader, Value, child};

const TOP_LEVEL: &[&str] = &[
    "rip",
    "kernel",
    "interfaces",
    "key-chains",
    "prefix-lists",
    "control",
    "log",
];

/// Reads the whole file. `base_dir` is where relative `secret-file`s are.
pub(crate) fn read_document(
    reader: &mut Reader<'_>,
    root: &Spanned<DeTable<'_>>,
    base_dir: &Path,
) -> Document {
    let mut doc = Document::default();
    let table = root.get_ref();
    reader.check_keys(table, "", TOP_LEVEL);

    match table.get("rip") {
        Some(value) => {
            if let Some(rip) = reader.table(value, "rip") {
                rip::read(reader, rip, value.span(), &mut doc);
            }
        }
        None => reader.error(
            0..0,
            "rip.networks",
            "required: a [rip] table with networks = [...] (prefixes or interface names)",
        ),
    }
    if let Some(value) = table.get("kernel")
        && let Some(kernel) = reader.table(value, "kernel")
    {
        doc.settings.kernel = daemon::read_kernel(reader, kernel);
    }
    if let Some(value) = table.get("control")
        && let Some(control) = reader.table(value, "control")
        && let Some(socket) = daemon::read_control(reader, control)
    {
        doc.settings.control_socket = socket;
    }
    if let Some(value) = table.get("log")
        && let Some(log) = reader.table(value, "log")
    {
        doc.settings.log = daemon::read_log(reader, log);
    }
    if let Some(value) = table.get("interfaces")
        && let Some(interfaces) = reader.table(value, "interfaces")
    {
        interfaces::read(reader, interfaces, &mut doc);
    }
    if let Some(value) = table.get("key-chains")
        && let Some(chains) = reader.table(value, "key-chains")
    {
        key_chains::read(reader, chains, base_dir, &mut doc);
    }
    if let Some(value) = table.get("prefix-lists")
        && let Some(lists) = reader.table(value, "prefix-lists")
    {
        prefix_lists::read(reader, lists, &mut doc);
    }
    doc
}

/// An integer within `range`, converted to the field's type.
fn int<T: TryFrom<i64>>(
    reader: &mut Reader<'_>,
    value: &Value<'_>,
    key: &str,
    range: RangeInclusive<i64>,
) -> Option<T> {
    reader
        .integer(value, key, range)
        .and_then(|n| T::try_from(n).ok())
}

/// A non-empty string naming something (a list, a chain), with its place.
fn name(
    reader: &mut Reader<'_>,
    value: &Value<'_>,
    key: &str,
    what: &str,
) -> Option<Placed<String>> {
    let text = reader.string(value, key)?;
    if text.is_empty() {
        reader.error(
            value.span(),
            key,
            format!("expected the name of {what}, found \"\""),
        );
        return None;
    }
    Some(Placed {
        value: text.to_string(),
        key: key.to_string(),
        span: value.span(),
    })
}

/// `distribute-list = { in = "LIST", out = "LIST" }`: the prefix lists that
/// filter received and sent routes.
fn read_distribute_list(
    reader: &mut Reader<'_>,
    value: &Value<'_>,
    key: &str,
    doc: &mut Document,
) -> (Option<String>, Option<String>) {
    let Some(table) = reader.table(value, key) else {
        return (None, None);
    };
    reader.check_keys(table, key, &["in", "out"]);
    let mut direction = |dir: &str| {
        let value = table.get(dir)?;
        let placed = name(reader, value, &child(key, dir), "a prefix list")?;
        let list = placed.value.clone();
        doc.list_references.push(placed);
        Some(list)
    };
    let filter_in = direction("in");
    let filter_out = direction("out");
    (filter_in, filter_out)
}
