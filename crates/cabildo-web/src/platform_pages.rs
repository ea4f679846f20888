//! The platform site's pages for consultants and operators: log in, the
//! console of the councils they serve, and "open" a council, which hands
//! them over to it with a single-use token; plus the council side of the
//! hand-off (`/staff/handoff`).

use crate::AppState;
use crate::account_pages::{Context, Fields, fields_or_return, get};
use crate::error::{WebError, from_account};
use crate::http::cookies::{cookie, set_cookie};
use crate::i18n::Tr;
use crate::site::{ClientIp, LanguageRequest};
use askama::Template;
use axum::Extension;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use cabildo_engine::accounts::{password, sessions, tokens};
use cabildo_engine::platform::{self, Account};
use cabildo_engine::staff::Role;
use cabildo_tenancy::Site;
use std::collections::HashMap;

/// A council in the console.
pub struct ClientView {
    slug: String,
    name: String,
    role: String,
    role_label: String,
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
    councils: Vec<ClientView>,
}

fn session_cookie(state: &AppState) -> &'static str {
    if state.config.secure_cookies {
        "__Host-platform_session"
    } else {
        "platform_session"
    }
}

/// The platform visitor: their account when logged in, and the CSRF token.
struct PlatformVisitor {
    account: Option<Account>,
    session_token: Option<String>,
    csrf: String,
    new_csrf: bool,
}

async fn visitor(state: &AppState, headers: &HeaderMap) -> Result<PlatformVisitor, WebError> {
    let mut account = None;
    let mut session_token = None;
    if let Some(token) = cookie(headers, session_cookie(state)).filter(|t| tokens::well_formed(t)) {
        account = platform::find_session(&state.tenancy, token)
            .await
            .map_err(from_account)?;
        if account.is_some() {
            session_token = Some(token.to_owned());
        }
    }
    let (csrf, new_csrf) = match &session_token {
        Some(token) => (state.csrf_for_session(&tokens::digest(token)), false),
        None => match cookie(headers, state.cookie_names().csrf).filter(|t| tokens::well_formed(t))
        {
            Some(token) => (token.to_owned(), false),
            None => (tokens::new_token(), true),
        },
    };
    Ok(PlatformVisitor {
        account,
        session_token,
        csrf,
        new_csrf,
    })
}

impl PlatformVisitor {
    fn csrf_ok(&self, fields: &HashMap<String, String>) -> bool {
        !self.new_csrf
            && fields
                .get("csrf_token")
                .is_some_and(|sent| *sent == self.csrf)
    }

    fn respond(&self, state: &AppState, mut response: Response) -> Response {
        if self.new_csrf {
            response.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(
                    state.config.secure_cookies,
                    state.cookie_names().csrf,
                    &self.csrf,
                    None,
                ),
            );
        }
        response
    }
}

macro_rules! platform_only {
    ($site:expr, $language:expr) => {
        if !matches!($site, Site::Platform) {
            return WebError::NotFound.into_page(&$language.ui());
        }
    };
}

fn login_page(
    state: &AppState,
    tr: &Tr,
    visitor: &PlatformVisitor,
    email: &str,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let page = LoginPage {
        tr,
        csrf: &visitor.csrf,
        email,
        error,
    };
    match page.render() {
        Ok(html) => visitor.respond(state, (status, Html(html)).into_response()),
        Err(error) => WebError::from(error).into_page(tr),
    }
}

/// `GET /login` on the platform site.
pub async fn login_form(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
) -> Response {
    platform_only!(site, language);
    let tr = language.ui();
    match visitor(&state, &headers).await {
        Ok(visitor) if visitor.account.is_some() => Redirect::to("/console").into_response(),
        Ok(visitor) => login_page(&state, &tr, &visitor, "", None, StatusCode::OK),
        Err(error) => error.into_page(&tr),
    }
}

/// `POST /login` on the platform site.
pub async fn login(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
    form: Result<Form<HashMap<String, String>>, axum::extract::rejection::FormRejection>,
) -> Response {
    platform_only!(site, language);
    let tr = language.ui();
    let visitor = match visitor(&state, &headers).await {
        Ok(visitor) => visitor,
        Err(error) => return error.into_page(&tr),
    };
    let Ok(Form(fields)) = form else {
        return WebError::BadRequest.into_page(&tr);
    };
    if !visitor.csrf_ok(&fields) {
        let error = Some(tr.t("error-csrf-body"));
        return login_page(&state, &tr, &visitor, "", error, StatusCode::FORBIDDEN);
    }
    let email = get(&fields, "email").trim().to_lowercase();
    // Platform logins share the council limits, under a nil council id.
    let platform = cabildo_tenancy::TenantId(uuid::Uuid::nil());
    for (action, subject) in [
        (crate::ratelimit::Action::LoginIp, ip.to_string()),
        (crate::ratelimit::Action::LoginAccount, email.clone()),
    ] {
        if let Err(seconds) = state.limiter.hit(platform, action, &subject).await {
            let mut response = login_page(
                &state,
                &tr,
                &visitor,
                &email,
                Some(tr.count(
                    "error-rate-limited-body",
                    i64::try_from(seconds).unwrap_or(i64::MAX),
                )),
                StatusCode::TOO_MANY_REQUESTS,
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            return response;
        }
    }
    let credentials = match platform::credentials(&state.tenancy, &email).await {
        Ok(credentials) => credentials,
        Err(error) => return from_account(error).into_page(&tr),
    };
    let hash = credentials.as_ref().map(|(_, hash)| hash.clone());
    let valid = password::verify(hash, get(&fields, "password")).await;
    let (Some((account, _)), true) = (credentials, valid) else {
        let error = Some(tr.t("error-invalid-credentials"));
        return login_page(
            &state,
            &tr,
            &visitor,
            &email,
            error,
            StatusCode::UNAUTHORIZED,
        );
    };
    match platform::start_session(&state.tenancy, account).await {
        Ok(token) => {
            let mut response = Redirect::to("/console").into_response();
            response.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(
                    state.config.secure_cookies,
                    session_cookie(&state),
                    &token,
                    Some(i64::from(platform::SESSION_DAYS) * 86_400),
                ),
            );
            response
        }
        Err(error) => from_account(error).into_page(&tr),
    }
}

/// `GET /console`: the councils this account serves.
pub async fn console(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
) -> Response {
    platform_only!(site, language);
    let tr = language.ui();
    let visitor = match visitor(&state, &headers).await {
        Ok(visitor) => visitor,
        Err(error) => return error.into_page(&tr),
    };
    let Some(account) = &visitor.account else {
        return Redirect::to("/login").into_response();
    };
    let councils = match platform::councils(&state.tenancy, account).await {
        Ok(councils) => councils,
        Err(error) => return from_account(error).into_page(&tr),
    };
    let page = ConsolePage {
        tr: &tr,
        csrf: &visitor.csrf,
        greeting: tr.with("console-greeting", "name", &account.name),
        councils: councils
            .into_iter()
            .map(|c| ClientView {
                role_label: tr.t(&format!("staff-role-{}", c.role)),
                slug: c.slug,
                name: c.name,
                role: c.role,
            })
            .collect(),
    };
    match page.render() {
        Ok(html) => {
            let mut response = Html(html).into_response();
            response.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
            response
        }
        Err(error) => WebError::from(error).into_page(&tr),
    }
}

/// `POST /console/open`: hands the account over to a council it serves.
pub async fn open(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
    form: Result<Form<HashMap<String, String>>, axum::extract::rejection::FormRejection>,
) -> Response {
    platform_only!(site, language);
    let tr = language.ui();
    let visitor = match visitor(&state, &headers).await {
        Ok(visitor) => visitor,
        Err(error) => return error.into_page(&tr),
    };
    let Some(account) = &visitor.account else {
        return Redirect::to("/login").into_response();
    };
    let Ok(Form(fields)) = form else {
        return WebError::BadRequest.into_page(&tr);
    };
    if !visitor.csrf_ok(&fields) {
        return WebError::Forbidden.into_page(&tr);
    }
    let (Some(role), slug) = (Role::parse(get(&fields, "role")), get(&fields, "slug")) else {
        return WebError::BadRequest.into_page(&tr);
    };
    let platform_host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_lowercase();
    let council_host = format!("{slug}.{platform_host}");
    match platform::handoff(&state.tenancy, account, slug, role, &council_host).await {
        Ok(Some(token)) => {
            let scheme = if state.config.secure_cookies {
                "https"
            } else {
                "http"
            };
            Redirect::to(&format!(
                "{scheme}://{council_host}/staff/handoff?token={token}"
            ))
            .into_response()
        }
        Ok(None) => WebError::Forbidden.into_page(&tr),
        Err(error) => from_account(error).into_page(&tr),
    }
}

/// `POST /logout` on the platform site.
pub async fn logout(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
    form: Result<Form<HashMap<String, String>>, axum::extract::rejection::FormRejection>,
) -> Response {
    platform_only!(site, language);
    let tr = language.ui();
    let visitor = match visitor(&state, &headers).await {
        Ok(visitor) => visitor,
        Err(error) => return error.into_page(&tr),
    };
    let Ok(Form(fields)) = form else {
        return WebError::BadRequest.into_page(&tr);
    };
    if !visitor.csrf_ok(&fields) {
        return WebError::Forbidden.into_page(&tr);
    }
    if let Some(token) = &visitor.session_token
        && let Err(error) = platform::end_session(&state.tenancy, token).await
    {
        return from_account(error).into_page(&tr);
    }
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            state.config.secure_cookies,
            session_cookie(&state),
            "",
            Some(0),
        ),
    );
    response
}

/// `GET /staff/handoff?token=…` on a council's site: a button (GET never
/// changes anything).
pub async fn handoff_page(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let ctx = match Context::load(&state, &site, &language, &headers).await {
        Ok(ctx) => ctx,
        Err(error) => return error.into_page(&language.ui()),
    };
    let token = query.get("token").cloned().unwrap_or_default();
    ctx.token_button(
        &state,
        &token,
        "/staff/handoff",
        ctx.tr.with("handoff-title", "council", &ctx.chrome.council),
        ctx.tr.t("handoff-intro"),
        ctx.tr.t("handoff-submit"),
    )
}

/// `POST /staff/handoff`: uses the token and starts a staff session here.
pub async fn handoff(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = match Context::load(&state, &site, &language, &headers).await {
        Ok(ctx) => ctx,
        Err(error) => return error.into_page(&language.ui()),
    };
    let values = fields_or_return!(ctx, state, form);
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_lowercase();
    let arrived: Result<Option<String>, WebError> = async {
        let Some(arrival) =
            platform::use_handoff(&state.tenancy, get(&values, "token"), ctx.tenant.id, &host)
                .await
                .map_err(from_account)?
        else {
            return Ok(None);
        };
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        let user = platform::council_account(&mut tx, &arrival)
            .await
            .map_err(from_account)?;
        let user_agent = headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok());
        let token = sessions::start(&mut tx, user, user_agent)
            .await
            .map_err(from_account)?;
        tx.commit().await?;
        state.sessions.set_unread(ctx.tenant.id, user, None);
        Ok(Some(token))
    }
    .await;
    match arrived {
        Ok(Some(token)) => {
            let mut response = Redirect::to("/staff").into_response();
            response.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(
                    state.config.secure_cookies,
                    state.cookie_names().session,
                    &token,
                    Some(sessions::ABSOLUTE.whole_seconds()),
                ),
            );
            response
        }
        Ok(None) => ctx.message(&state, StatusCode::BAD_REQUEST, "handoff-invalid"),
        Err(error) => error.into_page(&ctx.tr),
    }
}
