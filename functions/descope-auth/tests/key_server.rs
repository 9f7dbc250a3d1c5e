//! The key cache policy against a real HTTP key server, with time driven by a manual clock.

mod support;

use support::{ValidatorOnKeyServer, is_keys_unavailable, kid_not_yet_fetched, rejection};

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use descope_auth::{AuthError, TokenRejection};
use test_support::{KeyAnswer, TestKey};
use tokio::task::JoinSet;

#[tokio::test]
async fn a_valid_token_is_accepted_and_the_keys_are_fetched_once() {
    let auth = ValidatorOnKeyServer::start().await;
    let key = TestKey::rsa("K1");
    auth.serve_keys(&[&key]);
    for _ in 0..3 {
        let session = auth.validate(&key.sign(&auth.claims())).await.unwrap();
        assert!(session.validate_roles(&["teacher"]));
    }
    assert_eq!(auth.fetches(), 1);
}

#[tokio::test]
async fn a_rotated_in_key_is_accepted_once_thirty_seconds_passed_since_the_last_fetch() {
    let auth = ValidatorOnKeyServer::start().await;
    let old = TestKey::rsa("K1");
    let new = TestKey::rsa("K2");
    auth.serve_keys(&[&old]);
    assert!(auth.validate(&old.sign(&auth.claims())).await.is_ok());

    auth.serve_keys(&[&old, &new]);
    auth.advance(29);
    // Issued after the keys were fetched: the cache cannot tell yet, so "retry", not 401.
    assert_eq!(
        kid_not_yet_fetched(auth.validate(&new.sign(&auth.claims())).await),
        1
    );
    assert_eq!(
        auth.fetches(),
        0,
        "no refetch within 30 s of the first fetch"
    );

    auth.advance(1);
    let session = auth.validate(&new.sign(&auth.claims())).await;
    assert!(session.is_ok(), "{session:?}");
    assert!(auth.validate(&old.sign(&auth.claims())).await.is_ok());
    assert_eq!(auth.fetches(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_unknown_kids_costs_one_refetch_per_thirty_seconds() {
    let auth = ValidatorOnKeyServer::start().await;
    let key = TestKey::rsa("K1");
    auth.serve_keys(&[&key]);
    assert!(auth.validate(&key.sign(&auth.claims())).await.is_ok());
    auth.serve_keys(&[&key]);

    // Issued a minute before the keys were fetched: whatever the cache holds is newer.
    let flood: Vec<String> = (0..200)
        .map(|i| {
            key.with_kid(&format!("made-up-{i}"))
                .sign(&auth.claims_issued_ago(60))
        })
        .collect();
    let run_flood = |tokens: Vec<String>| {
        let validator = Arc::clone(&auth.validator);
        async move {
            let mut tasks = JoinSet::new();
            for token in tokens {
                let validator = Arc::clone(&validator);
                tasks.spawn(async move { validator.validate_token(&token).await });
            }
            let mut unknown = 0;
            while let Some(outcome) = tasks.join_next().await {
                assert_eq!(rejection(outcome.unwrap()), TokenRejection::UnknownKid);
                unknown += 1;
            }
            unknown
        }
    };

    assert_eq!(run_flood(flood.clone()).await, 200);
    assert_eq!(
        auth.fetches(),
        0,
        "within 30 s of the first fetch nothing is refetched"
    );

    auth.advance(30);
    assert_eq!(run_flood(flood.clone()).await, 200);
    assert_eq!(auth.fetches(), 1, "exactly one refetch for the whole flood");

    auth.advance(29);
    assert_eq!(run_flood(flood).await, 200);
    assert_eq!(
        auth.fetches(),
        1,
        "the refetch itself opens a new 30 s window"
    );
    assert!(auth.validate(&key.sign(&auth.claims())).await.is_ok());
}

#[tokio::test]
async fn key_server_down_at_cold_start_is_503_then_recovers_after_the_back_off() {
    let auth = ValidatorOnKeyServer::start().await;
    let key = TestKey::rsa("K1");
    auth.answer(KeyAnswer::status(503));
    let token = key.sign(&auth.claims());

    let outcome = auth.validate(&token).await;
    assert!(is_keys_unavailable(&outcome), "{outcome:?}");
    assert_eq!(outcome.unwrap_err().to_response().status(), 503);
    assert_eq!(auth.fetches(), 1);

    auth.serve_keys(&[&key]);
    auth.advance(4);
    assert!(is_keys_unavailable(&auth.validate(&token).await));
    assert_eq!(auth.fetches(), 0, "no fetch within 5 s of a failure");

    auth.advance(1);
    assert!(auth.validate(&token).await.is_ok());
    assert_eq!(auth.fetches(), 1);
}

#[tokio::test]
async fn connection_refused_at_cold_start_is_503() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let fetcher =
        descope_auth::HttpKeyFetcher::new(support::keys_url(&format!("http://{address}"))).unwrap();
    let clock = test_support::ManualClock::starting_at(support::T0);
    let validator = descope_auth::SessionValidator::new(test_support::PROJECT_ID, fetcher, clock);
    let key = TestKey::rsa("K1");
    let claims = test_support::session_claims_at(test_support::PROJECT_ID, &[], support::T0);
    let outcome = validator.validate_token(&key.sign(&claims)).await;
    assert!(is_keys_unavailable(&outcome), "{outcome:?}");
}

#[tokio::test]
async fn a_garbage_or_empty_key_set_keeps_the_last_good_keys() {
    let auth = ValidatorOnKeyServer::start().await;
    let key = TestKey::rsa("K1");
    auth.serve_keys(&[&key]);
    assert!(auth.validate(&key.sign(&auth.claims())).await.is_ok());

    let hmac_only =
        r#"{"keys":[{"kty":"oct","kid":"K1","alg":"HS256","use":"sig","k":"c2VjcmV0"}]}"#;
    let mut elapsed = 0;
    for garbage in ["<html>maintenance</html>", r#"{"keys":[]}"#, hmac_only, ""] {
        auth.answer(KeyAnswer::status(200).body(garbage));
        // Past the 10-minute refresh (and any back-off): each round refetches and fails.
        auth.advance(600);
        elapsed += 600;
        let outcome = auth.validate(&key.sign(&auth.claims())).await;
        assert!(outcome.is_ok(), "after {garbage:?}: {outcome:?}");
        assert_eq!(auth.fetches(), 1, "{garbage:?} was fetched");

        auth.advance(4);
        elapsed += 4;
        assert!(auth.validate(&key.sign(&auth.claims())).await.is_ok());
        assert_eq!(auth.fetches(), 1, "back-off after {garbage:?}");
    }
    assert!(elapsed > 2400);
}

#[tokio::test]
async fn a_withdrawn_key_stops_verifying_at_the_ten_minute_refresh_even_across_a_freeze() {
    let auth = ValidatorOnKeyServer::start().await;
    let withdrawn = TestKey::rsa("K1");
    let successor = TestKey::rsa("K2");
    auth.serve_keys(&[&withdrawn]);
    assert!(auth.validate(&withdrawn.sign(&auth.claims())).await.is_ok());

    auth.serve_keys(&[&successor]);
    auth.advance(9 * 60 - 1);
    assert!(auth.validate(&withdrawn.sign(&auth.claims())).await.is_ok());
    assert_eq!(auth.fetches(), 0);

    auth.advance(61);
    assert_eq!(
        rejection(auth.validate(&withdrawn.sign(&auth.claims())).await),
        TokenRejection::UnknownKid
    );
    assert!(auth.validate(&successor.sign(&auth.claims())).await.is_ok());
    assert_eq!(auth.fetches(), 1);

    // A day in a frozen environment: a monotonic clock may have stood still all along, the wall
    // clock (which the cache reads) moved on, so the keys are stale at the next invocation.
    let third = TestKey::rsa("K3");
    auth.serve_keys(&[&third]);
    auth.advance(24 * 60 * 60);
    assert_eq!(
        rejection(auth.validate(&successor.sign(&auth.claims())).await),
        TokenRejection::UnknownKid
    );
    assert!(auth.validate(&third.sign(&auth.claims())).await.is_ok());
    assert_eq!(auth.fetches(), 1);
}

#[tokio::test]
async fn a_hanging_key_server_is_503_within_the_three_second_timeout() {
    let auth = ValidatorOnKeyServer::start().await;
    let key = TestKey::rsa("K1");
    let jwks = test_support::jwks_json([&key]);
    auth.answer(
        KeyAnswer::status(200)
            .body(jwks)
            .delay(Duration::from_secs(30)),
    );
    let started = tokio::time::Instant::now();
    let outcome = auth.validate(&key.sign(&auth.claims())).await;
    let waited = started.elapsed();
    assert_eq!(
        outcome.unwrap_err(),
        AuthError::KeysUnavailable {
            reason: "key server did not answer within the timeout".into(),
            retry_after: Duration::from_secs(5),
        }
    );
    assert!(waited < Duration::from_secs(4), "waited {waited:?}");
}

#[tokio::test]
async fn non_200_oversized_and_redirected_answers_are_failures() {
    let auth = ValidatorOnKeyServer::start().await;
    let key = TestKey::rsa("K1");
    let huge = format!(
        r#"{{"keys":[],"padding":"{}"}}"#,
        "x".repeat(descope_auth::MAX_JWKS_BYTES)
    );
    let answers = [
        KeyAnswer::status(404),
        KeyAnswer::status(204),
        KeyAnswer::status(302).header("Location", "http://127.0.0.1:9/elsewhere"),
        KeyAnswer::status(200).body(huge),
    ];
    for answer in answers {
        auth.answer(answer);
        auth.advance(5);
        let outcome = auth.validate(&key.sign(&auth.claims())).await;
        assert!(is_keys_unavailable(&outcome), "{outcome:?}");
        assert_eq!(auth.fetches(), 1);
    }
}

#[tokio::test]
async fn a_key_set_whose_only_keys_cannot_verify_keeps_the_last_good_keys() {
    let auth = ValidatorOnKeyServer::start().await;
    let key = TestKey::rsa("K1");
    auth.serve_keys(&[&key]);
    assert!(auth.validate(&key.sign(&auth.claims())).await.is_ok());

    let with = |change: serde_json::Value, from: &TestKey| {
        let mut jwk = from.jwk();
        for (name, value) in change.as_object().unwrap() {
            jwk[name] = value.clone();
        }
        serde_json::json!({ "keys": [jwk] }).to_string()
    };
    let ec = TestKey::ec("K1", test_support::Algorithm::ES256);
    let mut off_curve_y = URL_SAFE_NO_PAD
        .decode(ec.jwk()["y"].as_str().unwrap())
        .unwrap();
    off_curve_y[31] ^= 1;
    let ed = TestKey::ed25519("K1");
    let unusable = [
        // An RSA modulus of a few bits, and a 1024-bit one.
        with(serde_json::json!({"n": "wQ"}), &key),
        with(
            serde_json::json!({"n": URL_SAFE_NO_PAD.encode([0xC1; 128])}),
            &key,
        ),
        with(serde_json::json!({"e": "AQ"}), &key),
        with(
            serde_json::json!({"y": URL_SAFE_NO_PAD.encode(off_curve_y)}),
            &ec,
        ),
        with(
            serde_json::json!({"x": URL_SAFE_NO_PAD.encode([9; 31])}),
            &ed,
        ),
    ];
    for (round, body) in unusable.iter().enumerate() {
        auth.answer(KeyAnswer::status(200).body(body.clone()));
        // Past the 10-minute refresh (and the back-off after the previous round's failure).
        auth.advance(600);
        let outcome = auth.validate(&key.sign(&auth.claims())).await;
        assert!(outcome.is_ok(), "round {round} ({body}): {outcome:?}");
        assert_eq!(auth.fetches(), 1, "round {round} was fetched");
    }
}

#[tokio::test]
async fn a_clock_that_moves_backwards_makes_the_keys_stale() {
    let auth = ValidatorOnKeyServer::start().await;
    let withdrawn = TestKey::rsa("K1");
    let successor = TestKey::rsa("K2");
    auth.serve_keys(&[&withdrawn]);
    assert!(auth.validate(&withdrawn.sign(&auth.claims())).await.is_ok());

    auth.serve_keys(&[&successor]);
    auth.clock.set_back(Duration::from_secs(3600));
    assert!(auth.validate(&successor.sign(&auth.claims())).await.is_ok());
    assert_eq!(auth.fetches(), 1, "the keys were refetched");
    // Time runs forward again from there: the fresh keys are not refetched.
    auth.advance(30);
    assert!(auth.validate(&successor.sign(&auth.claims())).await.is_ok());
    assert_eq!(auth.fetches(), 1);
}

#[tokio::test]
async fn every_fetch_opens_a_connection_of_its_own() {
    // A connection kept alive across a freeze of the environment may be dead when the next
    // fetch, the one that must refresh stale keys, would use it.
    let auth = ValidatorOnKeyServer::start().await;
    let key = TestKey::rsa("K1");
    auth.serve_keys(&[&key]);
    assert!(auth.validate(&key.sign(&auth.claims())).await.is_ok());
    auth.advance(600);
    assert!(auth.validate(&key.sign(&auth.claims())).await.is_ok());
    assert_eq!(auth.fetches(), 2);
    assert_eq!(auth.server.connections(), 2);
}
