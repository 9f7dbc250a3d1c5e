//! The HTTP surface: Descope's paths the SDK and the backend call, plus the stand-in's own
//! `/_stand-in/*` controls.

mod auth;
mod expired_session;
mod faults;
mod keys;

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use serde::de::DeserializeOwned;

use crate::config::Config;
use crate::cors;
use crate::errors::ApiError;
use crate::faults::Faults;
use crate::keys::SigningKey;
use crate::tokens::TokenIssuer;

pub struct AppState {
    pub project_id: String,
    pub key: Arc<SigningKey>,
    pub tokens: TokenIssuer,
    pub faults: Faults,
}

impl AppState {
    pub fn new(config: &Config, key: SigningKey) -> Self {
        let key = Arc::new(key);
        AppState {
            project_id: config.project_id.clone(),
            tokens: TokenIssuer::new(
                key.clone(),
                &config.project_id,
                config.session_ttl,
                config.refresh_ttl,
            ),
            key,
            faults: Faults::default(),
        }
    }
}

pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/v1/auth/password/signin", post(auth::password_sign_in))
        .route("/v1/auth/try-refresh", post(auth::try_refresh))
        .route("/v1/auth/refresh", post(auth::refresh))
        .route("/v1/auth/me", get(auth::me))
        .route("/v1/auth/logout", post(auth::logout))
        .route("/v2/keys/{project_id}", get(keys::key_set))
        .route("/_stand-in/faults", get(faults::show).post(faults::set))
        .route("/_stand-in/expired-session", post(expired_session::issue))
        .route("/_stand-in/health", get(health))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
        // Layers run outside-in from the last one added: logging sees every answer, CORS
        // headers land on errors and fallbacks too.
        .layer(middleware::from_fn(no_store))
        .layer(middleware::from_fn(cors::cors))
        .layer(middleware::from_fn(log_request))
}

async fn health() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({ "status": "ok" }))
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// Token answers must not be cached by the browser or anything in between.
async fn no_store(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// One line per request: method, path and status. Never the query, headers or bodies, which
/// carry passwords and tokens.
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        %method,
        path,
        status = response.status().as_u16(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

/// A JSON request body, with every failure answered as a Descope-style JSON error (axum's own
/// `Json` answers some failures in plain text, which the SDK cannot parse). An empty body reads
/// as `{}`; the content type is not checked, as the SDK only sets it when it sends a body.
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(request, state).await.map_err(|_| {
            ApiError::MalformedRequest("The request body could not be read".to_owned())
        })?;
        let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &bytes
        };
        let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|_| {
            ApiError::MalformedRequest("The request body is not valid JSON".to_owned())
        })?;
        if !value.is_object() {
            return Err(ApiError::MalformedRequest(
                "The request body must be a JSON object".to_owned(),
            ));
        }
        serde_json::from_value(value).map(JsonBody).map_err(|err| {
            // serde's type-mismatch messages quote the value, which may be a password, so only
            // the messages that name a field alone are passed on.
            let message = err.to_string();
            if message.starts_with("unknown field") || message.starts_with("missing field") {
                ApiError::MalformedRequest(format!("The request body is invalid: {message}"))
            } else {
                ApiError::MalformedRequest(
                    "The request body has a field of the wrong type".to_owned(),
                )
            }
        })
    }
}
