//! What public process pages read, through the read cache.

use crate::http::council::Context;
use crate::http::error::NotFound;
use cabildo_engine::Error as EngineError;
use cabildo_engine::processes::{self, CalendarEntry, Holds, Phase, Summary};
use cabildo_engine::proposals::{self, Proposal};
use cabildo_tenancy::TenancyError;
use std::sync::Arc;

/// A published process as pages show it: summary, description (Markdown),
/// phases, and what it holds.
pub type Published = (Summary, String, Vec<Phase>, Holds);

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

/// The published process `slug`, or no such page, with its title,
/// summary and phases in the visitor's language (see
/// [`Summary::localize`]; the description is the process page's to pick).
pub async fn published<E>(council: &Context, slug: &str) -> Result<Published, E>
where
    E: From<TenancyError> + From<EngineError> + NotFound,
{
    let (mut summary, description, mut phases, holds) = process::<E>(council, slug)
        .await?
        .as_ref()
        .clone()
        .ok_or_else(E::not_found)?;
    let (language, default) = (council.tr.code(), &council.settings.default_language);
    summary.localize(language, default);
    for phase in &mut phases {
        phase.localize(language, default);
    }
    Ok((summary, description, phases, holds))
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

/// The council's listing, its texts in the visitor's language.
pub async fn listing<E>(council: &Context) -> Result<Listing, E>
where
    E: From<TenancyError> + From<EngineError>,
{
    let cached: Arc<(Vec<Summary>, Vec<Proposal>, Vec<CalendarEntry>)> = council
        .cached("listing".to_owned(), async |tx| {
            Ok::<_, E>((
                processes::published(tx).await?,
                proposals::latest(tx, 5).await?,
                processes::calendar(tx, 8).await?,
            ))
        })
        .await?;
    let (mut processes, latest, mut calendar) = cached.as_ref().clone();
    let (language, default) = (council.tr.code(), &council.settings.default_language);
    for process in &mut processes {
        process.localize(language, default);
    }
    for entry in &mut calendar {
        entry.localize(language, default);
    }
    Ok(Listing {
        processes,
        latest,
        calendar,
    })
}
