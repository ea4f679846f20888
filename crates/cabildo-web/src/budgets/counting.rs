//! The worker's handler of `budget.count` jobs: once a budget finishes,
//! each of its headings is counted and published (see
//! `cabildo_engine::budgets::tally`). Many councils closing the same
//! evening are counted as the worker's concurrency allows, each heading in
//! a transaction of its own, so that staff see the headings published one
//! by one.

use cabildo_engine::budgets::tally;
use cabildo_engine::{BudgetId, Error, Refusal};
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
        let tenant = (self.tenancy.find_tenant_by_id(job.tenant()).await)
            .map_err(|e| JobError::Retry(e.to_string()))?
            .ok_or_else(|| JobError::Permanent("the council no longer exists".into()))?;
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
            let counted = self
                .tenancy
                .transaction(&tenant, async |tx| tally::publish(tx, heading).await)
                .await;
            match counted {
                // Removed meanwhile: nothing to count.
                Ok(_) | Err(Error::Refused(Refusal::NotFound)) => {}
                Err(Error::Store(error)) => return Err(JobError::Retry(error.to_string())),
                // The rules could not decide it (too large an election for
                // add1): staff see why, and may count it by hand.
                Err(error) => {
                    failed += 1;
                    let why = match &error {
                        Error::Invalid(fields) => fields
                            .iter()
                            .map(|f| f.problem.code())
                            .collect::<Vec<_>>()
                            .join(", "),
                        other => other.to_string(),
                    };
                    tracing::warn!(heading = %heading, error = %why, "a heading could not be counted");
                    self.tenancy
                        .transaction(&tenant, async |tx| {
                            tally::count_failed(tx, heading, &why).await
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
