//! The compiled `get-role-data` binary run as Lambda runs it: `main` hands this handler to
//! `api_startup::serve`. What `serve` does for every API function (the key cache, concurrency,
//! the log) is tested once, in `api-startup`'s tests.

use serde_json::json;
use test_support::{KeyServer, PROJECT_ID, TestKeys, answer_once};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_answers_a_student_with_the_student_flag_through_the_runtime_api() {
    let keys = TestKeys::generate();
    let key_server = KeyServer::start(PROJECT_ID, keys.jwks_json()).await;
    let binary = env!("CARGO_BIN_EXE_get-role-data");
    let event = include_str!("fixtures/rest-api-v1.json");

    let student = keys.key().session_token(PROJECT_ID, &["student"]);
    let answer = answer_once(binary, "get-role-data", &key_server, event, &student).await;

    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(
        answer.body,
        json!({"valid_teacher": false, "valid_student": true})
    );
}
