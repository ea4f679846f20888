//! Proposals: a process's list (filters, sorts, pages), the form to make
//! one, the proposal with its progress toward the threshold, its support
//! button, comments and (for staff) the official answer; editing,
//! withdrawing and a picture by the author; and the same in the API.

pub mod api;
mod cached;
mod pages;
mod rows;

pub use rows::{ProposalRow, rows};

use crate::http::council::Context;
use crate::http::state::AppState;
use crate::notifications::deliver;
use axum::Router;
use axum::routing::{get, post};
use cabildo_engine::proposals::{self, Status};
use cabildo_engine::staff::{self, Actor, Permission};
use cabildo_engine::{Error as EngineError, Field, Problem, ProposalId, UserId};

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

/// Staff (admins, evaluators) answer a proposal: its new status (by name)
/// and the official answer; followers are told. For page and API alike.
pub(crate) async fn answer(
    council: &Context,
    (user, actor): (UserId, Actor),
    id: ProposalId,
    status: &str,
    answer: &str,
) -> Result<Status, EngineError> {
    let invalid = EngineError::invalid(Field::Status, Problem::StatusInvalid);
    let status = Status::parse(status).ok_or(invalid)?;
    let language = council.tr.code().to_owned();
    council
        .change(async |tx| {
            staff::require(tx, user, Permission::AnswerProposals).await?;
            let notices = proposals::set_status(tx, &actor, id, status, answer).await?;
            deliver(tx, &notices, &language).await?;
            Ok(status)
        })
        .await
}
