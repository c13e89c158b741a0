//! `[interfaces.NAME]`: per-interface multicast handling, split horizon,
//! cost, authentication, filters, passive mode and RIP versions.

use rip_codec::{AuthMode, Md5AuthLen};
use rip_engine::{InterfaceConfig, ReceiveVersion, SendVersion, SplitHorizon};
use toml::de::DeTable;

use super::{int, name, read_distribute_list};
use crate::config::MulticastMode;
use crate::config::model::{AuthRequest, Document, Placed};
use crate::config::names;
use crate::config::reader::{Reader, Value, child};

const KEYS: &[&str] = &[
    "multicast",
    "split-horizon",
    "cost",
    "authentication",
    "distribute-list",
    "passive",
    "send-version",
    "receive-version",
];

const AUTH_KEYS: &[&str] = &["mode", "key-chain", "password", "md5-auth-length"];

pub(super) fn read(reader: &mut Reader<'_>, interfaces: &DeTable<'_>, doc: &mut Document) {
    for (ifname, value) in interfaces.iter() {
        let ifname_str: &str = ifname.get_ref();
        let key = child("interfaces", ifname_str);
        if let Err(why) = names::check_ifname(ifname_str) {
            reader.error(ifname.span(), &key, why);
            continue;
        }
        let Some(table) = reader.table(value, &key) else {
            continue;
        };
        let (config, multicast) = read_one(reader, ifname_str, table, &key, doc);
        doc.settings
            .multicast
            .insert(ifname_str.to_string(), multicast);
        doc.settings
            .engine
            .interfaces
            .insert(ifname_str.to_string(), config);
    }
}

fn read_one(
    reader: &mut Reader<'_>,
    ifname: &str,
    table: &DeTable<'_>,
    key: &str,
    doc: &mut Document,
) -> (InterfaceConfig, MulticastMode) {
    reader.check_keys(table, key, KEYS);
    let mut config = InterfaceConfig::default();
    let mut multicast = MulticastMode::default();
    if let Some(value) = table.get("multicast") {
        let modes = [("auto", MulticastMode::Auto), ("keep", MulticastMode::Keep)];
        if let Some(mode) = reader.choice(value, &child(key, "multicast"), &modes) {
            multicast = mode;
        }
    }
    if let Some(value) = table.get("split-horizon") {
        let modes = [
            ("simple", SplitHorizon::Simple),
            ("poisoned-reverse", SplitHorizon::PoisonedReverse),
            ("off", SplitHorizon::Off),
        ];
        if let Some(mode) = reader.choice(value, &child(key, "split-horizon"), &modes) {
            config.split_horizon = mode;
        }
    }
    if let Some(value) = table.get("cost")
        && let Some(cost) = int(reader, value, &child(key, "cost"), 1..=15)
    {
        config.cost = cost;
    }
    if let Some(value) = table.get("passive")
        && let Some(passive) = reader.boolean(value, &child(key, "passive"))
    {
        if !passive
            && doc
                .settings
                .engine
                .passive_interfaces
                .iter()
                .any(|n| n == ifname)
        {
            reader.error(
                value.span(),
                &child(key, "passive"),
                format!(
                    "false, but rip.passive-interfaces lists \"{ifname}\": remove it from one of them"
                ),
            );
        }
        config.passive = Some(passive);
    }
    if let Some(value) = table.get("distribute-list") {
        let (filter_in, filter_out) =
            read_distribute_list(reader, value, &child(key, "distribute-list"), doc);
        config.filter_in = filter_in;
        config.filter_out = filter_out;
    }
    let mut versions = Vec::new();
    if let Some(value) = table.get("send-version") {
        let modes = [
            ("v2", SendVersion::V2),
            ("v2-broadcast", SendVersion::V2Broadcast),
            ("v1", SendVersion::V1),
        ];
        if let Some(mode) = reader.choice(value, &child(key, "send-version"), &modes) {
            config.send_version = mode;
            if mode == SendVersion::V1 {
                versions.push(("send-version", value.span()));
            }
        }
    }
    if let Some(value) = table.get("receive-version") {
        let modes = [
            ("both", ReceiveVersion::Both),
            ("v1", ReceiveVersion::V1Only),
            ("v2", ReceiveVersion::V2Only),
        ];
        if let Some(mode) = reader.choice(value, &child(key, "receive-version"), &modes) {
            config.receive_version = mode;
            if mode == ReceiveVersion::V1Only {
                versions.push(("receive-version", value.span()));
            }
        }
    }
    if let Some(value) = table.get("authentication")
        && let Some(request) =
            read_authentication(reader, ifname, value, &child(key, "authentication"))
    {
        // RFC 2453 §5.2: RIPv1 messages carry no authentication.
        if request.mode.value != AuthMode::None {
            for (version_key, span) in versions {
                reader.error(
                    span,
                    &child(key, version_key),
                    "\"v1\": RIPv1 carries no authentication, and this interface authenticates",
                );
            }
        }
        doc.authentications.push(request);
    }
    (config, multicast)
}

/// `authentication = { mode = "...", key-chain = "...", password = "...",
/// md5-auth-length = "rfc" | "old-ripd" }`; which combinations make sense is
/// checked once the key chains are known.
fn read_authentication(
    reader: &mut Reader<'_>,
    ifname: &str,
    value: &Value<'_>,
    key: &str,
) -> Option<AuthRequest> {
    let table = reader.table(value, key)?;
    reader.check_keys(table, key, AUTH_KEYS);
    let mode_key = child(key, "mode");
    let mode = match table.get("mode") {
        Some(v) => {
            let modes = [
                ("none", AuthMode::None),
                ("text", AuthMode::Password),
                ("md5", AuthMode::KeyedMd5),
                ("hmac-sha1", AuthMode::HmacSha1),
                ("hmac-sha256", AuthMode::HmacSha256),
                ("hmac-sha384", AuthMode::HmacSha384),
                ("hmac-sha512", AuthMode::HmacSha512),
            ];
            let mode = reader.choice(v, &mode_key, &modes);
            mode.map(|mode| Placed {
                value: mode,
                key: mode_key.clone(),
                span: v.span(),
            })
        }
        None => {
            reader.error(
                value.span(),
                &mode_key,
                "required: \"none\", \"text\", \"md5\", \"hmac-sha1\", \"hmac-sha256\", \
                 \"hmac-sha384\" or \"hmac-sha512\"",
            );
            None
        }
    };
    let key_chain = table
        .get("key-chain")
        .and_then(|v| name(reader, v, &child(key, "key-chain"), "a key chain"));
    let password = table.get("password").and_then(|v| {
        let pkey = child(key, "password");
        let text = reader.string(v, &pkey)?;
        Some(Placed {
            value: text.as_bytes().to_vec(),
            key: pkey,
            span: v.span(),
        })
    });
    let md5_auth_len = table.get("md5-auth-length").and_then(|v| {
        let lkey = child(key, "md5-auth-length");
        let lens = [("rfc", Md5AuthLen::Rfc), ("old-ripd", Md5AuthLen::OldRipd)];
        let len = reader.choice(v, &lkey, &lens)?;
        Some(Placed {
            value: len,
            key: lkey,
            span: v.span(),
        })
    });
    Some(AuthRequest {
        interface: ifname.to_string(),
        at: Placed {
            value: (),
            key: key.to_string(),
            span: value.span(),
        },
        mode: mode?,
        key_chain,
        password,
        md5_auth_len,
    })
}
