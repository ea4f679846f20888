//! Test support: one PostgreSQL + Redis per test run, a fresh database per
//! test copied from a prepared template.
//!
//! `scripts/test` starts the services once for the whole run (with
//! `cabildo services`) and passes them in `CABILDO_TEST_POSTGRES_PORT` and
//! `CABILDO_TEST_REDIS_URL`. A test binary run on its own (`cargo test -p …`)
//! starts a private pair instead, in a temporary folder that a watchdog
//! process removes once the test binary exits.

use crate::{LocalPostgres, LocalRedis, PostgresOptions};
use anyhow::Context;
use sqlx::{Connection, PgConnection};
use std::future::Future;
use std::process::{Command, Stdio};
use tokio::sync::OnceCell;

/// Environment variable holding the port of the run's PostgreSQL.
pub const POSTGRES_PORT_ENV: &str = "CABILDO_TEST_POSTGRES_PORT";
/// Environment variable holding the URL of the run's Redis.
pub const REDIS_URL_ENV: &str = "CABILDO_TEST_REDIS_URL";

/// Ports of the Citus workers (comma-separated) when the PostgreSQL at
/// `CABILDO_TEST_POSTGRES_PORT` is a Citus coordinator (`cabildo services
/// --citus`).
pub const CITUS_WORKERS_ENV: &str = "CABILDO_TEST_CITUS_WORKERS";

/// Where the services of this test run are.
#[derive(Clone, Debug)]
pub struct TestServices {
    /// Port of PostgreSQL on 127.0.0.1.
    pub postgres_port: u16,
    /// Redis URL.
    pub redis_url: String,
    /// Citus workers' ports; empty on a single PostgreSQL.
    pub citus_workers: Vec<u16>,
}

impl TestServices {
    /// URL of `database` as the application role.
    pub fn database_url(&self, database: &str) -> String {
        format!(
            "postgres://{}@127.0.0.1:{}/{database}",
            crate::APP_ROLE,
            self.postgres_port
        )
    }

    fn admin_url(&self) -> String {
        format!(
            "postgres://cabildo_admin@127.0.0.1:{}/postgres",
            self.postgres_port
        )
    }
}

static SERVICES: OnceCell<TestServices> = OnceCell::const_new();

/// The services of this test run, started on first use when the run did not
/// provide them.
pub async fn services() -> anyhow::Result<&'static TestServices> {
    SERVICES.get_or_try_init(start_or_reuse).await
}

async fn start_or_reuse() -> anyhow::Result<TestServices> {
    if let (Ok(port), Ok(redis_url)) = (
        std::env::var(POSTGRES_PORT_ENV),
        std::env::var(REDIS_URL_ENV),
    ) {
        let citus_workers = std::env::var(CITUS_WORKERS_ENV)
            .unwrap_or_default()
            .split(',')
            .filter(|port| !port.is_empty())
            .map(str::parse)
            .collect::<Result<_, _>>()
            .context("CABILDO_TEST_CITUS_WORKERS")?;
        return Ok(TestServices {
            postgres_port: port.parse().context("CABILDO_TEST_POSTGRES_PORT")?,
            redis_url,
            citus_workers,
        });
    }
    let dir = std::env::temp_dir().join(format!("cabildo-test-{}", std::process::id()));
    let postgres = LocalPostgres::start(PostgresOptions {
        dir: dir.join("postgres"),
        ephemeral: true,
        max_connections: 300,
        port: None,
        citus: false,
    })
    .await?;
    let redis = LocalRedis::start(&dir.join("redis"))?;
    let services = TestServices {
        postgres_port: postgres.port(),
        redis_url: redis.url(),
        citus_workers: Vec::new(),
    };
    spawn_watchdog(&postgres, &redis, &dir)?;
    // The watchdog owns their shutdown from here on.
    std::mem::forget(redis);
    drop(postgres);
    Ok(services)
}

/// Starts a shell that waits for this process to exit, then stops the
/// servers and deletes their folder.
fn spawn_watchdog(
    postgres: &LocalPostgres,
    redis: &LocalRedis,
    dir: &std::path::Path,
) -> anyhow::Result<()> {
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let stop_pg: Vec<String> = postgres
        .stop_command_line()
        .iter()
        .map(|s| quote(s))
        .collect();
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; {stop} >/dev/null 2>&1; kill {redis} 2>/dev/null; rm -rf {dir}",
        pid = std::process::id(),
        stop = stop_pg.join(" "),
        redis = redis.pid(),
        dir = quote(&dir.display().to_string()),
    );
    Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("starting the test services watchdog")?;
    Ok(())
}

/// Creates a fresh database for one test, copied from the template database
/// `template`, which `prepare` builds (given its URL) the first time any
/// test of the run asks for it. Returns the new database's URL.
///
/// Name the template after what `prepare` puts in it (a hash of the
/// migrations, say), so that a changed schema gets a new template.
pub async fn fresh_database<F, Fut>(template: &str, prepare: F) -> anyhow::Result<String>
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let services = services().await?;
    if !services.citus_workers.is_empty() {
        return fresh_citus_database(services, prepare).await;
    }
    let mut admin = PgConnection::connect(&services.admin_url()).await?;
    // Serialise template creation across concurrent tests and test binaries.
    sqlx::query("SELECT pg_advisory_lock(hashtext($1))")
        .bind(template)
        .execute(&mut admin)
        .await?;
    let ready: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)",
    )
    .bind(template)
    .fetch_one(&mut admin)
    .await?;
    if !ready {
        let quoted = quote_ident(template);
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {quoted}"
        )))
        .execute(&mut admin)
        .await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "CREATE DATABASE {quoted} OWNER {}",
            crate::APP_ROLE
        )))
        .execute(&mut admin)
        .await?;
        prepare(services.database_url(template))
            .await
            .context("preparing the template database")?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "ALTER DATABASE {quoted} IS_TEMPLATE true"
        )))
        .execute(&mut admin)
        .await?;
    }
    sqlx::query("SELECT pg_advisory_unlock(hashtext($1))")
        .bind(template)
        .execute(&mut admin)
        .await?;

    let name = format!("test_{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "CREATE DATABASE {name} TEMPLATE {} OWNER {}",
        quote_ident(template),
        crate::APP_ROLE
    )))
    .execute(&mut admin)
    .await
    .context("copying the template database")?;
    admin.close().await?;
    Ok(services.database_url(&name))
}

/// On Citus a database cannot be copied from a template (the workers hold
/// the councils' tables), so each test's database is made on every node
/// and prepared afresh.
async fn fresh_citus_database<F, Fut>(services: &TestServices, prepare: F) -> anyhow::Result<String>
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let name = format!("test_{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    for port in
        std::iter::once(services.postgres_port).chain(services.citus_workers.iter().copied())
    {
        let mut admin = PgConnection::connect(&format!(
            "postgres://{}@127.0.0.1:{port}/postgres",
            crate::postgres::ADMIN_ROLE
        ))
        .await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "CREATE DATABASE {name} OWNER {}",
            crate::APP_ROLE
        )))
        .execute(&mut admin)
        .await?;
        admin.close().await?;
    }
    crate::citus::join_database(services.postgres_port, &services.citus_workers, &name).await?;
    let url = services.database_url(&name);
    prepare(url.clone())
        .await
        .context("preparing the test database")?;
    Ok(url)
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
