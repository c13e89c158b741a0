//! Checks that need the whole file: names that refer to key chains and
//! prefix lists, and which authentication settings go together.

use rip_codec::AuthMode;
use rip_codec::auth::PASSWORD_LEN;
use rip_engine::{Authentication, KeyConfig};

use super::Settings;
use super::model::{AuthRequest, Document};
use super::reader::Reader;

/// Key id given to `password = "..."` (not sent on the wire; quagga uses 1
/// for its `ip rip authentication string`).
pub(crate) const PASSWORD_KEY_ID: u8 = 1;

/// The settings with every reference resolved; errors are recorded in `reader`.
pub(crate) fn resolve(reader: &mut Reader<'_>, doc: Document) -> Settings {
    let Document {
        mut settings,
        key_chains,
        declared_lists,
        authentications,
        list_references,
    } = doc;

    for reference in &list_references {
        if !declared_lists.contains(&reference.value) {
            reader.error(
                reference.span.clone(),
                &reference.key,
                format!(
                    "prefix list \"{}\" is not defined; {}",
                    reference.value,
                    defined("[prefix-lists.NAME]", declared_lists.iter())
                ),
            );
        }
    }

    for request in authentications {
        let chain = request
            .key_chain
            .as_ref()
            .map(|name| (name, key_chains.get(&name.value)));
        if let Some((name, None)) = chain {
            reader.error(
                name.span.clone(),
                &name.key,
                format!(
                    "key chain \"{}\" is not defined; {}",
                    name.value,
                    defined("[key-chains.NAME]", key_chains.keys())
                ),
            );
        }
        let keys = chain.and_then(|(_, found)| found).map(|c| &c.value);
        if let Some(authentication) = check_authentication(reader, &request, keys)
            && let Some(interface) = settings.engine.interfaces.get_mut(&request.interface)
        {
            interface.authentication = authentication;
        }
    }
    settings
}

fn defined<'a>(what: &str, names: impl Iterator<Item = &'a String>) -> String {
    let names: Vec<String> = names.map(|n| format!("\"{n}\"")).collect();
    if names.is_empty() {
        format!("none is defined (add {what})")
    } else {
        format!("defined: {}", names.join(", "))
    }
}

fn mode_name(mode: AuthMode) -> &'static str {
    match mode {
        AuthMode::None => "none",
        AuthMode::Password => "text",
        AuthMode::KeyedMd5 => "md5",
        AuthMode::HmacSha1 => "hmac-sha1",
        AuthMode::HmacSha256 => "hmac-sha256",
        AuthMode::HmacSha384 => "hmac-sha384",
        AuthMode::HmacSha512 => "hmac-sha512",
    }
}

/// Which keys go with which mode:
/// - "none": nothing else;
/// - "text": `password` or `key-chain` (every secret at most 16 octets);
/// - "md5", "hmac-*": `key-chain` with at least one key;
/// - `md5-auth-length` only with "md5".
fn check_authentication(
    reader: &mut Reader<'_>,
    request: &AuthRequest,
    chain: Option<&super::model::KeyChain>,
) -> Option<Authentication> {
    let mode = request.mode.value;
    let name = mode_name(mode);
    let errors_before = reader.diag.error_count();

    if let Some(len) = &request.md5_auth_len
        && mode != AuthMode::KeyedMd5
    {
        reader.error(
            len.span.clone(),
            &len.key,
            format!("md5-auth-length applies to mode \"md5\" only, not \"{name}\""),
        );
    }
    match mode {
        AuthMode::None => {
            if let Some(chain) = &request.key_chain {
                reader.error(chain.span.clone(), &chain.key, "mode \"none\" takes no key-chain");
            }
            if let Some(password) = &request.password {
                reader.error(password.span.clone(), &password.key, "mode \"none\" takes no password");
            }
        }
        AuthMode::Password => match (&request.password, &request.key_chain) {
            (Some(password), Some(_)) => reader.error(
                password.span.clone(),
                &password.key,
                "give either password or key-chain, not both",
            ),
            (None, None) => reader.error(
                request.at.span.clone(),
                &request.at.key,
                "mode \"text\" needs password = \"...\" (at most 16 octets) or key-chain = \"NAME\"",
            ),
            (Some(password), None) => {
                if password.value.is_empty() {
                    reader.error(password.span.clone(), &password.key, "a password cannot be empty");
                } else if password.value.len() > PASSWORD_LEN {
                    reader.error(
                        password.span.clone(),
                        &password.key,
                        format!(
                            "the password is {} octets: a text password is at most {PASSWORD_LEN}",
                            password.value.len()
                        ),
                    );
                }
            }
            (None, Some(chain_name)) => {
                for key in chain.map(|c| c.keys.as_slice()).unwrap_or_default() {
                    if key.secret.len() > PASSWORD_LEN {
                        reader.error(
                            chain_name.span.clone(),
                            &chain_name.key,
                            format!(
                                "key {} of key chain \"{}\" is {} octets: a text password is at most {PASSWORD_LEN}",
                                key.id,
                                chain_name.value,
                                key.secret.len()
                            ),
                        );
                    }
                }
            }
        },
        _ => {
            if let Some(password) = &request.password {
                reader.error(
                    password.span.clone(),
                    &password.key,
                    format!("password is for mode \"text\"; mode \"{name}\" takes key-chain = \"NAME\""),
                );
            }
            if request.key_chain.is_none() {
                reader.error(
                    request.at.span.clone(),
                    &request.at.key,
                    format!("mode \"{name}\" needs key-chain = \"NAME\" naming a [key-chains.NAME] with at least one key"),
                );
            }
        }
    }
    if let (Some(chain_name), Some(chain)) = (&request.key_chain, chain)
        && mode != AuthMode::None
    {
        if chain.listed == 0 {
            reader.error(
                chain_name.span.clone(),
                &chain_name.key,
                format!(
                    "key chain \"{}\" has no keys: mode \"{name}\" needs at least one",
                    chain_name.value
                ),
            );
        }
        if mode == AuthMode::KeyedMd5 {
            for key in chain.keys.iter().filter(|k| k.secret.len() > PASSWORD_LEN) {
                reader.warning(
                    chain_name.span.clone(),
                    &chain_name.key,
                    format!(
                        "key {} of key chain \"{}\" is {} octets: keyed MD5 uses only the first {PASSWORD_LEN} (as quagga and FRR do)",
                        key.id,
                        chain_name.value,
                        key.secret.len()
                    ),
                );
            }
        }
    }
    if reader.diag.error_count() > errors_before {
        return None;
    }

    let keys = match (&request.password, chain) {
        (Some(password), _) if mode == AuthMode::Password => {
            vec![KeyConfig::new(PASSWORD_KEY_ID, &password.value)]
        }
        (_, Some(chain)) if mode != AuthMode::None => chain.keys.clone(),
        _ => Vec::new(),
    };
    Some(Authentication {
        mode,
        keys,
        md5_auth_len: request
            .md5_auth_len
            .as_ref()
            .map(|l| l.value)
            .unwrap_or_default(),
    })
}
