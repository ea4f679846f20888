//! Cabildo on a Citus cluster (see docs/scale-out.md): the application
//! connects to the coordinator, which keeps the `platform` schema as plain
//! local tables; each council's schema is a distributed schema that Citus
//! places whole on one worker and can move to another.
//!
//! What differs from a single PostgreSQL is all decided here:
//! - platform migrations run with DDL propagation off, so `platform` stays
//!   on the coordinator (no council table refers to it); the `search`
//!   schema council functions use is made on every worker too;
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

use crate::error::{Result, TenancyError};
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

/// What council functions use outside their schema, made on every worker
/// as on the coordinator: the `search` schema (unaccent and the search
/// configurations). Platform migrations stay on the coordinator, so this
/// one is replayed on the workers; `cabildo migrate` does it again for a
/// worker added later.
const ON_EVERY_WORKER: &str =
    include_str!("../../../migrations/platform/20261127000006_search_configurations.sql");

/// Makes [`ON_EVERY_WORKER`] on every worker, statement by statement; what
/// a worker already has is left as it is, so it runs on every migrate.
pub(crate) async fn ensure_worker_objects(conn: &mut PgConnection) -> Result<()> {
    for statement in statements::split(ON_EVERY_WORKER) {
        // A worker refuses DDL Citus would propagate unless propagation is
        // off there; one statement per command, so that its error is the
        // command's result; what exists already is kept.
        debug_assert!(!statement.contains("$cabildo_"));
        let command = format!(
            "DO $cabildo_do$ BEGIN
                 PERFORM set_config('citus.enable_ddl_propagation', 'off', true);
                 EXECUTE $cabildo_sql${statement}$cabildo_sql$;
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
             END $cabildo_do$"
        );
        let results: Vec<(String, i32, bool, String)> = sqlx::query_as(
            "SELECT nodename, nodeport, success, result FROM run_command_on_workers($1)",
        )
        .bind(&command)
        .fetch_all(&mut *conn)
        .await?;
        for (host, port, success, result) in results {
            if !success {
                return Err(TenancyError::invalid(
                    "worker",
                    format!("{host}:{port} refused {statement:?}: {result}"),
                ));
            }
        }
    }
    Ok(())
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
/// (and their rows: writes to them wait meanwhile) to a worker. The
/// council's role may log in from then on: councils made on a single
/// PostgreSQL have roles that could not.
pub(crate) async fn distribute(conn: &mut PgConnection, schema: &str, role: &str) -> Result<()> {
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("ALTER ROLE {role} LOGIN")))
        .execute(&mut *conn)
        .await?;
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
    // As sqlx checks: a failed migration, or one this binary does not know
    // (a newer binary applied it), stops everything before anything runs.
    for (version, success, _) in &applied {
        if !success {
            return Err(MigrateError::Dirty(*version).into());
        }
        if !pending.iter().any(|m| m.version == *version) {
            return Err(MigrateError::VersionMissing(*version).into());
        }
    }
    for migration in pending {
        match applied
            .iter()
            .find(|(version, ..)| *version == migration.version)
        {
            Some((version, _, checksum)) if *checksum != *migration.checksum => {
                return Err(MigrateError::VersionMismatch(*version).into());
            }
            Some(_) => continue,
            None => {}
        }
        let started = Instant::now();
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        // The schema is the search path on the worker too, where triggers
        // fired by a migration's changes run (see `Tenancy::begin`).
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "SET LOCAL citus.propagate_set_commands TO 'local'; \
             SET LOCAL citus.allow_nested_distributed_execution TO on; \
             SET LOCAL search_path TO {schema}"
        )))
        .execute(&mut *tx)
        .await?;
        for statement in statements::split(migration.sql.as_str()) {
            sqlx::raw_sql(sqlx::AssertSqlSafe(statement.to_owned()))
                .execute(&mut *tx)
                .await
                .map_err(|error| MigrateError::ExecuteMigration(error, migration.version))?;
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

/// A Citus worker that council schemas are placed on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// Citus' node id (`pg_dist_node.nodeid`), as `tenants move` takes it.
    pub id: i32,
    /// Host name and port the coordinator reaches it at.
    pub host: String,
    /// Port.
    pub port: i32,
    /// Councils placed on it.
    pub councils: i64,
}

impl crate::Tenancy {
    /// The workers councils may be placed on, with how many each holds;
    /// refused on a single PostgreSQL.
    pub async fn nodes(&self) -> Result<Vec<Node>> {
        self.require_citus()?;
        let rows: Vec<(i32, String, i32, i64)> = sqlx::query_as(
            "SELECT n.nodeid, n.nodename, n.nodeport,
                    count(DISTINCT c.relnamespace) FILTER (WHERE s.schemaid IS NOT NULL)
             FROM pg_dist_node n
             LEFT JOIN pg_dist_placement pl ON pl.groupid = n.groupid
             LEFT JOIN pg_dist_shard sh ON sh.shardid = pl.shardid
             LEFT JOIN pg_class c ON c.oid = sh.logicalrelid
             LEFT JOIN pg_dist_schema s ON s.schemaid = c.relnamespace
             WHERE n.shouldhaveshards AND n.isactive AND n.noderole = 'primary'
             GROUP BY n.nodeid, n.nodename, n.nodeport
             ORDER BY n.nodeid",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, host, port, councils)| Node {
                id,
                host,
                port,
                councils,
            })
            .collect())
    }

    /// The id of the worker holding `tenant`'s schema, or `None` while it is
    /// not distributed (being created, or on a single PostgreSQL).
    pub async fn node_of(&self, tenant: &crate::Tenant) -> Result<Option<i32>> {
        if !self.is_citus() {
            return Ok(None);
        }
        Ok(sqlx::query_scalar(
            "SELECT n.nodeid
             FROM pg_dist_schema s
             JOIN pg_dist_partition p ON p.colocationid = s.colocationid
             JOIN pg_dist_shard sh ON sh.logicalrelid = p.logicalrelid
             JOIN pg_dist_placement pl ON pl.shardid = sh.shardid
             JOIN pg_dist_node n ON n.groupid = pl.groupid AND n.noderole = 'primary'
             WHERE s.schemaid = $1::regnamespace
             LIMIT 1",
        )
        .bind(tenant.schema.as_str())
        .fetch_optional(self.pool())
        .await?)
    }

    /// Moves `tenant`'s schema, with its rows, to worker `to_node` while its
    /// site stays up: pages are served throughout, writes wait for the
    /// seconds the copy takes (Citus' `block_writes`, which needs no logical
    /// replication). Returns the node it came from; moving a council to
    /// where it already is does nothing.
    pub async fn move_council(&self, tenant: &crate::Tenant, to_node: i32) -> Result<i32> {
        let nodes = self.nodes().await?;
        let Some(target) = nodes.iter().find(|node| node.id == to_node) else {
            let known: Vec<String> = nodes.iter().map(|node| node.id.to_string()).collect();
            return Err(TenancyError::invalid(
                "node",
                format!(
                    "no worker {to_node}; councils can go to {}",
                    known.join(", ")
                ),
            ));
        };
        let from = self.node_of(tenant).await?.ok_or_else(|| {
            TenancyError::invalid(
                "council",
                "its schema is not on a worker yet; run `cabildo migrate`",
            )
        })?;
        if from == to_node {
            return Ok(from);
        }
        let mut conn = self.dedicated_connection().await?;
        let moved =
            sqlx::query("SELECT citus_schema_move($1::regnamespace, $2, $3, 'block_writes')")
                .bind(tenant.schema.as_str())
                .bind(&target.host)
                .bind(target.port)
                .execute(&mut conn)
                .await;
        let _ = sqlx::Connection::close(conn).await;
        moved?;
        tracing::info!(tenant = %tenant.slug, from, to = to_node, "council moved");
        Ok(from)
    }

    /// Whether the database is a Citus coordinator.
    pub fn is_citus(&self) -> bool {
        self.inner.citus
    }

    fn require_citus(&self) -> Result<()> {
        if self.is_citus() {
            Ok(())
        } else {
            Err(TenancyError::invalid(
                "database",
                "this PostgreSQL is not a Citus coordinator: every council is on it (docs/scale-out.md)",
            ))
        }
    }
}
