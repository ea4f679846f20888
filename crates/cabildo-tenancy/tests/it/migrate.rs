//! Fleet migrations: failures are recorded and reported, reruns resume.

use cabildo_tenancy::testing::{council, fresh_tenancy};
use cabildo_tenancy::{MigrationResult, TenantMigrations};
use std::path::PathBuf;

/// A folder with the embedded tenant migrations plus `extra`.
fn migrations_dir(extra: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cabildo-migrations-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("dir");
    let source = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../migrations/tenant");
    for entry in std::fs::read_dir(source).expect("read") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), dir.join(entry.file_name())).expect("copy");
    }
    for (name, sql) in extra {
        std::fs::write(dir.join(name), sql).expect("write");
    }
    dir
}

/// A folder with the embedded tenant migrations up to version `last`.
fn migrations_until(last: i64) -> PathBuf {
    let dir = migrations_dir(&[]);
    for entry in std::fs::read_dir(&dir).expect("read") {
        let path = entry.expect("entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let version: i64 = name
            .split('_')
            .next()
            .unwrap_or("")
            .parse()
            .expect("version");
        if version > last {
            std::fs::remove_file(&path).expect("remove");
        }
    }
    dir
}

const FAILS_FOR_BRAVO: &str = "DO $$ BEGIN
    IF current_schema() = 't_bravo' THEN RAISE EXCEPTION 'bravo cannot take this'; END IF;
END $$;
CREATE TABLE notes (id bigint PRIMARY KEY, body text NOT NULL);";

const FIXED: &str = "CREATE TABLE notes (id bigint PRIMARY KEY, body text NOT NULL);";

#[tokio::test]
async fn a_failing_council_is_recorded_and_reported_while_the_others_complete_and_a_rerun_resumes()
{
    let tenancy = fresh_tenancy().await.expect("tenancy");
    for slug in ["alpha", "bravo", "charlie", "delta"] {
        council(&tenancy, slug).await.expect("council");
    }
    let broken = TenantMigrations::from_dir(&migrations_dir(&[(
        "20991231000001_notes.sql",
        FAILS_FOR_BRAVO,
    )]))
    .await
    .expect("migrations");
    let seen = std::sync::Mutex::new(Vec::new());
    let report = tenancy
        .migrate_fleet(&broken, 3, |outcome, total| {
            assert_eq!(total, 4);
            seen.lock().expect("lock").push(outcome.slug.to_string());
        })
        .await
        .expect("fleet");
    assert_eq!(seen.lock().expect("lock").len(), 4);
    assert_eq!(report.migrated(), 3);
    let failed = report.failed();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].slug.as_str(), "bravo");
    assert!(
        matches!(&failed[0].result, MigrationResult::Failed(e) if e.contains("bravo cannot take this")),
        "{failed:?}"
    );

    let listed = tenancy.list_tenants().await.expect("list");
    for summary in &listed {
        if summary.tenant.slug.as_str() == "bravo" {
            assert_eq!(
                summary.schema_version,
                TenantMigrations::embedded().latest()
            );
            assert!(
                summary
                    .migrate_error
                    .as_deref()
                    .unwrap_or_default()
                    .contains("bravo cannot take this")
            );
        } else {
            assert_eq!(summary.schema_version, Some(20991231000001));
            assert_eq!(summary.migrate_error, None);
        }
    }

    // Rerun with the fix: only bravo is touched, the rest are skipped.
    let fixed = TenantMigrations::from_dir(&migrations_dir(&[("20991231000001_notes.sql", FIXED)]))
        .await
        .expect("migrations");
    let report = tenancy
        .migrate_fleet(&fixed, 3, |_, _| {})
        .await
        .expect("fleet");
    assert_eq!(
        (
            report.migrated(),
            report.up_to_date(),
            report.failed().len()
        ),
        (1, 3, 0)
    );
    let listed = tenancy.list_tenants().await.expect("list");
    assert!(
        listed
            .iter()
            .all(|s| s.schema_version == Some(20991231000001) && s.migrate_error.is_none())
    );

    // The new table is usable by each council, through its own role.
    let tenant = &listed[1].tenant;
    let mut tx = tenancy.begin(tenant).await.expect("begin");
    sqlx::query("INSERT INTO notes (id, body) VALUES (1, 'hello')")
        .execute(tx.conn())
        .await
        .expect("insert");
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn an_interrupted_fleet_migration_resumes_where_it_stopped() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let slugs: Vec<String> = (0..6).map(|i| format!("council-{i}")).collect();
    for slug in &slugs {
        council(&tenancy, slug).await.expect("council");
    }
    let next = TenantMigrations::from_dir(&migrations_dir(&[("20991231000001_notes.sql", FIXED)]))
        .await
        .expect("migrations");
    let (first_done_tx, first_done) = tokio::sync::oneshot::channel::<()>();
    let first_done_tx = std::sync::Mutex::new(Some(first_done_tx));
    tokio::select! {
        _ = tenancy.migrate_fleet(&next, 1, |_, _| {
            if let Some(tx) = first_done_tx.lock().expect("lock").take() { let _ = tx.send(()); }
        }) => panic!("the run should have been interrupted"),
        _ = first_done => {}
    }
    let report = tenancy
        .migrate_fleet(&next, 2, |_, _| {})
        .await
        .expect("rerun");
    assert!(report.failed().is_empty(), "{:?}", report.failed());
    assert!(
        report.up_to_date() >= 1,
        "the council finished before the interruption is skipped"
    );
    assert_eq!(report.migrated() + report.up_to_date(), slugs.len());
    let listed = tenancy.list_tenants().await.expect("list");
    assert!(
        listed
            .iter()
            .all(|s| s.schema_version == Some(20991231000001))
    );
}

#[test]
fn the_baseline_includes_every_tenant_migration() {
    let migrations = TenantMigrations::embedded();
    assert_eq!(
        migrations.baseline_version(),
        migrations.latest(),
        "migrations/tenant-baseline.sql is missing, stale or was not made from these migrations: run {}",
        cabildo_tenancy::SQUASH_COMMAND
    );
}

/// `schema`'s definition as `pg_dump` prints it (grants included, the
/// bookkeeping table left out), with its schema and role names replaced.
fn definition(url: &str, schema: &str, role: &str) -> String {
    let output = std::process::Command::new(cabildo_tenancy::transfer::program("pg_dump"))
        .args([
            "--dbname",
            url,
            "--schema",
            schema,
            "--schema-only",
            "--no-owner",
        ])
        .args(["--exclude-table", &format!("{schema}._sqlx_migrations")])
        .output()
        .expect("pg_dump");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("utf-8")
        .lines()
        .filter(|line| !line.starts_with('\\'))
        .collect::<Vec<_>>()
        .join("\n")
        .replace(role, "COUNCIL_ROLE")
        .replace(schema, "COUNCIL_SCHEMA")
}

/// The applied migrations recorded in `schema`: version, checksum, and
/// whether the baseline recorded it (`execution_time` -1).
async fn applied(tenancy: &cabildo_tenancy::Tenancy, schema: &str) -> Vec<(i64, Vec<u8>, bool)> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT version, checksum, execution_time = -1 FROM {schema}._sqlx_migrations
         WHERE success ORDER BY version"
    )))
    .fetch_all(tenancy.pool())
    .await
    .expect("applied")
}

#[tokio::test]
async fn a_council_made_from_the_baseline_is_the_one_made_migration_by_migration() {
    let url = cabildo_tenancy::testing::fresh_database_url()
        .await
        .expect("database");
    let tenancy = cabildo_tenancy::Tenancy::connect(&url, Default::default(), None)
        .await
        .expect("tenancy");
    let spec = |slug: &str| {
        cabildo_tenancy::CouncilSpec::minimal(slug, "Ayuntamiento")
            .validate()
            .expect("spec")
    };
    let squashed = tenancy
        .create(&spec("squashed"), &TenantMigrations::embedded())
        .await
        .expect("from the baseline");
    let replayed = tenancy
        .create(
            &spec("replayed"),
            &TenantMigrations::embedded().without_baseline(),
        )
        .await
        .expect("migration by migration");

    let by_baseline = applied(&tenancy, squashed.schema().as_str()).await;
    let one_by_one = applied(&tenancy, replayed.schema().as_str()).await;
    assert!(
        by_baseline.iter().all(|(_, _, skipped)| *skipped),
        "the baseline was not used"
    );
    assert!(one_by_one.iter().all(|(_, _, skipped)| !*skipped));
    let recorded = |rows: &[(i64, Vec<u8>, bool)]| {
        rows.iter()
            .map(|(v, c, _)| (*v, c.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(recorded(&by_baseline), recorded(&one_by_one));

    let squashed_sql = definition(&url, squashed.schema().as_str(), squashed.role().as_str());
    let replayed_sql = definition(&url, replayed.schema().as_str(), replayed.role().as_str());
    assert!(squashed_sql.contains("CREATE TABLE COUNCIL_SCHEMA.proposals"));
    assert!(
        squashed_sql.contains("TO COUNCIL_ROLE"),
        "grants are compared too"
    );
    assert_eq!(squashed_sql, replayed_sql);

    // A migration written after the baseline runs on both, and `migrate`
    // accepts what the baseline recorded.
    let later = TenantMigrations::from_dir(&migrations_dir(&[(
        "20991231000002_later.sql",
        "ALTER TABLE settings ADD COLUMN motto text NOT NULL DEFAULT 'Plus ultra';",
    )]))
    .await
    .expect("migrations");
    for council in [&squashed, &replayed] {
        assert_eq!(
            tenancy
                .migrate_tenant(council, &later)
                .await
                .expect("migrate"),
            20991231000002
        );
        let mut tx = tenancy.begin(council).await.expect("begin");
        let motto: String = sqlx::query_scalar("SELECT motto FROM settings")
            .fetch_one(tx.conn())
            .await
            .expect("motto");
        assert_eq!(motto, "Plus ultra");
    }
}

/// Ballots stored as a row and a line per project become one row holding
/// its projects: every ballot keeps its projects, its submission and its
/// person, and a ballot without lines stays, empty.
#[tokio::test]
async fn ballots_stored_as_lines_become_one_row_each() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let lines = TenantMigrations::from_dir(&migrations_until(20261205000001))
        .await
        .expect("migrations");
    let spec = cabildo_tenancy::CouncilSpec::minimal("ballots", "Ayuntamiento")
        .validate()
        .expect("spec");
    let tenant = tenancy.create(&spec, &lines).await.expect("council");
    let mut tx = tenancy.begin(&tenant).await.expect("begin");
    sqlx::query(
        "WITH people AS (INSERT INTO users (email, name) VALUES ('a@x.es', 'Ana'), ('b@x.es', 'Bea')
                         RETURNING id, email),
              ballots AS (INSERT INTO budget_ballots (heading_id, user_id, submitted_at)
                          SELECT '00000000-0000-0000-0000-00000000000a', id,
                                 CASE WHEN email = 'a@x.es' THEN now() END FROM people RETURNING id, submitted_at)
         INSERT INTO budget_ballot_lines (ballot_id, project_id)
         SELECT id, p FROM ballots, unnest(ARRAY['00000000-0000-0000-0000-000000000003',
                                                 '00000000-0000-0000-0000-000000000001']::uuid[]) p
         WHERE submitted_at IS NOT NULL",
    )
    .execute(tx.conn())
    .await
    .expect("ballots with lines");
    tx.commit().await.expect("commit");

    let report = tenancy
        .migrate_fleet(&TenantMigrations::embedded(), 1, |_, _| {})
        .await
        .expect("migrate");
    assert!(report.failed().is_empty(), "{:?}", report.failed());
    let mut tx = tenancy.begin(&tenant).await.expect("begin");
    let ballots: Vec<(String, Vec<uuid::Uuid>, bool)> = sqlx::query_as(
        "SELECT u.email, b.projects, b.submitted_at IS NOT NULL
         FROM budget_ballots b JOIN users u ON u.id = b.user_id ORDER BY u.email",
    )
    .fetch_all(tx.conn())
    .await
    .expect("ballots");
    let project = |n: u128| uuid::Uuid::from_u128(n);
    assert_eq!(
        ballots,
        vec![
            ("a@x.es".into(), vec![project(1), project(3)], true),
            ("b@x.es".into(), vec![], false),
        ]
    );
    let lines_gone: bool = sqlx::query_scalar("SELECT to_regclass('budget_ballot_lines') IS NULL")
        .fetch_one(tx.conn())
        .await
        .expect("lines");
    assert!(lines_gone);
}
