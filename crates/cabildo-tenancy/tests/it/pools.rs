//! Council affinity and connection recycling bound the councils each
//! PostgreSQL backend serves (see `cabildo_tenancy::PoolConfig`).

use cabildo_tenancy::testing::{council, fresh_tenancy_with};
use cabildo_tenancy::{PoolConfig, Tenancy, Tenant};
use std::collections::{HashMap, HashSet};

/// The backend process id that served one transaction of `tenant`, which
/// also reads one of its tables. (Two statements: on Citus the read runs
/// on a worker, and the process id asked for alone is the coordinator's,
/// the backend the pool holds.)
async fn backend_of(tenancy: &Tenancy, tenant: &Tenant) -> i32 {
    let mut tx = tenancy.begin(tenant).await.expect("begin");
    let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(tx.conn())
        .await
        .expect("pid");
    let _districts: i64 = sqlx::query_scalar("SELECT count(*) FROM districts")
        .fetch_one(tx.conn())
        .await
        .expect("read");
    tx.commit().await.expect("commit");
    pid
}

/// A fresh database with `pool` and `count` councils.
async fn with_councils(pool: PoolConfig, count: usize) -> (Tenancy, Vec<Tenant>) {
    let tenancy = fresh_tenancy_with(pool).await.expect("tenancy");
    let mut councils = Vec::new();
    for i in 0..count {
        councils.push(
            council(&tenancy, &format!("council-{i}"))
                .await
                .expect("council"),
        );
    }
    (tenancy, councils)
}

#[tokio::test]
async fn with_affinity_no_backend_serves_councils_of_two_groups() {
    let (tenancy, councils) = with_councils(
        PoolConfig {
            max_connections: 4,
            council_groups: 2,
            ..PoolConfig::default()
        },
        8,
    )
    .await;
    // Concurrent transactions so that each group opens both its connections.
    let mut served: HashMap<i32, HashSet<usize>> = HashMap::new();
    for _round in 0..6 {
        let runs = councils.iter().map(|c| backend_of(&tenancy, c));
        for (index, pid) in futures_util::future::join_all(runs)
            .await
            .into_iter()
            .enumerate()
        {
            served.entry(pid).or_default().insert(index);
        }
    }
    // Council `i` is in group id % 2; recompute the groups from what each
    // backend served: a backend's councils must all share one group, and
    // both groups must have been served.
    let group_of = |index: usize| councils[index].id.0.as_u128() % 2;
    let groups: HashSet<u128> = (0..councils.len()).map(group_of).collect();
    assert_eq!(groups.len(), 2, "the eight councils fall in both groups");
    for (pid, indices) in &served {
        let seen: HashSet<u128> = indices.iter().map(|&i| group_of(i)).collect();
        assert_eq!(
            seen.len(),
            1,
            "backend {pid} served councils of two groups: {indices:?}"
        );
    }
    assert!(
        served.len() <= 4,
        "at most the pool's 4 connections: {served:?}"
    );
}

#[tokio::test]
async fn affinity_turns_itself_on_once_the_fleet_passes_a_thousand_councils() {
    let (tenancy, councils) = with_councils(PoolConfig::default(), 2).await;
    assert_eq!(tenancy.council_groups(), 1, "two councils: no affinity");
    // Registry rows stand for the rest of a large fleet: the choice counts
    // councils, not schemas.
    let registered = i64::try_from(cabildo_tenancy::AUTOMATIC_AFFINITY_FROM).expect("count");
    sqlx::query(
        "INSERT INTO platform.tenants (id, slug, name)
         SELECT gen_random_uuid(), 'fleet-' || n, 'Council ' || n FROM generate_series(1, $1) AS n",
    )
    .bind(registered - i64::try_from(councils.len()).expect("two"))
    .execute(tenancy.pool())
    .await
    .expect("registry rows");
    let node = |groups: u32| {
        let url = cabildo_tenancy::testing::database_url(&tenancy);
        async move {
            Tenancy::connect(
                &url,
                PoolConfig {
                    max_connections: 6,
                    council_groups: groups,
                    ..PoolConfig::default()
                },
                None,
            )
            .await
            .expect("node")
        }
    };
    assert_eq!(
        node(0).await.council_groups(),
        1,
        "exactly 1,000: still off"
    );
    sqlx::query("INSERT INTO platform.tenants (id, slug, name) VALUES (gen_random_uuid(), 'one-more', 'One more')")
        .execute(tenancy.pool())
        .await
        .expect("one more");
    let large = node(0).await;
    assert_eq!(large.council_groups(), 6, "one group per connection");
    assert_ne!(
        backend_of(&large, &councils[0]).await,
        0,
        "a council is served through its group"
    );
    assert_eq!(
        node(1).await.council_groups(),
        1,
        "set to 1: off whatever the size"
    );
    assert_eq!(node(3).await.council_groups(), 3, "set: as set");
}

#[tokio::test]
async fn a_connection_is_recycled_after_serving_its_share_of_councils() {
    let (tenancy, councils) = with_councils(
        PoolConfig {
            max_connections: 1,
            recycle_after: 3,
            ..PoolConfig::default()
        },
        6,
    )
    .await;
    // The same council again and again does not count.
    let first = backend_of(&tenancy, &councils[0]).await;
    for _ in 0..5 {
        assert_eq!(backend_of(&tenancy, &councils[0]).await, first);
    }
    // The second and third distinct councils: the third is served, then
    // the connection is closed.
    assert_eq!(backend_of(&tenancy, &councils[1]).await, first);
    assert_eq!(backend_of(&tenancy, &councils[2]).await, first);
    let second = backend_of(&tenancy, &councils[3]).await;
    assert_ne!(second, first, "a new backend after three councils");
    assert_eq!(backend_of(&tenancy, &councils[4]).await, second);
    assert_eq!(backend_of(&tenancy, &councils[5]).await, second);
    let third = backend_of(&tenancy, &councils[0]).await;
    assert_ne!(third, second);
    // The closed backends leave the server (they exit just after the
    // connection closes).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let alive: i64 =
            sqlx::query_scalar("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1)")
                .bind(vec![first, second])
                .fetch_one(tenancy.pool())
                .await
                .expect("activity");
        if alive == 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{alive} closed backends still there"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_council_connection_is_reused_and_replaced_once_its_backend_is_gone() {
    let (tenancy, councils) = with_councils(
        PoolConfig {
            max_connections: 2,
            ..PoolConfig::default()
        },
        1,
    )
    .await;
    let first = backend_of(&tenancy, &councils[0]).await;
    assert_eq!(
        backend_of(&tenancy, &councils[0]).await,
        first,
        "the connection just returned is taken again"
    );
    // Its backend ends while it is idle, as in a server restart; one idle
    // for over a second is tested before it is handed out again.
    sqlx::query("SELECT pg_terminate_backend($1)")
        .bind(first)
        .execute(tenancy.pool())
        .await
        .expect("terminate");
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let next = backend_of(&tenancy, &councils[0]).await;
    assert_ne!(next, first, "a new backend, and no error");
}

#[tokio::test]
async fn a_read_at_once_is_scoped_committed_and_leaves_its_connection_clean() {
    let (tenancy, councils) = with_councils(
        PoolConfig {
            max_connections: 1,
            // The backend's process id comes back with the scope.
            recycle_after: 2,
            ..PoolConfig::default()
        },
        2,
    )
    .await;
    let read = async |tenant: &Tenant, statement: &str| {
        tenancy
            .read_at_once(tenant, sqlx::AssertSqlSafe(statement.to_owned()))
            .await
    };
    let rows = read(
        &councils[0],
        "SELECT current_user::text, current_schema()::text FROM generate_series(1, 3)",
    )
    .await
    .expect("read");
    assert_eq!(rows.len(), 3, "the statement's rows, not the scope's");
    let (user, schema): (String, String) = sqlx::FromRow::from_row(&rows[0]).expect("columns");
    assert_eq!(
        (user.as_str(), schema.as_str()),
        (councils[0].role().as_str(), councils[0].schema().as_str())
    );
    // Another council's table is out of reach.
    let other = format!(
        "SELECT count(*) FROM {}.districts",
        councils[1].schema().as_str()
    );
    assert!(read(&councils[0], &other).await.is_err());
    // A failed statement left nothing open: the next transaction, on the
    // pool's one connection, starts afresh.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let mut tx = tenancy.begin(&councils[0]).await.expect("begin");
    let fresh: bool =
        sqlx::query_scalar("SELECT now() > clock_timestamp() - interval '50 milliseconds'")
            .fetch_one(tx.conn())
            .await
            .expect("now");
    assert!(fresh, "the transaction began now, not before");
    tx.commit().await.expect("commit");
    // Two councils served: the backend is retired, as after a transaction.
    let before = backend_of(&tenancy, &councils[0]).await;
    read(&councils[1], "SELECT 1")
        .await
        .expect("second council");
    assert_ne!(backend_of(&tenancy, &councils[0]).await, before);
}
