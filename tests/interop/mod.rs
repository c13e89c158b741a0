//! What the interop tests (tests/interop_*.rs) share: riprs itself as a
//! daemon in a namespace ([`Riprs`]), a listener that records what is sent
//! on a link ([`Wire`]), the usual topology ([`link_with_listener`],
//! [`add_lan`]), peer configs, and a report of both sides printed when a
//! test fails ([`OnPanic`]).
//!
//! Addresses used throughout: the shared link is 10.0.0.0/24 (riprs .1, the
//! peer .2, the listener .9); riprs's LAN is 10.2.0.0/24, FRR's 10.1.0.0/24,
//! BIRD's 10.3.0.0/24. Every LAN is a veth pair inside its namespace
//! (`lan0`, with `lan0p` as the far end), so it is a connected subnet that
//! stays up, advertised but never spoken on.

#![allow(dead_code)]

use std::cell::RefCell;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rip_codec::{AuthMode, Body, Key, Repr, RouteEntry};
use rustix::process::Signal;
use serde_json::Value;
use tempfile::TempDir;

use crate::support::{Bird, Daemon, Frr, Netns, RipSocket, veth, wait_until};

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

static COUNTER: AtomicU32 = AtomicU32::new(0);

// --- riprs --------------------------------------------------------------------

/// riprs running in a namespace with a ripd.toml, stopped on drop.
pub struct Riprs<'ns> {
    ns: &'ns Netns,
    // A RefCell so that `terminate` can be called while an [`OnPanic`]
    // report holds a shared borrow.
    daemon: RefCell<Daemon>,
    dir: TempDir,
}

/// A route of `riprs show routes --json`, with its first path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiprsRoute {
    pub prefix: String,
    pub metric: u64,
    pub origin: String,
    pub gateway: Option<String>,
    pub interface: Option<String>,
}

impl<'ns> Riprs<'ns> {
    /// Starts `riprs -c ripd.toml` in `ns`, with `toml` (without `[control]`
    /// and `[log]`, which are added: a socket in a temporary directory, debug
    /// level to riprs.log there). Returns once it answers `show status`.
    pub fn start(ns: &'ns Netns, toml: &str) -> Riprs<'ns> {
        // Named after the namespace, so that the next run's sweep can tell
        // whether its test still runs (see `Netns::new`).
        let dir = tempfile::Builder::new()
            .prefix(&format!(
                "{}-r{}.",
                ns.name(),
                COUNTER.fetch_add(1, Ordering::Relaxed)
            ))
            .tempdir_in("/tmp")
            .expect("temporary directory for riprs");
        let config = dir.path().join("ripd.toml");
        let socket = dir.path().join("riprs.sock");
        std::fs::write(
            &config,
            format!(
                "{toml}\n[control]\nsocket = \"{}\"\n\n[log]\nlevel = \"debug\"\nfile = \"{}\"\n",
                socket.display(),
                dir.path().join("riprs.log").display()
            ),
        )
        .expect("write ripd.toml");
        let mut cmd = ns.command(RIPRS);
        cmd.arg("-c").arg(&config);
        // Its own log goes to riprs.log; stderr (a panic, an error before
        // logging is set up) to riprs.out.
        let daemon = Daemon::spawn("riprs", cmd, Some(dir.path().join("riprs.out")));
        let riprs = Riprs {
            ns,
            daemon: RefCell::new(daemon),
            dir,
        };
        let ready = wait_until(Duration::from_secs(10), Duration::from_millis(50), || {
            riprs.daemon.borrow_mut().assert_running();
            riprs.show("status").ok()
        });
        if ready.is_none() {
            panic!(
                "riprs does not answer on {}:\n{}",
                socket.display(),
                riprs.log()
            );
        }
        riprs
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn socket(&self) -> PathBuf {
        self.dir().join("riprs.sock")
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir().join("ripd.toml")
    }

    /// `riprs show TOPIC --json -s SOCKET`, parsed.
    pub fn show(&self, topic: &str) -> Result<Value, String> {
        let text = self.cli(&[topic, "--json"])?;
        serde_json::from_str(&text).map_err(|e| format!("{e}: {text}"))
    }

    /// `riprs show TOPIC -s SOCKET`, the human-readable table.
    pub fn show_text(&self, topic: &str) -> String {
        self.cli(&[topic]).unwrap_or_else(|e| e)
    }

    fn cli(&self, args: &[&str]) -> Result<String, String> {
        let output = Command::new(RIPRS)
            .arg("show")
            .args(args)
            .arg("-s")
            .arg(self.socket())
            .output()
            .map_err(|e| e.to_string())?;
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        if output.status.success() {
            Ok(stdout)
        } else {
            Err(format!(
                "riprs show {args:?}: {}: {stdout}{}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    }

    /// The routes of `show routes --json`.
    pub fn routes(&self) -> Vec<RiprsRoute> {
        let answer = self.show("routes").unwrap_or_else(|e| panic!("{e}"));
        answer
            .as_array()
            .unwrap_or_else(|| panic!("show routes: not an array: {answer}"))
            .iter()
            .map(|r| {
                let path = r["paths"].get(0);
                let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
                RiprsRoute {
                    prefix: r["prefix"].as_str().unwrap_or_default().to_string(),
                    metric: r["metric"].as_u64().unwrap_or(u64::MAX),
                    origin: r["origin"].as_str().unwrap_or_default().to_string(),
                    gateway: text(path.and_then(|p| p.get("gateway"))),
                    interface: text(path.and_then(|p| p.get("interface"))),
                }
            })
            .collect()
    }

    pub fn route(&self, prefix: &str) -> Option<RiprsRoute> {
        self.routes().into_iter().find(|r| r.prefix == prefix)
    }

    /// Waits up to `timeout` for `prefix` to be in the table with `accept`
    /// holding for it.
    pub fn wait_for_route(
        &self,
        prefix: &str,
        timeout: Duration,
        accept: impl Fn(&RiprsRoute) -> bool,
    ) -> Option<RiprsRoute> {
        wait_until(timeout, Duration::from_millis(100), || {
            self.route(prefix).filter(|r| accept(r))
        })
    }

    /// An interface's entry of `show interfaces --json`.
    pub fn interface(&self, name: &str) -> Option<Value> {
        let answer = self.show("interfaces").unwrap_or_else(|e| panic!("{e}"));
        answer
            .as_array()?
            .iter()
            .find(|i| i["name"] == name)
            .cloned()
    }

    /// The `bad_packets` count of an interface (`show interfaces --json`).
    pub fn bad_packets(&self, ifname: &str) -> u64 {
        self.interface(ifname)
            .and_then(|i| i["bad_packets"].as_u64())
            .unwrap_or_else(|| panic!("no bad_packets for {ifname}:\n{}", self.report()))
    }

    /// SIGTERM, then waits for riprs to exit (it withdraws its routes first).
    pub fn terminate(&self) -> ExitStatus {
        self.daemon.borrow().signal(Signal::TERM);
        wait_until(Duration::from_secs(5), Duration::from_millis(20), || {
            self.daemon.borrow_mut().exited()
        })
        .unwrap_or_else(|| panic!("riprs did not exit on SIGTERM:\n{}", self.log()))
    }

    pub fn assert_running(&self) {
        self.daemon.borrow_mut().assert_running();
    }

    /// riprs's log file, then anything it wrote on stderr.
    pub fn log(&self) -> String {
        let read = |file: &str| std::fs::read_to_string(self.dir().join(file)).unwrap_or_default();
        format!("{}{}", read("riprs.log"), read("riprs.out"))
    }

    /// Routes, interfaces and neighbors (as `riprs show` prints them) and
    /// the log, for failure messages. Never panics.
    pub fn report(&self) -> String {
        let mut text = String::from("=== riprs\n");
        for topic in ["routes", "interfaces", "neighbors"] {
            text.push_str(&format!(
                "--- riprs show {topic}\n{}",
                self.show_text(topic)
            ));
        }
        text.push_str(&format!("--- riprs log\n{}", self.log()));
        text
    }

    pub fn netns(&self) -> &Netns {
        self.ns
    }
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
/// the daemons it reports on, it runs before they stop.
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
