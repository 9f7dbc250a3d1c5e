//! `GET /get_roles`: the caller's roles and the tutorial's secret message, for a valid Descope
//! session.
//!
//! The handler does not look at the method or path: API Gateway routes only `GET /get_roles` here
//! (and `cargo lambda watch` routes by function), so a second routing table in the function could
//! only disagree with the real one. Every request, whatever its path, still needs a valid session.

use descope_auth::{Clock, KeyFetcher, SessionValidator, json_response};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;

pub const SECRET_MESSAGE: &str = "You are now a trained Descope user!";

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RolesBody<'a> {
    secret_message: &'static str,
    roles: &'a [String],
}

/// Answers one request: 200 with the session's roles, or the auth crate's 401/503.
// The request (and so its Authorization header) is never recorded. The request id is, because
// the JSON log shows only the innermost span, which is this one, not the runtime's.
#[tracing::instrument(name = "get_roles", skip_all, fields(requestId, status))]
pub async fn get_roles<F: KeyFetcher, C: Clock>(
    validator: &SessionValidator<F, C>,
    request: &Request,
) -> Response<Body> {
    if let Some(context) = request.lambda_context_ref() {
        tracing::Span::current().record("requestId", context.request_id.as_str());
    }
    let response = match validator.validate_headers(request.headers()).await {
        Ok(session) => json_response(
            StatusCode::OK,
            &RolesBody {
                secret_message: SECRET_MESSAGE,
                roles: session.roles(),
            },
        ),
        Err(error) => error.to_response(),
    };
    tracing::Span::current().record("status", response.status().as_u16());
    response
}
