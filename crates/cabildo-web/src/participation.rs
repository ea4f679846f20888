//! What the participation pages and API share: the HTTP status of each
//! refusal, turning the engine's notices into notifications in each
//! recipient's language, the visitor's stable seed for the random order of
//! proposals, list queries and pagination, and the public reads that go
//! through the read cache.

use crate::AppState;
use crate::error::WebError;
use crate::i18n::Tr;
use axum::http::StatusCode;
use cabildo_engine::comments::{self, Comment};
use cabildo_engine::content::{Notice, PageRequest, Refusal, Target};
use cabildo_engine::debates::{self, Debate, DebateSort};
use cabildo_engine::processes::{self, Denied, Phase, Summary};
use cabildo_engine::proposals::{self, Filter, Proposal, ProposalSort, Status};
use cabildo_engine::search;
use cabildo_tenancy::{Tenant, TenantTx};
use serde::Deserialize;
use std::sync::Arc;

/// An id from a path or form; anything else is no such item.
pub(crate) fn parse_id(raw: &str) -> Option<uuid::Uuid> {
    raw.trim().parse().ok()
}

/// The status a refusal is answered with.
pub(crate) fn refusal_status(refusal: Refusal) -> StatusCode {
    match refusal {
        Refusal::Denied(denied) => match denied {
            Denied::NotFound => StatusCode::NOT_FOUND,
            Denied::NotRegistered => StatusCode::UNAUTHORIZED,
            Denied::PhaseClosed
            | Denied::NotVerified
            | Denied::WrongDistrict
            | Denied::OrganisationsMayNot
            | Denied::Blocked => StatusCode::FORBIDDEN,
        },
        Refusal::NotFound => StatusCode::NOT_FOUND,
        Refusal::Invalid(..) | Refusal::TooDeep | Refusal::OwnComment => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Refusal::NotAuthor | Refusal::Forbidden => StatusCode::FORBIDDEN,
        Refusal::EditWindowOver | Refusal::Closed => StatusCode::CONFLICT,
    }
}

/// The translated explanation of a refusal.
pub(crate) fn refusal_message(tr: &Tr, refusal: Refusal) -> String {
    tr.t(&format!("refusal-{}", refusal.code().replace('_', "-")))
}

/// Creates a notification for each notice (see [`crate::notifications::deliver`]).
pub(crate) async fn deliver(
    tx: &mut TenantTx,
    notices: &[Notice],
    default_language: &str,
) -> Result<(), WebError> {
    Ok(crate::notifications::deliver(tx, notices, default_language).await?)
}

/// A visitor's seed for the random order: from their session or CSRF
/// token, so that paging through a random list keeps its order; the
/// `seed` query parameter wins when given.
pub(crate) fn seed(asked: Option<i64>, token: &str) -> i32 {
    if let Some(seed) = asked {
        return (seed.rem_euclid(i64::from(i32::MAX))) as i32;
    }
    let mut hash: u32 = 2_166_136_261;
    for byte in token.bytes() {
        hash = (hash ^ u32::from(byte)).wrapping_mul(16_777_619);
    }
    (hash & 0x7fff_ffff) as i32
}

/// Plain text as paragraphs (blank lines separate them); the template
/// escapes each.
pub(crate) fn paragraphs(text: &str) -> Vec<String> {
    text.replace("\r\n", "\n")
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A date as people read it (day/month/year).
pub(crate) fn short_date(at: time::OffsetDateTime) -> String {
    at.format(time::macros::format_description!("[day]/[month]/[year]"))
        .unwrap_or_default()
}

/// Query of list pages and calls (`?sort=&page=&per_page=&district=&status=&qualified=&seed=`).
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub(crate) sort: Option<String>,
    pub(crate) page: Option<String>,
    pub(crate) per_page: Option<String>,
    pub(crate) district: Option<String>,
    pub(crate) status: Option<String>,
    pub(crate) qualified: Option<String>,
    pub(crate) seed: Option<String>,
}

impl ListQuery {
    pub(crate) fn number(value: &Option<String>) -> Option<i64> {
        value.as_deref().and_then(|v| v.trim().parse::<i64>().ok())
    }

    pub(crate) fn page(&self) -> PageRequest {
        PageRequest::clamped(Self::number(&self.page), Self::number(&self.per_page))
    }

    pub(crate) fn district(&self) -> Option<String> {
        self.district.clone().filter(|d| !d.is_empty())
    }

    pub(crate) fn filter(&self) -> Filter {
        Filter {
            district: self.district(),
            status: self
                .status
                .as_deref()
                .and_then(Status::parse)
                .map(|s| s.as_str().to_owned()),
            qualified: matches!(self.qualified.as_deref(), Some("true" | "1" | "on")),
        }
    }
}

/// Links to the previous and next pages of a list.
pub struct Pagination {
    pub(crate) previous: Option<String>,
    pub(crate) next: Option<String>,
    pub(crate) label: String,
}

impl Pagination {
    /// For page `page` of `total` items, linking to `base` with `query`
    /// (everything but the page) and `page=N`.
    pub(crate) fn new(tr: &Tr, base: &str, query: &str, page: PageRequest, total: i64) -> Self {
        let per_page = i64::from(page.per_page);
        let pages = ((total + per_page - 1) / per_page).clamp(1, i64::from(PageRequest::MAX_PAGE));
        let current = i64::from(page.page);
        let link = |n: i64| {
            let separator = if query.is_empty() { "" } else { "&" };
            format!("{base}?{query}{separator}page={n}")
        };
        Self {
            previous: (current > 1).then(|| link(current - 1)),
            next: (current < pages).then(|| link(current + 1)),
            label: tr.args(
                "page-of",
                &[("page", current.to_string()), ("pages", pages.to_string())],
            ),
        }
    }
}

/// Percent-encodes a query value.
pub(crate) fn encode(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// A published process as pages show it: summary, description (Markdown),
/// phases.
pub(crate) type ProcessView = (Summary, String, Vec<Phase>);

/// Runs `$body` in a transaction of `$tenant` (`$tx` names it).
macro_rules! in_tx {
    ($state:expr, $tenant:expr, |$tx:ident| $body:expr) => {{
        let mut $tx = $state.tenancy.begin($tenant).await?;
        let value = $body;
        $tx.commit().await?;
        Ok::<_, $crate::error::WebError>(value)
    }};
}
pub(crate) use in_tx;

/// The published process `slug` (from the read cache).
pub(crate) async fn process(
    state: &AppState,
    tenant: &Tenant,
    slug: &str,
) -> Result<Arc<Option<ProcessView>>, WebError> {
    state
        .reads
        .get_or_load(tenant.id, format!("process:{slug}"), || async {
            in_tx!(state, tenant, |tx| processes::published_by_slug(
                &mut tx, slug
            )
            .await?)
        })
        .await
}

/// A page of a process's proposals and how many match (from the read
/// cache); `None` when there is no such published process.
pub(crate) async fn proposal_list(
    state: &AppState,
    tenant: &Tenant,
    slug: &str,
    filter: &Filter,
    sort: ProposalSort,
    seed: i32,
    page: PageRequest,
) -> Result<Option<(Arc<Option<ProcessView>>, Arc<(Vec<Proposal>, i64)>)>, WebError> {
    let found = process(state, tenant, slug).await?;
    let Some((summary, _, _)) = found.as_ref() else {
        return Ok(None);
    };
    let id = summary.id;
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
    let list = state
        .reads
        .get_or_load(tenant.id, key, || async {
            in_tx!(state, tenant, |tx| proposals::list(
                &mut tx, id, filter, sort, seed, page
            )
            .await?)
        })
        .await?;
    Ok(Some((found, list)))
}

/// A page of a process's debates and how many match (from the read cache).
pub(crate) async fn debate_list(
    state: &AppState,
    tenant: &Tenant,
    slug: &str,
    sort: DebateSort,
    district: Option<&str>,
    page: PageRequest,
) -> Result<Option<(Arc<Option<ProcessView>>, Arc<(Vec<Debate>, i64)>)>, WebError> {
    let found = process(state, tenant, slug).await?;
    let Some((summary, _, _)) = found.as_ref() else {
        return Ok(None);
    };
    let id = summary.id;
    let key = format!(
        "debates:{id}:{district:?}:{}:{}:{}",
        sort.as_str(),
        page.page,
        page.per_page
    );
    let list = state
        .reads
        .get_or_load(tenant.id, key, || async {
            in_tx!(state, tenant, |tx| debates::list(
                &mut tx, id, sort, district, page
            )
            .await?)
        })
        .await?;
    Ok(Some((found, list)))
}

/// A page of the threads on `target` and how many threads there are
/// (from the read cache).
pub(crate) async fn comment_page(
    state: &AppState,
    tenant: &Tenant,
    target: Target,
    page: i64,
) -> Result<Arc<(Vec<Comment>, i64)>, WebError> {
    let key = format!("comments:{}:{}:{page}", target.kind(), target.id());
    state
        .reads
        .get_or_load(tenant.id, key, || async {
            in_tx!(state, tenant, |tx| comments::list(&mut tx, target, page)
                .await?)
        })
        .await
}

/// Search hits (from the read cache).
pub(crate) async fn search_hits(
    state: &AppState,
    tenant: &Tenant,
    query: &str,
    kind: search::Kind,
) -> Result<Arc<Vec<search::Hit>>, WebError> {
    let key = format!("search:{}:{query}", kind.as_str());
    state
        .reads
        .get_or_load(tenant.id, key, || async {
            in_tx!(state, tenant, |tx| search::search(&mut tx, query, kind)
                .await?)
        })
        .await
}

/// A proposal as anonymous visitors see it (from the read cache).
pub(crate) async fn cached_proposal(
    state: &AppState,
    tenant: &Tenant,
    id: uuid::Uuid,
) -> Result<Arc<Option<Proposal>>, WebError> {
    state
        .reads
        .get_or_load(tenant.id, format!("proposal:{id}"), || async {
            in_tx!(state, tenant, |tx| proposals::find(&mut tx, id).await?)
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_and_notice_has_words_in_every_language() {
        let refusals = [
            Refusal::Denied(Denied::PhaseClosed),
            Refusal::Denied(Denied::NotRegistered),
            Refusal::Denied(Denied::NotVerified),
            Refusal::Denied(Denied::WrongDistrict),
            Refusal::Denied(Denied::OrganisationsMayNot),
            Refusal::Denied(Denied::Blocked),
            Refusal::NotFound,
            Refusal::NotAuthor,
            Refusal::EditWindowOver,
            Refusal::Closed,
            Refusal::TooDeep,
            Refusal::OwnComment,
            Refusal::Forbidden,
        ];
        // Every `Refusal::Invalid` code the engine uses.
        let invalid = [
            "title_invalid",
            "summary_invalid",
            "body_invalid",
            "district_unknown",
            "alignment_invalid",
            "vote_invalid",
            "reason_invalid",
            "message_invalid",
            "answer_invalid",
            "status_invalid",
            // Budgets.
            "currency_invalid",
            "percent_invalid",
            "number_invalid",
            "dates_invalid",
            "headings_invalid",
            "heading_name_invalid",
            "amount_invalid",
            "max_projects_invalid",
            "heading_twice",
            "budget_exists",
            "voting_started",
            "description_invalid",
            "location_invalid",
            "explanation_required",
            "explanation_invalid",
            "not_feasible",
            "not_on_ballot",
            "wrong_heading",
            "over_budget",
            "too_many_projects",
            "empty_ballot",
            "below_min_spend",
            "ballot_final",
            "results_unavailable",
            "too_many_supports",
            "choice_invalid",
            "not_qualified",
            "already_imported",
            "not_a_winner",
            "body_invalid",
        ];
        for code in crate::i18n::UI_LANGUAGES {
            let tr = Tr::new(code);
            let mut messages: Vec<String> =
                refusals.iter().map(|r| refusal_message(&tr, *r)).collect();
            messages.extend(
                invalid
                    .iter()
                    .map(|c| refusal_message(&tr, Refusal::Invalid("field", c))),
            );
            for kind in [
                "comment-new",
                "comment-reply",
                "proposal-qualified",
                "proposal-status",
                "project-reviewed",
                "project-update",
                "user-blocked",
            ] {
                messages.push(tr.with(&format!("notice-{kind}"), "subject", "x"));
            }
            for message in messages {
                assert!(
                    !message.is_empty() && !message.contains("Unknown localization"),
                    "{code}: {message}"
                );
            }
        }
    }

    #[test]
    fn paragraphs_split_on_blank_lines_and_seeds_are_stable() {
        assert_eq!(
            paragraphs("uno\r\n\r\ndos\n\n\n  \ntres"),
            ["uno", "dos", "tres"]
        );
        assert_eq!(seed(None, "token"), seed(None, "token"));
        assert_ne!(seed(None, "token"), seed(None, "other"));
        assert_eq!(seed(Some(-1), "token"), i32::MAX - 1);
    }
}
