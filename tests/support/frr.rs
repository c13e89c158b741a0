//! FRR (zebra + ripd, Debian's frr 8.4) as a RIP peer inside a test namespace.
//!
//! What FRR needs, and what bites:
//! - ripd learns interfaces and addresses only from zebra: without a zebra
//!   of its own in the same namespace, ripd runs but never speaks. Each
//!   instance here is a zebra + ripd pair joined by their own zserv socket
//!   (`-z DIR/zserv.api`), and ripd starts once that socket exists; a ripd
//!   that comes too early retries only 10 s later.
//! - Both drop privileges to user `frr` right after start, then create their
//!   vty sockets and pid files and read their config: their directory must
//!   belong to frr, and every directory above it must be searchable by frr.
//!   So it is a fresh directory under /tmp (not $TMPDIR, which may sit in a
//!   0700 home), chowned to frr. A directory reused from an earlier run
//!   would hold a stale zserv.api (see above).
//! - `-N NAME` keeps instances apart, but with every path given explicitly
//!   (`-f`, `-i`, `-z`, `--vty_socket`) the only trace of NAME is an empty
//!   /run/frr/NAME that FRR creates anyway: removed on drop.
//! - vtysh: `vtysh --vty_socket DIR` WITHOUT `-N`; with `-N NAME`, vtysh
//!   looks in DIR/NAME/, the daemons do not append NAME to --vty_socket.
//!   vtysh talks to the daemons over those unix sockets, so it runs outside
//!   the namespace.
//! - `-P 0` turns the TCP vty off (the default binds 2601/2602 on every
//!   address of the namespace; harmless, but nothing needs it).
//! - The daemons run in the foreground (no `-d`) under `ip netns exec`,
//!   which execs them in place: the child pid is the daemon's, and SIGTERM
//!   lets zebra take its routes out of the namespace's kernel table.
//!   FRR keeps crash buffers in /var/tmp/frr/DAEMON.PID, removed on a clean
//!   exit; after a SIGKILL they are removed here.
//! - RIP timers: `timers basic UPDATE TIMEOUT GARBAGE`, each at least 5 s
//!   (FRR's minimum); [`FAST_TIMERS`]. Updates get +/-50% jitter. ripd sends a
//!   whole-table request when an interface comes up and answers requests at
//!   once, and learns from a response as soon as it arrives.
//! - FRR honours IFF_MULTICAST: on an interface without it (a VTI) ripd
//!   neither joins 224.0.0.9 nor sends there; `neighbor A.B.C.D` is the way.

use std::os::unix::fs::chown;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use tempfile::TempDir;

use super::{Daemon, Netns, run, wait_until};

/// The shortest RIP timers FRR accepts, for `router rip`.
pub const FAST_TIMERS: &str = "timers basic 5 15 10";

const ZEBRA: &str = "/usr/lib/frr/zebra";
const RIPD: &str = "/usr/lib/frr/ripd";

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// One zebra + ripd pair in a namespace; both stopped on drop.
pub struct Frr<'ns> {
    ns: &'ns Netns,
    name: String,
    // Dropped in this order: ripd, zebra, then the directory.
    ripd: Daemon,
    zebra: Daemon,
    dir: TempDir,
}

/// One line of `show ip rip`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrrRoute {
    /// Type and sub-type, e.g. "R(n)" (learned), "C(i)" (connected).
    pub code: String,
    pub network: String,
    pub next_hop: String,
    pub metric: u8,
    /// "self", or the address the route was learned from.
    pub from: String,
    pub tag: u16,
}

impl<'ns> Frr<'ns> {
    /// Starts zebra, then ripd with `ripd_conf` (the text of a ripd.conf:
    /// key chains, interfaces, `router rip` with [`FAST_TIMERS`]), in `ns`.
    /// Returns once ripd answers on its vty.
    pub fn start(ns: &'ns Netns, ripd_conf: &str) -> Frr<'ns> {
        let name = format!("{}-f{}", ns.name(), COUNTER.fetch_add(1, Ordering::Relaxed));
        // Named after the namespace, so that a later run can tell whether
        // the test that made it still runs (see `Netns::new`).
        let dir = tempfile::Builder::new()
            .prefix(&format!("{name}."))
            .tempdir_in("/tmp")
            .expect("temporary directory for FRR");
        let path = dir.path();
        std::fs::write(path.join("zebra.conf"), format!("hostname {name}\n"))
            .expect("write zebra.conf");
        std::fs::write(path.join("ripd.conf"), ripd_conf).expect("write ripd.conf");
        let (uid, gid) = frr_ids();
        for file in [
            path.to_path_buf(),
            path.join("zebra.conf"),
            path.join("ripd.conf"),
        ] {
            chown(&file, Some(uid), Some(gid)).expect("chown to frr");
        }

        let mut zebra = Daemon::spawn(
            "zebra",
            daemon_command(ns, ZEBRA, &name, path),
            Some(path.join("zebra.out")),
        );
        wait_for_socket(&mut zebra, &path.join("zserv.api"));
        let mut ripd = Daemon::spawn(
            "ripd",
            daemon_command(ns, RIPD, &name, path),
            Some(path.join("ripd.out")),
        );
        wait_for_socket(&mut ripd, &path.join("ripd.vty"));

        let frr = Frr {
            ns,
            name,
            ripd,
            zebra,
            dir,
        };
        let ready = wait_until(Duration::from_secs(10), Duration::from_millis(50), || {
            frr.try_vtysh("show ip rip status").ok()
        });
        if ready.is_none() {
            panic!("ripd does not answer on its vty:\n{}", frr.logs());
        }
        frr
    }

    /// The `-N` name, also FRR's hostname here.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn netns(&self) -> &Netns {
        self.ns
    }

    /// The directory with the configs, sockets, pid files and logs.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Runs one vtysh command (`show ...`, or `configure terminal` lines
    /// separated by newlines); panics unless vtysh succeeds.
    pub fn vtysh(&self, command: &str) -> String {
        self.try_vtysh(command)
            .unwrap_or_else(|e| panic!("vtysh -c {command:?}: {e}\n{}", self.logs()))
    }

    /// Runs one vtysh command; the error is vtysh's output.
    pub fn try_vtysh(&self, command: &str) -> Result<String, String> {
        let output = Command::new("vtysh")
            .arg("--vty_socket")
            .arg(self.dir())
            .args(["-c", command])
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

    /// `show ip rip`, as text.
    pub fn show_ip_rip(&self) -> String {
        self.vtysh("show ip rip")
    }

    /// The routes of `show ip rip`.
    pub fn rip_routes(&self) -> Vec<FrrRoute> {
        parse_show_ip_rip(&self.show_ip_rip())
    }

    /// The route to `network` (e.g. "10.9.0.0/24") in `show ip rip`.
    pub fn rip_route(&self, network: &str) -> Option<FrrRoute> {
        self.rip_routes().into_iter().find(|r| r.network == network)
    }

    /// Waits up to `timeout` for `network` to be in `show ip rip` and for
    /// `accept` to hold for it.
    pub fn wait_for_route(
        &self,
        network: &str,
        timeout: Duration,
        accept: impl Fn(&FrrRoute) -> bool,
    ) -> Option<FrrRoute> {
        wait_until(timeout, Duration::from_millis(100), || {
            self.rip_route(network).filter(|r| accept(r))
        })
    }

    /// The "BadPackets" count ripd keeps for a neighbor (`show ip rip
    /// status`, Routing Information Sources), if it knows the neighbor.
    pub fn bad_packets(&self, neighbor: &str) -> Option<u32> {
        let status = self.vtysh("show ip rip status");
        status
            .lines()
            .map(str::split_whitespace)
            .find_map(|mut fields| {
                (fields.next() == Some(neighbor))
                    .then(|| fields.next().and_then(|n| n.parse().ok()))
                    .flatten()
            })
    }

    /// zebra's and ripd's logs, for failure messages.
    pub fn logs(&self) -> String {
        let mut text = String::new();
        for file in ["zebra.log", "zebra.out", "ripd.log", "ripd.out"] {
            if let Ok(content) = std::fs::read_to_string(self.dir().join(file)) {
                text.push_str(&format!("--- {file}\n{content}"));
            }
        }
        text
    }

    /// Panics, with the logs, if zebra or ripd has exited.
    pub fn assert_running(&mut self) {
        for daemon in [&mut self.zebra, &mut self.ripd] {
            if let Some(status) = daemon.exited() {
                panic!("{} exited ({status})", daemon.name());
            }
        }
    }
}

impl Drop for Frr<'_> {
    fn drop(&mut self) {
        let pids = [self.ripd.pid(), self.zebra.pid()];
        self.ripd.stop();
        self.zebra.stop();
        // Left by a daemon that had to be SIGKILLed; FRR removes them on exit.
        for (daemon, pid) in ["ripd", "zebra"].into_iter().zip(pids) {
            let _ = std::fs::remove_dir_all(format!("/var/tmp/frr/{daemon}.{pid}"));
        }
        let _ = std::fs::remove_dir(Path::new("/run/frr").join(&self.name));
    }
}

/// `ip netns exec NS DAEMON -N NAME ...` with every path in `dir`.
fn daemon_command(ns: &Netns, program: &str, name: &str, dir: &Path) -> Command {
    let daemon = Path::new(program)
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut cmd = ns.command(program);
    cmd.arg("-N")
        .arg(name)
        .arg("-f")
        .arg(dir.join(format!("{daemon}.conf")))
        .arg("-i")
        .arg(dir.join(format!("{daemon}.pid")))
        .arg("-z")
        .arg(dir.join("zserv.api"))
        .arg("--vty_socket")
        .arg(dir)
        .args(["-P", "0"])
        .arg("--log")
        .arg(format!(
            "file:{}",
            dir.join(format!("{daemon}.log")).display()
        ));
    cmd
}

fn wait_for_socket(daemon: &mut Daemon, socket: &Path) {
    let up = wait_until(Duration::from_secs(10), Duration::from_millis(20), || {
        daemon.assert_running();
        socket.exists().then_some(())
    });
    if up.is_none() {
        panic!(
            "{} did not create {}:\n{}",
            daemon.name(),
            socket.display(),
            daemon.log_text()
        );
    }
}

/// The uid and gid of user frr.
fn frr_ids() -> (u32, u32) {
    let id = |flag: &str| -> u32 {
        run(Command::new("id").args([flag, "frr"]))
            .trim()
            .parse()
            .expect("numeric id of user frr")
    };
    (id("-u"), id("-g"))
}

/// Parses the table of `show ip rip`:
///
/// ```text
///      Network            Next Hop         Metric From            Tag Time
/// R(n) 10.9.0.0/24        10.0.0.2              3 10.0.0.2          0 00:14
/// C(i) 10.0.0.0/24        0.0.0.0               1 self              0
/// ```
pub fn parse_show_ip_rip(text: &str) -> Vec<FrrRoute> {
    text.lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let code = *fields.first()?;
            let is_code = code.len() == 4 && code.as_bytes().get(1) == Some(&b'(');
            if !is_code || fields.len() < 6 {
                return None;
            }
            Some(FrrRoute {
                code: code.to_string(),
                network: fields[1].to_string(),
                next_hop: fields[2].to_string(),
                metric: fields[3].parse().ok()?,
                from: fields[4].to_string(),
                tag: fields[5].parse().ok()?,
            })
        })
        .collect()
}
