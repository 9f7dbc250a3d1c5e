//! The frontend half of a deployed stack, on loopback, for the rehearsal of the deployed site
//! (`scripts/test-deployed-site.sh`): moto's S3 bucket and CloudFront distribution, the compiled
//! publisher under a local Lambda Runtime API, the one Lambda call moto lacks
//! (GetLayerVersionByArn), and CloudFormation's response URL. Each stack update is asked for
//! over HTTP, so a browser test can redeploy while a tab is open:
//!
//! ```text
//! POST /publish {"build": "<directory sam build made>", "projectId": "P…", "baseUri": "…"}
//! ```
//!
//! The first publish is a Create, later ones Updates naming the previous properties, as
//! CloudFormation sends them; a directory not seen before becomes a new layer version. The answer
//! is what CloudFormation got. Once ready, it prints one JSON line naming its control address,
//! the S3 endpoint and the bucket.
//!
//! Usage: local-frontend-stack PUBLISHER_BINARY

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use support::{LayerApi, Site, as_refs, function_environment};
use test_support::{FunctionProcess, RuntimeApi};
use tokio::sync::Mutex;

/// Publishing takes seconds; this only bounds a hung publisher.
const PUBLISH_WITHIN: Duration = Duration::from_secs(120);

struct Stack {
    site: Site,
    runtime: RuntimeApi,
    /// Each build directory's layer version, in the order they were first published.
    versions: HashMap<PathBuf, u32>,
    /// The physical ID and properties of the resource as CloudFormation last recorded them.
    current: Option<(String, Value)>,
    publishes: u32,
    _layers: LayerApi,
    _function: FunctionProcess,
}

#[tokio::main]
async fn main() {
    let publisher = std::env::args()
        .nth(1)
        .expect("usage: local-frontend-stack PUBLISHER_BINARY");
    let site = Site::start().await;
    let layers = LayerApi::start(&site.builds).await;
    let runtime = RuntimeApi::start().await;
    let function = FunctionProcess::spawn(
        &publisher,
        &function_environment(&runtime.address(), &site.moto, &layers),
    );
    let s3_endpoint = site.moto.endpoint.clone();
    let bucket = site.bucket.clone();
    let stack = Arc::new(Mutex::new(Stack {
        site,
        runtime,
        versions: HashMap::new(),
        current: None,
        publishes: 0,
        _layers: layers,
        _function: function,
    }));

    let router = Router::new()
        .route("/publish", post(publish))
        .with_state(stack);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the control listener");
    let control = format!("http://{}", listener.local_addr().expect("control address"));
    println!(
        "{}",
        json!({ "control": control, "s3Endpoint": s3_endpoint, "bucket": bucket })
    );
    axum::serve(listener, router).await.expect("control server");
}

async fn publish(State(stack): State<Arc<Mutex<Stack>>>, body: String) -> Response {
    let request: Value = match serde_json::from_str(&body) {
        Ok(request) => request,
        Err(error) => return (StatusCode::BAD_REQUEST, error.to_string()).into_response(),
    };
    let (Some(build), Some(project_id), Some(base_uri)) = (
        request["build"].as_str(),
        request["projectId"].as_str(),
        request["baseUri"].as_str(),
    ) else {
        return (
            StatusCode::BAD_REQUEST,
            "expected {\"build\", \"projectId\", \"baseUri\"}, all strings",
        )
            .into_response();
    };
    let mut stack = stack.lock().await;
    let stack = &mut *stack;
    let build_arn = match add_build(stack, Path::new(build)) {
        Ok(arn) => arn,
        Err(problem) => return (StatusCode::BAD_REQUEST, problem).into_response(),
    };

    let mut properties = stack.site.properties(&build_arn);
    properties["DescopeProjectId"] = json!(project_id);
    properties["DescopeBaseUri"] = json!(base_uri);
    stack.publishes += 1;
    let request_id = format!("publish-{}", stack.publishes);
    let event = match &stack.current {
        None => stack.site.create_event(&request_id, properties),
        Some((physical_id, old_properties)) => {
            stack
                .site
                .update_event(&request_id, physical_id, properties, old_properties.clone())
        }
    };

    let invocation = stack.runtime.invoke(event.to_string());
    stack
        .runtime
        .expect_response(&invocation, PUBLISH_WITHIN)
        .await;
    let answer = stack.site.cfn.answer_to(&request_id);
    if answer["Status"] == "SUCCESS" {
        let physical_id = answer["PhysicalResourceId"]
            .as_str()
            .expect("a successful answer names the resource")
            .to_owned();
        stack.current = Some((physical_id, event["ResourceProperties"].clone()));
    }
    axum::Json(answer).into_response()
}

/// The layer version ARN for a build directory, adding it as the next version the first time.
fn add_build(stack: &mut Stack, directory: &Path) -> Result<String, String> {
    if let Some(version) = stack.versions.get(directory) {
        return Ok(support::layer_arn(*version));
    }
    let files = files_under(directory)?;
    let version = stack.versions.len() as u32 + 1;
    stack.versions.insert(directory.to_owned(), version);
    Ok(stack.site.builds.add(version, &as_refs(&files)))
}

/// Every file under `directory`, by its path relative to it, as the layer's zip holds them.
fn files_under(directory: &Path) -> Result<Vec<(String, String)>, String> {
    let mut files = Vec::new();
    let mut pending = vec![directory.to_owned()];
    while let Some(folder) = pending.pop() {
        let entries = std::fs::read_dir(&folder)
            .map_err(|e| format!("cannot read the build at {}: {e}", folder.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let name = path
                .strip_prefix(directory)
                .expect("under the build")
                .to_string_lossy()
                .into_owned();
            // The build server takes text; Vite's output for this app is all text.
            let body = std::fs::read_to_string(&path).map_err(|e| {
                format!("{name} is not a UTF-8 text file ({e}); serve binary builds as zips")
            })?;
            files.push((name, body));
        }
    }
    files.sort();
    Ok(files)
}
