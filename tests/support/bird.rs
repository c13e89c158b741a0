//! BIRD 2 as a RIP peer inside a test namespace.
//!
//! What BIRD needs, and what bites:
//! - `bird -f -c CONF -s SOCK -P PIDFILE`: foreground, its own control
//!   socket and pid file in a temporary directory; runs as root (no `-u`).
//!   Started under `ip netns exec`, which execs it in place: the child pid is
//!   BIRD's own. The control socket is a unix socket, so `birdc -s SOCK`
//!   runs outside the namespace.
//! - The config needs `protocol device { }`, or no protocol ever sees an
//!   interface, and a `router id` if the namespace has no IPv4 address when
//!   BIRD starts ("Cannot determine router ID").
//! - RIP timers are per interface: `update time 2; timeout time 10;` (the
//!   garbage timer follows the timeout). BIRD sends a request when an
//!   interface comes up and learns from a response as soon as it arrives.
//! - RIP routes reach `show route` only with `ipv4 { import all; }`.
//! - Cryptographic authentication: BIRD drops a message whose sequence
//!   number is lower than the last one from that neighbor, so a test that
//!   sends several signed messages must count up. BIRD signs HMAC with the
//!   key as RFC 2104 does (hashed only when longer than the hash's block),
//!   not as RFC 4822 §3.4.2 (hashed when longer than the hash): keys of 33 to
//!   64 octets with SHA-256 differ between the two.
//! - A `log "DIR/bird.log" all;` line is put before the given config.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use tempfile::TempDir;

use super::{Daemon, Netns, wait_until};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// One BIRD in a namespace; stopped on drop.
pub struct Bird<'ns> {
    ns: &'ns Netns,
    daemon: Daemon,
    dir: TempDir,
}

/// A route of `birdc show route` (its first, preferred path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BirdRoute {
    pub network: String,
    /// The protocol instance it came from, e.g. "rip1".
    pub protocol: String,
    /// BIRD's preference, e.g. 120 for RIP.
    pub preference: u32,
    /// The route's metric (for RIP routes, the RIP metric).
    pub metric: Option<u32>,
    /// "via ADDR" of the next line, if any.
    pub via: Option<String>,
    /// "on IFNAME" of the next line, if any.
    pub interface: Option<String>,
}

impl<'ns> Bird<'ns> {
    /// Starts BIRD with `conf` (the text of a bird.conf) in `ns`; returns
    /// once it answers on its control socket.
    pub fn start(ns: &'ns Netns, conf: &str) -> Bird<'ns> {
        // Named after the namespace, so that a later run can tell whether
        // the test that made it still runs (see `Netns::new`).
        let name = format!(
            "{}-b{}.",
            ns.name(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let dir = tempfile::Builder::new()
            .prefix(&name)
            .tempdir_in("/tmp")
            .expect("temporary directory for BIRD");
        let path = dir.path();
        let conf_path = path.join("bird.conf");
        std::fs::write(
            &conf_path,
            format!("log \"{}\" all;\n{conf}", path.join("bird.log").display()),
        )
        .expect("write bird.conf");
        let mut cmd = ns.command("bird");
        cmd.arg("-f")
            .arg("-c")
            .arg(&conf_path)
            .arg("-s")
            .arg(path.join("bird.ctl"))
            .arg("-P")
            .arg(path.join("bird.pid"));
        let daemon = Daemon::spawn("bird", cmd, Some(path.join("bird.out")));
        let mut bird = Bird { ns, daemon, dir };
        let ready = wait_until(Duration::from_secs(10), Duration::from_millis(50), || {
            bird.assert_running();
            bird.try_birdc("show status").ok()
        });
        if ready.is_none() {
            panic!("BIRD does not answer on its socket:\n{}", bird.logs());
        }
        bird
    }

    pub fn netns(&self) -> &Netns {
        self.ns
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn socket(&self) -> PathBuf {
        self.dir().join("bird.ctl")
    }

    /// Runs one birdc command; panics unless birdc succeeds.
    pub fn birdc(&self, command: &str) -> String {
        self.try_birdc(command)
            .unwrap_or_else(|e| panic!("birdc {command:?}: {e}\n{}", self.logs()))
    }

    /// Runs one birdc command (split at whitespace); the error is birdc's output.
    pub fn try_birdc(&self, command: &str) -> Result<String, String> {
        let output = Command::new("birdc")
            .arg("-s")
            .arg(self.socket())
            .args(command.split_whitespace())
            .output()
            .map_err(|e| e.to_string())?;
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        if output.status.success() {
            Ok(text)
        } else {
            Err(format!(
                "{}: {text}{}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    }

    /// `show route`, as text.
    pub fn show_route(&self) -> String {
        self.birdc("show route")
    }

    /// The routes of `show route`.
    pub fn routes(&self) -> Vec<BirdRoute> {
        parse_show_route(&self.show_route())
    }

    /// The route to `network` (e.g. "10.9.0.0/24").
    pub fn route(&self, network: &str) -> Option<BirdRoute> {
        self.routes().into_iter().find(|r| r.network == network)
    }

    /// Waits up to `timeout` for `network` to be in `show route` and for
    /// `accept` to hold for it.
    pub fn wait_for_route(
        &self,
        network: &str,
        timeout: Duration,
        accept: impl Fn(&BirdRoute) -> bool,
    ) -> Option<BirdRoute> {
        wait_until(timeout, Duration::from_millis(100), || {
            self.route(network).filter(|r| accept(r))
        })
    }

    /// BIRD's log and output, for failure messages.
    pub fn logs(&self) -> String {
        let mut text = String::new();
        for file in ["bird.log", "bird.out"] {
            if let Ok(content) = std::fs::read_to_string(self.dir().join(file)) {
                text.push_str(&format!("--- {file}\n{content}"));
            }
        }
        text
    }

    /// BIRD's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir().join("bird.log")).unwrap_or_default()
    }

    /// Panics, with the logs, if BIRD has exited.
    pub fn assert_running(&mut self) {
        if let Some(status) = self.daemon.exited() {
            panic!("bird exited ({status}):\n{}", self.logs());
        }
    }
}

/// Parses `birdc show route`:
///
/// ```text
/// Table master4:
/// 10.9.0.0/24          unicast [rip1 12:00:01.234] * (120/3)
///         via 10.0.0.2 on eth0
/// ```
pub fn parse_show_route(text: &str) -> Vec<BirdRoute> {
    let mut routes: Vec<BirdRoute> = Vec::new();
    // Alternative paths start with whitespace too; only the first one of a
    // network (the preferred one) is kept.
    let mut first_path = false;
    for line in text.lines() {
        let starts_indented = line.starts_with(char::is_whitespace);
        let fields: Vec<&str> = line.split_whitespace().collect();
        if !starts_indented && fields.first().is_some_and(|f| f.contains('/')) {
            let protocol = line
                .split_once('[')
                .and_then(|(_, rest)| rest.split_whitespace().next())
                .unwrap_or_default()
                .trim_end_matches(']')
                .to_string();
            let (preference, metric) = line
                .rsplit_once('(')
                .and_then(|(_, rest)| rest.split_once(')'))
                .map(|(inner, _)| {
                    let mut parts = inner.split('/');
                    let preference = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
                    (preference, parts.next().and_then(|m| m.parse().ok()))
                })
                .unwrap_or((0, None));
            routes.push(BirdRoute {
                network: fields[0].to_string(),
                protocol,
                preference,
                metric,
                via: None,
                interface: None,
            });
            first_path = true;
        } else if starts_indented && first_path {
            if let Some(route) = routes.last_mut() {
                let mut words = fields.iter();
                while let Some(word) = words.next() {
                    match *word {
                        "via" => route.via = words.next().map(|s| s.to_string()),
                        "on" | "dev" => route.interface = words.next().map(|s| s.to_string()),
                        _ => {}
                    }
                }
            }
            if fields.first() == Some(&"via") || fields.first() == Some(&"dev") {
                first_path = false;
            }
        }
    }
    routes
}
