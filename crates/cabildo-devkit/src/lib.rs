//! Local PostgreSQL, Redis, SMTP and DNS servers, and a fake Stripe, for the
//! demo and the tests.
//!
//! Everything here runs real servers from the machine's binaries: PostgreSQL
//! (`initdb`, `pg_ctl`, `postgres`, found on `PATH` or under
//! `/usr/lib/postgresql/*/bin`) and `redis-server`. Nothing is mocked.
//!
//! PostgreSQL refuses to run as root, and CI runs as root: when we are root
//! the cluster runs as an unprivileged system user (`postgres` when it
//! exists, otherwise one we create) that owns the data folder.

mod citus;
mod command;
pub mod dns;
pub mod http;
pub mod mime;
mod postgres;
mod redis;
pub mod s3;
pub mod smtp;
pub mod stripe;
pub mod testing;

pub use citus::LocalCitus;
pub use postgres::{LocalPostgres, PostgresOptions};
pub use redis::{LocalRedis, LocalRedisCluster, LocalRedisSentinel, SENTINEL_MASTER};

use std::net::TcpListener;
use std::path::{Path, PathBuf};

/// Name of the non-superuser login role the application connects as.
///
/// It may create roles and databases (to provision councils and test
/// databases) but is not a superuser, so the isolation PostgreSQL enforces
/// between council roles is the same as in production.
pub const APP_ROLE: &str = "cabildo";

/// Database the demo serves from.
pub const DEMO_DATABASE: &str = "cabildo";

/// Local PostgreSQL and Redis started together in one folder.
pub struct LocalServices {
    /// The running PostgreSQL cluster.
    pub postgres: LocalPostgres,
    /// The running Redis server.
    pub redis: LocalRedis,
}

impl LocalServices {
    /// Starts (or restarts, reusing its data) PostgreSQL and Redis in `dir`,
    /// each on a free loopback port, and makes sure `database` exists and is
    /// owned by [`APP_ROLE`].
    pub async fn start(dir: &Path, database: &str) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let dir = dir.canonicalize()?;
        let postgres = LocalPostgres::start(PostgresOptions::in_dir(dir.join("postgres"))).await?;
        postgres.ensure_database(database).await?;
        let redis = LocalRedis::start(&dir.join("redis"))?;
        Ok(Self { postgres, redis })
    }

    /// Stops both servers (PostgreSQL with a fast shutdown).
    pub fn stop(self) -> anyhow::Result<()> {
        let redis = self.redis.stop();
        self.postgres.stop()?;
        redis
    }
}

/// Asks the OS for a free TCP port on 127.0.0.1.
pub fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// Finds a program on `PATH`, then in the extra folders given.
pub(crate) fn find_program(name: &str, extra_dirs: &[PathBuf]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(extra_dirs.iter().cloned())
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}
