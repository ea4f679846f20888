//! `/notifications`: the logged-in person's notifications, newest first,
//! a page at a time, and "mark all as read".

use crate::AppState;
use crate::account_pages::{Chrome, Context, Fields, checked_fields};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::pages::LanguageLink;
use crate::site::LanguageRequest;
use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cabildo_notify::notifications::{self, Cursor};
use cabildo_tenancy::Site;
use std::collections::HashMap;

/// Notifications per page.
const PAGE: i64 = 20;

/// One notification as shown.
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
    languages: &'a [LanguageLink],
    items: Vec<Item>,
    next: Option<String>,
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

/// `GET /notifications[?before=…]`.
pub async fn list(
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
    let Some(user) = ctx.visitor.session.as_ref().map(|s| s.user) else {
        return Redirect::to("/account/login").into_response();
    };
    let before = query.get("before").and_then(|b| decode(b));
    let page: Result<_, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        let page = notifications::list(&mut tx, user, before, PAGE).await?;
        tx.commit().await?;
        Ok(page)
    }
    .await;
    let page = match page {
        Ok(page) => page,
        Err(error) => return error.into_page(&ctx.tr),
    };
    let format = time::macros::format_description!("[day]/[month]/[year] [hour]:[minute] UTC");
    let items = page
        .items
        .into_iter()
        .map(|n| Item {
            when: n
                .created_at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            when_label: n.created_at.format(format).unwrap_or_default(),
            title: n.title,
            body: n.body,
            // Stored links are site paths or http(s) URLs (checked on write).
            link: n.link,
            unread: n.read_at.is_none(),
        })
        .collect();
    let view = NotificationsPage {
        tr: &ctx.tr,
        chrome: &ctx.chrome,
        languages: &ctx.chrome.languages,
        items,
        next: page.next.as_ref().map(encode),
    };
    match view.render() {
        Ok(html) => {
            let mut response = Html(html).into_response();
            response.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
            ctx.respond(&state, response)
        }
        Err(error) => WebError::from(error).into_page(&ctx.tr),
    }
}

/// `POST /notifications/read`: marks them all read.
pub async fn mark_read(
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
    let Some(user) = ctx.visitor.session.as_ref().map(|s| s.user) else {
        return Redirect::to("/account/login").into_response();
    };
    if let Err(response) = checked_fields(&ctx, &state, form) {
        return *response;
    }
    let done: Result<(), WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        notifications::mark_read(&mut tx, user, None).await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    match done {
        Ok(()) => {
            state.sessions.set_unread(ctx.tenant.id, user, None);
            (
                StatusCode::SEE_OTHER,
                [(header::LOCATION, "/notifications")],
            )
                .into_response()
        }
        Err(error) => error.into_page(&ctx.tr),
    }
}
