//! One HTTP client for the API and the stand-in, and the parts of an answer the checks read.

use std::error::Error;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderMap};
use reqwest::{Client, Method, Url, redirect};

/// Bodies in messages are cut to this many characters.
const BODY_EXCERPT_CHARS: usize = 300;

pub struct Api {
    client: Client,
    base: String,
}

/// What came back, or why nothing did.
pub enum Answer {
    Received {
        status: u16,
        headers: HeaderMap,
        body: String,
    },
    NoAnswer(String),
}

impl Api {
    pub fn new(base: &Url, timeout: Duration) -> Result<Self, String> {
        // A redirect would hide what the API itself answers, so none is followed.
        let client = Client::builder()
            .timeout(timeout)
            .redirect(redirect::Policy::none())
            .build()
            .map_err(|err| format!("cannot build the HTTP client: {}", describe(&err)))?;
        Ok(Api {
            client,
            base: without_trailing_slash(base),
        })
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// `method` on `path` of the API, with `Authorization: Bearer <token>` when a token is given.
    pub async fn request(&self, method: Method, path: &str, token: Option<&str>) -> Answer {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(err) => return Answer::NoAnswer(describe(&err)),
        };
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        match response.text().await {
            Ok(body) => Answer::Received {
                status,
                headers,
                body,
            },
            Err(err) => Answer::NoAnswer(format!(
                "status {status}, body unreadable: {}",
                describe(&err)
            )),
        }
    }
}

pub fn without_trailing_slash(url: &Url) -> String {
    url.as_str().trim_end_matches('/').to_owned()
}

/// The error and its causes on one line ("error sending request …: connection refused"); the
/// URLs involved carry no token.
pub fn describe(err: &reqwest::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The start of a body, for a message.
pub fn excerpt(body: &str) -> String {
    let mut chars = body.chars();
    let start: String = chars.by_ref().take(BODY_EXCERPT_CHARS).collect();
    if chars.next().is_some() {
        format!("{start}…")
    } else {
        start
    }
}

/// The first value of a header, or "" when it is missing or not text.
pub fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
}
