//! Quick polls in the JSON API: the same engine calls and rules as the
//! pages; the counts come with a poll the caller voted in, or once closed.

use crate::http::api::{ActErrors, ApiRoutes, Instant, ReadErrors};
use crate::http::council::ApiCouncil;
use crate::http::error::ApiError;
use crate::http::extract::{ApiCitizen, ApiJson, Id};
use axum::Json;
use axum::response::IntoResponse;
use cabildo_engine::polls::{self, Poll};
use cabildo_engine::{PollId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;
use uuid::Uuid;

/// The poll routes of the API.
pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .add(routes!(home))
        .add(routes!(show))
        .add(routes!(vote))
}

/// A quick poll.
#[derive(Serialize, ToSchema)]
pub struct PollView {
    id: Uuid,
    /// Its process; none for the home page.
    process_id: Option<Uuid>,
    question: String,
    /// Its options; votes give their place, from 0.
    options: Vec<String>,
    opens_at: Instant,
    closes_at: Instant,
    /// Voting runs now.
    open: bool,
    /// The caller's vote (logged in).
    #[serde(skip_serializing_if = "Option::is_none")]
    voted: Option<i32>,
    /// Votes per option: for a caller who voted, or once closed.
    #[serde(skip_serializing_if = "Option::is_none")]
    counts: Option<Vec<i64>>,
}

async fn view(
    tx: &mut cabildo_tenancy::TenantTx,
    poll: Poll,
    user: Option<UserId>,
) -> Result<PollView, cabildo_engine::Error> {
    let voted = match user {
        Some(user) => polls::vote_of(tx, poll.id, user).await?,
        None => None,
    };
    let counts = match voted.is_some() || !poll.open {
        true => Some(polls::counts(tx, &poll).await?),
        false => None,
    };
    Ok(PollView {
        id: poll.id.into(),
        process_id: poll.process_id.map(Into::into),
        question: poll.question,
        options: poll.options,
        opens_at: poll.opens_at.into(),
        closes_at: poll.closes_at.into(),
        open: poll.open,
        voted,
        counts,
    })
}

/// The polls on the home page: open ones, then those closed in the last
/// 30 days.
#[utoipa::path(get, path = "/polls", tag = "polls",
    responses((status = 200, body = Vec<PollView>), ReadErrors))]
async fn home(council: ApiCouncil) -> Result<impl IntoResponse, ApiError> {
    let user = council.user();
    let views = council
        .tx(async |tx| {
            let mut views = Vec::new();
            for poll in polls::shown(tx, None).await? {
                views.push(view(tx, poll, user).await?);
            }
            Ok::<_, ApiError>(views)
        })
        .await?;
    Ok(Json(views))
}

/// A poll.
#[utoipa::path(get, path = "/polls/{id}", tag = "polls",
    params(("id" = Uuid, Path, description = "The poll's id.")),
    responses((status = 200, body = PollView), ReadErrors))]
async fn show(council: ApiCouncil, Id(id): Id<PollId>) -> Result<impl IntoResponse, ApiError> {
    let user = council.user();
    let poll = council
        .tx(async |tx| {
            let poll = polls::find(tx, id).await?.ok_or(ApiError::NotFound)?;
            Ok::<_, ApiError>(view(tx, poll, user).await?)
        })
        .await?;
    Ok(Json(poll))
}

/// A vote.
#[derive(Debug, Deserialize, ToSchema)]
pub struct VoteBody {
    /// The option's place, from 0.
    option: i32,
}

/// Votes (once, while the poll is open); the answer carries the counts.
#[utoipa::path(post, path = "/polls/{id}/vote", tag = "polls",
    params(("id" = Uuid, Path, description = "The poll's id.")),
    request_body = VoteBody,
    responses((status = 200, body = PollView), ActErrors))]
async fn vote(
    citizen: ApiCitizen,
    Id(id): Id<PollId>,
    ApiJson(body): ApiJson<VoteBody>,
) -> Result<impl IntoResponse, ApiError> {
    let user = citizen.user();
    let poll = citizen
        .change(async |tx| {
            polls::vote(tx, id, user, body.option).await?;
            let poll = polls::find(tx, id).await?.ok_or(ApiError::NotFound)?;
            Ok::<_, ApiError>(view(tx, poll, Some(user)).await?)
        })
        .await?;
    Ok(Json(poll))
}
