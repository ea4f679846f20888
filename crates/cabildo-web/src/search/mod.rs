//! Search across a council's processes, debates and proposals (Spanish
//! and English stemming, accents ignored, matches highlighted): the page
//! and the API.

pub mod api;
mod pages;

use crate::http::council::Context;
use crate::http::state::AppState;
use axum::Router;
use axum::routing::get;
use cabildo_engine::Error as EngineError;
use cabildo_engine::search::{self, Hit, Kind};
use cabildo_tenancy::TenancyError;
use serde::Deserialize;
use std::sync::Arc;

/// The search page.
pub fn router() -> Router<AppState> {
    Router::new().route("/search", get(pages::search))
}

/// `?q=&kind=`.
#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
    kind: Option<String>,
}

impl SearchQuery {
    /// The words searched for, cut to what the engine takes, and the kind.
    fn parsed(self) -> (String, Kind) {
        let q = self
            .q
            .unwrap_or_default()
            .chars()
            .take(search::MAX_QUERY)
            .collect();
        (q, Kind::parse(self.kind.as_deref()))
    }
}

/// Search hits (from the read cache).
async fn hits<E>(council: &Context, query: &str, kind: Kind) -> Result<Arc<Vec<Hit>>, E>
where
    E: From<TenancyError> + From<EngineError>,
{
    let key = format!("search:{}:{query}", kind.as_str());
    council
        .cached(key, async |tx| Ok(search::search(tx, query, kind).await?))
        .await
}
