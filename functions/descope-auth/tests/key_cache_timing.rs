//! When the key cache fetches, and who waits for it: the fetch before the first request, the
//! refresh ahead of expiry, the 10-minute rule (across a freeze too), the 60-minute cap on stale
//! keys, and "retry" rather than 401 for a kid newer than the keys. A real HTTP key server, time
//! from a manual clock.

mod support;

use support::{ValidatorOnKeyServer, is_keys_unavailable, kid_not_yet_fetched, rejection};

use std::sync::Arc;
use std::time::Duration;

use descope_auth::{AuthError, TokenRejection};
use test_support::{KeyAnswer, TestKey, jwks_json};
use tokio::task::JoinSet;

const WITHIN: Duration = Duration::from_secs(20);

async fn validate_all(auth: &ValidatorOnKeyServer, tokens: Vec<String>) -> Vec<bool> {
    let mut tasks = JoinSet::new();
    for token in tokens {
        let validator = Arc::clone(&auth.validator);
        tasks.spawn(async move { validator.validate_token(&token).await.is_ok() });
    }
    tasks.join_all().await
}

#[tokio::test]
async fn keys_are_fetched_before_the_first_request() {
    let auth = ValidatorOnKeyServer::start().await;
    let key = TestKey::rsa("K1");
    auth.serve_keys(&[&key]);

    auth.validator.prefetch_keys().await;
    assert_eq!(auth.fetches(), 1);
    assert!(auth.validate(&key.sign(&auth.claims())).await.is_ok());
    assert_eq!(auth.fetches(), 1, "the first request found the keys there");

    // Fresh keys: nothing to prefetch.
    auth.validator.prefetch_keys().await;
    assert_eq!(auth.fetches(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_arriving_during_the_prefetch_join_it() {
    let auth = ValidatorOnKeyServer::start().await;
    let key = TestKey::rsa("K1");
    auth.answer(KeyAnswer::jwks(jwks_json([&key])).delay(Duration::from_millis(300)));

    let prefetch = auth.validator.prefetch_keys();
    assert!(auth.server.wait_for_hits(1, WITHIN).await);
    let accepted = validate_all(&auth, (0..16).map(|_| key.sign(&auth.claims())).collect()).await;
    assert!(accepted.iter().all(|&ok| ok), "{accepted:?}");
    prefetch.await;
    assert_eq!(auth.fetches(), 1);
}

#[tokio::test]
async fn a_failed_prefetch_is_a_failed_fetch_with_its_back_off() {
    let auth = ValidatorOnKeyServer::start().await;
    let key = TestKey::rsa("K1");
    auth.answer(KeyAnswer::status(503));

    auth.validator.prefetch_keys().await;
    assert_eq!(auth.fetches(), 1);
    auth.serve_keys(&[&key]);
    let outcome = auth.validate(&key.sign(&auth.claims())).await;
    match &outcome {
        Err(AuthError::KeysUnavailable { retry_after, .. }) => {
            assert_eq!(*retry_after, Duration::from_secs(5));
        }
        other => panic!("expected keys unavailable, got {other:?}"),
    }
    assert_eq!(
        outcome.unwrap_err().to_response().headers()["retry-after"],
        "5"
    );
    assert_eq!(auth.fetches(), 0, "no fetch within 5 s of the failure");

    auth.advance(5);
    assert!(auth.validate(&key.sign(&auth.claims())).await.is_ok());
    assert_eq!(auth.fetches(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_nine_minutes_a_known_kid_is_answered_at_once_and_one_refresh_runs_behind() {
    let auth = ValidatorOnKeyServer::start().await;
    let current = TestKey::rsa("K1");
    let next = TestKey::rsa("K2");
    auth.serve_keys(&[&current]);
    auth.validator.prefetch_keys().await;

    // Descope is slow now (2 s), and has a key more.
    auth.answer(KeyAnswer::jwks(jwks_json([&current, &next])).delay(Duration::from_secs(2)));
    auth.advance(9 * 60 + 30);
    let tokens: Vec<String> = (0..32).map(|_| current.sign(&auth.claims())).collect();
    let accepted = validate_all(&auth, tokens.clone()).await;
    assert!(accepted.iter().all(|&ok| ok), "{accepted:?}");
    assert_eq!(
        auth.server.answered(),
        0,
        "every request was answered before the key server"
    );
    assert!(auth.server.wait_for_hits(1, WITHIN).await);
    let accepted = validate_all(&auth, tokens).await;
    assert!(accepted.iter().all(|&ok| ok));
    assert_eq!(auth.fetches(), 1, "one background refresh");

    // Join it, then the refreshed keys serve: the new kid without a fetch of its own.
    auth.validator.prefetch_keys().await;
    assert_eq!(auth.server.answered(), 1);
    assert!(auth.validate(&next.sign(&auth.claims())).await.is_ok());
    assert_eq!(auth.fetches(), 1);
}

#[tokio::test]
async fn a_failed_refresh_ahead_is_only_logged_and_the_next_one_waits_out_the_back_off() {
    let auth = ValidatorOnKeyServer::start().await;
    let key = TestKey::rsa("K1");
    auth.serve_keys(&[&key]);
    auth.validator.prefetch_keys().await;

    auth.answer(KeyAnswer::status(500));
    auth.advance(9 * 60 + 30);
    assert!(auth.validate(&key.sign(&auth.claims())).await.is_ok());
    auth.validator.prefetch_keys().await;
    assert_eq!(auth.fetches(), 1);
    auth.advance(4);
    assert!(auth.validate(&key.sign(&auth.claims())).await.is_ok());
    assert_eq!(auth.fetches(), 1, "back-off after the failed refresh");
    auth.advance(1);
    assert!(auth.validate(&key.sign(&auth.claims())).await.is_ok());
    auth.validator.prefetch_keys().await;
    assert_eq!(auth.fetches(), 2);
}

#[tokio::test]
async fn from_ten_minutes_a_request_waits_for_the_refresh_and_a_withdrawn_key_gets_401() {
    let auth = ValidatorOnKeyServer::start().await;
    let withdrawn = TestKey::rsa("K1");
    let successor = TestKey::rsa("K2");
    auth.serve_keys(&[&withdrawn]);
    auth.validator.prefetch_keys().await;

    auth.serve_keys(&[&successor]);
    auth.advance(10 * 60 + 30);
    assert_eq!(
        rejection(auth.validate(&withdrawn.sign(&auth.claims())).await),
        TokenRejection::UnknownKid
    );
    assert_eq!(auth.fetches(), 1);
    assert!(auth.validate(&successor.sign(&auth.claims())).await.is_ok());
    assert_eq!(auth.fetches(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_cut_off_by_a_freeze_is_neither_waited_for_nor_taken_for_an_attempt() {
    let auth = ValidatorOnKeyServer::start().await;
    let withdrawn = TestKey::rsa("K1");
    let successor = TestKey::rsa("K2");
    auth.serve_keys(&[&withdrawn]);
    auth.validator.prefetch_keys().await;

    // The refresh ahead starts at 9 min 30 s and never gets its answer: the environment froze.
    auth.answer(KeyAnswer::jwks(jwks_json([&successor])).delay(Duration::from_secs(3600)));
    auth.advance(9 * 60 + 30);
    assert!(auth.validate(&withdrawn.sign(&auth.claims())).await.is_ok());
    assert!(auth.server.wait_for_hits(1, WITHIN).await);

    // Thawed a minute later by the wall clock, the key withdrawn meanwhile.
    auth.serve_keys(&[&successor]);
    auth.advance(60);
    assert_eq!(
        rejection(auth.validate(&withdrawn.sign(&auth.claims())).await),
        TokenRejection::UnknownKid
    );
    assert_eq!(auth.fetches(), 1, "a fresh fetch, not the frozen one");
    assert!(auth.validate(&successor.sign(&auth.claims())).await.is_ok());
}

#[tokio::test]
async fn failing_refreshes_keep_the_keys_for_59_minutes_and_drop_them_at_61() {
    let auth = ValidatorOnKeyServer::start().await;
    let key = TestKey::rsa("K1");
    auth.serve_keys(&[&key]);
    auth.validator.prefetch_keys().await;

    auth.answer(KeyAnswer::status(503));
    let mut minutes = 0;
    for at in [10, 20, 40, 59] {
        auth.advance((at - minutes) * 60);
        minutes = at;
        let outcome = auth.validate(&key.sign(&auth.claims())).await;
        assert!(outcome.is_ok(), "at {at} min: {outcome:?}");
    }
    assert_eq!(auth.fetches(), 4, "each stale round tried a refresh first");

    auth.advance(2 * 60);
    let outcome = auth.validate(&key.sign(&auth.claims())).await;
    assert!(is_keys_unavailable(&outcome), "at 61 min: {outcome:?}");
    assert_eq!(auth.fetches(), 5);

    auth.serve_keys(&[&key]);
    auth.advance(5);
    assert!(auth.validate(&key.sign(&auth.claims())).await.is_ok());
    assert_eq!(auth.fetches(), 1);
}

#[tokio::test]
async fn a_kid_newer_than_the_keys_is_503_with_retry_after_then_accepted_after_the_window() {
    let auth = ValidatorOnKeyServer::start().await;
    let current = TestKey::rsa("K1");
    let rotated_in = TestKey::rsa("K2");
    auth.serve_keys(&[&current]);
    auth.validator.prefetch_keys().await;
    auth.serve_keys(&[&current, &rotated_in]);

    auth.advance(10);
    let outcome = auth.validate(&rotated_in.sign(&auth.claims())).await;
    assert_eq!(kid_not_yet_fetched(outcome), 20);
    // Issued 1 s before the keys were fetched: within the leeway, still "retry".
    let outcome = auth
        .validate(&rotated_in.sign(&auth.claims_issued_ago(11)))
        .await;
    assert_eq!(kid_not_yet_fetched(outcome), 20);
    auth.advance(19);
    let outcome = auth.validate(&rotated_in.sign(&auth.claims())).await;
    assert_eq!(kid_not_yet_fetched(outcome), 1);
    assert_eq!(auth.fetches(), 0);

    auth.advance(1);
    assert!(
        auth.validate(&rotated_in.sign(&auth.claims()))
            .await
            .is_ok()
    );
    assert_eq!(auth.fetches(), 1);
}

#[tokio::test]
async fn a_kid_missing_from_keys_fetched_after_the_token_was_issued_is_401_without_a_fetch() {
    let auth = ValidatorOnKeyServer::start().await;
    let current = TestKey::rsa("K1");
    let stranger = TestKey::rsa("K2");
    auth.serve_keys(&[&current]);
    auth.validator.prefetch_keys().await;
    auth.serve_keys(&[&current, &stranger]);

    auth.advance(10);
    // Issued 5 s before the fetch, or earlier: the keys are newer than the token.
    for issued_ago in [15, 60, 3600] {
        assert_eq!(
            rejection(
                auth.validate(&stranger.sign(&auth.claims_issued_ago(issued_ago)))
                    .await
            ),
            TokenRejection::UnknownKid,
            "issued {issued_ago} s ago"
        );
    }
    // No iat: nothing says the token is newer than the keys.
    let mut no_iat = auth.claims();
    no_iat.as_object_mut().unwrap().remove("iat");
    assert_eq!(
        rejection(auth.validate(&stranger.sign(&no_iat)).await),
        TokenRejection::UnknownKid
    );
    assert_eq!(auth.fetches(), 0);
}

#[tokio::test]
async fn a_kid_missing_from_the_keys_in_a_token_issued_in_the_future_is_401() {
    let auth = ValidatorOnKeyServer::start().await;
    let current = TestKey::rsa("K1");
    let stranger = TestKey::rsa("K2");
    auth.serve_keys(&[&current]);
    auth.validator.prefetch_keys().await;

    let issued_in = |seconds: u64| {
        let mut claims = auth.claims();
        let now = claims["iat"].as_u64().expect("an iat");
        claims["iat"] = (now + seconds).into();
        stranger.sign(&claims)
    };
    // Within the leeway the token may be genuine and newer than the keys: retry.
    assert!(kid_not_yet_fetched(auth.validate(&issued_in(5)).await) > 0);
    // Beyond it the claims would refuse the token whatever key signed it.
    for seconds in [6, 3600, 10 * 365 * 24 * 3600] {
        assert_eq!(
            rejection(auth.validate(&issued_in(seconds)).await),
            TokenRejection::UnknownKid,
            "issued in {seconds} s"
        );
    }
    assert_eq!(auth.fetches(), 1, "only the prefetch");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_made_up_kids_with_a_current_iat_costs_one_fetch_per_30_s_and_never_a_200() {
    let auth = ValidatorOnKeyServer::start().await;
    let key = TestKey::rsa("K1");
    auth.serve_keys(&[&key]);
    auth.validator.prefetch_keys().await;
    auth.serve_keys(&[&key]);

    let mut fetch_times = Vec::new();
    let mut seen_fetches = 0;
    let mut retried = 0;
    for second in (0..=180).step_by(3) {
        let flood: Vec<String> = (0..20)
            .map(|i| {
                key.with_kid(&format!("made-up-{second}-{i}"))
                    .sign(&auth.claims())
            })
            .collect();
        let mut tasks = JoinSet::new();
        for token in flood {
            let validator = Arc::clone(&auth.validator);
            tasks.spawn(async move { validator.validate_token(&token).await });
        }
        while let Some(outcome) = tasks.join_next().await {
            match outcome.unwrap() {
                Ok(_) => panic!("a made-up kid was accepted at {second} s"),
                Err(AuthError::KidNotYetFetched { .. }) => retried += 1,
                Err(error) => assert_eq!(error, TokenRejection::UnknownKid.into()),
            }
        }
        if auth.fetches() > seen_fetches {
            seen_fetches = auth.fetches();
            fetch_times.push(second);
        }
        auth.advance(3);
    }
    assert!(retried > 0, "a current iat inside the window is 503");
    assert!(!fetch_times.is_empty());
    for pair in fetch_times.windows(2) {
        assert!(pair[1] - pair[0] >= 30, "fetches at {fetch_times:?} s");
    }
    assert_eq!(auth.fetches(), fetch_times.len(), "one fetch per window");
}
