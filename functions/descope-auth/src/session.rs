//! A validated session and the authorisation questions asked of it.

use std::collections::BTreeMap;

/// Roles and permissions granted in one tenant (`tenants[tid]` in the token).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TenantGrants {
    pub(crate) roles: Vec<String>,
    pub(crate) permissions: Vec<String>,
}

/// The claims of a session token whose signature, lifetime, issuer and shape were checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub(crate) subject: String,
    pub(crate) issuer: String,
    pub(crate) expires_at: u64,
    pub(crate) roles: Vec<String>,
    pub(crate) permissions: Vec<String>,
    pub(crate) tenants: BTreeMap<String, TenantGrants>,
}

impl Session {
    /// The user ID (`sub`).
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The issuer (`iss`), which names this project.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Expiry (`exp`), Unix seconds.
    pub fn expires_at(&self) -> u64 {
        self.expires_at
    }

    /// Project-level roles; empty when the token has none.
    pub fn roles(&self) -> &[String] {
        &self.roles
    }

    /// Project-level permissions; empty when the token has none.
    pub fn permissions(&self) -> &[String] {
        &self.permissions
    }

    /// IDs of the tenants the token names.
    pub fn tenant_ids(&self) -> impl Iterator<Item = &str> {
        self.tenants.keys().map(String::as_str)
    }

    /// Roles in `tenant`; empty when the token does not name it.
    pub fn tenant_roles(&self, tenant: &str) -> &[String] {
        self.tenants
            .get(tenant)
            .map_or(&[], |grants| grants.roles.as_slice())
    }

    /// Permissions in `tenant`; empty when the token does not name it.
    pub fn tenant_permissions(&self, tenant: &str) -> &[String] {
        self.tenants
            .get(tenant)
            .map_or(&[], |grants| grants.permissions.as_slice())
    }

    /// True iff every required role is granted (an empty requirement is met).
    pub fn validate_roles(&self, required: &[&str]) -> bool {
        holds_all(&self.roles, required)
    }

    /// True iff every required permission is granted (an empty requirement is met).
    pub fn validate_permissions(&self, required: &[&str]) -> bool {
        holds_all(&self.permissions, required)
    }

    /// True iff every required role is granted in `tenant`. As in Descope's SDKs, a tenant the
    /// token does not name grants nothing, so even an empty requirement is unmet there.
    pub fn validate_tenant_roles(&self, tenant: &str, required: &[&str]) -> bool {
        self.tenants
            .get(tenant)
            .is_some_and(|grants| holds_all(&grants.roles, required))
    }

    /// True iff every required permission is granted in `tenant` (see
    /// [`Session::validate_tenant_roles`] for an unnamed tenant).
    pub fn validate_tenant_permissions(&self, tenant: &str, required: &[&str]) -> bool {
        self.tenants
            .get(tenant)
            .is_some_and(|grants| holds_all(&grants.permissions, required))
    }
}

/// Exact string membership: `"preteacher"` does not grant `teacher`.
fn holds_all(granted: &[String], required: &[&str]) -> bool {
    required
        .iter()
        .all(|needed| granted.iter().any(|held| held == needed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> Session {
        let strings = |items: &[&str]| items.iter().map(|item| (*item).to_owned()).collect();
        let mut tenants = BTreeMap::new();
        tenants.insert(
            "T1".to_owned(),
            TenantGrants {
                roles: strings(&["admin"]),
                permissions: strings(&["read", "write"]),
            },
        );
        tenants.insert("T2".to_owned(), TenantGrants::default());
        Session {
            subject: "U1".into(),
            issuer: "P2x".into(),
            expires_at: 10,
            roles: strings(&["teacher", "student"]),
            permissions: strings(&["grade"]),
            tenants,
        }
    }

    #[test]
    fn roles_need_every_required_entry() {
        let session = session();
        assert!(session.validate_roles(&[]));
        assert!(session.validate_roles(&["teacher"]));
        assert!(session.validate_roles(&["teacher", "student"]));
        assert!(!session.validate_roles(&["teacher", "admin"]));
        assert!(!session.validate_roles(&["teach"]));
        assert!(!session.validate_roles(&["Teacher"]));
    }

    #[test]
    fn permissions_need_every_required_entry() {
        let session = session();
        assert!(session.validate_permissions(&[]));
        assert!(session.validate_permissions(&["grade"]));
        assert!(!session.validate_permissions(&["grade", "read"]));
    }

    #[test]
    fn tenant_grants_are_looked_up_per_tenant() {
        let session = session();
        assert!(session.validate_tenant_roles("T1", &["admin"]));
        assert!(!session.validate_tenant_roles("T1", &["teacher"]));
        assert!(session.validate_tenant_permissions("T1", &["read", "write"]));
        assert!(!session.validate_tenant_permissions("T1", &["delete"]));
        assert!(session.validate_tenant_roles("T2", &[]));
        assert!(!session.validate_tenant_roles("T2", &["admin"]));
        assert!(!session.validate_tenant_roles("T3", &[]));
        assert!(!session.validate_tenant_permissions("T3", &[]));
        assert_eq!(session.tenant_roles("T1"), ["admin"]);
        assert!(session.tenant_roles("T3").is_empty());
        assert_eq!(session.tenant_ids().collect::<Vec<_>>(), ["T1", "T2"]);
    }
}
