//! Counting a heading: its submitted ballots and paper votes become an
//! election ([`Instance`]) that the pure rules of [`super::results`]
//! decide, and that `cabildo budget export-pabulib` writes as open data.
//!
//! Paper votes are counted per project, so the ballots they came from are
//! unknown. Each counted paper vote enters as a ballot approving that one
//! project: greedy counts it like any vote, and the Method of Equal Shares
//! gives paper voters a share of the money in proportion to their number.
//!
//! Counting is the worker's: a budget's [`count_job`] is queued for the
//! moment it finishes (`setup::create` and `update`), and counts every
//! heading then ([`publish`]), so that many councils closing their budgets
//! the same evening are counted a few at a time (the worker's
//! concurrency), not by whoever asks first. Until a heading's count is
//! published, reading it is refused with [`Refusal::Counting`]; staff see
//! how counting stands ([`count_states`]), and why a heading could not be
//! counted.

use super::pabulib::{Ballot, Instance, Project, UNIT};
use super::results::{self, Options, Outcome as Decided};
use super::setup::PHASE;
use crate::audit::{Actor, audit};
use crate::content::text;
use crate::error::{Error, Field, Problem, Refusal, Result};
use crate::ids::{BudgetId, HeadingId};
use serde_json::json;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use cabildo_tenancy::{NewJob, TenantTx};
use std::collections::HashMap;
use std::fmt::Write as _;
use uuid::Uuid;

/// Millionths (the rules' unit) per cent.
const PER_CENT: i128 = UNIT / 100;

/// A heading's election: projects on the ballot (ids are their public
/// numbers), every submitted ballot, and paper votes as one-project
/// ballots.
pub async fn election(
    tx: &mut TenantTx,
    heading: HeadingId,
) -> Result<Option<(Instance, Options)>> {
    let row: Option<(i64, String, String, String)> = sqlx::query_as(
        "SELECT h.amount_cents, b.rule, b.tie, b.completion
         FROM budget_headings h JOIN budgets b ON b.id = h.budget_id WHERE h.id = $1",
    )
    .bind(heading)
    .fetch_optional(tx.conn())
    .await?;
    let Some((amount, rule, tie, completion)) = row else {
        return Ok(None);
    };
    let options = Options {
        rule: rule.parse().unwrap_or_default(),
        tie: tie.parse().unwrap_or_default(),
        completion: completion.parse().unwrap_or_default(),
        // Council budgets take approval ballots.
        ordinal: results::Ordinal::default(),
    };
    let projects: Vec<(Uuid, i64, i64, i32)> = sqlx::query_as(
        "SELECT id, number, coalesce(official_cost_cents, estimated_cost_cents), paper_votes
         FROM budget_projects WHERE heading_id = $1 AND on_ballot AND hidden_at IS NULL ORDER BY number",
    )
    .bind(heading)
    .fetch_all(tx.conn())
    .await?;
    let index: HashMap<Uuid, usize> = projects
        .iter()
        .enumerate()
        .map(|(i, (id, _, _, _))| (*id, i))
        .collect();
    // In an order that says nothing of who voted (the export numbers
    // voters in it): by what the ballots hold.
    let submitted: Vec<Vec<Uuid>> = sqlx::query_scalar(
        "SELECT projects FROM budget_ballots
         WHERE heading_id = $1 AND submitted_at IS NOT NULL ORDER BY projects",
    )
    .bind(heading)
    .fetch_all(tx.conn())
    .await?;
    // Projects taken off the ballot or hidden since are not counted; a
    // ballot left with none is not either.
    let mut ballots: Vec<Ballot> = submitted
        .iter()
        .map(|ids| {
            let mut choices: Vec<(usize, i64)> = ids
                .iter()
                .filter_map(|id| index.get(id))
                .map(|&p| (p, 1))
                .collect();
            choices.sort_unstable();
            Ballot { choices }
        })
        .filter(|ballot| !ballot.choices.is_empty())
        .collect();
    for (p, (_, _, _, paper)) in projects.iter().enumerate() {
        for _ in 0..*paper {
            ballots.push(Ballot {
                choices: vec![(p, 1)],
            });
        }
    }
    Ok(Some((
        Instance {
            budget: i128::from(amount) * PER_CENT,
            vote_type: "approval".into(),
            projects: projects
                .iter()
                .map(|(_, number, cost, _)| Project {
                    id: number.to_string(),
                    cost: i128::from(*cost) * PER_CENT,
                })
                .collect(),
            ballots,
        },
        options,
    )))
}

/// The outcome of a heading under its budget's rule.
pub async fn results(tx: &mut TenantTx, heading: HeadingId) -> Result<Decided> {
    let Some((instance, options)) = election(tx, heading).await? else {
        return Err(Refusal::NotFound.into());
    };
    results::compute(&instance, options)
        .map_err(|_| Error::invalid(Field::Budget, Problem::ResultsUnavailable))
}

/// Nothing when `heading`'s budget is finished (for the `public`, its
/// process must be published too); else no such heading, or not yet.
pub(crate) async fn finished(tx: &mut TenantTx, heading: HeadingId, public: bool) -> Result<()> {
    let published = match public {
        true => "JOIN processes p ON p.id = b.process_id AND p.status = 'published'",
        false => "",
    };
    let sql = format!(
        "SELECT {PHASE} = 'finished' FROM budget_headings h JOIN budgets b ON b.id = h.budget_id
         {published} WHERE h.id = $1"
    );
    let finished: Option<bool> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(heading)
        .fetch_optional(tx.conn())
        .await?;
    match finished {
        None => Err(Refusal::NotFound.into()),
        Some(false) => Err(Refusal::PhaseClosed.into()),
        Some(true) => Ok(()),
    }
}

/// The outcome of a heading as the public sees it: only once the budget
/// is finished and its process published, and then always the published
/// count (see [`published`]).
pub async fn public_results(tx: &mut TenantTx, heading: HeadingId) -> Result<Decided> {
    finished(tx, heading, true).await?;
    Ok(published(tx, heading).await?.outcome)
}

/// Like [`public_results`], with the counts recounts replaced (newest
/// first): a recount never hides what was published before it.
pub async fn public_counts(
    tx: &mut TenantTx,
    heading: HeadingId,
) -> Result<(Published, Vec<Published>)> {
    finished(tx, heading, true).await?;
    Ok((
        published(tx, heading).await?,
        superseded(tx, heading).await?,
    ))
}

/// A count of a heading as it was published.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Published {
    /// The winners and why each project won or lost.
    pub outcome: Decided,
    /// The rule, tie-breaking and completion it was counted with.
    pub options: Options,
    /// SHA-256 (hex) of the election as a Pabulib file: what was counted.
    pub input_digest: String,
    /// How many ballots were counted (paper votes one each).
    pub ballots: i64,
    /// When it was counted.
    pub computed_at: OffsetDateTime,
    /// Why it replaced the count before it (a recount).
    pub recount_reason: Option<String>,
}

/// The heading's current published count: what the worker stored when
/// the budget finished, whatever has changed since, until an admin
/// [`recount`]s; [`Refusal::Counting`] until then. Call it only for a
/// finished budget.
pub async fn published(tx: &mut TenantTx, heading: HeadingId) -> Result<Published> {
    if let Some(current) = current(tx, heading).await? {
        return Ok(current);
    }
    // The worker gave up on it: the rules cannot decide this election.
    let failed: Option<bool> =
        sqlx::query_scalar("SELECT count_error IS NOT NULL FROM budget_headings WHERE id = $1")
            .bind(heading)
            .fetch_optional(tx.conn())
            .await?;
    match failed {
        Some(true) => Err(Error::invalid(Field::Budget, Problem::ResultsUnavailable)),
        _ => Err(Refusal::Counting.into()),
    }
}

/// The worker's job that counts a finished budget (see the module).
pub const COUNT_KIND: &str = "budget.count";

/// The job counting `budget` once it finishes at `finished_at`. It carries
/// that moment: a budget whose end moves gets a new job, and the old one
/// finds the end changed and does nothing.
pub fn count_job(budget: BudgetId, finished_at: OffsetDateTime) -> NewJob {
    let at = finished_at.unix_timestamp();
    NewJob::new(COUNT_KIND, json!({"budget": budget, "finished_at": at}))
        .unique(format!("budget-count:{budget}:{at}"))
        .at(finished_at)
}

/// What a [`count_job`] has to count: the headings of `budget` without a
/// published count, when the budget still finishes at `finished_at` (Unix
/// seconds); `None` when it is gone or finishes at another time (that
/// time's job counts it). [`Refusal::VotingNotOver`] before it finishes.
pub async fn to_count(
    tx: &mut TenantTx,
    budget: BudgetId,
    finished_at: i64,
) -> Result<Option<Vec<HeadingId>>> {
    let sql = format!(
        "SELECT floor(extract(epoch FROM b.finished_at))::bigint, {PHASE} = 'finished'
         FROM budgets b WHERE b.id = $1"
    );
    let row: Option<(i64, bool)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(budget)
        .fetch_optional(tx.conn())
        .await?;
    match row {
        Some((at, _)) if at != finished_at => return Ok(None),
        None => return Ok(None),
        Some((_, false)) => return Err(Refusal::VotingNotOver.into()),
        Some((_, true)) => {}
    }
    Ok(Some(
        sqlx::query_scalar(
            "SELECT h.id FROM budget_headings h
             WHERE h.budget_id = $1
               AND NOT EXISTS (SELECT 1 FROM budget_results r
                               WHERE r.heading_id = h.id AND r.superseded_at IS NULL)
             ORDER BY h.name, h.id",
        )
        .bind(budget)
        .fetch_all(tx.conn())
        .await?,
    ))
}

/// Counts a finished heading and publishes the count, unless one is
/// published already (then that one stands): the worker's [`count_job`],
/// and the demo's past budget. One count of a heading at a time.
pub async fn publish(tx: &mut TenantTx, heading: HeadingId) -> Result<Published> {
    let Some(election) = to_decide(tx, heading).await? else {
        return current(tx, heading).await?.ok_or(Refusal::NotFound.into());
    };
    let decided = decide(election)?;
    store_decided(tx, heading, decided).await
}

/// What counting a finished heading starts from: its election, or `None`
/// when a count is published already. The worker decides it with
/// [`decide`] off its async threads (a city's Method of Equal Shares takes
/// seconds), then stores it with [`store_decided`]; once the budget is
/// finished nothing the election reads can change, so the two may be in
/// different transactions.
pub async fn to_decide(
    tx: &mut TenantTx,
    heading: HeadingId,
) -> Result<Option<(Instance, Options)>> {
    finished(tx, heading, false).await?;
    if current(tx, heading).await?.is_some() {
        return Ok(None);
    }
    match election(tx, heading).await? {
        Some(election) => Ok(Some(election)),
        None => Err(Refusal::NotFound.into()),
    }
}

/// Decides an election under its options: pure computation, no database.
pub fn decide((instance, options): (Instance, Options)) -> Result<Published> {
    decided(&instance, options, None)
}

/// Publishes a count [`decide`]d for `heading`, unless one was published
/// meanwhile (then that one stands). One count of a heading at a time.
pub async fn store_decided(
    tx: &mut TenantTx,
    heading: HeadingId,
    decided: Published,
) -> Result<Published> {
    sqlx::query("SELECT 1 FROM budget_headings WHERE id = $1 FOR UPDATE")
        .bind(heading)
        .execute(tx.conn())
        .await?;
    if current(tx, heading).await?.is_none() {
        store(tx, heading, &decided).await?;
    }
    current(tx, heading).await?.ok_or(Refusal::NotFound.into())
}

/// Queues the count of every budget of the council, each for its end
/// (those queued already stay as they are): for budgets made before
/// counting was the worker's, run by `migrate` once.
pub async fn queue_counts(tx: &mut TenantTx) -> Result<usize> {
    let budgets: Vec<(BudgetId, OffsetDateTime)> =
        sqlx::query_as("SELECT id, finished_at FROM budgets")
            .fetch_all(tx.conn())
            .await?;
    for (budget, finished_at) in &budgets {
        tx.enqueue(&count_job(*budget, *finished_at));
    }
    Ok(budgets.len())
}

/// Notes that the rules could not decide `heading` (`why`: the problem),
/// for staff, until a count is published; readers are then told the
/// results are unavailable.
pub async fn count_failed(tx: &mut TenantTx, heading: HeadingId, why: Problem) -> Result<()> {
    let why = why.code();
    sqlx::query(
        "UPDATE budget_headings SET count_error = $2, count_failed_at = now() WHERE id = $1",
    )
    .bind(heading)
    .bind(why)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// How counting a heading stands, for staff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CountState {
    /// Voting has not ended.
    NotOver,
    /// Voting has ended; the worker is counting it (or will shortly).
    Counting,
    /// The rules could not decide it: why, and when the worker gave up.
    Failed {
        /// What went wrong (a [`Problem`]'s code).
        error: String,
        /// When.
        at: OffsetDateTime,
    },
    /// Published: when it was counted, and how many ballots.
    Published {
        /// When it was counted.
        at: OffsetDateTime,
        /// Ballots counted (paper votes one each).
        ballots: i64,
    },
}

/// How counting each heading of `budget` stands, by heading name.
pub async fn count_states(
    tx: &mut TenantTx,
    budget: BudgetId,
) -> Result<Vec<(HeadingId, CountState)>> {
    let sql = format!(
        "SELECT h.id, {PHASE} = 'finished', r.computed_at, r.ballots, h.count_error, h.count_failed_at
         FROM budget_headings h JOIN budgets b ON b.id = h.budget_id
         LEFT JOIN budget_results r ON r.heading_id = h.id AND r.superseded_at IS NULL
         WHERE h.budget_id = $1 ORDER BY h.name, h.id"
    );
    type Row = (
        HeadingId,
        bool,
        Option<OffsetDateTime>,
        Option<i32>,
        Option<String>,
        Option<OffsetDateTime>,
    );
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(budget)
        .fetch_all(tx.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|(heading, finished, computed, ballots, error, failed)| {
            let state = match (finished, computed, error, failed) {
                (false, ..) => CountState::NotOver,
                (true, Some(at), ..) => CountState::Published {
                    at,
                    ballots: i64::from(ballots.unwrap_or(0)),
                },
                (true, None, Some(error), Some(at)) => CountState::Failed { error, at },
                (true, None, ..) => CountState::Counting,
            };
            (heading, state)
        })
        .collect())
}

/// Counts `heading` now, from its ballots and projects.
async fn count(tx: &mut TenantTx, heading: HeadingId, reason: Option<&str>) -> Result<Published> {
    let Some((instance, options)) = election(tx, heading).await? else {
        return Err(Refusal::NotFound.into());
    };
    decided(&instance, options, reason)
}

/// The count of an election, as it would be published.
fn decided(instance: &Instance, options: Options, reason: Option<&str>) -> Result<Published> {
    let outcome = results::compute(instance, options)
        .map_err(|_| Error::invalid(Field::Budget, Problem::ResultsUnavailable))?;
    let digest = Sha256::digest(pabulib_text(instance, "", "").as_bytes());
    Ok(Published {
        outcome,
        options,
        input_digest: digest.iter().map(|b| format!("{b:02x}")).collect(),
        ballots: instance.ballots.len() as i64,
        computed_at: OffsetDateTime::now_utc(),
        recount_reason: reason.map(str::to_owned),
    })
}

/// Stores `count` as the heading's current one (unless one is there), and
/// forgets why an earlier attempt failed.
async fn store(tx: &mut TenantTx, heading: HeadingId, count: &Published) -> Result<()> {
    let outcome =
        serde_json::to_value(&count.outcome).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query(
        "INSERT INTO budget_results
             (heading_id, rule, tie, completion, input_digest, ballots, outcome, recount_reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (heading_id) WHERE superseded_at IS NULL DO NOTHING",
    )
    .bind(heading)
    .bind(count.options.rule.as_str())
    .bind(count.options.tie.as_str())
    .bind(count.options.completion.as_str())
    .bind(&count.input_digest)
    .bind(i32::try_from(count.ballots).unwrap_or(i32::MAX))
    .bind(outcome)
    .bind(&count.recount_reason)
    .execute(tx.conn())
    .await?;
    sqlx::query(
        "UPDATE budget_headings SET count_error = NULL, count_failed_at = NULL
         WHERE id = $1 AND count_error IS NOT NULL",
    )
    .bind(heading)
    .execute(tx.conn())
    .await?;
    Ok(())
}

type StoredRow = (
    String,
    String,
    String,
    String,
    i32,
    serde_json::Value,
    OffsetDateTime,
    Option<String>,
);

const STORED: &str =
    "SELECT rule, tie, completion, input_digest, ballots, outcome, computed_at, recount_reason
     FROM budget_results WHERE heading_id = $1";

fn from_row(row: StoredRow) -> Result<Published> {
    let (rule, tie, completion, input_digest, ballots, outcome, computed_at, recount_reason) = row;
    // A stored row this code cannot read: as if the database failed.
    let broken = |why: String| Error::from(sqlx::Error::Decode(why.into()));
    Ok(Published {
        outcome: serde_json::from_value(outcome).map_err(|e| broken(e.to_string()))?,
        options: Options {
            rule: rule.parse().map_err(broken)?,
            tie: tie.parse().map_err(broken)?,
            completion: completion.parse().map_err(broken)?,
            ordinal: results::Ordinal::default(),
        },
        input_digest,
        ballots: i64::from(ballots),
        computed_at,
        recount_reason,
    })
}

async fn current(tx: &mut TenantTx, heading: HeadingId) -> Result<Option<Published>> {
    let sql = format!("{STORED} AND superseded_at IS NULL");
    let row: Option<StoredRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(heading)
        .fetch_optional(tx.conn())
        .await?;
    row.map(from_row).transpose()
}

/// The counts a recount replaced, newest first (public: a recount never
/// hides what was published before it).
pub async fn superseded(tx: &mut TenantTx, heading: HeadingId) -> Result<Vec<Published>> {
    let sql = format!("{STORED} AND superseded_at IS NOT NULL ORDER BY computed_at DESC");
    let rows: Vec<StoredRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(heading)
        .fetch_all(tx.conn())
        .await?;
    rows.into_iter().map(from_row).collect()
}

/// Counts a finished heading again and publishes the new count in place
/// of the current one, which stays visible as superseded (admins, after
/// [`crate::staff::require`]; audited with both digests and winners). With
/// no count published yet (the worker could not count it, or has not
/// yet), it publishes the first.
pub async fn recount(
    tx: &mut TenantTx,
    actor: &Actor,
    heading: HeadingId,
    reason: &str,
) -> Result<Published> {
    let reason = text(reason, Field::Reason, Problem::ReasonInvalid, 1, 2000)?;
    finished(tx, heading, false).await?;
    // One recount of a heading at a time.
    sqlx::query("SELECT 1 FROM budget_headings WHERE id = $1 FOR UPDATE")
        .bind(heading)
        .execute(tx.conn())
        .await?;
    let before = current(tx, heading).await?;
    sqlx::query(
        "UPDATE budget_results SET superseded_at = now() WHERE heading_id = $1 AND superseded_at IS NULL",
    )
    .bind(heading)
    .execute(tx.conn())
    .await?;
    let after = count(tx, heading, Some(&reason)).await?;
    store(tx, heading, &after).await?;
    audit(
        tx,
        actor,
        "budget.recount",
        Some(&heading.to_string()),
        json!({
            "reason": reason,
            "before": before.map(|before| json!({
                "input_digest": before.input_digest,
                "selected": before.outcome.selected,
            })),
            "after": {"input_digest": after.input_digest, "selected": after.outcome.selected},
        }),
    )
    .await?;
    Ok(after)
}

/// A heading as a Pabulib file (open data): voters are numbered in an
/// order unrelated to accounts, so no ballot can be traced to a person.
pub fn pabulib_text(instance: &Instance, description: &str, currency: &str) -> String {
    let quote = |text: &str| format!("\"{}\"", text.replace('"', "\"\""));
    let mut out = String::new();
    let _ = writeln!(out, "META\nkey;value");
    let _ = writeln!(out, "description;{}", quote(description));
    let _ = writeln!(out, "num_projects;{}", instance.projects.len());
    let _ = writeln!(out, "num_votes;{}", instance.ballots.len());
    let _ = writeln!(out, "budget;{}", results::amount_text(instance.budget));
    let _ = writeln!(out, "vote_type;approval\ncurrency;{currency}");
    let _ = writeln!(out, "PROJECTS\nproject_id;cost");
    for project in &instance.projects {
        let _ = writeln!(out, "{};{}", project.id, results::amount_text(project.cost));
    }
    let _ = writeln!(out, "VOTES\nvoter_id;vote");
    for (i, ballot) in instance.ballots.iter().enumerate() {
        let ids: Vec<&str> = ballot
            .choices
            .iter()
            .map(|&(p, _)| instance.projects[p].id.as_str())
            .collect();
        let _ = writeln!(out, "{};{}", i + 1, ids.join(","));
    }
    out
}
