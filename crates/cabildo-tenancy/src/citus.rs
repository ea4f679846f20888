//! Cabildo on a Citus cluster (see docs/scale-out.md): the application
//! connects to the coordinator, which keeps the `platform` schema as plain
//! local tables; each council's schema is a distributed schema that Citus
//! places whole on one worker and can move to another.
//!
//! What differs from a single PostgreSQL is all decided here:
//! - platform migrations run with DDL propagation off, so `platform` stays
//!   on the coordinator (no council table refers to it);
//! - a council's role may log in, because Citus reaches the workers as the
//!   current role;
//! - a council's schema is made and migrated on the coordinator as on a
//!   single PostgreSQL, then handed to Citus (`citus_schema_distribute`),
//!   which places it on a worker: so the migrations written before Citus
//!   (some of whose statements Citus refuses) never run on a worker;
//! - later migrations of a distributed schema are sent one statement at a
//!   time, because Citus forwards some DDL to the workers as the text of
//!   the whole query, which must then hold one statement. They must keep
//!   to what Citus accepts (docs/scale-out.md lists it).

use crate::error::Result;
use crate::statements;
use sqlx::PgConnection;
use sqlx::migrate::{MigrateError, Migration};
use std::time::Instant;

/// Whether the database behind `conn` is a Citus coordinator.
pub(crate) async fn detect(conn: &mut PgConnection) -> Result<bool> {
    Ok(
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')")
            .fetch_one(conn)
            .await?,
    )
}

/// Whether `schema` is already a distributed schema.
pub(crate) async fn distributed(conn: &mut PgConnection, schema: &str) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM pg_dist_schema WHERE schemaid::regnamespace::text = $1)",
    )
    .bind(schema)
    .fetch_one(conn)
    .await?)
}

/// Hands a schema made on the coordinator to Citus, which moves its tables
/// (and their rows: writes to them wait meanwhile) to a worker.
pub(crate) async fn distribute(conn: &mut PgConnection, schema: &str) -> Result<()> {
    allow_row_triggers(&mut *conn).await?;
    sqlx::query("SELECT citus_schema_distribute($1::regnamespace)")
        .bind(schema)
        .execute(conn)
        .await?;
    Ok(())
}

/// Row triggers on distributed tables; safe for councils because every
/// table a council's trigger touches is in the same schema, so on the same
/// worker.
async fn allow_row_triggers(conn: &mut PgConnection) -> Result<()> {
    sqlx::raw_sql("SET citus.enable_unsafe_triggers TO on")
        .execute(conn)
        .await?;
    Ok(())
}

/// Applies the pending `migrations` to the distributed `schema`,
/// one statement at a time, keeping sqlx's bookkeeping table (same columns,
/// same checksums) so that either runner can take over from the other.
pub(crate) async fn migrate_schema(
    conn: &mut PgConnection,
    schema: &str,
    migrations: &[Migration],
) -> Result<()> {
    allow_row_triggers(&mut *conn).await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "CREATE TABLE IF NOT EXISTS {schema}._sqlx_migrations (
             version BIGINT PRIMARY KEY,
             description TEXT NOT NULL,
             installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),
             success BOOLEAN NOT NULL,
             checksum BYTEA NOT NULL,
             execution_time BIGINT NOT NULL
         )"
    )))
    .execute(&mut *conn)
    .await?;
    let applied: Vec<(i64, bool, Vec<u8>)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT version, success, checksum FROM {schema}._sqlx_migrations"
    )))
    .fetch_all(&mut *conn)
    .await?;
    let mut pending: Vec<&Migration> = migrations
        .iter()
        .filter(|m| m.migration_type.is_up_migration())
        .collect();
    pending.sort_by_key(|m| m.version);
    for migration in pending {
        match applied.iter().find(|(version, ..)| *version == migration.version) {
            Some((version, false, _)) => return Err(MigrateError::Dirty(*version).into()),
            Some((version, true, checksum)) if *checksum != *migration.checksum => {
                return Err(MigrateError::VersionMismatch(*version).into());
            }
            Some(_) => continue,
            None => {}
        }
        let started = Instant::now();
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        for statement in statements::split(migration.sql.as_str()) {
            sqlx::raw_sql(sqlx::AssertSqlSafe(statement.to_owned()))
                .execute(&mut *tx)
                .await
                .map_err(|error| {
                    MigrateError::ExecuteMigration(error, migration.version)
                })?;
        }
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO {schema}._sqlx_migrations
                 (version, description, success, checksum, execution_time)
             VALUES ($1, $2, TRUE, $3, $4)"
        )))
        .bind(migration.version)
        .bind(&*migration.description)
        .bind(&*migration.checksum)
        .bind(i64::try_from(started.elapsed().as_nanos()).unwrap_or(i64::MAX))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    }
    Ok(())
}
