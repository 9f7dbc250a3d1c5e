//! The real-binary scenario every function must pass: its compiled binary run as Lambda runs it,
//! under a (local) Lambda Runtime API, with the environment Lambda sets. Covers the wiring in
//! `main` and the cold-start configuration check. Every message names the function, since both
//! crates run these scenarios under the same names.

use std::path::Path;
use std::time::Duration;

use crate::TestKeys;
use crate::{FunctionProcess, KeyServer, RuntimeApi, lambda_environment, with_authorization};
use serde_json::{Value, json};

use crate::PROJECT_ID;

use crate::refused_tokens::session_for;

/// Guards against a hung process; every wait ends as soon as its event happens.
pub const WITHIN: Duration = Duration::from_secs(20);

/// What differs between the functions in this scenario.
pub struct Function {
    /// The function's name, as Lambda sets it and as the messages say it.
    pub name: &'static str,
    /// `env!("CARGO_BIN_EXE_…")` of the function's binary.
    pub binary: &'static str,
    /// The function's own API Gateway fixtures.
    pub http_api_event: &'static str,
    pub rest_api_event: &'static str,
    /// The whole 200 body for a session with roles ["teacher"], then ["student"].
    pub teacher_body: Value,
    pub student_body: Value,
}

pub fn function_env(
    function: &Function,
    runtime: &RuntimeApi,
    key_server: &KeyServer,
) -> Vec<(String, String)> {
    let mut env = lambda_environment(&runtime.address(), function.name);
    env.push(("DESCOPE_PROJECT_ID".into(), PROJECT_ID.into()));
    env.push(("DESCOPE_BASE_URI".into(), key_server.base_uri()));
    env
}

/// The API Gateway response the runtime posted: (status, headers, parsed body).
pub fn gateway_response(payload: &Value) -> (u64, &Value, Value) {
    let status = payload["statusCode"].as_u64().expect("statusCode");
    let body = payload["body"].as_str().expect("a text body");
    (
        status,
        &payload["headers"],
        serde_json::from_str(body).expect("JSON body"),
    )
}

/// A cold invocation, a warm one served from the cached keys, a refused token; then the logs:
/// JSON lines, the rejection at INFO under the request id, no token anywhere.
pub async fn answers_through_the_runtime_api_with_one_key_fetch_and_logs_ids_never_tokens(
    function: &Function,
) {
    let name = function.name;
    let keys = TestKeys::generate();
    let key_server = KeyServer::start(PROJECT_ID, keys.jwks_json()).await;
    let mut runtime = RuntimeApi::start().await;
    let teacher = session_for(PROJECT_ID, keys.key(), &["teacher"]);
    let student = session_for(PROJECT_ID, keys.key(), &["student"]);
    let refused = format!("{teacher}x");

    let first = runtime.invoke(with_authorization(
        function.http_api_event,
        &[&format!("Bearer {teacher}")],
    ));
    let mut process = FunctionProcess::spawn(
        function.binary,
        &function_env(function, &runtime, &key_server),
    );

    let answer = runtime.expect_response(&first, WITHIN).await;
    let payload = answer.body_json();
    let (status, headers, body) = gateway_response(&payload);
    assert_eq!(status, 200, "{name}: {payload}");
    assert_eq!(body, function.teacher_body, "{name}: teacher, cold");
    assert_eq!(headers["content-type"], "application/json", "{name}");
    assert_eq!(headers["cache-control"], "no-store", "{name}");

    // Warm: same process, a REST API event this time; the keys come from the cache.
    let second = runtime.invoke(with_authorization(
        function.rest_api_event,
        &[&format!("Bearer {student}")],
    ));
    let payload = runtime.expect_response(&second, WITHIN).await.body_json();
    let (status, _, body) = gateway_response(&payload);
    assert_eq!(status, 200, "{name}: {payload}");
    assert_eq!(body, function.student_body, "{name}: student, warm");

    let third = runtime.invoke(with_authorization(
        function.http_api_event,
        &[&format!("Bearer {refused}")],
    ));
    let payload = runtime.expect_response(&third, WITHIN).await.body_json();
    let (status, headers, body) = gateway_response(&payload);
    assert_eq!(status, 401, "{name}: {payload}");
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
    for token in [&teacher, &student, &refused] {
        let signature = token.rsplit('.').next().expect("signature segment");
        assert!(
            !output.contains(signature),
            "{name}: a token reached the log:\n{output}"
        );
    }
}

pub async fn a_cold_start_without_the_project_id_fails_and_names_the_variable(function: &Function) {
    let name = function.name;
    let keys = TestKeys::generate();
    let key_server = KeyServer::start(PROJECT_ID, keys.jwks_json()).await;
    let runtime = RuntimeApi::start().await;
    let env: Vec<_> = function_env(function, &runtime, &key_server)
        .into_iter()
        .filter(|(variable, _)| variable != "DESCOPE_PROJECT_ID")
        .collect();

    let mut process = FunctionProcess::spawn(function.binary, &env);
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
pub async fn logs_no_token_even_at_trace(function: &Function) {
    let name = function.name;
    for (variable, level) in [("AWS_LAMBDA_LOG_LEVEL", "TRACE"), ("RUST_LOG", "trace")] {
        let keys = TestKeys::generate();
        let key_server = KeyServer::start(PROJECT_ID, keys.jwks_json()).await;
        let mut runtime = RuntimeApi::start().await;
        let teacher = session_for(PROJECT_ID, keys.key(), &["teacher"]);
        let refused = format!("{teacher}x");
        let env: Vec<_> = function_env(function, &runtime, &key_server)
            .into_iter()
            .filter(|(name, _)| name != "AWS_LAMBDA_LOG_LEVEL")
            .chain([(variable.to_owned(), level.to_owned())])
            .collect();

        let accepted = runtime.invoke(with_authorization(
            function.http_api_event,
            &[&format!("Bearer {teacher}")],
        ));
        let rejected = runtime.invoke(with_authorization(
            function.rest_api_event,
            &[&format!("Bearer {refused}")],
        ));
        let process = FunctionProcess::spawn(function.binary, &env);
        let payload = runtime.expect_response(&accepted, WITHIN).await.body_json();
        assert_eq!(
            gateway_response(&payload).0,
            200,
            "{name} {variable}: {payload}"
        );
        let payload = runtime.expect_response(&rejected, WITHIN).await.body_json();
        assert_eq!(
            gateway_response(&payload).0,
            401,
            "{name} {variable}: {payload}"
        );
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
/// `<function>.key-fetch-failed.jsonl` and `<function>.key-fetch-succeeded.jsonl`.
/// scripts/check-log-patterns.sh holds the template's own patterns against them.
pub async fn writes_the_key_fetch_log_lines_the_alarms_count(
    function: &Function,
    samples_dir: &Path,
) {
    let name = function.name;
    std::fs::create_dir_all(samples_dir).expect("a directory for the log samples");
    let keys = TestKeys::generate();
    let key_server = KeyServer::start(PROJECT_ID, keys.jwks_json()).await;
    let teacher = session_for(PROJECT_ID, keys.key(), &["teacher"]);
    for (situation, available, status_wanted, line_wanted) in [
        ("key-fetch-failed", false, 503, "signing key fetch failed"),
        ("key-fetch-succeeded", true, 200, "signing keys fetched"),
    ] {
        key_server.set_available(available);
        let mut runtime = RuntimeApi::start().await;
        let invocation = runtime.invoke(with_authorization(
            function.http_api_event,
            &[&format!("Bearer {teacher}")],
        ));
        let mut process = FunctionProcess::spawn(
            function.binary,
            &function_env(function, &runtime, &key_server),
        );
        let payload = runtime
            .expect_response(&invocation, WITHIN)
            .await
            .body_json();
        let (status, _, _) = gateway_response(&payload);
        assert_eq!(status, status_wanted, "{name} {situation}: {payload}");
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
