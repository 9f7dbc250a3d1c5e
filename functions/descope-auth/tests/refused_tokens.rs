//! Every kind of Authorization value the functions must refuse, through a validator as deployed
//! (keys over HTTP from the local key server): each gets the one fixed 401 response, whatever the
//! reason, so a caller learns nothing about why.

use descope_auth::{AuthError, Config, SessionValidator};
use http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, WWW_AUTHENTICATE};
use http::{HeaderMap, HeaderValue, StatusCode};
use serde_json::{Value, json};
use test_support::{KeyServer, PROJECT_ID, TestKey, TestKeys, b64, session_claims, signing_input};

struct RefusedCase {
    name: &'static str,
    authorization: Vec<String>,
}

#[tokio::test]
async fn every_refused_token_gets_the_fixed_401_with_its_challenge() {
    let keys = TestKeys::generate();
    let key_server = KeyServer::start(PROJECT_ID, keys.jwks_json()).await;
    let config = Config::new(PROJECT_ID, Some(&key_server.base_uri())).expect("config");
    let validator = SessionValidator::from_config(&config).expect("validator");

    for case in refused_cases(PROJECT_ID, keys.key()) {
        let mut headers = HeaderMap::new();
        for value in &case.authorization {
            headers.append(
                AUTHORIZATION,
                HeaderValue::from_str(value).expect("a header"),
            );
        }
        let name = case.name;
        let error = validator.validate_headers(&headers).await.expect_err(name);
        assert!(
            matches!(error, AuthError::InvalidToken(_)),
            "{name}: {error:?}"
        );
        let response = error.to_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{name}");
        let body: Value = serde_json::from_slice(response.body()).expect("a JSON body");
        assert_eq!(
            body,
            json!({"error": "❌ invalid session token!"}),
            "{name}"
        );
        let headers = response.headers();
        assert_eq!(
            headers[WWW_AUTHENTICATE], r#"Bearer error="invalid_token""#,
            "{name}"
        );
        assert_eq!(headers[CONTENT_TYPE], "application/json", "{name}");
        assert_eq!(headers[CACHE_CONTROL], "no-store", "{name}");
    }
    assert_eq!(
        key_server.hits(),
        1,
        "the refusals cost one key fetch, whatever kid the tokens name"
    );
}

fn case(name: &'static str, authorization: Vec<String>) -> RefusedCase {
    RefusedCase {
        name,
        authorization,
    }
}

/// `key` is the key the key server serves.
fn refused_cases(project_id: &str, key: &TestKey) -> Vec<RefusedCase> {
    let claims = session_claims(project_id, &["teacher"]);
    let valid = key.sign(&claims);
    let now = claims["iat"].as_u64().expect("iat");

    let mut expired = claims.clone();
    expired["iat"] = json!(now - 700);
    expired["exp"] = json!(now - 100);

    let mut refresh = claims.clone();
    refresh["drn"] = json!("DSR");

    let mut other_project = claims.clone();
    other_project["iss"] = json!("https://api.descope.com/P2SomeoneElsesProject");

    let mut string_roles = claims.clone();
    string_roles["roles"] = json!("preteacher");

    // The signed token with its payload swapped for one granting more: the signature no longer
    // matches.
    let tampered = {
        let mut granted = claims.clone();
        granted["roles"] = json!(["teacher", "student", "admin"]);
        let parts: Vec<&str> = valid.split('.').collect();
        format!(
            "{}.{}.{}",
            parts[0],
            b64(granted.to_string().as_bytes()),
            parts[2]
        )
    };
    // A different private key that claims the served key's kid.
    let impostor = TestKey::rsa(key.kid()).sign(&claims);
    let unsigned = format!(
        "{}.",
        signing_input(
            &json!({"alg": "none", "kid": key.kid(), "typ": "JWT"}),
            &claims
        )
    );
    let bearer = |token: &str| vec![format!("Bearer {token}")];

    vec![
        case("no Authorization header", vec![]),
        case(
            "Basic scheme",
            vec!["Basic dGVhY2hlckBleGFtcGxlLmNvbTpkZW1vLXBhc3N3b3Jk".into()],
        ),
        case("token without a scheme", vec![valid.clone()]),
        case("Bearer Bearer", vec![format!("Bearer Bearer {valid}")]),
        case("empty token", vec!["Bearer ".into()]),
        case("not a JWT", bearer("not-a-jwt")),
        case("tampered payload", bearer(&tampered)),
        case("signed by another key with the same kid", bearer(&impostor)),
        case("alg none", bearer(&unsigned)),
        case("expired", bearer(&key.sign(&expired))),
        case("refresh token", bearer(&key.sign(&refresh))),
        case(
            "issued for another project",
            bearer(&key.sign(&other_project)),
        ),
        case("roles as a string", bearer(&key.sign(&string_roles))),
        case(
            "over 8192 bytes",
            bearer(&format!("{valid}{}", "A".repeat(8192))),
        ),
    ]
}
