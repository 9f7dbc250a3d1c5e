//! The handler driven with API Gateway events against a real local key server.

#[path = "../../lambda-test-support/shared/refused_tokens.rs"]
mod refused_tokens;

use std::sync::Arc;
use std::time::Duration;

use descope_auth::test_support::{ManualClock, TestKeys};
use descope_auth::{Config, HttpKeyFetcher, SessionValidator};
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
    get_roles::get_roles(validator, &request(&event)).await
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
async fn every_role_set_gets_its_roles_and_the_secret_message_from_one_key_fetch() {
    let keys = TestKeys::generate();
    let key_server = KeyServer::start(PROJECT_ID, keys.jwks_json()).await;
    let validator = validator_for(&key_server.base_uri());

    let role_sets: [&[&str]; 4] = [&["teacher"], &["student"], &["teacher", "student"], &[]];
    for (format, fixture) in FIXTURES {
        for roles in role_sets {
            let token = session_for(PROJECT_ID, keys.key(), roles);
            let response = call(&validator, fixture, &[&format!("Bearer {token}")]).await;
            let context = format!("{format}, roles {roles:?}");
            assert_eq!(response.status(), StatusCode::OK, "{context}");
            assert_eq!(
                body_json(&response),
                json!({"secretMessage": "You are now a trained Descope user!", "roles": roles}),
                "{context}"
            );
            assert_json_headers(&response, &context);
            assert!(
                response.headers().get(header::WWW_AUTHENTICATE).is_none(),
                "{context}"
            );
        }
    }
    assert_eq!(
        key_server.hits(),
        1,
        "one warm environment fetches the keys once"
    );
}

#[tokio::test]
async fn the_bearer_scheme_is_matched_case_insensitively_with_any_number_of_spaces() {
    let keys = TestKeys::generate();
    let key_server = KeyServer::start(PROJECT_ID, keys.jwks_json()).await;
    let validator = validator_for(&key_server.base_uri());
    let token = session_for(PROJECT_ID, keys.key(), &["student"]);
    for (format, fixture) in FIXTURES {
        for authorization in [format!("bearer {token}"), format!("BEARER   {token}")] {
            let response = call(&validator, fixture, &[&authorization]).await;
            assert_eq!(response.status(), StatusCode::OK, "{format}");
            assert_eq!(
                body_json(&response)["roles"],
                json!(["student"]),
                "{format}"
            );
        }
    }
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
async fn duplicate_authorization_headers_joined_by_the_http_api_are_refused() {
    let keys = TestKeys::generate();
    let key_server = KeyServer::start(PROJECT_ID, keys.jwks_json()).await;
    let validator = validator_for(&key_server.base_uri());
    let token = format!(
        "Bearer {}",
        session_for(PROJECT_ID, keys.key(), &["teacher"])
    );

    let response = call(&validator, FIXTURES[0].1, &[&token, &token]).await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        body_json(&response),
        json!({"error": "❌ invalid session token!"})
    );
}

#[tokio::test]
async fn an_unreachable_key_server_gives_503_not_401() {
    let keys = TestKeys::generate();
    let validator = validator_for(&unreachable_base_uri().await);
    let token = session_for(PROJECT_ID, keys.key(), &["teacher"]);

    for (format, fixture) in FIXTURES {
        let response = call(&validator, fixture, &[&format!("Bearer {token}")]).await;
        assert_eq!(
            response.status(),
            StatusCode::SERVICE_UNAVAILABLE,
            "{format}"
        );
        assert_eq!(
            body_json(&response),
            json!({"error": "authentication service unavailable"}),
            "{format}"
        );
        assert!(
            response.headers().get(header::WWW_AUTHENTICATE).is_none(),
            "{format}"
        );
        assert_json_headers(&response, format);
    }
}

#[tokio::test]
async fn a_key_server_outage_gives_503_and_the_next_fetch_after_the_back_off_recovers() {
    let keys = TestKeys::generate();
    let key_server = KeyServer::start(PROJECT_ID, keys.jwks_json()).await;
    key_server.set_available(false);
    let clock = ManualClock::new();
    let config = Config::new(PROJECT_ID, Some(&key_server.base_uri())).expect("config");
    let fetcher = HttpKeyFetcher::new(config.jwks_url()).expect("fetcher");
    let validator = SessionValidator::new(PROJECT_ID, fetcher, Arc::clone(&clock));
    let token = format!(
        "Bearer {}",
        session_for(PROJECT_ID, keys.key(), &["teacher"])
    );
    let fixture = FIXTURES[0].1;

    let response = get_roles::get_roles(
        &validator,
        &request(&with_authorization(fixture, &[&token])),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        body_json(&response),
        json!({"error": "authentication service unavailable"})
    );
    assert_eq!(key_server.hits(), 1);

    key_server.set_available(true);
    clock.advance(Duration::from_secs(6));
    let response = get_roles::get_roles(
        &validator,
        &request(&with_authorization(fixture, &[&token])),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_json(&response)["roles"], json!(["teacher"]));
    assert_eq!(key_server.hits(), 2);
}
