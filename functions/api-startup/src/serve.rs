//! The API functions' start-up: read the configuration, build the one validator the warm
//! environment shares, start its first key fetch, and hand the handler to the Lambda runtime
//! inside a span for each request.

use std::convert::Infallible;
use std::future::Future;
use std::process::ExitCode;
use std::sync::Arc;

use lambda_http::{Body, Request, RequestExt, Response, service_fn};
use tracing::Instrument;
use tracing::field::Empty;

use descope_auth::{Config, SessionValidator};

use crate::runtime::async_runtime;

/// Runs `handler` for every invocation until the runtime stops, and returns `main`'s exit code.
///
/// A configuration mistake is logged (the error names the variable to set) and fails the cold
/// start, so it shows when the function is deployed instead of as an error on every request.
///
/// Each request runs in a span `request` whose fields are the function's name, Lambda's request
/// id and, once answered, the status: the JSON log shows only the innermost span, so every line
/// a request causes (a rejection and its reason, a key fetch it waited for) carries its id. The
/// request itself, and so its Authorization header, is never recorded.
///
/// All invocations share one validator and so one key cache, however many run at once (see
/// [`async_runtime`](crate::async_runtime)).
pub fn serve<H, F>(function_name: &'static str, handler: H) -> ExitCode
where
    H: Fn(Arc<SessionValidator>, Request) -> F + Clone + Send + 'static,
    F: Future<Output = Response<Body>> + Send + 'static,
{
    function_base::init_tracing();
    let validator =
        match Config::from_env().and_then(|config| SessionValidator::from_config(&config)) {
            Ok(validator) => Arc::new(validator),
            Err(error) => {
                tracing::error!(%error, "cannot start {function_name}");
                return ExitCode::FAILURE;
            }
        };
    let runtime = match async_runtime() {
        Ok(runtime) => runtime,
        Err(error) => {
            tracing::error!(%error, "cannot start the async runtime of {function_name}");
            return ExitCode::FAILURE;
        }
    };
    let validator_for_init = Arc::clone(&validator);
    let service = service_fn(move |request: Request| {
        let handler = handler.clone();
        let validator = Arc::clone(&validator);
        let span = tracing::info_span!(
            "request",
            function = function_name,
            requestId = Empty,
            status = Empty
        );
        if let Some(context) = request.lambda_context_ref() {
            span.record("requestId", context.request_id.as_str());
        }
        async move {
            let response = handler(validator, request).instrument(span.clone()).await;
            span.record("status", response.status().as_u16());
            Ok::<_, Infallible>(response)
        }
    });
    let serving = async move {
        // The first key fetch starts now, during init, so that an environment started ahead of
        // traffic has its keys before its first request; that request, if it comes sooner,
        // waits for this fetch instead of starting another. Nobody waits for it here: a failure
        // is a failed fetch (logged, retried after the back-off), not a failed cold start.
        drop(validator_for_init.prefetch_keys());
        // One turn for the fetch task to open its connection before the runtime's first poll.
        tokio::task::yield_now().await;
        // Sequential when the variable is unset or 1: run_concurrent reads it too.
        lambda_http::run_concurrent(service).await
    };
    match runtime.block_on(serving) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "the Lambda runtime stopped");
            ExitCode::FAILURE
        }
    }
}
