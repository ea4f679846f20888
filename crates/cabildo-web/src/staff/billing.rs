//! `/staff/billing` (admins): the council's plan, what it allows and how
//! much of it is used, the plans it can move to, and paying by card
//! through Stripe (Checkout for a new subscription, the Customer Portal
//! for cards and changes), or where a request to pay against invoices
//! stands (the form is `staff::invoicing`; the invoices `staff::invoices`).
//! Citizens never see any of it.

use crate::http::error::PageError;
use crate::http::extract::needs::ManageSettings;
use crate::http::extract::{CsrfForm, Granted};
use crate::http::storage::MEGABYTE;
use crate::ui::chrome::Chrome;
use crate::ui::format::money;
use crate::ui::i18n::Tr;
use askama::Template;
use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use cabildo_billing::councils::{self, Status};
use cabildo_billing::plans::{self, Plan};
use cabildo_billing::stripe::Stripe;
use cabildo_engine::staff::audit;
use cabildo_engine::{accounts, census, processes, staff as engine_staff};
use cabildo_tenancy::entitlements::{Feature, Limit};
use serde::Deserialize;
use time::OffsetDateTime;

/// A plan in words: its price with VAT, what it includes and its limits
/// (the billing page's cards, the operators' list of plans).
pub(crate) struct PlanFacts {
    pub slug: String,
    pub name: String,
    /// "190 € al mes (229,90 € con IVA)"; "Gratis" for a trial.
    pub price: String,
    pub yearly: Option<String>,
    pub features: Vec<String>,
    pub limits: Vec<String>,
}

/// One plan offered, as the page shows it.
struct PlanCard {
    facts: PlanFacts,
    current: bool,
    /// It can be paid by card monthly / yearly here (not while the
    /// council pays for a plan: changes are the portal's).
    card_monthly: bool,
    card_yearly: bool,
}

/// How much of a limit is used.
struct Meter {
    label: String,
    used: String,
    value: u64,
    /// The limit, when there is one.
    max: Option<u64>,
    most: Option<String>,
}

/// Paying against invoices, offered to a council that pays neither by
/// card nor against invoices: where its request stands, and the link to
/// the form.
struct Invoicing {
    state: String,
    link: String,
}

#[derive(Template)]
#[template(path = "staff_billing.html")]
struct Page<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    plan: String,
    /// Where the plan stands: trial until …, paid through …, overdue.
    state: Vec<String>,
    /// The council is held, or will be on a date (a warning to show).
    warning: Option<String>,
    notice: Option<String>,
    error: Option<String>,
    features: Vec<String>,
    meters: Vec<Meter>,
    plans: Vec<PlanCard>,
    /// Card payment is set up on this platform.
    card: bool,
    /// The council has a Stripe customer (the portal opens).
    portal: bool,
    /// It pays for a plan by card (changes go through the portal).
    paying: bool,
    /// It pays against invoices (invoice mode).
    invoiced: bool,
    invoices: Vec<super::invoices::InvoiceRow>,
    invoicing: Option<Invoicing>,
}

/// `?checkout=done|cancelled` after Stripe's page, `?done=` after others.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BillingQuery {
    checkout: Option<String>,
    done: Option<String>,
}

fn feature_name(tr: &Tr, feature: Feature) -> String {
    tr.t(&format!("plan-feature-{}", feature.as_str()))
}

fn limit_name(tr: &Tr, limit: Limit) -> String {
    tr.t(&format!("plan-limit-{}", limit.as_str()))
}

/// `text` with a capital first letter (names written for mid-sentence
/// use, as labels).
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// Whether the council pays (or owes) for a plan by card.
fn paying(status: &Status) -> bool {
    (status.card.as_ref())
        .and_then(|c| c.status.as_deref())
        .is_some_and(cabildo_billing::stripe::paying)
}

/// `plan` in `tr`'s words.
pub(crate) fn describe(tr: &Tr, plan: &Plan) -> PlanFacts {
    let price = &plan.price;
    let cents = |c: u64| i64::try_from(c).unwrap_or(i64::MAX);
    let with_vat = |net: u64, key: &str| {
        tr.args(
            key,
            &[
                ("net", money(tr, cents(net), &price.currency)),
                (
                    "gross",
                    money(tr, cents(price.with_vat(net)), &price.currency),
                ),
                ("vat", price.vat_percent.to_string()),
            ],
        )
    };
    let free = price.monthly_cents == 0;
    let e = &plan.entitlements;
    PlanFacts {
        slug: plan.slug.clone(),
        name: plan.name(tr.code()).to_owned(),
        price: match (free, plan.trial_days) {
            (true, Some(days)) => tr.count("billing-trial-days", i64::from(days)),
            (true, None) => tr.t("billing-free"),
            (false, _) => with_vat(price.monthly_cents, "billing-monthly"),
        },
        yearly: price.yearly_cents.map(|y| with_vat(y, "billing-yearly")),
        features: (e.features.iter()).map(|f| feature_name(tr, *f)).collect(),
        limits: (e.limits.named().into_iter())
            .map(|(limit, most)| match most {
                Some(most) => tr.args(
                    "billing-limit",
                    &[
                        ("what", limit_name(tr, limit)),
                        ("most", tr.number(i64::from(most))),
                    ],
                ),
                None => tr.with("billing-no-limit", "what", &limit_name(tr, limit)),
            })
            .collect(),
    }
}

fn card(tr: &Tr, plan: &Plan, status: &Status, card: bool, invoiced: bool) -> PlanCard {
    // A council that pays against invoices does not also pay by card.
    let paying = paying(status) || invoiced;
    // A council that pays changes plan in the portal: a second checkout
    // would be a second subscription.
    let card = card && !paying;
    let yearly_price = (plan.stripe.as_ref()).is_some_and(|s| s.yearly_price.is_some());
    PlanCard {
        facts: describe(tr, plan),
        current: plan.slug == status.plan,
        card_monthly: card && plan.stripe.is_some(),
        card_yearly: card && yearly_price,
    }
}

/// Where the plan stands, in sentences.
fn state(tr: &Tr, status: &Status) -> (Vec<String>, Option<String>) {
    let now = OffsetDateTime::now_utc();
    let mut lines = Vec::new();
    if let Some(ends) = status.trial_ends_at {
        let key = if ends > now {
            "billing-trial-ends"
        } else {
            "billing-trial-ended"
        };
        lines.push(tr.with(key, "date", &tr.date(ends)));
    }
    if let Some(card) = &status.card
        && let Some(paid) = card.paid_through
    {
        lines.push(tr.with("billing-paid-through", "date", &tr.date(paid)));
    }
    let warning = match (status.overdue_since, status.held_from) {
        (_, Some(held)) if held <= now => Some(tr.t("plan-required-payment")),
        (Some(_), Some(held)) => Some(tr.with("billing-overdue", "date", &tr.date(held))),
        _ => None,
    };
    (lines, warning)
}

async fn render(
    staff: &Granted<ManageSettings>,
    notice: Option<String>,
    error: Option<String>,
    status_code: StatusCode,
) -> Result<Response, PageError> {
    let state_ = &staff.state;
    let tr = &staff.tr;
    let status = councils::status(&state_.tenancy, &staff.tenant)
        .await
        .map_err(|e| PageError::Internal(Box::new(e)))?;
    let offered = plans::list(&state_.tenancy)
        .await
        .map_err(|e| PageError::Internal(Box::new(e)))?;
    let stripe = state_.config.stripe.is_some();
    let current = (offered.iter()).find(|p| p.plan.slug == status.plan);
    let plan = current.map_or_else(
        || tr.t("billing-no-plan"),
        |p| p.plan.name(tr.code()).to_owned(),
    );
    let (used_processes, (seats, _), census, newsletters) = staff
        .tx(async |tx| {
            Ok::<_, PageError>((
                processes::open_count(tx, None).await?,
                engine_staff::seats(tx, None).await?,
                census::size(tx).await?,
                cabildo_notify::newsletters::sent_this_month(tx).await?,
            ))
        })
        .await?;
    let storage = (state_.config.media.usage(staff.tenant.id).await)
        .map_err(|e| PageError::Internal(Box::new(e)))?
        .div_ceil(MEGABYTE);
    let limits = status
        .entitlements
        .as_ref()
        .map(|e| e.limits)
        .unwrap_or_default();
    let meters = [
        (Limit::OpenProcesses, used_processes),
        (Limit::StaffSeats, seats),
        (Limit::CensusSize, census),
        (Limit::StorageMb, storage),
        (Limit::NewslettersPerMonth, newsletters),
    ]
    .into_iter()
    .map(|(limit, used)| {
        let most = limits.get(limit).map(u64::from);
        Meter {
            label: capitalised(&limit_name(tr, limit)),
            used: tr.number(i64::try_from(used).unwrap_or(i64::MAX)),
            value: used.min(most.unwrap_or(u64::MAX)),
            max: most,
            most: most.map(|m| tr.number(i64::try_from(m).unwrap_or(i64::MAX))),
        }
    })
    .collect();
    let features = match &status.entitlements {
        Some(e) => (e.features.iter()).map(|f| feature_name(tr, *f)).collect(),
        None => Feature::ALL.iter().map(|f| feature_name(tr, *f)).collect(),
    };
    let (lines, warning) = state(tr, &status);
    let failed = |e: cabildo_billing::BillingError| PageError::Internal(Box::new(e));
    let tenancy = &state_.tenancy;
    let invoiced = cabildo_billing::invoices::buyer(tenancy, &staff.tenant)
        .await
        .map_err(failed)?
        .is_some();
    let invoices = cabildo_billing::invoices::list(tenancy, Some(&staff.tenant))
        .await
        .map_err(failed)?
        .iter()
        .map(|i| super::invoices::row(tr, i))
        .collect();
    let invoicing = if invoiced || paying(&status) {
        None
    } else {
        let request = cabildo_billing::requests::of(tenancy, &staff.tenant)
            .await
            .map_err(failed)?;
        Some(match request {
            None => Invoicing {
                state: tr.t("billing-invoicing-about"),
                link: tr.t("billing-invoicing-ask"),
            },
            Some(r) => match r.declined {
                None => Invoicing {
                    state: tr.with(
                        "billing-invoicing-pending",
                        "date",
                        &tr.date(r.requested_at),
                    ),
                    link: tr.t("billing-invoicing-correct"),
                },
                Some((_, reason)) => Invoicing {
                    state: tr.with("billing-invoicing-declined", "reason", &reason),
                    link: tr.t("billing-invoicing-again"),
                },
            },
        })
    };
    let plans = (offered.iter())
        .filter(|p| p.offered)
        .map(|p| card(tr, &p.plan, &status, stripe, invoiced))
        .collect();
    let page = staff.render_status(
        status_code,
        &Page {
            tr,
            chrome: &staff.chrome,
            plan,
            state: lines,
            warning,
            notice,
            error,
            features,
            meters,
            plans,
            card: stripe,
            portal: stripe && status.card.is_some(),
            paying: stripe && paying(&status),
            invoiced,
            invoices,
            invoicing,
        },
    )?;
    Ok(leading_to_stripe(page, state_.config.stripe.as_ref()))
}

/// The page's forms lead to Stripe's hosted pages (a redirect after the
/// post), which the site's `form-action 'self'` would block: this page
/// names them too.
fn leading_to_stripe(mut page: Response, stripe: Option<&Stripe>) -> Response {
    let Some(stripe) = stripe else {
        return page;
    };
    let origins = stripe.pages().join(" ");
    let policy = crate::CSP.replace(
        "form-action 'self'",
        &format!("form-action 'self' {origins}"),
    );
    if let Ok(value) = header::HeaderValue::from_str(&policy) {
        page.headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    page
}

/// `GET /staff/billing`.
pub async fn page(
    staff: Granted<ManageSettings>,
    Query(query): Query<BillingQuery>,
) -> Result<Response, PageError> {
    let notice = match (query.checkout.as_deref(), query.done.as_deref()) {
        (Some("done"), _) => Some(staff.tr.t("billing-checkout-done")),
        (Some("cancelled"), _) => Some(staff.tr.t("billing-checkout-cancelled")),
        (_, Some("requested")) => Some(staff.tr.t("billing-invoicing-sent")),
        _ => None,
    };
    render(&staff, notice, None, StatusCode::OK).await
}

/// The plan to pay, and how often.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CheckoutForm {
    plan: String,
    /// `yearly` or `monthly`.
    every: String,
}

/// This council's billing page, as Stripe sends the admin back to it:
/// on its own host, with the port this request came on (local set-ups).
fn back(staff: &Granted<ManageSettings>, headers: &HeaderMap) -> String {
    format!("{}/staff/billing", staff.origin(headers))
}

/// `POST /staff/billing/checkout`: to Stripe's Checkout for a plan.
pub async fn checkout(
    staff: Granted<ManageSettings>,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<CheckoutForm>,
) -> Result<Response, PageError> {
    let Some(stripe) = staff.state.config.stripe.clone() else {
        return Err(PageError::NotFound);
    };
    let offered = plans::list(&staff.state.tenancy)
        .await
        .map_err(|e| PageError::Internal(Box::new(e)))?;
    let Some(plan) = (offered.into_iter())
        .find(|p| p.offered && p.plan.slug == form.plan)
        .map(|p| p.plan)
    else {
        let error = staff.tr.t("billing-unknown-plan");
        return render(&staff, None, Some(error), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let user = staff.user();
    let email = staff
        .tx(async |tx| Ok::<_, PageError>(accounts::email_of(tx, user).await?))
        .await?
        .unwrap_or_default();
    let yearly = form.every == "yearly";
    let started = stripe
        .checkout(
            &staff.state.tenancy,
            &staff.tenant,
            &plan,
            yearly,
            &email,
            &back(&staff, &headers),
        )
        .await;
    match started {
        Ok(Some(url)) => {
            let actor = staff.actor();
            let details = serde_json::json!({"plan": plan.slug, "yearly": yearly});
            staff
                .tx(async |tx| {
                    audit(tx, &actor, "billing.checkout", Some(&plan.slug), details).await?;
                    Ok::<_, PageError>(())
                })
                .await?;
            Ok(Redirect::to(&url).into_response())
        }
        Ok(None) => {
            let error = staff.tr.t("billing-not-by-card");
            render(&staff, None, Some(error), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(
            cabildo_billing::BillingError::Subscribed | cabildo_billing::BillingError::Invoiced,
        ) => {
            let error = staff.tr.t("billing-already-paying");
            render(&staff, None, Some(error), StatusCode::CONFLICT).await
        }
        Err(error) => {
            tracing::warn!(%error, "a checkout could not be started");
            let error = staff.tr.t("billing-stripe-unavailable");
            render(&staff, None, Some(error), StatusCode::SERVICE_UNAVAILABLE).await
        }
    }
}

/// `POST /staff/billing/portal`: to Stripe's Customer Portal.
pub async fn portal(
    staff: Granted<ManageSettings>,
    headers: HeaderMap,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let Some(stripe) = staff.state.config.stripe.clone() else {
        return Err(PageError::NotFound);
    };
    match stripe
        .portal(&staff.state.tenancy, &staff.tenant, &back(&staff, &headers))
        .await
    {
        Ok(Some(url)) => Ok(Redirect::to(&url).into_response()),
        Ok(None) => Err(PageError::NotFound),
        Err(error) => {
            tracing::warn!(%error, "the billing portal could not be opened");
            let error = staff.tr.t("billing-stripe-unavailable");
            render(&staff, None, Some(error), StatusCode::SERVICE_UNAVAILABLE).await
        }
    }
}
