//! The compiled `get-roles` binary run as Lambda runs it: `main` hands this handler to
//! `api_startup::serve`. What `serve` does for every API function (the key cache, concurrency,
//! the log) is tested once, in `api-startup`'s tests.

use get_roles::SECRET_MESSAGE;
use serde_json::json;
use test_support::{KeyServer, PROJECT_ID, TestKeys, answer_once};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_answers_a_teacher_with_the_secret_message_through_the_runtime_api() {
    let keys = TestKeys::generate();
    let key_server = KeyServer::start(PROJECT_ID, keys.jwks_json()).await;
    let teacher = keys.key().session_token(PROJECT_ID, &["teacher"]);

    let answer = answer_once(
        env!("CARGO_BIN_EXE_get-roles"),
        "get-roles",
        &key_server,
        include_str!("fixtures/http-api-v2.json"),
        &teacher,
    )
    .await;

    assert_eq!(
        (answer.status, answer.body),
        (
            200,
            json!({"secretMessage": SECRET_MESSAGE, "roles": ["teacher"]})
        ),
    );
    assert_eq!(answer.headers["content-type"], "application/json");
    assert_eq!(answer.headers["cache-control"], "no-store");
}
