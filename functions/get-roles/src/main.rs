use std::process::ExitCode;

use descope_auth::{Config, SessionValidator};
use lambda_http::{Request, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    descope_auth::init_tracing();
    // A configuration mistake fails the cold start, so it shows in the deployment, not per request.
    let validator =
        match Config::from_env().and_then(|config| SessionValidator::from_config(&config)) {
            Ok(validator) => validator,
            Err(error) => {
                tracing::error!(%error, "cannot start get-roles");
                return ExitCode::FAILURE;
            }
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
