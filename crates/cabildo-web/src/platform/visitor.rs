//! Who is asking on the platform site: a platform account's session, and
//! the CSRF token its forms carry.

use crate::http::cookies::{cookie, set_cookie};
use crate::http::error::PageError;
use crate::http::extract::read_form;
use crate::http::site::LanguageRequest;
use crate::http::state::AppState;
use crate::ui::i18n::Tr;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::Response;
use cabildo_engine::accounts::tokens;
use cabildo_engine::platform::{self, Account};
use serde::de::DeserializeOwned;

/// The platform session cookie's name.
pub fn session_cookie(state: &AppState) -> &'static str {
    if state.config.secure_cookies {
        "__Host-platform_session"
    } else {
        "platform_session"
    }
}

/// The platform visitor.
#[derive(Clone)]
pub struct PlatformVisitor {
    pub(crate) state: AppState,
    /// Their account, when logged in.
    pub(crate) account: Option<Account>,
    /// Their session cookie's token, when logged in.
    pub(crate) session_token: Option<String>,
    /// The CSRF token forms carry.
    pub(crate) csrf: String,
    new_csrf: bool,
    /// The platform's strings, in the visitor's language.
    pub(crate) tr: Tr,
}

impl PlatformVisitor {
    /// Whether `sent` is this visitor's CSRF token.
    pub fn csrf_ok(&self, sent: &str) -> bool {
        !self.new_csrf
            && crate::http::visitor::constant_time_eq(sent.as_bytes(), self.csrf.as_bytes())
    }

    /// `response` with the new CSRF cookie, when there is one.
    pub fn respond(&self, mut response: Response) -> Response {
        if self.new_csrf {
            response.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(
                    self.state.config.secure_cookies,
                    self.state.cookie_names().csrf,
                    &self.csrf,
                    None,
                ),
            );
        }
        response
    }
}

impl FromRequestParts<AppState> for PlatformVisitor {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        if let Some(visitor) = parts.extensions.get::<Self>() {
            return Ok(visitor.clone());
        }
        let headers = &parts.headers;
        let mut account = None;
        let mut session_token = None;
        if let Some(token) =
            cookie(headers, session_cookie(state)).filter(|t| tokens::well_formed(t))
        {
            account = platform::find_session(&state.tenancy, token).await?;
            if account.is_some() {
                session_token = Some(token.to_owned());
            }
        }
        let (csrf, new_csrf) = match &session_token {
            Some(token) => (state.csrf_for_session(&tokens::digest(token)), false),
            None => match cookie(headers, state.cookie_names().csrf)
                .filter(|t| tokens::well_formed(t))
            {
                Some(token) => (token.to_owned(), false),
                None => (tokens::new_token(), true),
            },
        };
        let language = parts
            .extensions
            .get::<LanguageRequest>()
            .cloned()
            .unwrap_or_default();
        let visitor = Self {
            state: state.clone(),
            account,
            session_token,
            csrf,
            new_csrf,
            tr: language.ui(),
        };
        parts.extensions.insert(visitor.clone());
        Ok(visitor)
    }
}

/// A form posted on the platform site, read into `T`, and whether it
/// carries the visitor's CSRF token (the page decides how to refuse).
pub struct PlatformForm<T> {
    pub(crate) value: T,
    pub(crate) csrf_ok: bool,
}

impl<T: DeserializeOwned> FromRequest<AppState> for PlatformForm<T> {
    type Rejection = PageError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, PageError> {
        let (mut parts, body) = request.into_parts();
        let visitor = PlatformVisitor::from_request_parts(&mut parts, state).await?;
        let (value, sent) = read_form(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| PageError::BadRequest)?;
        Ok(Self {
            value,
            csrf_ok: visitor.csrf_ok(&sent),
        })
    }
}
