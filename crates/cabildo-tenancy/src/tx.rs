//! The tenant transaction: the only way to touch council data.

use crate::Tenancy;
use crate::error::Result;
use crate::jobs::{self, NewJob};
use crate::pools::group::PooledConn;
use crate::tenant::{Tenant, TenantId};
use sqlx::PgConnection;
use tracing::Instrument;

/// A transaction scoped to one council: `search_path` is its schema alone
/// and the role is its role, both transaction-local, so the pooled
/// connection carries nothing into the next checkout. A query naming
/// another council's schema fails with "permission denied".
///
/// Dropping it without [`TenantTx::commit`] rolls back.
///
/// We manage `BEGIN`/`COMMIT` ourselves rather than through
/// `sqlx::Transaction`: sqlx 0.9 counts a transaction as open only once
/// `BEGIN` has been answered, so a future dropped mid-`BEGIN` (a client
/// hanging up) or a `BEGIN` whose statement failed went back to the pool
/// with the server still inside the transaction — and the next checkout
/// ran as this council, or in an aborted transaction. Here the connection
/// counts as dirty from before `BEGIN` is sent until `COMMIT` or
/// `ROLLBACK` has been answered, and a dirty connection is rolled back
/// before it is reused (or closed if that fails).
///
/// Do not open a nested sqlx transaction on [`TenantTx::conn`]: its
/// `COMMIT` would end this one.
pub struct TenantTx {
    conn: Option<PooledConn>,
    dirty: bool,
    /// Close the connection instead of returning it (see `pools`).
    retire: bool,
    tenant: TenantId,
    /// What the council's plan allows (`None`: everything).
    entitlements: Option<std::sync::Arc<crate::entitlements::Entitlements>>,
    /// Jobs to write with the `COMMIT`.
    pub(crate) jobs: Vec<NewJob>,
    tenancy: Tenancy,
}

impl Tenancy {
    /// Opens a tenant transaction for `tenant`, in one round trip: `BEGIN`
    /// and the settings (`set_config(…, true)`, or `SET LOCAL` on Citus) go
    /// as one simple query.
    pub async fn begin(&self, tenant: &Tenant) -> Result<TenantTx> {
        let mut tx = self.checkout(tenant).await?;
        let scope = self.scope(tenant);
        let span = tracing::debug_span!("tenant.begin", tenant = %tenant.slug);
        let rows = sqlx::raw_sql(sqlx::AssertSqlSafe(scope.statement))
            .fetch_all(tx.conn())
            .instrument(span)
            .await?;
        if scope.pid {
            tx.note_backend(rows.last())?;
        }
        Ok(tx)
    }

    /// Runs one `statement` in a transaction of `tenant` and commits, all
    /// in a single round trip (`BEGIN`, the council's scope, the statement
    /// and `COMMIT` go as one simple query), returning its rows. For the
    /// lookups nearly every request makes (a session, a token), where the
    /// three round trips of [`Tenancy::transaction`] are most of the cost.
    ///
    /// A simple query carries no bind parameters: `statement` may embed
    /// only values this process made and knows the form of (a digest in
    /// hex, a number), never text a visitor sent.
    pub async fn read_at_once(
        &self,
        tenant: &Tenant,
        statement: sqlx::AssertSqlSafe<String>,
    ) -> Result<Vec<sqlx::postgres::PgRow>> {
        use futures_util::TryStreamExt;
        let mut tx = self.checkout(tenant).await?;
        let scope = self.scope(tenant);
        let whole = format!("{}; {}; COMMIT", scope.statement, statement.0);
        let span = tracing::debug_span!("tenant.read_at_once", tenant = %tenant.slug);
        // Each statement's end comes back as a result; the rows between the
        // scope's results and the next one are the statement's.
        let mut ended = 0;
        let mut pid = None;
        let mut rows = Vec::new();
        {
            let mut stream = sqlx::raw_sql(sqlx::AssertSqlSafe(whole)).fetch_many(tx.conn());
            while let Some(item) = stream.try_next().instrument(span.clone()).await? {
                match item {
                    sqlx::Either::Left(_) => ended += 1,
                    sqlx::Either::Right(row) if ended == scope.statements => rows.push(row),
                    sqlx::Either::Right(row) if scope.pid && ended + 1 == scope.statements => {
                        pid = Some(row);
                    }
                    sqlx::Either::Right(_) => {}
                }
            }
        }
        // `COMMIT` was answered: the connection goes back clean.
        tx.dirty = false;
        if scope.pid {
            tx.note_backend(pid.as_ref())?;
        }
        Ok(rows)
    }

    /// A connection of `tenant`'s pool, held as a transaction not yet
    /// begun (dirty until one ends, so dropping it rolls back).
    async fn checkout(&self, tenant: &Tenant) -> Result<TenantTx> {
        let conn = self.inner.pools.for_council(tenant.id).acquire().await?;
        Ok(TenantTx {
            conn: Some(conn),
            dirty: true,
            retire: false,
            tenant: tenant.id,
            entitlements: tenant.entitlements.clone(),
            jobs: Vec::new(),
            tenancy: self.clone(),
        })
    }

    /// `BEGIN` and the council's scope as one simple query, ending with
    /// `SELECT pg_backend_pid()` when the pools recycle backends.
    fn scope(&self, tenant: &Tenant) -> Scope {
        // Both names are built by this crate from a validated slug
        // (`[a-z0-9_]` only), so embedding them is safe; a simple query
        // cannot carry bind parameters.
        let (schema, role) = (tenant.schema.as_str(), tenant.role.as_str());
        let (mut statement, mut statements) = if self.inner.citus {
            // `SET LOCAL` commands, unlike `set_config`, go on to the worker
            // with the queries, where the council's functions and triggers
            // run and name its tables without a schema. Those functions
            // read the council's own tables, on the same worker: a query
            // Citus calls nested and refuses unless told.
            (
                format!(
                    "BEGIN; SET LOCAL citus.propagate_set_commands TO 'local'; \
                     SET LOCAL citus.allow_nested_distributed_execution TO on; \
                     SET LOCAL search_path TO {schema}; SET LOCAL ROLE {role}"
                ),
                5,
            )
        } else {
            (
                format!(
                    "BEGIN; SELECT set_config('search_path', '{schema}', true), set_config('role', '{role}', true)"
                ),
                2,
            )
        };
        let pid = self.inner.pools.recycles();
        if pid {
            // The backend's process id comes back in the same round trip.
            statement.push_str("; SELECT pg_backend_pid()");
            statements += 1;
        }
        Scope {
            statement,
            statements,
            pid,
        }
    }
}

/// What [`Tenancy::scope`] sends.
struct Scope {
    statement: String,
    /// How many statements it holds.
    statements: usize,
    /// Whether it ends with the backend's process id.
    pid: bool,
}

impl TenantTx {
    /// What the council's plan allows, for the rules that enforce it;
    /// `None` when it was never put on a plan (everything is allowed).
    pub fn entitlements(&self) -> Option<&crate::entitlements::Entitlements> {
        self.entitlements.as_deref()
    }

    /// The council's plan's `limit` (`None`: no limit), for rules that
    /// count only when there is one.
    pub fn limit(&self, limit: crate::entitlements::Limit) -> Option<u32> {
        self.entitlements().and_then(|e| e.limits.get(limit))
    }

    /// Whether the council's plan meets `need`: `Err(need)` when not.
    pub fn within_plan(
        &self,
        need: crate::entitlements::Need,
    ) -> Result<(), crate::entitlements::Need> {
        crate::entitlements::check(self.entitlements(), need)
    }

    /// The connection, for store functions (unqualified table names).
    pub fn conn(&mut self) -> &mut PgConnection {
        match self.conn.as_mut() {
            Some(conn) => conn,
            // `conn` is only taken in `drop`.
            None => unreachable!("tenant transaction used after drop"),
        }
    }

    /// The council this transaction belongs to.
    pub fn tenant(&self) -> TenantId {
        self.tenant
    }

    /// Notes which backend serves this transaction (its process id in
    /// `row`), to be retired once it has served enough councils.
    fn note_backend(&mut self, row: Option<&sqlx::postgres::PgRow>) -> Result<()> {
        let pid: i32 = match row {
            Some(row) => sqlx::Row::try_get(row, 0)?,
            None => return Err(sqlx::Error::RowNotFound.into()),
        };
        self.retire = self.tenancy.inner.pools.serving(pid, self.tenant);
        Ok(())
    }

    /// Commits, writing the enqueued jobs in the same round trip, then
    /// wakes the workers.
    pub async fn commit(mut self) -> Result<()> {
        if self.jobs.is_empty() {
            return self.finish("COMMIT").await;
        }
        let statement = format!("{}; COMMIT", jobs::insert_statement(&self.jobs)?);
        // If the INSERT fails, the server skips the COMMIT and the
        // transaction stays open (aborted): the connection is left dirty so
        // that dropping `self` rolls it back. After a COMMIT, that ROLLBACK
        // is a harmless no-op.
        sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
            .execute(self.conn())
            .await?;
        self.dirty = false;
        self.tenancy.jobs_added();
        Ok(())
    }

    /// Rolls back explicitly.
    pub async fn rollback(mut self) -> Result<()> {
        self.finish("ROLLBACK").await
    }

    async fn finish(&mut self, statement: &'static str) -> Result<()> {
        let result = sqlx::raw_sql(statement).execute(self.conn()).await;
        // Once the server has answered, the transaction block is over
        // whatever the answer (a failed COMMIT rolls back). Only a broken
        // connection leaves it unknown; the pool discards those.
        if !matches!(result, Err(sqlx::Error::Io(_))) {
            self.dirty = false;
        }
        result?;
        Ok(())
    }
}

impl Drop for TenantTx {
    fn drop(&mut self) {
        let Some(mut conn) = self.conn.take() else {
            return;
        };
        if self.retire {
            // Closing also ends any transaction still open on the server.
            conn.close_on_drop();
            return;
        }
        if !self.dirty {
            return; // back to the pool as is
        }
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    // `execute` first drains whatever the abandoned statement
                    // left in flight. If the BEGIN was never sent, the server
                    // answers with a harmless "no transaction" warning.
                    if sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await.is_err() {
                        conn.close_on_drop();
                    }
                });
            }
            Err(_) => conn.close_on_drop(),
        }
    }
}

impl Tenancy {
    /// Runs `work` in a transaction of `tenant`; commits only when it
    /// returns `Ok` (an `Err` rolls back).
    pub async fn transaction<T, E, F>(&self, tenant: &Tenant, work: F) -> std::result::Result<T, E>
    where
        F: AsyncFnOnce(&mut TenantTx) -> std::result::Result<T, E>,
        E: From<crate::TenancyError>,
    {
        let mut tx = self.begin(tenant).await?;
        let value = work(&mut tx).await?;
        tx.commit().await?;
        Ok(value)
    }
}

impl TenantTx {
    /// Adds a job for this council, committed or rolled back with the rest
    /// of the transaction. Jobs are written by [`TenantTx::commit`] in the
    /// same round trip as the `COMMIT`, so enqueuing costs the transaction
    /// no extra round trip; a job whose unique key this council already used
    /// is left out. The council is taken from the transaction's role, never
    /// from the caller; an invalid job (kind, key, attempts) fails the
    /// commit, and with it the change.
    pub fn enqueue(&mut self, job: &NewJob) {
        self.jobs.push(job.clone());
    }
}
