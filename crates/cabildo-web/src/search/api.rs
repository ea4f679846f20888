//! Search in the JSON API.

use crate::http::api::{ApiRoutes, ReadErrors};
use crate::http::council::ApiCouncil;
use crate::http::error::ApiError;
use crate::search::{SearchQuery, hits};
use axum::Json;
use axum::extract::Query;
use axum::response::IntoResponse;
use cabildo_engine::search::Hit;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::routes;
use uuid::Uuid;

/// The search route of the API.
pub fn routes() -> ApiRoutes {
    ApiRoutes::new().add(routes!(search))
}

/// A hit.
#[derive(Serialize, ToSchema)]
pub struct HitView {
    /// `process`, `debate` or `proposal`.
    kind: String,
    id: Uuid,
    title: String,
    /// The title as HTML: escaped, matches in `<mark>`.
    title_html: String,
    /// Where it is shown on the site.
    link: String,
    /// The matching passage, as plain text.
    snippet: String,
    /// The same passage as HTML: escaped, matches in `<mark>`.
    snippet_html: String,
}

impl From<&Hit> for HitView {
    fn from(h: &Hit) -> Self {
        Self {
            kind: h.kind.clone(),
            id: h.id,
            title: h.title.clone(),
            title_html: h.title_html.clone(),
            link: h.link.clone(),
            snippet: h.snippet.clone(),
            snippet_html: h.snippet_html.clone(),
        }
    }
}

/// What was searched for, and what was found.
#[derive(Serialize, ToSchema)]
pub struct SearchView {
    query: String,
    hits: Vec<HitView>,
}

/// Searches the council's processes, debates and proposals.
#[utoipa::path(get, path = "/search", tag = "search",
    params(
        ("q" = Option<String>, Query, description = "The words (at most 200 characters)."),
        ("kind" = Option<String>, Query, description = "`process`, `debate` or `proposal` (default: all).")),
    responses((status = 200, body = SearchView), ReadErrors))]
async fn search(
    council: ApiCouncil,
    Query(query): Query<SearchQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let (q, kind) = query.parsed();
    let found = hits::<ApiError>(&council, &q, kind).await?;
    Ok(Json(SearchView {
        query: q,
        hits: found.iter().map(HitView::from).collect(),
    }))
}
