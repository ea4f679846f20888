//! The demo's mailbox: mail captured by the local SMTP server of `cabildo
//! demo`, shown at `/_demo/mail` (HTML) and `/_demo/mail.json`. Mounted only
//! when the binary hands the router a mailbox, which `serve` never does.
//! These routes answer on any host, before site resolution, so they render
//! their own (English) pages.

use crate::http::config::DemoMail;
use crate::http::state::AppState;
use crate::ui::i18n::Tr;
use crate::ui::message::keyed_page;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

struct MailView {
    number: usize,
    mail: DemoMail,
    links: Vec<String>,
}

#[derive(Template)]
#[template(path = "demo_mail.html")]
struct MailPage {
    tr: Tr,
    mails: Vec<MailView>,
}

/// The demo mail routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/_demo/mail", get(page))
        .route("/_demo/mail.json", get(json))
        .route("/_demo/mail/{number}", get(html_part))
}

/// The captured mail, oldest first (none without a mailbox).
fn mailbox(state: &AppState) -> Vec<DemoMail> {
    state
        .config
        .demo_mailbox
        .as_ref()
        .map(|m| m.messages())
        .unwrap_or_default()
}

/// The links in a message's text, to click through.
fn links(text: &str) -> Vec<String> {
    text.split_whitespace()
        .filter(|w| w.starts_with("https://") || w.starts_with("http://"))
        .map(|w| w.trim_end_matches(['.', ',', ')', ';']).to_owned())
        .collect()
}

fn failed(status: StatusCode, key: &str) -> Response {
    keyed_page(&Tr::new("en"), status, key)
}

/// `GET /_demo/mail`: newest first.
async fn page(State(state): State<AppState>) -> Response {
    let mails = mailbox(&state)
        .into_iter()
        .enumerate()
        .rev()
        .map(|(number, mail)| MailView {
            number,
            links: links(&mail.text),
            mail,
        })
        .collect();
    let page = MailPage {
        tr: Tr::new("en"),
        mails,
    };
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(_) => failed(StatusCode::INTERNAL_SERVER_ERROR, "error-internal"),
    }
}

/// `GET /_demo/mail.json`: newest first.
async fn json(State(state): State<AppState>) -> Response {
    let mut mails = mailbox(&state);
    mails.reverse();
    Json(mails).into_response()
}

/// `GET /_demo/mail/{number}`: a message's HTML part, sandboxed.
async fn html_part(State(state): State<AppState>, Path(number): Path<usize>) -> Response {
    match mailbox(&state).into_iter().nth(number) {
        Some(mail) => {
            let mut response = Html(mail.html).into_response();
            response.headers_mut().insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'",
                ),
            );
            response
        }
        None => failed(StatusCode::NOT_FOUND, "error-not-found"),
    }
}
