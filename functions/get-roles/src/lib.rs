//! `GET /get_roles`: the caller's roles and the tutorial's secret message, for a valid Descope
//! session.
//!
//! The handler does not look at the method or path: API Gateway routes only `GET /get_roles` here
//! (and `cargo lambda watch` routes by function), so a second routing table in the function could
//! only disagree with the real one. Every request, whatever its path, still needs a valid session.

use descope_auth::{Clock, KeyFetcher, SessionValidator, json_response};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Serialize;

pub const SECRET_MESSAGE: &str = "You are now a trained Descope user!";

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RolesBody<'a> {
    secret_message: &'static str,
    roles: &'a [String],
}

/// Answers one request, in the span `api_startup::serve` opens for it: 200 with the session's
/// roles, or the auth crate's 401/503.
pub async fn get_roles<F: KeyFetcher, C: Clock>(
    validator: &SessionValidator<F, C>,
    request: &Request,
) -> Response<Body> {
    match validator.validate_headers(request.headers()).await {
        Ok(session) => json_response(
            StatusCode::OK,
            &RolesBody {
                secret_message: SECRET_MESSAGE,
                roles: session.roles(),
            },
        ),
        Err(error) => error.to_response(),
    }
}
