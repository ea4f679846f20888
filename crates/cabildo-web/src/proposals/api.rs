//! Proposals in the JSON API: the same engine calls and rules as the pages.

use crate::http::api::{ActErrors, ApiRoutes, Instant, ReadErrors, StatusView, SupportView};
use crate::http::council::ApiCouncil;
use crate::http::error::ApiError;
use crate::http::extract::{ApiCitizen, ApiJson, Id};
use crate::http::query::ListQuery;
use crate::http::storage::Picture;
use crate::notifications::deliver;
use crate::proposals::cached;
use axum::Json;
use axum::body::Bytes;
use axum::extract::Query;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use cabildo_engine::content::PageRequest;
use cabildo_engine::ids::ProposalId;
use cabildo_engine::processes;
use cabildo_engine::proposals::{self, NewProposal, Proposal, ProposalSort};
use cabildo_engine::{Error as EngineError, Field, Problem, Refusal};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;
use uuid::Uuid;

/// The proposal routes of the API (but the picture, see [`picture_routes`]).
pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .add(routes!(list, create))
        .add(routes!(show, edit))
        .add(routes!(withdraw))
        .add(routes!(support, unsupport))
        .add(routes!(set_status))
}

/// The picture upload, which takes larger bodies.
pub fn picture_routes() -> ApiRoutes {
    ApiRoutes::new().add(routes!(put_image))
}

/// A proposal.
#[derive(Serialize, ToSchema)]
pub struct ProposalView {
    id: Uuid,
    process_id: Uuid,
    /// Its process's address part.
    process_slug: String,
    title: String,
    /// One paragraph.
    summary: String,
    /// The whole text (empty in lists).
    body: String,
    /// A district's code.
    district: Option<String>,
    /// `published`, `evaluating`, `accepted`, `rejected` or `withdrawn`.
    status: String,
    /// The council's official answer.
    answer: Option<String>,
    /// The author's public nickname.
    author: String,
    /// The author speaks for a verified organisation.
    author_is_organisation: bool,
    supports_count: i32,
    comments_count: i32,
    /// Supports that qualify it.
    threshold: i32,
    /// It reached the threshold.
    qualified: bool,
    created_at: Instant,
    /// Its picture's name (under `/media/`).
    image: Option<String>,
    /// Where, in words (may be empty).
    address: String,
    /// Where on the map: latitude and longitude (both or neither).
    latitude: Option<f64>,
    longitude: Option<f64>,
    /// Whether the caller supports it (single proposals, logged in).
    #[serde(skip_serializing_if = "Option::is_none")]
    supported: Option<bool>,
}

impl From<Proposal> for ProposalView {
    fn from(p: Proposal) -> Self {
        Self {
            id: p.id.into(),
            process_id: p.process_id.into(),
            process_slug: p.process_slug,
            title: p.title,
            summary: p.summary,
            body: p.body,
            district: p.district,
            status: p.status.to_string(),
            answer: p.answer,
            author: p.author,
            author_is_organisation: p.author_is_organisation,
            supports_count: p.supports_count,
            comments_count: p.comments_count,
            threshold: p.threshold,
            qualified: p.qualified,
            created_at: p.created_at.into(),
            image: p.image,
            address: p.address,
            latitude: p.latitude,
            longitude: p.longitude,
            supported: None,
        }
    }
}

/// A page of a process's proposals.
#[derive(Serialize, ToSchema)]
pub struct ProposalsView {
    proposals: Vec<ProposalView>,
    page: u32,
    per_page: u32,
    /// How many match.
    total: i64,
    /// `supported`, `newest` or `random`.
    sort: &'static str,
}

/// A page of a published process's proposals.
#[utoipa::path(get, path = "/processes/{slug}/proposals", tag = "proposals",
    params(
        ("slug" = String, Path, description = "The process's address part."),
        ("sort" = Option<String>, Query, description = "`supported` (default), `newest` or `random`."),
        ("page" = Option<i64>, Query, description = "1-based page, clamped to 1…1000."),
        ("per_page" = Option<i64>, Query, description = "Items per page, clamped to 1…100 (default 20)."),
        ("district" = Option<String>, Query, description = "Only this district's."),
        ("status" = Option<String>, Query, description = "published, evaluating, accepted, rejected, withdrawn."),
        ("qualified" = Option<bool>, Query, description = "Only those that reached the threshold."),
        ("seed" = Option<i64>, Query, description = "Random order: the caller's seed (default: from their session).")),
    responses((status = 200, body = ProposalsView), ReadErrors))]
async fn list(
    council: ApiCouncil,
    Id(slug): Id<String>,
    Query(query): Query<ListQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let (page, sort, filter): (PageRequest, _, _) = (
        query.page(),
        ProposalSort::parse(query.sort.as_deref()),
        query.filter(),
    );
    let seed = query.seed(&council.visitor.csrf);
    let (_, list) = cached::list::<ApiError>(&council, &slug, &filter, (sort, seed), page).await?;
    Ok(Json(ProposalsView {
        proposals: list.0.iter().cloned().map(ProposalView::from).collect(),
        page: page.page,
        per_page: page.per_page,
        total: list.1,
        sort: sort.as_str(),
    }))
}

/// A proposal as typed.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ProposalBody {
    /// 3 to 200 characters.
    title: String,
    /// 1 to 1,000 characters.
    summary: String,
    /// Up to 20,000 characters.
    #[serde(default)]
    body: String,
    /// One of the council's district codes.
    #[serde(default)]
    district: Option<String>,
    /// Where, in words (up to 300 characters).
    #[serde(default)]
    address: String,
    /// Where on the map (with `longitude`).
    #[serde(default)]
    latitude: Option<f64>,
    /// Where on the map (with `latitude`).
    #[serde(default)]
    longitude: Option<f64>,
}

impl ProposalBody {
    fn proposal(self) -> Result<NewProposal, ApiError> {
        let point = match (self.latitude, self.longitude) {
            (None, None) => None,
            (Some(lat), Some(lon)) => Some((lat, lon)),
            _ => return Err(EngineError::invalid(Field::Point, Problem::PointInvalid).into()),
        };
        Ok(NewProposal {
            title: self.title,
            summary: self.summary,
            body: self.body,
            district: self.district,
            address: self.address,
            point,
        })
    }
}

/// Makes a proposal in a published process, while its proposals phase is open.
#[utoipa::path(post, path = "/processes/{slug}/proposals", tag = "proposals",
    params(("slug" = String, Path, description = "The process's address part.")),
    request_body = ProposalBody,
    responses((status = 201, body = ProposalView, headers(("Location" = String, description = "The proposal's address in the API."))), ActErrors))]
async fn create(
    citizen: ApiCitizen,
    Id(slug): Id<String>,
    ApiJson(body): ApiJson<ProposalBody>,
) -> Result<impl IntoResponse, ApiError> {
    let (new, user) = (body.proposal()?, citizen.user());
    let proposal = citizen
        .change(async |tx| {
            let (process, ..) = processes::published_by_slug(tx, &slug)
                .await?
                .ok_or(Refusal::NotFound)?;
            let id = proposals::create(tx, user, process.id, &new).await?;
            Ok::<_, ApiError>(proposals::find(tx, id).await?.ok_or(Refusal::NotFound)?)
        })
        .await?;
    let mut headers = HeaderMap::new();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/proposals/{}", proposal.id)) {
        headers.insert(header::LOCATION, location);
    }
    Ok((
        StatusCode::CREATED,
        headers,
        Json(ProposalView::from(proposal)),
    ))
}

/// A proposal, with `supported` for a logged-in caller.
#[utoipa::path(get, path = "/proposals/{id}", tag = "proposals",
    params(("id" = Uuid, Path, description = "The proposal's id.")),
    responses((status = 200, body = ProposalView), ReadErrors))]
async fn show(council: ApiCouncil, Id(id): Id<ProposalId>) -> Result<impl IntoResponse, ApiError> {
    let user = council.user();
    let (proposal, supported) = council
        .tx(async |tx| {
            let proposal = proposals::find(tx, id).await?.ok_or(ApiError::NotFound)?;
            let supported = match user {
                Some(user) => !proposals::supported_by(tx, user, &[id]).await?.is_empty(),
                None => false,
            };
            Ok::<_, ApiError>((proposal, supported))
        })
        .await?;
    let mut view = ProposalView::from(proposal);
    view.supported = Some(supported);
    Ok(Json(view))
}

/// The author edits a proposal within 24 hours of making it.
#[utoipa::path(patch, path = "/proposals/{id}", tag = "proposals",
    params(("id" = Uuid, Path, description = "The proposal's id.")),
    request_body = ProposalBody,
    responses((status = 200, body = ProposalView), ActErrors))]
async fn edit(
    citizen: ApiCitizen,
    Id(id): Id<ProposalId>,
    ApiJson(body): ApiJson<ProposalBody>,
) -> Result<impl IntoResponse, ApiError> {
    let (new, user) = (body.proposal()?, citizen.user());
    let proposal = citizen
        .change(async |tx| {
            proposals::edit(tx, user, id, &new).await?;
            Ok::<_, ApiError>(proposals::find(tx, id).await?.ok_or(Refusal::NotFound)?)
        })
        .await?;
    Ok(Json(ProposalView::from(proposal)))
}

/// The author withdraws a proposal.
#[utoipa::path(post, path = "/proposals/{id}/withdrawal", tag = "proposals",
    params(("id" = Uuid, Path, description = "The proposal's id.")),
    responses((status = 200, body = StatusView), ActErrors))]
async fn withdraw(
    citizen: ApiCitizen,
    Id(id): Id<ProposalId>,
) -> Result<impl IntoResponse, ApiError> {
    let user = citizen.user();
    citizen
        .change(async |tx| proposals::withdraw(tx, user, id).await)
        .await?;
    Ok(Json(StatusView {
        status: "withdrawn",
    }))
}

/// Supports a proposal (once per person; 201 the first time, 200 after).
#[utoipa::path(post, path = "/proposals/{id}/support", tag = "proposals",
    params(("id" = Uuid, Path, description = "The proposal's id.")),
    responses(
        (status = 201, description = "Supported now.", body = SupportView),
        (status = 200, description = "Already supported.", body = SupportView),
        ActErrors))]
async fn support(
    citizen: ApiCitizen,
    Id(id): Id<ProposalId>,
) -> Result<impl IntoResponse, ApiError> {
    let (user, language) = (citizen.user(), citizen.tr.code().to_owned());
    // Supports keep the read cache: list counts may lag a few seconds.
    let supported = citizen
        .tx(async |tx| {
            let supported = proposals::support(tx, user, id).await?;
            deliver(tx, &supported.notices, &language).await?;
            Ok::<_, ApiError>(supported)
        })
        .await?;
    let status = if supported.added {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let view = SupportView {
        supported: true,
        supports_count: supported.supports_count,
    };
    Ok((status, Json(view)))
}

/// Takes a support back, while supports are open.
#[utoipa::path(delete, path = "/proposals/{id}/support", tag = "proposals",
    params(("id" = Uuid, Path, description = "The proposal's id.")),
    responses((status = 200, body = SupportView), ActErrors))]
async fn unsupport(
    citizen: ApiCitizen,
    Id(id): Id<ProposalId>,
) -> Result<impl IntoResponse, ApiError> {
    let user = citizen.user();
    let count = citizen
        .change(async |tx| proposals::unsupport(tx, user, id).await)
        .await?;
    Ok(Json(SupportView {
        supported: false,
        supports_count: count,
    }))
}

/// A staff answer.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StatusBody {
    /// `published`, `evaluating`, `accepted`, `rejected` or `withdrawn`.
    status: String,
    /// The official answer.
    #[serde(default)]
    answer: String,
}

/// Admins and evaluators set a proposal's status with an official answer; followers are told.
#[utoipa::path(put, path = "/proposals/{id}/status", tag = "proposals",
    params(("id" = Uuid, Path, description = "The proposal's id.")),
    request_body = StatusBody,
    responses((status = 200, body = StatusView), ActErrors))]
async fn set_status(
    citizen: ApiCitizen,
    Id(id): Id<ProposalId>,
    ApiJson(body): ApiJson<StatusBody>,
) -> Result<impl IntoResponse, ApiError> {
    let who = (citizen.user(), citizen.actor());
    let status = super::answer(&citizen, who, id, &body.status, &body.answer).await?;
    Ok(Json(StatusView {
        status: status.as_str(),
    }))
}

/// A stored picture's address.
#[derive(Serialize, ToSchema)]
pub struct ImageView {
    /// Under `/media/`.
    image: String,
}

/// The author sets a proposal's picture (PNG, JPEG, WebP or GIF, at most 5 MB) within the edit window.
#[utoipa::path(put, path = "/proposals/{id}/image", tag = "proposals",
    params(("id" = Uuid, Path, description = "The proposal's id.")),
    request_body(content = Vec<u8>, content_type = "image/*", description = "The picture's bytes."),
    responses(
        (status = 200, body = ImageView),
        (status = 413, description = "`image_too_large`.", body = crate::http::api::ErrorBody),
        (status = 507, description = "`storage_full`: no room to keep files now; nothing was kept, try later.", body = crate::http::api::ErrorBody),
        ActErrors))]
async fn put_image(
    citizen: ApiCitizen,
    Id(id): Id<ProposalId>,
    body: Result<Bytes, BytesRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let body = body.map_err(|_| {
        ApiError::Coded(
            StatusCode::PAYLOAD_TOO_LARGE,
            "image_too_large",
            "refusal-image-too-large",
        )
    })?;
    let picture = Picture::check(body)?;
    let user = citizen.user();
    let (staged, replaced) = citizen
        .change(async |tx| {
            let replaced = proposals::set_image(tx, user, id, picture.name()).await?;
            Ok::<_, ApiError>((citizen.stage(user, &picture).await?, replaced))
        })
        .await?;
    staged.keep(replaced).await?;
    Ok(Json(ImageView {
        image: format!("/media/{}", picture.name()),
    }))
}
