//! The tenant migrations squashed into one script for new councils
//! (`migrations/tenant-baseline.sql`).
//!
//! A council made migration by migration replays the project's history,
//! including every `ALTER TABLE … ADD COLUMN … DEFAULT`. Once the catalog
//! holds thousands of councils, each of those costs about 90 ms whatever
//! the table (measured at 3,900 councils: eleven of them were 1.0 s of a
//! 1.4 s creation; `bench/fleet`), while the `CREATE TABLE` that has the
//! column from the start costs nothing extra. So a new council runs the
//! schema those migrations leave — `pg_dump` of a scratch schema they were
//! applied to — records them as applied, and then runs only migrations
//! written after the baseline. Existing councils, imports and migrations
//! read from a folder never use it.
//!
//! The baseline names its schema [`SCHEMA`]; it is replaced by the
//! council's wherever it is an identifier, as an import does. It is used
//! only with exactly the migrations it was made from (versions and
//! checksums, whose digest its header holds).

use crate::error::{Result, TenancyError};
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use sqlx::migrate::{Migrate, Migration};

/// The scratch schema the baseline is dumped from, and the name it uses
/// for the council's schema.
pub(crate) const SCHEMA: &str = "cabildo_baseline";

/// How `scripts/squash-tenant-migrations` is named in messages.
pub const SQUASH_COMMAND: &str = "scripts/squash-tenant-migrations";

/// A parsed baseline: the migrations it stands for and its SQL.
#[derive(Clone, Debug)]
pub(crate) struct Baseline {
    version: i64,
    digest: String,
    sql: String,
}

impl Baseline {
    /// Reads the header (`-- version: …`, `-- digest: …`) and keeps the SQL.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let field = |name: &str| {
            text.lines()
                .take_while(|line| line.starts_with("--"))
                .find_map(|line| line.strip_prefix(&format!("-- {name}: ")))
                .map(str::trim)
        };
        Some(Self {
            version: field("version")?.parse().ok()?,
            digest: field("digest")?.to_owned(),
            sql: text.to_owned(),
        })
    }

    /// Highest migration version it includes.
    pub(crate) fn version(&self) -> i64 {
        self.version
    }

    /// Whether it was made from exactly these migrations up to its version.
    pub(crate) fn made_from(&self, migrations: &[Migration]) -> bool {
        digest(migrations, self.version) == self.digest
    }

    /// On a council schema with no migration applied yet (no bookkeeping
    /// table): runs the baseline and records the migrations it includes, in
    /// one transaction. Later migrations are left to the migrator.
    pub(crate) async fn apply_if_new(
        &self,
        conn: &mut PgConnection,
        schema: &str,
        migrations: &[Migration],
    ) -> Result<()> {
        let table = format!("{schema}._sqlx_migrations");
        let fresh: bool = sqlx::query_scalar("SELECT to_regclass($1) IS NULL")
            .bind(&table)
            .fetch_one(&mut *conn)
            .await?;
        if !fresh {
            return Ok(());
        }
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        tx.ensure_migrations_table(&table).await?;
        let sql = crate::pg_client::replace_identifier(&self.sql, SCHEMA, schema);
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut *tx)
            .await?;
        for migration in covered(migrations, self.version) {
            tx.skip(&table, migration).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// The up migrations up to `version`.
fn covered(migrations: &[Migration], version: i64) -> impl Iterator<Item = &Migration> {
    migrations
        .iter()
        .filter(move |m| m.migration_type.is_up_migration() && m.version <= version)
}

/// SHA-256 over each included migration's version and checksum.
fn digest(migrations: &[Migration], version: i64) -> String {
    let mut hash = Sha256::new();
    for migration in covered(migrations, version) {
        hash.update(migration.version.to_be_bytes());
        hash.update(&*migration.checksum);
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Tables whose rows, as the migrations leave them, every new council
/// gets from the baseline. A row is frozen when the baseline is made: a
/// migration that writes one with a per-council value (`now()`, a random
/// key) would give every council the same. `settings`: its one row holds
/// defaults, and provisioning writes the council's own settings (and
/// `updated_at`) at once.
const SEEDED_TABLES: [&str; 1] = ["settings"];

/// The baseline text for `pg_dump`'s plain output of [`SCHEMA`] (made by
/// `pg_dump_version`): its header, then the dump's statements without
/// their comments or the schema's creation, with the dump's session
/// settings made local to the transaction (the `search_path` is left
/// alone: every name is qualified, and function bodies keep resolving
/// through the council's own path).
pub(crate) fn from_dump(
    dump: &str,
    migrations: &[Migration],
    version: i64,
    pg_dump_version: &str,
) -> Result<String> {
    // `\restrict` and `\unrestrict` are psql commands of recent pg_dump,
    // on lines of their own outside any statement.
    let sql: String = dump
        .lines()
        .filter(|line| !line.starts_with("\\restrict ") && !line.starts_with("\\unrestrict "))
        .map(|line| format!("{line}\n"))
        .collect();
    let mut out = format!(
        "-- The tenant migrations up to {version} applied to an empty schema, as one\n\
         -- script that new councils run instead (see crates/cabildo-tenancy/src/baseline.rs).\n\
         -- Written by {SQUASH_COMMAND} with {}: do not edit.\n\
         -- version: {version}\n\
         -- digest: {}\n",
        pg_dump_version.trim(),
        digest(migrations, version)
    );
    let mut tables = 0;
    for statement in crate::statements::split(&sql) {
        let code = statement
            .lines()
            .skip_while(|line| line.trim().is_empty() || line.starts_with("--"))
            .collect::<Vec<_>>()
            .join("\n");
        if code.starts_with("SELECT pg_catalog.set_config('search_path'")
            || code.starts_with(&format!("CREATE SCHEMA {SCHEMA};"))
            || code == format!("CREATE SCHEMA {SCHEMA}")
        {
            continue;
        }
        let code = match code.strip_prefix("SET ") {
            Some(setting) => format!("SET LOCAL {setting}"),
            None => code,
        };
        tables += usize::from(code.starts_with(&format!("CREATE TABLE {SCHEMA}.")));
        if let Some(row) = code.strip_prefix(&format!("INSERT INTO {SCHEMA}.")) {
            let table = row.split([' ', '(']).next().unwrap_or_default();
            if !SEEDED_TABLES.contains(&table) {
                return Err(TenancyError::invalid(
                    "baseline",
                    format!(
                        "the migrations write rows into {table}: add it to SEEDED_TABLES in \
                         crates/cabildo-tenancy/src/baseline.rs once its rows are the same for \
                         every council"
                    ),
                ));
            }
            if row.contains(SCHEMA) {
                return Err(TenancyError::invalid(
                    "baseline",
                    "a row written by the migrations holds the baseline's schema name",
                ));
            }
        }
        out.push('\n');
        out.push_str(&code);
        out.push_str(";\n");
    }
    if tables == 0 {
        return Err(TenancyError::invalid(
            "baseline",
            "pg_dump printed no table",
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn migration(version: i64, sql: &'static str) -> Migration {
        Migration::new(
            version,
            "m".into(),
            sqlx::migrate::MigrationType::Simple,
            sqlx::SqlStr::from_static(sql),
            false,
        )
    }

    #[test]
    fn a_dump_becomes_a_baseline_without_its_settings_comments_or_schema() {
        let dump = "--\n-- PostgreSQL database dump\n--\n\n\\restrict abc\n\n\
            SET statement_timeout = 0;\n\
            SELECT pg_catalog.set_config('search_path', '', false);\n\
            --\n-- Name: cabildo_baseline; Type: SCHEMA\n--\n\n\
            CREATE SCHEMA cabildo_baseline;\n\n\
            CREATE TABLE cabildo_baseline.settings (id boolean);\n\n\
            --\n-- Name: f(); Type: FUNCTION\n--\n\n\
            CREATE FUNCTION cabildo_baseline.f() RETURNS int LANGUAGE plpgsql AS $$\nBEGIN\n-- one; two\nRETURN 1;\nEND $$;\n\n\
            INSERT INTO cabildo_baseline.settings (id) VALUES (true);\n\n\\unrestrict abc\n";
        let migrations = [migration(1, "CREATE TABLE a ()"), migration(2, "SELECT 1")];
        let text = from_dump(dump, &migrations, 2, "pg_dump (PostgreSQL) 15.20\n").unwrap();
        let baseline = Baseline::parse(&text).unwrap();
        assert_eq!(baseline.version(), 2);
        assert!(baseline.made_from(&migrations));
        assert!(
            !baseline.made_from(&[migration(1, "CREATE TABLE b ()"), migration(2, "SELECT 1")])
        );
        assert!(text.contains("with pg_dump (PostgreSQL) 15.20: do not edit"));
        let body = text.split_once("\n\n").unwrap().1;
        assert_eq!(
            body,
            "SET LOCAL statement_timeout = 0;\n\n\
             CREATE TABLE cabildo_baseline.settings (id boolean);\n\n\
             CREATE FUNCTION cabildo_baseline.f() RETURNS int LANGUAGE plpgsql AS $$\nBEGIN\n-- one; two\nRETURN 1;\nEND $$;\n\n\
             INSERT INTO cabildo_baseline.settings (id) VALUES (true);\n"
        );
    }

    #[test]
    fn rows_other_than_the_seeded_tables_and_empty_dumps_are_refused() {
        let table = "CREATE TABLE cabildo_baseline.settings (id boolean);\n";
        let migrations = [migration(1, "SELECT 1")];
        let refused = |dump: &str| {
            from_dump(dump, &migrations, 1, "pg_dump 15")
                .unwrap_err()
                .to_string()
        };
        assert!(
            refused(&format!(
                "{table}INSERT INTO cabildo_baseline.keys (key) VALUES ('k');\n"
            ))
            .contains("rows into keys")
        );
        assert!(
            refused(&format!("{table}INSERT INTO cabildo_baseline.settings (name) VALUES ('cabildo_baseline.x');\n"))
                .contains("schema name")
        );
        assert!(refused("SET statement_timeout = 0;\n").contains("no table"));
    }
}
