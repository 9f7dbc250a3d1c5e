//! The one place where validation failures become HTTP responses.

use std::time::Duration;

use http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{Response, StatusCode};
use lambda_http::Body;

use crate::bearer::HeaderError;
use crate::claims::ClaimsError;

/// The body of every 401: the wording of the Descope tutorial's Flask API.
pub const INVALID_TOKEN_MESSAGE: &str = "❌ invalid session token!";
/// The body of every 503: the token was not judged, for want of keys or of fresh enough keys.
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

/// Failure of session validation: either the token is bad (401) or it could not be judged yet
/// (503, with the seconds until the key cache may fetch again).
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum AuthError {
    #[error("invalid session token: {0}")]
    InvalidToken(#[from] TokenRejection),
    /// No usable keys: none fetched yet, or the last good ones dropped after failing refreshes.
    #[error("signing keys unavailable: {reason}")]
    KeysUnavailable {
        reason: String,
        retry_after: Duration,
    },
    /// The token names a key the cache lacks, the cache may not refetch yet, and its keys are not
    /// clearly newer than the token: the key may be newer than the cache, so a 401 (which signs
    /// the user out) would be a guess.
    #[error(
        "no signing key with the token's kid among keys fetched before the token was issued; \
         a refetch is allowed in {} s",
        whole_seconds(*retry_after)
    )]
    KidNotYetFetched { retry_after: Duration },
}

/// `Retry-After` counts whole seconds; rounding up keeps a client from coming back early, and a
/// retry is never due "now" while the cache still holds fetches back.
fn whole_seconds(duration: Duration) -> u64 {
    let seconds = duration.as_secs() + u64::from(duration.subsec_nanos() > 0);
    seconds.max(1)
}

#[derive(serde::Serialize)]
struct ErrorBody {
    error: &'static str,
}

impl AuthError {
    pub fn status(&self) -> StatusCode {
        match self {
            AuthError::InvalidToken(_) => StatusCode::UNAUTHORIZED,
            AuthError::KeysUnavailable { .. } | AuthError::KidNotYetFetched { .. } => {
                StatusCode::SERVICE_UNAVAILABLE
            }
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
            AuthError::KeysUnavailable { retry_after, .. }
            | AuthError::KidNotYetFetched { retry_after } => {
                let mut response = json_response(
                    self.status(),
                    &ErrorBody {
                        error: KEYS_UNAVAILABLE_MESSAGE,
                    },
                );
                // When the key cache may fetch again: asking sooner would find the same keys.
                response
                    .headers_mut()
                    .insert(RETRY_AFTER, HeaderValue::from(whole_seconds(*retry_after)));
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
        let cases = [
            AuthError::KeysUnavailable {
                reason: "connection refused".into(),
                retry_after: Duration::from_secs(5),
            },
            AuthError::KidNotYetFetched {
                retry_after: Duration::from_secs(5),
            },
        ];
        for error in cases {
            let response = error.to_response();
            assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
            assert_eq!(
                body_json(&response),
                serde_json::json!({"error": "authentication service unavailable"})
            );
            let headers = response.headers();
            assert!(headers.get(WWW_AUTHENTICATE).is_none());
            assert_eq!(headers[CONTENT_TYPE], "application/json");
            assert_eq!(headers[CACHE_CONTROL], "no-store");
            assert_eq!(headers[RETRY_AFTER], "5");
        }
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds_and_is_never_zero() {
        let retry_after = |retry_after| {
            AuthError::KidNotYetFetched { retry_after }
                .to_response()
                .headers()[RETRY_AFTER]
                .to_str()
                .unwrap()
                .to_owned()
        };
        assert_eq!(retry_after(Duration::from_millis(19_001)), "20");
        assert_eq!(retry_after(Duration::from_secs(20)), "20");
        assert_eq!(retry_after(Duration::ZERO), "1");
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
