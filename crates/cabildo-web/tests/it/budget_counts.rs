//! Many councils closing their budgets the same evening: each budget's
//! count job comes due at its end, and the worker counts them a few at a
//! time (its concurrency), publishing each heading when done; a job names
//! its own council's budget only.

use cabildo_engine::budgets::ballots::{self, Change};
use cabildo_engine::budgets::setup::{self, Dates, NewHeading, Settings};
use cabildo_engine::budgets::tally;
use cabildo_engine::seed::{self, Plan};
use cabildo_engine::staff::Actor;
use cabildo_engine::{BudgetId, HeadingId};
use cabildo_notify::{Handler, Handlers, Job, JobFuture, Worker, WorkerConfig};
use cabildo_tenancy::testing::{council, fresh_tenancy};
use cabildo_tenancy::{NewJob, Tenancy, Tenant};
use futures_util::StreamExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use time::OffsetDateTime;

const COUNCILS: usize = 100;
const CONCURRENCY: usize = 4;

/// The real handler, with how many of its jobs ran at once at most.
#[derive(Clone)]
struct Peak {
    counts: Arc<cabildo_web::BudgetCounts>,
    running: Arc<AtomicUsize>,
    most: Arc<AtomicUsize>,
}

impl Handler for Peak {
    fn run<'a>(&'a self, job: &'a Job) -> JobFuture<'a> {
        Box::pin(async move {
            let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
            self.most.fetch_max(now, Ordering::SeqCst);
            let result = self.counts.run(job).await;
            self.running.fetch_sub(1, Ordering::SeqCst);
            result
        })
    }
}

/// A council with a budget open for voting (one city-wide heading, five
/// projects) and three submitted ballots: the council, its budget and
/// the heading.
async fn open_budget(tenancy: &Tenancy, slug: &str) -> (Tenant, BudgetId, HeadingId) {
    let tenant = council(tenancy, slug).await.expect("council");
    let mut tx = tenancy.begin(&tenant).await.expect("begin");
    let plan = Plan {
        process: "presupuestos".into(),
        people: 3,
        proposals: 0,
        supports: 0,
        comments: 0,
        debates: 0,
        threshold: 1,
    };
    let seeded = seed::start(&mut tx, &plan).await.expect("process");
    let (heading, projects) = seed::budget(&mut tx, &seeded, 5).await.expect("budget");
    for (person, chosen) in seeded.people.iter().zip([[0, 1], [1, 2], [3, 4]]) {
        let change = Change::Replace {
            projects: chosen.iter().map(|&i| projects[i]).collect(),
            submit: true,
        };
        ballots::change(&mut tx, *person, heading, change)
            .await
            .expect("ballot");
    }
    let budget: BudgetId =
        sqlx::query_scalar("SELECT budget_id FROM budget_headings WHERE id = $1")
            .bind(heading)
            .fetch_one(tx.conn())
            .await
            .expect("budget");
    tx.commit().await.expect("commit");
    (tenant, budget, heading)
}

/// Staff move the budget's end to `end` (voting closes then), through the
/// rules, which queue its count job for that moment.
async fn close_at(tenancy: &Tenancy, tenant: &Tenant, budget: BudgetId, end: OffsetDateTime) {
    let mut tx = tenancy.begin(tenant).await.expect("begin");
    let open = (setup::get(&mut tx, budget).await)
        .expect("read")
        .expect("budget")
        .dates;
    // Voting keeps its start; only when it ends and results come move.
    let settings = Settings {
        dates: Dates {
            tallying: end - time::Duration::seconds(1),
            finished: end,
            ..open
        },
        ..seed::budget_settings(1)
    };
    let headings = [NewHeading {
        name: "Toda la ciudad".into(),
        district: None,
        amount_cents: 100_000_000,
        max_projects: None,
    }];
    setup::update(
        &mut tx,
        &Actor("user:staff".into()),
        budget,
        &settings,
        &headings,
        None,
    )
    .await
    .expect("the end moves");
    tx.commit().await.expect("commit");
}

async fn published(tenancy: &Tenancy, tenant: &Tenant, heading: HeadingId) -> i64 {
    let mut tx = tenancy.begin(tenant).await.expect("begin");
    let count: i64 =
        sqlx::query_scalar("SELECT count(*) FROM budget_results WHERE heading_id = $1")
            .bind(heading)
            .fetch_one(tx.conn())
            .await
            .expect("results");
    tx.commit().await.expect("commit");
    count
}

#[tokio::test]
async fn a_hundred_councils_closing_together_are_counted_a_few_at_a_time() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let slugs: Vec<String> = (0..=COUNCILS)
        .map(|i| format!("consistorio-{i:03}"))
        .collect();
    let councils: Vec<(Tenant, BudgetId, HeadingId)> = futures_util::stream::iter(&slugs)
        .map(|slug| open_budget(&tenancy, slug))
        .buffered(4)
        .collect()
        .await;
    // The last council's budget also ends, but behind the rules' back:
    // no job counts it, and another council's forged job naming it must
    // not either.
    let (outsider, outsider_budget, outsider_heading) = &councils[COUNCILS];
    let (_, outsider_end) = crate::util::end_behind_the_rules(&tenancy, outsider).await;
    let mut tx = tenancy.begin(&councils[0].0).await.expect("begin");
    tx.enqueue(
        &NewJob::new(
            tally::COUNT_KIND,
            serde_json::json!({
                "budget": outsider_budget,
                "finished_at": outsider_end.unix_timestamp(),
            }),
        )
        .unique("forged"),
    );
    tx.commit().await.expect("commit");

    // The hundred close at the same moment, a few seconds from now.
    let end = OffsetDateTime::now_utc() + time::Duration::seconds(3);
    for (tenant, budget, _) in &councils[..COUNCILS] {
        close_at(&tenancy, tenant, *budget, end).await;
    }
    let peak = Peak {
        counts: Arc::new(cabildo_web::BudgetCounts::new(tenancy.clone())),
        running: Arc::default(),
        most: Arc::default(),
    };
    let worker = Worker::new(
        tenancy.clone(),
        Handlers::default().with(tally::COUNT_KIND, peak.clone()),
        WorkerConfig {
            concurrency: CONCURRENCY,
            poll_interval: Duration::from_millis(100),
            ..WorkerConfig::default()
        },
    );
    let running = tokio::spawn(worker.run(std::future::pending()));
    // The hundred, and the forged one.
    let done = crate::util::jobs_done(
        &tenancy,
        tally::COUNT_KIND,
        COUNCILS as i64 + 1,
        Duration::from_secs(120),
    )
    .await;
    running.abort();
    assert_eq!(done, COUNCILS as i64 + 1, "every due job ran");
    for (tenant, _, heading) in &councils[..COUNCILS] {
        assert_eq!(
            published(&tenancy, tenant, *heading).await,
            1,
            "{} counted once",
            tenant.slug
        );
        // Published: the public read answers with the stored count.
        let mut tx = tenancy.begin(tenant).await.expect("begin");
        let outcome = tally::public_results(&mut tx, *heading)
            .await
            .expect("results");
        assert!(!outcome.selected.is_empty(), "{}", tenant.slug);
        tx.commit().await.expect("commit");
    }
    assert_eq!(
        published(&tenancy, outsider, *outsider_heading).await,
        0,
        "a job of one council cannot count another's budget"
    );
    let most = peak.most.load(Ordering::SeqCst);
    assert!(
        (2..=CONCURRENCY).contains(&most),
        "counted a few at a time, never more than the worker's {CONCURRENCY}: {most}"
    );
    // Each ran once; the jobs queued for the ends set before (in 40 days)
    // wait, and will find the end moved.
    let attempts: Vec<i32> = sqlx::query_scalar(
        "SELECT attempts FROM platform.jobs WHERE kind = $1 AND status = 'done'",
    )
    .bind(tally::COUNT_KIND)
    .fetch_all(tenancy.pool())
    .await
    .expect("attempts");
    assert!(attempts.iter().all(|a| *a == 1), "{attempts:?}");
}
