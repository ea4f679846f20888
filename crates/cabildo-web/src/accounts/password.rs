//! Passwords: the forgotten-password mail, setting a new one from its
//! link, and changing it while logged in.

use crate::accounts::actions::{self, Failure};
use crate::accounts::register::{TokenForm, TokenQuery};
use crate::http::council::Council;
use crate::http::error::PageError;
use crate::http::extract::{Citizen, CsrfForm};
use crate::http::session_cache::Ended;
use crate::ui::format::coded;
use crate::ui::forms::{FieldView, FormView};
use crate::ui::message::message_page;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use cabildo_engine::Error as EngineError;
use cabildo_engine::accounts::{self, password};
use cabildo_engine::staff::{Actor, audit};
use serde::Deserialize;

/// An address typed into a form.
#[derive(Debug, Default, Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    pub(crate) email: String,
}

/// `GET /account/password/forgot`.
pub async fn forgot_page(council: Council) -> Result<Response, PageError> {
    let tr = &council.tr;
    let mut form = FormView::new(
        tr.t("forgot-title"),
        "/account/password/forgot",
        vec![FieldView::new(tr, "email", "email", "email", "")],
        tr.t("forgot-submit"),
    );
    form.intro = Some(tr.t("forgot-intro"));
    form.links = vec![("/account/login", tr.t("account-login"))];
    council.form(StatusCode::OK, form)
}

/// `POST /account/password/forgot`: the same answer whatever the address.
pub async fn forgot(
    council: Council,
    CsrfForm(form): CsrfForm<EmailForm>,
) -> Result<Response, PageError> {
    match actions::request_reset(&council, &form.email).await {
        Ok(()) | Err(Failure::Engine(EngineError::Invalid(_))) => {
            Ok(council.message(StatusCode::OK, "forgot-done"))
        }
        Err(failure) => Err(failure.into()),
    }
}

fn reset_form(council: &Council, token: &str, error: Option<String>) -> FormView {
    let tr = &council.tr;
    let mut password = FieldView::new(tr, "password", "password", "new-password", "");
    password.hint = Some(tr.count("hint-password", password::MIN_LENGTH as i64));
    let form = FormView::new(
        tr.t("reset-title"),
        "/account/password/reset",
        vec![FieldView::hidden("token", token), password],
        tr.t("reset-submit"),
    );
    match error {
        Some(message) => form.with_error(Some("password"), message),
        None => form,
    }
}

/// `GET /account/password/reset?token=…`.
pub async fn reset_page(
    council: Council,
    Query(query): Query<TokenQuery>,
) -> Result<Response, PageError> {
    let token = query.token;
    let usable = council
        .tx(async |tx| accounts::reset_token_usable(tx, &token).await)
        .await?;
    if !usable {
        return Ok(council.message(StatusCode::BAD_REQUEST, "reset-invalid"));
    }
    council.form(StatusCode::OK, reset_form(&council, &token, None))
}

/// The reset form as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResetForm {
    token: String,
    password: String,
}

/// `POST /account/password/reset`: every session of the account ends.
pub async fn reset(
    council: Council,
    CsrfForm(form): CsrfForm<ResetForm>,
) -> Result<Response, PageError> {
    if let Err(weakness) = password::check(&form.password, &[]) {
        let message = coded(&council.tr, "error", weakness.code());
        let page = reset_form(&council, &form.token, Some(message));
        return council.form(StatusCode::UNPROCESSABLE_ENTITY, page);
    }
    Ok(
        if actions::reset_password(&council, &form.token, &form.password).await? {
            council.message(StatusCode::OK, "reset-done")
        } else {
            council.message(StatusCode::BAD_REQUEST, "reset-invalid")
        },
    )
}

/// The change-password form as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChangeForm {
    current_password: String,
    password: String,
}

/// A refused change, explained under `title_key`.
pub(crate) fn refused_change(council: &Council, title_key: &str, code: &str) -> Response {
    let tr = &council.tr;
    council.respond(message_page(
        tr,
        StatusCode::UNPROCESSABLE_ENTITY,
        &tr.t(title_key),
        &tr.t(&format!("error-{code}")),
        true,
    ))
}

/// `POST /account/password`: a new password, given the current one; other
/// sessions end.
pub async fn change_password(
    citizen: Citizen,
    CsrfForm(form): CsrfForm<ChangeForm>,
) -> Result<Response, PageError> {
    let session = citizen.session.clone();
    let refused = |code| Ok(refused_change(&citizen, "change-password-title", code));
    if !actions::password_matches(&citizen, session.user, &form.current_password).await? {
        return refused("invalid-credentials");
    }
    let personal = [session.nickname.as_deref().unwrap_or_default()];
    if let Err(weakness) = password::check(&form.password, &personal) {
        return refused(&weakness.code().replace('_', "-"));
    }
    let hash = password::hash(&form.password).await;
    citizen
        .tx(async |tx| {
            accounts::change_password(tx, session.user, &hash, &session.id).await?;
            let actor = Actor::user(session.user);
            audit(tx, &actor, "account.password", None, serde_json::json!({})).await
        })
        .await?;
    // Other sessions ended: forget them everywhere, then keep this one.
    citizen
        .state
        .sessions
        .ended(citizen.tenant.id, Ended::User(session.user))
        .await;
    Ok(citizen.message(StatusCode::OK, "change-password-done"))
}

/// `GET /account/email/confirm?token=…`: a button (GET changes nothing).
pub async fn confirm_email_page(
    council: Council,
    Query(query): Query<TokenQuery>,
) -> Result<Response, PageError> {
    let title = council.tr.t("change-email-title");
    let keys = ["change-email-confirm-intro", "confirm-submit"];
    council.token_button(&query.token, "/account/email/confirm", title, keys)
}

/// `POST /account/email/confirm`.
pub async fn confirm_email(
    council: Council,
    CsrfForm(form): CsrfForm<TokenForm>,
) -> Result<Response, PageError> {
    let user = council
        .tx(async |tx| accounts::confirm_email_change(tx, &form.token).await)
        .await?;
    Ok(match user {
        Some(_) => council.message(StatusCode::OK, "change-email-done"),
        None => council.message(StatusCode::BAD_REQUEST, "confirm-invalid"),
    })
}
