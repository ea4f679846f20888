//! One module per subcommand, and what they share: connecting with retries
//! and waiting for a shutdown signal.

pub mod accounts;
pub mod billing;
pub mod budget;
pub mod census;
pub mod consultation;
pub mod demo;
pub mod invoices;
pub mod jobs;
pub mod mail;
pub mod migrate;
pub mod newsletters;
pub mod placement;
pub mod probe;
pub mod provisioner;
pub mod seed;
pub mod serve;
pub mod services;
pub mod tenants;
pub mod transfer;
pub mod worker;

use crate::config::Global;
use anyhow::{Context, bail};
use cabildo_tenancy::{PoolConfig, SharedCache, Tenancy};
use std::time::{Duration, Instant};

/// The platform's database URL (the owner role's: import creates roles,
/// `pg_dump` reads council schemas).
pub fn database_url(global: &Global) -> anyhow::Result<&str> {
    global
        .database_url
        .as_deref()
        .context("DATABASE_URL is not set (pass --database-url or set the environment variable)")
}

/// Connects to PostgreSQL (and prepares Redis), retrying with backoff while
/// the database is unreachable, for at most `patience` (forever if `None`).
pub async fn connect(global: &Global, patience: Option<Duration>) -> anyhow::Result<Tenancy> {
    let url = global
        .database_url
        .as_deref()
        .context("DATABASE_URL is not set (pass --database-url or set the environment variable)")?;
    connect_to(
        url,
        global.redis_url.as_deref(),
        global.pool_config(),
        patience,
    )
    .await
}

/// Warns when `serve` or `worker` runs with a role that can create roles
/// (the provisioning role): in production they connect as the serving
/// role, which cannot (see `Tenancy::serving_role`).
pub async fn warn_if_privileged(tenancy: &Tenancy) -> anyhow::Result<()> {
    if tenancy.can_create_roles().await? {
        tracing::warn!(
            serving_role = %tenancy.serving_role(),
            "this role can create roles; connect serve and worker as the serving role"
        );
    }
    Ok(())
}

/// [`connect`] with explicit settings.
pub async fn connect_to(
    url: &str,
    redis_url: Option<&str>,
    pool: PoolConfig,
    patience: Option<Duration>,
) -> anyhow::Result<Tenancy> {
    let cache = redis_url
        .map(SharedCache::new)
        .transpose()
        .context("REDIS_URL is not a valid Redis URL")?;
    let started = Instant::now();
    let mut delay = Duration::from_millis(250);
    loop {
        match Tenancy::connect(url, pool.clone(), cache.clone()).await {
            Ok(tenancy) => return Ok(tenancy),
            Err(error) if error.is_unavailable() => {
                if patience.is_some_and(|p| started.elapsed() + delay > p) {
                    bail!(
                        "the database at DATABASE_URL is unreachable ({error:#}); is PostgreSQL running?"
                    );
                }
                tracing::warn!(retry_in_ms = delay.as_millis() as u64, error = %error, "database unreachable; retrying");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(10));
            }
            Err(error) => return Err(error).context("connecting to the database"),
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}

/// The unsubscribe-link signer, when a secret key is configured.
pub fn signer(secret: Option<&str>) -> anyhow::Result<Option<cabildo_notify::unsubscribe::Signer>> {
    secret
        .map(|key| cabildo_notify::unsubscribe::Signer::new(key.as_bytes()))
        .transpose()
        .map_err(Into::into)
}
