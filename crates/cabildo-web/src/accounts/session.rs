//! Logging in and out of a council's site.

use crate::accounts::actions::{self, Failure};
use crate::http::cookies::append;
use crate::http::council::Council;
use crate::http::error::{PageError, safe_return_path};
use crate::http::extract::{CsrfForm, NoFields};
use crate::ui::forms::{FieldView, FormView};
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

/// `?next=`: where to go once logged in.
#[derive(Debug, Default, Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

/// The login form as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    email: String,
    password: String,
    next: String,
}

fn login_form(council: &Council, email: &str, next: &str, error: Option<String>) -> FormView {
    let tr = &council.tr;
    let mut fields = vec![
        FieldView::new(tr, "email", "email", "username", email),
        FieldView::new(tr, "password", "password", "current-password", ""),
    ];
    if safe_return_path(next) {
        fields.push(FieldView::hidden("next", next));
    }
    let mut form = FormView::new(
        tr.t("login-title"),
        "/account/login",
        fields,
        tr.t("login-submit"),
    );
    if let Some(message) = error {
        form = form.with_error(None, message);
    }
    form.links = vec![
        ("/account/password/forgot", tr.t("login-forgot")),
        ("/account/register", tr.t("login-no-account")),
    ];
    form
}

/// `GET /account/login[?next=/path]`.
pub async fn login_page(
    council: Council,
    Query(query): Query<NextQuery>,
) -> Result<Response, PageError> {
    let form = login_form(&council, "", &query.next, None);
    council.form(StatusCode::OK, form)
}

/// `POST /account/login`: to `next` (a path on this site) or home.
pub async fn login(
    council: Council,
    CsrfForm(typed): CsrfForm<LoginForm>,
) -> Result<Response, PageError> {
    let (status, key) = match actions::log_in(&council, &typed.email, &typed.password).await {
        Ok((_, token)) => {
            let next = Some(typed.next.as_str()).filter(|n| safe_return_path(n));
            let mut response = Redirect::to(next.unwrap_or("/")).into_response();
            let state = &council.state;
            state.set_session_cookie(response.headers_mut(), &token);
            // The pre-login CSRF token is done with: the session has its own.
            let (secure, csrf) = (state.config.secure_cookies, state.cookie_names().csrf);
            append(response.headers_mut(), secure, csrf, "", Some(0));
            return Ok(response);
        }
        Err(Failure::InvalidCredentials) => (StatusCode::UNAUTHORIZED, "error-invalid-credentials"),
        Err(Failure::Unconfirmed) => (StatusCode::FORBIDDEN, "error-unconfirmed"),
        Err(failure) => return Err(failure.into()),
    };
    let form = login_form(&council, &typed.email, &typed.next, Some(council.tr.t(key)));
    council.form(status, form)
}

/// `POST /account/logout`.
pub async fn logout(council: Council, _: CsrfForm<NoFields>) -> Result<Response, PageError> {
    end_sessions(&council, false).await
}

/// `POST /account/logout-everywhere`.
pub async fn logout_everywhere(
    council: Council,
    _: CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    end_sessions(&council, true).await
}

async fn end_sessions(council: &Council, everywhere: bool) -> Result<Response, PageError> {
    actions::log_out(council, everywhere).await?;
    Ok(without_session(council, Redirect::to("/").into_response()))
}

/// `response` deleting the session cookie.
pub(crate) fn without_session(council: &Council, mut response: Response) -> Response {
    append(
        response.headers_mut(),
        council.state.config.secure_cookies,
        council.state.cookie_names().session,
        "",
        Some(0),
    );
    response
}
