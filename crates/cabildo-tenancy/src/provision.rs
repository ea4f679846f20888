//! Creating councils (registry row, role, schema, migrations, settings),
//! applying declarative definitions, and lifecycle changes.

use crate::Tenancy;
use crate::TenantRow;
use crate::error::{Result, TenancyError, unique_violation};
use crate::migrate::{TenantMigrations, error_chain};
use crate::names::RoleNamespace;
use crate::site::SiteSettings;
use crate::slug::Slug;
use crate::spec::ValidSpec;
use crate::tenant::{Tenant, TenantStatus, TenantSummary};
use sqlx::{Connection, PgConnection};

/// What [`Tenancy::apply`] did to a council.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    /// It did not exist and was created.
    Created,
    /// A creation interrupted earlier was completed.
    Resumed,
    /// It existed; its name and settings were updated.
    Updated,
}

/// Columns read into a [`TenantRow`].
macro_rules! tenant_columns {
    () => {
        "id, slug, name, status, primary_host, entitlements, held_from"
    };
}

impl Tenancy {
    /// Creates a council: claims the slug, creates its role and schema,
    /// applies the tenant migrations, stores its settings, and marks it
    /// active. Two concurrent creations of one slug: one wins, the other
    /// gets [`TenancyError::Taken`]. Other councils are never locked.
    #[tracing::instrument(skip_all, fields(tenant = %valid.slug))]
    pub async fn create(&self, valid: &ValidSpec, migrations: &TenantMigrations) -> Result<Tenant> {
        let row: TenantRow = sqlx::query_as(concat!(
            "INSERT INTO platform.tenants (id, slug, name, definition_file) VALUES ($1, $2, $3, $4) RETURNING ",
            tenant_columns!(),
            ""
        ))
        .bind(uuid::Uuid::now_v7())
        .bind(valid.slug.as_str())
        .bind(&valid.spec.name)
        .bind(&valid.source)
        .fetch_one(self.pool())
        .await
        .map_err(|error| match unique_violation(&error) {
            Some("tenants_slug_key") => TenancyError::Taken(valid.slug.to_string()),
            _ => error.into(),
        })?;
        let tenant = self.tenant_from_row(row)?;
        self.finish_provisioning(&tenant, valid, migrations).await
    }

    /// Makes the council match its definition: creates it when missing,
    /// completes an interrupted creation, or updates name and settings.
    pub async fn apply(
        &self,
        valid: &ValidSpec,
        migrations: &TenantMigrations,
    ) -> Result<(Tenant, Applied)> {
        let existing = match self.find_tenant(&valid.slug).await? {
            Some(tenant) => tenant,
            None => match self.create(valid, migrations).await {
                Ok(tenant) => return Ok((tenant, Applied::Created)),
                // Someone else created it meanwhile: update it like any other.
                Err(TenancyError::Taken(_)) => self.get_tenant(&valid.slug).await?,
                Err(error) => return Err(error),
            },
        };
        if existing.status == TenantStatus::Provisioning {
            let tenant = self
                .finish_provisioning(&existing, valid, migrations)
                .await?;
            return Ok((tenant, Applied::Resumed));
        }
        let row: TenantRow = sqlx::query_as(concat!(
            "UPDATE platform.tenants SET name = $2, definition_file = $3, updated_at = now()
             WHERE id = $1 RETURNING ",
            tenant_columns!(),
            ""
        ))
        .bind(existing.id.0)
        .bind(&valid.spec.name)
        .bind(&valid.source)
        .fetch_one(self.pool())
        .await?;
        let tenant = self.tenant_from_row(row)?;
        let mut tx = self.begin(&tenant).await?;
        SiteSettings::store(&mut tx, valid).await?;
        tx.commit().await?;
        self.changed(&tenant).await;
        Ok((tenant, Applied::Updated))
    }

    /// Role, schema, migrations and settings for a council whose registry
    /// row exists. Every step is idempotent, so an interrupted creation can
    /// be completed by running it again.
    async fn finish_provisioning(
        &self,
        tenant: &Tenant,
        valid: &ValidSpec,
        migrations: &TenantMigrations,
    ) -> Result<Tenant> {
        let mut conn = self.dedicated_connection().await?;
        let result = async {
            Self::lock_council(&mut conn, tenant).await?;
            create_role_and_schema(&mut conn, tenant, &self.inner.namespace).await?;
            let version = self.migrate_locked(&mut conn, tenant, migrations).await?;
            // The first settings are written here, as the schema's owner
            // (the migrations made their row the same way), not in a
            // council transaction: on PostgreSQL 15 a session's first
            // `SET ROLE` after any role change lists every role its login
            // role belongs to, which took 272 ms of a 554-ms creation at
            // 10,000 councils (docs/benchmarks.md, "10,000 councils").
            let mut tx = conn.begin().await?;
            sqlx::query("SELECT set_config('search_path', $1, true)")
                .bind(tenant.schema.as_str())
                .execute(&mut *tx)
                .await?;
            SiteSettings::write(&mut tx, valid).await?;
            tx.commit().await?;
            Ok(version)
        }
        .await;
        let _ = conn.close().await;
        let version = match result {
            Ok(version) => version,
            Err(error) => {
                let message = error_chain(&error);
                sqlx::query("UPDATE platform.tenants SET migrate_error = $2, updated_at = now() WHERE id = $1")
                    .bind(tenant.id.0)
                    .bind(&message)
                    .execute(self.pool())
                    .await?;
                return Err(error);
            }
        };

        let row: TenantRow = sqlx::query_as(concat!(
            "UPDATE platform.tenants
             SET status = CASE WHEN status = 'provisioning' THEN 'active' ELSE status END,
                 schema_version = $2, migrate_error = NULL, migrated_at = now(), updated_at = now()
             WHERE id = $1 RETURNING ",
            tenant_columns!(),
            ""
        ))
        .bind(tenant.id.0)
        .bind(version)
        .fetch_one(self.pool())
        .await?;
        let tenant = self.tenant_from_row(row)?;
        self.changed(&tenant).await;
        tracing::info!(tenant = %tenant.slug, "council provisioned");
        Ok(tenant)
    }

    /// The file that defines the council's settings, when `tenants apply`
    /// last wrote them from one (applying it again overwrites what admins
    /// changed on the settings page).
    pub async fn definition_file(&self, tenant: &Tenant) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT definition_file FROM platform.tenants WHERE id = $1")
                .bind(tenant.id.0)
                .fetch_optional(self.pool())
                .await?
                .flatten(),
        )
    }

    /// The council with this slug, if any.
    pub async fn find_tenant(&self, slug: &Slug) -> Result<Option<Tenant>> {
        let row: Option<TenantRow> = sqlx::query_as(concat!(
            "SELECT ",
            tenant_columns!(),
            " FROM platform.tenants WHERE slug = $1"
        ))
        .bind(slug.as_str())
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| self.tenant_from_row(row)).transpose()
    }

    /// The council with this id, if any.
    pub async fn find_tenant_by_id(&self, id: crate::TenantId) -> Result<Option<Tenant>> {
        let row: Option<TenantRow> = sqlx::query_as(concat!(
            "SELECT ",
            tenant_columns!(),
            " FROM platform.tenants WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| self.tenant_from_row(row)).transpose()
    }

    /// The council with this slug, or [`TenancyError::NotFound`].
    pub async fn get_tenant(&self, slug: &Slug) -> Result<Tenant> {
        self.find_tenant(slug)
            .await?
            .ok_or_else(|| TenancyError::NotFound(slug.to_string()))
    }

    /// Every council, by slug.
    pub async fn list_tenants(&self) -> Result<Vec<TenantSummary>> {
        let rows: Vec<SummaryRow> = sqlx::query_as(
            "SELECT id, slug, name, status, primary_host, schema_version, migrate_error, created_at
                 FROM platform.tenants ORDER BY slug",
        )
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|row| {
                Ok(TenantSummary {
                    tenant: self.tenant_from_parts(
                        row.id,
                        &row.slug,
                        row.name,
                        &row.status,
                        row.primary_host,
                    )?,
                    schema_version: row.schema_version,
                    migrate_error: row.migrate_error,
                    created_at: row.created_at,
                })
            })
            .collect()
    }

    /// Moves a council to `status` (suspend, resume, read-only, archive)
    /// and tells every node.
    pub async fn set_status(&self, slug: &Slug, status: TenantStatus) -> Result<Tenant> {
        if status == TenantStatus::Provisioning {
            return Err(TenancyError::invalid(
                "status",
                "provisioning is set by creation only",
            ));
        }
        let row: Option<TenantRow> = sqlx::query_as(concat!(
            "UPDATE platform.tenants SET status = $2, updated_at = now()
             WHERE slug = $1 AND status <> 'provisioning' RETURNING ",
            tenant_columns!(),
            ""
        ))
        .bind(slug.as_str())
        .bind(status.as_str())
        .fetch_optional(self.pool())
        .await?;
        let tenant =
            self.tenant_from_row(row.ok_or_else(|| TenancyError::NotFound(slug.to_string()))?)?;
        self.changed(&tenant).await;
        tracing::info!(tenant = %tenant.slug, status = %status, "council status changed");
        Ok(tenant)
    }
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: uuid::Uuid,
    slug: String,
    name: String,
    status: String,
    primary_host: Option<String>,
    schema_version: Option<i64>,
    migrate_error: Option<String>,
    created_at: time::OffsetDateTime,
}

/// Runs each statement of `sql` on its own: Citus forwards some of these
/// to its workers as the whole query text, which must then be one statement.
async fn execute_each(conn: &mut PgConnection, sql: &str) -> Result<()> {
    for statement in crate::statements::split(sql) {
        sqlx::raw_sql(sqlx::AssertSqlSafe(statement.to_owned()))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Whether `role` exists in the cluster.
async fn role_exists(conn: &mut PgConnection, role: &str) -> Result<bool> {
    Ok(
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
            .bind(role)
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// Creates the serving role when missing (see [`crate::Tenancy::serving_role`])
/// and gives it its rights on the platform schema (again after every
/// platform migration, for new tables) and membership of every council
/// role; and the councils' role (see [`RoleNamespace::councils_role`]),
/// with every council role a member of it.
pub(crate) async fn ensure_serving_role(
    pool: &sqlx::PgPool,
    namespace: &RoleNamespace,
) -> Result<()> {
    let serving = namespace.serving_role();
    let mut tx = pool.begin().await?;
    // Nodes migrating at once take turns (role creation is cluster-wide).
    sqlx::query("SELECT pg_advisory_xact_lock($1, 1)")
        .bind(crate::migrate::LOCK_CLASS + 1)
        .execute(&mut *tx)
        .await?;
    if !role_exists(&mut tx, &serving).await? {
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "CREATE ROLE {serving} LOGIN NOINHERIT NOCREATEROLE NOCREATEDB NOREPLICATION"
        )))
        .execute(&mut *tx)
        .await?;
    }
    execute_each(
        &mut tx,
        &format!(
            "GRANT USAGE ON SCHEMA platform TO {serving};
             GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA platform TO {serving};
             GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA platform TO {serving};
             GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA platform TO {serving};
             REVOKE INSERT, UPDATE, DELETE ON platform._sqlx_migrations FROM {serving};"
        ),
    )
    .await?;
    let councils_role = ensure_councils_role(&mut tx, namespace).await?;
    // Again each time: roles outlive a database dropped and made again
    // under the same name, without its grants.
    execute_each(&mut tx, &councils_rights(&councils_role)).await?;
    // Councils made before that role had these rights themselves: they
    // join it, and their own grants go (which shrinks the objects' ACLs).
    let joining: Vec<String> = sqlx::query_scalar(
        "SELECT db_role FROM platform.tenants
         WHERE db_role IS NOT NULL AND NOT pg_has_role(db_role, $1, 'MEMBER')",
    )
    .bind(&councils_role)
    .fetch_all(&mut *tx)
    .await?;
    for role in joining.iter().filter(|role| plain_name(role)) {
        execute_each(
            &mut tx,
            &format!(
                "GRANT {councils_role} TO {role};
                 REVOKE USAGE ON SCHEMA platform FROM {role};
                 REVOKE EXECUTE ON FUNCTION platform.tenant_id_of_role(name) FROM {role};
                 REVOKE INSERT (kind, payload, unique_key, max_attempts, run_at) ON platform.jobs FROM {role};"
            ),
        )
        .await?;
    }
    // Only the councils it is not yet a member of: a fleet of thousands
    // is granted once, not again on every `migrate`.
    let councils: Vec<String> = sqlx::query_scalar(
        "SELECT db_role FROM platform.tenants
         WHERE db_role IS NOT NULL AND NOT pg_has_role($1, db_role, 'MEMBER')",
    )
    .bind(&serving)
    .fetch_all(&mut *tx)
    .await?;
    for role in councils.iter().filter(|role| plain_name(role)) {
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("GRANT {role} TO {serving}")))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Creates the councils' role with its rights when missing (see
/// [`RoleNamespace::councils_role`]); its name.
async fn ensure_councils_role(
    conn: &mut PgConnection,
    namespace: &RoleNamespace,
) -> Result<String> {
    let councils_role = namespace.councils_role();
    if role_exists(conn, &councils_role).await? {
        return Ok(councils_role);
    }
    // Councils created at once take turns to make it (the same lock as
    // the serving role's).
    sqlx::query("SELECT pg_advisory_xact_lock($1, 1)")
        .bind(crate::migrate::LOCK_CLASS + 1)
        .execute(&mut *conn)
        .await?;
    if !role_exists(conn, &councils_role).await? {
        execute_each(
            conn,
            &format!(
                "CREATE ROLE {councils_role} NOLOGIN; {}",
                councils_rights(&councils_role)
            ),
        )
        .await?;
    }
    Ok(councils_role)
}

/// What every council may do on the platform schema: enqueue jobs.
fn councils_rights(councils_role: &str) -> String {
    format!(
        "GRANT USAGE ON SCHEMA platform TO {councils_role};
         GRANT EXECUTE ON FUNCTION platform.tenant_id_of_role(name) TO {councils_role};
         GRANT INSERT (kind, payload, unique_key, max_attempts, run_at) ON platform.jobs TO {councils_role};"
    )
}

/// Whether a role name read from the registry is one this crate wrote
/// (checked again before it goes into SQL).
fn plain_name(role: &str) -> bool {
    role.bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

pub(crate) async fn create_role_and_schema(
    conn: &mut PgConnection,
    tenant: &Tenant,
    namespace: &RoleNamespace,
) -> Result<()> {
    let (schema, role) = (tenant.schema.as_str(), tenant.role.as_str());
    let serving = namespace.serving_role();
    let mut tx = conn.begin().await?;
    if !role_exists(&mut tx, role).await? {
        // On Citus it may log in once its schema is distributed (`citus`).
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE ROLE {role} NOLOGIN")))
            .execute(&mut *tx)
            .await?;
    }
    // The application role must be a member to `SET ROLE` into it, and so
    // must the serving role (when the platform migration has made it; a
    // later one grants every council). The schema belongs to the
    // application role, which runs the migrations: the council role reads
    // and writes rows but cannot change the schema.
    if role_exists(&mut tx, &serving).await? {
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("GRANT {role} TO {serving}")))
            .execute(&mut *tx)
            .await?;
    }
    let councils_role = ensure_councils_role(&mut tx, namespace).await?;
    execute_each(
        &mut tx,
        &format!(
            "GRANT {role} TO CURRENT_USER;
             CREATE SCHEMA IF NOT EXISTS {schema};
             REVOKE ALL ON SCHEMA {schema} FROM PUBLIC;
             GRANT USAGE ON SCHEMA {schema} TO {role};
             ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role};
             ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {role};
             GRANT {councils_role} TO {role};"
        ),
    )
    .await?;
    // Jobs enqueued by this role belong to this council (see the jobs
    // migration); set before the role can insert anything.
    sqlx::query("UPDATE platform.tenants SET db_role = $2 WHERE id = $1")
        .bind(tenant.id.0)
        .bind(role)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}
