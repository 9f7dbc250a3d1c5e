//! Log set-up: JSON lines when the function's log format is JSON (template.yaml sets it), so
//! CloudWatch parses them and applies the function's application log level.

use tracing_subscriber::EnvFilter;

pub fn init_tracing() {
    let json = std::env::var("AWS_LAMBDA_LOG_FORMAT")
        .is_ok_and(|format| format.eq_ignore_ascii_case("json"));
    let level = match std::env::var("AWS_LAMBDA_LOG_LEVEL")
        .unwrap_or_default()
        .to_ascii_uppercase()
        .as_str()
    {
        "TRACE" => "trace",
        "DEBUG" => "debug",
        "WARN" => "warn",
        "ERROR" | "FATAL" => "error",
        _ => "info",
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::builder().parse_lossy(level))
        .with_ansi(false)
        .without_time();
    let installed = if json {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init()
    } else {
        builder.try_init()
    };
    if installed.is_err() {
        tracing::debug!("a log subscriber was already installed");
    }
}
