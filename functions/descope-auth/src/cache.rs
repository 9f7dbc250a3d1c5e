//! The key cache: one per validator, shared by every invocation of a warm Lambda environment.
//!
//! Policy (all times are wall-clock times from the injected clock; a clock that moved backwards
//! since a recorded time makes that time count as long past, so the keys are stale and any
//! window is over):
//! - the first fetch can start before any request ([`KeyCache::prefetch`], called during init);
//!   a request that finds it in flight waits for it;
//! - keys [`REFRESH_AHEAD_AGE`] old or more still answer a known `kid` at once, and one refresh
//!   starts in the background, which nobody waits for;
//! - keys [`MAX_KEY_AGE`] old or more are never trusted before a refresh has been attempted: the
//!   request waits for it, so a withdrawn key stops verifying;
//! - an unknown `kid` triggers a refetch only if the last attempt is [`UNKNOWN_KID_REFETCH`]
//!   old or more, so a flood of made-up kids costs at most one fetch per window;
//! - after a failed attempt no fetch for [`FAILURE_BACKOFF`]; the last good keys stay in use
//!   until [`MAX_STALE_KEY_AGE`] after their fetch, then they are dropped;
//! - one fetch at a time (single flight), run as a task of its own so that no caller's
//!   cancellation or departure stops it.
//!
//! A fetch still unfinished [`ABANDON_FETCH_AFTER`] after it started, by the wall clock, has
//! outlived its own timeout: the environment was frozen while it ran (classic Lambda freezes an
//! environment as soon as the response is sent, background fetch included), and its connection
//! is presumably dead. It is no longer waited for, and its outcome is ignored when it ends, so it
//! can neither hold a request nor count as the refresh attempt the 10-minute rule asks for.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use tokio::sync::watch;
use tracing::Instrument;

use crate::clock::Clock;
use crate::fetch::{FETCH_TIMEOUT, KeyFetcher};
use crate::jwks::{KeySet, VerifyKey, parse_key_set};

pub(crate) const REFRESH_AHEAD_AGE: Duration = Duration::from_secs(9 * 60);
pub(crate) const MAX_KEY_AGE: Duration = Duration::from_secs(10 * 60);
pub(crate) const MAX_STALE_KEY_AGE: Duration = Duration::from_secs(60 * 60);
pub(crate) const UNKNOWN_KID_REFETCH: Duration = Duration::from_secs(30);
pub(crate) const FAILURE_BACKOFF: Duration = Duration::from_secs(5);
/// The fetch's own timeout plus a second of slack: no fetch that ran unfrozen lasts this long.
pub(crate) const ABANDON_FETCH_AFTER: Duration =
    FETCH_TIMEOUT.saturating_add(Duration::from_secs(1));

struct Snapshot {
    keys: KeySet,
    /// When the fetch that brought these keys started: they are at least this fresh.
    fetched_at: SystemTime,
}

/// `None` while the fetch runs, then whether it brought keys.
type Done = watch::Receiver<Option<bool>>;

struct InFlight {
    id: u64,
    started_at: SystemTime,
    done: Done,
}

#[derive(Default)]
struct State {
    keys: Option<Arc<Snapshot>>,
    last_attempt: Option<SystemTime>,
    last_failure: Option<SystemTime>,
    last_error: Option<String>,
    in_flight: Option<InFlight>,
    attempts: u64,
}

/// Why a fetch ran; logged with its outcome.
#[derive(Clone, Copy, Debug)]
enum Trigger {
    Prefetch,
    NoKeys,
    RefreshAhead,
    Expired,
    UnknownKid,
}

impl Trigger {
    fn as_str(self) -> &'static str {
        match self {
            Trigger::Prefetch => "prefetch",
            Trigger::NoKeys => "no keys",
            Trigger::RefreshAhead => "refresh ahead",
            Trigger::Expired => "keys expired",
            Trigger::UnknownKid => "unknown kid",
        }
    }
}

/// What the cache knows about a `kid`.
pub(crate) enum Lookup {
    Found(Arc<VerifyKey>),
    /// Keys are held, but none with this kid.
    UnknownKid {
        keys_fetched_at: SystemTime,
        /// `None`: a refetch for this request came back without the kid. `Some`: no refetch
        /// could be made (the 30 s window or the back-off held it back, or it failed), and the
        /// next one is allowed in this long.
        refetch_in: Option<Duration>,
    },
    /// No usable keys held and none could be fetched; carries the last fetch failure and the
    /// time until the next fetch is allowed.
    Unavailable {
        reason: String,
        retry_in: Duration,
    },
}

struct Shared<F, C> {
    fetcher: F,
    clock: C,
    state: Mutex<State>,
}

pub(crate) struct KeyCache<F, C> {
    shared: Arc<Shared<F, C>>,
}

/// What a request does after one look at the cache.
enum Step {
    Answer(Lookup),
    Wait(Done),
}

/// The end of a key fetch started or joined by [`crate::SessionValidator::prefetch_keys`];
/// ready at once if none was needed. Dropping it does not stop the fetch.
pub struct KeyFetch(Pin<Box<dyn Future<Output = ()> + Send>>);

impl Future for KeyFetch {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.0.as_mut().poll(cx)
    }
}

impl<F: KeyFetcher, C: Clock> KeyCache<F, C> {
    pub(crate) fn new(fetcher: F, clock: C) -> Self {
        KeyCache {
            shared: Arc::new(Shared {
                fetcher,
                clock,
                state: Mutex::new(State::default()),
            }),
        }
    }

    pub(crate) fn clock(&self) -> &C {
        &self.shared.clock
    }

    /// Starts a fetch if the cache has no keys or they are due for a refresh (and no back-off
    /// holds fetches back); joins the fetch in flight if there is one.
    pub(crate) fn prefetch(&self) -> KeyFetch {
        let mut state = self.shared.lock();
        let now = self.shared.clock.now();
        forget_abandoned_fetch(&mut state, now);
        let done = if let Some(in_flight) = &state.in_flight {
            Some(in_flight.done.clone())
        } else {
            let due = state
                .keys
                .as_ref()
                .is_none_or(|snapshot| elapsed(now, snapshot.fetched_at) >= REFRESH_AHEAD_AGE);
            (due && backoff_left(&state, now).is_zero())
                .then(|| self.start(&mut state, now, Trigger::Prefetch))
        };
        KeyFetch(Box::pin(async move {
            if let Some(mut done) = done {
                // An error means the fetch task is gone: it is over either way.
                let _ = done.wait_for(Option::is_some).await;
            }
        }))
    }

    pub(crate) async fn key_for(&self, kid: &str) -> Lookup {
        // Warm path: fresh keys that know the kid; one short lock, no task, no network.
        let mut done = match self.first_look(kid) {
            Step::Answer(lookup) => return lookup,
            Step::Wait(done) => done,
        };
        // A fetch we waited for may have been abandoned and replaced meanwhile (the clock jumped
        // while it ran): then wait for its successor, a bounded number of times.
        for _ in 0..3 {
            let succeeded = done
                .wait_for(Option::is_some)
                .await
                .map(|outcome| *outcome == Some(true))
                .unwrap_or(false);
            match self.after_fetch(kid, succeeded) {
                Step::Answer(lookup) => return lookup,
                Step::Wait(next) => done = next,
            }
        }
        self.settle(kid, false)
    }

    fn first_look(&self, kid: &str) -> Step {
        let mut state = self.shared.lock();
        let now = self.shared.clock.now();
        forget_abandoned_fetch(&mut state, now);
        drop_expired_keys(&mut state, now);
        let backoff = backoff_left(&state, now);
        let Some(snapshot) = state.keys.clone() else {
            if let Some(in_flight) = &state.in_flight {
                return Step::Wait(in_flight.done.clone());
            }
            if !backoff.is_zero() {
                return Step::Answer(unavailable(&state, backoff));
            }
            return Step::Wait(self.start(&mut state, now, Trigger::NoKeys));
        };
        let age = elapsed(now, snapshot.fetched_at);
        if age >= MAX_KEY_AGE {
            if let Some(in_flight) = &state.in_flight {
                return Step::Wait(in_flight.done.clone());
            }
            if backoff.is_zero() {
                return Step::Wait(self.start(&mut state, now, Trigger::Expired));
            }
            // A refresh failed less than FAILURE_BACKOFF ago: the last good keys serve.
        }
        match snapshot.keys.get(kid) {
            Some(key) => {
                if age >= REFRESH_AHEAD_AGE && state.in_flight.is_none() && backoff.is_zero() {
                    // Nobody waits for it.
                    drop(self.start(&mut state, now, Trigger::RefreshAhead));
                }
                Step::Answer(Lookup::Found(Arc::clone(key)))
            }
            None => {
                if let Some(in_flight) = &state.in_flight {
                    return Step::Wait(in_flight.done.clone());
                }
                let refetch_in = refetch_left(&state, now);
                if refetch_in.is_zero() {
                    return Step::Wait(self.start(&mut state, now, Trigger::UnknownKid));
                }
                Step::Answer(Lookup::UnknownKid {
                    keys_fetched_at: snapshot.fetched_at,
                    refetch_in: Some(refetch_in),
                })
            }
        }
    }

    /// After waiting for a fetch: the answer from what it left, unless keys that must not be
    /// trusted untried are still all there is and another fetch is running.
    fn after_fetch(&self, kid: &str, succeeded: bool) -> Step {
        {
            let mut state = self.shared.lock();
            let now = self.shared.clock.now();
            forget_abandoned_fetch(&mut state, now);
            if let Some(in_flight) = &state.in_flight
                && !succeeded
                && state
                    .keys
                    .as_ref()
                    .is_none_or(|snapshot| elapsed(now, snapshot.fetched_at) >= MAX_KEY_AGE)
            {
                return Step::Wait(in_flight.done.clone());
            }
        }
        Step::Answer(self.settle(kid, succeeded))
    }

    fn settle(&self, kid: &str, succeeded: bool) -> Lookup {
        let mut state = self.shared.lock();
        let now = self.shared.clock.now();
        drop_expired_keys(&mut state, now);
        let Some(snapshot) = state.keys.clone() else {
            let retry_in = backoff_left(&state, now);
            return unavailable(&state, retry_in);
        };
        match snapshot.keys.get(kid) {
            Some(key) => Lookup::Found(Arc::clone(key)),
            None => Lookup::UnknownKid {
                keys_fetched_at: snapshot.fetched_at,
                refetch_in: (!succeeded).then(|| refetch_left(&state, now)),
            },
        }
    }

    /// Marks a fetch in flight and runs it as a task of its own.
    fn start(&self, state: &mut State, now: SystemTime, trigger: Trigger) -> Done {
        let (report, done) = watch::channel(None);
        state.attempts += 1;
        let id = state.attempts;
        state.last_attempt = Some(now);
        state.in_flight = Some(InFlight {
            id,
            started_at: now,
            done: done.clone(),
        });
        let shared = Arc::clone(&self.shared);
        let fetch = async move { shared.fetch(id, now, trigger, report).await }
            .instrument(tracing::Span::current());
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(fetch);
            }
            Err(_) => {
                // Validation always runs on Tokio in the functions; elsewhere, fail the fetch
                // (503, reason logged) rather than panic.
                let reason = "no Tokio runtime to fetch signing keys on".to_owned();
                tracing::warn!(%reason, trigger = trigger.as_str(), "signing key fetch failed; keeping the last good keys");
                state.in_flight = None;
                state.last_failure = Some(now);
                state.last_error = Some(reason);
                // Dropping the fetch drops its sender: whoever waits reads a failed fetch.
                drop(fetch);
            }
        }
        done
    }
}

impl<F: KeyFetcher, C: Clock> Shared<F, C> {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A poisoned lock only means a panic elsewhere between two plain assignments.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    async fn fetch(
        &self,
        id: u64,
        started_at: SystemTime,
        trigger: Trigger,
        report: watch::Sender<Option<bool>>,
    ) {
        let outcome = self.fetch_keys().await;
        let now = self.clock.now();
        let trigger = trigger.as_str();
        let mut state = self.lock();
        let current = state.in_flight.as_ref().is_some_and(|f| f.id == id);
        if current {
            state.in_flight = None;
        }
        if !current || elapsed(now, started_at) >= ABANDON_FETCH_AFTER {
            drop(state);
            tracing::info!(
                trigger,
                "signing key fetch outlived a freeze of the environment; its outcome is ignored"
            );
            report.send_replace(Some(false));
            return;
        }
        let succeeded = outcome.is_ok();
        match outcome {
            Ok(keys) => {
                let count = keys.len();
                state.keys = Some(Arc::new(Snapshot {
                    keys,
                    fetched_at: started_at,
                }));
                state.last_failure = None;
                state.last_error = None;
                drop(state);
                tracing::info!(keys = count, trigger, "signing keys fetched");
            }
            Err(reason) => {
                state.last_failure = Some(now);
                state.last_error = Some(reason.clone());
                drop(state);
                tracing::warn!(%reason, trigger, "signing key fetch failed; keeping the last good keys");
            }
        }
        report.send_replace(Some(succeeded));
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

fn unavailable(state: &State, retry_in: Duration) -> Lookup {
    Lookup::Unavailable {
        reason: state
            .last_error
            .clone()
            .unwrap_or_else(|| "no key fetch has succeeded yet".to_owned()),
        retry_in,
    }
}

/// A fetch that outlived a freeze is no longer waited for (see the module's documentation).
fn forget_abandoned_fetch(state: &mut State, now: SystemTime) {
    if state
        .in_flight
        .as_ref()
        .is_some_and(|in_flight| elapsed(now, in_flight.started_at) >= ABANDON_FETCH_AFTER)
    {
        state.in_flight = None;
        tracing::info!("signing key fetch outlived a freeze of the environment; starting afresh");
    }
}

/// Keys past [`MAX_STALE_KEY_AGE`] are dropped: a key Descope withdrew during a long outage must
/// not verify for as long as the outage lasts.
fn drop_expired_keys(state: &mut State, now: SystemTime) {
    if state
        .keys
        .as_ref()
        .is_some_and(|snapshot| elapsed(now, snapshot.fetched_at) >= MAX_STALE_KEY_AGE)
    {
        state.keys = None;
        tracing::warn!(
            "signing keys dropped: no fetch has succeeded for {} minutes",
            MAX_STALE_KEY_AGE.as_secs() / 60
        );
    }
}

/// Time until the back-off after a failed fetch is over; zero if it is.
fn backoff_left(state: &State, now: SystemTime) -> Duration {
    state.last_failure.map_or(Duration::ZERO, |failed| {
        FAILURE_BACKOFF.saturating_sub(elapsed(now, failed))
    })
}

/// Time until an unknown kid may trigger a refetch; zero if it may now.
fn refetch_left(state: &State, now: SystemTime) -> Duration {
    let window = state.last_attempt.map_or(Duration::ZERO, |attempt| {
        UNKNOWN_KID_REFETCH.saturating_sub(elapsed(now, attempt))
    });
    window.max(backoff_left(state, now))
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
    fn the_back_off_runs_five_seconds_from_the_failure() {
        let t0 = t0();
        let failed = State {
            last_attempt: Some(t0),
            last_failure: Some(at(t0, 3)),
            ..State::default()
        };
        assert_eq!(backoff_left(&failed, at(t0, 3)), Duration::from_secs(5));
        assert_eq!(backoff_left(&failed, at(t0, 7)), Duration::from_secs(1));
        assert_eq!(backoff_left(&failed, at(t0, 8)), Duration::ZERO);
        assert_eq!(backoff_left(&State::default(), t0), Duration::ZERO);
    }

    #[test]
    fn an_unknown_kid_may_refetch_thirty_seconds_after_the_last_attempt_and_after_the_back_off() {
        let t0 = t0();
        let fetched = State {
            last_attempt: Some(t0),
            ..State::default()
        };
        assert_eq!(refetch_left(&fetched, at(t0, 10)), Duration::from_secs(20));
        assert_eq!(refetch_left(&fetched, at(t0, 29)), Duration::from_secs(1));
        assert_eq!(refetch_left(&fetched, at(t0, 30)), Duration::ZERO);
        let failed_late = State {
            last_attempt: Some(t0),
            last_failure: Some(at(t0, 28)),
            ..State::default()
        };
        assert_eq!(
            refetch_left(&failed_late, at(t0, 30)),
            Duration::from_secs(3)
        );
    }

    #[test]
    fn a_clock_gone_backwards_ends_every_window_and_makes_every_age_the_longest() {
        let t0 = t0();
        let earlier = t0 - Duration::from_secs(1);
        let failed = State {
            last_attempt: Some(t0),
            last_failure: Some(t0),
            ..State::default()
        };
        assert_eq!(backoff_left(&failed, earlier), Duration::ZERO);
        assert_eq!(refetch_left(&failed, earlier), Duration::ZERO);
        assert_eq!(elapsed(earlier, t0), Duration::MAX);
        assert_eq!(elapsed(at(t0, 3), t0), Duration::from_secs(3));
    }

    #[test]
    fn the_windows_nest_as_the_policy_needs() {
        // Refresh ahead before keys expire, expire long before they are dropped, and no fetch
        // that ran unfrozen is ever taken for one that outlived a freeze.
        assert!(REFRESH_AHEAD_AGE < MAX_KEY_AGE);
        assert!(MAX_KEY_AGE < MAX_STALE_KEY_AGE);
        assert!(ABANDON_FETCH_AFTER > FETCH_TIMEOUT);
        assert!(ABANDON_FETCH_AFTER < MAX_KEY_AGE - REFRESH_AHEAD_AGE);
    }
}
