//! Every failure the stand-in answers, mapped to a Descope-style JSON body in one place.
//!
//! `@descope/core-js-sdk` always parses the body as JSON and passes `{errorCode,
//! errorDescription, errorMessage}` through to the app; it decides what to do from the HTTP
//! status alone (a 4xx from refresh, try-refresh or me clears the stored tokens). `E011001` and
//! `E011003` are the codes Descope's own SDKs name for malformed and invalid requests; the others
//! follow Descope's format but are the stand-in's own.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The body is not JSON, or not the JSON object the endpoint takes.
    MalformedRequest(String),
    /// A required field is missing or empty.
    InvalidRequest(String),
    /// The Authorization header names another project.
    ProjectMismatch,
    /// Unknown login ID or wrong password (deliberately indistinguishable).
    BadCredentials,
    /// No refresh token, or one that is not valid: bad signature, expired, revoked, a session
    /// token in its place.
    Unauthorized,
    UnknownProject,
    KeysUnavailable,
    NotFound,
    MethodNotAllowed,
    CorsOriginRejected,
    /// Signing a token failed: a fault of the stand-in, never of the request.
    Internal,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    pub error_code: &'static str,
    pub error_description: &'static str,
    pub error_message: String,
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::MalformedRequest(_) | Self::InvalidRequest(_) | Self::ProjectMismatch => {
                StatusCode::BAD_REQUEST
            }
            Self::UnknownProject => StatusCode::BAD_REQUEST,
            Self::BadCredentials | Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::KeysUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::CorsOriginRejected => StatusCode::FORBIDDEN,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn body(&self) -> ErrorBody {
        let (error_code, error_description, error_message) = match self {
            Self::MalformedRequest(detail) => ("E011001", "Request is malformed", detail.clone()),
            Self::InvalidRequest(detail) => ("E011003", "Request is invalid", detail.clone()),
            Self::ProjectMismatch => (
                "E011003",
                "Request is invalid",
                "The Authorization header names another project".to_owned(),
            ),
            Self::BadCredentials => (
                "E062108",
                "Failed to sign in",
                "Invalid login ID or password".to_owned(),
            ),
            Self::Unauthorized => (
                "E061301",
                "Unauthorized",
                "Missing, invalid, expired or revoked refresh token".to_owned(),
            ),
            Self::UnknownProject => (
                "E011003",
                "Request is invalid",
                "Unknown project ID".to_owned(),
            ),
            Self::KeysUnavailable => (
                "E010503",
                "Service unavailable",
                "Signing keys are unavailable (stand-in fault switch `keys_unavailable` is on)"
                    .to_owned(),
            ),
            Self::NotFound => ("E010404", "Not found", "No such endpoint".to_owned()),
            Self::MethodNotAllowed => (
                "E010405",
                "Method not allowed",
                "This endpoint does not take that method".to_owned(),
            ),
            Self::CorsOriginRejected => (
                "E010403",
                "Origin not allowed",
                "Only http://127.0.0.1:* and http://localhost:* origins may call the stand-in"
                    .to_owned(),
            ),
            Self::Internal => (
                "E010500",
                "Internal error",
                "The stand-in could not sign a token".to_owned(),
            ),
        };
        ErrorBody {
            error_code,
            error_description,
            error_message,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status(), Json(self.body())).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_carry_the_three_descope_fields() {
        let json = serde_json::to_value(ApiError::BadCredentials.body()).unwrap();
        assert_eq!(json["errorCode"], "E062108");
        assert!(json["errorDescription"].is_string());
        assert!(json["errorMessage"].is_string());
        assert_eq!(json.as_object().unwrap().len(), 3);
    }

    #[test]
    fn session_failures_are_4xx_so_the_sdk_clears_stale_tokens() {
        assert_eq!(ApiError::Unauthorized.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(ApiError::BadCredentials.status(), StatusCode::UNAUTHORIZED);
        assert!(ApiError::ProjectMismatch.status().is_client_error());
    }
}
