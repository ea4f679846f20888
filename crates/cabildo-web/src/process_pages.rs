//! Public pages of participatory processes: the list and one process with
//! its phase timeline. The home page shows the list too, from a cache kept
//! for [`LIST_TTL`] so that it costs no database transaction per view.

use crate::AppState;
use crate::account_pages::{Chrome, Context};
use crate::error::{WebError, from_account};
use crate::i18n::Tr;
use crate::pages::LanguageLink;
use crate::site::LanguageRequest;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use cabildo_engine::processes::{self, Summary};
use cabildo_tenancy::{Site, Tenant, TenantId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long the list of published processes is reused; a newly published
/// process shows on the home page within this time.
pub const LIST_TTL: Duration = Duration::from_secs(30);

/// A council's published processes and when they were read.
type Lists = HashMap<TenantId, (Arc<Vec<Summary>>, Instant)>;

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

    /// The council's published processes, from the cache when fresh.
    pub async fn published(
        &self,
        state: &AppState,
        tenant: &Tenant,
    ) -> Result<Arc<Vec<Summary>>, WebError> {
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
        let list = Arc::new(processes::published(&mut tx).await.map_err(from_account)?);
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
    title: String,
    summary: String,
    description: String,
    phases: Vec<PhaseView>,
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
    let processes = match state.processes.published(&state, &ctx.tenant).await {
        Ok(processes) => processes,
        Err(error) => return error.into_page(&ctx.tr),
    };
    let page = ListPage {
        tr: &ctx.tr,
        chrome: &ctx.chrome,
        languages: &ctx.chrome.languages,
        processes: &processes,
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
    headers: HeaderMap,
) -> Response {
    let ctx = match Context::load(&state, &site, &language, &headers).await {
        Ok(ctx) => ctx,
        Err(error) => return error.into_page(&language.ui()),
    };
    let found: Result<_, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        let found = processes::published_by_slug(&mut tx, &slug)
            .await
            .map_err(from_account)?;
        tx.commit().await?;
        Ok(found)
    }
    .await;
    let (process, description, phases) = match found {
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
