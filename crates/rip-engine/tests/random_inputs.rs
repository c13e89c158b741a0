//! Random scripts of inputs through one engine, its invariants checked after
//! every step (see `fuzzing/mod.rs`): the stable counterpart of the
//! cargo-fuzz target `engine_inputs`, run on every `cargo test`.

mod fuzzing;

/// xorshift64*: reproducible scripts without a dependency.
fn bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
        })
        .collect()
}

#[test]
fn random_scripts_keep_every_invariant() {
    let scripts = 6_000u64;
    for seed in 0..scripts {
        let data = bytes(seed, 64 + (seed as usize * 37) % 4_000);
        let outcome = std::panic::catch_unwind(|| fuzzing::run(&data));
        assert!(
            outcome.is_ok(),
            "script {seed} broke an invariant; replay it with fuzzing::run on bytes({seed}, {})",
            data.len()
        );
    }
}

/// What libFuzzer's coverage guidance kept of the `engine_inputs` runs noted
/// in fuzz/README.md (`cargo fuzz run -- -merge=1 -max_len=160`: 1,401
/// inputs reaching 3,491 edges), packed in one file as records of a
/// little-endian u32 length and the input, replayed.
#[test]
fn the_fuzz_corpus_keeps_every_invariant() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus/engine_inputs/seed-pack.bin");
    let pack = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut rest = pack.as_slice();
    let mut replayed = 0;
    while let Some((len, tail)) = rest.split_first_chunk::<4>() {
        let len = u32::from_le_bytes(*len) as usize;
        let (input, tail) = tail.split_at(len);
        let outcome = std::panic::catch_unwind(|| fuzzing::run(input));
        assert!(
            outcome.is_ok(),
            "input {replayed} of {} broke an invariant",
            path.display()
        );
        replayed += 1;
        rest = tail;
    }
    assert!(rest.is_empty(), "a truncated record at the end");
    assert!(
        replayed >= 1_000,
        "only {replayed} inputs in {}",
        path.display()
    );
}
