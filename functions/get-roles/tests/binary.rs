//! The compiled `get-roles` binary run as Lambda runs it, through the scenario every function
//! shares; this file states what `get-roles` answers.

use serde_json::json;
use test_support::binary_scenario::Function;

fn get_roles() -> Function {
    Function {
        name: "get-roles",
        binary: env!("CARGO_BIN_EXE_get-roles"),
        http_api_event: include_str!("fixtures/http-api-v2.json"),
        rest_api_event: include_str!("fixtures/rest-api-v1.json"),
        teacher_body: json!({"secretMessage": "You are now a trained Descope user!", "roles": ["teacher"]}),
        student_body: json!({"secretMessage": "You are now a trained Descope user!", "roles": ["student"]}),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_roles_answers_through_the_runtime_api_with_one_key_fetch_and_logs_ids_never_tokens() {
    test_support::binary_scenario::answers_through_the_runtime_api_with_one_key_fetch_and_logs_ids_never_tokens(
        &get_roles(),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_roles_fails_a_cold_start_without_the_project_id_and_names_the_variable() {
    test_support::binary_scenario::a_cold_start_without_the_project_id_fails_and_names_the_variable(&get_roles())
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_roles_logs_no_token_even_at_trace() {
    test_support::binary_scenario::logs_no_token_even_at_trace(&get_roles()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_roles_burst_against_a_cold_cache_costs_one_key_fetch_with_eight_at_once() {
    test_support::concurrency_scenario::a_burst_against_a_cold_cache_costs_one_key_fetch(
        &get_roles(),
        Some(8),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_roles_burst_against_a_cold_cache_costs_one_key_fetch_one_at_a_time() {
    test_support::concurrency_scenario::a_burst_against_a_cold_cache_costs_one_key_fetch(
        &get_roles(),
        None,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_roles_unknown_kid_flood_costs_no_extra_key_fetch_with_eight_at_once() {
    test_support::concurrency_scenario::an_unknown_kid_flood_costs_no_extra_key_fetch(
        &get_roles(),
        Some(8),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_roles_unknown_kid_flood_costs_no_extra_key_fetch_one_at_a_time() {
    test_support::concurrency_scenario::an_unknown_kid_flood_costs_no_extra_key_fetch(
        &get_roles(),
        None,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_roles_hanging_key_server_holds_no_invocation_past_the_fetch_timeout_with_eight_at_once()
 {
    test_support::concurrency_scenario::a_hanging_key_server_holds_no_invocation_past_the_fetch_timeout(
        &get_roles(),
        Some(8),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_roles_hanging_key_server_holds_no_invocation_past_the_fetch_timeout_one_at_a_time() {
    test_support::concurrency_scenario::a_hanging_key_server_holds_no_invocation_past_the_fetch_timeout(
        &get_roles(),
        None,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_roles_refreshes_ahead_and_keeps_the_ten_minute_rule_across_a_freeze_one_at_a_time() {
    test_support::key_cache_scenario::refreshes_ahead_and_keeps_the_ten_minute_rule_across_a_freeze(&get_roles(), None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_roles_refreshes_ahead_and_keeps_the_ten_minute_rule_across_a_freeze_with_eight_at_once()
 {
    test_support::key_cache_scenario::refreshes_ahead_and_keeps_the_ten_minute_rule_across_a_freeze(&get_roles(), Some(8)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_roles_failing_refreshes_keep_the_keys_for_an_hour_then_503_one_at_a_time() {
    test_support::key_cache_scenario::failing_refreshes_keep_the_keys_for_an_hour_then_503(
        &get_roles(),
        None,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_roles_failing_refreshes_keep_the_keys_for_an_hour_then_503_with_eight_at_once() {
    test_support::key_cache_scenario::failing_refreshes_keep_the_keys_for_an_hour_then_503(
        &get_roles(),
        Some(8),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_roles_a_kid_newer_than_the_keys_is_retried_not_refused_one_at_a_time() {
    test_support::key_cache_scenario::a_kid_newer_than_the_keys_is_retried_not_refused(
        &get_roles(),
        None,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_roles_a_kid_newer_than_the_keys_is_retried_not_refused_with_eight_at_once() {
    test_support::key_cache_scenario::a_kid_newer_than_the_keys_is_retried_not_refused(
        &get_roles(),
        Some(8),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_roles_init_does_not_wait_for_the_key_fetch_one_at_a_time() {
    test_support::key_cache_scenario::init_does_not_wait_for_the_key_fetch(&get_roles(), None)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_roles_init_does_not_wait_for_the_key_fetch_with_eight_at_once() {
    test_support::key_cache_scenario::init_does_not_wait_for_the_key_fetch(&get_roles(), Some(8))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_roles_writes_the_key_fetch_log_lines_the_alarms_count() {
    let samples = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("log-samples");
    test_support::binary_scenario::writes_the_key_fetch_log_lines_the_alarms_count(
        &get_roles(),
        &samples,
    )
    .await;
}
