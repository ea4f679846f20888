//! Councils (tenants): the registry in `platform`, host routing, tenant
//! transactions, provisioning, and per-council migrations.
//!
//! Every read or write of council data goes through [`Tenancy::begin`],
//! which scopes the transaction to the council's schema and role. Only this
//! crate ever names a schema or role in SQL.

mod baseline;
pub use baseline::SQUASH_COMMAND;
mod cache;
mod changes;
mod citus;
pub mod colour;
pub mod domains;
pub mod entitlements;
mod error;
mod jobs;
mod migrate;
mod names;
mod pg_client;
mod pools;
pub use pools::AUTOMATIC_AFFINITY_FROM;
mod provision;
pub use provision::Applied;
mod routing;
mod site;
mod slug;
mod spec;
mod statements;
mod tenant;
#[cfg(feature = "testing")]
pub mod testing;
pub mod transfer;
mod tx;
pub mod zone;

pub use cache::SharedCache;
pub use citus::Node;
pub use error::{Result, TenancyError};
pub use jobs::{EMAIL_KIND, EmailRequest, JobsWatch, NewJob};
pub use migrate::{FleetReport, MigrationOutcome, MigrationResult, TenantMigrations};
pub use names::{RoleName, SchemaName};
pub use routing::{
    HostError, NormalizedHost, ResolveError, Resolver, ResolverConfig, Site, normalize_host,
};
pub use site::{District, SiteSettings};
pub use slug::{SLUG_MAX, Slug, SlugError};
pub use spec::{
    ARTICLES, Colours, CouncilSpec, DistrictSpec, LegalContact, SOCIAL_NETWORKS,
    SUPPORTED_LANGUAGES, SiteContact, ValidSpec,
};
pub use tenant::{Tenant, TenantId, TenantStatus, TenantSummary};
pub use tx::TenantTx;
pub use zone::Zone;

use names::RoleNamespace;

/// A council's row as queries read it: id, slug, name, status, the domain
/// it is served on and what its plan allows.
pub(crate) type TenantRow = (
    uuid::Uuid,
    String,
    String,
    String,
    Option<String>,
    Option<sqlx::types::Json<entitlements::Entitlements>>,
    Option<time::OffsetDateTime>,
);
use sqlx::postgres::{PgConnectOptions, PgPool};
use std::sync::Arc;
use std::time::Duration;

/// Connection pool settings.
#[derive(Clone, Debug)]
pub struct PoolConfig {
    /// Most connections held open for council transactions; platform
    /// queries have a pool of their own on top, a quarter of this (at
    /// least 2).
    pub max_connections: u32,
    /// How long a request waits for a connection before failing with
    /// [`TenancyError::Unavailable`].
    pub acquire_timeout: Duration,
    /// Council affinity: council transactions go to one of this many
    /// sub-pools, chosen by the council's id, so that each PostgreSQL
    /// backend only ever serves a slice of the councils (see `pools`).
    /// `max_connections` is shared out among them; 1 turns it off; 0
    /// (the default) chooses when the pool connects: one group per
    /// connection past [`AUTOMATIC_AFFINITY_FROM`] councils,
    /// otherwise off.
    pub council_groups: u32,
    /// A connection is closed after its transaction once it has served
    /// this many distinct councils, which bounds the catalog caches its
    /// backend holds; 0: never.
    pub recycle_after: u32,
}

impl Default for PoolConfig {
    fn default() -> Self {
        Self {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(3),
            council_groups: 0,
            recycle_after: 0,
        }
    }
}

/// Handle on the councils: the pool, and Redis for cache invalidation.
/// Cheap to clone.
#[derive(Clone)]
pub struct Tenancy {
    inner: Arc<Inner>,
}

struct Inner {
    pools: pools::Pools,
    connect_options: PgConnectOptions,
    namespace: RoleNamespace,
    /// Whether the database is a Citus coordinator (see `citus`).
    citus: bool,
    cache: Option<SharedCache>,
    /// This process's cache listeners, told directly of local changes.
    listeners: std::sync::Mutex<Vec<std::sync::Weak<changes::Listener>>>,
    /// Listeners kept alive here when there is no Redis subscription to
    /// own them.
    local_listeners: std::sync::Mutex<Vec<std::sync::Arc<changes::Listener>>>,
    /// Site settings by council.
    sites: site::SiteCache,
    /// Signalled when this process commits jobs (see `jobs::JobsWatch`).
    jobs_added: Arc<tokio::sync::Notify>,
    /// Whether an announcement of added jobs is on its way to Redis, and
    /// whether another must follow it.
    announcing: std::sync::Mutex<(bool, bool)>,
}

impl Tenancy {
    /// Connects to PostgreSQL at `database_url`. Fails with
    /// [`TenancyError::Unavailable`] when the server cannot be reached, so
    /// callers may retry.
    pub async fn connect(
        database_url: &str,
        pool: PoolConfig,
        cache: Option<SharedCache>,
    ) -> Result<Self> {
        let connect_options: PgConnectOptions = database_url
            .parse()
            .map_err(|e: sqlx::Error| TenancyError::invalid("DATABASE_URL", e.to_string()))?;
        let pools = pools::Pools::connect(&connect_options, &pool).await?;
        if pools.group_count() > 1 {
            tracing::info!(groups = pools.group_count(), "council affinity on");
        }
        let computed: String = sqlx::query_scalar(RoleNamespace::QUERY)
            .fetch_one(pools.platform())
            .await?;
        let namespace = RoleNamespace::from_database(computed)
            .ok_or_else(|| TenancyError::invalid("DATABASE_URL", "unexpected database name"))?;
        let citus = citus::detect(&mut *pools.platform().acquire().await?).await?;
        let tenancy = Self {
            inner: Arc::new(Inner {
                pools,
                connect_options,
                namespace,
                citus,
                cache,
                listeners: std::sync::Mutex::default(),
                local_listeners: std::sync::Mutex::default(),
                sites: site::SiteCache::default(),
                jobs_added: Arc::default(),
                announcing: std::sync::Mutex::default(),
            }),
        };
        let inner = Arc::downgrade(&tenancy.inner);
        tenancy.on_changes(move |keys| match inner.upgrade() {
            Some(inner) => {
                inner.sites.forget(keys);
                true
            }
            None => false,
        });
        Ok(tenancy)
    }

    /// How many sub-pools share the councils (1: no council affinity); see
    /// [`PoolConfig::council_groups`].
    pub fn council_groups(&self) -> usize {
        self.inner.pools.group_count()
    }

    /// The pool for platform-level queries, in this crate and in health
    /// checks. Council transactions take their connections from
    /// [`Tenancy::begin`] instead.
    pub fn pool(&self) -> &PgPool {
        self.inner.pools.platform()
    }

    /// Redis, when configured.
    pub fn cache(&self) -> Option<&SharedCache> {
        self.inner.cache.as_ref()
    }

    /// Namespace of this database's council roles and Redis keys.
    pub fn namespace(&self) -> &str {
        self.inner.namespace.as_str()
    }

    /// Runs one `SELECT 1` through the pool.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(self.pool()).await?;
        Ok(())
    }

    /// Creates or upgrades the `platform` schema, and the serving role with
    /// its rights on it (see [`Tenancy::serving_role`]).
    pub async fn migrate_platform(&self) -> Result<()> {
        let mut conn = self.dedicated_connection().await?;
        if self.inner.citus {
            // `platform` stays on the coordinator (see `citus`).
            sqlx::raw_sql("SET citus.enable_ddl_propagation TO off")
                .execute(&mut conn)
                .await?;
        }
        platform_migrator().run(&mut conn).await?;
        if self.inner.citus {
            citus::ensure_worker_objects(&mut conn).await?;
        }
        let _ = sqlx::Connection::close(conn).await;
        provision::ensure_serving_role(self.pool(), &self.inner.namespace).await
    }

    /// The least-privilege role `serve` and `worker` connect as in
    /// production: it logs in, reads and writes the platform tables, and is
    /// a member of every council role (`NOINHERIT`: it reaches a council's
    /// rows only through [`Tenancy::begin`]'s `SET ROLE`), but it cannot
    /// create roles, databases or schemas, change any table, or run
    /// migrations. Provisioning (`migrate`, `tenants create|apply`) keeps
    /// the owner role, which has `CREATEROLE`. Give it a password (or a
    /// `pg_hba.conf` rule) to log in with.
    pub fn serving_role(&self) -> String {
        self.inner.namespace.serving_role()
    }

    /// Whether this connection's role may create roles (or is a
    /// superuser): right for provisioning, too much for serving.
    pub async fn can_create_roles(&self) -> Result<bool> {
        Ok(sqlx::query_scalar(
            "SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user",
        )
        .fetch_one(self.pool())
        .await?)
    }

    /// Highest platform migration applied, or `None` when the platform
    /// schema has never been migrated.
    pub async fn platform_version(&self) -> Result<Option<i64>> {
        let result = sqlx::query_scalar::<_, Option<i64>>(
            "SELECT max(version) FROM platform._sqlx_migrations WHERE success",
        )
        .fetch_one(self.pool())
        .await;
        match result {
            Ok(version) => Ok(version),
            // 42P01: no such table; 3F000: no such schema.
            Err(sqlx::Error::Database(e))
                if matches!(e.code().as_deref(), Some("42P01" | "3F000")) =>
            {
                Ok(None)
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Closes the pools, waiting for connections to be returned.
    pub async fn close(&self) {
        self.inner.pools.close().await;
    }

    pub(crate) fn tenant_from_row(
        &self,
        (id, slug, name, status, domain, entitlements, held_from): TenantRow,
    ) -> Result<Tenant> {
        let mut tenant = self.tenant_from_parts(id, &slug, name, &status, domain)?;
        tenant.entitlements =
            entitlements.map(|e| Arc::new(entitlements::Entitlements { held_from, ..e.0 }));
        Ok(tenant)
    }

    pub(crate) fn tenant_from_parts(
        &self,
        id: uuid::Uuid,
        slug: &str,
        name: String,
        status: &str,
        domain: Option<String>,
    ) -> Result<Tenant> {
        let slug = Slug::parse(slug).map_err(|reason| TenancyError::InvalidSlug {
            slug: slug.to_owned(),
            reason,
        })?;
        let status = TenantStatus::parse(status)
            .ok_or_else(|| TenancyError::invalid("status", format!("unknown status {status:?}")))?;
        let schema = SchemaName::for_slug(&slug);
        let role = RoleName::new(&self.inner.namespace, &schema);
        Ok(Tenant {
            id: TenantId(id),
            slug,
            name,
            status,
            domain,
            entitlements: None,
            schema,
            role,
        })
    }
}

/// The migrations of the `platform` schema, embedded in the binary. Their
/// bookkeeping table lives in `platform` too, so `public` stays empty.
pub fn platform_migrator() -> sqlx::migrate::Migrator {
    let mut migrator = sqlx::migrate!("../../migrations/platform");
    migrator.dangerous_set_table_name("platform._sqlx_migrations");
    migrator.create_schema("platform");
    migrator
}
