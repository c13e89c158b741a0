//! What reading the sections yields before names are resolved: the settings
//! that stand on their own, plus every reference to a key chain or prefix
//! list with its place, for [`super::validate`] to check and fill in.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use rip_codec::{AuthMode, Md5AuthLen};
use rip_engine::KeyConfig;

use super::Settings;

/// A value with the dotted key and the span it came from.
#[derive(Debug, Clone)]
pub(crate) struct Placed<T> {
    pub(crate) value: T,
    pub(crate) key: String,
    pub(crate) span: Range<usize>,
}

/// The document after every value has been type and range checked.
#[derive(Debug, Default)]
pub(crate) struct Document {
    pub(crate) settings: Settings,
    /// `[key-chains.NAME]`, with the span of the name.
    pub(crate) key_chains: BTreeMap<String, Placed<KeyChain>>,
    /// Every `[prefix-lists.NAME]`, including those with errors in them.
    pub(crate) declared_lists: BTreeSet<String>,
    /// One per `[interfaces.NAME] authentication` table.
    pub(crate) authentications: Vec<AuthRequest>,
    /// Every prefix-list name used by a distribute-list or offset-list.
    pub(crate) list_references: Vec<Placed<String>>,
}

/// A key chain's valid keys, and how many the file lists (valid or not).
#[derive(Debug, Default)]
pub(crate) struct KeyChain {
    pub(crate) keys: Vec<KeyConfig>,
    pub(crate) listed: usize,
}

/// `[interfaces.NAME] authentication = { ... }` before its key chain is looked up.
#[derive(Debug)]
pub(crate) struct AuthRequest {
    pub(crate) interface: String,
    /// The `authentication` table itself.
    pub(crate) at: Placed<()>,
    pub(crate) mode: Placed<AuthMode>,
    pub(crate) key_chain: Option<Placed<String>>,
    pub(crate) password: Option<Placed<Vec<u8>>>,
    pub(crate) md5_auth_len: Option<Placed<Md5AuthLen>>,
}
