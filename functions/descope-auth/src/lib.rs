//! Validation of Descope session tokens for AWS Lambda functions.
//!
//! Build one [`SessionValidator`] per cold start (it owns the key cache) and share it across
//! invocations; start its first key fetch during init with
//! [`SessionValidator::prefetch_keys`]; map every [`AuthError`] to its response with
//! [`AuthError::to_response`].

mod bearer;
mod cache;
mod claims;
mod clock;
mod config;
mod error;
mod fetch;
mod jose;
mod jwks;
mod key_material;
mod session;
mod validator;

pub use bearer::{HeaderError, MAX_TOKEN_BYTES};
pub use cache::KeyFetch;
pub use claims::{ClaimsError, LEEWAY_SECS};
pub use clock::{Clock, SystemClock};
pub use config::{Config, ConfigError};
pub use error::{
    AuthError, INVALID_TOKEN_MESSAGE, KEYS_UNAVAILABLE_MESSAGE, TokenRejection, json_response,
};
pub use fetch::{FETCH_TIMEOUT, FetchError, HttpKeyFetcher, KeyFetcher, MAX_JWKS_BYTES};
pub use jwks::JwksError;
pub use session::Session;
pub use validator::SessionValidator;
