//! Authentication sequence numbers: wall-clock seconds, never decreasing, so
//! that a restarted daemon is not taken for a replay (RFC 4822 §3.2.2; BIRD
//! does the same).

use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Debug, Default)]
pub struct Sequence {
    last: u32,
}

impl Sequence {
    pub fn next(&mut self) -> u32 {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let now = u32::try_from(now).unwrap_or(u32::MAX);
        self.last = self.last.max(now);
        self.last
    }
}
