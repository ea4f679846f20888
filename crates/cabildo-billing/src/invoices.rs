//! Invoice mode, for councils that cannot pay by card: most Spanish public
//! bodies pay against an invoice, often received through the national
//! FACe hub. An operator marks a council as invoiced with its tax id and
//! DIR3 codes; the platform issues numbered invoices (one gapless series
//! per year, immutable once issued: a correction is a rectifying invoice
//! in its own series), exports each as a Facturae 3.2.2 file (unsigned:
//! signing it with the supplier's certificate is the operator's step, see
//! `docs/billing.md`), and records payments. An invoice unpaid past its due
//! date starts the same dunning as a failed card payment.

use crate::error::{BillingError, Result};
use crate::plans;
use cabildo_tenancy::{Tenancy, Tenant, TenantId};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

pub use crate::parties::{Buyer, Entity, Seller};
use time::Date;

/// Days an invoice may be paid in (Spanish public bodies: 30).
pub const DAYS_TO_PAY: i64 = 30;

/// Series of ordinary invoices (`F2026-000001`).
pub const ORDINARY: &str = "F";
/// Series of rectifying invoices (`R2026-000001`).
pub const RECTIFYING: &str = "R";

/// Why an invoice action was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The council is not in invoice mode (no invoice details).
    NotInvoiced,
    /// Its plan has no price for that period.
    NoPrice,
    /// An invoice for that period exists (rectify it instead).
    AlreadyIssued,
    /// No such invoice.
    NotFound,
    /// The payment is recorded already.
    AlreadyPaid,
    /// The invoice was rectified already (or is itself a rectification).
    NotRectifiable,
}

impl Refusal {
    /// Its stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::NotInvoiced => "not_invoiced",
            Self::NoPrice => "no_price",
            Self::AlreadyIssued => "already_issued",
            Self::NotFound => "not_found",
            Self::AlreadyPaid => "already_paid",
            Self::NotRectifiable => "not_rectifiable",
        }
    }
}

/// Puts `tenant` in invoice mode with `buyer` (checked), or updates its
/// details (invoices already issued keep the details they were issued
/// with).
pub async fn set_buyer(tenancy: &Tenancy, tenant: &Tenant, buyer: Buyer) -> Result<Buyer> {
    let buyer = buyer.checked_as("invoice details")?;
    let mut tx = tenancy.pool().begin().await?;
    store_buyer(&mut tx, tenant.id, &buyer).await?;
    tx.commit().await?;
    tracing::info!(tenant = %tenant.slug, "council put in invoice mode");
    Ok(buyer)
}

/// Stores `buyer` (checked) as `tenant`'s invoice details; a request for
/// invoice mode it may have had is answered by it.
pub(crate) async fn store_buyer(
    conn: &mut sqlx::PgConnection,
    tenant: TenantId,
    buyer: &Buyer,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO platform.invoice_buyers (tenant_id, details) VALUES ($1, $2)
         ON CONFLICT (tenant_id) DO UPDATE SET details = EXCLUDED.details, updated_at = now()",
    )
    .bind(tenant.0)
    .bind(sqlx::types::Json(buyer))
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM platform.invoice_requests WHERE tenant_id = $1")
        .bind(tenant.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// `tenant`'s invoice details, when it is in invoice mode.
pub async fn buyer(tenancy: &Tenancy, tenant: &Tenant) -> Result<Option<Buyer>> {
    let details: Option<sqlx::types::Json<Buyer>> =
        sqlx::query_scalar("SELECT details FROM platform.invoice_buyers WHERE tenant_id = $1")
            .bind(tenant.id.0)
            .fetch_optional(tenancy.pool())
            .await?;
    Ok(details.map(|d| d.0))
}

/// One line of an invoice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// What is charged (`Plan Municipio, diciembre de 2026`).
    pub description: String,
    /// Net amount in cents (negative in a rectifying invoice).
    pub net_cents: i64,
}

/// An issued invoice, as stored (immutable but for its payment).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invoice {
    /// `F` or `R`.
    pub series: String,
    /// Year of the series.
    pub year: i32,
    /// Number within the series and year (from 1, without gaps).
    pub number: i32,
    /// The council.
    pub tenant: TenantId,
    /// Issued on.
    pub issued_on: Date,
    /// Period invoiced.
    pub period: (Date, Date),
    /// Who issued it and who pays, as they were when it was issued.
    pub seller: Seller,
    /// The council's details.
    pub buyer: Buyer,
    /// What is charged.
    pub lines: Vec<Line>,
    /// ISO 4217.
    pub currency: String,
    /// VAT, in percent.
    pub vat_percent: i32,
    /// Net, VAT and total, in cents.
    pub net_cents: i64,
    /// VAT in cents.
    pub vat_cents: i64,
    /// Total in cents.
    pub total_cents: i64,
    /// Due on.
    pub due_on: Date,
    /// The invoice this one rectifies, and why.
    pub rectifies: Option<(String, String)>,
    /// Paid on, with the operator's reference.
    pub paid: Option<(Date, String)>,
}

impl Invoice {
    /// Its number as printed: `F2026-000007`.
    pub fn code(&self) -> String {
        code(&self.series, self.year, self.number)
    }
}

fn code(series: &str, year: i32, number: i32) -> String {
    format!("{series}{year}-{number:06}")
}

/// `F2026-000007` as (series, year, number).
fn parse_code(text: &str) -> Option<(String, i32, i32)> {
    let text = text.trim();
    let series = text.get(..1)?;
    let (year, number) = text.get(1..)?.split_once('-')?;
    Some((series.to_owned(), year.parse().ok()?, number.parse().ok()?))
}

/// What is invoiced: a calendar month, or a year.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    /// `2026-12`.
    Month(i32, time::Month),
    /// `2026`.
    Year(i32),
}

impl Period {
    /// Reads `2026-12` or `2026`.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().split_once('-') {
            Some((year, month)) => {
                let month = time::Month::try_from(month.parse::<u8>().ok()?).ok()?;
                Some(Self::Month(year.parse().ok()?, month))
            }
            None => Some(Self::Year(text.trim().parse().ok()?)),
        }
    }

    /// Its first and last day.
    fn days(self) -> Option<(Date, Date)> {
        match self {
            Self::Month(year, month) => {
                let first = Date::from_calendar_date(year, month, 1).ok()?;
                let last = Date::from_calendar_date(year, month, month.length(year)).ok()?;
                Some((first, last))
            }
            Self::Year(year) => Some((
                Date::from_calendar_date(year, time::Month::January, 1).ok()?,
                Date::from_calendar_date(year, time::Month::December, 31).ok()?,
            )),
        }
    }
}

const SPANISH_MONTHS: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];

/// An invoice's row.
#[derive(sqlx::FromRow)]
struct Row {
    series: String,
    year: i32,
    number: i32,
    tenant_id: uuid::Uuid,
    issued_on: Date,
    period_start: Date,
    period_end: Date,
    seller: sqlx::types::Json<Seller>,
    buyer: sqlx::types::Json<Buyer>,
    lines: sqlx::types::Json<Vec<Line>>,
    currency: String,
    vat_percent: i32,
    net_cents: i64,
    vat_cents: i64,
    total_cents: i64,
    due_on: Date,
    rectified: Option<String>,
    reason: Option<String>,
    paid_on: Option<Date>,
    payment_reference: Option<String>,
}

const COLUMNS: &str = "i.series, i.year, i.number, i.tenant_id, i.issued_on, i.period_start,
    i.period_end, i.seller, i.buyer, i.lines, i.currency, i.vat_percent, i.net_cents, i.vat_cents,
    i.total_cents, i.due_on, r.series || r.year || '-' || lpad(r.number::text, 6, '0') AS rectified,
    i.reason, i.paid_on, i.payment_reference";

fn from_row(row: Row) -> Invoice {
    Invoice {
        series: row.series,
        year: row.year,
        number: row.number,
        tenant: TenantId(row.tenant_id),
        issued_on: row.issued_on,
        period: (row.period_start, row.period_end),
        seller: row.seller.0,
        buyer: row.buyer.0,
        lines: row.lines.0,
        currency: row.currency,
        vat_percent: row.vat_percent,
        net_cents: row.net_cents,
        vat_cents: row.vat_cents,
        total_cents: row.total_cents,
        due_on: row.due_on,
        rectifies: row
            .rectified
            .map(|code| (code, row.reason.unwrap_or_default())),
        paid: row
            .paid_on
            .map(|on| (on, row.payment_reference.unwrap_or_default())),
    }
}

/// The invoice `code` (`F2026-000007`).
pub async fn get(tenancy: &Tenancy, code: &str) -> Result<Option<Invoice>> {
    let Some((series, year, number)) = parse_code(code) else {
        return Ok(None);
    };
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM platform.invoices i LEFT JOIN platform.invoices r ON r.id = i.rectifies
         WHERE i.series = $1 AND i.year = $2 AND i.number = $3"
    )))
    .bind(series)
    .bind(year)
    .bind(number)
    .fetch_optional(tenancy.pool())
    .await?;
    Ok(row.map(from_row))
}

/// Every invoice (of `tenant`), newest first.
pub async fn list(tenancy: &Tenancy, tenant: Option<&Tenant>) -> Result<Vec<Invoice>> {
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM platform.invoices i LEFT JOIN platform.invoices r ON r.id = i.rectifies
         WHERE $1::uuid IS NULL OR i.tenant_id = $1
         ORDER BY i.issued_on DESC, i.series, i.year DESC, i.number DESC"
    )))
    .bind(tenant.map(|t| t.id.0))
    .fetch_all(tenancy.pool())
    .await?;
    Ok(rows.into_iter().map(from_row).collect())
}

/// The next number of `series` in `year`, taken in `tx` (gapless: the
/// counter row is locked until `tx` ends, and rolls back with it).
async fn next_number(tx: &mut sqlx::PgConnection, series: &str, year: i32) -> Result<i32> {
    Ok(sqlx::query_scalar(
        "INSERT INTO platform.invoice_series (series, year, last) VALUES ($1, $2, 1)
         ON CONFLICT (series, year) DO UPDATE SET last = platform.invoice_series.last + 1
         RETURNING last",
    )
    .bind(series)
    .bind(year)
    .fetch_one(&mut *tx)
    .await?)
}

/// Issues `tenant`'s invoice for `period` of its plan, dated `on`, as
/// `seller`: refused when it is not in invoice mode, its plan has no
/// price for that period, or the period is invoiced already.
pub async fn issue(
    tenancy: &Tenancy,
    tenant: &Tenant,
    seller: &Seller,
    period: Period,
    on: Date,
) -> Result<std::result::Result<Invoice, Refusal>> {
    let Some(buyer) = buyer(tenancy, tenant).await? else {
        return Ok(Err(Refusal::NotInvoiced));
    };
    let status = crate::councils::status(tenancy, tenant).await?;
    let plan = (plans::list(tenancy).await?.into_iter()).find(|p| p.plan.slug == status.plan);
    let Some(plan) = plan.map(|p| p.plan) else {
        return Ok(Err(Refusal::NoPrice));
    };
    let price = &plan.price;
    let (net, what) = match period {
        Period::Month(year, month) => (
            Some(price.monthly_cents),
            format!("{} de {year}", month_name(month)),
        ),
        Period::Year(year) => (price.yearly_cents, format!("año {year}")),
    };
    let Some(net) = net.filter(|n| *n > 0) else {
        return Ok(Err(Refusal::NoPrice));
    };
    let Some((start, end)) = period.days() else {
        return Ok(Err(Refusal::NoPrice));
    };
    let description = format!("Plan {} de Cabildo: {what}", plan.name("es"));
    let net = i64::try_from(net).unwrap_or(i64::MAX);
    let vat = i64::try_from(price.with_vat(net.unsigned_abs())).unwrap_or(i64::MAX) - net;
    let mut tx = tenancy.pool().begin().await?;
    let number = next_number(&mut tx, ORDINARY, on.year()).await?;
    let inserted = sqlx::query(
        "INSERT INTO platform.invoices (series, year, number, tenant_id, issued_on, period_start,
             period_end, seller, buyer, lines, currency, vat_percent, net_cents, vat_cents,
             total_cents, due_on)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
         ON CONFLICT (tenant_id, period_start, period_end) WHERE rectifies IS NULL DO NOTHING",
    )
    .bind(ORDINARY)
    .bind(on.year())
    .bind(number)
    .bind(tenant.id.0)
    .bind(on)
    .bind(start)
    .bind(end)
    .bind(sqlx::types::Json(seller))
    .bind(sqlx::types::Json(&buyer))
    .bind(sqlx::types::Json(vec![Line {
        description,
        net_cents: net,
    }]))
    .bind(&price.currency)
    .bind(i32::from(price.vat_percent))
    .bind(net)
    .bind(vat)
    .bind(net + vat)
    .bind(on + time::Duration::days(DAYS_TO_PAY))
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        // The number taken rolls back with the transaction: no gap.
        return Ok(Err(Refusal::AlreadyIssued));
    }
    tx.commit().await?;
    tracing::info!(tenant = %tenant.slug, number, "invoice issued");
    read_back(tenancy, &code(ORDINARY, on.year(), number))
        .await
        .map(Ok)
}

/// The invoice just issued as `code`, as stored.
async fn read_back(tenancy: &Tenancy, code: &str) -> Result<Invoice> {
    get(tenancy, code)
        .await?
        .ok_or_else(|| BillingError::Invalid {
            file: "platform.invoices".into(),
            reason: format!("{code} was issued but cannot be read"),
        })
}

fn month_name(month: time::Month) -> &'static str {
    SPANISH_MONTHS[usize::from(u8::from(month)) - 1]
}

/// Rectifies invoice `code` whole (a rectifying invoice with every amount
/// negated, in its own series), for `reason`, dated `on`. The original
/// stays as it was; a correct invoice for the period may then be issued.
pub async fn rectify(
    tenancy: &Tenancy,
    code_text: &str,
    reason: &str,
    on: Date,
) -> Result<std::result::Result<Invoice, Refusal>> {
    let Some(original) = get(tenancy, code_text).await? else {
        return Ok(Err(Refusal::NotFound));
    };
    let reason = reason.trim();
    if original.rectifies.is_some() || reason.is_empty() {
        return Ok(Err(Refusal::NotRectifiable));
    }
    let mut tx = tenancy.pool().begin().await?;
    let number = next_number(&mut tx, RECTIFYING, on.year()).await?;
    let negated: Vec<Line> = (original.lines.iter())
        .map(|l| Line {
            description: l.description.clone(),
            net_cents: -l.net_cents,
        })
        .collect();
    let inserted = sqlx::query(
        "INSERT INTO platform.invoices (series, year, number, tenant_id, issued_on, period_start,
             period_end, seller, buyer, lines, currency, vat_percent, net_cents, vat_cents,
             total_cents, due_on, rectifies, reason)
         SELECT $1, $2, $3, o.tenant_id, $4, o.period_start, o.period_end, o.seller, o.buyer, $5,
                o.currency, o.vat_percent, -o.net_cents, -o.vat_cents, -o.total_cents, $4, o.id, $6
         FROM platform.invoices o
         WHERE o.series = $7 AND o.year = $8 AND o.number = $9
           AND NOT EXISTS (SELECT 1 FROM platform.invoices x WHERE x.rectifies = o.id)",
    )
    .bind(RECTIFYING)
    .bind(on.year())
    .bind(number)
    .bind(on)
    .bind(sqlx::types::Json(&negated))
    .bind(reason)
    .bind(&original.series)
    .bind(original.year)
    .bind(original.number)
    .execute(&mut *tx)
    .await;
    match inserted {
        Ok(done) if done.rows_affected() == 1 => {}
        // Rectified already, by this or a concurrent call.
        Ok(_) => return Ok(Err(Refusal::NotRectifiable)),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            return Ok(Err(Refusal::NotRectifiable));
        }
        Err(error) => return Err(error.into()),
    }
    tx.commit().await?;
    read_back(tenancy, &code(RECTIFYING, on.year(), number))
        .await
        .map(Ok)
}

/// Records that invoice `code` was paid on `on` (the operator's
/// `reference`: the transfer, FACe's record); a council whose invoices are
/// all paid is no longer overdue, on every node at once.
pub async fn record_payment(
    tenancy: &Tenancy,
    code_text: &str,
    on: Date,
    reference: &str,
) -> Result<std::result::Result<(), Refusal>> {
    let Some((series, year, number)) = parse_code(code_text) else {
        return Ok(Err(Refusal::NotFound));
    };
    let mut tx = tenancy.pool().begin().await?;
    let found: Option<(uuid::Uuid, Option<Date>)> = sqlx::query_as(
        "SELECT tenant_id, paid_on FROM platform.invoices
         WHERE series = $1 AND year = $2 AND number = $3 FOR UPDATE",
    )
    .bind(&series)
    .bind(year)
    .bind(number)
    .fetch_optional(&mut *tx)
    .await?;
    let tenant = match found {
        None => return Ok(Err(Refusal::NotFound)),
        Some((_, Some(_))) => return Ok(Err(Refusal::AlreadyPaid)),
        Some((tenant, None)) => tenant,
    };
    sqlx::query(
        "UPDATE platform.invoices SET paid_on = $4, payment_reference = $5
         WHERE series = $1 AND year = $2 AND number = $3",
    )
    .bind(&series)
    .bind(year)
    .bind(number)
    .bind(on)
    .bind(reference.trim())
    .execute(&mut *tx)
    .await?;
    lift_if_settled(&mut tx, tenant).await?;
    tx.commit().await?;
    if let Some(council) = tenancy.find_tenant_by_id(TenantId(tenant)).await? {
        tenancy.changed(&council).await;
    }
    Ok(Ok(()))
}

/// Lifts a council's dunning when none of its invoices is unpaid past due
/// (a card subscription that is not paid keeps it).
async fn lift_if_settled(tx: &mut sqlx::PgConnection, tenant: uuid::Uuid) -> Result<()> {
    sqlx::query(
        "UPDATE platform.tenants t SET overdue_since = NULL, held_from = NULL, updated_at = now()
         WHERE t.id = $1 AND t.overdue_since IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM platform.invoices i WHERE i.tenant_id = t.id
                           AND i.paid_on IS NULL AND i.total_cents > 0 AND i.due_on < current_date
                           AND NOT EXISTS (SELECT 1 FROM platform.invoices r WHERE r.rectifies = i.id))
           AND NOT EXISTS (SELECT 1 FROM platform.subscriptions s WHERE s.tenant_id = t.id
                           AND s.status IN ('past_due', 'unpaid'))",
    )
    .bind(tenant)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Starts dunning for councils with an invoice unpaid past its due date
/// (once; the grace period counts from the due date): the councils it
/// started for now.
pub async fn sweep(tenancy: &Tenancy, grace_days: u32) -> Result<Vec<TenantId>> {
    let started: Vec<uuid::Uuid> = sqlx::query_scalar(
        "UPDATE platform.tenants t
         SET overdue_since = o.due, held_from = o.due + make_interval(days => $1), updated_at = now()
         FROM (SELECT i.tenant_id, min(i.due_on)::timestamptz AS due FROM platform.invoices i
               WHERE i.paid_on IS NULL AND i.total_cents > 0 AND i.due_on < current_date
                 AND NOT EXISTS (SELECT 1 FROM platform.invoices r WHERE r.rectifies = i.id)
               GROUP BY i.tenant_id) o
         WHERE t.id = o.tenant_id AND t.overdue_since IS NULL
         RETURNING t.id",
    )
    .bind(i32::try_from(grace_days).unwrap_or(i32::MAX))
    .fetch_all(tenancy.pool())
    .await?;
    for id in &started {
        if let Some(council) = tenancy.find_tenant_by_id(TenantId(*id)).await? {
            tenancy.changed(&council).await;
        }
    }
    Ok(started.into_iter().map(TenantId).collect())
}

/// Cents as Facturae writes amounts (`242.00`, `-242.00`).
fn amount(cents: i64, decimals: usize) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let (units, rest) = (cents.unsigned_abs() / 100, cents.unsigned_abs() % 100);
    format!(
        "{sign}{units}.{rest:02}{}",
        "0".repeat(decimals.saturating_sub(2))
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Facturae's tax identification block for `tax_id` (`J`: a legal entity;
/// a DNI or NIE: `F`, an individual).
fn tax_identification(tax_id: &str) -> String {
    let person = if tax_id.starts_with(|c: char| c.is_ascii_digit() || "XYZ".contains(c)) {
        "F"
    } else {
        "J"
    };
    format!(
        "<TaxIdentification><PersonTypeCode>{person}</PersonTypeCode><ResidenceTypeCode>R</ResidenceTypeCode><TaxIdentificationNumber>ES{}</TaxIdentificationNumber></TaxIdentification>",
        escape(tax_id)
    )
}

fn address(entity: &Entity) -> String {
    format!(
        "<AddressInSpain><Address>{}</Address><PostCode>{}</PostCode><Town>{}</Town><Province>{}</Province><CountryCode>ESP</CountryCode></AddressInSpain>",
        escape(&entity.address),
        escape(&entity.postcode),
        escape(&entity.town),
        escape(&entity.province)
    )
}

fn legal_entity(entity: &Entity) -> String {
    format!(
        "<LegalEntity><CorporateName>{}</CorporateName>{}</LegalEntity>",
        escape(&entity.legal_name),
        address(entity)
    )
}

fn tax(invoice: &Invoice, net: i64, vat: i64) -> String {
    format!(
        "<Tax><TaxTypeCode>01</TaxTypeCode><TaxRate>{}.00</TaxRate><TaxableBase><TotalAmount>{}</TotalAmount></TaxableBase><TaxAmount><TotalAmount>{}</TotalAmount></TaxAmount></Tax>",
        invoice.vat_percent,
        amount(net, 2),
        amount(vat, 2)
    )
}

/// The invoice as a Facturae 3.2.2 file (unsigned), one invoice per file
/// (modality `I`), the buyer's three DIR3 centres as FACe requires.
pub fn facturae(invoice: &Invoice) -> String {
    let total = amount(invoice.total_cents, 2);
    let seller = &invoice.seller;
    let buyer = &invoice.buyer;
    let mut xml = String::with_capacity(4096);
    xml.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    xml.push_str("<fe:Facturae xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" xmlns:fe=\"http://www.facturae.gob.es/formato/Versiones/Facturaev3_2_2.xml\">");
    let _ = write!(
        xml,
        "<FileHeader><SchemaVersion>3.2.2</SchemaVersion><Modality>I</Modality><InvoiceIssuerType>EM</InvoiceIssuerType>\
         <Batch><BatchIdentifier>{}{}</BatchIdentifier><InvoicesCount>1</InvoicesCount>\
         <TotalInvoicesAmount><TotalAmount>{total}</TotalAmount></TotalInvoicesAmount>\
         <TotalOutstandingAmount><TotalAmount>{total}</TotalAmount></TotalOutstandingAmount>\
         <TotalExecutableAmount><TotalAmount>{total}</TotalAmount></TotalExecutableAmount>\
         <InvoiceCurrencyCode>{}</InvoiceCurrencyCode></Batch></FileHeader>",
        escape(&seller.entity.tax_id),
        invoice.code(),
        escape(&invoice.currency)
    );
    let centres: String = [
        ("01", &buyer.dir3_accounting),
        ("02", &buyer.dir3_management),
        ("03", &buyer.dir3_processing),
    ]
    .iter()
    .map(|(role, code)| {
        format!(
            "<AdministrativeCentre><CentreCode>{}</CentreCode><RoleTypeCode>{role}</RoleTypeCode>{}</AdministrativeCentre>",
            escape(code),
            address(&buyer.entity)
        )
    })
    .collect();
    let _ = write!(
        xml,
        "<Parties><SellerParty>{}{}</SellerParty><BuyerParty>{}<AdministrativeCentres>{centres}</AdministrativeCentres>{}</BuyerParty></Parties>",
        tax_identification(&seller.entity.tax_id),
        legal_entity(&seller.entity),
        tax_identification(&buyer.entity.tax_id),
        legal_entity(&buyer.entity)
    );
    let (class, corrective) = match &invoice.rectifies {
        None => ("OO", String::new()),
        Some((original, reason)) => {
            let (series, year, number) = parse_code(original).unwrap_or_default();
            (
                "OR",
                format!(
                    "<Corrective><InvoiceNumber>{number}</InvoiceNumber><InvoiceSeriesCode>{series}{year}</InvoiceSeriesCode>\
                     <ReasonCode>16</ReasonCode><ReasonDescription>Base imponible</ReasonDescription>\
                     <TaxPeriod><StartDate>{}</StartDate><EndDate>{}</EndDate></TaxPeriod>\
                     <CorrectionMethod>01</CorrectionMethod><CorrectionMethodDescription>Rectificación íntegra</CorrectionMethodDescription>\
                     <AdditionalReasonDescription>{}</AdditionalReasonDescription></Corrective>",
                    invoice.period.0,
                    invoice.period.1,
                    escape(reason)
                ),
            )
        }
    };
    let items: String = (invoice.lines.iter())
        .map(|line| {
            let vat = line.net_cents * i64::from(invoice.vat_percent);
            let vat = (vat.abs() + 50) / 100 * vat.signum();
            format!(
                "<InvoiceLine><ItemDescription>{}</ItemDescription><Quantity>1.0</Quantity><UnitOfMeasure>01</UnitOfMeasure>\
                 <UnitPriceWithoutTax>{}</UnitPriceWithoutTax><TotalCost>{}</TotalCost><GrossAmount>{}</GrossAmount>\
                 <TaxesOutputs>{}</TaxesOutputs></InvoiceLine>",
                escape(&line.description),
                amount(line.net_cents, 6),
                amount(line.net_cents, 6),
                amount(line.net_cents, 6),
                tax(invoice, line.net_cents, vat)
            )
        })
        .collect();
    let net = amount(invoice.net_cents, 2);
    let _ = writeln!(
        xml,
        "<Invoices><Invoice><InvoiceHeader><InvoiceNumber>{}</InvoiceNumber><InvoiceSeriesCode>{}{}</InvoiceSeriesCode>\
         <InvoiceDocumentType>FC</InvoiceDocumentType><InvoiceClass>{class}</InvoiceClass>{corrective}</InvoiceHeader>\
         <InvoiceIssueData><IssueDate>{}</IssueDate><InvoicingPeriod><StartDate>{}</StartDate><EndDate>{}</EndDate></InvoicingPeriod>\
         <InvoiceCurrencyCode>{}</InvoiceCurrencyCode><TaxCurrencyCode>{}</TaxCurrencyCode><LanguageName>es</LanguageName></InvoiceIssueData>\
         <TaxesOutputs>{}</TaxesOutputs>\
         <InvoiceTotals><TotalGrossAmount>{net}</TotalGrossAmount><TotalGrossAmountBeforeTaxes>{net}</TotalGrossAmountBeforeTaxes>\
         <TotalTaxOutputs>{}</TotalTaxOutputs><TotalTaxesWithheld>0.00</TotalTaxesWithheld><InvoiceTotal>{total}</InvoiceTotal>\
         <TotalOutstandingAmount>{total}</TotalOutstandingAmount><TotalExecutableAmount>{total}</TotalExecutableAmount></InvoiceTotals>\
         <Items>{items}</Items>\
         <PaymentDetails><Installment><InstallmentDueDate>{}</InstallmentDueDate><InstallmentAmount>{total}</InstallmentAmount>\
         <PaymentMeans>04</PaymentMeans><AccountToBeCredited><IBAN>{}</IBAN></AccountToBeCredited></Installment></PaymentDetails>\
         </Invoice></Invoices></fe:Facturae>",
        invoice.number,
        invoice.series,
        invoice.year,
        invoice.issued_on,
        invoice.period.0,
        invoice.period.1,
        escape(&invoice.currency),
        escape(&invoice.currency),
        tax(invoice, invoice.net_cents, invoice.vat_cents),
        amount(invoice.vat_cents, 2),
        invoice.due_on,
        escape(&seller.iban)
    );
    xml
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_and_codes_read_back() {
        assert_eq!(
            Period::parse("2026-12"),
            Some(Period::Month(2026, time::Month::December))
        );
        assert_eq!(Period::parse("2027"), Some(Period::Year(2027)));
        assert_eq!(Period::parse("2026-13"), None);
        assert_eq!(parse_code("F2026-000007"), Some(("F".into(), 2026, 7)));
        assert_eq!(code("R", 2027, 12), "R2027-000012");
        assert_eq!(amount(24_200, 2), "242.00");
        assert_eq!(amount(-5, 6), "-0.050000");
    }
}
