//! The fuzz corpus on stable, in every `cargo test`: each file of
//! `fuzz/corpus/TARGET/` goes through the same checks as the cargo-fuzz
//! target of that name (`fuzzing/mod.rs`, shared with `fuzz/fuzz_targets/`),
//! then about 300 000 inputs made by mutating the committed seeds with a
//! small deterministic PRNG (bit flips, set octets, truncation, extension,
//! splicing, repeated or dropped entries, random lengths).
//!
//! The seeds (`seed-*`) are derived from the samples and captures; the test
//! `seed_corpus_is_up_to_date` fails when they are stale, and rewrites them
//! when asked:
//!
//! ```text
//! RIPRS_WRITE_SEEDS=1 cargo test -p rip-codec --test fuzz_corpus seed_corpus
//! ```

// Test code: a panic is a failed check. clippy.toml allows these in #[test]
// functions only, not in the helpers they call.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod fuzzing;

use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use fuzzing::{MODES, mode_of, selector_of, signed_seed_list};
use rip_codec::{AuthMode, MAX_MESSAGE_LEN};

type Check = fn(&[u8]);

/// Each target with its check and how many generated inputs it gets.
const TARGETS: [(&str, Check, usize); 3] = [
    ("decode_plain", fuzzing::decode_plain, 140_000),
    ("decode_auth", fuzzing::decode_auth, 120_000),
    ("roundtrip", fuzzing::roundtrip, 40_000),
];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn corpus_dir(target: &str) -> PathBuf {
    repo_root().join("fuzz/corpus").join(target)
}

/// The files of a corpus directory, sorted by name.
fn corpus_files(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = corpus_dir(target);
    let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, fs::read(&path).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// Runs a check; on a panic, names the input and keeps it for `cargo fuzz run`.
fn run(target: &str, check: Check, what: &str, input: &[u8]) {
    if panic::catch_unwind(AssertUnwindSafe(|| check(input))).is_err() {
        let dir = repo_root().join("target/fuzz-corpus-failures").join(target);
        let _ = fs::create_dir_all(&dir);
        let path = dir.join(what.replace(['/', ' '], "_"));
        let _ = fs::write(&path, input);
        panic!(
            "{target} failed on {what} (saved to {}): {}",
            path.display(),
            hex::encode(input)
        );
    }
}

#[test]
fn corpus_files_pass_the_fuzz_checks() {
    for (target, check, _) in TARGETS {
        let files = corpus_files(target);
        let seeds = files.iter().filter(|(n, _)| n.starts_with("seed-")).count();
        assert!(seeds >= 8, "{target}: only {seeds} seeds");
        for (name, bytes) in &files {
            run(target, check, name, bytes);
        }
    }
}

#[test]
fn generated_inputs_pass_the_fuzz_checks() {
    for (t, (target, check, count)) in TARGETS.into_iter().enumerate() {
        let seeds: Vec<Vec<u8>> = corpus_files(target)
            .into_iter()
            .filter(|(n, _)| n.starts_with("seed-"))
            .map(|(_, bytes)| bytes)
            .collect();
        let mut rng = Rng(0x5EED_0000 + t as u64);
        for i in 0..count {
            let input = mutate(&mut rng, &seeds);
            run(target, check, &format!("generated-{i}"), &input);
        }
    }
}

/// Messages captured from FRR and BIRD, if any: nothing panics in any mode.
#[test]
fn captured_messages_pass_the_decode_checks() {
    for (name, message) in captured_messages() {
        run("decode_plain", fuzzing::decode_plain, &name, &message);
        run(
            "decode_auth",
            fuzzing::check_auth_all_modes,
            &name,
            &message,
        );
    }
}

// ---------------------------------------------------------------------------
// Mutation

/// splitmix64: small, fast, the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`, `n > 0`.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn byte(&mut self) -> u8 {
        self.next() as u8
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.byte()).collect()
    }
}

/// Octets that sit on the edges of the format's rules.
const INTERESTING: [u8; 12] = [0, 1, 2, 3, 0x10, 0x11, 0x14, 0x18, 0x7F, 0x80, 0xE0, 0xFF];

/// One to four mutations of a random seed.
fn mutate(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut data = seeds[rng.below(seeds.len())].clone();
    for _ in 0..1 + rng.below(4) {
        let len = data.len();
        match rng.below(12) {
            0..=2 if len > 0 => {
                let at = rng.below(len);
                data[at] ^= 1 << rng.below(8);
            }
            3 | 4 if len > 0 => {
                let at = rng.below(len);
                data[at] = if rng.below(2) == 0 {
                    INTERESTING[rng.below(INTERESTING.len())]
                } else {
                    rng.byte()
                };
            }
            5 => data.truncate(rng.below(len + 1)),
            6 => {
                let n = 1 + rng.below(40);
                let tail = rng.bytes(n);
                data.extend_from_slice(&tail);
            }
            7 => {
                // The head of this input, the tail of another seed.
                let other = &seeds[rng.below(seeds.len())];
                let cut = rng.below(len + 1);
                let from = rng.below(other.len() + 1);
                data.truncate(cut);
                data.extend_from_slice(&other[from..]);
            }
            8 if len >= 24 => {
                // Repeat or drop one 20-octet entry, on an entry boundary.
                let entries = (len - 4) / 20;
                let at = 4 + 20 * rng.below(entries);
                if rng.below(2) == 0 {
                    let entry = data[at..at + 20].to_vec();
                    data.splice(at..at, entry);
                } else {
                    data.drain(at..at + 20);
                }
            }
            9 => {
                // A 16-bit field set to an edge value (lengths, AFIs, types).
                if len >= 2 {
                    let at = rng.below(len - 1);
                    let value: u16 = match rng.below(4) {
                        0 => 0xFFFF,
                        1 => (4 + 20 * rng.below(26)) as u16,
                        2 => rng.below(4) as u16,
                        _ => rng.next() as u16,
                    };
                    data[at..at + 2].copy_from_slice(&value.to_be_bytes());
                }
            }
            10 => {
                let n = rng.below(MAX_MESSAGE_LEN + 100);
                data = rng.bytes(n);
            }
            _ => {
                // Selector of decode_auth, or the command and version octets.
                if len > 0 {
                    let at = rng.below(len.min(3));
                    data[at] = rng.below(8) as u8;
                }
            }
        }
    }
    data
}

// ---------------------------------------------------------------------------
// Seeds

/// `# comment` lines, then one hex message per line.
fn captured_messages() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/captures");
    let Ok(entries) = fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "hex"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = fs::read_to_string(&path).unwrap();
        let lines = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'));
        for (i, line) in lines.enumerate() {
            let hex: String = line.chars().filter(|c| !c.is_whitespace()).collect();
            let message = hex::decode(&hex)
                .unwrap_or_else(|e| panic!("{}: line {}: {e}", path.display(), i + 1));
            out.push((format!("{stem}-{i:03}"), message));
        }
    }
    out
}

/// The mode a captured message is authenticated with, read from its octets.
fn mode_of_message(message: &[u8]) -> AuthMode {
    if message.get(1).is_none_or(|v| *v < 2) || message.get(4..6) != Some(&[0xFF, 0xFF]) {
        return AuthMode::None;
    }
    match message.get(7) {
        Some(2) => AuthMode::Password,
        Some(3) => {
            let trailer_at = message
                .get(8..10)
                .map_or(0, |l| usize::from(u16::from_be_bytes([l[0], l[1]])));
            let digest = message.len().saturating_sub(trailer_at + 4);
            MODES
                .into_iter()
                .find(|m| m.is_cryptographic() && m.digest_len() == digest)
                .unwrap_or(AuthMode::KeyedMd5)
        }
        _ => AuthMode::None,
    }
}

fn mode_name(mode: AuthMode) -> String {
    format!("{mode:?}").to_lowercase()
}

/// `fuzz/corpus/*/seed-*` holds every signed sample message, RIPv1 messages,
/// captured messages, and random inputs for the roundtrip target: checked
/// against what the samples give now, or rewritten with RIPRS_WRITE_SEEDS=1.
#[test]
fn seed_corpus_is_up_to_date() {
    let mut plain: Vec<(String, Vec<u8>)> = Vec::new();
    let mut auth: Vec<(String, Vec<u8>)> = Vec::new();
    let mut counter = std::collections::HashMap::new();
    for (mode, message) in signed_seed_list() {
        let n = counter.entry(mode_name(mode)).or_insert(0);
        let name = format!("seed-{}-{n:03}", mode_name(mode));
        *n += 1;
        let mut selected = vec![selector_of(mode)];
        selected.extend_from_slice(&message);
        plain.push((name.clone(), message));
        auth.push((name, selected));
    }
    for (i, repr) in fuzzing::sample_reprs(1, AuthMode::None).iter().enumerate() {
        let mut buf = [0u8; MAX_MESSAGE_LEN];
        let len = repr.emit(&mut buf, None).unwrap();
        let name = format!("seed-v1-{i:03}");
        plain.push((name.clone(), buf[..len].to_vec()));
        let mut selected = vec![selector_of(AuthMode::None)];
        selected.extend_from_slice(&buf[..len]);
        auth.push((name, selected));
    }
    let mut seen = std::collections::HashSet::new();
    for (name, message) in captured_messages() {
        if !seen.insert(message.clone()) {
            continue;
        }
        let mut selected = vec![selector_of(mode_of_message(&message))];
        selected.extend_from_slice(&message);
        plain.push((format!("seed-capture-{name}"), message));
        auth.push((format!("seed-capture-{name}"), selected));
    }
    let mut rng = Rng(0x00C0_FFEE);
    let random: Vec<(String, Vec<u8>)> = [8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096]
        .into_iter()
        .enumerate()
        .map(|(i, len)| (format!("seed-random-{i:03}"), rng.bytes(len)))
        .collect();
    for (target, files) in [
        ("decode_plain", plain),
        ("decode_auth", auth),
        ("roundtrip", random),
    ] {
        let dir = corpus_dir(target);
        let on_disk: std::collections::BTreeMap<String, Vec<u8>> = fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .map(|e| e.unwrap().path())
                    .filter(|p| {
                        p.file_name()
                            .unwrap()
                            .to_string_lossy()
                            .starts_with("seed-")
                    })
                    .map(|p| {
                        let name = p.file_name().unwrap().to_string_lossy().into_owned();
                        (name, fs::read(&p).unwrap())
                    })
                    .collect()
            })
            .unwrap_or_default();
        let wanted: std::collections::BTreeMap<String, Vec<u8>> = files.into_iter().collect();
        if std::env::var_os("RIPRS_WRITE_SEEDS").is_some() {
            fs::create_dir_all(&dir).unwrap();
            for name in on_disk.keys() {
                fs::remove_file(dir.join(name)).unwrap();
            }
            for (name, bytes) in &wanted {
                fs::write(dir.join(name), bytes).unwrap();
            }
        } else {
            assert_eq!(
                on_disk.keys().collect::<Vec<_>>(),
                wanted.keys().collect::<Vec<_>>(),
                "{target}: seed files differ; RIPRS_WRITE_SEEDS=1 rewrites them"
            );
            for (name, bytes) in &wanted {
                assert_eq!(
                    on_disk.get(name),
                    Some(bytes),
                    "{target}/{name} is stale; RIPRS_WRITE_SEEDS=1 rewrites it"
                );
            }
        }
    }
    // Every seed of decode_auth is accepted under its own mode.
    for (mode, message) in signed_seed_list() {
        assert_eq!(mode_of(selector_of(mode)), mode);
        assert!(
            rip_codec::Packet::parse(&message)
                .unwrap()
                .authenticate(mode, &fuzzing::RING[..])
                .is_ok()
        );
    }
}
