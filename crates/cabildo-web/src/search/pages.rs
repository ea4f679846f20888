//! `/search`: hits with highlighted passages.

use crate::http::council::Council;
use crate::http::error::PageError;
use crate::search::{SearchQuery, hits};
use crate::ui::chrome::Chrome;
use crate::ui::i18n::Tr;
use askama::Template;
use axum::extract::Query;
use axum::response::Response;

/// A hit as shown.
pub struct HitRow {
    kind_label: String,
    title_html: String,
    link: String,
    snippet_html: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    query: String,
    kind: &'static str,
    kinds: Vec<(&'static str, String)>,
    hits: Vec<HitRow>,
    count_label: String,
    searched: bool,
}

/// `GET /search?q=&kind=`.
pub async fn search(
    council: Council,
    Query(query): Query<SearchQuery>,
) -> Result<Response, PageError> {
    let (q, kind) = query.parsed();
    let searched = !q.trim().is_empty();
    let found = if searched {
        hits::<PageError>(&council, &q, kind)
            .await?
            .as_ref()
            .clone()
    } else {
        Vec::new()
    };
    let tr = &council.tr;
    council.render(&SearchPage {
        tr,
        chrome: &council.chrome,
        searched,
        count_label: tr.count("search-count", i64::try_from(found.len()).unwrap_or(0)),
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
        hits: found
            .into_iter()
            .map(|h| HitRow {
                kind_label: tr.t(&format!("search-kind-{}", h.kind)),
                title_html: h.title_html,
                link: h.link,
                snippet_html: h.snippet_html,
            })
            .collect(),
    })
}
