//! The API functions' start-up: read the configuration, build the one validator the warm
//! environment shares, start its first key fetch, and hand the handler to the Lambda runtime.

use std::convert::Infallible;
use std::future::Future;
use std::process::ExitCode;
use std::sync::Arc;

use lambda_http::{Body, Request, Response, service_fn};

use descope_auth::{Config, SessionValidator};

use crate::logging::init_tracing;

/// Lambda Managed Instances set it to the invocations one environment runs at once.
const MAX_CONCURRENCY_VAR: &str = "AWS_LAMBDA_MAX_CONCURRENCY";

/// Runs `handler` for every invocation until the runtime stops, and returns `main`'s exit code.
///
/// A configuration mistake is logged (the error names the variable to set) and fails the cold
/// start, so it shows when the function is deployed instead of as an error on every request.
///
/// With `AWS_LAMBDA_MAX_CONCURRENCY` = N > 1 the environment serves N invocations at once, on a
/// multi-threaded runtime where it has several cores, so the CPU-bound token checks spread over
/// them; they all share one validator and so one key cache. Unset or 1 (classic Lambda), invocations run
/// one at a time on a single thread, which starts faster.
pub fn serve<H, F>(function_name: &str, handler: H) -> ExitCode
where
    H: Fn(Arc<SessionValidator>, Request) -> F + Clone + Send + 'static,
    F: Future<Output = Response<Body>> + Send + 'static,
{
    init_tracing();
    let validator =
        match Config::from_env().and_then(|config| SessionValidator::from_config(&config)) {
            Ok(validator) => Arc::new(validator),
            Err(error) => {
                tracing::error!(%error, "cannot start {function_name}");
                return ExitCode::FAILURE;
            }
        };
    let concurrency = max_concurrency(std::env::var(MAX_CONCURRENCY_VAR).ok().as_deref());
    // Counting cores reads the cgroup's CPU quota: only worth it where it can matter.
    let cores = if concurrency > 1 {
        std::thread::available_parallelism().map_or(1, usize::from)
    } else {
        1
    };
    let runtime = match tokio_runtime(concurrency, cores) {
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
        async move { Ok::<_, Infallible>(handler(validator, request).await) }
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

/// The invocations one environment runs at once; anything but a number above 1 means one.
fn max_concurrency(value: Option<&str>) -> usize {
    value
        .and_then(|value| value.trim().parse::<usize>().ok())
        .filter(|&concurrency| concurrency > 1)
        .unwrap_or(1)
}

/// Worker threads pay off only with invocations to run side by side and cores to run them on: a
/// managed-instances environment of one vCPU (2 GB at the default 2 GB per vCPU) gains nothing
/// from them (`scripts/figures.sh` compares both).
fn tokio_runtime(concurrency: usize, cores: usize) -> std::io::Result<tokio::runtime::Runtime> {
    let mut builder = if concurrency > 1 && cores > 1 {
        // One worker per core (tokio's default): more would only take turns on the same cores.
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    builder.enable_all().build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_number_above_one_means_concurrent() {
        assert_eq!(max_concurrency(None), 1);
        assert_eq!(max_concurrency(Some("")), 1);
        assert_eq!(max_concurrency(Some("1")), 1);
        assert_eq!(max_concurrency(Some("0")), 1);
        assert_eq!(max_concurrency(Some("-4")), 1);
        assert_eq!(max_concurrency(Some("eight")), 1);
        assert_eq!(max_concurrency(Some("8")), 8);
        assert_eq!(max_concurrency(Some(" 64 ")), 64);
    }

    #[test]
    fn the_runtime_has_worker_threads_only_when_concurrent_on_several_cores() {
        use tokio::runtime::RuntimeFlavor::{CurrentThread, MultiThread};
        let flavor = |concurrency, cores| {
            tokio_runtime(concurrency, cores)
                .unwrap()
                .handle()
                .runtime_flavor()
        };
        assert_eq!(flavor(1, 1), CurrentThread);
        assert_eq!(flavor(1, 4), CurrentThread);
        assert_eq!(flavor(8, 1), CurrentThread);
        assert_eq!(flavor(8, 4), MultiThread);
    }
}
