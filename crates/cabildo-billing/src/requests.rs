//! Requests for invoice mode: a council's admins give the details its
//! invoices need (who pays, its NIF, FACe's DIR3 codes) from
//! `/staff/billing`, and an operator accepts them — the council then pays
//! against invoices with those details — or declines them with a reason.
//! One request per council: asking again replaces it.

use crate::error::Result;
use crate::invoices;
use crate::parties::{Buyer, Problem};
use cabildo_tenancy::{Tenancy, Tenant, TenantId};
use time::OffsetDateTime;

/// A council's request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The council.
    pub tenant: TenantId,
    /// The details given (checked).
    pub buyer: Buyer,
    /// Who asked (their address).
    pub requested_by: String,
    /// When.
    pub requested_at: OffsetDateTime,
    /// When an operator declined it, and why.
    pub declined: Option<(OffsetDateTime, String)>,
}

/// Why a request was not taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Fields that are not acceptable.
    Invalid(Vec<Problem>),
    /// The council pays against invoices already.
    Invoiced,
}

type Row = (
    uuid::Uuid,
    sqlx::types::Json<Buyer>,
    String,
    OffsetDateTime,
    Option<OffsetDateTime>,
    Option<String>,
);

fn request((tenant, buyer, requested_by, requested_at, declined_at, reason): Row) -> Request {
    Request {
        tenant: TenantId(tenant),
        buyer: buyer.0,
        requested_by,
        requested_at,
        declined: declined_at.zip(reason),
    }
}

/// The columns of a [`Row`] (a constant: the queries built with it are
/// static).
const COLUMNS: &str = "tenant_id, details, requested_by, requested_at, declined_at, decline_reason";

/// Records `tenant`'s request with `buyer`'s details, asked by `by`,
/// replacing an earlier one (a declined one too).
pub async fn ask(
    tenancy: &Tenancy,
    tenant: &Tenant,
    buyer: Buyer,
    by: &str,
) -> Result<Result<Request, Refusal>> {
    let buyer = match buyer.checked() {
        Ok(buyer) => buyer,
        Err(problems) => return Ok(Err(Refusal::Invalid(problems))),
    };
    if invoices::buyer(tenancy, tenant).await?.is_some() {
        return Ok(Err(Refusal::Invoiced));
    }
    let row: Row = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "INSERT INTO platform.invoice_requests (tenant_id, details, requested_by)
         VALUES ($1, $2, $3)
         ON CONFLICT (tenant_id) DO UPDATE SET details = EXCLUDED.details,
             requested_by = EXCLUDED.requested_by, requested_at = now(),
             declined_at = NULL, decline_reason = NULL
         RETURNING {COLUMNS}"
    )))
    .bind(tenant.id.0)
    .bind(sqlx::types::Json(&buyer))
    .bind(by)
    .fetch_one(tenancy.pool())
    .await?;
    tracing::info!(tenant = %tenant.slug, "invoice mode requested");
    Ok(Ok(request(row)))
}

/// `tenant`'s request, pending or declined.
pub async fn of(tenancy: &Tenancy, tenant: &Tenant) -> Result<Option<Request>> {
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM platform.invoice_requests WHERE tenant_id = $1"
    )))
    .bind(tenant.id.0)
    .fetch_optional(tenancy.pool())
    .await?;
    Ok(row.map(request))
}

/// The requests waiting for an operator, oldest first.
pub async fn pending(tenancy: &Tenancy) -> Result<Vec<Request>> {
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM platform.invoice_requests
         WHERE declined_at IS NULL ORDER BY requested_at"
    )))
    .fetch_all(tenancy.pool())
    .await?;
    Ok(rows.into_iter().map(request).collect())
}

/// Accepts `tenant`'s pending request: the council pays against invoices
/// with its details from now on. `None` when none is pending.
pub async fn accept(tenancy: &Tenancy, tenant: TenantId) -> Result<Option<Buyer>> {
    let mut tx = tenancy.pool().begin().await?;
    let details: Option<sqlx::types::Json<Buyer>> = sqlx::query_scalar(
        "SELECT details FROM platform.invoice_requests
         WHERE tenant_id = $1 AND declined_at IS NULL FOR UPDATE",
    )
    .bind(tenant.0)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(buyer) = details.map(|d| d.0) else {
        return Ok(None);
    };
    invoices::store_buyer(&mut tx, tenant, &buyer).await?;
    tx.commit().await?;
    tracing::info!(tenant = %tenant.0, "invoice mode request accepted");
    Ok(Some(buyer))
}

/// Declines `tenant`'s pending request for `reason`; `false` when none is
/// pending.
pub async fn decline(tenancy: &Tenancy, tenant: TenantId, reason: &str) -> Result<bool> {
    let declined = sqlx::query(
        "UPDATE platform.invoice_requests SET declined_at = now(), decline_reason = $2
         WHERE tenant_id = $1 AND declined_at IS NULL",
    )
    .bind(tenant.0)
    .bind(reason)
    .execute(tenancy.pool())
    .await?;
    Ok(declined.rows_affected() == 1)
}
