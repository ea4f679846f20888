//! Following processes, debates, proposals and budget projects:
//! followers hear of new comments, status changes, answers, feasibility
//! reviews and execution updates. Authors follow what they write
//! and what they comment on.

use crate::content::Target;
use crate::error::{Refusal, Result};
use crate::ids::UserId;
use cabildo_tenancy::TenantTx;

/// Makes `user` follow `target` (nothing if they already do).
pub(crate) async fn follow(tx: &mut TenantTx, user: UserId, target: Target) -> Result<()> {
    sqlx::query(
        "INSERT INTO follows (user_id, target_kind, target_id) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
    )
    .bind(user)
    .bind(target.kind())
    .bind(target.id())
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// `user` follows (`true`) or stops following `target`, which must exist
/// and be visible.
pub async fn set(tx: &mut TenantTx, user: UserId, target: Target, on: bool) -> Result<()> {
    let sql = match target {
        Target::Process(_) => {
            "SELECT EXISTS (SELECT 1 FROM processes WHERE id = $1 AND status = 'published')"
        }
        Target::Debate(_) => {
            "SELECT EXISTS (SELECT 1 FROM debates WHERE id = $1 AND hidden_at IS NULL)"
        }
        Target::Proposal(_) => {
            "SELECT EXISTS (SELECT 1 FROM proposals WHERE id = $1 AND hidden_at IS NULL)"
        }
        Target::Project(_) => {
            "SELECT EXISTS (SELECT 1 FROM budget_projects j JOIN budgets b ON b.id = j.budget_id
                            JOIN processes p ON p.id = b.process_id
                            WHERE j.id = $1 AND j.hidden_at IS NULL AND p.status = 'published')"
        }
        Target::Meeting(_) => {
            "SELECT EXISTS (SELECT 1 FROM meetings m LEFT JOIN processes p ON p.id = m.process_id
                            LEFT JOIN assemblies a ON a.id = m.assembly_id
                            WHERE m.id = $1 AND m.published_at IS NOT NULL
                              AND (p.status = 'published' OR a.published_at IS NOT NULL))"
        }
    };
    let exists: bool = sqlx::query_scalar(sql)
        .bind(target.id())
        .fetch_one(tx.conn())
        .await?;
    if !exists {
        return Err(Refusal::NotFound.into());
    }
    if on {
        follow(tx, user, target).await?;
    } else {
        sqlx::query(
            "DELETE FROM follows WHERE user_id = $1 AND target_kind = $2 AND target_id = $3",
        )
        .bind(user)
        .bind(target.kind())
        .bind(target.id())
        .execute(tx.conn())
        .await?;
    }
    Ok(())
}

/// Whether `user` follows `target`.
pub async fn follows(tx: &mut TenantTx, user: UserId, target: Target) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM follows WHERE user_id = $1 AND target_kind = $2 AND target_id = $3)",
    )
    .bind(user)
    .bind(target.kind())
    .bind(target.id())
    .fetch_one(tx.conn())
    .await?)
}
