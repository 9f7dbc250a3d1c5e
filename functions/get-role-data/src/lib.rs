//! `GET /get_role_data`: which of the dashboard's sections (teacher, student) the caller's
//! Descope session grants.
//!
//! The handler does not look at the method or path: API Gateway routes only `GET /get_role_data`
//! here (and `cargo lambda watch` routes by function), so a second routing table in the function
//! could only disagree with the real one. Every request, whatever its path, still needs a valid
//! session.

use descope_auth::{Clock, KeyFetcher, SessionValidator, json_response};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Serialize;

#[derive(Debug, Serialize)]
struct RoleDataBody {
    valid_teacher: bool,
    valid_student: bool,
}

/// Answers one request, in the span `api_startup::serve` opens for it: 200 with the role flags,
/// or the auth crate's 401/503.
pub async fn get_role_data<F: KeyFetcher, C: Clock>(
    validator: &SessionValidator<F, C>,
    request: &Request,
) -> Response<Body> {
    match validator.validate_headers(request.headers()).await {
        Ok(session) => json_response(
            StatusCode::OK,
            &RoleDataBody {
                valid_teacher: session.validate_roles(&["teacher"]),
                valid_student: session.validate_roles(&["student"]),
            },
        ),
        Err(error) => error.to_response(),
    }
}
