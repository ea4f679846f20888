//! Council data written as A is never visible from B.

use cabildo_tenancy::testing::{council, fresh_tenancy, one_connection_tenancy};
use cabildo_tenancy::{Tenancy, Tenant};
use uuid::Uuid;

async fn add_district(tenancy: &Tenancy, tenant: &Tenant, code: &str) -> Uuid {
    let mut tx = tenancy.begin(tenant).await.expect("begin");
    let id: Uuid =
        sqlx::query_scalar("INSERT INTO districts (code, name) VALUES ($1, $1) RETURNING id")
            .bind(code)
            .fetch_one(tx.conn())
            .await
            .expect("insert");
    tx.commit().await.expect("commit");
    id
}

async fn district_codes(tenancy: &Tenancy, tenant: &Tenant) -> Vec<String> {
    let mut tx = tenancy.begin(tenant).await.expect("begin");
    let codes = sqlx::query_scalar("SELECT code FROM districts ORDER BY code")
        .fetch_all(tx.conn())
        .await
        .expect("list");
    tx.commit().await.expect("commit");
    codes
}

fn sqlstate(error: &sqlx::Error) -> Option<String> {
    error
        .as_database_error()
        .and_then(|e| e.code())
        .map(|c| c.into_owned())
}

#[tokio::test]
async fn rows_of_one_council_are_invisible_from_another_by_id_and_list() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let a = council(&tenancy, "council-a").await.expect("a");
    let b = council(&tenancy, "council-b").await.expect("b");
    let secret = add_district(&tenancy, &a, "secret-of-a").await;
    add_district(&tenancy, &b, "open-of-b").await;

    let mut tx = tenancy.begin(&b).await.expect("begin b");
    let by_id: Option<String> = sqlx::query_scalar("SELECT code FROM districts WHERE id = $1")
        .bind(secret)
        .fetch_optional(tx.conn())
        .await
        .expect("by id");
    assert_eq!(by_id, None);
    tx.commit().await.expect("commit");

    assert_eq!(district_codes(&tenancy, &b).await, vec!["open-of-b"]);
    assert_eq!(district_codes(&tenancy, &a).await, vec!["secret-of-a"]);
}

#[tokio::test]
async fn one_pooled_connection_alternating_councils_sees_only_its_own_data() {
    let tenancy = one_connection_tenancy().await.expect("tenancy");
    let a = council(&tenancy, "council-a").await.expect("a");
    let b = council(&tenancy, "council-b").await.expect("b");
    for round in 0..10 {
        for (tenant, other) in [(&a, &b), (&b, &a)] {
            let code = format!("{}-{round}", tenant.slug);
            add_district(&tenancy, tenant, &code).await;
            let codes = district_codes(&tenancy, tenant).await;
            assert_eq!(codes.len(), round + 1, "{codes:?}");
            assert!(
                codes.iter().all(|c| c.starts_with(tenant.slug.as_str())),
                "{codes:?}"
            );
            assert!(!codes.iter().any(|c| c.starts_with(other.slug.as_str())));
        }
    }
}

#[tokio::test]
async fn naming_another_councils_schema_is_permission_denied() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let a = council(&tenancy, "council-a").await.expect("a");
    let b = council(&tenancy, "council-b").await.expect("b");
    add_district(&tenancy, &b, "of-b").await;

    let queries = [
        format!("SELECT count(*) FROM {}.districts", b.schema()),
        format!("SELECT count(*) FROM {}.settings", b.schema()),
        "SELECT count(*) FROM platform.tenants".to_owned(),
        // Not even its own schema's structure may change.
        "CREATE TABLE sneaky (id int)".to_owned(),
        "DROP TABLE districts".to_owned(),
    ];
    for query in queries {
        let mut tx = tenancy.begin(&a).await.expect("begin a");
        let error = sqlx::raw_sql(sqlx::AssertSqlSafe(query.clone()))
            .execute(tx.conn())
            .await
            .expect_err(&query);
        // 42501 insufficient_privilege; DROP by a non-owner reports 42501 too.
        assert_eq!(
            sqlstate(&error).as_deref(),
            Some("42501"),
            "{query}: {error}"
        );
    }
    assert_eq!(district_codes(&tenancy, &b).await, vec!["of-b"]);
}

#[tokio::test]
async fn after_a_tenant_transaction_the_connection_is_back_to_the_platform() {
    let tenancy = one_connection_tenancy().await.expect("tenancy");
    let a = council(&tenancy, "council-a").await.expect("a");
    let platform: (String, String) =
        sqlx::query_as("SELECT current_user::text, current_setting('search_path')")
            .fetch_one(tenancy.pool())
            .await
            .expect("platform identity");

    let mut tx = tenancy.begin(&a).await.expect("begin");
    let inside: (String, String) =
        sqlx::query_as("SELECT current_user::text, current_setting('search_path')")
            .fetch_one(tx.conn())
            .await
            .expect("inside");
    assert_eq!(inside, (a.role().to_string(), a.schema().to_string()));
    tx.commit().await.expect("commit");
    let after_commit: (String, String) =
        sqlx::query_as("SELECT current_user::text, current_setting('search_path')")
            .fetch_one(tenancy.pool())
            .await
            .expect("after commit");
    assert_eq!(after_commit, platform);

    // Dropped without commit (an early return, a panic): rolled back, reset.
    {
        let mut tx = tenancy.begin(&a).await.expect("begin");
        sqlx::query("INSERT INTO districts (code, name) VALUES ('dropped', 'x')")
            .execute(tx.conn())
            .await
            .expect("insert");
    }
    let after_drop: (String, String) =
        sqlx::query_as("SELECT current_user::text, current_setting('search_path')")
            .fetch_one(tenancy.pool())
            .await
            .expect("after drop");
    assert_eq!(after_drop, platform);
    assert!(district_codes(&tenancy, &a).await.is_empty());
}

/// What a pooled connection looks like from the platform's side.
async fn platform_view(tenancy: &Tenancy) -> (String, String, i64) {
    sqlx::query_as("SELECT current_user::text, current_setting('search_path'), (SELECT count(*) FROM platform.tenants)")
        .fetch_one(tenancy.pool())
        .await
        .expect("a platform query on a clean connection")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transaction_cancelled_at_any_point_never_returns_to_the_pool_open() {
    let tenancy = one_connection_tenancy().await.expect("tenancy");
    let a = council(&tenancy, "council-a").await.expect("a");
    let platform = platform_view(&tenancy).await;
    // A client hanging up drops the handler's future wherever it is: abort
    // the work after every delay from 0 to 3 ms, in 10 µs steps.
    for micros in (0..3000).step_by(10) {
        let (tenancy_, a_) = (tenancy.clone(), a.clone());
        let work = tokio::spawn(async move {
            let mut tx = tenancy_.begin(&a_).await.expect("begin");
            sqlx::query(
                "INSERT INTO districts (code, name) VALUES ($1, 'x') ON CONFLICT DO NOTHING",
            )
            .bind(format!("d{micros}"))
            .execute(tx.conn())
            .await
            .expect("insert");
            tx.commit().await.expect("commit");
        });
        let started = std::time::Instant::now();
        while started.elapsed() < std::time::Duration::from_micros(micros) {
            std::hint::spin_loop();
        }
        work.abort();
        let _ = work.await;
        assert_eq!(
            platform_view(&tenancy).await,
            platform,
            "after aborting at {micros} µs"
        );
    }
}

#[tokio::test]
async fn a_failed_begin_leaves_the_connection_clean() {
    let tenancy = one_connection_tenancy().await.expect("tenancy");
    let a = council(&tenancy, "council-a").await.expect("a");
    let platform = platform_view(&tenancy).await;
    // Without membership the application role may not switch to the
    // council's role: `begin` fails inside the transaction.
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "REVOKE {} FROM CURRENT_USER",
        a.role()
    )))
    .execute(tenancy.pool())
    .await
    .expect("revoke");
    assert!(tenancy.begin(&a).await.is_err());
    assert_eq!(platform_view(&tenancy).await, platform);
    assert!(
        tenancy.begin(&a).await.is_err(),
        "fails the same way, not with 'transaction aborted'"
    );
}
