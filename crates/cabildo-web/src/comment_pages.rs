//! Comments on pages: the thread shown under a process, debate or
//! proposal, and the forms that act on it (write, reply, vote, edit,
//! delete, report), plus following and reporting debates and proposals.
//! Each action answers with a redirect back to the page (never to an
//! address the form names), or a page explaining a refusal.

use crate::AppState;
use crate::account_pages::{Context, Fields, checked_fields, fields_or_return, get, load};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::participation::{
    comment_page, deliver, paragraphs, parse_id, refusal_message, refusal_status, short_date,
};
use crate::site::LanguageRequest;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use cabildo_engine::comments::{self, NewComment};
use cabildo_engine::content::{Refusal, Target};
use cabildo_engine::moderation::{self, Item};
use cabildo_engine::{follows, staff};
use cabildo_tenancy::{Site, TenantTx};
use uuid::Uuid;

/// One comment as shown.
pub struct CommentRow {
    pub(crate) id: String,
    pub(crate) depth: i16,
    pub(crate) author: String,
    pub(crate) organisation: bool,
    pub(crate) paragraphs: Vec<String>,
    pub(crate) alignment: i16,
    pub(crate) official: bool,
    pub(crate) upvotes: i32,
    pub(crate) downvotes: i32,
    pub(crate) edited: bool,
    pub(crate) deleted: bool,
    pub(crate) hidden: bool,
    pub(crate) created: String,
    pub(crate) created_iso: String,
    pub(crate) mine: bool,
    pub(crate) my_vote: i16,
    pub(crate) can_reply: bool,
}

/// The words of the comments section, looked up once per page rather
/// than once per comment.
pub struct CommentLabels {
    pub(crate) organisation: String,
    pub(crate) official: String,
    pub(crate) in_favour: String,
    pub(crate) against: String,
    pub(crate) edited: String,
    pub(crate) up: String,
    pub(crate) down: String,
    pub(crate) reply: String,
    pub(crate) reply_to: String,
    pub(crate) edit: String,
    pub(crate) save: String,
    pub(crate) delete: String,
    pub(crate) report: String,
    pub(crate) report_reason: String,
    pub(crate) report_send: String,
    pub(crate) deleted: String,
    pub(crate) hidden: String,
    pub(crate) publish: String,
}

impl CommentLabels {
    fn new(tr: &Tr) -> Self {
        Self {
            organisation: tr.t("badge-organisation"),
            official: tr.t("comment-official"),
            in_favour: tr.t("comment-for"),
            against: tr.t("comment-against"),
            edited: tr.t("comment-edited"),
            up: tr.t("comment-up"),
            down: tr.t("comment-down"),
            reply: tr.t("comment-reply"),
            reply_to: tr.t("comment-reply-to"),
            edit: tr.t("comment-edit"),
            save: tr.t("comment-save"),
            delete: tr.t("comment-delete"),
            report: tr.t("report-this"),
            report_reason: tr.t("report-reason"),
            report_send: tr.t("report-send"),
            deleted: tr.t("comment-deleted"),
            hidden: tr.t("comment-hidden"),
            publish: tr.t("comment-publish"),
        }
    }
}

/// The comments section of a page.
pub struct CommentsView {
    pub(crate) labels: CommentLabels,
    pub(crate) kind: &'static str,
    pub(crate) id: String,
    pub(crate) rows: Vec<CommentRow>,
    pub(crate) threads: i64,
    pub(crate) page: i64,
    pub(crate) pages: i64,
    /// The page's path, for the pagination links.
    pub(crate) base: String,
    pub(crate) logged_in: bool,
    /// Staff may mark a comment as the council's official answer.
    pub(crate) staff: bool,
    /// New comments are taken (the debate is not closed).
    pub(crate) open: bool,
}

/// Loads page `page` of the comments on `target` for the visitor `viewer`:
/// the threads from the read cache, the visitor's votes and role fresh.
pub(crate) async fn load_comments(
    state: &AppState,
    ctx: &Context,
    target: Target,
    page: i64,
    open: bool,
    base: String,
) -> Result<CommentsView, WebError> {
    let (tr, tenant) = (&ctx.tr, &ctx.tenant);
    let viewer = ctx.visitor.session.as_ref().map(|s| s.user);
    let listed = comment_page(state, tenant, target, page).await?;
    let (items, threads) = (&listed.0, listed.1);
    let (votes, staff) = match viewer {
        Some(user) => {
            let ids: Vec<Uuid> = items.iter().map(|c| c.id).collect();
            let mut tx = state.tenancy.begin(tenant).await?;
            let votes = comments::votes_by(&mut tx, user, &ids).await?;
            let staff = !staff::roles_of(&mut tx, user).await?.is_empty();
            tx.commit().await?;
            (votes, staff)
        }
        None => (Vec::new(), false),
    };
    let iso = &time::format_description::well_known::Rfc3339;
    let rows = items
        .iter()
        .map(|c| CommentRow {
            id: c.id.to_string(),
            depth: c.depth,
            organisation: c.author_is_organisation,
            paragraphs: paragraphs(&c.body),
            alignment: c.alignment,
            official: c.official,
            upvotes: c.upvotes,
            downvotes: c.downvotes,
            edited: c.edited,
            deleted: c.deleted,
            hidden: c.hidden,
            created: short_date(c.created_at),
            created_iso: c.created_at.format(iso).unwrap_or_default(),
            mine: viewer == Some(c.author_id) && !c.deleted && !c.hidden,
            my_vote: votes
                .iter()
                .find(|(id, _)| *id == c.id)
                .map_or(0, |(_, v)| *v),
            can_reply: open
                && viewer.is_some()
                && !c.deleted
                && !c.hidden
                && c.depth < comments::MAX_DEPTH,
            author: c.author.clone(),
        })
        .collect();
    let per_page = comments::THREADS_PER_PAGE;
    Ok(CommentsView {
        labels: CommentLabels::new(tr),
        kind: target.kind(),
        id: target.id().to_string(),
        rows,
        threads,
        page: page.max(1),
        pages: ((threads + per_page - 1) / per_page).max(1),
        base,
        logged_in: viewer.is_some(),
        staff,
        open,
    })
}

/// Nothing when `user` may now do `action` (open a debate, make a
/// proposal) in the published process `slug`; else the page explaining
/// why not, shown before the form rather than after it is filled in.
pub(crate) async fn may_start(
    state: &AppState,
    ctx: &Context,
    slug: &str,
    user: Uuid,
    action: cabildo_engine::processes::Action,
) -> Result<(), Box<Response>> {
    let allowed: Result<_, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        let Some((process, _, _)) =
            cabildo_engine::processes::published_by_slug(&mut tx, slug).await?
        else {
            return Ok(Err(Refusal::NotFound));
        };
        let may = cabildo_engine::processes::may(&mut tx, process.id, Some(user), action).await?;
        tx.commit().await?;
        Ok(may.map_err(Refusal::from))
    }
    .await;
    match allowed {
        Ok(Ok(())) => Ok(()),
        Ok(Err(refusal)) => Err(Box::new(refused_page(state, ctx, refusal))),
        Err(error) => Err(Box::new(error.into_page(&ctx.tr))),
    }
}

/// A page explaining why an action was refused.
pub(crate) fn refused_page(state: &AppState, ctx: &Context, refusal: Refusal) -> Response {
    let response = crate::ui::message::message_page(
        &ctx.tr,
        refusal_status(refusal),
        &ctx.tr.t("refusal-title"),
        &refusal_message(&ctx.tr, refusal),
        true,
    );
    ctx.respond(state, response)
}

/// Runs a logged-in visitor's action from a form: `$body` is a
/// `Result<String, Refusal>` (the path to go back to) and may use `?`.
/// Visitors who are not logged in go to the login page. A change drops the
/// council's read cache, except after `keep_reads` (supports).
macro_rules! form_action {
    (keep_reads, $state:expr, $ctx:expr, |$tx:ident, $user:ident| $body:expr) => {
        form_action!(@run false, $state, $ctx, |$tx, $user| $body)
    };
    ($state:expr, $ctx:expr, |$tx:ident, $user:ident| $body:expr) => {
        form_action!(@run true, $state, $ctx, |$tx, $user| $body)
    };
    (@run $changes:expr, $state:expr, $ctx:expr, |$tx:ident, $user:ident| $body:expr) => {{
        let Some($user) = $ctx.visitor.session.as_ref().map(|s| s.user) else {
            return Redirect::to("/account/login").into_response();
        };
        let result: Result<_, WebError> = async {
            let mut $tx = $state.tenancy.begin(&$ctx.tenant).await?;
            let outcome = $body;
            if outcome.is_ok() {
                $tx.commit().await?;
                if $changes {
                    $state.reads.changed($ctx.tenant.id).await;
                }
            }
            Ok(outcome)
        }
        .await;
        match result {
            Ok(Ok(back)) => Redirect::to(&back).into_response(),
            Ok(Err(refusal)) => refused_page(&$state, &$ctx, refusal),
            Err(failure) => failure.into_page(&$ctx.tr),
        }
    }};
}
pub(crate) use form_action;

fn target_of(kind: &str, id: &str) -> Option<Target> {
    Target::parse(kind, id.parse().ok()?)
}

/// `POST /comments`: a comment or a reply.
pub async fn create(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let values = fields_or_return!(ctx, state, form);
    let Some(target) = target_of(get(&values, "target_kind"), get(&values, "target_id")) else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    let parent = get(&values, "parent");
    let new = NewComment {
        body: get(&values, "body").into(),
        alignment: get(&values, "alignment").parse().unwrap_or(0),
        parent: if parent.is_empty() {
            None
        } else {
            match parent.parse() {
                Ok(parent) => Some(parent),
                Err(_) => return WebError::NotFound.into_page(&ctx.tr),
            }
        },
    };
    let wants_official = get(&values, "official") == "on";
    let default_language = ctx.tr.code().to_owned();
    form_action!(state, ctx, |tx, user| {
        let official = wants_official && !staff::roles_of(&mut tx, user).await?.is_empty();
        match comments::create(&mut tx, user, target, &new, official).await? {
            Ok(posted) => {
                deliver(&mut tx, &posted.notices, &default_language).await?;
                Ok(posted.link)
            }
            Err(refusal) => Err(refusal),
        }
    })
}

/// `POST /comments/{id}/vote` with `value` 1, -1 or 0.
pub async fn vote(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let values = fields_or_return!(ctx, state, form);
    let Some(id) = parse_id(&raw) else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    let value: i16 = get(&values, "value").parse().unwrap_or(i16::MAX);
    form_action!(state, ctx, |tx, user| {
        match comments::vote(&mut tx, user, id, value).await? {
            Ok(_) => comments::link_of(&mut tx, id)
                .await?
                .ok_or(Refusal::NotFound),
            Err(refusal) => Err(refusal),
        }
    })
}

/// `POST /comments/{id}/edit` with the new `body`.
pub async fn edit(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let values = fields_or_return!(ctx, state, form);
    let Some(id) = parse_id(&raw) else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    let body = get(&values, "body").to_owned();
    form_action!(state, ctx, |tx, user| {
        match comments::edit(&mut tx, user, id, &body).await? {
            Ok(()) => comments::link_of(&mut tx, id)
                .await?
                .ok_or(Refusal::NotFound),
            Err(refusal) => Err(refusal),
        }
    })
}

/// `POST /comments/{id}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    if let Err(response) = checked_fields(&ctx, &state, form) {
        return *response;
    }
    let Some(id) = parse_id(&raw) else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    form_action!(state, ctx, |tx, user| {
        match comments::delete(&mut tx, user, id).await? {
            Ok(()) => comments::link_of(&mut tx, id)
                .await?
                .ok_or(Refusal::NotFound),
            Err(refusal) => Err(refusal),
        }
    })
}

/// `POST /reports` with `kind`, `id` and `reason`.
pub async fn report(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let values = fields_or_return!(ctx, state, form);
    let item = parse_id(get(&values, "id")).and_then(|id| Item::parse(get(&values, "kind"), id));
    let Some(item) = item else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    let reason = get(&values, "reason").to_owned();
    let ctx_ref = &ctx;
    let outcome: Result<_, WebError> = async {
        let Some(user) = ctx_ref.visitor.session.as_ref().map(|s| s.user) else {
            return Ok(None);
        };
        let mut tx = state.tenancy.begin(&ctx_ref.tenant).await?;
        let outcome = moderation::report(&mut tx, user, item, &reason).await?;
        tx.commit().await?;
        Ok(Some(outcome))
    }
    .await;
    match outcome {
        Ok(None) => Redirect::to("/account/login").into_response(),
        Ok(Some(Ok(()))) => ctx.message(&state, StatusCode::OK, "report-thanks"),
        Ok(Some(Err(refusal))) => refused_page(&state, &ctx, refusal),
        Err(failure) => failure.into_page(&ctx.tr),
    }
}

/// `POST /follows` with `kind`, `id` and `follow` (`on` or `off`).
pub async fn follow(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let values = fields_or_return!(ctx, state, form);
    let Some(target) = target_of(get(&values, "kind"), get(&values, "id")) else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    let on = get(&values, "follow") == "on";
    form_action!(state, ctx, |tx, user| {
        match follows::set(&mut tx, user, target, on).await? {
            Ok(()) => Ok(match target {
                Target::Debate(id) => format!("/debates/{id}"),
                Target::Proposal(id) => format!("/proposals/{id}"),
                Target::Project(id) => format!("/budget-projects/{id}"),
                Target::Process(id) => {
                    match cabildo_engine::processes::slug_of(&mut tx, id).await? {
                        Some(slug) => format!("/processes/{slug}"),
                        None => "/processes".to_owned(),
                    }
                }
            }),
            Err(refusal) => Err(refusal),
        }
    })
}

/// Whether the visitor follows `target`.
pub(crate) async fn following(
    tx: &mut TenantTx,
    viewer: Option<Uuid>,
    target: Target,
) -> Result<bool, WebError> {
    Ok(match viewer {
        Some(user) => follows::follows(tx, user, target).await?,
        None => false,
    })
}
