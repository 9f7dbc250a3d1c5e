//! Fetching the raw key set: behind a trait so tests and other transports can stand in.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use reqwest::{Client, StatusCode, redirect};

use crate::config::ConfigError;

/// Largest key set accepted; Descope's holds a handful of keys of well under 1 KiB each.
pub const MAX_JWKS_BYTES: usize = 256 * 1024;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// Well inside any Lambda timeout, so a hanging key server costs one bounded wait, not a retry
/// loop that outlives the invocation. The key cache holds every fetcher to it too.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(3);

/// Why the key set could not be fetched.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum FetchError {
    #[error("key server answered HTTP {0}")]
    Status(u16),
    #[error("key server did not answer within the timeout")]
    Timeout,
    #[error("key server unreachable: {0}")]
    Transport(String),
    #[error("key set is larger than {MAX_JWKS_BYTES} bytes")]
    TooLarge,
}

/// Fetches the raw JWKS body. One attempt per call: the key cache decides when to call again.
/// An attempt must end (with keys or an error) within the 3 s [`HttpKeyFetcher`] allows itself:
/// requests may be waiting for it, and the key cache takes a fetch still running well past that
/// time for one that a freeze of the environment cut off.
pub trait KeyFetcher: Send + Sync + 'static {
    fn fetch(&self) -> impl Future<Output = Result<Vec<u8>, FetchError>> + Send;
}

impl<F: KeyFetcher> KeyFetcher for Arc<F> {
    fn fetch(&self) -> impl Future<Output = Result<Vec<u8>, FetchError>> + Send {
        (**self).fetch()
    }
}

/// Fetches over HTTP(S) with one client built at cold start.
#[derive(Debug, Clone)]
pub struct HttpKeyFetcher {
    client: Client,
    url: String,
}

impl HttpKeyFetcher {
    /// A fetcher for `url` (see [`crate::Config::jwks_url`]): connect ≤ 1 s, whole exchange
    /// ≤ 3 s, no redirects, no proxy, body ≤ [`MAX_JWKS_BYTES`].
    pub fn new(url: impl Into<String>) -> Result<Self, ConfigError> {
        let client = Client::builder()
            .tls_backend_preconfigured(tls_config()?)
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(FETCH_TIMEOUT)
            .redirect(redirect::Policy::none())
            // A fetch every 9 minutes or so gains nothing from a kept-alive connection, and after
            // a freeze of the environment a kept one may be dead without the client knowing:
            // the fetch that must refresh stale keys would fail on it. Each fetch connects anew.
            .pool_max_idle_per_host(0)
            // Proxy variables in the environment must not reroute the fetch: whoever runs the
            // proxy could serve keys of their own.
            .no_proxy()
            .build()
            .map_err(|error| ConfigError::HttpClient(error.to_string()))?;
        Ok(HttpKeyFetcher {
            client,
            url: url.into(),
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }
}

impl KeyFetcher for HttpKeyFetcher {
    async fn fetch(&self) -> Result<Vec<u8>, FetchError> {
        let mut response = self
            .client
            .get(&self.url)
            .send()
            .await
            .map_err(transport_error)?;
        if response.status() != StatusCode::OK {
            return Err(FetchError::Status(response.status().as_u16()));
        }
        if response
            .content_length()
            .is_some_and(|length| length > MAX_JWKS_BYTES as u64)
        {
            return Err(FetchError::TooLarge);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
            if body.len() + chunk.len() > MAX_JWKS_BYTES {
                return Err(FetchError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

/// TLS for the key fetch, trusting the Mozilla root set compiled into the binary.
///
/// Why not the system store: reqwest's own rustls setup goes through rustls-platform-verifier,
/// which on Linux reads `/etc/ssl/certs` (the bundle, then every file in the folder) and parses
/// each certificate while the client is built. In Lambda that client is built on every cold start,
/// and that work costs several times a no-op function's whole init (figures in the README's
/// Performance section). The key server is
/// Descope's API, a public-CA host the Mozilla set covers; `webpki-roots` ships those roots
/// already parsed into trust anchors, so building the store is a copy with no file or parse work.
/// The costs: the roots update with this crate's dependencies (`cargo update -p webpki-roots`),
/// not with the Lambda image, and an https `DESCOPE_BASE_URI` behind a private CA is not trusted.
/// Both of reqwest 0.13's rustls features still compile the platform verifier in; with a
/// preconfigured config it is never run.
fn tls_config() -> Result<rustls::ClientConfig, ConfigError> {
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|error| ConfigError::HttpClient(error.to_string()))?
    .with_root_certificates(compiled_in_roots())
    .with_no_client_auth();
    // What reqwest offers itself when HTTP/2 is not compiled in (this workspace leaves it out).
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

fn compiled_in_roots() -> rustls::RootCertStore {
    rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    }
}

fn transport_error(error: reqwest::Error) -> FetchError {
    if error.is_timeout() {
        FetchError::Timeout
    } else {
        // The URL is configuration, not a secret; reqwest's message names it, which helps.
        FetchError::Transport(error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_builds_with_the_compiled_in_tls_config() {
        // reqwest takes the preconfigured config only when it is its own rustls version's type;
        // a mismatch after an update would surface here as a build error, not at the first fetch.
        let fetcher = HttpKeyFetcher::new("https://api.descope.com/v2/keys/P2LocalStandInProject")
            .expect("the client builds");
        assert_eq!(
            fetcher.url(),
            "https://api.descope.com/v2/keys/P2LocalStandInProject"
        );
    }

    #[test]
    fn the_tls_config_trusts_the_mozilla_roots_with_aws_lc_rs() {
        let roots = compiled_in_roots();
        assert_eq!(roots.len(), webpki_roots::TLS_SERVER_ROOTS.len());
        // Mozilla's program holds well over a hundred roots; a handful would mean a wrong set.
        assert!(roots.len() > 100, "only {} roots", roots.len());

        let config = tls_config().expect("TLS config");
        let aws_lc_rs = rustls::crypto::aws_lc_rs::default_provider();
        assert_eq!(
            config.crypto_provider().cipher_suites,
            aws_lc_rs.cipher_suites
        );
        assert_eq!(config.alpn_protocols, vec![b"http/1.1".to_vec()]);
        assert!(config.enable_sni);
    }
}
