//! `riprs check` and `riprs import-quagga` as a user runs them: exit codes,
//! what goes to stdout and what to stderr.

// Test helpers: a failed expectation is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

fn riprs(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_riprs"))
        .args(args)
        .output()
        .expect("riprs runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn write(dir: &Path, name: &str, contents: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path.display().to_string()
}

#[test]
fn check_accepts_a_valid_file_with_a_one_line_summary() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "key1", "change-me\n");
    let file = write(
        dir.path(),
        "ripd.toml",
        r#"[rip]
networks = ["192.168.20.0/24", "192.168.10.0/24"]
passive-interfaces = ["eth1"]
[kernel]
table = 5
[interfaces.vti02]
authentication = { mode = "md5", key-chain = "vpn" }
[key-chains.vpn]
keys = [{ id = 1, secret-file = "key1" }]
"#,
    );
    let out = riprs(&["check", "-c", &file]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert_eq!(
        stdout.trim_end(),
        format!(
            "{file}: ok: RIP on 2 networks and 1 interface (vti02), 1 passive, 0 neighbors; \
             timers 30/180/120 s; routes to table 5, metric 20"
        )
    );
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
}

#[test]
fn check_prints_every_error_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "ripd.toml",
        "[rip]\nnetworks = [\"10.0.0.1/8\"]\n[interfaces.vti02]\ncost = 0\nmulticst = \"auto\"\n",
    );
    let out = riprs(&["check", "-c", &file]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{stderr}");
    assert!(
        lines[0].starts_with(&format!("{file}:2:13: rip.networks[0]: ")),
        "{stderr}"
    );
    assert!(
        lines[1].starts_with(&format!("{file}:4:8: interfaces.vti02.cost: ")),
        "{stderr}"
    );
    assert!(
        lines[2].starts_with(&format!(
            "{file}:5:1: interfaces.vti02.multicst: unknown key"
        )),
        "{stderr}"
    );
}

#[test]
fn check_of_a_missing_file_exits_1() {
    let out = riprs(&["check", "-c", "/nonexistent/ripd.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).starts_with("/nonexistent/ripd.toml: cannot read the file"));
}

#[test]
fn import_quagga_writes_toml_and_reports_lines_it_cannot_carry_over() {
    let dir = tempfile::tempdir().unwrap();
    let conf = write(
        dir.path(),
        "ripd.conf",
        "hostname ripd\nrouter rip\n version 2\n network 192.168.20.0/24\n passive-interface eth1\n",
    );
    let out = riprs(&["import-quagga", &conf]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        format!("{conf}:1: riprs has no hostname setting\n")
    );
    // What it printed is a ripd.toml that `riprs check` accepts.
    let toml = write(dir.path(), "ripd.toml", &text(&out.stdout));
    let checked = riprs(&["check", "-c", &toml]);
    assert!(checked.status.success(), "{}", text(&checked.stderr));
}

#[test]
fn import_quagga_exits_0_when_everything_is_carried_over() {
    let dir = tempfile::tempdir().unwrap();
    let conf = write(
        dir.path(),
        "ripd.conf",
        "! ripd\nrouter rip\n network 10.0.0.0/8\n",
    );
    let out = riprs(&["import-quagga", &conf]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stderr.is_empty());
    assert!(text(&out.stdout).contains("networks = [\"10.0.0.0/8\"]"));
}
