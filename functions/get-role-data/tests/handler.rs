//! The handler driven with API Gateway events against a real local key server.

#[path = "../../lambda-test-support/shared/refused_tokens.rs"]
mod refused_tokens;

use descope_auth::test_support::TestKeys;
use descope_auth::{Config, SessionValidator};
use lambda_http::http::{StatusCode, header};
use lambda_http::{Body, Response};
use lambda_test_support::{
    KeyServer, body_json, request, unreachable_base_uri, with_authorization,
};
use refused_tokens::{refused_cases, session_for};
use serde_json::json;

const PROJECT_ID: &str = "P2LocalStandInProject";
const FIXTURES: [(&str, &str); 2] = [
    ("HTTP API v2", include_str!("fixtures/http-api-v2.json")),
    ("REST API v1", include_str!("fixtures/rest-api-v1.json")),
];

async fn call(
    validator: &SessionValidator,
    fixture: &str,
    authorization: &[&str],
) -> Response<Body> {
    let event = with_authorization(fixture, authorization);
    get_role_data::get_role_data(validator, &request(&event)).await
}

fn validator_for(base_uri: &str) -> SessionValidator {
    let config = Config::new(PROJECT_ID, Some(base_uri)).expect("valid test config");
    SessionValidator::from_config(&config).expect("validator")
}

fn assert_json_headers(response: &Response<Body>, context: &str) {
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/json",
        "{context}"
    );
    assert_eq!(
        response.headers()[header::CACHE_CONTROL],
        "no-store",
        "{context}"
    );
}

#[tokio::test]
async fn each_role_set_gets_its_dashboard_flags_from_one_key_fetch() {
    let keys = TestKeys::generate();
    let key_server = KeyServer::start(PROJECT_ID, keys.jwks_json()).await;
    let validator = validator_for(&key_server.base_uri());

    let cases: [(&[&str], bool, bool); 6] = [
        (&["teacher"], true, false),
        (&["student"], false, true),
        (&["teacher", "student"], true, true),
        (&[], false, false),
        // Exact role names only: no substring match as in the Python SDK.
        (&["preteacher", "students"], false, false),
        (&["admin", "student"], false, true),
    ];
    for (format, fixture) in FIXTURES {
        for (roles, teacher, student) in cases {
            let token = session_for(PROJECT_ID, keys.key(), roles);
            let response = call(&validator, fixture, &[&format!("Bearer {token}")]).await;
            let context = format!("{format}, roles {roles:?}");
            assert_eq!(response.status(), StatusCode::OK, "{context}");
            assert_eq!(
                body_json(&response),
                json!({"valid_teacher": teacher, "valid_student": student}),
                "{context}"
            );
            assert_json_headers(&response, &context);
        }
    }
    assert_eq!(
        key_server.hits(),
        1,
        "one warm environment fetches the keys once"
    );
}

#[tokio::test]
async fn every_refused_token_gets_the_fixed_401_and_challenge() {
    let keys = TestKeys::generate();
    let key_server = KeyServer::start(PROJECT_ID, keys.jwks_json()).await;
    let validator = validator_for(&key_server.base_uri());

    for (format, fixture) in FIXTURES {
        for case in refused_cases(PROJECT_ID, keys.key()) {
            let authorization: Vec<&str> = case.authorization.iter().map(String::as_str).collect();
            let response = call(&validator, fixture, &authorization).await;
            let context = format!("{format}: {}", case.name);
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{context}");
            assert_eq!(
                body_json(&response),
                json!({"error": "❌ invalid session token!"}),
                "{context}"
            );
            assert_eq!(
                response.headers()[header::WWW_AUTHENTICATE],
                r#"Bearer error="invalid_token""#,
                "{context}"
            );
            assert_json_headers(&response, &context);
        }
    }
}

#[tokio::test]
async fn a_key_server_that_is_down_gives_503_not_401() {
    let keys = TestKeys::generate();
    let token = format!(
        "Bearer {}",
        session_for(PROJECT_ID, keys.key(), &["teacher"])
    );
    let answering_503 = KeyServer::start(PROJECT_ID, keys.jwks_json()).await;
    answering_503.set_available(false);

    for base_uri in [unreachable_base_uri().await, answering_503.base_uri()] {
        let validator = validator_for(&base_uri);
        for (format, fixture) in FIXTURES {
            let response = call(&validator, fixture, &[&token]).await;
            let context = format!("{format}, keys at {base_uri}");
            assert_eq!(
                response.status(),
                StatusCode::SERVICE_UNAVAILABLE,
                "{context}"
            );
            assert_eq!(
                body_json(&response),
                json!({"error": "authentication service unavailable"}),
                "{context}"
            );
            assert!(
                response.headers().get(header::WWW_AUTHENTICATE).is_none(),
                "{context}"
            );
            assert_json_headers(&response, &context);
        }
    }
}
