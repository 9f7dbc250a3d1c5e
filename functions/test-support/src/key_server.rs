//! A local stand-in for Descope's key endpoint (`GET /v2/keys/{projectId}`) that counts its hits,
//! so tests can assert exactly how often a function fetched keys, and answers whatever a test
//! sets: the keys, an error status, a redirect, a body that is not a key set, a slow answer.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::serve::ListenerExt;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// What the key endpoint answers for the served project.
#[derive(Clone, Debug)]
pub struct KeyAnswer {
    status: StatusCode,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: String,
    delay: Duration,
}

impl KeyAnswer {
    /// An empty answer with this status.
    pub fn status(status: u16) -> KeyAnswer {
        KeyAnswer {
            status: StatusCode::from_u16(status).expect("an HTTP status"),
            headers: Vec::new(),
            body: String::new(),
            delay: Duration::ZERO,
        }
    }

    /// 200 with `jwks`, as Descope serves its keys.
    pub fn jwks(jwks: impl Into<String>) -> KeyAnswer {
        KeyAnswer::status(200)
            .header("content-type", "application/json")
            .body(jwks)
    }

    pub fn body(mut self, body: impl Into<String>) -> KeyAnswer {
        self.body = body.into();
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> KeyAnswer {
        self.headers.push((
            HeaderName::from_bytes(name.as_bytes()).expect("a header name"),
            HeaderValue::from_str(value).expect("a header value"),
        ));
        self
    }

    /// Answers only after `delay`.
    pub fn delay(mut self, delay: Duration) -> KeyAnswer {
        self.delay = delay;
        self
    }
}

impl IntoResponse for KeyAnswer {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.body).into_response();
        response.headers_mut().extend(self.headers);
        response
    }
}

struct Shared {
    project_id: String,
    answer: Mutex<KeyAnswer>,
    hits: watch::Sender<usize>,
    answered: AtomicUsize,
    connections: AtomicUsize,
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
            answer: Mutex::new(KeyAnswer::jwks(jwks)),
            hits: watch::Sender::new(0),
            answered: AtomicUsize::new(0),
            connections: AtomicUsize::new(0),
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
        let counted = Arc::clone(&shared);
        let listener = listener.tap_io(move |_| {
            counted.connections.fetch_add(1, Ordering::SeqCst);
        });
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

    /// A validator as a function builds it at cold start, for [`PROJECT_ID`](crate::PROJECT_ID)
    /// with its keys from this server.
    pub fn validator(&self) -> descope_auth::SessionValidator {
        deployed_validator(&self.base_uri())
    }

    /// How many key requests arrived, whatever was answered.
    pub fn hits(&self) -> usize {
        *self.shared.hits.borrow()
    }

    /// How many connections clients opened, since the server started.
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// How many key requests have been answered (since the last `answer`): a request still
    /// waiting out a delay counts as a hit, not as answered.
    pub fn answered(&self) -> usize {
        self.shared.answered.load(Ordering::SeqCst)
    }

    /// Waits until `count` key requests have arrived (since the last `answer`); false if they
    /// had not within `within` (a guard against a hung test, not a synchronisation delay).
    pub async fn wait_for_hits(&self, count: usize, within: Duration) -> bool {
        let mut hits = self.shared.hits.subscribe();
        tokio::time::timeout(within, hits.wait_for(|&hits| hits >= count))
            .await
            .is_ok_and(|seen| seen.is_ok())
    }

    /// Key requests from now on get `answer` (for the served project), and the count of hits
    /// starts again from zero.
    pub fn answer(&self, answer: KeyAnswer) {
        *self.answer_slot() = answer;
        self.shared.hits.send_replace(0);
        self.shared.answered.store(0, Ordering::SeqCst);
    }

    fn answer_slot(&self) -> std::sync::MutexGuard<'_, KeyAnswer> {
        self.shared
            .answer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
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

async fn keys(State(shared): State<Arc<Shared>>, Path(project_id): Path<String>) -> Response {
    shared.hits.send_modify(|hits| *hits += 1);
    let response = answer_keys(&shared, project_id).await;
    shared.answered.fetch_add(1, Ordering::SeqCst);
    response
}

async fn answer_keys(shared: &Shared, project_id: String) -> Response {
    let delay = shared.answer_delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    if !shared.available.load(Ordering::SeqCst) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"errorCode":"E130001","errorDescription":"Service unavailable"}"#,
        )
            .into_response();
    }
    if project_id != shared.project_id {
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"errorCode":"E011003","errorDescription":"Project not found"}"#,
        )
            .into_response();
    }
    let answer = shared
        .answer
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    if !answer.delay.is_zero() {
        tokio::time::sleep(answer.delay).await;
    }
    answer.into_response()
}

/// A validator as a function builds it at cold start from `DESCOPE_BASE_URI` = `base_uri`, for
/// [`PROJECT_ID`](crate::PROJECT_ID).
pub fn deployed_validator(base_uri: &str) -> descope_auth::SessionValidator {
    let config = descope_auth::Config::new(crate::PROJECT_ID, Some(base_uri))
        .expect("a key server's base URI on loopback");
    descope_auth::SessionValidator::from_config(&config).expect("a validator")
}
