//! `GET /get_role_data`: which of the dashboard's sections (teacher, student) the caller's
//! Descope session grants.
//!
//! The handler does not look at the method or path: API Gateway routes only `GET /get_role_data`
//! here (and `cargo lambda watch` routes by function), so a second routing table in the function
//! could only disagree with the real one. Every request, whatever its path, still needs a valid
//! session.

use descope_auth::{Clock, KeyFetcher, SessionValidator, json_response};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;

#[derive(Debug, Serialize)]
struct RoleDataBody {
    valid_teacher: bool,
    valid_student: bool,
}

/// Answers one request: 200 with the role flags, or the auth crate's 401/503.
// The request (and so its Authorization header) is never recorded. The request id is, because
// the JSON log shows only the innermost span, which is this one, not the runtime's.
#[tracing::instrument(name = "get_role_data", skip_all, fields(requestId, status))]
pub async fn get_role_data<F: KeyFetcher, C: Clock>(
    validator: &SessionValidator<F, C>,
    request: &Request,
) -> Response<Body> {
    if let Some(context) = request.lambda_context_ref() {
        tracing::Span::current().record("requestId", context.request_id.as_str());
    }
    let response = match validator.validate_headers(request.headers()).await {
        Ok(session) => json_response(
            StatusCode::OK,
            &RoleDataBody {
                valid_teacher: session.validate_roles(&["teacher"]),
                valid_student: session.validate_roles(&["student"]),
            },
        ),
        Err(error) => error.to_response(),
    };
    tracing::Span::current().record("status", response.status().as_u16());
    response
}
