//! Newsletters: `/staff/newsletters` (admins compose in Markdown, choose
//! the audience, preview, send a test to themselves, send, and follow the
//! delivery of past ones), and `/unsubscribe`, the link in every bulk
//! mail.

mod pages;
mod unsubscribe;

use crate::http::state::AppState;
use axum::Router;
use axum::routing::get;

/// The unsubscribe page (ordinary bodies).
pub fn router() -> Router<AppState> {
    Router::new().route(
        "/unsubscribe",
        get(unsubscribe::confirm).post(unsubscribe::unsubscribe),
    )
}

/// The newsletter page, whose form may run to 100,000 characters of
/// Markdown.
pub fn composer_router() -> Router<AppState> {
    Router::new().route("/staff/newsletters", get(pages::page).post(pages::act))
}
