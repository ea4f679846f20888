//! `cabildo serve` started before its database: it waits, retrying with
//! backoff, and serves once PostgreSQL is up.

use crate::support::{cabildo, http_get, run, terminate};
use cabildo_devkit::{LocalPostgres, PostgresOptions};
use std::process::Stdio;
use std::time::{Duration, Instant};

#[tokio::test]
async fn serve_waits_for_a_database_that_is_down_at_start() {
    let dir = std::env::temp_dir().join(format!("cabildo-startup-{}", uuid::Uuid::new_v4()));
    let options = |port| PostgresOptions {
        dir: dir.clone(),
        ephemeral: true,
        max_connections: 50,
        port,
        citus: false,
    };
    // Prepare a migrated database, then take PostgreSQL down.
    let postgres = LocalPostgres::start(options(None)).await.expect("postgres");
    let db_port = postgres.port();
    postgres.ensure_database("startup").await.expect("database");
    let url = postgres.url("startup");
    let migrated = run(cabildo().env("DATABASE_URL", &url).arg("migrate"));
    assert!(migrated.ok, "{}", migrated.stderr);
    postgres.stop().expect("stop");

    let port = cabildo_devkit::free_port().expect("port");
    let mut server = cabildo()
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", &url)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve");
    // Longer than one attempt (the pool tries for 3 s before giving up).
    std::thread::sleep(Duration::from_millis(4000));
    assert!(
        server.try_wait().expect("wait").is_none(),
        "serve gave up instead of retrying"
    );
    assert!(
        http_get(port, "localhost", "/healthz").is_err(),
        "not serving without a database"
    );

    let postgres = LocalPostgres::start(options(Some(db_port)))
        .await
        .expect("restart");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !matches!(http_get(port, "localhost", "/readyz"), Ok((200, _))) {
        assert!(
            Instant::now() < deadline,
            "serve never came up after the database did"
        );
        assert!(server.try_wait().expect("wait").is_none(), "serve exited");
        std::thread::sleep(Duration::from_millis(100));
    }
    terminate(&server);
    let output = server.wait_with_output().expect("wait");
    assert!(output.status.success());
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(log.contains("database unreachable; retrying"), "{log}");
    postgres.stop().expect("stop");
    let _ = std::fs::remove_dir_all(&dir);
}

/// With `--ops-listen`, readiness and metrics move to the operators'
/// address: the sites' address no longer answers them, and both stop
/// together on a signal.
#[tokio::test]
async fn operators_get_their_own_address() {
    let url = cabildo_tenancy::testing::fresh_database_url()
        .await
        .expect("database");
    let migrated = run(cabildo().env("DATABASE_URL", &url).arg("migrate"));
    assert!(migrated.ok, "{}", migrated.stderr);
    let (sites, operators) = (
        cabildo_devkit::free_port().expect("port"),
        cabildo_devkit::free_port().expect("port"),
    );
    let mut server = cabildo()
        .args(["serve", "--listen", &format!("127.0.0.1:{sites}")])
        .args(["--ops-listen", &format!("127.0.0.1:{operators}")])
        .env("DATABASE_URL", &url)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !matches!(http_get(operators, "localhost", "/readyz"), Ok((200, _))) {
        assert!(
            Instant::now() < deadline,
            "the operators' address never answered"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let (status, metrics) = http_get(operators, "localhost", "/metrics").expect("metrics");
    assert_eq!(status, 200);
    assert!(metrics.contains("cabildo_http_requests_total"), "{metrics}");
    for path in ["/readyz", "/metrics"] {
        let (status, _) = http_get(sites, "localhost", path).expect(path);
        assert_eq!(status, 404, "{path} on the sites' address");
    }
    assert_eq!(
        http_get(sites, "localhost", "/healthz").expect("probe").0,
        200
    );
    // `cabildo probe`, the containers' health check: ready on the
    // operators' address, not on the sites' (404), nothing on a closed port.
    let probe = |url: String| run(cabildo().args(["probe", &url]));
    assert!(probe(format!("http://127.0.0.1:{operators}/readyz")).ok);
    let refused = probe(format!("http://127.0.0.1:{sites}/readyz"));
    assert!(
        !refused.ok && refused.stderr.contains("answered 404"),
        "{}",
        refused.stderr
    );
    let closed = cabildo_devkit::free_port().expect("port");
    assert!(!probe(format!("http://127.0.0.1:{closed}/healthz")).ok);
    terminate(&server);
    assert!(server.wait().expect("wait").success());
}
