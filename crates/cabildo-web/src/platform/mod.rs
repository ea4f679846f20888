//! The platform site (the bare base domain): its home, councils signing
//! up, and for consultants and operators the login, the console of the
//! councils they serve (operators also decide sign-ups and suspend or
//! archive councils), and "open", which hands them over to a council with
//! a single-use token; plus the council side of that hand-off and of a new
//! council's welcome.

mod billing;
mod handoff;
mod pages;
mod signup;
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
        .route("/console/signups/{id}", post(pages::decide))
        .route("/console/councils/{slug}", post(pages::set_status))
        .route("/console/grants", post(pages::grant))
        .route("/console/grants/revoke", post(pages::revoke))
        .route("/console/billing", get(billing::page))
        .route("/console/billing/paid", post(billing::paid))
        .route("/console/billing/requests", post(billing::answer))
        .route("/console/billing/invoices/{code}", get(billing::file))
        .route("/signup", get(signup::form).post(signup::submit))
        .route("/signup/sent", get(signup::sent))
        .route(
            "/signup/confirm",
            get(signup::confirm_page).post(signup::confirm),
        )
        .route("/signup/status", get(signup::status))
        .route("/favicon", get(crate::home::site_icon))
        .route("/favicon.svg", get(crate::home::favicon))
}

/// The council side of the hand-off.
pub fn council_router() -> Router<AppState> {
    Router::new()
        .route(
            "/staff/handoff",
            get(handoff::handoff_page).post(handoff::handoff),
        )
        .route("/welcome", get(signup::welcome_page).post(signup::welcome))
}
