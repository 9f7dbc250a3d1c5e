//! Log set-up for the function binaries.
//!
//! Format: JSON when the function's log format is JSON (`AWS_LAMBDA_LOG_FORMAT=JSON`, set by
//! Lambda from the function's `LoggingConfig.LogFormat`). That one switch also makes CloudWatch
//! parse the lines and apply `AWS_LAMBDA_LOG_LEVEL`, so our format always agrees with what
//! CloudWatch expects; with the default Text format a JSON line would be an opaque string.
//! Level: `AWS_LAMBDA_LOG_LEVEL`, else `RUST_LOG` directives, else `info`.
//! Colours: only on an interactive terminal outside Lambda.
//! Never: the TRACE events of the Lambda runtime (each raw event) and of the AWS SDK (each
//! operation's output, presigned URLs included); see `never_logs_tokens`.
//!
//! Not `lambda_runtime::tracing::init_default_subscriber`, whose settings are the same but which
//! installs its subscriber itself, leaving no place for the `never_logs_tokens` filter.

use std::io::IsTerminal;

use tracing::{Level, Metadata, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LogSettings {
    pub(crate) json: bool,
    pub(crate) ansi: bool,
    pub(crate) in_lambda: bool,
    pub(crate) filter: String,
}

impl LogSettings {
    pub(crate) fn from_lookup(lookup: impl Fn(&str) -> Option<String>, terminal: bool) -> Self {
        let in_lambda = lookup("AWS_LAMBDA_FUNCTION_NAME").is_some();
        let json = lookup("AWS_LAMBDA_LOG_FORMAT")
            .is_some_and(|format| format.eq_ignore_ascii_case("json"));
        let filter = match lookup("AWS_LAMBDA_LOG_LEVEL").filter(|level| !level.is_empty()) {
            Some(level) => lambda_level(&level).to_owned(),
            None => lookup("RUST_LOG")
                .filter(|directives| !directives.is_empty())
                .unwrap_or_else(|| "info".to_owned()),
        };
        LogSettings {
            json,
            ansi: terminal && !in_lambda,
            in_lambda,
            filter,
        }
    }
}

/// Lambda's level names; FATAL has no tracing equivalent and means "errors only".
fn lambda_level(level: &str) -> &'static str {
    match level.to_ascii_uppercase().as_str() {
        "TRACE" => "trace",
        "DEBUG" => "debug",
        "WARN" => "warn",
        "ERROR" | "FATAL" => "error",
        _ => "info",
    }
}

/// Crates whose TRACE events carry secrets. `lambda_runtime` logs every raw event: an API
/// function's `Authorization` header and so the session token, the frontend publisher's
/// presigned CloudFormation `ResponseURL`. The AWS SDK's orchestrator (`aws_smithy_runtime`)
/// logs every operation's output, so `GetLayerVersionByArn`'s presigned download URL, and its
/// other crates log requests and resolved identities. Those stay out of the log at every level
/// a deployer can choose, so these TRACE events are dropped whatever the filter asks for.
const TRACE_HOLDS_SECRETS: [&str; 4] = ["lambda_runtime", "aws_smithy", "aws_sdk", "aws_config"];

fn never_logs_tokens(metadata: &Metadata<'_>) -> bool {
    !(*metadata.level() == Level::TRACE
        && TRACE_HOLDS_SECRETS
            .iter()
            .any(|prefix| metadata.target().starts_with(prefix)))
}

pub(crate) fn subscriber<W>(settings: &LogSettings, writer: W) -> Box<dyn Subscriber + Send + Sync>
where
    W: for<'writer> MakeWriter<'writer> + Send + Sync + 'static,
{
    let filter = EnvFilter::builder().parse_lossy(&settings.filter);
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(settings.ansi);
    let token_guard = filter_fn(never_logs_tokens);
    match (settings.json, settings.in_lambda) {
        // Span fields carry Lambda's request id (the runtime opens a span per invocation).
        (true, _) => Box::new(
            builder
                .json()
                .flatten_event(true)
                .with_current_span(true)
                .with_span_list(false)
                .finish()
                .with(token_guard),
        ),
        // CloudWatch stamps every line already.
        (false, true) => Box::new(builder.without_time().finish().with(token_guard)),
        (false, false) => Box::new(builder.finish().with(token_guard)),
    }
}

/// Installs the process's log subscriber, writing to stdout. Call once, first thing in `main`;
/// a second call leaves the first subscriber in place.
pub fn init_tracing() {
    let settings = LogSettings::from_lookup(
        |name| std::env::var(name).ok(),
        std::io::stdout().is_terminal(),
    );
    if tracing::subscriber::set_global_default(subscriber(&settings, std::io::stdout)).is_err() {
        tracing::debug!("a log subscriber was already installed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};

    fn settings(vars: &[(&str, &str)], terminal: bool) -> LogSettings {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        LogSettings::from_lookup(|name| vars.get(name).cloned(), terminal)
    }

    #[test]
    fn lambda_with_json_format_logs_json_without_colours() {
        let settings = settings(
            &[
                ("AWS_LAMBDA_FUNCTION_NAME", "get-roles"),
                ("AWS_LAMBDA_LOG_FORMAT", "JSON"),
                ("AWS_LAMBDA_LOG_LEVEL", "DEBUG"),
            ],
            true,
        );
        assert_eq!(
            settings,
            LogSettings {
                json: true,
                ansi: false,
                in_lambda: true,
                filter: "debug".into()
            }
        );
    }

    #[test]
    fn lambda_level_wins_over_rust_log_and_fatal_means_error() {
        let settings = settings(
            &[("AWS_LAMBDA_LOG_LEVEL", "FATAL"), ("RUST_LOG", "trace")],
            false,
        );
        assert_eq!(settings.filter, "error");
        assert_eq!(
            self::settings(&[("RUST_LOG", "descope_auth=debug")], false).filter,
            "descope_auth=debug"
        );
        assert_eq!(self::settings(&[], false).filter, "info");
    }

    #[test]
    fn text_in_lambda_has_no_colours_even_on_a_terminal() {
        let settings = settings(
            &[
                ("AWS_LAMBDA_FUNCTION_NAME", "get-roles"),
                ("AWS_LAMBDA_LOG_FORMAT", "Text"),
            ],
            true,
        );
        assert!(!settings.json);
        assert!(!settings.ansi);
        assert!(self::settings(&[], true).ansi);
        assert!(!self::settings(&[], false).ansi);
    }

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn json_lines_carry_the_span_fields_and_the_event_fields_flat() {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let settings = settings(
            &[
                ("AWS_LAMBDA_FUNCTION_NAME", "f"),
                ("AWS_LAMBDA_LOG_FORMAT", "json"),
            ],
            false,
        );
        let subscriber = subscriber(&settings, move || writer.clone());
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("Lambda runtime invoke", requestId = "req-1");
            let _entered = span.enter();
            tracing::info!(reason = "bad signature", "session token rejected");
            tracing::debug!("filtered out at info");
        });
        let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1, "{text}");
        let line: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(line["level"], "INFO");
        assert_eq!(line["message"], "session token rejected");
        assert_eq!(line["reason"], "bad signature");
        assert_eq!(line["span"]["requestId"], "req-1");
    }

    #[test]
    fn the_runtime_trace_events_stay_out_even_when_trace_is_asked_for() {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let settings = settings(&[("AWS_LAMBDA_LOG_LEVEL", "TRACE")], false);
        let subscriber = subscriber(&settings, move || writer.clone());
        tracing::subscriber::with_default(subscriber, || {
            tracing::trace!(target: "lambda_runtime::layers::api_response", "raw event");
            tracing::trace!(target: "lambda_runtime_api_client", "raw event");
            tracing::trace!(target: "aws_smithy_runtime::client::orchestrator", "raw event");
            tracing::trace!(target: "aws_sdk_lambda::config", "raw event");
            tracing::debug!(target: "lambda_runtime", "runtime debug line");
            tracing::debug!(target: "aws_smithy_runtime", "sdk debug line");
            tracing::trace!("handler trace line");
        });
        let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        assert!(!text.contains("raw event"), "{text}");
        assert!(text.contains("runtime debug line"), "{text}");
        assert!(text.contains("sdk debug line"), "{text}");
        assert!(text.contains("handler trace line"), "{text}");
    }
}
