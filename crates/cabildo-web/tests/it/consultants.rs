//! Consultants: one login on the platform site, a console of their client
//! councils, and entering one as staff through a single-use hand-off token
//! bound to that council's host; every staff action names them.

use crate::util::{BASE, Browser, TALAVERA, TOLEDO, csrf_of, world};
use axum::http::{StatusCode, header};
use cabildo_engine::accounts::password;
use cabildo_engine::platform::{self, AccountRole};
use cabildo_engine::staff::Role;

const PLATFORM: &str = BASE;

#[tokio::test]
async fn a_consultant_logs_in_once_and_enters_a_client_council_as_staff() {
    let world = world().await;
    let toledo = world.council("toledo").await;
    let hash = password::hash("consultora segura 2026").await;
    assert!(
        platform::create_account(
            &world.tenancy,
            "Marta@Consultora.example",
            "Marta",
            AccountRole::Consultant,
            &hash
        )
        .await
        .expect("account")
    );
    assert!(
        platform::grant(
            &world.tenancy,
            "marta@consultora.example",
            toledo.id,
            Role::Admin
        )
        .await
        .expect("grant")
    );

    let mut marta = Browser::new(&world.app);
    // Council pages do not offer the platform login, and the reverse.
    assert_eq!(
        marta.get(TOLEDO, "/console").await.status,
        StatusCode::NOT_FOUND
    );
    let wrong = marta
        .submit(
            PLATFORM,
            "/login",
            "/login",
            &[
                ("email", "marta@consultora.example"),
                ("password", "no es esta"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let login = marta
        .submit(
            PLATFORM,
            "/login",
            "/login",
            &[
                ("email", "marta@consultora.example"),
                ("password", "consultora segura 2026"),
            ],
        )
        .await;
    assert_eq!(login.status, StatusCode::SEE_OTHER, "{}", login.body);
    let console = marta.get(PLATFORM, "/console").await;
    assert_eq!(console.status, StatusCode::OK);
    assert!(
        console.body.contains("Ayuntamiento de Toledo") && !console.body.contains("Talavera"),
        "{}",
        console.body
    );

    // Opening a council not granted is refused.
    let csrf = csrf_of(&console.body);
    let other = marta
        .post(
            PLATFORM,
            "/console/open",
            &[
                ("csrf_token", &csrf),
                ("slug", "talavera"),
                ("role", "admin"),
            ],
        )
        .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    let opened = marta
        .post(
            PLATFORM,
            "/console/open",
            &[("csrf_token", &csrf), ("slug", "toledo"), ("role", "admin")],
        )
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER);
    let location = opened.headers[header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned();
    assert!(
        location.starts_with("http://toledo.cabildo.test/staff/handoff?token="),
        "{location}"
    );
    let path = location
        .trim_start_matches("http://toledo.cabildo.test")
        .to_owned();
    let token = path.split("token=").nth(1).expect("token").to_owned();

    // The token means nothing on another council's host.
    let elsewhere = marta
        .submit(TALAVERA, &path, "/staff/handoff", &[("token", &token)])
        .await;
    assert_eq!(elsewhere.status, StatusCode::BAD_REQUEST);
    let entered = marta
        .submit(TOLEDO, &path, "/staff/handoff", &[("token", &token)])
        .await;
    assert_eq!(entered.status, StatusCode::SEE_OTHER, "{}", entered.body);
    let replay = marta
        .submit(TOLEDO, &path, "/staff/handoff", &[("token", &token)])
        .await;
    assert_eq!(replay.status, StatusCode::BAD_REQUEST, "single use");

    let staff = marta.get(TOLEDO, "/staff").await;
    assert_eq!(staff.status, StatusCode::OK, "{}", staff.body);
    assert!(staff.body.contains("Administración"));
    let invited = marta
        .submit(
            TOLEDO,
            "/staff",
            "/staff/invitations",
            &[("email", "tecnica@toledo.example"), ("role", "evaluator")],
        )
        .await;
    assert_eq!(invited.status, StatusCode::SEE_OTHER);
    let log = marta.get(TOLEDO, "/staff").await;
    assert!(
        log.body.contains("platform:marta@consultora.example"),
        "the audit log names the consultant: {}",
        log.body
    );

    // Councils cannot read anything of the platform accounts.
    for sql in [
        "SELECT count(*) FROM platform.accounts",
        "SELECT count(*) FROM platform.handoffs",
        "SELECT count(*) FROM platform.account_sessions",
    ] {
        let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
        let error = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(tx.conn())
            .await
            .expect_err(sql);
        assert!(
            error.to_string().contains("permission denied"),
            "{sql}: {error}"
        );
    }

    // An expired hand-off does not work.
    let opened = marta
        .post(
            PLATFORM,
            "/console/open",
            &[("csrf_token", &csrf), ("slug", "toledo"), ("role", "admin")],
        )
        .await;
    let location = opened.headers[header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned();
    let token = location.split("token=").nth(1).expect("token").to_owned();
    sqlx::query("UPDATE platform.handoffs SET expires_at = now() - interval '1 second' WHERE used_at IS NULL")
        .execute(world.tenancy.pool())
        .await
        .expect("expire");
    let mut fresh = Browser::new(&world.app);
    let late = fresh
        .submit(
            TOLEDO,
            "/staff/handoff?token=x",
            "/staff/handoff",
            &[("token", &token)],
        )
        .await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST);
}
