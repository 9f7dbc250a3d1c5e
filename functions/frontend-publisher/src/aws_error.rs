//! What CloudFormation's Reason says about a failed AWS call.

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};

/// The service's error code and message (AccessDenied, NoSuchBucket...), or what kept the call
/// from getting one. Never the SDK's Debug output: that goes to the log, not into the stack's
/// events, where it would be long and could carry request details.
pub(crate) fn error_cause<E>(error: &SdkError<E, HttpResponse>, service: &str) -> String
where
    E: ProvideErrorMetadata,
{
    match error {
        SdkError::DispatchFailure(_) => format!("could not reach {service}"),
        SdkError::TimeoutError(_) => format!("{service} did not answer in time"),
        SdkError::ResponseError(_) => format!("{service}'s answer was unreadable"),
        _ => match (error.code(), error.message()) {
            (Some(code), Some(message)) => format!("{code}: {}", shorten(message, 200)),
            (Some(code), None) => code.to_owned(),
            // An answer without an error code, e.g. a proxy's or a load balancer's page.
            _ => match error.raw_response() {
                Some(response) => format!("{service} answered HTTP {}", response.status().as_u16()),
                None => format!("unexpected error from {service}"),
            },
        },
    }
}

fn shorten(text: &str, limit: usize) -> &str {
    match text.char_indices().nth(limit) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}
