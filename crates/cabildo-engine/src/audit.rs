//! The audit log: who did what to which subject, written in the same
//! transaction as the change it records.

use crate::error::Result;
use cabildo_tenancy::TenantTx;

/// Who acts, as written in the audit log: `user:<id>` for a council
/// account, `cli` for the operator's command line, `platform:<email>` for
/// consultants and operators.
#[derive(Clone, Debug)]
pub struct Actor(pub String);

impl Actor {
    /// A council account.
    pub fn user(id: crate::ids::UserId) -> Self {
        Self(format!("user:{id}"))
    }
}

/// Records a staff action.
pub async fn audit(
    tx: &mut TenantTx,
    actor: &Actor,
    action: &str,
    subject: Option<&str>,
    details: serde_json::Value,
) -> Result<()> {
    sqlx::query("INSERT INTO audit_log (actor, action, subject, details) VALUES ($1, $2, $3, $4)")
        .bind(&actor.0)
        .bind(action)
        .bind(subject)
        .bind(details)
        .execute(tx.conn())
        .await?;
    Ok(())
}
