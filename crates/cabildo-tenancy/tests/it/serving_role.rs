//! The serving role (`serve`, `worker`): enough to serve every council,
//! nothing that reaches the operating system, other roles, the schema or a
//! council's rows outside a council transaction. Provisioning keeps the
//! owner role.

use cabildo_tenancy::testing::{council, fresh_database_url, serving_node};
use cabildo_tenancy::{PoolConfig, Tenancy};

#[tokio::test]
async fn the_serving_role_serves_but_cannot_reach_beyond_a_council_transaction() {
    let url = fresh_database_url().await.expect("database");
    let owner = Tenancy::connect(&url, PoolConfig::default(), None)
        .await
        .expect("owner");
    // A council made before the serving role, one after.
    let toledo = council(&owner, "toledo").await.expect("toledo");
    let serving = serving_node(&owner)
        .await
        .expect("the serving role logs in");
    let talavera = council(&owner, "talavera").await.expect("talavera");
    assert!(serving.platform_version().await.expect("version").is_some());
    for (tenant, code) in [(&toledo, "centro"), (&talavera, "norte")] {
        let tenant = serving.get_tenant(&tenant.slug).await.expect("tenant");
        let mut tx = serving.begin(&tenant).await.expect("begin");
        sqlx::query("INSERT INTO districts (code, name) VALUES ($1, $1)")
            .bind(code)
            .execute(tx.conn())
            .await
            .expect("write a council's rows");
        let codes: Vec<String> = sqlx::query_scalar("SELECT code FROM districts")
            .fetch_all(tx.conn())
            .await
            .expect("read them");
        assert_eq!(codes, [code]);
        tx.commit().await.expect("commit");
    }

    let pool = serving.pool();
    for statement in [
        "CREATE ROLE intruder LOGIN",
        "GRANT pg_execute_server_program TO CURRENT_USER",
        "GRANT pg_read_server_files TO CURRENT_USER",
        "CREATE SCHEMA intruder",
        "ALTER TABLE t_toledo.districts ADD COLUMN x int",
        "SELECT count(*) FROM t_toledo.districts",
        "DROP TABLE platform.jobs",
        "DELETE FROM platform._sqlx_migrations",
    ] {
        let refused = sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
            .execute(pool)
            .await
            .expect_err(statement);
        let why = refused.to_string();
        assert!(
            [
                "permission denied",
                "must be owner",
                "must have admin option"
            ]
            .iter()
            .any(|refusal| why.contains(refusal)),
            "{statement}: {why}"
        );
    }
    // Even as a council, the schema cannot change.
    let mut tx = serving.begin(&toledo).await.expect("begin");
    let altered = sqlx::raw_sql("ALTER TABLE districts ADD COLUMN x int")
        .execute(tx.conn())
        .await;
    assert!(altered.is_err(), "a council cannot change its schema");
}

/// Council data is reached only by the role switch [`Tenancy::begin`] makes
/// (`set_config('role', …)` in `tx.rs`): no other code may switch roles,
/// since the serving role is a member of every council role and a switch
/// written elsewhere (or smuggled in by an injection) could cross councils.
#[test]
fn only_the_council_transaction_switches_roles() {
    let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let allowed = crates.join("cabildo-tenancy/src/tx.rs");
    let mut offenders = Vec::new();
    let mut stack = vec![crates.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read_dir").flatten() {
            let path = entry.path();
            let name = entry.file_name();
            if path.is_dir() && name != "target" && name != "tests" {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") && path != allowed {
                let text = std::fs::read_to_string(&path)
                    .expect("source")
                    .to_lowercase();
                let code: String = text
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("//"))
                    .collect::<Vec<_>>()
                    .join("\n");
                for switch in [
                    "set role",
                    "reset role",
                    "set_config('role'",
                    "session authorization",
                ] {
                    if code.contains(switch) {
                        offenders.push(format!("{}: {switch}", path.display()));
                    }
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "role switches outside tx.rs: {offenders:?}"
    );
}
