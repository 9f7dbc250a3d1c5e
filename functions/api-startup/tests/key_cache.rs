//! The key cache's timing rules through a function binary `serve` runs: the fetch during init, the
//! refresh ahead of expiry, the 10-minute rule across a frozen environment, the 60-minute cap on
//! stale keys and the "retry" answer for a kid newer than the keys. The binary reads the wall
//! clock as it always does; the test moves that clock from outside ([`ShiftedWallClock`]), and
//! freezes the process with SIGSTOP as Lambda freezes an environment. Each scenario runs one at a
//! time (classic Lambda) and with `AWS_LAMBDA_MAX_CONCURRENCY`.

use std::time::Duration;

use serde_json::{Value, json};

use test_support::{
    FunctionProcess, GatewayResponse, KeyAnswer, KeyServer, Outcome, PROJECT_ID, RuntimeApi,
    ShiftedWallClock, TestKey, WITHIN, jwks_json, session_claims_at,
};

use roles_echo::Concurrency;

mod roles_echo;

const KEYS_UNAVAILABLE: &str = "authentication service unavailable";
/// Long enough that a fetch given this answer is still waiting when the test is over.
const FOREVER: Duration = Duration::from_secs(3600);

struct Environment {
    name: String,
    clock: ShiftedWallClock,
    runtime: RuntimeApi,
    key_server: KeyServer,
    process: FunctionProcess,
}

/// One answer as the scenario reads it.
struct Reply {
    status: u64,
    retry_after: Option<u64>,
    body: Value,
}

async fn start(served: &[&TestKey], concurrency: Concurrency) -> Environment {
    start_with(served, concurrency, None).await
}

/// `key_delay`: the key server answers only after it, from the first fetch on.
async fn start_with(
    served: &[&TestKey],
    concurrency: Concurrency,
    key_delay: Option<Duration>,
) -> Environment {
    let name = roles_echo::described(concurrency);
    let clock = ShiftedWallClock::new();
    let key_server = KeyServer::start(PROJECT_ID, jwks_json(served.iter().copied())).await;
    if let Some(delay) = key_delay {
        key_server.set_answer_delay(delay);
    }
    let (runtime, process) = roles_echo::start(&key_server, concurrency, clock.env()).await;
    Environment {
        name,
        clock,
        runtime,
        key_server,
        process,
    }
}

impl Environment {
    /// A teacher's token from `key`, issued `issued_ago` before the function's current time.
    fn token(&self, key: &TestKey, issued_ago: u64) -> String {
        let now = self.clock.unix_now();
        let mut claims = session_claims_at(PROJECT_ID, &["teacher"], now);
        claims["iat"] = json!(now - issued_ago);
        key.sign(&claims)
    }

    /// Waits for the fetch the function starts during init, with no invocation queued.
    async fn keys_fetched_during_init(&mut self) {
        let name = &self.name;
        assert!(
            self.key_server.wait_for_hits(1, WITHIN).await,
            "{name}: no key fetch during init:\n{}",
            self.process.output()
        );
        assert!(
            self.process
                .wait_for_output(|out| out.contains("signing keys fetched"), WITHIN)
                .await,
            "{name}: the init fetch did not succeed:\n{}",
            self.process.output()
        );
    }

    /// Invokes the function once per token, all queued at once; the replies in token order.
    async fn invoke(&mut self, tokens: &[String]) -> Vec<Reply> {
        let mut pending = roles_echo::queue_all(&self.runtime, tokens);
        let mut replies: Vec<Option<Reply>> = tokens.iter().map(|_| None).collect();
        while !pending.is_empty() {
            match self.runtime.next_outcome(WITHIN).await {
                Some(Outcome::Response(answer)) => {
                    let index = pending
                        .remove(&answer.request_id)
                        .unwrap_or_else(|| panic!("{}: an answer to no request", self.name));
                    let GatewayResponse {
                        status,
                        headers,
                        body,
                    } = answer.gateway_response();
                    let retry_after = headers["retry-after"]
                        .as_str()
                        .map(|seconds| seconds.parse().expect("Retry-After in seconds"));
                    replies[index] = Some(Reply {
                        status,
                        retry_after,
                        body,
                    });
                }
                other => panic!(
                    "{}: expected {} more answers, got {other:?}:\n{}",
                    self.name,
                    pending.len(),
                    self.process.output()
                ),
            }
        }
        replies.into_iter().map(Option::unwrap).collect()
    }

    fn assert_all_teacher(&self, replies: &[Reply], when: &str) {
        for (index, reply) in replies.iter().enumerate() {
            assert_eq!(
                (reply.status, &reply.body),
                (200, &roles_echo::body(&["teacher"])),
                "{}: {when}: invocation {index}",
                self.name
            );
        }
    }

    fn assert_refused(&self, reply: &Reply, when: &str) {
        assert_eq!(
            (reply.status, &reply.body),
            (401, &json!({"error": "❌ invalid session token!"})),
            "{}: {when}",
            self.name
        );
    }

    /// 503 with the fixed body; returns its `Retry-After`.
    fn assert_retry_later(&self, reply: &Reply, when: &str) -> u64 {
        assert_eq!(
            (reply.status, &reply.body),
            (503, &json!({"error": KEYS_UNAVAILABLE})),
            "{}: {when}",
            self.name
        );
        reply
            .retry_after
            .unwrap_or_else(|| panic!("{}: {when}: a 503 without Retry-After", self.name))
    }

    /// Several at once where the environment takes several.
    fn batch(&self, concurrency: Concurrency) -> usize {
        concurrency.map_or(3, |n| n * 2)
    }
}

/// Init ends (the runtime polls for an event) while the key fetch it started still waits for
/// Descope: nothing waits for that fetch during init.
async fn init_does_not_wait_for_the_key_fetch(concurrency: Concurrency) {
    let key = TestKey::rsa("only");
    let env = start_with(&[&key], concurrency, Some(FOREVER)).await;
    let name = env.name.clone();
    assert!(
        env.runtime.wait_for_first_poll(WITHIN).await,
        "{name}: no first poll while the key fetch hangs:\n{}",
        env.process.output()
    );
    assert!(
        env.key_server.wait_for_hits(1, WITHIN).await,
        "{name}: no key fetch during init:\n{}",
        env.process.output()
    );
    assert_eq!(
        env.key_server.answered(),
        0,
        "{name}: the fetch was answered"
    );
    env.process.kill_and_collect().await;
}

/// Keys fetched during init, before any invocation; at 9 min 30 s known-kid invocations are
/// answered while the one background refresh hangs; the process is then frozen with that
/// refresh in flight while the wall clock moves to 10 min 30 s and Descope withdraws the key:
/// thawed, the function does not wait for the dead refresh, nor trust the withdrawn key.
async fn refreshes_ahead_and_keeps_the_ten_minute_rule_across_a_freeze(concurrency: Concurrency) {
    let withdrawn = TestKey::rsa("withdrawn");
    let successor = TestKey::rsa("successor");
    let mut env = start(&[&withdrawn], concurrency).await;
    let name = env.name.clone();
    env.keys_fetched_during_init().await;

    let tokens: Vec<String> = (0..env.batch(concurrency))
        .map(|_| env.token(&withdrawn, 0))
        .collect();
    let replies = env.invoke(&tokens).await;
    env.assert_all_teacher(&replies, "warm from the init fetch");
    assert_eq!(
        env.key_server.hits(),
        1,
        "{name}: the first invocations fetched"
    );

    // 9 min 30 s: the refresh ahead starts; Descope now answers only after an hour.
    env.key_server
        .answer(KeyAnswer::jwks(jwks_json([&successor])).delay(FOREVER));
    env.clock.set_ahead(Duration::from_secs(9 * 60 + 30));
    let tokens: Vec<String> = (0..env.batch(concurrency))
        .map(|_| env.token(&withdrawn, 0))
        .collect();
    let replies = env.invoke(&tokens).await;
    env.assert_all_teacher(&replies, "at 9 min 30 s, while the refresh hangs");
    assert!(
        env.key_server.wait_for_hits(1, WITHIN).await,
        "{name}: no refresh ahead at 9 min 30 s:\n{}",
        env.process.output()
    );
    let replies = env.invoke(&tokens).await;
    env.assert_all_teacher(&replies, "at 9 min 30 s, again");
    assert_eq!(
        env.key_server.hits(),
        1,
        "{name}: one background refresh for all of them"
    );

    // Frozen with the refresh in flight; thawed a minute later by the wall clock, with the key
    // withdrawn and Descope answering at once again.
    env.process.freeze();
    env.clock.set_ahead(Duration::from_secs(10 * 60 + 30));
    env.key_server
        .answer(KeyAnswer::jwks(jwks_json([&successor])));
    env.process.thaw();

    // Issued before the withdrawal: the keys fetched now are newer than it, so 401.
    let replies = env.invoke(&[env.token(&withdrawn, 60)]).await;
    env.assert_refused(&replies[0], "the withdrawn key at 10 min 30 s");
    assert_eq!(
        env.key_server.hits(),
        1,
        "{name}: one fresh fetch after the thaw"
    );
    let tokens: Vec<String> = (0..env.batch(concurrency))
        .map(|_| env.token(&successor, 0))
        .collect();
    let replies = env.invoke(&tokens).await;
    env.assert_all_teacher(&replies, "the successor key at 10 min 30 s");
    assert_eq!(env.key_server.hits(), 1, "{name}: no further fetch");
    env.process.kill_and_collect().await;
}

/// Descope down for an hour: the last good keys serve for 59 minutes, then are dropped; the
/// 503 says when to retry, and the function recovers once a fetch succeeds.
async fn failing_refreshes_keep_the_keys_for_an_hour_then_503(concurrency: Concurrency) {
    let key = TestKey::rsa("only");
    let mut env = start(&[&key], concurrency).await;
    let name = env.name.clone();
    env.keys_fetched_during_init().await;

    env.key_server.set_available(false);
    for minutes in [10, 30, 59] {
        env.clock.set_ahead(Duration::from_secs(minutes * 60));
        let tokens: Vec<String> = (0..env.batch(concurrency))
            .map(|_| env.token(&key, 0))
            .collect();
        let replies = env.invoke(&tokens).await;
        env.assert_all_teacher(&replies, &format!("{minutes} min into the outage"));
    }
    assert!(
        env.key_server.hits() >= 3,
        "{name}: every stale round tried a refresh"
    );

    env.clock.set_ahead(Duration::from_secs(61 * 60));
    let replies = env.invoke(&[env.token(&key, 0)]).await;
    let retry_after = env.assert_retry_later(&replies[0], "61 min into the outage");
    assert_eq!(retry_after, 5, "{name}: the back-off after a failed fetch");

    env.key_server.set_available(true);
    env.clock.set_ahead(Duration::from_secs(61 * 60 + 5));
    let replies = env.invoke(&[env.token(&key, 0)]).await;
    env.assert_all_teacher(&replies, "after the outage");
    env.process.kill_and_collect().await;
}

/// A kid the keys lack, in a token issued after they were fetched: 503 with the seconds until
/// the 30 s window ends, and no fetch; a token older than the keys: 401; made-up kids with a
/// current `iat`: never a 200, never a second fetch in the window; after it, the new key is
/// fetched once and accepted.
async fn a_kid_newer_than_the_keys_is_retried_not_refused(concurrency: Concurrency) {
    let current = TestKey::rsa("current");
    let rotated_in = TestKey::rsa("rotated-in");
    let mut env = start(&[&current], concurrency).await;
    let name = env.name.clone();
    env.keys_fetched_during_init().await;
    env.key_server
        .answer(KeyAnswer::jwks(jwks_json([&current, &rotated_in])));

    let replies = env.invoke(&[env.token(&rotated_in, 0)]).await;
    let retry_after = env.assert_retry_later(&replies[0], "a new kid inside the window");
    assert!(
        (1..=30).contains(&retry_after),
        "{name}: Retry-After {retry_after}"
    );
    let replies = env.invoke(&[env.token(&rotated_in, 60)]).await;
    env.assert_refused(&replies[0], "a kid the keys fetched after the token lack");

    let flood: Vec<String> = (0..4 * env.batch(concurrency))
        .map(|i| env.token(&current.with_kid(&format!("made-up-{i}")), 0))
        .collect();
    for reply in env.invoke(&flood).await {
        assert_ne!(reply.status, 200, "{name}: a made-up kid was accepted");
        env.assert_retry_later(&reply, "a made-up kid with a current iat");
    }
    assert_eq!(
        env.key_server.hits(),
        0,
        "{name}: no fetch inside the window"
    );

    env.clock.set_ahead(Duration::from_secs(31));
    let replies = env.invoke(&[env.token(&rotated_in, 0)]).await;
    env.assert_all_teacher(&replies, "the new kid after the window");
    for reply in env.invoke(&flood).await {
        assert!(
            reply.status == 401 || reply.status == 503,
            "{name}: a made-up kid got {}: {}",
            reply.status,
            reply.body
        );
    }
    assert_eq!(
        env.key_server.hits(),
        1,
        "{name}: one fetch for the new kid and the flood after it"
    );
    env.process.kill_and_collect().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_does_not_wait_for_the_key_fetch_one_at_a_time() {
    init_does_not_wait_for_the_key_fetch(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_does_not_wait_for_the_key_fetch_eight_at_once() {
    init_does_not_wait_for_the_key_fetch(Some(8)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refreshes_ahead_and_keeps_the_ten_minute_rule_across_a_freeze_one_at_a_time() {
    refreshes_ahead_and_keeps_the_ten_minute_rule_across_a_freeze(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refreshes_ahead_and_keeps_the_ten_minute_rule_across_a_freeze_eight_at_once() {
    refreshes_ahead_and_keeps_the_ten_minute_rule_across_a_freeze(Some(8)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_refreshes_keep_the_keys_for_an_hour_then_503_one_at_a_time() {
    failing_refreshes_keep_the_keys_for_an_hour_then_503(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_refreshes_keep_the_keys_for_an_hour_then_503_eight_at_once() {
    failing_refreshes_keep_the_keys_for_an_hour_then_503(Some(8)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kid_newer_than_the_keys_is_retried_not_refused_one_at_a_time() {
    a_kid_newer_than_the_keys_is_retried_not_refused(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kid_newer_than_the_keys_is_retried_not_refused_eight_at_once() {
    a_kid_newer_than_the_keys_is_retried_not_refused(Some(8)).await;
}
