//! The token's JOSE header: only what choosing a key needs, read without jsonwebtoken's full
//! `Header` (whose flattened extra fields cost more than the rest of a warm validation).

use std::str::FromStr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::Algorithm;
use serde::Deserialize;
use serde::de::IgnoredAny;

/// The header fields this crate acts on.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct JoseHeader {
    pub(crate) algorithm: Algorithm,
    pub(crate) kid: Option<String>,
}

#[derive(Deserialize)]
struct RawHeader {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    crit: Option<IgnoredAny>,
}

/// Why the header cannot be used; carries no header content.
#[derive(Debug, Clone, Copy, thiserror::Error, PartialEq, Eq)]
pub(crate) enum JoseError {
    #[error("header is not base64url")]
    NotBase64,
    #[error("header is not a JSON object with a string alg (and a string kid, if any)")]
    NotJson,
    #[error("header alg is not a supported JWS algorithm")]
    UnsupportedAlgorithm,
    #[error("header has a crit parameter; no extensions are understood")]
    CriticalExtension,
}

pub(crate) fn parse_header(encoded: &str) -> Result<JoseHeader, JoseError> {
    let json = URL_SAFE_NO_PAD
        .decode(encoded)
        .map_err(|_| JoseError::NotBase64)?;
    if !is_json_object(&json) {
        return Err(JoseError::NotJson);
    }
    let raw: RawHeader = serde_json::from_slice(&json).map_err(|_| JoseError::NotJson)?;
    // RFC 7515 §4.1.11: extensions listed in crit must be understood, and we understand none.
    if raw.crit.is_some() {
        return Err(JoseError::CriticalExtension);
    }
    let algorithm = Algorithm::from_str(&raw.alg).map_err(|_| JoseError::UnsupportedAlgorithm)?;
    Ok(JoseHeader {
        algorithm,
        kid: raw.kid,
    })
}

/// Serde's derived structs also accept JSON arrays (fields by position); a JOSE header or a
/// claims set is an object and nothing else.
pub(crate) fn is_json_object(json: &[u8]) -> bool {
    json.trim_ascii_start().first() == Some(&b'{')
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;

    fn parse(json: &str) -> Result<JoseHeader, JoseError> {
        parse_header(&URL_SAFE_NO_PAD.encode(json))
    }

    #[test]
    fn descope_header_is_read() {
        assert_eq!(
            parse(r#"{"alg":"RS256","kid":"K1","typ":"JWT"}"#),
            Ok(JoseHeader {
                algorithm: Algorithm::RS256,
                kid: Some("K1".into())
            })
        );
        assert_eq!(
            parse(r#"{"alg":"ES384"}"#),
            Ok(JoseHeader {
                algorithm: Algorithm::ES384,
                kid: None
            })
        );
    }

    #[test]
    fn unusable_headers_are_refused() {
        assert_eq!(
            parse(r#"{"alg":"none","kid":"K1"}"#),
            Err(JoseError::UnsupportedAlgorithm)
        );
        assert_eq!(
            parse(r#"{"alg":"rs256","kid":"K1"}"#),
            Err(JoseError::UnsupportedAlgorithm)
        );
        assert_eq!(parse(r#"{"kid":"K1"}"#), Err(JoseError::NotJson));
        assert_eq!(parse(r#"{"alg":"RS256","kid":7}"#), Err(JoseError::NotJson));
        assert_eq!(
            parse(r#"{"alg":"RS256","alg":"HS256"}"#),
            Err(JoseError::NotJson)
        );
        assert_eq!(parse(r#"["RS256"]"#), Err(JoseError::NotJson));
        assert_eq!(
            parse(r#"{"alg":"RS256","kid":"K1","crit":["exp"]}"#),
            Err(JoseError::CriticalExtension)
        );
        assert_eq!(parse_header("e30="), Err(JoseError::NotBase64));
    }
}
