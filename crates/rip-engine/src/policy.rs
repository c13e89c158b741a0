//! Route filters (quagga's `distribute-list` with `ip prefix-list`) and
//! offset lists, resolved once per configuration.

use rip_codec::Ipv4Prefix;

use crate::config::{Direction, EngineConfig, PrefixList, PrefixRule};

impl PrefixRule {
    /// quagga semantics: the route must lie inside the rule's prefix and its
    /// length must be within ge..=le, which default to the rule's length.
    pub fn matches(&self, route: &Ipv4Prefix) -> bool {
        let own = self.prefix.prefix_len();
        let ge = self.ge.unwrap_or(own);
        let le = self.le.unwrap_or(if self.ge.is_some() { 32 } else { own });
        self.prefix.covers(route) && (ge..=le).contains(&route.prefix_len())
    }
}

impl PrefixList {
    /// First matching rule decides; no match denies.
    pub fn permits(&self, route: &Ipv4Prefix) -> bool {
        self.rules
            .iter()
            .find(|rule| rule.matches(route))
            .is_some_and(|rule| rule.permit)
    }
}

/// The policy of one direction on one interface: filter and metric offset.
#[derive(Debug, Clone, Default)]
pub(crate) struct DirectionalPolicy {
    /// All of these must permit (global, then per interface).
    filters: Vec<PrefixList>,
    /// (prefix list, offset): the first matching adds its offset.
    offsets: Vec<(PrefixList, u8)>,
}

impl DirectionalPolicy {
    /// Resolves names against the config; an unknown list name denies
    /// everything, as in quagga, so a typo never leaks routes.
    pub(crate) fn build(
        config: &EngineConfig,
        interface: &str,
        direction: Direction,
    ) -> DirectionalPolicy {
        let lookup = |name: &String| config.prefix_lists.get(name).cloned().unwrap_or_default();
        let iface = config.interfaces.get(interface);
        let (global, local) = match direction {
            Direction::In => (&config.filter_in, iface.and_then(|i| i.filter_in.as_ref())),
            Direction::Out => (
                &config.filter_out,
                iface.and_then(|i| i.filter_out.as_ref()),
            ),
        };
        let filters = global.iter().chain(local).map(lookup).collect();
        // Interface-specific offset lists before global ones, as in quagga.
        let mut offsets: Vec<(PrefixList, u8)> = config
            .offsets
            .iter()
            .filter(|o| o.direction == direction && o.interface.as_deref() == Some(interface))
            .map(|o| (lookup(&o.prefix_list), o.offset))
            .collect();
        offsets.extend(
            config
                .offsets
                .iter()
                .filter(|o| o.direction == direction && o.interface.is_none())
                .map(|o| (lookup(&o.prefix_list), o.offset)),
        );
        DirectionalPolicy { filters, offsets }
    }

    pub(crate) fn permits(&self, prefix: &Ipv4Prefix) -> bool {
        self.filters.iter().all(|list| list.permits(prefix))
    }

    /// The metric after the offset list, capped at 16.
    pub(crate) fn apply_offset(&self, prefix: &Ipv4Prefix, metric: u8) -> u8 {
        let offset = self
            .offsets
            .iter()
            .find(|(list, _)| list.permits(prefix))
            .map_or(0, |(_, offset)| *offset);
        metric.saturating_add(offset).min(rip_codec::INFINITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Ipv4Prefix {
        s.parse().unwrap()
    }

    fn rule(permit: bool, prefix: &str, ge: Option<u8>, le: Option<u8>) -> PrefixRule {
        PrefixRule {
            permit,
            prefix: p(prefix),
            ge,
            le,
        }
    }

    #[test]
    fn exact_ge_le_matching() {
        let exact = rule(true, "10.0.0.0/8", None, None);
        assert!(exact.matches(&p("10.0.0.0/8")));
        assert!(!exact.matches(&p("10.1.0.0/16")));
        let le24 = rule(true, "10.0.0.0/8", None, Some(24));
        assert!(le24.matches(&p("10.1.0.0/16")));
        assert!(le24.matches(&p("10.0.0.0/8")));
        assert!(!le24.matches(&p("10.1.1.0/25")));
        let ge16 = rule(true, "10.0.0.0/8", Some(16), None);
        assert!(!ge16.matches(&p("10.0.0.0/8")));
        assert!(ge16.matches(&p("10.1.1.1/32")));
        assert!(!ge16.matches(&p("11.0.0.0/16")));
    }

    #[test]
    fn first_match_wins_and_no_match_denies() {
        let list = PrefixList {
            rules: vec![
                rule(false, "192.168.99.0/24", None, None),
                rule(true, "192.168.0.0/16", None, Some(32)),
            ],
        };
        assert!(!list.permits(&p("192.168.99.0/24")));
        assert!(list.permits(&p("192.168.20.0/24")));
        assert!(!list.permits(&p("10.0.0.0/8")));
    }
}
