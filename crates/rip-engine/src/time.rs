//! Engine time: milliseconds since the engine's first instant. Callers pass
//! `std::time::Instant`s in; inside, plain integers are cheap to store and
//! compare, and a virtual clock in tests is just instants added up.

use std::time::{Duration, Instant};

/// Milliseconds since the engine's epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub(crate) struct Ticks(pub(crate) u64);

impl Ticks {
    pub(crate) const NEVER: Ticks = Ticks(u64::MAX);

    pub(crate) fn after(self, duration: Duration) -> Ticks {
        Ticks(self.0.saturating_add(millis(duration)))
    }

    pub(crate) fn since(self, earlier: Ticks) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Converts between instants and ticks around a fixed epoch.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    epoch: Instant,
}

impl Clock {
    pub(crate) fn new(epoch: Instant) -> Self {
        Clock { epoch }
    }

    /// Instants before the epoch count as the epoch.
    pub(crate) fn ticks(&self, now: Instant) -> Ticks {
        Ticks(millis(now.saturating_duration_since(self.epoch)))
    }

    pub(crate) fn instant(&self, ticks: Ticks) -> Instant {
        self.epoch + Duration::from_millis(ticks.0)
    }
}
