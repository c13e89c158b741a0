//! A script of arbitrary inputs through one engine: datagrams, responses,
//! requests, time, links, addresses, redistribution, reloads. The engine's
//! invariants are checked after every step.
//!
//! The checks are shared with the stable test
//! `crates/rip-engine/tests/random_inputs.rs`.

#![no_main]

#[path = "../../crates/rip-engine/tests/fuzzing/mod.rs"]
mod fuzzing;

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzzing::run(data));
