//! Claim rules applied after the signature verified.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::jose::is_json_object;
use crate::session::{Session, TenantGrants};

/// Clock skew tolerated on `exp`, `nbf` and `iat`, as Descope's SDKs allow.
pub const LEEWAY_SECS: u64 = 5;

/// Which claim rule a verified token broke. Carries no claim values: they are the user's data.
#[derive(Debug, Clone, Copy, thiserror::Error, PartialEq, Eq)]
pub enum ClaimsError {
    #[error("claim exp is missing")]
    MissingExpiry,
    #[error("claim {0} is not a non-negative number")]
    NotANumericDate(&'static str),
    #[error("token expired {seconds_ago} s ago")]
    Expired { seconds_ago: u64 },
    #[error("token is not valid for another {seconds} s (nbf)")]
    NotYetValid { seconds: u64 },
    #[error("token was issued {seconds} s in the future (iat)")]
    IssuedInFuture { seconds: u64 },
    #[error("claim iss is missing or not a string")]
    MissingIssuer,
    #[error("claim iss does not name this project")]
    WrongIssuer,
    #[error("claim aud does not name this project")]
    WrongAudience,
    #[error("claim sub is missing or not a non-empty string")]
    MissingSubject,
    #[error("token is a refresh token (drn DSR), not a session token")]
    RefreshToken,
    #[error("claim drn is not a string")]
    MalformedDrn,
    #[error("claim {0} is not a list of strings")]
    NotAListOfStrings(&'static str),
    #[error("claim tenants is not an object of objects")]
    MalformedTenants,
}

/// The claims read from a verified token, each kept as JSON until its rule has looked at it,
/// so that a wrong type is a named rejection rather than a parse error. A claim given as
/// `null` counts as present (and wrong): absent and null are not the same promise.
#[derive(Debug, Deserialize)]
pub(crate) struct RawClaims {
    #[serde(default, deserialize_with = "present")]
    exp: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    nbf: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    iat: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    iss: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    sub: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    aud: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    drn: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    roles: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    permissions: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    tenants: Option<Value>,
}

fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

impl RawClaims {
    /// Applies every claim rule at `now` (Unix seconds) for `project_id`.
    pub(crate) fn validate(self, project_id: &str, now: u64) -> Result<Session, ClaimsError> {
        let exp = numeric_date("exp", self.exp.as_ref())?.ok_or(ClaimsError::MissingExpiry)?;
        if exp.saturating_add(LEEWAY_SECS) <= now {
            return Err(ClaimsError::Expired {
                seconds_ago: now - exp,
            });
        }
        let latest_start = now.saturating_add(LEEWAY_SECS);
        if let Some(nbf) = numeric_date("nbf", self.nbf.as_ref())?
            && nbf > latest_start
        {
            return Err(ClaimsError::NotYetValid { seconds: nbf - now });
        }
        if let Some(iat) = numeric_date("iat", self.iat.as_ref())?
            && iat > latest_start
        {
            return Err(ClaimsError::IssuedInFuture { seconds: iat - now });
        }

        let issuer = match self.iss {
            Some(Value::String(issuer)) => issuer,
            _ => return Err(ClaimsError::MissingIssuer),
        };
        if !issuer_names_project(&issuer, project_id) {
            return Err(ClaimsError::WrongIssuer);
        }
        if let Some(audience) = &self.aud
            && !audience_names_project(audience, project_id)
        {
            return Err(ClaimsError::WrongAudience);
        }
        match &self.drn {
            None => {}
            Some(Value::String(drn)) if drn == "DSR" => return Err(ClaimsError::RefreshToken),
            Some(Value::String(_)) => {}
            Some(_) => return Err(ClaimsError::MalformedDrn),
        }
        let subject = match self.sub {
            Some(Value::String(subject)) if !subject.is_empty() => subject,
            _ => return Err(ClaimsError::MissingSubject),
        };

        Ok(Session {
            subject,
            issuer,
            expires_at: exp,
            roles: string_list("roles", self.roles)?,
            permissions: string_list("permissions", self.permissions)?,
            tenants: tenants(self.tenants)?,
        })
    }
}

/// The `iat` of a token whose signature has not been checked: it may only choose between two
/// refusals, never grant anything. `None` if the payload or its `iat` cannot be read.
pub(crate) fn unverified_issued_at(payload: &str) -> Option<u64> {
    #[derive(Deserialize)]
    struct IssuedAt {
        #[serde(default)]
        iat: Option<Value>,
    }
    let json = URL_SAFE_NO_PAD.decode(payload).ok()?;
    if !is_json_object(&json) {
        return None;
    }
    let claims: IssuedAt = serde_json::from_slice(&json).ok()?;
    numeric_date("iat", claims.iat.as_ref()).ok().flatten()
}

/// A NumericDate: JSON number of seconds; fractions are dropped, as RFC 7519 allows them.
fn numeric_date(claim: &'static str, value: Option<&Value>) -> Result<Option<u64>, ClaimsError> {
    let Some(value) = value else { return Ok(None) };
    if let Some(seconds) = value.as_u64() {
        return Ok(Some(seconds));
    }
    match value.as_f64() {
        Some(seconds) if seconds.is_finite() && seconds >= 0.0 && value.is_f64() => {
            // Saturating float-to-int conversion: absurdly large dates stay absurdly large.
            Ok(Some(seconds as u64))
        }
        _ => Err(ClaimsError::NotANumericDate(claim)),
    }
}

/// Descope issues `iss` as the project ID or as a URL ending in it (`https://…/{projectId}`).
fn issuer_names_project(issuer: &str, project_id: &str) -> bool {
    issuer.rsplit('/').next() == Some(project_id)
}

fn audience_names_project(audience: &Value, project_id: &str) -> bool {
    match audience {
        Value::String(single) => single == project_id,
        Value::Array(many) => many.iter().any(|entry| entry.as_str() == Some(project_id)),
        _ => false,
    }
}

fn string_list(claim: &'static str, value: Option<Value>) -> Result<Vec<String>, ClaimsError> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let Value::Array(entries) = value else {
        return Err(ClaimsError::NotAListOfStrings(claim));
    };
    entries
        .into_iter()
        .map(|entry| match entry {
            Value::String(text) => Ok(text),
            _ => Err(ClaimsError::NotAListOfStrings(claim)),
        })
        .collect()
}

fn tenants(value: Option<Value>) -> Result<BTreeMap<String, TenantGrants>, ClaimsError> {
    let Some(value) = value else {
        return Ok(BTreeMap::new());
    };
    let Value::Object(tenants) = value else {
        return Err(ClaimsError::MalformedTenants);
    };
    tenants
        .into_iter()
        .map(|(tenant_id, grants)| {
            let Value::Object(mut grants) = grants else {
                return Err(ClaimsError::MalformedTenants);
            };
            let grants = TenantGrants {
                roles: string_list("tenants.roles", grants.remove("roles"))?,
                permissions: string_list("tenants.permissions", grants.remove("permissions"))?,
            };
            Ok((tenant_id, grants))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use test_support::PROJECT_ID as PROJECT;

    const NOW: u64 = 1_800_000_000;

    fn base() -> Value {
        json!({
            "sub": "U1",
            "iss": PROJECT,
            "iat": NOW - 10,
            "exp": NOW + 600,
            "drn": "DS",
            "roles": ["teacher"],
        })
    }

    fn with(changes: Value) -> Value {
        let mut claims = base();
        for (key, value) in changes.as_object().unwrap() {
            claims[key] = value.clone();
        }
        claims
    }

    fn without(key: &str) -> Value {
        let mut claims = base();
        claims.as_object_mut().unwrap().remove(key);
        claims
    }

    fn check(claims: Value) -> Result<Session, ClaimsError> {
        let raw: RawClaims = serde_json::from_value(claims).unwrap();
        raw.validate(PROJECT, NOW)
    }

    #[test]
    fn a_descope_shaped_session_is_accepted() {
        let session = check(base()).unwrap();
        assert_eq!(session.subject(), "U1");
        assert_eq!(session.roles(), ["teacher"]);
        assert_eq!(session.expires_at(), NOW + 600);
    }

    #[test]
    fn exp_is_required_and_numeric() {
        assert_eq!(check(without("exp")), Err(ClaimsError::MissingExpiry));
        assert_eq!(
            check(with(json!({"exp": null}))),
            Err(ClaimsError::NotANumericDate("exp"))
        );
        assert_eq!(
            check(with(json!({"exp": "soon"}))),
            Err(ClaimsError::NotANumericDate("exp"))
        );
        assert_eq!(
            check(with(json!({"exp": -1}))),
            Err(ClaimsError::NotANumericDate("exp"))
        );
        assert!(check(with(json!({"exp": (NOW + 60) as f64 + 0.5}))).is_ok());
    }

    #[test]
    fn expiry_leeway_is_five_seconds() {
        assert!(check(with(json!({"exp": NOW + 1}))).is_ok());
        assert!(check(with(json!({"exp": NOW}))).is_ok());
        assert!(check(with(json!({"exp": NOW - 4}))).is_ok());
        assert_eq!(
            check(with(json!({"exp": NOW - 5}))),
            Err(ClaimsError::Expired { seconds_ago: 5 })
        );
        assert_eq!(
            check(with(json!({"exp": NOW - 3600}))),
            Err(ClaimsError::Expired { seconds_ago: 3600 })
        );
    }

    #[test]
    fn not_before_leeway_is_five_seconds() {
        assert!(check(with(json!({"nbf": NOW + 5}))).is_ok());
        assert_eq!(
            check(with(json!({"nbf": NOW + 6}))),
            Err(ClaimsError::NotYetValid { seconds: 6 })
        );
        assert_eq!(
            check(with(json!({"nbf": "x"}))),
            Err(ClaimsError::NotANumericDate("nbf"))
        );
    }

    #[test]
    fn issued_at_leeway_is_five_seconds() {
        assert!(check(with(json!({"iat": NOW + 5}))).is_ok());
        assert_eq!(
            check(with(json!({"iat": NOW + 6}))),
            Err(ClaimsError::IssuedInFuture { seconds: 6 })
        );
        assert!(check(without("iat")).is_ok());
    }

    #[test]
    fn issuer_must_name_the_project() {
        for good in [
            PROJECT.to_owned(),
            format!("https://api.descope.com/{PROJECT}"),
            format!("https://api.descope.com/v1/apps/{PROJECT}"),
            format!("descope/{PROJECT}"),
        ] {
            assert!(check(with(json!({"iss": good}))).is_ok(), "{good}");
        }
        for bad in [
            "P2Other".to_owned(),
            format!("https://api.descope.com/{PROJECT}/"),
            format!("https://api.descope.com/{PROJECT}x"),
            format!("x{PROJECT}"),
            String::new(),
        ] {
            assert_eq!(
                check(with(json!({"iss": bad}))),
                Err(ClaimsError::WrongIssuer),
                "{bad}"
            );
        }
        assert_eq!(check(without("iss")), Err(ClaimsError::MissingIssuer));
        assert_eq!(
            check(with(json!({"iss": [PROJECT]}))),
            Err(ClaimsError::MissingIssuer)
        );
    }

    #[test]
    fn audience_when_present_must_name_the_project() {
        assert!(check(with(json!({"aud": PROJECT}))).is_ok());
        assert!(check(with(json!({"aud": ["other", PROJECT]}))).is_ok());
        assert_eq!(
            check(with(json!({"aud": "other"}))),
            Err(ClaimsError::WrongAudience)
        );
        assert_eq!(
            check(with(json!({"aud": ["other"]}))),
            Err(ClaimsError::WrongAudience)
        );
        assert_eq!(
            check(with(json!({"aud": []}))),
            Err(ClaimsError::WrongAudience)
        );
        assert_eq!(
            check(with(json!({"aud": 7}))),
            Err(ClaimsError::WrongAudience)
        );
    }

    #[test]
    fn refresh_tokens_are_not_sessions() {
        assert_eq!(
            check(with(json!({"drn": "DSR"}))),
            Err(ClaimsError::RefreshToken)
        );
        assert_eq!(
            check(with(json!({"drn": 1}))),
            Err(ClaimsError::MalformedDrn)
        );
        assert!(check(without("drn")).is_ok());
    }

    #[test]
    fn subject_is_required() {
        assert_eq!(check(without("sub")), Err(ClaimsError::MissingSubject));
        assert_eq!(
            check(with(json!({"sub": ""}))),
            Err(ClaimsError::MissingSubject)
        );
        assert_eq!(
            check(with(json!({"sub": 5}))),
            Err(ClaimsError::MissingSubject)
        );
    }

    #[test]
    fn roles_and_permissions_must_be_lists_of_strings() {
        let roles = ClaimsError::NotAListOfStrings("roles");
        assert_eq!(check(with(json!({"roles": "preteacher"}))), Err(roles));
        assert_eq!(check(with(json!({"roles": "teacher"}))), Err(roles));
        assert_eq!(check(with(json!({"roles": ["teacher", 1]}))), Err(roles));
        assert_eq!(check(with(json!({"roles": {"teacher": true}}))), Err(roles));
        assert_eq!(check(with(json!({"roles": null}))), Err(roles));
        assert_eq!(
            check(with(json!({"permissions": "read"}))),
            Err(ClaimsError::NotAListOfStrings("permissions"))
        );
        let session = check(without("roles")).unwrap();
        assert!(session.roles().is_empty());
        assert!(!session.validate_roles(&["teacher"]));
    }

    #[test]
    fn tenants_are_read_with_the_same_rules() {
        let session = check(with(json!({
            "tenants": {"T1": {"roles": ["admin"], "permissions": ["read"]}, "T2": {}}
        })))
        .unwrap();
        assert!(session.validate_tenant_roles("T1", &["admin"]));
        assert!(session.validate_tenant_permissions("T1", &["read"]));
        assert!(session.validate_tenant_roles("T2", &[]));
        assert!(!session.validate_tenant_roles("T2", &["admin"]));

        assert_eq!(
            check(with(json!({"tenants": {"T1": {"roles": "admin"}}}))),
            Err(ClaimsError::NotAListOfStrings("tenants.roles"))
        );
        assert_eq!(
            check(with(json!({"tenants": {"T1": {"permissions": [1]}}}))),
            Err(ClaimsError::NotAListOfStrings("tenants.permissions"))
        );
        assert_eq!(
            check(with(json!({"tenants": ["T1"]}))),
            Err(ClaimsError::MalformedTenants)
        );
        assert_eq!(
            check(with(json!({"tenants": {"T1": []}}))),
            Err(ClaimsError::MalformedTenants)
        );
    }
}
