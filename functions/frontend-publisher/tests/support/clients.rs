//! The AWS SDK clients the publisher is given, pointed at local endpoints, with a log proving
//! every call stayed on loopback; and an S3 that denies everything.

use std::sync::{Arc, Mutex};

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_sdk_s3::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_s3::config::{ConfigBag, Credentials, Intercept, Region, RuntimeComponents};
use axum::Router;
use axum::http::{StatusCode, Uri};

use super::loopback::{LocalServer, serve};

/// Every URI an SDK client sent a request to.
#[derive(Debug, Clone, Default)]
pub struct CallLog(Arc<Mutex<Vec<Uri>>>);

impl CallLog {
    /// Asserts every call went to loopback (and there was at least one).
    pub fn assert_all_local(&self) {
        let uris = self.0.lock().unwrap().clone();
        assert!(!uris.is_empty(), "no AWS call was made");
        for uri in uris {
            assert_eq!(uri.host(), Some("127.0.0.1"), "a call left loopback: {uri}");
        }
    }
}

impl Intercept for CallLog {
    fn name(&self) -> &'static str {
        "CallLog"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _config: &mut ConfigBag,
    ) -> Result<(), aws_sdk_s3::error::BoxError> {
        let uri: Uri = context.request().uri().parse()?;
        self.0.lock().unwrap().push(uri);
        Ok(())
    }
}

/// Built field by field, not from the environment: fixed test credentials and region, the
/// given endpoint, no credential chain that could reach for the instance metadata service.
fn sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    aws_config::SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(aws_sdk_s3::config::SharedCredentialsProvider::new(
            Credentials::new("testing", "testing", None, None, "tests"),
        ))
        .endpoint_url(endpoint)
        // One attempt: a refused connection fails at once instead of after backoff.
        .retry_config(RetryConfig::standard().with_max_attempts(1))
        .build()
}

pub fn s3_client(endpoint: &str, calls: &CallLog) -> aws_sdk_s3::Client {
    let config = aws_sdk_s3::config::Builder::from(&sdk_config(endpoint))
        .force_path_style(true)
        .interceptor(calls.clone())
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

pub fn cloudfront_client(endpoint: &str, calls: &CallLog) -> aws_sdk_cloudfront::Client {
    let config = aws_sdk_cloudfront::config::Builder::from(&sdk_config(endpoint))
        .interceptor(calls.clone())
        .build();
    aws_sdk_cloudfront::Client::from_conf(config)
}

/// An S3 that answers every request 403 AccessDenied, as S3 does for a role without the right.
pub async fn denying_s3() -> LocalServer {
    let router = Router::new().fallback(|| async {
        (
            StatusCode::FORBIDDEN,
            [("content-type", "application/xml")],
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
             <Error><Code>AccessDenied</Code><Message>Access Denied</Message>\
             <RequestId>TEST</RequestId></Error>",
        )
    });
    serve(router).await
}
