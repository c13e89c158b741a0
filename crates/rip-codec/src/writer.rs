//! Writing a message into a caller's buffer, authenticated if asked
//! (RFC 2453 §4, §4.1, RFC 4822 §2, §3.4).

use crate::auth::{
    self, AUTH_TYPE_CRYPTO, AUTH_TYPE_PASSWORD, AuthMode, Signer, TRAILER_HEADER_LEN,
};
use crate::entry::RouteEntry;
use crate::error::EmitError;
use crate::header::{
    AFI_UNSPECIFIED, Command, ENTRY_LEN, HEADER_LEN, INFINITY, MAX_MESSAGE_LEN, VERSION_1,
};
use crate::prefix::Ipv4Prefix;

/// Route entries that fit in one 512-octet message with this authentication:
/// 25 without, 24 with a password, 23 with keyed MD5 or HMAC-SHA-1, 22 with
/// HMAC-SHA-256, 21 with HMAC-SHA-384 or -512.
pub fn max_routes(mode: AuthMode) -> usize {
    (MAX_MESSAGE_LEN - HEADER_LEN - mode.auth_entry_len() - mode.trailer_len()) / ENTRY_LEN
}

/// Builds one message in place: header, authentication entry, entries, and
/// on [`MessageWriter::finish`] the trailer and digest.
pub struct MessageWriter<'b, 'k> {
    buf: &'b mut [u8],
    len: usize,
    routes: usize,
    max_routes: usize,
    version: u8,
    signer: Option<Signer<'k>>,
}

impl<'b, 'k> MessageWriter<'b, 'k> {
    /// Starts a message. `signer` is `None` (or has mode `None`) for an
    /// unauthenticated one. The buffer must hold a full message of this mode,
    /// [`MAX_MESSAGE_LEN`] octets always suffice.
    pub fn new(
        buf: &'b mut [u8],
        command: Command,
        version: u8,
        signer: Option<Signer<'k>>,
    ) -> Result<Self, EmitError> {
        let signer = signer.filter(|s| s.mode != AuthMode::None);
        let mode = signer.map_or(AuthMode::None, |s| s.mode);
        if mode != AuthMode::None && version == VERSION_1 {
            return Err(EmitError::BadKey("RIPv1 has no authentication"));
        }
        let need = HEADER_LEN + mode.auth_entry_len() + ENTRY_LEN + mode.trailer_len();
        if buf.len() < need {
            return Err(EmitError::BufferTooSmall {
                have: buf.len(),
                need,
            });
        }
        let mut writer = MessageWriter {
            buf,
            len: 0,
            routes: 0,
            max_routes: max_routes(mode),
            version,
            signer,
        };
        writer.put(&[command.to_wire(), version, 0, 0]);
        if let Some(signer) = signer {
            writer.put_auth_entry(&signer)?;
        }
        Ok(writer)
    }

    /// Entries written so far, the authentication entry not counted.
    pub fn routes(&self) -> usize {
        self.routes
    }

    pub fn is_full(&self) -> bool {
        self.routes >= self.max_routes || self.remaining_for_entries() < ENTRY_LEN
    }

    /// Adds a route entry; `Err` when the message is full.
    pub fn push_route(&mut self, route: &RouteEntry) -> Result<(), EmitError> {
        let mut entry = [0u8; ENTRY_LEN];
        if self.version == VERSION_1 {
            route.write_v1(&mut entry);
        } else {
            route.write_v2(&mut entry);
        }
        self.push_raw(&entry)
    }

    /// Adds the one entry of a whole-table request (RFC 2453 §3.9.1).
    pub fn push_whole_table_request(&mut self) -> Result<(), EmitError> {
        let mut entry = [0u8; ENTRY_LEN];
        let [.., metric] = &mut entry;
        *metric = INFINITY;
        if let Some([a0, a1]) = entry.first_chunk_mut::<2>() {
            [*a0, *a1] = AFI_UNSPECIFIED.to_be_bytes();
        }
        self.push_raw(&entry)
    }

    /// Adds a specific request entry for `prefix` (RFC 2453 §3.9.1).
    pub fn push_query(&mut self, prefix: Ipv4Prefix) -> Result<(), EmitError> {
        self.push_route(&RouteEntry::new(prefix, INFINITY))
    }

    fn push_raw(&mut self, entry: &[u8; ENTRY_LEN]) -> Result<(), EmitError> {
        if self.is_full() {
            return Err(EmitError::TooManyEntries {
                count: self.routes + 1,
                max: self.max_routes,
            });
        }
        self.put(entry);
        self.routes += 1;
        Ok(())
    }

    /// Completes the message: fills the packet length, trailer and digest of
    /// a cryptographically authenticated one. Returns the message.
    pub fn finish(self) -> &'b [u8] {
        let MessageWriter {
            buf, len, signer, ..
        } = self;
        let total = match signer {
            Some(signer) if signer.mode.is_cryptographic() => sign(buf, len, &signer),
            _ => len,
        };
        buf.get(..total).unwrap_or_default()
    }

    fn remaining_for_entries(&self) -> usize {
        let trailer = self.signer.map_or(0, |s| s.mode.trailer_len());
        self.buf.len().saturating_sub(self.len + trailer)
    }

    fn put(&mut self, bytes: &[u8]) {
        if let Some(dst) = self.buf.get_mut(self.len..self.len + bytes.len()) {
            dst.copy_from_slice(bytes);
            self.len += bytes.len();
        }
    }

    fn put_auth_entry(&mut self, signer: &Signer<'_>) -> Result<(), EmitError> {
        let mut entry = [0u8; ENTRY_LEN];
        let (head, rest) = entry.split_at_mut(4);
        match signer.mode {
            AuthMode::None => return Ok(()),
            AuthMode::Password => {
                if signer.key.secret.len() > auth::PASSWORD_LEN {
                    return Err(EmitError::BadKey("a simple password has at most 16 octets"));
                }
                head.copy_from_slice(&[0xFF, 0xFF, 0, AUTH_TYPE_PASSWORD as u8]);
                rest.copy_from_slice(&auth::pad_password(signer.key.secret));
            }
            _ => {
                let [s0, s1, s2, s3] = signer.sequence.to_be_bytes();
                head.copy_from_slice(&[0xFF, 0xFF, 0, AUTH_TYPE_CRYPTO as u8]);
                // Packet length (filled by finish), key id, auth data length,
                // sequence number, 8 reserved octets (RFC 4822 §2.1).
                let fields = [
                    0,
                    0,
                    signer.key.id,
                    signer.auth_len_field(),
                    s0,
                    s1,
                    s2,
                    s3,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                ];
                rest.copy_from_slice(&fields);
            }
        }
        self.put(&entry);
        Ok(())
    }
}

/// Writes the packet length, the trailer and the digest (RFC 4822 §2.2,
/// §3.4); returns the total length.
fn sign(buf: &mut [u8], body_len: usize, signer: &Signer<'_>) -> usize {
    let mode = signer.mode;
    let total = body_len + mode.trailer_len();
    let Some(message) = buf.get_mut(..total) else {
        return body_len;
    };
    let [l0, l1] = (body_len as u16).to_be_bytes();
    if let Some(len_field) = message.get_mut(HEADER_LEN + 4..HEADER_LEN + 6) {
        len_field.copy_from_slice(&[l0, l1]);
    }
    let (signed_part, digest_part) = message.split_at_mut(body_len + TRAILER_HEADER_LEN);
    if let Some(marker) = signed_part.last_chunk_mut::<TRAILER_HEADER_LEN>() {
        *marker = [0xFF, 0xFF, 0x00, 0x01];
    }
    let mut digest = [0u8; 64];
    let digest = auth::compute_digest(mode, signer.key.secret, signed_part, &mut digest);
    digest_part.copy_from_slice(digest);
    total
}
