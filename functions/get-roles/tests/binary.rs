//! The compiled `get-roles` binary run as Lambda runs it, through the scenario every function
//! shares; this file states what `get-roles` answers.

#[path = "../../lambda-test-support/shared/binary_scenario.rs"]
mod binary_scenario;
#[path = "../../lambda-test-support/shared/refused_tokens.rs"]
#[allow(dead_code)] // only the session minting is needed here
mod refused_tokens;

use binary_scenario::Function;
use serde_json::json;

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
    binary_scenario::answers_through_the_runtime_api_with_one_key_fetch_and_logs_ids_never_tokens(
        &get_roles(),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_roles_fails_a_cold_start_without_the_project_id_and_names_the_variable() {
    binary_scenario::a_cold_start_without_the_project_id_fails_and_names_the_variable(&get_roles())
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_roles_logs_no_token_even_at_trace() {
    binary_scenario::logs_no_token_even_at_trace(&get_roles()).await;
}
