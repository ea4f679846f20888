//! Creating councils: concurrency, validation, declarative apply, status.

use cabildo_tenancy::testing::{council, fresh_tenancy};
use cabildo_tenancy::{
    Applied, CouncilSpec, DistrictSpec, SiteSettings, Slug, TenancyError, TenantMigrations,
    TenantStatus,
};

async fn schema_exists(tenancy: &cabildo_tenancy::Tenancy, schema: &str) -> bool {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)")
        .bind(schema)
        .fetch_one(tenancy.pool())
        .await
        .expect("query")
}

#[tokio::test]
async fn two_concurrent_creations_of_one_slug_one_wins_the_other_is_told_taken() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let migrations = TenantMigrations::embedded();
    let valid = CouncilSpec::minimal("toledo", "Ayuntamiento de Toledo")
        .validate()
        .expect("valid");
    let (first, second) = tokio::join!(
        tenancy.create(&valid, &migrations),
        tenancy.create(&valid, &migrations)
    );
    let results = [first, second];
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert!(
        results
            .iter()
            .any(|r| matches!(r, Err(TenancyError::Taken(slug)) if slug == "toledo"))
    );
    let tenant = tenancy.get_tenant(&valid.slug).await.expect("created");
    assert_eq!(tenant.status, TenantStatus::Active);
}

#[tokio::test]
async fn councils_created_side_by_side_do_not_wait_for_each_other() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let slugs = ["alpha", "bravo", "charlie", "delta"];
    let created =
        futures_util::future::join_all(slugs.iter().map(|slug| council(&tenancy, slug))).await;
    assert!(created.iter().all(Result::is_ok), "{created:?}");
    let listed: Vec<String> = tenancy
        .list_tenants()
        .await
        .expect("list")
        .into_iter()
        .map(|t| t.tenant.slug.to_string())
        .collect();
    assert_eq!(listed, slugs);
}

#[tokio::test]
async fn bad_slugs_are_refused_and_nothing_is_created() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    for slug in [
        "ab",
        "www",
        "Toledo",
        "to_ledo",
        "-toledo",
        &"x".repeat(41),
        "t;drop schema platform",
    ] {
        let result = CouncilSpec::minimal(slug, "Name").validate();
        assert!(
            matches!(result, Err(TenancyError::InvalidSlug { .. })),
            "{slug:?}: {result:?}"
        );
    }
    assert!(tenancy.list_tenants().await.expect("list").is_empty());
    council(&tenancy, "toledo").await.expect("first");
    let again = council(&tenancy, "toledo").await.expect_err("duplicate");
    assert!(again.to_string().contains("already taken"), "{again}");
    assert_eq!(tenancy.list_tenants().await.expect("list").len(), 1);
}

#[tokio::test]
async fn apply_creates_then_updates_idempotently() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let migrations = TenantMigrations::embedded();
    let mut spec = CouncilSpec::minimal("toledo", "Toledo");
    spec.districts = vec![
        DistrictSpec {
            code: "centro".into(),
            name: "Centro".into(),
            population: 100,
        },
        DistrictSpec {
            code: "norte".into(),
            name: "Norte".into(),
            population: 50,
        },
    ];
    spec.time_zone = "Atlantic/Canary".into();
    let (tenant, applied) = tenancy
        .apply(&spec.clone().validate().expect("valid"), &migrations)
        .await
        .expect("apply");
    assert_eq!(applied, Applied::Created);
    // Its creation wrote the definition's settings.
    let mut tx = tenancy.begin(&tenant).await.expect("begin");
    let site = SiteSettings::load(&mut tx).await.expect("settings");
    tx.commit().await.expect("commit");
    assert_eq!(site.time_zone, "Atlantic/Canary");
    assert_eq!(site.districts.len(), 2);

    spec.name = "Ayuntamiento de Toledo".into();
    spec.colours.primary = "#8A1538".into();
    spec.districts.remove(1);
    spec.districts[0].population = 120;
    for _ in 0..2 {
        let (updated, applied) = tenancy
            .apply(&spec.clone().validate().expect("valid"), &migrations)
            .await
            .expect("apply");
        assert_eq!(applied, Applied::Updated);
        assert_eq!(updated.id, tenant.id);
        assert_eq!(updated.name, "Ayuntamiento de Toledo");
    }
    let mut tx = tenancy.begin(&tenant).await.expect("begin");
    let site = SiteSettings::load(&mut tx).await.expect("settings");
    assert_eq!(site.primary_colour, "#8a1538");
    assert_eq!(site.districts.len(), 1);
    assert_eq!(
        (
            site.districts[0].code.as_str(),
            site.districts[0].population
        ),
        ("centro", 120)
    );
}

#[tokio::test]
async fn apply_completes_a_creation_that_was_interrupted() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    // A crash right after the slug was claimed leaves only the registry row.
    sqlx::query("INSERT INTO platform.tenants (id, slug, name) VALUES (gen_random_uuid(), 'toledo', 'Toledo')")
        .execute(tenancy.pool())
        .await
        .expect("claim");
    let slug = Slug::parse("toledo").expect("slug");
    let half = tenancy.get_tenant(&slug).await.expect("row");
    assert_eq!(half.status, TenantStatus::Provisioning);
    assert!(!schema_exists(&tenancy, half.schema().as_str()).await);

    let valid = CouncilSpec::minimal("toledo", "Toledo")
        .validate()
        .expect("valid");
    let (tenant, applied) = tenancy
        .apply(&valid, &TenantMigrations::embedded())
        .await
        .expect("apply");
    assert_eq!(applied, Applied::Resumed);
    assert_eq!(tenant.status, TenantStatus::Active);
    assert!(schema_exists(&tenancy, tenant.schema().as_str()).await);
    let listed = tenancy.list_tenants().await.expect("list");
    assert_eq!(
        listed[0].schema_version,
        TenantMigrations::embedded().latest()
    );
}

#[tokio::test]
async fn status_changes_are_recorded_and_unknown_slugs_reported() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let tenant = council(&tenancy, "toledo").await.expect("council");
    for status in [
        TenantStatus::Suspended,
        TenantStatus::ReadOnly,
        TenantStatus::Archived,
        TenantStatus::Active,
    ] {
        let changed = tenancy
            .set_status(&tenant.slug, status)
            .await
            .expect("status");
        assert_eq!(changed.status, status);
        assert_eq!(
            tenancy.get_tenant(&tenant.slug).await.expect("get").status,
            status
        );
    }
    let missing = Slug::parse("nowhere").expect("slug");
    assert!(matches!(
        tenancy.set_status(&missing, TenantStatus::Suspended).await,
        Err(TenancyError::NotFound(_))
    ));
}

/// How many entries the ACLs of the shared platform objects councils use
/// (the schema, the job queue's columns, the role-to-council function)
/// hold in all.
async fn platform_acl_entries(tenancy: &cabildo_tenancy::Tenancy) -> i64 {
    sqlx::query_scalar(
        "SELECT ((SELECT coalesce(cardinality(nspacl), 0) FROM pg_namespace WHERE nspname = 'platform')
              + (SELECT coalesce(sum(cardinality(attacl)), 0)::int FROM pg_attribute
                 WHERE attrelid = 'platform.jobs'::regclass)
              + (SELECT coalesce(cardinality(proacl), 0) FROM pg_proc
                 WHERE oid = 'platform.tenant_id_of_role(name)'::regprocedure))::bigint",
    )
    .fetch_one(tenancy.pool())
    .await
    .expect("acls")
}

#[tokio::test]
async fn councils_share_one_role_for_the_platform_so_shared_acls_do_not_grow() {
    // Granted to each council role, these ACLs grew with every council
    // until PostgreSQL refused the catalog row as too big (about 1,900
    // councils).
    let tenancy = fresh_tenancy().await.expect("tenancy");
    tenancy.migrate_platform().await.expect("platform");
    let toledo = council(&tenancy, "toledo").await.expect("toledo");
    let with_one = platform_acl_entries(&tenancy).await;
    let talavera = council(&tenancy, "talavera").await.expect("talavera");
    council(&tenancy, "cuenca").await.expect("cuenca");
    assert_eq!(platform_acl_entries(&tenancy).await, with_one);

    // A council made before keeps its own grants until `migrate` moves it
    // into the shared role.
    for statement in [
        format!(
            "REVOKE {}_councils FROM {}",
            tenancy.namespace(),
            talavera.role()
        ),
        format!("GRANT USAGE ON SCHEMA platform TO {}", talavera.role()),
        format!(
            "GRANT INSERT (kind, payload, unique_key, max_attempts, run_at) ON platform.jobs TO {}",
            talavera.role()
        ),
    ] {
        sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
            .execute(tenancy.pool())
            .await
            .expect("old-style grants");
    }
    assert!(platform_acl_entries(&tenancy).await > with_one);
    tenancy.migrate_platform().await.expect("migrate again");
    assert_eq!(platform_acl_entries(&tenancy).await, with_one);

    // Both may still enqueue jobs, as themselves.
    for tenant in [&toledo, &talavera] {
        let mut tx = tenancy.begin(tenant).await.expect("begin");
        tx.enqueue(&cabildo_tenancy::NewJob::new(
            "mail.test",
            serde_json::json!({}),
        ));
        tx.commit().await.expect("enqueue");
    }
    let queued: Vec<String> = sqlx::query_scalar(
        "SELECT t.slug FROM platform.jobs j JOIN platform.tenants t ON t.id = j.tenant_id
         WHERE j.kind = 'mail.test' ORDER BY t.slug",
    )
    .fetch_all(tenancy.pool())
    .await
    .expect("jobs");
    assert_eq!(queued, ["talavera", "toledo"]);
}
