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
use crate::error::{Error, Field, Problem, Refusal, Result};
use crate::ids::{HeadingId, ProjectId, UserId};
use crate::processes::{self, PersonFacts};
use cabildo_tenancy::TenantTx;
use std::collections::BTreeSet;
use uuid::Uuid;

/// The phase in which people vote.
const BALLOTING: &str = "balloting";

/// What a person does to their ballot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// Add a project.
    Add(ProjectId),
    /// Remove a project.
    Remove(ProjectId),
    /// Make the ballot exactly these projects (the API's whole ballot),
    /// submitting it too when `submit`.
    Replace {
        /// The projects.
        projects: Vec<ProjectId>,
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
    pub heading: HeadingId,
    /// The projects on it.
    pub projects: Vec<ProjectId>,
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
pub(super) fn denied(facts: &Facts, phase: &str) -> Option<Refusal> {
    let person = &facts.person;
    if facts.phase != phase {
        Some(Refusal::PhaseClosed)
    } else if !person.confirmed {
        Some(Refusal::NotRegistered)
    } else if person.blocked {
        Some(Refusal::Blocked)
    } else if (facts.voters == "verified" || facts.heading_district.is_some()) && !person.verified {
        Some(Refusal::NotVerified)
    } else if facts
        .heading_district
        .as_ref()
        .is_some_and(|d| person.district.as_ref() != Some(d))
    {
        Some(Refusal::WrongDistrict)
    } else {
        None
    }
}

/// A project named on a ballot, as the checks see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line {
    /// The project.
    pub id: ProjectId,
    /// Its cost (the official one once reviewed).
    pub cost_cents: i64,
    /// It belongs to the ballot's heading.
    pub same_heading: bool,
    /// It is on the ballot (and not hidden).
    pub on_ballot: bool,
}

/// What a heading asks of its ballots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The heading's amount.
    pub amount_cents: i64,
    /// Knapsack voting: the ballot's cost is bounded by the amount.
    pub knapsack: bool,
    /// Most projects a ballot holds.
    pub max_projects: Option<i32>,
    /// Knapsack: the least share of the amount a submitted ballot spends.
    pub min_spend_percent: i16,
}

/// Checks a ballot whole: `wanted` are the projects it would hold,
/// `lines` what is known of them (a project without a line does not
/// exist), `submitting` whether it is (or stays) submitted. Its total when
/// it holds; pure.
pub fn check(
    limits: &Limits,
    wanted: &BTreeSet<ProjectId>,
    lines: &[Line],
    submitting: bool,
) -> Result<i64, Problem> {
    let lines: Vec<&Line> = lines.iter().filter(|l| wanted.contains(&l.id)).collect();
    if lines.len() != wanted.len() {
        return Err(Problem::NotOnBallot);
    }
    if lines.iter().any(|l| !l.same_heading) {
        return Err(Problem::WrongHeading);
    }
    if lines.iter().any(|l| !l.on_ballot) {
        return Err(Problem::NotOnBallot);
    }
    let total: i64 = lines.iter().map(|l| l.cost_cents).sum();
    if limits.knapsack && total > limits.amount_cents {
        return Err(Problem::OverBudget);
    }
    if limits
        .max_projects
        .is_some_and(|max| wanted.len() > usize::try_from(max).unwrap_or(0))
    {
        return Err(Problem::TooManyProjects);
    }
    if submitting {
        if wanted.is_empty() {
            return Err(Problem::EmptyBallot);
        }
        let spent = i128::from(total) * 100;
        if limits.knapsack
            && spent < i128::from(limits.amount_cents) * i128::from(limits.min_spend_percent)
        {
            return Err(Problem::BelowMinSpend);
        }
    }
    Ok(total)
}

pub(super) async fn facts(
    tx: &mut TenantTx,
    user: UserId,
    heading: HeadingId,
) -> Result<Option<Facts>> {
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
    user: UserId,
    heading: HeadingId,
    change: Change,
) -> Result<Ballot> {
    if let Change::Replace { projects, .. } = &change
        && projects.len() > 1000
    {
        return Err(Error::invalid(Field::Projects, Problem::TooManyProjects));
    }
    let Some(facts) = facts(tx, user, heading).await? else {
        return Err(Refusal::NotFound.into());
    };
    if let Some(denied) = denied(&facts, BALLOTING) {
        return Err(denied.into());
    }
    // Lock (or create) the ballot row: parallel changes take turns here.
    // The time comes through EXCLUDED: Citus takes only immutable functions
    // in DO UPDATE SET.
    let (ballot, submitted, created): (Uuid, bool, bool) = sqlx::query_as(
        "INSERT INTO budget_ballots (heading_id, user_id, updated_at) VALUES ($1, $2, now())
         ON CONFLICT ON CONSTRAINT budget_ballots_person_key DO UPDATE SET updated_at = EXCLUDED.updated_at
         RETURNING id, submitted_at IS NOT NULL, xmax = 0",
    )
    .bind(heading)
    .bind(user)
    .fetch_one(tx.conn())
    .await?;
    let result = apply(tx, &facts, ballot, submitted, heading, change).await;
    if matches!(result, Err(Error::Invalid(_))) && created {
        // A refused first change leaves no empty ballot behind.
        sqlx::query("DELETE FROM budget_ballots WHERE id = $1")
            .bind(ballot)
            .execute(tx.conn())
            .await?;
    }
    result
}

async fn apply(
    tx: &mut TenantTx,
    facts: &Facts,
    ballot: Uuid,
    submitted: bool,
    heading: HeadingId,
    change: Change,
) -> Result<Ballot> {
    if submitted && !facts.ballots_changeable {
        return Err(Error::invalid(Field::Ballot, Problem::BallotFinal));
    }
    let named: Vec<ProjectId> = match &change {
        Change::Add(project) | Change::Remove(project) => vec![*project],
        Change::Replace { projects, .. } => projects.clone(),
        Change::Submit => Vec::new(),
    };
    // One read: the ballot's lines and every project named or held, with
    // what the checks need.
    let rows: Vec<(ProjectId, i64, bool, bool, bool)> = sqlx::query_as(
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
    let current: BTreeSet<ProjectId> = rows.iter().filter(|r| r.4).map(|r| r.0).collect();
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
    let lines: Vec<Line> = rows
        .into_iter()
        .map(|(id, cost_cents, same_heading, on_ballot, _)| Line {
            id,
            cost_cents,
            same_heading,
            on_ballot,
        })
        .collect();
    let limits = Limits {
        amount_cents: facts.amount_cents,
        knapsack: facts.voting_style == "knapsack",
        max_projects: facts.max_projects,
        min_spend_percent: facts.min_spend_percent,
    };
    let total = check(&limits, &wanted, &lines, submitting)
        .map_err(|problem| Error::invalid(Field::Projects, problem))?;
    let ids: Vec<ProjectId> = wanted.iter().copied().collect();
    let removed: Vec<ProjectId> = current.difference(&wanted).copied().collect();
    let added: Vec<ProjectId> = wanted.difference(&current).copied().collect();
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
    Ok(Ballot {
        heading,
        projects: ids,
        total_cents: total,
        amount_cents: facts.amount_cents,
        max_projects: facts.max_projects,
        submitted: submitting,
        changeable: facts.ballots_changeable || !submitting,
    })
}

/// `user`'s ballot in `heading` (empty when they have none yet); refused
/// when the person may not vote there (whatever the phase).
pub async fn get(tx: &mut TenantTx, user: UserId, heading: HeadingId) -> Result<Ballot> {
    let Some(facts) = facts(tx, user, heading).await? else {
        return Err(Refusal::NotFound.into());
    };
    if let Some(denied) = denied(&facts, BALLOTING).filter(|d| *d != Refusal::PhaseClosed) {
        return Err(denied.into());
    }
    let rows: Vec<(ProjectId, i64, bool)> = sqlx::query_as(
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
    Ok(Ballot {
        heading,
        projects: rows.iter().map(|r| r.0).collect(),
        total_cents: rows.iter().map(|r| r.1).sum(),
        amount_cents: facts.amount_cents,
        max_projects: facts.max_projects,
        submitted,
        changeable: facts.phase == BALLOTING && (facts.ballots_changeable || !submitted),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNAPSACK: Limits = Limits {
        amount_cents: 10_000,
        knapsack: true,
        max_projects: None,
        min_spend_percent: 50,
    };

    fn line(n: u128, cost_cents: i64) -> Line {
        Line {
            id: ProjectId(Uuid::from_u128(n)),
            cost_cents,
            same_heading: true,
            on_ballot: true,
        }
    }

    fn wanted(ids: &[u128]) -> BTreeSet<ProjectId> {
        ids.iter().map(|n| ProjectId(Uuid::from_u128(*n))).collect()
    }

    #[test]
    fn a_ballot_holds_within_the_amount_and_counts_its_total() {
        let lines = [line(1, 4_000), line(2, 6_000), line(3, 1)];
        assert_eq!(check(&KNAPSACK, &wanted(&[1, 2]), &lines, true), Ok(10_000));
        assert_eq!(
            check(&KNAPSACK, &wanted(&[1, 2, 3]), &lines, false),
            Err(Problem::OverBudget)
        );
        let approval = Limits {
            knapsack: false,
            ..KNAPSACK
        };
        assert_eq!(
            check(&approval, &wanted(&[1, 2, 3]), &lines, true),
            Ok(10_001),
            "approval ballots are not bounded by the amount"
        );
    }

    #[test]
    fn projects_must_exist_be_in_the_heading_and_on_the_ballot() {
        let elsewhere = Line {
            same_heading: false,
            ..line(2, 100)
        };
        let off = Line {
            on_ballot: false,
            ..line(3, 100)
        };
        let lines = [line(1, 100), elsewhere, off];
        let refused = |ids: &[u128]| check(&KNAPSACK, &wanted(ids), &lines, false);
        assert_eq!(
            refused(&[1, 9]),
            Err(Problem::NotOnBallot),
            "unknown project"
        );
        assert_eq!(refused(&[1, 2]), Err(Problem::WrongHeading));
        assert_eq!(refused(&[1, 3]), Err(Problem::NotOnBallot));
        assert_eq!(refused(&[1]), Ok(100));
    }

    #[test]
    fn limits_on_count_emptiness_and_least_spend_apply_when_they_should() {
        let lines = [line(1, 2_000), line(2, 2_000), line(3, 2_000)];
        let two = Limits {
            max_projects: Some(2),
            ..KNAPSACK
        };
        assert_eq!(
            check(&two, &wanted(&[1, 2, 3]), &lines, false),
            Err(Problem::TooManyProjects)
        );
        assert_eq!(check(&two, &wanted(&[1, 2]), &lines, false), Ok(4_000));
        // A draft may be empty or spend little; a submitted ballot may not.
        assert_eq!(check(&KNAPSACK, &wanted(&[]), &lines, false), Ok(0));
        assert_eq!(
            check(&KNAPSACK, &wanted(&[]), &lines, true),
            Err(Problem::EmptyBallot)
        );
        assert_eq!(
            check(&KNAPSACK, &wanted(&[1, 2]), &lines, true),
            Err(Problem::BelowMinSpend),
            "4,000 of 10,000 is under half"
        );
        assert_eq!(
            check(&KNAPSACK, &wanted(&[1, 2, 3]), &lines, true),
            Ok(6_000)
        );
    }
}
