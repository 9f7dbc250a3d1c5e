//! CloudFormation's side of a custom resource: the presigned response URL the publisher PUTs
//! its answer to, recorded so tests can read what CloudFormation would have been told.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::routing::any;
use serde_json::Value;

use super::loopback::{LocalServer, serve};

/// The signature of CloudFormation's presigned response URL, to look for in the publisher's log.
pub const RESPONSE_URL_SIGNATURE: &str = "X-Amz-Signature=response0url0signature";
pub const STACK_ID: &str =
    "arn:aws:cloudformation:us-east-1:123456789012:stack/site/00000000-0000-0000-0000-000000000000";

/// The Reason of an answer that must be FAILED.
pub fn failure_reason(answer: &Value) -> &str {
    assert_eq!(answer["Status"], "FAILED", "{answer}");
    answer["Reason"]
        .as_str()
        .expect("a FAILED answer gives a reason")
}

#[derive(Debug, Clone)]
pub struct Recorded {
    pub path_and_query: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("the answer is JSON")
    }
}

/// Stands in for CloudFormation's presigned response URL: records every PUT and answers 200,
/// or, for the first `stall` requests, reads them and never answers.
pub struct ResponseUrl {
    state: ResponseState,
    server: LocalServer,
}

#[derive(Clone)]
struct ResponseState {
    answers: Arc<Mutex<Vec<Recorded>>>,
    stalled: Arc<Mutex<usize>>,
    stall: usize,
}

impl ResponseUrl {
    pub async fn start() -> ResponseUrl {
        ResponseUrl::stalling(0).await
    }

    pub async fn stalling(stall: usize) -> ResponseUrl {
        let state = ResponseState {
            answers: Arc::default(),
            stalled: Arc::default(),
            stall,
        };
        let router = Router::new()
            .route(
                "/cfn-response/{*rest}",
                any(
                    |State(state): State<ResponseState>,
                     uri: Uri,
                     headers: HeaderMap,
                     body: Bytes| async move {
                        let stall = {
                            let mut stalled = state.stalled.lock().unwrap();
                            let stall = *stalled < state.stall;
                            if stall {
                                *stalled += 1;
                            }
                            stall
                        };
                        if stall {
                            std::future::pending::<()>().await;
                        }
                        state.answers.lock().unwrap().push(Recorded {
                            path_and_query: uri
                                .path_and_query()
                                .map(|p| p.to_string())
                                .unwrap_or_default(),
                            headers,
                            body: body.to_vec(),
                        });
                        StatusCode::OK
                    },
                ),
            )
            .with_state(state.clone());
        ResponseUrl {
            state,
            server: serve(router).await,
        }
    }

    /// How many requests were read and left without an answer.
    pub fn stalled(&self) -> usize {
        *self.state.stalled.lock().unwrap()
    }

    pub fn addr(&self) -> SocketAddr {
        self.server.addr
    }

    pub fn url_for(&self, request_id: &str) -> String {
        format!(
            "http://{}/cfn-response/{request_id}?{RESPONSE_URL_SIGNATURE}",
            self.addr()
        )
    }

    pub fn answers(&self) -> Vec<Recorded> {
        self.state.answers.lock().unwrap().clone()
    }

    /// Every answer to `request_id`, in the order they came.
    pub fn answers_to(&self, request_id: &str) -> Vec<Recorded> {
        self.answers()
            .into_iter()
            .filter(|a| {
                a.path_and_query
                    .starts_with(&format!("/cfn-response/{request_id}?"))
            })
            .collect()
    }

    /// The one answer to `request_id`, checked for the format CloudFormation accepts.
    pub fn answer_to(&self, request_id: &str) -> Value {
        let answers = self.answers_to(request_id);
        assert_eq!(
            answers.len(),
            1,
            "expected exactly one answer to {request_id}"
        );
        let answer = &answers[0];
        assert!(
            answer.headers.get("content-type").is_none(),
            "the answer must not carry a Content-Type (the URL's signature has none)"
        );
        assert!(
            answer.body.len() < 4096,
            "CloudFormation takes at most 4 KB"
        );
        let body = answer.json();
        assert_eq!(body["RequestId"], request_id);
        assert_eq!(body["StackId"], STACK_ID);
        assert_eq!(body["LogicalResourceId"], "FrontendSite");
        body
    }
}
