//! CORS for a frontend on another loopback port calling the stand-in directly.
//!
//! The SDK sends every request with `credentials: 'include'` and custom `x-descope-*` headers, so
//! browsers preflight each call and demand the exact origin (never `*`) plus
//! `Access-Control-Allow-Credentials: true` on the preflight and on the response itself, errors
//! included: without them the SDK sees a network error instead of the 401 it acts on.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::errors::ApiError;

const ALLOWED_METHODS: &str = "GET, POST, OPTIONS";
/// Browsers cap this (Chromium at 2 hours); ten minutes keeps repeated preflights rare.
const PREFLIGHT_MAX_AGE_SECS: &str = "600";

pub async fn cors(request: Request, next: Next) -> Response {
    let origin = request.headers().get(header::ORIGIN).cloned();
    let Some(origin) = origin else {
        // Not a browser cross-origin call (curl, the backend fetching keys, a same-origin proxy).
        return next.run(request).await;
    };
    let allowed = is_allowed_origin(&origin);

    if is_preflight(&request) {
        if !allowed {
            return ApiError::CorsOriginRejected.into_response();
        }
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::NO_CONTENT;
        let headers = response.headers_mut();
        allow_origin(headers, origin);
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static(ALLOWED_METHODS),
        );
        if let Some(requested) = request
            .headers()
            .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
        {
            headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, requested.clone());
            headers.append(
                header::VARY,
                HeaderValue::from_static("Access-Control-Request-Headers"),
            );
        }
        // Chromium's Private Network Access asks before a page reaches a more private address.
        if request
            .headers()
            .get("access-control-request-private-network")
            .is_some_and(|value| value == "true")
        {
            headers.insert(
                "access-control-allow-private-network",
                HeaderValue::from_static("true"),
            );
        }
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static(PREFLIGHT_MAX_AGE_SECS),
        );
        return response;
    }

    let mut response = next.run(request).await;
    if allowed {
        allow_origin(response.headers_mut(), origin);
    }
    response
}

fn is_preflight(request: &Request) -> bool {
    request.method() == Method::OPTIONS
        && request
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
}

fn allow_origin(headers: &mut HeaderMap, origin: HeaderValue) {
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
        HeaderValue::from_static("true"),
    );
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
}

/// `http://127.0.0.1`, `http://localhost` or `http://[::1]`, with an optional port, and nothing
/// else: the stand-in hands out tokens, so no page from the network may read its answers.
pub fn is_allowed_origin(origin: &HeaderValue) -> bool {
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    let Some(authority) = origin.strip_prefix("http://") else {
        return false;
    };
    let port = ["127.0.0.1", "localhost", "[::1]"]
        .iter()
        .find_map(|host| authority.strip_prefix(host));
    match port {
        Some("") => true,
        Some(port) => port.strip_prefix(':').is_some_and(|digits| {
            !digits.is_empty() && digits.len() <= 5 && digits.bytes().all(|b| b.is_ascii_digit())
        }),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_http_origins_are_allowed() {
        for origin in [
            "http://127.0.0.1:5173",
            "http://localhost:5173",
            "http://localhost",
            "http://[::1]:4173",
        ] {
            assert!(
                is_allowed_origin(&HeaderValue::from_static(origin)),
                "{origin}"
            );
        }
        for origin in [
            "null",
            "https://127.0.0.1:5173",
            "http://127.0.0.1.evil.example:5173",
            "http://localhost.evil.example",
            "http://localhost:5173/path",
            "http://localhost:",
            "http://localhost:51730000",
            "http://127.0.0.2:5173",
            "http://example.com",
        ] {
            assert!(
                !is_allowed_origin(&HeaderValue::from_static(origin)),
                "{origin}"
            );
        }
    }
}
