//! The key cache: one per validator, shared by every invocation of a warm Lambda environment.
//!
//! Policy (all times are wall-clock times from the injected clock; a clock that moved backwards
//! since a recorded time makes that time count as long past, so the keys are stale and any
//! window is over):
//! - fetch on first use;
//! - keys older than [`MAX_KEY_AGE`] are refreshed, so a withdrawn key stops verifying;
//! - an unknown `kid` triggers a refetch only if the last attempt is [`UNKNOWN_KID_REFETCH`]
//!   old or more, so a flood of made-up kids costs at most one fetch per window;
//! - after a failed attempt no fetch for [`FAILURE_BACKOFF`]; the last good keys stay in use;
//! - one fetch at a time (single flight); callers that waited re-read the result.

use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use crate::clock::Clock;
use crate::fetch::KeyFetcher;
use crate::jwks::{KeySet, VerifyKey, parse_key_set};

pub(crate) const MAX_KEY_AGE: Duration = Duration::from_secs(10 * 60);
pub(crate) const UNKNOWN_KID_REFETCH: Duration = Duration::from_secs(30);
pub(crate) const FAILURE_BACKOFF: Duration = Duration::from_secs(5);

struct Snapshot {
    keys: KeySet,
    fetched_at: SystemTime,
}

#[derive(Default)]
struct FetchHistory {
    last_attempt: Option<SystemTime>,
    last_failure: Option<SystemTime>,
    last_error: Option<String>,
}

/// What the cache knows about a `kid`.
pub(crate) enum Lookup {
    Found(Arc<VerifyKey>),
    /// Keys are held, but none with this kid.
    UnknownKid,
    /// No keys held and none could be fetched; carries the last fetch failure.
    Unavailable(String),
}

pub(crate) struct KeyCache<F> {
    fetcher: F,
    current: RwLock<Option<Arc<Snapshot>>>,
    /// Held for the whole of a fetch: this is the single flight.
    history: tokio::sync::Mutex<FetchHistory>,
}

impl<F: KeyFetcher> KeyCache<F> {
    pub(crate) fn new(fetcher: F) -> Self {
        KeyCache {
            fetcher,
            current: RwLock::new(None),
            history: tokio::sync::Mutex::new(FetchHistory::default()),
        }
    }

    fn snapshot(&self) -> Option<Arc<Snapshot>> {
        // A poisoned lock only means a panic elsewhere mid-swap of an Arc: the value is intact.
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(crate) async fn key_for(&self, kid: &str, clock: &impl Clock) -> Lookup {
        // Warm path: fresh keys that know the kid need neither the lock nor the network.
        if let Some(snapshot) = self.snapshot()
            && elapsed(clock.now(), snapshot.fetched_at) < MAX_KEY_AGE
            && let Some(key) = snapshot.keys.get(kid)
        {
            return Lookup::Found(Arc::clone(key));
        }

        let mut history = self.history.lock().await;
        // Re-read after the wait: another caller may have fetched meanwhile.
        let now = clock.now();
        let snapshot = self.snapshot();
        let should_fetch = fetch_due(
            now,
            snapshot.as_ref().map(|snapshot| snapshot.fetched_at),
            snapshot
                .as_ref()
                .is_some_and(|snapshot| snapshot.keys.get(kid).is_some()),
            &history,
        );
        if should_fetch {
            history.last_attempt = Some(now);
            match self.fetch_keys().await {
                Ok(keys) => {
                    tracing::info!(keys = keys.len(), "signing keys fetched");
                    let fresh = Arc::new(Snapshot {
                        keys,
                        fetched_at: now,
                    });
                    *self.current.write().unwrap_or_else(PoisonError::into_inner) = Some(fresh);
                    history.last_failure = None;
                    history.last_error = None;
                }
                Err(reason) => {
                    tracing::warn!(%reason, "signing key fetch failed; keeping the last good keys");
                    history.last_failure = Some(now);
                    history.last_error = Some(reason);
                }
            }
        }
        let last_error = history.last_error.clone();
        drop(history);

        match self.snapshot() {
            Some(snapshot) => match snapshot.keys.get(kid) {
                Some(key) => Lookup::Found(Arc::clone(key)),
                None => Lookup::UnknownKid,
            },
            None => Lookup::Unavailable(
                last_error.unwrap_or_else(|| "no key fetch has succeeded yet".to_owned()),
            ),
        }
    }

    async fn fetch_keys(&self) -> Result<KeySet, String> {
        let body = self
            .fetcher
            .fetch()
            .await
            .map_err(|error| error.to_string())?;
        parse_key_set(&body).map_err(|error| error.to_string())
    }
}

/// Whether to fetch now, given when keys were last stored and the fetch history.
fn fetch_due(
    now: SystemTime,
    keys_fetched_at: Option<SystemTime>,
    kid_known: bool,
    history: &FetchHistory,
) -> bool {
    let since = |then: SystemTime| elapsed(now, then);
    if history
        .last_failure
        .is_some_and(|failed| since(failed) < FAILURE_BACKOFF)
    {
        return false;
    }
    match keys_fetched_at {
        None => true,
        Some(fetched) if since(fetched) >= MAX_KEY_AGE => true,
        Some(_) if !kid_known => history
            .last_attempt
            .is_none_or(|attempt| since(attempt) >= UNKNOWN_KID_REFETCH),
        Some(_) => false,
    }
}

/// Time from `then` to `now`; a clock that went back counts as the longest time, not as none.
fn elapsed(now: SystemTime, then: SystemTime) -> Duration {
    now.duration_since(then).unwrap_or(Duration::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000)
    }

    fn at(base: SystemTime, seconds: u64) -> SystemTime {
        base + Duration::from_secs(seconds)
    }

    #[test]
    fn nothing_cached_fetches_unless_backing_off() {
        let t0 = t0();
        assert!(fetch_due(t0, None, false, &FetchHistory::default()));
        let failed = FetchHistory {
            last_attempt: Some(t0),
            last_failure: Some(t0),
            last_error: Some("down".into()),
        };
        assert!(!fetch_due(at(t0, 4), None, false, &failed));
        assert!(fetch_due(at(t0, 5), None, false, &failed));
    }

    #[test]
    fn unknown_kid_refetches_only_after_thirty_seconds_since_the_last_attempt() {
        let t0 = t0();
        let history = FetchHistory {
            last_attempt: Some(t0),
            ..FetchHistory::default()
        };
        assert!(!fetch_due(at(t0, 29), Some(t0), false, &history));
        assert!(fetch_due(at(t0, 30), Some(t0), false, &history));
        // A known kid never refetches within the key lifetime.
        assert!(!fetch_due(at(t0, 30), Some(t0), true, &history));
    }

    #[test]
    fn the_first_fetch_counts_as_an_attempt() {
        let t0 = t0();
        // Keys first fetched at t0+10 s: the 30 s window runs from that first fetch.
        let history = FetchHistory {
            last_attempt: Some(at(t0, 10)),
            ..FetchHistory::default()
        };
        assert!(!fetch_due(at(t0, 31), Some(at(t0, 10)), false, &history));
        assert!(fetch_due(at(t0, 40), Some(at(t0, 10)), false, &history));
    }

    #[test]
    fn keys_older_than_ten_minutes_are_refreshed_even_for_a_known_kid() {
        let t0 = t0();
        let history = FetchHistory {
            last_attempt: Some(t0),
            ..FetchHistory::default()
        };
        assert!(!fetch_due(at(t0, 599), Some(t0), true, &history));
        assert!(fetch_due(at(t0, 600), Some(t0), true, &history));
    }

    #[test]
    fn a_failure_holds_off_every_kind_of_fetch_for_five_seconds() {
        let t0 = t0();
        let failed_refresh = FetchHistory {
            last_attempt: Some(at(t0, 700)),
            last_failure: Some(at(t0, 700)),
            last_error: Some("503".into()),
        };
        assert!(!fetch_due(at(t0, 704), Some(t0), true, &failed_refresh));
        assert!(fetch_due(at(t0, 705), Some(t0), true, &failed_refresh));
    }

    #[test]
    fn a_clock_gone_backwards_makes_the_keys_stale_and_every_window_over() {
        let t0 = t0();
        let earlier = t0 - Duration::from_secs(1);
        let failed = FetchHistory {
            last_attempt: Some(t0),
            last_failure: Some(t0),
            last_error: Some("503".into()),
        };
        // Keys, attempt and failure all "in the future": none of them holds a fetch back.
        assert!(fetch_due(earlier, Some(t0), true, &failed));
        assert!(fetch_due(
            earlier,
            Some(t0),
            false,
            &FetchHistory::default()
        ));
        assert_eq!(elapsed(earlier, t0), Duration::MAX);
        assert_eq!(elapsed(at(t0, 3), t0), Duration::from_secs(3));
    }
}
