//! A whole `get_roles` invocation with a warm key cache: the API Gateway event JSON in, the
//! serialised API Gateway response out, exactly the conversions `lambda_http::run` performs around
//! the handler. Compare with `cargo bench -p descope-auth` (bare signature verification) run in
//! the same session; `scripts/figures.sh` runs both.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use descope_auth::{Config, SessionValidator};
use lambda_http::request::LambdaRequest;
use lambda_http::{Adapter, Context, LambdaEvent, Request, Service, service_fn};
use test_support::{KeyServer, with_authorization};
use test_support::{PROJECT_ID, TestKeys};

const EVENT: &str = include_str!("../tests/fixtures/http-api-v2.json");

fn handler(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let keys = TestKeys::generate();
    // Claims live ten minutes, far longer than the measurement.
    let token = keys
        .key()
        .session_token(PROJECT_ID, &["teacher", "student"]);
    let event = with_authorization(EVENT, &[&format!("Bearer {token}")]);
    let key_server = runtime.block_on(KeyServer::start(PROJECT_ID, keys.jwks_json()));
    let config = Config::new(PROJECT_ID, Some(&key_server.base_uri())).expect("config");
    let validator = SessionValidator::from_config(&config).expect("validator");
    let validator = &validator;

    // `Adapter` is what `lambda_http::run` wraps the handler in: LambdaRequest → Request,
    // handler, Response → LambdaResponse.
    let mut adapter = Adapter::from(service_fn(move |request: Request| async move {
        Ok::<_, std::convert::Infallible>(get_roles::get_roles(validator, &request).await)
    }));
    let mut invoke = |event: &str| {
        let payload: LambdaRequest = serde_json::from_str(event).expect("API Gateway event");
        let response = adapter.call(LambdaEvent::new(payload, Context::default()));
        async move {
            let response = response.await.expect("infallible");
            serde_json::to_vec(&response).expect("serialisable response")
        }
    };

    // The same conversions around a handler that does nothing: what any lambda_http function pays.
    let mut noop_adapter = Adapter::from(service_fn(|_request: Request| async {
        Ok::<_, std::convert::Infallible>(descope_auth::json_response(
            lambda_http::http::StatusCode::OK,
            &serde_json::json!({}),
        ))
    }));
    let mut invoke_noop = |event: &str| {
        let payload: LambdaRequest = serde_json::from_str(event).expect("API Gateway event");
        let response = noop_adapter.call(LambdaEvent::new(payload, Context::default()));
        async move {
            let response = response.await.expect("infallible");
            serde_json::to_vec(&response).expect("serialisable response")
        }
    };

    let warm_up = runtime.block_on(invoke(&event));
    let warm_up: serde_json::Value = serde_json::from_slice(&warm_up).expect("JSON response");
    assert_eq!(warm_up["statusCode"], 200, "{warm_up}");
    assert_eq!(key_server.hits(), 1);

    let headers = lambda_http::request::from_str(&event)
        .expect("request")
        .headers()
        .clone();

    let mut group = c.benchmark_group("get_roles");
    group
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    group.bench_function("validate_headers (warm cache)", |b| {
        b.iter(|| {
            runtime
                .block_on(validator.validate_headers(black_box(&headers)))
                .expect("valid session")
        })
    });
    // What lambda_http's conversions cost on their own, to attribute the difference.
    group.bench_function("event JSON to Request only", |b| {
        b.iter(|| lambda_http::request::from_str(black_box(&event)).expect("request"))
    });
    group.bench_function("no-op handler: event JSON in, response JSON out", |b| {
        b.iter(|| runtime.block_on(invoke_noop(black_box(&event))))
    });
    group.bench_function(
        "handler: event JSON in, response JSON out (warm cache)",
        |b| b.iter(|| runtime.block_on(invoke(black_box(&event)))),
    );
    group.finish();
    assert_eq!(key_server.hits(), 1, "the benchmark ran on a warm cache");
}

criterion_group!(benches, handler);
criterion_main!(benches);
