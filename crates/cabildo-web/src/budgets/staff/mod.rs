//! Staff pages of participatory budgets. `/staff/processes/{id}/budget`
//! (admins): a process's budget — its settings, phase dates and headings —
//! created or changed (after voting began only as a reset with a reason).
//! `/staff/budget-headings/{id}` (admins; evaluators review): the heading's
//! projects with their feasibility review, the ballot, paper votes one by
//! one or from a count file, qualified proposals to import, and execution
//! updates of the winners.

mod heading;
mod setup;

use crate::http::error::PageError;
use crate::http::state::AppState;
use axum::Router;
use axum::routing::{get, post};
use cabildo_engine::Refusal;
use cabildo_engine::budgets::projects;
use cabildo_engine::ids::{ProjectId, UserId};
use cabildo_engine::staff::{self, Permission};
use cabildo_tenancy::TenantTx;

/// The staff budget pages (but those taking files, see [`upload_router`]).
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/staff/processes/{id}/budget",
            get(setup::page).post(setup::save),
        )
        .route("/staff/budget-headings/{id}", get(heading::page))
        .route(
            "/staff/budget-headings/{id}/projects",
            post(heading::create_project),
        )
        .route(
            "/staff/budget-headings/{id}/import",
            post(heading::import_proposal),
        )
        .route(
            "/staff/budget-headings/{id}/recount",
            post(heading::recount),
        )
        .route("/staff/budget-projects/{id}/review", post(heading::review))
        .route(
            "/staff/budget-projects/{id}/translations",
            post(heading::translate),
        )
        .route(
            "/staff/budget-projects/{id}/ballot",
            post(heading::set_on_ballot),
        )
        .route(
            "/staff/budget-projects/{id}/paper-votes",
            post(heading::paper_votes),
        )
}

/// The staff forms that carry photos or count files.
pub fn upload_router() -> Router<AppState> {
    Router::new()
        .route(
            "/staff/budget-projects/{id}/updates",
            post(heading::post_update),
        )
        // Paper-vote count files are at most 1 MB (the engine's limit).
        .route(
            "/staff/budget-headings/{id}/paper-votes",
            post(heading::paper_file),
        )
}

/// The heading of `project` for a staff action that needs `permission`.
async fn staff_project(
    tx: &mut TenantTx,
    user: UserId,
    project: ProjectId,
    permission: Permission,
) -> Result<cabildo_engine::HeadingId, PageError> {
    staff::require(tx, user, permission).await?;
    let project = projects::get(tx, project).await?;
    Ok(project.ok_or(Refusal::NotFound)?.heading)
}
