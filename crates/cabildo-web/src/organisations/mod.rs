//! Organisations on a council's site: an account applies at
//! `/account/organisation`; admins and moderators review applications
//! (listed on `/staff`), and the applicant is notified of the outcome.

mod pages;

use crate::http::state::AppState;
use axum::Router;
use axum::routing::{get, post};

/// The organisation pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account/organisation", get(pages::page).post(pages::apply))
        .route("/staff/organisations/{id}", post(pages::review))
}
