//! `/staff/domains` (admins): serving the site on the council's own domain.
//! The page lists the council's domains with the DNS records each needs,
//! checks them on request, and chooses or removes the one the site is
//! served on (see `cabildo_tenancy::domains` for the rules).

use crate::http::error::{PageError, plan_explained};
use crate::http::extract::needs::ManageSettings;
use crate::http::extract::{CsrfForm, Granted};
use crate::http::query::DetailQuery;
use crate::ui::chrome::Chrome;
use crate::ui::format::coded;
use crate::ui::i18n::Tr;
use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cabildo_engine::staff::audit;
use cabildo_tenancy::domains::{Check, Domain, DomainRefusal, MAX_DOMAINS};
use cabildo_tenancy::entitlements::{Feature, Need};
use serde::Deserialize;

/// One domain as the page shows it.
struct Row {
    host: String,
    /// "Serving the site", "Verified", "Waiting for the DNS records".
    state: String,
    verified: bool,
    primary: bool,
    /// What the last check found and when, if it was checked.
    last_check: Option<String>,
    /// The records to create: (type, name, value).
    records: Vec<(&'static str, String, String)>,
    /// A domain without a subdomain cannot have a CNAME.
    apex: bool,
}

#[derive(Template)]
#[template(path = "staff_domains.html")]
struct Page<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    /// Where the site is served now.
    current: String,
    /// The platform's host domains point at.
    target: Option<String>,
    rows: Vec<Row>,
    /// What was typed in the add form.
    typed: String,
    can_add: bool,
    /// Why the council's plan does not include own domains, and which does.
    plan: Option<String>,
    notice: Option<String>,
    error: Option<String>,
}

/// The notices after a change.
const DONE: [&str; 4] = ["added", "verified", "primary", "removed"];

fn row(tr: &Tr, domain: Domain, target: Option<&str>) -> Row {
    let verified = domain.verified_at.is_some();
    let state = match (domain.primary, verified) {
        (true, _) => tr.t("domains-state-primary"),
        (false, true) => tr.t("domains-state-verified"),
        (false, false) => tr.t("domains-state-pending"),
    };
    let last_check = domain.last_check.map(|(at, check)| {
        tr.args(
            "domains-last-check",
            &[
                ("when", tr.date_time(at)),
                ("result", coded(tr, "domains-check", check.as_str())),
            ],
        )
    });
    let mut records = Vec::new();
    let apex = domain.host.matches('.').count() == 1;
    if let Some(target) = target {
        records.push(("CNAME", domain.host.clone(), format!("{target}.")));
    }
    if let Some(value) = domain.txt_value() {
        records.push(("TXT", domain.txt_name(), value));
    }
    Row {
        state,
        verified,
        primary: domain.primary,
        last_check,
        records,
        apex,
        host: domain.host,
    }
}

async fn render(
    staff: &Granted<ManageSettings>,
    typed: String,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let state = &staff.state;
    let tr = &staff.tr;
    let target = state.config.domains.as_ref().map(|c| c.target().to_owned());
    let domains = state.tenancy.domains(&staff.tenant).await?;
    let need = Need::Feature(Feature::CustomDomain);
    let plan = match staff.tenant.allows(Feature::CustomDomain) {
        true => None,
        false => Some(plan_explained(&state.tenancy, tr, need).await),
    };
    let can_add = plan.is_none() && target.is_some() && (domains.len() as i64) < MAX_DOMAINS;
    let current = staff.tenant.host(state.resolver.base_domain());
    let rows = (domains.into_iter())
        .map(|d| row(tr, d, target.as_deref()))
        .collect();
    staff.render_status(
        status,
        &Page {
            tr,
            chrome: &staff.chrome,
            current,
            target,
            rows,
            typed,
            can_add,
            plan,
            notice,
            error,
        },
    )
}

/// `GET /staff/domains`.
pub async fn page(
    staff: Granted<ManageSettings>,
    Query(query): Query<DetailQuery>,
) -> Result<Response, PageError> {
    let notice = query.notice(&staff.tr, "domains-done", &DONE);
    render(&staff, String::new(), notice, None, StatusCode::OK).await
}

/// The domain a form names.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DomainForm {
    domain: String,
}

/// The page again with `refusal` explained.
async fn refused(
    staff: &Granted<ManageSettings>,
    typed: String,
    refusal: DomainRefusal,
) -> Result<Response, PageError> {
    let error = match refusal {
        DomainRefusal::PlanRequired => {
            let need = Need::Feature(Feature::CustomDomain);
            plan_explained(&staff.state.tenancy, &staff.tr, need).await
        }
        _ => coded(&staff.tr, "refusal", refusal.code()),
    };
    let status = match refusal {
        DomainRefusal::Unknown => StatusCode::NOT_FOUND,
        DomainRefusal::Taken | DomainRefusal::Exists => StatusCode::CONFLICT,
        DomainRefusal::PlanRequired => StatusCode::FORBIDDEN,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    render(staff, typed, None, Some(error), status).await
}

/// Records `action` on `host` in the council's audit log.
async fn audited(
    staff: &Granted<ManageSettings>,
    action: &str,
    host: &str,
) -> Result<(), PageError> {
    let actor = staff.actor();
    staff
        .tx(async |tx| {
            audit(tx, &actor, action, Some(host), serde_json::json!({})).await?;
            Ok::<_, PageError>(())
        })
        .await
}

/// `POST /staff/domains`: adds a domain, unverified.
pub async fn add(
    staff: Granted<ManageSettings>,
    CsrfForm(form): CsrfForm<DomainForm>,
) -> Result<Response, PageError> {
    let typed: String = form.domain.trim().chars().take(300).collect();
    if staff.state.config.domains.is_none() {
        return Err(PageError::NotFound);
    }
    let base = staff.state.resolver.base_domain();
    match staff
        .state
        .tenancy
        .add_domain(&staff.tenant, &typed, base)
        .await?
    {
        Ok(domain) => {
            audited(&staff, "settings.domain_add", &domain.host).await?;
            Ok(Redirect::to("/staff/domains?done=added").into_response())
        }
        Err(refusal) => refused(&staff, typed, refusal).await,
    }
}

/// `POST /staff/domains/check`: looks the domain's records up now.
pub async fn check(
    staff: Granted<ManageSettings>,
    CsrfForm(form): CsrfForm<DomainForm>,
) -> Result<Response, PageError> {
    let Some(checker) = staff.state.config.domains.clone() else {
        return Err(PageError::NotFound);
    };
    let tenancy = &staff.state.tenancy;
    let (domain, found) = match tenancy
        .check_domain(&staff.tenant, &form.domain, &checker)
        .await?
    {
        Ok(checked) => checked,
        Err(refusal) => return refused(&staff, String::new(), refusal).await,
    };
    if found == Check::Verified {
        audited(&staff, "settings.domain_verify", &domain.host).await?;
        return Ok(Redirect::to("/staff/domains?done=verified").into_response());
    }
    let error = staff.tr.args(
        "domains-check-failed",
        &[
            ("domain", domain.host.clone()),
            ("result", coded(&staff.tr, "domains-check", found.as_str())),
        ],
    );
    render(
        &staff,
        String::new(),
        None,
        Some(error),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

/// `POST /staff/domains/primary`: serves the site on this verified domain.
pub async fn primary(
    staff: Granted<ManageSettings>,
    CsrfForm(form): CsrfForm<DomainForm>,
) -> Result<Response, PageError> {
    match (staff.state.tenancy)
        .make_primary(&staff.tenant, &form.domain)
        .await?
    {
        Ok(()) => {
            audited(&staff, "settings.domain_primary", &form.domain).await?;
            Ok(Redirect::to("/staff/domains?done=primary").into_response())
        }
        Err(refusal) => refused(&staff, String::new(), refusal).await,
    }
}

/// `POST /staff/domains/remove`.
pub async fn remove(
    staff: Granted<ManageSettings>,
    CsrfForm(form): CsrfForm<DomainForm>,
) -> Result<Response, PageError> {
    match (staff.state.tenancy)
        .remove_domain(&staff.tenant, &form.domain)
        .await?
    {
        Ok(()) => {
            audited(&staff, "settings.domain_remove", &form.domain).await?;
            Ok(Redirect::to("/staff/domains?done=removed").into_response())
        }
        Err(refusal) => refused(&staff, String::new(), refusal).await,
    }
}
