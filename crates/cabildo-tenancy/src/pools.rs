//! The connection pools: council affinity and recycling.
//!
//! Each PostgreSQL backend builds catalog caches (relations, their columns
//! and indexes, and plans re-made for each `search_path`) for every council
//! schema it touches, and keeps them for its whole life. Spread at random
//! over thousands of councils, every backend ends up building caches for
//! most of them: its memory grows with the fleet, and a request to a council
//! it has not served lately pays for reading the catalog first (measured in
//! `docs/benchmarks.md`, "10,000 councils"). Two bounds, both in
//! [`crate::PoolConfig`]:
//!
//! - **affinity**: council transactions go to one of `council_groups`
//!   sub-pools chosen by the council's id, so a backend only ever serves
//!   that group's share of the councils;
//! - **recycling**: a connection that has served `recycle_after` distinct
//!   councils is closed after its transaction; the pool opens a fresh one
//!   when it needs to.
//!
//! Platform queries (routing, jobs, health checks, the provisioner's
//! `LISTEN`) touch only `platform`. They get a pool of their own, a
//! quarter of `max_connections` (at least 2) on top of the councils'
//! connections, so that busy councils cannot starve them nor they the
//! councils. Council connections have pools of their own kind
//! ([`group`]), without sqlx's round trip on every return.

pub(crate) mod group;

use crate::PoolConfig;
use crate::error::Result;
use crate::tenant::TenantId;
use group::GroupPool;
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::Duration;

pub(crate) struct Pools {
    platform: PgPool,
    groups: Vec<GroupPool>,
    recycle_after: usize,
    /// Distinct councils each open backend has served, by process id.
    served: Mutex<HashMap<i32, HashSet<TenantId>>>,
    /// Connections the pools may hold, which bounds `served`'s size.
    max_connections: usize,
}

impl Pools {
    pub(crate) async fn connect(options: &PgConnectOptions, config: &PoolConfig) -> Result<Self> {
        let max_connections = config.max_connections.max(1);
        let requested = match config.council_groups {
            0 => {
                let councils =
                    tokio::time::timeout(config.acquire_timeout, count_councils(options))
                        .await
                        .map_err(|_| sqlx::Error::PoolTimedOut)??;
                automatic_groups(max_connections, councils)
            }
            groups => groups,
        };
        let count = requested.clamp(1, max_connections);
        // Catalog caches also grow with time on a backend that serves few
        // councils (plans, statistics): renew it now and then regardless.
        let max_lifetime = Duration::from_secs(15 * 60);
        let idle_timeout = Duration::from_secs(5 * 60);
        // The platform's pool opens a connection at once, so that an
        // unreachable server fails here; the groups connect when first
        // needed.
        let platform = PgPoolOptions::new()
            .max_connections((max_connections / 4).max(2))
            .acquire_timeout(config.acquire_timeout)
            .max_lifetime(max_lifetime)
            .idle_timeout(idle_timeout)
            // sqlx pings every connection as it comes back to the pool, so
            // one taken again within a second was answering a moment ago:
            // testing it again would cost a round trip. Longer-idle ones
            // are tested, so that a restarted server is noticed before a
            // request fails.
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for > group::IDLE_BEFORE_PING {
                        conn.ping().await?;
                    }
                    Ok(true)
                })
            })
            .connect_with(options.clone())
            .await?;
        // The connections are shared out as evenly as they go.
        let groups = (0..count)
            .map(|index| {
                let size = max_connections / count + u32::from(index < max_connections % count);
                GroupPool::new(
                    options.clone(),
                    group::Settings {
                        size,
                        acquire_timeout: config.acquire_timeout,
                        max_lifetime,
                        idle_timeout,
                    },
                )
            })
            .collect();
        Ok(Self {
            platform,
            groups,
            recycle_after: config.recycle_after as usize,
            served: Mutex::default(),
            max_connections: max_connections as usize,
        })
    }

    /// How many groups share the councils (1: no affinity).
    pub(crate) fn group_count(&self) -> usize {
        self.groups.len()
    }

    /// The pool for platform queries.
    pub(crate) fn platform(&self) -> &PgPool {
        &self.platform
    }

    /// The pool serving `council`'s transactions.
    pub(crate) fn for_council(&self, council: TenantId) -> &GroupPool {
        // Council ids are random UUIDs (v4 or v7): their low bits spread
        // councils evenly.
        let index = council.0.as_u128() % self.groups.len() as u128;
        &self.groups[index as usize]
    }

    /// Whether recycling is on, so that [`Tenancy::begin`] must learn the
    /// backend's process id.
    ///
    /// [`Tenancy::begin`]: crate::Tenancy::begin
    pub(crate) fn recycles(&self) -> bool {
        self.recycle_after > 0
    }

    /// Notes that backend `pid` is serving `council`; true when it has now
    /// served `recycle_after` distinct councils and should be closed once
    /// this transaction is over.
    pub(crate) fn serving(&self, pid: i32, council: TenantId) -> bool {
        let mut served = self.served.lock().unwrap_or_else(|e| e.into_inner());
        // Backends closed for other reasons (lifetime, errors) leave their
        // entries behind; forgetting them all now and then only makes some
        // backends live a little longer.
        if served.len() > 4 * self.max_connections && !served.contains_key(&pid) {
            served.clear();
        }
        let councils = served.entry(pid).or_default();
        councils.insert(council);
        if councils.len() >= self.recycle_after {
            served.remove(&pid);
            return true;
        }
        false
    }

    pub(crate) async fn close(&self) {
        self.platform.close().await;
        for pool in &self.groups {
            pool.close().await;
        }
    }
}

/// Councils past which automatic affinity turns on. Below it every backend
/// soon holds every council's catalog entries, and any free connection may
/// serve any council; at 3,900 councils affinity lifted pages by a third,
/// at 10,000 it doubled them (docs/benchmarks.md, "A fleet of councils").
pub const AUTOMATIC_AFFINITY_FROM: u64 = 1_000;

/// The groups of `PoolConfig::council_groups = 0`: one per connection (the
/// best measured at 10,000 councils) once the platform holds more than
/// [`AUTOMATIC_AFFINITY_FROM`] councils, otherwise none.
fn automatic_groups(max_connections: u32, councils: u64) -> u32 {
    if councils > AUTOMATIC_AFFINITY_FROM {
        max_connections
    } else {
        1
    }
}

/// The councils registered, counted on a connection of its own (the pools'
/// sizes depend on it); 0 before the platform schema exists. A fleet that
/// grows past the threshold gets affinity at the node's next start.
async fn count_councils(options: &PgConnectOptions) -> Result<u64> {
    let mut conn = sqlx::PgConnection::connect_with(options).await?;
    let registry: Option<String> =
        sqlx::query_scalar("SELECT to_regclass('platform.tenants')::text")
            .fetch_one(&mut conn)
            .await?;
    let councils: i64 = match registry {
        Some(_) => {
            sqlx::query_scalar("SELECT count(*) FROM platform.tenants WHERE status <> 'archived'")
                .fetch_one(&mut conn)
                .await?
        }
        None => 0,
    };
    let _ = conn.close().await;
    Ok(u64::try_from(councils).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn automatic_affinity_turns_on_past_the_threshold_with_one_group_per_connection() {
        assert_eq!(automatic_groups(16, 0), 1);
        assert_eq!(automatic_groups(16, AUTOMATIC_AFFINITY_FROM), 1);
        assert_eq!(automatic_groups(16, AUTOMATIC_AFFINITY_FROM + 1), 16);
        assert_eq!(automatic_groups(4, 10_000), 4);
    }
}
