//! The `get-role-data` handler driven with API Gateway events (this function's own fixtures)
//! against a real local key server. Every way a token can be refused is checked once, in
//! `descope-auth`'s tests; here, one refusal shows the handler answers it with the auth crate's
//! 401, and one outage with its 503.

use descope_auth::{INVALID_TOKEN_MESSAGE, KEYS_UNAVAILABLE_MESSAGE};
use get_role_data::get_role_data;
use lambda_http::http::header::WWW_AUTHENTICATE;
use lambda_http::http::{HeaderValue, StatusCode};
use serde_json::{Value, json};
use test_support::{
    KeyServer, PROJECT_ID, TestKeys, bearer_request, body_json, deployed_validator,
    unreachable_base_uri,
};

const HTTP_API_EVENT: &str = include_str!("fixtures/http-api-v2.json");
const REST_API_EVENT: &str = include_str!("fixtures/rest-api-v1.json");

fn flags(valid_teacher: bool, valid_student: bool) -> Value {
    json!({"valid_teacher": valid_teacher, "valid_student": valid_student})
}

#[tokio::test]
async fn each_role_set_gets_its_dashboard_flags_in_both_payload_formats_from_one_key_fetch() {
    let role_sets: [(&[&str], Value); 6] = [
        (&["teacher"], flags(true, false)),
        (&["student"], flags(false, true)),
        (&["teacher", "student"], flags(true, true)),
        (&[], flags(false, false)),
        // Exact role names only: no substring match as in the Python SDK.
        (&["preteacher", "students"], flags(false, false)),
        (&["admin", "student"], flags(false, true)),
    ];
    let keys = TestKeys::generate();
    let key_server = KeyServer::start(PROJECT_ID, keys.jwks_json()).await;
    let validator = key_server.validator();

    for event in [HTTP_API_EVENT, REST_API_EVENT] {
        for (roles, flags) in &role_sets {
            let token = keys.key().session_token(PROJECT_ID, roles);
            let response = get_role_data(&validator, &bearer_request(event, &token)).await;
            assert_eq!(response.status(), StatusCode::OK, "{roles:?}");
            assert_eq!(body_json(&response), *flags, "{roles:?}");
            assert_eq!(response.headers()["content-type"], "application/json");
            assert_eq!(response.headers()["cache-control"], "no-store");
        }
    }
    assert_eq!(key_server.hits(), 1, "one warm environment fetches once");
}

#[tokio::test]
async fn a_student_token_claiming_the_teacher_role_gets_the_401_and_no_flags() {
    let keys = TestKeys::generate();
    let key_server = KeyServer::start(PROJECT_ID, keys.jwks_json()).await;
    let student = keys.key().session_token(PROJECT_ID, &["student"]);
    let teacher = keys.key().session_token(PROJECT_ID, &["teacher"]);
    // The student's header and signature around the teacher's claims.
    let [header, _, signature] = student.split('.').collect::<Vec<_>>()[..] else {
        panic!("a JWS has three segments");
    };
    let forged = format!(
        "{header}.{}.{signature}",
        teacher.split('.').nth(1).unwrap()
    );

    let response = get_role_data(
        &key_server.validator(),
        &bearer_request(REST_API_EVENT, &forged),
    )
    .await;

    let challenge = response.headers().get(WWW_AUTHENTICATE);
    assert_eq!(
        (response.status(), body_json(&response), challenge),
        (
            StatusCode::UNAUTHORIZED,
            json!({"error": INVALID_TOKEN_MESSAGE}),
            Some(&HeaderValue::from_static(r#"Bearer error="invalid_token""#))
        )
    );
}

#[tokio::test]
async fn keys_that_cannot_be_fetched_give_503_not_401() {
    let keys = TestKeys::generate();
    let validator = deployed_validator(&unreachable_base_uri().await);
    let token = keys.key().session_token(PROJECT_ID, &["teacher"]);

    let response = get_role_data(&validator, &bearer_request(HTTP_API_EVENT, &token)).await;

    let challenge = response.headers().get(WWW_AUTHENTICATE);
    assert_eq!(
        (response.status(), body_json(&response), challenge),
        (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"error": KEYS_UNAVAILABLE_MESSAGE}),
            None
        )
    );
}
