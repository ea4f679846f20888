//! Councils on plans: putting one on a plan copies the plan's entitlements
//! onto its record (`platform.tenants`), which every node then sees with
//! the council (see `cabildo_tenancy::Tenant::entitlements`).

use crate::error::Result;
use crate::plans::Plan;
use cabildo_tenancy::{Tenancy, Tenant};

/// Puts `tenant` on the stored plan `slug`; `None` when no such plan is
/// stored. A trial starts now, and when it ends the council is held (it
/// may not start new things) until it pays for a plan; any other plan
/// lifts a hold. Every node hears of it at once.
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
             trial_ends_at = now() + make_interval(days => $4::int),
             held_from = now() + make_interval(days => $4::int),
             overdue_since = NULL, updated_at = now()
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

/// A council's plan and payment as its record says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    /// The plan's slug (`default` for councils never put on one).
    pub plan: String,
    /// When its trial ends, for a trial plan.
    pub trial_ends_at: Option<time::OffsetDateTime>,
    /// What its record allows (`None`: everything).
    pub entitlements: Option<cabildo_tenancy::entitlements::Entitlements>,
    /// When a payment was first missed (or a subscription ended).
    pub overdue_since: Option<time::OffsetDateTime>,
    /// From when it may not start new things (the grace period's end).
    pub held_from: Option<time::OffsetDateTime>,
    /// Its card subscription, once it has started a checkout.
    pub card: Option<Card>,
}

/// A council's card subscription as Stripe last reported it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Card {
    /// Stripe's status (`active`, `past_due` …); `None` until a checkout
    /// is paid.
    pub status: Option<String>,
    /// Paid up to.
    pub paid_through: Option<time::OffsetDateTime>,
}

/// `tenant`'s plan, trial and payment.
pub async fn status(tenancy: &Tenancy, tenant: &Tenant) -> Result<Status> {
    type Row = (
        String,
        Option<time::OffsetDateTime>,
        Option<sqlx::types::Json<cabildo_tenancy::entitlements::Entitlements>>,
        Option<time::OffsetDateTime>,
        Option<time::OffsetDateTime>,
        Option<String>,
        Option<String>,
        Option<time::OffsetDateTime>,
    );
    let row: Row = sqlx::query_as(
        "SELECT t.plan, t.trial_ends_at, t.entitlements, t.overdue_since, t.held_from,
                s.stripe_customer, s.status, s.paid_through
         FROM platform.tenants t LEFT JOIN platform.subscriptions s ON s.tenant_id = t.id
         WHERE t.id = $1",
    )
    .bind(tenant.id.0)
    .fetch_one(tenancy.pool())
    .await?;
    let (plan, trial_ends_at, entitlements, overdue_since, held_from, customer, status, paid) = row;
    Ok(Status {
        plan,
        trial_ends_at,
        entitlements: entitlements.map(|e| e.0),
        overdue_since,
        held_from,
        card: customer.map(|_| Card {
            status,
            paid_through: paid,
        }),
    })
}

/// One council's billing as the operators' console lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Overview {
    /// The council.
    pub id: cabildo_tenancy::TenantId,
    /// Its slug.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// Its plan, trial and payment.
    pub status: Status,
    /// It pays against invoices.
    pub invoiced: bool,
}

/// Every active council's billing, overdue ones first, then by name.
pub async fn overview(tenancy: &Tenancy) -> Result<Vec<Overview>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: uuid::Uuid,
        slug: String,
        name: String,
        plan: String,
        trial_ends_at: Option<time::OffsetDateTime>,
        entitlements: Option<sqlx::types::Json<cabildo_tenancy::entitlements::Entitlements>>,
        overdue_since: Option<time::OffsetDateTime>,
        held_from: Option<time::OffsetDateTime>,
        stripe_customer: Option<String>,
        card_status: Option<String>,
        paid_through: Option<time::OffsetDateTime>,
        invoiced: bool,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT t.id, t.slug, t.name, t.plan, t.trial_ends_at, t.entitlements, t.overdue_since,
                t.held_from, s.stripe_customer, s.status AS card_status, s.paid_through,
                EXISTS (SELECT 1 FROM platform.invoice_buyers b WHERE b.tenant_id = t.id) AS invoiced
         FROM platform.tenants t LEFT JOIN platform.subscriptions s ON s.tenant_id = t.id
         WHERE t.status NOT IN ('provisioning', 'archived')
         ORDER BY t.overdue_since IS NULL, t.overdue_since, t.name",
    )
    .fetch_all(tenancy.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Overview {
            id: cabildo_tenancy::TenantId(r.id),
            slug: r.slug,
            name: r.name,
            invoiced: r.invoiced,
            status: Status {
                plan: r.plan,
                trial_ends_at: r.trial_ends_at,
                entitlements: r.entitlements.map(|e| e.0),
                overdue_since: r.overdue_since,
                held_from: r.held_from,
                card: r.stripe_customer.map(|_| Card {
                    status: r.card_status,
                    paid_through: r.paid_through,
                }),
            },
        })
        .collect())
}
