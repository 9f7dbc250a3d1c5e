//! The baseline for `scripts/figures.sh`: a `lambda_http` function that does nothing, built with
//! the same profile and on the same runtime as the API functions ([`api_startup::async_runtime`]:
//! one thread, or with `AWS_LAMBDA_MAX_CONCURRENCY` > 1 that many invocations at once, on a
//! multi-threaded runtime where there are several cores), so their figures read as ratios.

use lambda_http::{Body, Request, Response, service_fn};

fn main() -> Result<(), lambda_http::Error> {
    api_startup::async_runtime()?.block_on(lambda_http::run_concurrent(service_fn(
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
