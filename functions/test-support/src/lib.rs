//! Everything the functions' tests, benchmarks, fuzz targets and `scripts/figures.sh` share, and
//! never deployed (it mints tokens the functions accept): signing keys and tokens, a manual
//! clock, an in-memory key fetcher, a local key server standing in for Descope's JWKS endpoint,
//! a Lambda Runtime API server, API Gateway fixture helpers, a wrapper for a function process
//! (which can freeze it as Lambda freezes an environment), a wall clock moved for a running
//! function binary from outside it, and the scenarios every function's tests run.

pub mod binary_scenario;
pub mod concurrency_scenario;
pub mod events;
pub mod handler_checks;
pub mod key_cache_scenario;
pub mod key_server;
pub mod manual_clock;
pub mod memory_fetcher;
pub mod process;
pub mod refused_tokens;
pub mod runtime_api;
pub mod shifted_wall_clock;
pub mod tokens;
pub mod validator_on_key_server;

/// The Descope project the tests, benchmarks and figures mint tokens for and validate against.
pub const PROJECT_ID: &str = "P2TestProject";

pub use events::{body_json, request, with_authorization};
pub use key_server::{KeyAnswer, KeyServer, unreachable_base_uri};
pub use manual_clock::ManualClock;
pub use memory_fetcher::MemoryFetcher;
pub use process::{FunctionProcess, lambda_environment};
pub use runtime_api::{Answer, Outcome, RuntimeApi};
pub use shifted_wall_clock::ShiftedWallClock;
pub use tokens::{
    Algorithm, TestKey, TestKeys, b64, jwks_json, mint, session_claims, session_claims_at,
    signing_input,
};
pub use validator_on_key_server::{
    ValidatorOnKeyServer, is_keys_unavailable, kid_not_yet_fetched, rejection,
};
