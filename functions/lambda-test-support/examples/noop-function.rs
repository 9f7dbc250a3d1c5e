//! The baseline for `scripts/figures.sh`: a `lambda_http` function that does nothing, built with
//! the same profile and runtime settings as the real functions, so their figures read as ratios.

use lambda_http::{Body, Request, Response, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    lambda_http::run(service_fn(|_request: Request| async {
        let mut response = Response::new(Body::from("{}"));
        response.headers_mut().insert(
            "content-type",
            "application/json".parse().expect("valid header"),
        );
        Ok::<_, std::convert::Infallible>(response)
    }))
    .await
}
