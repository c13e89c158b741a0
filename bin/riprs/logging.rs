//! Logging with tracing, to stderr or a file, at the configured level
//! (`RUST_LOG` overrides it, for debugging).

use std::fs::OpenOptions;
use std::io::{self, IsTerminal};
use std::sync::Mutex;

use tracing_subscriber::EnvFilter;

use crate::config::LogSettings;

pub fn init(settings: &LogSettings) -> io::Result<()> {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(format!("riprs={0},rip_engine={0}", settings.level)));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
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
                .try_init()
        }
        // Colours only for a person at a terminal: not into the journal
        // or a file that stderr was sent to.
        None => builder
            .with_ansi(io::stderr().is_terminal())
            .with_writer(io::stderr)
            .try_init(),
    };
    result.map_err(|e| io::Error::other(e.to_string()))
}
