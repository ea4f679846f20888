//! The platform site (the bare base domain): its home, and for
//! consultants and operators the login, the console of the councils they
//! serve, and "open", which hands them over to a council with a
//! single-use token; plus the council side of that hand-off.

mod handoff;
mod pages;
mod visitor;

use crate::http::state::AppState;
use axum::Router;
use axum::routing::{get, post};

/// The platform site's routes (only they answer on the base domain).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::home))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/console", get(pages::console))
        .route("/console/open", post(pages::open))
        .route("/favicon.svg", get(crate::home::favicon))
}

/// The council side of the hand-off.
pub fn council_router() -> Router<AppState> {
    Router::new().route(
        "/staff/handoff",
        get(handoff::handoff_page).post(handoff::handoff),
    )
}
