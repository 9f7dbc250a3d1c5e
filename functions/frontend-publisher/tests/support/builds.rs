//! Frontend builds and where the publisher gets them: a server of build zips standing in for a
//! layer version's presigned download URL, and the build sources the publisher is given.

use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use frontend_publisher::source::download;
use frontend_publisher::{BuildSource, FetchError};

use super::loopback::{LocalServer, serve};

/// The signature of the layer's presigned URL, to look for in the publisher's log.
pub const LAYER_URL_SIGNATURE: &str = "X-Amz-Signature=layer0download0signature";

/// The layer version whose download never ends: chunks of zeros, with no Content-Length.
pub const ENDLESS_BUILD: u32 = 999;

/// Serves build zips by name at /builds/{name}, counting downloads; stands in for the layer
/// version's presigned URL. Dropping it stops the server.
pub struct BuildServer {
    state: BuildState,
    server: LocalServer,
}

#[derive(Clone, Default)]
struct BuildState {
    zips: Arc<Mutex<HashMap<String, Vec<u8>>>>,
    hits: Arc<Mutex<Vec<String>>>,
}

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
        let state = BuildState::default();
        let router = Router::new()
            .route("/builds/{name}", get(serve_build))
            .with_state(state.clone());
        BuildServer {
            state,
            server: serve(router).await,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.server.addr
    }

    /// Adds a build and returns the reference the stack would pass: a layer version ARN.
    pub fn add(&self, version: u32, files: &[(&str, &str)]) -> String {
        self.add_zip(version, zip_of(files))
    }

    /// Adds `vite_build(tag)` as layer version `version`.
    pub fn add_vite_build(&self, version: u32, tag: &str) -> String {
        self.add(version, &as_refs(&vite_build(tag)))
    }

    /// Adds a zip as it is, however damaged.
    pub fn add_zip(&self, version: u32, zip: Vec<u8>) -> String {
        self.state
            .zips
            .lock()
            .unwrap()
            .insert(version.to_string(), zip);
        layer_arn(version)
    }

    pub fn downloads(&self) -> Vec<String> {
        self.state.hits.lock().unwrap().clone()
    }

    /// The build source that downloads from this server with the publisher's own client.
    pub fn layers(&self) -> LocalLayers {
        LocalLayers {
            http: frontend_publisher::http_client(),
            base: format!("http://{}", self.addr()),
        }
    }
}

pub fn layer_arn(version: u32) -> String {
    format!("arn:aws:lambda:us-east-1:123456789012:layer:site-frontend:{version}")
}

/// The test's build source: the layer's version number picks the zip, downloaded over HTTP
/// from the local build server by the publisher's own download code.
pub struct LocalLayers {
    http: reqwest::Client,
    base: String,
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
