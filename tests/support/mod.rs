//! The network namespace test harness, shared by the integration tests
//! (`mod support;` in a file under tests/).
//!
//! - [`Netns`]: a network namespace with a unique name, deleted on drop;
//!   commands and threads inside it, addresses, veth pairs ([`veth`]).
//! - [`Frr`]: FRR zebra + ripd with a given ripd.conf, queried with vtysh.
//! - [`Bird`]: BIRD with a given bird.conf, queried with birdc.
//! - [`RipSocket`]: UDP port 520 inside a namespace, to send and receive
//!   RIP messages as a peer would.
//! - [`Daemon`]: a child process stopped by pid on drop.
//! - [`Riprs`]: riprs itself in a namespace, with `riprs show` and, when the
//!   test fails, its routes and log.
//! - [`TunLink`]: two TUN devices in two namespaces joined by a relay: a
//!   point-to-point link like a VTI.
//!
//! Every guard cleans up on drop, also when the test panics. Declare the
//! namespaces first: peers borrow them, so the compiler makes them go first.
//! A test process killed outright cannot run its drops: the next test run
//! sweeps namespaces whose creating process is gone (see [`Netns::new`]).
//!
//! Needs root (namespaces, port 520, FRR), and FRR, BIRD and iproute2
//! installed (scripts/install-test-deps).

// A harness that cannot set up its network has nothing better to do than fail
// the test with a message: panicking (expect, indexing into command output)
// is its error handling. Not every test uses every helper.
#![allow(
    dead_code,
    unused_imports,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

pub mod bird;
pub mod daemon;
pub mod frr;
pub mod netns;
pub mod rip_socket;
pub mod riprs;
pub mod tun;

use std::thread;
use std::time::{Duration, Instant};

pub use bird::{Bird, BirdRoute};
pub use daemon::Daemon;
pub use frr::{Frr, FrrRoute};
pub use netns::{LinkOptions, Netns, veth, veth_with};
pub use rip_socket::RipSocket;
pub use riprs::{Launch, Riprs, ShownRoute};
pub use tun::TunLink;

/// Calls `f` every `poll` until it returns `Some`, for at most `timeout`.
pub fn wait_until<T>(
    timeout: Duration,
    poll: Duration,
    mut f: impl FnMut() -> Option<T>,
) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = f() {
            return Some(value);
        }
        if Instant::now() >= deadline {
            return None;
        }
        thread::sleep(poll);
    }
}

/// Runs a command to completion; panics with its output unless it succeeds.
/// Returns stdout.
pub fn run(cmd: &mut std::process::Command) -> String {
    let output = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        panic!(
            "{cmd:?} failed ({}):\n{stdout}{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    stdout
}
