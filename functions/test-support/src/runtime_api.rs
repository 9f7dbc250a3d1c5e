//! A local Lambda Runtime API (the `2018-06-01` interface the `lambda_runtime` client polls), so a
//! compiled function binary can be run and invoked exactly as Lambda would, without AWS.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio::task::JoinHandle;

const INVOKED_FUNCTION_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:under-test";

/// What the function reported back through the Runtime API.
#[derive(Debug, Clone)]
pub enum Outcome {
    Response(Answer),
    InvocationError(Answer),
    InitError { body: String, at: Instant },
}

/// One answered invocation, with the instants the harness saw so callers can time it.
#[derive(Debug, Clone)]
pub struct Answer {
    pub request_id: String,
    pub body: String,
    pub handed_out_at: Instant,
    pub answered_at: Instant,
}

impl Answer {
    pub fn body_json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("function answer is not JSON ({e}): {}", self.body))
    }

    /// The API Gateway proxy response an API function posted, its JSON body parsed.
    pub fn gateway_response(&self) -> GatewayResponse {
        let payload = self.body_json();
        let status = payload["statusCode"]
            .as_u64()
            .unwrap_or_else(|| panic!("no statusCode in {payload}"));
        let body = payload["body"]
            .as_str()
            .unwrap_or_else(|| panic!("no text body in {payload}"));
        GatewayResponse {
            status,
            body: serde_json::from_str(body)
                .unwrap_or_else(|e| panic!("the body is not JSON ({e}): {body}")),
            headers: payload["headers"].clone(),
        }
    }
}

/// An API function's answer as API Gateway reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct GatewayResponse {
    pub status: u64,
    /// Header names as the function wrote them (lower case), each with its value.
    pub headers: serde_json::Value,
    pub body: serde_json::Value,
}

struct PendingEvent {
    request_id: String,
    payload: String,
}

struct Shared {
    pending: tokio::sync::Mutex<mpsc::UnboundedReceiver<PendingEvent>>,
    /// One permit per invocation the environment may run at once; held until it is answered.
    slots: Arc<Semaphore>,
    running: Mutex<HashMap<String, OwnedSemaphorePermit>>,
    most_running: AtomicUsize,
    handed_out: Mutex<Vec<(String, Instant)>>,
    outcomes: mpsc::UnboundedSender<Outcome>,
    first_poll: OnceLock<Instant>,
    polled: tokio::sync::watch::Sender<bool>,
}

/// The Runtime API server. Dropping it stops the server.
pub struct RuntimeApi {
    addr: SocketAddr,
    shared: Arc<Shared>,
    events: mpsc::UnboundedSender<PendingEvent>,
    outcomes: mpsc::UnboundedReceiver<Outcome>,
    next_id: AtomicU64,
    server: JoinHandle<()>,
}

impl RuntimeApi {
    /// A classic Lambda environment: one invocation at a time.
    pub async fn start() -> RuntimeApi {
        Self::with_max_concurrency(1).await
    }

    /// An environment that runs up to `max_concurrency` invocations at once, as Lambda Managed
    /// Instances do (`AWS_LAMBDA_MAX_CONCURRENCY`): that many `/next` long-polls may be
    /// outstanding and answered; a further poll waits until an invocation is answered.
    pub async fn with_max_concurrency(max_concurrency: usize) -> RuntimeApi {
        let (events, pending) = mpsc::unbounded_channel();
        let (outcome_tx, outcomes) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            pending: tokio::sync::Mutex::new(pending),
            slots: Arc::new(Semaphore::new(max_concurrency.max(1))),
            running: Mutex::new(HashMap::new()),
            most_running: AtomicUsize::new(0),
            handed_out: Mutex::new(Vec::new()),
            outcomes: outcome_tx,
            first_poll: OnceLock::new(),
            polled: tokio::sync::watch::Sender::new(false),
        });
        let router = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next_invocation))
            .route(
                "/2018-06-01/runtime/invocation/{request_id}/response",
                post(invocation_response),
            )
            .route(
                "/2018-06-01/runtime/invocation/{request_id}/error",
                post(invocation_error),
            )
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the runtime API listener");
        let addr = listener.local_addr().expect("runtime API address");
        let server = tokio::spawn(async move {
            axum::serve(listener, router)
                .await
                .expect("runtime API server");
        });
        RuntimeApi {
            addr,
            shared,
            events,
            outcomes,
            next_id: AtomicU64::new(1),
            server,
        }
    }

    /// The value for `AWS_LAMBDA_RUNTIME_API`.
    pub fn address(&self) -> String {
        self.addr.to_string()
    }

    /// Queues an event for the next poll; returns the request id it will carry.
    pub fn invoke(&self, payload: impl Into<String>) -> String {
        let n = self.next_id.fetch_add(1, Ordering::Relaxed);
        let request_id = format!("8f5c3d2e-0000-4000-8000-{n:012}");
        self.events
            .send(PendingEvent {
                request_id: request_id.clone(),
                payload: payload.into(),
            })
            .expect("runtime API server is running");
        request_id
    }

    /// The most invocations the function had handed out and not yet answered, at any moment.
    pub fn most_in_flight(&self) -> usize {
        self.shared.most_running.load(Ordering::SeqCst)
    }

    /// When the function first asked for an event (its init phase ended), if it has.
    pub fn first_poll_at(&self) -> Option<Instant> {
        self.shared.first_poll.get().copied()
    }

    /// Waits for the function's first poll for an event (the end of its init); false if it had
    /// not polled within `within`.
    pub async fn wait_for_first_poll(&self, within: Duration) -> bool {
        let mut polled = self.shared.polled.subscribe();
        tokio::time::timeout(within, polled.wait_for(|&polled| polled))
            .await
            .is_ok_and(|seen| seen.is_ok())
    }

    /// The next thing the function reported, or `None` if nothing came within `within`
    /// (a guard against a hung function, not a synchronisation point).
    pub async fn next_outcome(&mut self, within: Duration) -> Option<Outcome> {
        tokio::time::timeout(within, self.outcomes.recv())
            .await
            .ok()
            .flatten()
    }

    /// The next outcome, which must be a successful response to `request_id`.
    pub async fn expect_response(&mut self, request_id: &str, within: Duration) -> Answer {
        match self.next_outcome(within).await {
            Some(Outcome::Response(answer)) if answer.request_id == request_id => answer,
            other => panic!("expected a response to {request_id}, got {other:?}"),
        }
    }
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn next_invocation(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    let _ = shared.first_poll.set(Instant::now());
    shared.polled.send_replace(true);
    let Ok(slot) = Arc::clone(&shared.slots).acquire_owned().await else {
        return (StatusCode::GONE, HeaderMap::new(), String::new());
    };
    // The queue hands each event to one poller, in the order the polls took their slots.
    let event = shared.pending.lock().await.recv().await;
    let Some(event) = event else {
        return (StatusCode::GONE, HeaderMap::new(), String::new());
    };
    {
        let mut running = shared.running.lock().expect("running lock");
        running.insert(event.request_id.clone(), slot);
        shared
            .most_running
            .fetch_max(running.len(), Ordering::SeqCst);
    }
    shared
        .handed_out
        .lock()
        .expect("handed_out lock")
        .push((event.request_id.clone(), Instant::now()));
    let deadline_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_millis()
        + 30_000;
    let mut headers = HeaderMap::new();
    let header = |v: &str| HeaderValue::from_str(v).expect("valid header value");
    headers.insert("lambda-runtime-aws-request-id", header(&event.request_id));
    headers.insert(
        "lambda-runtime-deadline-ms",
        header(&deadline_ms.to_string()),
    );
    headers.insert(
        "lambda-runtime-invoked-function-arn",
        header(INVOKED_FUNCTION_ARN),
    );
    headers.insert(
        "lambda-runtime-trace-id",
        header("Root=1-5e1b4151-43a0913a12345678901234567;Parent=53995c3f42cd8ad8;Sampled=0"),
    );
    headers.insert("content-type", header("application/json"));
    (StatusCode::OK, headers, event.payload)
}

fn answer(shared: &Shared, request_id: String, body: Bytes) -> Answer {
    let answered_at = Instant::now();
    // Frees the invocation's slot for the next poll.
    shared
        .running
        .lock()
        .expect("running lock")
        .remove(&request_id);
    let handed_out_at = shared
        .handed_out
        .lock()
        .expect("handed_out lock")
        .iter()
        .rev()
        .find(|(id, _)| *id == request_id)
        .map(|(_, at)| *at)
        .unwrap_or(answered_at);
    Answer {
        request_id,
        body: String::from_utf8_lossy(&body).into_owned(),
        handed_out_at,
        answered_at,
    }
}

async fn invocation_response(
    State(shared): State<Arc<Shared>>,
    Path(request_id): Path<String>,
    body: Bytes,
) -> impl IntoResponse {
    let outcome = Outcome::Response(answer(&shared, request_id, body));
    let _ = shared.outcomes.send(outcome);
    (StatusCode::ACCEPTED, r#"{"status":"OK"}"#)
}

async fn invocation_error(
    State(shared): State<Arc<Shared>>,
    Path(request_id): Path<String>,
    body: Bytes,
) -> impl IntoResponse {
    let outcome = Outcome::InvocationError(answer(&shared, request_id, body));
    let _ = shared.outcomes.send(outcome);
    (StatusCode::ACCEPTED, r#"{"status":"OK"}"#)
}

async fn init_error(State(shared): State<Arc<Shared>>, body: Bytes) -> impl IntoResponse {
    let _ = shared.outcomes.send(Outcome::InitError {
        body: String::from_utf8_lossy(&body).into_owned(),
        at: Instant::now(),
    });
    (StatusCode::ACCEPTED, r#"{"status":"OK"}"#)
}
