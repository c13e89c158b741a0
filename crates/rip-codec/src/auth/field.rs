//! Finding the authentication entry and trailer in a received message
//! (RFC 2453 §4.1, RFC 4822 §2).

use super::{AUTH_TYPE_CRYPTO, AUTH_TYPE_PASSWORD, PASSWORD_LEN, TRAILER_HEADER_LEN};
use crate::header::{AFI_AUTH, ENTRY_LEN, HEADER_LEN};

/// The authentication a message carries, before it is checked.
#[derive(Debug, Clone, Copy)]
pub(crate) enum AuthField<'a> {
    Absent,
    Password(&'a [u8; PASSWORD_LEN]),
    Crypto(CryptoField<'a>),
    UnknownType(u16),
    /// An authentication entry whose layout is impossible.
    Malformed(&'static str),
}

impl AuthField<'_> {
    pub(crate) fn wire_type(&self) -> u16 {
        match self {
            AuthField::Absent | AuthField::Malformed(_) => 0,
            AuthField::Password(_) => AUTH_TYPE_PASSWORD,
            AuthField::Crypto(_) => AUTH_TYPE_CRYPTO,
            AuthField::UnknownType(t) => *t,
        }
    }
}

/// The cryptographic authentication entry and trailer (RFC 4822 §2.1, §2.2).
#[derive(Debug, Clone, Copy)]
pub(crate) struct CryptoField<'a> {
    pub(crate) key_id: u8,
    pub(crate) auth_len: u8,
    pub(crate) sequence: u32,
    /// The message up to and including the trailer's 0xFFFF 0x0001.
    pub(crate) signed: &'a [u8],
    /// The authentication data that follows.
    pub(crate) digest: &'a [u8],
}

/// Where the authentication is and where the entries end.
pub(crate) struct Located<'a> {
    pub(crate) field: AuthField<'a>,
    /// The entries, the authentication entry included: `bytes[4..end]`.
    pub(crate) entries_end: usize,
}

/// Finds the authentication of a RIPv2 message. A RIPv1 message has none
/// (RFC 1058); its first entry is read as a route.
pub(crate) fn locate(bytes: &[u8], version: u8) -> Located<'_> {
    let absent = Located {
        field: AuthField::Absent,
        entries_end: bytes.len(),
    };
    if version < crate::header::VERSION_2 {
        return absent;
    }
    let Some(entry) = bytes
        .get(HEADER_LEN..HEADER_LEN + ENTRY_LEN)
        .and_then(|e| <&[u8; ENTRY_LEN]>::try_from(e).ok())
    else {
        return absent;
    };
    if u16::from_be_bytes([entry[0], entry[1]]) != AFI_AUTH {
        return absent;
    }
    let auth_type = u16::from_be_bytes([entry[2], entry[3]]);
    let field = match auth_type {
        AUTH_TYPE_PASSWORD => match entry.last_chunk::<PASSWORD_LEN>() {
            Some(password) => AuthField::Password(password),
            None => AuthField::Malformed("short password"),
        },
        AUTH_TYPE_CRYPTO => return locate_crypto(bytes, entry),
        other => AuthField::UnknownType(other),
    };
    Located {
        field,
        entries_end: bytes.len(),
    }
}

/// RFC 4822 §2.1: packet length (offset of the trailer), key id, auth data
/// length, sequence number, 8 reserved octets; then the trailer at that offset.
fn locate_crypto<'a>(bytes: &'a [u8], entry: &'a [u8; ENTRY_LEN]) -> Located<'a> {
    let malformed = |reason| Located {
        field: AuthField::Malformed(reason),
        // Only the authentication entry: a malformed message yields nothing.
        entries_end: HEADER_LEN + ENTRY_LEN,
    };
    let trailer_at = usize::from(u16::from_be_bytes([entry[4], entry[5]]));
    if trailer_at < HEADER_LEN + ENTRY_LEN || !(trailer_at - HEADER_LEN).is_multiple_of(ENTRY_LEN) {
        return malformed("packet length field is not 4 + 20n");
    }
    let Some(trailer) = bytes.get(trailer_at..) else {
        return malformed("packet length field beyond the message");
    };
    let Some((marker, digest)) = trailer.split_first_chunk::<TRAILER_HEADER_LEN>() else {
        return malformed("no room for the trailer");
    };
    if *marker != [0xFF, 0xFF, 0x00, 0x01] {
        return malformed("trailer does not start with 0xFFFF 0x0001");
    }
    let Some(signed) = bytes.get(..trailer_at + TRAILER_HEADER_LEN) else {
        return malformed("no room for the trailer");
    };
    Located {
        field: AuthField::Crypto(CryptoField {
            key_id: entry[6],
            auth_len: entry[7],
            sequence: u32::from_be_bytes([entry[8], entry[9], entry[10], entry[11]]),
            signed,
            digest,
        }),
        entries_end: trailer_at,
    }
}
