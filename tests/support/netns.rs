//! Network namespaces for tests: unique names, commands and threads inside,
//! links and addresses, and removal on drop.

use std::fs::File;
use std::net::{Ipv4Addr, SocketAddrV4, UdpSocket};
use std::os::fd::AsFd;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Once;
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;

use rustix::process::{Pid, Signal, kill_process};
use rustix::thread::{LinkNameSpaceType, move_into_link_name_space};

use super::run;

/// Every namespace this harness creates is named `riprs-TAG-PID-N`.
const PREFIX: &str = "riprs-";
/// Linux interface names are at most 15 octets (IFNAMSIZ 16 with the NUL).
const IFNAMSIZ_MAX: usize = 15;

static COUNTER: AtomicU32 = AtomicU32::new(0);
static SWEEP: Once = Once::new();

/// A network namespace, deleted with everything in it on drop.
///
/// Only loopback exists (and is up) at first. Links made inside a namespace
/// are gone with it; the root namespace is never touched.
#[derive(Debug)]
pub struct Netns {
    name: String,
}

impl Netns {
    /// Creates `riprs-TAG-PID-N`: unique per test process and call, so tests
    /// can run in parallel. `tag` names the test (letters and digits, at most
    /// 8), for whoever reads `ip netns list` while a test hangs.
    ///
    /// The first call in a process also removes namespaces left by test
    /// processes that no longer exist (killed before their drops ran), after
    /// killing the processes still inside them (their peers), and those
    /// peers' directories: everything named `riprs-TAG-PID-N...` whose PID
    /// is gone.
    pub fn new(tag: &str) -> Netns {
        assert!(
            !tag.is_empty() && tag.len() <= 8 && tag.chars().all(|c| c.is_ascii_alphanumeric()),
            "namespace tag {tag:?}: 1 to 8 letters or digits"
        );
        SWEEP.call_once(sweep_stale);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let name = format!("{PREFIX}{tag}-{}-{n}", std::process::id());
        run(Command::new("ip").args(["netns", "add", &name]));
        let ns = Netns { name };
        ns.ip("link set lo up");
        ns
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The bind mount that holds the namespace, as `ip netns` makes it.
    pub fn path(&self) -> PathBuf {
        PathBuf::from("/run/netns").join(&self.name)
    }

    /// `ip netns exec NAME program`: a command to run inside the namespace.
    /// `ip` execs the program in place, so a spawned child's pid is the
    /// program's own (what [`super::Daemon`] signals).
    pub fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &self.name, program]);
        cmd
    }

    /// Runs a shell command line inside the namespace; panics unless it
    /// succeeds. Returns stdout.
    pub fn sh(&self, script: &str) -> String {
        run(self.command("sh").args(["-c", script]))
    }

    /// `ip -n NAME ARGS` (split at whitespace); panics unless it succeeds.
    /// Returns stdout. E.g. `ns.ip("route add 10.9.0.0/16 via 10.0.0.2")`.
    pub fn ip(&self, args: &str) -> String {
        run(Command::new("ip")
            .args(["-n", &self.name])
            .args(args.split_whitespace()))
    }

    /// Adds an address with its prefix length, e.g. `addr("eth0", "10.0.0.1/24")`.
    pub fn addr(&self, ifname: &str, cidr: &str) {
        self.ip(&format!("addr add {cidr} dev {ifname}"));
    }

    /// Adds a point-to-point address: `local` on our side, `peer` (with its
    /// prefix length, usually /32) on the other, as a VTI with a /32 has:
    /// `ip addr add LOCAL peer PEER dev IF`. The kernel routes `peer` via
    /// the interface; IFA_LOCAL is `local`, IFA_ADDRESS is `peer`.
    pub fn addr_peer(&self, ifname: &str, local: Ipv4Addr, peer: &str) {
        self.ip(&format!("addr add {local} peer {peer} dev {ifname}"));
    }

    pub fn link_up(&self, ifname: &str) {
        self.ip(&format!("link set dev {ifname} up"));
    }

    pub fn link_down(&self, ifname: &str) {
        self.ip(&format!("link set dev {ifname} down"));
    }

    /// Turns IFF_MULTICAST on or off, as `ip link set dev IF multicast on|off`.
    /// Off is what a VTI looks like: 224.0.0.9 is then neither joined nor
    /// sent to by peers that honour the flag.
    pub fn set_multicast(&self, ifname: &str, on: bool) {
        let state = if on { "on" } else { "off" };
        self.ip(&format!("link set dev {ifname} multicast {state}"));
    }

    /// The interface's index.
    pub fn ifindex(&self, ifname: &str) -> u32 {
        let out = self.ip(&format!("-o link show dev {ifname}"));
        out.split(':')
            .next()
            .and_then(|i| i.trim().parse().ok())
            .unwrap_or_else(|| panic!("no ifindex for {ifname} in {out:?}"))
    }

    /// Runs `f` on a thread that has entered the namespace (setns), and
    /// returns its result; a panic in `f` is the caller's panic.
    ///
    /// What `f` creates belongs to the namespace for good: a socket opened
    /// here stays in it when used from any thread. The calling thread and
    /// the rest of the process stay where they are.
    pub fn enter<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        let file =
            File::open(self.path()).unwrap_or_else(|e| panic!("{}: {e}", self.path().display()));
        thread::scope(|s| {
            let worker = s.spawn(move || {
                move_into_link_name_space(file.as_fd(), Some(LinkNameSpaceType::Network))
                    .expect("setns into the test namespace");
                f()
            });
            match worker.join() {
                Ok(value) => value,
                Err(panic) => std::panic::resume_unwind(panic),
            }
        })
    }

    /// A UDP socket bound inside the namespace.
    pub fn udp_socket(&self, bind: SocketAddrV4) -> UdpSocket {
        self.enter(|| UdpSocket::bind(bind))
            .unwrap_or_else(|e| panic!("bind {bind} in {}: {e}", self.name))
    }

    /// Pids of the processes inside the namespace.
    pub fn pids(&self) -> Vec<i32> {
        pids_in(&self.name)
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        // Peers are stopped by their own guards first; whatever is still
        // inside was started for this namespace and goes with it.
        kill_all_in(&self.name);
        let status = Command::new("ip")
            .args(["netns", "del", &self.name])
            .status();
        if !matches!(status, Ok(s) if s.success()) {
            eprintln!("warning: could not delete namespace {}", self.name);
        }
    }
}

/// How a veth pair is set up.
#[derive(Debug, Clone, Copy)]
pub struct LinkOptions {
    /// IFF_MULTICAST on both ends; `false` imitates a VTI.
    pub multicast: bool,
    pub mtu: Option<u32>,
}

impl Default for LinkOptions {
    fn default() -> Self {
        LinkOptions {
            multicast: true,
            mtu: None,
        }
    }
}

impl LinkOptions {
    /// A veth that looks like a VTI to a RIP daemon: no IFF_MULTICAST.
    ///
    /// A VTI is also NOARP and POINTOPOINT; a veth cannot be POINTOPOINT,
    /// and with NOARP the kernel addresses unicast frames to the sender's
    /// own MAC (a NOARP neighbour takes the device's address), which the
    /// other end drops: so ARP stays on.
    pub fn vti_like() -> Self {
        LinkOptions {
            multicast: false,
            mtu: None,
        }
    }
}

/// A veth pair from `a_if` in `a` to `b_if` in `b`, both ends up.
///
/// The pair is created inside `a` (`ip -n A link add ... netns B`), so the
/// names only need to be unique in their own namespace and the root
/// namespace never sees them: "eth0" on both sides is fine.
pub fn veth(a: &Netns, a_if: &str, b: &Netns, b_if: &str) {
    veth_with(a, a_if, b, b_if, LinkOptions::default());
}

/// [`veth`] with options, e.g. `LinkOptions::vti_like()`.
pub fn veth_with(a: &Netns, a_if: &str, b: &Netns, b_if: &str, options: LinkOptions) {
    for name in [a_if, b_if] {
        assert!(
            !name.is_empty() && name.len() <= IFNAMSIZ_MAX,
            "interface name {name:?}: 1 to {IFNAMSIZ_MAX} octets"
        );
    }
    a.ip(&format!(
        "link add {a_if} type veth peer name {b_if} netns {}",
        b.name()
    ));
    for (ns, ifname) in [(a, a_if), (b, b_if)] {
        if !options.multicast {
            ns.set_multicast(ifname, false);
        }
        if let Some(mtu) = options.mtu {
            ns.ip(&format!("link set dev {ifname} mtu {mtu}"));
        }
        ns.link_up(ifname);
    }
}

fn pids_in(name: &str) -> Vec<i32> {
    Command::new("ip")
        .args(["netns", "pids", name])
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// SIGKILLs every process in the namespace, by pid, and removes the crash
/// buffers FRR leaves in /var/tmp/frr/DAEMON.PID when killed.
fn kill_all_in(name: &str) {
    for raw in pids_in(name) {
        if let Some(pid) = Pid::from_raw(raw) {
            let _ = kill_process(pid, Signal::KILL);
        }
        for daemon in ["zebra", "ripd"] {
            let _ = std::fs::remove_dir_all(format!("/var/tmp/frr/{daemon}.{raw}"));
        }
    }
}

/// Removes what a test process killed before its drops ran leaves behind:
/// namespaces `riprs-TAG-PID-N` whose PID is not running (and the processes
/// in them), FRR's /run/frr/riprs-... directories and the peers' temporary
/// directories /tmp/riprs-TAG-PID-N... .
fn sweep_stale() {
    let Ok(list) = Command::new("ip").args(["netns", "list"]).output() else {
        return;
    };
    let list = String::from_utf8_lossy(&list.stdout).into_owned();
    for name in list.lines().filter_map(|l| l.split_whitespace().next()) {
        if owner_is_gone(name) {
            kill_all_in(name);
            let _ = Command::new("ip").args(["netns", "del", name]).status();
        }
    }
    for parent in ["/run/frr", "/tmp"] {
        let Ok(entries) = std::fs::read_dir(parent) else {
            continue;
        };
        for entry in entries.flatten() {
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if is_dir && owner_is_gone(&entry.file_name().to_string_lossy()) {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
}

/// True for a name `riprs-TAG-PID-N...` whose PID is not running.
fn owner_is_gone(name: &str) -> bool {
    let Some(rest) = name.strip_prefix(PREFIX) else {
        return false;
    };
    let mut parts = rest.split('-');
    let (Some(_tag), Some(pid), Some(_n)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let Ok(pid) = pid.parse::<u32>() else {
        return false;
    };
    pid != std::process::id() && !std::path::Path::new(&format!("/proc/{pid}")).exists()
}
