//! A CloudFormation custom resource that publishes the frontend build to the site's bucket.
//!
//! `sam build` packs the built single-page app into a Lambda layer version; the stack passes that
//! version's ARN, the bucket, the distribution and the Descope settings to this function as the
//! custom resource's properties. Create and Update download the build, upload it with caching
//! headers that suit Vite's output, write `config.json`, prune files no build in use needs and
//! invalidate CloudFront; Delete empties the bucket so the stack can remove it.
//!
//! `main` only wires clients; [`handler::handle`] is the whole invocation and runs in tests
//! against a local S3 and CloudFront.

mod aws_error;
pub mod event;
pub mod handler;
pub mod publish;
pub mod response;
pub mod site;
pub mod source;

pub use event::{CfnRequest, RequestType, SiteProperties};
pub use handler::handle;
pub use publish::{PublishError, Publisher};
pub use response::{Responder, Status, check_response_url};
pub use source::{BuildSource, FetchError, LayerBuildSource};

/// The HTTP client for the layer download and the answer to CloudFormation: both go to S3
/// presigned URLs on public-CA hosts, so the roots compiled in are enough (see
/// [`function_base::tls`]), and a cold start reads no certificate store from disk.
pub fn http_client() -> reqwest::Client {
    let tls = function_base::tls::client_config().expect("aws-lc-rs supports TLS 1.2 and 1.3");
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        // Both URLs are checked or issued by AWS; a redirect would lead somewhere unchecked.
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(std::time::Duration::from_secs(5))
        // A frontend build is a few megabytes; a minute covers a slow link without letting one
        // stuck download eat the whole invocation.
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .expect("a rustls client with compiled-in roots always builds")
}
