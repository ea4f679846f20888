//! Account pages on a council's site: register, confirm the address, log
//! in and out, forgotten password, the account page. Every form carries a
//! CSRF token, every POST is rate limited where guessing or flooding is
//! possible, and answers never tell whether an address has an account.

use crate::AppState;
use crate::error::{WebError, from_account};
use crate::http::cookies::set_cookie;
use crate::http::visitor::Visitor;
use crate::i18n::Tr;
use crate::pages::{LanguageLink, language_links, message_page};
use crate::ratelimit::Action;
use crate::session_cache::Ended;
use crate::site::{ClientIp, LanguageRequest};
use askama::Template;
use axum::Extension;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use cabildo_engine::accounts::validate::FieldError;
use cabildo_engine::accounts::{self, AccountError, Registered, Registration, password, sessions};
use cabildo_engine::census;
use cabildo_tenancy::{Site, Tenant};
use std::collections::HashMap;
use std::sync::Arc;

/// What every council page shows around its content.
pub struct Chrome {
    /// The council's name.
    pub council: String,
    /// The language switcher.
    pub languages: Vec<LanguageLink>,
    /// The logged-in person's name.
    pub user: Option<String>,
    /// The CSRF token for forms.
    pub csrf: String,
    /// Unread notifications of the logged-in person (for the bell).
    pub unread: i64,
}

/// One error line of a form.
pub struct ErrorLine {
    pub(crate) field: Option<&'static str>,
    pub(crate) message: String,
}

/// A field of a form.
pub struct FieldView {
    pub(crate) name: &'static str,
    pub(crate) kind: &'static str,
    pub(crate) label: String,
    pub(crate) value: String,
    pub(crate) autocomplete: &'static str,
    pub(crate) hint: Option<String>,
    pub(crate) error: Option<String>,
    pub(crate) options: Vec<(String, String)>,
}

/// A form page.
pub struct FormView {
    pub(crate) title: String,
    pub(crate) intro: Option<String>,
    pub(crate) action: String,
    pub(crate) fields: Vec<FieldView>,
    pub(crate) submit: String,
    pub(crate) errors: Vec<ErrorLine>,
    pub(crate) links: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "account_form.html")]
struct FormPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    languages: &'a [LanguageLink],
    form: FormView,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    languages: &'a [LanguageLink],
    profile: accounts::Profile,
    preferences: accounts::Preferences,
    notify_options: Vec<(&'static str, String)>,
    password_hint: String,
}

/// The council, its strings and the visitor, for a page.
pub(crate) struct Context {
    pub(crate) tenant: Arc<Tenant>,
    pub(crate) tr: Tr,
    pub(crate) chrome: Chrome,
    pub(crate) visitor: Visitor,
    pub(crate) languages: Vec<String>,
}

impl Context {
    pub(crate) async fn load(
        state: &AppState,
        site: &Site,
        language: &LanguageRequest,
        headers: &HeaderMap,
    ) -> Result<Self, WebError> {
        Self::build(state, site, language, headers, true).await
    }

    /// The context of a JSON API call: the same, without the page chrome's
    /// unread count (no bell to show, so no query for it).
    pub(crate) async fn load_for_api(
        state: &AppState,
        site: &Site,
        language: &LanguageRequest,
        headers: &HeaderMap,
    ) -> Result<Self, WebError> {
        Self::build(state, site, language, headers, false).await
    }

    async fn build(
        state: &AppState,
        site: &Site,
        language: &LanguageRequest,
        headers: &HeaderMap,
        with_unread: bool,
    ) -> Result<Self, WebError> {
        let Site::Council(tenant) = site else {
            return Err(WebError::NotFound);
        };
        let settings = state.tenancy.site_settings(tenant).await?;
        let code = language.pick(&settings.languages, &settings.default_language);
        let visitor = Visitor::from_headers(state, tenant, headers).await?;
        let unread = match &visitor.session {
            Some(session) if with_unread => match state.sessions.unread(tenant.id, session.user) {
                Some(count) => count,
                None => {
                    let mut tx = state.tenancy.begin(tenant).await?;
                    let count =
                        cabildo_notify::notifications::count_unread(&mut tx, session.user).await?;
                    tx.commit().await?;
                    state
                        .sessions
                        .set_unread(tenant.id, session.user, Some(count));
                    count
                }
            },
            _ => 0,
        };
        Ok(Self {
            chrome: Chrome {
                council: tenant.name.clone(),
                languages: language_links(&settings.languages, &code),
                user: visitor.session.as_ref().map(|s| s.name.clone()),
                csrf: visitor.csrf.clone(),
                unread,
            },
            tenant: tenant.clone(),
            tr: Tr::new(&code),
            visitor,
            languages: settings.languages.clone(),
        })
    }

    /// Who the logged-in `user` is in the audit log (a consultant acting
    /// through this council account is named as such).
    pub(crate) fn actor(&self, user: uuid::Uuid) -> cabildo_engine::staff::Actor {
        match &self.visitor.session {
            Some(session) => session.actor(),
            None => cabildo_engine::staff::Actor::user(user),
        }
    }

    /// A page with one button that POSTs `token` to `action`: what links
    /// in mail lead to, since GET must never change anything.
    pub(crate) fn token_button(
        &self,
        state: &AppState,
        token: &str,
        action: &str,
        title: String,
        intro: String,
        submit: String,
    ) -> Response {
        let form = FormView {
            title,
            intro: Some(intro),
            action: action.into(),
            fields: vec![self.field("token", "hidden", "off", token)],
            submit,
            errors: Vec::new(),
            links: Vec::new(),
        };
        self.form(state, StatusCode::OK, form)
    }

    pub(crate) fn form(&self, state: &AppState, status: StatusCode, form: FormView) -> Response {
        let page = FormPage {
            tr: &self.tr,
            chrome: &self.chrome,
            languages: &self.chrome.languages,
            form,
        };
        match page.render() {
            Ok(html) => self.respond(state, (status, Html(html)).into_response()),
            Err(error) => WebError::from(error).into_page(&self.tr),
        }
    }

    pub(crate) fn message(&self, state: &AppState, status: StatusCode, key: &str) -> Response {
        let response = message_page(
            &self.tr,
            status,
            &self.tr.t(&format!("{key}-title")),
            &self.tr.t(&format!("{key}-body")),
            true,
        );
        self.respond(state, response)
    }

    pub(crate) fn respond(&self, state: &AppState, mut response: Response) -> Response {
        self.visitor.set_cookies(state, response.headers_mut());
        response
    }

    fn too_many(&self, state: &AppState, retry_after: u64) -> Response {
        let mut response = message_page(
            &self.tr,
            StatusCode::TOO_MANY_REQUESTS,
            &self.tr.t("error-rate-limited-title"),
            &self.tr.count(
                "error-rate-limited-body",
                i64::try_from(retry_after).unwrap_or(i64::MAX),
            ),
            true,
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        self.respond(state, response)
    }

    pub(crate) fn field(
        &self,
        name: &'static str,
        kind: &'static str,
        autocomplete: &'static str,
        value: &str,
    ) -> FieldView {
        FieldView {
            name,
            kind,
            label: self.tr.t(&format!("field-{}", name.replace('_', "-"))),
            value: value.to_owned(),
            autocomplete,
            hint: None,
            error: None,
            options: Vec::new(),
        }
    }
}

/// A form body as sent, or the page explaining it could not be read.
pub(crate) type Fields = Result<Form<HashMap<String, String>>, FormRejection>;

/// The fields of a POSTed form carrying this visitor's CSRF token, or the
/// page refusing it.
pub(crate) fn checked_fields(
    ctx: &Context,
    state: &AppState,
    form: Fields,
) -> Result<HashMap<String, String>, Box<Response>> {
    let fields = match form {
        Ok(Form(fields)) => fields,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            let page = ctx.message(state, StatusCode::PAYLOAD_TOO_LARGE, "error-too-large");
            return Err(Box::new(page));
        }
        Err(_) => {
            return Err(Box::new(ctx.message(
                state,
                StatusCode::BAD_REQUEST,
                "error-form",
            )));
        }
    };
    let sent = fields
        .get("csrf_token")
        .map(String::as_str)
        .unwrap_or_default();
    if ctx.visitor.csrf_matches(sent) {
        Ok(fields)
    } else {
        Err(Box::new(ctx.message(
            state,
            StatusCode::FORBIDDEN,
            "error-csrf",
        )))
    }
}

pub(crate) fn get<'a>(fields: &'a HashMap<String, String>, name: &str) -> &'a str {
    fields.get(name).map(String::as_str).unwrap_or_default()
}

macro_rules! load {
    ($state:expr, $site:expr, $language:expr, $headers:expr) => {
        match $crate::account_pages::Context::load(&$state, &$site, &$language, &$headers).await {
            Ok(ctx) => ctx,
            Err(error) => return error.into_page(&$language.ui()),
        }
    };
}
pub(crate) use load;

macro_rules! fields_or_return {
    ($ctx:expr, $state:expr, $form:expr) => {
        match $crate::account_pages::checked_fields(&$ctx, &$state, $form) {
            Ok(fields) => fields,
            Err(response) => return *response,
        }
    };
}
pub(crate) use fields_or_return;

fn register_form(
    ctx: &Context,
    values: &HashMap<String, String>,
    errors: &[FieldError],
) -> FormView {
    let tr = &ctx.tr;
    let error_for = |name: &str| {
        errors
            .iter()
            .find(|e| e.field.name() == name)
            .map(|e| tr.t(&format!("error-{}", e.code.replace('_', "-"))))
    };
    let mut fields = vec![
        ctx.field("name", "text", "name", get(values, "name")),
        ctx.field("nickname", "text", "nickname", get(values, "nickname")),
        ctx.field("email", "email", "email", get(values, "email")),
        ctx.field("password", "password", "new-password", ""),
        ctx.field("language", "select", "off", get(values, "language")),
        ctx.field(
            "accept_terms",
            "checkbox",
            "off",
            get(values, "accept_terms"),
        ),
        ctx.field("newsletter", "checkbox", "off", get(values, "newsletter")),
    ];
    for field in &mut fields {
        field.error = error_for(field.name);
    }
    fields[1].hint = Some(tr.t("hint-nickname"));
    fields[3].hint = Some(tr.count("hint-password", password::MIN_LENGTH as i64));
    fields[4].options = ctx
        .languages
        .iter()
        .map(|code| (code.clone(), crate::i18n::native_name(code).to_owned()))
        .collect();
    if fields[4].value.is_empty() {
        fields[4].value = ctx.tr.code().to_owned();
    }
    FormView {
        title: tr.t("register-title"),
        intro: Some(tr.with("register-intro", "council", &ctx.chrome.council)),
        action: "/account/register".into(),
        errors: fields
            .iter()
            .filter_map(|f| {
                f.error.clone().map(|message| ErrorLine {
                    field: Some(f.name),
                    message,
                })
            })
            .collect(),
        fields,
        submit: tr.t("register-submit"),
        links: vec![("/account/login", tr.t("register-have-account"))],
    }
}

/// `GET /account/register`.
pub async fn register_page(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let form = register_form(&ctx, &HashMap::new(), &[]);
    ctx.form(&state, StatusCode::OK, form)
}

/// `POST /account/register`.
pub async fn register(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let values = fields_or_return!(ctx, state, form);
    let registration = Registration {
        name: get(&values, "name").into(),
        nickname: get(&values, "nickname").into(),
        email: get(&values, "email").into(),
        password: get(&values, "password").into(),
        language: get(&values, "language").into(),
        accept_terms: get(&values, "accept_terms") == "on",
        newsletter: get(&values, "newsletter") == "on",
    };
    match register_account(&state, &ctx.tenant, &ip.to_string(), &registration).await {
        Ok(()) => ctx.message(&state, StatusCode::OK, "register-done"),
        Err(Refusal::Invalid(errors)) => {
            let form = register_form(&ctx, &values, &errors);
            ctx.form(&state, StatusCode::UNPROCESSABLE_ENTITY, form)
        }
        Err(Refusal::RateLimited(seconds)) => ctx.too_many(&state, seconds),
        Err(Refusal::Failed(error)) => error.into_page(&ctx.tr),
    }
}

/// Why an account action was refused.
pub(crate) enum Refusal {
    Invalid(Vec<FieldError>),
    RateLimited(u64),
    Failed(WebError),
}

impl From<AccountError> for Refusal {
    fn from(error: AccountError) -> Self {
        match error {
            AccountError::Invalid(errors) => Self::Invalid(errors),
            other => Self::Failed(from_account(other)),
        }
    }
}

impl From<cabildo_tenancy::TenancyError> for Refusal {
    fn from(error: cabildo_tenancy::TenancyError) -> Self {
        Self::Failed(error.into())
    }
}

/// Registration, shared by the page and the API: the same answer whether
/// or not the address already has an account.
pub(crate) async fn register_account(
    state: &AppState,
    tenant: &Tenant,
    ip: &str,
    registration: &Registration,
) -> Result<(), Refusal> {
    let settings = state.tenancy.site_settings(tenant).await?;
    let valid = registration.validate(&settings.languages)?;
    state
        .limiter
        .hit(tenant.id, Action::Register, ip)
        .await
        .map_err(Refusal::RateLimited)?;
    let hash = password::hash(&registration.password).await;
    let mut tx = state.tenancy.begin(tenant).await?;
    let registered = accounts::register(&mut tx, &valid, &hash).await?;
    tx.commit().await?;
    if let Registered::New(user) = registered {
        tracing::info!(user = %user, "account registered");
    }
    Ok(())
}

/// `GET /account/confirm?token=…`: a button, since mail scanners follow
/// links and GET never changes anything.
pub async fn confirm_page(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let token = query.get("token").cloned().unwrap_or_default();
    ctx.token_button(
        &state,
        &token,
        "/account/confirm",
        ctx.tr.t("confirm-title"),
        ctx.tr.t("confirm-intro"),
        ctx.tr.t("confirm-submit"),
    )
}

/// `POST /account/confirm`.
pub async fn confirm(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let values = fields_or_return!(ctx, state, form);
    match confirm_address(&state, &ctx.tenant, get(&values, "token")).await {
        Ok(true) => ctx.message(&state, StatusCode::OK, "confirm-done"),
        Ok(false) => ctx.message(&state, StatusCode::BAD_REQUEST, "confirm-invalid"),
        Err(error) => error.into_page(&ctx.tr),
    }
}

pub(crate) async fn confirm_address(
    state: &AppState,
    tenant: &Tenant,
    token: &str,
) -> Result<bool, WebError> {
    let mut tx = state.tenancy.begin(tenant).await?;
    let confirmed = accounts::confirm(&mut tx, token)
        .await
        .map_err(from_account)?;
    tx.commit().await?;
    Ok(confirmed.is_some())
}

fn login_form(ctx: &Context, email: &str, error: Option<String>) -> FormView {
    let tr = &ctx.tr;
    FormView {
        title: tr.t("login-title"),
        intro: None,
        action: "/account/login".into(),
        fields: vec![
            ctx.field("email", "email", "username", email),
            ctx.field("password", "password", "current-password", ""),
        ],
        submit: tr.t("login-submit"),
        errors: error
            .map(|message| {
                vec![ErrorLine {
                    field: None,
                    message,
                }]
            })
            .unwrap_or_default(),
        links: vec![
            ("/account/password/forgot", tr.t("login-forgot")),
            ("/account/register", tr.t("login-no-account")),
        ],
    }
}

/// `GET /account/login`.
pub async fn login_page(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let form = login_form(&ctx, "", None);
    ctx.form(&state, StatusCode::OK, form)
}

/// Why a login failed.
pub(crate) enum LoginRefusal {
    Invalid,
    Unconfirmed,
    RateLimited(u64),
    Failed(WebError),
}

/// Checks credentials and starts a session; returns its token. Shared by
/// the page and the API.
pub(crate) async fn log_in(
    state: &AppState,
    tenant: &Tenant,
    ip: &str,
    email: &str,
    password_sent: &str,
    user_agent: Option<&str>,
) -> Result<(sessions::Session, String), LoginRefusal> {
    let failed = |e: WebError| LoginRefusal::Failed(e);
    state
        .limiter
        .hit(tenant.id, Action::LoginIp, ip)
        .await
        .map_err(LoginRefusal::RateLimited)?;
    state
        .limiter
        .hit(
            tenant.id,
            Action::LoginAccount,
            &email.trim().to_lowercase(),
        )
        .await
        .map_err(LoginRefusal::RateLimited)?;
    let mut tx = state
        .tenancy
        .begin(tenant)
        .await
        .map_err(|e| failed(e.into()))?;
    let credentials = accounts::credentials(&mut tx, email)
        .await
        .map_err(|e| failed(from_account(e)))?;
    tx.commit().await.map_err(|e| failed(e.into()))?;
    let hash = credentials.as_ref().and_then(|c| c.password_hash.clone());
    if !password::verify(hash, password_sent).await {
        return Err(LoginRefusal::Invalid);
    }
    let Some(credentials) = credentials else {
        return Err(LoginRefusal::Invalid);
    };
    if !credentials.confirmed {
        return Err(LoginRefusal::Unconfirmed);
    }
    let mut tx = state
        .tenancy
        .begin(tenant)
        .await
        .map_err(|e| failed(e.into()))?;
    let token = sessions::start(&mut tx, credentials.user, user_agent)
        .await
        .map_err(|e| failed(from_account(e)))?;
    let session = sessions::find(&mut tx, &token)
        .await
        .map_err(|e| failed(from_account(e)))?;
    tx.commit().await.map_err(|e| failed(e.into()))?;
    match session {
        Some(session) => Ok((session, token)),
        None => Err(failed(WebError::Internal(
            "a new session was not found".into(),
        ))),
    }
}

/// `POST /account/login`.
pub async fn login(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let values = fields_or_return!(ctx, state, form);
    let email = get(&values, "email");
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    match log_in(
        &state,
        &ctx.tenant,
        &ip.to_string(),
        email,
        get(&values, "password"),
        user_agent,
    )
    .await
    {
        Ok((_, token)) => {
            let mut response = Redirect::to("/").into_response();
            let names = state.cookie_names();
            let secure = state.config.secure_cookies;
            let age = sessions::ABSOLUTE.whole_seconds();
            response.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(secure, names.session, &token, Some(age)),
            );
            // The pre-login CSRF token is done with: the session has its own.
            response.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(secure, names.csrf, "", Some(0)),
            );
            response
        }
        Err(LoginRefusal::Invalid) => {
            let form = login_form(&ctx, email, Some(ctx.tr.t("error-invalid-credentials")));
            ctx.form(&state, StatusCode::UNAUTHORIZED, form)
        }
        Err(LoginRefusal::Unconfirmed) => {
            let form = login_form(&ctx, email, Some(ctx.tr.t("error-unconfirmed")));
            ctx.form(&state, StatusCode::FORBIDDEN, form)
        }
        Err(LoginRefusal::RateLimited(seconds)) => ctx.too_many(&state, seconds),
        Err(LoginRefusal::Failed(error)) => error.into_page(&ctx.tr),
    }
}

/// `POST /account/logout`.
pub async fn logout(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    end_sessions(state, site, language, headers, form, false).await
}

/// `POST /account/logout-everywhere`.
pub async fn logout_everywhere(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    end_sessions(state, site, language, headers, form, true).await
}

async fn end_sessions(
    state: AppState,
    site: Site,
    language: LanguageRequest,
    headers: HeaderMap,
    form: Fields,
    everywhere: bool,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let _ = fields_or_return!(ctx, state, form);
    if let (Some(session), Some(token)) = (&ctx.visitor.session, &ctx.visitor.session_token) {
        let result: Result<(), WebError> = async {
            let mut tx = state.tenancy.begin(&ctx.tenant).await?;
            if everywhere {
                sessions::end_all(&mut tx, session.user)
                    .await
                    .map_err(from_account)?;
            } else {
                sessions::end(&mut tx, token).await.map_err(from_account)?;
            }
            tx.commit().await?;
            let ended = if everywhere {
                Ended::User(session.user)
            } else {
                Ended::Session(session.id.clone())
            };
            state.sessions.ended(ctx.tenant.id, ended).await;
            Ok(())
        }
        .await;
        if let Err(error) = result {
            return error.into_page(&ctx.tr);
        }
    }
    let mut response = Redirect::to("/").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            state.config.secure_cookies,
            state.cookie_names().session,
            "",
            Some(0),
        ),
    );
    response
}

/// `GET /account/password/forgot`.
pub async fn forgot_page(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let form = forgot_form(&ctx);
    ctx.form(&state, StatusCode::OK, form)
}

fn forgot_form(ctx: &Context) -> FormView {
    FormView {
        title: ctx.tr.t("forgot-title"),
        intro: Some(ctx.tr.t("forgot-intro")),
        action: "/account/password/forgot".into(),
        fields: vec![ctx.field("email", "email", "email", "")],
        submit: ctx.tr.t("forgot-submit"),
        errors: Vec::new(),
        links: vec![("/account/login", ctx.tr.t("account-login"))],
    }
}

/// Sends a reset link if the address has an account; the same answer
/// either way. Shared by the page and the API.
pub(crate) async fn request_reset(
    state: &AppState,
    tenant: &Tenant,
    ip: &str,
    email: &str,
) -> Result<(), Refusal> {
    state
        .limiter
        .hit(tenant.id, Action::ResetIp, ip)
        .await
        .map_err(Refusal::RateLimited)?;
    if state
        .limiter
        .hit(
            tenant.id,
            Action::ResetAddress,
            &email.trim().to_lowercase(),
        )
        .await
        .is_err()
    {
        // Already mailed moments ago: answer as usual, send nothing more.
        return Ok(());
    }
    let mut tx = state.tenancy.begin(tenant).await?;
    accounts::request_reset(&mut tx, email).await?;
    tx.commit().await?;
    Ok(())
}

/// `POST /account/password/forgot`.
pub async fn forgot(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let values = fields_or_return!(ctx, state, form);
    match request_reset(&state, &ctx.tenant, &ip.to_string(), get(&values, "email")).await {
        Ok(()) | Err(Refusal::Invalid(_)) => ctx.message(&state, StatusCode::OK, "forgot-done"),
        Err(Refusal::RateLimited(seconds)) => ctx.too_many(&state, seconds),
        Err(Refusal::Failed(error)) => error.into_page(&ctx.tr),
    }
}

fn reset_form(ctx: &Context, token: &str, error: Option<String>) -> FormView {
    let mut password = ctx.field("password", "password", "new-password", "");
    password.hint = Some(ctx.tr.count("hint-password", password::MIN_LENGTH as i64));
    password.error = error.clone();
    FormView {
        title: ctx.tr.t("reset-title"),
        intro: None,
        action: "/account/password/reset".into(),
        fields: vec![ctx.field("token", "hidden", "off", token), password],
        submit: ctx.tr.t("reset-submit"),
        errors: error
            .map(|message| {
                vec![ErrorLine {
                    field: Some("password"),
                    message,
                }]
            })
            .unwrap_or_default(),
        links: Vec::new(),
    }
}

/// `GET /account/password/reset?token=…`.
pub async fn reset_page(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let token = query.get("token").cloned().unwrap_or_default();
    let usable: Result<bool, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        let usable = accounts::reset_token_usable(&mut tx, &token)
            .await
            .map_err(from_account)?;
        tx.commit().await?;
        Ok(usable)
    }
    .await;
    match usable {
        Ok(true) => {
            let form = reset_form(&ctx, &token, None);
            ctx.form(&state, StatusCode::OK, form)
        }
        Ok(false) => ctx.message(&state, StatusCode::BAD_REQUEST, "reset-invalid"),
        Err(error) => error.into_page(&ctx.tr),
    }
}

/// `POST /account/password/reset`.
pub async fn reset(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let values = fields_or_return!(ctx, state, form);
    let token = get(&values, "token");
    let new_password = get(&values, "password");
    if let Err(weakness) = password::check(new_password, &[]) {
        let message = ctx
            .tr
            .t(&format!("error-{}", weakness.code().replace('_', "-")));
        let form = reset_form(&ctx, token, Some(message));
        return ctx.form(&state, StatusCode::UNPROCESSABLE_ENTITY, form);
    }
    let hash = password::hash(new_password).await;
    let result: Result<bool, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        let user = accounts::reset_password(&mut tx, token, &hash)
            .await
            .map_err(from_account)?;
        tx.commit().await?;
        if let Some(user) = user {
            state.sessions.ended(ctx.tenant.id, Ended::User(user)).await;
        }
        Ok(user.is_some())
    }
    .await;
    match result {
        Ok(true) => ctx.message(&state, StatusCode::OK, "reset-done"),
        Ok(false) => ctx.message(&state, StatusCode::BAD_REQUEST, "reset-invalid"),
        Err(error) => error.into_page(&ctx.tr),
    }
}

/// `GET /account`: the logged-in person's account, or the login page.
pub async fn account(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let Some(session) = &ctx.visitor.session else {
        return Redirect::to("/account/login").into_response();
    };
    let loaded: Result<_, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        let profile = accounts::profile(&mut tx, session.user)
            .await
            .map_err(from_account)?;
        let preferences = accounts::preferences(&mut tx, session.user)
            .await
            .map_err(from_account)?;
        tx.commit().await?;
        Ok(profile.zip(preferences))
    }
    .await;
    let (profile, preferences) = match loaded {
        Ok(Some(loaded)) => loaded,
        Ok(None) => return Redirect::to("/account/login").into_response(),
        Err(error) => return error.into_page(&ctx.tr),
    };
    let page = AccountPage {
        tr: &ctx.tr,
        chrome: &ctx.chrome,
        languages: &ctx.chrome.languages,
        profile,
        preferences,
        notify_options: ["immediate", "daily", "weekly", "none"]
            .into_iter()
            .map(|o| (o, ctx.tr.t(&format!("preferences-{o}"))))
            .collect(),
        password_hint: ctx.tr.count("hint-password", password::MIN_LENGTH as i64),
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
        Err(error) => WebError::from(error).into_page(&ctx.tr),
    }
}

/// What a residency verification attempt came to.
pub(crate) enum Residency {
    Verified(String),
    Failed,
    TooManyAttempts,
    InvalidDocument(&'static str),
    InvalidBirthDate,
}

/// Verifies the logged-in person against the census. Shared by the page
/// and the API.
pub(crate) async fn verify_residency(
    state: &AppState,
    tenant: &Tenant,
    user: uuid::Uuid,
    document: &str,
    birth_date: &str,
) -> Result<Residency, WebError> {
    let Some(birth_date) = census::import::parse_date(birth_date) else {
        return Ok(Residency::InvalidBirthDate);
    };
    let key = census::key(&state.secret, tenant.id);
    let mut tx = state.tenancy.begin(tenant).await?;
    let outcome = census::verify(&mut tx, &key, user, document, birth_date)
        .await
        .map_err(from_account)?;
    tx.commit().await?;
    Ok(match outcome {
        census::Verification::Verified { district } => Residency::Verified(district),
        census::Verification::Failed => Residency::Failed,
        census::Verification::TooManyAttempts => Residency::TooManyAttempts,
        census::Verification::Malformed(error) => Residency::InvalidDocument(error.code()),
    })
}

fn verify_form(
    ctx: &Context,
    document: &str,
    birth_date: &str,
    error: Option<(&'static str, String)>,
) -> FormView {
    let mut document_field = ctx.field("document", "text", "off", document);
    document_field.hint = Some(ctx.tr.t("hint-document"));
    let mut date_field = ctx.field("birth_date", "date", "bday", birth_date);
    match &error {
        Some(("document", message)) => document_field.error = Some(message.clone()),
        Some(("birth_date", message)) => date_field.error = Some(message.clone()),
        _ => {}
    }
    FormView {
        title: ctx.tr.t("verify-title"),
        intro: Some(ctx.tr.with("verify-intro", "council", &ctx.chrome.council)),
        action: "/account/verify".into(),
        fields: vec![document_field, date_field],
        submit: ctx.tr.t("verify-submit"),
        errors: error
            .map(|(field, message)| {
                vec![ErrorLine {
                    field: (!field.is_empty()).then_some(field),
                    message,
                }]
            })
            .unwrap_or_default(),
        links: vec![("/account", ctx.tr.t("account-title"))],
    }
}

/// `GET /account/verify`.
pub async fn verify_page(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
) -> Response {
    let ctx = load!(state, site, language, headers);
    if ctx.visitor.session.is_none() {
        return Redirect::to("/account/login").into_response();
    }
    let form = verify_form(&ctx, "", "", None);
    ctx.form(&state, StatusCode::OK, form)
}

/// `POST /account/verify`.
pub async fn verify(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let Some(user) = ctx.visitor.session.as_ref().map(|s| s.user) else {
        return Redirect::to("/account/login").into_response();
    };
    let values = fields_or_return!(ctx, state, form);
    let (document, birth_date) = (get(&values, "document"), get(&values, "birth_date"));
    let outcome = verify_residency(&state, &ctx.tenant, user, document, birth_date).await;
    let tr = &ctx.tr;
    let (status, error) = match outcome {
        Ok(Residency::Verified(_)) => return ctx.message(&state, StatusCode::OK, "verify-done"),
        Ok(Residency::Failed) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            ("", tr.t("error-verification-failed")),
        ),
        Ok(Residency::TooManyAttempts) => (
            StatusCode::TOO_MANY_REQUESTS,
            ("", tr.t("error-verification-too-many")),
        ),
        Ok(Residency::InvalidDocument(code)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            (
                "document",
                tr.t(&format!("error-{}", code.replace('_', "-"))),
            ),
        ),
        Ok(Residency::InvalidBirthDate) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            ("birth_date", tr.t("error-birth-date")),
        ),
        Err(error) => return error.into_page(tr),
    };
    let form = verify_form(&ctx, document, birth_date, Some(error));
    ctx.form(&state, status, form)
}

/// A copy of everything about the logged-in person, as a JSON download.
pub(crate) async fn export_data(
    state: &AppState,
    tenant: &Tenant,
    user: uuid::Uuid,
) -> Result<Option<serde_json::Value>, WebError> {
    let mut tx = state.tenancy.begin(tenant).await?;
    let data = accounts::gdpr::export(&mut tx, user)
        .await
        .map_err(from_account)?;
    tx.commit().await?;
    Ok(data)
}

/// The JSON download response.
pub(crate) fn download(data: &serde_json::Value, slug: &str) -> Response {
    let body = serde_json::to_string_pretty(data).unwrap_or_default();
    let disposition = format!("attachment; filename=\"{slug}-my-data.json\"");
    let mut response = (
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}

/// `GET /account/data`.
pub async fn my_data(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let Some(user) = ctx.visitor.session.as_ref().map(|s| s.user) else {
        return Redirect::to("/account/login").into_response();
    };
    match export_data(&state, &ctx.tenant, user).await {
        Ok(Some(data)) => download(&data, ctx.tenant.slug.as_str()),
        Ok(None) => Redirect::to("/account/login").into_response(),
        Err(error) => error.into_page(&ctx.tr),
    }
}

/// Deletes the logged-in person's account after checking their password,
/// and ends their sessions everywhere. Shared by the page and the API.
pub(crate) async fn delete_account(
    state: &AppState,
    tenant: &Tenant,
    user: uuid::Uuid,
    password_sent: &str,
) -> Result<bool, WebError> {
    let mut tx = state.tenancy.begin(tenant).await?;
    let hash: Option<String> = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(user)
        .fetch_optional(tx.conn())
        .await
        .map_err(|e| WebError::from(cabildo_tenancy::TenancyError::from(e)))?
        .flatten();
    tx.commit().await?;
    if !password::verify(hash, password_sent).await {
        return Ok(false);
    }
    let mut tx = state.tenancy.begin(tenant).await?;
    accounts::gdpr::delete(&mut tx, user)
        .await
        .map_err(from_account)?;
    cabildo_engine::staff::audit(
        &mut tx,
        &cabildo_engine::staff::Actor::user(user),
        "account.delete",
        None,
        serde_json::json!({}),
    )
    .await
    .map_err(from_account)?;
    tx.commit().await?;
    state.sessions.ended(tenant.id, Ended::User(user)).await;
    Ok(true)
}

/// `POST /account/delete`.
pub async fn delete(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let Some(user) = ctx.visitor.session.as_ref().map(|s| s.user) else {
        return Redirect::to("/account/login").into_response();
    };
    let values = fields_or_return!(ctx, state, form);
    match delete_account(&state, &ctx.tenant, user, get(&values, "password")).await {
        Ok(true) => {
            let mut response = message_page(
                &ctx.tr,
                StatusCode::OK,
                &ctx.tr.t("delete-done-title"),
                &ctx.tr.t("delete-done-body"),
                true,
            );
            response.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(
                    state.config.secure_cookies,
                    state.cookie_names().session,
                    "",
                    Some(0),
                ),
            );
            response
        }
        Ok(false) => ctx.message(&state, StatusCode::FORBIDDEN, "delete-wrong-password"),
        Err(error) => error.into_page(&ctx.tr),
    }
}

/// `POST /account/preferences`.
pub async fn save_preferences(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let Some(user) = ctx.visitor.session.as_ref().map(|s| s.user) else {
        return Redirect::to("/account/login").into_response();
    };
    let values = fields_or_return!(ctx, state, form);
    let preferences = accounts::Preferences {
        notify_email: get(&values, "notify_email").to_owned(),
        newsletter: get(&values, "newsletter") == "on",
    };
    let saved: Result<Result<(), AccountError>, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        match accounts::set_preferences(&mut tx, user, &preferences).await {
            Ok(()) => {}
            Err(AccountError::Invalid(errors)) => return Ok(Err(AccountError::Invalid(errors))),
            Err(other) => return Err(from_account(other)),
        }
        tx.commit().await?;
        Ok(Ok(()))
    }
    .await;
    match saved {
        Ok(Ok(())) => ctx.message(&state, StatusCode::OK, "preferences-saved"),
        Ok(Err(_)) => ctx.message(&state, StatusCode::UNPROCESSABLE_ENTITY, "error-form"),
        Err(error) => error.into_page(&ctx.tr),
    }
}

/// Whether `password_sent` is `user`'s current password.
async fn current_password_matches(
    state: &AppState,
    tenant: &Tenant,
    user: uuid::Uuid,
    password_sent: &str,
) -> Result<bool, WebError> {
    let mut tx = state.tenancy.begin(tenant).await?;
    let hash: Option<String> = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(user)
        .fetch_optional(tx.conn())
        .await
        .map_err(|e| WebError::from(cabildo_tenancy::TenancyError::from(e)))?
        .flatten();
    tx.commit().await?;
    Ok(password::verify(hash, password_sent).await)
}

/// `POST /account/password`: a new password, given the current one; other
/// sessions end.
pub async fn change_password(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let Some(session) = ctx.visitor.session.clone() else {
        return Redirect::to("/account/login").into_response();
    };
    let values = fields_or_return!(ctx, state, form);
    let new_password = get(&values, "password");
    let result: Result<Result<(), &'static str>, WebError> = async {
        if !current_password_matches(
            &state,
            &ctx.tenant,
            session.user,
            get(&values, "current_password"),
        )
        .await?
        {
            return Ok(Err("invalid-credentials"));
        }
        if let Err(weakness) = password::check(
            new_password,
            &[session.nickname.as_deref().unwrap_or_default()],
        ) {
            return Ok(Err(match weakness {
                password::Weakness::TooShort => "password-too-short",
                password::Weakness::TooLong => "password-too-long",
                password::Weakness::Common => "password-common",
                password::Weakness::Personal => "password-personal",
            }));
        }
        let hash = password::hash(new_password).await;
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        accounts::change_password(&mut tx, session.user, &hash, &session.id)
            .await
            .map_err(from_account)?;
        cabildo_engine::staff::audit(
            &mut tx,
            &cabildo_engine::staff::Actor::user(session.user),
            "account.password",
            None,
            serde_json::json!({}),
        )
        .await
        .map_err(from_account)?;
        tx.commit().await?;
        // Other sessions ended: forget them everywhere, then keep this one.
        state
            .sessions
            .ended(ctx.tenant.id, Ended::User(session.user))
            .await;
        Ok(Ok(()))
    }
    .await;
    match result {
        Ok(Ok(())) => ctx.message(&state, StatusCode::OK, "change-password-done"),
        Ok(Err(code)) => {
            let response = message_page(
                &ctx.tr,
                StatusCode::UNPROCESSABLE_ENTITY,
                &ctx.tr.t("change-password-title"),
                &ctx.tr.t(&format!("error-{code}")),
                true,
            );
            ctx.respond(&state, response)
        }
        Err(error) => error.into_page(&ctx.tr),
    }
}

/// `POST /account/email`: sends a confirmation link to the new address.
pub async fn change_email(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let Some(user) = ctx.visitor.session.as_ref().map(|s| s.user) else {
        return Redirect::to("/account/login").into_response();
    };
    let values = fields_or_return!(ctx, state, form);
    if let Err(seconds) = state
        .limiter
        .hit(ctx.tenant.id, Action::ResetIp, &ip.to_string())
        .await
    {
        return ctx.too_many(&state, seconds);
    }
    let result: Result<Result<(), &'static str>, WebError> = async {
        if !current_password_matches(&state, &ctx.tenant, user, get(&values, "current_password"))
            .await?
        {
            return Ok(Err("invalid-credentials"));
        }
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        match accounts::request_email_change(&mut tx, user, get(&values, "email")).await {
            Ok(()) => {}
            Err(AccountError::Invalid(_)) => return Ok(Err("email-invalid")),
            Err(other) => return Err(from_account(other)),
        }
        tx.commit().await?;
        Ok(Ok(()))
    }
    .await;
    match result {
        Ok(Ok(())) => ctx.message(&state, StatusCode::OK, "change-email-sent"),
        Ok(Err(code)) => {
            let response = message_page(
                &ctx.tr,
                StatusCode::UNPROCESSABLE_ENTITY,
                &ctx.tr.t("change-email-title"),
                &ctx.tr.t(&format!("error-{code}")),
                true,
            );
            ctx.respond(&state, response)
        }
        Err(error) => error.into_page(&ctx.tr),
    }
}

/// `GET /account/email/confirm?token=…`: a button (GET changes nothing).
pub async fn confirm_email_page(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let token = query.get("token").cloned().unwrap_or_default();
    ctx.token_button(
        &state,
        &token,
        "/account/email/confirm",
        ctx.tr.t("change-email-title"),
        ctx.tr.t("change-email-confirm-intro"),
        ctx.tr.t("confirm-submit"),
    )
}

/// `POST /account/email/confirm`.
pub async fn confirm_email(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let values = fields_or_return!(ctx, state, form);
    let result: Result<Option<uuid::Uuid>, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        let user = accounts::confirm_email_change(&mut tx, get(&values, "token"))
            .await
            .map_err(from_account)?;
        tx.commit().await?;
        Ok(user)
    }
    .await;
    match result {
        Ok(Some(_)) => ctx.message(&state, StatusCode::OK, "change-email-done"),
        Ok(None) => ctx.message(&state, StatusCode::BAD_REQUEST, "confirm-invalid"),
        Err(error) => error.into_page(&ctx.tr),
    }
}
