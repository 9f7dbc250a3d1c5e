//! Any bytes as the key set Descope's endpoint answers with, then a genuine token.
//!
//! Invariant: no panic; a key set that cannot be used is a 503 (nothing cached) or a 401,
//! never a 5xx of another kind and never acceptance by a key the set does not hold.

#![no_main]

use std::sync::LazyLock;

use descope_auth::{AuthError, SessionValidator, SystemClock};
use libfuzzer_sys::fuzz_target;
use test_support::{MemoryFetcher, PROJECT_ID, TestKey};

struct Genuine {
    runtime: tokio::runtime::Runtime,
    token: String,
    public_modulus: String,
}

static GENUINE: LazyLock<Genuine> = LazyLock::new(|| {
    let key = TestKey::rsa("K1");
    let public_modulus = key.jwk()["n"].as_str().expect("n").to_owned();
    Genuine {
        runtime: tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime"),
        token: key.session_token(PROJECT_ID, &["teacher"]),
        public_modulus,
    }
});

fuzz_target!(|data: &[u8]| {
    let genuine = &*GENUINE;
    let validator = SessionValidator::new(PROJECT_ID, MemoryFetcher::serving(data), SystemClock);
    match genuine
        .runtime
        .block_on(validator.validate_token(&genuine.token))
    {
        Ok(_) => assert!(
            String::from_utf8_lossy(data).contains(&genuine.public_modulus),
            "accepted with a key set that does not hold the signing key"
        ),
        Err(
            AuthError::InvalidToken(_)
            | AuthError::KeysUnavailable { .. }
            | AuthError::KidNotYetFetched { .. },
        ) => {}
    }
});
