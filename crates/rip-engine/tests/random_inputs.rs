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
