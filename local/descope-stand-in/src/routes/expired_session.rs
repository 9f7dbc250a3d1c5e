//! `POST /_stand-in/expired-session`: a demo user's session token that has already expired, for
//! tests that check a validator refuses one (the shortest session the stand-in issues lasts a
//! minute, and tests do not wait).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};

use super::auth::{required, signing_failed};
use super::{AppState, JsonBody};
use crate::errors::ApiError;
use crate::tokens::unix_now;
use crate::users;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExpiredSessionRequest {
    login_id: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExpiredSessionResponse {
    session_jwt: String,
}

pub async fn issue(
    State(state): State<Arc<AppState>>,
    JsonBody(request): JsonBody<ExpiredSessionRequest>,
) -> Result<Json<ExpiredSessionResponse>, ApiError> {
    let login_id = required(request.login_id, "loginId")?;
    let user = users::find_by_login_id(&login_id)
        .ok_or_else(|| ApiError::InvalidRequest("No demo user has this login ID".to_owned()))?;
    let session_jwt = state
        .tokens
        .expired_session(user, unix_now())
        .map_err(signing_failed)?;
    tracing::info!(user_id = user.user_id, "expired session issued");
    Ok(Json(ExpiredSessionResponse { session_jwt }))
}
