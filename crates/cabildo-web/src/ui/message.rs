//! The page with a title and a paragraph, for errors, notices and
//! confirmations.

use crate::ui::i18n::Tr;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

#[derive(Template)]
#[template(path = "message.html")]
struct Message<'a> {
    tr: &'a Tr,
    title: &'a str,
    body: &'a str,
    home_link: bool,
    /// Where to go from here: (address, words).
    next: Option<(&'a str, String)>,
}

/// A page with `title` and `body`, and a link home when `home_link`.
pub fn message_page(
    tr: &Tr,
    status: StatusCode,
    title: &str,
    body: &str,
    home_link: bool,
) -> Response {
    message_page_next(tr, status, [title, body], home_link, None)
}

/// Like [`message_page`], with a link to the next step (`next`: address
/// and words) before the one home.
pub fn message_page_next(
    tr: &Tr,
    status: StatusCode,
    [title, body]: [&str; 2],
    home_link: bool,
    next: Option<(&str, String)>,
) -> Response {
    let page = Message {
        tr,
        title,
        body,
        home_link,
        next,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        // The template is compiled in; this only fails on a formatter
        // error. Fall back to plain text rather than fail twice.
        Err(_) => (status, format!("{title}\n\n{body}\n")).into_response(),
    }
}

/// The message page of `key`: title `{key}-title`, body `{key}-body`.
pub fn keyed_page(tr: &Tr, status: StatusCode, key: &str) -> Response {
    message_page(
        tr,
        status,
        &tr.t(&format!("{key}-title")),
        &tr.t(&format!("{key}-body")),
        true,
    )
}
