//! The wiring every function runs once per cold start, before it hands its handler to Lambda.

use std::process::ExitCode;

use crate::config::Config;
use crate::logging::init_tracing;
use crate::validator::SessionValidator;

/// Starts logging, reads the configuration and builds the validator for `function_name`.
///
/// A configuration mistake is logged (the error names the variable to set) and comes back as
/// the exit code for `main` to return: the cold start fails, so the mistake shows when the
/// function is deployed instead of as an error on every request.
pub fn cold_start(function_name: &str) -> Result<SessionValidator, ExitCode> {
    init_tracing();
    Config::from_env()
        .and_then(|config| SessionValidator::from_config(&config))
        .map_err(|error| {
            tracing::error!(%error, "cannot start {function_name}");
            ExitCode::FAILURE
        })
}
