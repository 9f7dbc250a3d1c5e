//! Whether a key's material can verify anything at all.
//!
//! `DecodingKey::from_jwk` only decodes base64url; a modulus of a few bits, an EC point off its
//! curve or an Ed25519 key of the wrong length would be stored and then fail every verification.
//! Checked when the key set is parsed, such a key is simply not usable, so a set holding nothing
//! better is garbage and the last good keys stay in use.

use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED, ECDSA_P384_SHA384_FIXED, ED25519, ParsedPublicKey,
    VerificationAlgorithm,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve};

/// The RSA sizes aws-lc verifies for every RS*/PS* algorithm (`RSA_*_2048_8192_*`).
const RSA_MIN_BITS: usize = 2048;
const RSA_MAX_BITS: usize = 8192;
/// aws-lc, like BoringSSL and ring, refuses public exponents wider than 33 bits.
const RSA_MAX_EXPONENT_BITS: usize = 33;
/// SEC 1 uncompressed point prefix.
const UNCOMPRESSED_POINT: u8 = 0x04;

/// `Ok` when the key could verify a signature; otherwise why it cannot.
pub(crate) fn check(parameters: &AlgorithmParameters) -> Result<(), &'static str> {
    match parameters {
        AlgorithmParameters::RSA(rsa) => check_rsa(&rsa.n, &rsa.e),
        AlgorithmParameters::EllipticCurve(ec) => check_ec(&ec.curve, &ec.x, &ec.y),
        AlgorithmParameters::OctetKeyPair(okp) => check_ed25519(&okp.x),
        // Symmetric and unknown key types are refused before this check.
        _ => Err("key type cannot verify session tokens"),
    }
}

fn check_rsa(modulus: &str, exponent: &str) -> Result<(), &'static str> {
    let modulus = decode(modulus).ok_or("RSA modulus is not base64url")?;
    let modulus = without_leading_zeros(&modulus);
    let bits = bit_length(modulus);
    if !(RSA_MIN_BITS..=RSA_MAX_BITS).contains(&bits) {
        return Err("RSA modulus is not 2048 to 8192 bits long");
    }
    // A product of two odd primes is odd.
    if modulus.last().is_none_or(|byte| byte & 1 == 0) {
        return Err("RSA modulus is even");
    }
    let exponent = decode(exponent).ok_or("RSA exponent is not base64url")?;
    let exponent = without_leading_zeros(&exponent);
    let exponent_bits = bit_length(exponent);
    let odd = exponent.last().is_some_and(|byte| byte & 1 == 1);
    if exponent_bits > RSA_MAX_EXPONENT_BITS || !odd || exponent_bits < 2 {
        return Err("RSA exponent is not an odd number from 3 to 2^33");
    }
    Ok(())
}

fn check_ec(curve: &EllipticCurve, x: &str, y: &str) -> Result<(), &'static str> {
    let (algorithm, coordinate_len): (&'static dyn VerificationAlgorithm, usize) = match curve {
        EllipticCurve::P256 => (&ECDSA_P256_SHA256_FIXED, 32),
        EllipticCurve::P384 => (&ECDSA_P384_SHA384_FIXED, 48),
        _ => return Err("EC curve is not P-256 or P-384"),
    };
    let x = decode(x).ok_or("EC x is not base64url")?;
    let y = decode(y).ok_or("EC y is not base64url")?;
    if x.len() != coordinate_len || y.len() != coordinate_len {
        return Err("EC coordinates have the wrong length for the curve");
    }
    let mut point = Vec::with_capacity(1 + 2 * coordinate_len);
    point.push(UNCOMPRESSED_POINT);
    point.extend_from_slice(&x);
    point.extend_from_slice(&y);
    // aws-lc checks that the point lies on the curve while parsing it.
    ParsedPublicKey::new(algorithm, &point).map_err(|_| "EC point is not on its curve")?;
    Ok(())
}

fn check_ed25519(x: &str) -> Result<(), &'static str> {
    let x = decode(x).ok_or("Ed25519 x is not base64url")?;
    if x.len() != aws_lc_rs::signature::ED25519_PUBLIC_KEY_LEN {
        return Err("Ed25519 key is not 32 bytes long");
    }
    ParsedPublicKey::new(&ED25519, &x).map_err(|_| "Ed25519 key is not a valid public key")?;
    Ok(())
}

fn decode(value: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(value).ok()
}

fn without_leading_zeros(bytes: &[u8]) -> &[u8] {
    let first_non_zero = bytes
        .iter()
        .position(|&byte| byte != 0)
        .unwrap_or(bytes.len());
    &bytes[first_non_zero..]
}

/// Bits in a big-endian unsigned number without leading zero bytes.
fn bit_length(number: &[u8]) -> usize {
    match number.first() {
        None => 0,
        Some(&first) => (number.len() - 1) * 8 + (8 - first.leading_zeros() as usize),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parameters(jwk: serde_json::Value) -> AlgorithmParameters {
        serde_json::from_value::<jsonwebtoken::jwk::Jwk>(jwk)
            .expect("a JWK")
            .algorithm
    }

    fn rsa(n: &[u8], e: &[u8]) -> AlgorithmParameters {
        parameters(
            json!({"kty": "RSA", "n": URL_SAFE_NO_PAD.encode(n), "e": URL_SAFE_NO_PAD.encode(e)}),
        )
    }

    /// An odd number of exactly `bits` bits.
    fn odd_number_of_bits(bits: usize) -> Vec<u8> {
        let mut number = vec![0xA5; bits.div_ceil(8)];
        let top_bits = bits - (number.len() - 1) * 8;
        number[0] = 0x80 >> (8 - top_bits);
        *number.last_mut().unwrap() |= 1;
        number
    }

    #[test]
    fn rsa_modulus_between_2048_and_8192_bits_with_a_sane_exponent_is_usable() {
        for bits in [2048, 3072, 4096, 8192] {
            assert_eq!(check(&rsa(&odd_number_of_bits(bits), &[1, 0, 1])), Ok(()));
        }
        // Leading zero bytes carry no bits.
        let mut padded = vec![0, 0];
        padded.extend(odd_number_of_bits(2048));
        assert_eq!(check(&rsa(&padded, &[0, 3])), Ok(()));
    }

    #[test]
    fn rsa_keys_that_cannot_verify_are_unusable() {
        let modulus = odd_number_of_bits(2048);
        let mut even = modulus.clone();
        *even.last_mut().unwrap() &= 0xFE;
        for (n, e, why) in [
            (odd_number_of_bits(8), vec![1, 0, 1], "a few bits"),
            (odd_number_of_bits(2047), vec![1, 0, 1], "one bit short"),
            (odd_number_of_bits(8193), vec![1, 0, 1], "too long"),
            (vec![], vec![1, 0, 1], "empty modulus"),
            (even, vec![1, 0, 1], "even modulus"),
            (modulus.clone(), vec![1], "exponent 1"),
            (modulus.clone(), vec![], "no exponent"),
            (modulus.clone(), vec![1, 0, 0], "even exponent"),
            (
                modulus.clone(),
                odd_number_of_bits(34),
                "exponent over 33 bits",
            ),
        ] {
            assert!(check(&rsa(&n, &e)).is_err(), "{why}");
        }
    }

    // RFC 7515 A.3's P-256 key.
    const P256_X: &str = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
    const P256_Y: &str = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";

    fn ec(curve: &str, x: &str, y: &str) -> AlgorithmParameters {
        parameters(json!({"kty": "EC", "crv": curve, "x": x, "y": y}))
    }

    #[test]
    fn an_ec_point_must_lie_on_its_curve_with_coordinates_of_its_size() {
        assert_eq!(check(&ec("P-256", P256_X, P256_Y)), Ok(()));

        let mut off_curve = URL_SAFE_NO_PAD.decode(P256_Y).unwrap();
        off_curve[31] ^= 1;
        let off_curve = URL_SAFE_NO_PAD.encode(off_curve);
        assert!(check(&ec("P-256", P256_X, &off_curve)).is_err());
        // The right point, named as the wrong curve.
        assert!(check(&ec("P-384", P256_X, P256_Y)).is_err());
        let short = URL_SAFE_NO_PAD.encode([7u8; 31]);
        assert!(check(&ec("P-256", &short, P256_Y)).is_err());
        assert!(check(&ec("P-256", "!!", P256_Y)).is_err());
    }

    #[test]
    fn an_ed25519_key_must_be_32_bytes() {
        let okp = |x: &[u8]| {
            parameters(json!({"kty": "OKP", "crv": "Ed25519", "x": URL_SAFE_NO_PAD.encode(x)}))
        };
        assert_eq!(check(&okp(&[9; 32])), Ok(()));
        assert!(check(&okp(&[9; 31])).is_err());
        assert!(check(&okp(&[9; 33])).is_err());
        assert!(check(&okp(&[])).is_err());
    }
}
