//! Signing keys and Descope-shaped session tokens minted with them.
//!
//! ```
//! use test_support::{PROJECT_ID, TestKeys};
//! let keys = TestKeys::generate(); // one RS256 key, kid "test-key-1"
//! let jwks = keys.jwks_json(); // serve this at /v2/keys/{projectId}
//! let token = keys.key().session_token(PROJECT_ID, &["teacher"]);
//! assert_eq!(token.split('.').count(), 3);
//! assert!(jwks.contains("test-key-1"));
//! ```

use std::sync::Arc;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, ECDSA_P384_SHA384_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair,
    KeyPair, RSA_PKCS1_SHA256, RSA_PKCS1_SHA384, RSA_PKCS1_SHA512, RSA_PSS_SHA256, RSA_PSS_SHA384,
    RSA_PSS_SHA512, RsaEncoding, RsaKeyPair,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use descope_auth::{Clock, SessionValidator, SystemClock};

pub use jsonwebtoken::Algorithm;

use crate::PROJECT_ID;
use crate::memory_fetcher::MemoryFetcher;

enum Signer {
    Rsa(Arc<RsaKeyPair>, &'static dyn RsaEncoding),
    Ec(Arc<EcdsaKeyPair>),
    Ed(Arc<Ed25519KeyPair>),
}

/// One signing key with its `kid` and algorithm, and its public JWK.
pub struct TestKey {
    kid: String,
    algorithm: Algorithm,
    signer: Signer,
    public_jwk: Value,
}

impl TestKey {
    /// A fresh 2048-bit RS256 key (Descope's kind).
    pub fn rsa(kid: &str) -> TestKey {
        Self::rsa_with(kid, Algorithm::RS256)
    }

    /// A fresh 2048-bit RSA key for RS256/384/512 or PS256/384/512.
    pub fn rsa_with(kid: &str, algorithm: Algorithm) -> TestKey {
        let encoding: &'static dyn RsaEncoding = match algorithm {
            Algorithm::RS256 => &RSA_PKCS1_SHA256,
            Algorithm::RS384 => &RSA_PKCS1_SHA384,
            Algorithm::RS512 => &RSA_PKCS1_SHA512,
            Algorithm::PS256 => &RSA_PSS_SHA256,
            Algorithm::PS384 => &RSA_PSS_SHA384,
            Algorithm::PS512 => &RSA_PSS_SHA512,
            other => panic!("{other:?} is not an RSA algorithm"),
        };
        let pair = RsaKeyPair::generate(KeySize::Rsa2048).expect("RSA key generation");
        let public = pair.public_key();
        let public_jwk = json!({
            "kty": "RSA",
            "kid": kid,
            "alg": alg_name(algorithm),
            "use": "sig",
            "n": b64(public.modulus().big_endian_without_leading_zero()),
            "e": b64(public.exponent().big_endian_without_leading_zero()),
        });
        TestKey {
            kid: kid.to_owned(),
            algorithm,
            signer: Signer::Rsa(Arc::new(pair), encoding),
            public_jwk,
        }
    }

    /// A fresh ES256 (P-256) or ES384 (P-384) key.
    pub fn ec(kid: &str, algorithm: Algorithm) -> TestKey {
        let (signing, curve, coordinate_len) = match algorithm {
            Algorithm::ES256 => (&ECDSA_P256_SHA256_FIXED_SIGNING, "P-256", 32),
            Algorithm::ES384 => (&ECDSA_P384_SHA384_FIXED_SIGNING, "P-384", 48),
            other => panic!("{other:?} is not an ECDSA algorithm"),
        };
        let pair = EcdsaKeyPair::generate(signing).expect("EC key generation");
        let point = pair.public_key().as_ref();
        let (x, y) = point[1..].split_at(coordinate_len);
        let public_jwk = json!({
            "kty": "EC", "kid": kid, "alg": alg_name(algorithm), "use": "sig",
            "crv": curve, "x": b64(x), "y": b64(y),
        });
        TestKey {
            kid: kid.to_owned(),
            algorithm,
            signer: Signer::Ec(Arc::new(pair)),
            public_jwk,
        }
    }

    /// A fresh Ed25519 (EdDSA) key.
    pub fn ed25519(kid: &str) -> TestKey {
        let pair = Ed25519KeyPair::generate().expect("Ed25519 key generation");
        let public_jwk = json!({
            "kty": "OKP", "kid": kid, "alg": "EdDSA", "use": "sig",
            "crv": "Ed25519", "x": b64(pair.public_key().as_ref()),
        });
        TestKey {
            kid: kid.to_owned(),
            algorithm: Algorithm::EdDSA,
            signer: Signer::Ed(Arc::new(pair)),
            public_jwk,
        }
    }

    /// The same key material under another `kid` (to test lookups by kid).
    pub fn with_kid(&self, kid: &str) -> TestKey {
        let mut public_jwk = self.public_jwk.clone();
        public_jwk["kid"] = json!(kid);
        let signer = match &self.signer {
            Signer::Rsa(pair, encoding) => Signer::Rsa(Arc::clone(pair), *encoding),
            Signer::Ec(pair) => Signer::Ec(Arc::clone(pair)),
            Signer::Ed(pair) => Signer::Ed(Arc::clone(pair)),
        };
        TestKey {
            kid: kid.to_owned(),
            algorithm: self.algorithm,
            signer,
            public_jwk,
        }
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The public JWK as Descope serves it (`kid`, `alg`, `use: sig`).
    pub fn jwk(&self) -> Value {
        self.public_jwk.clone()
    }

    /// The raw public key bytes (RSA: PKCS#1 DER), e.g. as an attacker's HMAC secret.
    pub fn public_key_bytes(&self) -> Vec<u8> {
        match &self.signer {
            Signer::Rsa(pair, _) => pair.public_key().as_ref().to_vec(),
            Signer::Ec(pair) => pair.public_key().as_ref().to_vec(),
            Signer::Ed(pair) => pair.public_key().as_ref().to_vec(),
        }
    }

    /// A Descope session token for `project_id` with `roles`, valid now for ten minutes: the
    /// token a signed-in user sends ([`session_claims`] signed with [`TestKey::sign`]).
    pub fn session_token(&self, project_id: &str, roles: &[&str]) -> String {
        self.sign(&session_claims(project_id, roles))
    }

    /// A token for any `claims`, with header `{"alg": <key alg>, "kid": <kid>, "typ": "JWT"}`.
    pub fn sign(&self, claims: &Value) -> String {
        let header = json!({"alg": alg_name(self.algorithm), "kid": self.kid, "typ": "JWT"});
        self.sign_with_header(&header, claims)
    }

    /// A token with any header, signed by this key whatever the header says.
    pub fn sign_with_header(&self, header: &Value, claims: &Value) -> String {
        self.sign_input(&signing_input(header, claims))
    }

    /// Signs any `base64url(header).base64url(payload)` text, e.g. one whose payload is not
    /// JSON.
    pub fn sign_input(&self, signing_input: &str) -> String {
        let signature = self.sign_bytes(signing_input.as_bytes());
        format!("{signing_input}.{}", b64(&signature))
    }

    fn sign_bytes(&self, message: &[u8]) -> Vec<u8> {
        let rng = SystemRandom::new();
        match &self.signer {
            Signer::Rsa(pair, encoding) => {
                let mut signature = vec![0; pair.public_modulus_len()];
                pair.sign(*encoding, &rng, message, &mut signature)
                    .expect("RSA signing");
                signature
            }
            Signer::Ec(pair) => pair
                .sign(&rng, message)
                .expect("EC signing")
                .as_ref()
                .to_vec(),
            Signer::Ed(pair) => pair.sign(message).as_ref().to_vec(),
        }
    }
}

/// A key set for a test: by default one RS256 key with kid `test-key-1`.
pub struct TestKeys {
    keys: Vec<TestKey>,
}

impl TestKeys {
    pub fn generate() -> TestKeys {
        TestKeys {
            keys: vec![TestKey::rsa("test-key-1")],
        }
    }

    /// The first key.
    pub fn key(&self) -> &TestKey {
        &self.keys[0]
    }

    /// `{"keys": [...]}` with every key's public JWK.
    pub fn jwks_json(&self) -> String {
        jwks_json(self.keys.iter())
    }

    /// A validator for [`PROJECT_ID`] that fetches these keys from memory, its cache
    /// already filled by accepting `token` once: the warm path benchmarks and fuzzing measure.
    pub fn warm_validator(&self, token: &str) -> SessionValidator<Arc<MemoryFetcher>, SystemClock> {
        let validator = SessionValidator::new(
            PROJECT_ID,
            MemoryFetcher::serving(self.jwks_json()),
            SystemClock,
        );
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a current-thread runtime")
            .block_on(validator.validate_token(token))
            .expect("the token is accepted");
        validator
    }
}

/// `{"keys": [...]}` for the given keys.
pub fn jwks_json<'a>(keys: impl IntoIterator<Item = &'a TestKey>) -> String {
    json!({"keys": keys.into_iter().map(TestKey::jwk).collect::<Vec<_>>()}).to_string()
}

/// Descope-shaped session claims valid now (system clock) for ten minutes.
pub fn session_claims(project_id: &str, roles: &[&str]) -> Value {
    session_claims_at(project_id, roles, SystemClock.unix_now())
}

/// Descope-shaped session claims issued at `unix_now`, expiring ten minutes later.
pub fn session_claims_at(project_id: &str, roles: &[&str], unix_now: u64) -> Value {
    json!({
        "sub": "U2test0user0id",
        "iss": format!("https://api.descope.com/{project_id}"),
        "iat": unix_now,
        "exp": unix_now + 600,
        "drn": "DS",
        "roles": roles,
        "permissions": [],
        "tenants": {},
    })
}

/// `base64url(header).base64url(claims)`, for hand-built tokens.
pub fn signing_input(header: &Value, claims: &Value) -> String {
    format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    )
}

/// Base64url without padding, as JWS uses.
pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn alg_name(algorithm: Algorithm) -> String {
    // jsonwebtoken serialises Algorithm as its JWS name ("RS256", "EdDSA", …).
    serde_json::to_value(algorithm)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{algorithm:?}"))
}
