//! Fault drills on a cluster of their own (they stop it): PostgreSQL
//! restarted while 50 people support a proposal and cast a ballot, each
//! retrying what failed as a person would, with none lost and none counted
//! twice and the server serving again without a restart; a pool with
//! every connection taken answering 503 with Retry-After within its
//! acquire timeout instead of hanging; a hung Redis; and a noisy council
//! waiting in its own line. (Uploads on a full disk: `storage`; SMTP down
//! and a mail outage: cabildo-notify's tests; a worker killed: cabildo's.)

use crate::util::{BASE, OPEN_RULES, TOLEDO, apply_demo, budget, get, open_process, world_on};
use axum::http::StatusCode;
use cabildo_devkit::{LocalPostgres, PostgresOptions};
use cabildo_tenancy::{PoolConfig, Tenancy};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

fn options(dir: &std::path::Path, port: Option<u16>) -> PostgresOptions {
    PostgresOptions {
        dir: dir.to_path_buf(),
        ephemeral: true,
        max_connections: 100,
        port,
        citus: false,
    }
}

/// A cluster of the drill's own, its platform migrated and the demo
/// councils applied, with a pool of `connections`.
async fn own_cluster(name: &str, connections: u32) -> (LocalPostgres, std::path::PathBuf, Tenancy) {
    let dir = std::env::temp_dir().join(format!("cabildo-{name}-{}", uuid::Uuid::new_v4()));
    let postgres = LocalPostgres::start(options(&dir, None))
        .await
        .expect("postgres");
    postgres.ensure_database("drill").await.expect("database");
    let pool = PoolConfig {
        max_connections: connections,
        acquire_timeout: Duration::from_millis(800),
        ..PoolConfig::default()
    };
    let tenancy = Tenancy::connect(&postgres.url("drill"), pool, None)
        .await
        .expect("connect");
    tenancy.migrate_platform().await.expect("platform");
    apply_demo(&tenancy).await;
    (postgres, dir, tenancy)
}

/// Calls the API until it answers one of `done` (a person retrying after
/// an error page), for at most a minute; returns how many calls failed.
async fn until(
    person: &mut crate::util::Person,
    (method, path, body): (&str, &str, Value),
    done: &[StatusCode],
) -> usize {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut failed = 0;
    loop {
        let (status, answer) = person.call(TOLEDO, method, path, body.clone()).await;
        if done.contains(&status) {
            return failed;
        }
        failed += 1;
        assert!(
            status.is_server_error(),
            "{method} {path}: only outages may fail: {status} {answer}"
        );
        assert!(
            Instant::now() < deadline,
            "{method} {path} never went through"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_database_restart_loses_no_support_or_ballot_and_counts_none_twice() {
    let (postgres, dir, tenancy) = own_cluster("drill-restart", 12).await;
    let port = postgres.port();
    // Fifty neighbours register from one address here: let them.
    let config = cabildo_web::WebConfig {
        rate_limits: cabildo_web::ratelimit::RateLimits::parse("register=100/60,login-ip=100/60")
            .expect("limits"),
        ..cabildo_web::WebConfig::default()
    };
    let world = world_on(tenancy.clone(), config).await;
    open_process(&world, "toledo", "plaza", OPEN_RULES, 1).await;
    let (heading, [project, ..]) = budget(&world).await;
    let mut author = world.citizen("autora").await;
    let (status, proposal) = author
        .call(
            TOLEDO,
            "POST",
            "/api/v1/processes/plaza/proposals",
            json!({"title": "Sombra en la plaza", "summary": "Árboles y toldos."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{proposal}");
    let support = format!(
        "/api/v1/proposals/{}/support",
        proposal["id"].as_str().expect("id")
    );
    let ballot = format!("/api/v1/budget-headings/{heading}/ballot");
    let mut people = Vec::new();
    for n in 0..50 {
        people.push(world.citizen(&format!("vecina{n}")).verified().await);
    }
    // Everyone supports and votes at once; the database goes away while
    // they do, for a second and a half, and comes back on the same port.
    let voting = async {
        let each = people.iter_mut().map(|person| {
            let (support, ballot) = (support.clone(), ballot.clone());
            async move {
                let supported = until(
                    person,
                    ("POST", &support, Value::Null),
                    &[StatusCode::CREATED, StatusCode::OK],
                )
                .await;
                let cast = json!({"projects": [project.to_string()], "submit": true});
                supported + until(person, ("PUT", &ballot, cast), &[StatusCode::OK]).await
            }
        });
        futures_util::future::join_all(each)
            .await
            .into_iter()
            .sum::<usize>()
    };
    let outage = async {
        tokio::time::sleep(Duration::from_millis(150)).await;
        postgres.stop().expect("stop");
        tokio::time::sleep(Duration::from_millis(1500)).await;
        LocalPostgres::start(options(&dir, Some(port)))
            .await
            .expect("restart")
    };
    let started = Instant::now();
    let (failed, postgres) = tokio::join!(voting, outage);
    assert!(failed > 0, "the outage came after everyone had finished");
    eprintln!(
        "{failed} calls failed during the outage; all done in {:?}",
        started.elapsed()
    );
    let tenant = world.council("toledo").await;
    let mut tx = tenancy.begin(&tenant).await.expect("begin");
    let (supports, counted): (i64, i32) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM supports), (SELECT supports_count FROM proposals
                                                  WHERE title = 'Sombra en la plaza')",
    )
    .fetch_one(tx.conn())
    .await
    .expect("supports");
    assert_eq!((supports, counted), (50, 50), "every support, once");
    let (ballots, lines): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM budget_ballots WHERE submitted_at IS NOT NULL),
                (SELECT count(*) FROM budget_ballots WHERE $1 = ANY (projects))",
    )
    .bind(project)
    .fetch_one(tx.conn())
    .await
    .expect("ballots");
    assert_eq!((ballots, lines), (50, 50), "every ballot, once");
    drop(tx);
    // Served again, without a restart of the server.
    assert_eq!(get(&world.app, TOLEDO, "/").await.status, StatusCode::OK);
    assert_eq!(
        get(&world.app, BASE, "/readyz").await.status,
        StatusCode::OK
    );
    postgres.stop().expect("stop");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_pool_with_every_connection_taken_answers_503_not_a_hang() {
    let (postgres, dir, tenancy) = own_cluster("drill-pool", 3).await;
    let world = world_on(tenancy.clone(), cabildo_web::WebConfig::default()).await;
    let tenant = world.council("toledo").await;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(tenancy.begin(&tenant).await.expect("a connection"));
    }
    let started = Instant::now();
    let page = get(&world.app, TOLEDO, "/processes").await;
    assert_eq!(
        page.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        page.body
    );
    assert!(page.headers.contains_key("retry-after"));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "answered after {:?}",
        started.elapsed()
    );
    drop(held);
    let deadline = Instant::now() + Duration::from_secs(10);
    while get(&world.app, TOLEDO, "/processes").await.status != StatusCode::OK {
        assert!(Instant::now() < deadline, "never served again");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    postgres.stop().expect("stop");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_hung_redis_slows_no_page_and_rate_limits_fall_back_to_the_node() {
    // A Redis that takes connections and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("address").port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let tenancy = crate::util::demo_tenancy().await;
    let hung =
        cabildo_tenancy::SharedCache::new(&format!("redis://127.0.0.1:{port}/")).expect("url");
    let node = cabildo_tenancy::testing::another_node_with(&tenancy, Some(hung))
        .await
        .expect("node");
    let config = cabildo_web::WebConfig {
        rate_limits: cabildo_web::ratelimit::RateLimits::parse("login-ip=5/60").expect("limits"),
        ..cabildo_web::WebConfig::default()
    };
    let world = world_on(node, config).await;
    // Logging in and the session working: Redis only caches.
    let mut ana = world.citizen("ana").await;
    for path in ["/", "/processes", "/account"] {
        let started = Instant::now();
        let page = ana.browser.get(TOLEDO, path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{path} took {:?}",
            started.elapsed()
        );
    }
    // Wrong passwords from one address: the node counts them itself.
    let mut stranger = crate::util::Browser::new(&world.app);
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let answer = stranger
            .json(
                TOLEDO,
                "POST",
                "/api/v1/sessions",
                json!({"email": "ana@example.org", "password": "not the password"}),
                None,
            )
            .await;
        statuses.push(answer.status);
    }
    assert_eq!(
        statuses.last(),
        Some(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
}

/// Fault drill, the mechanism behind the noisy-council benchmark
/// (bench/noisy measures the latency): a council whose page reads are all
/// stuck (its process table locked, as a slow query would) fills its turns
/// on the node; its next read waits in its own line and is answered 503
/// with Retry-After once the wait is over, page and API alike, while
/// another council is served; when the reads finish, it is served again.
#[tokio::test]
async fn a_noisy_council_waits_in_its_own_line() {
    let world = crate::util::world_with(cabildo_web::WebConfig {
        read_slots: 4,
        read_wait: Duration::from_millis(300),
        read_cache_ttl: Duration::ZERO,
        ..cabildo_web::WebConfig::default()
    })
    .await;
    let toledo = world.council("toledo").await;
    let mut lock = world.tenancy.begin(&toledo).await.expect("transaction");
    sqlx::query("LOCK TABLE processes IN ACCESS EXCLUSIVE MODE")
        .execute(lock.conn())
        .await
        .expect("lock");
    let stuck: Vec<_> = (0..2)
        .map(|_| {
            let app = world.app.clone();
            tokio::spawn(async move { get(&app, TOLEDO, "/processes").await })
        })
        .collect();
    // Both reads hold their turn once both wait on the lock.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'",
        )
        .fetch_one(world.tenancy.pool())
        .await
        .expect("activity");
        if waiting >= 2 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the reads never waited on the lock"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let busy = get(&world.app, TOLEDO, "/").await;
    assert_eq!(
        busy.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        busy.body
    );
    assert_eq!(busy.headers[axum::http::header::RETRY_AFTER], "1");
    assert!(busy.body.contains("Mucho tráfico"), "{}", busy.body);
    let api = get(&world.app, TOLEDO, "/api/v1/processes").await;
    assert_eq!(api.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(api.body.contains("\"busy\""), "{}", api.body);
    // Another council is not in Toledo's line.
    let other = get(&world.app, crate::util::TALAVERA, "/processes").await;
    assert_eq!(other.status, StatusCode::OK);
    lock.rollback().await.expect("unlock");
    for read in stuck {
        assert_eq!(read.await.expect("read").status, StatusCode::OK);
    }
    assert_eq!(get(&world.app, TOLEDO, "/").await.status, StatusCode::OK);
}
