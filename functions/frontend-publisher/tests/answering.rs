//! Where and by when the answer goes: only to CloudFormation's response URL (or loopback, for
//! tests), and always before the Lambda deadline, however slow that URL is.

mod support;

use std::time::Duration;

use frontend_publisher::handler::Budget;
use frontend_publisher::response::RespondError;
use frontend_publisher::{Responder, handle};
use support::*;

const AWS_HOST: &str = "cloudformation-custom-resource-response-useast1.s3.amazonaws.com";
const FOREIGN_HOST: &str = "collector.example.com";

/// An HTTP client that resolves AWS_HOST and FOREIGN_HOST to `response_url`'s local server, so
/// that a PUT the publisher should not make would arrive where the test can see it.
fn client_resolving_to(response_url: &ResponseUrl) -> reqwest::Client {
    reqwest::Client::builder()
        .resolve(AWS_HOST, response_url.addr())
        .resolve(FOREIGN_HOST, response_url.addr())
        .build()
        .expect("a client")
}

/// The margin the function keeps in production, on a 6 s function: the work gets half, and
/// each of the answer's attempts under a second.
const SIX_SECOND_FUNCTION: Budget = Budget {
    time_left: Duration::from_secs(6),
    answer_margin: frontend_publisher::handler::ANSWER_MARGIN,
};

/// An Update whose work never finishes, to be answered at `response_url` instead of the site's.
/// `request` handled in a six-second function whose build download never ends, stopped after
/// `limit` if still running.
async fn handle_stuck_in_six_seconds(
    site: &Site,
    request: &frontend_publisher::CfnRequest,
    limit: Duration,
) -> Result<Result<(), RespondError>, tokio::time::error::Elapsed> {
    let responder = Responder::new(frontend_publisher::http_client());
    let publisher = site.publisher_with(StuckSource);
    tokio::time::timeout(
        limit,
        handle(&publisher, &responder, request, SIX_SECOND_FUNCTION, ""),
    )
    .await
}

fn late_update_answered_at(
    site: &Site,
    response_url: &ResponseUrl,
    request_id: &str,
) -> frontend_publisher::CfnRequest {
    let mut request = site.update_of_kept_site(request_id);
    request.response_url = response_url.url_for(request_id);
    request
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_response_url_off_aws_or_off_https_is_never_put_to() {
    let site = Site::start().await;
    let build = site.builds.add_vite_build(1, "v1");
    let http = client_resolving_to(&site.cfn);
    let port = site.cfn.addr().port();

    // The test's client does reach the recorder through those names.
    let control = format!("http://{FOREIGN_HOST}:{port}/cfn-response/control?sig=1");
    http.put(&control).send().await.expect("the control PUT");
    assert_eq!(
        site.cfn.answers().len(),
        1,
        "the recorder saw the control PUT"
    );

    let responder = Responder::new(http);
    for (request_id, url) in [
        (
            "plain-http-to-aws",
            format!("http://{AWS_HOST}:{port}/cfn-response/plain-http-to-aws?X-Amz-Signature=s"),
        ),
        (
            "foreign-http",
            format!("http://{FOREIGN_HOST}:{port}/cfn-response/foreign-http?X-Amz-Signature=s"),
        ),
        (
            "foreign-https",
            format!("https://{FOREIGN_HOST}/cfn-response/foreign-https?X-Amz-Signature=s"),
        ),
        (
            "aws-host-as-userinfo",
            format!("https://{AWS_HOST}@{FOREIGN_HOST}/cfn-response/x?X-Amz-Signature=s"),
        ),
    ] {
        let mut request = as_request(site.create_event(request_id, site.properties(&build)));
        request.response_url = url.clone();

        let outcome = handle(&site.publisher(), &responder, &request, AMPLE_BUDGET, "").await;

        match outcome {
            Err(RespondError::UnsafeUrl(refusal)) => {
                let message = refusal.to_string();
                assert!(message.starts_with("refusing to answer at "), "{message}");
                assert!(!message.contains("X-Amz-Signature"), "{message}");
            }
            other => panic!("{url}: expected a refusal, got {other:?}"),
        }
    }
    assert_eq!(site.cfn.answers().len(), 1, "no PUT but the control");
    assert!(site.builds.downloads().is_empty(), "nothing was acted on");
    assert!(site.keys().await.is_empty());
}

/// The work runs into its own deadline, and the response URL then holds the first PUT without
/// answering: the retry still reaches CloudFormation before Lambda would stop the function.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_answer_is_retried_within_the_deadline() {
    let site = Site::start().await;
    let slow = ResponseUrl::stalling(1).await;
    let request = late_update_answered_at(&site, &slow, "late");

    // Lambda stops the function at the deadline; so does this.
    handle_stuck_in_six_seconds(&site, &request, SIX_SECOND_FUNCTION.time_left)
        .await
        .expect("answered before the deadline")
        .expect("the answer reached the response URL");

    assert_eq!(slow.stalled(), 1);
    let answer = slow.answer_to("late");
    assert_eq!(answer["Status"], "FAILED");
    assert_eq!(
        answer["Reason"],
        "the publisher ran out of time before finishing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_response_url_that_never_answers_is_given_up_on_at_the_deadline() {
    let site = Site::start().await;
    let silent = ResponseUrl::stalling(usize::MAX).await;
    let request = late_update_answered_at(&site, &silent, "unheard");

    // A guard a little past the deadline, so a responder that ignores it fails this test
    // instead of hanging it.
    let guard = SIX_SECOND_FUNCTION.time_left + Duration::from_secs(1);
    let outcome = handle_stuck_in_six_seconds(&site, &request, guard)
        .await
        .expect("the responder gave up by the deadline");

    assert!(
        matches!(outcome, Err(RespondError::Transport(_))),
        "{outcome:?}"
    );
    assert_eq!(silent.stalled(), 3, "every attempt was made in the time");
    assert!(silent.answers().is_empty());
}
