//! Warm session validation against its floor, one RS256 signature verification.
//!
//! `cargo bench -p descope-auth --bench validation` prints both; the goal is
//! warm validation ≤ 1.5 × the bare verification.

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use criterion::Criterion;
use descope_auth::SessionValidator;
use descope_auth::SystemClock;
use http::header::AUTHORIZATION;
use http::{HeaderMap, HeaderValue};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;
use test_support::{MemoryFetcher, PROJECT_ID, TestKeys};

/// Drives a future that must finish without waiting: the warm path never touches the network
/// or a contended lock, so no runtime (and no runtime overhead) is needed.
fn ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the warm path waited"),
    }
}

fn decode_b64(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .unwrap()
}

/// Everything the benchmarks verify, built once: a Descope-shaped token, its key in the forms
/// each path needs, and a validator whose key cache is already filled, so every path measured
/// is the warm one.
struct Subject {
    token: String,
    message: String,
    signature: String,
    signature_bytes: Vec<u8>,
    decoding_key: DecodingKey,
    parsed_key: aws_lc_rs::signature::ParsedPublicKey,
    validator: SessionValidator<Arc<MemoryFetcher>, SystemClock>,
    headers: HeaderMap,
}

impl Subject {
    fn new() -> Subject {
        let keys = TestKeys::generate();
        let token = keys
            .key()
            .session_token(PROJECT_ID, &["teacher", "student"]);
        let (message, signature) = token.rsplit_once('.').unwrap();
        let jwk = keys.key().jwk();
        let (n, e) = (jwk["n"].as_str().unwrap(), jwk["e"].as_str().unwrap());
        let decoding_key = DecodingKey::from_rsa_components(n, e).unwrap();
        let parsed_key = aws_lc_rs::signature::RsaPublicKeyComponents {
            n: decode_b64(n),
            e: decode_b64(e),
        }
        .to_parsed_public_key(&aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256)
        .unwrap();

        let validator = keys.warm_validator(&token);
        let mut headers = HeaderMap::new();
        headers.insert(
            AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
        );

        Subject {
            message: message.to_owned(),
            signature: signature.to_owned(),
            signature_bytes: decode_b64(signature),
            token,
            decoding_key,
            parsed_key,
            validator,
            headers,
        }
    }

    /// The floor: one RS256 verification through jsonwebtoken, as the validator does it.
    fn bare_verification(&self) {
        let valid = jsonwebtoken::crypto::verify(
            black_box(&self.signature),
            black_box(self.message.as_bytes()),
            &self.decoding_key,
            Algorithm::RS256,
        );
        assert!(matches!(valid, Ok(true)));
    }

    /// The floor below the floor: aws-lc-rs with the key parsed once, as a cache of parsed keys
    /// would allow. Shows what jsonwebtoken's per-call key rebuild costs.
    fn parsed_key_verification(&self) {
        self.parsed_key
            .verify_sig(
                black_box(self.message.as_bytes()),
                black_box(&self.signature_bytes),
            )
            .unwrap();
    }

    fn warm_validation(&self) {
        let session = ready(self.validator.validate_headers(black_box(&self.headers))).unwrap();
        assert!(session.validate_roles(&["teacher"]));
    }
}

fn benches(c: &mut Criterion, subject: &Subject) {
    let mut group = c.benchmark_group("rs256");
    group
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));

    group.bench_function("bare signature verification", |b| {
        b.iter(|| subject.bare_verification())
    });
    group.bench_function("aws-lc-rs verify, key parsed once", |b| {
        b.iter(|| subject.parsed_key_verification())
    });

    let mut minimal = Validation::new(Algorithm::RS256);
    minimal.required_spec_claims.clear();
    minimal.validate_exp = false;
    minimal.validate_aud = false;
    group.bench_function("jsonwebtoken decode, minimal validation", |b| {
        b.iter(|| {
            jsonwebtoken::decode::<Value>(
                black_box(&subject.token),
                &subject.decoding_key,
                &minimal,
            )
            .unwrap()
        })
    });

    group.bench_function("validate_headers, warm cache", |b| {
        b.iter(|| subject.warm_validation())
    });
    group.finish();
}

/// Criterion's figures come from separate time slices; on a busy machine they drift apart.
/// This alternates short rounds of each path and reports the median of the per-round ratios,
/// so both sides of each ratio saw the same load.
fn interleaved_ratios(subject: &Subject) {
    use std::time::Instant;

    // Short rounds, many of them: each round fits in one scheduler slice more often than not,
    // and the fastest round of each path is the one least disturbed by other processes.
    const ROUNDS: usize = 1000;
    const CALLS: u32 = 10;

    let time = |f: &dyn Fn()| {
        let started = Instant::now();
        for _ in 0..CALLS {
            f();
        }
        started.elapsed().as_secs_f64() / f64::from(CALLS)
    };
    let mut bare_times = Vec::with_capacity(ROUNDS);
    let mut warm_times = Vec::with_capacity(ROUNDS);
    let mut parsed_times = Vec::with_capacity(ROUNDS);
    let mut ratios = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        parsed_times.push(time(&|| subject.parsed_key_verification()));
        let bare_time = time(&|| subject.bare_verification());
        let warm_time = time(&|| subject.warm_validation());
        bare_times.push(bare_time);
        warm_times.push(warm_time);
        ratios.push(warm_time / bare_time);
    }
    let fastest = |values: &[f64]| values.iter().copied().fold(f64::INFINITY, f64::min);
    ratios.sort_by(f64::total_cmp);
    let (bare_best, warm_best) = (fastest(&bare_times), fastest(&warm_times));
    println!(
        "interleaved, {ROUNDS} rounds of {CALLS} calls: fastest bare RS256 verification {:.1} µs, \
         fastest warm validate_headers {:.1} µs, ratio {:.3}; median per-round ratio {:.3}",
        bare_best * 1e6,
        warm_best * 1e6,
        warm_best / bare_best,
        ratios[ROUNDS / 2],
    );
    println!(
        "interleaved: fastest aws-lc-rs verification with the key parsed once {:.1} µs \
         (warm validate_headers / that = {:.3})",
        fastest(&parsed_times) * 1e6,
        warm_best / fastest(&parsed_times),
    );
}

fn main() {
    let subject = Subject::new();
    let mut criterion = Criterion::default().configure_from_args();
    benches(&mut criterion, &subject);
    criterion.final_summary();
    interleaved_ratios(&subject);
}
