//! Digest computation for keyed MD5 (RFC 2082) and HMAC-SHA (RFC 4822 §3.4).

use hmac::digest::KeyInit;
use hmac::digest::core_api::BlockSizeUser;
use hmac::{Mac, SimpleHmac};
use md5::{Digest, Md5};
use sha1::Sha1;
use sha2::{Sha256, Sha384, Sha512};

use super::AuthMode;

pub(crate) const MAX_DIGEST_LEN: usize = 64;
/// The Apad constant that fills the trailer while the HMAC is computed
/// (RFC 4822 §2.5).
pub const APAD_WORD: [u8; 4] = [0x87, 0x8F, 0xE1, 0xF3];

/// The digest of a message, written into `out`; the returned slice is the
/// digest (empty for non-cryptographic modes).
///
/// `signed` is the message up to and including the trailer's 4-octet header.
/// Keyed MD5 hashes it followed by the key NUL padded to 16 octets (RFC 2082
/// §3.2.2); HMAC hashes it followed by Apad, keyed with Ko (RFC 4822 §3.4.2).
pub fn compute_digest<'o>(
    mode: AuthMode,
    secret: &[u8],
    signed: &[u8],
    out: &'o mut [u8; MAX_DIGEST_LEN],
) -> &'o [u8] {
    compute_digest_keyed(mode, HmacKeying::Rfc4822, secret, signed, out)
}

/// How an HMAC key longer than the hash is prepared. RFC 4822 §3.4.2 hashes
/// it down to the hash length; BIRD keys HMAC as RFC 2104 does and hashes
/// only keys longer than the hash's block. The two agree for keys up to the
/// hash length and beyond the block size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HmacKeying {
    Rfc4822,
    Rfc2104,
}

/// [`compute_digest`] with a choice of HMAC keying.
pub fn compute_digest_keyed<'o>(
    mode: AuthMode,
    keying: HmacKeying,
    secret: &[u8],
    signed: &[u8],
    out: &'o mut [u8; MAX_DIGEST_LEN],
) -> &'o [u8] {
    let len = mode.digest_len();
    *out = [0u8; MAX_DIGEST_LEN];
    match mode {
        AuthMode::None | AuthMode::Password => {}
        AuthMode::KeyedMd5 => {
            let mut hasher = Md5::new();
            hasher.update(signed);
            hasher.update(super::pad_password(secret));
            copy_into(out, &hasher.finalize());
        }
        AuthMode::HmacSha1 => hmac_apad::<Sha1>(keying, secret, signed, out),
        AuthMode::HmacSha256 => hmac_apad::<Sha256>(keying, secret, signed, out),
        AuthMode::HmacSha384 => hmac_apad::<Sha384>(keying, secret, signed, out),
        AuthMode::HmacSha512 => hmac_apad::<Sha512>(keying, secret, signed, out),
    }
    out.get(..len).unwrap_or_default()
}

fn copy_into(out: &mut [u8; MAX_DIGEST_LEN], digest: &[u8]) {
    for (dst, src) in out.iter_mut().zip(digest) {
        *dst = *src;
    }
}

/// HMAC over `signed` followed by Apad of the hash's length, with the key
/// prepared as RFC 4822 §3.4.2 says: a key longer than the hash length L is
/// hashed to L octets first; a shorter one is zero padded, which HMAC does itself.
fn hmac_apad<D>(keying: HmacKeying, secret: &[u8], signed: &[u8], out: &mut [u8; MAX_DIGEST_LEN])
where
    D: Digest + BlockSizeUser,
{
    let hash_len = <D as Digest>::output_size();
    let hashed_key;
    let key: &[u8] = if keying == HmacKeying::Rfc4822 && secret.len() > hash_len {
        hashed_key = D::digest(secret);
        &hashed_key
    } else {
        secret
    };
    // SimpleHmac takes keys of every length; on the impossible error the
    // digest stays zero and verification fails closed.
    let Ok(mut mac) = <SimpleHmac<D> as KeyInit>::new_from_slice(key) else {
        return;
    };
    Mac::update(&mut mac, signed);
    for _ in 0..hash_len / APAD_WORD.len() {
        Mac::update(&mut mac, &APAD_WORD);
    }
    copy_into(out, &mac.finalize().into_bytes());
}
