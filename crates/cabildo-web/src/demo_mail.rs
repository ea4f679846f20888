//! The demo's mailbox: mail captured by the local SMTP server of `cabildo
//! demo`, shown at `/_demo/mail` (HTML) and `/_demo/mail.json`. Mounted only
//! when the binary hands the router a mailbox, which `serve` never does.

use crate::AppState;
use crate::error::WebError;
use crate::i18n::Tr;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

/// Where captured mail comes from.
pub trait DemoMailbox: Send + Sync {
    /// Every captured message, oldest first.
    fn messages(&self) -> Vec<DemoMail>;
}

/// One captured message.
#[derive(Clone, Debug, Serialize)]
pub struct DemoMail {
    /// Recipients.
    pub to: Vec<String>,
    /// Subject.
    pub subject: String,
    /// Plain-text part.
    pub text: String,
    /// HTML part.
    pub html: String,
    /// When it arrived (RFC 3339).
    pub received_at: String,
}

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

fn mailbox(state: &AppState) -> Result<Vec<DemoMail>, WebError> {
    state
        .config
        .demo_mailbox
        .as_ref()
        .map(|m| m.messages())
        .ok_or(WebError::NotFound)
}

fn links(text: &str) -> Vec<String> {
    text.split_whitespace()
        .filter(|w| w.starts_with("https://") || w.starts_with("http://"))
        .map(|w| w.trim_end_matches(['.', ',', ')', ';']).to_owned())
        .collect()
}

async fn page(State(state): State<AppState>) -> Response {
    let tr = Tr::new("en");
    let result = mailbox(&state).and_then(|mails| {
        let mails = mails
            .into_iter()
            .enumerate()
            .rev()
            .map(|(number, mail)| MailView {
                number,
                links: links(&mail.text),
                mail,
            })
            .collect();
        Ok(Html(
            MailPage {
                tr: tr.clone(),
                mails,
            }
            .render()?,
        )
        .into_response())
    });
    result.unwrap_or_else(|error| error.into_page(&tr))
}

/// Newest first, for scripts.
async fn json(State(state): State<AppState>) -> Response {
    match mailbox(&state) {
        Ok(mut mails) => {
            mails.reverse();
            Json(mails).into_response()
        }
        Err(error) => error.into_page(&Tr::new("en")),
    }
}

/// One message's HTML part as the recipient would see it. The message
/// styles itself inline, so this page alone allows inline styles; it still
/// runs no script and loads nothing.
async fn html_part(State(state): State<AppState>, Path(number): Path<usize>) -> Response {
    match mailbox(&state).map(|mails| mails.into_iter().nth(number)) {
        Ok(Some(mail)) => {
            let mut response = Html(mail.html).into_response();
            response.headers_mut().insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"),
            );
            response
        }
        Ok(None) => WebError::NotFound.into_page(&Tr::new("en")),
        Err(error) => error.into_page(&Tr::new("en")),
    }
}
