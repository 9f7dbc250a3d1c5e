//! Any header and claims JSON, correctly signed by a key the validator trusts: everything past
//! the signature check is exercised, as it would be for a token Descope itself signed.
//!
//! Input: `header JSON` `\n` `claims JSON`, or just the claims (with Descope's usual header).
//! Invariant: no panic, and an accepted session keeps the rules (issuer names the project, not
//! expired beyond the leeway).

#![no_main]

use std::sync::{Arc, LazyLock};

use descope_auth::{AuthError, Clock, LEEWAY_SECS, SessionValidator};
use libfuzzer_sys::fuzz_target;
use test_support::{ManualClock, MemoryFetcher, PROJECT_ID, TestKey, b64, jwks_json};

/// 2027-01-15; seeds use expiries around it.
const NOW: u64 = 1_800_000_000;
const DEFAULT_HEADER: &[u8] = br#"{"alg":"EdDSA","kid":"Ed","typ":"JWT"}"#;

struct Signer {
    runtime: tokio::runtime::Runtime,
    // Ed25519 signs in microseconds; RSA signing would spend the fuzzing budget on signing.
    key: TestKey,
    clock: Arc<ManualClock>,
    validator: SessionValidator<Arc<MemoryFetcher>, Arc<ManualClock>>,
}

static SIGNER: LazyLock<Signer> = LazyLock::new(|| {
    let key = TestKey::ed25519("Ed");
    let clock = ManualClock::starting_at(NOW);
    let validator = SessionValidator::new(
        PROJECT_ID,
        MemoryFetcher::serving(jwks_json([&key])),
        Arc::clone(&clock),
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    Signer {
        runtime,
        key,
        clock,
        validator,
    }
});

fuzz_target!(|data: &[u8]| {
    let signer = &*SIGNER;
    let (header, claims) = match data.iter().position(|&byte| byte == b'\n') {
        Some(split) => (&data[..split], &data[split + 1..]),
        None => (DEFAULT_HEADER, data),
    };
    let token = signer
        .key
        .sign_input(&format!("{}.{}", b64(header), b64(claims)));
    match signer
        .runtime
        .block_on(signer.validator.validate_token(&token))
    {
        Ok(session) => {
            let issuer = session.issuer();
            assert!(
                issuer == PROJECT_ID
                    || issuer
                        .strip_suffix(PROJECT_ID)
                        .is_some_and(|rest| rest.ends_with('/')),
                "accepted issuer {issuer:?}"
            );
            assert!(
                session.expires_at() + LEEWAY_SECS >= signer.clock.unix_now(),
                "accepted an expired session"
            );
        }
        // A fuzzed header may name another kid: for a token that may be newer than the keys,
        // that is a 503 "retry", a refusal all the same.
        Err(AuthError::InvalidToken(_) | AuthError::KidNotYetFetched { .. }) => {}
        Err(other) => panic!("a trusted key gave {other:?}"),
    }
});
