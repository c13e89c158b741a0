//! Logging with tracing, to stderr or a file, at the configured level
//! (`RUST_LOG` overrides it, for debugging).

use std::fs::OpenOptions;
use std::io::{self, IsTerminal};
use std::sync::Mutex;

use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::LogSettings;

pub fn init(settings: &LogSettings) -> io::Result<()> {
    // `Targets` reads RUST_LOG's `target=level` directives without the
    // regex engine that `EnvFilter` brings (a megabyte of code in RSS).
    let configured = format!("riprs={0},rip_engine={0}", settings.level);
    let filter: Targets = std::env::var("RUST_LOG")
        .ok()
        .and_then(|directives| directives.parse().ok())
        .or_else(|| configured.parse().ok())
        .unwrap_or_default();
    let builder = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_target(false);
    let result = match &settings.file {
        Some(path) => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let file = OpenOptions::new().create(true).append(true).open(path)?;
            builder
                .with_ansi(false)
                .with_writer(Mutex::new(file))
                .finish()
                .with(filter)
                .try_init()
        }
        // Colours only for a person at a terminal: not into the journal
        // or a file that stderr was sent to.
        None => builder
            .with_ansi(io::stderr().is_terminal())
            .with_writer(io::stderr)
            .finish()
            .with(filter)
            .try_init(),
    };
    result.map_err(|e| io::Error::other(e.to_string()))
}
