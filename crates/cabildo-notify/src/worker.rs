//! The worker: claims due jobs with bounded concurrency, runs each with the
//! handler registered for its kind, records the outcome, wakes when jobs
//! are committed (polling as a fallback) and shuts down gracefully.

use crate::queue::{Job, Queue};
use cabildo_tenancy::Tenancy;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tracing::Instrument;
use uuid::Uuid;

/// How a job failed.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// It may work later (SMTP 4xx, connection refused, database down).
    #[error("{0}")]
    Retry(String),
    /// It will never work as it stands (SMTP 5xx, invalid address or
    /// payload): marked failed at once.
    #[error("{0}")]
    Permanent(String),
}

/// The future a handler returns.
pub type JobFuture<'a> = Pin<Box<dyn Future<Output = Result<(), JobError>> + Send + 'a>>;

/// Runs jobs of one kind.
pub trait Handler: Send + Sync {
    /// Runs `job`. Must be safe to run again after a crash (at-least-once).
    fn run<'a>(&'a self, job: &'a Job) -> JobFuture<'a>;
}

/// Worker settings.
#[derive(Clone, Debug)]
pub struct WorkerConfig {
    /// Jobs run at the same time.
    pub concurrency: usize,
    /// Longest wait between looks at the queue when no wake-up arrives
    /// (jobs added without Redis by another process, or due later).
    pub poll_interval: Duration,
    /// A running job whose worker has not finished it after this long is
    /// assumed lost (worker killed) and claimed again.
    pub lease: Duration,
    /// On shutdown, how long running jobs may take to finish before they
    /// are stopped and released.
    pub shutdown_grace: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            concurrency: 8,
            poll_interval: Duration::from_secs(2),
            lease: Duration::from_secs(300),
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// Handlers by job kind.
#[derive(Clone, Default)]
pub struct Handlers {
    by_kind: HashMap<String, Arc<dyn Handler>>,
}

impl Handlers {
    /// Registers `handler` for `kind`.
    pub fn with(mut self, kind: &str, handler: impl Handler + 'static) -> Self {
        self.by_kind.insert(kind.to_owned(), Arc::new(handler));
        self
    }
}

/// A worker process's job runner.
pub struct Worker {
    queue: Queue,
    tenancy: Tenancy,
    handlers: Handlers,
    config: WorkerConfig,
    id: String,
}

impl Worker {
    /// A worker with a random id.
    pub fn new(tenancy: Tenancy, handlers: Handlers, config: WorkerConfig) -> Self {
        Self {
            queue: Queue::new(tenancy.clone()),
            tenancy,
            handlers,
            config,
            id: format!("worker-{}", &Uuid::new_v4().simple().to_string()[..8]),
        }
    }

    /// Runs until `shutdown` resolves; then stops claiming, lets running
    /// jobs finish within the grace period and gives back the rest.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let watch = self.tenancy.watch_jobs();
        tracing::info!(worker = %self.id, concurrency = self.config.concurrency, "worker started");
        let claimed: Arc<Mutex<HashMap<Uuid, Job>>> = Arc::default();
        let (succeeded, completions) = mpsc::unbounded_channel();
        let completer = tokio::spawn(complete_in_batches(
            self.queue.clone(),
            completions,
            claimed.clone(),
        ));
        // Claim in batches: one claim query per quarter of the slots rather
        // than one per finished job, which halves the queue's share of the
        // database under load; an idle worker still claims a single job.
        let batch = (self.config.concurrency / 4).max(1);
        let mut running = JoinSet::new();
        tokio::pin!(shutdown);
        let mut stopping = false;
        let grace = tokio::time::sleep(Duration::MAX / 4);
        tokio::pin!(grace);
        let mut heartbeat = tokio::time::interval(self.config.lease / 3);
        heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            if !stopping {
                let free = self.config.concurrency.saturating_sub(running.len());
                if free >= batch || (free > 0 && running.is_empty()) {
                    match self
                        .queue
                        .claim(&self.id, free as i64, self.config.lease)
                        .await
                    {
                        Ok(jobs) => {
                            for job in jobs {
                                lock(&claimed).insert(job.id, job.clone());
                                running.spawn(run_one(
                                    self.queue.clone(),
                                    self.handlers.clone(),
                                    job,
                                    claimed.clone(),
                                    succeeded.clone(),
                                ));
                            }
                        }
                        Err(error) => tracing::warn!(error = %error, "claiming jobs failed"),
                    }
                }
            } else if running.is_empty() {
                break;
            }
            let full = running.len() >= self.config.concurrency;
            tokio::select! {
                () = &mut shutdown, if !stopping => {
                    stopping = true;
                    grace.as_mut().reset(tokio::time::Instant::now() + self.config.shutdown_grace);
                    tracing::info!(worker = %self.id, running = running.len(), "worker stopping");
                }
                () = &mut grace, if stopping => {
                    running.abort_all();
                    while running.join_next().await.is_some() {}
                    break;
                }
                Some(_) = running.join_next(), if !running.is_empty() => {}
                _ = heartbeat.tick() => {
                    let ids: Vec<Uuid> = lock(&claimed).keys().copied().collect();
                    if let Err(error) = self.queue.heartbeat(&self.id, &ids).await {
                        tracing::warn!(error = %error, "could not renew job leases");
                    }
                }
                () = watch.added(), if !full && !stopping => {}
                () = tokio::time::sleep(self.config.poll_interval), if !stopping => {}
            }
        }
        // Record the successes still in flight before giving back the rest,
        // or they would be run again.
        drop(succeeded);
        if let Err(error) = completer.await {
            tracing::error!(error = %error, "recording finished jobs failed");
        }
        let unfinished: Vec<Job> = lock(&claimed).drain().map(|(_, job)| job).collect();
        for job in unfinished {
            if let Err(error) = self.queue.release(&job).await {
                tracing::warn!(job.id = %job.id, error = %error, "could not release a job; its lease will expire");
            }
        }
        tracing::info!(worker = %self.id, "worker stopped");
    }
}

fn lock(claimed: &Mutex<HashMap<Uuid, Job>>) -> std::sync::MutexGuard<'_, HashMap<Uuid, Job>> {
    claimed.lock().unwrap_or_else(|e| e.into_inner())
}

/// Marks succeeded jobs done, as many per statement as have finished
/// meanwhile: no delay is added, so batches form only under load. Runs
/// until every sender is gone. A job whose success cannot be recorded stays
/// claimed: its lease expires and it runs again (at-least-once).
async fn complete_in_batches(
    queue: Queue,
    mut completions: mpsc::UnboundedReceiver<Uuid>,
    claimed: Arc<Mutex<HashMap<Uuid, Job>>>,
) {
    let mut ids = Vec::new();
    while completions.recv_many(&mut ids, 256).await > 0 {
        match queue.complete(&ids).await {
            Ok(()) => {
                let mut claimed = lock(&claimed);
                for id in &ids {
                    claimed.remove(id);
                }
            }
            Err(error) => {
                tracing::error!(error = %error, jobs = ids.len(), "could not record finished jobs")
            }
        }
        ids.clear();
    }
}

async fn run_one(
    queue: Queue,
    handlers: Handlers,
    job: Job,
    claimed: Arc<Mutex<HashMap<Uuid, Job>>>,
    succeeded: mpsc::UnboundedSender<Uuid>,
) {
    let span = tracing::info_span!("job", job.id = %job.id, job.kind = %job.kind, tenant = %job.tenant_id, attempt = job.attempts);
    run_one_in_span(queue, handlers, job, claimed, succeeded)
        .instrument(span)
        .await;
}

async fn run_one_in_span(
    queue: Queue,
    handlers: Handlers,
    job: Job,
    claimed: Arc<Mutex<HashMap<Uuid, Job>>>,
    succeeded: mpsc::UnboundedSender<Uuid>,
) {
    if job.tenant_status == "archived" {
        match queue.cancel(&job, "the council is archived").await {
            Ok(()) => {
                lock(&claimed).remove(&job.id);
            }
            Err(error) => tracing::error!(error = %error, "could not cancel a job"),
        }
        return;
    }
    let outcome = match handlers.by_kind.get(&job.kind) {
        Some(handler) => handler.run(&job).await,
        None => Err(JobError::Permanent(format!(
            "no handler for job kind {:?}",
            job.kind
        ))),
    };
    let (recorded, error) = match outcome {
        Ok(()) => {
            // Recorded by `complete_in_batches`, which keeps receiving until
            // every job task has ended.
            let _ = succeeded.send(job.id);
            return;
        }
        Err(JobError::Retry(error)) => (queue.retry_later(&job, &error).await, error),
        Err(JobError::Permanent(error)) => {
            (queue.fail(&job, &error).await.map(|()| "failed"), error)
        }
    };
    match recorded {
        Ok(status) => {
            tracing::warn!(status, error = %error, "job did not succeed");
            lock(&claimed).remove(&job.id);
        }
        // Left claimed: its lease expires and another run picks it up.
        Err(error) => tracing::error!(error = %error, "could not record a job's outcome"),
    }
}
