//! What a rejection leaves in the log: the reason, never the token.

mod support;

use support::ValidatorOnKeyServer;

use std::io::Write;
use std::sync::{Arc, Mutex};

use http::header::AUTHORIZATION;
use http::{HeaderMap, HeaderValue};
use serde_json::json;
use test_support::{KeyAnswer, TestKey};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

fn bearer(tokens: &[&str]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for token in tokens {
        headers.append(
            AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
        );
    }
    headers
}

// Current-thread runtime: the thread-local subscriber below sees every event of the test.
#[tokio::test]
async fn rejections_log_their_reason_and_never_the_token() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let auth = ValidatorOnKeyServer::start().await;
    let key = TestKey::rsa("K1");
    let impostor = TestKey::rsa("K1");
    let stranger = TestKey::rsa("K9");
    let claims_with = |change: serde_json::Value| {
        let mut claims = auth.claims();
        for (name, value) in change.as_object().unwrap() {
            claims[name] = value.clone();
        }
        claims
    };

    // Cold start with the key server down: the token is not judged.
    auth.answer(KeyAnswer::status(503));
    let unjudged = key.sign(&auth.claims());
    assert!(
        auth.validator
            .validate_headers(&bearer(&[&unjudged]))
            .await
            .is_err()
    );
    auth.serve_keys(&[&key]);
    auth.advance(5);

    let accepted = key.sign(&auth.claims());
    let rejected = [
        (impostor.sign(&auth.claims()), "signature does not verify"),
        (key.sign(&claims_with(json!({"exp": 1}))), "token expired"),
        (
            key.sign(&claims_with(json!({"roles": "preteacher"}))),
            "claim roles is not a list of strings",
        ),
        (
            key.sign(&claims_with(json!({"drn": "DSR"}))),
            "refresh token",
        ),
        (
            stranger.sign(&auth.claims()),
            "no signing key with the token's kid",
        ),
    ];
    assert!(
        auth.validator
            .validate_headers(&bearer(&[&accepted]))
            .await
            .is_ok()
    );
    for (token, _) in &rejected {
        assert!(
            auth.validator
                .validate_headers(&bearer(&[token]))
                .await
                .is_err()
        );
    }
    assert!(
        auth.validator
            .validate_headers(&bearer(&[&accepted, &accepted]))
            .await
            .is_err()
    );
    drop(_guard);

    let log = captured.text();
    let mut expected_reasons: Vec<&str> = rejected.iter().map(|(_, reason)| *reason).collect();
    expected_reasons.extend([
        "more than one Authorization header",
        "signing keys unavailable",
    ]);
    for reason in expected_reasons {
        assert!(
            log.lines()
                .any(|line| line.contains("session token") && line.contains(reason)),
            "reason {reason:?} missing from the log:\n{log}"
        );
    }
    let all_tokens = rejected
        .iter()
        .map(|(token, _)| token.as_str())
        .chain([accepted.as_str(), unjudged.as_str()]);
    for token in all_tokens {
        for segment in token.split('.') {
            assert!(
                !log.contains(segment),
                "a token segment reached the log:\n{log}"
            );
        }
    }
    assert!(
        !log.to_ascii_lowercase().contains("bearer "),
        "a header value reached the log"
    );
}
