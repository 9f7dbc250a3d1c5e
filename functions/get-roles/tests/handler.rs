//! The `get-roles` handler driven with API Gateway events (this function's own fixtures) against
//! a real local key server. Every way a token can be refused is checked once, in `descope-auth`'s
//! tests; here, one refusal shows the handler answers it with the auth crate's 401, and one
//! outage with its 503 and the recovery after it.

use std::sync::Arc;
use std::time::Duration;

use descope_auth::{Config, HttpKeyFetcher, SessionValidator};
use get_roles::{SECRET_MESSAGE, get_roles};
use lambda_http::http::StatusCode;
use serde_json::json;
use test_support::{
    KeyServer, ManualClock, PROJECT_ID, TestKeys, bearer_request, body_json, request,
    with_authorization,
};

const HTTP_API_EVENT: &str = include_str!("fixtures/http-api-v2.json");
const REST_API_EVENT: &str = include_str!("fixtures/rest-api-v1.json");

#[tokio::test]
async fn every_role_set_gets_its_roles_and_the_secret_message_in_both_payload_formats() {
    let keys = TestKeys::generate();
    let key_server = KeyServer::start(PROJECT_ID, keys.jwks_json()).await;
    let validator = key_server.validator();
    let role_sets: [&[&str]; 4] = [&["teacher"], &["student"], &["teacher", "student"], &[]];

    for (event, roles) in [HTTP_API_EVENT, REST_API_EVENT]
        .into_iter()
        .flat_map(|event| role_sets.map(|roles| (event, roles)))
    {
        let token = keys.key().session_token(PROJECT_ID, roles);
        let response = get_roles(&validator, &bearer_request(event, &token)).await;
        let headers = response.headers();
        assert_eq!(
            (response.status(), body_json(&response)),
            (
                StatusCode::OK,
                json!({"secretMessage": SECRET_MESSAGE, "roles": roles})
            ),
        );
        assert_eq!(
            (&headers["content-type"], &headers["cache-control"]),
            (
                &"application/json".parse().unwrap(),
                &"no-store".parse().unwrap()
            )
        );
    }
    assert_eq!(key_server.hits(), 1, "one warm environment fetches once");
}

#[tokio::test]
async fn an_expired_session_gets_the_401_and_its_challenge() {
    let keys = TestKeys::generate();
    let key_server = KeyServer::start(PROJECT_ID, keys.jwks_json()).await;
    let mut claims = test_support::session_claims(PROJECT_ID, &["teacher"]);
    claims["iat"] = json!(claims["iat"].as_u64().unwrap() - 700);
    claims["exp"] = json!(claims["exp"].as_u64().unwrap() - 700);
    let expired = keys.key().sign(&claims);

    let response = get_roles(
        &key_server.validator(),
        &bearer_request(HTTP_API_EVENT, &expired),
    )
    .await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        body_json(&response),
        json!({"error": "❌ invalid session token!"})
    );
    assert_eq!(
        response.headers()["www-authenticate"],
        r#"Bearer error="invalid_token""#
    );
}

#[tokio::test]
async fn the_bearer_scheme_is_matched_case_insensitively_with_any_number_of_spaces() {
    let keys = TestKeys::generate();
    let key_server = KeyServer::start(PROJECT_ID, keys.jwks_json()).await;
    let validator = key_server.validator();
    let token = keys.key().session_token(PROJECT_ID, &["student"]);
    for event in [HTTP_API_EVENT, REST_API_EVENT] {
        for authorization in [format!("bearer {token}"), format!("BEARER   {token}")] {
            let request = request(&with_authorization(event, &[&authorization]));
            let response = get_roles(&validator, &request).await;
            assert_eq!(response.status(), StatusCode::OK);
            assert_eq!(body_json(&response)["roles"], json!(["student"]));
        }
    }
}

#[tokio::test]
async fn duplicate_authorization_headers_joined_by_the_http_api_are_refused() {
    let keys = TestKeys::generate();
    let key_server = KeyServer::start(PROJECT_ID, keys.jwks_json()).await;
    let token = format!(
        "Bearer {}",
        keys.key().session_token(PROJECT_ID, &["teacher"])
    );
    let request = request(&with_authorization(HTTP_API_EVENT, &[&token, &token]));

    let response = get_roles(&key_server.validator(), &request).await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        body_json(&response),
        json!({"error": "❌ invalid session token!"})
    );
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
    let token = keys.key().session_token(PROJECT_ID, &["teacher"]);

    let response = get_roles(&validator, &bearer_request(HTTP_API_EVENT, &token)).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        body_json(&response),
        json!({"error": "authentication service unavailable"})
    );
    assert!(response.headers().get("www-authenticate").is_none());
    assert_eq!(key_server.hits(), 1);

    key_server.set_available(true);
    clock.advance(Duration::from_secs(6));
    let response = get_roles(&validator, &bearer_request(HTTP_API_EVENT, &token)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_json(&response)["roles"], json!(["teacher"]));
    assert_eq!(key_server.hits(), 2);
}
