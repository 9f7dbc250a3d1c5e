//! Authorization values that every function must refuse with the fixed 401.

use crate::{TestKey, b64, session_claims, signing_input};
use serde_json::json;

pub struct RefusedCase {
    pub name: &'static str,
    pub authorization: Vec<String>,
}

/// `key` is the key the key server serves.
pub fn refused_cases(project_id: &str, key: &TestKey) -> Vec<RefusedCase> {
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
        RefusedCase {
            name: "no Authorization header",
            authorization: vec![],
        },
        RefusedCase {
            name: "Basic scheme",
            authorization: vec!["Basic dGVhY2hlckBleGFtcGxlLmNvbTpkZW1vLXBhc3N3b3Jk".into()],
        },
        RefusedCase {
            name: "token without a scheme",
            authorization: vec![valid.clone()],
        },
        RefusedCase {
            name: "Bearer Bearer",
            authorization: vec![format!("Bearer Bearer {valid}")],
        },
        RefusedCase {
            name: "empty token",
            authorization: vec!["Bearer ".into()],
        },
        RefusedCase {
            name: "not a JWT",
            authorization: bearer("not-a-jwt"),
        },
        RefusedCase {
            name: "tampered payload",
            authorization: bearer(&tampered),
        },
        RefusedCase {
            name: "signed by another key with the same kid",
            authorization: bearer(&impostor),
        },
        RefusedCase {
            name: "alg none",
            authorization: bearer(&unsigned),
        },
        RefusedCase {
            name: "expired",
            authorization: bearer(&key.sign(&expired)),
        },
        RefusedCase {
            name: "refresh token",
            authorization: bearer(&key.sign(&refresh)),
        },
        RefusedCase {
            name: "issued for another project",
            authorization: bearer(&key.sign(&other_project)),
        },
        RefusedCase {
            name: "roles as a string",
            authorization: bearer(&key.sign(&string_roles)),
        },
        RefusedCase {
            name: "over 8192 bytes",
            authorization: bearer(&format!("{valid}{}", "A".repeat(8192))),
        },
    ]
}

/// A session token for `roles`, valid now and signed by `key`: the accepted cases.
pub fn session_for(project_id: &str, key: &TestKey, roles: &[&str]) -> String {
    key.sign(&session_claims(project_id, roles))
}
