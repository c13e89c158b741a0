//! One 20-octet route entry (RFC 2453 §4, RFC 1058 §3.1) and the rules that
//! make it valid.

use std::net::Ipv4Addr;

use crate::error::EntryError;
use crate::header::{AFI_AUTH, AFI_INET, ENTRY_LEN, INFINITY};
use crate::prefix::{Ipv4Prefix, len_to_mask, mask_to_len};

/// A route entry as RIPv2 carries it, validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RouteEntry {
    pub prefix: Ipv4Prefix,
    /// 0.0.0.0 means "via the sender" (RFC 2453 §4.4).
    pub next_hop: Ipv4Addr,
    /// 1..=16, where 16 is unreachable.
    pub metric: u8,
    pub tag: u16,
}

impl RouteEntry {
    /// A route via the sender with tag 0.
    pub fn new(prefix: Ipv4Prefix, metric: u8) -> Self {
        RouteEntry {
            prefix,
            next_hop: Ipv4Addr::UNSPECIFIED,
            metric,
            tag: 0,
        }
    }

    /// Writes the entry in RIPv2 form.
    pub fn write_v2(&self, out: &mut [u8; ENTRY_LEN]) {
        write_fields(
            out,
            AFI_INET,
            self.tag,
            self.prefix.addr_bits(),
            self.prefix.mask_bits(),
            u32::from(self.next_hop),
            u32::from(self.metric),
        );
    }

    /// Writes the entry in RIPv1 form: no tag, mask or next hop (RFC 1058 §3.1).
    pub fn write_v1(&self, out: &mut [u8; ENTRY_LEN]) {
        write_fields(
            out,
            AFI_INET,
            0,
            self.prefix.addr_bits(),
            0,
            0,
            u32::from(self.metric),
        );
    }
}

fn write_fields(
    out: &mut [u8; ENTRY_LEN],
    afi: u16,
    tag: u16,
    addr: u32,
    mask: u32,
    next_hop: u32,
    metric: u32,
) {
    let [a0, a1] = afi.to_be_bytes();
    let [t0, t1] = tag.to_be_bytes();
    let [d0, d1, d2, d3] = addr.to_be_bytes();
    let [m0, m1, m2, m3] = mask.to_be_bytes();
    let [n0, n1, n2, n3] = next_hop.to_be_bytes();
    let [x0, x1, x2, x3] = metric.to_be_bytes();
    *out = [
        a0, a1, t0, t1, d0, d1, d2, d3, m0, m1, m2, m3, n0, n1, n2, n3, x0, x1, x2, x3,
    ];
}

/// Zero-copy accessors over the raw fields of one entry.
#[derive(Debug, Clone, Copy)]
pub struct EntryView<'a>(pub &'a [u8; ENTRY_LEN]);

impl EntryView<'_> {
    #[inline]
    pub fn afi(&self) -> u16 {
        let b = self.0;
        u16::from_be_bytes([b[0], b[1]])
    }
    #[inline]
    pub fn tag(&self) -> u16 {
        let b = self.0;
        u16::from_be_bytes([b[2], b[3]])
    }
    #[inline]
    pub fn addr(&self) -> u32 {
        let b = self.0;
        u32::from_be_bytes([b[4], b[5], b[6], b[7]])
    }
    #[inline]
    pub fn mask(&self) -> u32 {
        let b = self.0;
        u32::from_be_bytes([b[8], b[9], b[10], b[11]])
    }
    #[inline]
    pub fn next_hop(&self) -> u32 {
        let b = self.0;
        u32::from_be_bytes([b[12], b[13], b[14], b[15]])
    }
    #[inline]
    pub fn metric(&self) -> u32 {
        let b = self.0;
        u32::from_be_bytes([b[16], b[17], b[18], b[19]])
    }

    /// Decodes and validates a RIPv2 response entry.
    ///
    /// All rules are evaluated without branching, into one flag word, and a
    /// cold path names the first broken rule: a clean entry costs one
    /// well-predicted branch.
    #[inline(always)]
    pub fn route_v2(&self) -> Result<RouteEntry, EntryError> {
        let b = self.0;
        let afi_tag = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
        // Destination and mask, next hop and metric, each pair in one load.
        let dest = u64::from_be_bytes([b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11]]);
        let hop = u64::from_be_bytes([b[12], b[13], b[14], b[15], b[16], b[17], b[18], b[19]]);
        let addr = (dest >> 32) as u32;
        let mask = dest as u32;
        let next_hop = (hop >> 32) as u32;
        let metric = hop as u32;
        let host_mask = !mask;

        // Each term is zero when its rule holds.
        // RFC 2453 §3.9.2: address family IP, metric 1..=16.
        let bad_afi = (afi_tag >> 16) ^ u32::from(AFI_INET);
        let bad_metric = metric.wrapping_sub(1) & !0xF;
        // RFC 2453 §4.3: a contiguous mask, no address bits outside it.
        let holes = host_mask & host_mask.wrapping_add(1);
        let host_bits = addr & host_mask;
        // RFC 1122 §3.2.1.3: martian destinations and unusable next hops.
        let bad_dest = destination_flags(addr, mask);
        let bad_next_hop = next_hop_flags(next_hop);
        if bad_afi | bad_metric | holes | host_bits | bad_dest | bad_next_hop != 0 {
            return Err(self.classify_v2());
        }
        Ok(RouteEntry {
            prefix: Ipv4Prefix::from_bits_unchecked(addr, mask.leading_ones() as u8),
            next_hop: Ipv4Addr::from(next_hop),
            // bad_metric is zero, so metric is in 1..=16.
            metric: metric as u8,
            tag: afi_tag as u16,
        })
    }

    /// Decodes and validates a RIPv1 response entry (RFC 1058 §3.1): the
    /// destination's length is its class's, or 32 when it has bits set past
    /// the class (a host route). The must-be-zero fields are checked per
    /// message, see [`crate::Packet`].
    #[inline(never)]
    pub fn route_v1(&self) -> Result<RouteEntry, EntryError> {
        let afi = self.afi();
        if afi == AFI_AUTH {
            return Err(EntryError::MisplacedAuth);
        }
        if afi != AFI_INET {
            return Err(EntryError::UnknownAfi(afi));
        }
        let metric = self.metric();
        if metric.wrapping_sub(1) >= u32::from(INFINITY) {
            return Err(EntryError::BadMetric(metric));
        }
        let addr = self.addr();
        let len = v1_prefix_len(addr);
        if is_martian(addr, len_to_mask(len)) {
            return Err(EntryError::MartianDestination(Ipv4Addr::from(addr)));
        }
        Ok(RouteEntry {
            prefix: Ipv4Prefix::from_bits_unchecked(addr, len),
            next_hop: Ipv4Addr::UNSPECIFIED,
            metric: metric as u8,
            tag: 0,
        })
    }

    /// Decodes the destination of a specific request entry (RFC 2453 §3.9.1):
    /// the metric is not looked at, the responder fills it in.
    pub fn query(&self, version: u8) -> Result<Ipv4Prefix, EntryError> {
        let afi = self.afi();
        if afi == AFI_AUTH {
            return Err(EntryError::MisplacedAuth);
        }
        if afi != AFI_INET {
            return Err(EntryError::UnknownAfi(afi));
        }
        let addr = self.addr();
        let mask = if version == crate::header::VERSION_1 {
            // As for a RIPv1 route: 0.0.0.0 is the default route, bits past
            // the class make a host.
            len_to_mask(v1_prefix_len(addr))
        } else {
            self.mask()
        };
        let Some(len) = mask_to_len(mask) else {
            return Err(EntryError::NonContiguousMask(Ipv4Addr::from(mask)));
        };
        Ok(Ipv4Prefix::new_truncating(Ipv4Addr::from(addr), len))
    }

    /// Names the first rule a RIPv2 entry breaks, in the order of RFC 2453 §3.9.2.
    #[cold]
    #[inline(never)]
    fn classify_v2(&self) -> EntryError {
        let afi = self.afi();
        if afi == AFI_AUTH {
            return EntryError::MisplacedAuth;
        }
        if afi != AFI_INET {
            return EntryError::UnknownAfi(afi);
        }
        let metric = self.metric();
        if metric.wrapping_sub(1) >= u32::from(INFINITY) {
            return EntryError::BadMetric(metric);
        }
        let addr = self.addr();
        let mask = self.mask();
        if mask_to_len(mask).is_none() {
            return EntryError::NonContiguousMask(Ipv4Addr::from(mask));
        }
        if addr & !mask != 0 {
            return EntryError::HostBitsSet {
                addr: Ipv4Addr::from(addr),
                mask: Ipv4Addr::from(mask),
            };
        }
        if is_martian(addr, mask) {
            return EntryError::MartianDestination(Ipv4Addr::from(addr));
        }
        let hop = Ipv4Addr::from(self.next_hop());
        match self.next_hop() >> 24 {
            127 => EntryError::LoopbackNextHop(hop),
            224..=239 => EntryError::MulticastNextHop(hop),
            _ => EntryError::ReservedNextHop(hop),
        }
    }
}

/// The length a RIPv1 destination stands for (RFC 1058 §3.2): 0 for the
/// default route, 32 for a host (bits set past its class), else its class's.
fn v1_prefix_len(addr: u32) -> u8 {
    let class_len = classful_len(addr);
    if addr == 0 {
        0
    } else if addr & !len_to_mask(class_len) != 0 {
        32
    } else {
        class_len
    }
}

/// The classful prefix length of an address (RFC 791 classes A, B, C; 32
/// for D and E, which are martians anyway).
pub fn classful_len(addr: u32) -> u8 {
    match addr >> 24 {
        0..=127 => 8,
        128..=191 => 16,
        192..=223 => 24,
        _ => 32,
    }
}

/// What the first octet of an address says about it (RFC 1122 §3.2.1.3):
/// 127/8 and 224/3 (class D, E, broadcast) are never valid; 0/8 only as
/// the default route (destination) or as 0.0.0.0, "via the sender" (next hop).
const FIRST_OCTET_NEVER: u8 = 1;
const FIRST_OCTET_ZERO: u8 = 2;
// Built at compile time: an index out of bounds here fails the build.
#[allow(clippy::indexing_slicing)]
static FIRST_OCTET: [u8; 256] = {
    let mut table = [0u8; 256];
    table[0] = FIRST_OCTET_ZERO;
    table[127] = FIRST_OCTET_NEVER;
    let mut octet = 224;
    while octet < 256 {
        table[octet] = FIRST_OCTET_NEVER;
        octet += 1;
    }
    table
};

#[inline(always)]
fn first_octet_class(addr: u32) -> u32 {
    // `addr >> 24` is below 256: the lookup cannot miss.
    u32::from(
        FIRST_OCTET
            .get((addr >> 24) as usize)
            .copied()
            .unwrap_or(FIRST_OCTET_NEVER),
    )
}

/// Non-zero for a destination no router should carry: 0/8 other than the
/// default route, 127/8, class D and E, 255.255.255.255. With a contiguous
/// mask, a 0/8 address is the default route exactly when the mask is zero.
#[inline(always)]
fn destination_flags(addr: u32, mask: u32) -> u32 {
    let class = first_octet_class(addr);
    class & (u32::from(FIRST_OCTET_NEVER) | u32::from(mask != 0) << 1)
}

/// Non-zero for a next hop that cannot be a neighbor: loopback, multicast,
/// class E, or 0/8 other than 0.0.0.0 (which means "via the sender").
#[inline(always)]
fn next_hop_flags(next_hop: u32) -> u32 {
    let class = first_octet_class(next_hop);
    class & (u32::from(FIRST_OCTET_NEVER) | u32::from(next_hop != 0) << 1)
}

/// True for a destination no router should carry (see [`destination_flags`]);
/// the mask is taken as contiguous.
fn is_martian(addr: u32, mask: u32) -> bool {
    destination_flags(addr, mask) != 0
}

/// True for a prefix RIP must not carry (RFC 1122 §3.2.1.3): 127/8, class D
/// and E, 0/8 other than the default route. The rule received entries are
/// checked with, for callers that originate routes.
pub fn is_martian_destination(prefix: Ipv4Prefix) -> bool {
    is_martian(prefix.addr_bits(), prefix.mask_bits())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(afi: u16, tag: u16, addr: [u8; 4], mask: [u8; 4], nh: [u8; 4], metric: u32) -> [u8; 20] {
        let mut out = [0u8; 20];
        write_fields(
            &mut out,
            afi,
            tag,
            u32::from_be_bytes(addr),
            u32::from_be_bytes(mask),
            u32::from_be_bytes(nh),
            metric,
        );
        out
    }

    fn v2(bytes: [u8; 20]) -> Result<RouteEntry, EntryError> {
        EntryView(&bytes).route_v2()
    }

    #[test]
    fn valid_entry_decodes() {
        let e = v2(raw(2, 7, [192, 168, 20, 0], [255, 255, 255, 0], [0; 4], 1)).unwrap();
        assert_eq!(e.prefix.to_string(), "192.168.20.0/24");
        assert_eq!(e.metric, 1);
        assert_eq!(e.tag, 7);
        assert_eq!(e.next_hop, Ipv4Addr::UNSPECIFIED);
        let mut back = [0u8; 20];
        e.write_v2(&mut back);
        assert_eq!(
            back,
            raw(2, 7, [192, 168, 20, 0], [255, 255, 255, 0], [0; 4], 1)
        );
    }

    #[test]
    fn default_route_and_host_route_are_valid() {
        assert!(
            v2(raw(2, 0, [0; 4], [0; 4], [0; 4], 1))
                .unwrap()
                .prefix
                .is_default()
        );
        let host = v2(raw(2, 0, [10, 1, 2, 3], [255; 4], [0; 4], 16)).unwrap();
        assert_eq!(host.prefix.prefix_len(), 32);
        assert_eq!(host.metric, 16);
    }

    #[test]
    fn each_rule_has_its_error() {
        let m24 = [255, 255, 255, 0];
        let net = [10, 0, 0, 0];
        assert_eq!(
            v2(raw(7, 0, net, m24, [0; 4], 1)),
            Err(EntryError::UnknownAfi(7))
        );
        assert_eq!(
            v2(raw(0xFFFF, 0, net, m24, [0; 4], 1)),
            Err(EntryError::MisplacedAuth)
        );
        assert_eq!(
            v2(raw(2, 0, net, m24, [0; 4], 0)),
            Err(EntryError::BadMetric(0))
        );
        assert_eq!(
            v2(raw(2, 0, net, m24, [0; 4], 17)),
            Err(EntryError::BadMetric(17))
        );
        assert_eq!(
            v2(raw(2, 0, net, m24, [0; 4], u32::MAX)),
            Err(EntryError::BadMetric(u32::MAX))
        );
        assert_eq!(
            v2(raw(2, 0, net, [255, 0, 255, 0], [0; 4], 1)),
            Err(EntryError::NonContiguousMask(Ipv4Addr::new(255, 0, 255, 0)))
        );
        assert!(matches!(
            v2(raw(2, 0, [10, 0, 0, 1], m24, [0; 4], 1)),
            Err(EntryError::HostBitsSet { .. })
        ));
        for martian in [[0, 1, 0, 0], [127, 0, 0, 0], [224, 0, 0, 0], [240, 0, 0, 0]] {
            assert_eq!(
                v2(raw(2, 0, martian, m24, [0; 4], 1)),
                Err(EntryError::MartianDestination(Ipv4Addr::from(martian)))
            );
        }
        assert_eq!(
            v2(raw(2, 0, [255; 4], [255; 4], [0; 4], 1)),
            Err(EntryError::MartianDestination(Ipv4Addr::BROADCAST))
        );
        // 0.0.0.0 with a non-zero mask is 0/8 space, not the default route.
        assert!(matches!(
            v2(raw(2, 0, [0; 4], [255, 0, 0, 0], [0; 4], 1)),
            Err(EntryError::MartianDestination(_))
        ));
        assert_eq!(
            v2(raw(2, 0, net, m24, [224, 0, 0, 9], 1)),
            Err(EntryError::MulticastNextHop(Ipv4Addr::new(224, 0, 0, 9)))
        );
        assert_eq!(
            v2(raw(2, 0, net, m24, [127, 0, 0, 1], 1)),
            Err(EntryError::LoopbackNextHop(Ipv4Addr::LOCALHOST))
        );
        assert_eq!(
            v2(raw(2, 0, net, m24, [0, 0, 0, 1], 1)),
            Err(EntryError::ReservedNextHop(Ipv4Addr::new(0, 0, 0, 1)))
        );
        assert_eq!(
            v2(raw(2, 0, net, m24, [255; 4], 1)),
            Err(EntryError::ReservedNextHop(Ipv4Addr::BROADCAST))
        );
    }

    #[test]
    fn v1_entries_take_their_class_length() {
        let e = EntryView(&raw(2, 0, [10, 0, 0, 0], [0; 4], [0; 4], 2))
            .route_v1()
            .unwrap();
        assert_eq!(e.prefix.to_string(), "10.0.0.0/8");
        let e = EntryView(&raw(2, 0, [172, 16, 0, 0], [0; 4], [0; 4], 2))
            .route_v1()
            .unwrap();
        assert_eq!(e.prefix.to_string(), "172.16.0.0/16");
        let e = EntryView(&raw(2, 0, [192, 168, 1, 0], [0; 4], [0; 4], 2))
            .route_v1()
            .unwrap();
        assert_eq!(e.prefix.to_string(), "192.168.1.0/24");
        let e = EntryView(&raw(2, 0, [10, 1, 0, 0], [0; 4], [0; 4], 2))
            .route_v1()
            .unwrap();
        assert_eq!(e.prefix.to_string(), "10.1.0.0/32");
        let e = EntryView(&raw(2, 0, [0; 4], [0; 4], [0; 4], 2))
            .route_v1()
            .unwrap();
        assert!(e.prefix.is_default());
        assert_eq!(
            EntryView(&raw(2, 0, [127, 0, 0, 0], [0; 4], [0; 4], 2)).route_v1(),
            Err(EntryError::MartianDestination(Ipv4Addr::new(127, 0, 0, 0)))
        );
    }

    #[test]
    fn queries_ignore_the_metric() {
        let q = EntryView(&raw(2, 0, [10, 1, 0, 0], [255, 255, 0, 0], [0; 4], 0))
            .query(2)
            .unwrap();
        assert_eq!(q.to_string(), "10.1.0.0/16");
    }
}
