use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_config::BehaviorVersion;
use aws_config::timeout::TimeoutConfig;
use frontend_publisher::handler::{ANSWER_MARGIN, Budget};
use frontend_publisher::{CfnRequest, LayerBuildSource, Publisher, Responder, handle, http_client};
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    function_base::init_tracing();
    // Credentials and region come from the function's environment. Each call is capped so one
    // stuck request cannot use up the time the answer to CloudFormation needs.
    let aws = aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .operation_attempt_timeout(Duration::from_secs(30))
                .build(),
        )
        .load()
        .await;
    let http = http_client();
    let publisher = Publisher::new(
        aws_sdk_s3::Client::new(&aws),
        aws_sdk_cloudfront::Client::new(&aws),
        LayerBuildSource::new(aws_sdk_lambda::Client::new(&aws), http.clone()),
    );
    let responder = Responder::new(http);
    let (publisher, responder) = (&publisher, &responder);

    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<serde_json::Value>| async move {
            // Without a ResponseURL, or with one that is not CloudFormation's, there is no one
            // to answer, and an answer that never arrived is no answer: those are the errors
            // the runtime reports (the invocation fails and shows in the function's metrics).
            let request: CfnRequest = serde_json::from_value(event.payload)?;
            let budget = Budget {
                time_left: time_left(event.context.deadline),
                answer_margin: ANSWER_MARGIN,
            };
            let log_stream = event.context.env_config.log_stream.clone();
            // Boxed: the SDK calls' futures nest deep enough to pass rustc's layout depth limit
            // when inlined into the runtime's own future.
            Box::pin(handle(publisher, responder, &request, budget, &log_stream)).await?;
            Ok::<(), Error>(())
        },
    ))
    .await
}

fn time_left(deadline_ms: u64) -> Duration {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    Duration::from_millis(deadline_ms).saturating_sub(now)
}
