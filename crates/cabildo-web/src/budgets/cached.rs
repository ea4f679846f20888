//! What the public budget pages read, through the read cache: the budget
//! (its phase, by the database clock when read, may lag a phase change by
//! up to the cache's time to live; actions are always checked fresh by the
//! engine), a heading's projects (support counts may lag like proposals';
//! visitors who support read theirs fresh) and its published results once
//! finished (they change only by a staff recount, which drops the copies).

use crate::http::council::Context;
use crate::http::error::PageError;
use crate::processes::cached::published;
use crate::ui::tabs::{ProcessTabs, Tab};
use cabildo_engine::budgets::projects::{self, Project};
use cabildo_engine::budgets::setup::{self, Budget};
use cabildo_engine::budgets::tally::{self, Published};
use cabildo_engine::ids::HeadingId;
use std::sync::Arc;
use uuid::Uuid;

/// Whose budget to read.
pub enum Of {
    /// A process's.
    Process(Uuid),
    /// The one a heading belongs to.
    Heading(Uuid),
}

/// The budget of a process or of a heading, its title and heading names
/// in the visitor's language (see [`Budget::localize`]).
pub async fn budget(council: &Context, of: Of) -> Result<Budget, PageError> {
    let key = match of {
        Of::Process(id) => format!("budget-of-process:{id}"),
        Of::Heading(id) => format!("budget-of-heading:{id}"),
    };
    let found = council
        .cached(key, async |tx| {
            Ok::<_, PageError>(match of {
                Of::Process(id) => setup::of_process(tx, id.into()).await?,
                Of::Heading(id) => setup::of_heading(tx, id.into()).await?,
            })
        })
        .await?;
    let mut budget = found.as_ref().clone().ok_or(PageError::NotFound)?;
    budget.localize(council.tr.code(), &council.settings.default_language);
    Ok(budget)
}

/// A heading's projects, their texts in the visitor's language.
pub async fn projects(
    council: &Context,
    heading: HeadingId,
) -> Result<Arc<Vec<Project>>, PageError> {
    let cached = council
        .cached(format!("budget-projects:{heading}"), async |tx| {
            Ok::<_, PageError>(projects::of_heading(tx, heading).await?)
        })
        .await?;
    // Read in the default language, the cached texts are already right.
    if council.tr.code() == council.settings.default_language {
        return Ok(cached);
    }
    Ok(localized(council, cached.as_ref().clone()))
}

/// `list` with each project's texts in the visitor's language (see
/// [`Project::localize`]).
pub fn localized(council: &Context, mut list: Vec<Project>) -> Arc<Vec<Project>> {
    for project in &mut list {
        project.localize(council.tr.code(), &council.settings.default_language);
    }
    Arc::new(list)
}

/// A heading's published count and the counts recounts replaced; only
/// for a budget seen finished.
pub async fn counts(
    council: &Context,
    heading: HeadingId,
) -> Result<Arc<(Published, Vec<Published>)>, PageError> {
    let key = format!("budget-results:{heading}");
    let counts = council.cached(key, async |tx| tally::public_counts(tx, heading).await);
    Ok(counts.await?)
}

/// The process tabs and the budget of a heading (of a published process).
pub async fn heading_context(
    council: &Context,
    heading: HeadingId,
) -> Result<(ProcessTabs, Budget), PageError> {
    let budget = budget(council, Of::Heading(heading.into())).await?;
    let (summary, _, phases, _) = published::<PageError>(council, &budget.process_slug).await?;
    Ok((ProcessTabs::new(&summary, &phases, Tab::Budget), budget))
}
