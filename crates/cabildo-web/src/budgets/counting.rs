//! The worker's handler of `budget.count` jobs: once a budget finishes,
//! each of its headings is counted and published (see
//! `cabildo_engine::budgets::tally`). Many councils closing the same
//! evening are counted as the worker's concurrency allows, each heading in
//! a transaction of its own, so that staff see the headings published one
//! by one.

use cabildo_engine::budgets::tally;
use cabildo_engine::{BudgetId, Error, Problem, Refusal};
use cabildo_notify::{Handler, Job, JobError, JobFuture};
use cabildo_tenancy::Tenancy;

/// Runs `budget.count` jobs.
pub struct BudgetCounts {
    tenancy: Tenancy,
}

impl BudgetCounts {
    /// The handler, working on `tenancy`.
    pub fn new(tenancy: Tenancy) -> Self {
        Self { tenancy }
    }

    async fn count(&self, job: &Job) -> Result<(), JobError> {
        let invalid = || JobError::Permanent("invalid budget count job".into());
        let budget: BudgetId = (job.payload["budget"].as_str())
            .and_then(|s| s.parse().ok())
            .ok_or_else(invalid)?;
        let finished_at = job.payload["finished_at"].as_i64().ok_or_else(invalid)?;
        let retry = |e: Error| JobError::Retry(e.to_string());
        let tenant = job.council(&self.tenancy).await?;
        let headings = match self
            .tenancy
            .transaction(&tenant, async |tx| {
                tally::to_count(tx, budget, finished_at).await
            })
            .await
        {
            Ok(Some(headings)) => headings,
            // Removed, or its end moved: that end's job counts it.
            Ok(None) => return Ok(()),
            // The database clock is behind the worker's: soon.
            Err(Error::Refused(Refusal::VotingNotOver)) => {
                return Err(JobError::Retry("voting has not ended yet".into()));
            }
            Err(error) => return Err(retry(error)),
        };
        let mut failed = 0;
        for heading in headings {
            let election = self
                .tenancy
                .transaction(&tenant, async |tx| tally::to_decide(tx, heading).await)
                .await;
            let election = match election {
                Ok(Some(election)) => election,
                // Published meanwhile (a recount), removed, or voting
                // reopened (its new end's job counts it).
                Ok(None) | Err(Error::Refused(Refusal::NotFound | Refusal::PhaseClosed)) => {
                    continue;
                }
                Err(error) => return Err(retry(error)),
            };
            // The Method of Equal Shares of a city takes seconds of one
            // core: off the async threads, which keep leases renewed and
            // other jobs moving.
            let decided = tokio::task::spawn_blocking(move || tally::decide(election))
                .await
                .map_err(|e| JobError::Retry(format!("counting stopped: {e}")))?;
            match decided {
                Ok(decided) => {
                    self.tenancy
                        .transaction(&tenant, async |tx| {
                            tally::store_decided(tx, heading, decided).await
                        })
                        .await
                        .map_err(retry)?;
                }
                // The rules cannot decide it (too large an election for
                // add1): staff see why, readers that it is unavailable.
                Err(error) => {
                    failed += 1;
                    tracing::warn!(heading = %heading, error = %error, "a heading could not be counted");
                    self.tenancy
                        .transaction(&tenant, async |tx| {
                            tally::count_failed(tx, heading, Problem::ResultsUnavailable).await
                        })
                        .await
                        .map_err(retry)?;
                }
            }
        }
        if failed > 0 {
            return Err(JobError::Permanent(format!(
                "{failed} heading(s) could not be counted"
            )));
        }
        tracing::info!(budget = %budget, "budget counted and published");
        Ok(())
    }
}

impl Handler for BudgetCounts {
    fn run<'a>(&'a self, job: &'a Job) -> JobFuture<'a> {
        Box::pin(self.count(job))
    }
}
