//! Budget projects: proposed by citizens while projects are accepted, or
//! created by staff at any time; reviewed for feasibility by evaluators
//! (an unfeasible verdict needs an explanation; the official cost replaces
//! the estimate); put on the ballot by staff once feasible; paper votes
//! entered by staff.

use super::setup::PHASE;
use crate::accounts::AccountError;
use crate::content::{Outcome, Refusal, text};
use crate::processes::Denied;
use crate::staff::{Actor, audit};
use cabildo_tenancy::TenantTx;
use serde_json::json;
use uuid::Uuid;

/// A project as typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewProject {
    /// Its heading.
    pub heading: Uuid,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Where.
    pub location: String,
    /// Estimated cost in cents.
    pub estimated_cost_cents: i64,
}

/// A feasibility verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Feasibility {
    /// It can be done.
    Feasible,
    /// It cannot (an explanation is required).
    Unfeasible,
    /// The author must say more.
    NeedsInfo,
}

impl Feasibility {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Feasible => "feasible",
            Self::Unfeasible => "unfeasible",
            Self::NeedsInfo => "needs_info",
        }
    }
}

/// A project as everyone sees it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct Project {
    /// Id.
    pub id: Uuid,
    /// Public number.
    pub number: i64,
    /// Heading.
    pub heading: Uuid,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Where.
    pub location: String,
    /// The official cost once reviewed, else the estimate (cents).
    pub cost_cents: i64,
    /// `pending`, `feasible`, `unfeasible` or `needs_info`.
    pub feasibility: String,
    /// The evaluators' explanation.
    pub feasibility_explanation: String,
    /// On the ballot.
    pub on_ballot: bool,
    /// Supports.
    pub supports_count: i32,
    /// Counted paper votes.
    pub paper_votes: i32,
}

/// Adds a project. With `author`, a citizen proposes it: only while the
/// budget accepts projects, with a confirmed, unblocked account. Without,
/// staff create it at any time.
pub async fn create(
    tx: &mut TenantTx,
    actor: &Actor,
    author: Option<Uuid>,
    new: &NewProject,
) -> Outcome<Uuid> {
    let title = match text(&new.title, "title", "title_invalid", 3, 200) {
        Ok(title) => title,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let description = match text(
        &new.description,
        "description",
        "description_invalid",
        1,
        20_000,
    ) {
        Ok(description) => description,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let location = match text(&new.location, "location", "location_invalid", 0, 500) {
        Ok(location) => location,
        Err(refusal) => return Ok(Err(refusal)),
    };
    if !(1..=100_000_000_000_000_000).contains(&new.estimated_cost_cents) {
        return Ok(Err(Refusal::Invalid("estimated_cost", "amount_invalid")));
    }
    #[derive(sqlx::FromRow)]
    struct Facts {
        budget_id: Uuid,
        phase: String,
        confirmed: Option<bool>,
        blocked: Option<bool>,
    }
    let sql = format!(
        "SELECT b.id AS budget_id, {PHASE} AS phase,
                u.email_confirmed_at IS NOT NULL AS confirmed, u.blocked_at IS NOT NULL AS blocked
         FROM budget_headings h JOIN budgets b ON b.id = h.budget_id
         LEFT JOIN users u ON u.id = $2 AND u.deleted_at IS NULL
         WHERE h.id = $1"
    );
    let facts: Option<Facts> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(new.heading)
        .bind(author)
        .fetch_optional(tx.conn())
        .await?;
    let Some(facts) = facts else {
        return Ok(Err(Refusal::NotFound));
    };
    if author.is_some() {
        if facts.phase != "accepting" {
            return Ok(Err(Refusal::Denied(Denied::PhaseClosed)));
        }
        if facts.confirmed != Some(true) {
            return Ok(Err(Refusal::Denied(Denied::NotRegistered)));
        }
        if facts.blocked == Some(true) {
            return Ok(Err(Refusal::Denied(Denied::Blocked)));
        }
    }
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO budget_projects (budget_id, heading_id, author_id, title, description, location,
                                      estimated_cost_cents)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(facts.budget_id)
    .bind(new.heading)
    .bind(author)
    .bind(&title)
    .bind(&description)
    .bind(&location)
    .bind(new.estimated_cost_cents)
    .fetch_one(tx.conn())
    .await?;
    if author.is_none() {
        audit(
            tx,
            actor,
            "budget.project_create",
            Some(&id.to_string()),
            json!({"heading": new.heading, "cost_cents": new.estimated_cost_cents}),
        )
        .await?;
    }
    Ok(Ok(id))
}

/// Records the evaluators' verdict. Unfeasible needs an explanation; a
/// project that is no longer feasible leaves the ballot.
pub async fn review(
    tx: &mut TenantTx,
    actor: &Actor,
    project: Uuid,
    verdict: Feasibility,
    explanation: &str,
    official_cost_cents: Option<i64>,
) -> Outcome<()> {
    let explanation = explanation.trim();
    if verdict == Feasibility::Unfeasible && explanation.is_empty() {
        return Ok(Err(Refusal::Invalid("explanation", "explanation_required")));
    }
    if explanation.chars().count() > 20_000 {
        return Ok(Err(Refusal::Invalid("explanation", "explanation_invalid")));
    }
    if official_cost_cents.is_some_and(|c| !(1..=100_000_000_000_000_000).contains(&c)) {
        return Ok(Err(Refusal::Invalid("official_cost", "amount_invalid")));
    }
    let updated = sqlx::query(
        "UPDATE budget_projects SET feasibility = $2, feasibility_explanation = $3,
                official_cost_cents = coalesce($4, official_cost_cents), reviewed_at = now(),
                on_ballot = on_ballot AND $2 = 'feasible'
         WHERE id = $1",
    )
    .bind(project)
    .bind(verdict.as_str())
    .bind(explanation)
    .bind(official_cost_cents)
    .execute(tx.conn())
    .await?
    .rows_affected();
    if updated == 0 {
        return Ok(Err(Refusal::NotFound));
    }
    audit(
        tx,
        actor,
        "budget.project_review",
        Some(&project.to_string()),
        json!({"feasibility": verdict.as_str(), "official_cost_cents": official_cost_cents}),
    )
    .await?;
    Ok(Ok(()))
}

/// Puts a feasible project on the ballot, or takes it off (refused once
/// voting has begun: ballots may already hold it).
pub async fn set_on_ballot(
    tx: &mut TenantTx,
    actor: &Actor,
    project: Uuid,
    on_ballot: bool,
) -> Outcome<()> {
    let sql = format!(
        "SELECT p.feasibility, {PHASE} AS phase FROM budget_projects p JOIN budgets b ON b.id = p.budget_id
         WHERE p.id = $1 FOR UPDATE OF p"
    );
    let row: Option<(String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(project)
        .fetch_optional(tx.conn())
        .await?;
    let Some((feasibility, phase)) = row else {
        return Ok(Err(Refusal::NotFound));
    };
    if on_ballot && feasibility != "feasible" {
        return Ok(Err(Refusal::Invalid("project", "not_feasible")));
    }
    if matches!(phase.as_str(), "balloting" | "tallying" | "finished") {
        return Ok(Err(Refusal::Invalid("budget", "voting_started")));
    }
    sqlx::query("UPDATE budget_projects SET on_ballot = $2 WHERE id = $1")
        .bind(project)
        .bind(on_ballot)
        .execute(tx.conn())
        .await?;
    audit(
        tx,
        actor,
        "budget.project_ballot",
        Some(&project.to_string()),
        json!({"on_ballot": on_ballot}),
    )
    .await?;
    Ok(Ok(()))
}

/// Sets the counted paper votes of a project on the ballot (from the end
/// of voting on).
pub async fn set_paper_votes(
    tx: &mut TenantTx,
    actor: &Actor,
    project: Uuid,
    votes: i32,
) -> Outcome<()> {
    if !(0..=100_000_000).contains(&votes) {
        return Ok(Err(Refusal::Invalid("paper_votes", "number_invalid")));
    }
    let sql = format!(
        "SELECT p.on_ballot, {PHASE} AS phase FROM budget_projects p JOIN budgets b ON b.id = p.budget_id
         WHERE p.id = $1"
    );
    let row: Option<(bool, String)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(project)
        .fetch_optional(tx.conn())
        .await?;
    let Some((on_ballot, phase)) = row else {
        return Ok(Err(Refusal::NotFound));
    };
    if !on_ballot {
        return Ok(Err(Refusal::Invalid("project", "not_on_ballot")));
    }
    if !matches!(phase.as_str(), "balloting" | "tallying") {
        return Ok(Err(Refusal::Denied(Denied::PhaseClosed)));
    }
    sqlx::query("UPDATE budget_projects SET paper_votes = $2 WHERE id = $1")
        .bind(project)
        .bind(votes)
        .execute(tx.conn())
        .await?;
    audit(
        tx,
        actor,
        "budget.paper_votes",
        Some(&project.to_string()),
        json!({"paper_votes": votes}),
    )
    .await?;
    Ok(Ok(()))
}

/// The projects of a heading, by number.
pub async fn of_heading(tx: &mut TenantTx, heading: Uuid) -> Result<Vec<Project>, AccountError> {
    Ok(sqlx::query_as(
        "SELECT id, number, heading_id AS heading, title, description, location,
                coalesce(official_cost_cents, estimated_cost_cents) AS cost_cents, feasibility,
                feasibility_explanation, on_ballot, supports_count, paper_votes
         FROM budget_projects WHERE heading_id = $1 AND hidden_at IS NULL ORDER BY number",
    )
    .bind(heading)
    .fetch_all(tx.conn())
    .await?)
}
