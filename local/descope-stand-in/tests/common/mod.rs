//! Starts the real stand-in binary on a free port and talks to it over HTTP.

#![allow(dead_code)] // each test file uses its own subset

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use descope_auth::{Clock, Config, HttpKeyFetcher, SessionValidator};
use serde_json::Value;

pub use descope_stand_in::config::DEFAULT_PROJECT_ID as PROJECT_ID;
pub use descope_stand_in::users::DEMO_PASSWORD as PASSWORD;

pub struct StandIn {
    child: Child,
    pub base_url: String,
    pub log_path: PathBuf,
    pub client: reqwest::Client,
}

impl StandIn {
    pub fn start() -> StandIn {
        Self::start_with(&[])
    }

    pub fn start_with(extra_args: &[&str]) -> StandIn {
        let log_path = log_file_path();
        let log = std::fs::File::create(&log_path).expect("create log file");
        let mut child = stand_in_command()
            .args(["--port", "0"])
            .args(extra_args)
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("start descope-stand-in");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut first_line = String::new();
        BufReader::new(stdout)
            .read_line(&mut first_line)
            .expect("read the first stdout line");
        let base_url = first_line
            .trim_end()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {first_line:?}"))
            .to_owned();
        StandIn {
            child,
            base_url,
            log_path,
            client: reqwest::Client::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub async fn post(&self, path: &str, body: &str, refresh: Option<&str>) -> Answer {
        let mut request = self
            .client
            .post(self.url(path))
            .header("content-type", "application/json")
            .body(body.to_owned());
        if let Some(token) = refresh {
            request = request.header("authorization", sdk_authorization(token));
        }
        Answer::from(request.send().await.expect("request")).await
    }

    pub async fn get(&self, path: &str, refresh: Option<&str>) -> Answer {
        let mut request = self.client.get(self.url(path));
        if let Some(token) = refresh {
            request = request.header("authorization", sdk_authorization(token));
        }
        Answer::from(request.send().await.expect("request")).await
    }

    pub async fn sign_in(&self, login_id: &str) -> Value {
        let body =
            serde_json::json!({ "loginId": login_id, "password": PASSWORD, "loginOptions": {} });
        let answer = self
            .post("/v1/auth/password/signin", &body.to_string(), None)
            .await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        answer.json
    }

    /// The answer of the test hook that issues an expired session for `login_id`.
    pub async fn expired_session(&self, login_id: &str) -> Answer {
        let body = serde_json::json!({ "loginId": login_id });
        self.post("/_stand-in/expired-session", &body.to_string(), None)
            .await
    }

    /// Stops the server and returns everything it logged.
    pub fn stop_and_read_log(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::fs::read_to_string(&self.log_path).expect("read log")
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The binary with none of its environment variables inherited from the test's shell.
pub fn stand_in_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_descope-stand-in"));
    for name in [
        "STAND_IN_PORT",
        "STAND_IN_HOST",
        "DESCOPE_PROJECT_ID",
        "STAND_IN_SESSION_TTL",
    ] {
        command.env_remove(name);
    }
    command.env("RUST_LOG", "debug");
    command
}

fn log_file_path() -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("stand-in-{}-{n}.log", std::process::id()))
}

/// The SDK's header: `Bearer <projectId>:<refreshJwt>`.
pub fn sdk_authorization(refresh_jwt: &str) -> String {
    format!("Bearer {PROJECT_ID}:{refresh_jwt}")
}

pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
    pub json: Value,
}

impl Answer {
    pub async fn from(response: reqwest::Response) -> Answer {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.expect("body");
        let json = serde_json::from_str(&body)
            .unwrap_or_else(|err| panic!("every answer is JSON, got {body:?}: {err}"));
        Answer {
            status,
            headers,
            body,
            json,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(name)
            .map(|v| v.to_str().expect("ASCII header"))
    }

    /// Asserts a Descope-style error body with the given status and code.
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.json["errorCode"], code, "{}", self.body);
        assert!(self.json["errorDescription"].is_string(), "{}", self.body);
        assert!(self.json["errorMessage"].is_string(), "{}", self.body);
    }
}

/// The backend's own validator, fetching the stand-in's keys as a function configured with
/// `DESCOPE_BASE_URI` pointing at it would.
pub fn validator_for(stand_in: &StandIn) -> SessionValidator {
    SessionValidator::from_config(&config_for(stand_in)).expect("a validator for the stand-in")
}

/// The same validator on a clock of the test's choosing.
pub fn validator_at(
    stand_in: &StandIn,
    unix_now: u64,
) -> SessionValidator<HttpKeyFetcher, FixedClock> {
    let fetcher = HttpKeyFetcher::new(config_for(stand_in).jwks_url()).expect("a key fetcher");
    SessionValidator::new(PROJECT_ID, fetcher, FixedClock(unix_now))
}

fn config_for(stand_in: &StandIn) -> Config {
    Config::new(PROJECT_ID, Some(&stand_in.base_url)).expect("the stand-in's URL is a base URI")
}

/// A clock stopped at a given second.
pub struct FixedClock(pub u64);

impl Clock for FixedClock {
    fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(self.0)
    }
}

/// A token's payload, read without checking it: call only on a token the validator accepted,
/// or refused at a claim rule (which it reaches only after the signature checks out).
pub fn payload_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT has a payload");
    let json = URL_SAFE_NO_PAD.decode(payload).expect("base64url payload");
    serde_json::from_slice(&json).expect("a JSON payload")
}

pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}
