//! Comments, following and reporting in the JSON API: the same engine
//! calls and rules as the pages.

use crate::comments::view::threads;
use crate::http::api::{ActErrors, ApiRoutes, IdView, Instant, ReadErrors};
use crate::http::council::{ApiCouncil, Context};
use crate::http::error::ApiError;
use crate::http::extract::{ApiCitizen, ApiJson, Id};
use crate::notifications::deliver;
use axum::Json;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use cabildo_engine::Error as EngineError;
use cabildo_engine::Refusal;
use cabildo_engine::comments::{self, Comment, NewComment};
use cabildo_engine::content::Target;
use cabildo_engine::ids::{CommentId, UserId};
use cabildo_engine::moderation::{self, Item};
use cabildo_engine::staff::{self, Permission};
use cabildo_engine::{debates, follows, processes, proposals};
use cabildo_tenancy::TenantTx;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;
use uuid::Uuid;

/// The comment, follow and report routes of the API.
pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .add(routes!(list, create))
        .add(routes!(edit, delete))
        .add(routes!(vote))
        .add(routes!(follow, unfollow))
        .add(routes!(report))
}

/// The item a path names: `proposals` or `debates` and an id, or
/// `processes` and a slug (published ones only).
async fn target(tx: &mut TenantTx, kind: &str, raw: &str) -> Result<Option<Target>, EngineError> {
    let id = || raw.trim().parse::<Uuid>().ok();
    Ok(match kind {
        "proposals" => id().map(|id| Target::Proposal(id.into())),
        "debates" => id().map(|id| Target::Debate(id.into())),
        _ => processes::published_by_slug(tx, raw)
            .await?
            .map(|(summary, ..)| Target::Process(summary.id)),
    })
}

/// A comment as the API shows it; deleted and hidden ones keep their
/// place in the thread with an empty body.
#[derive(Serialize, ToSchema)]
pub struct CommentView {
    id: Uuid,
    /// The comment it answers.
    parent_id: Option<Uuid>,
    /// Reply level (0 to 4).
    depth: i16,
    /// The author's public nickname (empty when deleted or hidden).
    author: String,
    /// The author speaks for a verified organisation.
    author_is_organisation: bool,
    body: String,
    /// 1 for, -1 against, 0 neutral.
    alignment: i16,
    /// An official answer by the council's staff.
    official: bool,
    upvotes: i32,
    downvotes: i32,
    /// Edited after writing.
    edited: bool,
    /// Deleted by its author.
    deleted: bool,
    /// Hidden by moderators.
    hidden: bool,
    created_at: Instant,
}

impl From<&Comment> for CommentView {
    fn from(c: &Comment) -> Self {
        Self {
            id: c.id.into(),
            parent_id: c.parent_id.map(Into::into),
            depth: c.depth,
            author: c.author.clone(),
            author_is_organisation: c.author_is_organisation,
            body: c.body.clone(),
            alignment: c.alignment,
            official: c.official,
            upvotes: c.upvotes,
            downvotes: c.downvotes,
            edited: c.edited,
            deleted: c.deleted,
            hidden: c.hidden,
            created_at: c.created_at.into(),
        }
    }
}

/// A page of threads.
#[derive(Serialize, ToSchema)]
pub struct CommentsView {
    /// Each comment followed by its replies.
    comments: Vec<CommentView>,
    page: i64,
    /// Threads in all.
    threads: i64,
    threads_per_page: i64,
}

/// `?page=` of comment lists.
#[derive(Debug, Default, Deserialize)]
pub struct CommentsQuery {
    page: Option<String>,
}

/// The kind and id (or slug) of a path.
type ItemPath = Path<(String, String)>;

/// A page of the threads on a proposal, debate or process.
#[utoipa::path(get, path = "/{kind}/{id}/comments", tag = "comments",
    params(
        ("kind" = String, Path, description = "`proposals`, `debates` or `processes`."),
        ("id" = String, Path, description = "The item's id (a process's slug)."),
        ("page" = Option<i64>, Query, description = "1-based page of threads.")),
    responses((status = 200, body = CommentsView), ReadErrors))]
async fn list(
    council: ApiCouncil,
    Path((kind, raw)): ItemPath,
    Query(query): Query<CommentsQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let page = query
        .page
        .as_deref()
        .and_then(|p| p.parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, 10_000);
    let found = council
        .tx(async |tx| {
            let Some(target) = target(tx, &kind, &raw).await? else {
                return Ok::<_, EngineError>(None);
            };
            let visible = match target {
                Target::Proposal(id) => proposals::find(tx, id).await?.is_some(),
                Target::Debate(id) => debates::find(tx, id).await?.is_some(),
                Target::Process(_) => true,
                // Not named by the API's paths (meetings are not in it yet).
                Target::Meeting(_) | Target::Project(_) => false,
            };
            Ok(visible.then_some(target))
        })
        .await?;
    let target = found.ok_or(ApiError::NotFound)?;
    let listed = threads::<ApiError>(&council, target, page).await?;
    Ok(Json(CommentsView {
        comments: listed.0.iter().map(CommentView::from).collect(),
        page,
        threads: listed.1,
        threads_per_page: comments::THREADS_PER_PAGE,
    }))
}

/// Body of a new comment.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CommentBody {
    /// Plain text, 1 to 5,000 characters.
    body: String,
    /// 1 for, -1 against, 0 neutral (default).
    #[serde(default)]
    alignment: i16,
    /// The comment it answers.
    #[serde(default)]
    parent_id: Option<Uuid>,
    /// Staff only: the council's official answer.
    #[serde(default)]
    official: bool,
}

/// Comments on a proposal, debate or process (or answers a comment).
#[utoipa::path(post, path = "/{kind}/{id}/comments", tag = "comments",
    params(
        ("kind" = String, Path, description = "`proposals`, `debates` or `processes`."),
        ("id" = String, Path, description = "The item's id (a process's slug).")),
    request_body = CommentBody,
    responses((status = 201, body = IdView), ActErrors))]
async fn create(
    citizen: ApiCitizen,
    Path((kind, raw)): ItemPath,
    ApiJson(body): ApiJson<CommentBody>,
) -> Result<impl IntoResponse, ApiError> {
    let new = NewComment {
        body: body.body,
        alignment: body.alignment,
        parent: body.parent_id.map(Into::into),
    };
    let (user, language) = (citizen.user(), citizen.tr.code().to_owned());
    let id = citizen
        .change(async |tx| {
            let target = target(tx, &kind, &raw).await?.ok_or(Refusal::NotFound)?;
            let official =
                body.official && staff::may(tx, user, Permission::CommentOfficially).await?;
            let posted = comments::create(tx, user, target, &new, official).await?;
            deliver(tx, &posted.notices, &language).await?;
            Ok::<_, ApiError>(posted.id)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(IdView { id: id.into() })))
}

/// A comment's new text.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EditBody {
    /// Plain text, 1 to 5,000 characters.
    body: String,
}

/// The author edits a comment within 15 minutes of writing it.
#[utoipa::path(patch, path = "/comments/{id}", tag = "comments",
    params(("id" = Uuid, Path, description = "The comment's id.")),
    request_body = EditBody,
    responses((status = 200, body = IdView), ActErrors))]
async fn edit(
    citizen: ApiCitizen,
    Id(id): Id<CommentId>,
    ApiJson(body): ApiJson<EditBody>,
) -> Result<impl IntoResponse, ApiError> {
    let user = citizen.user();
    citizen
        .change(async |tx| comments::edit(tx, user, id, &body.body).await)
        .await?;
    Ok(Json(IdView { id: id.into() }))
}

/// The author deletes a comment (a placeholder keeps its place).
#[utoipa::path(delete, path = "/comments/{id}", tag = "comments",
    params(("id" = Uuid, Path, description = "The comment's id.")),
    responses((status = 204, description = "Deleted."), ActErrors))]
async fn delete(citizen: ApiCitizen, Id(id): Id<CommentId>) -> Result<impl IntoResponse, ApiError> {
    let user = citizen.user();
    citizen
        .change(async |tx| comments::delete(tx, user, id).await)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A vote on a comment.
#[derive(Debug, Deserialize, ToSchema)]
pub struct VoteBody {
    /// 1 up, -1 down, 0 none.
    value: i16,
}

/// Vote counts after a vote.
#[derive(Serialize, ToSchema)]
pub struct VotesView {
    upvotes: i32,
    downvotes: i32,
    /// The caller's vote now: 1, -1 or 0.
    mine: i16,
}

/// Votes on a comment (one vote per person; 0 takes it back).
#[utoipa::path(put, path = "/comments/{id}/vote", tag = "comments",
    params(("id" = Uuid, Path, description = "The comment's id.")),
    request_body = VoteBody,
    responses((status = 200, body = VotesView), ActErrors))]
async fn vote(
    citizen: ApiCitizen,
    Id(id): Id<CommentId>,
    ApiJson(body): ApiJson<VoteBody>,
) -> Result<impl IntoResponse, ApiError> {
    let user = citizen.user();
    let votes = citizen
        .change(async |tx| comments::vote(tx, user, id, body.value).await)
        .await?;
    Ok(Json(VotesView {
        upvotes: votes.upvotes,
        downvotes: votes.downvotes,
        mine: votes.mine,
    }))
}

/// Whether the caller now follows the item.
#[derive(Serialize, ToSchema)]
pub struct FollowingView {
    following: bool,
}

async fn set_following(
    citizen: &Context,
    user: UserId,
    (kind, raw): (String, String),
    on: bool,
) -> Result<Json<FollowingView>, ApiError> {
    citizen
        .change(async |tx| {
            let target = target(tx, &kind, &raw).await?.ok_or(Refusal::NotFound)?;
            Ok::<_, ApiError>(follows::set(tx, user, target, on).await?)
        })
        .await?;
    Ok(Json(FollowingView { following: on }))
}

/// Follows a proposal, debate or process: hears of its news.
#[utoipa::path(put, path = "/{kind}/{id}/follow", tag = "comments",
    params(
        ("kind" = String, Path, description = "`proposals`, `debates` or `processes`."),
        ("id" = String, Path, description = "The item's id (a process's slug).")),
    responses((status = 200, body = FollowingView), ActErrors))]
async fn follow(citizen: ApiCitizen, Path(path): ItemPath) -> Result<impl IntoResponse, ApiError> {
    set_following(&citizen, citizen.user(), path, true).await
}

/// Stops following a proposal, debate or process.
#[utoipa::path(delete, path = "/{kind}/{id}/follow", tag = "comments",
    params(
        ("kind" = String, Path, description = "`proposals`, `debates` or `processes`."),
        ("id" = String, Path, description = "The item's id (a process's slug).")),
    responses((status = 200, body = FollowingView), ActErrors))]
async fn unfollow(
    citizen: ApiCitizen,
    Path(path): ItemPath,
) -> Result<impl IntoResponse, ApiError> {
    set_following(&citizen, citizen.user(), path, false).await
}

/// A report to the moderators.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReportBody {
    /// Why (1 to 1,000 characters).
    reason: String,
}

/// The report was taken.
#[derive(Serialize, ToSchema)]
pub struct ReportedView {
    reported: bool,
}

/// Reports a proposal, debate, comment or budget project to the moderators.
#[utoipa::path(post, path = "/{kind}/{id}/reports", tag = "comments",
    params(
        ("kind" = String, Path, description = "`proposals`, `debates`, `comments` or `budget-projects`."),
        ("id" = Uuid, Path, description = "The item's id.")),
    request_body = ReportBody,
    responses((status = 202, body = ReportedView), ActErrors))]
async fn report(
    citizen: ApiCitizen,
    Path((kind, raw)): ItemPath,
    ApiJson(body): ApiJson<ReportBody>,
) -> Result<impl IntoResponse, ApiError> {
    let kind = match kind.as_str() {
        "budget-projects" => "project",
        other => other.trim_end_matches('s'),
    };
    let item = raw
        .trim()
        .parse()
        .ok()
        .and_then(|id| Item::parse(kind, id))
        .ok_or(ApiError::NotFound)?;
    let user = citizen.user();
    citizen
        .change(async |tx| {
            Ok::<_, ApiError>(moderation::report(tx, user, item, &body.reason).await?)
        })
        .await?;
    Ok((StatusCode::ACCEPTED, Json(ReportedView { reported: true })))
}
