//! PostgreSQL identifiers for councils. Only this crate builds them, from a
//! validated [`Slug`], so no other code formats a schema or role into SQL.

use crate::slug::Slug;
use std::fmt;

/// A council's schema: `t_<slug>` with hyphens as underscores.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SchemaName(String);

impl SchemaName {
    pub(crate) fn for_slug(slug: &Slug) -> Self {
        Self(format!("t_{}", slug.as_str().replace('-', "_")))
    }

    /// The identifier (safe to embed in SQL: `[a-z0-9_]` only).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SchemaName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

/// A council's PostgreSQL role: `<namespace>_t_<slug>`.
///
/// Roles are global to a PostgreSQL cluster while schemas belong to one
/// database, so role names carry a namespace derived from the database name
/// ([`RoleNamespace`]): two Cabildo databases on one cluster (staging and
/// production, or every test's own database) never share a council role.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RoleName(String);

impl RoleName {
    pub(crate) fn new(namespace: &RoleNamespace, schema: &SchemaName) -> Self {
        Self(format!("{}_{}", namespace.0, schema.0))
    }

    /// The identifier (safe to embed in SQL: `[a-z0-9_]` only).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RoleName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

impl RoleNamespace {
    /// The serving role of this database: `<namespace>_serving` (see
    /// [`crate::Tenancy::serving_role`]).
    pub(crate) fn serving_role(&self) -> String {
        format!("{}_serving", self.0)
    }

    /// The role every council role is a member of: `<namespace>_councils`.
    /// It holds what all councils may do on the platform schema (enqueue
    /// jobs), granted once: granted to each council role instead, these
    /// grants grew one catalog row per object with every council, until
    /// PostgreSQL refused the row as too big at about 1,900 councils.
    pub(crate) fn councils_role(&self) -> String {
        format!("{}_councils", self.0)
    }
}

/// Prefix of council role names in one database: at most 20 characters of
/// `[a-z0-9_]`, so `<namespace>_t_<slug>` fits in 63 bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleNamespace(String);

impl RoleNamespace {
    /// SQL computing the namespace of the current database: its name when
    /// short and plain, else `db` and a hash of it.
    pub(crate) const QUERY: &'static str = "SELECT CASE \
        WHEN current_database() ~ '^[a-z][a-z0-9_]{0,19}$' THEN current_database() \
        ELSE 'db' || substr(md5(current_database()), 1, 12) END";

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    pub(crate) fn from_database(computed: String) -> Option<Self> {
        let plain = !computed.is_empty()
            && computed.len() <= 20
            && computed
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        plain.then_some(Self(computed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fit_postgres_identifiers() {
        let slug = Slug::parse(&"a-b".repeat(13)).expect("valid slug");
        let schema = SchemaName::for_slug(&slug);
        let namespace = RoleNamespace::from_database("n".repeat(20)).expect("plain");
        let role = RoleName::new(&namespace, &schema);
        assert_eq!(schema.as_str(), format!("t_{}", "a_b".repeat(13)));
        assert!(role.as_str().len() <= 63, "{role}");
    }

    #[test]
    fn namespace_refuses_anything_unsafe() {
        assert!(RoleNamespace::from_database("cabildo".into()).is_some());
        for bad in ["", "Cabildo", "a;b", "a\"b", &"x".repeat(21)] {
            assert!(
                RoleNamespace::from_database(bad.into()).is_none(),
                "{bad:?}"
            );
        }
    }
}
