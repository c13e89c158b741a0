//! What is wrong with a configuration file, and where.
//!
//! Every problem found is kept (not just the first), each with the file, the
//! line and column, the dotted key and a message saying what is allowed.

use std::fmt;
use std::ops::Range;

/// How bad a finding is: errors stop the file from being used, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One finding in a configuration file.
///
/// `line` and `column` are 1-based (the column counts characters); both are 0
/// when the finding is about the file as a whole (it cannot be read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub severity: Severity,
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// The dotted key, e.g. `interfaces.vti02.split-horizon`; empty for
    /// TOML syntax errors, which have no key yet.
    pub key: String,
    pub message: String,
}

impl fmt::Display for ConfigError {
    /// `FILE:LINE:COL: KEY: MESSAGE`; warnings say so before the message.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.column)?;
        }
        f.write_str(": ")?;
        if !self.key.is_empty() {
            write!(f, "{}: ", self.key)?;
        }
        if self.severity == Severity::Warning {
            f.write_str("warning: ")?;
        }
        f.write_str(&self.message)
    }
}

/// Every error found in a configuration file (and the warnings beside them),
/// in the order they appear in the file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConfigErrors {
    pub errors: Vec<ConfigError>,
    pub warnings: Vec<ConfigError>,
}

impl ConfigErrors {
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn len(&self) -> usize {
        self.errors.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &ConfigError> {
        self.errors.iter()
    }
}

impl fmt::Display for ConfigErrors {
    /// One error per line (warnings are not printed here; see `warnings`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

/// Collects findings against one file's text, turning byte spans into lines
/// and columns.
#[derive(Debug)]
pub(crate) struct Diagnostics<'t> {
    text: &'t str,
    origin: String,
    found: Vec<ConfigError>,
}

impl<'t> Diagnostics<'t> {
    pub(crate) fn new(text: &'t str, origin: &str) -> Self {
        Diagnostics {
            text,
            origin: origin.to_string(),
            found: Vec::new(),
        }
    }

    pub(crate) fn error(&mut self, span: Range<usize>, key: &str, message: impl Into<String>) {
        self.push(Severity::Error, span, key, message.into());
    }

    pub(crate) fn warning(&mut self, span: Range<usize>, key: &str, message: impl Into<String>) {
        self.push(Severity::Warning, span, key, message.into());
    }

    pub(crate) fn has_errors(&self) -> bool {
        self.error_count() > 0
    }

    pub(crate) fn error_count(&self) -> usize {
        self.found
            .iter()
            .filter(|e| e.severity == Severity::Error)
            .count()
    }

    fn push(&mut self, severity: Severity, span: Range<usize>, key: &str, message: String) {
        let (line, column) = line_column(self.text, span.start);
        self.found.push(ConfigError {
            severity,
            file: self.origin.clone(),
            line,
            column,
            key: key.to_string(),
            message,
        });
    }

    /// Errors and warnings, each sorted by position.
    pub(crate) fn finish(mut self) -> ConfigErrors {
        self.found.sort_by_key(|e| (e.line, e.column));
        let (errors, warnings) = self
            .found
            .into_iter()
            .partition(|e| e.severity == Severity::Error);
        ConfigErrors { errors, warnings }
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

/// A finding about the file as a whole, with no position in it.
pub(crate) fn file_error(origin: &str, message: impl Into<String>) -> ConfigErrors {
    ConfigErrors {
        errors: vec![ConfigError {
            severity: Severity::Error,
            file: origin.to_string(),
            line: 0,
            column: 0,
            key: String::new(),
            message: message.into(),
        }],
        warnings: Vec::new(),
    }
}
