//! Debates: a process's list (sorts, district, pages), the form to open
//! one, the debate with its comments, staff pinning and closing; and the
//! same in the API.

pub mod api;
mod cached;
mod pages;

use crate::http::state::AppState;
use axum::Router;
use axum::routing::{get, post};

/// The debate pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/processes/{slug}/debates",
            get(pages::list).post(pages::create),
        )
        .route("/processes/{slug}/debates/new", get(pages::new_form))
        .route("/debates/{id}", get(pages::show))
        .route("/staff/debates/{id}", post(pages::act))
}
