//! rip-gen: sends many RIPv2 routes, fast, for tests and benchmarks.
//!
//! ```text
//! rip-gen --device veth0 --routes 100000 --rate 20000 [--to 224.0.0.9] [--repeat-every 30]
//!         [--base 10.0.0.0]
//! ```
//! Routes are 10.0.0.0/24, 10.0.1.0/24, ... (then 11.x, ...), metric 1,
//! 25 to a message, from port 520 of the device's address; `--base` moves
//! the first one (several generators with distinct ranges).

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::process::ExitCode;
use std::thread;
use std::time::{Duration, Instant};

use clap::Parser;
use rip_codec::{Command, Ipv4Prefix, MessageWriter, RIP_PORT, RouteEntry, VERSION_2};
use socket2::{Domain, Protocol, Socket, Type};

#[derive(Parser, Debug)]
#[command(about = "Sends many RIPv2 routes for tests and benchmarks")]
struct Args {
    /// Interface to send on.
    #[arg(long)]
    device: String,
    /// Number of routes (--base upwards).
    #[arg(long, default_value_t = 1000)]
    routes: usize,
    /// The first route's address (a /24; host bits are dropped).
    #[arg(long, default_value = "10.0.0.0")]
    base: Ipv4Addr,
    /// Messages per second; 0 sends back to back.
    #[arg(long, default_value_t = 0)]
    rate: u64,
    /// Destination address.
    #[arg(long, default_value = "224.0.0.9")]
    to: Ipv4Addr,
    /// Metric of every route.
    #[arg(long, default_value_t = 1)]
    metric: u8,
    /// Send the table again every this many seconds (0: once).
    #[arg(long, default_value_t = 0)]
    repeat_every: u64,
}

fn route(first: Ipv4Addr, i: usize) -> Option<RouteEntry> {
    let base = (u32::from(first) & !0xFF).checked_add(u32::try_from(i).ok()?.checked_mul(256)?)?;
    // Stay below 127.0.0.0: past it, addresses are martians.
    if base >= 0x7F00_0000 {
        return None;
    }
    Ipv4Prefix::new(Ipv4Addr::from(base), 24)
        .ok()
        .map(|p| RouteEntry::new(p, 1))
}

fn messages(first: Ipv4Addr, routes: usize, metric: u8) -> Vec<Vec<u8>> {
    let entries: Vec<RouteEntry> = (0..routes)
        .filter_map(|i| route(first, i))
        .map(|r| RouteEntry { metric, ..r })
        .collect();
    entries
        .chunks(25)
        .filter_map(|chunk| {
            let mut buf = [0u8; 512];
            let mut writer =
                MessageWriter::new(&mut buf, Command::Response, VERSION_2, None).ok()?;
            for entry in chunk {
                writer.push_route(entry).ok()?;
            }
            Some(writer.finish().to_vec())
        })
        .collect()
}

fn socket(device: &str) -> std::io::Result<Socket> {
    let socket = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
    socket.set_reuse_address(true)?;
    socket.bind_device(Some(device.as_bytes()))?;
    socket.set_multicast_ttl_v4(1)?;
    socket.set_multicast_loop_v4(false)?;
    socket.set_send_buffer_size(8 << 20)?;
    socket.bind(&SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, RIP_PORT)).into())?;
    Ok(socket)
}

fn main() -> ExitCode {
    let args = Args::parse();
    let messages = messages(args.base, args.routes, args.metric);
    let socket = match socket(&args.device) {
        Ok(socket) => socket,
        Err(e) => {
            eprintln!("rip-gen: {}: {e}", args.device);
            return ExitCode::from(1);
        }
    };
    let destination = SocketAddr::V4(SocketAddrV4::new(args.to, RIP_PORT)).into();
    loop {
        let start = Instant::now();
        for (n, message) in messages.iter().enumerate() {
            if let Some(offset) = (n as u64 * 1_000_000_000).checked_div(args.rate) {
                let due = start + Duration::from_nanos(offset);
                if let Some(wait) = due.checked_duration_since(Instant::now()) {
                    thread::sleep(wait);
                }
            }
            while let Err(e) = socket.send_to(message, &destination) {
                if e.raw_os_error() == Some(105) {
                    // ENOBUFS: the device queue is full, back off a little.
                    thread::sleep(Duration::from_micros(50));
                    continue;
                }
                eprintln!("rip-gen: send: {e}");
                return ExitCode::from(1);
            }
        }
        eprintln!(
            "rip-gen: {} routes in {} messages in {:?}",
            args.routes,
            messages.len(),
            start.elapsed()
        );
        if args.repeat_every == 0 {
            return ExitCode::SUCCESS;
        }
        thread::sleep(Duration::from_secs(args.repeat_every).saturating_sub(start.elapsed()));
    }
}
