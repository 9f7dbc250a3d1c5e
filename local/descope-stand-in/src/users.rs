//! The demo users of the local-development contract, and Descope's `UserResponse` shape.

use serde::Serialize;

/// The one password every demo user signs in with.
pub const DEMO_PASSWORD: &str = "demo-password";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoUser {
    pub user_id: &'static str,
    pub login_id: &'static str,
    pub given_name: &'static str,
    pub family_name: &'static str,
    pub roles: &'static [&'static str],
}

/// User IDs follow Descope's `U2…` look so they read like real ones in logs and tokens.
pub const DEMO_USERS: &[DemoUser] = &[
    DemoUser {
        user_id: "U2LocalTeacher",
        login_id: "teacher@example.com",
        given_name: "Tess",
        family_name: "Teacher",
        roles: &["teacher"],
    },
    DemoUser {
        user_id: "U2LocalStudent",
        login_id: "student@example.com",
        given_name: "Sam",
        family_name: "Student",
        roles: &["student"],
    },
    DemoUser {
        user_id: "U2LocalBoth",
        login_id: "both@example.com",
        given_name: "Blake",
        family_name: "Both",
        roles: &["teacher", "student"],
    },
    DemoUser {
        user_id: "U2LocalNoRole",
        login_id: "norole@example.com",
        given_name: "Noa",
        family_name: "Norole",
        roles: &[],
    },
];

/// Login IDs are emails, which Descope matches without regard to case.
pub fn find_by_login_id(login_id: &str) -> Option<&'static DemoUser> {
    DEMO_USERS
        .iter()
        .find(|user| user.login_id.eq_ignore_ascii_case(login_id.trim()))
}

pub fn find_by_id(user_id: &str) -> Option<&'static DemoUser> {
    DEMO_USERS.iter().find(|user| user.user_id == user_id)
}

/// The user for a login ID and password, or `None` for an unknown user and a wrong password
/// alike, so a caller cannot tell which login IDs exist.
pub fn authenticate(login_id: &str, password: &str) -> Option<&'static DemoUser> {
    let user = find_by_login_id(login_id)?;
    constant_time_eq(password.as_bytes(), DEMO_PASSWORD.as_bytes()).then_some(user)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl DemoUser {
    pub fn name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
    }

    pub fn roles(&self) -> Vec<String> {
        self.roles.iter().map(|role| role.to_string()).collect()
    }

    pub fn to_response(&self) -> UserResponse {
        UserResponse {
            user_id: self.user_id.to_owned(),
            login_ids: vec![self.login_id.to_owned()],
            name: self.name(),
            given_name: self.given_name.to_owned(),
            middle_name: String::new(),
            family_name: self.family_name.to_owned(),
            email: self.login_id.to_owned(),
            verified_email: true,
            phone: String::new(),
            verified_phone: false,
            picture: String::new(),
            role_names: self.roles(),
            user_tenants: Vec::new(),
            created_time: DEMO_USERS_CREATED,
            totp: false,
            saml: false,
            scim: false,
            password: true,
            oauth: serde_json::Map::new(),
            custom_attributes: serde_json::Map::new(),
            status: "enabled",
            test: false,
        }
    }
}

/// A fixed creation time (2025-01-01T00:00:00Z) keeps `me` answers stable across runs.
const DEMO_USERS_CREATED: u64 = 1_735_689_600;

/// Descope's `UserResponse` as `@descope/core-js-sdk` types it (`userId` at the top level; the
/// SDK recognises a user by that field).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserResponse {
    pub user_id: String,
    pub login_ids: Vec<String>,
    pub name: String,
    pub given_name: String,
    pub middle_name: String,
    pub family_name: String,
    pub email: String,
    pub verified_email: bool,
    pub phone: String,
    pub verified_phone: bool,
    pub picture: String,
    pub role_names: Vec<String>,
    pub user_tenants: Vec<serde_json::Value>,
    pub created_time: u64,
    #[serde(rename = "TOTP")]
    pub totp: bool,
    #[serde(rename = "SAML")]
    pub saml: bool,
    #[serde(rename = "SCIM")]
    pub scim: bool,
    pub password: bool,
    #[serde(rename = "OAuth")]
    pub oauth: serde_json::Map<String, serde_json::Value>,
    pub custom_attributes: serde_json::Map<String, serde_json::Value>,
    pub status: &'static str,
    pub test: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_users_match_the_local_contract() {
        let table: Vec<(&str, String, &[&str])> = DEMO_USERS
            .iter()
            .map(|u| (u.login_id, u.name(), u.roles))
            .collect();
        assert_eq!(
            table,
            [
                (
                    "teacher@example.com",
                    "Tess Teacher".to_owned(),
                    &["teacher"][..]
                ),
                (
                    "student@example.com",
                    "Sam Student".to_owned(),
                    &["student"][..]
                ),
                (
                    "both@example.com",
                    "Blake Both".to_owned(),
                    &["teacher", "student"][..]
                ),
                ("norole@example.com", "Noa Norole".to_owned(), &[][..]),
            ]
        );
    }

    #[test]
    fn authenticates_only_with_the_demo_password() {
        assert_eq!(
            authenticate("Teacher@Example.com", "demo-password").map(|u| u.user_id),
            Some("U2LocalTeacher")
        );
        assert_eq!(authenticate("teacher@example.com", "demo-passwore"), None);
        assert_eq!(authenticate("teacher@example.com", ""), None);
        assert_eq!(authenticate("nobody@example.com", "demo-password"), None);
    }

    #[test]
    fn user_response_uses_descope_field_names() {
        let json = serde_json::to_value(DEMO_USERS[2].to_response()).unwrap();
        assert_eq!(json["userId"], "U2LocalBoth");
        assert_eq!(json["loginIds"], serde_json::json!(["both@example.com"]));
        assert_eq!(json["name"], "Blake Both");
        assert_eq!(json["email"], "both@example.com");
        assert_eq!(json["verifiedEmail"], true);
        assert_eq!(json["roleNames"], serde_json::json!(["teacher", "student"]));
        assert_eq!(json["userTenants"], serde_json::json!([]));
        assert_eq!(json["TOTP"], false);
        assert_eq!(json["OAuth"], serde_json::json!({}));
        assert_eq!(json["status"], "enabled");
    }
}
