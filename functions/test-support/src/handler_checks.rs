//! The handler checks every function shares: its handler driven with API Gateway events against
//! a real local key server. Every message names the function, since both crates run their handler
//! tests under the same test binary name.

use std::future::Future;
use std::pin::Pin;

use crate::TestKeys;
use crate::{KeyServer, body_json, request, unreachable_base_uri, with_authorization};
use descope_auth::{Config, SessionValidator};
use lambda_http::http::{StatusCode, header};
use lambda_http::{Body, Request, Response};
use serde_json::{Value, json};

use crate::PROJECT_ID;

use crate::refused_tokens::{refused_cases, session_for};

/// A function's handler, boxed so that both functions' handlers have one type.
pub type Handler = for<'a> fn(
    &'a SessionValidator,
    &'a Request,
) -> Pin<Box<dyn Future<Output = Response<Body>> + 'a>>;

/// A [`Handler`] calling `handler`, a function's `async fn(&SessionValidator, &Request)`.
#[macro_export]
macro_rules! boxed_handler {
    ($handler:path) => {{
        fn boxed<'a>(
            validator: &'a ::descope_auth::SessionValidator,
            request: &'a ::lambda_http::Request,
        ) -> ::std::pin::Pin<
            Box<
                dyn ::std::future::Future<Output = ::lambda_http::Response<::lambda_http::Body>>
                    + 'a,
            >,
        > {
            Box::pin($handler(validator, request))
        }
        boxed as $crate::handler_checks::Handler
    }};
}
pub use crate::boxed_handler;

/// What differs between the functions in these checks.
pub struct Function {
    /// The function's name, as the messages say it.
    pub name: &'static str,
    pub handler: Handler,
    /// (payload format, event) for each API Gateway payload format, from the function's fixtures.
    pub fixtures: [(&'static str, &'static str); 2],
}

impl Function {
    /// The handler's answer to `fixture` carrying these Authorization values.
    pub async fn call(
        &self,
        validator: &SessionValidator,
        fixture: &str,
        authorization: &[&str],
    ) -> Response<Body> {
        let event = with_authorization(fixture, authorization);
        (self.handler)(validator, &request(&event)).await
    }
}

pub fn validator_for(base_uri: &str) -> SessionValidator {
    let config = Config::new(PROJECT_ID, Some(base_uri)).expect("valid test config");
    SessionValidator::from_config(&config).expect("validator")
}

pub fn assert_json_headers(response: &Response<Body>, context: &str) {
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

/// Each (roles, whole expected 200 body) case, in every payload format, from one key fetch.
pub async fn each_role_set_gets_its_body_from_one_key_fetch(
    function: &Function,
    cases: &[(&[&str], Value)],
) {
    let keys = TestKeys::generate();
    let key_server = KeyServer::start(PROJECT_ID, keys.jwks_json()).await;
    let validator = validator_for(&key_server.base_uri());

    for (format, fixture) in function.fixtures {
        for (roles, expected) in cases {
            let token = session_for(PROJECT_ID, keys.key(), roles);
            let response = function
                .call(&validator, fixture, &[&format!("Bearer {token}")])
                .await;
            let context = format!("{}, {format}, roles {roles:?}", function.name);
            assert_eq!(response.status(), StatusCode::OK, "{context}");
            assert_eq!(body_json(&response), *expected, "{context}");
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
        "{}: one warm environment fetches the keys once",
        function.name
    );
}

pub async fn every_refused_token_gets_the_fixed_401_and_challenge(function: &Function) {
    let keys = TestKeys::generate();
    let key_server = KeyServer::start(PROJECT_ID, keys.jwks_json()).await;
    let validator = validator_for(&key_server.base_uri());

    for (format, fixture) in function.fixtures {
        for case in refused_cases(PROJECT_ID, keys.key()) {
            let authorization: Vec<&str> = case.authorization.iter().map(String::as_str).collect();
            let response = function.call(&validator, fixture, &authorization).await;
            let context = format!("{}, {format}: {}", function.name, case.name);
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

/// Keys that cannot be had, from a server that is not there or one answering 503: a 503, not 401.
pub async fn a_key_server_that_is_down_gives_503_not_401(function: &Function) {
    let keys = TestKeys::generate();
    let token = format!(
        "Bearer {}",
        session_for(PROJECT_ID, keys.key(), &["teacher"])
    );
    let answering_503 = KeyServer::start(PROJECT_ID, keys.jwks_json()).await;
    answering_503.set_available(false);

    for base_uri in [unreachable_base_uri().await, answering_503.base_uri()] {
        let validator = validator_for(&base_uri);
        for (format, fixture) in function.fixtures {
            let response = function.call(&validator, fixture, &[&token]).await;
            let context = format!("{}, {format}, keys at {base_uri}", function.name);
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
