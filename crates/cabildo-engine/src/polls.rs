//! Quick polls: one question with a few options, on the council's home
//! page (no process) or in a process's page, open between two instants.
//! People with a confirmed account vote once; the results show to those
//! who voted and to everyone once the poll has closed.

use crate::audit::{Actor, audit};
use crate::error::{Error, Field, Problem, Refusal, Result};
use crate::ids::{PollId, ProcessId, UserId};
use cabildo_tenancy::TenantTx;
use serde_json::json;
use time::OffsetDateTime;

/// A quick poll.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Poll {
    /// Id.
    pub id: PollId,
    /// Its process; none for the home page.
    pub process_id: Option<ProcessId>,
    /// The question.
    pub question: String,
    /// Its options, in order.
    pub options: Vec<String>,
    /// Voting opens.
    pub opens_at: OffsetDateTime,
    /// Voting closes.
    pub closes_at: OffsetDateTime,
    /// Voting runs now (database clock).
    pub open: bool,
}

/// A poll to create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewPoll {
    /// Its process; none for the home page.
    pub process_id: Option<ProcessId>,
    /// The question.
    pub question: String,
    /// Two to ten options.
    pub options: Vec<String>,
    /// Voting opens.
    pub opens_at: OffsetDateTime,
    /// Voting closes.
    pub closes_at: OffsetDateTime,
}

const COLUMNS: &str = "id, process_id, question, options, opens_at, closes_at,
    (now() >= opens_at AND now() < closes_at) AS open";

/// Creates a poll.
pub async fn create(tx: &mut TenantTx, actor: &Actor, new: &NewPoll) -> Result<PollId> {
    if !(1..=300).contains(&new.question.trim().chars().count()) {
        return Err(Error::invalid(Field::Title, Problem::TitleInvalid));
    }
    let options: Vec<String> = (new.options.iter())
        .map(|o| o.trim().to_owned())
        .filter(|o| !o.is_empty())
        .collect();
    if !(2..=10).contains(&options.len()) || options.iter().any(|o| o.chars().count() > 120) {
        return Err(Error::invalid(Field::Options, Problem::Invalid));
    }
    if new.closes_at <= new.opens_at {
        return Err(Error::invalid(Field::Dates, Problem::DatesInvalid));
    }
    if let Some(process) = new.process_id {
        let known: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM processes WHERE id = $1)")
                .bind(process)
                .fetch_one(tx.conn())
                .await?;
        if !known {
            return Err(Refusal::NotFound.into());
        }
    }
    let id: PollId = sqlx::query_scalar(
        "INSERT INTO polls (process_id, question, options, opens_at, closes_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(new.process_id)
    .bind(new.question.trim())
    .bind(&options)
    .bind(new.opens_at)
    .bind(new.closes_at)
    .fetch_one(tx.conn())
    .await?;
    audit(
        tx,
        actor,
        "poll.create",
        None,
        json!({"poll": id, "process": new.process_id}),
    )
    .await?;
    Ok(id)
}

/// Closes a poll now (when it is still open or not started).
pub async fn close(tx: &mut TenantTx, actor: &Actor, id: PollId) -> Result<()> {
    let found = sqlx::query(
        "UPDATE polls SET closes_at = greatest(opens_at + interval '1 second', least(closes_at, now()))
         WHERE id = $1",
    )
    .bind(id)
    .execute(tx.conn())
    .await?
    .rows_affected();
    if found == 0 {
        return Err(Refusal::NotFound.into());
    }
    audit(tx, actor, "poll.close", None, json!({"poll": id})).await?;
    Ok(())
}

/// The poll `id` (a process's only while the process is published).
pub async fn find(tx: &mut TenantTx, id: PollId) -> Result<Option<Poll>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM polls WHERE id = $1
           AND (process_id IS NULL OR EXISTS (SELECT 1 FROM processes p
                                              WHERE p.id = process_id AND p.status = 'published'))"
    )))
    .bind(id)
    .fetch_optional(tx.conn())
    .await?)
}

/// The polls shown on the home page (no process) or in `process`: those
/// open now, then those closed in the last 30 days, newest first, at most
/// three.
pub async fn shown(tx: &mut TenantTx, process: Option<ProcessId>) -> Result<Vec<Poll>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM polls
         WHERE process_id IS NOT DISTINCT FROM $1 AND opens_at <= now()
           AND closes_at > now() - interval '30 days'
         ORDER BY (closes_at > now()) DESC, opens_at DESC LIMIT 3"
    )))
    .bind(process)
    .fetch_all(tx.conn())
    .await?)
}

/// Every poll, newest first (staff).
pub async fn all(tx: &mut TenantTx) -> Result<Vec<Poll>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM polls ORDER BY opens_at DESC LIMIT 200"
    )))
    .fetch_all(tx.conn())
    .await?)
}

/// Votes per option of `id`.
pub async fn counts(tx: &mut TenantTx, poll: &Poll) -> Result<Vec<i64>> {
    let rows: Vec<(i32, i64)> = sqlx::query_as(
        "SELECT option, count(*) FROM poll_votes WHERE poll_id = $1 GROUP BY option",
    )
    .bind(poll.id)
    .fetch_all(tx.conn())
    .await?;
    let mut counts = vec![0; poll.options.len()];
    for (option, n) in rows {
        if let Some(slot) = usize::try_from(option).ok().and_then(|i| counts.get_mut(i)) {
            *slot = n;
        }
    }
    Ok(counts)
}

/// The option `user` chose in `poll`, if they voted.
pub async fn vote_of(tx: &mut TenantTx, poll: PollId, user: UserId) -> Result<Option<i32>> {
    Ok(
        sqlx::query_scalar("SELECT option FROM poll_votes WHERE poll_id = $1 AND user_id = $2")
            .bind(poll)
            .bind(user)
            .fetch_optional(tx.conn())
            .await?,
    )
}

/// `user` votes `option` (from 0) in `poll`: once, while it is open, with
/// a confirmed account that is not blocked.
pub async fn vote(tx: &mut TenantTx, poll: PollId, user: UserId, option: i32) -> Result<()> {
    let poll = find(tx, poll).await?.ok_or(Refusal::NotFound)?;
    if !poll.open {
        return Err(Refusal::PhaseClosed.into());
    }
    if usize::try_from(option).map_or(true, |o| o >= poll.options.len()) {
        return Err(Error::invalid(Field::Choices, Problem::ChoiceInvalid));
    }
    let person: Option<(bool, bool)> = sqlx::query_as(
        "SELECT email_confirmed_at IS NOT NULL, blocked_at IS NOT NULL FROM users
         WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(user)
    .fetch_optional(tx.conn())
    .await?;
    match person {
        Some((true, false)) => {}
        Some((true, true)) => return Err(Refusal::Blocked.into()),
        _ => return Err(Refusal::NotRegistered.into()),
    }
    let stored = sqlx::query(
        "INSERT INTO poll_votes (poll_id, user_id, option) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
    )
    .bind(poll.id)
    .bind(user)
    .bind(option)
    .execute(tx.conn())
    .await?
    .rows_affected();
    match stored {
        1 => Ok(()),
        _ => Err(Refusal::AlreadyVoted.into()),
    }
}
