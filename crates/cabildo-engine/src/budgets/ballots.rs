//! Ballots: one per person and heading. People add and remove projects
//! (seeing what remains of the amount), then submit; while the budget
//! allows, a submitted ballot may still change until voting ends.
//!
//! A ballot is one row holding its projects. A change reads the rules'
//! facts, the ballot and what the checks need of its projects in one
//! statement, checks the whole new ballot against the heading's amount and
//! number of projects, and writes it in a second statement only if the row
//! is still what was read (a compare-and-set on the person's key). A
//! parallel request of the same person that got there first makes that
//! write find nothing; the change is then read again under the row's lock
//! and checked against what the other request left. A ballot is therefore
//! never overspent, never over the count, never doubled, and never holds a
//! project of another heading, however many requests arrive at once; and a
//! first ballot costs PostgreSQL one row.
//!
//! Reading, checking and writing in a single statement (the rules written
//! again in SQL as the write's condition) was measured too and was no
//! faster over HTTP: 1,453–1,626 ballots/s against 1,651–1,836 for these
//! two statements, alternated on one database (docs/benchmarks.md).

use super::setup::PHASE;
use crate::error::{Error, Field, Problem, Refusal, Result};
use crate::ids::{HeadingId, ProjectId, UserId};
use crate::processes::{self, PersonFacts};
use cabildo_tenancy::TenantTx;
use std::collections::BTreeSet;

/// The phase in which people vote.
const BALLOTING: &str = "balloting";

/// Most projects any ballot holds (the table's check says the same).
const MAX_PROJECTS: usize = 1000;

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

/// The rules' facts for heading `$1` and person `$2`, with `columns` and
/// `joins` added (the budget is `b`, the heading `h`).
fn facts_sql(columns: &str, joins: &str) -> String {
    format!(
        "SELECT h.amount_cents, h.max_projects, h.district_code AS heading_district, b.voting_style,
                b.min_spend_percent, b.voters, b.ballots_changeable, {PHASE} AS phase, b.max_supports, {}{columns}
         FROM budget_headings h JOIN budgets b ON b.id = h.budget_id
         JOIN processes p ON p.id = b.process_id AND p.status = 'published'
         LEFT JOIN users u ON u.id = $2 AND u.deleted_at IS NULL{joins}
         WHERE h.id = $1",
        processes::PERSON_FACTS
    )
}

pub(super) async fn facts(
    tx: &mut TenantTx,
    user: UserId,
    heading: HeadingId,
) -> Result<Option<Facts>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(facts_sql("", "")))
        .bind(heading)
        .bind(user)
        .fetch_optional(tx.conn())
        .await?)
}

/// A person's ballot (empty before their first change) with the rules'
/// facts and what the checks need of the projects on it and of those
/// named in `$3`, in the projects' public order.
#[derive(sqlx::FromRow)]
struct Stored {
    #[sqlx(flatten)]
    facts: Facts,
    /// Whether the person has a ballot row.
    exists: bool,
    current: Vec<ProjectId>,
    submitted: bool,
    ids: Vec<ProjectId>,
    costs: Vec<i64>,
    same_heading: Vec<bool>,
    on_ballot: Vec<bool>,
}

impl Stored {
    fn lines(&self) -> Vec<Line> {
        (self.ids.iter().zip(&self.costs))
            .zip(self.same_heading.iter().zip(&self.on_ballot))
            .map(|((&id, &cost_cents), (&same_heading, &on_ballot))| Line {
                id,
                cost_cents,
                same_heading,
                on_ballot,
            })
            .collect()
    }
}

/// Reads `user`'s ballot in `heading` with the rules' facts and the lines
/// of its projects and of `named`; `lock` takes the ballot row's lock (when
/// it exists), so that the write that follows cannot be overtaken.
async fn read(
    tx: &mut TenantTx,
    user: UserId,
    heading: HeadingId,
    named: &[ProjectId],
    lock: bool,
) -> Result<Option<Stored>> {
    let lock = if lock { " FOR UPDATE" } else { "" };
    let sql = facts_sql(
        ", cur.projects IS NOT NULL AS exists, was.projects AS current,
           cur.submitted_at IS NOT NULL AS submitted, pr.ids, pr.costs, pr.same_heading, pr.on_ballot",
        &format!(
            "
         LEFT JOIN LATERAL (SELECT projects, submitted_at FROM budget_ballots
                            WHERE heading_id = $1 AND user_id = $2{lock}) cur ON true
         CROSS JOIN LATERAL (SELECT coalesce(cur.projects, '{{}}') AS projects) was
         CROSS JOIN LATERAL (
             SELECT coalesce(array_agg(bp.id ORDER BY bp.number), '{{}}') AS ids,
                    coalesce(array_agg(coalesce(bp.official_cost_cents, bp.estimated_cost_cents) ORDER BY bp.number), '{{}}') AS costs,
                    coalesce(array_agg(bp.heading_id = $1 ORDER BY bp.number), '{{}}') AS same_heading,
                    coalesce(array_agg(bp.on_ballot AND bp.hidden_at IS NULL ORDER BY bp.number), '{{}}') AS on_ballot
             FROM budget_projects bp WHERE bp.id = ANY ($3::uuid[] || was.projects)) pr"
        ),
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(heading)
        .bind(user)
        .bind(named)
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
    let named: Vec<ProjectId> = match &change {
        Change::Add(project) | Change::Remove(project) => vec![*project],
        Change::Replace { projects, .. } if projects.len() > MAX_PROJECTS => {
            return Err(Error::invalid(Field::Projects, Problem::TooManyProjects));
        }
        Change::Replace { projects, .. } => projects.clone(),
        Change::Submit => Vec::new(),
    };
    // The first attempt reads without a lock; when another request of the
    // same person wrote in between, the next reads under the row's lock,
    // so it cannot be overtaken again (unless the row did not exist yet,
    // or staff discarded the ballots meanwhile: hence a third).
    for attempt in 0..3 {
        let Some(stored) = read(tx, user, heading, &named, attempt > 0).await? else {
            return Err(Refusal::NotFound.into());
        };
        let facts = &stored.facts;
        if let Some(denied) = denied(facts, BALLOTING) {
            return Err(denied.into());
        }
        let submitting = stored.submitted
            || matches!(
                change,
                Change::Submit | Change::Replace { submit: true, .. }
            );
        let (total, wanted) = decide(facts, &stored, submitting, &change)?;
        let projects: Vec<ProjectId> = wanted.iter().copied().collect();
        let unchanged = submitting == stored.submitted
            && wanted == stored.current.iter().copied().collect::<BTreeSet<_>>();
        if unchanged || write(tx, user, heading, &stored, &projects, submitting).await? {
            return Ok(Ballot {
                heading,
                projects,
                total_cents: total,
                amount_cents: facts.amount_cents,
                max_projects: facts.max_projects,
                submitted: submitting,
                changeable: facts.ballots_changeable || !submitting,
            });
        }
    }
    Err(sqlx::Error::Protocol("a ballot kept changing under its own lock".into()).into())
}

/// Stores the ballot as `projects` (in order, each once; submitted when
/// `submitted`) if its row is still what `stored` read (a compare-and-set);
/// whether it did. A row that was read is updated, so that one removed
/// meanwhile (staff discarding the ballots) is not brought back; a person
/// without one gets it inserted, unless another request of theirs made it
/// first with something in it. The time comes through EXCLUDED: Citus
/// takes only immutable functions in DO UPDATE SET.
async fn write(
    tx: &mut TenantTx,
    user: UserId,
    heading: HeadingId,
    stored: &Stored,
    projects: &[ProjectId],
    submitted: bool,
) -> Result<bool> {
    // Citus refuses now() inside CASE or coalesce: the statement depends
    // on whether the ballot is submitted now.
    let submit_now = submitted && !stored.submitted;
    let sql = if stored.exists {
        let submit = if submit_now {
            ", submitted_at = now()"
        } else {
            ""
        };
        format!(
            "UPDATE budget_ballots SET projects = $3, updated_at = now(){submit}
             WHERE heading_id = $1 AND user_id = $2 AND projects = $4 AND (submitted_at IS NOT NULL) = $5"
        )
    } else {
        let submitted_at = if submit_now { "now()" } else { "NULL" };
        format!(
            "INSERT INTO budget_ballots AS b (heading_id, user_id, projects, updated_at, submitted_at)
             VALUES ($1, $2, $3, now(), {submitted_at})
             ON CONFLICT (heading_id, user_id) DO UPDATE
             SET projects = EXCLUDED.projects, submitted_at = EXCLUDED.submitted_at,
                 updated_at = EXCLUDED.updated_at
             WHERE b.projects = $4 AND (b.submitted_at IS NOT NULL) = $5"
        )
    };
    let written = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(heading)
        .bind(user)
        .bind(projects)
        .bind(&stored.current)
        .bind(stored.submitted)
        .execute(tx.conn())
        .await?
        .rows_affected();
    Ok(written == 1)
}

/// The projects `change` leaves on a ballot holding `current`.
fn wanted(current: &[ProjectId], change: &Change) -> BTreeSet<ProjectId> {
    let mut wanted: BTreeSet<ProjectId> = current.iter().copied().collect();
    match change {
        Change::Add(project) => {
            wanted.insert(*project);
        }
        Change::Remove(project) => {
            wanted.remove(project);
        }
        Change::Replace { projects, .. } => wanted = projects.iter().copied().collect(),
        Change::Submit => {}
    }
    wanted
}

/// Checks the ballot `change` makes of `stored` whole (`submitting`: it
/// is or stays submitted): its total and its projects.
fn decide(
    facts: &Facts,
    stored: &Stored,
    submitting: bool,
    change: &Change,
) -> Result<(i64, BTreeSet<ProjectId>)> {
    if stored.submitted && !facts.ballots_changeable {
        return Err(Error::invalid(Field::Ballot, Problem::BallotFinal));
    }
    let wanted = wanted(&stored.current, change);
    if wanted.len() > MAX_PROJECTS {
        return Err(Error::invalid(Field::Projects, Problem::TooManyProjects));
    }
    let limits = Limits {
        amount_cents: facts.amount_cents,
        knapsack: facts.voting_style == "knapsack",
        max_projects: facts.max_projects,
        min_spend_percent: facts.min_spend_percent,
    };
    let total = check(&limits, &wanted, &stored.lines(), submitting)
        .map_err(|problem| Error::invalid(Field::Projects, problem))?;
    Ok((total, wanted))
}

/// `user`'s ballot in `heading` (empty when they have none yet); refused
/// when the person may not vote there (whatever the phase).
pub async fn get(tx: &mut TenantTx, user: UserId, heading: HeadingId) -> Result<Ballot> {
    let Some(stored) = read(tx, user, heading, &[], false).await? else {
        return Err(Refusal::NotFound.into());
    };
    let facts = &stored.facts;
    if let Some(denied) = denied(facts, BALLOTING).filter(|d| *d != Refusal::PhaseClosed) {
        return Err(denied.into());
    }
    let lines = stored.lines();
    Ok(Ballot {
        heading,
        projects: lines.iter().map(|l| l.id).collect(),
        total_cents: lines.iter().map(|l| l.cost_cents).sum(),
        amount_cents: facts.amount_cents,
        max_projects: facts.max_projects,
        submitted: stored.submitted,
        changeable: facts.phase == BALLOTING && (facts.ballots_changeable || !stored.submitted),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

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
