//! SIGHUP reloads ripd.toml as a diff, and a broken file changes nothing;
//! redistribution of static routes read from the kernel follows the config
//! and the kernel.
//!
//! ```text
//!  A (riprs) eth0 10.77.0.1/24 ---- 10.77.0.2/24 eth0 B (riprs)
//!  A: eth9 (a stub link) with 172.20.0.0/16 proto static
//! ```
//!
//! Needs root (scripts/install-test-deps).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod support;

use std::time::Duration;

use rustix::process::{Pid, Signal, kill_process};
use support::riprs::{kernel_routes, rip_routes, within};
use support::{Netns, Riprs, veth};

const RIPRS: &str = env!("CARGO_BIN_EXE_riprs");
const STATIC: &str = "172.20.0.0/16";

fn config(redistribute: &str) -> String {
    format!(
        r#"
[rip]
networks = ["10.77.0.0/24"]
redistribute = [{redistribute}]

[rip.timers]
update = 2
timeout = 10
garbage = 6
"#
    )
}

fn hangup(riprs: &Riprs<'_>) {
    let pid = Pid::from_raw(riprs.pid() as i32).expect("a pid");
    kill_process(pid, Signal::HUP).expect("SIGHUP");
}

#[test]
fn sighup_applies_a_new_config_and_a_broken_one_changes_nothing() {
    let a = Netns::new("reload");
    let b = Netns::new("reload");
    let stub = Netns::new("reload");
    veth(&a, "eth0", &b, "eth0");
    a.addr("eth0", "10.77.0.1/24");
    b.addr("eth0", "10.77.0.2/24");
    veth(&a, "eth9", &stub, "eth0");
    a.addr("eth9", "10.78.0.1/24");
    a.ip(&format!(
        "route add {STATIC} via 10.78.0.2 dev eth9 proto static"
    ));

    let riprs_a = Riprs::start(&a, RIPRS, "A", &config(""));
    let riprs_b = Riprs::start(&b, RIPRS, "B", &config(""));
    // B hears A (its connected network arrives), but not the static route.
    assert!(
        riprs_b
            .wait_route("10.77.0.0/24", Duration::from_secs(10), |_| true)
            .is_some()
    );
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(riprs_b.route(STATIC), None, "not redistributed yet");

    // redistribute static, then SIGHUP: B learns the route in a triggered update.
    std::fs::write(riprs_a.config_path(), {
        let text = std::fs::read_to_string(riprs_a.config_path()).unwrap();
        text.replace("redistribute = []", "redistribute = [\"static\"]")
    })
    .unwrap();
    hangup(&riprs_a);
    let learned = riprs_b.wait_route(STATIC, Duration::from_secs(8), |r| r.metric == 2);
    assert!(learned.is_some(), "{STATIC} not learned after the reload");
    assert!(riprs_a.log().contains("configuration reloaded"));

    // A broken file: logged, nothing changes, A keeps running and advertising.
    let good = std::fs::read_to_string(riprs_a.config_path()).unwrap();
    std::fs::write(
        riprs_a.config_path(),
        good.replace(
            "redistribute = [\"static\"]",
            "redistribute = [\"statc\"]\nbogus-key = 1",
        ),
    )
    .unwrap();
    hangup(&riprs_a);
    let logged = within(Duration::from_secs(5), || {
        riprs_a.log().contains("configuration not reloaded")
    });
    assert!(
        logged.is_some(),
        "the broken file is not reported:\n{}",
        riprs_a.log()
    );
    assert!(
        riprs_a.log().contains("bogus-key"),
        "the error names the key"
    );
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(
        riprs_b.route(STATIC).map(|r| r.metric),
        Some(2),
        "the running configuration changed"
    );

    // The static route leaves the kernel: withdrawn to B within seconds.
    a.ip(&format!("route del {STATIC} proto static"));
    let withdrawn = within(Duration::from_secs(8), || {
        riprs_b.route(STATIC).is_none_or(|r| r.metric == 16)
    });
    assert!(withdrawn.is_some(), "{STATIC} not withdrawn");
}

fn config_with_kernel(networks: &str, kernel: &str) -> String {
    format!(
        r#"
[rip]
networks = [{networks}]

[rip.timers]
update = 2
timeout = 10
garbage = 6

[kernel]
{kernel}
"#
    )
}

/// A new `[kernel] table` or `metric` takes effect at SIGHUP: the learned
/// routes leave the old table and go to the new one, with the new metric,
/// and later changes follow them there.
#[test]
fn sighup_moves_learned_routes_to_a_new_table_and_metric() {
    let a = Netns::new("retable");
    let b = Netns::new("retable");
    let stub = Netns::new("retable");
    veth(&a, "eth0", &b, "eth0");
    a.addr("eth0", "10.77.0.1/24");
    b.addr("eth0", "10.77.0.2/24");
    veth(&b, "eth1", &stub, "eth0");
    b.addr("eth1", "10.79.0.1/24");

    let riprs_a = Riprs::start(
        &a,
        RIPRS,
        "A",
        &config_with_kernel(r#""10.77.0.0/24""#, "table = \"main\"\nmetric = 20"),
    );
    let riprs_b = Riprs::start(
        &b,
        RIPRS,
        "B",
        // B also originates 10.5.0.0/16, which no kernel has.
        &config_with_kernel(
            "\"10.77.0.0/24\", \"10.79.0.0/24\"]\noriginate = [\"10.5.0.0/16\"",
            "",
        ),
    );
    let in_main = within(Duration::from_secs(10), || {
        let routes = rip_routes(&a, "main");
        ["10.79.0.0/24", "10.5.0.0/16"]
            .iter()
            .all(|p| routes.iter().any(|r| r.prefix == *p))
    });
    assert!(
        in_main.is_some(),
        "10.79.0.0/24 and 10.5.0.0/16 not in A's main table: {:?}",
        riprs_a.routes()
    );
    assert_eq!(
        riprs_b.route("10.5.0.0/16").map(|r| (r.metric, r.origin)),
        Some((1, "configured".to_string()))
    );
    assert!(
        kernel_routes(&b, "10.5.0.0/16").is_empty(),
        "an originated prefix is not installed where it starts"
    );

    std::fs::write(
        riprs_a.config_path(),
        config_with_kernel(r#""10.77.0.0/24""#, "table = 100\nmetric = 50"),
    )
    .unwrap();
    hangup(&riprs_a);
    let moved = within(Duration::from_secs(5), || {
        rip_routes(&a, "main").is_empty()
            && rip_routes(&a, "100")
                .iter()
                .any(|r| r.prefix == "10.79.0.0/24" && r.metric == Some(50))
    });
    assert!(
        moved.is_some(),
        "routes not moved: main {:?}, table 100 {:?}\n{}",
        rip_routes(&a, "main"),
        rip_routes(&a, "100"),
        riprs_a.log()
    );
    assert_eq!(riprs_a.show("status")["kernel_table"], 100);

    // A route learned after the move goes to the new table too.
    b.addr("eth1", "10.80.0.1/24");
    std::fs::write(
        riprs_b.config_path(),
        config_with_kernel(r#""10.77.0.0/24", "10.79.0.0/24", "10.80.0.0/24""#, ""),
    )
    .unwrap();
    hangup(&riprs_b);
    let followed = within(Duration::from_secs(10), || {
        rip_routes(&a, "100")
            .iter()
            .any(|r| r.prefix == "10.80.0.0/24" && r.metric == Some(50))
    });
    assert!(
        followed.is_some(),
        "10.80.0.0/24 not in table 100: {:?}",
        rip_routes(&a, "100")
    );
    assert!(rip_routes(&a, "main").is_empty());
}
