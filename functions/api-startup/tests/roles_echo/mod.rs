//! The `roles-echo` binary (src/bin/roles-echo.rs) as these tests run it: an API function that
//! `serve` runs, answering a valid session with `{"roles": [...]}`.

#![allow(dead_code)] // Each test file uses its own part.

use std::collections::HashMap;

use serde_json::{Value, json};
use test_support::{
    FunctionProcess, KeyServer, RuntimeApi, api_function_environment, with_authorization,
};

pub const NAME: &str = "roles-echo";
pub const BINARY: &str = env!("CARGO_BIN_EXE_roles-echo");
pub const HTTP_API_EVENT: &str = include_str!("../fixtures/http-api-v2.json");
pub const REST_API_EVENT: &str = include_str!("../fixtures/rest-api-v1.json");

/// `None`: `AWS_LAMBDA_MAX_CONCURRENCY` is unset (classic Lambda, one invocation at a time).
pub type Concurrency = Option<usize>;

/// What Lambda sets for the function, its Runtime API and its key server, as deployed.
pub fn environment(runtime: &RuntimeApi, key_server: &KeyServer) -> Vec<(String, String)> {
    api_function_environment(runtime, key_server, NAME)
}

/// Starts the function as one environment taking `concurrency` invocations at once, under a
/// Runtime API that hands out that many, with `extra` added to what Lambda sets.
pub async fn start(
    key_server: &KeyServer,
    concurrency: Concurrency,
    extra: Vec<(String, String)>,
) -> (RuntimeApi, FunctionProcess) {
    let runtime = RuntimeApi::with_max_concurrency(concurrency.unwrap_or(1)).await;
    let mut env = environment(&runtime, key_server);
    env.extend(extra);
    if let Some(concurrency) = concurrency {
        env.push(("AWS_LAMBDA_MAX_CONCURRENCY".into(), concurrency.to_string()));
    }
    let process = FunctionProcess::spawn(BINARY, &env);
    (runtime, process)
}

/// Queues one invocation per token, each an HTTP API event with `Authorization: Bearer token`;
/// returns each request id with its token's index.
pub fn queue_all(runtime: &RuntimeApi, tokens: &[String]) -> HashMap<String, usize> {
    tokens
        .iter()
        .enumerate()
        .map(|(index, token)| {
            let event = with_authorization(HTTP_API_EVENT, &[&format!("Bearer {token}")]);
            (runtime.invoke(event), index)
        })
        .collect()
}

/// The function's whole 200 body for a session with `roles`.
pub fn body(roles: &[&str]) -> Value {
    json!({ "roles": roles })
}

/// How the messages name a run: the function and how many invocations it takes at once.
pub fn described(concurrency: Concurrency) -> String {
    match concurrency {
        None => format!("{NAME} (one at a time)"),
        Some(n) => format!("{NAME} ({n} at once)"),
    }
}
