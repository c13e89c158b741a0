//! Interfaces and their addresses as the engine sees them, from the
//! caller's link and address events.

use std::net::Ipv4Addr;

use rip_codec::Ipv4Prefix;

/// A link and what it can do, as netlink reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub ifindex: u32,
    pub name: String,
    /// Administratively and operationally up.
    pub up: bool,
    /// IFF_MULTICAST: without it, 224.0.0.9 is neither sent nor received.
    pub multicast: bool,
}

/// An IPv4 address on an interface. On a point-to-point link with a `peer`
/// (IFA_ADDRESS differing from IFA_LOCAL), the peer alone is on-link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Address {
    pub ifindex: u32,
    pub local: Ipv4Addr,
    pub prefix_len: u8,
    pub peer: Option<Ipv4Addr>,
}

impl Address {
    /// The connected network this address makes: the subnet, or the peer's
    /// /32 on a point-to-point link.
    pub fn connected(&self) -> Ipv4Prefix {
        match self.peer {
            Some(peer) => Ipv4Prefix::new_truncating(peer, self.prefix_len),
            None => Ipv4Prefix::new_truncating(self.local, self.prefix_len),
        }
    }

    /// True when `addr` is directly reachable through this address
    /// (RFC 2453 §3.9.2): inside the subnet, or the point-to-point peer.
    pub fn is_on_link(&self, addr: Ipv4Addr) -> bool {
        if addr == self.local {
            return false;
        }
        match self.peer {
            Some(peer) => addr == peer || self.connected().contains(addr),
            None => self.prefix_len < 32 && self.connected().contains(addr),
        }
    }
}

/// What the caller tells the engine about interfaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InterfaceEvent {
    /// A link appeared or changed (flags, name).
    Link(Link),
    /// A link was deleted.
    LinkRemoved {
        ifindex: u32,
    },
    AddressAdded(Address),
    AddressRemoved(Address),
}

/// The engine's view of one interface.
#[derive(Debug, Clone)]
pub(crate) struct Interface {
    pub(crate) link: Link,
    pub(crate) addresses: Vec<Address>,
    /// RIP runs here: named in `networks` or `[interfaces]`, or an address
    /// inside a `networks` prefix; and the link is up with an address.
    pub(crate) active: bool,
    pub(crate) passive: bool,
}

impl Interface {
    pub(crate) fn new(link: Link) -> Self {
        Interface {
            link,
            addresses: Vec::new(),
            active: false,
            passive: false,
        }
    }

    /// The address to send from: the first one (the primary, as the kernel lists them).
    pub(crate) fn source(&self) -> Option<Ipv4Addr> {
        self.addresses.first().map(|a| a.local)
    }

    /// Where RIPv1 and "RIP-1 compatible" updates go (RFC 1058 §3.4, RFC
    /// 2453 §5.1): the peer of a point-to-point address, else the subnet's
    /// broadcast address; none for a /32 without a peer.
    pub(crate) fn broadcast(&self) -> Option<Ipv4Addr> {
        let address = self.addresses.first()?;
        if let Some(peer) = address.peer {
            return Some(peer);
        }
        match address.prefix_len {
            32 => None,
            31 => Some(Ipv4Addr::BROADCAST),
            len => Some(Ipv4Addr::from(
                u32::from(address.local) | !rip_codec::len_to_mask(len),
            )),
        }
    }

    /// RFC 1058 §3.7, as ripd does: a RIPv1 message carries no mask, so out
    /// of an interface on subnet S of classful network N go the default
    /// route, the subnets of N as long as S (and host routes in N), and
    /// whole classful networks other than N; other routes are left out.
    pub(crate) fn v1_can_carry(&self, prefix: Ipv4Prefix) -> bool {
        if prefix.is_default() {
            return true;
        }
        let Some(address) = self.addresses.first() else {
            return false;
        };
        let local = u32::from(address.local);
        let class_len = rip_codec::classful_len(local);
        let class = rip_codec::len_to_mask(class_len);
        let addr = prefix.addr_bits();
        let same_network =
            rip_codec::classful_len(addr) == class_len && addr & class == local & class;
        if same_network {
            prefix.prefix_len() == address.prefix_len || prefix.prefix_len() == 32
        } else {
            prefix.prefix_len() == rip_codec::classful_len(addr)
        }
    }

    pub(crate) fn is_on_link(&self, addr: Ipv4Addr) -> bool {
        self.addresses.iter().any(|a| a.is_on_link(addr))
    }

    pub(crate) fn has_local(&self, addr: Ipv4Addr) -> bool {
        self.addresses.iter().any(|a| a.local == addr)
    }

    /// RFC 1058 §3.2: a RIPv1 destination carries no mask. The codec reads
    /// one with bits past its class as a host route; when it lies in the
    /// subnetted classful network of an address here and has no bits past
    /// that address's subnet mask, it is a subnet of the same length
    /// (10.1.0.0 heard on 10.0.0.1/24 is 10.1.0.0/24), as ripd does too.
    pub(crate) fn v1_subnet(&self, prefix: Ipv4Prefix) -> Ipv4Prefix {
        if prefix.prefix_len() != 32 {
            return prefix;
        }
        let addr = prefix.addr_bits();
        self.addresses
            .iter()
            .find_map(|a| {
                let class_len = rip_codec::classful_len(u32::from(a.local));
                let class = rip_codec::len_to_mask(class_len);
                let subnet = rip_codec::len_to_mask(a.prefix_len);
                let subnetted = a.prefix_len > class_len && a.prefix_len < 32;
                (subnetted
                    && rip_codec::classful_len(addr) == class_len
                    && addr & class == u32::from(a.local) & class
                    && addr & !subnet == 0)
                    .then(|| Ipv4Prefix::new_truncating(prefix.addr(), a.prefix_len))
            })
            .unwrap_or(prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(local: [u8; 4], len: u8, peer: Option<[u8; 4]>) -> Address {
        Address {
            ifindex: 1,
            local: Ipv4Addr::from(local),
            prefix_len: len,
            peer: peer.map(Ipv4Addr::from),
        }
    }

    #[test]
    fn on_link_for_subnets_and_peers() {
        let lan = addr([192, 168, 10, 3], 24, None);
        assert!(lan.is_on_link(Ipv4Addr::new(192, 168, 10, 4)));
        assert!(!lan.is_on_link(Ipv4Addr::new(192, 168, 11, 4)));
        assert!(
            !lan.is_on_link(Ipv4Addr::new(192, 168, 10, 3)),
            "our own address"
        );
        let p30 = addr([10, 0, 0, 1], 30, None);
        assert!(p30.is_on_link(Ipv4Addr::new(10, 0, 0, 2)));
        assert!(!p30.is_on_link(Ipv4Addr::new(10, 0, 0, 5)));
        let p2p = addr([10, 9, 0, 1], 32, Some([10, 9, 0, 2]));
        assert!(p2p.is_on_link(Ipv4Addr::new(10, 9, 0, 2)));
        assert!(!p2p.is_on_link(Ipv4Addr::new(10, 9, 0, 3)));
        assert_eq!(p2p.connected().to_string(), "10.9.0.2/32");
        let lone = addr([10, 9, 0, 1], 32, None);
        assert!(!lone.is_on_link(Ipv4Addr::new(10, 9, 0, 2)));
    }

    #[test]
    fn ripv1_subnet_takes_the_mask_of_an_address_in_its_network() {
        let mut iface = Interface::new(Link {
            ifindex: 1,
            name: "eth0".into(),
            up: true,
            multicast: true,
        });
        iface.addresses.push(addr([10, 0, 0, 1], 24, None));
        iface.addresses.push(addr([172, 16, 0, 1], 16, None));
        let v1 = |p: &str| iface.v1_subnet(p.parse().unwrap()).to_string();
        // A subnet of 10.0.0.0/8, subnetted /24 here.
        assert_eq!(v1("10.1.0.0/32"), "10.1.0.0/24");
        // Bits past the /24: a host.
        assert_eq!(v1("10.1.0.7/32"), "10.1.0.7/32");
        // Another class A network: no mask known, a host.
        assert_eq!(v1("11.1.0.0/32"), "11.1.0.0/32");
        // 172.16.0.0/16 is not subnetted (its class's own length).
        assert_eq!(v1("172.16.3.0/32"), "172.16.3.0/32");
        // Already classful, or the default route: unchanged.
        assert_eq!(v1("192.168.1.0/24"), "192.168.1.0/24");
        assert_eq!(v1("0.0.0.0/0"), "0.0.0.0/0");
    }
}
