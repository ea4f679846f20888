//! The council a request is for, with its settings, the visitor and the
//! page's strings: [`Council`] for pages (refusals are pages in the
//! visitor's language), [`ApiCouncil`] for the JSON API (refusals are
//! JSON). Each is worked out once per request and kept in the request's
//! extensions for the extractors that build on it.

use crate::http::error::{ApiError, PageError};
use crate::http::ratelimit::Action;
use crate::http::site::LanguageRequest;
use crate::http::state::AppState;
use crate::http::storage::{MEGABYTE, Picture, PictureError, Staged};
use crate::http::visitor::Visitor;
use crate::ui::chrome::{Chrome, language_links, staff_nav};
use crate::ui::forms::{FieldView, FormPage, FormView};
use crate::ui::i18n::Tr;
use crate::ui::message::keyed_page;
use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use cabildo_engine::accounts::sessions::Session;
use cabildo_engine::ids::UserId;
use cabildo_tenancy::entitlements::{Limit, Need, check};
use cabildo_tenancy::{Site, SiteSettings, TenancyError, Tenant, TenantTx};
use std::net::IpAddr;
use std::ops::Deref;
use std::sync::Arc;

/// A council's site as one request sees it.
pub struct Context {
    pub(crate) state: AppState,
    pub(crate) tenant: Arc<Tenant>,
    pub(crate) settings: Arc<SiteSettings>,
    pub(crate) tr: Tr,
    pub(crate) chrome: Chrome,
    pub(crate) visitor: Visitor,
    /// The visitor's address (for rate limits).
    pub(crate) ip: IpAddr,
    pub(crate) user_agent: Option<String>,
}

impl Context {
    /// Writes `picture` aside for a change by `user`: call it inside the
    /// change, once the engine has allowed it, and [`Staged::keep`] it
    /// after the change commits. Counts against the person's and the
    /// council's upload limits, and its plan's storage.
    pub async fn stage(&self, user: UserId, picture: &Picture) -> Result<Staged, PictureError> {
        let (limiter, tenant) = (&self.state.limiter, self.tenant.id);
        for (action, subject) in [
            (Action::UploadPerson, user.to_string()),
            (Action::UploadCouncil, "council".to_owned()),
        ] {
            let hit = limiter.hit(tenant, action, &subject).await;
            hit.map_err(PictureError::RateLimited)?;
        }
        let media = &self.state.config.media;
        let entitlements = self.tenant.entitlements.as_deref();
        if entitlements.is_some_and(|e| e.limits.storage_mb.is_some()) {
            let used = media.usage(tenant).await.map_err(PictureError::Failed)?;
            let wanted = (used + picture.size()).div_ceil(MEGABYTE);
            let need = Need::Limit(Limit::StorageMb, wanted);
            check(entitlements, need).map_err(PictureError::Plan)?;
        }
        Staged::new(media.clone(), tenant, picture).await
    }

    async fn load(parts: &Parts, state: &AppState, with_unread: bool) -> Result<Self, Failure> {
        let Some(Site::Council(tenant)) = parts.extensions.get::<Site>().cloned() else {
            return Err(Failure::NotFound);
        };
        let language = parts
            .extensions
            .get::<LanguageRequest>()
            .cloned()
            .unwrap_or_default();
        let ip = parts
            .extensions
            .get::<crate::http::site::ClientIp>()
            .map_or(IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED), |c| c.0);
        let settings = state.tenancy.site_settings(&tenant).await?;
        let code = language.pick(&settings.languages, &settings.default_language);
        let visitor = Visitor::from_headers(state, &tenant, &parts.headers).await?;
        let unread = match &visitor.session {
            Some(session) if with_unread => unread(state, &tenant, session.user).await?,
            _ => 0,
        };
        let tr = Tr::new(&code)
            .in_zone(settings.zone())
            .for_council(&tenant.name, &settings.name_article)
            .with_contact(&settings.contact);
        Ok(Self {
            chrome: Chrome {
                council: tenant.name.clone(),
                // A council without a logo shows its coat of arms.
                logo: settings
                    .logo
                    .clone()
                    .or_else(|| settings.coat_of_arms.clone()),
                languages: language_links(&settings.languages, &code),
                user: visitor.session.as_ref().map(|s| s.name.clone()),
                csrf: visitor.csrf.clone(),
                unread,
                login: login_here(parts),
                staff_nav: visitor
                    .session
                    .as_ref()
                    .map_or_else(Vec::new, |s| staff_nav(&tr, &s.roles, parts.uri.path())),
                staff_page: parts.uri.path().starts_with("/staff"),
            },
            state: state.clone(),
            tenant,
            settings,
            tr,
            visitor,
            ip,
            user_agent: parts
                .headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        })
    }

    /// The site's origin (`https://toledo.cabildo.example`), for links
    /// that leave the browser (Stripe, calendar files): the council's own
    /// host, with the port the request came to.
    pub fn origin(&self, headers: &axum::http::HeaderMap) -> String {
        let scheme = if self.state.config.secure_cookies {
            "https"
        } else {
            "http"
        };
        let port = (headers.get(header::HOST))
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.rsplit_once(':'))
            .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
            .map(|(_, port)| format!(":{port}"))
            .unwrap_or_default();
        let host = self.tenant.host(self.state.resolver.base_domain());
        format!("{scheme}://{host}{port}")
    }

    /// The logged-in person, if any.
    pub fn user(&self) -> Option<UserId> {
        self.visitor.session.as_ref().map(|s| s.user)
    }

    /// The logged-in person's session, if any.
    pub fn session(&self) -> Option<&Session> {
        self.visitor.session.as_ref()
    }

    /// The council's languages but its default one: those staff write
    /// translations in.
    pub fn other_languages(&self) -> Vec<String> {
        let settings = &self.settings;
        (settings.languages.iter())
            .filter(|code| **code != settings.default_language)
            .cloned()
            .collect()
    }

    /// The council's districts as (code, name).
    pub fn districts(&self) -> Vec<(String, String)> {
        self.settings
            .districts
            .iter()
            .map(|d| (d.code.clone(), d.name.clone()))
            .collect()
    }

    /// Runs `work` in a transaction of this council; commits only on `Ok`.
    pub async fn tx<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: AsyncFnOnce(&mut TenantTx) -> Result<T, E>,
        E: From<TenancyError>,
    {
        self.state.tenancy.transaction(&self.tenant, work).await
    }

    /// Runs `work` as a change (see [`Self::change`]); a refusal or refused
    /// fields come back as the line a staff form shows above itself (its
    /// fields named by `{form}-field-{name}`) instead of as an error.
    pub async fn attempt<T, F>(&self, form: &str, work: F) -> Result<Result<T, String>, PageError>
    where
        F: AsyncFnOnce(&mut TenantTx) -> Result<T, cabildo_engine::Error>,
    {
        match self
            .change(async |tx| Ok::<_, PageError>(work(tx).await?))
            .await
        {
            Ok(value) => Ok(Ok(value)),
            Err(error) => error.form_message(&self.tr, form).map(Err),
        }
    }

    /// A copy of what `work` reads, kept briefly for every visitor of this
    /// council under `key` (see [`crate::http::read_cache`]).
    pub async fn cached<T, E, F>(&self, key: String, work: F) -> Result<Arc<T>, E>
    where
        T: Send + Sync + 'static,
        F: AsyncFnOnce(&mut TenantTx) -> Result<T, E>,
        E: From<TenancyError>,
    {
        self.state
            .reads
            .get_or_load(self.tenant.id, key, || self.tx(work))
            .await
    }

    /// Like [`Context::tx`] for a change to what public pages show: the
    /// council's read cache is dropped once it is committed.
    pub async fn change<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: AsyncFnOnce(&mut TenantTx) -> Result<T, E>,
        E: From<TenancyError>,
    {
        let value = self.tx(work).await?;
        self.state.reads.changed(self.tenant.id).await;
        Ok(value)
    }
}

/// The login page's address coming back to the page asked for (not to
/// another account page, nor after a form was sent).
fn login_here(parts: &Parts) -> String {
    let here = parts.uri.path_and_query().map(|p| p.as_str());
    let back = here.filter(|h| parts.method.is_safe() && !h.starts_with("/account/"));
    crate::http::error::login_address(back)
}

/// The unread notifications of `user` for the bell (cached briefly).
async fn unread(state: &AppState, tenant: &Tenant, user: UserId) -> Result<i64, TenancyError> {
    if let Some(count) = state.sessions.unread(tenant.id, user) {
        return Ok(count);
    }
    let count = state
        .tenancy
        .transaction(tenant, async |tx| {
            cabildo_notify::notifications::count_unread(tx, user.into()).await
        })
        .await?;
    state.sessions.set_unread(tenant.id, user, Some(count));
    Ok(count)
}

/// Why a context could not be made.
enum Failure {
    NotFound,
    Store(cabildo_engine::Error),
}

impl From<TenancyError> for Failure {
    fn from(error: TenancyError) -> Self {
        Self::Store(error.into())
    }
}

impl From<cabildo_engine::Error> for Failure {
    fn from(error: cabildo_engine::Error) -> Self {
        Self::Store(error)
    }
}

/// A page of a council's site.
#[derive(Clone)]
pub struct Council(Arc<Context>);

/// An API call on a council's site.
#[derive(Clone)]
pub struct ApiCouncil(Arc<Context>);

impl Deref for Council {
    type Target = Context;
    fn deref(&self) -> &Context {
        &self.0
    }
}

impl Deref for ApiCouncil {
    type Target = Context;
    fn deref(&self) -> &Context {
        &self.0
    }
}

impl FromRequestParts<AppState> for Council {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        if let Some(council) = parts.extensions.get::<Self>() {
            return Ok(council.clone());
        }
        let council = Self(Arc::new(Context::load(parts, state, true).await.map_err(
            |failure| match failure {
                Failure::NotFound => PageError::NotFound,
                Failure::Store(error) => error.into(),
            },
        )?));
        parts.extensions.insert(council.clone());
        Ok(council)
    }
}

impl FromRequestParts<AppState> for ApiCouncil {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(council) = parts.extensions.get::<Self>() {
            return Ok(council.clone());
        }
        // No bell in the API, so no query for the unread count.
        let council = Self(Arc::new(Context::load(parts, state, false).await.map_err(
            |failure| match failure {
                Failure::NotFound => ApiError::NotFound,
                Failure::Store(error) => error.into(),
            },
        )?));
        parts.extensions.insert(council.clone());
        Ok(council)
    }
}

impl Council {
    /// `response` with the visitor's new CSRF cookie, when there is one.
    pub fn respond(&self, mut response: Response) -> Response {
        self.visitor
            .set_cookies(&self.state, response.headers_mut());
        response
    }

    /// `page` rendered with 200, without the CSRF cookie: for pages with
    /// no form an anonymous visitor could send (the home page, processes).
    pub fn render_plain(&self, page: &impl Template) -> Result<Response, PageError> {
        Ok(Html(page.render()?).into_response())
    }

    /// `page` rendered with 200.
    pub fn render(&self, page: &impl Template) -> Result<Response, PageError> {
        self.render_status(StatusCode::OK, page)
    }

    /// `page` rendered with `status`.
    pub fn render_status(
        &self,
        status: StatusCode,
        page: &impl Template,
    ) -> Result<Response, PageError> {
        Ok(self.respond((status, Html(page.render()?)).into_response()))
    }

    /// Like [`Council::render`], kept out of shared caches (a person's own
    /// page).
    pub fn render_private(&self, page: &impl Template) -> Result<Response, PageError> {
        let mut response = self.render(page)?;
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
        Ok(response)
    }

    /// The keyed message page (`{key}-title`, `{key}-body`).
    pub fn message(&self, status: StatusCode, key: &str) -> Response {
        self.respond(keyed_page(&self.tr, status, key))
    }

    /// A form page.
    pub fn form(&self, status: StatusCode, form: FormView) -> Result<Response, PageError> {
        let page = FormPage {
            tr: &self.tr,
            chrome: &self.chrome,
            form,
        };
        self.render_status(status, &page)
    }

    /// A page with one button that POSTs `token` to `action`: what links
    /// in mail lead to, since GET must never change anything.
    pub fn token_button(
        &self,
        token: &str,
        action: &str,
        title: String,
        [intro, submit]: [&str; 2],
    ) -> Result<Response, PageError> {
        let token = vec![FieldView::hidden("token", token)];
        let mut form = FormView::new(title, action, token, self.tr.t(submit));
        form.intro = Some(self.tr.t(intro));
        self.form(StatusCode::OK, form)
    }
}
