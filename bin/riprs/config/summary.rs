//! The one-line account of a valid configuration that `riprs check` prints.

use std::collections::BTreeSet;

use super::{Settings, TABLE_MAIN};

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl Settings {
    /// e.g. `RIP on 2 networks and 1 interface (vti02), 1 passive, 0 neighbors;
    /// timers 30/180/120 s; routes to table main, metric 20`.
    pub fn summary(&self) -> String {
        let e = &self.engine;
        let networks = e.networks.len() + e.network_interfaces.len();
        let mut interfaces = count(e.interfaces.len(), "interface", "interfaces");
        if !e.interfaces.is_empty() {
            let names: Vec<&str> = e.interfaces.keys().map(String::as_str).collect();
            interfaces.push_str(&format!(" ({})", names.join(", ")));
        }
        let table = if self.kernel.table == TABLE_MAIN {
            "main".to_string()
        } else {
            self.kernel.table.to_string()
        };
        let passive = if e.passive_default {
            let active: Vec<&str> = e
                .interfaces
                .keys()
                .filter(|name| !e.is_passive(name))
                .map(String::as_str)
                .collect();
            if active.is_empty() {
                "all passive".to_string()
            } else {
                format!("passive but {}", active.join(", "))
            }
        } else {
            let named: BTreeSet<&String> = e
                .passive_interfaces
                .iter()
                .chain(e.interfaces.keys())
                .collect();
            let passive = named.into_iter().filter(|name| e.is_passive(name)).count();
            format!("{passive} passive")
        };
        format!(
            "RIP on {} and {}, {}, {}; timers {}/{}/{} s; routes to table {}, metric {}",
            count(networks, "network", "networks"),
            interfaces,
            passive,
            count(e.neighbors.len(), "neighbor", "neighbors"),
            e.timers.update.as_secs(),
            e.timers.timeout.as_secs(),
            e.timers.garbage.as_secs(),
            table,
            self.kernel.metric,
        )
    }
}
