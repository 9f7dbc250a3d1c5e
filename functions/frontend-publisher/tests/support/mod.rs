//! Local doubles for the publisher's tests: moto's server for S3 and CloudFront, a server for
//! build zips (standing in for the layer's presigned download URL), a server recording the
//! answers PUT to CloudFormation's response URL, and an S3 that denies everything. All listen
//! on 127.0.0.1; an interceptor on every SDK client records where each call went.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_sdk_s3::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_s3::config::{ConfigBag, Credentials, Intercept, Region, RuntimeComponents};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::routing::{any, get};
use frontend_publisher::handler::Budget;
use frontend_publisher::source::download;
use frontend_publisher::{BuildSource, CfnRequest, FetchError, Publisher, Responder};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub const PROJECT_ID: &str = "P2TestProject";
/// The signatures of the two presigned URLs the publisher is given, to look for in its log.
pub const LAYER_URL_SIGNATURE: &str = "X-Amz-Signature=layer0download0signature";
pub const RESPONSE_URL_SIGNATURE: &str = "X-Amz-Signature=response0url0signature";
pub const STACK_ID: &str =
    "arn:aws:cloudformation:us-east-1:123456789012:stack/site/00000000-0000-0000-0000-000000000000";

// ---------------------------------------------------------------- moto ---------------------

/// moto's server on a free 127.0.0.1 port, stopped when dropped.
pub struct Moto {
    pub endpoint: String,
    child: Child,
}

fn moto_binary() -> PathBuf {
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    workspace.join(".venv/bin/moto_server")
}

impl Moto {
    pub async fn start() -> Moto {
        let binary = moto_binary();
        assert!(
            binary.exists(),
            "{} is missing: run scripts/setup-python-tools.sh, which installs moto's server into \
             .venv for these tests",
            binary.display()
        );
        let port = free_port();
        let mut child = Command::new(&binary)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start moto_server");
        // Werkzeug says "Running on http://127.0.0.1:PORT" once it listens.
        let mut lines = BufReader::new(child.stderr.take().expect("moto stderr")).lines();
        let ready = tokio::time::timeout(Duration::from_secs(30), async {
            let mut seen = Vec::new();
            while let Some(line) = lines.next_line().await.expect("read moto's output") {
                if line.contains("Running on") {
                    return Ok(lines);
                }
                seen.push(line);
            }
            Err(seen.join("\n"))
        })
        .await
        .expect("moto_server did not start within 30 s");
        let mut lines = ready.unwrap_or_else(|output| panic!("moto_server exited:\n{output}"));
        // Keep draining its request log so the pipe never fills and blocks it.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Moto {
            endpoint: format!("http://127.0.0.1:{port}"),
            child,
        }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// An address nothing listens on: connections are refused at once.
pub fn refusing_endpoint() -> String {
    format!("http://127.0.0.1:{}", free_port())
}

// ---------------------------------------------------------------- clients ------------------

/// Every URI an SDK client sent a request to.
#[derive(Debug, Clone, Default)]
pub struct CallLog(Arc<Mutex<Vec<Uri>>>);

impl CallLog {
    pub fn uris(&self) -> Vec<Uri> {
        self.0.lock().unwrap().clone()
    }

    /// Asserts every call went to loopback (and there was at least one).
    pub fn assert_all_local(&self) {
        let uris = self.uris();
        assert!(!uris.is_empty(), "no AWS call was made");
        for uri in uris {
            assert_eq!(uri.host(), Some("127.0.0.1"), "a call left loopback: {uri}");
        }
    }
}

impl Intercept for CallLog {
    fn name(&self) -> &'static str {
        "CallLog"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _config: &mut ConfigBag,
    ) -> Result<(), aws_sdk_s3::error::BoxError> {
        let uri: Uri = context.request().uri().parse()?;
        self.0.lock().unwrap().push(uri);
        Ok(())
    }
}

/// Built field by field, not from the environment: fixed test credentials and region, the
/// given endpoint, no credential chain that could reach for the instance metadata service.
pub fn sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    aws_config::SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(aws_sdk_s3::config::SharedCredentialsProvider::new(
            Credentials::new("testing", "testing", None, None, "tests"),
        ))
        .endpoint_url(endpoint)
        // One attempt: a refused connection fails at once instead of after backoff.
        .retry_config(RetryConfig::standard().with_max_attempts(1))
        .build()
}

pub fn s3_client(endpoint: &str, calls: &CallLog) -> aws_sdk_s3::Client {
    let config = aws_sdk_s3::config::Builder::from(&sdk_config(endpoint))
        .force_path_style(true)
        .interceptor(calls.clone())
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

pub fn cloudfront_client(endpoint: &str, calls: &CallLog) -> aws_sdk_cloudfront::Client {
    let config = aws_sdk_cloudfront::config::Builder::from(&sdk_config(endpoint))
        .interceptor(calls.clone())
        .build();
    aws_sdk_cloudfront::Client::from_conf(config)
}

// ---------------------------------------------------------------- builds -------------------

/// Serves build zips by name at /builds/{name}, counting downloads; stands in for the layer
/// version's presigned URL. Dropping it stops the server.
pub struct BuildServer {
    pub addr: SocketAddr,
    zips: Arc<Mutex<HashMap<String, Vec<u8>>>>,
    hits: Arc<Mutex<Vec<String>>>,
    server: tokio::task::JoinHandle<()>,
}

#[derive(Clone)]
struct BuildState {
    zips: Arc<Mutex<HashMap<String, Vec<u8>>>>,
    hits: Arc<Mutex<Vec<String>>>,
}

/// The layer version whose download never ends: chunks of zeros, with no Content-Length.
pub const ENDLESS_BUILD: u32 = 999;

async fn serve_build(
    State(state): State<BuildState>,
    Path(name): Path<String>,
) -> impl IntoResponse {
    state.hits.lock().unwrap().push(name.clone());
    if name == ENDLESS_BUILD.to_string() {
        let zeros = Bytes::from(vec![0u8; 1024 * 1024]);
        let chunks =
            futures_util::stream::repeat_with(move || Ok::<_, std::io::Error>(zeros.clone()));
        return axum::body::Body::from_stream(chunks).into_response();
    }
    match state.zips.lock().unwrap().get(&name) {
        Some(zip) => (StatusCode::OK, zip.clone()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

impl BuildServer {
    pub async fn start() -> BuildServer {
        let state = BuildState {
            zips: Arc::default(),
            hits: Arc::default(),
        };
        let router = Router::new()
            .route("/builds/{name}", get(serve_build))
            .with_state(state.clone());
        let (addr, server) = serve(router).await;
        BuildServer {
            addr,
            zips: state.zips,
            hits: state.hits,
            server,
        }
    }

    /// Adds a build and returns the reference the stack would pass: a layer version ARN.
    pub fn add(&self, version: u32, files: &[(&str, &str)]) -> String {
        self.add_zip(version, zip_of(files))
    }

    /// Adds a zip as it is, however damaged.
    pub fn add_zip(&self, version: u32, zip: Vec<u8>) -> String {
        self.zips.lock().unwrap().insert(version.to_string(), zip);
        layer_arn(version)
    }

    pub fn downloads(&self) -> Vec<String> {
        self.hits.lock().unwrap().clone()
    }
}

impl Drop for BuildServer {
    fn drop(&mut self) {
        self.server.abort();
    }
}

pub fn layer_arn(version: u32) -> String {
    format!("arn:aws:lambda:us-east-1:123456789012:layer:site-frontend:{version}")
}

/// The test's build source: the layer's version number picks the zip, downloaded over HTTP
/// from the local build server by the publisher's own download code.
pub struct LocalLayers {
    pub http: reqwest::Client,
    pub base: String,
}

impl BuildSource for LocalLayers {
    async fn fetch(&self, build: &str) -> Result<std::fs::File, FetchError> {
        let version = build.rsplit(':').next().unwrap_or_default();
        let url = format!("{}/builds/{version}?{LAYER_URL_SIGNATURE}", self.base);
        assert!(
            url.starts_with("http://127.0.0.1:"),
            "a download left loopback: {url}"
        );
        download(&self.http, &url).await
    }
}

/// A source whose fetch never finishes, for the deadline.
pub struct StuckSource;

impl BuildSource for StuckSource {
    async fn fetch(&self, _build: &str) -> Result<std::fs::File, FetchError> {
        std::future::pending().await
    }
}

pub fn zip_of(files: &[(&str, &str)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, body) in files {
        writer.start_file(*name, options).expect("zip entry");
        writer.write_all(body.as_bytes()).expect("zip body");
    }
    writer.finish().expect("zip").into_inner()
}

/// A Vite-like build: index.html naming its hashed assets, plus an un-hashed public file.
pub fn vite_build(tag: &str) -> Vec<(String, String)> {
    vec![
        (
            "index.html".to_owned(),
            format!(
                "<!doctype html><script type=module src=/assets/index-{tag}.js></script>\
                 <link rel=stylesheet href=/assets/index-{tag}.css>"
            ),
        ),
        (
            format!("assets/index-{tag}.js"),
            format!("console.log('{tag}')"),
        ),
        (
            format!("assets/index-{tag}.css"),
            format!("body{{--build:'{tag}'}}"),
        ),
        (
            format!("assets/lazy-{tag}.js"),
            format!("export const page='{tag}'"),
        ),
        (
            "favicon.svg".to_owned(),
            "<svg xmlns='http://www.w3.org/2000/svg'/>".to_owned(),
        ),
    ]
}

pub fn as_refs(files: &[(String, String)]) -> Vec<(&str, &str)> {
    files
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

// ---------------------------------------------------------------- CloudFormation -----------

#[derive(Debug, Clone)]
pub struct Recorded {
    pub path_and_query: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("the answer is JSON")
    }
}

/// Stands in for CloudFormation's presigned response URL: records every PUT and answers 200,
/// or, for the first `stall` requests, reads them and never answers.
pub struct ResponseUrl {
    pub addr: SocketAddr,
    answers: Arc<Mutex<Vec<Recorded>>>,
    stalled: Arc<Mutex<usize>>,
    server: tokio::task::JoinHandle<()>,
}

#[derive(Clone)]
struct ResponseState {
    answers: Arc<Mutex<Vec<Recorded>>>,
    stalled: Arc<Mutex<usize>>,
    stall: usize,
}

impl ResponseUrl {
    pub async fn start() -> ResponseUrl {
        ResponseUrl::stalling(0).await
    }

    pub async fn stalling(stall: usize) -> ResponseUrl {
        let state = ResponseState {
            answers: Arc::default(),
            stalled: Arc::default(),
            stall,
        };
        let router = Router::new()
            .route(
                "/cfn-response/{*rest}",
                any(
                    |State(state): State<ResponseState>,
                     uri: Uri,
                     headers: HeaderMap,
                     body: Bytes| async move {
                        let stall = {
                            let mut stalled = state.stalled.lock().unwrap();
                            let stall = *stalled < state.stall;
                            if stall {
                                *stalled += 1;
                            }
                            stall
                        };
                        if stall {
                            std::future::pending::<()>().await;
                        }
                        state.answers.lock().unwrap().push(Recorded {
                            path_and_query: uri
                                .path_and_query()
                                .map(|p| p.to_string())
                                .unwrap_or_default(),
                            headers,
                            body: body.to_vec(),
                        });
                        StatusCode::OK
                    },
                ),
            )
            .with_state(state.clone());
        let (addr, server) = serve(router).await;
        ResponseUrl {
            addr,
            answers: state.answers,
            stalled: state.stalled,
            server,
        }
    }

    /// How many requests were read and left without an answer.
    pub fn stalled(&self) -> usize {
        *self.stalled.lock().unwrap()
    }

    pub fn url_for(&self, request_id: &str) -> String {
        format!(
            "http://{}/cfn-response/{request_id}?{RESPONSE_URL_SIGNATURE}",
            self.addr
        )
    }

    pub fn answers(&self) -> Vec<Recorded> {
        self.answers.lock().unwrap().clone()
    }

    /// The one answer to `request_id`, checked for the format CloudFormation accepts.
    pub fn answer_to(&self, request_id: &str) -> Value {
        let answers: Vec<Recorded> = self
            .answers()
            .into_iter()
            .filter(|a| {
                a.path_and_query
                    .starts_with(&format!("/cfn-response/{request_id}?"))
            })
            .collect();
        assert_eq!(
            answers.len(),
            1,
            "expected exactly one answer to {request_id}"
        );
        let answer = &answers[0];
        assert!(
            answer.headers.get("content-type").is_none(),
            "the answer must not carry a Content-Type (the URL's signature has none)"
        );
        assert!(
            answer.body.len() < 4096,
            "CloudFormation takes at most 4 KB"
        );
        let body = answer.json();
        assert_eq!(body["RequestId"], request_id);
        assert_eq!(body["StackId"], STACK_ID);
        assert_eq!(body["LogicalResourceId"], "FrontendSite");
        body
    }
}

impl Drop for ResponseUrl {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// An S3 that answers every request 403 AccessDenied, as S3 does for a role without the right.
pub async fn denying_s3() -> (String, tokio::task::JoinHandle<()>) {
    let router = Router::new().fallback(|| async {
        (
            StatusCode::FORBIDDEN,
            [("content-type", "application/xml")],
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
             <Error><Code>AccessDenied</Code><Message>Access Denied</Message>\
             <RequestId>TEST</RequestId></Error>",
        )
    });
    let (addr, server) = serve(router).await;
    (format!("http://{addr}"), server)
}

async fn serve(router: Router) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a local listener");
    let addr = listener.local_addr().expect("local address");
    let server = tokio::spawn(async move {
        axum::serve(listener, router).await.expect("local server");
    });
    (addr, server)
}

// ---------------------------------------------------------------- the stack ---------------

/// A stack's frontend as moto holds it: the bucket, a distribution, and the doubles around it.
pub struct Site {
    pub moto: Moto,
    pub builds: BuildServer,
    pub cfn: ResponseUrl,
    pub calls: CallLog,
    pub s3: aws_sdk_s3::Client,
    pub cloudfront: aws_sdk_cloudfront::Client,
    pub bucket: String,
    pub distribution_id: String,
}

impl Site {
    pub async fn start() -> Site {
        let moto = Moto::start().await;
        let calls = CallLog::default();
        let s3 = s3_client(&moto.endpoint, &calls);
        let cloudfront = cloudfront_client(&moto.endpoint, &calls);
        let bucket = "site-frontendbucket-abc123".to_owned();
        s3.create_bucket()
            .bucket(&bucket)
            .send()
            .await
            .expect("create the bucket");
        let distribution_id = create_distribution(&cloudfront, &bucket).await;
        Site {
            builds: BuildServer::start().await,
            cfn: ResponseUrl::start().await,
            moto,
            calls,
            s3,
            cloudfront,
            bucket,
            distribution_id,
        }
    }

    pub fn publisher(&self) -> Publisher<LocalLayers> {
        self.publisher_with(LocalLayers {
            http: frontend_publisher::http_client(),
            base: format!("http://{}", self.builds.addr),
        })
    }

    pub fn publisher_with<S: BuildSource>(&self, source: S) -> Publisher<S> {
        Publisher::new(self.s3.clone(), self.cloudfront.clone(), source)
    }

    pub fn properties(&self, build: &str) -> Value {
        json!({
            "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:site-FrontendPublisher",
            "BucketName": self.bucket,
            "DistributionId": self.distribution_id,
            "FrontendBuild": build,
            "DescopeProjectId": PROJECT_ID,
            "DescopeBaseUri": "",
        })
    }

    pub fn request(
        &self,
        request_type: &str,
        request_id: &str,
        physical_id: Option<&str>,
        properties: Value,
        old_properties: Option<Value>,
    ) -> CfnRequest {
        let mut event = json!({
            "RequestType": request_type,
            "ServiceToken": properties["ServiceToken"],
            "ResponseURL": self.cfn.url_for(request_id),
            "StackId": STACK_ID,
            "RequestId": request_id,
            "LogicalResourceId": "FrontendSite",
            "ResourceType": "Custom::FrontendSite",
            "ResourceProperties": properties,
        });
        if let Some(id) = physical_id {
            event["PhysicalResourceId"] = json!(id);
        }
        if let Some(old) = old_properties {
            event["OldResourceProperties"] = old;
        }
        serde_json::from_value(event).expect("a CloudFormation request")
    }

    /// Runs the handler as main does, with time to spare, and returns the recorded answer.
    /// Runs one request through the publisher that fetches builds from the local layer server,
    /// and returns the answer CloudFormation got.
    pub async fn send(
        &self,
        request_type: &str,
        request_id: &str,
        physical_id: Option<&str>,
        properties: Value,
        old_properties: Option<Value>,
    ) -> Value {
        let request = self.request(
            request_type,
            request_id,
            physical_id,
            properties,
            old_properties,
        );
        self.run(&self.publisher(), &request).await
    }

    pub async fn run<S: BuildSource>(
        &self,
        publisher: &Publisher<S>,
        request: &CfnRequest,
    ) -> Value {
        let responder = Responder::new(frontend_publisher::http_client());
        let budget = Budget {
            time_left: Duration::from_secs(60),
            answer_margin: Duration::from_secs(5),
        };
        frontend_publisher::handle(publisher, &responder, request, budget, "test-stream")
            .await
            .expect("the answer reaches the response URL");
        self.cfn.answer_to(&request.request_id)
    }

    pub async fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self
            .s3
            .list_objects_v2()
            .bucket(&self.bucket)
            .send()
            .await
            .expect("list the bucket")
            .contents()
            .iter()
            .filter_map(|o| o.key().map(str::to_owned))
            .collect();
        keys.sort();
        keys
    }

    pub async fn object(&self, key: &str) -> (String, String, String) {
        let object = self
            .s3
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .unwrap_or_else(|e| panic!("get {key}: {e:?}"));
        let content_type = object.content_type().unwrap_or_default().to_owned();
        let cache_control = object.cache_control().unwrap_or_default().to_owned();
        let body = object.body.collect().await.expect("body").into_bytes();
        (
            content_type,
            cache_control,
            String::from_utf8(body.to_vec()).expect("utf-8"),
        )
    }

    /// The caller references of the distribution's invalidations.
    pub async fn invalidations(&self) -> Vec<String> {
        let list = self
            .cloudfront
            .list_invalidations()
            .distribution_id(&self.distribution_id)
            .send()
            .await
            .expect("list invalidations");
        let mut references = Vec::new();
        for summary in list
            .invalidation_list()
            .map(|l| l.items())
            .unwrap_or_default()
        {
            let invalidation = self
                .cloudfront
                .get_invalidation()
                .distribution_id(&self.distribution_id)
                .id(summary.id())
                .send()
                .await
                .expect("get invalidation");
            let batch = invalidation
                .invalidation()
                .and_then(|i| i.invalidation_batch())
                .expect("a batch");
            assert_eq!(
                batch.paths().map(|p| p.items()).unwrap_or_default(),
                ["/*"],
                "one path for everything"
            );
            references.push(batch.caller_reference().to_owned());
        }
        references
    }
}

async fn create_distribution(cloudfront: &aws_sdk_cloudfront::Client, bucket: &str) -> String {
    use aws_sdk_cloudfront::types::{
        DefaultCacheBehavior, DistributionConfig, Origin, Origins, S3OriginConfig,
        ViewerProtocolPolicy,
    };
    let origin = Origin::builder()
        .id("FrontendBucket")
        .domain_name(format!("{bucket}.s3.us-east-1.amazonaws.com"))
        .s3_origin_config(S3OriginConfig::builder().origin_access_identity("").build())
        .build()
        .expect("origin");
    let config = DistributionConfig::builder()
        .caller_reference("tests")
        .comment("tests")
        .enabled(true)
        .origins(
            Origins::builder()
                .quantity(1)
                .items(origin)
                .build()
                .expect("origins"),
        )
        .default_cache_behavior(
            DefaultCacheBehavior::builder()
                .target_origin_id("FrontendBucket")
                .viewer_protocol_policy(ViewerProtocolPolicy::RedirectToHttps)
                .cache_policy_id("658327ea-f89d-4fab-a63d-7e88639e58f6")
                .build()
                .expect("cache behaviour"),
        )
        .build()
        .expect("distribution config");
    cloudfront
        .create_distribution()
        .distribution_config(config)
        .send()
        .await
        .expect("create the distribution in moto")
        .distribution()
        .expect("a distribution")
        .id()
        .to_owned()
}

// ---------------------------------------------------------------- Lambda ------------------

/// Lambda's GetLayerVersionByArn on 127.0.0.1 (moto's server does not route it): every layer
/// version's content is at the build server, under the version's number, as a presigned URL
/// would be. Dropping it stops the server.
pub struct LayerApi {
    pub endpoint: String,
    asked: Arc<Mutex<Vec<String>>>,
    server: tokio::task::JoinHandle<()>,
}

impl LayerApi {
    pub async fn start(builds: &BuildServer) -> LayerApi {
        let asked: Arc<Mutex<Vec<String>>> = Arc::default();
        let builds = format!("http://{}", builds.addr);
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
        let (addr, server) = serve(router).await;
        LayerApi {
            endpoint: format!("http://{addr}"),
            asked,
            server,
        }
    }

    pub fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }
}

impl Drop for LayerApi {
    fn drop(&mut self) {
        self.server.abort();
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
