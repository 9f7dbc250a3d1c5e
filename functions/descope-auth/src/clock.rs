use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// Time as the validator sees it. Injected so tests can move time without sleeping.
///
/// Wall-clock time, not a monotonic clock, for the key cache too: Lambda freezes idle
/// environments, and a monotonic clock need not advance while frozen, so keys fetched before a
/// long freeze would look fresh long after Descope withdrew them.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> SystemTime;

    /// Unix seconds, for token claims.
    fn unix_now(&self) -> u64 {
        // A clock before 1970 is a broken host; treating it as the epoch makes every token look
        // not-yet-valid or expired rather than panicking.
        self.now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs())
    }
}

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

impl<C: Clock> Clock for Arc<C> {
    fn now(&self) -> SystemTime {
        (**self).now()
    }
}
