//! Losing PostgreSQL while serving: 503s and a red /readyz, then recovery
//! without a restart. Runs its own cluster, since it stops it.

use crate::util::{BASE, get};
use axum::http::StatusCode;
use cabildo_devkit::{LocalPostgres, PostgresOptions};
use cabildo_tenancy::{
    CouncilSpec, PoolConfig, Resolver, ResolverConfig, Tenancy, TenantMigrations,
};
use cabildo_web::WebConfig;
use std::time::{Duration, Instant};

fn options(dir: &std::path::Path, port: Option<u16>) -> PostgresOptions {
    PostgresOptions {
        dir: dir.to_path_buf(),
        ephemeral: true,
        max_connections: 50,
        port,
        citus: false,
    }
}

#[tokio::test]
async fn losing_the_database_gives_503_and_recovers_without_restart() {
    let dir = std::env::temp_dir().join(format!("cabildo-outage-{}", uuid::Uuid::new_v4()));
    let postgres = LocalPostgres::start(options(&dir, None))
        .await
        .expect("postgres");
    let port = postgres.port();
    postgres.ensure_database("outage").await.expect("database");
    let pool = PoolConfig {
        max_connections: 4,
        acquire_timeout: Duration::from_millis(800),
        ..PoolConfig::default()
    };
    let tenancy = Tenancy::connect(&postgres.url("outage"), pool, None)
        .await
        .expect("connect");
    tenancy.migrate_platform().await.expect("platform");
    let valid = CouncilSpec::minimal("toledo", "Ayuntamiento de Toledo")
        .validate()
        .expect("valid");
    tenancy
        .create(&valid, &TenantMigrations::embedded())
        .await
        .expect("create");
    let mut resolver_config = ResolverConfig::new(BASE);
    resolver_config.local_ttl = Some(Duration::from_millis(1));
    let app = cabildo_web::router(
        tenancy.clone(),
        Resolver::new(tenancy.clone(), resolver_config),
        WebConfig::default(),
    );
    let host = format!("toledo.{BASE}");
    assert_eq!(get(&app, &host, "/").await.status, StatusCode::OK);

    postgres.stop().expect("stop");
    let page = get(&app, &host, "/").await;
    assert_eq!(
        page.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        page.body
    );
    assert!(page.headers.contains_key("retry-after"));
    assert_eq!(
        get(&app, BASE, "/readyz").await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(
        get(&app, BASE, "/healthz").await.status,
        StatusCode::OK,
        "liveness needs no database"
    );
    assert_eq!(
        get(&app, BASE, "/").await.status,
        StatusCode::OK,
        "the platform page needs no database"
    );

    let postgres = LocalPostgres::start(options(&dir, Some(port)))
        .await
        .expect("restart");
    let deadline = Instant::now() + Duration::from_secs(30);
    while get(&app, &host, "/").await.status != StatusCode::OK {
        assert!(Instant::now() < deadline, "never recovered");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(get(&app, BASE, "/readyz").await.status, StatusCode::OK);
    postgres.stop().expect("stop");
    let _ = std::fs::remove_dir_all(&dir);
}
