//! A child process that is stopped, by its pid, when the guard drops.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use rustix::process::{Pid, Signal, kill_process};

/// A running child process. Dropping it sends SIGTERM, waits up to 3 s, then
/// SIGKILL, and reaps it. Only this pid is signalled, never a name.
pub struct Daemon {
    name: String,
    child: Child,
    log: Option<PathBuf>,
    stopped: bool,
}

impl Daemon {
    /// Starts `cmd`, its stdout and stderr appended to `log` (or discarded).
    ///
    /// Start programs in a namespace with `ip netns exec NS PROGRAM` (see
    /// [`super::Netns::command`]): ip execs PROGRAM in place, so the pid here
    /// is the program's own, and signals reach it.
    pub fn spawn(name: &str, mut cmd: Command, log: Option<PathBuf>) -> Daemon {
        cmd.stdin(Stdio::null());
        match &log {
            Some(path) => {
                let file = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                cmd.stdout(file.try_clone().expect("dup log file"));
                cmd.stderr(file);
            }
            None => {
                cmd.stdout(Stdio::null());
                cmd.stderr(Stdio::null());
            }
        }
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name} ({cmd:?}): {e}"));
        Daemon {
            name: name.to_string(),
            child,
            log,
            stopped: false,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The exit status if the process has ended.
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Panics, with the log, if the process has ended.
    pub fn assert_running(&mut self) {
        if let Some(status) = self.exited() {
            panic!("{} exited ({status}):\n{}", self.name, self.log_text());
        }
    }

    /// What the process wrote to its log so far.
    pub fn log_text(&self) -> String {
        self.log
            .as_ref()
            .and_then(|p| std::fs::read_to_string(p).ok())
            .unwrap_or_default()
    }

    /// Sends `signal` to the process.
    pub fn signal(&self, signal: Signal) {
        if let Some(pid) = Pid::from_raw(self.child.id() as i32) {
            let _ = kill_process(pid, signal);
        }
    }

    /// SIGTERM, up to 3 s to exit, then SIGKILL; reaps the process.
    pub fn stop(&mut self) {
        if self.stopped {
            return;
        }
        self.stopped = true;
        if self.exited().is_some() {
            return;
        }
        self.signal(Signal::TERM);
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if self.exited().is_some() {
                return;
            }
            thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.stop();
    }
}
