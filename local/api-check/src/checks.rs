//! The checks, one line each, and their tally.

use descope_stand_in::users::DemoUser;
use reqwest::Method;
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, WWW_AUTHENTICATE};
use serde_json::{Value, json};

use crate::http::{Answer, Api, excerpt, header};
use crate::stand_in::Sessions;
use crate::tokens;

const ROUTES: [&str; 2] = ["/get_roles", "/get_role_data"];
const SECRET_MESSAGE: &str = "You are now a trained Descope user!";
const UNAUTHORIZED_MESSAGE: &str = "❌ invalid session token!";
const CHALLENGE: &str = r#"Bearer error="invalid_token""#;

#[derive(Debug, Default)]
pub struct Report {
    pub passed: usize,
    pub failed: usize,
}

impl Report {
    fn record(&mut self, name: &str, problems: Vec<String>) {
        if problems.is_empty() {
            self.passed += 1;
            println!("ok   - {name}");
        } else {
            self.failed += 1;
            println!("FAIL - {name}: {}", problems.join("; "));
        }
    }
}

/// Everything, with real tokens from the stand-in.
pub async fn signed_in(api: &Api, sessions: &Sessions, report: &mut Report) {
    for session in &sessions.signed_in {
        let user = session.user;
        for route in ROUTES {
            let answer = api.request(Method::GET, route, Some(&session.token)).await;
            let name = format!("GET {route} as {} -> 200", short_name(user));
            report.record(&name, json_problems(&answer, 200, &body_for(route, user)));
        }
    }

    check_refused_tokens(api, Some(sessions), report).await;
    // Any valid token: the route must refuse the method, whoever calls it.
    let valid = sessions
        .signed_in
        .first()
        .map(|session| session.token.as_str());
    check_posts(api, valid, report).await;
}

/// What a deployed stack can be checked for without a real token.
pub async fn tokenless(api: &Api, report: &mut Report) {
    check_refused_tokens(api, None, report).await;
    check_posts(api, None, report).await;
}

/// Both routes refuse each token alike; with the stand-in's sessions, also a tampered and an
/// expired one.
async fn check_refused_tokens(api: &Api, sessions: Option<&Sessions>, report: &mut Report) {
    let mut refused = vec![
        ("without a token", None),
        ("with a malformed token", Some("not.a.jwt".to_owned())),
        ("with a forged token (unknown key)", Some(tokens::forged())),
    ];
    if let Some(sessions) = sessions {
        refused.extend([
            (
                "with a tampered token (roles rewritten)",
                Some(sessions.tampered_student.clone()),
            ),
            (
                "with an expired token",
                Some(sessions.expired_student.clone()),
            ),
        ]);
    }
    for route in ROUTES {
        for (how, token) in &refused {
            check_refused(api, route, how, token.as_deref(), report).await;
        }
    }
}

async fn check_posts(api: &Api, token: Option<&str>, report: &mut Report) {
    for route in ROUTES {
        check_post(api, route, token, report).await;
    }
}

/// 401 with the contract's body and JSON headers, and the Bearer challenge.
async fn check_refused(
    api: &Api,
    route: &str,
    how: &str,
    token: Option<&str>,
    report: &mut Report,
) {
    let answer = api.request(Method::GET, route, token).await;
    let name = format!("GET {route} {how} -> 401");
    let unauthorized = json!({ "error": UNAUTHORIZED_MESSAGE });
    report.record(&name, json_problems(&answer, 401, &unauthorized));
    let problems = match &answer {
        Answer::Received { headers, .. } => match header(headers, WWW_AUTHENTICATE.as_str()) {
            CHALLENGE => Vec::new(),
            other => vec![format!("got '{other}', want '{CHALLENGE}'")],
        },
        Answer::NoAnswer(reason) => vec![format!("no answer: {reason}")],
    };
    report.record(&format!("{name}: WWW-Authenticate"), problems);
}

/// A route that serves GET only answers POST with a 4xx, not a 5xx of the function or the gateway.
async fn check_post(api: &Api, route: &str, token: Option<&str>, report: &mut Report) {
    let answer = api.request(Method::POST, route, token).await;
    let problems = match &answer {
        Answer::Received { status, .. } if (400..500).contains(status) => Vec::new(),
        Answer::Received { status, body, .. } => {
            vec![format!("status {status}, body {}", excerpt(body))]
        }
        Answer::NoAnswer(reason) => vec![format!("no answer: {reason}")],
    };
    report.record(
        &format!("POST {route} (a GET-only route) -> 4xx, not 5xx"),
        problems,
    );
}

/// What differs from `want_status` with exactly the JSON `want_body` (compared as values, not
/// text), `Content-Type: application/json…` and `Cache-Control: no-store`.
fn json_problems(answer: &Answer, want_status: u16, want_body: &Value) -> Vec<String> {
    let (status, headers, body) = match answer {
        Answer::Received {
            status,
            headers,
            body,
        } => (*status, headers, body),
        Answer::NoAnswer(reason) => return vec![format!("no answer: {reason}")],
    };
    let mut problems = Vec::new();
    if status != want_status {
        problems.push(format!("status {status}, want {want_status}"));
    }
    if serde_json::from_str::<Value>(body).ok().as_ref() != Some(want_body) {
        problems.push(format!("body {}, want {want_body}", excerpt(body)));
    }
    let content_type = header(headers, CONTENT_TYPE.as_str());
    if !content_type.starts_with("application/json") {
        problems.push(format!(
            "Content-Type '{content_type}', want application/json"
        ));
    }
    let cache_control = header(headers, CACHE_CONTROL.as_str());
    if cache_control != "no-store" {
        problems.push(format!("Cache-Control '{cache_control}', want no-store"));
    }
    problems
}

/// The contract (README, "The API"): `/get_roles` echoes the roles; `/get_role_data` says which of the two it holds.
fn body_for(route: &str, user: &DemoUser) -> Value {
    let has = |role: &str| user.roles.contains(&role);
    if route == "/get_roles" {
        json!({ "secretMessage": SECRET_MESSAGE, "roles": user.roles })
    } else {
        json!({ "valid_teacher": has("teacher"), "valid_student": has("student") })
    }
}

/// "teacher" for teacher@example.com.
fn short_name(user: &DemoUser) -> &str {
    user.login_id.split('@').next().unwrap_or(user.login_id)
}
