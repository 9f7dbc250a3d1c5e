//! A validator as deployed (the production HTTP fetcher) against the local key server, on a
//! manual clock: for the key cache's rules over real HTTP. Each test file uses its own part.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use descope_auth::{AuthError, Clock, HttpKeyFetcher, Session, SessionValidator, TokenRejection};
use serde_json::Value;

use test_support::{
    KeyAnswer, KeyServer, ManualClock, PROJECT_ID, TestKey, jwks_json, session_claims_at,
};

/// Where the validator starts its clock: a fixed instant, so claims and cache windows line up.
pub const T0: u64 = 1_800_000_000;

pub type Validator = SessionValidator<HttpKeyFetcher, Arc<ManualClock>>;

pub struct ValidatorOnKeyServer {
    pub server: KeyServer,
    pub clock: Arc<ManualClock>,
    pub validator: Arc<Validator>,
}

impl ValidatorOnKeyServer {
    /// Until told what to answer, the key endpoint answers 404.
    pub async fn start() -> ValidatorOnKeyServer {
        let server = KeyServer::start(PROJECT_ID, "").await;
        server.answer(KeyAnswer::status(404));
        let fetcher = HttpKeyFetcher::new(keys_url(&server.base_uri())).expect("a key URL");
        let clock = ManualClock::starting_at(T0);
        let validator = Arc::new(SessionValidator::new(
            PROJECT_ID,
            fetcher,
            Arc::clone(&clock),
        ));
        ValidatorOnKeyServer {
            server,
            clock,
            validator,
        }
    }

    /// Replaces whatever the key endpoint answered, and starts counting fetches again.
    pub fn answer(&self, answer: KeyAnswer) {
        self.server.answer(answer);
    }

    pub fn serve_keys(&self, keys: &[&TestKey]) {
        self.answer(KeyAnswer::jwks(jwks_json(keys.iter().copied())));
    }

    /// Key-endpoint requests since the last `answer`.
    pub fn fetches(&self) -> usize {
        self.server.hits()
    }

    pub fn advance(&self, seconds: u64) {
        self.clock.advance(Duration::from_secs(seconds));
    }

    /// Descope-shaped claims valid at the clock's current time.
    pub fn claims(&self) -> Value {
        session_claims_at(PROJECT_ID, &["teacher"], self.clock.unix_now())
    }

    /// Claims issued `seconds` ago and still valid.
    pub fn claims_issued_ago(&self, seconds: u64) -> Value {
        let mut claims = self.claims();
        claims["iat"] = Value::from(self.clock.unix_now() - seconds);
        claims
    }

    pub async fn validate(&self, token: &str) -> Result<Session, AuthError> {
        self.validator.validate_token(token).await
    }
}

/// The stand-in project's key URL under `base_uri`, built by the functions' own configuration.
pub fn keys_url(base_uri: &str) -> String {
    descope_auth::Config::new(PROJECT_ID, Some(base_uri))
        .expect("a key server's base URI on loopback")
        .jwks_url()
}

pub fn rejection(outcome: Result<Session, AuthError>) -> TokenRejection {
    match outcome {
        Err(AuthError::InvalidToken(rejection)) => rejection,
        other => panic!("expected an invalid token, got {other:?}"),
    }
}

pub fn is_keys_unavailable(outcome: &Result<Session, AuthError>) -> bool {
    matches!(outcome, Err(AuthError::KeysUnavailable { .. }))
}

/// The whole seconds of `Retry-After` of a 503 for a kid the cache may not know yet; panics on
/// any other outcome.
pub fn kid_not_yet_fetched(outcome: Result<Session, AuthError>) -> u64 {
    match outcome {
        Err(error @ AuthError::KidNotYetFetched { .. }) => {
            let response = error.to_response();
            assert_eq!(response.status(), 503);
            response.headers()["retry-after"]
                .to_str()
                .expect("an ASCII Retry-After")
                .parse()
                .expect("Retry-After in seconds")
        }
        other => panic!("expected a kid not yet fetched (503), got {other:?}"),
    }
}
