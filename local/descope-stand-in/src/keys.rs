//! The signing key: an RSA-2048 key generated at start, never written anywhere.
//!
//! A fresh key per run means tokens from an earlier run stop validating (unknown `kid`), which
//! is what a user expects after restarting a local identity provider.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use serde::Serialize;

pub struct SigningKey {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    public: PublicJwk,
}

/// One key in Descope's JWKS shape, fields in Descope's order.
#[derive(Debug, Clone, Serialize)]
pub struct PublicJwk {
    pub alg: &'static str,
    pub e: String,
    pub kid: String,
    pub kty: &'static str,
    pub n: String,
    #[serde(rename = "use")]
    pub usage: &'static str,
}

#[derive(Debug, Serialize)]
pub struct KeySet<'a> {
    pub keys: [&'a PublicJwk; 1],
}

#[derive(Debug, thiserror::Error)]
#[error("could not create the signing key: {0}")]
pub struct KeyError(String);

impl SigningKey {
    pub fn generate() -> Result<Self, KeyError> {
        let pair = KeyPair::generate(KeySize::Rsa2048)
            .map_err(|_| KeyError("RSA key generation failed".into()))?;
        let pkcs8 = pair
            .as_der()
            .map_err(|_| KeyError("PKCS#8 export failed".into()))?;
        // jsonwebtoken's aws-lc backend signs with a PKCS#1 `RSAPrivateKey`, while aws-lc-rs
        // exports PKCS#8, which wraps exactly that structure.
        let pkcs1 = pkcs1_from_pkcs8(pkcs8.as_ref())
            .ok_or_else(|| KeyError("unexpected PKCS#8 layout".into()))?;
        let encoding = EncodingKey::from_rsa_der(pkcs1);

        let jwk = Jwk::from_encoding_key(&encoding, Algorithm::RS256)
            .map_err(|err| KeyError(format!("public key export failed: {err}")))?;
        let AlgorithmParameters::RSA(rsa) = jwk.algorithm else {
            return Err(KeyError("public key is not RSA".into()));
        };
        let decoding = DecodingKey::from_rsa_components(&rsa.n, &rsa.e)
            .map_err(|err| KeyError(format!("public key import failed: {err}")))?;

        let kid = random_kid()?;
        let public = PublicJwk {
            alg: "RS256",
            e: rsa.e,
            kid: kid.clone(),
            kty: "RSA",
            n: rsa.n,
            usage: "sig",
        };
        Ok(SigningKey {
            kid,
            encoding,
            decoding,
            public,
        })
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn encoding(&self) -> &EncodingKey {
        &self.encoding
    }

    pub fn decoding(&self) -> &DecodingKey {
        &self.decoding
    }

    pub fn key_set(&self) -> KeySet<'_> {
        KeySet {
            keys: [&self.public],
        }
    }
}

/// Descope key IDs are opaque strings; a random one per run keeps kids from different runs apart.
fn random_kid() -> Result<String, KeyError> {
    let mut bytes = [0u8; 12];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| KeyError("no randomness".into()))?;
    Ok(format!("SK-local-{}", hex(&bytes)))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// DER encoding of the rsaEncryption algorithm identifier's OID, 1.2.840.113549.1.1.1.
const RSA_ENCRYPTION_OID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

/// Takes the `RSAPrivateKey` out of a PKCS#8 `PrivateKeyInfo` (RFC 5208):
/// `SEQUENCE { INTEGER version, SEQUENCE { OID rsaEncryption, NULL }, OCTET STRING key, ... }`.
fn pkcs1_from_pkcs8(der: &[u8]) -> Option<&[u8]> {
    const SEQUENCE: u8 = 0x30;
    const INTEGER: u8 = 0x02;
    const OCTET_STRING: u8 = 0x04;
    const OID: u8 = 0x06;

    let (info, rest) = der_element(der, SEQUENCE)?;
    if !rest.is_empty() {
        return None;
    }
    let (_version, info) = der_element(info, INTEGER)?;
    let (algorithm, info) = der_element(info, SEQUENCE)?;
    let (oid, _parameters) = der_element(algorithm, OID)?;
    if oid != RSA_ENCRYPTION_OID {
        return None;
    }
    let (private_key, _attributes) = der_element(info, OCTET_STRING)?;
    Some(private_key)
}

/// Splits one DER element with the expected tag off the front of `input`: (contents, remainder).
fn der_element(input: &[u8], expected_tag: u8) -> Option<(&[u8], &[u8])> {
    let (&tag, input) = input.split_first()?;
    if tag != expected_tag {
        return None;
    }
    let (&first, mut input) = input.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > std::mem::size_of::<usize>() || input.len() < count {
            return None;
        }
        let (len_bytes, rest) = input.split_at(count);
        input = rest;
        len_bytes
            .iter()
            .fold(0usize, |len, &b| (len << 8) | usize::from(b))
    };
    if input.len() < len {
        return None;
    }
    Some(input.split_at(len))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{Header, Validation, decode, encode};

    #[test]
    fn generated_key_signs_tokens_its_public_half_verifies() {
        let key = SigningKey::generate().unwrap();
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(key.kid().to_owned());
        let claims = serde_json::json!({ "sub": "someone", "exp": 4_000_000_000u64 });
        let token = encode(&header, &claims, key.encoding()).unwrap();

        let public = &key.key_set().keys[0];
        let from_jwks = DecodingKey::from_rsa_components(&public.n, &public.e).unwrap();
        let decoded =
            decode::<serde_json::Value>(&token, &from_jwks, &Validation::new(Algorithm::RS256))
                .unwrap();
        assert_eq!(decoded.claims["sub"], "someone");
        assert_eq!(public.e, "AQAB");
        // 2048-bit modulus: 256 bytes, 342 unpadded base64url characters.
        assert_eq!(public.n.len(), 342);
    }

    #[test]
    fn key_set_has_descope_shape() {
        let key = SigningKey::generate().unwrap();
        let json = serde_json::to_value(key.key_set()).unwrap();
        let entry = &json["keys"][0];
        let mut fields: Vec<&str> = entry
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        fields.sort_unstable();
        assert_eq!(fields, ["alg", "e", "kid", "kty", "n", "use"]);
        assert_eq!(entry["alg"], "RS256");
        assert_eq!(entry["kty"], "RSA");
        assert_eq!(entry["use"], "sig");
        assert_eq!(entry["kid"], key.kid());
    }

    #[test]
    fn each_run_gets_its_own_kid() {
        assert_ne!(
            SigningKey::generate().unwrap().kid(),
            SigningKey::generate().unwrap().kid()
        );
    }

    #[test]
    fn pkcs8_unwrapping_finds_the_rsa_key_and_rejects_other_layouts() {
        #[rustfmt::skip]
        let rsa = [
            0x30, 0x17,
                0x02, 0x01, 0x00,
                0x30, 0x0d,
                    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,
                    0x05, 0x00,
                0x04, 0x03, 0x01, 0x02, 0x03,
        ];
        assert_eq!(pkcs1_from_pkcs8(&rsa), Some(&[1u8, 2, 3][..]));

        #[rustfmt::skip]
        let ec = [
            0x30, 0x15,
                0x02, 0x01, 0x00,
                0x30, 0x0b,
                    0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
                    0x05, 0x00,
                0x04, 0x03, 0x01, 0x02, 0x03,
        ];
        assert_eq!(pkcs1_from_pkcs8(&ec), None, "id-ecPublicKey is not RSA");
        assert_eq!(pkcs1_from_pkcs8(&rsa[..rsa.len() - 1]), None, "truncated");
        assert_eq!(pkcs1_from_pkcs8(&[]), None);
        assert_eq!(pkcs1_from_pkcs8(&[0x30, 0x82, 0xff]), None);
    }
}
