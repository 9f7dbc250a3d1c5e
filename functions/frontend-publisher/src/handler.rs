//! One invocation: do what the request asks within the time left, then answer CloudFormation
//! whatever happened.

use std::time::Duration;

use tracing::Instrument;

use crate::event::{
    CfnRequest, FAILED_CREATE_PREFIX, RequestType, SiteProperties, failed_create_id, physical_id,
};
use crate::publish::{PublishError, Publisher};
use crate::response::{
    CfnResponse, LONGEST_ANSWER, RespondError, Responder, Status, check_response_url,
};
use crate::source::BuildSource;

/// Time the answer keeps for itself: the PUT to the response URL with all its retries, and a
/// little over for logging and the runtime's own reply.
pub const ANSWER_MARGIN: Duration = Duration::from_secs(35);
const _: () = assert!(ANSWER_MARGIN.as_millis() > LONGEST_ANSWER.as_millis());

/// How long this invocation may work, from the Lambda deadline.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub time_left: Duration,
    pub answer_margin: Duration,
}

impl Budget {
    /// The margin, but never more than half the time: a function given a short timeout still
    /// works a while, and its answer, bounded by the deadline itself, then tries fewer times.
    fn for_work(self) -> Duration {
        self.time_left
            .saturating_sub(self.answer_margin.min(self.time_left / 2))
    }
}

/// Acts on the request and answers it. Returns only whether the answer reached CloudFormation;
/// the outcome itself is in the answer. A request whose ResponseURL is not CloudFormation's is
/// neither acted on nor answered: the error names the reason, and the invocation fails.
pub async fn handle<S: BuildSource>(
    publisher: &Publisher<S>,
    responder: &Responder,
    request: &CfnRequest,
    budget: Budget,
    log_stream: &str,
) -> Result<(), RespondError> {
    let span = tracing::info_span!(
        "custom_resource",
        request_type = ?request.request_type,
        cfn_request_id = %request.request_id,
    );
    async {
        let deadline = tokio::time::Instant::now() + budget.time_left;
        let response_url = check_response_url(&request.response_url).inspect_err(|error| {
            tracing::error!(%error, "not a CloudFormation request; doing nothing");
        })?;
        let outcome = tokio::time::timeout(budget.for_work(), act(publisher, request))
            .await
            .unwrap_or(Err(PublishError::OutOfTime));
        let response = answer(request, outcome, log_stream);
        let sent = responder.send(&response_url, &response, deadline).await;
        match &sent {
            Ok(()) => tracing::info!(status = ?response.status, "answered CloudFormation"),
            Err(error) => tracing::error!(%error, "CloudFormation did not get the answer"),
        }
        sent
    }
    .instrument(span)
    .await
}

async fn act<S: BuildSource>(
    publisher: &Publisher<S>,
    request: &CfnRequest,
) -> Result<(), PublishError> {
    let properties = SiteProperties::from_value(&request.resource_properties)
        .map_err(|error| PublishError::Properties(error.to_string()));
    match request.request_type {
        RequestType::Create | RequestType::Update => {
            let published = publisher.publish(&properties?, &request.request_id).await?;
            tracing::info!(?published, "published the frontend");
            Ok(())
        }
        RequestType::Delete => {
            let failed_create = request
                .physical_resource_id
                .as_deref()
                .is_some_and(|id| id.starts_with(FAILED_CREATE_PREFIX));
            let emptied = match properties {
                Ok(properties) => publisher.empty(&properties.bucket_name).await,
                Err(error) => Err(error),
            };
            match emptied {
                Ok(deleted) => {
                    tracing::info!(?deleted, "emptied the bucket");
                    Ok(())
                }
                // The create failed, so no part of the stack relies on this resource; the
                // emptying was a courtesy that lets the rollback remove a half-filled bucket,
                // and it must not block the rollback itself.
                Err(error) if failed_create => {
                    tracing::warn!(%error, "could not clean up after the failed create");
                    Ok(())
                }
                Err(error) => Err(error),
            }
        }
    }
}

/// The one place an outcome becomes CloudFormation's answer.
fn answer(
    request: &CfnRequest,
    outcome: Result<(), PublishError>,
    log_stream: &str,
) -> CfnResponse {
    let current_id = request.physical_resource_id.clone();
    let physical_id = match (&outcome, request.request_type) {
        (_, RequestType::Delete) => current_id.unwrap_or_default(),
        (Ok(_), _) => SiteProperties::from_value(&request.resource_properties)
            .map(|properties| physical_id(&properties.bucket_name))
            .unwrap_or_default(),
        (Err(_), RequestType::Create) => failed_create_id(&request.request_id),
        (Err(_), RequestType::Update) => {
            current_id.unwrap_or_else(|| failed_create_id(&request.request_id))
        }
    };
    match outcome {
        Ok(()) => CfnResponse::new(request, Status::Success, physical_id, None),
        Err(error) => {
            tracing::error!(%error, "request failed");
            let reason = if log_stream.is_empty() {
                error.to_string()
            } else {
                format!("{error} (details in CloudWatch log stream {log_stream})")
            };
            CfnResponse::new(request, Status::Failed, physical_id, Some(reason))
        }
    }
}
