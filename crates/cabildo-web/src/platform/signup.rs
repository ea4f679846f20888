//! A council signing up on the platform site: the form (municipality from
//! the INE list, the site's address with free alternatives when taken),
//! the confirmation mail's page, the wait while the provisioner creates
//! the site, and the council side of the first admin's welcome.

use crate::http::council::Council;
use crate::http::error::PageError;
use crate::http::extract::CsrfForm;
use crate::http::ratelimit::{Action, network_of};
use crate::http::site::ClientIp;
use crate::platform::pages::{allow_forms_to, platform_host, scheme};
use crate::platform::visitor::{PlatformForm, PlatformVisitor};
use crate::ui::chrome::{LanguageLink, language_links};
use crate::ui::format::money;
use crate::ui::i18n::{Tr, UI_LANGUAGES, native_name};
use askama::Template;
use axum::Extension;
use axum::extract::Query;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use cabildo_engine::Error as EngineError;
use cabildo_engine::accounts::{password, sessions};
use cabildo_engine::error::{Field, FieldError, Problem};
use cabildo_engine::ine::{self, Found};
use cabildo_engine::signups::{self, Progress, SignupForm, Status};
use cabildo_tenancy::{ARTICLES, TenantId};
use serde::Deserialize;
use std::time::{Duration, Instant};

/// How long confirming waits for the new site before showing the page
/// that follows its making.
const WAIT_FOR_LIVE: Duration = Duration::from_secs(8);

/// The form as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Typed {
    council_name: String,
    article: String,
    municipality: String,
    population: String,
    slug: String,
    name: String,
    email: String,
    password: String,
    language: String,
    plan: String,
    accept_terms: String,
    /// A municipality picked from those offered (its INE code).
    municipality_choice: String,
    /// A free address picked from those suggested.
    slug_choice: String,
}

impl Typed {
    /// What was typed, with a pick from the offered municipalities or
    /// addresses in place of the text it answers.
    fn picked(mut self) -> Self {
        if !self.municipality_choice.is_empty() {
            self.municipality = std::mem::take(&mut self.municipality_choice);
        }
        if !self.slug_choice.is_empty() {
            self.slug = std::mem::take(&mut self.slug_choice);
        }
        self
    }

    fn form(&self) -> SignupForm {
        SignupForm {
            council_name: self.council_name.clone(),
            article: self.article.clone(),
            municipality: self.municipality.clone(),
            population: self.population.clone(),
            slug: self.slug.trim().to_lowercase(),
            name: self.name.clone(),
            email: self.email.clone(),
            password: self.password.clone(),
            language: self.language.clone(),
            plan: self.plan.clone(),
            accept_terms: self.accept_terms == "on",
        }
    }
}

/// A municipality offered to pick from: (INE code with control digit,
/// "name (province)").
type Choice = (String, String);

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupPage<'a> {
    tr: &'a Tr,
    csrf: &'a str,
    languages: Vec<LanguageLink>,
    typed: &'a Typed,
    /// The platform's own domain, shown after the address field.
    domain: String,
    articles: &'static [&'static str],
    /// Every field's error: (field, message).
    errors: Vec<(&'static str, String)>,
    municipalities: Vec<Choice>,
    suggestions: Vec<String>,
    /// The plans offered: (slug, name, what it is and costs).
    plans: Vec<(String, String, String)>,
    /// The languages a sign-up may choose: (code, name).
    spoken: Vec<(&'static str, &'static str)>,
    /// The shortest password taken.
    min_password: i64,
}

impl SignupPage<'_> {
    /// The error of `field`, if any.
    fn error(&self, field: &str) -> Option<&str> {
        (self.errors.iter())
            .find(|(name, _)| *name == field)
            .map(|(_, message)| message.as_str())
    }
}

/// The plans a sign-up may choose, cheapest first: the offered plans, or
/// no plan on a platform that offers none.
async fn offered(visitor: &PlatformVisitor) -> Result<Vec<(String, String, String)>, PageError> {
    let tr = &visitor.tr;
    let stored = (cabildo_billing::plans::list(&visitor.state.tenancy).await)
        .map_err(|e| PageError::Internal(Box::new(e)))?;
    let plans: Vec<_> = (stored.into_iter())
        .filter(|p| p.offered)
        .map(|p| {
            let plan = p.plan;
            let price = &plan.price;
            let about = match plan.trial_days {
                Some(days) => tr.count("signup-plan-trial", i64::from(days)),
                None => {
                    let cents = i64::try_from(price.monthly_cents).unwrap_or(i64::MAX);
                    tr.with(
                        "signup-plan-paid",
                        "price",
                        &money(tr, cents, &price.currency),
                    )
                }
            };
            (plan.slug.clone(), plan.name(tr.code()).to_owned(), about)
        })
        .collect();
    if plans.is_empty() {
        let key = signups::NO_PLAN;
        let named = (
            tr.t(&format!("signup-plan-{key}")),
            tr.t(&format!("signup-plan-{key}-about")),
        );
        return Ok(vec![(key.to_owned(), named.0, named.1)]);
    }
    Ok(plans)
}

async fn page(
    visitor: &PlatformVisitor,
    headers: &HeaderMap,
    typed: &Typed,
    errors: &[FieldError],
    municipalities: Vec<Choice>,
    suggestions: Vec<String>,
) -> Result<Response, PageError> {
    let tr = &visitor.tr;
    let available: Vec<String> = UI_LANGUAGES.iter().map(|s| (*s).to_owned()).collect();
    let plans = offered(visitor).await?;
    let page = SignupPage {
        tr,
        csrf: &visitor.csrf,
        languages: language_links(&available, tr.code()),
        typed,
        domain: platform_host(headers),
        articles: ARTICLES,
        errors: (errors.iter())
            .map(|e| (e.field.name(), tr.t(e.problem.key())))
            .collect(),
        municipalities,
        suggestions,
        plans,
        spoken: (signups::LANGUAGES.iter())
            .map(|code| (*code, native_name(code)))
            .collect(),
        min_password: password::MIN_LENGTH as i64,
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(visitor.respond((status, Html(page.render()?)).into_response()))
}

/// `GET /signup`.
pub async fn form(visitor: PlatformVisitor, headers: HeaderMap) -> Result<Response, PageError> {
    let typed = Typed {
        language: visitor.tr.code().to_owned(),
        plan: (offered(&visitor).await?)
            .first()
            .map_or_else(String::new, |p| p.0.clone()),
        ..Typed::default()
    };
    page(&visitor, &headers, &typed, &[], Vec::new(), Vec::new()).await
}

/// Counts a sign-up from `ip` for `email`; seconds to wait when over the
/// limits. Platform limits count under a nil council id.
async fn limit(visitor: &PlatformVisitor, ip: std::net::IpAddr, email: &str) -> Result<(), u64> {
    let platform = TenantId(uuid::Uuid::nil());
    let limiter = &visitor.state.limiter;
    limiter
        .hit(platform, Action::SignupNetwork, &network_of(ip))
        .await?;
    limiter
        .hit(
            platform,
            Action::SignupAddress,
            &email.trim().to_lowercase(),
        )
        .await
}

/// `POST /signup`: checks everything, then records the sign-up and sends
/// the confirmation mail. A taken address comes back with free ones; a
/// name several municipalities share comes back with them to pick from.
pub async fn submit(
    visitor: PlatformVisitor,
    headers: HeaderMap,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    form: PlatformForm<Typed>,
) -> Result<Response, PageError> {
    if !form.csrf_ok {
        return Err(PageError::Csrf);
    }
    let typed = form.value.picked();
    let state = &visitor.state;
    let tenancy = &state.tenancy;
    let checked = typed.form().validate();
    let valid = match checked {
        Ok(valid) => valid,
        Err(EngineError::Invalid(errors)) => {
            let municipalities = choices(&errors, &typed.municipality);
            let suggestions = if errors.iter().any(|e| e.field == Field::Slug) {
                let found = match ine::find(&typed.municipality) {
                    Found::One(m) => Some(m),
                    Found::Several(_) | Found::None => None,
                };
                signups::suggestions(tenancy, &typed.slug, found.as_ref()).await?
            } else {
                Vec::new()
            };
            return page(
                &visitor,
                &headers,
                &typed,
                &errors,
                municipalities,
                suggestions,
            )
            .await;
        }
        Err(error) => return Err(error.into()),
    };
    if let Err(seconds) = limit(&visitor, ip, &typed.email).await {
        return Err(PageError::RateLimited(seconds));
    }
    let hash = password::hash(&typed.password).await;
    match signups::start(tenancy, &state.config.signup_policy, &valid, &hash).await {
        Ok(_) => Ok(Redirect::to("/signup/sent").into_response()),
        Err(EngineError::Invalid(errors)) => {
            let suggestions =
                signups::suggestions(tenancy, valid.slug.as_str(), Some(&valid.municipality))
                    .await?;
            page(&visitor, &headers, &typed, &errors, Vec::new(), suggestions).await
        }
        Err(error) => Err(error.into()),
    }
}

/// The municipalities to pick from when the typed one is ambiguous.
fn choices(errors: &[FieldError], typed: &str) -> Vec<Choice> {
    let ambiguous = (errors.iter())
        .any(|e| e.field == Field::Municipality && e.problem == Problem::MunicipalityAmbiguous);
    let Found::Several(several) = ine::find(typed) else {
        return Vec::new();
    };
    if !ambiguous {
        return Vec::new();
    }
    several
        .into_iter()
        .map(|m| {
            let label = format!("{} ({})", m.spoken_name(), m.province);
            (m.full_code(), label)
        })
        .collect()
}

#[derive(Template)]
#[template(path = "platform_message.html")]
struct MessagePage<'a> {
    tr: &'a Tr,
    csrf: &'a str,
    title: String,
    paragraphs: Vec<String>,
    /// A button posting `token` to this address.
    button: Option<(&'static str, String, String)>,
    /// A link: (href, words).
    link: Option<(String, String)>,
    /// Reload the page after this many seconds.
    refresh: Option<u32>,
}

impl<'a> MessagePage<'a> {
    fn new(visitor: &'a PlatformVisitor, key: &str) -> Self {
        Self {
            tr: &visitor.tr,
            csrf: &visitor.csrf,
            title: visitor.tr.t(&format!("{key}-title")),
            paragraphs: vec![visitor.tr.t(&format!("{key}-body"))],
            button: None,
            link: None,
            refresh: None,
        }
    }

    fn respond(self, visitor: &PlatformVisitor, status: StatusCode) -> Result<Response, PageError> {
        let mut response = (status, Html(self.render()?)).into_response();
        // Pages carrying a token are never kept by caches.
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
        Ok(visitor.respond(response))
    }
}

/// `GET /signup/sent`.
pub async fn sent(visitor: PlatformVisitor) -> Result<Response, PageError> {
    MessagePage::new(&visitor, "signup-sent").respond(&visitor, StatusCode::OK)
}

/// `?token=` of the links in sign-up mail.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TokenQuery {
    token: String,
}

/// `GET /signup/confirm?token=…`: a button (mail scanners follow links;
/// GET never changes anything). Its answer leads to the new site, which
/// the page's policy allows.
pub async fn confirm_page(
    visitor: PlatformVisitor,
    headers: HeaderMap,
    Query(query): Query<TokenQuery>,
) -> Result<Response, PageError> {
    let progress = signups::progress(&visitor.state.tenancy, &query.token).await?;
    let mut page = MessagePage::new(&visitor, "signup-confirm");
    page.button = Some((
        "/signup/confirm",
        query.token,
        visitor.tr.t("signup-confirm-submit"),
    ));
    let mut response = page.respond(&visitor, StatusCode::OK)?;
    if let Some(progress) = progress {
        allow_forms_to(&mut response, &[site_of(&visitor, &headers, &progress)]);
    }
    Ok(response)
}

/// The address of the site a sign-up makes.
fn site_of(visitor: &PlatformVisitor, headers: &HeaderMap, progress: &Progress) -> String {
    let scheme = scheme(&visitor.state);
    format!("{scheme}://{}.{}", progress.slug, platform_host(headers))
}

/// `POST /signup/confirm`: confirms, waits a few seconds for the site, and
/// sends its first admin into it; or shows where the sign-up stands.
pub async fn confirm(
    visitor: PlatformVisitor,
    headers: HeaderMap,
    form: PlatformForm<TokenQuery>,
) -> Result<Response, PageError> {
    if !form.csrf_ok {
        return Err(PageError::Csrf);
    }
    let token = &form.value.token;
    let tenancy = &visitor.state.tenancy;
    let Some(mut progress) = signups::confirm(tenancy, token).await? else {
        return MessagePage::new(&visitor, "signup-invalid")
            .respond(&visitor, StatusCode::BAD_REQUEST);
    };
    let started = Instant::now();
    while matches!(progress.status, Status::Confirmed | Status::Provisioning)
        && started.elapsed() < WAIT_FOR_LIVE
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
        match signups::progress(tenancy, token).await? {
            Some(now) => progress = now,
            None => break,
        }
    }
    show(&visitor, &headers, token, &progress).await
}

/// `GET /signup/status?token=…`: where the sign-up stands; reloads itself
/// while the site is being made.
pub async fn status(
    visitor: PlatformVisitor,
    headers: HeaderMap,
    Query(query): Query<TokenQuery>,
) -> Result<Response, PageError> {
    let progress = signups::progress(&visitor.state.tenancy, &query.token).await?;
    let Some(progress) = progress else {
        return MessagePage::new(&visitor, "signup-invalid")
            .respond(&visitor, StatusCode::NOT_FOUND);
    };
    show(&visitor, &headers, &query.token, &progress).await
}

/// The page for a sign-up in `progress`: into the live site, or where it
/// stands.
async fn show(
    visitor: &PlatformVisitor,
    headers: &HeaderMap,
    token: &str,
    progress: &Progress,
) -> Result<Response, PageError> {
    let tr = &visitor.tr;
    let site = site_of(visitor, headers, progress);
    let key = match progress.status {
        Status::Live => {
            if let Some((_, welcome)) =
                signups::issue_welcome(&visitor.state.tenancy, token).await?
            {
                let url = format!("{site}/welcome?token={welcome}");
                return Ok(Redirect::to(&url).into_response());
            }
            let mut page = MessagePage::new(visitor, "signup-live");
            page.paragraphs = vec![tr.with("signup-live-body", "site", &site)];
            page.link = Some((format!("{site}/account/login"), tr.t("signup-live-login")));
            return page.respond(visitor, StatusCode::OK);
        }
        Status::Unconfirmed => {
            let mut page = MessagePage::new(visitor, "signup-confirm");
            page.button = Some((
                "/signup/confirm",
                token.to_owned(),
                tr.t("signup-confirm-submit"),
            ));
            let mut response = page.respond(visitor, StatusCode::OK)?;
            allow_forms_to(&mut response, &[site]);
            return Ok(response);
        }
        Status::Confirmed | Status::Provisioning => {
            let mut page = MessagePage::new(visitor, "signup-making");
            page.refresh = Some(1);
            page.link = Some((
                format!("/signup/status?token={token}"),
                tr.t("signup-making-reload"),
            ));
            return page.respond(visitor, StatusCode::ACCEPTED);
        }
        Status::Held => "signup-held",
        Status::Rejected => "signup-rejected",
        Status::Failed => "signup-failed",
    };
    MessagePage::new(visitor, key).respond(visitor, StatusCode::OK)
}

/// `GET /welcome?token=…` on the new site: a button.
pub async fn welcome_page(
    council: Council,
    Query(query): Query<crate::accounts::register::TokenQuery>,
) -> Result<Response, PageError> {
    let title = (council.tr).with("welcome-title", "council", &council.chrome.council);
    let keys = ["welcome-intro", "welcome-submit"];
    council.token_button(&query.token, "/welcome", title, keys)
}

/// `POST /welcome`: signs the first admin in, once.
pub async fn welcome(
    council: Council,
    CsrfForm(form): CsrfForm<crate::accounts::register::TokenForm>,
) -> Result<Response, PageError> {
    let state = &council.state;
    let user = signups::use_welcome(&state.tenancy, &council.tenant, &form.token).await?;
    let Some(user) = user else {
        return Ok(council.message(StatusCode::BAD_REQUEST, "welcome-invalid"));
    };
    let user_agent = council.user_agent.as_deref();
    let token = council
        .tx(async |tx| sessions::start(tx, user, user_agent).await)
        .await?;
    state.sessions.set_unread(council.tenant.id, user, None);
    let mut response = Redirect::to("/staff").into_response();
    state.set_session_cookie(response.headers_mut(), &token);
    Ok(response)
}
