//! The shapes of single values: interface names, prefixes, unicast addresses.

use std::net::Ipv4Addr;

use rip_codec::{Ipv4Prefix, PrefixError};

/// Linux's IFNAMSIZ less the terminating NUL.
const MAX_IFNAME_LEN: usize = 15;

/// Why `name` cannot be a Linux interface name, if it cannot
/// (the rules of the kernel's `dev_valid_name`).
pub(crate) fn check_ifname(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("an interface name cannot be empty".into());
    }
    if name.len() > MAX_IFNAME_LEN {
        return Err(format!(
            "\"{name}\" is not an interface name: at most {MAX_IFNAME_LEN} octets"
        ));
    }
    if name == "." || name == ".." {
        return Err(format!("\"{name}\" is not an interface name"));
    }
    if name
        .chars()
        .any(|c| c == '/' || c == ':' || c.is_whitespace())
    {
        return Err(format!(
            "\"{name}\" is not an interface name: no '/', ':' or white space"
        ));
    }
    Ok(())
}

/// An IPv4 prefix `a.b.c.d/len` with no host bits set.
pub(crate) fn parse_prefix(text: &str) -> Result<Ipv4Prefix, String> {
    match text.parse::<Ipv4Prefix>() {
        Ok(prefix) => Ok(prefix),
        Err(PrefixError::HostBitsSet { addr, len }) => Err(format!(
            "\"{text}\" has host bits set: the prefix is {}",
            Ipv4Prefix::new_truncating(addr, len)
        )),
        Err(PrefixError::LengthTooLong(len)) => {
            Err(format!("\"{text}\": prefix length {len} is above 32"))
        }
        Err(PrefixError::Syntax(_)) => Err(format!(
            "\"{text}\" is not an IPv4 prefix: expected a.b.c.d/len"
        )),
    }
}

/// An entry of `rip.networks`: a prefix, or the name of an interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Network {
    Prefix(Ipv4Prefix),
    Interface(String),
}

/// A prefix if it looks like one (has a '/', or is digits and dots), an
/// interface name otherwise.
pub(crate) fn parse_network(text: &str) -> Result<Network, String> {
    if let Ok(addr) = text.parse::<Ipv4Addr>() {
        return Err(format!(
            "\"{text}\" is an address: a network needs a prefix length, e.g. \"{addr}/24\""
        ));
    }
    let looks_numeric = text.chars().all(|c| c.is_ascii_digit() || c == '.');
    if text.contains('/') || (looks_numeric && !text.is_empty()) {
        return parse_prefix(text).map(Network::Prefix);
    }
    check_ifname(text).map_err(|why| format!("{why} (nor a prefix a.b.c.d/len)"))?;
    Ok(Network::Interface(text.to_string()))
}

/// A unicast address a RIP neighbor can have.
pub(crate) fn parse_unicast(text: &str) -> Result<Ipv4Addr, String> {
    let addr: Ipv4Addr = text
        .parse()
        .map_err(|_| format!("\"{text}\" is not an IPv4 address"))?;
    let why = if addr.is_unspecified() {
        Some("the unspecified address")
    } else if addr.is_broadcast() {
        Some("the broadcast address")
    } else if addr.is_multicast() {
        Some("a multicast address")
    } else if addr.is_loopback() {
        Some("a loopback address")
    } else if addr.octets().first().is_some_and(|o| *o >= 240) {
        Some("a reserved (class E) address")
    } else if addr.octets().first() == Some(&0) {
        Some("in 0.0.0.0/8 (\"this network\")")
    } else {
        None
    };
    match why {
        Some(why) => Err(format!(
            "\"{text}\" is {why}: a neighbor must be a unicast address"
        )),
        None => Ok(addr),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interface_names() {
        assert!(check_ifname("vti02").is_ok());
        assert!(check_ifname("eth0.100").is_ok());
        assert!(check_ifname("").is_err());
        assert!(check_ifname("a-very-long-interface").is_err());
        assert!(check_ifname("eth 0").is_err());
        assert!(check_ifname("eth0:1").is_err());
        assert!(check_ifname("..").is_err());
    }

    #[test]
    fn networks_are_prefixes_or_names() {
        assert_eq!(
            parse_network("10.0.0.0/8"),
            Ok(Network::Prefix("10.0.0.0/8".parse().unwrap()))
        );
        assert_eq!(
            parse_network("vti02"),
            Ok(Network::Interface("vti02".into()))
        );
        assert!(
            parse_network("10.0.0.1")
                .unwrap_err()
                .contains("prefix length")
        );
        assert!(
            parse_network("10.0.0.1/8")
                .unwrap_err()
                .contains("host bits")
        );
        assert!(parse_network("10.0.0").is_err());
    }

    #[test]
    fn neighbors_are_unicast() {
        assert!(parse_unicast("192.0.2.1").is_ok());
        for bad in [
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.9",
            "127.0.0.1",
            "240.0.0.1",
            "x",
        ] {
            assert!(parse_unicast(bad).is_err(), "{bad}");
        }
    }
}
