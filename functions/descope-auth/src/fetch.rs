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
            // The roots compiled in: no certificate store read at cold start (see function_base::tls).
            .tls_backend_preconfigured(
                function_base::tls::client_config()
                    .map_err(|error| ConfigError::HttpClient(error.to_string()))?,
            )
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
}
