//! The smallest API function: answers a valid session with its roles, anything else with the
//! auth crate's 401 or 503. `api-startup`'s own tests run it as Lambda runs it, to check `serve`,
//! the key cache and the log once for every API function; it is never deployed.

use std::process::ExitCode;

use descope_auth::json_response;
use lambda_http::http::StatusCode;

fn main() -> ExitCode {
    api_startup::serve("roles-echo", |validator, request| async move {
        match validator.validate_headers(request.headers()).await {
            Ok(session) => json_response(
                StatusCode::OK,
                &serde_json::json!({"roles": session.roles()}),
            ),
            Err(error) => error.to_response(),
        }
    })
}
