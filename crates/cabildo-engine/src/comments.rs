//! Comments on processes, debates and proposals: threaded up to
//! [`MAX_DEPTH`], with an alignment (for, against, neutral), up and down
//! votes (one per person), a short edit window, soft deletion that keeps
//! the thread, and official answers by staff. The target's comment count
//! (comments neither deleted nor hidden) and each comment's vote counts
//! change in the same transaction as the rows they count.

use crate::content::{Change, Notice, Target, notify_followers, notify_user, text};
use crate::error::{Error, Field, Problem, Refusal, Result};
use crate::follows::follow;
use crate::ids::{CommentId, ProcessId, UserId};
use crate::processes::{self, Action};
use cabildo_tenancy::TenantTx;
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

/// Deepest reply level (a top-level comment has depth 0).
pub const MAX_DEPTH: i16 = 4;
/// How long after writing the author may still edit a comment.
pub const EDIT_WINDOW_MINUTES: i64 = 15;
/// Longest comment, in characters.
pub const MAX_LENGTH: usize = 5000;
/// Threads (a top-level comment and its replies) per page.
pub const THREADS_PER_PAGE: i64 = 25;

/// A comment as written.
#[derive(Clone, Debug, Default)]
pub struct NewComment {
    /// Text (plain, 1–5,000 characters).
    pub body: String,
    /// 1 for, -1 against, 0 neutral.
    pub alignment: i16,
    /// The comment it answers.
    pub parent: Option<CommentId>,
}

/// A comment as shown. Deleted and hidden comments keep their place in
/// the thread with an empty body.
#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct Comment {
    /// Id.
    pub id: CommentId,
    /// The comment it answers.
    pub parent_id: Option<CommentId>,
    /// Reply level.
    pub depth: i16,
    /// Author's public nickname (empty when deleted or hidden).
    pub author: String,
    /// Who wrote it (not published).
    #[serde(skip)]
    pub author_id: UserId,
    /// The author speaks for a verified organisation.
    pub author_is_organisation: bool,
    /// Text.
    pub body: String,
    /// 1 for, -1 against, 0 neutral.
    pub alignment: i16,
    /// An official answer by the council's staff.
    pub official: bool,
    /// Up votes.
    pub upvotes: i32,
    /// Down votes.
    pub downvotes: i32,
    /// Edited after writing.
    pub edited: bool,
    /// Deleted by its author.
    pub deleted: bool,
    /// Hidden by moderators.
    pub hidden: bool,
    /// When written.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// The target's process (none for an assembly's meeting), title, whether
/// it takes comments, and its page.
async fn target_of(
    tx: &mut TenantTx,
    target: Target,
) -> Result<Option<(Option<ProcessId>, String, bool, String)>> {
    let sql = match target {
        Target::Process(_) => {
            "SELECT id, title, true, '/processes/' || slug FROM processes
             WHERE id = $1 AND status = 'published'"
        }
        Target::Debate(_) => {
            "SELECT d.process_id, d.title, d.closed_at IS NULL, '/debates/' || d.id FROM debates d
             JOIN processes p ON p.id = d.process_id
             WHERE d.id = $1 AND d.hidden_at IS NULL AND p.status = 'published'"
        }
        Target::Proposal(_) => {
            "SELECT r.process_id, r.title, true, '/proposals/' || r.id FROM proposals r
             JOIN processes p ON p.id = r.process_id
             WHERE r.id = $1 AND r.hidden_at IS NULL AND p.status = 'published'"
        }
        Target::Meeting(_) => {
            "SELECT m.process_id, m.title, m.cancelled_at IS NULL, '/meetings/' || m.id
             FROM meetings m LEFT JOIN processes p ON p.id = m.process_id
             LEFT JOIN assemblies a ON a.id = m.assembly_id
             WHERE m.id = $1 AND m.published_at IS NOT NULL
               AND (p.status = 'published' OR a.published_at IS NOT NULL)"
        }
        // Budget projects are followed, not commented on.
        Target::Project(_) => return Ok(None),
    };
    Ok(sqlx::query_as(sql)
        .bind(target.id())
        .fetch_optional(tx.conn())
        .await?)
}

/// Whether `user` may comment or vote on comments: the process's rules,
/// or, outside any process (an assembly's meeting), a confirmed account
/// that is not blocked.
async fn require(tx: &mut TenantTx, process: Option<ProcessId>, user: UserId) -> Result<()> {
    if let Some(process) = process {
        return processes::require(tx, process, Some(user), Action::Comment).await;
    }
    let person: Option<(bool, bool)> = sqlx::query_as(
        "SELECT email_confirmed_at IS NOT NULL, blocked_at IS NOT NULL FROM users
         WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(user)
    .fetch_optional(tx.conn())
    .await?;
    match person {
        Some((true, false)) => Ok(()),
        Some((true, true)) => Err(Refusal::Blocked.into()),
        _ => Err(Refusal::NotRegistered.into()),
    }
}

/// Adds `delta` to the target's comment count.
pub(crate) async fn count(tx: &mut TenantTx, kind: &str, id: Uuid, delta: i32) -> Result<()> {
    let sql = match kind {
        "process" => "UPDATE processes SET comments_count = comments_count + $2 WHERE id = $1",
        "meeting" => "UPDATE meetings SET comments_count = comments_count + $2 WHERE id = $1",
        // A new comment is activity; a removed one is not (a CASE over the
        // delta would put `now()` where Citus refuses it).
        "debate" if delta > 0 => {
            "UPDATE debates SET comments_count = comments_count + $2, last_activity_at = now()
             WHERE id = $1"
        }
        "debate" => "UPDATE debates SET comments_count = comments_count + $2 WHERE id = $1",
        _ => "UPDATE proposals SET comments_count = comments_count + $2 WHERE id = $1",
    };
    sqlx::query(sql)
        .bind(id)
        .bind(delta)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// A comment written.
#[derive(Clone, Debug)]
pub struct Posted {
    /// Its id.
    pub id: CommentId,
    /// Where it is shown (page and anchor).
    pub link: String,
    /// Whom to tell: the author of the comment answered, and the target's
    /// followers.
    pub notices: Vec<Notice>,
}

/// `user` comments on `target` (an official answer when `official`, which
/// only staff may give); they then follow it.
pub async fn create(
    tx: &mut TenantTx,
    user: UserId,
    target: Target,
    new: &NewComment,
    official: bool,
) -> Result<Posted> {
    let Some((process, title, open, page)) = target_of(tx, target).await? else {
        return Err(Refusal::NotFound.into());
    };
    require(tx, process, user).await?;
    if !open {
        return Err(Refusal::Closed.into());
    }
    let body = text(&new.body, Field::Body, Problem::BodyInvalid, 1, MAX_LENGTH)?;
    if !(-1..=1).contains(&new.alignment) {
        return Err(Error::invalid(Field::Alignment, Problem::AlignmentInvalid));
    }
    let id = CommentId(Uuid::new_v4());
    let (root, depth, answered) = match new.parent {
        None => (id, 0, None),
        Some(parent) => {
            let row: Option<(CommentId, i16, UserId)> = sqlx::query_as(
                "SELECT root_id, depth, author_id FROM comments
                 WHERE id = $1 AND target_kind = $2 AND target_id = $3
                   AND deleted_at IS NULL AND hidden_at IS NULL",
            )
            .bind(parent)
            .bind(target.kind())
            .bind(target.id())
            .fetch_optional(tx.conn())
            .await?;
            let Some((root, depth, author)) = row else {
                return Err(Refusal::NotFound.into());
            };
            if depth >= MAX_DEPTH {
                return Err(Refusal::TooDeep.into());
            }
            (root, depth + 1, Some(author))
        }
    };
    sqlx::query(
        "INSERT INTO comments (id, process_id, target_kind, target_id, parent_id, root_id, depth,
                               author_id, body, alignment, official)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(id)
    .bind(process)
    .bind(target.kind())
    .bind(target.id())
    .bind(new.parent)
    .bind(root)
    .bind(depth)
    .bind(user)
    .bind(&body)
    .bind(new.alignment)
    .bind(official)
    .execute(tx.conn())
    .await?;
    count(tx, target.kind(), target.id(), 1).await?;
    follow(tx, user, target).await?;
    let place = format!("{page}#comment-{id}");
    let mut notices = Vec::new();
    let change = Change::new(None, &body);
    let mut told = vec![user];
    if let Some(author) = answered.filter(|a| *a != user) {
        notices.extend(notify_user(tx, author, "comment.reply", &title, &place, &change).await?);
        told.push(author);
    }
    notices
        .extend(notify_followers(tx, target, &told, "comment.new", &title, &place, &change).await?);
    Ok(Posted {
        id,
        link: place,
        notices,
    })
}

/// Where comment `id` is shown (page and anchor), if it exists.
pub async fn link_of(tx: &mut TenantTx, id: CommentId) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT CASE c.target_kind WHEN 'debate' THEN '/debates/' || c.target_id
                    WHEN 'proposal' THEN '/proposals/' || c.target_id
                    WHEN 'meeting' THEN '/meetings/' || c.target_id
                    ELSE '/processes/' || p.slug END || '#comment-' || c.id
         FROM comments c LEFT JOIN processes p ON p.id = c.process_id WHERE c.id = $1",
    )
    .bind(id)
    .fetch_optional(tx.conn())
    .await?)
}

/// How many threads target `$1` `$2` has.
macro_rules! threads_sql {
    () => {
        "SELECT count(*) FROM comments WHERE target_kind = $1 AND target_id = $2 AND parent_id IS NULL"
    };
}

/// One page of `target`'s threads in reading order, and how many threads
/// there are.
pub async fn list(tx: &mut TenantTx, target: Target, page: i64) -> Result<(Vec<Comment>, i64)> {
    #[derive(sqlx::FromRow)]
    struct Counted {
        #[sqlx(flatten)]
        comment: Comment,
        threads: i64,
    }
    let page = page.clamp(1, 10_000);
    // The threads are counted in the same statement: over 10,000 councils
    // each statement costs catalog reads that miss the CPU's caches
    // (docs/benchmarks.md, "2026-12-06").
    let rows: Vec<Counted> = sqlx::query_as(concat!(
        "SELECT (",
        threads_sql!(),
        ") AS threads,
                c.id, c.parent_id, c.depth, c.author_id,
                CASE WHEN c.deleted_at IS NULL AND c.hidden_at IS NULL THEN coalesce(u.nickname, '—') ELSE '' END AS author,
                c.deleted_at IS NULL AND c.hidden_at IS NULL AND EXISTS (
                    SELECT 1 FROM organisations o WHERE o.user_id = c.author_id AND o.status = 'verified')
                    AS author_is_organisation,
                CASE WHEN c.deleted_at IS NULL AND c.hidden_at IS NULL THEN c.body ELSE '' END AS body,
                c.alignment, c.official, c.upvotes, c.downvotes, c.edited_at IS NOT NULL AS edited,
                c.deleted_at IS NOT NULL AS deleted, c.hidden_at IS NOT NULL AS hidden, c.created_at
         FROM comments c LEFT JOIN users u ON u.id = c.author_id
         WHERE c.target_kind = $1 AND c.target_id = $2 AND c.root_id IN (
             SELECT id FROM comments WHERE target_kind = $1 AND target_id = $2 AND parent_id IS NULL
             ORDER BY created_at, id LIMIT $3 OFFSET $4)
         ORDER BY c.created_at, c.id",
    ))
    .bind(target.kind())
    .bind(target.id())
    .bind(THREADS_PER_PAGE)
    .bind((page - 1) * THREADS_PER_PAGE)
    .fetch_all(tx.conn())
    .await?;
    let threads = match rows.first() {
        Some(row) => row.threads,
        // Nothing on the first page: no threads.
        None if page == 1 => 0,
        None => {
            sqlx::query_scalar(threads_sql!())
                .bind(target.kind())
                .bind(target.id())
                .fetch_one(tx.conn())
                .await?
        }
    };
    Ok((
        threaded(rows.into_iter().map(|row| row.comment).collect()),
        threads,
    ))
}

/// Orders comments (given oldest first) so that each is followed by its
/// replies, depth first: the order a thread is read in.
pub fn threaded(comments: Vec<Comment>) -> Vec<Comment> {
    use std::collections::HashMap;
    let mut children: HashMap<Option<CommentId>, Vec<usize>> = HashMap::new();
    let known: std::collections::HashSet<CommentId> = comments.iter().map(|c| c.id).collect();
    for (index, comment) in comments.iter().enumerate() {
        // A reply whose parent is not on this page is shown at the top.
        let parent = comment.parent_id.filter(|p| known.contains(p));
        children.entry(parent).or_default().push(index);
    }
    let mut order = Vec::with_capacity(comments.len());
    let mut stack: Vec<usize> = children
        .get(&None)
        .map(|roots| roots.iter().rev().copied().collect())
        .unwrap_or_default();
    while let Some(index) = stack.pop() {
        order.push(index);
        if let Some(replies) = children.get(&Some(comments[index].id)) {
            stack.extend(replies.iter().rev().copied());
        }
    }
    let mut slots: Vec<Option<Comment>> = comments.into_iter().map(Some).collect();
    order
        .into_iter()
        .filter_map(|index| slots[index].take())
        .collect()
}

/// The author's own comment, locked: (target kind, target id, recent).
async fn own(tx: &mut TenantTx, user: UserId, id: CommentId) -> Result<(String, Uuid, bool)> {
    let row: Option<(UserId, String, Uuid, bool)> = sqlx::query_as(
        "SELECT author_id, target_kind, target_id,
                created_at > now() - make_interval(mins => $2::int)
         FROM comments WHERE id = $1 AND deleted_at IS NULL AND hidden_at IS NULL FOR UPDATE",
    )
    .bind(id)
    .bind(EDIT_WINDOW_MINUTES as i32)
    .fetch_optional(tx.conn())
    .await?;
    match row {
        None => Err(Refusal::NotFound.into()),
        Some((author, ..)) if author != user => Err(Refusal::NotAuthor.into()),
        Some((_, kind, target, recent)) => Ok((kind, target, recent)),
    }
}

/// Changes the text of `user`'s comment within [`EDIT_WINDOW_MINUTES`].
pub async fn edit(tx: &mut TenantTx, user: UserId, id: CommentId, body: &str) -> Result<()> {
    if !own(tx, user, id).await?.2 {
        return Err(Refusal::EditWindowOver.into());
    }
    let body = text(body, Field::Body, Problem::BodyInvalid, 1, MAX_LENGTH)?;
    sqlx::query("UPDATE comments SET body = $2, edited_at = now() WHERE id = $1")
        .bind(id)
        .bind(&body)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Deletes `user`'s comment: its text goes, its place in the thread stays.
pub async fn delete(tx: &mut TenantTx, user: UserId, id: CommentId) -> Result<()> {
    let (kind, target, _) = own(tx, user, id).await?;
    sqlx::query("UPDATE comments SET body = '', deleted_at = now() WHERE id = $1")
        .bind(id)
        .execute(tx.conn())
        .await?;
    count(tx, &kind, target, -1).await?;
    Ok(())
}

/// Vote counts after a vote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Votes {
    /// Up votes.
    pub upvotes: i32,
    /// Down votes.
    pub downvotes: i32,
    /// The person's vote now: 1, -1 or 0 (none).
    pub mine: i16,
}

/// `user` votes on a comment: 1 up, -1 down, 0 takes the vote back. One
/// vote per person; parallel votes by one person are serialised on the
/// comment's row, so the counts always equal the votes stored.
pub async fn vote(tx: &mut TenantTx, user: UserId, id: CommentId, value: i16) -> Result<Votes> {
    if !(-1..=1).contains(&value) {
        return Err(Error::invalid(Field::Value, Problem::VoteInvalid));
    }
    let row: Option<(UserId, Option<ProcessId>)> = sqlx::query_as(
        "SELECT author_id, process_id FROM comments
         WHERE id = $1 AND deleted_at IS NULL AND hidden_at IS NULL FOR UPDATE",
    )
    .bind(id)
    .fetch_optional(tx.conn())
    .await?;
    let Some((author, process)) = row else {
        return Err(Refusal::NotFound.into());
    };
    require(tx, process, user).await?;
    if author == user {
        return Err(Refusal::OwnComment.into());
    }
    let old: i16 = sqlx::query_scalar(
        "SELECT value FROM comment_votes WHERE comment_id = $1 AND user_id = $2",
    )
    .bind(id)
    .bind(user)
    .fetch_optional(tx.conn())
    .await?
    .unwrap_or(0);
    if value == 0 {
        sqlx::query("DELETE FROM comment_votes WHERE comment_id = $1 AND user_id = $2")
            .bind(id)
            .bind(user)
            .execute(tx.conn())
            .await?;
    } else if value != old {
        sqlx::query(
            "INSERT INTO comment_votes (comment_id, user_id, value) VALUES ($1, $2, $3)
             ON CONFLICT (comment_id, user_id) DO UPDATE SET value = EXCLUDED.value",
        )
        .bind(id)
        .bind(user)
        .bind(value)
        .execute(tx.conn())
        .await?;
    }
    let up = i32::from(value == 1) - i32::from(old == 1);
    let down = i32::from(value == -1) - i32::from(old == -1);
    let (upvotes, downvotes): (i32, i32) = sqlx::query_as(
        "UPDATE comments SET upvotes = upvotes + $2, downvotes = downvotes + $3
         WHERE id = $1 RETURNING upvotes, downvotes",
    )
    .bind(id)
    .bind(up)
    .bind(down)
    .fetch_one(tx.conn())
    .await?;
    Ok(Votes {
        upvotes,
        downvotes,
        mine: value,
    })
}

/// `user`'s votes on `ids`.
pub async fn votes_by(
    tx: &mut TenantTx,
    user: UserId,
    ids: &[CommentId],
) -> Result<Vec<(CommentId, i16)>> {
    Ok(sqlx::query_as(
        "SELECT comment_id, value FROM comment_votes WHERE user_id = $1 AND comment_id = ANY ($2)",
    )
    .bind(user)
    .bind(ids)
    .fetch_all(tx.conn())
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(id: u128, parent: Option<u128>) -> Comment {
        Comment {
            id: CommentId(Uuid::from_u128(id)),
            parent_id: parent.map(|p| CommentId(Uuid::from_u128(p))),
            depth: 0,
            author: String::new(),
            author_id: UserId::default(),
            author_is_organisation: false,
            body: String::new(),
            alignment: 0,
            official: false,
            upvotes: 0,
            downvotes: 0,
            edited: false,
            deleted: false,
            hidden: false,
            created_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn replies_follow_what_they_answer_depth_first() {
        // Oldest first: 1, 2, 3 (→1), 4 (→3), 5 (→1), 6 (→ a comment not on the page).
        let rows = vec![
            comment(1, None),
            comment(2, None),
            comment(3, Some(1)),
            comment(4, Some(3)),
            comment(5, Some(1)),
            comment(6, Some(99)),
        ];
        let order: Vec<u128> = threaded(rows).iter().map(|c| c.id.0.as_u128()).collect();
        assert_eq!(order, vec![1, 3, 4, 5, 2, 6]);
    }
}
