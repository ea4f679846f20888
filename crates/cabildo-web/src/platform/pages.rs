//! The platform site's pages: home, login, the console and logout.

use crate::http::cookies::set_cookie;
use crate::http::error::PageError;
use crate::http::ratelimit::{Action, account_from};
use crate::http::site::ClientIp;
use crate::http::state::AppState;
use crate::platform::visitor::{PlatformForm, PlatformVisitor, session_cookie};
use crate::ui::chrome::{LanguageLink, language_links};
use crate::ui::i18n::{Tr, UI_LANGUAGES};
use askama::Template;
use axum::Extension;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use cabildo_engine::accounts::password;
use cabildo_engine::platform::{self, Account, AccountRole};
use cabildo_engine::signups::{self, Decision, Status as SignupStatus};
use cabildo_engine::staff::Role;
use cabildo_tenancy::{TenantId, TenantStatus};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "platform_home.html")]
struct PlatformHome {
    tr: Tr,
    languages: Vec<LanguageLink>,
}

/// `GET /`: what the platform is.
pub async fn home(visitor: PlatformVisitor) -> Result<Response, PageError> {
    let available: Vec<String> = UI_LANGUAGES.iter().map(|s| (*s).to_owned()).collect();
    let code = visitor.tr.code().to_owned();
    let page = PlatformHome {
        tr: visitor.tr.clone(),
        languages: language_links(&available, &code),
    };
    let response = Html(page.render()?).into_response();
    Ok(response)
}

/// A council in the console.
pub struct ClientView {
    slug: String,
    name: String,
    role: String,
    role_label: String,
    /// The council at a glance.
    figures: platform::Figures,
    open_processes: String,
    participants: String,
    pending: String,
    /// Its moderation queue is long (at least [`MODERATION_ALERT`]).
    pending_alert: bool,
    last_activity: String,
    /// Its budget's phase and when that ends.
    budget: String,
    /// When its first open phase ends.
    phase_ends: String,
    /// One of them ends within [`DEADLINE_ALERT_DAYS`].
    deadline_alert: bool,
}

/// Days before a phase ends from which the console calls it out.
const DEADLINE_ALERT_DAYS: i64 = 3;

/// A council's budget, in words: its phase and when that ends.
fn budget_phase(tr: &Tr, figures: &platform::Figures) -> String {
    match figures.budget_phase.zip(figures.budget_phase_ends_at) {
        Some((phase, at)) => tr.args(
            "console-deadline",
            &[
                ("what", tr.t(&format!("budget-phase-{phase}"))),
                ("when", tr.date_time(at)),
            ],
        ),
        None => "—".to_owned(),
    }
}

/// Reported items waiting from which the console calls a council out.
const MODERATION_ALERT: i64 = 10;

/// `?sort=` of the console: `name` (default), `participants` (most first),
/// `moderation` (longest queue first) or `deadline` (soonest first).
#[derive(Debug, Default, Deserialize)]
pub struct ConsoleQuery {
    #[serde(default)]
    sort: String,
}

/// The figures of each of `councils` (a transaction each: a consultant
/// serves a handful, an operator's console is their fleet's first page).
async fn figures(
    state: &AppState,
    councils: &[platform::Client],
) -> Result<Vec<platform::Figures>, PageError> {
    let mut all = Vec::with_capacity(councils.len());
    for council in councils {
        let slug = cabildo_tenancy::Slug::parse(&council.slug).map_err(|_| PageError::NotFound)?;
        let tenant = state.tenancy.get_tenant(&slug).await?;
        let mut tx = state.tenancy.begin(&tenant).await?;
        all.push(platform::figures(&mut tx).await?);
        tx.commit().await?;
    }
    Ok(all)
}

#[derive(Template)]
#[template(path = "platform_login.html")]
struct LoginPage<'a> {
    tr: &'a Tr,
    csrf: &'a str,
    email: &'a str,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "console.html")]
struct ConsolePage<'a> {
    tr: &'a Tr,
    csrf: &'a str,
    greeting: String,
    /// How the list is sorted: `name`, `participants` or `moderation`.
    sort: &'static str,
    councils: Vec<ClientView>,
    /// For operators: sign-ups to decide and recent ones.
    signups: Vec<SignupView>,
    /// For operators: every council with its state.
    fleet: Vec<FleetView>,
    /// For operators: consultants and the councils they serve.
    grants: Vec<platform::GrantRow>,
    /// For operators: the staff roles a grant may give.
    roles: Vec<(&'static str, String)>,
    /// For operators: every consultant once, (email, name).
    consultants: Vec<(String, String)>,
}

/// A sign-up in the operators' console.
pub struct SignupView {
    id: String,
    council: String,
    slug: String,
    municipality: String,
    person: String,
    status: String,
    /// Held or failed: an operator decides.
    open: bool,
    /// Failed: approving again retries.
    failed: bool,
    note: String,
    created: String,
}

/// A council in the operators' list.
pub struct FleetView {
    slug: String,
    name: String,
    status: String,
    status_label: String,
}

/// The operators' sections of the console.
async fn operator_sections(
    state: &AppState,
    tr: &Tr,
) -> Result<(Vec<SignupView>, Vec<FleetView>), PageError> {
    let reviews = signups::reviews(&state.tenancy).await?;
    let signups = reviews
        .into_iter()
        .map(|r| {
            let municipality = cabildo_engine::ine::by_code(&r.ine_code).map_or_else(
                || r.ine_code.clone(),
                |m| {
                    format!(
                        "{} ({}) · {}",
                        m.spoken_name(),
                        m.province,
                        tr.number(r.population.into())
                    )
                },
            );
            let note = match (&r.held_reason, &r.error, r.seconds_to_live) {
                (_, Some(error), _) => error.clone(),
                (Some(reason), None, _) => tr.t(&format!("console-held-{reason}")),
                (None, None, Some(seconds)) => {
                    tr.with("console-live-after", "seconds", &format!("{seconds:.1}"))
                }
                (None, None, None) => String::new(),
            };
            SignupView {
                id: r.id.to_string(),
                council: r.council_name,
                slug: r.slug,
                municipality,
                person: format!("{} <{}>", r.person_name, r.email),
                status: tr.t(&format!("signup-status-{}", r.status)),
                open: matches!(r.status, SignupStatus::Held | SignupStatus::Failed),
                failed: r.status == SignupStatus::Failed,
                note,
                created: tr.date_time(r.created_at),
            }
        })
        .collect();
    let fleet = (state.tenancy.list_tenants().await?)
        .into_iter()
        .filter(|t| t.tenant.status != TenantStatus::Provisioning)
        .map(|t| FleetView {
            slug: t.tenant.slug.to_string(),
            name: t.tenant.name.clone(),
            status: t.tenant.status.as_str().to_owned(),
            status_label: tr.t(&format!("council-status-{}", t.tenant.status.as_str())),
        })
        .collect();
    Ok((signups, fleet))
}

fn login_page(
    visitor: &PlatformVisitor,
    email: &str,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let page = LoginPage {
        tr: &visitor.tr,
        csrf: &visitor.csrf,
        email,
        error,
    };
    Ok(visitor.respond((status, Html(page.render()?)).into_response()))
}

/// `GET /login`.
pub async fn login_form(visitor: PlatformVisitor) -> Result<Response, PageError> {
    if visitor.account.is_some() {
        return Ok(Redirect::to("/console").into_response());
    }
    login_page(&visitor, "", None, StatusCode::OK)
}

/// The login form as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    email: String,
    password: String,
}

/// Counts a platform login attempt from `ip` for `email`: the council
/// limits, under a nil council id. Seconds to wait when over them.
async fn limit(state: &AppState, ip: std::net::IpAddr, email: &str) -> Result<(), u64> {
    let platform_id = TenantId(uuid::Uuid::nil());
    let limiter = &state.limiter;
    limiter
        .hit(platform_id, Action::LoginIp, &ip.to_string())
        .await?;
    let account = account_from(email, ip);
    limiter
        .hit(platform_id, Action::LoginAccount, &account)
        .await
}

/// `POST /login`: platform logins share the council limits, under a nil
/// council id.
pub async fn login(
    visitor: PlatformVisitor,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    form: PlatformForm<LoginForm>,
) -> Result<Response, PageError> {
    let tr = &visitor.tr;
    if !form.csrf_ok {
        let error = Some(tr.t("error-csrf-body"));
        return login_page(&visitor, "", error, StatusCode::FORBIDDEN);
    }
    let email = form.value.email.trim().to_lowercase();
    let state = &visitor.state;
    if let Err(seconds) = limit(state, ip, &email).await {
        let body = tr.count(
            "error-rate-limited-body",
            i64::try_from(seconds).unwrap_or(i64::MAX),
        );
        let mut response = login_page(&visitor, &email, Some(body), StatusCode::TOO_MANY_REQUESTS)?;
        let retry = HeaderValue::from(seconds);
        response.headers_mut().insert(header::RETRY_AFTER, retry);
        return Ok(response);
    }
    let credentials = platform::credentials(&state.tenancy, &email).await?;
    let hash = credentials.as_ref().map(|(_, hash)| hash.clone());
    let valid = password::verify(hash, &form.value.password).await;
    let (Some((account, _)), true) = (credentials, valid) else {
        let error = Some(tr.t("error-invalid-credentials"));
        return login_page(&visitor, &email, error, StatusCode::UNAUTHORIZED);
    };
    let token = platform::start_session(&state.tenancy, account).await?;
    let mut response = Redirect::to("/console").into_response();
    let age = i64::from(platform::SESSION_DAYS) * 86_400;
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            state.config.secure_cookies,
            session_cookie(state),
            &token,
            Some(age),
        ),
    );
    Ok(response)
}

/// `GET /console`: the councils this account serves.
pub async fn console(
    visitor: PlatformVisitor,
    headers: axum::http::HeaderMap,
    axum::extract::Query(query): axum::extract::Query<ConsoleQuery>,
) -> Result<Response, PageError> {
    let Some(account) = &visitor.account else {
        return Ok(Redirect::to("/login").into_response());
    };
    let councils = platform::councils(&visitor.state.tenancy, account).await?;
    // "Open" posts here and is redirected to the council's site; Chrome
    // applies `form-action` to that redirect too, so the console names the
    // hosts of the councils it lists.
    let platform_host = platform_host(&headers);
    let scheme = scheme(&visitor.state);
    let hosts: Vec<String> = councils
        .iter()
        .map(|c| format!("{scheme}://{}", council_host(c, &platform_host)))
        .collect();
    let tr = &visitor.tr;
    let all = figures(&visitor.state, &councils).await?;
    let mut views: Vec<ClientView> = councils
        .into_iter()
        .zip(all)
        .map(|(c, figures)| ClientView {
            role_label: tr.t(&format!("staff-role-{}", c.role)),
            slug: c.slug,
            name: c.name,
            role: c.role.to_string(),
            open_processes: tr.number(figures.open_processes),
            participants: tr.number(figures.participants_this_month),
            pending: tr.number(figures.pending_moderation),
            pending_alert: figures.pending_moderation >= MODERATION_ALERT,
            budget: budget_phase(tr, &figures),
            phase_ends: (figures.phase_ends_at)
                .map_or_else(|| "—".to_owned(), |at| tr.date_time(at)),
            deadline_alert: figures.deadline_within(DEADLINE_ALERT_DAYS),
            last_activity: figures
                .last_staff_activity
                .map_or_else(|| "—".to_owned(), |at| tr.date_time(at)),
            figures,
        })
        .collect();
    match query.sort.as_str() {
        "participants" => {
            views.sort_by_key(|v| std::cmp::Reverse(v.figures.participants_this_month))
        }
        "moderation" => views.sort_by_key(|v| std::cmp::Reverse(v.figures.pending_moderation)),
        "deadline" => views.sort_by_key(|v| {
            let f = &v.figures;
            let first = [f.phase_ends_at, f.budget_phase_ends_at]
                .into_iter()
                .flatten()
                .min();
            (first.is_none(), first)
        }),
        _ => {}
    }
    let (signups, fleet, grants) = if account.role == AccountRole::Operator {
        let (signups, fleet) = operator_sections(&visitor.state, tr).await?;
        let grants = platform::grants(&visitor.state.tenancy).await?;
        (signups, fleet, grants)
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    let roles = (Role::ALL.iter())
        .map(|role| {
            (
                role.as_str(),
                tr.t(&format!("staff-role-{}", role.as_str())),
            )
        })
        .collect();
    let mut consultants: Vec<(String, String)> = (grants.iter())
        .map(|g| (g.email.clone(), g.name.clone()))
        .collect();
    consultants.dedup();
    let page = ConsolePage {
        tr,
        signups,
        fleet,
        grants,
        roles,
        consultants,
        csrf: &visitor.csrf,
        greeting: tr.with("console-greeting", "name", &account.name),
        sort: match query.sort.as_str() {
            "participants" => "participants",
            "moderation" => "moderation",
            "deadline" => "deadline",
            _ => "name",
        },
        councils: views,
    };
    let mut response = Html(page.render()?).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    allow_forms_to(&mut response, &hosts);
    Ok(response)
}

/// Lets the forms of `response` lead to the council sites `hosts` (their
/// origins): a form answered by a redirect to another site is held to
/// `form-action` for the redirect too, in Chrome.
pub(super) fn allow_forms_to(response: &mut Response, hosts: &[String]) {
    let csp = crate::CSP.replace(
        "form-action 'self'",
        &format!("form-action 'self' {}", hosts.join(" ")),
    );
    if let Ok(value) = HeaderValue::from_str(&csp) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
}

/// What an operator decided about a sign-up.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    decision: String,
}

/// The operator behind a console action, or the answer for anyone else.
pub(super) fn operator(visitor: &PlatformVisitor, csrf_ok: bool) -> Result<&Account, PageError> {
    let Some(account) = &visitor.account else {
        return Err(PageError::LogIn(None));
    };
    if !csrf_ok {
        return Err(PageError::Csrf);
    }
    if account.role != AccountRole::Operator {
        return Err(PageError::Forbidden);
    }
    Ok(account)
}

/// `POST /console/signups/{id}` (operators): approve or reject a held
/// sign-up, or retry a failed one.
pub async fn decide(
    visitor: PlatformVisitor,
    Path(id): Path<uuid::Uuid>,
    form: PlatformForm<DecisionForm>,
) -> Result<Response, PageError> {
    let account = operator(&visitor, form.csrf_ok)?;
    let decision = match form.value.decision.as_str() {
        "approve" => Decision::Approve,
        "reject" => Decision::Reject,
        _ => return Err(PageError::BadRequest),
    };
    let tenancy = &visitor.state.tenancy;
    if !signups::decide(tenancy, id, &account.email, decision).await? {
        return Err(PageError::NotFound);
    }
    Ok(Redirect::to("/console#signups").into_response())
}

/// A council's new state.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StatusForm {
    status: String,
}

/// `POST /console/councils/{slug}` (operators): suspend, reopen, make
/// read-only or archive a council; every node hears of it at once.
pub async fn set_status(
    visitor: PlatformVisitor,
    Path(slug): Path<String>,
    form: PlatformForm<StatusForm>,
) -> Result<Response, PageError> {
    operator(&visitor, form.csrf_ok)?;
    let status = TenantStatus::parse(&form.value.status)
        .filter(|s| *s != TenantStatus::Provisioning)
        .ok_or(PageError::BadRequest)?;
    let slug = cabildo_tenancy::Slug::parse(&slug).map_err(|_| PageError::NotFound)?;
    visitor.state.tenancy.set_status(&slug, status).await?;
    Ok(Redirect::to("/console#councils").into_response())
}

/// A consultant's access to a council, as an operator gives or takes it.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct GrantForm {
    email: String,
    slug: String,
    role: String,
}

/// `POST /console/grants` (operators): let a consultant enter a council
/// as staff.
pub async fn grant(
    visitor: PlatformVisitor,
    form: PlatformForm<GrantForm>,
) -> Result<Response, PageError> {
    operator(&visitor, form.csrf_ok)?;
    let role = Role::parse(&form.value.role).ok_or(PageError::BadRequest)?;
    let tenancy = &visitor.state.tenancy;
    let slug =
        cabildo_tenancy::Slug::parse(form.value.slug.trim()).map_err(|_| PageError::NotFound)?;
    let Some(council) = tenancy.find_tenant(&slug).await? else {
        return Err(PageError::NotFound);
    };
    let consultant = (platform::grants(tenancy).await?)
        .iter()
        .any(|g| g.email == form.value.email.trim().to_lowercase());
    if !consultant || !platform::grant(tenancy, &form.value.email, council.id, role).await? {
        return Err(PageError::NotFound);
    }
    Ok(Redirect::to("/console#consultants").into_response())
}

/// `POST /console/grants/revoke` (operators): take a consultant's access
/// to a council back at once, on every node, audited in the council's log
/// under the operator's name.
pub async fn revoke(
    visitor: PlatformVisitor,
    form: PlatformForm<GrantForm>,
) -> Result<Response, PageError> {
    let account = operator(&visitor, form.csrf_ok)?;
    let state = &visitor.state;
    let slug =
        cabildo_tenancy::Slug::parse(form.value.slug.trim()).map_err(|_| PageError::NotFound)?;
    let council = state.tenancy.get_tenant(&slug).await?;
    let actor = cabildo_engine::staff::Actor(format!("platform:{}", account.email));
    if let Some(user) =
        platform::revoke(&state.tenancy, &council, &form.value.email, &actor).await?
    {
        let ended = crate::http::session_cache::Ended::User(user);
        state.sessions.ended(council.id, ended).await;
    }
    Ok(Redirect::to("/console#consultants").into_response())
}

/// The host the platform site was reached at (council sites are its
/// subdomains).
pub(super) fn platform_host(headers: &axum::http::HeaderMap) -> String {
    headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_lowercase()
}

/// The host a council's site is reached at: its own domain when it has
/// one, else its subdomain of the platform's host (either with the port
/// the platform was reached on, for local set-ups).
pub(super) fn council_host(client: &platform::Client, platform_host: &str) -> String {
    match &client.domain {
        Some(domain) => match platform_host.rsplit_once(':') {
            Some((_, port)) => format!("{domain}:{port}"),
            None => domain.clone(),
        },
        None => format!("{}.{platform_host}", client.slug),
    }
}

/// How council sites are reached from this deployment.
pub(super) fn scheme(state: &crate::http::state::AppState) -> &'static str {
    if state.config.secure_cookies {
        "https"
    } else {
        "http"
    }
}

/// Which council to open, as what.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OpenForm {
    slug: String,
    role: String,
}

/// `POST /console/open`: hands the account over to a council it serves.
pub async fn open(
    visitor: PlatformVisitor,
    headers: axum::http::HeaderMap,
    form: PlatformForm<OpenForm>,
) -> Result<Response, PageError> {
    let Some(account) = &visitor.account else {
        return Ok(Redirect::to("/login").into_response());
    };
    if !form.csrf_ok {
        return Err(PageError::Forbidden);
    }
    let Some(role) = Role::parse(&form.value.role) else {
        return Err(PageError::BadRequest);
    };
    let state = &visitor.state;
    let platform_host = platform_host(&headers);
    let host_for = |client: &platform::Client| council_host(client, &platform_host);
    let handoff =
        platform::handoff(&state.tenancy, account, &form.value.slug, role, host_for).await?;
    let Some((council_host, token)) = handoff else {
        return Err(PageError::Forbidden);
    };
    let scheme = scheme(state);
    Ok(Redirect::to(&format!(
        "{scheme}://{council_host}/staff/handoff?token={token}"
    ))
    .into_response())
}

/// `POST /logout`.
pub async fn logout(
    visitor: PlatformVisitor,
    form: PlatformForm<crate::http::extract::NoFields>,
) -> Result<Response, PageError> {
    if !form.csrf_ok {
        return Err(PageError::Forbidden);
    }
    let state = &visitor.state;
    if let Some(token) = &visitor.session_token {
        platform::end_session(&state.tenancy, token).await?;
    }
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            state.config.secure_cookies,
            session_cookie(state),
            "",
            Some(0),
        ),
    );
    Ok(response)
}
