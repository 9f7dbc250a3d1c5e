//! The `Authorization: Bearer <token>` header, checked before anything is decoded.

use http::HeaderMap;
use http::header::AUTHORIZATION;

/// Longest token accepted; Descope session tokens are a few KiB at most, even with many roles.
pub const MAX_TOKEN_BYTES: usize = 8192;

/// Why the Authorization header does not carry a usable bearer token.
#[derive(Debug, Clone, Copy, thiserror::Error, PartialEq, Eq)]
pub enum HeaderError {
    #[error("no Authorization header")]
    Missing,
    #[error("more than one Authorization header")]
    Multiple,
    #[error("Authorization header holds a comma (joined duplicate headers)")]
    HoldsComma,
    #[error("Authorization header is not visible ASCII")]
    NotAscii,
    #[error("Authorization scheme is not Bearer")]
    NotBearer,
    #[error("bearer token is empty")]
    EmptyToken,
    #[error("bearer token is longer than {MAX_TOKEN_BYTES} bytes")]
    TooLong,
    #[error("bearer token is not three base64url segments")]
    NotThreeSegments,
}

/// The bearer token of the request's only Authorization header.
pub fn bearer_token(headers: &HeaderMap) -> Result<&str, HeaderError> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let value = values.next().ok_or(HeaderError::Missing)?;
    if values.next().is_some() {
        return Err(HeaderError::Multiple);
    }
    let value = value.to_str().map_err(|_| HeaderError::NotAscii)?;
    token_from_header_value(value)
}

/// Applies the header rules to one Authorization value: scheme `Bearer` in any case, one or
/// more spaces, then a compact JWS.
pub fn token_from_header_value(value: &str) -> Result<&str, HeaderError> {
    // API Gateway joins repeated headers with commas, so a comma means a smuggled second value.
    if value.contains(',') {
        return Err(HeaderError::HoldsComma);
    }
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(HeaderError::NotBearer);
    }
    let token = rest.trim_start_matches(' ');
    check_token_shape(token)?;
    Ok(token)
}

/// A compact JWS: exactly three non-empty base64url segments, at most [`MAX_TOKEN_BYTES`].
pub fn check_token_shape(token: &str) -> Result<(), HeaderError> {
    if token.is_empty() {
        return Err(HeaderError::EmptyToken);
    }
    if token.len() > MAX_TOKEN_BYTES {
        return Err(HeaderError::TooLong);
    }
    let mut segments = 0;
    for segment in token.split('.') {
        segments += 1;
        if segment.is_empty() || !segment.bytes().all(is_base64url) {
            return Err(HeaderError::NotThreeSegments);
        }
    }
    if segments != 3 {
        return Err(HeaderError::NotThreeSegments);
    }
    Ok(())
}

fn is_base64url(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    const JWS: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl";

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in values {
            map.append(AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn accepted_header_values() {
        for value in [
            format!("Bearer {JWS}"),
            format!("bearer {JWS}"),
            format!("BEARER {JWS}"),
            format!("bEaReR {JWS}"),
            format!("Bearer    {JWS}"),
        ] {
            assert_eq!(token_from_header_value(&value), Ok(JWS), "{value}");
        }
    }

    #[test]
    fn rejected_header_values() {
        let long_token = format!(
            "{}.{}.{}",
            "a".repeat(4000),
            "b".repeat(4000),
            "c".repeat(200)
        );
        let cases: Vec<(String, HeaderError)> = vec![
            (JWS.to_owned(), HeaderError::NotBearer),
            (format!("Basic {JWS}"), HeaderError::NotBearer),
            (format!("Bearer: {JWS}"), HeaderError::NotBearer),
            (format!("Bearer\t{JWS}"), HeaderError::NotBearer),
            (format!("Token {JWS}"), HeaderError::NotBearer),
            (
                format!("Bearer Bearer {JWS}"),
                HeaderError::NotThreeSegments,
            ),
            ("Bearer".to_owned(), HeaderError::EmptyToken),
            ("Bearer ".to_owned(), HeaderError::EmptyToken),
            ("Bearer    ".to_owned(), HeaderError::EmptyToken),
            (
                format!("Bearer {JWS}, Bearer {JWS}"),
                HeaderError::HoldsComma,
            ),
            (format!("Bearer {JWS},x"), HeaderError::HoldsComma),
            ("Bearer a.b".to_owned(), HeaderError::NotThreeSegments),
            ("Bearer a.b.c.d".to_owned(), HeaderError::NotThreeSegments),
            ("Bearer a..c".to_owned(), HeaderError::NotThreeSegments),
            ("Bearer a.b.".to_owned(), HeaderError::NotThreeSegments),
            ("Bearer a+b.c.d".to_owned(), HeaderError::NotThreeSegments),
            ("Bearer a/b.c.d".to_owned(), HeaderError::NotThreeSegments),
            (
                "Bearer YQ==.Yg==.Yw==".to_owned(),
                HeaderError::NotThreeSegments,
            ),
            (format!("Bearer {JWS} "), HeaderError::NotThreeSegments),
            (format!("Bearer {long_token}"), HeaderError::TooLong),
        ];
        for (value, expected) in cases {
            assert_eq!(
                token_from_header_value(&value),
                Err(expected),
                "{value:.60}"
            );
        }
    }

    #[test]
    fn token_of_exactly_the_limit_is_accepted_and_one_more_byte_is_not() {
        let body = MAX_TOKEN_BYTES - 4;
        let at_limit = format!("a.{}.c", "b".repeat(body));
        assert_eq!(at_limit.len(), MAX_TOKEN_BYTES);
        assert_eq!(check_token_shape(&at_limit), Ok(()));
        let over = format!("a.{}.c", "b".repeat(body + 1));
        assert_eq!(check_token_shape(&over), Err(HeaderError::TooLong));
    }

    #[test]
    fn header_map_rules() {
        assert_eq!(bearer_token(&HeaderMap::new()), Err(HeaderError::Missing));
        let bearer = format!("Bearer {JWS}");
        assert_eq!(bearer_token(&headers(&[&bearer])), Ok(JWS));
        assert_eq!(
            bearer_token(&headers(&[&bearer, &bearer])),
            Err(HeaderError::Multiple)
        );
        let mut map = HeaderMap::new();
        map.insert(
            AUTHORIZATION,
            HeaderValue::from_bytes(b"Bearer \xffabc.d.e").unwrap(),
        );
        assert_eq!(bearer_token(&map), Err(HeaderError::NotAscii));
    }
}
