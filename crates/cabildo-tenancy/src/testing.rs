//! Test helpers for this crate and the crates above it: a fresh database
//! per test with the `platform` schema migrated, on the run's local
//! PostgreSQL and Redis (see `cabildo_devkit::testing`).

use crate::{CouncilSpec, PoolConfig, SharedCache, Tenancy, Tenant, TenantMigrations};

/// A fresh database with `platform` migrated; returns its URL.
pub async fn fresh_database_url() -> TestResult<String> {
    let fingerprint: String = crate::platform_migrator()
        .iter()
        .map(|m| format!("{}:{:02x?}", m.version, &m.checksum[..4]))
        .collect::<Vec<_>>()
        .join(",");
    let template = format!("cabildo_tpl_{:016x}", fnv1a(fingerprint.as_bytes()));
    cabildo_devkit::testing::fresh_database(&template, |url| async move {
        let tenancy = Tenancy::connect(&url, PoolConfig::default(), None).await?;
        tenancy.migrate_platform().await?;
        tenancy.close().await;
        Ok(())
    })
    .await
    .map_err(Into::into)
}

/// A [`Tenancy`] on a fresh database, with the run's Redis.
pub async fn fresh_tenancy() -> TestResult<Tenancy> {
    fresh_tenancy_with(PoolConfig::default()).await
}

/// Like [`fresh_tenancy`] with a chosen pool.
pub async fn fresh_tenancy_with(pool: PoolConfig) -> TestResult<Tenancy> {
    let url = fresh_database_url().await?;
    let redis = redis_url().await?;
    let cache = SharedCache::new(&redis)?;
    Ok(Tenancy::connect(&url, pool, Some(cache)).await?)
}

/// Another handle on the same database (another "node") with the run's
/// Redis.
pub async fn another_node(tenancy: &Tenancy) -> TestResult<Tenancy> {
    let cache = SharedCache::new(&redis_url().await?)?;
    another_node_with(tenancy, Some(cache)).await
}

/// Another handle on the same database with the given Redis (or none).
pub async fn another_node_with(
    tenancy: &Tenancy,
    cache: Option<SharedCache>,
) -> TestResult<Tenancy> {
    Ok(Tenancy::connect(&database_url(tenancy), PoolConfig::default(), cache).await?)
}

/// A handle on `owner`'s database logged in as its serving role, as `serve`
/// and `worker` run in production (the role is made and granted every
/// council first), with the run's Redis.
pub async fn serving_node(owner: &Tenancy) -> TestResult<Tenancy> {
    owner.migrate_platform().await?;
    let cache = SharedCache::new(&redis_url().await?)?;
    let url = url_as(owner, &owner.serving_role());
    Ok(Tenancy::connect(&url, PoolConfig::default(), Some(cache)).await?)
}

/// The URL of `tenancy`'s database, logged in as it is.
pub fn database_url(tenancy: &Tenancy) -> String {
    url_as(tenancy, tenancy.pool().connect_options().get_username())
}

/// The URL of `tenancy`'s database for `role`.
fn url_as(tenancy: &Tenancy, role: &str) -> String {
    let options = tenancy.pool().connect_options();
    format!(
        "postgres://{role}@{}:{}/{}",
        options.get_host(),
        options.get_port(),
        options.get_database().unwrap_or_default()
    )
}

/// A [`Tenancy`] on a fresh database whose pool has one connection, to
/// show what one connection carries from one use to the next.
pub async fn one_connection_tenancy() -> TestResult<Tenancy> {
    fresh_tenancy_with(PoolConfig {
        max_connections: 1,
        ..PoolConfig::default()
    })
    .await
}

/// URL of the run's Redis.
pub async fn redis_url() -> TestResult<String> {
    Ok(cabildo_devkit::testing::services().await?.redis_url.clone())
}

/// Creates an active council with default settings.
pub async fn council(tenancy: &Tenancy, slug: &str) -> TestResult<Tenant> {
    let valid = CouncilSpec::minimal(slug, &format!("Council {slug}")).validate()?;
    Ok(tenancy
        .create(&valid, &TenantMigrations::embedded())
        .await?)
}

/// Result of test helpers: any error, to be unwrapped by the test.
pub type TestResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
