//! How long each participation dashboard figure takes to read, through
//! the real code path (a council transaction, one statement per figure),
//! against `SELECT 1` in the same kind of transaction.
//!
//! Run by `bench/dashboard`, which seeds Toledo with 100,000 people and
//! their participation and exports `DATABASE_URL`. Their acts wait in the
//! dashboard's queue: the first fold counts them all, and is timed once
//! (a larger queue than the worker's daily folds leave). Then prints the
//! median of `ROUNDS` reads of each figure, and of the whole page's reads
//! (a fold of the acts since, none here, and every figure), in
//! milliseconds.

use cabildo_engine::dashboard;
use cabildo_tenancy::{PoolConfig, Slug, Tenancy, Tenant};
use std::time::{Duration, Instant};

/// Reads of each figure; the median is reported.
const ROUNDS: usize = 15;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let tenancy =
        Tenancy::connect(&std::env::var("DATABASE_URL")?, PoolConfig::default(), None).await?;
    let tenant = tenancy.get_tenant(&Slug::parse("toledo")?).await?;
    let zone = tenancy.site_settings(&tenant).await?.time_zone.clone();
    let baseline = median(&tenancy, &tenant, async |tx| {
        sqlx::query("SELECT 1").execute(tx.conn()).await?;
        Ok(())
    })
    .await?;
    println!(
        "{:<44} {:>8.2} ms",
        "SELECT 1 in a council transaction",
        ms(baseline)
    );
    let started = Instant::now();
    let folded = tenancy
        .transaction(&tenant, async |tx| dashboard::fold(tx).await)
        .await?;
    println!(
        "{:<44} {:>8.2} ms ({folded} acts)",
        "folding the queued acts, once",
        ms(started.elapsed())
    );
    let figures: [(&str, Duration); 6] = [
        (
            "participants and activity per week",
            median(&tenancy, &tenant, async |tx| {
                dashboard::weekly(tx, &zone).await.map(drop)
            })
            .await?,
        ),
        (
            "participation per district",
            median(&tenancy, &tenant, async |tx| {
                dashboard::by_district(tx).await.map(drop)
            })
            .await?,
        ),
        (
            "participants per process",
            median(&tenancy, &tenant, async |tx| {
                dashboard::by_process(tx).await.map(drop)
            })
            .await?,
        ),
        (
            "registered, verified, subscribed, census",
            median(&tenancy, &tenant, async |tx| {
                dashboard::people(tx).await.map(drop)
            })
            .await?,
        ),
        (
            "newsletter reach",
            median(&tenancy, &tenant, async |tx| {
                dashboard::newsletters(tx).await.map(drop)
            })
            .await?,
        ),
        (
            "the page: a fold and every figure",
            median(&tenancy, &tenant, async |tx| {
                dashboard::figures(tx, &zone).await.map(drop)
            })
            .await?,
        ),
    ];
    for (name, took) in figures {
        println!("{name:<44} {:>8.2} ms", ms(took));
    }
    Ok(())
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// The median time of `ROUNDS` transactions running `work` (after one
/// unmeasured, to warm the caches).
async fn median(
    tenancy: &Tenancy,
    tenant: &Tenant,
    work: impl AsyncFn(&mut cabildo_tenancy::TenantTx) -> Result<(), cabildo_engine::Error>,
) -> Result<Duration, Box<dyn std::error::Error>> {
    let mut times = Vec::with_capacity(ROUNDS);
    for round in 0..=ROUNDS {
        let started = Instant::now();
        let mut tx = tenancy.begin(tenant).await?;
        work(&mut tx).await?;
        tx.commit().await?;
        if round > 0 {
            times.push(started.elapsed());
        }
    }
    times.sort();
    Ok(times[times.len() / 2])
}
