//! Plans as data: one TOML file per plan, checked as a whole folder and
//! applied to `platform.plans`. Prices are stored net, in cents; VAT is a
//! percentage shown on top (21 % for Spanish public bodies).

use crate::error::{BillingError, Result};
use cabildo_tenancy::entitlements::{Entitlements, Feature, Limits, Need};
use cabildo_tenancy::{SUPPORTED_LANGUAGES, Tenancy};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// A plan file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanFile {
    slug: String,
    /// Where it stands in lists (lowest first).
    position: u32,
    /// Its name in every interface language.
    name: BTreeMap<String, String>,
    /// Days a council may use it for free before choosing another; only
    /// for plans without a price.
    trial_days: Option<u32>,
    price: Price,
    #[serde(default)]
    features: Vec<Feature>,
    #[serde(default)]
    limits: Limits,
    stripe: Option<StripePrices>,
}

/// The plan's prices in Stripe (created in its dashboard, one per way of
/// paying), for councils that pay by card through Checkout.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StripePrices {
    /// The monthly price's id (`price_…`).
    pub monthly_price: String,
    /// The yearly price's id, when it can be paid yearly.
    pub yearly_price: Option<String>,
}

/// What a plan costs, net.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Price {
    /// A month, in cents.
    pub monthly_cents: u64,
    /// A year, in cents, when it can be paid yearly.
    pub yearly_cents: Option<u64>,
    /// ISO 4217 code (`EUR`).
    pub currency: String,
    /// VAT added on top, in percent.
    pub vat_percent: u8,
}

impl Price {
    /// `net_cents` with VAT added, rounded to the nearest cent (half up).
    pub fn with_vat(&self, net_cents: u64) -> u64 {
        (net_cents * (100 + u64::from(self.vat_percent)) + 50) / 100
    }
}

/// A checked plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// Stable identifier (`municipio`), stored on councils.
    pub slug: String,
    /// Where it stands in lists.
    pub position: u32,
    /// Its name by language code.
    pub names: BTreeMap<String, String>,
    /// Free days, for a trial plan.
    pub trial_days: Option<u32>,
    /// Its price.
    pub price: Price,
    /// What it allows.
    pub entitlements: Entitlements,
    /// Its prices in Stripe, when it can be paid by card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stripe: Option<StripePrices>,
}

impl Plan {
    /// Its name in `language`, else in Spanish.
    pub fn name(&self, language: &str) -> &str {
        (self.names.get(language))
            .or_else(|| self.names.get("es"))
            .map_or(self.slug.as_str(), String::as_str)
    }

    /// Its Stripe prices as (id, net cents, `month` or `year`), as they
    /// are set up in Stripe's dashboard.
    pub fn stripe_prices(&self) -> Vec<(&str, u64, &'static str)> {
        let Some(stripe) = &self.stripe else {
            return Vec::new();
        };
        let mut prices = vec![(
            stripe.monthly_price.as_str(),
            self.price.monthly_cents,
            "month",
        )];
        if let (Some(id), Some(cents)) = (&stripe.yearly_price, self.price.yearly_cents) {
            prices.push((id.as_str(), cents, "year"));
        }
        prices
    }

    /// Reads and checks the plan in `path`.
    pub fn from_file(path: &Path) -> Result<Self> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| BillingError::Read {
            path: file.clone(),
            source,
        })?;
        Self::parse(&text).map_err(|reason| BillingError::Invalid { file, reason })
    }

    /// Checks a plan written as TOML; the reason names the field at fault.
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        let file: PlanFile = toml::from_str(text).map_err(|e| e.message().to_owned())?;
        let slug_ok = (2..=40).contains(&file.slug.len())
            && file.slug.starts_with(|c: char| c.is_ascii_lowercase())
            && (file.slug.bytes())
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !slug_ok {
            return Err(format!(
                "slug {:?}: 2 to 40 lower-case letters, digits or hyphens, starting with a letter",
                file.slug
            ));
        }
        for language in SUPPORTED_LANGUAGES {
            match file.name.get(*language).map(|n| n.trim()) {
                Some(name) if !name.is_empty() && name.chars().count() <= 60 => {}
                _ => return Err(format!("name.{language}: 1 to 60 characters are needed")),
            }
        }
        if let Some(other) = (file.name.keys()).find(|l| !SUPPORTED_LANGUAGES.contains(&l.as_str()))
        {
            return Err(format!("name.{other}: not an interface language"));
        }
        let price = &file.price;
        if price.currency.len() != 3 || !price.currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(format!(
                "price.currency {:?}: an ISO 4217 code such as EUR",
                price.currency
            ));
        }
        if price.vat_percent > 100 {
            return Err("price.vat_percent: at most 100".into());
        }
        let free = price.monthly_cents == 0 && price.yearly_cents.unwrap_or(0) == 0;
        match file.trial_days {
            Some(0) => return Err("trial_days: at least 1".into()),
            Some(_) if !free => {
                return Err("trial_days: only a plan without a price is a trial".into());
            }
            _ => {}
        }
        if let Some(stripe) = &file.stripe {
            if free {
                return Err("stripe: a plan without a price is not paid through Stripe".into());
            }
            let ids = std::iter::once(&stripe.monthly_price).chain(&stripe.yearly_price);
            if let Some(id) = ids
                .clone()
                .find(|id| !id.starts_with("price_") || id.len() > 255)
            {
                return Err(format!("stripe: {id:?} is not a Stripe price id (price_…)"));
            }
            if stripe.yearly_price.is_some() && price.yearly_cents.is_none() {
                return Err("stripe.yearly_price: the plan has no yearly price".into());
            }
        }
        let named = file.limits.named();
        if let Some((name, _)) = named.iter().find(|(_, limit)| *limit == Some(0)) {
            return Err(format!(
                "limits.{}: at least 1 (leave it out for no limit)",
                name.as_str()
            ));
        }
        Ok(Self {
            slug: file.slug,
            position: file.position,
            names: (file.name.into_iter())
                .map(|(language, name)| (language, name.trim().to_owned()))
                .collect(),
            trial_days: file.trial_days,
            price: file.price,
            entitlements: Entitlements {
                features: file.features.into_iter().collect(),
                limits: file.limits,
                held_from: None,
            },
            stripe: file.stripe,
        })
    }
}

/// Reads and checks every `*.toml` in `dir`, by position; refuses the whole
/// folder when one file is wrong or two share a slug, so nothing is
/// half-applied.
pub fn read_plans(dir: &Path) -> Result<Vec<Plan>> {
    let read_error = |source| BillingError::Read {
        path: dir.display().to_string(),
        source,
    };
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(read_error)?
        .filter_map(std::result::Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    let mut plans: Vec<Plan> = Vec::with_capacity(files.len());
    for file in &files {
        let plan = Plan::from_file(file)?;
        if plans.iter().any(|p| p.slug == plan.slug) {
            return Err(BillingError::Invalid {
                file: file.display().to_string(),
                reason: format!("slug {:?} is also defined by another file", plan.slug),
            });
        }
        plans.push(plan);
    }
    if plans.is_empty() {
        return Err(BillingError::Invalid {
            file: dir.display().to_string(),
            reason: "no plan files (*.toml)".into(),
        });
    }
    plans.sort_by(|a, b| (a.position, &a.slug).cmp(&(b.position, &b.slug)));
    Ok(plans)
}

/// A plan as stored, and whether it is offered to councils.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredPlan {
    /// The plan.
    pub plan: Plan,
    /// Offered to new and changing councils (plans no longer in the
    /// folder stay for the councils on them, not offered).
    pub offered: bool,
}

/// What applying did to one plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    /// It was new.
    Created,
    /// It changed.
    Updated,
    /// It was already so.
    Unchanged,
}

/// Stores `plans` (one transaction): new ones are created, changed ones
/// updated (with the entitlements of the councils on them), and stored
/// plans no longer among them stop being offered — never deleted, since
/// councils may be on them.
pub async fn apply(tenancy: &Tenancy, plans: &[Plan]) -> Result<Vec<(String, Applied)>> {
    let mut tx = tenancy.pool().begin().await?;
    let mut outcome = Vec::with_capacity(plans.len());
    let mut changed = Vec::new();
    for plan in plans {
        let definition = serde_json::to_value(plan).map_err(|e| BillingError::Invalid {
            file: plan.slug.clone(),
            reason: e.to_string(),
        })?;
        let before: Option<(serde_json::Value, bool)> = sqlx::query_as(
            "SELECT definition, offered FROM platform.plans WHERE slug = $1 FOR UPDATE",
        )
        .bind(&plan.slug)
        .fetch_optional(&mut *tx)
        .await?;
        let applied = match &before {
            None => Applied::Created,
            Some((stored, true)) if *stored == definition => Applied::Unchanged,
            Some(_) => Applied::Updated,
        };
        if applied != Applied::Unchanged {
            sqlx::query(
                "INSERT INTO platform.plans (slug, position, definition, offered) VALUES ($1, $2, $3, true)
                 ON CONFLICT (slug) DO UPDATE SET position = EXCLUDED.position,
                     definition = EXCLUDED.definition, offered = true, updated_at = now()",
            )
            .bind(&plan.slug)
            .bind(i64::from(plan.position))
            .bind(&definition)
            .execute(&mut *tx)
            .await?;
        }
        if applied == Applied::Updated {
            // Councils on the plan get what it now allows.
            let ids: Vec<uuid::Uuid> = sqlx::query_scalar(
                "UPDATE platform.tenants SET entitlements = $2, updated_at = now()
                 WHERE plan = $1 AND entitlements IS DISTINCT FROM $2 RETURNING id",
            )
            .bind(&plan.slug)
            .bind(sqlx::types::Json(&plan.entitlements))
            .fetch_all(&mut *tx)
            .await?;
            changed.extend(ids);
        }
        outcome.push((plan.slug.clone(), applied));
    }
    let slugs: Vec<&str> = plans.iter().map(|p| p.slug.as_str()).collect();
    sqlx::query(
        "UPDATE platform.plans SET offered = false, updated_at = now()
         WHERE offered AND NOT (slug = ANY ($1))",
    )
    .bind(&slugs)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    for id in changed {
        if let Some(tenant) = tenancy
            .find_tenant_by_id(cabildo_tenancy::TenantId(id))
            .await?
        {
            tenancy.changed(&tenant).await;
        }
    }
    tracing::info!(plans = plans.len(), "plans applied");
    Ok(outcome)
}

/// Every stored plan, by position.
pub async fn list(tenancy: &Tenancy) -> Result<Vec<StoredPlan>> {
    let rows: Vec<(serde_json::Value, bool)> =
        sqlx::query_as("SELECT definition, offered FROM platform.plans ORDER BY position, slug")
            .fetch_all(tenancy.pool())
            .await?;
    rows.into_iter()
        .map(|(definition, offered)| {
            let plan: Plan =
                serde_json::from_value(definition).map_err(|e| BillingError::Invalid {
                    file: "platform.plans".into(),
                    reason: e.to_string(),
                })?;
            Ok(StoredPlan { plan, offered })
        })
        .collect()
}

/// The first offered plan (by position: the cheapest) that meets `need`,
/// for a refusal to name; `None` when no offered plan does.
pub async fn first_meeting(tenancy: &Tenancy, need: Need) -> Result<Option<Plan>> {
    Ok((list(tenancy).await?.into_iter())
        .filter(|stored| stored.offered && stored.plan.entitlements.meets(need))
        .map(|stored| stored.plan)
        .next())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: &str = "[name]\nes = \"Municipio\"\nen = \"Municipality\"\nca = \"Municipi\"\neu = \"Udalerria\"\ngl = \"Municipio\"\n";

    fn plan(extra: &str) -> std::result::Result<Plan, String> {
        Plan::parse(&format!(
            "slug = \"municipio\"\nposition = 2\n{extra}\n{NAMES}\n[price]\nmonthly_cents = 9900\nyearly_cents = 99000\ncurrency = \"EUR\"\nvat_percent = 21\n"
        ))
    }

    #[test]
    fn a_plan_file_is_read_with_its_entitlements() {
        let read = plan("features = [\"budgets\", \"custom_domain\"]\n[limits]\nopen_processes = 5\nstaff_seats = 10\n")
            .expect("valid");
        assert_eq!(read.name("eu"), "Udalerria");
        assert!(read.entitlements.allows(Feature::Budgets));
        assert!(!read.entitlements.allows(Feature::Consultations));
        assert_eq!(read.entitlements.limits.open_processes, Some(5));
        assert_eq!(read.entitlements.limits.census_size, None, "no limit");
        assert_eq!(read.price.with_vat(9900), 11_979);
        assert_eq!(read.price.with_vat(1), 1, "21 % of a cent rounds away");
    }

    #[test]
    fn mistakes_are_named_by_field() {
        for (extra, words) in [
            ("features = [\"teleport\"]", "unknown variant"),
            ("colour = \"red\"", "unknown field"),
            ("trial_days = 30", "only a plan without a price"),
            ("[limits]\nopen_processes = 0", "limits.open_processes"),
            ("[limits]\nparsecs = 3", "unknown field"),
        ] {
            let error = plan(extra).expect_err(extra);
            assert!(error.contains(words), "{extra}: {error}");
        }
        let no_basque = Plan::parse(&format!(
            "slug = \"x-plan\"\nposition = 1\n{}\n[price]\nmonthly_cents = 0\ncurrency = \"EUR\"\nvat_percent = 21\n",
            NAMES.replace("eu = \"Udalerria\"\n", "")
        ))
        .expect_err("a name per language");
        assert!(no_basque.contains("name.eu"), "{no_basque}");
        let bad_slug = Plan::parse(&format!(
            "slug = \"Gold Plan\"\nposition = 1\n{NAMES}\n[price]\nmonthly_cents = 0\ncurrency = \"EUR\"\nvat_percent = 21\n"
        ))
        .expect_err("slug");
        assert!(bad_slug.contains("slug"), "{bad_slug}");
    }

    #[test]
    fn the_shipped_plans_are_valid() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../plans");
        let plans = read_plans(&dir).expect("plans/");
        assert!(plans.iter().any(|p| p.trial_days.is_some()), "a trial plan");
        assert!(plans.windows(2).all(|w| w[0].position <= w[1].position));
    }
}
