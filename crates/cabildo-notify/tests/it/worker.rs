//! Claiming, retries, dead jobs, archived councils, shutdown, leases.

use crate::support::wait_for;
use cabildo_notify::{Handler, Handlers, Job, JobError, JobFuture, Queue, Worker, WorkerConfig};
use cabildo_tenancy::testing::{another_node, council, fresh_tenancy};
use cabildo_tenancy::{NewJob, Tenancy, TenantStatus};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// What the test handler does with each job.
#[derive(Clone, Copy)]
enum Behaviour {
    Succeed,
    Retry,
    Permanent,
    Sleep(Duration),
}

#[derive(Clone)]
struct Recorder {
    behaviour: Behaviour,
    ran: Arc<Mutex<Vec<Uuid>>>,
    running: Arc<AtomicUsize>,
    most_at_once: Arc<AtomicUsize>,
}

impl Recorder {
    fn new(behaviour: Behaviour) -> Self {
        Self {
            behaviour,
            ran: Arc::default(),
            running: Arc::default(),
            most_at_once: Arc::default(),
        }
    }

    fn runs(&self) -> usize {
        self.ran.lock().expect("lock").len()
    }
}

impl Handler for Recorder {
    fn run<'a>(&'a self, job: &'a Job) -> JobFuture<'a> {
        Box::pin(async move {
            let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
            self.most_at_once.fetch_max(now, Ordering::SeqCst);
            self.ran.lock().expect("lock").push(job.id);
            let result = match self.behaviour {
                Behaviour::Succeed => Ok(()),
                Behaviour::Retry => Err(JobError::Retry("451 try again later".into())),
                Behaviour::Permanent => Err(JobError::Permanent("550 mailbox unavailable".into())),
                Behaviour::Sleep(duration) => {
                    tokio::time::sleep(duration).await;
                    Ok(())
                }
            };
            self.running.fetch_sub(1, Ordering::SeqCst);
            result
        })
    }
}

fn quick() -> WorkerConfig {
    WorkerConfig {
        concurrency: 4,
        poll_interval: Duration::from_millis(100),
        lease: Duration::from_secs(300),
        shutdown_grace: Duration::from_secs(5),
    }
}

async fn status(tenancy: &Tenancy, id: Uuid) -> (String, i32, Option<String>) {
    sqlx::query_as("SELECT status, attempts, last_error FROM platform.jobs WHERE id = $1")
        .bind(id)
        .fetch_one(tenancy.pool())
        .await
        .expect("job")
}

async fn job_ids(tenancy: &Tenancy) -> Vec<Uuid> {
    sqlx::query_scalar("SELECT id FROM platform.jobs ORDER BY created_at")
        .fetch_all(tenancy.pool())
        .await
        .expect("ids")
}

/// Starts a worker; returns a function that stops it and waits.
fn start(
    tenancy: &Tenancy,
    handlers: Handlers,
    config: WorkerConfig,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = Worker::new(tenancy.clone(), handlers, config);
    let handle = tokio::spawn(worker.run(async {
        let _ = stopped.await;
    }));
    (stop, handle)
}

#[tokio::test]
async fn a_job_committed_by_any_process_wakes_an_idle_worker() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let web = another_node(&tenancy).await.expect("another process");
    let toledo = council(&tenancy, "toledo").await.expect("council");
    let recorder = Recorder::new(Behaviour::Succeed);
    // Polling every minute: only the wake-up can make this prompt.
    let config = WorkerConfig {
        poll_interval: Duration::from_secs(60),
        ..quick()
    };
    let (stop, handle) = start(
        &tenancy,
        Handlers::default().with("test.record", recorder.clone()),
        config,
    );
    tokio::time::sleep(Duration::from_millis(300)).await; // idle, listening

    // Another process (through Redis), then this one (directly).
    for (runs, node) in [(1, &web), (2, &tenancy)] {
        let started = Instant::now();
        let mut tx = node.begin(&toledo).await.expect("begin");
        tx.enqueue(&NewJob::new("test.record", json!({})));
        tx.commit().await.expect("commit");
        wait_for("the job to run", async || recorder.runs() == runs).await;
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "woken at once, not by polling"
        );
    }
    for id in job_ids(&tenancy).await {
        wait_for("done", async || status(&tenancy, id).await.0 == "done").await;
    }
    let _ = stop.send(());
    handle.await.expect("worker");
}

#[tokio::test]
async fn failures_are_retried_with_backoff_then_marked_dead_and_can_be_retried() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let toledo = council(&tenancy, "toledo").await.expect("council");
    tenancy
        .enqueue_for(
            toledo.id,
            &NewJob::new("test.flaky", json!({})).max_attempts(2),
        )
        .await
        .expect("enqueue");
    let id = job_ids(&tenancy).await[0];
    let recorder = Recorder::new(Behaviour::Retry);
    let (stop, handle) = start(
        &tenancy,
        Handlers::default().with("test.flaky", recorder.clone()),
        quick(),
    );

    wait_for("the first attempt", async || {
        status(&tenancy, id).await.1 == 1 && recorder.runs() == 1
    })
    .await;
    wait_for("queued again", async || {
        status(&tenancy, id).await.0 == "queued"
    })
    .await;
    let delay: f64 = sqlx::query_scalar(
        "SELECT extract(epoch FROM run_at - now())::float8 FROM platform.jobs WHERE id = $1",
    )
    .bind(id)
    .fetch_one(tenancy.pool())
    .await
    .expect("run_at");
    assert!(
        (3.0..7.0).contains(&delay),
        "retried after ~5 s with jitter, got {delay}"
    );
    // Let time pass for the test's sake.
    sqlx::query("UPDATE platform.jobs SET run_at = now() WHERE id = $1")
        .bind(id)
        .execute(tenancy.pool())
        .await
        .expect("advance");
    wait_for("dead", async || status(&tenancy, id).await.0 == "dead").await;
    let (_, attempts, error) = status(&tenancy, id).await;
    assert_eq!(
        (attempts, error.as_deref()),
        (2, Some("451 try again later"))
    );

    let queue = Queue::new(tenancy.clone());
    let dead = queue.list(true, 10).await.expect("list");
    assert_eq!(dead.len(), 1);
    assert_eq!(
        (dead[0].tenant.as_str(), dead[0].status.as_str()),
        ("toledo", "dead")
    );
    assert!(queue.retry(id).await.expect("retry"));
    wait_for("another attempt", async || recorder.runs() == 3).await;
    let _ = stop.send(());
    handle.await.expect("worker");
}

#[tokio::test]
async fn permanent_failures_unknown_kinds_and_archived_councils_end_at_once() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let toledo = council(&tenancy, "toledo").await.expect("toledo");
    let archived = council(&tenancy, "archived").await.expect("archived");
    tenancy
        .enqueue_for(toledo.id, &NewJob::new("test.refused", json!({})))
        .await
        .expect("enqueue");
    tenancy
        .enqueue_for(toledo.id, &NewJob::new("test.unknown", json!({})))
        .await
        .expect("enqueue");
    tenancy
        .enqueue_for(archived.id, &NewJob::new("test.refused", json!({})))
        .await
        .expect("enqueue");
    tenancy
        .set_status(&archived.slug, TenantStatus::Archived)
        .await
        .expect("archive");
    let ids = job_ids(&tenancy).await;
    let recorder = Recorder::new(Behaviour::Permanent);
    let (stop, handle) = start(
        &tenancy,
        Handlers::default().with("test.refused", recorder.clone()),
        quick(),
    );

    wait_for("all three settled", async || {
        let mut settled = 0;
        for id in &ids {
            if status(&tenancy, *id).await.0 != "queued"
                && status(&tenancy, *id).await.0 != "running"
            {
                settled += 1;
            }
        }
        settled == 3
    })
    .await;
    assert_eq!(
        status(&tenancy, ids[0]).await,
        ("failed".into(), 1, Some("550 mailbox unavailable".into()))
    );
    let unknown = status(&tenancy, ids[1]).await;
    assert_eq!(unknown.0, "failed");
    assert!(
        unknown
            .2
            .as_deref()
            .unwrap_or_default()
            .contains("no handler"),
        "{unknown:?}"
    );
    assert_eq!(
        status(&tenancy, ids[2]).await,
        (
            "cancelled".into(),
            0,
            Some("the council is archived".into())
        )
    );
    assert_eq!(recorder.runs(), 1, "the archived council's job never ran");
    let _ = stop.send(());
    handle.await.expect("worker");
}

#[tokio::test]
async fn concurrency_is_bounded_and_every_job_runs_once() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let toledo = council(&tenancy, "toledo").await.expect("toledo");
    for i in 0..20 {
        tenancy
            .enqueue_for(toledo.id, &NewJob::new("test.slow", json!({"i": i})))
            .await
            .expect("enqueue");
    }
    let recorder = Recorder::new(Behaviour::Sleep(Duration::from_millis(50)));
    let config = WorkerConfig {
        concurrency: 3,
        ..quick()
    };
    // Two workers compete for the same queue.
    let (stop_a, a) = start(
        &tenancy,
        Handlers::default().with("test.slow", recorder.clone()),
        config.clone(),
    );
    let (stop_b, b) = start(
        &tenancy,
        Handlers::default().with("test.slow", recorder.clone()),
        config,
    );
    wait_for("all jobs", async || recorder.runs() == 20).await;
    let mut ran = recorder.ran.lock().expect("lock").clone();
    ran.sort();
    ran.dedup();
    assert_eq!(ran.len(), 20, "no job ran twice");
    assert!(
        recorder.most_at_once.load(Ordering::SeqCst) <= 6,
        "3 per worker at most"
    );
    let _ = (stop_a.send(()), stop_b.send(()));
    a.await.expect("a");
    b.await.expect("b");
}

#[tokio::test]
async fn shutdown_releases_unfinished_jobs_and_lost_ones_are_reclaimed_after_their_lease() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let toledo = council(&tenancy, "toledo").await.expect("toledo");
    tenancy
        .enqueue_for(toledo.id, &NewJob::new("test.slow", json!({})))
        .await
        .expect("enqueue");
    let id = job_ids(&tenancy).await[0];
    let slow = Recorder::new(Behaviour::Sleep(Duration::from_secs(60)));
    let config = WorkerConfig {
        shutdown_grace: Duration::from_millis(200),
        ..quick()
    };
    let (stop, handle) = start(
        &tenancy,
        Handlers::default().with("test.slow", slow.clone()),
        config,
    );
    wait_for("the job to start", async || slow.runs() == 1).await;
    let _ = stop.send(());
    handle.await.expect("worker");
    assert_eq!(
        status(&tenancy, id).await,
        ("queued".into(), 0, None),
        "given back, attempt not counted"
    );

    // A worker that dies without releasing: its lease expires.
    let queue = Queue::new(tenancy.clone());
    let ghost = queue
        .claim("ghost", 10, Duration::from_secs(300))
        .await
        .expect("claim");
    assert_eq!(ghost.len(), 1);
    let quick_recorder = Recorder::new(Behaviour::Succeed);
    let config = WorkerConfig {
        lease: Duration::from_secs(1),
        ..quick()
    };
    let (stop, handle) = start(
        &tenancy,
        Handlers::default().with("test.slow", quick_recorder.clone()),
        config,
    );
    wait_for("the lost job to be reclaimed", async || {
        status(&tenancy, id).await.0 == "done"
    })
    .await;
    assert_eq!(quick_recorder.runs(), 1);
    let _ = stop.send(());
    handle.await.expect("worker");
}

/// Jobs finished long ago are deleted, a batch at a time: done and
/// cancelled ones after a month, failed and dead ones after three; jobs
/// not finished, and those finished more recently, stay. A deleted job's
/// unique key may be enqueued again.
#[tokio::test]
async fn jobs_finished_long_ago_are_forgotten() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let toledo = council(&tenancy, "toledo").await.expect("council");
    // (status, days since it finished; None: not finished), and whether
    // the sweep keeps it.
    let cases: [(&str, Option<i32>, bool); 9] = [
        ("done", Some(31), false),
        ("done", Some(29), true),
        ("cancelled", Some(31), false),
        ("failed", Some(89), true),
        ("failed", Some(91), false),
        ("dead", Some(31), true),
        ("dead", Some(91), false),
        ("queued", None, true),
        ("running", None, true),
    ];
    let mut ids = Vec::new();
    for (n, (status, days, _)) in cases.iter().enumerate() {
        tenancy
            .enqueue_for(
                toledo.id,
                &NewJob::new("test.kept", json!({})).unique(format!("case:{n}")),
            )
            .await
            .expect("enqueue");
        let id: Uuid = sqlx::query_scalar(
            "UPDATE platform.jobs SET status = $2,
                    finished_at = now() - make_interval(days => $3), run_at = now() + interval '1 day'
             WHERE unique_key = $1 RETURNING id",
        )
        .bind(format!("case:{n}"))
        .bind(status)
        .bind(days)
        .fetch_one(tenancy.pool())
        .await
        .expect("age");
        ids.push(id);
    }
    // More old ones than one statement deletes.
    let batch = cabildo_notify::queue::FORGET_BATCH;
    sqlx::query(
        "INSERT INTO platform.jobs (tenant_id, kind, status, finished_at)
         SELECT $1, 'test.old', 'done', now() - interval '40 days' FROM generate_series(1, $2)",
    )
    .bind(toledo.id.0)
    .bind(batch + 50)
    .execute(tenancy.pool())
    .await
    .expect("old jobs");

    let queue = Queue::new(tenancy.clone());
    let forgotten = queue.forget_finished().await.expect("forget");
    assert_eq!(forgotten, u64::try_from(batch).expect("batch") + 50 + 4);
    let left: Vec<Uuid> = job_ids(&tenancy).await;
    for ((status, days, kept), id) in cases.iter().zip(&ids) {
        assert_eq!(
            left.contains(id),
            *kept,
            "{status} finished {days:?} days ago"
        );
    }
    assert_eq!(left.len(), 5);
    assert_eq!(queue.forget_finished().await.expect("again"), 0);

    // The first case's key is free again.
    tenancy
        .enqueue_for(
            toledo.id,
            &NewJob::new("test.kept", json!({})).unique("case:0"),
        )
        .await
        .expect("enqueue");
    assert_eq!(job_ids(&tenancy).await.len(), 6);
}
