//! `/unsubscribe` on a council's site: the link in every bulk mail.
//! `GET` asks for confirmation (links get prefetched by mail scanners, and
//! GET never changes state); `POST` unsubscribes — the RFC 8058 one-click
//! request mail clients send, or the confirmation form. The signed token is
//! the authority: no login, and a token of another council or person fails.

use crate::AppState;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::site::LanguageRequest;
use crate::ui::message::message_page;
use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use cabildo_notify::unsubscribe::{self, List};
use cabildo_tenancy::Site;
use serde::Deserialize;
use uuid::Uuid;

/// The link's parameters.
#[derive(Debug, Deserialize)]
pub struct Link {
    u: Option<String>,
    l: Option<String>,
    t: Option<String>,
}

#[derive(Template)]
#[template(path = "unsubscribe.html")]
struct Confirm<'a> {
    tr: Tr,
    question: String,
    user: &'a str,
    list: &'a str,
    token: &'a str,
}

/// A checked link: whose, which list.
struct Valid {
    user: Uuid,
    list: List,
}

fn check(
    state: &AppState,
    site: &Site,
    link: &Link,
) -> Result<(std::sync::Arc<cabildo_tenancy::Tenant>, Valid), ()> {
    let (Site::Council(tenant), Some(signer)) = (site, state.config.unsubscribe.as_ref()) else {
        return Err(());
    };
    let user = link
        .u
        .as_deref()
        .and_then(|u| u.parse::<Uuid>().ok())
        .ok_or(())?;
    let list = link.l.as_deref().and_then(List::parse).ok_or(())?;
    let token = link.t.as_deref().ok_or(())?;
    if !signer.verify(tenant.id, user, list, token) {
        return Err(());
    }
    Ok((tenant.clone(), Valid { user, list }))
}

/// The visitor's strings, the council and the checked link; or the answer
/// to give instead (404 without a secret key, 400 for a bad link).
fn checked(
    state: &AppState,
    site: &Site,
    language: &LanguageRequest,
    link: &Link,
) -> Result<(Tr, std::sync::Arc<cabildo_tenancy::Tenant>, Valid), Box<Response>> {
    let tr = language.ui();
    if state.config.unsubscribe.is_none() {
        return Err(Box::new(WebError::NotFound.into_page(&tr)));
    }
    match check(state, site, link) {
        Ok((tenant, valid)) => Ok((tr, tenant, valid)),
        Err(()) => Err(Box::new(invalid(&tr))),
    }
}

fn invalid(tr: &Tr) -> Response {
    message_page(
        tr,
        StatusCode::BAD_REQUEST,
        &tr.t("unsubscribe-invalid-title"),
        &tr.t("unsubscribe-invalid-body"),
        true,
    )
}

/// `GET /unsubscribe`: asks for confirmation.
pub async fn confirm(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Query(link): Query<Link>,
) -> Response {
    let (tr, tenant, valid) = match checked(&state, &site, &language, &link) {
        Ok(checked) => checked,
        Err(response) => return *response,
    };
    let key = match valid.list {
        List::Newsletter => "unsubscribe-newsletter",
        List::Notifications => "unsubscribe-notifications",
    };
    let page = Confirm {
        question: tr.with(key, "council", &tenant.name),
        user: link.u.as_deref().unwrap_or_default(),
        list: link.l.as_deref().unwrap_or_default(),
        token: link.t.as_deref().unwrap_or_default(),
        tr: tr.clone(),
    };
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => WebError::from(error).into_page(&tr),
    }
}

/// `POST /unsubscribe`: unsubscribes (one click, or the confirmation form).
pub async fn unsubscribe(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Query(link): Query<Link>,
) -> Response {
    let (tr, tenant, valid) = match checked(&state, &site, &language, &link) {
        Ok(checked) => checked,
        Err(response) => return *response,
    };
    let result: Result<(), WebError> = async {
        let mut tx = state.tenancy.begin(&tenant).await?;
        unsubscribe::unsubscribe(&mut tx, valid.user, valid.list).await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => message_page(
            &tr,
            StatusCode::OK,
            &tr.t("unsubscribe-done-title"),
            &tr.with("unsubscribe-done-body", "council", &tenant.name),
            true,
        ),
        Err(error) => error.into_page(&tr),
    }
}
