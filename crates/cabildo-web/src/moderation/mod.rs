//! `/staff/moderation` (admins and moderators): reported items with their
//! counts and reasons, hide / restore / dismiss, blocking and unblocking
//! accounts. Every decision is audited by the engine.

mod pages;

use crate::http::state::AppState;
use axum::Router;
use axum::routing::{get, post};

/// The moderation pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/moderation", get(pages::page))
        .route("/staff/moderation/decisions", post(pages::decide))
        .route("/staff/moderation/blocks", post(pages::block))
}
