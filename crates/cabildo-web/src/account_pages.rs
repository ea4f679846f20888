//! Account pages on a council's site: register, confirm the address, log
//! in and out, forgotten password, the account page. Every form carries a
//! CSRF token, every POST is rate limited where guessing or flooding is
//! possible, and answers never tell whether an address has an account.

use crate::AppState;
use crate::error::WebError;
use crate::http::visitor::Visitor;
use crate::i18n::Tr;
use crate::site::LanguageRequest;
use crate::ui::chrome::{LanguageLink, language_links};
use crate::ui::message::message_page;
use askama::Template;
use axum::extract::Form;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
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
