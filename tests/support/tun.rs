//! A point-to-point link made of two TUN devices, one in each of two
//! namespaces, joined by a relay thread of the test process: what one
//! kernel sends into its TUN comes out of the other's. The devices are
//! POINTOPOINT and NOARP as TUNs are, with IFF_MULTICAST turned off: a VTI
//! as a RIP daemon sees it (the kernel here has no vti module).
//!
//! The devices are opened with `tun-tap` (its small C helper does the
//! TUNSETIFF ioctl, so no unsafe code here), IFF_TUN | IFF_NO_PI, from a
//! thread that entered the namespace ([`Netns::enter`]): a TUN is created
//! in the namespace of whoever opens it. Both file descriptors stay with
//! the relay; the devices exist as long as it runs and vanish when it
//! stops (dropping [`TunLink`]), before their namespaces are deleted.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::Duration;

use tun_tap::{Iface, Mode};

use super::Netns;

/// Two TUN devices and the relay between them; stopped on drop.
pub struct TunLink {
    stop: Arc<AtomicBool>,
    relayed: Arc<AtomicU64>,
    relay: Option<thread::JoinHandle<()>>,
}

impl TunLink {
    /// Creates `a_if` in `a` and `b_if` in `b`, multicast off, both up,
    /// and starts relaying packets both ways. Addresses are the caller's.
    pub fn new(a: &Netns, a_if: &str, b: &Netns, b_if: &str) -> TunLink {
        let open = |ns: &Netns, name: &str| {
            let iface = ns
                .enter(|| Iface::without_packet_info(name, Mode::Tun))
                .unwrap_or_else(|e| panic!("TUN {name} in {}: {e}", ns.name()));
            assert_eq!(iface.name(), name, "TUN name in {}", ns.name());
            iface
                .set_non_blocking()
                .unwrap_or_else(|e| panic!("TUN {name}: non-blocking: {e}"));
            // What a VTI looks like: POINTOPOINT and NOARP (a TUN's own
            // flags), no MULTICAST (a TUN has it; a VTI does not).
            ns.set_multicast(name, false);
            ns.link_up(name);
            iface
        };
        let tun_a = open(a, a_if);
        let tun_b = open(b, b_if);
        let stop = Arc::new(AtomicBool::new(false));
        let relayed = Arc::new(AtomicU64::new(0));
        let relay = {
            let stop = stop.clone();
            let relayed = relayed.clone();
            thread::Builder::new()
                .name(format!("tun relay {a_if}-{b_if}"))
                .spawn(move || relay(tun_a, tun_b, &stop, &relayed))
                .expect("start the TUN relay")
        };
        TunLink {
            stop,
            relayed,
            relay: Some(relay),
        }
    }

    /// Packets carried so far, both ways.
    pub fn relayed(&self) -> u64 {
        self.relayed.load(Ordering::Relaxed)
    }
}

impl Drop for TunLink {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(relay) = self.relay.take() {
            let _ = relay.join();
        }
    }
}

/// Copies packets both ways until `stop`; the devices close with it.
fn relay(a: Iface, b: Iface, stop: &AtomicBool, relayed: &AtomicU64) {
    let mut buffer = vec![0u8; 65536];
    while !stop.load(Ordering::Relaxed) {
        let moved = forward(&a, &b, &mut buffer) + forward(&b, &a, &mut buffer);
        if moved == 0 {
            thread::sleep(Duration::from_millis(1));
        } else {
            relayed.fetch_add(moved, Ordering::Relaxed);
        }
    }
}

/// Moves what `from` has queued into `to`; returns how many packets.
fn forward(from: &Iface, to: &Iface, buffer: &mut [u8]) -> u64 {
    let mut moved = 0;
    loop {
        match from.recv(buffer) {
            Ok(len) => {
                if let Some(packet) = buffer.get(..len) {
                    // A full queue or a packet the other kernel refuses
                    // is dropped, as on a real link.
                    let _ = to.send(packet);
                    moved += 1;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return moved,
            Err(_) => return moved,
        }
        if moved >= 256 {
            return moved;
        }
    }
}
