//! `[key-chains.NAME]`: keys with ids, secrets (inline or from a file) and
//! lifetimes (RFC 4822 §3.1).

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use rip_engine::KeyConfig;
use toml::de::{DeTable, DeValue};

use super::int;
use crate::config::model::{Document, KeyChain, Placed};
use crate::config::reader::{Reader, Value, child, element};
use crate::config::timestamp;

const KEY_KEYS: &[&str] = &[
    "id",
    "secret",
    "secret-file",
    "send-from",
    "send-until",
    "accept-from",
    "accept-until",
];

pub(super) fn read(
    reader: &mut Reader<'_>,
    chains: &DeTable<'_>,
    base_dir: &Path,
    doc: &mut Document,
) {
    for (chain_name, value) in chains.iter() {
        let chain: &str = chain_name.get_ref();
        let key = child("key-chains", chain);
        if chain.is_empty() {
            reader.error(chain_name.span(), &key, "a key chain needs a name");
            continue;
        }
        let Some(table) = reader.table(value, &key) else {
            continue;
        };
        reader.check_keys(table, &key, &["keys"]);
        let keys_key = child(&key, "keys");
        let mut keys = Vec::new();
        let mut listed = 0;
        match table.get("keys") {
            Some(v) => {
                if let Some(array) = reader.array(v, &keys_key) {
                    listed = array.len();
                    let mut ids = BTreeSet::new();
                    for (i, item) in array.iter().enumerate() {
                        let item_key = element(&keys_key, i);
                        if let Some(k) = read_key(reader, item, &item_key, base_dir) {
                            if ids.insert(k.id) {
                                keys.push(k);
                            } else {
                                reader.error(
                                    item.span(),
                                    &child(&item_key, "id"),
                                    format!("key id {} appears twice in key chain \"{chain}\": ids must be unique", k.id),
                                );
                            }
                        }
                    }
                }
            }
            None => reader.error(
                value.span(),
                &keys_key,
                "required: keys = [ { id = N, secret = \"...\" } ]",
            ),
        }
        doc.key_chains.insert(
            chain.to_string(),
            Placed {
                value: KeyChain { keys, listed },
                key,
                span: chain_name.span(),
            },
        );
    }
}

fn read_key(
    reader: &mut Reader<'_>,
    item: &Value<'_>,
    key: &str,
    base_dir: &Path,
) -> Option<KeyConfig> {
    let table = reader.table(item, key)?;
    reader.check_keys(table, key, KEY_KEYS);
    let id = match table.get("id") {
        Some(v) => int::<u8>(reader, v, &child(key, "id"), 0..=255),
        None => {
            reader.error(
                item.span(),
                &child(key, "id"),
                "required: the key id, 0 to 255",
            );
            None
        }
    };
    let secret = read_secret(reader, table, item, key, base_dir);
    let mut lifetime = |field: &str| -> Result<Option<(SystemTime, std::ops::Range<usize>)>, ()> {
        let Some(v) = table.get(field) else {
            return Ok(None);
        };
        let fkey = child(key, field);
        let parsed = match v.get_ref() {
            DeValue::String(s) => timestamp::parse_rfc3339(s),
            DeValue::Datetime(dt) => timestamp::from_datetime(dt),
            _ => Err("expected an RFC 3339 timestamp, e.g. \"2027-01-01T00:00:00Z\"".to_string()),
        };
        match parsed {
            Ok(t) => Ok(Some((t, v.span()))),
            Err(why) => {
                reader.error(v.span(), &fkey, why);
                Err(())
            }
        }
    };
    let send_from = lifetime("send-from");
    let send_until = lifetime("send-until");
    let accept_from = lifetime("accept-from");
    let accept_until = lifetime("accept-until");
    let (Ok(send_from), Ok(send_until), Ok(accept_from), Ok(accept_until)) =
        (send_from, send_until, accept_from, accept_until)
    else {
        return None;
    };
    for (from, until, name) in [
        (&send_from, &send_until, "send"),
        (&accept_from, &accept_until, "accept"),
    ] {
        if let (Some((from, _)), Some((until, span))) = (from, until)
            && until <= from
        {
            reader.error(
                span.clone(),
                &child(key, &format!("{name}-until")),
                format!("{name}-until must be later than {name}-from"),
            );
        }
    }
    Some(KeyConfig {
        id: id?,
        secret: secret?,
        send_from: send_from.map(|(t, _)| t),
        send_until: send_until.map(|(t, _)| t),
        accept_from: accept_from.map(|(t, _)| t),
        accept_until: accept_until.map(|(t, _)| t),
    })
}

/// `secret = "..."` or `secret-file = "PATH"` (relative to the config file's
/// directory; one trailing newline is not part of the secret).
fn read_secret(
    reader: &mut Reader<'_>,
    table: &DeTable<'_>,
    item: &Value<'_>,
    key: &str,
    base_dir: &Path,
) -> Option<Arc<[u8]>> {
    match (table.get("secret"), table.get("secret-file")) {
        (Some(_), Some(file)) => {
            reader.error(
                file.span(),
                &child(key, "secret-file"),
                "give either secret or secret-file, not both",
            );
            None
        }
        (None, None) => {
            reader.error(
                item.span(),
                &child(key, "secret"),
                "required: secret = \"...\" or secret-file = \"PATH\"",
            );
            None
        }
        (Some(v), None) => {
            let skey = child(key, "secret");
            let text = reader.string(v, &skey)?;
            if text.is_empty() {
                reader.error(v.span(), &skey, "a secret cannot be empty");
                return None;
            }
            Some(Arc::from(text.as_bytes()))
        }
        (None, Some(v)) => {
            let fkey = child(key, "secret-file");
            let name = reader.string(v, &fkey)?;
            let path = base_dir.join(name);
            let mut bytes = match std::fs::read(&path) {
                Ok(bytes) => bytes,
                Err(e) => {
                    reader.error(
                        v.span(),
                        &fkey,
                        format!("cannot read {}: {e}", path.display()),
                    );
                    return None;
                }
            };
            if bytes.last() == Some(&b'\n') {
                bytes.pop();
                if bytes.last() == Some(&b'\r') {
                    bytes.pop();
                }
            }
            if bytes.is_empty() {
                reader.error(
                    v.span(),
                    &fkey,
                    format!("{} is empty: a secret cannot be empty", path.display()),
                );
                return None;
            }
            Some(Arc::from(bytes))
        }
    }
}
