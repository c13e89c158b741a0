//! What the interop tests (tests/interop_*.rs) share: riprs started in a
//! namespace ([`start_riprs`], the harness's [`Riprs`]), a listener that
//! records what is sent on a link ([`Wire`]), the usual topology
//! ([`link_with_listener`], [`add_lan`]), peer configs, and a report of the
//! peers, the wire and riprs's tables printed when a test fails
//! ([`OnPanic`]; riprs's routes and log come from its own guard).
//!
//! Addresses used throughout: the shared link is 10.0.0.0/24 (riprs .1, the
//! peer .2, the listener .9); riprs's LAN is 10.2.0.0/24, FRR's 10.1.0.0/24,
//! BIRD's 10.3.0.0/24. Every LAN is a veth pair inside its namespace
//! (`lan0`, with `lan0p` as the far end), so it is a connected subnet that
//! stays up, advertised but never spoken on.

#![allow(dead_code)]

use std::net::{Ipv4Addr, SocketAddrV4};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rip_codec::{AuthMode, Body, Key, Repr, RouteEntry};

pub use crate::support::Riprs;
use crate::support::{Bird, Frr, Netns, RipSocket, veth, wait_until};

pub const RIPRS: &str = env!("CARGO_BIN_EXE_riprs");

pub const RIPRS_LINK: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
pub const PEER_LINK: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
pub const LISTENER: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 9);
pub const RIPRS_LAN: &str = "10.2.0.0/24";
pub const FRR_LAN: &str = "10.1.0.0/24";
pub const BIRD_LAN: &str = "10.3.0.0/24";

/// How long a route may take to be learned: a peer's first update after
/// start (FRR answers riprs's request at once, but jitters its own first
/// update up to 7.5 s with `timers basic 5 15 10`).
pub const LEARN: Duration = Duration::from_secs(15);
/// Withdrawals must arrive within this: a triggered update (FRR delays one
/// by up to 5 s), far less than any timeout in play (15 s and more).
pub const WITHDRAW: Duration = Duration::from_secs(8);

// --- riprs --------------------------------------------------------------------

/// Starts riprs in `ns` with `toml` (the harness's [`Riprs`] adds the control
/// socket and a debug log). On a failed test it prints its routes, kernel
/// routes and log; [`riprs_tables`] adds the interfaces and neighbors.
pub fn start_riprs<'ns>(ns: &'ns Netns, toml: &str) -> Riprs<'ns> {
    Riprs::start(ns, RIPRS, "riprs", toml)
}

/// The `bad_packets` count of an interface (`riprs show interfaces --json`).
pub fn bad_packets(riprs: &Riprs, ifname: &str) -> u64 {
    riprs
        .interface(ifname)
        .and_then(|i| i["bad_packets"].as_u64())
        .unwrap_or_else(|| panic!("no bad_packets for {ifname}: {}", riprs.show("interfaces")))
}

/// `riprs show interfaces` and `riprs show neighbors` as riprs prints them,
/// asked on `socket` (so that a report needs no borrow of the [`Riprs`]).
/// Never panics.
pub fn riprs_tables(socket: &Path) -> String {
    let mut text = String::from("=== riprs\n");
    for topic in ["interfaces", "neighbors"] {
        let out = Command::new(RIPRS)
            .args(["show", topic, "-s"])
            .arg(socket)
            .output();
        let out = match out {
            Ok(o) => format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            ),
            Err(e) => format!("({e})\n"),
        };
        text.push_str(&format!("--- riprs show {topic}\n{out}"));
    }
    text
}

// --- peers' reports --------------------------------------------------------------

/// FRR's RIP table, status (neighbors, bad packets) and logs. Never panics.
pub fn frr_report(frr: &Frr) -> String {
    let mut text = format!("=== FRR {}\n", frr.name());
    for command in ["show ip rip", "show ip rip status"] {
        let out = frr.try_vtysh(command).unwrap_or_else(|e| e);
        text.push_str(&format!("--- {command}\n{out}"));
    }
    text.push_str(&frr.logs());
    text
}

/// BIRD's routes, RIP interfaces and neighbors, and log. Never panics.
pub fn bird_report(bird: &Bird) -> String {
    let mut text = String::from("=== BIRD\n");
    for command in [
        "show route all",
        "show rip interfaces",
        "show rip neighbors",
    ] {
        let out = bird.try_birdc(command).unwrap_or_else(|e| e);
        text.push_str(&format!("--- birdc {command}\n{out}"));
    }
    text.push_str(&bird.logs());
    text
}

/// Prints `report()` on stderr when dropped during a panic: declared after
/// the daemons it reports on, it runs before they stop (and before riprs's
/// guard prints its routes and log).
pub struct OnPanic<F: Fn() -> String>(pub F);

impl<F: Fn() -> String> Drop for OnPanic<F> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("\n{}", (self.0)());
        }
    }
}

// --- topology ---------------------------------------------------------------------

/// A connected LAN in `ns`: `lan0` (with `cidr`) and its far end `lan0p`,
/// both up. Nothing runs RIP on it; it is only advertised.
pub fn add_lan(ns: &Netns, cidr: &str) {
    ns.ip("link add lan0 type veth peer name lan0p");
    ns.addr("lan0", cidr);
    ns.link_up("lan0");
    ns.link_up("lan0p");
}

/// riprs's namespace and a peer's, each with `eth0` on one link through a
/// bridge in a third namespace, where a [`Wire`] can listen (10.0.0.9 on
/// `br0`). riprs is 10.0.0.1 with LAN 10.2.0.1/24; the peer is 10.0.0.2 (its
/// LAN is the caller's). Returned as (riprs, peer, listener).
pub fn link_with_listener(tag: &str) -> (Netns, Netns, Netns) {
    let riprs = Netns::new(tag);
    let peer = Netns::new(tag);
    let listener = Netns::new(tag);
    listener.ip("link add br0 type bridge");
    // 224.0.0.x is flooded anyway; no snooping keeps it that way.
    listener.ip("link set dev br0 type bridge mcast_snooping 0");
    veth(&riprs, "eth0", &listener, "p0");
    veth(&peer, "eth0", &listener, "p1");
    for port in ["p0", "p1"] {
        listener.ip(&format!("link set dev {port} master br0"));
    }
    listener.link_up("br0");
    listener.addr("br0", &format!("{LISTENER}/24"));
    riprs.addr("eth0", &format!("{RIPRS_LINK}/24"));
    peer.addr("eth0", &format!("{PEER_LINK}/24"));
    add_lan(&riprs, "10.2.0.1/24");
    (riprs, peer, listener)
}

// --- the wire ----------------------------------------------------------------------

/// One message heard on the link.
#[derive(Debug, Clone)]
pub struct Heard {
    pub at: Instant,
    pub from: SocketAddrV4,
    pub bytes: Vec<u8>,
    /// Decoded without authentication (the links listened on have none).
    pub message: Result<Repr, String>,
}

impl Heard {
    /// The routes of a response, or none.
    pub fn routes(&self) -> &[RouteEntry] {
        match &self.message {
            Ok(Repr {
                body: Body::Response(routes),
                ..
            }) => routes,
            _ => &[],
        }
    }

    pub fn version(&self) -> Option<u8> {
        self.message.as_ref().ok().map(|m| m.version)
    }

    pub fn is_response(&self) -> bool {
        matches!(
            &self.message,
            Ok(Repr {
                body: Body::Response(_),
                ..
            })
        )
    }

    /// The entry for `prefix` ("10.1.0.0/24") in this message, if any.
    pub fn entry(&self, prefix: &str) -> Option<&RouteEntry> {
        self.routes()
            .iter()
            .find(|r| r.prefix.to_string() == prefix)
    }
}

/// Records every RIP message that reaches 224.0.0.9:520 (or the listener's
/// own address) in the listener's namespace, on a thread, until dropped.
pub struct Wire {
    heard: Arc<Mutex<Vec<Heard>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Wire {
    /// Listens from `local` (an address of `ns`), where 224.0.0.9 is joined.
    pub fn listen(ns: &Netns, local: Ipv4Addr) -> Wire {
        let socket = RipSocket::bind(ns, local);
        let heard = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let heard = heard.clone();
            let stop = stop.clone();
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let Some((bytes, from)) = socket.recv_timeout(Duration::from_millis(100))
                    else {
                        continue;
                    };
                    let message = Repr::parse(&bytes, AuthMode::None, &[] as &[Key])
                        .map(|p| p.repr)
                        .map_err(|e| e.to_string());
                    heard.lock().unwrap().push(Heard {
                        at: Instant::now(),
                        from,
                        bytes,
                        message,
                    });
                }
            })
        };
        Wire {
            heard,
            stop,
            thread: Some(thread),
        }
    }

    /// Everything heard from `source` so far.
    pub fn heard_from(&self, source: Ipv4Addr) -> Vec<Heard> {
        self.heard
            .lock()
            .unwrap()
            .iter()
            .filter(|h| *h.from.ip() == source)
            .cloned()
            .collect()
    }

    /// Everything heard from `source` since `since`.
    pub fn heard_since(&self, source: Ipv4Addr, since: Instant) -> Vec<Heard> {
        self.heard_from(source)
            .into_iter()
            .filter(|h| h.at >= since)
            .collect()
    }

    /// Waits up to `timeout` for the messages heard from `source` since
    /// `since` to satisfy `check`; returns them then.
    pub fn wait_for(
        &self,
        source: Ipv4Addr,
        since: Instant,
        timeout: Duration,
        check: impl Fn(&[Heard]) -> bool,
    ) -> Option<Vec<Heard>> {
        wait_until(timeout, Duration::from_millis(50), || {
            let heard = self.heard_since(source, since);
            check(&heard).then_some(heard)
        })
    }

    /// What riprs sends on the link from now on, once it has sent two
    /// whole updates (its LAN at metric 1); panics after 10 s.
    pub fn two_updates_from_riprs(&self) -> Vec<Heard> {
        self.wait_for(RIPRS_LINK, Instant::now(), Duration::from_secs(10), |h| {
            full_updates(h).len() >= 2
        })
        .expect("two updates from riprs on eth0")
    }

    /// What was heard, one message per line, for failure messages. Never
    /// panics.
    pub fn dump(&self) -> String {
        let Ok(heard) = self.heard.lock() else {
            return "(wire log poisoned)".into();
        };
        let start = heard.first().map(|h| h.at);
        let mut text = String::from("=== heard on the link\n");
        for h in heard.iter() {
            let t = start
                .map(|s| h.at.duration_since(s).as_secs_f32())
                .unwrap_or(0.0);
            let what = match &h.message {
                Ok(Repr {
                    version,
                    body: Body::Response(routes),
                }) => format!(
                    "v{version} response: {}",
                    routes
                        .iter()
                        .map(|r| format!("{} m{}", r.prefix, r.metric))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                Ok(Repr { version, body }) => format!("v{version} {body:?}"),
                Err(e) => format!("undecodable ({e}): {:02x?}", h.bytes),
            };
            text.push_str(&format!("{t:7.2}s {} {what}\n", h.from));
        }
        text
    }
}

impl Drop for Wire {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The messages that are riprs's regular (whole-table) updates: responses
/// that carry riprs's own LAN.
pub fn full_updates(heard: &[Heard]) -> Vec<&Heard> {
    heard
        .iter()
        .filter(|h| h.entry(RIPRS_LAN).is_some_and(|e| e.metric == 1))
        .collect()
}

// --- peer configs ---------------------------------------------------------------

/// A ripd.conf: RIP on eth0 and lan0 (passive), LAN advertised as connected;
/// `iface` goes under `interface eth0`, `router` under `router rip`, `top`
/// before both (key chains).
pub fn frr_conf(top: &str, iface: &str, router: &str) -> String {
    format!(
        "hostname frr
{top}
interface eth0
{iface}
!
router rip
 network eth0
 network lan0
 passive-interface lan0
 {timers}
{router}
",
        timers = crate::support::frr::FAST_TIMERS
    )
}

/// A bird.conf: RIP on eth0 (`iface` inside its block, after `update time 5;
/// timeout time 30;`), the LAN (lan0) exported through `protocol direct`.
pub fn bird_conf(router_id: Ipv4Addr, iface: &str) -> String {
    format!(
        r#"router id {router_id};
protocol device {{ scan time 1; }}
protocol direct {{ ipv4; interface "lan0"; }}
protocol rip {{
    ipv4 {{ import all; export all; }};
    interface "eth0" {{
        update time 5;
        timeout time 30;
{iface}
    }};
}}
"#
    )
}

/// A ripd.toml for riprs on eth0 (`iface` in `[interfaces.eth0]`) with its LAN
/// on lan0 (passive); `rip` is added to `[rip]`, `rest` at the end.
pub fn riprs_toml(rip: &str, iface: &str, rest: &str) -> String {
    format!(
        r#"[rip]
networks = ["eth0", "lan0"]
passive-interfaces = ["lan0"]
{rip}

[rip.timers]
update = 2
timeout = 15
garbage = 10

[interfaces.eth0]
{iface}

{rest}
"#
    )
}
