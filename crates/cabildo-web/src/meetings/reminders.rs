//! The worker's handler of meeting reminders: 24 hours before a meeting,
//! everyone with a place is mailed (see `cabildo_engine::meetings`).

use cabildo_engine::MeetingId;
use cabildo_engine::meetings::send_reminders;
use cabildo_notify::{Handler, Job, JobError, JobFuture};
use cabildo_tenancy::Tenancy;

/// Runs `meeting.reminders` jobs.
pub struct MeetingReminders {
    tenancy: Tenancy,
}

impl MeetingReminders {
    /// The handler, working on `tenancy`.
    pub fn new(tenancy: Tenancy) -> Self {
        Self { tenancy }
    }

    async fn remind(&self, job: &Job) -> Result<(), JobError> {
        let invalid = || JobError::Permanent("invalid meeting reminder job".into());
        let meeting: MeetingId = (job.payload["meeting"].as_str())
            .and_then(|s| s.parse().ok())
            .ok_or_else(invalid)?;
        let starts_at = job.payload["starts_at"].as_i64().ok_or_else(invalid)?;
        let tenant = job.council(&self.tenancy).await?;
        let sent = self
            .tenancy
            .transaction(&tenant, async |tx| {
                send_reminders(tx, meeting, starts_at).await
            })
            .await
            .map_err(|e| JobError::Retry(e.to_string()))?;
        tracing::info!(meeting.id = %meeting, reminders = sent, "meeting reminders queued");
        Ok(())
    }
}

impl Handler for MeetingReminders {
    fn run<'a>(&'a self, job: &'a Job) -> JobFuture<'a> {
        Box::pin(self.remind(job))
    }
}
