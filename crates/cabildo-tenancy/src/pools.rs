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
//! Platform queries (routing, sessions, jobs, health checks, the
//! provisioner's `LISTEN`) touch only `platform`. Without affinity they
//! share the one pool; with it they get a pool of their own, a quarter of
//! `max_connections` (at least 2) on top of the councils' groups, so that
//! a busy group cannot starve them nor they a group.

use crate::PoolConfig;
use crate::error::Result;
use crate::tenant::TenantId;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::Duration;

pub(crate) struct Pools {
    platform: PgPool,
    groups: Vec<PgPool>,
    recycle_after: usize,
    /// Distinct councils each open backend has served, by process id.
    served: Mutex<HashMap<i32, HashSet<TenantId>>>,
    /// Connections the pools may hold, which bounds `served`'s size.
    max_connections: usize,
}

impl Pools {
    pub(crate) async fn connect(options: &PgConnectOptions, config: &PoolConfig) -> Result<Self> {
        let max_connections = config.max_connections.max(1);
        let count = config.council_groups.clamp(1, max_connections);
        let pool = |size: u32| {
            PgPoolOptions::new()
                .max_connections(size)
                .acquire_timeout(config.acquire_timeout)
                // Catalog caches also grow with time on a backend that
                // serves few councils (plans, statistics): renew it now
                // and then regardless.
                .max_lifetime(Duration::from_secs(15 * 60))
                .idle_timeout(Duration::from_secs(5 * 60))
        };
        // The platform's pool opens a connection at once, so that an
        // unreachable server fails here; the groups connect when first
        // needed.
        let platform_size = if count == 1 {
            max_connections
        } else {
            (max_connections / 4).max(2)
        };
        let platform = pool(platform_size).connect_with(options.clone()).await?;
        let groups = if count == 1 {
            vec![platform.clone()]
        } else {
            // The connections are shared out as evenly as they go.
            (0..count)
                .map(|index| {
                    let size = max_connections / count + u32::from(index < max_connections % count);
                    pool(size).connect_lazy_with(options.clone())
                })
                .collect()
        };
        Ok(Self {
            platform,
            groups,
            recycle_after: config.recycle_after as usize,
            served: Mutex::default(),
            max_connections: max_connections as usize,
        })
    }

    /// The pool for platform queries.
    pub(crate) fn platform(&self) -> &PgPool {
        &self.platform
    }

    /// The pool serving `council`'s transactions.
    pub(crate) fn for_council(&self, council: TenantId) -> &PgPool {
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
