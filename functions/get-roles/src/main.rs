use std::process::ExitCode;

use lambda_http::{Request, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let validator = match descope_auth::cold_start("get-roles") {
        Ok(validator) => validator,
        Err(exit_code) => return exit_code,
    };
    let validator = &validator;
    let result = lambda_http::run(service_fn(move |request: Request| async move {
        Ok::<_, std::convert::Infallible>(get_roles::get_roles(validator, &request).await)
    }))
    .await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "the Lambda runtime stopped");
            ExitCode::FAILURE
        }
    }
}
