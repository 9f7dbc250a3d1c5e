//! Where the frontend build comes from: the layer version named in the request, never what is
//! attached to this function (nothing is), so a rollback's Update fetches exactly the old build.

use std::fs::File;
use std::future::Future;
use std::io::{Seek, SeekFrom, Write};
use std::sync::atomic::{AtomicU64, Ordering};

use aws_sdk_lambda::error::DisplayErrorContext;

use crate::aws_error::error_cause;

/// The most a build's zip may weigh. Twice a large single-page app's build (50 MB) and a fifth
/// of the function's /tmp (512 MB by default), where the zip waits while it is unpacked. The
/// zip's directory is parsed into memory, so this also bounds that.
pub const MAX_DOWNLOAD_BYTES: u64 = 100 * 1024 * 1024;

/// Fetches a build's zip by the reference the stack passes (a layer version ARN in AWS), into a
/// scratch file that disappears when the returned handle is dropped.
pub trait BuildSource: Send + Sync {
    fn fetch(&self, build: &str) -> impl Future<Output = Result<File, FetchError>> + Send;
}

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("Lambda GetLayerVersionByArn failed: {0}")]
    Locate(String),
    #[error("the layer version has no download location")]
    NoLocation,
    #[error("downloading the frontend build failed: {0}")]
    Download(String),
    #[error("the frontend build's zip is larger than {} MiB", MAX_DOWNLOAD_BYTES / 1024 / 1024)]
    TooLarge,
    #[error("the frontend build could not be stored in a scratch file: {0}")]
    Scratch(#[from] std::io::Error),
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
    async fn fetch(&self, build: &str) -> Result<File, FetchError> {
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

/// Downloads a build from a URL into a scratch file, chunk by chunk, refusing more than
/// [`MAX_DOWNLOAD_BYTES`]. The URL is presigned, so it is a credential while it lasts: errors
/// name the host only.
pub async fn download(http: &reqwest::Client, url: &str) -> Result<File, FetchError> {
    let host = reqwest::Url::parse(url)
        .ok()
        .and_then(|url| url.host_str().map(str::to_owned))
        .unwrap_or_default();
    let failed = |what: String| {
        tracing::error!(%host, what, "downloading the frontend build failed");
        FetchError::Download(format!("{what} from {host}"))
    };
    let mut response = http
        .get(url)
        .send()
        .await
        .map_err(|error| failed(transport_error(&error)))?;
    let status = response.status();
    if !status.is_success() {
        return Err(failed(format!("HTTP {status}")));
    }
    if response
        .content_length()
        .is_some_and(|length| length > MAX_DOWNLOAD_BYTES)
    {
        return Err(FetchError::TooLarge);
    }
    let mut file = scratch_file()?;
    let mut received = 0u64;
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|error| failed(transport_error(&error)))?
    {
        received += chunk.len() as u64;
        if received > MAX_DOWNLOAD_BYTES {
            return Err(FetchError::TooLarge);
        }
        // A blocking write, but into the page cache, while this download is all the function
        // is doing.
        file.write_all(&chunk)?;
    }
    file.seek(SeekFrom::Start(0))?;
    Ok(file)
}

/// A new file in the temporary directory (/tmp in Lambda), unlinked at once: it lives only as
/// long as its handle, so neither an error nor a crash leaves it behind in a warm environment.
fn scratch_file() -> std::io::Result<File> {
    static CREATED: AtomicU64 = AtomicU64::new(0);
    let path = std::env::temp_dir().join(format!(
        "frontend-publisher-{}-{}.zip",
        std::process::id(),
        CREATED.fetch_add(1, Ordering::Relaxed)
    ));
    let file = File::options()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)?;
    std::fs::remove_file(&path)?;
    Ok(file)
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
