//! Supports for budget projects in the selecting phase: one per person and
//! project, at most the budget's `max_supports` per person and heading,
//! with the same rules as voting (who may, which district). A person's
//! supports in a heading take turns on a transaction lock, so parallel
//! clicks never pass the limit; the counter moves in the same transaction.

use super::ballots::{Facts, denied, facts};
use crate::error::{Error, Field, Problem, Refusal, Result};
use crate::ids::{HeadingId, ProjectId, UserId};
use cabildo_tenancy::TenantTx;

/// The phase in which people support projects.
const SELECTING: &str = "selecting";

/// What a support is about: the project's heading and whether it may be
/// supported (feasible and shown).
async fn project_facts(
    tx: &mut TenantTx,
    user: UserId,
    project: ProjectId,
) -> Result<(HeadingId, Facts)> {
    let row: Option<(HeadingId, bool)> = sqlx::query_as(
        "SELECT heading_id, feasibility = 'feasible' AND hidden_at IS NULL FROM budget_projects WHERE id = $1",
    )
    .bind(project)
    .fetch_optional(tx.conn())
    .await?;
    let Some((heading, supportable)) = row else {
        return Err(Refusal::NotFound.into());
    };
    let Some(facts) = facts(tx, user, heading).await? else {
        return Err(Refusal::NotFound.into());
    };
    if let Some(denied) = denied(&facts, SELECTING) {
        return Err(denied.into());
    }
    if !supportable {
        return Err(Error::invalid(Field::Project, Problem::NotFeasible));
    }
    Ok((heading, facts))
}

/// Takes the person's turn for supports in a heading.
async fn take_turn(tx: &mut TenantTx, user: UserId, heading: HeadingId) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1::text || $2::text, 0))")
        .bind(user)
        .bind(heading)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Supports a project (safe to repeat) → the project's supports.
pub async fn support(tx: &mut TenantTx, user: UserId, project: ProjectId) -> Result<i32> {
    let (heading, facts) = project_facts(tx, user, project).await?;
    take_turn(tx, user, heading).await?;
    let (given, already): (i64, bool) = sqlx::query_as(
        "SELECT count(*), coalesce(bool_or(project_id = $3), false)
         FROM budget_supports WHERE user_id = $1 AND heading_id = $2",
    )
    .bind(user)
    .bind(heading)
    .bind(project)
    .fetch_one(tx.conn())
    .await?;
    if !already
        && facts
            .max_supports
            .is_some_and(|max| given >= i64::from(max))
    {
        return Err(Error::invalid(Field::Project, Problem::TooManySupports));
    }
    let count: i32 = sqlx::query_scalar(
        "WITH added AS (INSERT INTO budget_supports (project_id, user_id, heading_id) VALUES ($1, $2, $3)
                        ON CONFLICT DO NOTHING RETURNING project_id)
         UPDATE budget_projects p SET supports_count = p.supports_count + (SELECT count(*) FROM added)::integer
         WHERE p.id = $1 RETURNING p.supports_count",
    )
    .bind(project)
    .bind(user)
    .bind(heading)
    .fetch_one(tx.conn())
    .await?;
    Ok(count)
}

/// Takes a support back while supports are open → the project's supports.
pub async fn unsupport(tx: &mut TenantTx, user: UserId, project: ProjectId) -> Result<i32> {
    let (heading, _) = project_facts(tx, user, project).await?;
    take_turn(tx, user, heading).await?;
    let count: i32 = sqlx::query_scalar(
        "WITH gone AS (DELETE FROM budget_supports WHERE project_id = $1 AND user_id = $2 RETURNING project_id)
         UPDATE budget_projects p SET supports_count = p.supports_count - (SELECT count(*) FROM gone)::integer
         WHERE p.id = $1 RETURNING p.supports_count",
    )
    .bind(project)
    .bind(user)
    .fetch_one(tx.conn())
    .await?;
    Ok(count)
}

/// The projects of a heading that `user` supports.
pub async fn of_person(
    tx: &mut TenantTx,
    user: UserId,
    heading: HeadingId,
) -> Result<Vec<ProjectId>> {
    Ok(sqlx::query_scalar(
        "SELECT project_id FROM budget_supports WHERE user_id = $1 AND heading_id = $2",
    )
    .bind(user)
    .bind(heading)
    .fetch_all(tx.conn())
    .await?)
}
