//! The compiled `get-roles` binary run as Lambda runs it: under a (local) Lambda Runtime API, with
//! the environment Lambda sets. Covers the wiring in `main` and the cold-start configuration check.

#[path = "../../lambda-test-support/shared/refused_tokens.rs"]
#[allow(dead_code)] // only the session minting is needed here
mod refused_tokens;

use std::time::Duration;

use descope_auth::test_support::TestKeys;
use lambda_test_support::{
    FunctionProcess, KeyServer, RuntimeApi, lambda_environment, with_authorization,
};
use refused_tokens::session_for;
use serde_json::{Value, json};

const BINARY: &str = env!("CARGO_BIN_EXE_get-roles");
const PROJECT_ID: &str = "P2LocalStandInProject";
const HTTP_API_EVENT: &str = include_str!("fixtures/http-api-v2.json");
const REST_API_EVENT: &str = include_str!("fixtures/rest-api-v1.json");
/// Guards against a hung process; every wait ends as soon as its event happens.
const WITHIN: Duration = Duration::from_secs(20);

fn function_env(runtime: &RuntimeApi, key_server: &KeyServer) -> Vec<(String, String)> {
    let mut env = lambda_environment(&runtime.address(), "get-roles");
    env.push(("DESCOPE_PROJECT_ID".into(), PROJECT_ID.into()));
    env.push(("DESCOPE_BASE_URI".into(), key_server.base_uri()));
    env
}

/// The API Gateway response the runtime posted: (status, headers, parsed body).
fn gateway_response(payload: &Value) -> (u64, &Value, Value) {
    let status = payload["statusCode"].as_u64().expect("statusCode");
    let body = payload["body"].as_str().expect("a text body");
    (
        status,
        &payload["headers"],
        serde_json::from_str(body).expect("JSON body"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_through_the_runtime_api_with_one_key_fetch_and_logs_ids_never_tokens() {
    let keys = TestKeys::generate();
    let key_server = KeyServer::start(PROJECT_ID, keys.jwks_json()).await;
    let mut runtime = RuntimeApi::start().await;
    let teacher = session_for(PROJECT_ID, keys.key(), &["teacher"]);
    let student = session_for(PROJECT_ID, keys.key(), &["student"]);
    let refused = format!("{teacher}x");

    let first = runtime.invoke(with_authorization(
        HTTP_API_EVENT,
        &[&format!("Bearer {teacher}")],
    ));
    let mut process = FunctionProcess::spawn(BINARY, &function_env(&runtime, &key_server));

    let answer = runtime.expect_response(&first, WITHIN).await;
    let payload = answer.body_json();
    let (status, headers, body) = gateway_response(&payload);
    assert_eq!(status, 200, "{payload}");
    assert_eq!(
        body,
        json!({"secretMessage": "You are now a trained Descope user!", "roles": ["teacher"]})
    );
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(headers["cache-control"], "no-store");

    // Warm: same process, a REST API event this time; the keys come from the cache.
    let second = runtime.invoke(with_authorization(
        REST_API_EVENT,
        &[&format!("Bearer {student}")],
    ));
    let payload = runtime.expect_response(&second, WITHIN).await.body_json();
    let (status, _, body) = gateway_response(&payload);
    assert_eq!(status, 200, "{payload}");
    assert_eq!(body["roles"], json!(["student"]));

    let third = runtime.invoke(with_authorization(
        HTTP_API_EVENT,
        &[&format!("Bearer {refused}")],
    ));
    let payload = runtime.expect_response(&third, WITHIN).await.body_json();
    let (status, headers, body) = gateway_response(&payload);
    assert_eq!(status, 401, "{payload}");
    assert_eq!(body, json!({"error": "❌ invalid session token!"}));
    assert_eq!(
        headers["www-authenticate"],
        r#"Bearer error="invalid_token""#
    );

    assert_eq!(
        key_server.hits(),
        1,
        "the warm invocations reuse the cold start's keys"
    );

    // The rejection is logged with its reason, in the third invocation's span.
    assert!(
        process
            .wait_for_output(
                |out| out
                    .lines()
                    .any(|l| l.contains(&third) && l.contains("rejected")),
                WITHIN
            )
            .await,
        "no rejection log line for {third}:\n{}",
        process.output()
    );
    let output = process.kill_and_collect().await;
    let lines: Vec<Value> = output
        .lines()
        .map(|line| {
            serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not a JSON log line ({e}): {line}"))
        })
        .collect();
    let rejection = lines
        .iter()
        .find(|line| line.to_string().contains(&third))
        .expect("a line for the refused request");
    assert_eq!(rejection["level"], "INFO", "{rejection}");
    for token in [&teacher, &student, &refused] {
        let signature = token.rsplit('.').next().expect("signature segment");
        assert!(
            !output.contains(signature),
            "a token reached the log:\n{output}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cold_start_without_the_project_id_fails_and_names_the_variable() {
    let keys = TestKeys::generate();
    let key_server = KeyServer::start(PROJECT_ID, keys.jwks_json()).await;
    let runtime = RuntimeApi::start().await;
    let env: Vec<_> = function_env(&runtime, &key_server)
        .into_iter()
        .filter(|(name, _)| name != "DESCOPE_PROJECT_ID")
        .collect();

    let mut process = FunctionProcess::spawn(BINARY, &env);
    let status = process
        .wait_exit(WITHIN)
        .await
        .expect("the cold start ends by itself");

    assert!(!status.success(), "exit status {status}");
    let output = process.output();
    assert!(
        output.contains("DESCOPE_PROJECT_ID"),
        "output does not name the variable:\n{output}"
    );
    assert!(
        runtime.first_poll_at().is_none(),
        "a misconfigured function must not take invocations"
    );
    assert_eq!(key_server.hits(), 0);
}
