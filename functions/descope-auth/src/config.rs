//! Typed configuration read once at cold start.

use std::net::IpAddr;

use reqwest::Url;

const PROJECT_ID_VAR: &str = "DESCOPE_PROJECT_ID";
const BASE_URI_VAR: &str = "DESCOPE_BASE_URI";
const DEFAULT_BASE_URI: &str = "https://api.descope.com";
/// Descope gives project IDs of this length or more a regional API host.
const REGIONAL_PROJECT_ID_LEN: usize = 32;

/// A configuration mistake; the message says which variable to set and how.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error(
        "DESCOPE_PROJECT_ID is not set: set it to your Descope project ID (Project settings in the Descope console)"
    )]
    MissingProjectId,
    #[error(
        "DESCOPE_PROJECT_ID must contain only letters, digits, '-' and '_' (got {length} characters that include others)"
    )]
    InvalidProjectId { length: usize },
    #[error(
        "DESCOPE_BASE_URI must be an http:// or https:// URL without query or fragment, such as https://api.descope.com ({reason})"
    )]
    InvalidBaseUri { reason: String },
    #[error(
        "DESCOPE_BASE_URI must use https:// (got {value}): the signing keys decide who is signed in, so plain http is allowed only for this machine (localhost, 127.0.0.1, [::1]) and host.docker.internal under sam local"
    )]
    InsecureBaseUri { value: String },
    #[error("could not build the HTTP client that fetches Descope's keys: {0}")]
    HttpClient(String),
}

/// Where and for which project session tokens are validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub project_id: String,
    /// Descope API base, without a trailing slash, resolved per the rules in [`Config::new`].
    pub base_uri: String,
}

impl Config {
    /// Reads `DESCOPE_PROJECT_ID` (required) and `DESCOPE_BASE_URI` (optional).
    pub fn from_env() -> Result<Config, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`Config::from_env`], with the environment supplied by `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let project_id = lookup(PROJECT_ID_VAR).unwrap_or_default();
        let base_uri = lookup(BASE_URI_VAR);
        Self::new(&project_id, base_uri.as_deref())
    }

    /// The base URI is `base_uri` when given and non-empty; otherwise, as Descope's SDKs do,
    /// `https://api.{projectId[1..5]}.descope.com` for project IDs of 32 characters or more,
    /// else `https://api.descope.com`.
    pub fn new(project_id: &str, base_uri: Option<&str>) -> Result<Config, ConfigError> {
        let project_id = project_id.trim();
        if project_id.is_empty() {
            return Err(ConfigError::MissingProjectId);
        }
        // The ID becomes a URL path segment and is compared with token claims, so anything
        // beyond Descope's alphabet is a mistake worth stopping the cold start for.
        if !project_id
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
        {
            return Err(ConfigError::InvalidProjectId {
                length: project_id.chars().count(),
            });
        }
        let base_uri = match base_uri.map(str::trim).filter(|value| !value.is_empty()) {
            Some(explicit) => validate_base_uri(explicit)?,
            None => derived_base_uri(project_id),
        };
        Ok(Config {
            project_id: project_id.to_owned(),
            base_uri,
        })
    }

    /// Descope's key set for this project: `{base}/v2/keys/{projectId}`.
    pub fn jwks_url(&self) -> String {
        format!("{}/v2/keys/{}", self.base_uri, self.project_id)
    }
}

fn derived_base_uri(project_id: &str) -> String {
    if project_id.len() >= REGIONAL_PROJECT_ID_LEN {
        // The project ID is ASCII (checked above), so byte offsets are character offsets.
        format!("https://api.{}.descope.com", &project_id[1..5])
    } else {
        DEFAULT_BASE_URI.to_owned()
    }
}

fn validate_base_uri(value: &str) -> Result<String, ConfigError> {
    let invalid = |reason: &str| ConfigError::InvalidBaseUri {
        reason: reason.to_owned(),
    };
    let url = Url::parse(value).map_err(|error| invalid(&error.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("the scheme is not http or https"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("there is no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("it has a query or a fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("it holds credentials"));
    }
    if url.scheme() == "http" && !is_local_development_host(&url) {
        return Err(ConfigError::InsecureBaseUri {
            value: value.to_owned(),
        });
    }
    Ok(value.trim_end_matches('/').to_owned())
}

/// Hosts plain http may reach: this machine, and the host as `sam local`'s containers see it.
/// Anywhere else, whoever sits on the network path could serve keys and mint sessions.
fn is_local_development_host(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    // IPv6 hosts come bracketed; the URL parser lowercases domain names.
    let unbracketed = host.trim_start_matches('[').trim_end_matches(']');
    match unbracketed.parse::<IpAddr>() {
        Ok(address) => address.is_loopback(),
        Err(_) => host == "localhost" || host == "host.docker.internal",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(project_id: &str, base_uri: Option<&str>) -> Result<Config, ConfigError> {
        Config::new(project_id, base_uri)
    }

    #[test]
    fn short_project_id_uses_the_global_host() {
        let config = config(test_support::PROJECT_ID, None).unwrap();
        assert_eq!(config.base_uri, "https://api.descope.com");
        assert_eq!(
            config.jwks_url(),
            "https://api.descope.com/v2/keys/P2TestProject"
        );
    }

    #[test]
    fn project_id_of_32_characters_uses_the_regional_host() {
        let project_id = "Puse12aAbCdEfGhIjKlMnOpQrStUvWxY";
        assert_eq!(project_id.len(), 32);
        let config = config(project_id, None).unwrap();
        assert_eq!(config.base_uri, "https://api.use1.descope.com");
        assert_eq!(
            config.jwks_url(),
            format!("https://api.use1.descope.com/v2/keys/{project_id}")
        );
    }

    #[test]
    fn project_id_of_31_characters_uses_the_global_host() {
        let project_id = "Puse12aAbCdEfGhIjKlMnOpQrStUvWx";
        assert_eq!(project_id.len(), 31);
        assert_eq!(
            config(project_id, None).unwrap().base_uri,
            "https://api.descope.com"
        );
    }

    #[test]
    fn explicit_base_uri_wins_over_the_regional_rule_and_loses_its_trailing_slash() {
        let config = config(
            "Puse12aAbCdEfGhIjKlMnOpQrStUvWxY",
            Some("http://127.0.0.1:8787/"),
        )
        .unwrap();
        assert_eq!(config.base_uri, "http://127.0.0.1:8787");
        assert_eq!(
            config.jwks_url(),
            "http://127.0.0.1:8787/v2/keys/Puse12aAbCdEfGhIjKlMnOpQrStUvWxY"
        );
    }

    #[test]
    fn explicit_base_uri_keeps_its_path() {
        let config = config("P2x", Some("https://auth.example.com/descope")).unwrap();
        assert_eq!(
            config.jwks_url(),
            "https://auth.example.com/descope/v2/keys/P2x"
        );
    }

    #[test]
    fn empty_base_uri_means_unset() {
        assert_eq!(
            config("P2x", Some("  ")).unwrap().base_uri,
            "https://api.descope.com"
        );
    }

    #[test]
    fn invalid_base_uris_are_rejected_with_the_variable_name() {
        for bad in [
            "api.descope.com",
            "ftp://api.descope.com",
            "https://",
            "https://api.descope.com/?x=1",
            "https://api.descope.com/#x",
            "https://user:pw@api.descope.com",
            "not a url",
        ] {
            let error = config("P2x", Some(bad)).unwrap_err();
            assert!(
                matches!(error, ConfigError::InvalidBaseUri { .. }),
                "{bad}: {error:?}"
            );
            assert!(error.to_string().contains("DESCOPE_BASE_URI"), "{bad}");
        }
    }

    #[test]
    fn plain_http_is_refused_for_any_host_but_this_machine_and_docker_s_host() {
        for remote in [
            "http://api.descope.com",
            "http://auth.example.com:8787",
            "http://10.0.0.5",
            "http://172.17.0.1:8787",
            "http://localhost.example.com",
            "http://127.0.0.1.nip.io",
        ] {
            let error = config("P2x", Some(remote)).unwrap_err();
            assert!(
                matches!(error, ConfigError::InsecureBaseUri { .. }),
                "{remote}: {error:?}"
            );
            let message = error.to_string();
            assert!(message.contains("DESCOPE_BASE_URI"), "{message}");
            assert!(message.contains("https://"), "{message}");
        }
        for local in [
            "http://127.0.0.1:8787",
            "http://127.1.2.3",
            "http://localhost:8787",
            "http://LOCALHOST",
            "http://[::1]:8787",
            "http://host.docker.internal:8787",
            "https://auth.example.com",
        ] {
            assert!(config("P2x", Some(local)).is_ok(), "{local}");
        }
    }

    #[test]
    fn missing_or_blank_project_id_names_the_variable() {
        for blank in ["", "   "] {
            let error = config(blank, None).unwrap_err();
            assert_eq!(error, ConfigError::MissingProjectId);
            assert!(error.to_string().contains("DESCOPE_PROJECT_ID"));
        }
        let error = Config::from_lookup(|_| None).unwrap_err();
        assert!(error.to_string().contains("DESCOPE_PROJECT_ID"));
    }

    #[test]
    fn project_id_with_path_characters_is_rejected() {
        for bad in ["P2/../x", "P2 x", "P2?x=1", "P2é"] {
            let error = config(bad, None).unwrap_err();
            assert!(
                matches!(error, ConfigError::InvalidProjectId { .. }),
                "{bad}"
            );
            assert!(error.to_string().contains("DESCOPE_PROJECT_ID"));
        }
    }

    #[test]
    fn from_lookup_reads_both_variables() {
        let config = Config::from_lookup(|name| match name {
            "DESCOPE_PROJECT_ID" => Some(test_support::PROJECT_ID.into()),
            "DESCOPE_BASE_URI" => Some("http://127.0.0.1:8787".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(
            config.jwks_url(),
            "http://127.0.0.1:8787/v2/keys/P2TestProject"
        );
    }
}
