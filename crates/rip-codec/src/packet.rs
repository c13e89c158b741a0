//! Zero-copy decoding: a checked view over a received message, its
//! authentication, then its entries (RFC 2453 §3.9, §4).

use std::slice;

use crate::auth::{self, AuthField, AuthMode, Authenticated, KeyLookup};
use crate::entry::{EntryView, RouteEntry};
use crate::error::{AuthError, EntryError, HeaderError};
use crate::header::{
    AFI_AUTH, AFI_UNSPECIFIED, Command, ENTRY_LEN, HEADER_LEN, INFINITY, RFC_MAX_ENTRIES, VERSION_1,
};
use crate::prefix::Ipv4Prefix;

/// A received message whose header and layout are valid, not yet authenticated.
///
/// The only way to its entries is [`Packet::authenticate`].
#[derive(Debug, Clone, Copy)]
pub struct Packet<'a> {
    command: Command,
    version: u8,
    /// All entries, the authentication entry included.
    entries: &'a [[u8; ENTRY_LEN]],
    auth: AuthField<'a>,
}

impl<'a> Packet<'a> {
    /// Checks a message with the RFC's limit of 25 entries.
    #[inline]
    pub fn parse(bytes: &'a [u8]) -> Result<Self, HeaderError> {
        Self::parse_with_limit(bytes, RFC_MAX_ENTRIES)
    }

    /// Checks a message, accepting up to `max_entries` entries. BIRD sends
    /// messages as large as the interface MTU allows (its `tx length`), so a
    /// receiver that talks to BIRD raises the RFC's 25.
    #[inline]
    pub fn parse_with_limit(bytes: &'a [u8], max_entries: usize) -> Result<Self, HeaderError> {
        let Some((header, _)) = bytes.split_first_chunk::<HEADER_LEN>() else {
            return Err(HeaderError::Truncated { len: bytes.len() });
        };
        let [command, version, mbz0, mbz1] = *header;
        let command = Command::from_wire(command).ok_or(HeaderError::UnknownCommand(command))?;
        // RFC 2453 §4 / RFC 1058 §3.4: version 0 is ignored.
        if version == 0 {
            return Err(HeaderError::VersionZero);
        }
        let located = auth::locate(bytes, version);
        let body = bytes
            .get(HEADER_LEN..located.entries_end)
            .unwrap_or_default();
        let (entries, rest) = body.as_chunks::<ENTRY_LEN>();
        if !rest.is_empty() {
            return Err(HeaderError::BadLength { len: bytes.len() });
        }
        if entries.len() > max_entries {
            return Err(HeaderError::TooManyEntries {
                count: entries.len(),
                max: max_entries,
            });
        }
        // RFC 1058 §3.4: a version 1 message with a must-be-zero field set is
        // ignored. Later versions ignore these fields (RFC 2453 §4).
        if version == VERSION_1 && ((mbz0 | mbz1) != 0 || entries.iter().any(v1_mbz_set)) {
            return Err(HeaderError::V1MustBeZero);
        }
        Ok(Packet {
            command,
            version,
            entries,
            auth: located.field,
        })
    }

    pub fn command(&self) -> Command {
        self.command
    }

    pub fn version(&self) -> u8 {
        self.version
    }

    /// Entries in the message, the authentication entry included.
    pub fn entry_count(&self) -> usize {
        self.entries.len()
    }

    /// Checks authentication (RFC 2453 §4.1, §5.2, RFC 4822 §3.2) and, if it
    /// holds, gives access to the entries.
    ///
    /// `keys` are the keys acceptable now. Replay protection is the caller's:
    /// the sequence number is in the returned [`Authenticated`].
    #[inline]
    pub fn authenticate<K: KeyLookup + ?Sized>(
        &self,
        mode: AuthMode,
        keys: &K,
    ) -> Result<Verified<'a>, AuthError> {
        if mode == AuthMode::None && matches!(self.auth, AuthField::Absent) {
            return Ok(Verified {
                command: self.command,
                version: self.version,
                entries: self.entries,
                authenticated: Authenticated::None,
            });
        }
        self.authenticate_slow(mode, keys)
    }

    fn authenticate_slow<K: KeyLookup + ?Sized>(
        &self,
        mode: AuthMode,
        keys: &K,
    ) -> Result<Verified<'a>, AuthError> {
        let needs_scan = mode != AuthMode::None && matches!(self.auth, AuthField::Absent);
        let auth_later = needs_scan && self.entries.iter().any(|e| EntryView(e).afi() == AFI_AUTH);
        let authenticated = auth::verify(&self.auth, auth_later, mode, keys)?;
        let entries = match authenticated {
            Authenticated::None => self.entries,
            _ => self.entries.get(1..).unwrap_or_default(),
        };
        Ok(Verified {
            command: self.command,
            version: self.version,
            entries,
            authenticated,
        })
    }

    /// [`Packet::authenticate`] for an interface without authentication.
    #[inline]
    pub fn unauthenticated(&self) -> Result<Verified<'a>, AuthError> {
        self.authenticate(AuthMode::None, &[] as &[auth::Key<'_>])
    }
}

fn v1_mbz_set(entry: &[u8; ENTRY_LEN]) -> bool {
    let e = EntryView(entry);
    e.tag() != 0 || e.mask() != 0 || e.next_hop() != 0
}

/// An authenticated message: its entries may be read.
#[derive(Debug, Clone, Copy)]
pub struct Verified<'a> {
    command: Command,
    version: u8,
    /// The entries after the authentication entry.
    entries: &'a [[u8; ENTRY_LEN]],
    authenticated: Authenticated,
}

impl<'a> Verified<'a> {
    pub fn command(&self) -> Command {
        self.command
    }

    pub fn version(&self) -> u8 {
        self.version
    }

    pub fn authenticated(&self) -> Authenticated {
        self.authenticated
    }

    /// Route entries, after the authentication entry.
    pub fn entry_count(&self) -> usize {
        self.entries.len()
    }

    /// The raw entries, for tools that want every field.
    pub fn raw_entries(&self) -> impl ExactSizeIterator<Item = EntryView<'a>> + 'a {
        self.entries.iter().map(EntryView)
    }

    /// The routes of a response, each validated; a bad one is an `Err` the
    /// caller skips and counts (RFC 2453 §3.9.2).
    #[inline]
    pub fn routes(&self) -> Routes<'a> {
        Routes {
            entries: self.entries.iter(),
            version: self.version,
        }
    }

    /// What a request asks for (RFC 2453 §3.9.1).
    pub fn request(&self) -> Request<'a> {
        match self.entries {
            [] => Request::Empty,
            [only] if is_whole_table(only) => Request::WholeTable,
            entries => Request::Specific(Queries {
                entries: entries.iter(),
                version: self.version,
            }),
        }
    }
}

/// One entry, AFI 0, metric 16: send me everything (RFC 2453 §3.9.1).
fn is_whole_table(entry: &[u8; ENTRY_LEN]) -> bool {
    let e = EntryView(entry);
    e.afi() == AFI_UNSPECIFIED && e.metric() == u32::from(INFINITY)
}

/// The validated routes of a response.
#[derive(Debug, Clone)]
pub struct Routes<'a> {
    entries: slice::Iter<'a, [u8; ENTRY_LEN]>,
    version: u8,
}

impl Iterator for Routes<'_> {
    type Item = Result<RouteEntry, EntryError>;

    #[inline(always)]
    fn next(&mut self) -> Option<Self::Item> {
        let entry = EntryView(self.entries.next()?);
        Some(if self.version == VERSION_1 {
            entry.route_v1()
        } else {
            entry.route_v2()
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.entries.size_hint()
    }
}

impl ExactSizeIterator for Routes<'_> {}

/// What a request asks for.
#[derive(Debug, Clone)]
pub enum Request<'a> {
    /// No entries: RFC 2453 §3.9.1 says no response is given.
    Empty,
    /// The whole table, answered as a full update to the requester.
    WholeTable,
    /// Specific destinations, answered entry by entry.
    Specific(Queries<'a>),
}

/// The destinations of a specific request.
#[derive(Debug, Clone)]
pub struct Queries<'a> {
    entries: slice::Iter<'a, [u8; ENTRY_LEN]>,
    version: u8,
}

impl Iterator for Queries<'_> {
    type Item = Result<Ipv4Prefix, EntryError>;

    fn next(&mut self) -> Option<Self::Item> {
        Some(EntryView(self.entries.next()?).query(self.version))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.entries.size_hint()
    }
}

impl ExactSizeIterator for Queries<'_> {}
