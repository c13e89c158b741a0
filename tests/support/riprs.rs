//! riprs itself as a router inside a test namespace: its ripd.toml, control
//! socket and log file in a temporary directory, `riprs show ... --json`,
//! the kernel's routes, and, when the test fails, everything it saw.
//!
//! The binaries are the ones cargo built for the integration tests
//! (`CARGO_BIN_EXE_riprs`, passed in by the test crate, since `env!` of that
//! name only exists there).

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use rustix::process::Signal;
use serde_json::Value;
use tempfile::TempDir;

use super::{Daemon, Netns, wait_until};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// One route of `riprs show routes --json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownRoute {
    pub prefix: String,
    pub metric: u8,
    pub origin: String,
    pub in_kernel: bool,
    /// Gateways of the paths, in order ("0.0.0.0" for connected routes).
    pub gateways: Vec<String>,
    pub interfaces: Vec<String>,
}

/// riprs running in a namespace, stopped (SIGTERM, then SIGKILL) on drop.
///
/// On drop during a panic it prints, for whoever reads the failed test:
/// the namespace's links, addresses and IPv4 routes of every table but
/// `local`, `riprs show routes --json` and riprs's log file.
pub struct Riprs<'ns> {
    ns: &'ns Netns,
    binary: PathBuf,
    label: String,
    dir: TempDir,
    daemon: Option<Daemon>,
    launch: Launch,
}

/// How the daemon is started, beyond `binary -c ripd.toml` in the namespace.
#[derive(Debug, Clone, Default)]
pub struct Launch {
    /// Extra environment variables.
    pub env: Vec<(String, String)>,
    /// A program and its arguments that run the daemon's command line,
    /// e.g. `setpriv` with a capability set.
    pub through: Vec<String>,
}

impl<'ns> Riprs<'ns> {
    /// Writes `config` (a ripd.toml without `[control]` and `[log]`, which
    /// are added: the socket and a debug log in the temporary directory)
    /// and starts `binary -c ripd.toml` in `ns`; returns once the daemon
    /// answers on its control socket.
    pub fn start(ns: &'ns Netns, binary: &str, label: &str, config: &str) -> Riprs<'ns> {
        Self::start_with(ns, binary, label, config, Launch::default())
    }

    /// [`Riprs::start`], launched as `launch` says.
    pub fn start_with(
        ns: &'ns Netns,
        binary: &str,
        label: &str,
        config: &str,
        launch: Launch,
    ) -> Riprs<'ns> {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        // Named after the namespace, so that a later run can tell whether
        // the test that made it still runs (see `Netns::new`).
        let dir = tempfile::Builder::new()
            .prefix(&format!("{}-r{n}.", ns.name()))
            .tempdir_in("/tmp")
            .expect("temporary directory for riprs");
        let text = format!(
            "{config}\n[control]\nsocket = \"{}\"\n\n[log]\nlevel = \"debug\"\nfile = \"{}\"\n",
            dir.path().join("riprs.sock").display(),
            dir.path().join("riprs.log").display(),
        );
        std::fs::write(dir.path().join("ripd.toml"), text).expect("write ripd.toml");
        let mut riprs = Riprs {
            ns,
            binary: PathBuf::from(binary),
            label: label.to_string(),
            dir,
            daemon: None,
            launch,
        };
        riprs.spawn();
        riprs
    }

    /// Starts the daemon (again) with the same files; returns once it
    /// answers on its control socket.
    pub fn spawn(&mut self) {
        assert!(self.daemon.is_none(), "{}: already running", self.label);
        let binary = self.binary.to_string_lossy().to_string();
        let mut cmd = match self.launch.through.split_first() {
            Some((program, args)) => {
                let mut cmd = self.ns.command(program);
                cmd.args(args).arg(&binary);
                cmd
            }
            None => self.ns.command(&binary),
        };
        cmd.arg("-c").arg(self.config_path());
        cmd.envs(self.launch.env.iter().map(|(k, v)| (k, v)));
        let daemon = Daemon::spawn(
            &format!("riprs {}", self.label),
            cmd,
            Some(self.dir.path().join("stderr.log")),
        );
        self.daemon = Some(daemon);
        let ready = wait_until(Duration::from_secs(20), Duration::from_millis(20), || {
            if let Some(daemon) = self.daemon.as_mut() {
                daemon.assert_running();
            }
            self.try_show("status").ok()
        });
        assert!(
            ready.is_some(),
            "{}: no answer on the control socket",
            self.label
        );
    }

    pub fn label(&self) -> &str {
        &self.label
    }

    pub fn netns(&self) -> &'ns Netns {
        self.ns
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("ripd.toml")
    }

    pub fn socket_path(&self) -> PathBuf {
        self.dir.path().join("riprs.sock")
    }

    pub fn pid(&self) -> u32 {
        self.daemon.as_ref().expect("riprs is running").pid()
    }

    /// riprs's log file (`[log] file`), and what it wrote to stderr.
    pub fn log(&self) -> String {
        let file = std::fs::read_to_string(self.dir.path().join("riprs.log")).unwrap_or_default();
        let stderr =
            std::fs::read_to_string(self.dir.path().join("stderr.log")).unwrap_or_default();
        if stderr.trim().is_empty() {
            file
        } else {
            format!("{file}---- stderr ----\n{stderr}")
        }
    }

    /// The log lines that contain every one of `words`.
    pub fn log_lines_with(&self, words: &[&str]) -> Vec<String> {
        self.log()
            .lines()
            .filter(|line| words.iter().all(|w| line.contains(w)))
            .map(str::to_string)
            .collect()
    }

    /// Panics, with its log, if the daemon has exited.
    pub fn assert_running(&mut self) {
        if let Some(daemon) = self.daemon.as_mut() {
            daemon.assert_running();
        }
    }

    /// SIGKILL: no withdrawal, routes left in the kernel. Returns once the
    /// process is gone.
    pub fn kill9(&mut self) {
        let mut daemon = self.daemon.take().expect("riprs is running");
        daemon.signal(Signal::KILL);
        let gone = wait_until(Duration::from_secs(10), Duration::from_millis(5), || {
            daemon.exited()
        });
        assert!(
            gone.is_some(),
            "{}: still running after SIGKILL",
            self.label
        );
    }

    /// Sends SIGTERM and returns without waiting; see [`Riprs::wait_exit`].
    pub fn terminate(&mut self) {
        self.daemon
            .as_ref()
            .expect("riprs is running")
            .signal(Signal::TERM);
    }

    /// Waits for the daemon to exit (after [`Riprs::terminate`]).
    pub fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
        let daemon = self.daemon.as_mut().expect("riprs was running");
        let status = wait_until(timeout, Duration::from_millis(5), || daemon.exited());
        let status = status.unwrap_or_else(|| panic!("{}: did not exit", self.label));
        self.daemon = None;
        status
    }

    /// `riprs show TOPIC --json -s SOCKET`, parsed.
    pub fn show(&self, topic: &str) -> Value {
        self.try_show(topic)
            .unwrap_or_else(|e| panic!("{}: riprs show {topic}: {e}", self.label))
    }

    pub fn try_show(&self, topic: &str) -> Result<Value, String> {
        let output = Command::new(&self.binary)
            .args(["show", topic, "--json", "-s"])
            .arg(self.socket_path())
            .output()
            .map_err(|e| e.to_string())?;
        if !output.status.success() {
            return Err(format!(
                "{}: {}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        serde_json::from_slice(&output.stdout).map_err(|e| e.to_string())
    }

    /// `riprs show routes`.
    pub fn routes(&self) -> Vec<ShownRoute> {
        parse_routes(&self.show("routes"))
    }

    /// The route to `prefix` in `riprs show routes`.
    pub fn route(&self, prefix: &str) -> Option<ShownRoute> {
        self.routes().into_iter().find(|r| r.prefix == prefix)
    }

    /// Waits up to `timeout` for `prefix` to be shown and `accept` it.
    pub fn wait_route(
        &self,
        prefix: &str,
        timeout: Duration,
        accept: impl Fn(&ShownRoute) -> bool,
    ) -> Option<ShownRoute> {
        wait_until(timeout, Duration::from_millis(25), || {
            self.route(prefix).filter(|r| accept(r))
        })
    }

    /// `riprs show interfaces`: the entry named `name`.
    pub fn interface(&self, name: &str) -> Option<Value> {
        self.show("interfaces")
            .as_array()?
            .iter()
            .find(|i| i.get("name").and_then(Value::as_str) == Some(name))
            .cloned()
    }

    /// Everything a reader of a failed test needs about this router.
    pub fn report(&self) -> String {
        let routes = match self.try_show("routes") {
            Ok(json) => serde_json::to_string_pretty(&json).unwrap_or_default(),
            Err(e) => format!("(no answer: {e})"),
        };
        format!(
            "======== {label} (namespace {ns}) ========\n\
             ---- ip -br link ----\n{links}\
             ---- ip -br -4 addr ----\n{addrs}\
             ---- ip -4 route show table all (without local) ----\n{kernel}\
             ---- riprs show routes --json ----\n{routes}\n\
             ---- riprs log ({dir}) ----\n{log}",
            label = self.label,
            ns = self.ns.name(),
            links = quiet(self.ns, "-br link"),
            addrs = quiet(self.ns, "-br -4 addr"),
            kernel = kernel_routes_text(self.ns),
            dir = self.dir.path().display(),
            log = self.log(),
        )
    }
}

impl Drop for Riprs<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("{}", self.report());
            // No withdrawal: the other routers' reports show what they had
            // when the test failed, not what this one's shutdown told them.
            if let Some(daemon) = &self.daemon {
                daemon.signal(Signal::KILL);
            }
        }
        // The daemon's guard stops it, by pid; then the directory goes.
        self.daemon = None;
    }
}

/// `ip -n NS ARGS`, its output or its error, never a panic (for reports).
fn quiet(ns: &Netns, args: &str) -> String {
    match Command::new("ip")
        .args(["-n", ns.name()])
        .args(args.split_whitespace())
        .output()
    {
        Ok(o) => format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => format!("(ip {args}: {e})\n"),
    }
}

/// Every IPv4 route of the namespace but those of table local.
pub fn kernel_routes_text(ns: &Netns) -> String {
    quiet(ns, "-4 route show table all")
        .lines()
        .filter(|l| !l.contains("table local"))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// A route in the kernel as `ip route` prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelRoute {
    pub prefix: String,
    pub via: Option<Ipv4Addr>,
    pub dev: Option<String>,
    pub metric: Option<u32>,
    pub line: String,
}

/// `ip route show table TABLE proto rip` in `ns`: the routes riprs put there.
pub fn rip_routes(ns: &Netns, table: &str) -> Vec<KernelRoute> {
    kernel_routes(ns, &format!("table {table} proto rip"))
}

/// `ip -4 route show SELECTOR` in `ns`, parsed (one line per route; a
/// multipath route's next hops are not listed).
/// A table that does not exist (the kernel makes it with its first route)
/// has no routes.
pub fn kernel_routes(ns: &Netns, selector: &str) -> Vec<KernelRoute> {
    let output = Command::new("ip")
        .args(["-n", ns.name(), "-4", "-o", "route", "show"])
        .args(selector.split_whitespace())
        .output()
        .expect("run ip route");
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        if stderr.contains("FIB table does not exist") {
            return Vec::new();
        }
        panic!("ip -n {} route show {selector}: {stderr}", ns.name());
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(parse_kernel_route)
        .collect()
}

fn parse_kernel_route(line: &str) -> KernelRoute {
    let words: Vec<&str> = line.split_whitespace().collect();
    let after = |key: &str| {
        words
            .iter()
            .position(|w| *w == key)
            .and_then(|i| words.get(i + 1))
            .map(|w| w.to_string())
    };
    let mut prefix = words.first().map(|w| w.to_string()).unwrap_or_default();
    if !prefix.contains('/') && prefix != "default" {
        prefix.push_str("/32");
    }
    KernelRoute {
        prefix,
        via: after("via").and_then(|v| v.parse().ok()),
        dev: after("dev"),
        metric: after("metric").and_then(|m| m.parse().ok()),
        line: line.trim().to_string(),
    }
}

fn parse_routes(json: &Value) -> Vec<ShownRoute> {
    let text = |v: &Value, key: &str| {
        v.get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    json.as_array()
        .map(|routes| {
            routes
                .iter()
                .map(|r| {
                    let paths = r.get("paths").and_then(Value::as_array);
                    let paths = paths.map(Vec::as_slice).unwrap_or_default();
                    ShownRoute {
                        prefix: text(r, "prefix"),
                        metric: r.get("metric").and_then(Value::as_u64).unwrap_or(0) as u8,
                        origin: text(r, "origin"),
                        in_kernel: r.get("in_kernel").and_then(Value::as_bool) == Some(true),
                        gateways: paths.iter().map(|p| text(p, "gateway")).collect(),
                        interfaces: paths.iter().map(|p| text(p, "interface")).collect(),
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Waits up to `timeout` for `f` to hold, polling every 25 ms; returns how
/// long it took, or None.
pub fn within(timeout: Duration, mut f: impl FnMut() -> bool) -> Option<Duration> {
    let start = Instant::now();
    wait_until(timeout, Duration::from_millis(25), || {
        f().then(|| start.elapsed())
    })
}
