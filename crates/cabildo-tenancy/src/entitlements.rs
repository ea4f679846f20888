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
    /// Each limit with its value, in the order pages list them.
    pub fn named(&self) -> [(Limit, Option<u32>); 5] {
        Limit::ALL.map(|limit| (limit, self.get(limit)))
    }

    /// The value of `limit` (`None`: no limit).
    pub fn get(&self, limit: Limit) -> Option<u32> {
        match limit {
            Limit::OpenProcesses => self.open_processes,
            Limit::StaffSeats => self.staff_seats,
            Limit::CensusSize => self.census_size,
            Limit::StorageMb => self.storage_mb,
            Limit::NewslettersPerMonth => self.newsletters_per_month,
        }
    }
}

/// A limit a plan may set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    /// Processes open at once.
    OpenProcesses,
    /// Staff accounts.
    StaffSeats,
    /// Residents in the census.
    CensusSize,
    /// Uploaded pictures, in megabytes.
    StorageMb,
    /// Newsletters sent per calendar month.
    NewslettersPerMonth,
}

impl Limit {
    /// Every limit, in the order pages list them.
    pub const ALL: [Self; 5] = [
        Self::OpenProcesses,
        Self::StaffSeats,
        Self::CensusSize,
        Self::StorageMb,
        Self::NewslettersPerMonth,
    ];

    /// The stable name (`open_processes`), as plan files write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OpenProcesses => "open_processes",
            Self::StaffSeats => "staff_seats",
            Self::CensusSize => "census_size",
            Self::StorageMb => "storage_mb",
            Self::NewslettersPerMonth => "newsletters_per_month",
        }
    }
}

/// What an action refused by a plan needed: a feature, room under a
/// limit for `wanted` (the count the action would reach), or a paid plan.
/// Pages name the cheapest offered plan that meets it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Need {
    /// A feature the plan lacks.
    Feature(Feature),
    /// A limit the action would pass.
    Limit(Limit, u64),
    /// The plan paid: the council is held after its grace period.
    Payment,
}

impl Need {
    /// The stable name of the feature or limit (`budgets`, `staff_seats`),
    /// or `payment`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Feature(feature) => feature.as_str(),
            Self::Limit(limit, _) => limit.as_str(),
            Self::Payment => "payment",
        }
    }
}

/// Features and limits together, and whether the council is held for an
/// unpaid plan.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entitlements {
    /// The features included.
    pub features: BTreeSet<Feature>,
    /// The limits.
    pub limits: Limits,
    /// From when an unpaid council (its grace period over) may not start
    /// new things: publish processes, send newsletters. Kept on the
    /// council's record (`platform.tenants.held_from`), not in plans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_from: Option<time::OffsetDateTime>,
}

impl Entitlements {
    /// Whether `feature` is included.
    pub fn allows(&self, feature: Feature) -> bool {
        self.features.contains(&feature)
    }

    /// Whether these entitlements meet `need` (a plan's, which says
    /// nothing of payment: [`Entitlements::held`] does).
    pub fn meets(&self, need: Need) -> bool {
        match need {
            Need::Feature(feature) => self.allows(feature),
            Need::Limit(limit, wanted) => {
                (self.limits.get(limit)).is_none_or(|most| wanted <= u64::from(most))
            }
            Need::Payment => self.held_from.is_none(),
        }
    }

    /// Whether the council is held now: unpaid past its grace period.
    pub fn held(&self) -> bool {
        self.held_from
            .is_some_and(|from| from <= time::OffsetDateTime::now_utc())
    }
}

/// Checks `need` against a council's entitlements (`None`: a council not
/// on any plan, allowed everything).
pub fn check(entitlements: Option<&Entitlements>, need: Need) -> Result<(), Need> {
    match entitlements {
        Some(e) if need == Need::Payment && e.held() => Err(need),
        Some(e) if need != Need::Payment && !e.meets(need) => Err(need),
        _ => Ok(()),
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
        assert_eq!(named[0], (Limit::OpenProcesses, Some(3)));
        assert!(named[1..].iter().all(|(_, v)| v.is_none()));
        for limit in Limit::ALL {
            let json = serde_json::to_string(&limit).expect("json");
            assert_eq!(json, format!("\"{}\"", limit.as_str()));
        }
    }

    #[test]
    fn a_need_is_met_up_to_the_limit_and_by_no_plan_at_all() {
        let e = Entitlements {
            features: BTreeSet::from([Feature::Budgets]),
            limits: Limits {
                staff_seats: Some(2),
                ..Limits::default()
            },
            held_from: None,
        };
        assert!(e.meets(Need::Feature(Feature::Budgets)));
        assert!(!e.meets(Need::Feature(Feature::ApiTokens)));
        assert!(e.meets(Need::Limit(Limit::StaffSeats, 2)));
        assert!(!e.meets(Need::Limit(Limit::StaffSeats, 3)));
        assert!(
            e.meets(Need::Limit(Limit::CensusSize, u64::MAX)),
            "no limit"
        );
        let need = Need::Limit(Limit::StaffSeats, 3);
        assert_eq!(check(Some(&e), need), Err(need));
        assert_eq!(check(None, need), Ok(()));
        assert_eq!(check(Some(&e), Need::Payment), Ok(()));
        let soon = time::OffsetDateTime::now_utc() + time::Duration::days(3);
        let in_grace = Entitlements {
            held_from: Some(soon),
            ..e.clone()
        };
        assert_eq!(check(Some(&in_grace), Need::Payment), Ok(()), "in grace");
        let held = Entitlements {
            held_from: Some(soon - time::Duration::days(6)),
            ..e
        };
        assert_eq!(check(Some(&held), Need::Payment), Err(Need::Payment));
        assert_eq!(check(Some(&held), need), Err(need), "limits still apply");
    }
}
