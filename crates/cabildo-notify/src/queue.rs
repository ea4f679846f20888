//! The job queue seen from the worker and the operator: claiming jobs,
//! recording outcomes, listing and retrying. Jobs are added with
//! `cabildo_tenancy::NewJob` inside the transaction that causes them.

use cabildo_tenancy::{Tenancy, TenancyError, Tenant, TenantId};
use rand::Rng;
use serde_json::Value;
use std::time::Duration;
use uuid::Uuid;

/// A claimed job.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Job {
    /// Id.
    pub id: Uuid,
    /// The council it belongs to; the nil id for platform jobs (mail
    /// about a sign-up, before its council exists).
    pub tenant_id: Uuid,
    /// What to do.
    pub kind: String,
    /// Arguments.
    pub payload: Value,
    /// This attempt's number, from 1.
    pub attempts: i32,
    /// Attempts allowed.
    pub max_attempts: i32,
    /// The council's status when the job was claimed.
    pub tenant_status: String,
}

impl Job {
    /// The council.
    pub fn tenant(&self) -> TenantId {
        TenantId(self.tenant_id)
    }

    /// Whether it is the platform's own job, of no council.
    pub fn is_platform(&self) -> bool {
        self.tenant_id.is_nil()
    }

    /// Its council, as handlers need it: a council that no longer exists
    /// fails the job for good, a database that does not answer for now.
    pub async fn council(&self, tenancy: &Tenancy) -> Result<Tenant, crate::JobError> {
        tenancy
            .find_tenant_by_id(self.tenant())
            .await
            .map_err(|e| crate::JobError::Retry(e.to_string()))?
            .ok_or_else(|| crate::JobError::Permanent("the council no longer exists".into()))
    }
}

/// One line of `cabildo jobs list`.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct JobSummary {
    /// Id.
    pub id: Uuid,
    /// The council's slug.
    pub tenant: String,
    /// Kind.
    pub kind: String,
    /// queued, running, done, failed, dead or cancelled.
    pub status: String,
    /// Attempts made.
    pub attempts: i32,
    /// Next or last run.
    pub run_at: time::OffsetDateTime,
    /// Last error.
    pub last_error: Option<String>,
}

/// Backoff before attempt `attempt + 1`: exponential from 5 s, capped at
/// one hour, with ±20 % jitter so failed jobs do not retry in lockstep.
pub fn backoff(attempt: i32) -> Duration {
    let base = 5.0 * 2f64.powi(attempt.clamp(1, 20) - 1);
    let capped = base.min(3600.0);
    let jitter = rand::rng().random_range(0.8..1.2);
    Duration::from_secs_f64(capped * jitter)
}

/// How long a done or cancelled job is kept after it finished: a month of
/// recent work for operators' lists.
pub const KEEP_DONE: Duration = Duration::from_secs(30 * 24 * 3600);

/// How long a failed or dead job is kept after it finished: three months,
/// in which an operator may still look into it and retry it.
pub const KEEP_FAILED: Duration = Duration::from_secs(90 * 24 * 3600);

/// Jobs deleted per statement by [`Queue::forget_finished`].
pub const FORGET_BATCH: i64 = 10_000;

/// Queue operations on the shared pool.
#[derive(Clone)]
pub struct Queue {
    tenancy: Tenancy,
}

impl Queue {
    /// The queue of this deployment.
    pub fn new(tenancy: Tenancy) -> Self {
        Self { tenancy }
    }

    /// Claims up to `limit` due jobs for `worker`, skipping ones other
    /// workers hold. Jobs whose worker vanished (lease older than `lease`)
    /// are claimed again. Each comes with its council's status, so the
    /// worker can cancel jobs of archived councils instead of running them.
    pub async fn claim(
        &self,
        worker: &str,
        limit: i64,
        lease: Duration,
    ) -> Result<Vec<Job>, TenancyError> {
        let lease_secs = lease.as_secs_f64();
        let jobs = sqlx::query_as(
            "UPDATE platform.jobs SET status = 'running', attempts = attempts + 1,
                    locked_by = $1, locked_at = now()
             WHERE id IN (
                 SELECT id FROM platform.jobs
                 WHERE (status = 'queued' AND run_at <= now())
                    OR (status = 'running' AND locked_at < now() - make_interval(secs => $3))
                 ORDER BY run_at
                 LIMIT $2
                 FOR UPDATE SKIP LOCKED)
             RETURNING id, coalesce(tenant_id, '00000000-0000-0000-0000-000000000000') AS tenant_id,
                       kind, payload, attempts, max_attempts,
                       coalesce((SELECT status FROM platform.tenants t WHERE t.id = tenant_id), 'active')
                           AS tenant_status",
        )
        .bind(worker)
        .bind(limit)
        .bind(lease_secs)
        .fetch_all(self.tenancy.pool())
        .await?;
        Ok(jobs)
    }

    /// Renews the lease of jobs `worker` is still running, so that a long
    /// job is not mistaken for a lost one and run twice.
    pub async fn heartbeat(&self, worker: &str, ids: &[Uuid]) -> Result<(), TenancyError> {
        if ids.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "UPDATE platform.jobs SET locked_at = now()
             WHERE id = ANY($1) AND locked_by = $2 AND status = 'running'",
        )
        .bind(ids)
        .bind(worker)
        .execute(self.tenancy.pool())
        .await?;
        Ok(())
    }

    /// Marks jobs done, in one statement.
    pub async fn complete(&self, ids: &[Uuid]) -> Result<(), TenancyError> {
        sqlx::query(
            "UPDATE platform.jobs SET status = 'done', finished_at = now(), last_error = NULL,
                    locked_by = NULL, locked_at = NULL WHERE id = ANY($1)",
        )
        .bind(ids)
        .execute(self.tenancy.pool())
        .await?;
        Ok(())
    }

    /// Records a failure that may pass: the job runs again after a backoff,
    /// or is marked dead once out of attempts. Returns the new status.
    pub async fn retry_later(&self, job: &Job, error: &str) -> Result<&'static str, TenancyError> {
        let status = if job.attempts >= job.max_attempts {
            "dead"
        } else {
            "queued"
        };
        sqlx::query(
            "UPDATE platform.jobs SET status = $2, last_error = $3,
                    run_at = now() + make_interval(secs => $4),
                    finished_at = CASE WHEN $2 = 'dead' THEN now() END,
                    locked_by = NULL, locked_at = NULL WHERE id = $1",
        )
        .bind(job.id)
        .bind(status)
        .bind(truncate(error))
        .bind(backoff(job.attempts).as_secs_f64())
        .execute(self.tenancy.pool())
        .await?;
        Ok(status)
    }

    /// Records a failure that will not pass by retrying (a permanent SMTP
    /// refusal, an invalid address, a bad payload).
    pub async fn fail(&self, job: &Job, error: &str) -> Result<(), TenancyError> {
        sqlx::query(
            "UPDATE platform.jobs SET status = 'failed', last_error = $2, finished_at = now(),
                    locked_by = NULL, locked_at = NULL WHERE id = $1",
        )
        .bind(job.id)
        .bind(truncate(error))
        .execute(self.tenancy.pool())
        .await?;
        Ok(())
    }

    /// Cancels a claimed job whose council is archived.
    pub async fn cancel(&self, job: &Job, reason: &str) -> Result<(), TenancyError> {
        sqlx::query(
            "UPDATE platform.jobs SET status = 'cancelled', attempts = greatest(attempts - 1, 0),
                    last_error = $2, finished_at = now(), locked_by = NULL, locked_at = NULL
             WHERE id = $1",
        )
        .bind(job.id)
        .bind(reason)
        .execute(self.tenancy.pool())
        .await?;
        Ok(())
    }

    /// Gives claimed jobs back without counting the attempt (graceful
    /// shutdown).
    pub async fn release(&self, job: &Job) -> Result<(), TenancyError> {
        sqlx::query(
            "UPDATE platform.jobs SET status = 'queued', attempts = greatest(attempts - 1, 0),
                    locked_by = NULL, locked_at = NULL
             WHERE id = $1 AND status = 'running'",
        )
        .bind(job.id)
        .execute(self.tenancy.pool())
        .await?;
        Ok(())
    }

    /// Jobs, newest first: all unfinished and recent ones, or only dead and
    /// failed ones.
    pub async fn list(
        &self,
        only_failed: bool,
        limit: i64,
    ) -> Result<Vec<JobSummary>, TenancyError> {
        Ok(sqlx::query_as(
            "SELECT j.id, coalesce(t.slug, '(platform)') AS tenant, j.kind, j.status, j.attempts,
                    j.run_at, j.last_error
             FROM platform.jobs j LEFT JOIN platform.tenants t ON t.id = j.tenant_id
             WHERE NOT $1 OR j.status IN ('dead', 'failed')
             ORDER BY j.created_at DESC LIMIT $2",
        )
        .bind(only_failed)
        .bind(limit)
        .fetch_all(self.tenancy.pool())
        .await?)
    }

    /// Puts a dead, failed or cancelled job back in the queue with fresh
    /// attempts. Returns whether there was such a job.
    pub async fn retry(&self, id: Uuid) -> Result<bool, TenancyError> {
        let done = sqlx::query(
            "UPDATE platform.jobs SET status = 'queued', attempts = 0, run_at = now(), finished_at = NULL
             WHERE id = $1 AND status IN ('dead', 'failed', 'cancelled')",
        )
        .bind(id)
        .execute(self.tenancy.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Deletes the jobs finished longer ago than [`KEEP_DONE`] (done,
    /// cancelled) or [`KEEP_FAILED`] (failed, dead), up to [`FORGET_BATCH`]
    /// a statement so that no statement holds many rows locked; returns how
    /// many. Without it, a fleet of 10,000 councils would keep a few
    /// jobs per council and day for ever (digests, dashboard folds): about
    /// 7 million rows a year.
    ///
    /// A deleted job's unique key may be used again, and no key in use
    /// would bring a finished job back: each names its moment (a day, an
    /// hour, a meeting's start, a budget's end, whose jobs check that the
    /// moment still holds) or a row enqueued once (a notification, a
    /// newsletter's batch).
    pub async fn forget_finished(&self) -> Result<u64, TenancyError> {
        let mut forgotten = 0;
        loop {
            let done = sqlx::query(
                "DELETE FROM platform.jobs WHERE id IN (
                     SELECT id FROM platform.jobs
                     WHERE (status IN ('done', 'cancelled') AND finished_at < now() - make_interval(secs => $1))
                        OR (status IN ('failed', 'dead') AND finished_at < now() - make_interval(secs => $2))
                     LIMIT $3)",
            )
            .bind(KEEP_DONE.as_secs_f64())
            .bind(KEEP_FAILED.as_secs_f64())
            .bind(FORGET_BATCH)
            .execute(self.tenancy.pool())
            .await?
            .rows_affected();
            forgotten += done;
            if done < FORGET_BATCH as u64 {
                return Ok(forgotten);
            }
        }
    }

    /// Puts every dead job back in the queue; returns how many.
    pub async fn retry_all_dead(&self) -> Result<u64, TenancyError> {
        let done = sqlx::query(
            "UPDATE platform.jobs SET status = 'queued', attempts = 0, run_at = now(), finished_at = NULL
             WHERE status = 'dead'",
        )
        .execute(self.tenancy.pool())
        .await?;
        Ok(done.rows_affected())
    }
}

/// Errors are stored for operators; keep them short.
fn truncate(error: &str) -> String {
    error.chars().take(2000).collect()
}

#[cfg(test)]
mod tests {
    use super::backoff;
    use std::time::Duration;

    #[test]
    fn backoff_grows_exponentially_with_jitter_and_a_ceiling() {
        for _ in 0..100 {
            let first = backoff(1);
            assert!(
                first >= Duration::from_secs(4) && first <= Duration::from_secs(6),
                "{first:?}"
            );
            let fourth = backoff(4);
            assert!(
                fourth >= Duration::from_secs(32) && fourth <= Duration::from_secs(48),
                "{fourth:?}"
            );
            assert!(backoff(40) <= Duration::from_secs(4320));
        }
    }
}
