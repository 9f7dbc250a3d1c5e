//! The `get-roles` handler driven with API Gateway events against a real local key server: the
//! checks every function shares, with the roles and message this function answers, and its own.

use std::sync::Arc;
use std::time::Duration;

use descope_auth::{Config, HttpKeyFetcher, SessionValidator};
use lambda_http::http::StatusCode;
use serde_json::{Value, json};
use test_support::PROJECT_ID;
use test_support::handler_checks::{Function, validator_for};
use test_support::refused_tokens::session_for;
use test_support::{KeyServer, body_json, request, with_authorization};
use test_support::{ManualClock, TestKeys};

const GET_ROLES: Function = Function {
    name: "get-roles",
    handler: test_support::handler_checks::boxed_handler!(get_roles::get_roles),
    fixtures: [
        ("HTTP API v2", include_str!("fixtures/http-api-v2.json")),
        ("REST API v1", include_str!("fixtures/rest-api-v1.json")),
    ],
};

#[tokio::test]
async fn get_roles_gives_every_role_set_its_roles_and_the_secret_message_from_one_key_fetch() {
    let role_sets: [&[&str]; 4] = [&["teacher"], &["student"], &["teacher", "student"], &[]];
    let cases: Vec<(&[&str], Value)> = role_sets
        .into_iter()
        .map(|roles| {
            let body =
                json!({"secretMessage": "You are now a trained Descope user!", "roles": roles});
            (roles, body)
        })
        .collect();
    test_support::handler_checks::each_role_set_gets_its_body_from_one_key_fetch(
        &GET_ROLES, &cases,
    )
    .await;
}

#[tokio::test]
async fn get_roles_gives_every_refused_token_the_fixed_401_and_challenge() {
    test_support::handler_checks::every_refused_token_gets_the_fixed_401_and_challenge(&GET_ROLES)
        .await;
}

#[tokio::test]
async fn get_roles_gives_503_not_401_when_the_key_server_is_down() {
    test_support::handler_checks::a_key_server_that_is_down_gives_503_not_401(&GET_ROLES).await;
}

#[tokio::test]
async fn the_bearer_scheme_is_matched_case_insensitively_with_any_number_of_spaces() {
    let keys = TestKeys::generate();
    let key_server = KeyServer::start(PROJECT_ID, keys.jwks_json()).await;
    let validator = validator_for(&key_server.base_uri());
    let token = session_for(PROJECT_ID, keys.key(), &["student"]);
    for (format, fixture) in GET_ROLES.fixtures {
        for authorization in [format!("bearer {token}"), format!("BEARER   {token}")] {
            let response = GET_ROLES.call(&validator, fixture, &[&authorization]).await;
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
async fn duplicate_authorization_headers_joined_by_the_http_api_are_refused() {
    let keys = TestKeys::generate();
    let key_server = KeyServer::start(PROJECT_ID, keys.jwks_json()).await;
    let validator = validator_for(&key_server.base_uri());
    let token = format!(
        "Bearer {}",
        session_for(PROJECT_ID, keys.key(), &["teacher"])
    );

    let response = GET_ROLES
        .call(&validator, GET_ROLES.fixtures[0].1, &[&token, &token])
        .await;

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
    let token = format!(
        "Bearer {}",
        session_for(PROJECT_ID, keys.key(), &["teacher"])
    );
    let fixture = GET_ROLES.fixtures[0].1;

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
