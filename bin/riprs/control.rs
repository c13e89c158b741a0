//! The control socket: `riprs show routes|interfaces|neighbors|status`.
//!
//! A client connects, writes one line naming what it wants, and reads one
//! JSON document; the daemon closes the connection after it.

use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::net::UnixStream as StdUnixStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rip_engine::{Engine, Origin};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader as AsyncBufReader};
use tokio::net::{UnixListener, UnixStream};

use crate::config::Settings;

/// What `riprs show` can ask for.
pub const TOPICS: [&str; 4] = ["routes", "interfaces", "neighbors", "status"];

pub struct ControlServer {
    listener: UnixListener,
    path: PathBuf,
}

impl ControlServer {
    /// Listens on `path`, replacing a socket left by a crashed run.
    pub fn bind(path: &Path) -> io::Result<ControlServer> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        if StdUnixStream::connect(path).is_ok() {
            return Err(io::Error::new(
                io::ErrorKind::AddrInUse,
                "another riprs answers on this control socket",
            ));
        }
        let _ = std::fs::remove_file(path);
        Ok(ControlServer {
            listener: UnixListener::bind(path)?,
            path: path.to_path_buf(),
        })
    }

    pub async fn accept(&self) -> io::Result<UnixStream> {
        self.listener.accept().await.map(|(stream, _)| stream)
    }

    pub fn remove(&self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Reads the request and answers it; the engine is only read.
/// `netlink_resyncs` is the kernel watcher's overflow count.
pub async fn serve(stream: UnixStream, engine: &Engine, settings: &Settings, netlink_resyncs: u64) {
    let (reader, mut writer) = stream.into_split();
    let mut line = String::new();
    let mut reader = AsyncBufReader::new(reader);
    let read = tokio::time::timeout(Duration::from_millis(500), reader.read_line(&mut line)).await;
    if !matches!(read, Ok(Ok(_))) {
        return;
    }
    let answer = answer(line.trim(), engine, settings, netlink_resyncs);
    let mut text = answer.to_string();
    text.push('\n');
    tokio::spawn(async move {
        let _ = writer.write_all(text.as_bytes()).await;
        let _ = writer.shutdown().await;
    });
}

fn answer(topic: &str, engine: &Engine, settings: &Settings, netlink_resyncs: u64) -> Value {
    let now = Instant::now();
    let name_of = |ifindex: u32| {
        engine
            .interfaces()
            .into_iter()
            .find(|i| i.ifindex == ifindex)
            .map(|i| i.name)
            .unwrap_or_default()
    };
    match topic {
        "routes" => Value::Array(
            engine
                .routes(now)
                .into_iter()
                .map(|r| {
                    json!({
                        "prefix": r.prefix.to_string(),
                        "metric": r.metric,
                        "tag": r.tag,
                        "origin": origin_name(r.origin),
                        "in_kernel": r.in_fib,
                        "garbage_in_secs": r.garbage_in.map(|d| d.as_secs()),
                        "paths": r.paths.iter().map(|p| json!({
                            "gateway": p.gateway.to_string(),
                            "source": p.source.to_string(),
                            "interface": name_of(p.ifindex),
                            "age_secs": (r.origin == Origin::Rip).then_some(p.age.as_secs()),
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect(),
        ),
        "interfaces" => Value::Array(
            engine
                .interfaces()
                .into_iter()
                .map(|i| {
                    json!({
                        "name": i.name,
                        "ifindex": i.ifindex,
                        "up": i.up,
                        "multicast": i.multicast,
                        "rip": i.active,
                        "passive": i.passive,
                        "addresses": i.addresses.iter().map(|a| match a.peer {
                            Some(peer) => format!("{}/{} peer {}", a.local, a.prefix_len, peer),
                            None => format!("{}/{}", a.local, a.prefix_len),
                        }).collect::<Vec<_>>(),
                        "bad_packets": i.counters.bad_packets,
                        "bad_routes": i.counters.bad_routes,
                        "triggered_updates_sent": i.counters.updates_sent,
                        "packets_received": i.counters.packets_received,
                        "packets_sent": i.counters.packets_sent,
                    })
                })
                .collect(),
        ),
        "neighbors" => Value::Array(
            engine
                .neighbors()
                .into_iter()
                .map(|n| {
                    json!({
                        "address": n.address.to_string(),
                        "interface": name_of(n.ifindex),
                        "version": n.version,
                        "last_update_secs_ago": now.saturating_duration_since(n.last_update).as_secs(),
                        "bad_packets": n.bad_packets,
                        "bad_routes": n.bad_routes,
                    })
                })
                .collect(),
        ),
        "status" => {
            let counters = engine.counters();
            json!({
                "version": env!("CARGO_PKG_VERSION"),
                "pid": std::process::id(),
                "routes": engine.route_count(),
                "routes_in_kernel": engine.routes(now).iter().filter(|r| r.in_fib).count(),
                "route_changes": counters.route_changes,
                "queries": counters.queries,
                "routes_over_limit": counters.routes_over_limit,
                "kernel_table": settings.kernel.table,
                "kernel_metric": settings.kernel.metric,
                "netlink_resyncs": netlink_resyncs,
            })
        }
        other => json!({ "error": format!("unknown request `{other}`, expected one of {TOPICS:?}") }),
    }
}

fn origin_name(origin: Origin) -> &'static str {
    match origin {
        Origin::Rip => "rip",
        Origin::Connected => "connected",
        Origin::Redistributed(rip_engine::RedistributeKind::Connected) => "redistributed-connected",
        Origin::Redistributed(rip_engine::RedistributeKind::Static) => "static",
        Origin::Redistributed(rip_engine::RedistributeKind::Kernel) => "kernel",
        Origin::DefaultOriginate => "default",
        Origin::Configured => "configured",
    }
}

/// The client side: asks a running daemon and returns its JSON answer.
pub fn request(socket: &Path, topic: &str) -> io::Result<Value> {
    let mut stream = StdUnixStream::connect(socket)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.write_all(format!("{topic}\n").as_bytes())?;
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line)?;
    serde_json::from_str(&line).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// A field of a JSON object, or null.
fn field<'v>(value: &'v Value, key: &str) -> &'v Value {
    value.get(key).unwrap_or(&Value::Null)
}

/// A human-readable table of an answer.
pub fn render(topic: &str, answer: &Value) -> String {
    let mut out = String::new();
    let rows = answer.as_array().cloned().unwrap_or_default();
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        other => other.to_string(),
    };
    match topic {
        "routes" => {
            out.push_str(&format!(
                "{:<20} {:>6} {:<12} {:<16} {:<12} {:>5}\n",
                "PREFIX", "METRIC", "ORIGIN", "NEXT HOP", "INTERFACE", "AGE"
            ));
            for r in rows {
                let paths = field(&r, "paths").as_array().cloned().unwrap_or_default();
                let first = paths.first().cloned().unwrap_or(Value::Null);
                out.push_str(&format!(
                    "{:<20} {:>6} {:<12} {:<16} {:<12} {:>5}\n",
                    text(field(&r, "prefix")),
                    text(field(&r, "metric")),
                    text(field(&r, "origin")),
                    text(field(&first, "gateway")),
                    text(field(&first, "interface")),
                    text(field(&first, "age_secs")),
                ));
                for more in paths.iter().skip(1) {
                    out.push_str(&format!(
                        "{:<20} {:>6} {:<12} {:<16} {:<12} {:>5}\n",
                        "",
                        "",
                        "",
                        text(field(more, "gateway")),
                        text(field(more, "interface")),
                        text(field(more, "age_secs")),
                    ));
                }
            }
        }
        "interfaces" => {
            out.push_str(&format!(
                "{:<12} {:<4} {:<4} {:<9} {:<7} {:<28} {:>6} {:>6}\n",
                "INTERFACE", "UP", "RIP", "MULTICAST", "PASSIVE", "ADDRESSES", "BADPKT", "BADRTE"
            ));
            for i in rows {
                let addresses: Vec<String> = field(&i, "addresses")
                    .as_array()
                    .map(|a| a.iter().map(text).collect())
                    .unwrap_or_default();
                out.push_str(&format!(
                    "{:<12} {:<4} {:<4} {:<9} {:<7} {:<28} {:>6} {:>6}\n",
                    text(field(&i, "name")),
                    text(field(&i, "up")),
                    text(field(&i, "rip")),
                    text(field(&i, "multicast")),
                    text(field(&i, "passive")),
                    addresses.join(","),
                    text(field(&i, "bad_packets")),
                    text(field(&i, "bad_routes")),
                ));
            }
        }
        "neighbors" => {
            out.push_str(&format!(
                "{:<16} {:<12} {:>7} {:>11} {:>6} {:>6}\n",
                "NEIGHBOR", "INTERFACE", "VERSION", "LAST UPDATE", "BADPKT", "BADRTE"
            ));
            for n in rows {
                out.push_str(&format!(
                    "{:<16} {:<12} {:>7} {:>10}s {:>6} {:>6}\n",
                    text(field(&n, "address")),
                    text(field(&n, "interface")),
                    text(field(&n, "version")),
                    text(field(&n, "last_update_secs_ago")),
                    text(field(&n, "bad_packets")),
                    text(field(&n, "bad_routes")),
                ));
            }
        }
        _ => {
            if let Some(map) = answer.as_object() {
                for (key, value) in map {
                    out.push_str(&format!("{key:<20} {}\n", text(value)));
                }
            }
        }
    }
    out
}
