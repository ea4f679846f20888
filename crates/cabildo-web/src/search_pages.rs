//! `/search` (processes, debates and proposals, with highlighted
//! passages) and `/account/activity` (what the visitor did).

use crate::AppState;
use crate::account_pages::{Chrome, load};
use crate::i18n::Tr;
use crate::participation::search_hits;
use crate::proposal_pages::render;
use crate::site::LanguageRequest;
use crate::ui::chrome::LanguageLink;
use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use cabildo_engine::search;
use cabildo_tenancy::Site;
use serde::Deserialize;

/// A hit as shown.
pub struct HitRow {
    kind_label: String,
    /// Escaped by the engine, with `<mark>` around matches.
    title_html: String,
    link: String,
    /// Escaped by the engine, with `<mark>` around matches.
    snippet_html: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    languages: &'a [LanguageLink],
    query: String,
    kind: &'static str,
    kinds: Vec<(&'static str, String)>,
    hits: Vec<HitRow>,
    count_label: String,
    searched: bool,
}

/// Query of `/search`.
#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
    kind: Option<String>,
}

/// `GET /search?q=&kind=`.
pub async fn search(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Query(query): Query<SearchQuery>,
    headers: HeaderMap,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let q: String = query
        .q
        .unwrap_or_default()
        .chars()
        .take(search::MAX_QUERY)
        .collect();
    let kind = search::Kind::parse(query.kind.as_deref());
    let hits = if q.trim().is_empty() {
        Vec::new()
    } else {
        match search_hits(&state, &ctx.tenant, &q, kind).await {
            Ok(hits) => hits.as_ref().clone(),
            Err(error) => return error.into_page(&ctx.tr),
        }
    };
    let tr = &ctx.tr;
    let view = SearchPage {
        tr,
        chrome: &ctx.chrome,
        languages: &ctx.chrome.languages,
        searched: !q.trim().is_empty(),
        count_label: tr.count("search-count", i64::try_from(hits.len()).unwrap_or(0)),
        query: q,
        kind: kind.as_str(),
        kinds: [
            ("", "search-kind-all"),
            ("process", "search-kind-process"),
            ("debate", "search-kind-debate"),
            ("proposal", "search-kind-proposal"),
        ]
        .into_iter()
        .map(|(value, key)| (value, tr.t(key)))
        .collect(),
        hits: hits
            .into_iter()
            .map(|h| HitRow {
                kind_label: tr.t(&format!("search-kind-{}", h.kind)),
                title_html: h.title_html,
                link: h.link,
                snippet_html: h.snippet_html,
            })
            .collect(),
    };
    render(&state, &ctx, StatusCode::OK, &view)
}
