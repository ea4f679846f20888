//! Host resolution through the caches, and invalidation across nodes.

use cabildo_tenancy::testing::{another_node, another_node_with, council, fresh_tenancy};
use cabildo_tenancy::{ResolveError, Resolver, ResolverConfig, SharedCache, Site, TenantStatus};
use std::time::{Duration, Instant};

fn slug_of(site: Option<Site>) -> Option<String> {
    match site {
        Some(Site::Council(tenant)) => Some(tenant.slug.to_string()),
        Some(Site::Platform) => Some("<platform>".into()),
        None => None,
    }
}

#[tokio::test]
async fn hosts_resolve_to_the_right_site_or_to_nothing() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let toledo = council(&tenancy, "toledo").await.expect("toledo");
    council(&tenancy, "talavera").await.expect("talavera");
    sqlx::query("INSERT INTO platform.tenant_hosts (host, tenant_id, verified_at) VALUES ('participa.toledo.es', $1, now()), ('unverified.example', $1, NULL)")
        .bind(toledo.id.0)
        .execute(tenancy.pool())
        .await
        .expect("custom domains");
    let resolver = Resolver::new(tenancy.clone(), ResolverConfig::new("cabildo.test"));

    let cases = [
        ("toledo.cabildo.test", Some("toledo")),
        ("TOLEDO.Cabildo.Test:8080", Some("toledo")),
        ("toledo.cabildo.test.", Some("toledo")),
        ("talavera.cabildo.test", Some("talavera")),
        ("participa.toledo.es", Some("toledo")),
        ("cabildo.test", Some("<platform>")),
        ("www.cabildo.test:443", Some("<platform>")),
        ("unverified.example", None),
        ("madrid.cabildo.test", None),
        ("x.toledo.cabildo.test", None),
        ("admin.cabildo.test", None),
        ("127.0.0.1:8080", None),
        ("[::1]", None),
        ("toledo.cabildo.test.evil.example", None),
    ];
    for _pass in 0..2 {
        // The second pass is answered from the caches.
        for (host, expected) in cases {
            let site = resolver.resolve(host).await.expect(host);
            assert_eq!(slug_of(site).as_deref(), expected, "{host}");
        }
    }
    for bad in [
        "",
        "toledó.cabildo.test",
        "to ledo.cabildo.test",
        &"a".repeat(400),
    ] {
        assert!(
            matches!(resolver.resolve(bad).await, Err(ResolveError::BadHost(_))),
            "{bad:?}"
        );
    }
}

#[tokio::test]
async fn a_council_being_provisioned_is_not_served() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    sqlx::query("INSERT INTO platform.tenants (id, slug, name) VALUES (gen_random_uuid(), 'toledo', 'Toledo')")
        .execute(tenancy.pool())
        .await
        .expect("claim");
    let resolver = Resolver::new(tenancy.clone(), ResolverConfig::new("cabildo.test"));
    assert_eq!(
        slug_of(
            resolver
                .resolve("toledo.cabildo.test")
                .await
                .expect("resolve")
        ),
        None
    );
}

async fn status_seen(resolver: &Resolver) -> TenantStatus {
    match resolver
        .resolve("toledo.cabildo.test")
        .await
        .expect("resolve")
    {
        Some(Site::Council(tenant)) => tenant.status,
        other => panic!("expected toledo, got {other:?}"),
    }
}

async fn wait_for_status(resolver: &Resolver, status: TenantStatus) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while status_seen(resolver).await != status {
        assert!(
            Instant::now() < deadline,
            "the change never reached this node"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn long_lived(base: &str) -> ResolverConfig {
    // TTLs far beyond the test, so only invalidation can explain a change.
    let mut config = ResolverConfig::new(base);
    config.local_ttl = Some(Duration::from_secs(3600));
    config.negative_ttl = Duration::from_secs(3600);
    config.redis_ttl = Duration::from_secs(3600);
    config
}

#[tokio::test]
async fn a_change_made_on_one_node_reaches_the_caches_of_the_others() {
    let node_a = fresh_tenancy().await.expect("tenancy");
    let node_b = another_node(&node_a).await.expect("node b");
    let operator = another_node(&node_a).await.expect("operator");
    council(&node_a, "toledo").await.expect("toledo");
    let resolver_a = Resolver::new(node_a.clone(), long_lived("cabildo.test"));
    let resolver_b = Resolver::new(node_b.clone(), long_lived("cabildo.test"));
    assert_eq!(status_seen(&resolver_a).await, TenantStatus::Active);
    assert_eq!(status_seen(&resolver_b).await, TenantStatus::Active);

    // Give the subscriptions a moment to be established (they report
    // readiness by clearing the cache; poll for the change instead).
    let slug = cabildo_tenancy::Slug::parse("toledo").expect("slug");
    operator
        .set_status(&slug, TenantStatus::Suspended)
        .await
        .expect("suspend");
    wait_for_status(&resolver_a, TenantStatus::Suspended).await;
    wait_for_status(&resolver_b, TenantStatus::Suspended).await;

    operator
        .set_status(&slug, TenantStatus::Active)
        .await
        .expect("resume");
    wait_for_status(&resolver_a, TenantStatus::Active).await;
    wait_for_status(&resolver_b, TenantStatus::Active).await;

    // A council created elsewhere replaces a remembered "unknown host".
    assert_eq!(
        slug_of(
            resolver_b
                .resolve("madrid.cabildo.test")
                .await
                .expect("resolve")
        ),
        None
    );
    council(&operator, "madrid").await.expect("madrid");
    let deadline = Instant::now() + Duration::from_secs(10);
    while slug_of(
        resolver_b
            .resolve("madrid.cabildo.test")
            .await
            .expect("resolve"),
    )
    .is_none()
    {
        assert!(
            Instant::now() < deadline,
            "the new council never reached node b"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn without_redis_hosts_still_resolve_from_postgres() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    council(&tenancy, "toledo").await.expect("toledo");
    let closed_port = cabildo_devkit::free_port().expect("port");
    let dead_redis = SharedCache::new(&format!("redis://127.0.0.1:{closed_port}/")).expect("url");
    assert!(!dead_redis.ping().await);
    let without_redis = another_node_with(&tenancy, Some(dead_redis))
        .await
        .expect("connect");
    let resolver = Resolver::new(without_redis.clone(), ResolverConfig::new("cabildo.test"));
    let started = Instant::now();
    for _ in 0..20 {
        assert_eq!(
            slug_of(
                resolver
                    .resolve("toledo.cabildo.test")
                    .await
                    .expect("resolve")
            )
            .as_deref(),
            Some("toledo")
        );
        assert_eq!(
            slug_of(
                resolver
                    .resolve("nowhere.cabildo.test")
                    .await
                    .expect("resolve")
            ),
            None
        );
    }
    // Status changes still work (the broadcast is skipped).
    let slug = cabildo_tenancy::Slug::parse("toledo").expect("slug");
    without_redis
        .set_status(&slug, TenantStatus::ReadOnly)
        .await
        .expect("status");
    assert_eq!(status_seen_on(&resolver).await, TenantStatus::ReadOnly);
    assert!(started.elapsed() < Duration::from_secs(30));
}

/// Copies of routes and settings are trusted for minutes while changes
/// are announced through Redis, for half a minute without it or once it
/// stops answering (other nodes' changes are then not heard).
#[tokio::test]
async fn copies_are_trusted_for_minutes_only_while_changes_are_announced() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    council(&tenancy, "toledo").await.expect("toledo");
    let resolver = Resolver::new(tenancy.clone(), ResolverConfig::new("cabildo.test"));
    assert_eq!(status_seen(&resolver).await, TenantStatus::Active);
    assert_eq!(tenancy.trust_copies_for(), Duration::from_secs(300));

    let without_redis = another_node_with(&tenancy, None).await.expect("connect");
    assert_eq!(without_redis.trust_copies_for(), Duration::from_secs(30));

    let closed_port = cabildo_devkit::free_port().expect("port");
    let dead_redis = SharedCache::new(&format!("redis://127.0.0.1:{closed_port}/")).expect("url");
    let redis_down = another_node_with(&tenancy, Some(dead_redis))
        .await
        .expect("connect");
    let resolver = Resolver::new(redis_down.clone(), ResolverConfig::new("cabildo.test"));
    assert_eq!(status_seen(&resolver).await, TenantStatus::Active);
    assert_eq!(redis_down.trust_copies_for(), Duration::from_secs(30));
}

async fn status_seen_on(resolver: &Resolver) -> TenantStatus {
    status_seen(resolver).await
}
