//! Comments under processes, debates and proposals (threads, votes,
//! editing, deleting, reporting), following things people care about, and
//! reporting items to the moderators: the forms that act on them and the
//! same in the API. Each form answers with a redirect back to the page it
//! came from (never to an address the form names), or a page explaining a
//! refusal.

pub mod api;
mod pages;
pub mod view;

use crate::http::state::AppState;
use axum::Router;
use axum::routing::post;

/// The comment, follow and report forms.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/comments", post(pages::create))
        .route("/comments/{id}/vote", post(pages::vote))
        .route("/comments/{id}/edit", post(pages::edit))
        .route("/comments/{id}/delete", post(pages::delete))
        .route("/reports", post(pages::report))
        .route("/follows", post(pages::follow))
}
