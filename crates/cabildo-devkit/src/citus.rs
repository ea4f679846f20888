//! A local Citus cluster: a coordinator and workers, each a
//! [`LocalPostgres`] with the extension loaded, on loopback ports.
//!
//! Citus keeps its node list per database, so [`LocalCitus::ensure_database`]
//! creates the database on every node, the extension in each, and registers
//! the workers with the coordinator. The application connects to the
//! coordinator only.

use crate::postgres::ADMIN_ROLE;
use crate::{LocalPostgres, PostgresOptions};
use anyhow::{Context, bail};
use sqlx::{Connection, PgConnection};
use std::path::Path;

/// A running Citus cluster.
#[derive(Debug)]
pub struct LocalCitus {
    /// The node the application connects to; it holds the `platform` schema.
    pub coordinator: LocalPostgres,
    /// The nodes council schemas are placed on.
    pub workers: Vec<LocalPostgres>,
}

impl LocalCitus {
    /// Whether the Citus extension is installed for the machine's
    /// PostgreSQL (`../shared/citus/install` builds it).
    pub fn installed() -> bool {
        std::fs::read_dir("/usr/lib/postgresql")
            .map(|versions| {
                versions
                    .filter_map(Result::ok)
                    .any(|version| version.path().join("lib/citus.so").is_file())
            })
            .unwrap_or(false)
    }

    /// Starts (or restarts, reusing their data) a coordinator in
    /// `dir/coordinator` and `workers` workers in `dir/worker-N`.
    pub async fn start(dir: &Path, workers: usize, ephemeral: bool) -> anyhow::Result<Self> {
        if !Self::installed() {
            bail!("the Citus extension is not installed; build it with ../shared/citus/install");
        }
        let options = |name: String| PostgresOptions {
            dir: dir.join(name),
            ephemeral,
            // Every database Citus is in keeps connections between the
            // nodes open, and tests make a database each.
            max_connections: 2000,
            port: None,
            citus: true,
        };
        let coordinator = LocalPostgres::start(options("coordinator".into())).await?;
        let mut cluster = Self {
            coordinator,
            workers: Vec::new(),
        };
        for n in 1..=workers {
            match LocalPostgres::start(options(format!("worker-{n}"))).await {
                Ok(worker) => cluster.workers.push(worker),
                Err(error) => {
                    let _ = cluster.stop();
                    return Err(error);
                }
            }
        }
        Ok(cluster)
    }

    /// Creates `database` on every node (unless it exists) with the
    /// extension, and makes the coordinator know itself and the workers.
    pub async fn ensure_database(&self, database: &str) -> anyhow::Result<()> {
        for node in std::iter::once(&self.coordinator).chain(&self.workers) {
            node.ensure_database(database).await?;
        }
        let workers: Vec<u16> = self.workers.iter().map(LocalPostgres::port).collect();
        join_database(self.coordinator.port(), &workers, database).await
    }

    /// The workers' ports, for the test harness (`CABILDO_TEST_CITUS_WORKERS`).
    pub fn worker_ports(&self) -> Vec<u16> {
        self.workers.iter().map(LocalPostgres::port).collect()
    }

    /// Stops every node.
    pub fn stop(self) -> anyhow::Result<()> {
        let mut result = Ok(());
        for worker in self.workers {
            if let Err(error) = worker.stop() {
                result = Err(error);
            }
        }
        self.coordinator.stop().and(result)
    }
}

/// Makes `database`, which exists on every node on loopback, one Citus
/// database: the extension on each node, and the coordinator knowing
/// itself and the workers. Does nothing already done.
pub async fn join_database(
    coordinator: u16,
    workers: &[u16],
    database: &str,
) -> anyhow::Result<()> {
    let admin_url = |port: u16| format!("postgres://{ADMIN_ROLE}@127.0.0.1:{port}/{database}");
    for port in std::iter::once(coordinator).chain(workers.iter().copied()) {
        let mut admin = PgConnection::connect(&admin_url(port))
            .await
            .context("connecting to a Citus node as its superuser")?;
        sqlx::raw_sql("CREATE EXTENSION IF NOT EXISTS citus")
            .execute(&mut admin)
            .await
            .context("creating the citus extension")?;
        admin.close().await?;
    }
    let mut admin = PgConnection::connect(&admin_url(coordinator)).await?;
    sqlx::query("SELECT citus_set_coordinator_host('127.0.0.1', $1)")
        .bind(i32::from(coordinator))
        .execute(&mut admin)
        .await?;
    for port in workers {
        let known: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_dist_node WHERE nodeport = $1)")
                .bind(i32::from(*port))
                .fetch_one(&mut admin)
                .await?;
        if !known {
            sqlx::query("SELECT citus_add_node('127.0.0.1', $1)")
                .bind(i32::from(*port))
                .execute(&mut admin)
                .await
                .context("adding a worker")?;
        }
    }
    admin.close().await?;
    Ok(())
}
