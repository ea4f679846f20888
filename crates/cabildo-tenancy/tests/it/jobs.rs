//! Enqueuing jobs from inside a council's transaction: atomic with the
//! change, deduplicated by key, and confined to that council.

use cabildo_tenancy::testing::{council, fresh_tenancy};
use cabildo_tenancy::{NewJob, Tenancy, Tenant};
use serde_json::json;

async fn jobs_of(tenancy: &Tenancy, tenant: &Tenant) -> Vec<(String, serde_json::Value)> {
    sqlx::query_as(
        "SELECT kind, payload FROM platform.jobs WHERE tenant_id = $1 ORDER BY created_at",
    )
    .bind(tenant.id.0)
    .fetch_all(tenancy.pool())
    .await
    .expect("jobs")
}

fn sqlstate(error: &sqlx::Error) -> Option<String> {
    error
        .as_database_error()
        .and_then(|e| e.code())
        .map(|c| c.into_owned())
}

#[tokio::test]
async fn a_job_is_enqueued_with_the_change_or_not_at_all() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let a = council(&tenancy, "council-a").await.expect("a");

    let mut tx = tenancy.begin(&a).await.expect("begin");
    sqlx::query("INSERT INTO districts (code, name) VALUES ('kept', 'Kept')")
        .execute(tx.conn())
        .await
        .expect("insert");
    tx.enqueue(&NewJob::new("email.send", json!({"district": "kept"})));
    tx.commit().await.expect("commit");

    let mut tx = tenancy.begin(&a).await.expect("begin");
    sqlx::query("INSERT INTO districts (code, name) VALUES ('dropped', 'Dropped')")
        .execute(tx.conn())
        .await
        .expect("insert");
    tx.enqueue(&NewJob::new("email.send", json!({"district": "dropped"})));
    tx.rollback().await.expect("rollback");

    assert_eq!(
        jobs_of(&tenancy, &a).await,
        vec![("email.send".to_owned(), json!({"district": "kept"}))]
    );
}

#[tokio::test]
async fn hostile_job_text_is_stored_as_written() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let a = council(&tenancy, "council-a").await.expect("a");
    let hostile = "'); DROP TABLE platform.jobs; -- \\' \\\\ $$ é \u{1F600}";
    let mut tx = tenancy.begin(&a).await.expect("begin");
    tx.enqueue(
        &NewJob::new("email.send", json!({"body": hostile, "nested": [hostile]}))
            .unique(hostile)
            .at(time::macros::datetime!(2030-01-02 03:04:05.678 +01:00)),
    );
    tx.commit().await.expect("commit");

    let (payload, key, run_at): (serde_json::Value, String, time::OffsetDateTime) = sqlx::query_as(
        "SELECT payload, unique_key, run_at FROM platform.jobs WHERE tenant_id = $1",
    )
    .bind(a.id.0)
    .fetch_one(tenancy.pool())
    .await
    .expect("the job");
    assert_eq!(payload, json!({"body": hostile, "nested": [hostile]}));
    assert_eq!(key, hostile);
    assert_eq!(run_at, time::macros::datetime!(2030-01-02 02:04:05.678 UTC));
}

#[tokio::test]
async fn an_invalid_job_fails_the_commit_and_takes_the_change_with_it() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let a = council(&tenancy, "council-a").await.expect("a");
    for job in [
        NewJob::new("Not A Kind!", json!({})),
        NewJob::new("email.send", json!({})).max_attempts(0),
        NewJob::new("email.send", json!({"nul": "a\u{0}b"})),
        NewJob::new("email.send", json!({})).unique("\u{0}"),
    ] {
        let mut tx = tenancy.begin(&a).await.expect("begin");
        sqlx::query("INSERT INTO districts (code, name) VALUES ('lost', 'Lost')")
            .execute(tx.conn())
            .await
            .expect("insert");
        tx.enqueue(&NewJob::new("email.send", json!({"fine": true})));
        tx.enqueue(&job);
        tx.commit().await.expect_err("an invalid job");
    }
    assert!(jobs_of(&tenancy, &a).await.is_empty());
    // The connection went back to the pool clean: the next transaction
    // works and nothing of the failed ones was kept.
    let mut tx = tenancy.begin(&a).await.expect("begin");
    let districts: i64 = sqlx::query_scalar("SELECT count(*) FROM districts WHERE code = 'lost'")
        .fetch_one(tx.conn())
        .await
        .expect("count");
    tx.commit().await.expect("commit");
    assert_eq!(districts, 0);
}

#[tokio::test]
async fn the_same_unique_key_is_enqueued_once_per_council() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let a = council(&tenancy, "council-a").await.expect("a");
    let b = council(&tenancy, "council-b").await.expect("b");
    for tenant in [&a, &a, &b] {
        let mut tx = tenancy.begin(tenant).await.expect("begin");
        tx.enqueue(&NewJob::new("digest.daily", json!({})).unique("digest:2026-11-26"));
        tx.commit().await.expect("commit");
    }
    assert!(
        !tenancy
            .enqueue_for(
                a.id,
                &NewJob::new("digest.daily", json!({})).unique("digest:2026-11-26")
            )
            .await
            .expect("again")
    );
    assert_eq!(jobs_of(&tenancy, &a).await.len(), 1);
    assert_eq!(jobs_of(&tenancy, &b).await.len(), 1, "keys are per council");
}

#[tokio::test]
async fn a_council_can_neither_enqueue_for_another_nor_read_any_job() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let a = council(&tenancy, "council-a").await.expect("a");
    let b = council(&tenancy, "council-b").await.expect("b");
    tenancy
        .enqueue_for(b.id, &NewJob::new("email.send", json!({"secret": "of b"})))
        .await
        .expect("b's job");

    let attempts = [
        format!(
            "INSERT INTO platform.jobs (tenant_id, kind) VALUES ('{}', 'email.send')",
            b.id
        ),
        "SELECT count(*) FROM platform.jobs".to_owned(),
        "UPDATE platform.jobs SET status = 'cancelled'".to_owned(),
        "DELETE FROM platform.jobs".to_owned(),
        "INSERT INTO platform.jobs (kind) VALUES ('x') RETURNING payload".to_owned(),
        "SELECT id FROM platform.tenants".to_owned(),
    ];
    for sql in attempts {
        let mut tx = tenancy.begin(&a).await.expect("begin");
        let error = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone()))
            .execute(tx.conn())
            .await
            .expect_err(&sql);
        assert_eq!(sqlstate(&error).as_deref(), Some("42501"), "{sql}: {error}");
    }
    assert!(jobs_of(&tenancy, &a).await.is_empty());
    assert_eq!(
        jobs_of(&tenancy, &b).await,
        vec![("email.send".to_owned(), json!({"secret": "of b"}))]
    );
}

#[tokio::test]
async fn councils_from_before_the_jobs_migration_get_the_same_role_name() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let a = council(&tenancy, "council-a").await.expect("a");
    let recorded: Option<String> =
        sqlx::query_scalar("SELECT db_role FROM platform.tenants WHERE id = $1")
            .bind(a.id.0)
            .fetch_one(tenancy.pool())
            .await
            .expect("db_role");
    assert_eq!(recorded.as_deref(), Some(a.role().as_str()));

    // The migration's backfill computes the name in SQL: it must agree.
    let migration = include_str!("../../../../migrations/platform/20261126000002_jobs.sql");
    let start = migration
        .find("UPDATE platform.tenants SET db_role")
        .expect("backfill statement");
    let end = start + migration[start..].find(';').expect("end of statement");
    sqlx::query("UPDATE platform.tenants SET db_role = NULL")
        .execute(tenancy.pool())
        .await
        .expect("forget");
    sqlx::raw_sql(sqlx::AssertSqlSafe(migration[start..end].to_owned()))
        .execute(tenancy.pool())
        .await
        .expect("backfill");
    let backfilled: Option<String> =
        sqlx::query_scalar("SELECT db_role FROM platform.tenants WHERE id = $1")
            .bind(a.id.0)
            .fetch_one(tenancy.pool())
            .await
            .expect("db_role");
    assert_eq!(backfilled.as_deref(), Some(a.role().as_str()));
}
