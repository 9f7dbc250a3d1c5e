//! The key cache's rules under many invocations at once, through a function binary `serve` runs: one
//! environment with `AWS_LAMBDA_MAX_CONCURRENCY` = N (Lambda Managed Instances) against a Runtime
//! API that lets N invocations run at once, and the same with the variable unset (classic Lambda,
//! one at a time).

use std::collections::HashMap;
use std::time::Duration;

use descope_auth::FETCH_TIMEOUT;
use serde_json::{Value, json};
use test_support::{
    FunctionProcess, GatewayResponse, KeyServer, Outcome, PROJECT_ID, RuntimeApi, TestKey,
    TestKeys, WITHIN, session_claims,
};

use roles_echo::Concurrency;

mod roles_echo;

/// The invocations one burst sends: many times any concurrency tested.
const BURST: usize = 64;

struct Environment {
    runtime: RuntimeApi,
    key_server: KeyServer,
    process: FunctionProcess,
}

async fn start(keys: &TestKeys, concurrency: Concurrency) -> Environment {
    let key_server = KeyServer::start(PROJECT_ID, keys.jwks_json()).await;
    let (runtime, process) = roles_echo::start(&key_server, concurrency, Vec::new()).await;
    Environment {
        runtime,
        key_server,
        process,
    }
}

impl Environment {
    /// Queues one invocation per token; returns each request id with its token's index.
    fn invoke_all(&self, tokens: &[String]) -> HashMap<String, usize> {
        roles_echo::queue_all(&self.runtime, tokens)
    }

    /// Every answer to `requests`, in whatever order they came: (token index, status, body,
    /// time the invocation ran).
    async fn answers(
        &mut self,
        name: &str,
        mut requests: HashMap<String, usize>,
    ) -> Vec<(usize, u64, Value, Duration)> {
        let mut answers = Vec::with_capacity(requests.len());
        while !requests.is_empty() {
            match self.runtime.next_outcome(WITHIN).await {
                Some(Outcome::Response(answer)) => {
                    let index = requests
                        .remove(&answer.request_id)
                        .unwrap_or_else(|| panic!("{name}: an answer to no pending request"));
                    let GatewayResponse { status, body, .. } = answer.gateway_response();
                    let ran = answer.answered_at - answer.handed_out_at;
                    answers.push((index, status, body, ran));
                }
                other => panic!(
                    "{name}: expected {} more answers, got {other:?}:\n{}",
                    requests.len(),
                    self.process.output()
                ),
            }
        }
        answers
    }
}

/// A burst against a cold key cache and a slow key server: every answer right, one key fetch,
/// and as many invocations in flight at once as the environment allows.
async fn a_burst_against_a_cold_cache_costs_one_key_fetch(concurrency: Concurrency) {
    let name = roles_echo::described(concurrency);
    let keys = TestKeys::generate();
    let mut environment = start(&keys, concurrency).await;
    environment
        .key_server
        .set_answer_delay(Duration::from_millis(300));
    let tokens: Vec<String> = (0..BURST)
        .map(|i| {
            let role = if i % 2 == 0 { "teacher" } else { "student" };
            keys.key().session_token(PROJECT_ID, &[role])
        })
        .collect();

    let requests = environment.invoke_all(&tokens);
    let answers = environment.answers(&name, requests).await;

    for (index, status, body, _) in &answers {
        let expected = if index % 2 == 0 {
            &roles_echo::body(&["teacher"])
        } else {
            &roles_echo::body(&["student"])
        };
        assert_eq!(*status, 200, "{name}: invocation {index}: {body}");
        assert_eq!(body, expected, "{name}: invocation {index}");
    }
    assert_eq!(environment.key_server.hits(), 1, "{name}: key fetches");
    assert_eq!(
        environment.runtime.most_in_flight(),
        concurrency.unwrap_or(1),
        "{name}: invocations in flight at once"
    );
    environment.process.kill_and_collect().await;
}

/// Concurrent invocations with made-up kids right after a cold start: all refused, and no
/// refetch, since the cold start's fetch is less than 30 s old. The tokens were issued a minute
/// before the keys were fetched, so the keys are known to be newer: 401, not "retry".
async fn an_unknown_kid_flood_costs_no_extra_key_fetch(concurrency: Concurrency) {
    let name = roles_echo::described(concurrency);
    let keys = TestKeys::generate();
    let strangers: Vec<TestKey> = (0..4)
        .map(|i| TestKey::rsa(&format!("made-up-{i}")))
        .collect();
    let mut environment = start(&keys, concurrency).await;
    let tokens: Vec<String> = (0..BURST)
        .map(|i| match i % 8 {
            0 => keys.key().session_token(PROJECT_ID, &["teacher"]),
            n => {
                let mut claims = session_claims(PROJECT_ID, &["teacher"]);
                claims["iat"] = json!(claims["iat"].as_u64().expect("iat") - 60);
                strangers[n % strangers.len()].sign(&claims)
            }
        })
        .collect();

    let requests = environment.invoke_all(&tokens);
    let answers = environment.answers(&name, requests).await;

    for (index, status, body, _) in &answers {
        if index % 8 == 0 {
            assert_eq!(*status, 200, "{name}: the genuine token {index}: {body}");
        } else {
            assert_eq!(*status, 401, "{name}: made-up kid {index}: {body}");
            assert_eq!(
                body,
                &json!({"error": "❌ invalid session token!"}),
                "{name}"
            );
        }
    }
    assert_eq!(environment.key_server.hits(), 1, "{name}: key fetches");
    environment.process.kill_and_collect().await;
}

/// A key server that never answers: every invocation gets 503 within the fetch timeout (one
/// fetch, the others wait for it rather than start their own), then the function recovers
/// once the server answers again and the back-off is over.
async fn a_hanging_key_server_holds_no_invocation_past_the_fetch_timeout(concurrency: Concurrency) {
    let name = roles_echo::described(concurrency);
    let keys = TestKeys::generate();
    let mut environment = start(&keys, concurrency).await;
    environment
        .key_server
        .set_answer_delay(Duration::from_secs(3600));
    let tokens: Vec<String> = (0..16)
        .map(|_| keys.key().session_token(PROJECT_ID, &["teacher"]))
        .collect();

    let requests = environment.invoke_all(&tokens);
    let answers = environment.answers(&name, requests).await;

    // Slack for a busy machine; a second fetch in a row would take twice the timeout.
    let longest_allowed = FETCH_TIMEOUT + Duration::from_millis(1500);
    for (index, status, body, ran) in &answers {
        assert_eq!(*status, 503, "{name}: invocation {index}: {body}");
        assert_eq!(
            body,
            &json!({"error": "authentication service unavailable"}),
            "{name}"
        );
        assert!(
            *ran < longest_allowed,
            "{name}: invocation {index} ran {ran:?} against a hanging key server"
        );
    }
    assert_eq!(environment.key_server.hits(), 1, "{name}: key fetches");

    // Recovery: ask again until the back-off is over and a fresh fetch succeeds.
    environment.key_server.set_answer_delay(Duration::ZERO);
    let token = keys.key().session_token(PROJECT_ID, &["teacher"]);
    let deadline = tokio::time::Instant::now() + WITHIN;
    loop {
        let requests = environment.invoke_all(std::slice::from_ref(&token));
        let (_, status, body, _) = environment.answers(&name, requests).await.remove(0);
        if status == 200 {
            assert_eq!(body, roles_echo::body(&["teacher"]), "{name}");
            break;
        }
        assert_eq!(status, 503, "{name}: while backing off: {body}");
        assert!(
            tokio::time::Instant::now() < deadline,
            "{name}: no recovery within {WITHIN:?}"
        );
        // Polling pace while the 5 s back-off runs out; the loop ends on the first 200.
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(environment.key_server.hits(), 2, "{name}: key fetches");
    environment.process.kill_and_collect().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_against_a_cold_cache_costs_one_key_fetch_one_at_a_time() {
    a_burst_against_a_cold_cache_costs_one_key_fetch(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_against_a_cold_cache_costs_one_key_fetch_eight_at_once() {
    a_burst_against_a_cold_cache_costs_one_key_fetch(Some(8)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_kid_flood_costs_no_extra_key_fetch_one_at_a_time() {
    an_unknown_kid_flood_costs_no_extra_key_fetch(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_kid_flood_costs_no_extra_key_fetch_eight_at_once() {
    an_unknown_kid_flood_costs_no_extra_key_fetch(Some(8)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_key_server_holds_no_invocation_past_the_fetch_timeout_one_at_a_time() {
    a_hanging_key_server_holds_no_invocation_past_the_fetch_timeout(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_key_server_holds_no_invocation_past_the_fetch_timeout_eight_at_once() {
    a_hanging_key_server_holds_no_invocation_past_the_fetch_timeout(Some(8)).await;
}
