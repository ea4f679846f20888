//! `cabildo tenants …` and `cabildo migrate` against a fresh database.

use crate::support::{cabildo, run};
use cabildo_tenancy::testing::fresh_database_url;

#[tokio::test]
async fn operators_create_list_apply_and_change_councils() {
    let url = fresh_database_url().await.expect("database");
    let tenants_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tenants");

    for bad in ["ab", "www", "Toledo", "to_ledo", "-x-"] {
        let result = run(cabildo().env("DATABASE_URL", &url).args([
            "tenants",
            "create",
            &format!("--slug={bad}"),
            "--name",
            "X",
        ]));
        assert!(!result.ok, "{bad}");
        assert!(
            result.stderr.contains("invalid slug"),
            "{bad}: {}",
            result.stderr
        );
    }
    let empty = run(cabildo()
        .env("DATABASE_URL", &url)
        .args(["tenants", "list"]));
    assert!(
        empty.ok && empty.stdout.contains("No councils yet"),
        "{}",
        empty.stderr
    );

    let created = run(cabildo().env("DATABASE_URL", &url).args([
        "tenants",
        "create",
        "--slug",
        "madrid",
        "--name",
        "Ayuntamiento de Madrid",
    ]));
    assert!(created.ok, "{}", created.stderr);
    assert!(
        created
            .stdout
            .contains("Created madrid (Ayuntamiento de Madrid)"),
        "{}",
        created.stdout
    );
    let again = run(cabildo()
        .env("DATABASE_URL", &url)
        .args(["tenants", "create", "--slug", "madrid", "--name", "Otro"]));
    assert!(
        !again.ok && again.stderr.contains("already taken"),
        "{}",
        again.stderr
    );

    let applied = run(cabildo()
        .env("DATABASE_URL", &url)
        .args(["tenants", "apply", tenants_dir]));
    assert!(applied.ok, "{}", applied.stderr);
    assert!(
        applied.stdout.contains("toledo: created") && applied.stdout.contains("talavera: created"),
        "{}",
        applied.stdout
    );
    let reapplied =
        run(cabildo()
            .env("DATABASE_URL", &url)
            .args(["tenants", "apply", tenants_dir]));
    assert!(
        reapplied.stdout.contains("toledo: updated"),
        "{}",
        reapplied.stdout
    );

    let suspended = run(cabildo()
        .env("DATABASE_URL", &url)
        .args(["tenants", "suspend", "talavera"]));
    assert!(
        suspended.ok && suspended.stdout.contains("talavera is now suspended"),
        "{}",
        suspended.stderr
    );
    let missing = run(cabildo()
        .env("DATABASE_URL", &url)
        .args(["tenants", "archive", "nowhere"]));
    assert!(
        !missing.ok && missing.stderr.contains("no council with slug"),
        "{}",
        missing.stderr
    );

    let list = run(cabildo()
        .env("DATABASE_URL", &url)
        .args(["tenants", "list"]));
    assert!(list.ok, "{}", list.stderr);
    let lines: Vec<&str> = list.stdout.lines().collect();
    assert!(
        lines[0].starts_with("SLUG")
            && lines[0].contains("SCHEMA VERSION")
            && lines[0].contains("CREATED")
    );
    assert_eq!(lines.len(), 4, "{}", list.stdout);
    assert!(
        lines[2].starts_with("talavera") && lines[2].contains("suspended"),
        "{}",
        lines[2]
    );
    let version = cabildo_tenancy::TenantMigrations::embedded()
        .latest()
        .expect("a migration")
        .to_string();
    assert!(
        lines[3].starts_with("toledo")
            && lines[3].contains("active")
            && lines[3].contains(&version),
        "{}",
        lines[3]
    );

    // A primary domain that stopped resolving is removed by an operator;
    // the site goes back to its subdomain.
    let pool = sqlx::PgPool::connect(&url).await.expect("connect");
    sqlx::query(
        "INSERT INTO platform.tenant_hosts (host, tenant_id, verified_at)
         SELECT 'participa.toledo.es', id, now() FROM platform.tenants WHERE slug = 'toledo'",
    )
    .execute(&pool)
    .await
    .expect("domain");
    sqlx::query(
        "UPDATE platform.tenants SET primary_host = 'participa.toledo.es' WHERE slug = 'toledo'",
    )
    .execute(&pool)
    .await
    .expect("primary");
    let listed = run(cabildo()
        .env("DATABASE_URL", &url)
        .args(["tenants", "domains", "toledo"]));
    assert!(
        listed.ok
            && listed
                .stdout
                .contains("participa.toledo.es  serving the site"),
        "{} {}",
        listed.stdout,
        listed.stderr
    );
    let unknown = run(cabildo().env("DATABASE_URL", &url).args([
        "tenants",
        "domains",
        "toledo",
        "--remove",
        "otro.example.es",
    ]));
    assert!(
        !unknown.ok && unknown.stderr.contains("no such domain"),
        "{}",
        unknown.stderr
    );
    let removed = run(cabildo().env("DATABASE_URL", &url).args([
        "tenants",
        "domains",
        "toledo",
        "--remove",
        "participa.toledo.es",
    ]));
    assert!(
        removed.ok && removed.stdout.contains("has no own domains"),
        "{} {}",
        removed.stdout,
        removed.stderr
    );
    let primary: Option<String> =
        sqlx::query_scalar("SELECT primary_host FROM platform.tenants WHERE slug = 'toledo'")
            .fetch_one(&pool)
            .await
            .expect("primary");
    assert_eq!(primary, None);
    pool.close().await;
}

#[tokio::test]
async fn migrate_reports_failures_exits_non_zero_and_resumes() {
    let url = fresh_database_url().await.expect("database");
    for slug in ["alpha", "bravo", "charlie"] {
        let created = run(cabildo()
            .env("DATABASE_URL", &url)
            .args(["tenants", "create", "--slug", slug, "--name", slug]));
        assert!(created.ok, "{}", created.stderr);
    }
    let nothing = run(cabildo().env("DATABASE_URL", &url).args(["migrate"]));
    assert!(nothing.ok, "{}", nothing.stderr);
    assert!(
        nothing
            .stdout
            .contains("0 migrated, 3 already up to date, 0 failed"),
        "{}",
        nothing.stdout
    );

    let dir = std::env::temp_dir().join(format!("cabildo-cli-migrations-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("dir");
    for entry in std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../migrations/tenant"
    ))
    .expect("read")
    {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), dir.join(entry.file_name())).expect("copy");
    }
    let next = dir.join("20991231000001_notes.sql");
    std::fs::write(&next, "DO $$ BEGIN IF current_schema() = 't_bravo' THEN RAISE EXCEPTION 'bravo is broken'; END IF; END $$;\nCREATE TABLE notes (id bigint PRIMARY KEY);").expect("write");
    let dir_arg = dir.to_str().expect("utf-8");

    let failing = run(cabildo().env("DATABASE_URL", &url).args([
        "migrate",
        "--jobs",
        "2",
        "--tenant-migrations",
        dir_arg,
    ]));
    assert_eq!(
        failing.code,
        Some(1),
        "{}\n{}",
        failing.stdout,
        failing.stderr
    );
    assert!(
        failing
            .stdout
            .contains("2 migrated, 0 already up to date, 1 failed"),
        "{}",
        failing.stdout
    );
    assert!(
        failing.stdout.contains("FAILED bravo") && failing.stdout.contains("bravo is broken"),
        "{}",
        failing.stdout
    );
    let list = run(cabildo()
        .env("DATABASE_URL", &url)
        .args(["tenants", "list"]));
    assert!(
        list.stdout
            .lines()
            .any(|l| l.starts_with("bravo") && l.contains("(last migration failed)")),
        "{}",
        list.stdout
    );

    std::fs::write(&next, "CREATE TABLE notes (id bigint PRIMARY KEY);").expect("fix");
    let resumed =
        run(cabildo()
            .env("DATABASE_URL", &url)
            .args(["migrate", "--tenant-migrations", dir_arg]));
    assert!(resumed.ok, "{}\n{}", resumed.stdout, resumed.stderr);
    assert!(
        resumed
            .stdout
            .contains("1 migrated, 2 already up to date, 0 failed"),
        "{}",
        resumed.stdout
    );
}

#[test]
fn every_command_explains_itself_and_missing_settings_are_named() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["demo", "--help"],
        vec!["migrate", "--help"],
        vec!["tenants", "--help"],
        vec!["tenants", "create", "--help"],
        vec!["tenants", "apply", "--help"],
        vec!["tenants", "list", "--help"],
        vec!["tenants", "suspend", "--help"],
        vec!["tenants", "resume", "--help"],
        vec!["tenants", "archive", "--help"],
        vec!["tenants", "domains", "--help"],
        vec!["billing", "plans", "apply", "--help"],
        vec!["billing", "plans", "list", "--help"],
        vec!["billing", "assign", "--help"],
        vec!["billing", "status", "--help"],
        vec!["services", "--help"],
        vec!["worker", "--help"],
        vec!["jobs", "list", "--help"],
        vec!["jobs", "retry", "--help"],
        vec!["mail", "test", "--help"],
        vec!["census", "import", "--help"],
        vec!["accounts", "create", "--help"],
        vec!["accounts", "grant", "--help"],
        vec!["accounts", "revoke", "--help"],
    ] {
        let help = run(cabildo().args(&args));
        assert!(
            help.ok && help.stdout.contains("Usage:"),
            "{args:?}: {}",
            help.stderr
        );
    }
    let help = run(cabildo().args(["serve", "--help"]));
    for variable in [
        "DATABASE_URL",
        "REDIS_URL",
        "CABILDO_BASE_DOMAIN",
        "CABILDO_LISTEN",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
    ] {
        assert!(help.stdout.contains(variable), "{variable} is documented");
    }
    let no_database = run(cabildo().args(["tenants", "list"]));
    assert!(
        !no_database.ok && no_database.stderr.contains("DATABASE_URL is not set"),
        "{}",
        no_database.stderr
    );
    let no_database = run(cabildo().args(["serve"]));
    assert!(
        !no_database.ok && no_database.stderr.contains("DATABASE_URL is not set"),
        "{}",
        no_database.stderr
    );
    let unreachable = run(cabildo()
        .env("DATABASE_URL", "postgres://cabildo@127.0.0.1:1/cabildo")
        .args(["tenants", "list"])
        .env("CABILDO_CONNECT_TIMEOUT", "1"));
    assert!(
        !unreachable.ok && unreachable.stderr.contains("unreachable"),
        "{}",
        unreachable.stderr
    );
}

#[tokio::test]
async fn serve_refuses_a_database_that_was_never_migrated() {
    let services = cabildo_devkit::testing::services().await.expect("services");
    let url =
        cabildo_devkit::testing::fresh_database("cabildo_empty_template", |_| async { Ok(()) })
            .await
            .expect("empty database");
    assert!(url.contains(&services.postgres_port.to_string()));
    let result =
        run(cabildo()
            .env("DATABASE_URL", &url)
            .args(["serve", "--listen", "127.0.0.1:0"]));
    assert!(!result.ok);
    assert!(
        result.stderr.contains("run `cabildo migrate` first"),
        "{}",
        result.stderr
    );
}

#[tokio::test]
async fn a_new_council_can_invite_its_first_admin() {
    let url = fresh_database_url().await.expect("database");
    let bad = run(cabildo().env("DATABASE_URL", &url).args([
        "tenants",
        "create",
        "--slug",
        "cuenca",
        "--name",
        "Ayuntamiento de Cuenca",
        "--admin-email",
        "not an address",
    ]));
    assert!(
        !bad.ok && bad.stderr.contains("--admin-email"),
        "{}",
        bad.stderr
    );
    let created = run(cabildo().env("DATABASE_URL", &url).args([
        "tenants",
        "create",
        "--slug",
        "segovia",
        "--name",
        "Ayuntamiento de Segovia",
        "--admin-email",
        "Alcaldia@Segovia.example",
    ]));
    assert!(created.ok, "{}", created.stderr);
    assert!(
        created
            .stdout
            .contains("Invited alcaldia@segovia.example as admin"),
        "{}",
        created.stdout
    );
    let pool = sqlx::PgPool::connect(&url).await.expect("pool");
    let cuenca: i64 =
        sqlx::query_scalar("SELECT count(*) FROM platform.tenants WHERE slug = 'cuenca'")
            .fetch_one(&pool)
            .await
            .expect("count");
    assert_eq!(
        cuenca, 0,
        "nothing is created when the admin address is bad"
    );
    let (to, kind): (String, String) = sqlx::query_as(
        "SELECT payload->>'to', payload->'vars'->>'kind' FROM platform.jobs j
         JOIN platform.tenants t ON t.id = j.tenant_id WHERE t.slug = 'segovia'",
    )
    .fetch_one(&pool)
    .await
    .expect("the invitation mail is queued");
    assert_eq!(
        (to.as_str(), kind.as_str()),
        ("alcaldia@segovia.example", "invite")
    );
    let role: String = sqlx::query_scalar("SELECT role FROM t_segovia.staff_invitations")
        .fetch_one(&pool)
        .await
        .expect("invitation");
    assert_eq!(role, "admin");
}

#[tokio::test]
async fn operators_create_platform_accounts_and_grant_councils() {
    let url = fresh_database_url().await.expect("database");
    let tenants_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tenants");
    assert!(
        run(cabildo()
            .env("DATABASE_URL", &url)
            .args(["tenants", "apply", tenants_dir]))
        .ok
    );
    let bad_role = run(cabildo().env("DATABASE_URL", &url).args([
        "accounts",
        "create",
        "--email",
        "m@c.example",
        "--role",
        "boss",
    ]));
    assert!(
        !bad_role.ok && bad_role.stderr.contains("consultant or operator"),
        "{}",
        bad_role.stderr
    );
    let created = run(cabildo().env("DATABASE_URL", &url).args([
        "accounts",
        "create",
        "--email",
        "Marta@Consultora.example",
        "--name",
        "Marta",
        "--role",
        "consultant",
    ]));
    assert!(created.ok, "{}", created.stderr);
    assert!(
        created.stdout.contains("Its password (shown once): "),
        "{}",
        created.stdout
    );
    let again = run(cabildo().env("DATABASE_URL", &url).args([
        "accounts",
        "create",
        "--email",
        "marta@consultora.example",
        "--role",
        "consultant",
    ]));
    assert!(
        !again.ok && again.stderr.contains("already exists"),
        "{}",
        again.stderr
    );
    let weak = run(cabildo()
        .env("DATABASE_URL", &url)
        .env("CABILDO_ACCOUNT_PASSWORD", "1234567890")
        .args([
            "accounts",
            "create",
            "--email",
            "op@cabildo.example",
            "--role",
            "operator",
        ]));
    assert!(
        !weak.ok && weak.stderr.contains("password_common"),
        "{}",
        weak.stderr
    );
    let granted = run(cabildo().env("DATABASE_URL", &url).args([
        "accounts",
        "grant",
        "--email",
        "marta@consultora.example",
        "--tenant",
        "toledo",
        "--role",
        "admin",
    ]));
    assert!(
        granted.ok && granted.stdout.contains("may now enter toledo as admin"),
        "{}",
        granted.stderr
    );
    let nobody = run(cabildo().env("DATABASE_URL", &url).args([
        "accounts",
        "grant",
        "--email",
        "nobody@x.example",
        "--tenant",
        "toledo",
        "--role",
        "admin",
    ]));
    assert!(
        !nobody.ok && nobody.stderr.contains("no platform account"),
        "{}",
        nobody.stderr
    );
    let pool = sqlx::PgPool::connect(&url).await.expect("pool");
    let grants: i64 = sqlx::query_scalar("SELECT count(*) FROM platform.account_grants")
        .fetch_one(&pool)
        .await
        .expect("grants");
    assert_eq!(grants, 1);
    let revoked = run(cabildo().env("DATABASE_URL", &url).args([
        "accounts",
        "revoke",
        "--email",
        "marta@consultora.example",
        "--tenant",
        "toledo",
    ]));
    assert!(
        revoked.ok && revoked.stdout.contains("had never entered toledo"),
        "{} {}",
        revoked.stdout,
        revoked.stderr
    );
    let grants: i64 = sqlx::query_scalar("SELECT count(*) FROM platform.account_grants")
        .fetch_one(&pool)
        .await
        .expect("grants");
    assert_eq!(grants, 0, "the grant is gone");
}

#[tokio::test]
async fn operators_apply_and_list_plans() {
    let url = fresh_database_url().await.expect("database");
    let plans_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../plans");
    let empty = run(cabildo()
        .env("DATABASE_URL", &url)
        .args(["billing", "plans", "list"]));
    assert!(
        empty.ok && empty.stdout.contains("No plans yet"),
        "{}",
        empty.stderr
    );

    // One wrong file: the folder is refused, naming it, and nothing stored.
    let broken = std::env::temp_dir().join(format!("cabildo-plans-{}", std::process::id()));
    std::fs::create_dir_all(&broken).expect("folder");
    std::fs::copy(
        format!("{plans_dir}/municipio.toml"),
        broken.join("municipio.toml"),
    )
    .expect("copy");
    std::fs::write(broken.join("oro.toml"), "slug = \"oro\"\nposition = 9\n").expect("write");
    let refused = run(cabildo()
        .env("DATABASE_URL", &url)
        .args(["billing", "plans", "apply"])
        .arg(&broken));
    assert!(
        !refused.ok && refused.stderr.contains("oro.toml"),
        "{}",
        refused.stderr
    );
    std::fs::remove_dir_all(&broken).expect("clean up");

    let applied = run(cabildo()
        .env("DATABASE_URL", &url)
        .args(["billing", "plans", "apply", plans_dir]));
    assert!(
        applied.ok && applied.stdout.contains("municipio: created"),
        "{} {}",
        applied.stdout,
        applied.stderr
    );
    let again = run(cabildo()
        .env("DATABASE_URL", &url)
        .args(["billing", "plans", "apply", plans_dir]));
    assert!(
        again.stdout.contains("municipio: unchanged"),
        "{}",
        again.stdout
    );
    let list = run(cabildo()
        .env("DATABASE_URL", &url)
        .args(["billing", "plans", "list"]));
    assert!(list.ok, "{}", list.stderr);
    assert!(
        list.stdout.contains("prueba") && list.stdout.contains("free for 60 days"),
        "{}",
        list.stdout
    );
    assert!(
        list.stdout.contains("190.00 EUR/month + 21 % VAT")
            && list.stdout.contains("open_processes ≤ 5"),
        "{}",
        list.stdout
    );

    // A council on a plan.
    let created = run(cabildo().env("DATABASE_URL", &url).args([
        "tenants", "create", "--slug", "sonseca", "--name", "Sonseca",
    ]));
    assert!(created.ok, "{}", created.stderr);
    let before = run(cabildo()
        .env("DATABASE_URL", &url)
        .args(["billing", "status", "--tenant", "sonseca"]));
    assert!(
        before.ok && before.stdout.contains("includes: everything"),
        "{} {}",
        before.stdout,
        before.stderr
    );
    let unknown = run(cabildo()
        .env("DATABASE_URL", &url)
        .args(["billing", "assign", "--tenant", "sonseca", "--plan", "oro"]));
    assert!(
        !unknown.ok && unknown.stderr.contains("no plan \"oro\""),
        "{}",
        unknown.stderr
    );
    let assigned = run(cabildo().env("DATABASE_URL", &url).args([
        "billing", "assign", "--tenant", "sonseca", "--plan", "prueba",
    ]));
    assert!(
        assigned.ok
            && assigned.stdout.contains("sonseca is now on prueba")
            && assigned.stdout.contains("trial ends: ")
            && assigned.stdout.contains("open_processes ≤ 1"),
        "{} {}",
        assigned.stdout,
        assigned.stderr
    );

    // Invoice mode: details checked, an invoice issued with its Facturae
    // file, listed, paid once.
    let folder = std::env::temp_dir().join(format!("cabildo-invoices-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&folder).expect("folder");
    let details = folder.join("sonseca.toml");
    let write = |nif: &str| {
        std::fs::write(
            &details,
            format!(
                "legal_name = \"Ayuntamiento de Sonseca\"\ntax_id = \"{nif}\"\naddress = \"Plaza Mayor 1\"\npostcode = \"45100\"\ntown = \"Sonseca\"\nprovince = \"Toledo\"\ndir3_accounting = \"L01451630\"\ndir3_management = \"L01451630\"\ndir3_processing = \"L01451630\"\n"
            ),
        )
        .expect("details");
    };
    let seller = concat!(env!("CARGO_MANIFEST_DIR"), "/../../billing/seller.toml");
    let assign = run(cabildo().env("DATABASE_URL", &url).args([
        "billing",
        "assign",
        "--tenant",
        "sonseca",
        "--plan",
        "municipio",
    ]));
    assert!(assign.ok, "{}", assign.stderr);
    let not_yet = run(cabildo().env("DATABASE_URL", &url).args([
        "billing", "invoice", "--tenant", "sonseca", "--period", "2026-11", "--seller", seller,
    ]));
    assert!(
        !not_yet.ok && not_yet.stderr.contains("not_invoiced"),
        "{}",
        not_yet.stderr
    );
    write("P4516300X");
    let wrong = run(cabildo()
        .env("DATABASE_URL", &url)
        .args(["billing", "invoiced", "--tenant", "sonseca", "--details"])
        .arg(&details));
    assert!(
        !wrong.ok && wrong.stderr.contains("tax_id"),
        "{}",
        wrong.stderr
    );
    write("P4516300C");
    let invoiced = run(cabildo()
        .env("DATABASE_URL", &url)
        .args(["billing", "invoiced", "--tenant", "sonseca", "--details"])
        .arg(&details));
    assert!(invoiced.ok, "{} {}", invoiced.stdout, invoiced.stderr);
    let issued = run(cabildo()
        .env("DATABASE_URL", &url)
        .args([
            "billing",
            "invoice",
            "--tenant",
            "sonseca",
            "--period",
            "2026-11",
            "--seller",
            seller,
            "--facturae",
        ])
        .arg(&folder));
    assert!(
        issued.ok && issued.stdout.contains("229.90 EUR") && issued.stdout.contains("-000001"),
        "{} {}",
        issued.stdout,
        issued.stderr
    );
    let year = time::OffsetDateTime::now_utc().year();
    let number = format!("F{year}-000001");
    let file = std::fs::read_to_string(folder.join(format!("{number}.xml"))).expect("facturae");
    assert!(
        file.contains("<CentreCode>L01451630</CentreCode>"),
        "{file}"
    );
    let listed = run(cabildo()
        .env("DATABASE_URL", &url)
        .args(["billing", "invoices"]));
    assert!(
        listed.stdout.contains(&number) && listed.stdout.contains("unpaid"),
        "{}",
        listed.stdout
    );
    let paid = run(cabildo().env("DATABASE_URL", &url).args([
        "billing",
        "paid",
        &number,
        "--on",
        "2026-12-20",
        "--reference",
        "FACe 123",
    ]));
    assert!(paid.ok, "{} {}", paid.stdout, paid.stderr);
    let twice = run(cabildo().env("DATABASE_URL", &url).args([
        "billing",
        "paid",
        &number,
        "--reference",
        "again",
    ]));
    assert!(
        !twice.ok && twice.stderr.contains("already_paid"),
        "{}",
        twice.stderr
    );
    let _ = std::fs::remove_dir_all(&folder);
}

/// Every table of `schema` but those an import empties, each as a digest
/// of its rows.
async fn table_digests(pool: &sqlx::PgPool, schema: &str) -> Vec<(String, String)> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = $1 AND table_type = 'BASE TABLE'
           AND table_name NOT IN ('sessions', 'account_tokens', 'api_tokens', 'users', '_sqlx_migrations')
         ORDER BY 1",
    )
    .bind(schema)
    .fetch_all(pool)
    .await
    .expect("tables");
    let mut digests = Vec::new();
    for table in tables {
        let digest: String = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {schema}.{table} t"
        )))
        .fetch_one(pool)
        .await
        .expect("digest");
        digests.push((table, digest));
    }
    digests
}

#[tokio::test]
async fn a_council_is_exported_and_imported_whole_under_a_new_slug() {
    let url = fresh_database_url().await.expect("database");
    let cli = || {
        let mut command = cabildo();
        command.env("DATABASE_URL", &url);
        command
    };
    let created = run(cli().args([
        "tenants",
        "create",
        "--slug",
        "segovia",
        "--name",
        "Ayuntamiento de Segovia",
        "--admin-email",
        "alcaldia@segovia.example",
    ]));
    assert!(created.ok, "{}", created.stderr);
    let dir = std::env::temp_dir().join(format!("cabildo-transfer-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("folder");
    let seeded = run(cli()
        .args([
            "seed",
            "participation",
            "--tenant",
            "segovia",
            "--people",
            "40",
            "--proposals",
            "15",
            "--supports",
            "80",
            "--comments",
            "30",
            "--debates",
            "3",
            "--tokens",
            "4",
        ])
        .arg("--tokens-file")
        .arg(dir.join("tokens"))
        .arg("--ballot-file")
        .arg(dir.join("ballot")));
    assert!(seeded.ok, "{}", seeded.stderr);
    let pool = sqlx::PgPool::connect(&url).await.expect("pool");
    let id: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM platform.tenants WHERE slug = 'segovia'")
            .fetch_one(&pool)
            .await
            .expect("council");
    let media = dir.join("media");
    std::fs::create_dir_all(media.join(id.to_string())).expect("media");
    let picture = format!("{}.png", uuid::Uuid::new_v4().simple());
    std::fs::write(
        media.join(id.to_string()).join(&picture),
        b"\x89PNG\r\n\x1a\nbytes",
    )
    .expect("file");
    let archive = dir.join("segovia.tar");
    let exported = run(cli()
        .args(["tenants", "export", "segovia"])
        .arg(&archive)
        .arg("--media-dir")
        .arg(&media));
    assert!(exported.ok, "{}", exported.stderr);
    assert!(exported.stdout.contains("1 files"), "{}", exported.stdout);
    let import = |archive: &std::path::Path, slug: &str| {
        run(cli()
            .args(["tenants", "import"])
            .arg(archive)
            .args(["--slug", slug, "--media-dir"])
            .arg(&media))
    };
    let imported = import(&archive, "segovia-copia");
    assert!(imported.ok, "{}", imported.stderr);
    // Every row of every table, the same.
    let (original, copy) = (
        table_digests(&pool, "t_segovia").await,
        table_digests(&pool, "t_segovia_copia").await,
    );
    assert!(original.len() > 40, "{original:?}");
    assert_eq!(original, copy);
    let users =
        "SELECT md5(string_agg((id, nickname, email, calendar_key)::text, '|' ORDER BY id))";
    let (before, after): (String, String) = (
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("{users} FROM t_segovia.users")))
            .fetch_one(&pool)
            .await
            .expect("users"),
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "{users} FROM t_segovia_copia.users"
        )))
        .fetch_one(&pool)
        .await
        .expect("users"),
    );
    assert_ne!(before, after, "personal calendar addresses change");
    let people: (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM t_segovia.users), (SELECT count(*) FROM t_segovia_copia.users)",
    )
    .fetch_one(&pool)
    .await
    .expect("people");
    assert_eq!(people.0, people.1);
    // Nothing the old site issued opens the copy.
    let tokens: (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM t_segovia.api_tokens), (SELECT count(*) FROM t_segovia_copia.api_tokens)",
    )
    .fetch_one(&pool)
    .await
    .expect("tokens");
    assert_eq!(tokens, (4, 0));
    // The queued invitation came along, for the copy; the file too.
    let jobs: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM platform.jobs j JOIN platform.tenants t ON t.id = j.tenant_id
         WHERE t.slug = 'segovia-copia' AND j.status = 'queued' AND j.payload->>'to' = 'alcaldia@segovia.example'",
    )
    .fetch_one(&pool)
    .await
    .expect("jobs");
    assert_eq!(jobs, 1);
    let copy_id: uuid::Uuid = sqlx::query_scalar(
        "SELECT id FROM platform.tenants WHERE slug = 'segovia-copia' AND status = 'active'",
    )
    .fetch_one(&pool)
    .await
    .expect("the copy is active");
    assert_eq!(
        std::fs::read(media.join(copy_id.to_string()).join(&picture)).expect("copied file"),
        b"\x89PNG\r\n\x1a\nbytes"
    );
    // The copy's role reads only the copy.
    let mut tx = pool.begin().await.expect("begin");
    let role: String = sqlx::query_scalar("SELECT db_role FROM platform.tenants WHERE id = $1")
        .bind(copy_id)
        .fetch_one(&mut *tx)
        .await
        .expect("role");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("SET LOCAL ROLE {role}")))
        .execute(&mut *tx)
        .await
        .expect("set role");
    let own: i64 = sqlx::query_scalar("SELECT count(*) FROM t_segovia_copia.proposals")
        .fetch_one(&mut *tx)
        .await
        .expect("own rows");
    assert_eq!(own, 15);
    assert!(
        sqlx::query("SELECT 1 FROM t_segovia.proposals")
            .fetch_all(&mut *tx)
            .await
            .is_err(),
        "another council's rows are out of reach"
    );
    drop(tx);
    // Its slug is taken now; a file that is no archive is refused.
    let again = import(&archive, "segovia-copia");
    assert!(
        !again.ok && again.stderr.contains("already taken"),
        "{}",
        again.stderr
    );
    // An archive whose SQL fails half-way leaves nothing behind.
    let unpacked = dir.join("unpacked");
    tar::Archive::new(std::fs::File::open(&archive).expect("archive"))
        .unpack(&unpacked)
        .expect("unpack");
    let schema = unpacked.join("schema.sql");
    let mut sql = std::fs::read_to_string(&schema).expect("sql");
    sql.push_str("\nSELECT 1 / 0;\n");
    std::fs::write(&schema, sql).expect("broken");
    let broken = dir.join("broken.tar");
    let mut builder = tar::Builder::new(std::fs::File::create(&broken).expect("create"));
    builder.append_dir_all(".", &unpacked).expect("pack");
    builder.finish().expect("finish");
    drop(builder);
    let failed = import(&broken, "segovia-rota");
    assert!(
        !failed.ok && failed.stderr.contains("division by zero"),
        "{}",
        failed.stderr
    );
    let left: (bool, bool, bool) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM platform.tenants WHERE slug = 'segovia-rota'),
                EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 't_segovia_rota'),
                EXISTS (SELECT 1 FROM pg_roles WHERE rolname LIKE '%t_segovia_rota')",
    )
    .fetch_one(&pool)
    .await
    .expect("left over");
    assert_eq!(left, (false, false, false));
    let junk = dir.join("junk.tar");
    std::fs::write(&junk, b"not an archive").expect("junk");
    let refused = run(cli().args(["tenants", "import"]).arg(&junk));
    assert!(!refused.ok, "{}", refused.stdout);
    // Nor does an archive that links elsewhere (to another council's files).
    let linking = dir.join("linking.tar");
    let mut builder = tar::Builder::new(std::fs::File::create(&linking).expect("create"));
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Symlink);
    header.set_size(0);
    builder
        .append_link(&mut header, "media", media.join(id.to_string()))
        .expect("link");
    builder.finish().expect("finish");
    drop(builder);
    let refused = run(cli()
        .args(["tenants", "import"])
        .arg(&linking)
        .args(["--slug", "segovia-enlace"]));
    assert!(
        !refused.ok && refused.stderr.contains("unexpected entry"),
        "{}",
        refused.stderr
    );
    let _ = std::fs::remove_dir_all(&dir);
}
