//! Per-council schema migrations: one council, or the whole fleet with
//! bounded parallelism, each council's version and last error recorded in
//! `platform.tenants`.

use crate::Tenancy;
use crate::baseline::{Baseline, SCHEMA as SQUASH_SCHEMA};
use crate::error::{Result, TenancyError};
use crate::slug::Slug;
use crate::tenant::{Tenant, TenantStatus};
use futures_util::StreamExt;
use sqlx::migrate::{Migration, Migrator};
use sqlx::{Connection, PgConnection};
use std::path::Path;
use std::process::Command;

/// First key of the advisory locks taken per council (`'CABI'`); the second
/// is `hashtext(schema)`. One council's migration or provisioning never
/// waits for another council's.
pub(crate) const LOCK_CLASS: i32 = 0x4341_4249;

/// The set of tenant migrations to apply to council schemas.
#[derive(Clone, Debug)]
pub struct TenantMigrations {
    migrations: Vec<Migration>,
    /// What new councils run instead of the migrations it includes.
    baseline: Option<Baseline>,
}

impl TenantMigrations {
    /// The migrations in `migrations/tenant/`, embedded in the binary, with
    /// `migrations/tenant-baseline.sql` for new councils when it was made
    /// from them.
    pub fn embedded() -> Self {
        let migrator = sqlx::migrate!("../../migrations/tenant");
        let migrations: Vec<Migration> = migrator.iter().cloned().collect();
        let baseline = Baseline::parse(include_str!("../../../migrations/tenant-baseline.sql"))
            .filter(|baseline| {
                let current = baseline.made_from(&migrations);
                if !current {
                    tracing::warn!(
                        "migrations/tenant-baseline.sql was not made from these migrations: \
                         new councils run each migration (run {})",
                        crate::SQUASH_COMMAND
                    );
                }
                current
            });
        Self {
            migrations,
            baseline,
        }
    }

    /// Migrations read from a folder at run time (operators rehearsing a
    /// migration, the migration benchmark); new councils run each one.
    pub async fn from_dir(dir: &Path) -> Result<Self> {
        let migrator = Migrator::new(dir).await?;
        Ok(Self {
            migrations: migrator.iter().cloned().collect(),
            baseline: None,
        })
    }

    /// The same migrations, applied one by one to new councils too.
    pub fn without_baseline(mut self) -> Self {
        self.baseline = None;
        self
    }

    /// The highest version new councils get from the baseline, when they
    /// get one.
    pub fn baseline_version(&self) -> Option<i64> {
        self.baseline.as_ref().map(Baseline::version)
    }

    pub(crate) fn all(&self) -> &[Migration] {
        &self.migrations
    }

    /// Highest version in the set.
    pub fn latest(&self) -> Option<i64> {
        self.migrations
            .iter()
            .filter(|m| m.migration_type.is_up_migration())
            .map(|m| m.version)
            .max()
    }

    pub(crate) fn for_schema(&self, schema: &str) -> Migrator {
        let mut migrator = Migrator::with_migrations(self.migrations.clone());
        migrator.dangerous_set_table_name(format!("{schema}._sqlx_migrations"));
        // sqlx's own lock is per database: every council would queue behind
        // it. We hold a per-council advisory lock instead.
        migrator.set_locking(false);
        migrator
    }
}

/// What happened to one council in a fleet migration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MigrationOutcome {
    /// The council.
    pub slug: Slug,
    /// Result.
    pub result: MigrationResult,
}

/// Result of migrating one council.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MigrationResult {
    /// Migrations were applied; now at this version.
    Migrated(i64),
    /// Already at the latest version: nothing done.
    UpToDate,
    /// Failed; the error is recorded on the council.
    Failed(String),
}

/// Summary of a fleet migration.
#[derive(Clone, Debug, Default)]
pub struct FleetReport {
    /// One entry per council, in completion order.
    pub outcomes: Vec<MigrationOutcome>,
}

impl FleetReport {
    /// Councils migrated in this run.
    pub fn migrated(&self) -> usize {
        self.count(|r| matches!(r, MigrationResult::Migrated(_)))
    }

    /// Councils that needed nothing.
    pub fn up_to_date(&self) -> usize {
        self.count(|r| matches!(r, MigrationResult::UpToDate))
    }

    /// Councils that failed.
    pub fn failed(&self) -> Vec<&MigrationOutcome> {
        self.outcomes
            .iter()
            .filter(|o| matches!(o.result, MigrationResult::Failed(_)))
            .collect()
    }

    fn count(&self, keep: impl Fn(&MigrationResult) -> bool) -> usize {
        self.outcomes.iter().filter(|o| keep(&o.result)).count()
    }
}

impl Tenancy {
    /// Opens a connection outside the pool, for work that changes session
    /// state (`search_path`, advisory locks); it is closed afterwards, so
    /// nothing leaks into pooled connections.
    pub(crate) async fn dedicated_connection(&self) -> Result<PgConnection> {
        Ok(PgConnection::connect_with(&self.inner.connect_options).await?)
    }

    /// Takes the council's advisory lock on `conn` (session level, released
    /// when the connection closes).
    pub(crate) async fn lock_council(conn: &mut PgConnection, tenant: &Tenant) -> Result<()> {
        sqlx::query("SELECT pg_advisory_lock($1, hashtext($2))")
            .bind(LOCK_CLASS)
            .bind(tenant.schema.as_str())
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    /// Applies pending migrations to one council's schema on `conn`, which
    /// holds the council's lock. Returns the version reached.
    pub(crate) async fn migrate_locked(
        &self,
        conn: &mut PgConnection,
        tenant: &Tenant,
        migrations: &TenantMigrations,
    ) -> Result<i64> {
        let schema = tenant.schema.as_str();
        sqlx::query("SELECT set_config('search_path', $1, false)")
            .bind(schema)
            .execute(&mut *conn)
            .await?;
        let distributed = self.is_citus() && crate::citus::distributed(&mut *conn, schema).await?;
        if distributed {
            crate::citus::migrate_schema(&mut *conn, schema, &migrations.migrations).await?;
        } else {
            if let Some(baseline) = &migrations.baseline {
                baseline
                    .apply_if_new(&mut *conn, schema, &migrations.migrations)
                    .await?;
            }
            migrations
                .for_schema(schema)
                .run_direct(None, &mut *conn, false)
                .await?;
        }
        // Default privileges gave the council role rights on the bookkeeping
        // table too; it has no business there.
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "REVOKE ALL ON TABLE {schema}._sqlx_migrations FROM {}",
            tenant.role.as_str()
        )))
        .execute(&mut *conn)
        .await?;
        if self.is_citus() && !distributed {
            crate::citus::distribute(&mut *conn, schema, tenant.role.as_str()).await?;
        }
        let version: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT max(version) FROM {schema}._sqlx_migrations WHERE success"
        )))
        .fetch_one(&mut *conn)
        .await?;
        Ok(version.unwrap_or(0))
    }

    /// Migrates one council and records the version or the error.
    pub async fn migrate_tenant(
        &self,
        tenant: &Tenant,
        migrations: &TenantMigrations,
    ) -> Result<i64> {
        let result = async {
            let mut conn = self.dedicated_connection().await?;
            Self::lock_council(&mut conn, tenant).await?;
            let version = self.migrate_locked(&mut conn, tenant, migrations).await;
            let _ = conn.close().await;
            version
        }
        .await;
        match &result {
            Ok(version) => {
                sqlx::query(
                    "UPDATE platform.tenants SET schema_version = $2, migrate_error = NULL,
                            migrated_at = now(), updated_at = now() WHERE id = $1",
                )
                .bind(tenant.id.0)
                .bind(version)
                .execute(self.pool())
                .await?;
            }
            Err(error) => {
                let message = error_chain(error);
                tracing::warn!(tenant = %tenant.slug, error = %message, "council migration failed");
                sqlx::query("UPDATE platform.tenants SET migrate_error = $2, updated_at = now() WHERE id = $1")
                    .bind(tenant.id.0)
                    .bind(&message)
                    .execute(self.pool())
                    .await?;
            }
        }
        result
    }

    /// Migrates every council (except ones still being provisioned, which
    /// provisioning migrates) with at most `jobs` at a time. Councils already
    /// at the latest version without a recorded error are skipped without a
    /// connection, so a rerun resumes where an interrupted run stopped. One
    /// council failing never stops the others. `progress` is called as each
    /// council finishes.
    pub async fn migrate_fleet(
        &self,
        migrations: &TenantMigrations,
        jobs: usize,
        progress: impl Fn(&MigrationOutcome, usize),
    ) -> Result<FleetReport> {
        let rows: Vec<_> = self
            .list_tenants()
            .await?
            .into_iter()
            .filter(|row| row.tenant.status != TenantStatus::Provisioning)
            .collect();
        let total = rows.len();
        let latest = migrations.latest();
        // On Citus, councils made before it (on a single PostgreSQL) are
        // distributed by the same run, whatever their version.
        let distributed: std::collections::HashSet<String> = if self.is_citus() {
            sqlx::query_scalar("SELECT schemaid::regnamespace::text FROM pg_dist_schema")
                .fetch_all(self.pool())
                .await?
                .into_iter()
                .collect()
        } else {
            Default::default()
        };
        let mut pending = Vec::new();
        let mut report = FleetReport::default();
        for row in rows {
            let tenant = row.tenant;
            if row.schema_version.is_some()
                && row.schema_version == latest
                && row.migrate_error.is_none()
                && (!self.is_citus() || distributed.contains(tenant.schema.as_str()))
            {
                let outcome = MigrationOutcome {
                    slug: tenant.slug,
                    result: MigrationResult::UpToDate,
                };
                progress(&outcome, total);
                report.outcomes.push(outcome);
            } else {
                pending.push(tenant);
            }
        }
        let mut stream = futures_util::stream::iter(pending)
            .map(|tenant| async move {
                let result = match self.migrate_tenant(&tenant, migrations).await {
                    Ok(version) => MigrationResult::Migrated(version),
                    Err(error) => MigrationResult::Failed(error_chain(&error)),
                };
                MigrationOutcome {
                    slug: tenant.slug,
                    result,
                }
            })
            .buffer_unordered(jobs.max(1));
        while let Some(outcome) = stream.next().await {
            progress(&outcome, total);
            report.outcomes.push(outcome);
        }
        Ok(report)
    }
}

impl Tenancy {
    /// Applies `migrations` one by one to a scratch schema, dumps it with
    /// `pg_dump` (as `database_url`, the role that owns council schemas)
    /// and returns the baseline text; the scratch schema is dropped.
    pub async fn squash_tenant_migrations(
        &self,
        migrations: &TenantMigrations,
        database_url: &str,
    ) -> Result<String> {
        let migrations = migrations.clone().without_baseline();
        let version = migrations
            .latest()
            .ok_or_else(|| TenancyError::invalid("baseline", "there are no tenant migrations"))?;
        let mut conn = self.dedicated_connection().await?;
        // Two squashes on one database would drop each other's schema.
        sqlx::query("SELECT pg_advisory_lock($1, hashtext($2))")
            .bind(LOCK_CLASS)
            .bind(SQUASH_SCHEMA)
            .execute(&mut conn)
            .await?;
        let dumped = async {
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "DROP SCHEMA IF EXISTS {SQUASH_SCHEMA} CASCADE; CREATE SCHEMA {SQUASH_SCHEMA};"
            )))
            .execute(&mut conn)
            .await?;
            sqlx::query("SELECT set_config('search_path', $1, false)")
                .bind(SQUASH_SCHEMA)
                .execute(&mut conn)
                .await?;
            migrations
                .for_schema(SQUASH_SCHEMA)
                .run_direct(None, &mut conn, false)
                .await?;
            let url = database_url.to_owned();
            tokio::task::spawn_blocking(move || {
                let pg_dump = crate::pg_client::program("pg_dump");
                let version =
                    crate::pg_client::output(Command::new(&pg_dump).arg("--version"), "pg_dump")?;
                let dump = crate::pg_client::output(
                    Command::new(&pg_dump)
                        .arg("--dbname")
                        .arg(&url)
                        .args(["--schema", SQUASH_SCHEMA, "--strict-names"])
                        .args(["--no-owner", "--no-privileges", "--column-inserts"])
                        .arg("--exclude-table")
                        .arg(format!("{SQUASH_SCHEMA}._sqlx_migrations")),
                    "pg_dump",
                )?;
                Ok::<_, TenancyError>((dump, version))
            })
            .await
            .map_err(|error| TenancyError::invalid("pg_dump", error.to_string()))?
        }
        .await;
        let dropped = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS {SQUASH_SCHEMA} CASCADE"
        )))
        .execute(&mut conn)
        .await;
        let _ = sqlx::Connection::close(conn).await;
        // The dump's own failure says more than the clean-up's.
        let (dump, pg_dump_version) = dumped?;
        dropped?;
        crate::baseline::from_dump(&dump, migrations.all(), version, &pg_dump_version)
    }
}

/// An error and its causes on one line.
pub(crate) fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}
