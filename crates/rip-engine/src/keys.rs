//! Key chains with lifetimes (RFC 4822 §3.1, §5): which key signs now,
//! which keys are accepted now.

use std::time::SystemTime;

use rip_codec::auth::{KeyLookup, PASSWORD_LEN, pad_password};
use subtle::ConstantTimeEq;

use crate::config::{Authentication, KeyConfig};
use crate::output::SignWith;

fn within(from: Option<SystemTime>, until: Option<SystemTime>, at: SystemTime) -> bool {
    from.is_none_or(|f| f <= at) && until.is_none_or(|u| at < u)
}

/// The key to sign with at `at`: of the keys valid for sending, the one that
/// became valid last (RFC 4822 §5), the first listed on a tie.
pub(crate) fn send_key(auth: &Authentication, at: SystemTime) -> Option<SignWith> {
    let mut best: Option<&KeyConfig> = None;
    for key in auth
        .keys
        .iter()
        .filter(|k| within(k.send_from, k.send_until, at))
    {
        if best.is_none_or(|b| key.send_from > b.send_from) {
            best = Some(key);
        }
    }
    best.map(|key| SignWith {
        mode: auth.mode,
        key_id: key.id,
        secret: key.secret.clone(),
        md5_auth_len: auth.md5_auth_len,
    })
}

/// The keys accepted at one instant, for [`rip_codec::Packet::authenticate`].
pub(crate) struct AcceptedKeys<'a> {
    pub(crate) keys: &'a [KeyConfig],
    pub(crate) at: SystemTime,
}

impl AcceptedKeys<'_> {
    fn accepted(&self) -> impl Iterator<Item = &KeyConfig> {
        self.keys
            .iter()
            .filter(|k| within(k.accept_from, k.accept_until, self.at))
    }
}

impl KeyLookup for AcceptedKeys<'_> {
    fn secret_by_id(&self, id: u8) -> Option<&[u8]> {
        self.accepted().find(|k| k.id == id).map(|k| &*k.secret)
    }

    fn password_matches(&self, wire: &[u8; PASSWORD_LEN]) -> bool {
        // Every key is compared, whatever the outcome.
        let mut found = subtle::Choice::from(0);
        for key in self.accepted() {
            found |= pad_password(&key.secret).ct_eq(wire);
        }
        found.into()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use rip_codec::AuthMode;

    use super::*;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn newest_valid_key_signs() {
        let mut k1 = KeyConfig::new(1, b"one");
        k1.send_until = Some(at(2000));
        let mut k2 = KeyConfig::new(2, b"two");
        k2.send_from = Some(at(1000));
        let auth = Authentication {
            mode: AuthMode::KeyedMd5,
            keys: vec![k1, k2],
            ..Authentication::default()
        };
        assert_eq!(send_key(&auth, at(500)).unwrap().key_id, 1);
        assert_eq!(send_key(&auth, at(1500)).unwrap().key_id, 2);
        assert_eq!(send_key(&auth, at(2500)).unwrap().key_id, 2);
    }

    #[test]
    fn accept_windows_are_respected() {
        let mut k1 = KeyConfig::new(1, b"one");
        k1.accept_until = Some(at(100));
        let keys = [k1, KeyConfig::new(2, b"two")];
        let early = AcceptedKeys {
            keys: &keys,
            at: at(50),
        };
        let late = AcceptedKeys {
            keys: &keys,
            at: at(150),
        };
        assert!(early.secret_by_id(1).is_some());
        assert!(late.secret_by_id(1).is_none());
        assert!(late.secret_by_id(2).is_some());
        assert!(late.password_matches(&pad_password(b"two")));
        assert!(!late.password_matches(&pad_password(b"one")));
    }
}
