//! `/notifications`: a page of the logged-in person's notifications, and
//! marking them all as read.

use crate::http::error::PageError;
use crate::http::extract::{Citizen, CsrfForm, NoFields};
use crate::ui::chrome::Chrome;
use crate::ui::format::iso;
use crate::ui::i18n::Tr;
use askama::Template;
use axum::extract::Query;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cabildo_notify::notifications::{self, Cursor};
use serde::Deserialize;

/// Notifications per page.
const PAGE: i64 = 20;

/// A notification as listed.
pub struct Item {
    title: String,
    body: String,
    link: Option<String>,
    unread: bool,
    when: String,
    when_label: String,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    items: Vec<Item>,
    next: Option<String>,
}

/// `?before=`: where the page starts (an opaque cursor).
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    before: Option<String>,
}

fn encode(cursor: &Cursor) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(cursor).unwrap_or_default())
}

fn decode(text: &str) -> Option<Cursor> {
    if text.len() > 200 {
        return None;
    }
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(text).ok()?).ok()
}

/// `GET /notifications`.
pub async fn list(citizen: Citizen, Query(query): Query<ListQuery>) -> Result<Response, PageError> {
    let user = citizen.user();
    let before = query.before.as_deref().and_then(decode);
    let page = citizen
        .tx(async |tx| notifications::list(tx, user.into(), before, PAGE).await)
        .await?;
    let items = page
        .items
        .into_iter()
        .map(|n| {
            let (title, body) = super::shown(&citizen.tr, &n);
            Item {
                when: iso(n.created_at),
                when_label: citizen.tr.date_time(n.created_at),
                title,
                body,
                // Stored links are site paths or http(s) URLs (checked on write).
                link: n.link,
                unread: n.read_at.is_none(),
            }
        })
        .collect();
    citizen.render_private(&NotificationsPage {
        tr: &citizen.tr,
        chrome: &citizen.chrome,
        items,
        next: page.next.as_ref().map(encode),
    })
}

/// `POST /notifications/read`: all of them.
pub async fn mark_read(citizen: Citizen, _: CsrfForm<NoFields>) -> Result<Response, PageError> {
    let user = citizen.user();
    citizen
        .tx(async |tx| notifications::mark_read(tx, user.into(), None).await)
        .await?;
    citizen
        .state
        .sessions
        .set_unread(citizen.tenant.id, user, None);
    Ok((
        StatusCode::SEE_OTHER,
        [(header::LOCATION, "/notifications")],
    )
        .into_response())
}
