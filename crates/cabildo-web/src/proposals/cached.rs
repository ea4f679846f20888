//! What the public proposal pages read, through the read cache.

use crate::http::council::Context;
use crate::http::error::NotFound;
use crate::processes::cached::{Published, published};
use cabildo_engine::Error as EngineError;
use cabildo_engine::content::PageRequest;
use cabildo_engine::proposals::{self, Filter, Proposal, ProposalSort};
use cabildo_tenancy::TenancyError;
use std::sync::Arc;
use uuid::Uuid;

/// A page of the published process `slug`'s proposals and how many match.
pub async fn list<E>(
    council: &Context,
    slug: &str,
    filter: &Filter,
    (sort, seed): (ProposalSort, i32),
    page: PageRequest,
) -> Result<(Published, Arc<(Vec<Proposal>, i64)>), E>
where
    E: From<TenancyError> + From<EngineError> + NotFound,
{
    let process = published::<E>(council, slug).await?;
    let id = process.0.id;
    let seed = if sort == ProposalSort::Random {
        seed
    } else {
        0
    };
    let key = format!(
        "proposals:{id}:{:?}:{:?}:{}:{}:{seed}:{}:{}",
        filter.district,
        filter.status,
        filter.qualified,
        sort.as_str(),
        page.page,
        page.per_page
    );
    let list = council
        .cached(key, async |tx| {
            Ok::<_, E>(proposals::list(tx, id, filter, (sort, seed), page).await?)
        })
        .await?;
    Ok((process, list))
}

/// A proposal as anonymous visitors see it.
pub async fn proposal<E>(council: &Context, id: Uuid) -> Result<Arc<Option<Proposal>>, E>
where
    E: From<TenancyError> + From<EngineError>,
{
    council
        .cached(format!("proposal:{id}"), async |tx| {
            Ok(proposals::find(tx, id.into()).await?)
        })
        .await
}
