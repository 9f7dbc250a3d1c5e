//! Test doubles for the functions' tests, benchmarks, fuzz targets and `scripts/figures.sh`, and
//! never deployed (it mints tokens the functions accept): signing keys and the tokens they sign,
//! a local key server standing in for Descope's JWKS endpoint, an in-memory key fetcher, a
//! manual clock, a Lambda Runtime API server, a function binary run as Lambda runs it (which can
//! be frozen as Lambda freezes an environment, its wall clock moved from outside), and edits of
//! the API Gateway event fixtures each function keeps in its own `tests/fixtures`.

pub mod events;
pub mod key_server;
pub mod manual_clock;
pub mod memory_fetcher;
pub mod process;
pub mod runtime_api;
pub mod shifted_wall_clock;
pub mod tokens;

/// The Descope project the tests, benchmarks and figures mint tokens for and validate against.
pub const PROJECT_ID: &str = "P2TestProject";

pub use events::{bearer_request, body_json, request, with_authorization};
pub use key_server::{KeyAnswer, KeyServer, deployed_validator, unreachable_base_uri};
pub use manual_clock::ManualClock;
pub use memory_fetcher::MemoryFetcher;
pub use process::{
    FunctionProcess, WITHIN, answer_once, api_function_environment, lambda_environment,
};
pub use runtime_api::{Answer, GatewayResponse, Outcome, RuntimeApi};
pub use shifted_wall_clock::ShiftedWallClock;
pub use tokens::{
    Algorithm, TestKey, TestKeys, b64, jwks_json, session_claims, session_claims_at, signing_input,
};
