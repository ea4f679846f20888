//! Enqueuing jobs into `platform.jobs` in the same transaction as the
//! change that causes them. Running them is `cabildo-notify`'s business.

use crate::Tenancy;
use crate::error::Result;
use crate::tenant::TenantId;
use crate::tx::TenantTx;
use serde_json::Value;
use time::OffsetDateTime;

/// A job to enqueue.
#[derive(Clone, Debug)]
pub struct NewJob {
    /// What to do, e.g. `email.send` (lowercase, dots and underscores).
    pub kind: String,
    /// Arguments, as JSON.
    pub payload: Value,
    /// When set, a second job with the same key for the same council is not
    /// added (the first one stands, whatever its state).
    pub unique_key: Option<String>,
    /// Not before this time (default: now).
    pub run_at: Option<OffsetDateTime>,
    /// Attempts before the job is marked dead (default 8).
    pub max_attempts: Option<i32>,
}

impl NewJob {
    /// A job of `kind` with `payload`, to run now.
    pub fn new(kind: &str, payload: Value) -> Self {
        Self {
            kind: kind.to_owned(),
            payload,
            unique_key: None,
            run_at: None,
            max_attempts: None,
        }
    }

    /// With a unique key.
    pub fn unique(mut self, key: impl Into<String>) -> Self {
        self.unique_key = Some(key.into());
        self
    }

    /// Not before `at`.
    pub fn at(mut self, at: OffsetDateTime) -> Self {
        self.run_at = Some(at);
        self
    }

    /// At most `attempts` attempts.
    pub fn max_attempts(mut self, attempts: i32) -> Self {
        self.max_attempts = Some(attempts);
        self
    }
}

/// No conflict target: naming one needs SELECT on its columns, which would
/// let a council read other councils' job keys. The only unique index
/// besides the random primary key is the unique key's.
const INSERT: &str = "INSERT INTO platform.jobs (kind, payload, unique_key, max_attempts, run_at)
    VALUES ($1, $2, $3, COALESCE($4, 8), COALESCE($5, now()))
    ON CONFLICT DO NOTHING";

impl TenantTx {
    /// Adds a job for this council, committed or rolled back with the rest
    /// of the transaction. Returns false when a job with the same unique key
    /// already exists. The council is taken from the transaction's role,
    /// never from the caller.
    pub async fn enqueue(&mut self, job: &NewJob) -> Result<bool> {
        let done = sqlx::query(INSERT)
            .bind(&job.kind)
            .bind(&job.payload)
            .bind(&job.unique_key)
            .bind(job.max_attempts)
            .bind(job.run_at)
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected() == 1)
    }
}

impl Tenancy {
    /// Adds a job for `tenant` outside any council transaction (schedulers,
    /// the CLI). Returns false when the unique key already exists.
    pub async fn enqueue_for(&self, tenant: TenantId, job: &NewJob) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO platform.jobs (tenant_id, kind, payload, unique_key, max_attempts, run_at)
             VALUES ($1, $2, $3, $4, COALESCE($5, 8), COALESCE($6, now()))
             ON CONFLICT (tenant_id, unique_key) WHERE unique_key IS NOT NULL DO NOTHING",
        )
        .bind(tenant.0)
        .bind(&job.kind)
        .bind(&job.payload)
        .bind(&job.unique_key)
        .bind(job.max_attempts)
        .bind(job.run_at)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
