//! `GET|POST /_stand-in/faults`: read and flip the test fault switches.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;

use super::{AppState, JsonBody};
use crate::faults::FaultSettings;

pub async fn show(State(state): State<Arc<AppState>>) -> Json<FaultSettings> {
    Json(state.faults.settings())
}

pub async fn set(
    State(state): State<Arc<AppState>>,
    JsonBody(settings): JsonBody<FaultSettings>,
) -> Json<FaultSettings> {
    state.faults.set(settings);
    tracing::info!(
        keys_unavailable = settings.keys_unavailable,
        "fault switches set"
    );
    Json(state.faults.settings())
}
