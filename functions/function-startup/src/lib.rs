//! What every function's `main` does, so that each `main.rs` only names its handler: start
//! logging ([`init_tracing`]), and for the API functions read the configuration, build the one
//! validator the warm environment shares and hand the handler to the Lambda runtime ([`serve`]).
//! Token validation itself lives in `descope-auth`.

mod logging;
mod serve;

pub use logging::init_tracing;
pub use serve::serve;
