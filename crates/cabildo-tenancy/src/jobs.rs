//! Enqueuing jobs into `platform.jobs` in the same transaction as the
//! change that causes them. Running them is `cabildo-notify`'s business.

use crate::Tenancy;
use crate::error::{Result, TenancyError};
use crate::tenant::TenantId;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::sync::Notify;

/// Job kind of a single email, sent by `cabildo-notify`. Any crate may
/// enqueue one with [`EmailRequest::job`].
pub const EMAIL_KIND: &str = "email.send";

/// The payload of an `email.send` job.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailRequest {
    /// Recipient address.
    pub to: String,
    /// Recipient name, if known.
    #[serde(default)]
    pub name: Option<String>,
    /// Recipient's language; the council's default when absent or not
    /// offered by the council.
    #[serde(default)]
    pub language: Option<String>,
    /// Which template (`message`, `digest`, `account` …; see
    /// `cabildo-notify`).
    pub template: String,
    /// The template's variables.
    pub vars: serde_json::Value,
    /// For mail about notifications: the person, so the message carries a
    /// signed one-click link to stop notification emails.
    #[serde(default)]
    pub unsubscribe_user: Option<uuid::Uuid>,
}

impl EmailRequest {
    /// The job that sends this email.
    pub fn job(&self) -> NewJob {
        NewJob::new(EMAIL_KIND, serde_json::to_value(self).unwrap_or_default())
    }
}

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

/// The statement that writes `jobs` from inside a council's transaction.
///
/// No conflict target: naming one needs SELECT on its columns, which would
/// let a council read other councils' job keys. The only unique index
/// besides the random primary key is the unique key's.
///
/// Values are embedded as literals because the statement travels with the
/// `COMMIT` as one simple query, which cannot carry bind parameters.
pub(crate) fn insert_statement(jobs: &[NewJob]) -> Result<String> {
    let mut rows = Vec::with_capacity(jobs.len());
    for job in jobs {
        let payload = serde_json::to_string(&job.payload)
            .map_err(|e| TenancyError::invalid("job payload", e.to_string()))?;
        let unique_key = match &job.unique_key {
            Some(key) => literal(key)?,
            None => "NULL".to_owned(),
        };
        let run_at = match job.run_at {
            Some(at) => format!(
                "{}::timestamptz",
                literal(
                    &at.format(&Rfc3339)
                        .map_err(|e| { TenancyError::invalid("job run_at", e.to_string()) })?
                )?
            ),
            None => "now()".to_owned(),
        };
        rows.push(format!(
            "({}, {}::jsonb, {}, {}, {})",
            literal(&job.kind)?,
            literal(&payload)?,
            unique_key,
            job.max_attempts.unwrap_or(DEFAULT_MAX_ATTEMPTS),
            run_at
        ));
    }
    Ok(format!(
        "INSERT INTO platform.jobs (kind, payload, unique_key, max_attempts, run_at) VALUES {} ON CONFLICT DO NOTHING",
        rows.join(", ")
    ))
}

/// Attempts of a job that does not say: with the worker's backoff (5 s
/// doubling to an hour, ±20 %) a job waits out an outage of at least 1 h
/// 56 min (a mail relay down, a database failover) before it is dead and
/// needs `cabildo jobs retry`. Eight attempts gave up after about nine
/// minutes, which the SMTP drill showed loses mail in a short outage.
const DEFAULT_MAX_ATTEMPTS: i32 = 12;

/// `value` as an escape string constant (`E'…'`), whose meaning does not
/// depend on `standard_conforming_strings`. PostgreSQL text cannot hold NUL.
fn literal(value: &str) -> Result<String> {
    if value.contains('\0') {
        return Err(TenancyError::invalid(
            "job",
            "text cannot contain a NUL character",
        ));
    }
    Ok(format!(
        "E'{}'",
        value.replace('\\', "\\\\").replace('\'', "''")
    ))
}

/// Redis channel on which committed jobs are announced to workers.
fn channel(tenancy: &Tenancy) -> String {
    format!("cabildo:{}:jobs-added", tenancy.namespace())
}

/// Wakes workers when jobs may have been added: directly within this
/// process, and through Redis in others. Without Redis, workers in other
/// processes find the jobs at their next poll.
pub struct JobsWatch {
    added: Arc<Notify>,
    subscription: Option<tokio::task::JoinHandle<()>>,
}

impl JobsWatch {
    /// Resolves when jobs were added since the last call (or the
    /// subscription was re-established, as announcements may have been
    /// missed meanwhile).
    pub async fn added(&self) {
        self.added.notified().await;
    }
}

impl Drop for JobsWatch {
    fn drop(&mut self) {
        if let Some(subscription) = self.subscription.take() {
            subscription.abort();
        }
    }
}

impl Tenancy {
    /// Adds a job for `tenant` outside any council transaction (schedulers,
    /// the CLI). Returns false when the unique key already exists.
    pub async fn enqueue_for(&self, tenant: TenantId, job: &NewJob) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO platform.jobs (tenant_id, kind, payload, unique_key, max_attempts, run_at)
             VALUES ($1, $2, $3, $4, $5, COALESCE($6, now()))
             ON CONFLICT (tenant_id, unique_key) WHERE unique_key IS NOT NULL DO NOTHING",
        )
        .bind(tenant.0)
        .bind(&job.kind)
        .bind(&job.payload)
        .bind(&job.unique_key)
        .bind(job.max_attempts.unwrap_or(DEFAULT_MAX_ATTEMPTS))
        .bind(job.run_at)
        .execute(self.pool())
        .await?;
        let added = done.rows_affected() == 1;
        if added {
            self.jobs_added();
        }
        Ok(added)
    }

    /// Adds a platform job (of no council, e.g. mail about a sign-up) on
    /// `conn`, in the transaction of the change that causes it; call
    /// [`Tenancy::jobs_committed`] after committing. Unique keys do not
    /// apply to platform jobs.
    pub async fn enqueue_platform(conn: &mut sqlx::PgConnection, job: &NewJob) -> Result<()> {
        sqlx::query(
            "INSERT INTO platform.jobs (tenant_id, kind, payload, max_attempts, run_at)
             VALUES (NULL, $1, $2, $3, COALESCE($4, now()))",
        )
        .bind(&job.kind)
        .bind(&job.payload)
        .bind(job.max_attempts.unwrap_or(DEFAULT_MAX_ATTEMPTS))
        .bind(job.run_at)
        .execute(conn)
        .await?;
        Ok(())
    }

    /// Tells workers that jobs committed outside a council transaction
    /// (see [`Tenancy::enqueue_platform`]) are waiting.
    pub fn jobs_committed(&self) {
        self.jobs_added();
    }

    /// Tells workers that jobs were committed: at once in this process;
    /// through Redis for the others, sent in the background so that no
    /// transaction waits for it. While one announcement is on its way,
    /// further commits add at most one more after it (workers claim after
    /// each, so nothing committed meanwhile waits for the next poll). A
    /// process that exits right after committing may not get to announce:
    /// workers then find the job at their next poll.
    pub(crate) fn jobs_added(&self) {
        self.inner.jobs_added.notify_one();
        let Some(cache) = self.cache().cloned() else {
            return;
        };
        {
            let mut announcing = self
                .inner
                .announcing
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            if announcing.0 {
                announcing.1 = true;
                return;
            }
            *announcing = (true, false);
        }
        let tenancy = self.clone();
        tokio::spawn(async move {
            let channel = channel(&tenancy);
            loop {
                cache.publish(&channel, "").await;
                let mut announcing = tenancy
                    .inner
                    .announcing
                    .lock()
                    .unwrap_or_else(|e| e.into_inner());
                if announcing.1 {
                    announcing.1 = false;
                } else {
                    announcing.0 = false;
                    return;
                }
            }
        });
    }

    /// Starts listening for added jobs (workers).
    pub fn watch_jobs(&self) -> JobsWatch {
        let added = self.inner.jobs_added.clone();
        let subscription = self.cache().map(|cache| {
            let added = added.clone();
            cache.subscribe(channel(self), move |_| added.notify_one())
        });
        JobsWatch {
            added,
            subscription,
        }
    }
}
