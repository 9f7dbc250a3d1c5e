//! `GET /v2/keys/{projectId}`: the public signing keys, as Descope serves them.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::errors::ApiError;

pub async fn key_set(
    State(state): State<Arc<AppState>>,
    Path(project_id): Path<String>,
) -> Result<Response, ApiError> {
    if project_id != state.project_id {
        return Err(ApiError::UnknownProject);
    }
    if state.faults.keys_unavailable() {
        return Err(ApiError::KeysUnavailable);
    }
    Ok(Json(state.key.key_set()).into_response())
}
