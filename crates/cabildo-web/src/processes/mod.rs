//! Participatory processes: the public list and a process's page with its
//! phases, description, comments and open data; the staff pages where
//! admins create, change, publish and archive them; and the same reads in
//! the API; copying a process's design or starting from a template.

pub mod api;
pub mod cached;
mod designs;
mod map;
mod pages;
mod staff;

use crate::http::council::Context;
use crate::http::error::PageError;
use crate::http::state::AppState;
use axum::Router;
use axum::routing::{get, post};
use cabildo_engine::Refusal;
use cabildo_engine::ids::UserId;
use cabildo_engine::processes::{self, Action};

/// The process pages, public and staff (but the picture upload, see
/// [`picture_router`]).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/processes", get(pages::list))
        .route("/processes/{slug}", get(pages::show))
        .route("/processes/{slug}/map", get(map::show))
        .route("/staff/processes", get(staff::page).post(staff::create))
        .route("/staff/processes/{id}", post(staff::update))
        .route("/staff/processes/{id}/archive", post(staff::archive))
        .route("/staff/processes/{id}/publish", post(staff::publish))
        .route(
            "/staff/processes/{id}/copy",
            get(designs::copy_page).post(designs::copy),
        )
        .route(
            "/staff/processes/from-template",
            post(designs::from_template),
        )
        .route("/staff/phases", post(staff::add_phase))
        .route("/staff/phases/{id}/delete", post(staff::remove_phase))
}

/// The hero picture upload, which takes larger bodies.
pub fn picture_router() -> Router<AppState> {
    Router::new().route("/staff/processes/{id}/image", post(staff::upload_image))
}

/// Nothing when `user` may now do `action` (open a debate, make a
/// proposal) in the published process `slug`; else why not, shown before
/// the form rather than after it is filled in.
pub async fn may_start(
    council: &Context,
    slug: &str,
    user: UserId,
    action: Action,
) -> Result<(), PageError> {
    council
        .tx(async |tx| {
            let Some((process, ..)) = processes::published_by_slug(tx, slug).await? else {
                return Err(PageError::Refused(Refusal::NotFound));
            };
            Ok(processes::require(tx, process.id, Some(user), action).await?)
        })
        .await
}
