//! riprs logging to stderr that is not a terminal (the journal under
//! systemd, a file in a test) writes plain text, without colour codes.
//! Needs root (a network namespace for the daemon).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod support;

use std::time::Duration;

use support::{Daemon, Netns, wait_until};

#[test]
fn stderr_log_has_no_colour_codes_when_not_a_terminal() {
    let ns = Netns::new("stderr");
    // Named after the namespace, so that a later run's sweep can remove it.
    let dir = tempfile::Builder::new()
        .prefix(&format!("{}-d.", ns.name()))
        .tempdir_in("/tmp")
        .unwrap();
    let config = dir.path().join("ripd.toml");
    std::fs::write(
        &config,
        format!(
            "[rip]\nnetworks = []\n\n[control]\nsocket = \"{}\"\n\n[log]\nlevel = \"info\"\n",
            dir.path().join("riprs.sock").display()
        ),
    )
    .unwrap();
    let mut cmd = ns.command(env!("CARGO_BIN_EXE_riprs"));
    cmd.arg("-c").arg(&config);
    let log = dir.path().join("stderr.log");
    let mut daemon = Daemon::spawn("riprs", cmd, Some(log.clone()));
    let started = wait_until(Duration::from_secs(10), Duration::from_millis(20), || {
        daemon.assert_running();
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        text.contains("riprs started").then_some(text)
    });
    let text = started.unwrap_or_else(|| panic!("no start line:\n{}", daemon.log_text()));
    assert!(!text.contains('\x1b'), "colour codes in the log:\n{text:?}");
    assert!(text.contains(" INFO riprs started"), "{text}");
}
