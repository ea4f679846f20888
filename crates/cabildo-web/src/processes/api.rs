//! Processes in the JSON API: the published ones, one with its phases,
//! and its open data (JSON, or one table as CSV).

use crate::http::api::{ApiRoutes, Instant, ReadErrors};
use crate::http::council::ApiCouncil;
use crate::http::download::{CsvQuery, csv};
use crate::http::error::ApiError;
use crate::http::extract::Id;
use axum::Json;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Response};
use cabildo_engine::opendata::{self, Export};
use cabildo_engine::processes::{self, Phase, Summary};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::routes;
use uuid::Uuid;

/// The process routes of the API.
pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .add(routes!(list))
        .add(routes!(show))
        .add(routes!(open_data))
        .add(routes!(open_data_csv))
}

/// A published process.
#[derive(Serialize, ToSchema)]
pub struct ProcessView {
    id: Uuid,
    /// Its address part.
    slug: String,
    /// In the caller's language when the council wrote it in that
    /// language, else in the council's default (see `title_language`).
    title: String,
    /// One paragraph.
    summary: String,
    /// The language of `title` and `summary` when it is not the caller's
    /// (they were not written in it); absent when it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    title_language: Option<String>,
    /// A district's code, or none for the whole city.
    district: Option<String>,
    /// Its hero picture's name (under `/media/`).
    image: Option<String>,
}

impl From<&Summary> for ProcessView {
    fn from(s: &Summary) -> Self {
        Self {
            id: s.id.into(),
            slug: s.slug.clone(),
            title: s.title.clone(),
            summary: s.summary.clone(),
            title_language: s.title_lang.clone(),
            district: s.district.clone(),
            image: s.image.clone(),
        }
    }
}

/// The published processes.
#[derive(Serialize, ToSchema)]
pub struct ProcessesView {
    /// Newest first.
    processes: Vec<ProcessView>,
}

/// The published processes, newest first.
#[utoipa::path(get, path = "/processes", tag = "processes",
    responses((status = 200, body = ProcessesView), ReadErrors))]
async fn list(council: ApiCouncil) -> Result<impl IntoResponse, ApiError> {
    let mut processes = council
        .tx(async |tx| processes::published(tx).await)
        .await?;
    let (language, default) = (council.tr.code(), &council.settings.default_language);
    for process in &mut processes {
        process.localize(language, default);
    }
    Ok(Json(ProcessesView {
        processes: processes.iter().map(ProcessView::from).collect(),
    }))
}

/// A phase of a process.
#[derive(Serialize, ToSchema)]
pub struct PhaseView {
    title: String,
    starts_at: Instant,
    ends_at: Instant,
    /// What it enables: `debates`, `proposals`, `budget`.
    components: Vec<String>,
    /// Open now.
    current: bool,
}

impl From<&Phase> for PhaseView {
    fn from(p: &Phase) -> Self {
        Self {
            title: p.title.clone(),
            starts_at: p.starts_at.into(),
            ends_at: p.ends_at.into(),
            components: p.components.clone(),
            current: p.current,
        }
    }
}

/// A published process with its description and phases.
#[derive(Serialize, ToSchema)]
pub struct ProcessDetailView {
    process: ProcessView,
    /// The description, as sanitised HTML.
    description_html: String,
    /// In order.
    phases: Vec<PhaseView>,
}

/// A published process with its phases.
#[utoipa::path(get, path = "/processes/{slug}", tag = "processes",
    params(("slug" = String, Path, description = "The process's address part.")),
    responses((status = 200, body = ProcessDetailView), ReadErrors))]
async fn show(council: ApiCouncil, Id(slug): Id<String>) -> Result<impl IntoResponse, ApiError> {
    let found = council
        .tx(async |tx| processes::published_by_slug(tx, &slug).await)
        .await?;
    let (mut process, description, mut phases, _) = found.ok_or(ApiError::NotFound)?;
    let (language, default) = (council.tr.code(), &council.settings.default_language);
    let description = (process.translations).show("description", &description, language, default);
    process.localize(language, default);
    for phase in &mut phases {
        phase.localize(language, default);
    }
    Ok(Json(ProcessDetailView {
        process: ProcessView::from(&process),
        description_html: cabildo_notify::markdown::render(&description.text),
        phases: phases.iter().map(PhaseView::from).collect(),
    }))
}

/// A proposal as open data (no authors, no supporters).
#[derive(Serialize, ToSchema)]
pub struct OpenProposalView {
    id: Uuid,
    title: String,
    summary: String,
    body: String,
    district: Option<String>,
    /// `published`, `evaluating`, `accepted`, `rejected` or `withdrawn`.
    status: String,
    /// The council's official answer.
    answer: Option<String>,
    supports_count: i32,
    comments_count: i32,
    /// Reached the threshold.
    qualified: bool,
    created_at: Instant,
}

/// A debate as open data.
#[derive(Serialize, ToSchema)]
pub struct OpenDebateView {
    id: Uuid,
    title: String,
    body: String,
    district: Option<String>,
    comments_count: i32,
    created_at: Instant,
}

/// A comment as open data (the text of deleted or hidden ones is left out).
#[derive(Serialize, ToSchema)]
pub struct OpenCommentView {
    id: Uuid,
    /// `process`, `debate` or `proposal`.
    target_kind: String,
    target_id: Uuid,
    parent_id: Option<Uuid>,
    body: String,
    /// 1 for, -1 against, 0 neutral.
    alignment: i16,
    official: bool,
    upvotes: i32,
    downvotes: i32,
    created_at: Instant,
}

/// A process's open data.
#[derive(Serialize, ToSchema)]
pub struct OpenDataView {
    /// The process's address part.
    process: String,
    title: String,
    proposals: Vec<OpenProposalView>,
    debates: Vec<OpenDebateView>,
    /// On the process, its debates and its proposals.
    comments: Vec<OpenCommentView>,
    /// Surveys whose results are public, with where their responses are.
    surveys: Vec<OpenSurveyView>,
    /// Consultations opened or closed, with where their results and board
    /// are.
    consultations: Vec<OpenConsultationView>,
}

/// A survey in a process's open data.
#[derive(Serialize, ToSchema)]
pub struct OpenSurveyView {
    id: Uuid,
    title: String,
    responses: i64,
    /// Its results in the API.
    results: String,
    /// Every response (no person) in the API.
    responses_file: String,
}

/// A consultation in a process's open data.
#[derive(Serialize, ToSchema)]
pub struct OpenConsultationView {
    id: Uuid,
    title: String,
    /// `open` or `closed`.
    status: String,
    /// The consultation with its results (after the close) in the API.
    results: String,
    /// Its board, once closed (recomputable with `cabildo consultation tally`).
    board: Option<String>,
}

impl From<Export> for OpenDataView {
    fn from(export: Export) -> Self {
        Self {
            surveys: (export.surveys.into_iter())
                .map(|s| OpenSurveyView {
                    results: format!("/api/v1/surveys/{}/results", s.id),
                    responses_file: format!("/api/v1/surveys/{}/responses", s.id),
                    id: s.id,
                    title: s.title,
                    responses: s.responses,
                })
                .collect(),
            consultations: (export.consultations.into_iter())
                .map(|c| OpenConsultationView {
                    results: format!("/api/v1/consultations/{}", c.id),
                    board: (c.status == "closed")
                        .then(|| format!("/api/v1/consultations/{}/board", c.id)),
                    id: c.id,
                    title: c.title,
                    status: c.status,
                })
                .collect(),
            process: export.process,
            title: export.title,
            proposals: export
                .proposals
                .into_iter()
                .map(|p| OpenProposalView {
                    id: p.id,
                    title: p.title,
                    summary: p.summary,
                    body: p.body,
                    district: p.district,
                    status: p.status,
                    answer: p.answer,
                    supports_count: p.supports_count,
                    comments_count: p.comments_count,
                    qualified: p.qualified,
                    created_at: p.created_at.into(),
                })
                .collect(),
            debates: export
                .debates
                .into_iter()
                .map(|d| OpenDebateView {
                    id: d.id,
                    title: d.title,
                    body: d.body,
                    district: d.district,
                    comments_count: d.comments_count,
                    created_at: d.created_at.into(),
                })
                .collect(),
            comments: export
                .comments
                .into_iter()
                .map(|c| OpenCommentView {
                    id: c.id,
                    target_kind: c.target_kind,
                    target_id: c.target_id,
                    parent_id: c.parent_id,
                    body: c.body,
                    alignment: c.alignment,
                    official: c.official,
                    upvotes: c.upvotes,
                    downvotes: c.downvotes,
                    created_at: c.created_at.into(),
                })
                .collect(),
        }
    }
}

async fn export(council: &ApiCouncil, slug: &str) -> Result<Export, ApiError> {
    council
        .tx(async |tx| opendata::export(tx, slug).await)
        .await?
        .ok_or(ApiError::NotFound)
}

/// A published process's open data: proposals, debates and comments.
#[utoipa::path(get, path = "/processes/{slug}/open-data", tag = "processes",
    params(("slug" = String, Path, description = "The process's address part.")),
    responses((status = 200, body = OpenDataView), ReadErrors))]
async fn open_data(
    council: ApiCouncil,
    Id(slug): Id<String>,
) -> Result<impl IntoResponse, ApiError> {
    Ok(Json(OpenDataView::from(export(&council, &slug).await?)))
}

/// One table of a process's open data as CSV.
#[utoipa::path(get, path = "/processes/{slug}/open-data/{table}", tag = "processes",
    params(
        ("slug" = String, Path, description = "The process's address part."),
        ("table" = String, Path, description = "`proposals`, `debates` or `comments`."),
        CsvQuery),
    responses((status = 200, description = "The table, with a header line.", content_type = "text/csv"), ReadErrors))]
async fn open_data_csv(
    council: ApiCouncil,
    Path((slug, name)): Path<(String, String)>,
    Query(query): Query<CsvQuery>,
) -> Result<Response, ApiError> {
    let table = opendata::Table::parse(&name).ok_or(ApiError::NotFound)?;
    let export = export(&council, &slug).await?;
    Ok(csv(
        export.csv(table, query.dialect()),
        &format!("{}-{name}.csv", export.process),
    ))
}
