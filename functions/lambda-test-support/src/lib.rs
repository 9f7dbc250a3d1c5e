//! Test doubles for running the Lambda functions locally: a Lambda Runtime API server, a key
//! server standing in for Descope's JWKS endpoint, API Gateway fixture helpers and a wrapper for
//! a function process. Used by the functions' tests and by `scripts/figures.sh`; never deployed.

pub mod events;
pub mod key_server;
pub mod process;
pub mod runtime_api;

pub use events::{PayloadFormat, body_json, request, with_authorization};
pub use key_server::{KeyServer, unreachable_base_uri};
pub use process::{FunctionProcess, lambda_environment};
pub use runtime_api::{Answer, Outcome, RuntimeApi};
