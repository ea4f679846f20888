//! What a council's plan allows: features and limits. Plans are defined
//! by `cabildo-billing`; the rules that enforce them read this type, which
//! lives here so that every crate can see what a council may do.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A feature a plan may include.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    /// Serving the site on the council's own domain.
    CustomDomain,
    /// Participatory budgets.
    Budgets,
    /// Binding consultations.
    Consultations,
    /// Surveys and quick polls.
    Surveys,
    /// Languages beyond Spanish and the region's co-official one.
    ExtraLanguages,
    /// The public participation summary at `/participation`.
    PublicDashboard,
    /// Personal API tokens.
    ApiTokens,
}

impl Feature {
    /// Every feature, in the order pages list them.
    pub const ALL: [Self; 7] = [
        Self::CustomDomain,
        Self::Budgets,
        Self::Consultations,
        Self::Surveys,
        Self::ExtraLanguages,
        Self::PublicDashboard,
        Self::ApiTokens,
    ];

    /// The stable name (`custom_domain`), as plan files write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CustomDomain => "custom_domain",
            Self::Budgets => "budgets",
            Self::Consultations => "consultations",
            Self::Surveys => "surveys",
            Self::ExtraLanguages => "extra_languages",
            Self::PublicDashboard => "public_dashboard",
            Self::ApiTokens => "api_tokens",
        }
    }
}

/// How much of each thing a plan allows; `None` is no limit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Processes open at once.
    pub open_processes: Option<u32>,
    /// Staff accounts (any role).
    pub staff_seats: Option<u32>,
    /// Residents in the census.
    pub census_size: Option<u32>,
    /// Uploaded pictures, in megabytes.
    pub storage_mb: Option<u32>,
    /// Newsletters sent per calendar month.
    pub newsletters_per_month: Option<u32>,
}

impl Limits {
    /// Each limit by its stable name, in the order pages list them.
    pub fn named(&self) -> [(&'static str, Option<u32>); 5] {
        [
            ("open_processes", self.open_processes),
            ("staff_seats", self.staff_seats),
            ("census_size", self.census_size),
            ("storage_mb", self.storage_mb),
            ("newsletters_per_month", self.newsletters_per_month),
        ]
    }
}

/// Features and limits together.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entitlements {
    /// The features included.
    pub features: BTreeSet<Feature>,
    /// The limits.
    pub limits: Limits,
}

impl Entitlements {
    /// Whether `feature` is included.
    pub fn allows(&self, feature: Feature) -> bool {
        self.features.contains(&feature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_what_files_write() {
        for feature in Feature::ALL {
            let json = serde_json::to_string(&feature).expect("json");
            assert_eq!(json, format!("\"{}\"", feature.as_str()));
        }
        let limits = Limits {
            open_processes: Some(3),
            ..Limits::default()
        };
        let named = limits.named();
        assert_eq!(named[0], ("open_processes", Some(3)));
        assert!(named[1..].iter().all(|(_, v)| v.is_none()));
    }
}
