//! Citizen accounts on a council's site: registering and confirming the
//! address, logging in and out, passwords, the account page with its
//! preferences, data download and deletion, residency verification, and
//! the same in the JSON API. Every form carries a CSRF token, actions
//! where guessing or flooding is possible are rate limited, and answers
//! never tell whether an address has an account.

mod actions;
pub mod api;
mod password;
mod profile;
pub(crate) mod register;
mod session;
mod verify;

use crate::http::state::AppState;
use axum::Router;
use axum::routing::{get, post};

/// The account pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/account/register",
            get(register::register_page).post(register::register),
        )
        .route(
            "/account/confirm",
            get(register::confirm_page).post(register::confirm),
        )
        .route(
            "/account/login",
            get(session::login_page).post(session::login),
        )
        .route("/account/logout", post(session::logout))
        .route(
            "/account/logout-everywhere",
            post(session::logout_everywhere),
        )
        .route(
            "/account/password/forgot",
            get(password::forgot_page).post(password::forgot),
        )
        .route(
            "/account/password/reset",
            get(password::reset_page).post(password::reset),
        )
        .route("/account/password", post(password::change_password))
        .route("/account", get(profile::account))
        .route("/account/data", get(profile::my_data))
        .route("/account/email", post(profile::change_email))
        .route(
            "/account/email/confirm",
            get(password::confirm_email_page).post(password::confirm_email),
        )
        .route("/account/preferences", post(profile::save_preferences))
        .route("/account/profile", post(profile::save_profile))
        .route("/account/delete", post(profile::delete))
        .route("/account/activity", get(profile::activity))
        .route(
            "/account/verify",
            get(verify::verify_page).post(verify::verify),
        )
}
