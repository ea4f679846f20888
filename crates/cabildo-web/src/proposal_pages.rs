//! Proposal pages: a process's list (filters, sorts, pages), the form to
//! make one, the proposal with its progress toward the threshold, its
//! support button, comments and (for staff) the official answer; editing
//! and withdrawing by the author.

use crate::AppState;
use crate::account_pages::{Chrome, Context, Fields, checked_fields, fields_or_return, get, load};
use crate::comment_pages::{
    CommentsView, following, form_action, load_comments, may_start, refused_page,
};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::participation::{
    ListQuery, Pagination, cached_proposal, deliver, encode, paragraphs, parse_id, process,
    proposal_list, refusal_message, seed, short_date,
};
use crate::site::LanguageRequest;
use crate::ui::chrome::LanguageLink;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use cabildo_engine::content::{Refusal, Target};
use cabildo_engine::processes::{self, Action, Denied, Phase};
use cabildo_engine::proposals::{self, NewProposal, Proposal, ProposalSort, Status};
use cabildo_engine::staff::{self, Role};
use cabildo_tenancy::{Site, TenantTx};
use serde::Deserialize;
use uuid::Uuid;

/// The tabs of a process's pages.
pub struct ProcessTabs {
    pub(crate) slug: String,
    pub(crate) title: String,
    /// `overview`, `debates`, `proposals` or `budget`.
    pub(crate) current: &'static str,
    pub(crate) debates: bool,
    pub(crate) proposals: bool,
    pub(crate) budget: bool,
}

impl ProcessTabs {
    pub(crate) fn new(slug: &str, title: &str, phases: &[Phase], current: &'static str) -> Self {
        let has = |c: &str| phases.iter().any(|p| p.components.iter().any(|x| x == c));
        Self {
            slug: slug.to_owned(),
            title: title.to_owned(),
            current,
            debates: has("debates"),
            proposals: has("proposals"),
            budget: has("budget") || current == "budget",
        }
    }
}

/// A district's name from its code (the code when unknown).
pub(crate) fn district_name(
    districts: &[(String, String)],
    code: &Option<String>,
) -> Option<String> {
    let code = code.as_ref()?;
    Some(
        districts
            .iter()
            .find(|(c, _)| c == code)
            .map_or_else(|| code.clone(), |(_, name)| name.clone()),
    )
}

/// The council's districts as (code, name).
pub(crate) async fn districts(
    state: &AppState,
    ctx: &Context,
) -> Result<Vec<(String, String)>, WebError> {
    let settings = state.tenancy.site_settings(&ctx.tenant).await?;
    Ok(settings
        .districts
        .iter()
        .map(|d| (d.code.clone(), d.name.clone()))
        .collect())
}

pub(crate) fn render<T: Template>(
    state: &AppState,
    ctx: &Context,
    status: StatusCode,
    page: &T,
) -> Response {
    match page.render() {
        Ok(html) => ctx.respond(state, (status, Html(html)).into_response()),
        Err(error) => WebError::from(error).into_page(&ctx.tr),
    }
}

/// Query of detail pages.
#[derive(Debug, Default, Deserialize)]
pub struct DetailQuery {
    page: Option<String>,
    done: Option<String>,
}

impl DetailQuery {
    pub(crate) fn comments_page(&self) -> i64 {
        self.page
            .as_deref()
            .and_then(|p| p.parse::<i64>().ok())
            .unwrap_or(1)
            .clamp(1, 10_000)
    }

    /// The confirmation to show after an action (only known ones).
    pub(crate) fn notice(&self, tr: &Tr) -> Option<String> {
        let done = self.done.as_deref()?;
        const KNOWN: [&str; 7] = [
            "created",
            "edited",
            "supported",
            "unsupported",
            "withdrawn",
            "answered",
            "acted",
        ];
        KNOWN.contains(&done).then(|| tr.t(&format!("done-{done}")))
    }
}
