//! Descope's key set (`{"keys":[…]}`) turned into verification keys, keeping only keys that
//! can verify a session token: right type, algorithm and use, and material that can verify
//! (see `key_material`).

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;
use serde_json::Value;

use crate::jose::is_json_object;
use crate::key_material;

/// Why a fetched key set cannot replace the keys in use.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum JwksError {
    #[error("key set is not a JSON object with a keys array: {0}")]
    Malformed(String),
    #[error("key set has no usable signing key ({ignored} ignored)")]
    NoUsableKey { ignored: usize },
}

/// A key ready to verify tokens: the algorithm is the key's own, never the token's.
pub(crate) struct VerifyKey {
    pub(crate) algorithm: Algorithm,
    pub(crate) decoding_key: DecodingKey,
}

/// Usable keys by `kid`.
#[derive(Default)]
pub(crate) struct KeySet {
    keys: HashMap<String, Arc<VerifyKey>>,
}

impl KeySet {
    pub(crate) fn get(&self, kid: &str) -> Option<&Arc<VerifyKey>> {
        self.keys.get(kid)
    }

    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }
}

#[derive(Deserialize)]
struct RawKeySet {
    keys: Vec<Value>,
}

/// Parses a JWKS body. Unusable keys are skipped (and counted); a set left empty is an error,
/// so that the caller keeps its last good keys.
pub(crate) fn parse_key_set(body: &[u8]) -> Result<KeySet, JwksError> {
    if !is_json_object(body) {
        return Err(JwksError::Malformed("not a JSON object".to_owned()));
    }
    let raw: RawKeySet =
        serde_json::from_slice(body).map_err(|error| JwksError::Malformed(error.to_string()))?;
    let mut keys = HashMap::with_capacity(raw.keys.len());
    let mut ignored = 0;
    for entry in raw.keys {
        match usable_key(entry) {
            // A repeated kid is ambiguous; the first one stays, as a lookup by kid would find it.
            Ok((kid, key)) if !keys.contains_key(&kid) => {
                keys.insert(kid, Arc::new(key));
            }
            Ok((kid, _)) => {
                tracing::warn!(kid, "ignoring a key whose kid repeats an earlier key");
                ignored += 1;
            }
            Err(reason) => {
                tracing::warn!(reason, "ignoring an unusable key in the key set");
                ignored += 1;
            }
        }
    }
    if keys.is_empty() {
        return Err(JwksError::NoUsableKey { ignored });
    }
    Ok(KeySet { keys })
}

fn usable_key(entry: Value) -> Result<(String, VerifyKey), &'static str> {
    let Value::Object(fields) = &entry else {
        return Err("key is not an object");
    };
    let kid = match fields.get("kid") {
        Some(Value::String(kid)) if !kid.is_empty() => kid.clone(),
        _ => return Err("key has no kid"),
    };
    match fields.get("use") {
        None => {}
        Some(Value::String(usage)) if usage == "sig" => {}
        Some(_) => return Err("key use is not sig"),
    }
    let algorithm = match fields.get("alg") {
        Some(Value::String(alg)) => {
            Algorithm::from_str(alg).map_err(|_| "key alg is not a JWS algorithm")?
        }
        _ => return Err("key has no alg"),
    };
    let jwk: Jwk = serde_json::from_value(entry).map_err(|_| "key parameters are malformed")?;
    if !parameters_fit(&jwk.algorithm, algorithm) {
        return Err("key type or curve does not fit its alg (symmetric algs are never accepted)");
    }
    key_material::check(&jwk.algorithm)?;
    let decoding_key =
        DecodingKey::from_jwk(&jwk).map_err(|_| "key material is not valid base64url")?;
    Ok((
        kid,
        VerifyKey {
            algorithm,
            decoding_key,
        },
    ))
}

/// Only asymmetric algorithms, each with the key type (and curve) it is defined for.
fn parameters_fit(parameters: &AlgorithmParameters, algorithm: Algorithm) -> bool {
    use Algorithm::*;
    match parameters {
        AlgorithmParameters::RSA(_) => {
            matches!(algorithm, RS256 | RS384 | RS512 | PS256 | PS384 | PS512)
        }
        AlgorithmParameters::EllipticCurve(ec) => matches!(
            (algorithm, &ec.curve),
            (ES256, EllipticCurve::P256) | (ES384, EllipticCurve::P384)
        ),
        AlgorithmParameters::OctetKeyPair(okp) => {
            algorithm == EdDSA && okp.curve == EllipticCurve::Ed25519
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // A 2048-bit modulus is not needed to test the filtering; any base64url value parses.
    const N: &str = "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw";
    const E: &str = "AQAB";
    const X: &str = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
    const Y: &str = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";

    fn rsa(kid: &str, alg: &str) -> Value {
        json!({"kty": "RSA", "kid": kid, "alg": alg, "use": "sig", "n": N, "e": E})
    }

    fn kids(body: Value) -> Result<Vec<String>, JwksError> {
        let set = parse_key_set(body.to_string().as_bytes())?;
        let mut kids: Vec<String> = set.keys.keys().cloned().collect();
        kids.sort();
        Ok(kids)
    }

    #[test]
    fn descope_shaped_rsa_key_is_kept_with_its_algorithm() {
        let set =
            parse_key_set(json!({"keys": [rsa("K1", "RS256")]}).to_string().as_bytes()).unwrap();
        let key = set.get("K1").unwrap();
        assert_eq!(key.algorithm, Algorithm::RS256);
    }

    #[test]
    fn unusable_keys_are_ignored() {
        let mut no_kid = rsa("x", "RS256");
        no_kid.as_object_mut().unwrap().remove("kid");
        let mut no_alg = rsa("NoAlg", "RS256");
        no_alg.as_object_mut().unwrap().remove("alg");
        let mut no_use = rsa("NoUse", "PS256");
        no_use.as_object_mut().unwrap().remove("use");
        let mut encryption = rsa("Enc", "RS256");
        encryption["use"] = json!("enc");
        let body = json!({"keys": [
            rsa("Good", "RS256"),
            no_kid,
            no_alg,
            no_use,
            encryption,
            rsa("", "RS256"),
            rsa("Hmac", "HS256"),
            rsa("None", "none"),
            rsa("Oaep", "RSA-OAEP"),
            rsa("RsaAsEc", "ES256"),
            {"kty": "oct", "kid": "Oct", "alg": "HS256", "use": "sig", "k": "c2VjcmV0"},
            {"kty": "EC", "kid": "Ec", "alg": "ES256", "use": "sig", "crv": "P-256", "x": X, "y": Y},
            {"kty": "EC", "kid": "EcWrongCurve", "alg": "ES384", "use": "sig", "crv": "P-256", "x": X, "y": Y},
            {"kty": "OKP", "kid": "Ed", "alg": "EdDSA", "use": "sig", "crv": "Ed25519", "x": X},
            {"kty": "RSA", "kid": "BadB64", "alg": "RS256", "use": "sig", "n": "!!", "e": E},
            "not an object",
        ]});
        assert_eq!(kids(body).unwrap(), ["Ec", "Ed", "Good", "NoUse"]);
    }

    #[test]
    fn repeated_kid_keeps_the_first_key() {
        let set = parse_key_set(
            json!({"keys": [rsa("K1", "RS256"), rsa("K1", "PS512")]})
                .to_string()
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(set.len(), 1);
        assert_eq!(set.get("K1").unwrap().algorithm, Algorithm::RS256);
    }

    #[test]
    fn garbage_and_empty_sets_are_errors() {
        assert!(matches!(
            parse_key_set(b"<html>oops</html>"),
            Err(JwksError::Malformed(_))
        ));
        assert!(matches!(parse_key_set(b"{}"), Err(JwksError::Malformed(_))));
        let positional = json!([[rsa("K1", "RS256")]]).to_string();
        assert!(matches!(
            parse_key_set(positional.as_bytes()),
            Err(JwksError::Malformed(_))
        ));
        assert!(matches!(
            parse_key_set(br#"{"keys": {}}"#),
            Err(JwksError::Malformed(_))
        ));
        assert_eq!(
            parse_key_set(br#"{"keys": []}"#).err(),
            Some(JwksError::NoUsableKey { ignored: 0 })
        );
        assert_eq!(
            kids(json!({"keys": [rsa("Hmac", "HS256")]})),
            Err(JwksError::NoUsableKey { ignored: 1 })
        );
    }
}
