//! Proposals: a process's list (filters, sorts, pages), the form to make
//! one, the proposal with its progress toward the threshold, its support
//! button, comments and (for staff) the official answer; editing,
//! withdrawing and a picture by the author; and the same in the API.

pub mod api;
mod cached;
mod pages;
mod rows;

pub use rows::{ProposalRow, rows};

use crate::http::state::AppState;
use axum::Router;
use axum::routing::{get, post};

/// The proposal pages (but the picture upload, see [`picture_router`]).
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/processes/{slug}/proposals",
            get(pages::list).post(pages::create),
        )
        .route("/processes/{slug}/proposals/new", get(pages::new_form))
        .route("/proposals/{id}", get(pages::show))
        .route(
            "/proposals/{id}/edit",
            get(pages::edit_form).post(pages::edit),
        )
        .route("/proposals/{id}/support", post(pages::support))
        .route("/proposals/{id}/withdraw", post(pages::withdraw))
        .route("/staff/proposals/{id}/status", post(pages::set_status))
}

/// The picture uploads (page and API), which take larger bodies.
pub fn picture_router() -> Router<AppState> {
    Router::new().route("/proposals/{id}/image", post(pages::upload_image))
}
