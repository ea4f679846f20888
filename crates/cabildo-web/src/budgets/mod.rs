//! Participatory budgets: the public pages (the budget with its phases and
//! headings; a heading's projects with what the phase lets the visitor do,
//! in plain forms; a project with its review, supports and execution; the
//! results with a chart and each project's reason), the staff pages, and
//! the same in the API.

pub mod api;
mod cached;
mod calendar;
pub(crate) mod counting;
mod heading;
mod overview;
mod place;
mod project;
mod results;
mod staff;

use crate::http::state::AppState;
use axum::Router;
use axum::routing::{get, post};

/// The budget pages, public and staff (but those taking files, see
/// [`upload_router`]).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/processes/{slug}/budget", get(overview::show))
        .route("/budget-headings/{id}", get(heading::show))
        .route("/budget-headings/{id}/ballot", post(heading::change_ballot))
        .route("/budget-headings/{id}/results", get(results::page))
        .route("/budget-projects/{id}", get(project::show))
        .route("/budget-projects/{id}/support", post(project::support))
        .route(
            "/budget-projects/{id}/place",
            get(place::form).post(place::save),
        )
        .merge(staff::router())
}

/// The forms that carry pictures or count files (up to 5 MB).
pub fn upload_router() -> Router<AppState> {
    Router::new()
        .route("/budget-headings/{id}/projects", post(heading::propose))
        .route("/budget-projects/{id}/image", post(project::upload_image))
        .merge(staff::upload_router())
}

/// `?done=`: the action just done.
#[derive(Debug, Default, serde::Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

impl DoneQuery {
    /// The notice `{prefix}-{done}`, for the codes a page knows.
    fn notice(self, tr: &crate::ui::i18n::Tr, prefix: &str, known: &[&str]) -> Option<String> {
        self.done
            .filter(|d| known.contains(&d.as_str()))
            .map(|d| tr.t(&format!("{prefix}-{d}")))
    }
}
