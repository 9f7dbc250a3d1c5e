//! A local stand-in for Descope's key endpoint (`GET /v2/keys/{projectId}`) that counts its hits,
//! so tests can assert exactly how often a function fetched keys.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use tokio::task::JoinHandle;

struct Shared {
    project_id: String,
    jwks: String,
    hits: AtomicUsize,
    available: AtomicBool,
    answer_delay_ms: AtomicU64,
}

/// Dropping it stops the server.
pub struct KeyServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: JoinHandle<()>,
}

impl KeyServer {
    /// Serves `jwks` (a JWKS JSON document) for `project_id`; other projects get 404.
    pub async fn start(project_id: &str, jwks: impl Into<String>) -> KeyServer {
        let shared = Arc::new(Shared {
            project_id: project_id.to_owned(),
            jwks: jwks.into(),
            hits: AtomicUsize::new(0),
            available: AtomicBool::new(true),
            answer_delay_ms: AtomicU64::new(0),
        });
        let router = Router::new()
            .route("/v2/keys/{project_id}", get(keys))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the key server listener");
        let addr = listener.local_addr().expect("key server address");
        let server = tokio::spawn(async move {
            axum::serve(listener, router).await.expect("key server");
        });
        KeyServer {
            addr,
            shared,
            server,
        }
    }

    /// The value for `DESCOPE_BASE_URI`.
    pub fn base_uri(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many key requests arrived, whatever was answered.
    pub fn hits(&self) -> usize {
        self.shared.hits.load(Ordering::SeqCst)
    }

    /// While unavailable the endpoint answers 503, as during a Descope outage.
    pub fn set_available(&self, available: bool) {
        self.shared.available.store(available, Ordering::SeqCst);
    }
}

impl KeyServer {
    /// Every answer from now on comes after `delay`: a slow Descope, or with a delay beyond any
    /// timeout, a hanging one.
    pub fn set_answer_delay(&self, delay: Duration) {
        let millis = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        self.shared.answer_delay_ms.store(millis, Ordering::SeqCst);
    }
}

impl Drop for KeyServer {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// A base URI on which nothing listens: connecting is refused at once.
pub async fn unreachable_base_uri() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a throwaway listener");
    let addr = listener.local_addr().expect("throwaway address");
    drop(listener);
    format!("http://{addr}")
}

async fn keys(
    State(shared): State<Arc<Shared>>,
    Path(project_id): Path<String>,
) -> impl IntoResponse {
    shared.hits.fetch_add(1, Ordering::SeqCst);
    let delay = shared.answer_delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    if !shared.available.load(Ordering::SeqCst) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"errorCode":"E130001","errorDescription":"Service unavailable"}"#.to_owned(),
        );
    }
    if project_id != shared.project_id {
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"errorCode":"E011003","errorDescription":"Project not found"}"#.to_owned(),
        );
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        shared.jwks.clone(),
    )
}
