//! Real tokens from the local Descope stand-in: a session for every demo user, and one that has
//! expired (its `/_stand-in/expired-session` test hook).

use descope_stand_in::users::{DEMO_PASSWORD, DEMO_USERS, DemoUser};
use reqwest::{Client, Url};
use serde_json::{Value, json};

use crate::http::{Api, describe, excerpt, without_trailing_slash};
use crate::tokens;

/// The user whose token is tampered with and replayed expired: a student, so a forged teacher
/// role would show in the answer if the signature went unchecked.
const STUDENT: &str = "student@example.com";

pub struct Session {
    pub user: &'static DemoUser,
    pub token: String,
}

pub struct Sessions {
    /// One per demo user, in the order of `DEMO_USERS`.
    pub signed_in: Vec<Session>,
    /// A student's session with the teacher role written into its claims, signature kept.
    pub tampered_student: String,
    /// A student's session that expired minutes ago, signed with the stand-in's current key.
    pub expired_student: String,
}

pub async fn sign_in_demo_users(api: &Api, stand_in: &Url) -> Result<Sessions, String> {
    let base = without_trailing_slash(stand_in);
    let mut signed_in = Vec::new();
    for user in DEMO_USERS {
        let body = json!({ "loginId": user.login_id, "password": DEMO_PASSWORD });
        let token = session_jwt(api.client(), &base, "/v1/auth/password/signin", body)
            .await
            .map_err(|err| {
                format!(
                    "signing in as {} through the stand-in failed: {err}",
                    user.login_id
                )
            })?;
        signed_in.push(Session { user, token });
    }
    let student = signed_in
        .iter()
        .find(|session| session.user.login_id == STUDENT)
        .ok_or_else(|| format!("no demo user is {STUDENT}"))?;
    let tampered_student = tokens::with_roles_rewritten(&student.token)
        .ok_or_else(|| format!("the stand-in's session for {STUDENT} is not a JWT"))?;
    let expired_student = session_jwt(
        api.client(),
        &base,
        "/_stand-in/expired-session",
        json!({ "loginId": STUDENT }),
    )
    .await
    .map_err(|err| format!("the stand-in issued no expired session for {STUDENT}: {err}"))?;
    Ok(Sessions {
        signed_in,
        tampered_student,
        expired_student,
    })
}

/// POSTs `body` to the stand-in and reads `sessionJwt` from its answer. Error messages carry the
/// stand-in's error body (Descope's error fields), never a token.
async fn session_jwt(
    client: &Client,
    base: &str,
    path: &str,
    body: Value,
) -> Result<String, String> {
    let url = format!("{base}{path}");
    let response = client
        .post(&url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body.to_string())
        .send()
        .await
        .map_err(|err| describe(&err))?;
    let status = response.status();
    let text = response.text().await.map_err(|err| {
        format!(
            "{url} answered {status} with an unreadable body: {}",
            describe(&err)
        )
    })?;
    if !status.is_success() {
        return Err(format!("{url} answered {status}: {}", excerpt(&text)));
    }
    serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|answer| answer.get("sessionJwt")?.as_str().map(str::to_owned))
        .filter(|token| !token.is_empty())
        .ok_or_else(|| format!("{url} answered {status} without a sessionJwt"))
}
