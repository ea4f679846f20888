//! Ballots: one per person and heading. People add and remove projects
//! (seeing what remains of the amount), then submit; while the budget
//! allows, a submitted ballot may still change until voting ends.
//!
//! Every change runs in one transaction that first locks the person's
//! ballot row (created on first use), then reads its lines, checks the
//! whole new ballot against the heading's amount and number of projects,
//! and writes the difference. Parallel requests of one person therefore
//! take turns and each checks what the previous one left: a ballot is never
//! overspent, never over the count, never doubled, and never holds a
//! project of another heading, however many requests arrive at once.

use super::setup::PHASE;
use crate::accounts::AccountError;
use crate::content::{Outcome, Refusal};
use crate::processes::{self, Denied, PersonFacts};
use cabildo_tenancy::TenantTx;
use std::collections::BTreeSet;
use uuid::Uuid;

/// The phase in which people vote.
const BALLOTING: &str = "balloting";

/// What a person does to their ballot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// Add a project.
    Add(Uuid),
    /// Remove a project.
    Remove(Uuid),
    /// Make the ballot exactly these projects (the API's whole ballot),
    /// submitting it too when `submit`.
    Replace {
        /// The projects.
        projects: Vec<Uuid>,
        /// Submit it as well.
        submit: bool,
    },
    /// Submit the ballot as it is.
    Submit,
}

/// A person's ballot in a heading.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Ballot {
    /// Heading.
    pub heading: Uuid,
    /// The projects on it.
    pub projects: Vec<Uuid>,
    /// What they cost together (cents).
    pub total_cents: i64,
    /// The heading's amount (cents).
    pub amount_cents: i64,
    /// Most projects it may hold.
    pub max_projects: Option<i32>,
    /// Whether it is submitted (and counts).
    pub submitted: bool,
    /// Whether it may still change.
    pub changeable: bool,
}

impl Ballot {
    /// What remains of the heading's amount.
    pub fn remaining_cents(&self) -> i64 {
        self.amount_cents - self.total_cents
    }
}

/// What the rules look at, read in one statement with the database clock.
#[derive(sqlx::FromRow)]
pub(super) struct Facts {
    amount_cents: i64,
    max_projects: Option<i32>,
    heading_district: Option<String>,
    voting_style: String,
    min_spend_percent: i16,
    voters: String,
    ballots_changeable: bool,
    /// The budget's phase now (see `setup::PHASE`).
    pub(super) phase: String,
    /// Supports per person and heading.
    pub(super) max_supports: Option<i32>,
    #[sqlx(flatten)]
    person: PersonFacts,
}

/// Why the person may act in a heading with these facts during `phase`
/// (vote while balloting, support while selecting), if they may not.
pub(super) fn denied(facts: &Facts, phase: &str) -> Option<Denied> {
    let person = &facts.person;
    if facts.phase != phase {
        Some(Denied::PhaseClosed)
    } else if !person.confirmed {
        Some(Denied::NotRegistered)
    } else if person.blocked {
        Some(Denied::Blocked)
    } else if (facts.voters == "verified" || facts.heading_district.is_some()) && !person.verified {
        Some(Denied::NotVerified)
    } else if facts
        .heading_district
        .as_ref()
        .is_some_and(|d| person.district.as_ref() != Some(d))
    {
        Some(Denied::WrongDistrict)
    } else {
        None
    }
}

pub(super) async fn facts(
    tx: &mut TenantTx,
    user: Uuid,
    heading: Uuid,
) -> Result<Option<Facts>, AccountError> {
    let sql = format!(
        "SELECT h.amount_cents, h.max_projects, h.district_code AS heading_district, b.voting_style,
                b.min_spend_percent, b.voters, b.ballots_changeable, {PHASE} AS phase, b.max_supports, {}
         FROM budget_headings h JOIN budgets b ON b.id = h.budget_id
         JOIN processes p ON p.id = b.process_id AND p.status = 'published'
         LEFT JOIN users u ON u.id = $2 AND u.deleted_at IS NULL
         WHERE h.id = $1",
        processes::PERSON_FACTS
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(heading)
        .bind(user)
        .fetch_optional(tx.conn())
        .await?)
}

/// Changes `user`'s ballot in `heading`.
pub async fn change(
    tx: &mut TenantTx,
    user: Uuid,
    heading: Uuid,
    change: Change,
) -> Outcome<Ballot> {
    if let Change::Replace { projects, .. } = &change
        && projects.len() > 1000
    {
        return Ok(Err(Refusal::Invalid("projects", "too_many_projects")));
    }
    let Some(facts) = facts(tx, user, heading).await? else {
        return Ok(Err(Refusal::NotFound));
    };
    if let Some(denied) = denied(&facts, BALLOTING) {
        return Ok(Err(Refusal::Denied(denied)));
    }
    // Lock (or create) the ballot row: parallel changes take turns here.
    let (ballot, submitted, created): (Uuid, bool, bool) = sqlx::query_as(
        "INSERT INTO budget_ballots (heading_id, user_id) VALUES ($1, $2)
         ON CONFLICT ON CONSTRAINT budget_ballots_person_key DO UPDATE SET updated_at = now()
         RETURNING id, submitted_at IS NOT NULL, xmax = 0",
    )
    .bind(heading)
    .bind(user)
    .fetch_one(tx.conn())
    .await?;
    let result = apply(tx, &facts, ballot, submitted, heading, change).await?;
    if result.is_err() && created {
        // A refused first change leaves no empty ballot behind.
        sqlx::query("DELETE FROM budget_ballots WHERE id = $1")
            .bind(ballot)
            .execute(tx.conn())
            .await?;
    }
    Ok(result)
}

async fn apply(
    tx: &mut TenantTx,
    facts: &Facts,
    ballot: Uuid,
    submitted: bool,
    heading: Uuid,
    change: Change,
) -> Outcome<Ballot> {
    if submitted && !facts.ballots_changeable {
        return Ok(Err(Refusal::Invalid("ballot", "ballot_final")));
    }
    let named: Vec<Uuid> = match &change {
        Change::Add(project) | Change::Remove(project) => vec![*project],
        Change::Replace { projects, .. } => projects.clone(),
        Change::Submit => Vec::new(),
    };
    // One read: the ballot's lines and every project named or held, with
    // what the checks need.
    let rows: Vec<(Uuid, i64, bool, bool, bool)> = sqlx::query_as(
        "SELECT p.id, coalesce(p.official_cost_cents, p.estimated_cost_cents), p.heading_id = $2,
                p.on_ballot AND p.hidden_at IS NULL, l.project_id IS NOT NULL
         FROM budget_projects p LEFT JOIN budget_ballot_lines l ON l.ballot_id = $3 AND l.project_id = p.id
         WHERE p.id = ANY ($1) OR l.project_id IS NOT NULL",
    )
    .bind(&named)
    .bind(heading)
    .bind(ballot)
    .fetch_all(tx.conn())
    .await?;
    let current: BTreeSet<Uuid> = rows.iter().filter(|r| r.4).map(|r| r.0).collect();
    let mut wanted = current.clone();
    let submitting = submitted
        || matches!(
            change,
            Change::Submit | Change::Replace { submit: true, .. }
        );
    match change {
        Change::Add(project) => {
            wanted.insert(project);
        }
        Change::Remove(project) => {
            wanted.remove(&project);
        }
        Change::Replace { projects, .. } => wanted = projects.into_iter().collect(),
        Change::Submit => {}
    }
    let ids: Vec<Uuid> = wanted.iter().copied().collect();
    let rows: Vec<(Uuid, i64, bool, bool)> = rows
        .into_iter()
        .filter(|r| wanted.contains(&r.0))
        .map(|(id, cost, same_heading, on_ballot, _)| (id, cost, same_heading, on_ballot))
        .collect();
    if rows.len() != ids.len() {
        return Ok(Err(Refusal::Invalid("projects", "not_on_ballot")));
    }
    if rows.iter().any(|(_, _, same_heading, _)| !same_heading) {
        return Ok(Err(Refusal::Invalid("projects", "wrong_heading")));
    }
    if rows.iter().any(|(_, _, _, on_ballot)| !on_ballot) {
        return Ok(Err(Refusal::Invalid("projects", "not_on_ballot")));
    }
    let total: i64 = rows.iter().map(|(_, cost, _, _)| cost).sum();
    let knapsack = facts.voting_style == "knapsack";
    if knapsack && total > facts.amount_cents {
        return Ok(Err(Refusal::Invalid("projects", "over_budget")));
    }
    if facts
        .max_projects
        .is_some_and(|max| ids.len() > usize::try_from(max).unwrap_or(0))
    {
        return Ok(Err(Refusal::Invalid("projects", "too_many_projects")));
    }
    if submitting {
        if ids.is_empty() {
            return Ok(Err(Refusal::Invalid("projects", "empty_ballot")));
        }
        if knapsack
            && i128::from(total) * 100
                < i128::from(facts.amount_cents) * i128::from(facts.min_spend_percent)
        {
            return Ok(Err(Refusal::Invalid("projects", "below_min_spend")));
        }
    }
    let removed: Vec<Uuid> = current.difference(&wanted).copied().collect();
    let added: Vec<Uuid> = wanted.difference(&current).copied().collect();
    let submits = submitting && !submitted;
    if !removed.is_empty() || !added.is_empty() || submits {
        sqlx::query(
            "WITH gone AS (DELETE FROM budget_ballot_lines WHERE ballot_id = $1 AND project_id = ANY ($2)),
                  sent AS (UPDATE budget_ballots SET submitted_at = now() WHERE id = $1 AND $4)
             INSERT INTO budget_ballot_lines (ballot_id, project_id) SELECT $1, unnest($3::uuid[])",
        )
        .bind(ballot)
        .bind(&removed)
        .bind(&added)
        .bind(submits)
        .execute(tx.conn())
        .await?;
    }
    Ok(Ok(Ballot {
        heading,
        projects: ids,
        total_cents: total,
        amount_cents: facts.amount_cents,
        max_projects: facts.max_projects,
        submitted: submitting,
        changeable: facts.ballots_changeable || !submitting,
    }))
}

/// `user`'s ballot in `heading` (empty when they have none yet); refused
/// when the person may not vote there (whatever the phase).
pub async fn get(tx: &mut TenantTx, user: Uuid, heading: Uuid) -> Outcome<Ballot> {
    let Some(facts) = facts(tx, user, heading).await? else {
        return Ok(Err(Refusal::NotFound));
    };
    if let Some(denied) = denied(&facts, BALLOTING).filter(|d| *d != Denied::PhaseClosed) {
        return Ok(Err(Refusal::Denied(denied)));
    }
    let rows: Vec<(Uuid, i64, bool)> = sqlx::query_as(
        "SELECT l.project_id, coalesce(p.official_cost_cents, p.estimated_cost_cents), b.submitted_at IS NOT NULL
         FROM budget_ballots b JOIN budget_ballot_lines l ON l.ballot_id = b.id
         JOIN budget_projects p ON p.id = l.project_id
         WHERE b.heading_id = $1 AND b.user_id = $2 ORDER BY p.number",
    )
    .bind(heading)
    .bind(user)
    .fetch_all(tx.conn())
    .await?;
    let submitted = rows.first().is_some_and(|r| r.2);
    Ok(Ok(Ballot {
        heading,
        projects: rows.iter().map(|r| r.0).collect(),
        total_cents: rows.iter().map(|r| r.1).sum(),
        amount_cents: facts.amount_cents,
        max_projects: facts.max_projects,
        submitted,
        changeable: facts.phase == BALLOTING && (facts.ballots_changeable || !submitted),
    }))
}
