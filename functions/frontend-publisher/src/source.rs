//! Where the frontend build comes from: the layer version named in the request, never what is
//! attached to this function (nothing is), so a rollback's Update fetches exactly the old build.

use std::future::Future;

use aws_sdk_lambda::error::DisplayErrorContext;

use crate::aws_error::error_cause;

/// Fetches a build's zip by the reference the stack passes (a layer version ARN in AWS).
pub trait BuildSource: Send + Sync {
    fn fetch(&self, build: &str) -> impl Future<Output = Result<Vec<u8>, FetchError>> + Send;
}

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("Lambda GetLayerVersionByArn failed: {0}")]
    Locate(String),
    #[error("the layer version has no download location")]
    NoLocation,
    #[error("downloading the frontend build failed: {0}")]
    Download(String),
}

/// The build as `sam deploy` publishes it: a layer version whose content Lambda hands out as a
/// presigned S3 URL, valid for ten minutes.
#[derive(Debug, Clone)]
pub struct LayerBuildSource {
    lambda: aws_sdk_lambda::Client,
    http: reqwest::Client,
}

impl LayerBuildSource {
    pub fn new(lambda: aws_sdk_lambda::Client, http: reqwest::Client) -> LayerBuildSource {
        LayerBuildSource { lambda, http }
    }
}

impl BuildSource for LayerBuildSource {
    async fn fetch(&self, build: &str) -> Result<Vec<u8>, FetchError> {
        let layer = self
            .lambda
            .get_layer_version_by_arn()
            .arn(build)
            .send()
            .await
            .map_err(|error| {
                tracing::error!(error = %DisplayErrorContext(&error), "GetLayerVersionByArn failed");
                FetchError::Locate(error_cause(&error, "Lambda"))
            })?;
        let location = layer
            .content()
            .and_then(|content| content.location())
            .ok_or(FetchError::NoLocation)?;
        download(&self.http, location).await
    }
}

/// Downloads a build from a URL. The URL is presigned, so it is a credential while it lasts:
/// errors name the host only.
pub async fn download(http: &reqwest::Client, url: &str) -> Result<Vec<u8>, FetchError> {
    let host = reqwest::Url::parse(url)
        .ok()
        .and_then(|url| url.host_str().map(str::to_owned))
        .unwrap_or_default();
    let failed = |what: String| {
        tracing::error!(%host, what, "downloading the frontend build failed");
        FetchError::Download(format!("{what} from {host}"))
    };
    let response = http
        .get(url)
        .send()
        .await
        .map_err(|error| failed(transport_error(&error)))?;
    let status = response.status();
    if !status.is_success() {
        return Err(failed(format!("HTTP {status}")));
    }
    let body = response
        .bytes()
        .await
        .map_err(|error| failed(transport_error(&error)))?;
    Ok(body.to_vec())
}

/// reqwest's own message carries the URL, signature and all; this says what went wrong only.
fn transport_error(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "timed out".to_owned()
    } else if error.is_connect() {
        "could not connect".to_owned()
    } else {
        "the connection failed".to_owned()
    }
}
