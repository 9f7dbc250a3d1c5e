//! Session validation: header → token shape → key by kid → signature → claim rules.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::HeaderMap;

use crate::bearer::{bearer_token, check_token_shape};
use crate::cache::{KeyCache, KeyFetch, Lookup};
use crate::claims::{LEEWAY_SECS, RawClaims, unverified_issued_at};
use crate::clock::{Clock, SystemClock};
use crate::config::{Config, ConfigError};
use crate::error::{AuthError, TokenRejection};
use crate::fetch::{HttpKeyFetcher, KeyFetcher};
use crate::jose::{is_json_object, parse_header};
use crate::session::Session;

/// Validates Descope session tokens for one project. Build it once per cold start and share it:
/// it owns the key cache.
pub struct SessionValidator<F: KeyFetcher = HttpKeyFetcher, C: Clock = SystemClock> {
    project_id: String,
    keys: KeyCache<F, C>,
}

impl SessionValidator {
    /// The production validator: keys over HTTP from [`Config::jwks_url`], the system clock.
    pub fn from_config(config: &Config) -> Result<Self, ConfigError> {
        let fetcher = HttpKeyFetcher::new(config.jwks_url())?;
        Ok(Self::new(config.project_id.clone(), fetcher, SystemClock))
    }
}

impl<F: KeyFetcher, C: Clock> SessionValidator<F, C> {
    pub fn new(project_id: impl Into<String>, fetcher: F, clock: C) -> Self {
        SessionValidator {
            project_id: project_id.into(),
            keys: KeyCache::new(fetcher, clock),
        }
    }

    /// Starts fetching the signing keys without waiting for a request, unless the cache holds
    /// keys that are not yet due for a refresh or a failed fetch less than 5 s ago holds fetches
    /// back; joins the fetch in flight if there is one. The fetch runs as a task of its own on
    /// the current Tokio runtime: call this from inside one (a runtime's `enter` guard will do).
    /// Await the result to wait for the fetch; drop it to let the fetch run on alone. A request
    /// that arrives meanwhile waits for this fetch instead of starting another.
    pub fn prefetch_keys(&self) -> KeyFetch {
        self.keys.prefetch()
    }

    /// Validates the bearer token of the request's only `Authorization` header.
    pub async fn validate_headers(&self, headers: &HeaderMap) -> Result<Session, AuthError> {
        let outcome = match bearer_token(headers) {
            Ok(token) => self.judge(token).await,
            Err(rejection) => Err(TokenRejection::from(rejection).into()),
        };
        log_outcome(outcome)
    }

    /// Validates a bare token (the part after `Bearer `).
    pub async fn validate_token(&self, token: &str) -> Result<Session, AuthError> {
        log_outcome(self.judge(token).await)
    }

    async fn judge(&self, token: &str) -> Result<Session, AuthError> {
        check_token_shape(token).map_err(TokenRejection::from)?;
        // The shape check guarantees three non-empty segments.
        let (signed, signature) = token.rsplit_once('.').unwrap_or_default();
        let (header, payload) = signed.split_once('.').unwrap_or_default();
        let header = parse_header(header)
            .map_err(|error| TokenRejection::UnreadableHeader(error.to_string()))?;
        let kid = header.kid.ok_or(TokenRejection::MissingKid)?;
        let key = match self.keys.key_for(&kid).await {
            Lookup::Found(key) => key,
            Lookup::UnknownKid {
                keys_fetched_at,
                refetch_in,
            } => {
                let now = self.keys.clock().now();
                return Err(unknown_kid(payload, keys_fetched_at, refetch_in, now));
            }
            Lookup::Unavailable { reason, retry_in } => {
                return Err(AuthError::KeysUnavailable {
                    reason,
                    retry_after: retry_in,
                });
            }
        };
        // The key decides the algorithm; a token naming another one is refused outright.
        if header.algorithm != key.algorithm {
            return Err(TokenRejection::AlgorithmMismatch {
                token: format!("{:?}", header.algorithm),
                key: format!("{:?}", key.algorithm),
            }
            .into());
        }
        match jsonwebtoken::crypto::verify(
            signature,
            signed.as_bytes(),
            &key.decoding_key,
            key.algorithm,
        ) {
            Ok(true) => {}
            Ok(false) => return Err(TokenRejection::BadSignature.into()),
            Err(error) => {
                return Err(
                    TokenRejection::Undecodable(format!("signature: {:?}", error.kind())).into(),
                );
            }
        }
        let payload = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| TokenRejection::Undecodable("payload is not base64url".to_owned()))?;
        if !is_json_object(&payload) {
            return Err(
                TokenRejection::Undecodable("payload is not a JSON object".to_owned()).into(),
            );
        }
        let claims: RawClaims = serde_json::from_slice(&payload).map_err(|error| {
            TokenRejection::Undecodable(format!("payload is not a claims object: {error}"))
        })?;
        let session = claims
            .validate(&self.project_id, self.keys.clock().unix_now())
            .map_err(TokenRejection::from)?;
        Ok(session)
    }
}

/// A kid the cache does not hold. If no refetch looked for it and the token may have been issued
/// after the keys were fetched (less than the leeway before their fetch, or later), a key newer
/// than the cache may have signed it: 503, so the client retries rather than signs the user out.
/// Otherwise the key is not Descope's: 401. So is a token that claims to be issued beyond the
/// leeway in the future: its claims would refuse it whatever key signed it.
fn unknown_kid(
    payload: &str,
    keys_fetched_at: SystemTime,
    refetch_in: Option<Duration>,
    now: SystemTime,
) -> AuthError {
    let Some(refetch_in) = refetch_in else {
        return TokenRejection::UnknownKid.into();
    };
    let issued_at = unverified_issued_at(payload)
        .and_then(|iat| UNIX_EPOCH.checked_add(Duration::from_secs(iat)));
    let leeway = Duration::from_secs(LEEWAY_SECS);
    let keys_may_predate_the_token = issued_at.is_some_and(|issued_at| {
        let settled = issued_at.checked_add(leeway);
        let issued_in_the_past = now
            .checked_add(leeway)
            .is_some_and(|latest| issued_at <= latest);
        issued_in_the_past && settled.is_none_or(|settled| keys_fetched_at < settled)
    });
    if keys_may_predate_the_token {
        AuthError::KidNotYetFetched {
            retry_after: refetch_in,
        }
    } else {
        TokenRejection::UnknownKid.into()
    }
}

// Lambda handlers run on a multi-threaded runtime: the validation futures must be Send.
const _: () = {
    fn assert_send<T: Send>(_: T) {}
    #[allow(dead_code)]
    fn validation_futures_are_send(validator: &SessionValidator, headers: &HeaderMap) {
        assert_send(validator.validate_headers(headers));
        assert_send(validator.validate_token(""));
    }
};

/// The reason goes to the log; the token, the headers and the claims never do.
fn log_outcome(outcome: Result<Session, AuthError>) -> Result<Session, AuthError> {
    match &outcome {
        Ok(_) => tracing::debug!("session token accepted"),
        Err(error @ AuthError::InvalidToken(_)) => {
            tracing::info!(reason = %error, "session token rejected");
        }
        Err(error @ AuthError::KeysUnavailable { .. }) => {
            tracing::warn!(reason = %error, "session token not judged: signing keys unavailable");
        }
        Err(error @ AuthError::KidNotYetFetched { .. }) => {
            tracing::info!(reason = %error, "session token not judged: its key may be newer than the cached keys");
        }
    }
    outcome
}
