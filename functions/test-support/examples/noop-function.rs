//! The baseline for `scripts/figures.sh`: a `lambda_http` function that does nothing, built with
//! the same profile and runtime settings as the real functions (`function_startup::serve`: one
//! thread, or with `AWS_LAMBDA_MAX_CONCURRENCY` > 1 that many invocations at once, on a
//! multi-threaded runtime where there are several cores), so their figures read as ratios.

use lambda_http::{Body, Request, Response, service_fn};

fn main() -> Result<(), lambda_http::Error> {
    let concurrent = std::env::var("AWS_LAMBDA_MAX_CONCURRENCY")
        .ok()
        .and_then(|value| value.trim().parse::<usize>().ok())
        .is_some_and(|concurrency| concurrency > 1);
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let runtime = if concurrent && cores > 1 {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    }
    .enable_all()
    .build()?;
    runtime.block_on(lambda_http::run_concurrent(service_fn(
        |_request: Request| async {
            let mut response = Response::new(Body::from("{}"));
            response.headers_mut().insert(
                "content-type",
                "application/json".parse().expect("valid header"),
            );
            Ok::<_, std::convert::Infallible>(response)
        },
    )))
}
