//! Running under systemd as examples/riprs.service does: the readiness
//! protocol (`Type=notify`), the unit's capability set, and the unit file
//! itself. Needs root.
//!
//! ```text
//!  A (riprs, only the unit's capabilities) eth0 10.66.0.1/24 ---- 10.66.0.2/24 eth0 B (riprs)
//!  A: lan0 192.168.66.1/24                                        B: lan0 192.168.67.1/24
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod support;

use std::os::unix::net::UnixDatagram;
use std::process::Command;
use std::time::Duration;

use rustix::process::{Pid, Signal, kill_process};
use support::riprs::{kernel_routes, within};
use support::{Launch, Netns, Riprs, veth};

const RIPRS: &str = env!("CARGO_BIN_EXE_riprs");
const UNIT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/riprs.service");

fn config(networks: &str) -> String {
    format!(
        "[rip]\nnetworks = [{networks}]\n\n[rip.timers]\nupdate = 2\ntimeout = 12\ngarbage = 8\n"
    )
}

fn lan(ns: &Netns, cidr: &str) {
    ns.ip("link add lan0 type veth peer name lan0p");
    ns.addr("lan0", cidr);
    ns.link_up("lan0");
    ns.link_up("lan0p");
}

/// The unit's `CapabilityBoundingSet`, as setpriv takes it.
fn unit_capabilities() -> String {
    let unit = std::fs::read_to_string(UNIT).unwrap();
    let line = unit
        .lines()
        .find_map(|l| l.strip_prefix("CapabilityBoundingSet="))
        .expect("CapabilityBoundingSet in the unit");
    line.split_whitespace()
        .map(|c| format!("+{}", c.trim_start_matches("CAP_").to_lowercase()))
        .collect::<Vec<_>>()
        .join(",")
}

/// READY=1 once it serves, RELOADING=1 then READY=1 around SIGHUP,
/// STOPPING=1 at SIGTERM.
#[test]
fn readiness_is_reported_to_systemd() {
    let ns = Netns::new("sdnotify");
    lan(&ns, "192.168.66.1/24");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notify.sock");
    let notify = UnixDatagram::bind(&path).unwrap();
    notify
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut riprs = Riprs::start_with(
        &ns,
        RIPRS,
        "notify",
        &config("\"192.168.66.0/24\""),
        Launch {
            env: vec![("NOTIFY_SOCKET".into(), path.display().to_string())],
            ..Launch::default()
        },
    );
    let mut buf = [0u8; 512];
    let mut next = || loop {
        match notify.recv(&mut buf) {
            Ok(n) => return String::from_utf8_lossy(&buf[..n]).to_string(),
            // With a receive timeout the kernel does not restart the call.
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => panic!("no notification within 10 s: {e}"),
        }
    };
    assert!(next().starts_with("READY=1"), "first: READY=1");
    let pid = Pid::from_raw(riprs.pid() as i32).unwrap();
    kill_process(pid, Signal::HUP).unwrap();
    assert_eq!(next(), "RELOADING=1");
    assert_eq!(next(), "READY=1");
    riprs.terminate();
    assert_eq!(next(), "STOPPING=1");
}

/// With nothing but the unit's capabilities (root's others dropped from the
/// bounding set), riprs binds port 520 on each device, sets its socket
/// buffers, learns and installs routes and sends its own.
#[test]
fn the_units_capabilities_are_enough() {
    let a = Netns::new("sdcaps");
    let b = Netns::new("sdcaps");
    veth(&a, "eth0", &b, "eth0");
    a.addr("eth0", "10.66.0.1/24");
    b.addr("eth0", "10.66.0.2/24");
    lan(&a, "192.168.66.1/24");
    lan(&b, "192.168.67.1/24");
    let caps = unit_capabilities();
    assert_eq!(caps, "+net_admin,+net_bind_service,+net_raw");
    let riprs_a = Riprs::start_with(
        &a,
        RIPRS,
        "A",
        &config("\"10.66.0.0/24\", \"192.168.66.0/24\""),
        Launch {
            through: vec![
                "setpriv".into(),
                format!("--bounding-set=-all,{caps}"),
                format!("--inh-caps=-all,{caps}"),
                format!("--ambient-caps=-all,{caps}"),
            ],
            ..Launch::default()
        },
    );
    let riprs_b = Riprs::start(
        &b,
        RIPRS,
        "B",
        &config("\"10.66.0.0/24\", \"192.168.67.0/24\""),
    );
    let status = std::fs::read_to_string(format!("/proc/{}/status", riprs_a.pid())).unwrap();
    let bounding = status
        .lines()
        .find_map(|l| l.strip_prefix("CapBnd:"))
        .unwrap()
        .trim()
        .to_string();
    // CAP_NET_BIND_SERVICE (10), CAP_NET_ADMIN (12), CAP_NET_RAW (13).
    assert_eq!(
        bounding, "0000000000003400",
        "riprs runs with more than the unit's capabilities"
    );

    let installed = within(Duration::from_secs(10), || {
        !kernel_routes(&a, "192.168.67.0/24 proto rip").is_empty()
    });
    assert!(
        installed.is_some(),
        "A did not install B's LAN: {}",
        riprs_a.log()
    );
    let learned = riprs_b.wait_route("192.168.66.0/24", Duration::from_secs(10), |r| {
        r.metric == 2
    });
    assert!(
        learned.is_some(),
        "B did not learn A's LAN: {}",
        riprs_a.log()
    );
    assert!(
        !riprs_a.log().contains("WARN"),
        "warnings with the unit's capabilities:\n{}",
        riprs_a.log()
    );
}

/// The unit file as systemd reads it: no unknown key, no bad value.
#[test]
fn the_example_unit_passes_systemd_analyze() {
    let dir = tempfile::tempdir().unwrap();
    let unit = std::fs::read_to_string(UNIT)
        .unwrap()
        .replace("/usr/local/sbin/riprs", RIPRS);
    let path = dir.path().join("riprs.service");
    std::fs::write(&path, unit).unwrap();
    let out = Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(&path)
        .output()
        .expect("systemd-analyze (scripts/install-test-deps installs systemd)");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && stderr.trim().is_empty(), "{stderr}");
}
