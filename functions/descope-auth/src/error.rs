//! The one place where validation failures become HTTP responses.

use http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{Response, StatusCode};
use lambda_http::Body;

use crate::bearer::HeaderError;
use crate::claims::ClaimsError;

/// The body of every 401: the wording of the Descope tutorial's Flask API.
pub const INVALID_TOKEN_MESSAGE: &str = "❌ invalid session token!";
/// The body of every 503: keys could not be obtained, the token was not judged.
pub const KEYS_UNAVAILABLE_MESSAGE: &str = "authentication service unavailable";

/// Why a token was refused. Goes to the log, never to the client.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum TokenRejection {
    #[error(transparent)]
    Header(#[from] HeaderError),
    #[error("token header is unreadable or names an unsupported algorithm: {0}")]
    UnreadableHeader(String),
    #[error("token header has no kid")]
    MissingKid,
    #[error("no signing key with the token's kid")]
    UnknownKid,
    #[error("token alg {token} differs from the key's alg {key}")]
    AlgorithmMismatch { token: String, key: String },
    #[error("signature does not verify")]
    BadSignature,
    #[error("token could not be decoded: {0}")]
    Undecodable(String),
    #[error(transparent)]
    Claims(#[from] ClaimsError),
}

/// Failure of session validation: either the token is bad (401) or the keys to judge it could
/// not be obtained (503).
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum AuthError {
    #[error("invalid session token: {0}")]
    InvalidToken(#[from] TokenRejection),
    #[error("signing keys unavailable: {0}")]
    KeysUnavailable(String),
}

#[derive(serde::Serialize)]
struct ErrorBody {
    error: &'static str,
}

impl AuthError {
    pub fn status(&self) -> StatusCode {
        match self {
            AuthError::InvalidToken(_) => StatusCode::UNAUTHORIZED,
            AuthError::KeysUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The client's view of the failure: a fixed body per status, no detail.
    pub fn to_response(&self) -> Response<Body> {
        match self {
            AuthError::InvalidToken(_) => {
                let mut response = json_response(
                    self.status(),
                    &ErrorBody {
                        error: INVALID_TOKEN_MESSAGE,
                    },
                );
                response.headers_mut().insert(
                    WWW_AUTHENTICATE,
                    HeaderValue::from_static(r#"Bearer error="invalid_token""#),
                );
                response
            }
            AuthError::KeysUnavailable(_) => {
                let mut response = json_response(
                    self.status(),
                    &ErrorBody {
                        error: KEYS_UNAVAILABLE_MESSAGE,
                    },
                );
                // The key cache waits this long after a failed fetch before trying again.
                response
                    .headers_mut()
                    .insert(RETRY_AFTER, HeaderValue::from_static("5"));
                response
            }
        }
    }
}

/// A JSON response that no cache keeps: every API answer depends on who asks.
pub fn json_response(status: StatusCode, body: &impl serde::Serialize) -> Response<Body> {
    let (status, text) = match serde_json::to_string(body) {
        Ok(text) => (status, text),
        Err(error) => {
            tracing::error!(%error, "response body could not be serialised");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                r#"{"error":"internal error"}"#.to_owned(),
            )
        }
    };
    let mut response = Response::new(Body::Text(text));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_json(response: &Response<Body>) -> serde_json::Value {
        match response.body() {
            Body::Text(text) => serde_json::from_str(text).unwrap(),
            other => panic!("expected a text body, got {other:?}"),
        }
    }

    #[test]
    fn invalid_token_is_401_with_the_fixed_body_and_challenge() {
        let response = AuthError::InvalidToken(TokenRejection::BadSignature).to_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            body_json(&response),
            serde_json::json!({"error": "❌ invalid session token!"})
        );
        let headers = response.headers();
        assert_eq!(headers[WWW_AUTHENTICATE], r#"Bearer error="invalid_token""#);
        assert_eq!(headers[CONTENT_TYPE], "application/json");
        assert_eq!(headers[CACHE_CONTROL], "no-store");
    }

    #[test]
    fn keys_unavailable_is_503_with_the_fixed_body_and_no_challenge() {
        let response = AuthError::KeysUnavailable("connection refused".into()).to_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            body_json(&response),
            serde_json::json!({"error": "authentication service unavailable"})
        );
        let headers = response.headers();
        assert!(headers.get(WWW_AUTHENTICATE).is_none());
        assert_eq!(headers[CONTENT_TYPE], "application/json");
        assert_eq!(headers[CACHE_CONTROL], "no-store");
    }

    #[test]
    fn the_reason_never_reaches_the_body() {
        let reason = "kid-secret-detail";
        let response =
            AuthError::InvalidToken(TokenRejection::Undecodable(reason.into())).to_response();
        let Body::Text(text) = response.body() else {
            panic!("text body")
        };
        assert!(!text.contains(reason));
    }

    #[test]
    fn json_response_sets_the_shared_headers() {
        let response = json_response(StatusCode::OK, &serde_json::json!({"roles": ["teacher"]}));
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
        assert_eq!(response.headers()[CACHE_CONTROL], "no-store");
        assert_eq!(
            body_json(&response),
            serde_json::json!({"roles": ["teacher"]})
        );
    }
}
