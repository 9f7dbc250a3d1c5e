use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Time as the validator sees it: a monotonic instant for key-cache decisions and Unix seconds
/// for token claims. Injected so tests can move time without sleeping.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Instant;
    fn unix_now(&self) -> u64;
}

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn unix_now(&self) -> u64 {
        // A clock before 1970 is a broken host; treating it as the epoch makes every token look
        // not-yet-valid or expired rather than panicking.
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs())
    }
}

impl<C: Clock> Clock for Arc<C> {
    fn now(&self) -> Instant {
        (**self).now()
    }

    fn unix_now(&self) -> u64 {
        (**self).unix_now()
    }
}
