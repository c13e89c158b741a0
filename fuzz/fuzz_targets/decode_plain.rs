//! Parse, unauthenticated, iterate every route and request entry.
//!
//! The checks are shared with the stable test `crates/rip-codec/tests/fuzz_corpus.rs`.

#![no_main]

#[path = "../../crates/rip-codec/tests/fuzzing/mod.rs"]
mod fuzzing;

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzzing::decode_plain(data));
