//! A local PostgreSQL cluster in a folder, started with `pg_ctl`.

use crate::command::{RunAs, run};
use crate::{APP_ROLE, find_program, free_port};
use anyhow::{Context, bail};
use sqlx::{Connection, PgConnection};
use std::path::{Path, PathBuf};

/// Superuser created by `initdb`; only the devkit uses it, to create the
/// application role and databases.
pub(crate) const ADMIN_ROLE: &str = "cabildo_admin";

/// Files a backend may keep open (see [`LocalPostgres::start`]); the soft
/// limit on open files bounds it too.
const MAX_FILES_PER_PROCESS: u32 = 16_384;

/// How to start a local cluster.
#[derive(Clone, Debug)]
pub struct PostgresOptions {
    /// Folder holding `data/`, the socket and the log; created when missing.
    pub dir: PathBuf,
    /// Trade durability for speed (no fsync): for throwaway test clusters.
    pub ephemeral: bool,
    /// `max_connections` of the server.
    pub max_connections: u32,
    /// Port to listen on; a free one when `None`.
    pub port: Option<u16>,
    /// Load the Citus extension, for a node of a [`crate::LocalCitus`].
    pub citus: bool,
}

impl PostgresOptions {
    /// Durable defaults for a cluster kept in `dir` (the demo's).
    pub fn in_dir(dir: PathBuf) -> Self {
        Self {
            dir,
            ephemeral: false,
            max_connections: 200,
            port: None,
            citus: false,
        }
    }
}

/// A running local PostgreSQL cluster.
#[derive(Debug)]
pub struct LocalPostgres {
    dir: PathBuf,
    port: u16,
    pg_ctl: PathBuf,
    run_as: RunAs,
}

impl LocalPostgres {
    /// Starts the cluster in `options.dir`, initialising it on first use and
    /// reusing its data afterwards. A server left running there by an earlier
    /// run is stopped first, so the new one gets a known port.
    pub async fn start(options: PostgresOptions) -> anyhow::Result<Self> {
        let bin_dirs = postgres_bin_dirs();
        let find = |name: &str| {
            find_program(name, &bin_dirs).with_context(|| {
                format!("{name} not found on PATH or under /usr/lib/postgresql/*/bin; install PostgreSQL server binaries")
            })
        };
        let (initdb, pg_ctl) = (find("initdb")?, find("pg_ctl")?);
        let run_as = RunAs::for_postgres()?;
        std::fs::create_dir_all(&options.dir)?;
        let dir = options.dir.canonicalize()?;
        let data = dir.join("data");
        let socket_dir = dir.join("run");
        std::fs::create_dir_all(&socket_dir)?;
        run_as.own(&dir)?;

        if !data.join("PG_VERSION").exists() {
            let mut initdb = run_as.command(&initdb);
            initdb.arg("-D").arg(&data).args([
                "-U",
                ADMIN_ROLE,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
            ]);
            if options.ephemeral {
                initdb.arg("--no-sync");
            }
            run(&mut initdb, "initdb")?;
        }

        let status = run_as
            .command(&pg_ctl)
            .arg("status")
            .arg("-D")
            .arg(&data)
            .output()?;
        if status.status.success() {
            run(
                run_as
                    .command(&pg_ctl)
                    .args(["stop", "-m", "fast", "-w", "-D"])
                    .arg(&data),
                "pg_ctl stop (server left running by an earlier run)",
            )?;
        }

        let port = match options.port {
            Some(port) => port,
            None => free_port()?,
        };
        // A backend keeps a file open per relation it reads, up to
        // `max_files_per_process` (1,000 by default) and the soft limit on
        // open files, closing and reopening them past that. A backend that
        // serves hundreds of councils reads tens of thousands of relations:
        // at 10,000 councils the kernel's share of PostgreSQL's time went
        // from a tenth to a quarter (docs/benchmarks.md, "Open files").
        let mut server_options = format!(
            "-p {port} -c listen_addresses=127.0.0.1 -k {} -c max_connections={} \
             -c max_files_per_process={MAX_FILES_PER_PROCESS}",
            socket_dir.display(),
            options.max_connections
        );
        if options.ephemeral {
            server_options
                .push_str(" -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        }
        if options.citus {
            // Nodes talk over loopback in plain text: Citus would otherwise
            // make a self-signed certificate that clients refuse. Citus runs
            // a background worker per database it is in, and tests make a
            // database each.
            server_options.push_str(
                " -c shared_preload_libraries=citus -c ssl=off -c citus.node_conninfo=sslmode=disable \
                 -c max_worker_processes=400",
            );
        }
        // The server inherits pg_ctl's limits: the soft limit on open files
        // is raised to the hard one (`runuser` sets the usual 1,024).
        run(
            run_as
                .command(Path::new("/bin/sh"))
                .args([
                    "-c",
                    r#"ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@""#,
                ])
                .arg(&pg_ctl)
                .args(["start", "-w", "-t", "60", "-D"])
                .arg(&data)
                .arg("-l")
                .arg(dir.join("postgres.log"))
                .args(["-o", &server_options]),
            "pg_ctl start",
        )?;

        let cluster = Self {
            dir,
            port,
            pg_ctl,
            run_as,
        };
        cluster.ensure_app_role().await?;
        Ok(cluster)
    }

    /// Port the server listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Connection URL of database `database` as the application role.
    pub fn url(&self, database: &str) -> String {
        self.url_as(database, APP_ROLE)
    }

    /// Connection URL of `database` logging in as `role` (the cluster
    /// trusts local connections).
    pub fn url_as(&self, database: &str, role: &str) -> String {
        format!("postgres://{role}@127.0.0.1:{}/{database}", self.port)
    }

    /// Connection URL of the maintenance database as the superuser.
    pub fn admin_url(&self) -> String {
        format!("postgres://{ADMIN_ROLE}@127.0.0.1:{}/postgres", self.port)
    }

    /// Creates `database` owned by the application role unless it exists.
    pub async fn ensure_database(&self, database: &str) -> anyhow::Result<()> {
        if !database
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            bail!("database name {database:?} must be lowercase letters, digits and underscores");
        }
        let mut admin = PgConnection::connect(&self.admin_url()).await?;
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
                .bind(database)
                .fetch_one(&mut admin)
                .await?;
        if !exists {
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "CREATE DATABASE {database} OWNER {APP_ROLE}"
            )))
            .execute(&mut admin)
            .await?;
        }
        admin.close().await?;
        Ok(())
    }

    /// Stops the server (fast shutdown: active sessions are disconnected).
    /// A server already gone (Ctrl-C in a terminal reaches it too) is fine.
    pub fn stop(self) -> anyhow::Result<()> {
        let running = self
            .run_as
            .command(&self.pg_ctl)
            .arg("status")
            .arg("-D")
            .arg(self.dir.join("data"))
            .output()
            .is_ok_and(|o| o.status.success());
        if !running {
            return Ok(());
        }
        run(
            self.run_as
                .command(&self.pg_ctl)
                .args(["stop", "-m", "fast", "-w", "-D"])
                .arg(self.dir.join("data")),
            "pg_ctl stop",
        )?;
        Ok(())
    }

    /// The `pg_ctl stop` command line, for a watchdog that outlives us.
    pub(crate) fn stop_command_line(&self) -> Vec<String> {
        let mut line = match &self.run_as {
            RunAs::Me => Vec::new(),
            RunAs::User(user) => vec!["runuser".into(), "-u".into(), user.clone(), "--".into()],
        };
        line.extend([
            self.pg_ctl.display().to_string(),
            "stop".into(),
            "-m".into(),
            "immediate".into(),
            "-D".into(),
            self.dir.join("data").display().to_string(),
        ]);
        line
    }

    async fn ensure_app_role(&self) -> anyhow::Result<()> {
        let mut admin = PgConnection::connect(&self.admin_url())
            .await
            .context("connecting to the local cluster as its superuser")?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DO $$ BEGIN
               IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
                 CREATE ROLE {APP_ROLE} LOGIN CREATEROLE CREATEDB;
               END IF;
             END $$"
        )))
        .execute(&mut admin)
        .await?;
        admin.close().await?;
        Ok(())
    }

    /// Folder of this cluster.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

fn postgres_bin_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.path().join("bin"))
                .collect()
        })
        .unwrap_or_default();
    // Newest major version first.
    dirs.sort_by(|a, b| b.cmp(a));
    dirs
}
