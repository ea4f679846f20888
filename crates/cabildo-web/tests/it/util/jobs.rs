//! Waiting for the worker: how many jobs of a kind it has finished.

use cabildo_tenancy::Tenancy;
use std::time::{Duration, Instant};

/// Polls until `expected` jobs of `kind` are done or `within` has
/// passed; the number done then.
pub async fn jobs_done(tenancy: &Tenancy, kind: &str, expected: i64, within: Duration) -> i64 {
    let deadline = Instant::now() + within;
    loop {
        let done: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM platform.jobs WHERE kind = $1 AND status = 'done'",
        )
        .bind(kind)
        .fetch_one(tenancy.pool())
        .await
        .expect("jobs");
        if done == expected || Instant::now() > deadline {
            return done;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
