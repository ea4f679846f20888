//! Reports and moderation: anyone with an account reports a debate,
//! proposal, comment or citizen's budget project with a reason; moderators see reported items with
//! their counts and hide, restore or dismiss them, and block accounts
//! (with a message; their content is hidden). Every decision is audited.

use crate::content::{Change, Notice, notify_user, text};
use crate::error::{Error, Field, Problem, Refusal, Result};
use crate::ids::UserId;
use crate::staff::{self, Actor, Permission, Role, audit};
use cabildo_tenancy::TenantTx;
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

/// Something that can be reported and hidden.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Item {
    /// A debate.
    Debate(Uuid),
    /// A proposal.
    Proposal(Uuid),
    /// A comment.
    Comment(Uuid),
    /// A budget project proposed by a citizen (hidden, it leaves the
    /// heading's lists and its ballot).
    Project(Uuid),
}

impl Item {
    /// Stored kind.
    pub fn kind(self) -> &'static str {
        match self {
            Self::Debate(_) => "debate",
            Self::Proposal(_) => "proposal",
            Self::Comment(_) => "comment",
            Self::Project(_) => "project",
        }
    }

    /// The id.
    pub fn id(self) -> Uuid {
        match self {
            Self::Debate(id) | Self::Proposal(id) | Self::Comment(id) | Self::Project(id) => id,
        }
    }

    /// From a kind and id.
    pub fn parse(kind: &str, id: Uuid) -> Option<Self> {
        match kind {
            "debate" => Some(Self::Debate(id)),
            "proposal" => Some(Self::Proposal(id)),
            "comment" => Some(Self::Comment(id)),
            "project" => Some(Self::Project(id)),
            _ => None,
        }
    }

    fn table(self) -> &'static str {
        match self {
            Self::Debate(_) => "debates",
            Self::Proposal(_) => "proposals",
            Self::Comment(_) => "comments",
            Self::Project(_) => "budget_projects",
        }
    }
}

/// `user` reports `item` with `reason` (once while their report is open).
pub async fn report(tx: &mut TenantTx, user: UserId, item: Item, reason: &str) -> Result<()> {
    let reason = text(reason, Field::Reason, Problem::ReasonInvalid, 1, 1000)?;
    let allowed: Option<(bool, bool)> = sqlx::query_as(
        "SELECT email_confirmed_at IS NOT NULL, blocked_at IS NOT NULL FROM users
         WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(user)
    .fetch_optional(tx.conn())
    .await?;
    match allowed {
        Some((true, false)) => {}
        Some((true, true)) => {
            return Err(Refusal::Blocked.into());
        }
        _ => {
            return Err(Refusal::NotRegistered.into());
        }
    }
    // Only what people wrote is reported: a council's own project has no
    // author.
    let sql = format!(
        "SELECT EXISTS (SELECT 1 FROM {} WHERE id = $1 AND hidden_at IS NULL AND author_id IS NOT NULL)",
        item.table()
    );
    let visible: bool = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(item.id())
        .fetch_one(tx.conn())
        .await?;
    if !visible {
        return Err(Refusal::NotFound.into());
    }
    sqlx::query(
        "INSERT INTO reports (target_kind, target_id, reporter_id, reason) VALUES ($1, $2, $3, $4)
         ON CONFLICT (target_kind, target_id, reporter_id) WHERE resolved_at IS NULL DO NOTHING",
    )
    .bind(item.kind())
    .bind(item.id())
    .bind(user)
    .bind(&reason)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// A reported item waiting for moderators.
#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct Reported {
    /// `debate`, `proposal`, `comment` or `project`.
    pub kind: String,
    /// Its id.
    pub id: Uuid,
    /// Its title, or the start of the comment.
    pub excerpt: String,
    /// Where it is shown.
    pub link: String,
    /// Open reports.
    pub reports: i64,
    /// The latest reasons given.
    pub reasons: Vec<String>,
    /// Hidden already.
    pub hidden: bool,
    /// Its author's nickname.
    pub author: String,
    /// Its author.
    pub author_id: UserId,
    /// The author is blocked.
    pub author_blocked: bool,
}

/// Items with open reports, most reported first.
pub async fn queue(tx: &mut TenantTx) -> Result<Vec<Reported>> {
    Ok(sqlx::query_as(
        "WITH open AS (
             SELECT target_kind, target_id, count(*) AS reports,
                    (array_agg(reason ORDER BY created_at DESC))[1:5] AS reasons, min(created_at) AS since
             FROM reports WHERE resolved_at IS NULL GROUP BY target_kind, target_id)
         SELECT o.target_kind AS kind, o.target_id AS id,
                coalesce(d.title, p.title, j.title, left(c.body, 200), '') AS excerpt,
                CASE o.target_kind WHEN 'debate' THEN '/debates/' || o.target_id
                                   WHEN 'proposal' THEN '/proposals/' || o.target_id
                                   WHEN 'project' THEN '/budget-projects/' || o.target_id
                                   ELSE coalesce('/' || c.target_kind || 's/' || c.target_id, '')
                                        || '#comment-' || o.target_id END AS link,
                o.reports, o.reasons,
                coalesce(d.hidden_at, p.hidden_at, j.hidden_at, c.hidden_at) IS NOT NULL AS hidden,
                coalesce(u.nickname, '—') AS author, u.id AS author_id,
                u.blocked_at IS NOT NULL AS author_blocked
         FROM open o
         LEFT JOIN debates d ON o.target_kind = 'debate' AND d.id = o.target_id
         LEFT JOIN proposals p ON o.target_kind = 'proposal' AND p.id = o.target_id
         LEFT JOIN comments c ON o.target_kind = 'comment' AND c.id = o.target_id
         LEFT JOIN budget_projects j ON o.target_kind = 'project' AND j.id = o.target_id
         JOIN users u ON u.id = coalesce(d.author_id, p.author_id, j.author_id, c.author_id)
         ORDER BY o.reports DESC, o.since LIMIT 200",
    )
    .fetch_all(tx.conn())
    .await?)
}

/// What moderators decide about a reported item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Hide it (its place stays, its text goes from view).
    Hide,
    /// Show it again.
    Restore,
    /// Keep it as it is and close the reports.
    Dismiss,
}

impl Decision {
    /// From a form value.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "hide" => Some(Self::Hide),
            "restore" => Some(Self::Restore),
            "dismiss" => Some(Self::Dismiss),
            _ => None,
        }
    }

    fn resolution(self) -> &'static str {
        match self {
            Self::Hide => "hidden",
            Self::Restore => "restored",
            Self::Dismiss => "dismissed",
        }
    }
}

/// Applies a moderation decision to `item` and closes its open reports
/// (audited). `false` when there is no such item.
pub async fn decide(
    tx: &mut TenantTx,
    actor: &Actor,
    item: Item,
    decision: Decision,
) -> Result<bool> {
    if let Item::Project(id) = item
        && decision != Decision::Dismiss
        && crate::budgets::projects::frozen(tx, id.into()).await? == Some(true)
    {
        // Hiding or restoring it would change what cast ballots count.
        return Err(Error::invalid(Field::Budget, Problem::VotingStarted));
    }
    // The old state decides whether a comment count changes. The new one is
    // chosen here rather than by a CASE over the decision: Citus refuses
    // `now()` inside CASE and COALESCE in an UPDATE.
    let hidden_at = match decision {
        Decision::Hide => "least(t.hidden_at, now())",
        Decision::Restore => "NULL",
        Decision::Dismiss => "t.hidden_at",
    };
    let sql = format!(
        "WITH old AS (SELECT id, hidden_at IS NOT NULL AS was_hidden FROM {table} WHERE id = $1 FOR UPDATE)
         UPDATE {table} t SET hidden_at = {hidden_at}
         FROM old WHERE t.id = old.id
         RETURNING old.was_hidden, t.hidden_at IS NOT NULL",
        table = item.table()
    );
    let row: Option<(bool, bool)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(item.id())
        .fetch_optional(tx.conn())
        .await?;
    let Some((was_hidden, hidden)) = row else {
        return Ok(false);
    };
    if let Item::Comment(id) = item
        && was_hidden != hidden
    {
        let target: Option<(String, Uuid)> = sqlx::query_as(
            "SELECT target_kind, target_id FROM comments WHERE id = $1 AND deleted_at IS NULL",
        )
        .bind(id)
        .fetch_optional(tx.conn())
        .await?;
        if let Some((kind, target)) = target {
            crate::comments::count(tx, &kind, target, if hidden { -1 } else { 1 }).await?;
        }
    }
    sqlx::query(
        "UPDATE reports SET resolved_at = now(), resolution = $3
         WHERE target_kind = $1 AND target_id = $2 AND resolved_at IS NULL",
    )
    .bind(item.kind())
    .bind(item.id())
    .bind(decision.resolution())
    .execute(tx.conn())
    .await?;
    audit(
        tx,
        actor,
        &format!("moderation.{}", decision.resolution()),
        None,
        json!({"kind": item.kind(), "id": item.id()}),
    )
    .await?;
    Ok(true)
}

/// Nothing when `by` (who holds [`Permission::Moderate`]) may block
/// `user`: staff may be blocked only by an admin, and an admin by nobody
/// (their role is removed first), so that no one silences those above
/// them.
pub async fn may_block(tx: &mut TenantTx, by: UserId, user: UserId) -> Result<()> {
    staff::require(tx, by, Permission::Moderate).await?;
    let theirs = staff::roles_of(tx, user).await?;
    if theirs.is_empty() {
        return Ok(());
    }
    let admin = Role::Admin;
    if theirs.contains(&admin) || !staff::roles_of(tx, by).await?.contains(&admin) {
        return Err(Refusal::Forbidden.into());
    }
    Ok(())
}

/// Blocks `user`: they can no longer take part, everything they wrote is
/// hidden, and they get `message` (audited). Refused when there is no
/// such (active) account or it is already blocked. Check [`may_block`]
/// first.
pub async fn block(
    tx: &mut TenantTx,
    actor: &Actor,
    user: UserId,
    message: &str,
) -> Result<Vec<Notice>> {
    let message = text(message, Field::Message, Problem::MessageInvalid, 1, 2000)?;
    let nickname: Option<Option<String>> = sqlx::query_scalar(
        "UPDATE users SET blocked_at = now(), blocked_reason = $2
         WHERE id = $1 AND blocked_at IS NULL AND deleted_at IS NULL RETURNING nickname",
    )
    .bind(user)
    .bind(&message)
    .fetch_optional(tx.conn())
    .await?;
    let Some(nickname) = nickname else {
        return Err(Refusal::NotFound.into());
    };
    sqlx::query("UPDATE debates SET hidden_at = now() WHERE author_id = $1 AND hidden_at IS NULL")
        .bind(user)
        .execute(tx.conn())
        .await?;
    sqlx::query(
        "UPDATE proposals SET hidden_at = now() WHERE author_id = $1 AND hidden_at IS NULL",
    )
    .bind(user)
    .execute(tx.conn())
    .await?;
    sqlx::query(
        // Projects ballots may hold stay (see `projects::frozen_sql`).
        sqlx::AssertSqlSafe(format!(
            "UPDATE budget_projects p SET hidden_at = now() FROM budgets b
             WHERE b.id = p.budget_id AND p.author_id = $1 AND p.hidden_at IS NULL
               AND NOT {}",
            crate::budgets::projects::frozen_sql()
        )),
    )
    .bind(user)
    .execute(tx.conn())
    .await?;
    // Hide their comments and take them off the counts, in one statement.
    sqlx::query(
        "WITH hidden AS (
             UPDATE comments SET hidden_at = now()
             WHERE author_id = $1 AND hidden_at IS NULL RETURNING target_kind, target_id, deleted_at IS NULL AS counted),
         per_target AS (
             SELECT target_kind, target_id, count(*)::int AS n FROM hidden WHERE counted GROUP BY 1, 2),
         d AS (UPDATE debates t SET comments_count = t.comments_count - x.n FROM per_target x
               WHERE x.target_kind = 'debate' AND t.id = x.target_id),
         r AS (UPDATE proposals t SET comments_count = t.comments_count - x.n FROM per_target x
               WHERE x.target_kind = 'proposal' AND t.id = x.target_id)
         UPDATE processes t SET comments_count = t.comments_count - x.n FROM per_target x
         WHERE x.target_kind = 'process' AND t.id = x.target_id",
    )
    .bind(user)
    .execute(tx.conn())
    .await?;
    audit(
        tx,
        actor,
        "user.block",
        nickname.as_deref(),
        json!({"user": user, "message": message}),
    )
    .await?;
    Ok(notify_user(
        tx,
        user,
        "user.blocked",
        &message,
        "/account",
        &Change::default(),
    )
    .await?
    .into_iter()
    .collect())
}

/// Lets a blocked account take part again (audited). With `restore`,
/// what the block hid comes back: the items hidden at the very moment of
/// the block (their `hidden_at` is the block's `blocked_at`, one
/// transaction's clock), not those moderators had hidden one by one before
/// or after it; comments count again. Returns how many items came back,
/// or `None` when the account was not blocked.
pub async fn unblock(
    tx: &mut TenantTx,
    actor: &Actor,
    user: UserId,
    restore: bool,
) -> Result<Option<u64>> {
    let unblocked: Option<(Option<String>, time::OffsetDateTime)> = sqlx::query_as(
        "UPDATE users u SET blocked_at = NULL, blocked_reason = NULL
         FROM (SELECT id, blocked_at FROM users WHERE id = $1 FOR UPDATE) was
         WHERE u.id = was.id AND was.blocked_at IS NOT NULL
         RETURNING u.nickname, was.blocked_at",
    )
    .bind(user)
    .fetch_optional(tx.conn())
    .await?;
    let Some((nickname, blocked_at)) = unblocked else {
        return Ok(None);
    };
    let restored = if restore {
        restore_hidden(tx, user, blocked_at).await?
    } else {
        0
    };
    audit(
        tx,
        actor,
        "user.unblock",
        nickname.as_deref(),
        json!({"user": user, "restored": restored}),
    )
    .await?;
    Ok(Some(restored))
}

/// Shows again what a block of `user` at `blocked_at` hid; how many items.
async fn restore_hidden(
    tx: &mut TenantTx,
    user: UserId,
    blocked_at: time::OffsetDateTime,
) -> Result<u64> {
    let mut restored = 0;
    for table in ["debates", "proposals", "budget_projects"] {
        let sql =
            format!("UPDATE {table} SET hidden_at = NULL WHERE author_id = $1 AND hidden_at = $2");
        restored += sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user)
            .bind(blocked_at)
            .execute(tx.conn())
            .await?
            .rows_affected();
    }
    // Comments come back onto their counts, as the block took them off.
    let comments: i64 = sqlx::query_scalar(
        "WITH shown AS (
             UPDATE comments SET hidden_at = NULL
             WHERE author_id = $1 AND hidden_at = $2 RETURNING target_kind, target_id, deleted_at IS NULL AS counted),
         per_target AS (
             SELECT target_kind, target_id, count(*)::int AS n FROM shown WHERE counted GROUP BY 1, 2),
         d AS (UPDATE debates t SET comments_count = t.comments_count + x.n FROM per_target x
               WHERE x.target_kind = 'debate' AND t.id = x.target_id),
         r AS (UPDATE proposals t SET comments_count = t.comments_count + x.n FROM per_target x
               WHERE x.target_kind = 'proposal' AND t.id = x.target_id),
         p AS (UPDATE processes t SET comments_count = t.comments_count + x.n FROM per_target x
               WHERE x.target_kind = 'process' AND t.id = x.target_id)
         SELECT count(*) FROM shown",
    )
    .bind(user)
    .bind(blocked_at)
    .fetch_one(tx.conn())
    .await?;
    Ok(restored + u64::try_from(comments).unwrap_or(0))
}

/// A blocked account.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Blocked {
    /// The account.
    pub id: Uuid,
    /// Nickname.
    pub nickname: String,
    /// The moderators' message.
    pub reason: String,
    /// How many of their items the block hid (what unblocking can restore).
    pub hidden: i64,
}

/// Blocked accounts, most recent first.
pub async fn blocked(tx: &mut TenantTx) -> Result<Vec<Blocked>> {
    Ok(sqlx::query_as(
        "SELECT id, coalesce(nickname, '—') AS nickname, coalesce(blocked_reason, '') AS reason,
                (SELECT count(*) FROM debates d WHERE d.author_id = u.id AND d.hidden_at = u.blocked_at)
                + (SELECT count(*) FROM proposals r WHERE r.author_id = u.id AND r.hidden_at = u.blocked_at)
                + (SELECT count(*) FROM budget_projects p WHERE p.author_id = u.id AND p.hidden_at = u.blocked_at)
                + (SELECT count(*) FROM comments c WHERE c.author_id = u.id AND c.hidden_at = u.blocked_at) AS hidden
         FROM users u WHERE blocked_at IS NOT NULL ORDER BY blocked_at DESC LIMIT 200",
    )
    .fetch_all(tx.conn())
    .await?)
}
