//! The compiled checker against small local servers that answer rightly or wrongly: it passes
//! what is right, names what is wrong, and exits 1 for a failed check and 2 when it cannot start.

use std::collections::HashSet;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use descope_stand_in::users::{self, DEMO_PASSWORD};
use serde_json::{Value, json};

/// How the fake API goes wrong, if it does.
#[derive(Clone, Copy, PartialEq)]
enum Fault {
    None,
    /// 200 with a body to a request without a token, and 500 to a POST.
    OpenAndCrashing,
    /// Takes the stand-in's expired sessions for valid ones.
    AcceptsExpired,
    /// Sign-in is refused, as when the API's stand-in runs for another set of users.
    SignInRefused,
}

/// A fake API and a fake stand-in on one address. Its tokens are opaque to the API: it accepts
/// exactly the sessions it issued, so a rewritten claim or a made-up token is refused.
struct Fake {
    fault: Fault,
    requests: Mutex<Vec<String>>,
    sessions: Mutex<HashSet<String>>,
    expired: Mutex<HashSet<String>>,
}

impl Fake {
    fn start(fault: Fault) -> (Arc<Fake>, String) {
        let fake = Arc::new(Fake {
            fault,
            requests: Mutex::new(Vec::new()),
            sessions: Mutex::new(HashSet::new()),
            expired: Mutex::new(HashSet::new()),
        });
        let router = Router::new().fallback(answer).with_state(fake.clone());
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        // A thread of its own, so the test can block on the checker's process meanwhile.
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                axum::serve(listener, router).await.expect("serve");
            });
        });
        (fake, url)
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }

    fn issue(&self, login_id: &str, expired: bool) -> Option<String> {
        let user = users::find_by_login_id(login_id)?;
        let claims = json!({ "sub": user.user_id, "roles": user.roles, "expired": expired });
        let token = format!(
            "eyJhbGciOiJSUzI1NiJ9.{}.c2lnbmF0dXJl",
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let issued = if expired {
            &self.expired
        } else {
            &self.sessions
        };
        issued.lock().unwrap().insert(token.clone());
        Some(token)
    }

    /// The roles of a session this fake issued and accepts.
    fn roles_of(&self, token: &str) -> Option<Vec<String>> {
        let accepted = self.sessions.lock().unwrap().contains(token)
            || (self.fault == Fault::AcceptsExpired
                && self.expired.lock().unwrap().contains(token));
        if !accepted {
            return None;
        }
        let payload = URL_SAFE_NO_PAD.decode(token.split('.').nth(1)?).ok()?;
        let claims: Value = serde_json::from_slice(&payload).ok()?;
        serde_json::from_value(claims["roles"].clone()).ok()
    }
}

async fn answer(
    State(fake): State<Arc<Fake>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path();
    fake.requests
        .lock()
        .unwrap()
        .push(format!("{method} {path}"));
    let request: Value = serde_json::from_slice(&body).unwrap_or_default();
    let login_id = request["loginId"].as_str().unwrap_or_default();
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    match (method.as_str(), path) {
        ("POST", "/v1/auth/password/signin") => {
            let signed_in = (fake.fault != Fault::SignInRefused
                && request["password"] == DEMO_PASSWORD)
                .then(|| fake.issue(login_id, false))
                .flatten();
            match signed_in {
                Some(token) => json_answer(StatusCode::OK, json!({ "sessionJwt": token })),
                None => json_answer(
                    StatusCode::UNAUTHORIZED,
                    json!({ "errorCode": "E062108", "errorMessage": "Invalid login ID or password" }),
                ),
            }
        }
        ("POST", "/_stand-in/expired-session") => match fake.issue(login_id, true) {
            Some(token) => json_answer(StatusCode::OK, json!({ "sessionJwt": token })),
            None => json_answer(StatusCode::BAD_REQUEST, json!({ "errorCode": "E011003" })),
        },
        ("POST", "/get_roles" | "/get_role_data") => {
            if fake.fault == Fault::OpenAndCrashing {
                json_answer(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    json!({ "message": "Internal Server Error" }),
                )
            } else {
                json_answer(
                    StatusCode::METHOD_NOT_ALLOWED,
                    json!({ "message": "Not Found" }),
                )
            }
        }
        ("GET", "/get_roles" | "/get_role_data") => {
            let roles = match token {
                None if fake.fault == Fault::OpenAndCrashing => Some(Vec::new()),
                None => None,
                Some(token) => fake.roles_of(token),
            };
            let Some(roles) = roles else {
                let mut refused = json_answer(
                    StatusCode::UNAUTHORIZED,
                    json!({ "error": "❌ invalid session token!" }),
                );
                refused.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    r#"Bearer error="invalid_token""#.parse().unwrap(),
                );
                return refused;
            };
            let has = |role: &str| roles.iter().any(|held| held == role);
            let body = if path == "/get_roles" {
                json!({ "secretMessage": "You are now a trained Descope user!", "roles": roles })
            } else {
                json!({ "valid_teacher": has("teacher"), "valid_student": has("student") })
            };
            json_answer(StatusCode::OK, body)
        }
        _ => json_answer(StatusCode::NOT_FOUND, json!({ "message": "Not Found" })),
    }
}

fn json_answer(status: StatusCode, body: Value) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body.to_string(),
    )
        .into_response()
}

/// The checker, with no proxy from the test's environment between it and the fake.
fn api_check(args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_api-check"));
    for proxy in ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"] {
        command.env_remove(proxy).env_remove(proxy.to_lowercase());
    }
    command.args(args).output().expect("run api-check")
}

/// Whether the fake also plays the stand-in (`--stand-in-url` set to it too).
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Tokenless,
    WithStandIn,
}

/// api-check run against a fake answering with `fault`: the fake (to read its requests), the
/// checker's output and what it printed.
fn check_fake(fault: Fault, mode: Mode) -> (Arc<Fake>, Output, String) {
    let (fake, url) = Fake::start(fault);
    let output = match mode {
        Mode::Tokenless => api_check(&["--api-url", &url]),
        Mode::WithStandIn => api_check(&["--api-url", &url, "--stand-in-url", &url]),
    };
    let printed = stdout(&output);
    (fake, output, printed)
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Fails unless `printed` holds each of `lines` as a whole line.
fn assert_prints_lines<L: AsRef<str>>(printed: &str, lines: impl IntoIterator<Item = L>) {
    for line in lines {
        let line = line.as_ref();
        assert!(
            printed.lines().any(|printed| printed == line),
            "{line} in {printed}"
        );
    }
}

fn lines_starting(output: &Output, prefix: &str) -> Vec<String> {
    stdout(output)
        .lines()
        .filter(|line| line.starts_with(prefix))
        .map(str::to_owned)
        .collect()
}

#[test]
fn without_the_stand_in_only_the_tokenless_checks_run_and_pass_against_a_right_api() {
    let (fake, output, printed) = check_fake(Fault::None, Mode::Tokenless);
    assert_eq!(output.status.code(), Some(0), "{printed}");
    assert!(printed.ends_with("\n14 passed, 0 failed\n"), "{printed}");
    assert!(lines_starting(&output, "FAIL").is_empty(), "{printed}");
    for route in ["/get_roles", "/get_role_data"] {
        assert_prints_lines(
            &printed,
            [
                format!("ok   - GET {route} without a token -> 401"),
                format!("ok   - GET {route} with a malformed token -> 401: WWW-Authenticate"),
                format!("ok   - GET {route} with a forged token (unknown key) -> 401"),
                format!("ok   - POST {route} (a GET-only route) -> 4xx, not 5xx"),
            ],
        );
    }
    let requests = fake.requests();
    assert_eq!(
        requests.len(),
        8,
        "one request for each check and its header: {requests:?}"
    );
    assert!(
        requests.iter().all(|request| request.ends_with(" /get_roles") || request.ends_with(" /get_role_data")),
        "no sign-in, nothing but the two routes: {requests:?}"
    );
}

#[test]
fn a_wrong_api_fails_exactly_the_checks_it_answers_wrongly() {
    let (_fake, output, printed) = check_fake(Fault::OpenAndCrashing, Mode::Tokenless);
    assert_eq!(output.status.code(), Some(1), "{printed}");
    let failed = lines_starting(&output, "FAIL");
    for route in ["/get_roles", "/get_role_data"] {
        for wanted in [
            format!("FAIL - GET {route} without a token -> 401: status 200, want 401; body {{\""),
            format!("FAIL - GET {route} without a token -> 401: WWW-Authenticate: got '', want"),
            format!("FAIL - POST {route} (a GET-only route) -> 4xx, not 5xx: status 500, body"),
        ] {
            assert!(
                failed.iter().any(|line| line.starts_with(&wanted)),
                "{wanted} in {printed}"
            );
        }
    }
    assert_eq!(failed.len(), 6, "{printed}");
    assert!(printed.ends_with("\n8 passed, 6 failed\n"), "{printed}");
}

#[test]
fn with_the_stand_in_every_demo_user_and_every_refused_token_is_checked() {
    let (fake, output, printed) = check_fake(Fault::None, Mode::WithStandIn);
    assert_eq!(output.status.code(), Some(0), "{printed}");
    assert!(printed.ends_with("\n30 passed, 0 failed\n"), "{printed}");
    assert_prints_lines(
        &printed,
        [
            "ok   - GET /get_roles as both -> 200",
            "ok   - GET /get_role_data as norole -> 200",
            "ok   - GET /get_role_data with a tampered token (roles rewritten) -> 401",
            "ok   - GET /get_roles with an expired token -> 401: WWW-Authenticate",
        ],
    );
    let requests = fake.requests();
    let sign_ins = requests
        .iter()
        .filter(|r| *r == "POST /v1/auth/password/signin")
        .count();
    assert_eq!(sign_ins, 4, "{requests:?}");
    assert!(requests.contains(&"POST /_stand-in/expired-session".to_owned()));
    for token in fake.sessions.lock().unwrap().iter() {
        assert!(
            !printed.contains(token.split('.').nth(1).unwrap()),
            "a token in {printed}"
        );
    }
}

#[test]
fn an_api_that_takes_expired_sessions_fails_the_expired_checks() {
    let (_fake, output, printed) = check_fake(Fault::AcceptsExpired, Mode::WithStandIn);
    assert_eq!(output.status.code(), Some(1), "{printed}");
    let failed = lines_starting(&output, "FAIL");
    assert_eq!(failed.len(), 4, "{printed}");
    assert!(
        failed
            .iter()
            .all(|line| line.contains("with an expired token -> 401")),
        "{printed}"
    );
    assert!(failed[0].contains("status 200, want 401"), "{printed}");
}

#[test]
fn a_refused_sign_in_is_a_setup_error_and_no_check_runs() {
    let (fake, output, _) = check_fake(Fault::SignInRefused, Mode::WithStandIn);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("signing in as teacher@example.com through the stand-in failed")
            && stderr.contains("401"),
        "{stderr}"
    );
    assert_eq!(stdout(&output), "");
    assert_eq!(fake.requests(), ["POST /v1/auth/password/signin"]);
}

#[test]
fn bad_arguments_exit_2_and_name_what_is_wrong() {
    for (args, message) in [
        (&[][..], "--api-url <URL>"),
        (
            &["--api-url", "ftp://example.com"][..],
            "not an http:// or https:// URL",
        ),
        (&["--api-url", "example.com"][..], "not a URL"),
        (
            &["--api-url", "http://127.0.0.1:1", "--timeout", "0"][..],
            "--timeout",
        ),
        (
            &["--api-url", "http://127.0.0.1:1", "--timeout", "soon"][..],
            "--timeout",
        ),
        (
            &["--api-url", "http://127.0.0.1:1", "--stand-in-url", ""][..],
            "--stand-in-url",
        ),
        (
            &["--api-url", "http://127.0.0.1:1", "--token", "x"][..],
            "--token",
        ),
    ] {
        let output = api_check(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {message} in {stderr}");
        assert_eq!(stdout(&output), "", "{args:?}: no check ran");
    }
}
