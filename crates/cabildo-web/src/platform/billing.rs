//! `/console/billing` (operators): the requests for invoice mode waiting
//! for an answer, every council's plan and how it pays (those behind on
//! payments first), the invoices, where an operator records a payment
//! received (by transfer, or as FACe reports it), and the plans.

use crate::http::error::PageError;
use crate::platform::pages::operator;
use crate::platform::visitor::{PlatformForm, PlatformVisitor};
use crate::staff::billing::{PlanFacts, describe};
use crate::staff::invoices as invoices_page;
use crate::ui::format::money_exact;
use crate::ui::i18n::Tr;
use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use cabildo_billing::councils::{self, Overview};
use cabildo_billing::invoices::{self, Invoice, Refusal};
use cabildo_billing::requests::{self, Request};
use cabildo_tenancy::TenantId;
use serde::Deserialize;
use time::OffsetDateTime;

/// A council's line.
struct CouncilRow {
    name: String,
    slug: String,
    plan: String,
    /// By card (its state), against invoices, on a trial, or not at all.
    pays: String,
    /// Up to date, or overdue since … (held from …).
    state: String,
    overdue: bool,
}

/// An invoice's line.
struct InvoiceRow {
    code: String,
    council: String,
    total: String,
    due: String,
    state: String,
    /// Unpaid: a payment can be recorded.
    open: bool,
}

/// A request for invoice mode.
struct RequestRow {
    tenant: String,
    council: String,
    /// Who asked, and when.
    asked: String,
    /// The details given, line by line.
    details: Vec<String>,
}

/// A plan, and how many councils are on it.
struct PlanRow {
    facts: PlanFacts,
    offered: bool,
    councils: i64,
    /// Its Stripe prices are set (it can be paid by card).
    by_card: bool,
}

#[derive(Template)]
#[template(path = "console_billing.html")]
struct Page<'a> {
    tr: &'a Tr,
    csrf: &'a str,
    requests: Vec<RequestRow>,
    councils: Vec<CouncilRow>,
    invoices: Vec<InvoiceRow>,
    plans: Vec<PlanRow>,
    notice: Option<String>,
    error: Option<String>,
    today: String,
}

fn council_row(tr: &Tr, plans: &[cabildo_billing::plans::StoredPlan], o: &Overview) -> CouncilRow {
    let status = &o.status;
    let plan = (plans.iter())
        .find(|p| p.plan.slug == status.plan)
        .map_or_else(
            || tr.t("billing-no-plan"),
            |p| p.plan.name(tr.code()).to_owned(),
        );
    let pays = match (&status.card, o.invoiced, status.trial_ends_at) {
        (_, true, _) => tr.t("console-billing-invoiced"),
        (Some(card), _, _) => match (card.status.as_deref(), card.paid_through) {
            (Some(state), Some(through)) => tr.args(
                "console-billing-card-through",
                &[("state", state.to_owned()), ("date", tr.date(through))],
            ),
            (Some(state), None) => tr.with("console-billing-card", "state", state),
            (None, _) => tr.t("console-billing-checkout-open"),
        },
        (None, false, Some(ends)) => tr.with("billing-trial-ends", "date", &tr.date(ends)),
        (None, false, None) => "—".to_owned(),
    };
    let state = match (status.overdue_since, status.held_from) {
        (Some(since), Some(held)) => tr.args(
            "console-billing-overdue",
            &[("since", tr.date(since)), ("held", tr.date(held))],
        ),
        _ => tr.t("console-billing-up-to-date"),
    };
    CouncilRow {
        name: o.name.clone(),
        slug: o.slug.clone(),
        plan,
        pays,
        state,
        overdue: status.overdue_since.is_some(),
    }
}

fn invoice_row(tr: &Tr, names: &[Overview], invoice: &Invoice) -> InvoiceRow {
    let state = match &invoice.paid {
        Some((_, reference)) => format!("{} ({reference})", invoices_page::state(tr, invoice)),
        None => invoices_page::state(tr, invoice),
    };
    let council = (names.iter()).find(|o| o.id == invoice.tenant).map_or_else(
        || invoice.buyer.entity.legal_name.clone(),
        |o| o.name.clone(),
    );
    InvoiceRow {
        code: invoice.code(),
        council,
        total: money_exact(tr, invoice.total_cents, &invoice.currency),
        due: tr.day(invoice.due_on),
        state,
        open: invoice.paid.is_none() && invoice.rectifies.is_none() && invoice.total_cents > 0,
    }
}

fn request_row(tr: &Tr, names: &[Overview], request: &Request) -> RequestRow {
    let b = &request.buyer;
    let e = &b.entity;
    RequestRow {
        tenant: request.tenant.0.to_string(),
        council: (names.iter()).find(|o| o.id == request.tenant).map_or_else(
            || e.legal_name.clone(),
            |o| format!("{} ({})", o.name, o.slug),
        ),
        asked: tr.args(
            "console-billing-asked",
            &[
                ("who", request.requested_by.clone()),
                ("date", tr.date(request.requested_at)),
            ],
        ),
        details: vec![
            e.legal_name.clone(),
            format!("NIF {}", e.tax_id),
            format!("{}, {} {} ({})", e.address, e.postcode, e.town, e.province),
            format!(
                "DIR3: {} · {} · {}",
                b.dir3_accounting, b.dir3_management, b.dir3_processing
            ),
        ],
    }
}

/// `?done=paid|accepted|declined`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Done {
    done: String,
}

async fn render(
    visitor: &PlatformVisitor,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let tr = &visitor.tr;
    let tenancy = &visitor.state.tenancy;
    let failed = |e: cabildo_billing::BillingError| PageError::Internal(Box::new(e));
    let overview = councils::overview(tenancy).await.map_err(failed)?;
    let plans = cabildo_billing::plans::list(tenancy)
        .await
        .map_err(failed)?;
    let listed = invoices::list(tenancy, None).await.map_err(failed)?;
    let pending = requests::pending(tenancy).await.map_err(failed)?;
    let page = Page {
        tr,
        csrf: &visitor.csrf,
        requests: (pending.iter())
            .map(|r| request_row(tr, &overview, r))
            .collect(),
        plans: (plans.iter())
            .map(|p| PlanRow {
                facts: describe(tr, &p.plan),
                offered: p.offered,
                councils: i64::try_from(
                    (overview.iter())
                        .filter(|o| o.status.plan == p.plan.slug)
                        .count(),
                )
                .unwrap_or(i64::MAX),
                by_card: p.plan.stripe.is_some(),
            })
            .collect(),
        councils: overview
            .iter()
            .map(|o| council_row(tr, &plans, o))
            .collect(),
        invoices: listed
            .iter()
            .map(|i| invoice_row(tr, &overview, i))
            .collect(),
        notice,
        error,
        today: OffsetDateTime::now_utc().date().to_string(),
    };
    Ok(visitor.respond((status, Html(page.render()?)).into_response()))
}

/// `GET /console/billing` (operators).
pub async fn page(
    visitor: PlatformVisitor,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    operator(&visitor, true)?;
    let notice = match done.done.as_str() {
        "paid" => Some(visitor.tr.t("console-billing-paid")),
        "accepted" => Some(visitor.tr.t("console-billing-accepted")),
        "declined" => Some(visitor.tr.t("console-billing-declined")),
        _ => None,
    };
    render(&visitor, notice, None, StatusCode::OK).await
}

/// Writes an operator's billing change into the council's audit log, and
/// mails its admins `mail` when given. The change stands whatever happens
/// here: a failure is logged.
async fn in_council(
    visitor: &PlatformVisitor,
    account: &cabildo_engine::platform::Account,
    council: TenantId,
    (action, subject, details): (&str, Option<&str>, serde_json::Value),
    mail: Option<&str>,
) {
    let tenancy = &visitor.state.tenancy;
    let recorded = async {
        let Some(council) = tenancy.find_tenant_by_id(council).await? else {
            return Ok(());
        };
        let mut tx = tenancy.begin(&council).await?;
        let actor = cabildo_engine::staff::Actor(format!("platform:{}", account.email));
        cabildo_engine::staff::audit(&mut tx, &actor, action, subject, details).await?;
        if let Some(kind) = mail {
            cabildo_engine::staff::mail_admins(&mut tx, kind, "/staff/billing").await?;
        }
        tx.commit().await?;
        tenancy.jobs_committed();
        Ok::<_, cabildo_engine::Error>(())
    };
    if let Err(error) = recorded.await {
        tracing::warn!(%error, action, "a billing change could not be written to the audit log");
    }
}

/// `GET /console/billing/invoices/{code}.pdf|.xml` (operators): an
/// invoice's PDF, in the operator's language, or its Facturae file.
pub async fn file(
    visitor: PlatformVisitor,
    axum::extract::Path(code): axum::extract::Path<String>,
) -> Result<Response, PageError> {
    operator(&visitor, true)?;
    let Some((number, extension)) = code.rsplit_once('.') else {
        return Err(PageError::NotFound);
    };
    let invoice = invoices::get(&visitor.state.tenancy, number)
        .await
        .map_err(|e| PageError::Internal(Box::new(e)))?
        .ok_or(PageError::NotFound)?;
    invoices_page::file(&visitor.tr, &invoice, extension).ok_or(PageError::NotFound)
}

/// A payment received.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PaymentForm {
    number: String,
    on: String,
    reference: String,
}

/// `POST /console/billing/paid` (operators): records an invoice's payment.
pub async fn paid(
    visitor: PlatformVisitor,
    form: PlatformForm<PaymentForm>,
) -> Result<Response, PageError> {
    let account = operator(&visitor, form.csrf_ok)?;
    let form = &form.value;
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let on = time::Date::parse(form.on.trim(), format).ok();
    let reference = form.reference.trim();
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let (Some(on), false) = (on, reference.is_empty() || reference.chars().count() > 100) else {
        let error = visitor.tr.t("console-billing-payment-invalid");
        return render(&visitor, None, Some(error), unprocessable).await;
    };
    let recorded = invoices::record_payment(&visitor.state.tenancy, &form.number, on, reference)
        .await
        .map_err(|e| PageError::Internal(Box::new(e)))?;
    match recorded {
        Ok(()) => {
            if let Some(invoice) = invoices::get(&visitor.state.tenancy, &form.number)
                .await
                .ok()
                .flatten()
            {
                let details = serde_json::json!({"on": on.to_string(), "reference": reference});
                let change = ("billing.payment", Some(form.number.as_str()), details);
                in_council(&visitor, account, invoice.tenant, change, None).await;
            }
            Ok(Redirect::to("/console/billing?done=paid").into_response())
        }
        Err(refusal) => {
            let key = match refusal {
                Refusal::AlreadyPaid => "console-billing-already-paid",
                _ => "console-billing-no-invoice",
            };
            let error = visitor.tr.t(key);
            render(&visitor, None, Some(error), StatusCode::CONFLICT).await
        }
    }
}

/// An operator's answer to a request for invoice mode.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnswerForm {
    tenant: String,
    /// `accept` or `decline`.
    decision: String,
    /// Why it is declined (shown to the council's admins).
    reason: String,
}

/// `POST /console/billing/requests` (operators): accepts a request (the
/// council pays against invoices from now on) or declines it with a
/// reason; the council's admins are mailed either way.
pub async fn answer(
    visitor: PlatformVisitor,
    form: PlatformForm<AnswerForm>,
) -> Result<Response, PageError> {
    let account = operator(&visitor, form.csrf_ok)?;
    let form = &form.value;
    let tenancy = &visitor.state.tenancy;
    let failed = |e: cabildo_billing::BillingError| PageError::Internal(Box::new(e));
    let Ok(council) = form.tenant.parse::<uuid::Uuid>().map(TenantId) else {
        return Err(PageError::Form);
    };
    let gone = || {
        let error = visitor.tr.t("console-billing-no-request");
        render(&visitor, None, Some(error), StatusCode::CONFLICT)
    };
    match form.decision.as_str() {
        "accept" => {
            let Some(buyer) = requests::accept(tenancy, council).await.map_err(failed)? else {
                return gone().await;
            };
            let details = serde_json::json!({"tax_id": buyer.entity.tax_id});
            let change = ("billing.invoiced", None, details);
            in_council(&visitor, account, council, change, Some("invoice-accepted")).await;
            Ok(Redirect::to("/console/billing?done=accepted").into_response())
        }
        "decline" => {
            let reason = form.reason.trim();
            if reason.is_empty() || reason.chars().count() > 300 {
                let error = visitor.tr.t("console-billing-reason-needed");
                let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
                return render(&visitor, None, Some(error), unprocessable).await;
            }
            if !requests::decline(tenancy, council, reason)
                .await
                .map_err(failed)?
            {
                return gone().await;
            }
            let details = serde_json::json!({"reason": reason});
            let change = ("billing.invoice_declined", None, details);
            in_council(&visitor, account, council, change, Some("invoice-declined")).await;
            Ok(Redirect::to("/console/billing?done=declined").into_response())
        }
        _ => Err(PageError::Form),
    }
}
