//! Execution tracking of winning projects: staff post dated updates (text,
//! optional photo, status and progress); the project shows the latest
//! status and progress, and its followers (its author among them) are told.

use super::tally;
use crate::content::{Change, Notice, Target, notify_followers, text};
use crate::error::{Error, Field, Problem, Refusal, Result};
use crate::ids::{HeadingId, ProjectId};
use crate::stored::stored;

use crate::staff::{Actor, audit};
use cabildo_tenancy::TenantTx;
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

stored! {
    /// Where a winner's execution stands.
    pub enum Status {
        /// Not started.
        Planned = "planned",
        /// Under way.
        InProgress = "in_progress",
        /// Finished.
        Done = "done",
    }
}

/// An update as staff type it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewUpdate {
    /// Status after it.
    pub status: Status,
    /// Progress in percent (a finished project is at 100).
    pub progress: i16,
    /// What happened.
    pub body: String,
    /// A stored photo's file name.
    pub image: Option<String>,
}

/// An update as everyone sees it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct Update {
    /// Id.
    pub id: Uuid,
    /// Status then.
    pub status: Status,
    /// Progress then.
    pub progress: i16,
    /// Text.
    pub body: String,
    /// Photo file name.
    pub image: Option<String>,
    /// When posted.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// The winners of a finished heading (project ids).
pub async fn winners(tx: &mut TenantTx, heading: HeadingId) -> Result<Vec<ProjectId>> {
    tally::finished(tx, heading, false).await?;
    let outcome = tally::published(tx, heading).await?.outcome;
    let numbers: Vec<i64> = outcome
        .selected
        .iter()
        .filter_map(|n| n.parse().ok())
        .collect();
    Ok(sqlx::query_scalar(
        "SELECT id FROM budget_projects WHERE heading_id = $1 AND number = ANY ($2) ORDER BY number",
    )
    .bind(heading)
    .bind(&numbers)
    .fetch_all(tx.conn())
    .await?)
}

/// Posts an update on a winning project of a finished budget and tells
/// its followers.
pub async fn post(
    tx: &mut TenantTx,
    actor: &Actor,
    project: ProjectId,
    new: &NewUpdate,
) -> Result<Vec<Notice>> {
    let body = text(&new.body, Field::Body, Problem::BodyInvalid, 1, 20_000)?;
    if !(0..=100).contains(&new.progress) {
        return Err(Error::invalid(Field::Progress, Problem::PercentInvalid));
    }
    let progress = if new.status == Status::Done {
        100
    } else {
        new.progress
    };
    // Updates of one project take turns.
    let row: Option<(HeadingId, String)> = sqlx::query_as(
        "SELECT heading_id, title FROM budget_projects WHERE id = $1 AND hidden_at IS NULL FOR UPDATE",
    )
    .bind(project)
    .fetch_optional(tx.conn())
    .await?;
    let Some((heading, title)) = row else {
        return Err(Refusal::NotFound.into());
    };
    if !winners(tx, heading).await?.contains(&project) {
        return Err(Error::invalid(Field::Project, Problem::NotAWinner));
    }
    sqlx::query(
        "INSERT INTO budget_project_updates (project_id, body, image, status, progress)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(project)
    .bind(&body)
    .bind(&new.image)
    .bind(new.status.as_str())
    .bind(progress)
    .execute(tx.conn())
    .await?;
    sqlx::query("UPDATE budget_projects SET execution_status = $2, progress = $3 WHERE id = $1")
        .bind(project)
        .bind(new.status.as_str())
        .bind(progress)
        .execute(tx.conn())
        .await?;
    audit(
        tx,
        actor,
        "budget.project_update",
        Some(&project.to_string()),
        json!({"status": new.status.as_str(), "progress": progress, "image": new.image.is_some()}),
    )
    .await?;
    notify_followers(
        tx,
        Target::Project(project),
        &[],
        "project.update",
        &title,
        &format!("/budget-projects/{project}"),
        &Change::new(Some(new.status.as_str()), &new.body),
    )
    .await
}

/// A project's updates, newest first.
pub async fn updates(tx: &mut TenantTx, project: ProjectId) -> Result<Vec<Update>> {
    Ok(sqlx::query_as(
        "SELECT id, status, progress, body, image, created_at FROM budget_project_updates
         WHERE project_id = $1 ORDER BY created_at DESC, id LIMIT 200",
    )
    .bind(project)
    .fetch_all(tx.conn())
    .await?)
}
