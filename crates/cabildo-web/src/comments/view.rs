//! The comments section under a process, debate or proposal: one page of
//! threads from the read cache, with the visitor's own votes and role read
//! fresh.

use crate::http::council::Context;
use crate::http::error::PageError;
use crate::ui::format::{iso, paragraphs};
use crate::ui::i18n::Tr;
use cabildo_engine::Error as EngineError;
use cabildo_engine::comments::{self, Comment};
use cabildo_engine::content::Target;
use cabildo_engine::ids::{CommentId, UserId};
use cabildo_engine::staff::{self, Permission};
use cabildo_tenancy::TenancyError;
use std::sync::Arc;

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
    /// What deleting does, and the button that does it.
    pub(crate) delete_warning: String,
    pub(crate) delete_confirm: String,
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
            delete_warning: tr.t("comment-delete-warning"),
            delete_confirm: tr.t("comment-delete-confirm"),
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

/// Page `page` of the threads on `target` and how many threads there are
/// (from the read cache).
pub async fn threads<E>(
    council: &Context,
    target: Target,
    page: i64,
) -> Result<Arc<(Vec<Comment>, i64)>, E>
where
    E: From<TenancyError> + From<EngineError>,
{
    let key = format!("comments:{}:{}:{page}", target.kind(), target.id());
    council
        .cached(key, async |tx| Ok(comments::list(tx, target, page).await?))
        .await
}

impl CommentRow {
    /// `c` as `viewer` sees it, with their `votes`; replies only when the
    /// discussion is `open`.
    fn new(
        tr: &Tr,
        c: &Comment,
        viewer: Option<UserId>,
        votes: &[(CommentId, i16)],
        open: bool,
    ) -> Self {
        Self {
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
            created: tr.date(c.created_at),
            created_iso: iso(c.created_at),
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
        }
    }
}

/// Page `page` of the comments on `target` for the page at `base`: the
/// threads from the read cache, the visitor's votes and role fresh.
pub async fn load(
    council: &Context,
    target: Target,
    page: i64,
    open: bool,
    base: String,
) -> Result<CommentsView, PageError> {
    let listed = threads::<PageError>(council, target, page).await?;
    shown(council, target, (&listed.0, listed.1), page, open, base).await
}

/// Like [`load`] for a target that counts its threads (`threads`): when
/// it has none, none are asked for.
pub async fn load_counted(
    council: &Context,
    target: Target,
    threads: i32,
    page: i64,
    open: bool,
    base: String,
) -> Result<CommentsView, PageError> {
    if threads > 0 {
        return load(council, target, page, open, base).await;
    }
    shown(council, target, (&[], 0), page, open, base).await
}

/// The comments section showing `items`, page `page` of `threads`.
async fn shown(
    council: &Context,
    target: Target,
    (items, threads): (&[Comment], i64),
    page: i64,
    open: bool,
    base: String,
) -> Result<CommentsView, PageError> {
    let tr = &council.tr;
    let viewer = council.user();
    let (votes, staff) = match viewer {
        Some(user) => {
            let ids: Vec<CommentId> = items.iter().map(|c| c.id).collect();
            council
                .tx(async |tx| {
                    let votes = comments::votes_by(tx, user, &ids).await?;
                    let staff = staff::may(tx, user, Permission::CommentOfficially).await?;
                    Ok::<_, EngineError>((votes, staff))
                })
                .await?
        }
        None => (Vec::new(), false),
    };
    let rows = items
        .iter()
        .map(|c| CommentRow::new(&council.tr, c, viewer, &votes, open))
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

/// Whether the visitor follows `target`.
pub async fn following(council: &Context, target: Target) -> Result<bool, PageError> {
    let Some(user) = council.user() else {
        return Ok(false);
    };
    Ok(council
        .tx(async |tx| cabildo_engine::follows::follows(tx, user, target).await)
        .await?)
}
