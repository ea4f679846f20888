//! The tenant transaction: the only way to touch council data.

use crate::Tenancy;
use crate::error::Result;
use crate::tenant::{Tenant, TenantId};
use sqlx::{PgConnection, Postgres, Transaction};
use tracing::Instrument;

/// A transaction scoped to one council: `search_path` is its schema alone
/// and the role is its role, both transaction-local, so the pooled
/// connection carries nothing into the next checkout. A query naming
/// another council's schema fails with "permission denied".
///
/// Dropping it without [`TenantTx::commit`] rolls back.
pub struct TenantTx {
    tx: Transaction<'static, Postgres>,
    tenant: TenantId,
}

impl Tenancy {
    /// Opens a tenant transaction for `tenant`, in one round trip: `BEGIN`
    /// and the two `set_config(…, true)` calls go as one simple query.
    pub async fn begin(&self, tenant: &Tenant) -> Result<TenantTx> {
        // Both names are built by this crate from a validated slug
        // (`[a-z0-9_]` only), so embedding them is safe; a simple query
        // cannot carry bind parameters.
        let statement = format!(
            "BEGIN; SELECT set_config('search_path', '{}', true), set_config('role', '{}', true)",
            tenant.schema.as_str(),
            tenant.role.as_str()
        );
        let tx = self
            .pool()
            .begin_with(sqlx::AssertSqlSafe(statement))
            .instrument(tracing::debug_span!("tenant.begin", tenant = %tenant.slug))
            .await?;
        Ok(TenantTx {
            tx,
            tenant: tenant.id,
        })
    }
}

impl TenantTx {
    /// The connection, for store functions (unqualified table names).
    pub fn conn(&mut self) -> &mut PgConnection {
        &mut self.tx
    }

    /// The council this transaction belongs to.
    pub fn tenant(&self) -> TenantId {
        self.tenant
    }

    /// Commits.
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }

    /// Rolls back explicitly.
    pub async fn rollback(self) -> Result<()> {
        self.tx.rollback().await?;
        Ok(())
    }
}
