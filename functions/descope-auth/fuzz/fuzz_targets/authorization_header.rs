//! Any bytes as the `Authorization` header, against a validator whose key cache is warm.
//!
//! Invariant: no panic; only a refusal (401, or 503 "retry" for a kid the warm cache does not
//! hold in a token that may be newer than its keys) or acceptance, and acceptance only for the
//! one genuine token.

#![no_main]

use std::sync::LazyLock;

use descope_auth::{AuthError, SessionValidator, SystemClock};
use http::header::AUTHORIZATION;
use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use test_support::{MemoryFetcher, PROJECT_ID, TestKeys};

struct Warm {
    runtime: tokio::runtime::Runtime,
    validator: SessionValidator<std::sync::Arc<MemoryFetcher>, SystemClock>,
    genuine_token: String,
}

static WARM: LazyLock<Warm> = LazyLock::new(|| {
    let keys = TestKeys::generate();
    let genuine_token = keys.key().session_token(PROJECT_ID, &["teacher"]);
    Warm {
        runtime: tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime"),
        validator: keys.warm_validator(&genuine_token),
        genuine_token,
    }
});

fuzz_target!(|data: &[u8]| {
    let warm = &*WARM;
    let Ok(value) = HeaderValue::from_bytes(data) else {
        return; // not a header value any HTTP stack would hand over
    };
    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, value);
    match warm
        .runtime
        .block_on(warm.validator.validate_headers(&headers))
    {
        Ok(_) => {
            let text = std::str::from_utf8(data).expect("an accepted header is ASCII");
            assert!(
                text.contains(&warm.genuine_token),
                "accepted a header without the genuine token"
            );
        }
        Err(AuthError::InvalidToken(_) | AuthError::KidNotYetFetched { .. }) => {}
        Err(other) => panic!("warm cache gave {other:?}"),
    }
});
