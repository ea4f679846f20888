//! Binding consultations, as citizens see them: a process's consultations;
//! a consultation with what the visitor may do now (vote, change their
//! vote with their receipt, check a receipt), the board's head while
//! voting runs, and after the close the results with turnout per district
//! and the board file anyone can recompute them from. Staff create, open,
//! record desk and station votes, enter paper totals and close them.

pub mod api;
mod pages;
mod staff;

use crate::http::state::AppState;
use axum::Router;
use axum::routing::{get, post};

/// The consultation pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/processes/{slug}/consultation", get(pages::list))
        .route("/processes/{slug}/consultations/{id}", get(pages::show))
        .route(
            "/processes/{slug}/consultations/{id}/vote",
            post(pages::vote),
        )
        .route(
            "/processes/{slug}/consultations/{id}/revote",
            post(pages::revote),
        )
        .route(
            "/processes/{slug}/consultations/{id}/board.json",
            get(pages::board),
        )
        .route(
            "/staff/processes/{id}/consultations",
            get(staff::list).post(staff::create),
        )
        .route("/staff/consultations/{id}", get(staff::show))
        .route("/staff/consultations/{id}/open", post(staff::open))
        .route("/staff/consultations/{id}/close", post(staff::close))
        .route("/staff/consultations/{id}/station", post(staff::station))
        .route("/staff/consultations/{id}/paper", post(staff::paper))
}
