//! The answer CloudFormation waits for: a JSON document PUT to the request's presigned
//! ResponseURL. Without it the stack hangs until the custom resource's ServiceTimeout.

use std::net::IpAddr;
use std::time::Duration;

use reqwest::Url;
use serde::Serialize;
use tokio::time::Instant;

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
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
const BACKOFF_STEP: Duration = Duration::from_millis(200);
/// Below this an attempt could not even connect; with less time left, the last one gets it.
const MIN_ATTEMPT: Duration = Duration::from_millis(100);

fn pause_after(attempt: u32) -> Duration {
    BACKOFF_STEP * attempt
}

/// The longest [`Responder::send`] takes when it has the time: every attempt running into its
/// timeout, with the pauses between them.
pub const LONGEST_ANSWER: Duration = Duration::from_millis(
    ATTEMPTS as u64 * ATTEMPT_TIMEOUT.as_millis() as u64
        + BACKOFF_STEP.as_millis() as u64 * (ATTEMPTS as u64 * (ATTEMPTS as u64 - 1) / 2),
);

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
    #[error(transparent)]
    UnsafeUrl(#[from] UnsafeResponseUrl),
    #[error("CloudFormation's response URL refused the answer: HTTP {0}")]
    Rejected(reqwest::StatusCode),
    #[error("the answer could not be sent: {0}")]
    Transport(&'static str),
}

/// A ResponseURL the publisher will not PUT to. Whoever may invoke the function chooses the
/// URL, so without this check the function would send a request to any address it can reach.
/// `shown` is the URL without its query (the presigned signature) and without credentials.
#[derive(Debug, thiserror::Error)]
#[error("refusing to answer at {shown}: {reason}")]
pub struct UnsafeResponseUrl {
    pub shown: String,
    pub reason: &'static str,
}

/// Accepts what CloudFormation sends, a presigned S3 URL such as
/// `https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/…` (also the
/// `s3-<region>` and `s3.<region>` forms, and `.amazonaws.com.cn` in the China Regions), and
/// plain http to this machine, for tests.
pub fn check_response_url(raw: &str) -> Result<Url, UnsafeResponseUrl> {
    let url = Url::parse(raw).map_err(|_| UnsafeResponseUrl {
        shown: "(unparsable URL)".to_owned(),
        reason: "it is not a URL",
    })?;
    let refuse = |reason| UnsafeResponseUrl {
        shown: format!(
            "{}://{}{}",
            url.scheme(),
            url.host_str().unwrap_or_default(),
            url.path()
        ),
        reason,
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse("it carries credentials"));
    }
    match url.scheme() {
        "https" => {
            // The URL parser lowercases domain names; an IP address never ends like this.
            let on_aws = url.host_str().is_some_and(|host| {
                host.ends_with(".amazonaws.com") || host.ends_with(".amazonaws.com.cn")
            });
            if !on_aws {
                return Err(refuse("an https answer goes only to an amazonaws.com host"));
            }
            if url.port().is_some() {
                return Err(refuse("an https answer goes only to the default port"));
            }
        }
        "http" => {
            if !is_loopback(&url) {
                return Err(refuse("plain http is allowed only to this machine"));
            }
        }
        _ => return Err(refuse("the scheme is neither https nor http")),
    }
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    // IPv6 hosts come bracketed.
    let unbracketed = host.trim_start_matches('[').trim_end_matches(']');
    match unbracketed.parse::<IpAddr>() {
        Ok(address) => address.is_loopback(),
        Err(_) => host == "localhost",
    }
}

#[derive(Debug, Clone)]
pub struct Responder {
    http: reqwest::Client,
}

impl Responder {
    pub fn new(http: reqwest::Client) -> Responder {
        Responder { http }
    }

    /// PUTs the answer, trying again on a network error or a 5xx, and gives up at `deadline`
    /// (when Lambda stops the function): each attempt gets at most its share of the time left
    /// after the pauses, so a stalled first attempt leaves room for the others. No Content-Type: the URL's
    /// signature covers an empty one, and S3 refuses the PUT if one is sent.
    pub async fn send(
        &self,
        url: &Url,
        response: &CfnResponse,
        deadline: Instant,
    ) -> Result<(), RespondError> {
        let body = serde_json::to_vec(response).expect("a response always serializes");
        let mut last = RespondError::Transport("there was no time left to send it");
        for attempt in 1..=ATTEMPTS {
            let time_left = deadline.saturating_duration_since(Instant::now());
            if time_left.is_zero() {
                break;
            }
            let pauses_ahead: Duration = (attempt..ATTEMPTS).map(pause_after).sum();
            let share = time_left.saturating_sub(pauses_ahead) / (ATTEMPTS - attempt + 1);
            let timeout = ATTEMPT_TIMEOUT.min(share.max(MIN_ATTEMPT)).min(time_left);
            match self
                .http
                .put(url.clone())
                .timeout(timeout)
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
                let pause =
                    pause_after(attempt).min(deadline.saturating_duration_since(Instant::now()));
                tokio::time::sleep(pause).await;
            }
        }
        Err(last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloudformations_own_response_urls_pass() {
        for url in [
            "https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/arn%3Aaws%3Acloudformation%3Aus-east-1%3A123456789012%3Astack/site/guid%7CFrontendSite%7Cid?X-Amz-Signature=x",
            "https://cloudformation-custom-resource-response-euwest1.s3-eu-west-1.amazonaws.com/stack?Signature=x",
            "https://cloudformation-custom-resource-response-useast1.s3.us-east-1.amazonaws.com/abc?X-Amz-Signature=x",
            "https://cloudformation-custom-resource-response-cnnorth1.s3.cn-north-1.amazonaws.com.cn/abc?X-Amz-Signature=x",
            "http://127.0.0.1:8080/cfn-response/x?X-Amz-Signature=x",
            "http://[::1]:8080/cfn-response/x",
            "http://localhost:8080/cfn-response/x",
        ] {
            assert!(check_response_url(url).is_ok(), "{url}");
        }
    }

    #[test]
    fn other_urls_are_refused_and_the_refusal_hides_the_query() {
        for url in [
            "http://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x?X-Amz-Signature=secret",
            "https://example.com/x?X-Amz-Signature=secret",
            "https://amazonaws.com.example.com/x?X-Amz-Signature=secret",
            "https://example.com/x.amazonaws.com?X-Amz-Signature=secret",
            "https://s3.amazonaws.com@example.com/x?X-Amz-Signature=secret",
            "https://user:pw@bucket.s3.amazonaws.com/x?X-Amz-Signature=secret",
            "https://bucket.s3.amazonaws.com:8443/x?X-Amz-Signature=secret",
            "https://127.0.0.1/x?X-Amz-Signature=secret",
            "http://10.0.0.1/x?X-Amz-Signature=secret",
            "http://169.254.169.254/latest/meta-data?X-Amz-Signature=secret",
            "http://localhost.example.com/x?X-Amz-Signature=secret",
            "ftp://bucket.s3.amazonaws.com/x?X-Amz-Signature=secret",
            "file:///etc/passwd?X-Amz-Signature=secret",
            "not a url X-Amz-Signature=secret",
        ] {
            let refusal = check_response_url(url).expect_err(url).to_string();
            assert!(!refusal.contains("secret"), "{refusal}");
            assert!(!refusal.contains("pw"), "{refusal}");
        }
    }

    #[test]
    fn the_longest_answer_counts_every_attempt_and_pause() {
        assert_eq!(LONGEST_ANSWER, Duration::from_millis(30_600));
    }
}
