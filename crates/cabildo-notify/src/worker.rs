//! The worker: claims due jobs with bounded concurrency, runs each with the
//! handler registered for its kind, records the outcome, wakes on NOTIFY
//! (polling as a fallback) and shuts down gracefully.

use crate::queue::{Job, Queue};
use cabildo_tenancy::Tenancy;
use sqlx::postgres::PgListener;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;
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
    /// Longest wait between looks at the queue when no NOTIFY arrives.
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
            poll_interval: Duration::from_secs(5),
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
        let mut listener = match PgListener::connect_with(self.tenancy.pool()).await {
            Ok(mut listener) => match listener.listen("cabildo_jobs").await {
                Ok(()) => Some(listener),
                Err(error) => {
                    tracing::warn!(error = %error, "LISTEN failed; polling only");
                    None
                }
            },
            Err(error) => {
                tracing::warn!(error = %error, "no LISTEN connection; polling only");
                None
            }
        };
        tracing::info!(worker = %self.id, concurrency = self.config.concurrency, "worker started");
        let claimed: Arc<Mutex<HashMap<Uuid, Job>>> = Arc::default();
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
                if free > 0 {
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
                notification = recv(&mut listener), if !full && !stopping => {
                    if notification.is_err() {
                        tokio::time::sleep(self.config.poll_interval).await;
                    }
                }
                () = tokio::time::sleep(self.config.poll_interval), if !stopping => {}
            }
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

async fn recv(listener: &mut Option<PgListener>) -> Result<(), ()> {
    match listener {
        Some(listener) => listener.recv().await.map(|_| ()).map_err(|error| {
            tracing::warn!(error = %error, "LISTEN connection lost; reconnecting");
        }),
        None => std::future::pending().await,
    }
}

fn lock(claimed: &Mutex<HashMap<Uuid, Job>>) -> std::sync::MutexGuard<'_, HashMap<Uuid, Job>> {
    claimed.lock().unwrap_or_else(|e| e.into_inner())
}

async fn run_one(
    queue: Queue,
    handlers: Handlers,
    job: Job,
    claimed: Arc<Mutex<HashMap<Uuid, Job>>>,
) {
    let span = tracing::info_span!("job", job.id = %job.id, job.kind = %job.kind, tenant = %job.tenant_id, attempt = job.attempts);
    run_one_in_span(queue, handlers, job, claimed)
        .instrument(span)
        .await;
}

async fn run_one_in_span(
    queue: Queue,
    handlers: Handlers,
    job: Job,
    claimed: Arc<Mutex<HashMap<Uuid, Job>>>,
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
    let recorded = match &outcome {
        Ok(()) => queue.complete(&job).await.map(|()| "done"),
        Err(JobError::Retry(error)) => queue.retry_later(&job, error).await,
        Err(JobError::Permanent(error)) => queue.fail(&job, error).await.map(|()| "failed"),
    };
    match recorded {
        Ok(status) => {
            if let Err(error) = &outcome {
                tracing::warn!(status, error = %error, "job did not succeed");
            }
            lock(&claimed).remove(&job.id);
        }
        // Left claimed: its lease expires and another run picks it up.
        Err(error) => tracing::error!(error = %error, "could not record a job's outcome"),
    }
}
