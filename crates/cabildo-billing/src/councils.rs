//! Councils on plans: putting one on a plan copies the plan's entitlements
//! onto its record (`platform.tenants`), which every node then sees with
//! the council (see `cabildo_tenancy::Tenant::entitlements`).

use crate::error::Result;
use crate::plans::Plan;
use cabildo_tenancy::{Tenancy, Tenant};

/// Puts `tenant` on the stored plan `slug` (a trial starts now); `None`
/// when no such plan is stored. Every node hears of it at once.
pub async fn assign(tenancy: &Tenancy, tenant: &Tenant, slug: &str) -> Result<Option<Plan>> {
    let Some(stored) = crate::plans::list(tenancy)
        .await?
        .into_iter()
        .find(|s| s.plan.slug == slug)
    else {
        return Ok(None);
    };
    let plan = stored.plan;
    sqlx::query(
        "UPDATE platform.tenants SET plan = $2, entitlements = $3,
             trial_ends_at = now() + make_interval(days => $4::int), updated_at = now()
         WHERE id = $1",
    )
    .bind(tenant.id.0)
    .bind(&plan.slug)
    .bind(sqlx::types::Json(&plan.entitlements))
    .bind(plan.trial_days.and_then(|d| i32::try_from(d).ok()))
    .execute(tenancy.pool())
    .await?;
    tenancy.changed(tenant).await;
    tracing::info!(tenant = %tenant.slug, plan = %plan.slug, "council put on a plan");
    Ok(Some(plan))
}

/// A council's plan as its record says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    /// The plan's slug (`default` for councils never put on one).
    pub plan: String,
    /// When its trial ends, for a trial plan.
    pub trial_ends_at: Option<time::OffsetDateTime>,
    /// What its record allows (`None`: everything).
    pub entitlements: Option<cabildo_tenancy::entitlements::Entitlements>,
}

/// `tenant`'s plan and trial.
pub async fn status(tenancy: &Tenancy, tenant: &Tenant) -> Result<Status> {
    type Row = (
        String,
        Option<time::OffsetDateTime>,
        Option<sqlx::types::Json<cabildo_tenancy::entitlements::Entitlements>>,
    );
    let (plan, trial_ends_at, entitlements): Row = sqlx::query_as(
        "SELECT plan, trial_ends_at, entitlements FROM platform.tenants WHERE id = $1",
    )
    .bind(tenant.id.0)
    .fetch_one(tenancy.pool())
    .await?;
    Ok(Status {
        plan,
        trial_ends_at,
        entitlements: entitlements.map(|e| e.0),
    })
}
