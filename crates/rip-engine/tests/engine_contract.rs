//! The sans-IO contract: deterministic for a seed, quiet after shutdown.

mod rig;

use rig::*;
use rip_engine::FibChange;

fn scripted(seed_offset: u64) -> Vec<String> {
    let mut rig = Rig::new(Rig::config());
    if seed_offset > 0 {
        let now = rig.now;
        rig.engine = rip_engine::Engine::new(Rig::config(), now, wall_start(), 1 + seed_offset);
    }
    rig.link(1, "vti02");
    rig.addr(1, "192.168.10.3/24");
    rig.link(2, "eth1");
    rig.addr(2, "192.168.20.1/24");
    for i in 0..20u8 {
        rig.response(
            1,
            "192.168.10.4",
            &[route(&format!("10.{i}.0.0/16"), 1 + i % 5)],
        );
        rig.advance_secs(7);
    }
    rig.advance_secs(400);
    rig.transmits
        .iter()
        .map(|(at, t)| format!("{:?} {:?}", *at - rig.start, t))
        .collect()
}

#[test]
fn same_seed_same_inputs_same_outputs() {
    assert_eq!(scripted(0), scripted(0));
    assert_ne!(scripted(0), scripted(5), "the seed drives the jitter");
}

#[test]
fn shutdown_poisons_everything_and_empties_the_kernel() {
    let mut rig = Rig::new(Rig::config());
    rig.link(1, "vti02");
    rig.addr(1, "192.168.10.3/24");
    rig.link(2, "eth1");
    rig.addr(2, "192.168.20.1/24");
    rig.response(1, "192.168.10.4", &[route("192.168.21.0/24", 1)]);
    rig.take_fib();
    rig.sent();
    let now = rig.now;
    rig.engine.handle_shutdown(now);
    rig.drain();
    assert_eq!(
        rig.take_fib(),
        vec![FibChange::Delete {
            prefix: prefix("192.168.21.0/24")
        }]
    );
    let sent = rig.sent();
    let vti = advertised(
        &sent
            .iter()
            .filter(|t| t.ifindex == 1)
            .cloned()
            .collect::<Vec<_>>(),
    );
    assert_eq!(vti, [("192.168.20.0/24".to_string(), 16)]);
    let lan = advertised(
        &sent
            .iter()
            .filter(|t| t.ifindex == 2)
            .cloned()
            .collect::<Vec<_>>(),
    );
    assert!(
        lan.contains(&("192.168.21.0/24".to_string(), 16)),
        "{lan:?}"
    );
    assert!(lan.iter().all(|(_, m)| *m == 16));
    assert_eq!(rig.engine.poll_timeout(), None);
    rig.advance_secs(100);
    assert!(rig.sent().is_empty());
}
