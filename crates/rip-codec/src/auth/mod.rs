//! RIPv2 authentication: what a message carries, what the receiver accepts,
//! and how a sender signs (RFC 2453 §4.1, RFC 2082, RFC 4822).
//!
//! The receiver's side is [`crate::Packet::authenticate`]: it runs before any
//! entry is handed out, so a message that fails yields no routes at all.

mod digest;
mod field;

pub use digest::{APAD_WORD, HmacKeying, compute_digest, compute_digest_keyed};
pub(crate) use field::{AuthField, CryptoField, locate};

use subtle::ConstantTimeEq;

use crate::error::AuthError;

/// Authentication type in an authentication entry (RFC 2453 §4.1, RFC 4822 §2.1).
pub const AUTH_TYPE_PASSWORD: u16 = 2;
pub const AUTH_TYPE_CRYPTO: u16 = 3;
/// Length of a simple password on the wire (RFC 2453 §4.1).
pub const PASSWORD_LEN: usize = 16;
/// The trailer's fixed part: 0xFFFF then 0x0001 (RFC 4822 §2.2).
pub const TRAILER_HEADER_LEN: usize = 4;

/// How an interface authenticates, one for sending and receiving.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthMode {
    None,
    /// Simple password (RFC 2453 §4.1).
    Password,
    /// Keyed MD5 (RFC 2082, RFC 4822 §3.2.1).
    KeyedMd5,
    /// HMAC-SHA with the Apad construction of RFC 4822 §3.4.
    HmacSha1,
    HmacSha256,
    HmacSha384,
    HmacSha512,
}

impl AuthMode {
    /// True for the modes that carry a key id, sequence number and trailer.
    pub fn is_cryptographic(self) -> bool {
        !matches!(self, AuthMode::None | AuthMode::Password)
    }

    /// The authentication type on the wire, `None` for no authentication.
    pub fn wire_type(self) -> Option<u16> {
        match self {
            AuthMode::None => None,
            AuthMode::Password => Some(AUTH_TYPE_PASSWORD),
            _ => Some(AUTH_TYPE_CRYPTO),
        }
    }

    /// Octets of the digest in the trailer (RFC 4822 §2.2), 0 without one.
    pub fn digest_len(self) -> usize {
        match self {
            AuthMode::None | AuthMode::Password => 0,
            AuthMode::KeyedMd5 => 16,
            AuthMode::HmacSha1 => 20,
            AuthMode::HmacSha256 => 32,
            AuthMode::HmacSha384 => 48,
            AuthMode::HmacSha512 => 64,
        }
    }

    /// Octets after the entries: the trailer, for cryptographic modes.
    pub fn trailer_len(self) -> usize {
        if self.is_cryptographic() {
            TRAILER_HEADER_LEN + self.digest_len()
        } else {
            0
        }
    }

    /// Octets before the route entries: the authentication entry, if any.
    pub fn auth_entry_len(self) -> usize {
        if self == AuthMode::None {
            0
        } else {
            crate::header::ENTRY_LEN
        }
    }
}

/// A key as the receiver or sender holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key<'a> {
    /// Key id on the wire (RFC 4822 §2.1); not sent with simple passwords.
    pub id: u8,
    pub secret: &'a [u8],
}

/// The keys a receiver accepts at this moment.
///
/// Implemented for slices of [`Key`]; an engine with key lifetimes passes the
/// keys whose accept window contains `now`.
pub trait KeyLookup {
    /// The secret of the acceptable key with this id.
    fn secret_by_id(&self, id: u8) -> Option<&[u8]>;
    /// True when an acceptable key, NUL padded to 16 octets, equals `wire`.
    fn password_matches(&self, wire: &[u8; PASSWORD_LEN]) -> bool;
}

impl KeyLookup for [Key<'_>] {
    fn secret_by_id(&self, id: u8) -> Option<&[u8]> {
        self.iter().find(|k| k.id == id).map(|k| k.secret)
    }

    fn password_matches(&self, wire: &[u8; PASSWORD_LEN]) -> bool {
        // Every key is compared, in constant time, whatever the outcome.
        let mut matched = subtle::Choice::from(0);
        for key in self {
            matched |= pad_password(key.secret).ct_eq(wire);
        }
        matched.into()
    }
}

/// A password NUL padded (or cut) to the 16 octets of the wire (RFC 2453 §4.1).
pub fn pad_password(secret: &[u8]) -> [u8; PASSWORD_LEN] {
    let mut out = [0u8; PASSWORD_LEN];
    for (dst, src) in out.iter_mut().zip(secret) {
        *dst = *src;
    }
    out
}

/// What authentication a verified message carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authenticated {
    None,
    Password,
    /// Key id and sequence number, for the caller's replay check (RFC 4822 §3.2.2).
    Crypto {
        key_id: u8,
        sequence: u32,
    },
}

/// The auth data length a keyed-MD5 sender writes: RFC 2082 says 16; old
/// ripd, quagga and FRR's default write 20 (the whole trailer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Md5AuthLen {
    Rfc,
    #[default]
    OldRipd,
}

/// Everything a sender needs to authenticate one message.
#[derive(Debug, Clone, Copy)]
pub struct Signer<'k> {
    pub mode: AuthMode,
    pub key: Key<'k>,
    /// Non-decreasing per key (RFC 4822 §3.2.2).
    pub sequence: u32,
    pub md5_auth_len: Md5AuthLen,
}

impl<'k> Signer<'k> {
    pub fn new(mode: AuthMode, key: Key<'k>, sequence: u32) -> Self {
        Signer {
            mode,
            key,
            sequence,
            md5_auth_len: Md5AuthLen::default(),
        }
    }

    /// The value of the auth data length field (RFC 4822 §2.1).
    pub(crate) fn auth_len_field(&self) -> u8 {
        match (self.mode, self.md5_auth_len) {
            (AuthMode::KeyedMd5, Md5AuthLen::OldRipd) => 20,
            (mode, _) => mode.digest_len() as u8,
        }
    }
}

/// Checks a message's authentication against the receiver's mode and keys.
pub(crate) fn verify<K: KeyLookup + ?Sized>(
    field: &AuthField<'_>,
    has_auth_entry_later: bool,
    mode: AuthMode,
    keys: &K,
) -> Result<Authenticated, AuthError> {
    match (mode, field) {
        (AuthMode::None, AuthField::Absent) => Ok(Authenticated::None),
        // RFC 2453 §5.2: without authentication configured, authenticated
        // messages are discarded.
        (AuthMode::None, _) => Err(AuthError::Unexpected),
        (_, AuthField::Absent) if has_auth_entry_later => Err(AuthError::NotFirst),
        (_, AuthField::Absent) => Err(AuthError::Missing),
        (_, AuthField::Malformed(reason)) => Err(AuthError::Malformed(reason)),
        (AuthMode::Password, AuthField::Password(wire)) => {
            if keys.password_matches(wire) {
                Ok(Authenticated::Password)
            } else {
                Err(AuthError::BadPassword)
            }
        }
        (mode, AuthField::Crypto(crypto)) if mode.is_cryptographic() => {
            verify_crypto(crypto, mode, keys)
        }
        (mode, field) => Err(AuthError::WrongType {
            expected: mode.wire_type().unwrap_or(0),
            got: field.wire_type(),
        }),
    }
}

fn verify_crypto<K: KeyLookup + ?Sized>(
    crypto: &CryptoField<'_>,
    mode: AuthMode,
    keys: &K,
) -> Result<Authenticated, AuthError> {
    let secret = keys
        .secret_by_id(crypto.key_id)
        .ok_or(AuthError::UnknownKeyId(crypto.key_id))?;
    let digest_len = mode.digest_len();
    // The auth data length field has two readings in the wild: the digest
    // alone (RFC 2082, RFC 4822) or the digest plus the trailer's 4 octets
    // (old ripd, FRR's default, BIRD's keyed MD5). Both are accepted.
    let field_len = usize::from(crypto.auth_len);
    if field_len != digest_len && field_len != digest_len + TRAILER_HEADER_LEN {
        return Err(AuthError::BadAuthLength {
            got: crypto.auth_len,
        });
    }
    if crypto.digest.len() != digest_len {
        return Err(AuthError::Malformed(
            "trailer length does not fit the algorithm",
        ));
    }
    let mut expected = [0u8; digest::MAX_DIGEST_LEN];
    let mut matches =
        compute_digest(mode, secret, crypto.signed, &mut expected).ct_eq(crypto.digest);
    // Keys longer than the hash: also accept BIRD's RFC 2104 keying, where
    // it gives a different digest (see HmacKeying).
    if mode != AuthMode::KeyedMd5 && secret.len() > digest_len {
        let mut alternative = [0u8; digest::MAX_DIGEST_LEN];
        matches |= compute_digest_keyed(
            mode,
            HmacKeying::Rfc2104,
            secret,
            crypto.signed,
            &mut alternative,
        )
        .ct_eq(crypto.digest);
    }
    if bool::from(matches) {
        Ok(Authenticated::Crypto {
            key_id: crypto.key_id,
            sequence: crypto.sequence,
        })
    } else {
        Err(AuthError::BadDigest)
    }
}
