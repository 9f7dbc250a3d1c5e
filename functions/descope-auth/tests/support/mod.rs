//! Shared set-up for the integration tests: a real HTTP key server (wiremock) in front of a
//! validator that uses the production HTTP fetcher and a manual clock.

#![allow(dead_code)] // Each test file uses its own subset.

use std::sync::Arc;
use std::time::Duration;

use descope_auth::test_support::{ManualClock, TestKey, jwks_json, session_claims_at};
use descope_auth::{AuthError, HttpKeyFetcher, Session, SessionValidator, TokenRejection};
use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const PROJECT: &str = "P2LocalStandInProject";
pub const KEYS_PATH: &str = "/v2/keys/P2LocalStandInProject";
pub const T0: u64 = 1_800_000_000;

pub type Validator = SessionValidator<HttpKeyFetcher, Arc<ManualClock>>;

pub struct KeyServer {
    pub server: MockServer,
    pub clock: Arc<ManualClock>,
    pub validator: Arc<Validator>,
}

impl KeyServer {
    pub async fn start() -> KeyServer {
        let server = MockServer::start().await;
        let fetcher = HttpKeyFetcher::new(format!("{}{KEYS_PATH}", server.uri())).unwrap();
        let clock = ManualClock::starting_at(T0);
        let validator = Arc::new(SessionValidator::new(PROJECT, fetcher, Arc::clone(&clock)));
        KeyServer {
            server,
            clock,
            validator,
        }
    }

    /// Replaces whatever the key endpoint answered (and the request log) with `response`.
    pub async fn answer(&self, response: ResponseTemplate) {
        self.server.reset().await;
        Mock::given(method("GET"))
            .and(path(KEYS_PATH))
            .respond_with(response)
            .mount(&self.server)
            .await;
    }

    pub async fn serve_keys(&self, keys: &[&TestKey]) {
        self.answer(ResponseTemplate::new(200).set_body_string(jwks_json(keys.iter().copied())))
            .await;
    }

    /// Key-endpoint requests since the last `answer`.
    pub async fn fetches(&self) -> usize {
        self.server
            .received_requests()
            .await
            .expect("request recording is on")
            .len()
    }

    pub fn advance(&self, seconds: u64) {
        self.clock.advance(Duration::from_secs(seconds));
    }

    /// Descope-shaped claims valid at the clock's current time.
    pub fn claims(&self) -> Value {
        use descope_auth::Clock;
        session_claims_at(PROJECT, &["teacher"], self.clock.unix_now())
    }

    pub async fn validate(&self, token: &str) -> Result<Session, AuthError> {
        self.validator.validate_token(token).await
    }
}

pub fn rejection(outcome: Result<Session, AuthError>) -> TokenRejection {
    match outcome {
        Err(AuthError::InvalidToken(rejection)) => rejection,
        other => panic!("expected an invalid token, got {other:?}"),
    }
}

pub fn is_keys_unavailable(outcome: &Result<Session, AuthError>) -> bool {
    matches!(outcome, Err(AuthError::KeysUnavailable(_)))
}
