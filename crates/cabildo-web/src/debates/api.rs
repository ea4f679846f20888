//! Debates in the JSON API: the same engine calls and rules as the pages.

use crate::debates::cached;
use crate::http::api::{ActErrors, ApiRoutes, Instant, ReadErrors};
use crate::http::council::ApiCouncil;
use crate::http::error::ApiError;
use crate::http::extract::{ApiCitizen, ApiJson, Id};
use crate::http::query::ListQuery;
use axum::Json;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use cabildo_engine::Refusal;
use cabildo_engine::debates::{self, Debate, DebateSort, NewDebate};
use cabildo_engine::ids::DebateId;
use cabildo_engine::processes;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;
use uuid::Uuid;

/// The debate routes of the API.
pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .add(routes!(list, create))
        .add(routes!(show))
}

/// A debate.
#[derive(Serialize, ToSchema)]
pub struct DebateView {
    id: Uuid,
    process_id: Uuid,
    /// Its process's address part.
    process_slug: String,
    title: String,
    /// The whole text (empty in lists).
    body: String,
    /// A district's code.
    district: Option<String>,
    /// The author's public nickname.
    author: String,
    /// The author speaks for a verified organisation.
    author_is_organisation: bool,
    comments_count: i32,
    /// Kept at the top of the list by staff.
    pinned: bool,
    /// Closed to new comments by staff.
    closed: bool,
    created_at: Instant,
}

impl From<Debate> for DebateView {
    fn from(d: Debate) -> Self {
        Self {
            id: d.id.into(),
            process_id: d.process_id.into(),
            process_slug: d.process_slug,
            title: d.title,
            body: d.body,
            district: d.district,
            author: d.author,
            author_is_organisation: d.author_is_organisation,
            comments_count: d.comments_count,
            pinned: d.pinned,
            closed: d.closed,
            created_at: d.created_at.into(),
        }
    }
}

/// A page of a process's debates.
#[derive(Serialize, ToSchema)]
pub struct DebatesView {
    debates: Vec<DebateView>,
    page: u32,
    per_page: u32,
    /// How many match.
    total: i64,
    /// `newest` or `active`.
    sort: &'static str,
}

/// A page of a published process's debates (pinned ones first).
#[utoipa::path(get, path = "/processes/{slug}/debates", tag = "debates",
    params(
        ("slug" = String, Path, description = "The process's address part."),
        ("sort" = Option<String>, Query, description = "`newest` (default) or `active`."),
        ("page" = Option<i64>, Query, description = "1-based page, clamped to 1…1000."),
        ("per_page" = Option<i64>, Query, description = "Items per page, clamped to 1…100 (default 20)."),
        ("district" = Option<String>, Query, description = "Only this district's.")),
    responses((status = 200, body = DebatesView), ReadErrors))]
async fn list(
    council: ApiCouncil,
    Id(slug): Id<String>,
    Query(query): Query<ListQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let (page, sort, district) = (
        query.page(),
        DebateSort::parse(query.sort.as_deref()),
        query.district(),
    );
    let (_, list) =
        cached::list::<ApiError>(&council, &slug, sort, district.as_deref(), page).await?;
    Ok(Json(DebatesView {
        debates: list.0.iter().cloned().map(DebateView::from).collect(),
        page: page.page,
        per_page: page.per_page,
        total: list.1,
        sort: sort.as_str(),
    }))
}

/// A debate as typed.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DebateBody {
    /// 3 to 200 characters.
    title: String,
    /// 1 to 20,000 characters.
    body: String,
    /// One of the council's district codes.
    #[serde(default)]
    district: Option<String>,
}

/// Opens a debate in a published process, while its debates phase is open.
#[utoipa::path(post, path = "/processes/{slug}/debates", tag = "debates",
    params(("slug" = String, Path, description = "The process's address part.")),
    request_body = DebateBody,
    responses((status = 201, body = DebateView), ActErrors))]
async fn create(
    citizen: ApiCitizen,
    Id(slug): Id<String>,
    ApiJson(body): ApiJson<DebateBody>,
) -> Result<impl IntoResponse, ApiError> {
    let new = NewDebate {
        title: body.title,
        body: body.body,
        district: body.district,
    };
    let user = citizen.user();
    let debate = citizen
        .change(async |tx| {
            let (process, ..) = processes::published_by_slug(tx, &slug)
                .await?
                .ok_or(Refusal::NotFound)?;
            let id = debates::create(tx, user, process.id, &new).await?;
            Ok::<_, ApiError>(debates::find(tx, id).await?.ok_or(Refusal::NotFound)?)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(DebateView::from(debate))))
}

/// A debate.
#[utoipa::path(get, path = "/debates/{id}", tag = "debates",
    params(("id" = Uuid, Path, description = "The debate's id.")),
    responses((status = 200, body = DebateView), ReadErrors))]
async fn show(council: ApiCouncil, Id(id): Id<DebateId>) -> Result<impl IntoResponse, ApiError> {
    let debate = council
        .tx(async |tx| debates::find(tx, id).await)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(DebateView::from(debate)))
}
