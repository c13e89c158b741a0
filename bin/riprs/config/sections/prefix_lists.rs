//! `[prefix-lists.NAME]`: quagga's `ip prefix-list`, rules in order, the
//! first match decides, no match denies.

use rip_engine::{PrefixList, PrefixRule};
use toml::de::DeTable;

use super::int;
use crate::config::model::Document;
use crate::config::names;
use crate::config::reader::{Reader, Value, child, element};

pub(super) fn read(reader: &mut Reader<'_>, lists: &DeTable<'_>, doc: &mut Document) {
    for (list_name, value) in lists.iter() {
        let list: &str = list_name.get_ref();
        let key = child("prefix-lists", list);
        if list.is_empty() {
            reader.error(list_name.span(), &key, "a prefix list needs a name");
            continue;
        }
        doc.declared_lists.insert(list.to_string());
        let Some(table) = reader.table(value, &key) else {
            continue;
        };
        reader.check_keys(table, &key, &["rules"]);
        let rules_key = child(&key, "rules");
        let Some(rules_value) = table.get("rules") else {
            reader.error(
                value.span(),
                &rules_key,
                "required: rules = [ { action = \"permit\", prefix = \"10.0.0.0/8\", le = 24 } ]",
            );
            continue;
        };
        let Some(array) = reader.array(rules_value, &rules_key) else {
            continue;
        };
        if array.is_empty() {
            reader.warning(
                rules_value.span(),
                &rules_key,
                "a prefix list without rules denies every route",
            );
        }
        let mut rules = Vec::new();
        for (i, item) in array.iter().enumerate() {
            if let Some(rule) = read_rule(reader, item, &element(&rules_key, i)) {
                rules.push(rule);
            }
        }
        doc.settings
            .engine
            .prefix_lists
            .insert(list.to_string(), PrefixList { rules });
    }
}

/// `{ action = "permit" | "deny", prefix = "a.b.c.d/len", ge = N, le = N }`:
/// matches routes inside `prefix` with a length in ge..=le (quagga: ge alone
/// means up to 32, le alone means from the prefix's length, neither means
/// exactly the prefix's length); len <= ge <= le <= 32.
fn read_rule(reader: &mut Reader<'_>, item: &Value<'_>, key: &str) -> Option<PrefixRule> {
    let table = reader.table(item, key)?;
    reader.check_keys(table, key, &["action", "prefix", "ge", "le"]);
    let permit = match table.get("action") {
        Some(v) => reader.choice(
            v,
            &child(key, "action"),
            &[("permit", true), ("deny", false)],
        ),
        None => {
            reader.error(
                item.span(),
                &child(key, "action"),
                "required: \"permit\" or \"deny\"",
            );
            None
        }
    };
    let prefix = match table.get("prefix") {
        Some(v) => {
            let pkey = child(key, "prefix");
            reader
                .string(v, &pkey)
                .and_then(|text| match names::parse_prefix(text) {
                    Ok(prefix) => Some(prefix),
                    Err(why) => {
                        reader.error(v.span(), &pkey, why);
                        None
                    }
                })
        }
        None => {
            reader.error(
                item.span(),
                &child(key, "prefix"),
                "required: a prefix a.b.c.d/len",
            );
            None
        }
    };
    let ge_value = table.get("ge");
    let le_value = table.get("le");
    let ge: Option<u8> = ge_value.and_then(|v| int(reader, v, &child(key, "ge"), 0..=32));
    let le: Option<u8> = le_value.and_then(|v| int(reader, v, &child(key, "le"), 0..=32));
    let prefix = prefix?;
    let len = prefix.prefix_len();
    if let (Some(ge), Some(v)) = (ge, ge_value)
        && ge < len
    {
        reader.error(
            v.span(),
            &child(key, "ge"),
            format!("ge {ge} is shorter than the prefix {prefix}: expected {len} to 32"),
        );
        return None;
    }
    if let (Some(le), Some(v)) = (le, le_value) {
        let low = ge.unwrap_or(len);
        if le < low {
            let what = if ge.is_some() {
                "ge"
            } else {
                "the prefix length"
            };
            reader.error(
                v.span(),
                &child(key, "le"),
                format!("le {le} is below {what} ({low}): expected {low} to 32"),
            );
            return None;
        }
    }
    if ge_value.is_some() && ge.is_none() || le_value.is_some() && le.is_none() {
        return None;
    }
    Some(PrefixRule {
        permit: permit?,
        prefix,
        ge,
        le,
    })
}
