//! The `/v1/auth/*` endpoints `@descope/react-sdk` calls for password sign-in, session refresh,
//! the current user and logout, with the request and response shapes of
//! `@descope/core-js-sdk` 2.70 / `@descope/web-js-sdk` 1.52.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::{AppState, JsonBody};
use crate::errors::ApiError;
use crate::tokens::{Session, SessionClaims, VerifiedRefresh, unix_now};
use crate::users::{self, UserResponse};

/// What `sdk.password.signIn(loginId, password, loginOptions)` posts. `loginOptions`,
/// `providerId` and the fingerprint data the web SDK may add are accepted and ignored.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInRequest {
    login_id: Option<String>,
    password: Option<String>,
}

/// What refresh, try-refresh and logout post: `{}`, or `{externalToken}` for migrations, which
/// the stand-in does not support and ignores.
#[derive(Debug, Deserialize)]
pub struct EmptyRequest {}

/// Descope's `JWTResponse`. The SDK persists `sessionJwt` (localStorage `DS`) and `refreshJwt`
/// (`DSR`), schedules its refresh from `sessionExpiration`, treats the user as signed in while
/// `sessionExpiration` is set, and publishes `user` and `claims` to the app.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JwtResponse {
    session_jwt: String,
    refresh_jwt: String,
    cookie_domain: &'static str,
    cookie_path: &'static str,
    cookie_max_age: u64,
    cookie_expiration: u64,
    session_expiration: u64,
    user: UserResponse,
    first_seen: bool,
    claims: SessionClaims,
}

impl JwtResponse {
    fn new(session: Session, now: u64) -> Self {
        JwtResponse {
            session_expiration: session.session_claims.exp,
            cookie_expiration: session.refresh_exp,
            cookie_max_age: session.refresh_exp.saturating_sub(now),
            cookie_domain: "",
            cookie_path: "/",
            user: session.user.to_response(),
            first_seen: false,
            claims: session.session_claims,
            session_jwt: session.session_jwt,
            refresh_jwt: session.refresh_jwt,
        }
    }
}

/// `POST /v1/auth/password/signin`.
pub async fn password_sign_in(
    State(state): State<Arc<AppState>>,
    JsonBody(request): JsonBody<SignInRequest>,
) -> Result<Json<JwtResponse>, ApiError> {
    let login_id = required(request.login_id, "loginId")?;
    let password = required(request.password, "password")?;
    let user = users::authenticate(&login_id, &password).ok_or_else(|| {
        tracing::info!("sign-in refused: unknown login ID or wrong password");
        ApiError::BadCredentials
    })?;
    let now = unix_now();
    let session = state.tokens.sign_in(user, now).map_err(signing_failed)?;
    tracing::info!(user_id = user.user_id, "signed in");
    Ok(Json(JwtResponse::new(session, now)))
}

/// `POST /v1/auth/try-refresh`: like refresh, but "no refresh token" is an ordinary answer
/// (`200 {}`), which is how the SDK learns on page load that nobody is signed in.
pub async fn try_refresh(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    JsonBody(_): JsonBody<EmptyRequest>,
) -> Result<Response, ApiError> {
    let Some(token) = refresh_token(&headers, &state.project_id)? else {
        return Ok(Json(serde_json::json!({})).into_response());
    };
    let now = unix_now();
    let refresh = state.tokens.verify_refresh(token, now)?;
    Ok(Json(JwtResponse::new(renew(&state, &refresh, now)?, now)).into_response())
}

/// `POST /v1/auth/refresh`.
pub async fn refresh(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    JsonBody(_): JsonBody<EmptyRequest>,
) -> Result<Json<JwtResponse>, ApiError> {
    let now = unix_now();
    let refresh = verified_refresh(&state, &headers, now)?;
    Ok(Json(JwtResponse::new(renew(&state, &refresh, now)?, now)))
}

/// `GET /v1/auth/me`: the signed-in user, found from the refresh token.
pub async fn me(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Json<UserResponse>, ApiError> {
    let refresh = verified_refresh(&state, &headers, unix_now())?;
    Ok(Json(refresh.user.to_response()))
}

/// `POST /v1/auth/logout`: revokes the refresh token, so it can neither refresh nor answer `me`.
pub async fn logout(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    JsonBody(_): JsonBody<EmptyRequest>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let now = unix_now();
    let refresh = verified_refresh(&state, &headers, now)?;
    state.tokens.revoke(&refresh, now);
    tracing::info!(user_id = refresh.user.user_id, "logged out");
    Ok(Json(serde_json::json!({})))
}

fn renew(state: &AppState, refresh: &VerifiedRefresh, now: u64) -> Result<Session, ApiError> {
    state.tokens.refresh(refresh, now).map_err(signing_failed)
}

fn verified_refresh(
    state: &AppState,
    headers: &HeaderMap,
    now: u64,
) -> Result<VerifiedRefresh, ApiError> {
    let token = refresh_token(headers, &state.project_id)?.ok_or(ApiError::Unauthorized)?;
    state.tokens.verify_refresh(token, now)
}

/// The refresh token from `Authorization: Bearer <projectId>:<refreshJwt>`, the SDK's format;
/// `None` when the SDK has no token and sends `Bearer <projectId>` alone, or no header at all.
fn refresh_token<'h>(
    headers: &'h HeaderMap,
    project_id: &str,
) -> Result<Option<&'h str>, ApiError> {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(ApiError::Unauthorized);
    }
    let value = value.to_str().map_err(|_| ApiError::Unauthorized)?;
    let (scheme, credentials) = value.split_once(' ').ok_or(ApiError::Unauthorized)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(ApiError::Unauthorized);
    }
    let credentials = credentials.trim();
    let (header_project, token) = credentials.split_once(':').unwrap_or((credentials, ""));
    if header_project != project_id {
        return Err(ApiError::ProjectMismatch);
    }
    Ok((!token.is_empty()).then_some(token))
}

pub(super) fn signing_failed(err: crate::tokens::TokenError) -> ApiError {
    tracing::error!(%err, "could not issue a token");
    ApiError::Internal
}

pub(super) fn required(value: Option<String>, field: &str) -> Result<String, ApiError> {
    value
        .filter(|value| !value.is_empty())
        .ok_or_else(|| ApiError::InvalidRequest(format!("The {field} field is required")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(values: &[&'static str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(header::AUTHORIZATION, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn reads_the_sdk_authorization_format() {
        let p = "P2LocalStandInProject";
        assert_eq!(refresh_token(&headers(&[]), p), Ok(None));
        assert_eq!(
            refresh_token(&headers(&["Bearer P2LocalStandInProject"]), p),
            Ok(None)
        );
        assert_eq!(
            refresh_token(&headers(&["Bearer P2LocalStandInProject:"]), p),
            Ok(None)
        );
        assert_eq!(
            refresh_token(&headers(&["Bearer P2LocalStandInProject:a.b.c"]), p),
            Ok(Some("a.b.c"))
        );
        assert_eq!(
            refresh_token(&headers(&["bearer P2LocalStandInProject:a.b.c"]), p),
            Ok(Some("a.b.c"))
        );
        assert_eq!(
            refresh_token(&headers(&["Bearer OtherProject:a.b.c"]), p),
            Err(ApiError::ProjectMismatch)
        );
        assert_eq!(
            refresh_token(&headers(&["Basic P2LocalStandInProject:a.b.c"]), p),
            Err(ApiError::Unauthorized)
        );
        assert_eq!(
            refresh_token(
                &headers(&[
                    "Bearer P2LocalStandInProject:a",
                    "Bearer P2LocalStandInProject:b"
                ]),
                p
            ),
            Err(ApiError::Unauthorized)
        );
    }
}
