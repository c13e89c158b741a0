//! An IPv4 prefix: an address and a prefix length, host bits clear.

use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

/// An IPv4 destination as RIPv2 carries it: address and contiguous mask.
///
/// The address never has bits set beyond the prefix length; the constructors
/// either reject such input ([`Ipv4Prefix::new`]) or clear the bits
/// ([`Ipv4Prefix::new_truncating`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ipv4Prefix {
    addr: u32,
    len: u8,
}

/// Why a prefix could not be built or parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrefixError {
    #[error("prefix length {0} is above 32")]
    LengthTooLong(u8),
    #[error("{addr}/{len} has host bits set")]
    HostBitsSet { addr: Ipv4Addr, len: u8 },
    #[error("`{0}` is not of the form a.b.c.d/len")]
    Syntax(String),
}

impl Ipv4Prefix {
    /// The default route, 0.0.0.0/0.
    pub const DEFAULT: Ipv4Prefix = Ipv4Prefix { addr: 0, len: 0 };

    /// A prefix from an address with no bits set past `len`.
    pub fn new(addr: Ipv4Addr, len: u8) -> Result<Self, PrefixError> {
        if len > 32 {
            return Err(PrefixError::LengthTooLong(len));
        }
        let bits = u32::from(addr);
        if bits & !len_to_mask(len) != 0 {
            return Err(PrefixError::HostBitsSet { addr, len });
        }
        Ok(Ipv4Prefix { addr: bits, len })
    }

    /// The prefix that contains `addr`, host bits cleared; `len` above 32 is taken as 32.
    pub fn new_truncating(addr: Ipv4Addr, len: u8) -> Self {
        let len = len.min(32);
        Ipv4Prefix {
            addr: u32::from(addr) & len_to_mask(len),
            len,
        }
    }

    /// A /32 for one address.
    pub fn host(addr: Ipv4Addr) -> Self {
        Ipv4Prefix {
            addr: u32::from(addr),
            len: 32,
        }
    }

    /// Built from already checked wire values; callers guarantee `len <= 32`
    /// and no host bits.
    pub(crate) const fn from_bits_unchecked(addr: u32, len: u8) -> Self {
        Ipv4Prefix { addr, len }
    }

    pub fn addr(&self) -> Ipv4Addr {
        Ipv4Addr::from(self.addr)
    }

    pub fn addr_bits(&self) -> u32 {
        self.addr
    }

    pub fn prefix_len(&self) -> u8 {
        self.len
    }

    /// True for the default route (0.0.0.0/0), whose length is zero.
    pub fn is_default(&self) -> bool {
        self.len == 0
    }

    pub fn mask(&self) -> Ipv4Addr {
        Ipv4Addr::from(len_to_mask(self.len))
    }

    pub fn mask_bits(&self) -> u32 {
        len_to_mask(self.len)
    }

    pub fn contains(&self, addr: Ipv4Addr) -> bool {
        u32::from(addr) & len_to_mask(self.len) == self.addr
    }

    /// True when `other` lies inside this prefix (or equals it).
    pub fn covers(&self, other: &Ipv4Prefix) -> bool {
        other.len >= self.len && other.addr & len_to_mask(self.len) == self.addr
    }
}

/// The netmask of a prefix length, `len <= 32`.
pub const fn len_to_mask(len: u8) -> u32 {
    if len == 0 {
        0
    } else if len >= 32 {
        u32::MAX
    } else {
        u32::MAX << (32 - len)
    }
}

/// The prefix length of a contiguous netmask, or `None` when the mask has holes.
pub const fn mask_to_len(mask: u32) -> Option<u8> {
    let inverted = !mask;
    if inverted & inverted.wrapping_add(1) != 0 {
        return None;
    }
    Some(mask.leading_ones() as u8)
}

impl fmt::Display for Ipv4Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr(), self.len)
    }
}

impl FromStr for Ipv4Prefix {
    type Err = PrefixError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let syntax = || PrefixError::Syntax(s.to_string());
        let (addr, len) = s.split_once('/').ok_or_else(syntax)?;
        let addr: Ipv4Addr = addr.parse().map_err(|_| syntax())?;
        let len: u8 = len.parse().map_err(|_| syntax())?;
        Ipv4Prefix::new(addr, len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_and_lengths_agree() {
        for len in 0..=32u8 {
            assert_eq!(mask_to_len(len_to_mask(len)), Some(len));
        }
        assert_eq!(mask_to_len(0xFF00_FF00), None);
        assert_eq!(mask_to_len(0x0000_00FF), None);
    }

    #[test]
    fn parse_and_display() {
        let p: Ipv4Prefix = "192.168.20.0/24".parse().unwrap();
        assert_eq!(p.to_string(), "192.168.20.0/24");
        assert!(p.contains(Ipv4Addr::new(192, 168, 20, 7)));
        assert!(!p.contains(Ipv4Addr::new(192, 168, 21, 7)));
        assert!(matches!(
            "192.168.20.1/24".parse::<Ipv4Prefix>(),
            Err(PrefixError::HostBitsSet { .. })
        ));
        assert!(matches!(
            "10.0.0.0/33".parse::<Ipv4Prefix>(),
            Err(PrefixError::LengthTooLong(33))
        ));
        assert!(matches!(
            "10.0.0.0".parse::<Ipv4Prefix>(),
            Err(PrefixError::Syntax(_))
        ));
    }

    #[test]
    fn covers() {
        let big: Ipv4Prefix = "10.0.0.0/8".parse().unwrap();
        let small: Ipv4Prefix = "10.1.0.0/16".parse().unwrap();
        assert!(big.covers(&small));
        assert!(!small.covers(&big));
        assert!(Ipv4Prefix::DEFAULT.covers(&small));
    }
}
