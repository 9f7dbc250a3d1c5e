//! Local doubles for the publisher's tests, one file a thing they stand in for. All listen on
//! 127.0.0.1; an interceptor on every SDK client records where each call went.

// Each test binary, and the example that shares this module, uses its own subset of it.
#![allow(dead_code, unused_imports)]

mod builds;
mod clients;
mod cloudformation;
mod lambda;
mod loopback;
mod moto;
mod site;

pub use builds::{
    ENDLESS_BUILD, LAYER_URL_SIGNATURE, StuckSource, as_refs, layer_arn, vite_build, zip_of,
};
pub use clients::denying_s3;
pub use cloudformation::{RESPONSE_URL_SIGNATURE, ResponseUrl, failure_reason};
pub use lambda::{LayerApi, function_environment};
pub use loopback::refusing_endpoint;
pub use site::{AMPLE_BUDGET, PROJECT_ID, Site, as_request};
