//! One council out of a platform and into another (or the same one under
//! a new slug): its schema as SQL (`pg_dump` of that schema alone, with no
//! owners or grants), and its platform rows as JSON, both read from one
//! snapshot so the copy is consistent while the site runs. The caller
//! (the CLI) adds the council's files and writes the archive.
//!
//! Importing creates the council's row, role and schema as provisioning
//! does, loads the SQL with the schema's name changed (outside the rows'
//! data), migrates it to this platform's version, and puts back the
//! platform rows that still mean something here: the plan and billing
//! state, hosts not taken by another council, and jobs not yet run.
//! Sessions, single-use tokens and API tokens are dropped and personal
//! calendar addresses changed, so nothing issued by the old platform
//! opens the copy. Issued invoices stay with the platform that issued
//! them (their numbering is that platform's).

use crate::error::{Result, TenancyError};
use crate::migrate::TenantMigrations;
pub use crate::pg_client::program;
use crate::pg_client::{output, replace_identifier};
use crate::slug::Slug;
use crate::tenant::Tenant;
use crate::{Tenancy, TenantRow};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::Connection;
use std::path::Path;
use std::process::Command;

/// Platform tables holding a council's rows (keyed by `tenant_id`) that
/// travel with it; a row already taken here (a host another council has)
/// is left out.
const PLATFORM_TABLES: [&str; 4] = [
    "tenant_hosts",
    "subscriptions",
    "invoice_buyers",
    "invoice_requests",
];

/// What travels beside the schema's SQL.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Exported {
    /// The council's slug where it was exported.
    pub slug: String,
    /// Its schema's name there (replaced by the new one on import).
    pub schema: String,
    /// Its name.
    pub name: String,
    /// The tenant migration version it had.
    pub schema_version: i64,
    /// Its `platform.tenants` row.
    pub tenant: Value,
    /// Rows of [`PLATFORM_TABLES`], by table.
    pub platform: Vec<(String, Vec<Value>)>,
    /// Jobs queued and not yet run.
    pub jobs: Vec<Value>,
}

/// What an import did.
#[derive(Clone, Debug)]
pub struct Imported {
    /// The new council.
    pub tenant: Tenant,
    /// Platform rows left out, as `table: why`.
    pub skipped: Vec<String>,
}

/// Runs a client program, or says what went wrong.
fn run(command: &mut Command, what: &str) -> Result<()> {
    output(command, what).map(drop)
}

/// The dump's statements for `from` rewritten for `to`: the schema's own
/// creation dropped (provisioning made it), its name changed wherever it
/// is an identifier, and the rows' data (between `COPY … FROM stdin;` and
/// `\.`) left exactly as it was.
pub fn rewrite_dump(sql: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut in_data = false;
    for line in sql.split_inclusive('\n') {
        if in_data {
            in_data = line != "\\.\n" && line != "\\.";
            out.push_str(line);
            continue;
        }
        if line.starts_with(&format!("CREATE SCHEMA {from};")) {
            continue;
        }
        in_data = line.starts_with("COPY ") && line.trim_end().ends_with("FROM stdin;");
        out.push_str(&replace_identifier(line, from, to));
    }
    out
}

impl Tenancy {
    /// Writes `tenant`'s schema as SQL to `sql` and returns its platform
    /// rows, both from one snapshot. `database_url` is this platform's
    /// (the owner role's), for `pg_dump`.
    pub async fn export(
        &self,
        tenant: &Tenant,
        database_url: &str,
        sql: &Path,
    ) -> Result<Exported> {
        let mut conn = self.dedicated_connection().await?;
        let mut tx = conn.begin().await?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await?;
        let snapshot: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
            .fetch_one(&mut *tx)
            .await?;
        let schema = tenant.schema.as_str().to_owned();
        let dump = {
            let sql = sql.to_owned();
            let url = database_url.to_owned();
            let schema = schema.clone();
            tokio::task::spawn_blocking(move || {
                run(
                    Command::new(program("pg_dump"))
                        .arg("--dbname")
                        .arg(&url)
                        .args(["--schema", &schema, "--no-owner", "--no-privileges"])
                        .args(["--snapshot", &snapshot, "--format", "plain", "--file"])
                        .arg(&sql),
                    "pg_dump",
                )
            })
        };
        let read = async {
            let row: Value = sqlx::query_scalar(
                "SELECT to_jsonb(t) - 'db_role' FROM platform.tenants t WHERE id = $1",
            )
            .bind(tenant.id.0)
            .fetch_one(&mut *tx)
            .await?;
            let mut platform = Vec::new();
            for table in PLATFORM_TABLES {
                let rows: Vec<Value> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                    "SELECT to_jsonb(t) FROM platform.{table} t WHERE tenant_id = $1"
                )))
                .bind(tenant.id.0)
                .fetch_all(&mut *tx)
                .await?;
                platform.push((table.to_owned(), rows));
            }
            let jobs: Vec<Value> = sqlx::query_scalar(
                "SELECT to_jsonb(j) FROM platform.jobs j WHERE tenant_id = $1 AND status = 'queued'",
            )
            .bind(tenant.id.0)
            .fetch_all(&mut *tx)
            .await?;
            let version: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT max(version) FROM {schema}._sqlx_migrations WHERE success"
            )))
            .fetch_one(&mut *tx)
            .await?;
            Ok::<_, TenancyError>((row, platform, jobs, version.unwrap_or(0)))
        };
        let (dumped, read) = tokio::join!(dump, read);
        dumped.map_err(|error| TenancyError::Invalid {
            field: "pg_dump".into(),
            reason: error.to_string(),
        })??;
        let (row, platform, jobs, schema_version) = read?;
        tx.commit().await?;
        let _ = conn.close().await;
        Ok(Exported {
            slug: tenant.slug.to_string(),
            schema,
            name: tenant.name.clone(),
            schema_version,
            tenant: row,
            platform,
            jobs,
        })
    }

    /// Creates council `slug` from an export: `sql` is its schema's dump.
    pub async fn import(
        &self,
        slug: &Slug,
        exported: &Exported,
        sql: &Path,
        database_url: &str,
        migrations: &TenantMigrations,
    ) -> Result<Imported> {
        if self.find_tenant(slug).await?.is_some() {
            return Err(TenancyError::Taken(slug.to_string()));
        }
        let field = |name: &str| exported.tenant.get(name).cloned().unwrap_or(Value::Null);
        let row: TenantRow = sqlx::query_as(
            "INSERT INTO platform.tenants (id, slug, name, definition_file, ine_code, plan,
                                           entitlements, trial_ends_at)
             VALUES ($1, $2, $3, $4 #>> '{}', $5 #>> '{}', coalesce($6 #>> '{}', 'default'),
                     nullif($7, 'null'::jsonb), ($8 #>> '{}')::timestamptz)
             RETURNING id, slug, name, status, primary_host, entitlements, held_from",
        )
        .bind(uuid::Uuid::now_v7())
        .bind(slug.as_str())
        .bind(&exported.name)
        .bind(field("definition_file"))
        .bind(field("ine_code"))
        .bind(field("plan"))
        .bind(field("entitlements"))
        .bind(field("trial_ends_at"))
        .fetch_one(self.pool())
        .await
        .map_err(|error| match crate::error::unique_violation(&error) {
            Some("tenants_slug_key") => TenancyError::Taken(slug.to_string()),
            _ => error.into(),
        })?;
        let tenant = self.tenant_from_row(row)?;
        match self
            .load(&tenant, exported, sql, database_url, migrations)
            .await
        {
            Ok(imported) => Ok(imported),
            Err(error) => {
                // Nothing half-made stays: no council, schema or role.
                if let Err(cleanup) = self.discard(&tenant).await {
                    tracing::warn!(error = %cleanup, "a failed import could not be undone");
                }
                Err(error)
            }
        }
    }

    /// Role, schema, rows and platform rows of an imported council whose
    /// registry row exists.
    async fn load(
        &self,
        tenant: &Tenant,
        exported: &Exported,
        sql: &Path,
        database_url: &str,
        migrations: &TenantMigrations,
    ) -> Result<Imported> {
        let mut conn = self.dedicated_connection().await?;
        Self::lock_council(&mut conn, tenant).await?;
        crate::provision::create_role_and_schema(&mut conn, tenant, &self.inner.namespace).await?;
        // The SQL goes through psql (its data is COPY … FROM stdin), in
        // one transaction, as the role that owns council schemas.
        let text = std::fs::read_to_string(sql).map_err(|error| TenancyError::Invalid {
            field: "dump".into(),
            reason: error.to_string(),
        })?;
        let rewritten = rewrite_dump(&text, &exported.schema, tenant.schema.as_str());
        let loaded = sql.with_extension("import.sql");
        std::fs::write(&loaded, rewritten).map_err(|error| TenancyError::Invalid {
            field: "dump".into(),
            reason: error.to_string(),
        })?;
        let url = database_url.to_owned();
        let file = loaded.clone();
        tokio::task::spawn_blocking(move || {
            run(
                Command::new(program("psql"))
                    .args(["--no-psqlrc", "--quiet", "--single-transaction"])
                    .args(["--set", "ON_ERROR_STOP=1", "--dbname"])
                    .arg(&url)
                    .arg("--file")
                    .arg(&file),
                "psql",
            )
        })
        .await
        .map_err(|error| TenancyError::Invalid {
            field: "psql".into(),
            reason: error.to_string(),
        })??;
        let _ = std::fs::remove_file(&loaded);
        let version = self.migrate_locked(&mut conn, tenant, migrations).await?;
        let _ = conn.close().await;
        let skipped = self.restore_platform_rows(tenant, exported).await?;
        // Nothing the old platform issued opens the copy.
        let mut tx = self.begin(tenant).await?;
        sqlx::raw_sql(
            "DELETE FROM sessions; DELETE FROM account_tokens; DELETE FROM api_tokens;
             UPDATE users SET calendar_key = calendar_key + 1;",
        )
        .execute(tx.conn())
        .await?;
        tx.commit().await?;
        let status = (exported.tenant.get("status"))
            .and_then(Value::as_str)
            .filter(|s| *s != "provisioning")
            .unwrap_or("active");
        let row: TenantRow = sqlx::query_as(
            "UPDATE platform.tenants SET status = $2, schema_version = $3, migrated_at = now(),
                    migrate_error = NULL, updated_at = now()
             WHERE id = $1 RETURNING id, slug, name, status, primary_host, entitlements, held_from",
        )
        .bind(tenant.id.0)
        .bind(status)
        .bind(version)
        .fetch_one(self.pool())
        .await?;
        let tenant = self.tenant_from_row(row)?;
        self.changed(&tenant).await;
        Ok(Imported { tenant, skipped })
    }

    /// Removes what a failed import made of `tenant`: its schema, its
    /// role (and what was granted to it) and its registry row with the
    /// platform rows hanging from it.
    async fn discard(&self, tenant: &Tenant) -> Result<()> {
        let (schema, role) = (tenant.schema.as_str(), tenant.role.as_str());
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE;
             DO $$ BEGIN
                 IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN
                     EXECUTE 'DROP OWNED BY {role}'; EXECUTE 'DROP ROLE {role}';
                 END IF;
             END $$;"
        )))
        .execute(self.pool())
        .await?;
        sqlx::query("DELETE FROM platform.tenants WHERE id = $1")
            .bind(tenant.id.0)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Puts back the exported platform rows under `tenant`'s id, each in a
    /// savepoint: one that is taken here is left out and reported.
    async fn restore_platform_rows(
        &self,
        tenant: &Tenant,
        exported: &Exported,
    ) -> Result<Vec<String>> {
        let mut skipped = Vec::new();
        let mut tx = self.pool().begin().await?;
        let with_id = |row: &Value| {
            let mut row = row.clone();
            if let Some(object) = row.as_object_mut() {
                object.insert("tenant_id".into(), Value::String(tenant.id.0.to_string()));
            }
            row
        };
        let mut rows: Vec<(&str, Value)> = Vec::new();
        for (table, list) in &exported.platform {
            if let Some(known) = PLATFORM_TABLES.iter().find(|t| **t == table.as_str()) {
                rows.extend(list.iter().map(|row| (*known, with_id(row))));
            }
        }
        for job in &exported.jobs {
            let mut job = with_id(job);
            if let Some(object) = job.as_object_mut() {
                object.insert("id".into(), Value::String(uuid::Uuid::new_v4().to_string()));
                for gone in ["locked_by", "locked_at"] {
                    object.insert(gone.into(), Value::Null);
                }
            }
            rows.push(("jobs", job));
        }
        for (table, row) in rows {
            sqlx::query("SAVEPOINT row").execute(&mut *tx).await?;
            let inserted = sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO platform.{table} SELECT * FROM jsonb_populate_record(NULL::platform.{table}, $1)"
            )))
            .bind(&row)
            .execute(&mut *tx)
            .await;
            match inserted {
                Ok(_) => {
                    sqlx::query("RELEASE SAVEPOINT row")
                        .execute(&mut *tx)
                        .await?;
                }
                Err(error) => {
                    sqlx::query("ROLLBACK TO SAVEPOINT row")
                        .execute(&mut *tx)
                        .await?;
                    let why = match &error {
                        sqlx::Error::Database(db) => db.message().to_owned(),
                        other => other.to_string(),
                    };
                    skipped.push(format!("{table}: {why}"));
                }
            }
        }
        // A verified host that came along is the council's address again.
        sqlx::query(
            "UPDATE platform.tenants SET primary_host = (SELECT host FROM platform.tenant_hosts
                 WHERE tenant_id = $1 AND host = $2 AND verified_at IS NOT NULL)
             WHERE id = $1",
        )
        .bind(tenant.id.0)
        .bind(exported.tenant.get("primary_host").and_then(Value::as_str))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(skipped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_is_renamed_outside_the_rows_only() {
        let dump = "CREATE SCHEMA t_toledo;\n\
            CREATE TABLE t_toledo.proposals (id uuid);\n\
            ALTER TABLE ONLY t_toledo.proposals ADD CONSTRAINT p PRIMARY KEY (id);\n\
            COPY t_toledo.proposals (id, title) FROM stdin;\n\
            1\tt_toledo. is a title\n\
            \\.\n\
            SELECT pg_catalog.setval('t_toledo.s', 1, true);\n\
            CREATE TABLE t_toledo_x.other (id int);\n";
        let rewritten = rewrite_dump(dump, "t_toledo", "t_copia");
        assert_eq!(
            rewritten,
            "CREATE TABLE t_copia.proposals (id uuid);\n\
            ALTER TABLE ONLY t_copia.proposals ADD CONSTRAINT p PRIMARY KEY (id);\n\
            COPY t_copia.proposals (id, title) FROM stdin;\n\
            1\tt_toledo. is a title\n\
            \\.\n\
            SELECT pg_catalog.setval('t_copia.s', 1, true);\n\
            CREATE TABLE t_toledo_x.other (id int);\n"
        );
    }
}
