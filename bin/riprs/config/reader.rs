//! Typed access to the spanned TOML tree: each accessor either returns the
//! value or records an error at the value's place, so that one pass finds
//! every problem in the file.

use std::ops::{Range, RangeInclusive};

use toml::Spanned;
use toml::de::{DeArray, DeTable, DeValue};

use super::errors::Diagnostics;

pub(crate) type Value<'i> = Spanned<DeValue<'i>>;

/// The dotted key of `name` inside `parent`, quoted where TOML would need it
/// (`interfaces."eth0.100".cost`).
pub(crate) fn child(parent: &str, name: &str) -> String {
    let bare = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    let name = if bare {
        name.to_string()
    } else {
        toml::Value::String(name.to_string()).to_string()
    };
    if parent.is_empty() {
        name
    } else {
        format!("{parent}.{name}")
    }
}

/// The key of the `index`th element of the array at `parent`.
pub(crate) fn element(parent: &str, index: usize) -> String {
    format!("{parent}[{index}]")
}

fn type_name(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a datetime",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// The closest allowed key to a misspelt one, if it is close enough.
fn suggestion<'a>(name: &str, allowed: &[&'a str]) -> Option<&'a str> {
    allowed
        .iter()
        .map(|candidate| (edit_distance(name, candidate), *candidate))
        .filter(|(distance, candidate)| *distance <= 2.max(candidate.len() / 4))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = Vec::with_capacity(b.len() + 1);
        current.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let substitute =
                previous.get(j).copied().unwrap_or(usize::MAX / 2) + usize::from(ca != *cb);
            let delete = previous.get(j + 1).copied().unwrap_or(usize::MAX / 2) + 1;
            let insert = current.get(j).copied().unwrap_or(usize::MAX / 2) + 1;
            current.push(substitute.min(delete).min(insert));
        }
        previous = current;
    }
    previous.last().copied().unwrap_or(0)
}

/// Reads values out of the tree, recording what is wrong with them.
pub(crate) struct Reader<'t> {
    pub(crate) diag: Diagnostics<'t>,
}

impl<'t> Reader<'t> {
    pub(crate) fn new(diag: Diagnostics<'t>) -> Self {
        Reader { diag }
    }

    pub(crate) fn error(&mut self, span: Range<usize>, key: &str, message: impl Into<String>) {
        self.diag.error(span, key, message);
    }

    pub(crate) fn warning(&mut self, span: Range<usize>, key: &str, message: impl Into<String>) {
        self.diag.warning(span, key, message);
    }

    /// Records every key of `table` that is not in `allowed`.
    pub(crate) fn check_keys(&mut self, table: &DeTable<'_>, path: &str, allowed: &[&str]) {
        for (name, _) in table.iter() {
            if allowed.contains(&name.get_ref().as_ref()) {
                continue;
            }
            let mut message = String::from("unknown key");
            if let Some(close) = suggestion(name.get_ref(), allowed) {
                message.push_str(&format!(" (did you mean `{close}`?)"));
            }
            message.push_str(&format!("; allowed here: {}", allowed.join(", ")));
            self.error(name.span(), &child(path, name.get_ref()), message);
        }
    }

    fn wrong_type(&mut self, value: &Value<'_>, key: &str, expected: &str) {
        let found = type_name(value.get_ref());
        self.error(
            value.span(),
            key,
            format!("expected {expected}, found {found}"),
        );
    }

    pub(crate) fn string<'a>(&mut self, value: &'a Value<'_>, key: &str) -> Option<&'a str> {
        match value.get_ref() {
            DeValue::String(s) => Some(s.as_ref()),
            _ => {
                self.wrong_type(value, key, "a string");
                None
            }
        }
    }

    pub(crate) fn boolean(&mut self, value: &Value<'_>, key: &str) -> Option<bool> {
        match value.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.wrong_type(value, key, "true or false");
                None
            }
        }
    }

    /// An integer within `range`; the message for anything else states the range.
    pub(crate) fn integer(
        &mut self,
        value: &Value<'_>,
        key: &str,
        range: RangeInclusive<i64>,
    ) -> Option<i64> {
        let allowed = format!("an integer from {} to {}", range.start(), range.end());
        let DeValue::Integer(integer) = value.get_ref() else {
            self.wrong_type(value, key, &allowed);
            return None;
        };
        match i64::from_str_radix(integer.as_str(), integer.radix()) {
            Ok(n) if range.contains(&n) => Some(n),
            _ => {
                self.error(
                    value.span(),
                    key,
                    format!("{integer} is out of range: expected {allowed}"),
                );
                None
            }
        }
    }

    pub(crate) fn array<'a, 'i>(
        &mut self,
        value: &'a Value<'i>,
        key: &str,
    ) -> Option<&'a DeArray<'i>> {
        match value.get_ref() {
            DeValue::Array(a) => Some(a),
            _ => {
                self.wrong_type(value, key, "an array");
                None
            }
        }
    }

    pub(crate) fn table<'a, 'i>(
        &mut self,
        value: &'a Value<'i>,
        key: &str,
    ) -> Option<&'a DeTable<'i>> {
        match value.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => {
                self.wrong_type(value, key, "a table");
                None
            }
        }
    }

    /// One of a fixed set of strings, mapped to its value.
    pub(crate) fn choice<T: Copy>(
        &mut self,
        value: &Value<'_>,
        key: &str,
        options: &[(&str, T)],
    ) -> Option<T> {
        let names: Vec<String> = options
            .iter()
            .map(|(name, _)| format!("\"{name}\""))
            .collect();
        let allowed = names.join(", ");
        let DeValue::String(s) = value.get_ref() else {
            self.wrong_type(value, key, &format!("one of {allowed}"));
            return None;
        };
        match options.iter().find(|(name, _)| *name == s.as_ref()) {
            Some((_, v)) => Some(*v),
            None => {
                self.error(
                    value.span(),
                    key,
                    format!("\"{s}\" is not allowed: expected one of {allowed}"),
                );
                None
            }
        }
    }

    /// The string elements of an array, each with its key and span; other
    /// elements are recorded as errors.
    pub(crate) fn strings<'a>(
        &mut self,
        value: &'a Value<'_>,
        key: &str,
    ) -> Vec<(String, &'a str, Range<usize>)> {
        let Some(array) = self.array(value, key) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in array.iter().enumerate() {
            let item_key = element(key, i);
            if let Some(s) = self.string(item, &item_key) {
                out.push((item_key, s, item.span()));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_quoted_when_needed() {
        assert_eq!(child("interfaces", "vti02"), "interfaces.vti02");
        assert_eq!(child("interfaces", "eth0.100"), "interfaces.\"eth0.100\"");
        assert_eq!(child("", "rip"), "rip");
    }

    #[test]
    fn close_keys_are_suggested() {
        let allowed = ["split-horizon", "cost", "multicast"];
        assert_eq!(suggestion("split_horizon", &allowed), Some("split-horizon"));
        assert_eq!(suggestion("cots", &allowed), Some("cost"));
        assert_eq!(suggestion("authentication", &allowed), None);
    }
}
