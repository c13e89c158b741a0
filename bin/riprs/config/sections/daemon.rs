//! `[kernel]`, `[control]` and `[log]`: the daemon's own settings.

use std::path::PathBuf;

use toml::de::{DeTable, DeValue};

use super::int;
use crate::config::reader::{Reader, Value};
use crate::config::{KernelSettings, LogLevel, LogSettings, TABLE_MAIN};

/// The kernel's local table: addresses of this host, managed by the kernel.
const TABLE_LOCAL: u32 = 255;

const TABLE_ALLOWED: &str =
    "expected \"main\" or a table number from 1 to 4294967295 other than 255 (local)";

pub(super) fn read_kernel(reader: &mut Reader<'_>, table: &DeTable<'_>) -> KernelSettings {
    reader.check_keys(table, "kernel", &["table", "metric", "keep-routes-on-exit"]);
    let mut kernel = KernelSettings::default();
    if let Some(value) = table.get("table")
        && let Some(id) = read_table(reader, value)
    {
        kernel.table = id;
    }
    if let Some(value) = table.get("metric")
        && let Some(metric) = int(reader, value, "kernel.metric", 0..=i64::from(u32::MAX))
    {
        kernel.metric = metric;
    }
    if let Some(value) = table.get("keep-routes-on-exit")
        && let Some(keep) = reader.boolean(value, "kernel.keep-routes-on-exit")
    {
        kernel.keep_routes_on_exit = keep;
    }
    kernel
}

/// `table = "main"` or a number (also accepted as a string of digits).
fn read_table(reader: &mut Reader<'_>, value: &Value<'_>) -> Option<u32> {
    let key = "kernel.table";
    let id = match value.get_ref() {
        DeValue::String(s) if s.as_ref() == "main" => return Some(TABLE_MAIN),
        DeValue::String(s) => match s.parse::<u32>() {
            Ok(id) => id,
            Err(_) => {
                reader.error(
                    value.span(),
                    key,
                    format!("\"{s}\" is not a table: {TABLE_ALLOWED}"),
                );
                return None;
            }
        },
        DeValue::Integer(n) => match u32::from_str_radix(n.as_str(), n.radix()) {
            Ok(id) => id,
            Err(_) => {
                reader.error(
                    value.span(),
                    key,
                    format!("{n} is not a table: {TABLE_ALLOWED}"),
                );
                return None;
            }
        },
        _ => {
            reader.error(value.span(), key, TABLE_ALLOWED);
            return None;
        }
    };
    match id {
        0 => reader.error(
            value.span(),
            key,
            format!("0 is not a table (RT_TABLE_UNSPEC): {TABLE_ALLOWED}"),
        ),
        TABLE_LOCAL => reader.error(
            value.span(),
            key,
            format!(
                "255 is the kernel's local table, not for routes learned by RIP: {TABLE_ALLOWED}"
            ),
        ),
        _ => return Some(id),
    }
    None
}

pub(super) fn read_control(reader: &mut Reader<'_>, table: &DeTable<'_>) -> Option<PathBuf> {
    reader.check_keys(table, "control", &["socket"]);
    let value = table.get("socket")?;
    path(reader, value, "control.socket")
}

pub(super) fn read_log(reader: &mut Reader<'_>, table: &DeTable<'_>) -> LogSettings {
    reader.check_keys(table, "log", &["level", "file"]);
    let mut log = LogSettings::default();
    if let Some(value) = table.get("level") {
        let levels = [
            ("error", LogLevel::Error),
            ("warn", LogLevel::Warn),
            ("info", LogLevel::Info),
            ("debug", LogLevel::Debug),
            ("trace", LogLevel::Trace),
        ];
        if let Some(level) = reader.choice(value, "log.level", &levels) {
            log.level = level;
        }
    }
    if let Some(value) = table.get("file") {
        log.file = path(reader, value, "log.file");
    }
    log
}

fn path(reader: &mut Reader<'_>, value: &Value<'_>, key: &str) -> Option<PathBuf> {
    let text = reader.string(value, key)?;
    if text.is_empty() {
        reader.error(value.span(), key, "expected a path, found \"\"");
        return None;
    }
    Some(PathBuf::from(text))
}
