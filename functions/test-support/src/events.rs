//! API Gateway event fixtures with the `Authorization` header substituted, shaped as each
//! payload format really carries it.

use serde_json::{Map, Value};

/// The payload formats API Gateway sends to a Lambda proxy integration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PayloadFormat {
    /// HTTP API, payload format 2.0: lower-case header names, duplicate values joined by commas.
    HttpApiV2,
    /// REST API, payload format 1.0: `headers` holds the last value, `multiValueHeaders` all.
    RestV1,
}

impl PayloadFormat {
    fn detect(event: &Value) -> PayloadFormat {
        if event.get("version").and_then(Value::as_str) == Some("2.0") {
            PayloadFormat::HttpApiV2
        } else {
            PayloadFormat::RestV1
        }
    }
}

/// Returns `fixture` with its Authorization header replaced by `values` (none: no header).
pub fn with_authorization(fixture: &str, values: &[&str]) -> String {
    let mut event: Value = serde_json::from_str(fixture).expect("fixture is JSON");
    let format = PayloadFormat::detect(&event);
    let object = event.as_object_mut().expect("fixture is a JSON object");
    match format {
        PayloadFormat::HttpApiV2 => {
            let headers = header_object(object, "headers");
            if !values.is_empty() {
                headers.insert("authorization".into(), Value::from(values.join(",")));
            }
        }
        PayloadFormat::RestV1 => {
            let headers = header_object(object, "headers");
            if let Some(last) = values.last() {
                headers.insert("Authorization".into(), Value::from(*last));
            }
            let multi = header_object(object, "multiValueHeaders");
            if !values.is_empty() {
                multi.insert("Authorization".into(), Value::from(values.to_vec()));
            }
        }
    }
    event.to_string()
}

/// `fixture` as the request a function gets from a caller sending `Authorization: Bearer token`.
pub fn bearer_request(fixture: &str, token: &str) -> lambda_http::Request {
    request(&with_authorization(fixture, &[&format!("Bearer {token}")]))
}

/// Deserialises an event the way `lambda_http` does for a running function.
pub fn request(event: &str) -> lambda_http::Request {
    lambda_http::request::from_str(event).expect("event is an API Gateway payload")
}

/// The named header map of the event, emptied of any Authorization entry.
fn header_object<'a>(event: &'a mut Map<String, Value>, key: &str) -> &'a mut Map<String, Value> {
    let headers = event
        .entry(key)
        .or_insert_with(|| Value::Object(Map::new()));
    if headers.is_null() {
        *headers = Value::Object(Map::new());
    }
    let headers = headers.as_object_mut().expect("headers are an object");
    headers.retain(|name, _| !name.eq_ignore_ascii_case("authorization"));
    headers
}

/// The JSON body of a handler's response.
pub fn body_json(response: &lambda_http::Response<lambda_http::Body>) -> Value {
    match response.body() {
        lambda_http::Body::Text(text) => serde_json::from_str(text)
            .unwrap_or_else(|e| panic!("response body is not JSON ({e}): {text}")),
        other => panic!("expected a text body, got {other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn http_api_events_carry_one_lower_case_header_with_duplicates_comma_joined() {
        let fixture = json!({"version": "2.0", "headers": {"Authorization": "old", "host": "h"}});
        let event: Value =
            serde_json::from_str(&with_authorization(&fixture.to_string(), &["a", "b"])).unwrap();
        assert_eq!(
            event["headers"],
            json!({"authorization": "a,b", "host": "h"})
        );

        let event: Value =
            serde_json::from_str(&with_authorization(&fixture.to_string(), &[])).unwrap();
        assert_eq!(event["headers"], json!({"host": "h"}));
    }

    #[test]
    fn rest_api_events_carry_the_last_value_and_every_value_in_multi_value_headers() {
        let fixture = json!({
            "httpMethod": "GET",
            "headers": {"authorization": "old"},
            "multiValueHeaders": {"Authorization": ["old"]},
        });
        let event: Value =
            serde_json::from_str(&with_authorization(&fixture.to_string(), &["a", "b"])).unwrap();
        assert_eq!(event["headers"], json!({"Authorization": "b"}));
        assert_eq!(
            event["multiValueHeaders"],
            json!({"Authorization": ["a", "b"]})
        );

        let event: Value =
            serde_json::from_str(&with_authorization(&fixture.to_string(), &[])).unwrap();
        assert_eq!(event["headers"], json!({}));
        assert_eq!(event["multiValueHeaders"], json!({}));
    }
}
