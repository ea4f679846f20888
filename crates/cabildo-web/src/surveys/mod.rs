//! Surveys, as citizens answer them and staff run them: a process's
//! surveys, a survey's form (every question kind in plain HTML, a
//! follow-up question saying which answer it follows), its results with
//! charts drawn on the server and the responses as open data; staff
//! create, change and publish them, export every response and review the
//! free texts before they are published. Every rule is the engine's.

pub mod api;
mod form;
mod pages;
mod results;
mod staff;
mod text;

use crate::http::state::AppState;
use axum::Router;
use axum::routing::{get, post};

/// The survey pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/processes/{slug}/surveys", get(pages::list))
        .route(
            "/processes/{slug}/surveys/{id}",
            get(pages::show).post(pages::answer),
        )
        .route(
            "/processes/{slug}/surveys/{id}/results",
            get(pages::results),
        )
        .route(
            "/processes/{slug}/surveys/{id}/responses.csv",
            get(pages::responses_csv),
        )
        .route(
            "/processes/{slug}/surveys/{id}/responses.json",
            get(pages::responses_json),
        )
        .route(
            "/staff/processes/{id}/surveys",
            get(staff::list).post(staff::create),
        )
        .route("/staff/surveys/{id}", get(staff::show).post(staff::edit))
        .route("/staff/surveys/{id}/publish", post(staff::publish))
        .route(
            "/staff/surveys/{id}/responses.csv",
            get(staff::responses_csv),
        )
        .route(
            "/staff/surveys/{id}/texts",
            get(staff::texts).post(staff::review),
        )
}
