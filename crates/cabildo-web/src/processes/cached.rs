//! What public process pages read, through the read cache.

use crate::http::council::Context;
use crate::http::error::NotFound;
use cabildo_engine::Error as EngineError;
use cabildo_engine::processes::{self, CalendarEntry, Phase, Summary};
use cabildo_engine::proposals::{self, Proposal};
use cabildo_tenancy::TenancyError;
use std::sync::Arc;

/// A published process as pages show it: summary, description (Markdown),
/// phases.
pub type Published = (Summary, String, Vec<Phase>);

/// The published process `slug`.
pub async fn process<E>(council: &Context, slug: &str) -> Result<Arc<Option<Published>>, E>
where
    E: From<TenancyError> + From<EngineError>,
{
    council
        .cached(format!("process:{slug}"), async |tx| {
            Ok(processes::published_by_slug(tx, slug).await?)
        })
        .await
}

/// The published process `slug`, or no such page.
pub async fn published<E>(council: &Context, slug: &str) -> Result<Published, E>
where
    E: From<TenancyError> + From<EngineError> + NotFound,
{
    process::<E>(council, slug)
        .await?
        .as_ref()
        .clone()
        .ok_or_else(E::not_found)
}

/// What the home page and the process list show.
pub struct Listing {
    /// Published processes, newest first.
    pub processes: Vec<Summary>,
    /// The latest proposals.
    pub latest: Vec<Proposal>,
    /// Phases about to start or under way.
    pub calendar: Vec<CalendarEntry>,
}

/// The council's listing.
pub async fn listing<E>(council: &Context) -> Result<Arc<Listing>, E>
where
    E: From<TenancyError> + From<EngineError>,
{
    council
        .cached("listing".to_owned(), async |tx| {
            Ok(Listing {
                processes: processes::published(tx).await?,
                latest: proposals::latest(tx, 5).await?,
                calendar: processes::calendar(tx, 8).await?,
            })
        })
        .await
}
