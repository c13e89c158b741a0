//! `riprs import-quagga`: quagga's (or FRR's) ripd.conf to ripd.toml.
//!
//! The file is read the way quagga's vty reads it: each command is tried in
//! the current node (`router rip`, `interface`, `key chain`, `key`), then in
//! the nodes above it, so blocks need no `!` or indentation between them.
//! What riprs can express is collected first and written out at the end,
//! because a `distribute-list` may name a list defined further down. Every
//! line that is not carried over comes back with its number and the reason;
//! comments and blank lines are silent, and so are lines that only frame the
//! file (`frr version`, `end`, `exit`) or that restate what riprs always does
//! (`version 2`, `ip split-horizon`, `multicast`).

mod commands;
mod lifetime;
mod model;
mod write;

#[cfg(test)]
mod tests;

/// Converts the text of a ripd.conf: the ripd.toml, and the lines that were
/// not carried over as (1-based line number, reason), in line order.
pub fn import(text: &str) -> (String, Vec<(usize, String)>) {
    let (quagga, mut notes) = commands::read(text);
    let toml = write::write(&quagga, &mut notes);
    notes.sort_by_key(|(line, _)| *line);
    (toml, notes)
}
