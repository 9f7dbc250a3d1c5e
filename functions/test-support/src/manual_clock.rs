//! A clock for tests that moves only when told to.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use descope_auth::{Clock, SystemClock};

/// A wall clock that moves only when told to, so cache windows are tested without sleeping.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<SystemTime>,
}

impl ManualClock {
    /// Starts at the real current time.
    pub fn new() -> Arc<ManualClock> {
        Self::starting_at(SystemClock.unix_now())
    }

    /// Starts at `unix_now` seconds.
    pub fn starting_at(unix_now: u64) -> Arc<ManualClock> {
        Arc::new(ManualClock {
            now: Mutex::new(UNIX_EPOCH + Duration::from_secs(unix_now)),
        })
    }

    /// Time passes: while the function runs, or while Lambda keeps its environment frozen.
    pub fn advance(&self, by: Duration) {
        *self.time() += by;
    }

    /// The wall clock jumps back (a host clock corrected by NTP, say).
    pub fn set_back(&self, by: Duration) {
        *self.time() -= by;
    }

    fn time(&self) -> std::sync::MutexGuard<'_, SystemTime> {
        self.now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *self.time()
    }
}
