//! Public pages of participatory processes: the list and one process with
//! its phase timeline, its comments and its open data. The home page shows
//! the list, the latest proposals and the phase calendar from a cache kept
//! for [`LIST_TTL`] so that it costs no database transaction per view.

use crate::AppState;
use crate::account_pages::{Chrome, Context};
use crate::comment_pages::{CommentsView, following, load_comments};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::pages::LanguageLink;
use crate::participation::process;
use crate::proposal_pages::{DetailQuery, ProcessTabs};
use crate::site::LanguageRequest;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use cabildo_engine::content::Target;
use cabildo_engine::processes::{self, Summary};
use cabildo_tenancy::{Site, Tenant, TenantId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long the home page's listing is reused; a newly published process
/// or proposal shows on the home page within this time.
pub const LIST_TTL: Duration = Duration::from_secs(30);

/// What the home page lists.
pub struct Listing {
    /// Published processes, newest first.
    pub processes: Vec<Summary>,
    /// The newest proposals.
    pub latest: Vec<cabildo_engine::proposals::Proposal>,
    /// Phases open now or to come.
    pub calendar: Vec<cabildo_engine::processes::CalendarEntry>,
}

/// A council's listing and when it was read.
type Lists = HashMap<TenantId, (Arc<Listing>, Instant)>;

/// Published processes by council, with when they were read.
#[derive(Clone, Default)]
pub struct ProcessCache {
    lists: Arc<Mutex<Lists>>,
}

impl ProcessCache {
    /// Forgets a council's list (after publishing), in this process.
    pub fn forget(&self, tenant: TenantId) {
        self.lists
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&tenant);
    }

    /// The council's listing, from the cache when fresh.
    pub async fn listing(
        &self,
        state: &AppState,
        tenant: &Tenant,
    ) -> Result<Arc<Listing>, WebError> {
        if let Some((list, at)) = self
            .lists
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&tenant.id)
            && at.elapsed() < LIST_TTL
        {
            return Ok(list.clone());
        }
        let mut tx = state.tenancy.begin(tenant).await?;
        let list = Arc::new(Listing {
            processes: processes::published(&mut tx).await?,
            latest: cabildo_engine::proposals::latest(&mut tx, 5).await?,
            calendar: processes::calendar(&mut tx, 8).await?,
        });
        tx.commit().await?;
        let mut lists = self.lists.lock().unwrap_or_else(|e| e.into_inner());
        if lists.len() > 10_000 {
            lists.clear();
        }
        lists.insert(tenant.id, (list.clone(), Instant::now()));
        Ok(list)
    }
}

#[derive(Template)]
#[template(path = "processes.html")]
struct ListPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    languages: &'a [LanguageLink],
    processes: &'a [Summary],
}

/// One phase as shown.
pub struct PhaseView {
    title: String,
    starts: String,
    ends: String,
    starts_label: String,
    ends_label: String,
    components: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "process.html")]
struct ProcessPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    languages: &'a [LanguageLink],
    tabs: ProcessTabs,
    id: String,
    title: String,
    summary: String,
    description: String,
    phases: Vec<PhaseView>,
    comments: CommentsView,
    following: bool,
}

/// `GET /processes`.
pub async fn list(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
) -> Response {
    let ctx = match Context::load(&state, &site, &language, &headers).await {
        Ok(ctx) => ctx,
        Err(error) => return error.into_page(&language.ui()),
    };
    let listing = match state.processes.listing(&state, &ctx.tenant).await {
        Ok(listing) => listing,
        Err(error) => return error.into_page(&ctx.tr),
    };
    let page = ListPage {
        tr: &ctx.tr,
        chrome: &ctx.chrome,
        languages: &ctx.chrome.languages,
        processes: &listing.processes,
    };
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => WebError::from(error).into_page(&ctx.tr),
    }
}

/// `GET /processes/{slug}`.
pub async fn show(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(slug): Path<String>,
    Query(query): Query<DetailQuery>,
    headers: HeaderMap,
) -> Response {
    let ctx = match Context::load(&state, &site, &language, &headers).await {
        Ok(ctx) => ctx,
        Err(error) => return error.into_page(&language.ui()),
    };
    let viewer = ctx.visitor.session.as_ref().map(|s| s.user);
    let found: Result<_, WebError> = async {
        let found = process(&state, &ctx.tenant, &slug).await?;
        let Some((process, description, phases)) = found.as_ref().clone() else {
            return Ok(None);
        };
        let target = Target::Process(process.id);
        let following = match viewer {
            Some(_) => {
                let mut tx = state.tenancy.begin(&ctx.tenant).await?;
                let following = following(&mut tx, viewer, target).await?;
                tx.commit().await?;
                following
            }
            None => false,
        };
        let comments = load_comments(
            &state,
            &ctx.tenant,
            target,
            query.comments_page(),
            viewer,
            true,
            format!("/processes/{slug}"),
        )
        .await?;
        Ok(Some((process, description, phases, comments, following)))
    }
    .await;
    let (process, description, phases, comments, following) = match found {
        Ok(Some(found)) => found,
        Ok(None) => return WebError::NotFound.into_page(&ctx.tr),
        Err(error) => return error.into_page(&ctx.tr),
    };
    let tr = &ctx.tr;
    let label = time::macros::format_description!("[day]/[month]/[year]");
    let iso = &time::format_description::well_known::Rfc3339;
    let page = ProcessPage {
        tr,
        chrome: &ctx.chrome,
        languages: &ctx.chrome.languages,
        tabs: ProcessTabs::new(&process.slug, &process.title, &phases, "overview"),
        id: process.id.to_string(),
        comments,
        following,
        title: process.title,
        summary: process.summary,
        // Rendered with raw HTML shown as text and only safe links.
        description: cabildo_notify::newsletters::render_markdown(&description),
        phases: phases
            .into_iter()
            .map(|p| PhaseView {
                starts: p.starts_at.format(iso).unwrap_or_default(),
                ends: p.ends_at.format(iso).unwrap_or_default(),
                starts_label: p.starts_at.format(label).unwrap_or_default(),
                ends_label: p.ends_at.format(label).unwrap_or_default(),
                components: p
                    .components
                    .iter()
                    .map(|c| tr.t(&format!("component-{c}")))
                    .collect::<Vec<_>>()
                    .join(" · "),
                current: p.current,
                title: p.title,
            })
            .collect(),
    };
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => WebError::from(error).into_page(tr),
    }
}
