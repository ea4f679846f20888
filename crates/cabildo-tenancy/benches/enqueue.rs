//! What enqueuing a job adds to a council's write transaction, through the
//! real code path (`Tenancy::begin`, `TenantTx::enqueue`, `commit`).
//!
//! Run by `bench/jobs`, which provisions a council `bench` and exports
//! `DATABASE_URL` and `REDIS_URL`. Prints one line per measurement and a
//! final `ratio` line. Arguments: seconds per measurement (default 8).

use cabildo_tenancy::{NewJob, PoolConfig, SharedCache, Slug, Tenancy, Tenant};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Concurrent clients, as many as pgbench's in the same script.
const CLIENTS: usize = 4;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seconds: u64 = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(8);
    let cache = match std::env::var("REDIS_URL") {
        Ok(url) => Some(SharedCache::new(&url)?),
        Err(_) => None,
    };
    let pool = PoolConfig {
        max_connections: CLIENTS as u32,
        ..PoolConfig::default()
    };
    let tenancy = Tenancy::connect(&std::env::var("DATABASE_URL")?, pool, cache).await?;
    let tenant = tenancy.get_tenant(&Slug::parse("bench")?).await?;
    let duration = Duration::from_secs(seconds);

    run(&tenancy, &tenant, false, Duration::from_secs(2)).await?; // warm-up
    let mut plain = Vec::new();
    let mut with_job = Vec::new();
    // Interleaved, so that drift on a shared machine hits both alike.
    for _ in 0..2 {
        plain.push(run(&tenancy, &tenant, false, duration).await?);
        with_job.push(run(&tenancy, &tenant, true, duration).await?);
    }
    let plain = plain.iter().sum::<f64>() / plain.len() as f64;
    let with_job = with_job.iter().sum::<f64>() / with_job.len() as f64;
    println!("council write                                 {plain:>10.0} tx/s");
    println!("council write + enqueue in the same tx        {with_job:>10.0} tx/s");
    println!("ratio {:.1}", 100.0 * (plain / with_job - 1.0));
    Ok(())
}

/// Transactions per second of `CLIENTS` clients each inserting a district
/// (and enqueuing a job when `enqueue`) for `duration`.
async fn run(
    tenancy: &Tenancy,
    tenant: &Tenant,
    enqueue: bool,
    duration: Duration,
) -> Result<f64, Box<dyn std::error::Error>> {
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut clients = tokio::task::JoinSet::new();
    for client in 0..CLIENTS {
        let (tenancy, tenant, done) = (tenancy.clone(), tenant.clone(), done.clone());
        clients.spawn(async move {
            let mut n = 0u64;
            while started.elapsed() < duration {
                n += 1;
                let code = format!("b{client}-{}-{n}", uuid::Uuid::new_v4().simple());
                let mut tx = tenancy.begin(&tenant).await?;
                sqlx::query(
                    "INSERT INTO districts (code, name) VALUES ($1, 'x') ON CONFLICT DO NOTHING",
                )
                .bind(&code)
                .execute(tx.conn())
                .await?;
                if enqueue {
                    tx.enqueue(&NewJob::new("bench.noop", json!({"district": code})));
                }
                tx.commit().await?;
                done.fetch_add(1, Ordering::Relaxed);
            }
            Ok::<_, cabildo_tenancy::TenancyError>(())
        });
    }
    while let Some(result) = clients.join_next().await {
        result??;
    }
    let rate = done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64();
    // Leave the tables as found, so that the next measurement starts alike.
    sqlx::query("DELETE FROM platform.jobs WHERE kind = 'bench.noop'")
        .execute(tenancy.pool())
        .await?;
    sqlx::query("VACUUM platform.jobs")
        .execute(tenancy.pool())
        .await?;
    let mut tx = tenancy.begin(tenant).await?;
    sqlx::query("DELETE FROM districts WHERE code LIKE 'b%-%'")
        .execute(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(rate)
}
