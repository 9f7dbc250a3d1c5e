//! Tokens the API must refuse, made here: a real token with its claims rewritten, and a forged one
//! that no key of Descope's signed.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

/// `token` with its `roles` claim set to teacher and student, header and signature kept: what a
/// user who edits their own token to gain a role sends. `None` if `token` is not a JWT.
pub fn with_roles_rewritten(token: &str) -> Option<String> {
    let mut parts = token.split('.');
    let (header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let mut claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    claims
        .as_object_mut()?
        .insert("roles".to_owned(), json!(["teacher", "student"]));
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    Some(format!("{header}.{payload}.{signature}"))
}

/// A session token shaped like Descope's (RS256, a `kid`, Descope's claims, a 2048-bit signature's
/// length) under a key ID no key set holds, with a signature of filler bytes.
///
/// Issued an hour ago: the backend answers an unknown `kid` with 503 "retry" while its keys may
/// predate the token (the key-cache rules in functions/descope-auth), and keys fetched an hour
/// after a token's `iat` cannot, so the only right answer is 401. It expires in an hour, so it is not refused for its age.
pub fn forged() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or_default();
    let header = json!({ "alg": "RS256", "typ": "JWT", "kid": "P2ApiCheckForgedKey" });
    let claims = json!({
        "amr": ["pwd"],
        "drn": "DS",
        "exp": now + 3600,
        "iat": now.saturating_sub(3600),
        "iss": "https://api.descope.com/P2ApiCheckForgedProject",
        "sub": "U2ApiCheckForged",
        "roles": ["teacher", "student"],
        "permissions": [],
        "tenants": {},
    });
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode([0x5a_u8; 256]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(token: &str) -> Value {
        let payload = token.split('.').nth(1).unwrap();
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
    }

    #[test]
    fn rewriting_roles_keeps_header_signature_and_other_claims() {
        let original = format!(
            "eyJhbGciOiJSUzI1NiJ9.{}.c2lnbmF0dXJl",
            URL_SAFE_NO_PAD.encode(r#"{"sub":"U2LocalStudent","roles":["student"]}"#)
        );
        let rewritten = with_roles_rewritten(&original).unwrap();
        assert_eq!(rewritten.split('.').next(), original.split('.').next());
        assert_eq!(rewritten.split('.').nth(2), original.split('.').nth(2));
        assert_eq!(
            claims(&rewritten),
            json!({ "sub": "U2LocalStudent", "roles": ["teacher", "student"] })
        );
        assert_eq!(with_roles_rewritten("not.a.jwt"), None);
        assert_eq!(with_roles_rewritten("a.b"), None);
    }

    #[test]
    fn the_forged_token_was_issued_an_hour_ago_and_expires_in_an_hour() {
        let claims = claims(&forged());
        let exp = claims["exp"].as_u64().unwrap();
        let iat = claims["iat"].as_u64().unwrap();
        assert_eq!(exp - iat, 7200);
        assert_eq!(claims["drn"], "DS");
    }
}
