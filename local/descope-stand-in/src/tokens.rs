//! Session and refresh tokens shaped like Descope's, and the revocation list logout feeds.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::errors::ApiError;
use crate::keys::{SigningKey, hex};
use crate::users::{self, DemoUser};

/// Descope's `drn` claim: which kind of token this is.
pub const SESSION_DRN: &str = "DS";
pub const REFRESH_DRN: &str = "DSR";

/// Descope allows this much clock skew when it checks a token's times.
const LEEWAY_SECS: u64 = 5;

/// How long ago an expired test session expired: far beyond any validator's clock-skew leeway
/// (Descope's and the backend's are seconds), so no leeway can make it valid again.
pub const EXPIRED_SESSION_AGE_SECS: u64 = 600;

/// Claims of a session token, in the shape of a Descope session JWT.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SessionClaims {
    pub amr: Vec<String>,
    pub drn: String,
    pub exp: u64,
    pub iat: u64,
    pub iss: String,
    pub sub: String,
    pub roles: Vec<String>,
    pub permissions: Vec<String>,
    pub tenants: serde_json::Map<String, serde_json::Value>,
}

/// Claims of a refresh token. `jti` names it on the revocation list.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RefreshClaims {
    pub drn: String,
    pub exp: u64,
    pub iat: u64,
    pub iss: String,
    pub sub: String,
    pub jti: String,
}

pub struct Session {
    pub user: &'static DemoUser,
    pub session_jwt: String,
    pub session_claims: SessionClaims,
    pub refresh_jwt: String,
    pub refresh_exp: u64,
}

pub struct TokenIssuer {
    key: Arc<SigningKey>,
    issuer: String,
    session_ttl: Duration,
    refresh_ttl: Duration,
    /// Revoked refresh-token IDs and when each token would have expired anyway.
    revoked: Mutex<HashMap<String, u64>>,
}

impl TokenIssuer {
    pub fn new(
        key: Arc<SigningKey>,
        project_id: &str,
        session_ttl: Duration,
        refresh_ttl: Duration,
    ) -> Self {
        TokenIssuer {
            key,
            // Descope's issuer form: a URL whose last path segment is the project ID.
            issuer: format!("https://api.descope.com/{project_id}"),
            session_ttl,
            refresh_ttl,
            revoked: Mutex::new(HashMap::new()),
        }
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// A new session and refresh token pair, as after a sign-in.
    pub fn sign_in(&self, user: &'static DemoUser, now: u64) -> Result<Session, TokenError> {
        let refresh_claims = RefreshClaims {
            drn: REFRESH_DRN.to_owned(),
            exp: now + self.refresh_ttl.as_secs(),
            iat: now,
            iss: self.issuer.clone(),
            sub: user.user_id.to_owned(),
            jti: random_id()?,
        };
        let refresh_jwt = self.sign(&refresh_claims)?;
        self.session_for(user, refresh_jwt, refresh_claims.exp, now)
    }

    /// A new session token for a refresh token the caller has already verified. The refresh
    /// token is not rotated, as in a Descope project with rotation off.
    pub fn refresh(&self, refresh: &VerifiedRefresh, now: u64) -> Result<Session, TokenError> {
        self.session_for(refresh.user, refresh.token.clone(), refresh.claims.exp, now)
    }

    /// A session token for `user` that expired `EXPIRED_SESSION_AGE_SECS` ago, signed with the
    /// current key, so a test can show that a validator refuses an expired session without
    /// waiting for one to expire. No refresh token comes with it.
    pub fn expired_session(&self, user: &'static DemoUser, now: u64) -> Result<String, TokenError> {
        let exp = now.saturating_sub(EXPIRED_SESSION_AGE_SECS);
        let issued = exp.saturating_sub(self.session_ttl.as_secs());
        self.sign(&self.session_claims(user, issued, exp))
    }

    fn session_claims(&self, user: &DemoUser, iat: u64, exp: u64) -> SessionClaims {
        SessionClaims {
            amr: vec!["pwd".to_owned()],
            drn: SESSION_DRN.to_owned(),
            exp,
            iat,
            iss: self.issuer.clone(),
            sub: user.user_id.to_owned(),
            roles: user.roles(),
            permissions: Vec::new(),
            tenants: serde_json::Map::new(),
        }
    }

    fn session_for(
        &self,
        user: &'static DemoUser,
        refresh_jwt: String,
        refresh_exp: u64,
        now: u64,
    ) -> Result<Session, TokenError> {
        // A session never outlives the refresh token it came from.
        let exp = (now + self.session_ttl.as_secs()).min(refresh_exp);
        let session_claims = self.session_claims(user, now, exp);
        let session_jwt = self.sign(&session_claims)?;
        Ok(Session {
            user,
            session_jwt,
            session_claims,
            refresh_jwt,
            refresh_exp,
        })
    }

    fn sign(&self, claims: &impl Serialize) -> Result<String, TokenError> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.key.kid().to_owned());
        jsonwebtoken::encode(&header, claims, self.key.encoding()).map_err(|_| TokenError)
    }

    /// Checks a refresh token: this run's key, RS256, this issuer, `drn` = `DSR`, unexpired at
    /// `now` (with Descope's leeway), not revoked, for a known user.
    pub fn verify_refresh(&self, token: &str, now: u64) -> Result<VerifiedRefresh, ApiError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| ApiError::Unauthorized)?;
        if header.alg != Algorithm::RS256 || header.kid.as_deref() != Some(self.key.kid()) {
            return Err(ApiError::Unauthorized);
        }
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[&self.issuer]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        // Expiry is checked below against the injected clock.
        validation.validate_exp = false;
        let claims = jsonwebtoken::decode::<RefreshClaims>(token, self.key.decoding(), &validation)
            .map_err(|_| ApiError::Unauthorized)?
            .claims;
        if claims.drn != REFRESH_DRN || claims.exp + LEEWAY_SECS < now {
            return Err(ApiError::Unauthorized);
        }
        if self.lock_revoked().contains_key(&claims.jti) {
            return Err(ApiError::Unauthorized);
        }
        let user = users::find_by_id(&claims.sub).ok_or(ApiError::Unauthorized)?;
        Ok(VerifiedRefresh {
            user,
            claims,
            token: token.to_owned(),
        })
    }

    /// Puts a refresh token on the revocation list; entries leave it once the token has expired.
    pub fn revoke(&self, refresh: &VerifiedRefresh, now: u64) {
        let mut revoked = self.lock_revoked();
        revoked.retain(|_, exp| *exp + LEEWAY_SECS >= now);
        revoked.insert(refresh.claims.jti.clone(), refresh.claims.exp);
    }

    fn lock_revoked(&self) -> std::sync::MutexGuard<'_, HashMap<String, u64>> {
        // The map holds plain data, so a panic elsewhere cannot leave it half-updated.
        self.revoked
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

pub struct VerifiedRefresh {
    pub user: &'static DemoUser,
    pub claims: RefreshClaims,
    token: String,
}

#[derive(Debug, thiserror::Error)]
#[error("token signing failed")]
pub struct TokenError;

pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or(0)
}

fn random_id() -> Result<String, TokenError> {
    let mut bytes = [0u8; 16];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| TokenError)?;
    Ok(hex(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::users::DEMO_USERS;

    const NOW: u64 = 1_800_000_000;

    fn issuer() -> TokenIssuer {
        TokenIssuer::new(
            Arc::new(SigningKey::generate().unwrap()),
            "P2LocalStandInProject",
            Duration::from_secs(600),
            Duration::from_secs(3600),
        )
    }

    fn payload(issuer: &TokenIssuer, token: &str) -> serde_json::Value {
        let mut validation = Validation::new(Algorithm::RS256);
        validation.validate_exp = false;
        jsonwebtoken::decode::<serde_json::Value>(token, issuer.key.decoding(), &validation)
            .unwrap()
            .claims
    }

    #[test]
    fn session_and_refresh_tokens_carry_descope_claims() {
        let issuer = issuer();
        let session = issuer.sign_in(&DEMO_USERS[2], NOW).unwrap();

        let claims = payload(&issuer, &session.session_jwt);
        assert_eq!(claims["drn"], "DS");
        assert_eq!(
            claims["iss"],
            "https://api.descope.com/P2LocalStandInProject"
        );
        assert_eq!(claims["sub"], "U2LocalBoth");
        assert_eq!(claims["iat"], NOW);
        assert_eq!(claims["exp"], NOW + 600);
        assert_eq!(claims["roles"], serde_json::json!(["teacher", "student"]));
        assert_eq!(claims["permissions"], serde_json::json!([]));
        assert_eq!(claims["tenants"], serde_json::json!({}));

        let refresh = payload(&issuer, &session.refresh_jwt);
        assert_eq!(refresh["drn"], "DSR");
        assert_eq!(refresh["exp"], NOW + 3600);
        assert_eq!(session.refresh_exp, NOW + 3600);
    }

    #[test]
    fn refresh_tokens_verify_until_expired_or_revoked() {
        let issuer = issuer();
        let session = issuer.sign_in(&DEMO_USERS[0], NOW).unwrap();

        let verified = issuer
            .verify_refresh(&session.refresh_jwt, NOW + 10)
            .unwrap();
        assert_eq!(verified.user.user_id, "U2LocalTeacher");
        assert!(
            issuer
                .verify_refresh(&session.refresh_jwt, NOW + 3600 + LEEWAY_SECS)
                .is_ok()
        );
        assert_eq!(
            issuer
                .verify_refresh(&session.refresh_jwt, NOW + 3600 + LEEWAY_SECS + 1)
                .err(),
            Some(ApiError::Unauthorized)
        );

        issuer.revoke(&verified, NOW + 20);
        assert_eq!(
            issuer.verify_refresh(&session.refresh_jwt, NOW + 30).err(),
            Some(ApiError::Unauthorized)
        );
        let other = issuer.sign_in(&DEMO_USERS[0], NOW).unwrap();
        assert!(issuer.verify_refresh(&other.refresh_jwt, NOW + 30).is_ok());
    }

    #[test]
    fn session_tokens_and_foreign_tokens_are_not_refresh_tokens() {
        let issuer = issuer();
        let session = issuer.sign_in(&DEMO_USERS[1], NOW).unwrap();
        assert!(issuer.verify_refresh(&session.session_jwt, NOW).is_err());

        let stranger = self::issuer().sign_in(&DEMO_USERS[1], NOW).unwrap();
        assert!(issuer.verify_refresh(&stranger.refresh_jwt, NOW).is_err());
        assert!(issuer.verify_refresh("not-a-jwt", NOW).is_err());
        assert!(issuer.verify_refresh("", NOW).is_err());
    }

    #[test]
    fn an_expired_session_is_a_session_of_the_user_long_expired() {
        let issuer = issuer();
        let token = issuer.expired_session(&DEMO_USERS[1], NOW).unwrap();
        let claims = payload(&issuer, &token);
        let fresh = payload(
            &issuer,
            &issuer.sign_in(&DEMO_USERS[1], NOW).unwrap().session_jwt,
        );
        assert_eq!(claims["exp"], NOW - EXPIRED_SESSION_AGE_SECS);
        assert_eq!(claims["iat"], NOW - EXPIRED_SESSION_AGE_SECS - 600);
        for claim in [
            "amr",
            "drn",
            "iss",
            "sub",
            "roles",
            "permissions",
            "tenants",
        ] {
            assert_eq!(claims[claim], fresh[claim], "{claim}");
        }
    }

    #[test]
    fn a_refreshed_session_never_outlives_its_refresh_token() {
        let issuer = issuer();
        let session = issuer.sign_in(&DEMO_USERS[3], NOW).unwrap();
        let verified = issuer
            .verify_refresh(&session.refresh_jwt, NOW + 3500)
            .unwrap();
        let refreshed = issuer.refresh(&verified, NOW + 3500).unwrap();
        assert_eq!(refreshed.session_claims.exp, NOW + 3600);
        assert_eq!(refreshed.refresh_jwt, session.refresh_jwt);
        assert_eq!(refreshed.session_claims.roles, Vec::<String>::new());
    }
}
