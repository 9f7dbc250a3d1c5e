//! The `get-role-data` handler driven with API Gateway events against a real local key server:
//! the checks every function shares, with the dashboard flags this function answers.

use serde_json::{Value, json};
use test_support::handler_checks::Function;

const GET_ROLE_DATA: Function = Function {
    name: "get-role-data",
    handler: test_support::handler_checks::boxed_handler!(get_role_data::get_role_data),
    fixtures: [
        ("HTTP API v2", include_str!("fixtures/http-api-v2.json")),
        ("REST API v1", include_str!("fixtures/rest-api-v1.json")),
    ],
};

fn flags(valid_teacher: bool, valid_student: bool) -> Value {
    json!({"valid_teacher": valid_teacher, "valid_student": valid_student})
}

#[tokio::test]
async fn get_role_data_gives_each_role_set_its_dashboard_flags_from_one_key_fetch() {
    let cases: [(&[&str], Value); 6] = [
        (&["teacher"], flags(true, false)),
        (&["student"], flags(false, true)),
        (&["teacher", "student"], flags(true, true)),
        (&[], flags(false, false)),
        // Exact role names only: no substring match as in the Python SDK.
        (&["preteacher", "students"], flags(false, false)),
        (&["admin", "student"], flags(false, true)),
    ];
    test_support::handler_checks::each_role_set_gets_its_body_from_one_key_fetch(
        &GET_ROLE_DATA,
        &cases,
    )
    .await;
}

#[tokio::test]
async fn get_role_data_gives_every_refused_token_the_fixed_401_and_challenge() {
    test_support::handler_checks::every_refused_token_gets_the_fixed_401_and_challenge(
        &GET_ROLE_DATA,
    )
    .await;
}

#[tokio::test]
async fn get_role_data_gives_503_not_401_when_the_key_server_is_down() {
    test_support::handler_checks::a_key_server_that_is_down_gives_503_not_401(&GET_ROLE_DATA).await;
}
