//! The compiled function as Lambda runs it: a clean environment, a local Runtime API, its AWS
//! clients configured from the environment (pointed at moto on 127.0.0.1 through
//! AWS_ENDPOINT_URL, Lambda at a local GetLayerVersionByArn, with test credentials), and
//! CloudFormation's response URL on loopback.
//! Proves main's wiring; the handler's behaviour is covered in custom_resource.rs.

mod support;

use std::time::Duration;

use serde_json::json;
use support::*;
use test_support::{FunctionProcess, RuntimeApi, lambda_environment};

const WITHIN: Duration = Duration::from_secs(20);

fn environment(runtime: &RuntimeApi, moto: &Moto, layers: &LayerApi) -> Vec<(String, String)> {
    let mut env = lambda_environment(&runtime.address(), "frontend-publisher");
    for (name, value) in [
        ("AWS_ENDPOINT_URL", moto.endpoint.as_str()),
        ("AWS_ENDPOINT_URL_LAMBDA", layers.endpoint.as_str()),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_SESSION_TOKEN", "testing"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ] {
        env.push((name.to_owned(), value.to_owned()));
    }
    env
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_function_answers_cloudformation_through_its_own_clients() {
    let site = Site::start().await;
    site.s3
        .put_object()
        .bucket(&site.bucket)
        .key("index.html")
        .body(b"<!doctype html>".to_vec().into())
        .send()
        .await
        .unwrap();
    let layers = LayerApi::start(&site.builds).await;
    let mut runtime = RuntimeApi::start().await;
    // FRONTEND_PUBLISHER_BINARY runs another build of it (say, the release one, to time its
    // cold init) through the same checks.
    let binary = std::env::var("FRONTEND_PUBLISHER_BINARY")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_frontend-publisher").to_owned());
    let function = FunctionProcess::spawn(&binary, &environment(&runtime, &site.moto, &layers));

    // Delete: the S3 client and the answer, end to end.
    let id = format!("frontend-site:{}", site.bucket);
    let delete = site.request(
        "Delete",
        "delete",
        Some(&id),
        site.properties(&layer_arn(1)),
        None,
    );
    let event = serde_json::to_string(&raw_event(&delete, "Delete")).unwrap();
    let invocation = runtime.invoke(event);
    runtime.expect_response(&invocation, WITHIN).await;
    let init = runtime.first_poll_at().expect("polled") - function.started_at;
    eprintln!("cold init (process start to first poll): {init:?}");
    assert_eq!(site.cfn.answer_to("delete")["Status"], "SUCCESS");
    assert!(site.keys().await.is_empty());

    // Create: the whole path, from the layer version's ARN to the published site.
    let build = site.builds.add(1, &as_refs(&vite_build("v1")));
    let create = site.request("Create", "create", None, site.properties(&build), None);
    let event = serde_json::to_string(&raw_event(&create, "Create")).unwrap();
    let invocation = runtime.invoke(event);
    runtime.expect_response(&invocation, WITHIN).await;
    let output = function.kill_and_collect().await;
    let answer = site.cfn.answer_to("create");
    assert_eq!(answer["Status"], "SUCCESS", "{answer}\n{output}");
    assert_eq!(layers.asked(), [build]);
    assert_eq!(site.builds.downloads(), ["1"]);
    let (content_type, cache_control, _) = site.object("assets/index-v1.js").await;
    assert_eq!(content_type, "text/javascript; charset=utf-8");
    assert_eq!(cache_control, "public, max-age=31536000, immutable");
    assert_eq!(site.invalidations().await, ["create"]);

    assert!(
        !output.contains("X-Amz-Signature"),
        "the response URL stays out of the log"
    );
    assert!(
        output
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .any(|line| line["level"] == "INFO" && line["message"] == "published the frontend"),
        "JSON logs: {output}"
    );
}

/// The request as CloudFormation sends it, rebuilt from the typed one.
fn raw_event(request: &frontend_publisher::CfnRequest, request_type: &str) -> serde_json::Value {
    let mut event = json!({
        "RequestType": request_type,
        "ResponseURL": request.response_url,
        "StackId": request.stack_id,
        "RequestId": request.request_id,
        "LogicalResourceId": request.logical_resource_id,
        "ResourceType": "Custom::FrontendSite",
        "ResourceProperties": request.resource_properties,
    });
    if let Some(id) = &request.physical_resource_id {
        event["PhysicalResourceId"] = json!(id);
    }
    event
}
