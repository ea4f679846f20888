//! The council record as the rest of the system sees it.

use crate::names::{RoleName, SchemaName};
use crate::slug::Slug;
use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

/// A council's id. Jobs, cache keys and logs carry this, never a schema name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TenantId(pub Uuid);

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Lifecycle of a council.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TenantStatus {
    /// Being created; not served yet.
    Provisioning,
    /// Serving normally.
    Active,
    /// Not served: visitors see a notice.
    Suspended,
    /// Served for reading; every change is refused with an explanation.
    ReadOnly,
    /// Closed for good; data kept, visitors see a notice.
    Archived,
}

impl TenantStatus {
    /// The value stored in `platform.tenants.status`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Provisioning => "provisioning",
            Self::Active => "active",
            Self::Suspended => "suspended",
            Self::ReadOnly => "read_only",
            Self::Archived => "archived",
        }
    }

    /// The status stored as `stored`.
    pub fn parse(stored: &str) -> Option<Self> {
        [
            Self::Provisioning,
            Self::Active,
            Self::Suspended,
            Self::ReadOnly,
            Self::Archived,
        ]
        .into_iter()
        .find(|status| status.as_str() == stored)
    }
}

impl fmt::Display for TenantStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A council, with the database names its transactions use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tenant {
    /// Stable id.
    pub id: TenantId,
    /// Subdomain and schema stem.
    pub slug: Slug,
    /// Display name ("Ayuntamiento de Toledo").
    pub name: String,
    /// Lifecycle state.
    pub status: TenantStatus,
    /// The verified domain its site is served on (`participa.toledo.es`),
    /// if it has one: its subdomain redirects there.
    pub domain: Option<String>,
    /// What its plan allows; `None` (never put on a plan) allows
    /// everything.
    pub entitlements: Option<std::sync::Arc<crate::entitlements::Entitlements>>,
    pub(crate) schema: SchemaName,
    pub(crate) role: RoleName,
}

impl Tenant {
    /// Where its site is reached: its own domain once verified, else
    /// `{slug}.{base_domain}`.
    pub fn host(&self, base_domain: &str) -> String {
        match &self.domain {
            Some(domain) => domain.clone(),
            None => format!("{}.{base_domain}", self.slug),
        }
    }

    /// Whether its plan includes `feature` (a council never put on a plan
    /// has every feature).
    pub fn allows(&self, feature: crate::entitlements::Feature) -> bool {
        (self.entitlements.as_deref()).is_none_or(|e| e.allows(feature))
    }

    /// The council's schema.
    pub fn schema(&self) -> &SchemaName {
        &self.schema
    }

    /// The council's PostgreSQL role.
    pub fn role(&self) -> &RoleName {
        &self.role
    }
}

/// One line of `cabildo tenants list`.
#[derive(Clone, Debug)]
pub struct TenantSummary {
    /// The council.
    pub tenant: Tenant,
    /// Highest tenant migration applied, if any.
    pub schema_version: Option<i64>,
    /// Error of the last failed migration attempt.
    pub migrate_error: Option<String>,
    /// When it was created.
    pub created_at: time::OffsetDateTime,
}
