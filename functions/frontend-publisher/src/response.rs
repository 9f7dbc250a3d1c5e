//! The answer CloudFormation waits for: a JSON document PUT to the request's presigned
//! ResponseURL. Without it the stack hangs until the custom resource's ServiceTimeout.

use std::time::Duration;

use serde::Serialize;

use crate::event::CfnRequest;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    Success,
    Failed,
}

/// CloudFormation rejects an answer over 4096 bytes; a Reason this long leaves ample room for the
/// IDs around it.
const MAX_REASON_CHARS: usize = 1024;
const ATTEMPTS: u32 = 3;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CfnResponse {
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub physical_resource_id: String,
    pub stack_id: String,
    pub request_id: String,
    pub logical_resource_id: String,
}

impl CfnResponse {
    pub fn new(
        request: &CfnRequest,
        status: Status,
        physical_resource_id: String,
        reason: Option<String>,
    ) -> CfnResponse {
        CfnResponse {
            status,
            reason: reason.map(|reason| reason.chars().take(MAX_REASON_CHARS).collect()),
            physical_resource_id,
            stack_id: request.stack_id.clone(),
            request_id: request.request_id.clone(),
            logical_resource_id: request.logical_resource_id.clone(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RespondError {
    #[error("CloudFormation's response URL refused the answer: HTTP {0}")]
    Rejected(reqwest::StatusCode),
    #[error("the answer could not be sent: {0}")]
    Transport(&'static str),
}

#[derive(Debug, Clone)]
pub struct Responder {
    http: reqwest::Client,
}

impl Responder {
    pub fn new(http: reqwest::Client) -> Responder {
        Responder { http }
    }

    /// PUTs the answer, trying again on a network error or a 5xx. No Content-Type: the URL's
    /// signature covers an empty one, and S3 refuses the PUT if one is sent.
    pub async fn send(&self, url: &str, response: &CfnResponse) -> Result<(), RespondError> {
        let body = serde_json::to_vec(response).expect("a response always serializes");
        let mut last = RespondError::Transport("no attempt made");
        for attempt in 1..=ATTEMPTS {
            match self
                .http
                .put(url)
                .timeout(Duration::from_secs(10))
                .body(body.clone())
                .send()
                .await
            {
                Ok(answer) if answer.status().is_success() => return Ok(()),
                Ok(answer) if !answer.status().is_server_error() => {
                    return Err(RespondError::Rejected(answer.status()));
                }
                Ok(answer) => last = RespondError::Rejected(answer.status()),
                Err(error) if error.is_timeout() => last = RespondError::Transport("timed out"),
                Err(_) => last = RespondError::Transport("could not connect"),
            }
            if attempt < ATTEMPTS {
                tracing::warn!(attempt, error = %last, "answering CloudFormation failed; trying again");
                tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))).await;
            }
        }
        Err(last)
    }
}
