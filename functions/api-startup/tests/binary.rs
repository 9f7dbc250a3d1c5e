//! `serve` as Lambda runs it: a function binary (`roles-echo`) under a local Lambda Runtime API,
//! with the environment Lambda sets. Covers the request span, the log (JSON lines, never a
//! token, not even at TRACE), the cold-start configuration check, and the log lines the stack's
//! alarms count.

use std::path::Path;

use serde_json::{Value, json};
use test_support::{
    FunctionProcess, GatewayResponse, KeyServer, PROJECT_ID, RuntimeApi, TestKeys, WITHIN,
    with_authorization,
};

mod roles_echo;

/// A cold invocation, a warm one served from the cached keys, a refused token; then the logs:
/// JSON lines, the rejection at INFO in the request's span (the function's name, the request id),
/// no token anywhere.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_through_the_runtime_api_with_one_key_fetch_and_logs_ids_never_tokens() {
    let name = roles_echo::NAME;
    let keys = TestKeys::generate();
    let key_server = KeyServer::start(PROJECT_ID, keys.jwks_json()).await;
    let mut runtime = RuntimeApi::start().await;
    let teacher = keys.key().session_token(PROJECT_ID, &["teacher"]);
    let student = keys.key().session_token(PROJECT_ID, &["student"]);
    let refused = format!("{teacher}x");

    let first = runtime.invoke(with_authorization(
        roles_echo::HTTP_API_EVENT,
        &[&format!("Bearer {teacher}")],
    ));
    let mut process = FunctionProcess::spawn(
        roles_echo::BINARY,
        &roles_echo::environment(&runtime, &key_server),
    );

    let answer = runtime.expect_response(&first, WITHIN).await;
    let GatewayResponse {
        status,
        headers,
        body,
    } = answer.gateway_response();
    assert_eq!(status, 200, "{name}: {body}");
    assert_eq!(
        body,
        roles_echo::body(&["teacher"]),
        "{name}: teacher, cold"
    );
    assert_eq!(headers["content-type"], "application/json", "{name}");
    assert_eq!(headers["cache-control"], "no-store", "{name}");

    // Warm: same process, a REST API event this time; the keys come from the cache.
    let second = runtime.invoke(with_authorization(
        roles_echo::REST_API_EVENT,
        &[&format!("Bearer {student}")],
    ));
    let GatewayResponse { status, body, .. } = runtime
        .expect_response(&second, WITHIN)
        .await
        .gateway_response();
    assert_eq!(status, 200, "{name}: {body}");
    assert_eq!(
        body,
        roles_echo::body(&["student"]),
        "{name}: student, warm"
    );

    let third = runtime.invoke(with_authorization(
        roles_echo::HTTP_API_EVENT,
        &[&format!("Bearer {refused}")],
    ));
    let GatewayResponse {
        status,
        headers,
        body,
    } = runtime
        .expect_response(&third, WITHIN)
        .await
        .gateway_response();
    assert_eq!(status, 401, "{name}: {body}");
    assert_eq!(
        body,
        json!({"error": "❌ invalid session token!"}),
        "{name}"
    );
    assert_eq!(
        headers["www-authenticate"], r#"Bearer error="invalid_token""#,
        "{name}"
    );

    assert_eq!(
        key_server.hits(),
        1,
        "{name}: the warm invocations reuse the cold start's keys"
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
        "{name}: no rejection log line for {third}:\n{}",
        process.output()
    );
    let output = process.kill_and_collect().await;
    let lines: Vec<Value> = output
        .lines()
        .map(|line| {
            serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{name}: not a JSON log line ({e}): {line}"))
        })
        .collect();
    let rejection = lines
        .iter()
        .find(|line| line.to_string().contains(&third))
        .unwrap_or_else(|| panic!("{name}: no log line for the refused request:\n{output}"));
    assert_eq!(rejection["level"], "INFO", "{name}: {rejection}");
    assert_eq!(
        rejection["span"],
        json!({"name": "request", "function": name, "requestId": third}),
        "{name}: the request's span, its status not yet known when the rejection is logged"
    );
    for token in [&teacher, &student, &refused] {
        let signature = token.rsplit('.').next().expect("signature segment");
        assert!(
            !output.contains(signature),
            "{name}: a token reached the log:\n{output}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cold_start_without_the_project_id_fails_and_names_the_variable() {
    let name = roles_echo::NAME;
    let keys = TestKeys::generate();
    let key_server = KeyServer::start(PROJECT_ID, keys.jwks_json()).await;
    let runtime = RuntimeApi::start().await;
    let env: Vec<_> = roles_echo::environment(&runtime, &key_server)
        .into_iter()
        .filter(|(variable, _)| variable != "DESCOPE_PROJECT_ID")
        .collect();

    let mut process = FunctionProcess::spawn(roles_echo::BINARY, &env);
    let status = process
        .wait_exit(WITHIN)
        .await
        .unwrap_or_else(|| panic!("{name}: the cold start did not end by itself"));

    assert!(!status.success(), "{name}: exit status {status}");
    let output = process.output();
    assert!(
        output.contains("DESCOPE_PROJECT_ID"),
        "{name}: output does not name the variable:\n{output}"
    );
    assert!(
        runtime.first_poll_at().is_none(),
        "{name}: a misconfigured function must not take invocations"
    );
    assert_eq!(key_server.hits(), 0, "{name}");
}

/// At TRACE, asked for either way Lambda and Rust let you (`AWS_LAMBDA_LOG_LEVEL`, then
/// `RUST_LOG` with no Lambda level), the log grows but never holds the token: the runtime logs
/// each raw event at TRACE, `Authorization` header included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_no_token_even_at_trace() {
    let name = roles_echo::NAME;
    for (variable, level) in [("AWS_LAMBDA_LOG_LEVEL", "TRACE"), ("RUST_LOG", "trace")] {
        let keys = TestKeys::generate();
        let key_server = KeyServer::start(PROJECT_ID, keys.jwks_json()).await;
        let mut runtime = RuntimeApi::start().await;
        let teacher = keys.key().session_token(PROJECT_ID, &["teacher"]);
        let refused = format!("{teacher}x");
        let env: Vec<_> = roles_echo::environment(&runtime, &key_server)
            .into_iter()
            .filter(|(name, _)| name != "AWS_LAMBDA_LOG_LEVEL")
            .chain([(variable.to_owned(), level.to_owned())])
            .collect();

        let accepted = runtime.invoke(with_authorization(
            roles_echo::HTTP_API_EVENT,
            &[&format!("Bearer {teacher}")],
        ));
        let rejected = runtime.invoke(with_authorization(
            roles_echo::REST_API_EVENT,
            &[&format!("Bearer {refused}")],
        ));
        let process = FunctionProcess::spawn(roles_echo::BINARY, &env);
        let answer = runtime
            .expect_response(&accepted, WITHIN)
            .await
            .gateway_response();
        assert_eq!(answer.status, 200, "{name} {variable}: {answer:?}");
        let answer = runtime
            .expect_response(&rejected, WITHIN)
            .await
            .gateway_response();
        assert_eq!(answer.status, 401, "{name} {variable}: {answer:?}");
        let output = process.kill_and_collect().await;

        assert!(
            output
                .lines()
                .any(|line| line.contains(r#""level":"TRACE""#)),
            "{name} {variable}={level}: TRACE lines are logged:\n{output}"
        );
        for segment in teacher.split('.') {
            assert!(
                !output.contains(segment),
                "{name} {variable}={level}: a token segment reached the log:\n{output}"
            );
        }
        assert!(
            !output.to_ascii_lowercase().contains("bearer "),
            "{name} {variable}={level}: an Authorization header reached the log:\n{output}"
        );
    }
}

/// The lines the stack's metric filters count (template.yaml): the whole log of a cold start
/// while the key endpoint fails, then of one while it answers, saved in `samples_dir` as
/// `roles-echo.key-fetch-failed.jsonl` and `roles-echo.key-fetch-succeeded.jsonl` under
/// Cargo's directory for integration tests' files. The lines come from `serve` and the key cache,
/// the same in every API function; scripts/check-log-patterns.sh holds the template's own patterns
/// against them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_the_key_fetch_log_lines_the_alarms_count() {
    let name = roles_echo::NAME;
    let samples_dir = &Path::new(env!("CARGO_TARGET_TMPDIR")).join("log-samples");
    std::fs::create_dir_all(samples_dir).expect("a directory for the log samples");
    let keys = TestKeys::generate();
    let key_server = KeyServer::start(PROJECT_ID, keys.jwks_json()).await;
    let teacher = keys.key().session_token(PROJECT_ID, &["teacher"]);
    for (situation, available, status_wanted, line_wanted) in [
        ("key-fetch-failed", false, 503, "signing key fetch failed"),
        ("key-fetch-succeeded", true, 200, "signing keys fetched"),
    ] {
        key_server.set_available(available);
        let mut runtime = RuntimeApi::start().await;
        let invocation = runtime.invoke(with_authorization(
            roles_echo::HTTP_API_EVENT,
            &[&format!("Bearer {teacher}")],
        ));
        let mut process = FunctionProcess::spawn(
            roles_echo::BINARY,
            &roles_echo::environment(&runtime, &key_server),
        );
        let answer = runtime
            .expect_response(&invocation, WITHIN)
            .await
            .gateway_response();
        assert_eq!(
            answer.status, status_wanted,
            "{name} {situation}: {answer:?}"
        );
        assert!(
            process
                .wait_for_output(|out| out.contains(line_wanted), WITHIN)
                .await,
            "{name} {situation}: no \"{line_wanted}\" line:\n{}",
            process.output()
        );
        let output = process.kill_and_collect().await;
        let sample = samples_dir.join(format!("{name}.{situation}.jsonl"));
        std::fs::write(&sample, output).expect("the log sample written");
    }
}
