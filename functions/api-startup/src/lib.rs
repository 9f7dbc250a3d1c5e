//! What each API function's `main` does, so that each `main.rs` only names its handler: start
//! the log, read the configuration, build the one validator the warm environment shares, open a
//! span for each request and hand the handler to the Lambda runtime ([`serve`]). Token
//! validation itself lives in `descope-auth`; the log set-up, shared with the frontend
//! publisher, in `function-base`.

mod runtime;
mod serve;

pub use runtime::async_runtime;
pub use serve::serve;
