//! Public pages of participatory processes: the list and one process with
//! its phase timeline, its comments and its open data. The home page shows
//! the list, the latest proposals and the phase calendar from the read
//! cache, so that it costs no database transaction per view.

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
use cabildo_tenancy::{Site, Tenant};
use std::sync::Arc;

/// What the home page lists.
pub struct Listing {
    /// Published processes, newest first.
    pub processes: Vec<Summary>,
    /// The newest proposals.
    pub latest: Vec<cabildo_engine::proposals::Proposal>,
    /// Phases open now or to come.
    pub calendar: Vec<cabildo_engine::processes::CalendarEntry>,
}

/// The council's listing, through the read cache (so a view costs no
/// database transaction; a change shows at once).
pub(crate) async fn listing(state: &AppState, tenant: &Tenant) -> Result<Arc<Listing>, WebError> {
    state
        .reads
        .get_or_load(tenant.id, "listing".to_owned(), || async {
            let mut tx = state.tenancy.begin(tenant).await?;
            let listing = Listing {
                processes: processes::published(&mut tx).await?,
                latest: cabildo_engine::proposals::latest(&mut tx, 5).await?,
                calendar: processes::calendar(&mut tx, 8).await?,
            };
            tx.commit().await?;
            Ok(listing)
        })
        .await
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
    /// The hero picture's name.
    image: Option<String>,
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
    let listing = match listing(&state, &ctx.tenant).await {
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
            &ctx,
            target,
            query.comments_page(),
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
        image: process.image.clone(),
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
