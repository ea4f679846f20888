//! Several nodes sharing PostgreSQL and Redis, and a node whose Redis is down.

use crate::util::{BASE, app, demo_tenancy, get};
use axum::http::StatusCode;
use cabildo_tenancy::testing::{another_node, another_node_with};
use cabildo_tenancy::{SharedCache, Slug, TenantStatus};
use cabildo_web::WebConfig;
use std::time::{Duration, Instant};

#[tokio::test]
async fn a_status_change_reaches_every_router_through_redis() {
    let node_a = demo_tenancy().await;
    let node_b = another_node(&node_a).await.expect("node b");
    let operator = another_node(&node_a).await.expect("operator");
    let (router_a, router_b) = (
        app(&node_a, WebConfig::default()),
        app(&node_b, WebConfig::default()),
    );
    let host = format!("toledo.{BASE}");
    assert_eq!(get(&router_a, &host, "/").await.status, StatusCode::OK);
    assert_eq!(get(&router_b, &host, "/").await.status, StatusCode::OK);

    let slug = Slug::parse("toledo").expect("slug");
    operator
        .set_status(&slug, TenantStatus::Suspended)
        .await
        .expect("suspend");
    let deadline = Instant::now() + Duration::from_secs(10);
    for router in [&router_a, &router_b] {
        // Both cached toledo as active for 30 s; only the broadcast can
        // make them notice within the deadline.
        while get(router, &host, "/").await.status != StatusCode::FORBIDDEN {
            assert!(
                Instant::now() < deadline,
                "the suspension never reached a node"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

#[tokio::test]
async fn with_redis_down_pages_are_served_and_readiness_says_so() {
    let tenancy = demo_tenancy().await;
    let closed_port = cabildo_devkit::free_port().expect("port");
    let dead = SharedCache::new(&format!("redis://127.0.0.1:{closed_port}/")).expect("url");
    let without_redis = another_node_with(&tenancy, Some(dead))
        .await
        .expect("connect");
    let router = app(&without_redis, WebConfig::default());
    for _ in 0..3 {
        let page = get(&router, &format!("toledo.{BASE}"), "/").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Ayuntamiento de Toledo"));
    }
    let ready = get(&router, BASE, "/readyz").await;
    assert_eq!(
        ready.status,
        StatusCode::OK,
        "still ready: pages work without Redis"
    );
    assert!(ready.body.contains("\"redis\":\"down\""), "{}", ready.body);
}

#[tokio::test]
async fn changed_settings_reach_every_node_cache() {
    let node_a = demo_tenancy().await;
    let node_b = another_node(&node_a).await.expect("node b");
    let (router_a, router_b) = (
        app(&node_a, WebConfig::default()),
        app(&node_b, WebConfig::default()),
    );
    let host = format!("toledo.{BASE}");
    for router in [&router_a, &router_b] {
        assert!(
            get(router, &host, "/theme.css")
                .await
                .body
                .contains("#8a1538"),
            "cached now"
        );
    }

    // Changed through node a: node a knows at once, node b by broadcast.
    recolour_toledo(&node_a, "Ayuntamiento de Toledo (nuevo)").await;
    assert!(
        get(&router_a, &host, "/theme.css")
            .await
            .body
            .contains("#004488")
    );
    wait_for_new_colour(&router_b, &host).await;
    assert!(
        get(&router_b, &host, "/")
            .await
            .body
            .contains("Ayuntamiento de Toledo (nuevo)")
    );
}

/// Applies Toledo's definition through `node` with primary colour #004488
/// and the name `name`.
async fn recolour_toledo(node: &cabildo_tenancy::Tenancy, name: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tenants/toledo.toml");
    let mut spec = cabildo_tenancy::CouncilSpec::from_file(&path)
        .expect("spec")
        .spec;
    spec.colours.primary = "#004488".into();
    spec.name = name.into();
    node.apply(
        &spec.validate().expect("valid"),
        &cabildo_tenancy::TenantMigrations::embedded(),
    )
    .await
    .expect("apply");
}

/// Waits until `router` serves Toledo's new colour (a cached copy lasts
/// 30 s; only a broadcast brings it within the deadline).
async fn wait_for_new_colour(router: &axum::Router, host: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !get(router, host, "/theme.css")
        .await
        .body
        .contains("#004488")
    {
        assert!(Instant::now() < deadline, "node b kept the old colours");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The whole site works through the least-privilege serving role, as in
/// production: pages, registration with its mail job, login, a staff page
/// and a change of rows.
#[tokio::test]
async fn the_site_runs_on_the_serving_role() {
    let world = crate::util::world().await;
    let serving = cabildo_tenancy::testing::serving_node(&world.tenancy)
        .await
        .expect("serving role");
    let app = crate::util::app(
        &serving,
        cabildo_web::WebConfig {
            secret_key: Some(crate::util::SECRET.to_vec()),
            ..cabildo_web::WebConfig::default()
        },
    );
    let mut ana = crate::util::Browser::new(&app);
    let toledo = crate::util::TOLEDO;
    crate::util::logged_in(&world, &mut ana, toledo, "ana", "ana@example.org", 1).await;
    world
        .grant(
            "toledo",
            "ana@example.org",
            cabildo_engine::staff::Role::Admin,
        )
        .await;
    for path in ["/", "/processes", "/account", "/staff", "/staff/processes"] {
        let page = ana.get(toledo, path).await;
        assert_eq!(
            page.status,
            axum::http::StatusCode::OK,
            "{path}: {}",
            page.body
        );
    }
    let created = ana
        .submit(
            toledo,
            "/staff/processes",
            "/staff/processes",
            &[
                ("slug", "plan-barrios"),
                ("title", "Plan de barrios"),
                ("summary", "Propuestas"),
                ("threshold", "100"),
            ],
        )
        .await;
    assert!(
        created.status.is_redirection() || created.status.is_success(),
        "{}",
        created.body
    );
    let shown = ana.get(toledo, "/staff/processes").await;
    assert!(shown.body.contains("Plan de barrios"), "{}", shown.body);
}

/// Two nodes on a Redis Cluster of three masters: wrong passwords counted
/// on either node add up, a changed setting reaches the other node by
/// broadcast, the keys spread over the masters, and when a master is lost
/// pages are still served.
#[tokio::test]
async fn two_nodes_share_a_redis_cluster_and_outlive_a_lost_master() {
    let dir = std::env::temp_dir().join(format!("cabildo-cluster-{}", uuid::Uuid::new_v4()));
    let cluster = cabildo_devkit::LocalRedisCluster::start(&dir, 3).expect("cluster");
    let node_a = demo_tenancy().await;
    let on_cluster = || SharedCache::new(&cluster.url()).expect("cluster url");
    let node_a = another_node_with(&node_a, Some(on_cluster()))
        .await
        .expect("node a");
    let node_b = another_node_with(&node_a, Some(on_cluster()))
        .await
        .expect("node b");
    assert!(
        node_a.cache().expect("cache").ping().await,
        "cluster answers"
    );
    let config = || WebConfig {
        rate_limits: cabildo_web::ratelimit::RateLimits::parse("login-ip=3/60").expect("limits"),
        ..WebConfig::default()
    };
    let (router_a, router_b) = (app(&node_a, config()), app(&node_b, config()));
    let host = format!("toledo.{BASE}");

    // Four wrong passwords, two on each node: only a shared count refuses
    // the fourth.
    let mut statuses = Vec::new();
    for router in [&router_a, &router_b, &router_a, &router_b] {
        let mut stranger = crate::util::Browser::new(router);
        let answer = stranger
            .json(
                &host,
                "POST",
                "/api/v1/sessions",
                serde_json::json!({"email": "ana@example.org", "password": "wrong"}),
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

    // A new colour applied through node a reaches node b's cache by a
    // broadcast through the cluster (without it, node b keeps it 30 s).
    for router in [&router_a, &router_b] {
        assert!(
            get(router, &host, "/theme.css")
                .await
                .body
                .contains("#8a1538")
        );
    }
    recolour_toledo(&node_a, "Ayuntamiento de Toledo").await;
    wait_for_new_colour(&router_b, &host).await;

    // Each key goes whole to the master owning its slot. The app's own keys
    // are few and partly random (session and request ids), so fixed names
    // make the spread certain: written on node a, read back on node b, and
    // more than one master holds some.
    let (cache_a, cache_b) = (
        node_a.cache().expect("cache"),
        node_b.cache().expect("cache"),
    );
    for i in 0..24 {
        cache_a
            .set(
                &format!("spread:{i}"),
                &i.to_string(),
                Duration::from_secs(60),
            )
            .await;
    }
    for i in 0..24 {
        assert_eq!(
            cache_b.get(&format!("spread:{i}")).await,
            Some(i.to_string()),
            "key {i} read on node b"
        );
    }
    let holding = cluster
        .ports()
        .into_iter()
        .filter(|port| {
            let size = std::process::Command::new("redis-cli")
                .args(["-p", &port.to_string(), "dbsize"])
                .output()
                .expect("redis-cli");
            String::from_utf8_lossy(&size.stdout).trim() != "0"
        })
        .count();
    assert!(holding >= 2, "keys on {holding} master(s) only");

    // A master lost: its slots fail, so the cluster refuses writes, and
    // pages are served from PostgreSQL without waiting on Redis.
    let ports = cluster.ports();
    std::process::Command::new("redis-cli")
        .args(["-p", &ports[0].to_string(), "shutdown", "nosave"])
        .output()
        .expect("shutdown");
    for path in ["/", "/processes", "/theme.css"] {
        let started = Instant::now();
        let page = get(&router_a, &host, path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{path} took {:?}",
            started.elapsed()
        );
    }
    cluster.stop().expect("stop");
    let _ = std::fs::remove_dir_all(&dir);
}
