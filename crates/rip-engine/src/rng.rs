//! A small deterministic random number generator (SplitMix64), seeded by
//! the caller: the same seed and inputs give the same outputs.

use std::time::Duration;

#[derive(Debug, Clone)]
pub(crate) struct Rng {
    state: u64,
}

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng { state: seed }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A duration uniformly in `low..=high` (whole milliseconds).
    pub(crate) fn duration_between(&mut self, low: Duration, high: Duration) -> Duration {
        let low_ms = low.as_millis() as u64;
        let high_ms = (high.as_millis() as u64).max(low_ms);
        let span = high_ms - low_ms + 1;
        Duration::from_millis(low_ms + self.next_u64() % span)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence_and_bounds_hold() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        for _ in 0..1000 {
            let x = a.duration_between(Duration::from_secs(1), Duration::from_secs(5));
            assert_eq!(
                x,
                b.duration_between(Duration::from_secs(1), Duration::from_secs(5))
            );
            assert!(x >= Duration::from_secs(1) && x <= Duration::from_secs(5));
        }
    }
}
