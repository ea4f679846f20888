//! `/unsubscribe` on a council's site: the link in every bulk mail.
//! `GET` asks for confirmation (links get prefetched by mail scanners, and
//! GET never changes state); `POST` unsubscribes — the RFC 8058 one-click
//! request mail clients send, or the confirmation form. The signed token is
//! the authority: no login, and a token of another council or person fails.
//! These pages speak the visitor's interface language, as mail readers
//! arrive without the council's cookies.

use crate::http::error::PageError;
use crate::http::site::LanguageRequest;
use crate::http::state::AppState;
use crate::ui::i18n::Tr;
use crate::ui::message::message_page;
use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use cabildo_notify::unsubscribe::{self, List};
use cabildo_tenancy::{Site, Tenant};
use serde::Deserialize;
use std::sync::Arc;
use uuid::Uuid;

/// The signed link: person, list, token.
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

/// A link whose signature holds: its council, person and list.
struct Valid {
    tenant: Arc<Tenant>,
    user: Uuid,
    list: List,
}

/// The link checked, or why it is refused.
fn checked(state: &AppState, site: &Site, link: &Link) -> Result<Valid, PageError> {
    let Some(signer) = state.config.unsubscribe.as_ref() else {
        return Err(PageError::NotFound);
    };
    let valid = || {
        let Site::Council(tenant) = site else {
            return None;
        };
        let user = link.u.as_deref()?.parse::<Uuid>().ok()?;
        let list = link.l.as_deref().and_then(List::parse)?;
        signer
            .verify(tenant.id, user, list, link.t.as_deref()?)
            .then(|| Valid {
                tenant: tenant.clone(),
                user,
                list,
            })
    };
    valid().ok_or(PageError::Message(
        StatusCode::BAD_REQUEST,
        "unsubscribe-invalid",
    ))
}

/// `GET /unsubscribe?u=&l=&t=`: a button.
pub async fn confirm(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Query(link): Query<Link>,
) -> Result<Response, PageError> {
    let tr = language.ui();
    let valid = checked(&state, &site, &link)?;
    let key = match valid.list {
        List::Newsletter => "unsubscribe-newsletter",
        List::Notifications => "unsubscribe-notifications",
    };
    let page = Confirm {
        question: tr.with(key, "council", &valid.tenant.name),
        user: link.u.as_deref().unwrap_or_default(),
        list: link.l.as_deref().unwrap_or_default(),
        token: link.t.as_deref().unwrap_or_default(),
        tr,
    };
    Ok(Html(page.render()?).into_response())
}

/// `POST /unsubscribe?u=&l=&t=`.
pub async fn unsubscribe(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Query(link): Query<Link>,
) -> Result<Response, PageError> {
    let tr = language.ui();
    let valid = checked(&state, &site, &link)?;
    state
        .tenancy
        .transaction(&valid.tenant, async |tx| {
            unsubscribe::unsubscribe(tx, valid.user, valid.list).await
        })
        .await?;
    Ok(message_page(
        &tr,
        StatusCode::OK,
        &tr.t("unsubscribe-done-title"),
        &tr.with("unsubscribe-done-body", "council", &valid.tenant.name),
        true,
    ))
}
