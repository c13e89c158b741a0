//! ripd.toml: loading, checking and turning it into the daemon's settings.
//!
//! The file is parsed into a spanned TOML tree and read section by section;
//! every problem is recorded with its place rather than stopping at the
//! first, so `riprs check` can list them all. The contract for the keys is
//! CONFIG.md; the keys riprs adds beyond quagga's ripd are described in
//! docs/CONFIG-EXTENSIONS.md.

mod errors;
mod model;
pub(crate) mod names;
mod reader;
mod sections;
mod summary;
pub(crate) mod timestamp;
mod validate;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

pub use errors::{ConfigError, ConfigErrors, Severity};

/// The kernel's main routing table (`RT_TABLE_MAIN`).
pub const TABLE_MAIN: u32 = 254;
/// Default kernel priority of installed routes.
pub const DEFAULT_KERNEL_METRIC: u32 = 20;
/// Default path of the control socket.
pub const DEFAULT_CONTROL_SOCKET: &str = "/run/riprs/riprs.sock";

/// Everything in ripd.toml: the engine's part and the daemon's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub engine: rip_engine::EngineConfig,
    pub kernel: KernelSettings,
    /// `multicast` of every `[interfaces.NAME]`; see [`Settings::multicast_mode`].
    pub multicast: BTreeMap<String, MulticastMode>,
    pub control_socket: PathBuf,
    pub log: LogSettings,
    /// Findings that do not stop the file from being used.
    pub warnings: Vec<ConfigError>,
}

impl Settings {
    /// What to do about IFF_MULTICAST on an interface (`auto` unless configured).
    pub fn multicast_mode(&self, ifname: &str) -> MulticastMode {
        self.multicast.get(ifname).copied().unwrap_or_default()
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            engine: rip_engine::EngineConfig::default(),
            kernel: KernelSettings::default(),
            multicast: BTreeMap::new(),
            control_socket: PathBuf::from(DEFAULT_CONTROL_SOCKET),
            log: LogSettings::default(),
            warnings: Vec::new(),
        }
    }
}

/// `[kernel]`: where and how learned routes are installed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KernelSettings {
    /// Routing table id; `"main"` is 254.
    pub table: u32,
    /// Kernel priority of installed routes.
    pub metric: u32,
    /// Leave the routes in the kernel when riprs stops.
    pub keep_routes_on_exit: bool,
}

impl Default for KernelSettings {
    fn default() -> Self {
        KernelSettings {
            table: TABLE_MAIN,
            metric: DEFAULT_KERNEL_METRIC,
            keep_routes_on_exit: false,
        }
    }
}

/// `[interfaces.NAME] multicast`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MulticastMode {
    /// Turn IFF_MULTICAST on when it is off (a VTI's default), and log it.
    #[default]
    Auto,
    /// Never touch the interface's flags.
    Keep,
}

/// `[log]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LogSettings {
    pub level: LogLevel,
    /// Append to this file; `None` logs to stderr.
    pub file: Option<PathBuf>,
}

/// `[log] level`, most to least severe; each includes those before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum LogLevel {
    Error,
    Warn,
    #[default]
    Info,
    Debug,
    Trace,
}

impl LogLevel {
    /// The name used in ripd.toml, which is also what tracing's filters take.
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        }
    }
}

impl fmt::Display for LogLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Reads and checks a ripd.toml. `secret-file`s are read relative to the
/// file's directory.
pub fn load(path: &Path) -> Result<Settings, ConfigErrors> {
    let origin = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&text, &origin),
        Err(e) => Err(errors::file_error(
            &origin,
            format!("cannot read the file: {e}"),
        )),
    }
}

/// Checks the text of a ripd.toml; `origin` is its path, used in messages
/// and as the base of relative `secret-file`s.
pub fn parse(text: &str, origin: &str) -> Result<Settings, ConfigErrors> {
    let base_dir = Path::new(origin)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut diag = errors::Diagnostics::new(text, origin);
    let (document, syntax_errors) = toml::de::DeTable::parse_recoverable(text);
    for error in &syntax_errors {
        let span = error.span().unwrap_or(0..0);
        diag.error(span, "", error.message().trim().to_string());
    }
    if !syntax_errors.is_empty() {
        // The tree recovered from broken TOML is not what the user wrote:
        // checking its values would only report echoes of the syntax errors.
        return Err(diag.finish());
    }
    let mut reader = reader::Reader::new(diag);
    let raw = sections::read_document(&mut reader, &document, &base_dir);
    let settings = validate::resolve(&mut reader, raw);
    let has_errors = reader.diag.has_errors();
    let mut found = reader.diag.finish();
    if has_errors {
        Err(found)
    } else {
        let mut settings = settings;
        settings.warnings = std::mem::take(&mut found.warnings);
        Ok(settings)
    }
}
