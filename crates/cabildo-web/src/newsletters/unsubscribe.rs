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
use axum::extract::{FromRequestParts, Query};
use axum::http::StatusCode;
use axum::http::request::Parts;
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

/// A signed link whose signature holds (its council, person and list), and
/// the visitor's interface language; refused with a page otherwise.
pub struct Signed {
    state: AppState,
    tr: Tr,
    link: Link,
    tenant: Arc<Tenant>,
    user: Uuid,
    list: List,
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let Some(signer) = state.config.unsubscribe.as_ref() else {
            return Err(PageError::NotFound);
        };
        let language = parts
            .extensions
            .get::<LanguageRequest>()
            .cloned()
            .unwrap_or_default();
        let Query(link) = Query::<Link>::from_request_parts(parts, state)
            .await
            .map_err(|_| PageError::BadRequest)?;
        let valid = || {
            let Some(Site::Council(tenant)) = parts.extensions.get::<Site>() else {
                return None;
            };
            let user = link.u.as_deref()?.parse::<Uuid>().ok()?;
            let list = link.l.as_deref().and_then(List::parse)?;
            let signed = signer.verify(tenant.id, user, list, link.t.as_deref()?);
            signed.then(|| (tenant.clone(), user, list))
        };
        let invalid = PageError::Message(StatusCode::BAD_REQUEST, "unsubscribe-invalid");
        let (tenant, user, list) = valid().ok_or(invalid)?;
        Ok(Self {
            state: state.clone(),
            tr: crate::http::site::site_tr(state, &tenant, &language).await,
            link,
            tenant,
            user,
            list,
        })
    }
}

/// `GET /unsubscribe?u=&l=&t=`: a button.
pub async fn confirm(signed: Signed) -> Result<Response, PageError> {
    let key = match signed.list {
        List::Newsletter => "unsubscribe-newsletter",
        List::Notifications => "unsubscribe-notifications",
    };
    let link = &signed.link;
    let page = Confirm {
        question: signed.tr.with(key, "council", &signed.tenant.name),
        user: link.u.as_deref().unwrap_or_default(),
        list: link.l.as_deref().unwrap_or_default(),
        token: link.t.as_deref().unwrap_or_default(),
        tr: signed.tr.clone(),
    };
    Ok(Html(page.render()?).into_response())
}

/// `POST /unsubscribe?u=&l=&t=`.
pub async fn unsubscribe(signed: Signed) -> Result<Response, PageError> {
    let (tr, tenant) = (&signed.tr, &signed.tenant);
    signed
        .state
        .tenancy
        .transaction(tenant, async |tx| {
            unsubscribe::unsubscribe(tx, signed.user, signed.list).await
        })
        .await?;
    Ok(message_page(
        tr,
        StatusCode::OK,
        &tr.t("unsubscribe-done-title"),
        &tr.with("unsubscribe-done-body", "council", &tenant.name),
        true,
    ))
}
