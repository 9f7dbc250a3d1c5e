//! One validator's judgement of a token, its keys fetched from memory on a manual clock.

mod support;

use support::rejection;

use std::sync::Arc;
use std::time::Duration;

use aws_lc_rs::hmac;
use http::HeaderValue;
use http::header::AUTHORIZATION;
use serde_json::{Value, json};

use descope_auth::{
    AuthError, ClaimsError, FetchError, HeaderError, SessionValidator, TokenRejection,
};
use http::HeaderMap;

use test_support::{
    Algorithm, ManualClock, MemoryFetcher, PROJECT_ID as PROJECT, TestKey, b64, jwks_json,
    session_claims_at, signing_input,
};
const T0: u64 = 1_800_000_000;

struct Fixture {
    key: TestKey,
    fetcher: Arc<MemoryFetcher>,
    clock: Arc<ManualClock>,
    validator: SessionValidator<Arc<MemoryFetcher>, Arc<ManualClock>>,
}

fn fixture_with(keys: &[&TestKey]) -> Fixture {
    let key = keys[0].with_kid(keys[0].kid());
    let fetcher = MemoryFetcher::serving(jwks_json(keys.iter().copied()));
    let clock = ManualClock::starting_at(T0);
    let validator = SessionValidator::new(PROJECT, Arc::clone(&fetcher), Arc::clone(&clock));
    Fixture {
        key,
        fetcher,
        clock,
        validator,
    }
}

fn fixture() -> Fixture {
    fixture_with(&[&TestKey::rsa("K1")])
}

fn claims() -> Value {
    session_claims_at(PROJECT, &["teacher"], T0)
}

fn claims_with(changes: Value) -> Value {
    let mut claims = claims();
    for (name, value) in changes.as_object().unwrap() {
        claims[name] = value.clone();
    }
    claims
}

#[tokio::test]
async fn a_valid_session_token_is_accepted() {
    let f = fixture();
    let session = f
        .validator
        .validate_token(&f.key.sign(&claims()))
        .await
        .unwrap();
    assert_eq!(session.subject(), "U2test0user0id");
    assert!(session.validate_roles(&["teacher"]));
    assert!(!session.validate_roles(&["student"]));
    assert_eq!(f.fetcher.calls(), 1);
}

#[tokio::test]
async fn every_asymmetric_algorithm_verifies_with_its_own_key() {
    for key in [
        TestKey::rsa_with("PS", Algorithm::PS256),
        TestKey::rsa_with("RS5", Algorithm::RS512),
        TestKey::ec("E256", Algorithm::ES256),
        TestKey::ec("E384", Algorithm::ES384),
        TestKey::ed25519("Ed"),
    ] {
        let f = fixture_with(&[&key]);
        let outcome = f.validator.validate_token(&key.sign(&claims())).await;
        assert!(outcome.is_ok(), "{:?}: {outcome:?}", key.algorithm());
    }
}

#[tokio::test]
async fn hs256_signed_with_the_public_key_is_refused() {
    let f = fixture();
    let header = json!({"alg": "HS256", "kid": "K1", "typ": "JWT"});
    let input = signing_input(&header, &claims());
    for secret in [
        f.key.public_key_bytes(),
        f.key.jwk().to_string().into_bytes(),
    ] {
        let tag = hmac::sign(
            &hmac::Key::new(hmac::HMAC_SHA256, &secret),
            input.as_bytes(),
        );
        let token = format!("{input}.{}", b64(tag.as_ref()));
        assert!(matches!(
            rejection(f.validator.validate_token(&token).await),
            TokenRejection::AlgorithmMismatch { .. }
        ));
    }
}

#[tokio::test]
async fn alg_none_is_refused() {
    let f = fixture();
    for alg in ["none", "None", "NONE"] {
        let header = json!({"alg": alg, "kid": "K1"});
        let token = format!("{}.{}", signing_input(&header, &claims()), b64(b"x"));
        assert!(matches!(
            rejection(f.validator.validate_token(&token).await),
            TokenRejection::UnreadableHeader(_)
        ));
    }
    // The unsigned form (empty signature) fails the shape rule before any decoding.
    let token = format!(
        "{}.",
        signing_input(&json!({"alg": "none", "kid": "K1"}), &claims())
    );
    assert_eq!(
        rejection(f.validator.validate_token(&token).await),
        TokenRejection::Header(HeaderError::NotThreeSegments)
    );
    assert_eq!(f.fetcher.calls(), 0);
}

#[tokio::test]
async fn header_alg_other_than_the_key_alg_is_refused_even_with_a_valid_signature() {
    for algorithm in [Algorithm::PS256, Algorithm::RS512] {
        // Correctly signed with `algorithm`, but the key set says the key is for RS256.
        let signer = TestKey::rsa_with("K1", algorithm);
        let mut served = signer.jwk();
        served["alg"] = json!("RS256");
        let fetcher = MemoryFetcher::serving(json!({"keys": [served]}).to_string());
        let validator = SessionValidator::new(PROJECT, fetcher, ManualClock::starting_at(T0));
        let outcome = validator.validate_token(&signer.sign(&claims())).await;
        assert!(
            matches!(rejection(outcome), TokenRejection::AlgorithmMismatch { .. }),
            "{algorithm:?}"
        );
    }
}

#[tokio::test]
async fn header_without_kid_is_refused_without_fetching() {
    let f = fixture();
    let token = f.key.sign_with_header(&json!({"alg": "RS256"}), &claims());
    assert_eq!(
        rejection(f.validator.validate_token(&token).await),
        TokenRejection::MissingKid
    );
    assert_eq!(f.fetcher.calls(), 0);
}

#[tokio::test]
async fn unknown_kid_is_refused() {
    let f = fixture();
    let stranger = TestKey::rsa("K2");
    assert_eq!(
        rejection(f.validator.validate_token(&stranger.sign(&claims())).await),
        TokenRejection::UnknownKid
    );
}

#[tokio::test]
async fn a_signature_by_another_key_or_over_other_claims_is_refused() {
    let f = fixture();
    let impostor = TestKey::rsa("K1");
    assert_eq!(
        rejection(f.validator.validate_token(&impostor.sign(&claims())).await),
        TokenRejection::BadSignature
    );
    let genuine = f.key.sign(&claims());
    let (_, signature) = genuine.rsplit_once('.').unwrap();
    let header = json!({"alg": "RS256", "kid": "K1", "typ": "JWT"});
    let forged_claims = claims_with(json!({"roles": ["teacher", "admin"]}));
    let tampered = format!("{}.{signature}", signing_input(&header, &forged_claims));
    assert_eq!(
        rejection(f.validator.validate_token(&tampered).await),
        TokenRejection::BadSignature
    );
}

#[tokio::test]
async fn signed_garbage_claims_are_refused() {
    let f = fixture();
    let header = b64(json!({"alg": "RS256", "kid": "K1"}).to_string().as_bytes());
    for payload in [
        b"not json".as_slice(),
        b"[1,2]",
        br#"{"roles":[],"roles":["teacher"]}"#,
    ] {
        let token = f.key.sign_input(&format!("{header}.{}", b64(payload)));
        assert!(matches!(
            rejection(f.validator.validate_token(&token).await),
            TokenRejection::Undecodable(_)
        ));
    }
}

#[tokio::test]
async fn claim_rules_apply_after_the_signature() {
    let f = fixture();
    let cases = [
        (
            json!({"roles": "preteacher"}),
            ClaimsError::NotAListOfStrings("roles"),
        ),
        (json!({"drn": "DSR"}), ClaimsError::RefreshToken),
        (
            json!({"iss": "https://api.descope.com/P2Other"}),
            ClaimsError::WrongIssuer,
        ),
        (json!({"aud": "P2Other"}), ClaimsError::WrongAudience),
        (
            json!({"tenants": {"T1": {"roles": "admin"}}}),
            ClaimsError::NotAListOfStrings("tenants.roles"),
        ),
    ];
    for (change, expected) in cases {
        let token = f.key.sign(&claims_with(change));
        assert_eq!(
            rejection(f.validator.validate_token(&token).await),
            TokenRejection::Claims(expected)
        );
    }
    let mut no_exp = claims();
    no_exp.as_object_mut().unwrap().remove("exp");
    assert_eq!(
        rejection(f.validator.validate_token(&f.key.sign(&no_exp)).await),
        TokenRejection::Claims(ClaimsError::MissingExpiry)
    );
}

#[tokio::test]
async fn tenant_grants_come_through() {
    let f = fixture();
    let token = f.key.sign(&claims_with(json!({
        "tenants": {"T1": {"roles": ["admin"], "permissions": ["read"]}}
    })));
    let session = f.validator.validate_token(&token).await.unwrap();
    assert!(session.validate_tenant_roles("T1", &["admin"]));
    assert!(session.validate_tenant_permissions("T1", &["read"]));
    assert!(!session.validate_tenant_roles("T2", &[]));
}

#[tokio::test]
async fn expiry_leeway_follows_the_injected_clock() {
    let f = fixture();
    let token = f.key.sign(&claims_with(json!({"exp": T0 + 10})));
    f.clock.advance(Duration::from_secs(14));
    assert!(
        f.validator.validate_token(&token).await.is_ok(),
        "4 s past exp is within leeway"
    );
    f.clock.advance(Duration::from_secs(1));
    assert_eq!(
        rejection(f.validator.validate_token(&token).await),
        TokenRejection::Claims(ClaimsError::Expired { seconds_ago: 5 })
    );
}

#[tokio::test]
async fn not_before_and_issued_at_leeway_follow_the_injected_clock() {
    let f = fixture();
    let early = f.key.sign(&claims_with(json!({"nbf": T0 + 6, "iat": T0})));
    let future_iat = f.key.sign(&claims_with(json!({"iat": T0 + 6})));
    assert_eq!(
        rejection(f.validator.validate_token(&early).await),
        TokenRejection::Claims(ClaimsError::NotYetValid { seconds: 6 })
    );
    assert_eq!(
        rejection(f.validator.validate_token(&future_iat).await),
        TokenRejection::Claims(ClaimsError::IssuedInFuture { seconds: 6 })
    );
    f.clock.advance(Duration::from_secs(1));
    assert!(f.validator.validate_token(&early).await.is_ok());
    assert!(f.validator.validate_token(&future_iat).await.is_ok());
}

#[tokio::test]
async fn nothing_cached_and_fetch_failed_is_keys_unavailable() {
    let fetcher = MemoryFetcher::failing(FetchError::Status(503));
    let clock = ManualClock::starting_at(T0);
    let validator = SessionValidator::new(PROJECT, Arc::clone(&fetcher), Arc::clone(&clock));
    let token = TestKey::rsa("K1").sign(&claims());
    let error = validator.validate_token(&token).await.unwrap_err();
    assert_eq!(
        error,
        AuthError::KeysUnavailable {
            reason: "key server answered HTTP 503".into(),
            retry_after: Duration::from_secs(5),
        }
    );
    assert_eq!(error.to_response().status(), 503);
}

#[tokio::test]
async fn header_rules_run_before_any_key_fetch() {
    let f = fixture();
    let token = f.key.sign(&claims());
    let bearer = HeaderValue::from_str(&format!("Bearer {token}")).unwrap();
    let mut two = HeaderMap::new();
    two.append(AUTHORIZATION, bearer.clone());
    two.append(AUTHORIZATION, bearer);
    assert_eq!(
        rejection(f.validator.validate_headers(&two).await),
        TokenRejection::Header(HeaderError::Multiple)
    );
    let mut doubled = HeaderMap::new();
    let value = HeaderValue::from_str(&format!("Bearer Bearer {token}")).unwrap();
    doubled.insert(AUTHORIZATION, value);
    assert!(matches!(
        rejection(f.validator.validate_headers(&doubled).await),
        TokenRejection::Header(_)
    ));
    assert_eq!(f.fetcher.calls(), 0);

    let mut good = HeaderMap::new();
    good.insert(
        AUTHORIZATION,
        HeaderValue::from_str(&format!("bearer  {token}")).unwrap(),
    );
    assert!(f.validator.validate_headers(&good).await.is_ok());
}
