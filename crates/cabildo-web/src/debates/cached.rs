//! What the public debate list reads, through the read cache.

use crate::http::council::Context;
use crate::http::error::NotFound;
use crate::processes::cached::{Published, published};
use cabildo_engine::Error as EngineError;
use cabildo_engine::content::PageRequest;
use cabildo_engine::debates::{self, Debate, DebateSort};
use cabildo_tenancy::TenancyError;
use std::sync::Arc;

/// A page of the published process `slug`'s debates and how many match.
pub async fn list<E>(
    council: &Context,
    slug: &str,
    sort: DebateSort,
    district: Option<&str>,
    page: PageRequest,
) -> Result<(Published, Arc<(Vec<Debate>, i64)>), E>
where
    E: From<TenancyError> + From<EngineError> + NotFound,
{
    let process = published::<E>(council, slug).await?;
    let id = process.0.id;
    let key = format!(
        "debates:{id}:{district:?}:{}:{}:{}",
        sort.as_str(),
        page.page,
        page.per_page
    );
    let list = council
        .cached(key, async |tx| {
            Ok::<_, E>(debates::list(tx, id, sort, district, page).await?)
        })
        .await?;
    Ok((process, list))
}
