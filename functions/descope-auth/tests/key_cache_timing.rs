//! When the key cache fetches, and who waits for it: the fetch before the first request, the
//! refresh ahead of expiry, the 10-minute rule (across a freeze too), the 60-minute cap on stale
//! keys, and "retry" rather than 401 for a kid newer than the keys. A real HTTP key server, time
//! from a manual clock.

use std::sync::Arc;
use std::time::Duration;

use descope_auth::{AuthError, TokenRejection};
use test_support::{
    KeyAnswer, TestKey, ValidatorOnKeyServer, is_keys_unavailable, jwks_json, kid_not_yet_fetched,
    rejection,
};
use tokio::task::JoinSet;

const WITHIN: Duration = Duration::from_secs(20);

async fn validate_all(keys: &ValidatorOnKeyServer, tokens: Vec<String>) -> Vec<bool> {
    let mut tasks = JoinSet::new();
    for token in tokens {
        let validator = Arc::clone(&keys.validator);
        tasks.spawn(async move { validator.validate_token(&token).await.is_ok() });
    }
    tasks.join_all().await
}

#[tokio::test]
async fn keys_are_fetched_before_the_first_request() {
    let keys = ValidatorOnKeyServer::start().await;
    let key = TestKey::rsa("K1");
    keys.serve_keys(&[&key]);

    keys.validator.prefetch_keys().await;
    assert_eq!(keys.fetches(), 1);
    assert!(keys.validate(&key.sign(&keys.claims())).await.is_ok());
    assert_eq!(keys.fetches(), 1, "the first request found the keys there");

    // Fresh keys: nothing to prefetch.
    keys.validator.prefetch_keys().await;
    assert_eq!(keys.fetches(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_arriving_during_the_prefetch_join_it() {
    let keys = ValidatorOnKeyServer::start().await;
    let key = TestKey::rsa("K1");
    keys.answer(KeyAnswer::jwks(jwks_json([&key])).delay(Duration::from_millis(300)));

    let prefetch = keys.validator.prefetch_keys();
    assert!(keys.server.wait_for_hits(1, WITHIN).await);
    let accepted = validate_all(&keys, (0..16).map(|_| key.sign(&keys.claims())).collect()).await;
    assert!(accepted.iter().all(|&ok| ok), "{accepted:?}");
    prefetch.await;
    assert_eq!(keys.fetches(), 1);
}

#[tokio::test]
async fn a_failed_prefetch_is_a_failed_fetch_with_its_back_off() {
    let keys = ValidatorOnKeyServer::start().await;
    let key = TestKey::rsa("K1");
    keys.answer(KeyAnswer::status(503));

    keys.validator.prefetch_keys().await;
    assert_eq!(keys.fetches(), 1);
    keys.serve_keys(&[&key]);
    let outcome = keys.validate(&key.sign(&keys.claims())).await;
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
    assert_eq!(keys.fetches(), 0, "no fetch within 5 s of the failure");

    keys.advance(5);
    assert!(keys.validate(&key.sign(&keys.claims())).await.is_ok());
    assert_eq!(keys.fetches(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_nine_minutes_a_known_kid_is_answered_at_once_and_one_refresh_runs_behind() {
    let keys = ValidatorOnKeyServer::start().await;
    let current = TestKey::rsa("K1");
    let next = TestKey::rsa("K2");
    keys.serve_keys(&[&current]);
    keys.validator.prefetch_keys().await;

    // Descope is slow now (2 s), and has a key more.
    keys.answer(KeyAnswer::jwks(jwks_json([&current, &next])).delay(Duration::from_secs(2)));
    keys.advance(9 * 60 + 30);
    let tokens: Vec<String> = (0..32).map(|_| current.sign(&keys.claims())).collect();
    let accepted = validate_all(&keys, tokens.clone()).await;
    assert!(accepted.iter().all(|&ok| ok), "{accepted:?}");
    assert_eq!(
        keys.server.answered(),
        0,
        "every request was answered before the key server"
    );
    assert!(keys.server.wait_for_hits(1, WITHIN).await);
    let accepted = validate_all(&keys, tokens).await;
    assert!(accepted.iter().all(|&ok| ok));
    assert_eq!(keys.fetches(), 1, "one background refresh");

    // Join it, then the refreshed keys serve: the new kid without a fetch of its own.
    keys.validator.prefetch_keys().await;
    assert_eq!(keys.server.answered(), 1);
    assert!(keys.validate(&next.sign(&keys.claims())).await.is_ok());
    assert_eq!(keys.fetches(), 1);
}

#[tokio::test]
async fn a_failed_refresh_ahead_is_only_logged_and_the_next_one_waits_out_the_back_off() {
    let keys = ValidatorOnKeyServer::start().await;
    let key = TestKey::rsa("K1");
    keys.serve_keys(&[&key]);
    keys.validator.prefetch_keys().await;

    keys.answer(KeyAnswer::status(500));
    keys.advance(9 * 60 + 30);
    assert!(keys.validate(&key.sign(&keys.claims())).await.is_ok());
    keys.validator.prefetch_keys().await;
    assert_eq!(keys.fetches(), 1);
    keys.advance(4);
    assert!(keys.validate(&key.sign(&keys.claims())).await.is_ok());
    assert_eq!(keys.fetches(), 1, "back-off after the failed refresh");
    keys.advance(1);
    assert!(keys.validate(&key.sign(&keys.claims())).await.is_ok());
    keys.validator.prefetch_keys().await;
    assert_eq!(keys.fetches(), 2);
}

#[tokio::test]
async fn from_ten_minutes_a_request_waits_for_the_refresh_and_a_withdrawn_key_gets_401() {
    let keys = ValidatorOnKeyServer::start().await;
    let withdrawn = TestKey::rsa("K1");
    let successor = TestKey::rsa("K2");
    keys.serve_keys(&[&withdrawn]);
    keys.validator.prefetch_keys().await;

    keys.serve_keys(&[&successor]);
    keys.advance(10 * 60 + 30);
    assert_eq!(
        rejection(keys.validate(&withdrawn.sign(&keys.claims())).await),
        TokenRejection::UnknownKid
    );
    assert_eq!(keys.fetches(), 1);
    assert!(keys.validate(&successor.sign(&keys.claims())).await.is_ok());
    assert_eq!(keys.fetches(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_cut_off_by_a_freeze_is_neither_waited_for_nor_taken_for_an_attempt() {
    let keys = ValidatorOnKeyServer::start().await;
    let withdrawn = TestKey::rsa("K1");
    let successor = TestKey::rsa("K2");
    keys.serve_keys(&[&withdrawn]);
    keys.validator.prefetch_keys().await;

    // The refresh ahead starts at 9 min 30 s and never gets its answer: the environment froze.
    keys.answer(KeyAnswer::jwks(jwks_json([&successor])).delay(Duration::from_secs(3600)));
    keys.advance(9 * 60 + 30);
    assert!(keys.validate(&withdrawn.sign(&keys.claims())).await.is_ok());
    assert!(keys.server.wait_for_hits(1, WITHIN).await);

    // Thawed a minute later by the wall clock, the key withdrawn meanwhile.
    keys.serve_keys(&[&successor]);
    keys.advance(60);
    assert_eq!(
        rejection(keys.validate(&withdrawn.sign(&keys.claims())).await),
        TokenRejection::UnknownKid
    );
    assert_eq!(keys.fetches(), 1, "a fresh fetch, not the frozen one");
    assert!(keys.validate(&successor.sign(&keys.claims())).await.is_ok());
}

#[tokio::test]
async fn failing_refreshes_keep_the_keys_for_59_minutes_and_drop_them_at_61() {
    let keys = ValidatorOnKeyServer::start().await;
    let key = TestKey::rsa("K1");
    keys.serve_keys(&[&key]);
    keys.validator.prefetch_keys().await;

    keys.answer(KeyAnswer::status(503));
    let mut minutes = 0;
    for at in [10, 20, 40, 59] {
        keys.advance((at - minutes) * 60);
        minutes = at;
        let outcome = keys.validate(&key.sign(&keys.claims())).await;
        assert!(outcome.is_ok(), "at {at} min: {outcome:?}");
    }
    assert_eq!(keys.fetches(), 4, "each stale round tried a refresh first");

    keys.advance(2 * 60);
    let outcome = keys.validate(&key.sign(&keys.claims())).await;
    assert!(is_keys_unavailable(&outcome), "at 61 min: {outcome:?}");
    assert_eq!(keys.fetches(), 5);

    keys.serve_keys(&[&key]);
    keys.advance(5);
    assert!(keys.validate(&key.sign(&keys.claims())).await.is_ok());
    assert_eq!(keys.fetches(), 1);
}

#[tokio::test]
async fn a_kid_newer_than_the_keys_is_503_with_retry_after_then_accepted_after_the_window() {
    let keys = ValidatorOnKeyServer::start().await;
    let current = TestKey::rsa("K1");
    let rotated_in = TestKey::rsa("K2");
    keys.serve_keys(&[&current]);
    keys.validator.prefetch_keys().await;
    keys.serve_keys(&[&current, &rotated_in]);

    keys.advance(10);
    let outcome = keys.validate(&rotated_in.sign(&keys.claims())).await;
    assert_eq!(kid_not_yet_fetched(outcome), 20);
    // Issued 1 s before the keys were fetched: within the leeway, still "retry".
    let outcome = keys
        .validate(&rotated_in.sign(&keys.claims_issued_ago(11)))
        .await;
    assert_eq!(kid_not_yet_fetched(outcome), 20);
    keys.advance(19);
    let outcome = keys.validate(&rotated_in.sign(&keys.claims())).await;
    assert_eq!(kid_not_yet_fetched(outcome), 1);
    assert_eq!(keys.fetches(), 0);

    keys.advance(1);
    assert!(
        keys.validate(&rotated_in.sign(&keys.claims()))
            .await
            .is_ok()
    );
    assert_eq!(keys.fetches(), 1);
}

#[tokio::test]
async fn a_kid_missing_from_keys_fetched_after_the_token_was_issued_is_401_without_a_fetch() {
    let keys = ValidatorOnKeyServer::start().await;
    let current = TestKey::rsa("K1");
    let stranger = TestKey::rsa("K2");
    keys.serve_keys(&[&current]);
    keys.validator.prefetch_keys().await;
    keys.serve_keys(&[&current, &stranger]);

    keys.advance(10);
    // Issued 5 s before the fetch, or earlier: the keys are newer than the token.
    for issued_ago in [15, 60, 3600] {
        assert_eq!(
            rejection(
                keys.validate(&stranger.sign(&keys.claims_issued_ago(issued_ago)))
                    .await
            ),
            TokenRejection::UnknownKid,
            "issued {issued_ago} s ago"
        );
    }
    // No iat: nothing says the token is newer than the keys.
    let mut no_iat = keys.claims();
    no_iat.as_object_mut().unwrap().remove("iat");
    assert_eq!(
        rejection(keys.validate(&stranger.sign(&no_iat)).await),
        TokenRejection::UnknownKid
    );
    assert_eq!(keys.fetches(), 0);
}

#[tokio::test]
async fn a_kid_missing_from_the_keys_in_a_token_issued_in_the_future_is_401() {
    let keys = ValidatorOnKeyServer::start().await;
    let current = TestKey::rsa("K1");
    let stranger = TestKey::rsa("K2");
    keys.serve_keys(&[&current]);
    keys.validator.prefetch_keys().await;

    let issued_in = |seconds: u64| {
        let mut claims = keys.claims();
        let now = claims["iat"].as_u64().expect("an iat");
        claims["iat"] = (now + seconds).into();
        stranger.sign(&claims)
    };
    // Within the leeway the token may be genuine and newer than the keys: retry.
    assert!(kid_not_yet_fetched(keys.validate(&issued_in(5)).await) > 0);
    // Beyond it the claims would refuse the token whatever key signed it.
    for seconds in [6, 3600, 10 * 365 * 24 * 3600] {
        assert_eq!(
            rejection(keys.validate(&issued_in(seconds)).await),
            TokenRejection::UnknownKid,
            "issued in {seconds} s"
        );
    }
    assert_eq!(keys.fetches(), 1, "only the prefetch");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_made_up_kids_with_a_current_iat_costs_one_fetch_per_30_s_and_never_a_200() {
    let keys = ValidatorOnKeyServer::start().await;
    let key = TestKey::rsa("K1");
    keys.serve_keys(&[&key]);
    keys.validator.prefetch_keys().await;
    keys.serve_keys(&[&key]);

    let mut fetch_times = Vec::new();
    let mut seen_fetches = 0;
    let mut retried = 0;
    for second in (0..=180).step_by(3) {
        let flood: Vec<String> = (0..20)
            .map(|i| {
                key.with_kid(&format!("made-up-{second}-{i}"))
                    .sign(&keys.claims())
            })
            .collect();
        let mut tasks = JoinSet::new();
        for token in flood {
            let validator = Arc::clone(&keys.validator);
            tasks.spawn(async move { validator.validate_token(&token).await });
        }
        while let Some(outcome) = tasks.join_next().await {
            match outcome.unwrap() {
                Ok(_) => panic!("a made-up kid was accepted at {second} s"),
                Err(AuthError::KidNotYetFetched { .. }) => retried += 1,
                Err(error) => assert_eq!(error, TokenRejection::UnknownKid.into()),
            }
        }
        if keys.fetches() > seen_fetches {
            seen_fetches = keys.fetches();
            fetch_times.push(second);
        }
        keys.advance(3);
    }
    assert!(retried > 0, "a current iat inside the window is 503");
    assert!(!fetch_times.is_empty());
    for pair in fetch_times.windows(2) {
        assert!(pair[1] - pair[0] >= 30, "fetches at {fetch_times:?} s");
    }
    assert_eq!(keys.fetches(), fetch_times.len(), "one fetch per window");
}
