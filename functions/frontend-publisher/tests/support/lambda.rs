//! The Lambda service around the compiled publisher: GetLayerVersionByArn, which moto's server
//! does not route, and the environment Lambda gives the function.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde_json::json;

use super::builds::{BuildServer, LAYER_URL_SIGNATURE};
use super::loopback::{LocalServer, serve};
use super::moto::Moto;

/// Lambda's GetLayerVersionByArn on 127.0.0.1 (moto's server does not route it): every layer
/// version's content is at the build server, under the version's number, as a presigned URL
/// would be. Dropping it stops the server.
pub struct LayerApi {
    pub endpoint: String,
    asked: Arc<Mutex<Vec<String>>>,
    _server: LocalServer,
}

impl LayerApi {
    pub async fn start(builds: &BuildServer) -> LayerApi {
        let asked: Arc<Mutex<Vec<String>>> = Arc::default();
        let builds = format!("http://{}", builds.addr());
        let state = (asked.clone(), builds);
        let router = Router::new()
            .route(
                "/2018-10-31/layers",
                get(
                    |State((asked, builds)): State<(Arc<Mutex<Vec<String>>>, String)>,
                     axum::extract::Query(query): axum::extract::Query<
                        HashMap<String, String>,
                    >| async move {
                        let arn = query.get("Arn").cloned().unwrap_or_default();
                        asked.lock().unwrap().push(arn.clone());
                        let version = arn.rsplit(':').next().unwrap_or_default().to_owned();
                        axum::Json(json!({
                            "LayerVersionArn": arn,
                            "Version": version.parse::<u64>().unwrap_or_default(),
                            "Content": {
                                "Location": format!("{builds}/builds/{version}?{LAYER_URL_SIGNATURE}"),
                                "CodeSize": 0,
                            },
                        }))
                    },
                ),
            )
            .with_state(state);
        let server = serve(router).await;
        LayerApi {
            endpoint: format!("http://{}", server.addr),
            asked,
            _server: server,
        }
    }

    pub fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }
}

/// What the Lambda service gives the function, 512 MB as template.yaml gives it, with its AWS
/// clients pointed at moto and at the local layer API by the SDK's own endpoint variables, and
/// test credentials.
pub fn function_environment(
    runtime_api: &str,
    moto: &Moto,
    layers: &LayerApi,
) -> Vec<(String, String)> {
    let mut env = test_support::lambda_environment(runtime_api, "frontend-publisher");
    env.retain(|(name, _)| name != "AWS_LAMBDA_FUNCTION_MEMORY_SIZE");
    for (name, value) in [
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512"),
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
