//! Consultants: one login on the platform site, a console of their client
//! councils, and entering one as staff through a single-use hand-off token
//! bound to that council's host; every staff action names them.

use crate::util::{BASE, Browser, PASSWORD, TALAVERA, TOLEDO, csrf_of, logged_in, parse, world};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use cabildo_engine::accounts::password;
use cabildo_engine::platform::{self, AccountRole};
use cabildo_engine::staff::Role;
use serde_json::{Value, json};

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

    // Toledo at a glance: an open process, one participant this month, and
    // ten reported items waiting (over the console's alert).
    crate::util::open_process(&world, "toledo", "plan", crate::util::OPEN_RULES, 1).await;
    // A phase that ends in two days (of thirty).
    crate::util::open_process(&world, "toledo", "cierre", crate::util::OPEN_RULES, 28).await;
    let mut ana = world.citizen("ana").await;
    ana.call(
        TOLEDO,
        "POST",
        "/api/v1/processes/plan/proposals",
        json!({"title": "Más bancos", "summary": "En la plaza"}),
    )
    .await;
    let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
    sqlx::query(
        "INSERT INTO reports (target_kind, target_id, reporter_id, reason)
         SELECT 'proposal', gen_random_uuid(), id, 'Spam' FROM users, generate_series(1, 10)
         WHERE nickname = 'ana'",
    )
    .execute(tx.conn())
    .await
    .expect("reports");
    tx.commit().await.expect("commit");

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
    let row = &console.body[console.body.find("Ayuntamiento de Toledo").expect("row")..];
    let cells: Vec<&str> = row
        .split("<td data-label=")
        .skip(2)
        .take(5)
        .map(|cell| {
            let value = cell.split_once('>').map_or("", |(_, rest)| rest);
            value.split("</td>").next().unwrap_or_default()
        })
        .collect();
    assert_eq!(cells[0], "2", "open processes: {row}");
    assert_eq!(cells[1], "1", "participants this month: {row}");
    assert!(cells[2].contains("10 · revisar"), "moderation alert: {row}");
    assert!(
        cells[3] == "—" && cells[4].contains("en 3 días o menos"),
        "a phase ending within three days is called out: {row}"
    );
    for (sort, order) in [
        ("participants", "descending"),
        ("moderation", "descending"),
        ("deadline", "ascending"),
    ] {
        let sorted = marta.get(PLATFORM, &format!("/console?sort={sort}")).await;
        assert!(
            sorted.body.contains(&format!("aria-sort=\"{order}\"")),
            "{sort}"
        );
    }
    // The console's forms may lead to its councils' sites (Chrome checks
    // `form-action` on the redirect "Open" answers with), and only those.
    let csp = console.headers["content-security-policy"]
        .to_str()
        .expect("csp");
    assert!(
        csp.contains(&format!("form-action 'self' http://{TOLEDO}")) && !csp.contains(TALAVERA),
        "{csp}"
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
        log.body.contains("Consultoría: marta@consultora.example"),
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

/// The attack the hand-off must not allow: someone registers on a council
/// with a consultant's address and their own password, the consultant
/// clicks the confirmation mail they did not ask for, then enters the
/// council as staff. The account is adopted with every credential cleared:
/// the attacker's password, session and personal access token stop
/// working, while the consultant is staff.
#[tokio::test]
async fn a_hand_off_never_adopts_a_password_someone_else_set() {
    let world = world().await;
    let email = "marta@consultora.example";
    let mut attacker = Browser::new(&world.app);
    let csrf = logged_in(&world, &mut attacker, TOLEDO, "marta_falsa", email, 1).await;
    let token = attacker
        .json(
            TOLEDO,
            "POST",
            "/api/v1/me/tokens",
            json!({"name": "puerta trasera"}),
            Some(&csrf),
        )
        .await;
    assert_eq!(token.status, StatusCode::CREATED, "{}", token.body);
    let token = parse(&token.body)["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let bearer = async |token: &str| {
        let mut stranger = Browser::new(&world.app);
        let request =
            Request::get("/api/v1/me").header(header::AUTHORIZATION, format!("Bearer {token}"));
        stranger
            .request(TOLEDO, request, Body::empty())
            .await
            .status
    };
    assert_eq!(bearer(&token).await, StatusCode::OK);

    let mut marta = consultant_in_toledo(&world, email).await;

    let me = attacker
        .json(TOLEDO, "GET", "/api/v1/me", Value::Null, None)
        .await;
    assert_eq!(
        me.status,
        StatusCode::UNAUTHORIZED,
        "the attacker's session ended"
    );
    assert_eq!(
        bearer(&token).await,
        StatusCode::UNAUTHORIZED,
        "their token too"
    );
    let again = attacker
        .json(
            TOLEDO,
            "POST",
            "/api/v1/sessions",
            json!({"email": email, "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED, "{}", again.body);
    let log = marta.get(TOLEDO, "/staff").await;
    assert!(
        log.body
            .contains("Vinculó una cuenta del sitio a su cuenta de consultoría"),
        "the adoption is audited"
    );
}

/// Taking a consultant's access back (`cabildo accounts revoke` does what
/// this test does) ends it at once: the grant, the staff role and the
/// session, also in the session cache of every node (announced through
/// Redis).
#[tokio::test]
async fn revoking_a_consultant_ends_their_access_at_once() {
    let world = world().await;
    let toledo = world.council("toledo").await;
    let email = "marta@consultora.example";
    let mut marta = consultant_in_toledo(&world, email).await;

    let user = platform::revoke(
        &world.tenancy,
        &toledo,
        email,
        &cabildo_engine::staff::Actor("cli".into()),
    )
    .await
    .expect("revoke")
    .expect("she had entered");
    let cache = world.tenancy.cache().expect("Redis in tests");
    cabildo_web::announce_sessions_ended(cache, world.tenancy.namespace(), toledo.id, user).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let staff = marta.get(TOLEDO, "/staff").await;
        if staff.status == StatusCode::SEE_OTHER {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still in: {}",
            staff.status
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let console = marta.get(PLATFORM, "/console").await;
    assert!(
        !console.body.contains("Ayuntamiento de Toledo"),
        "no grant left"
    );
    let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
    let roles: i64 = sqlx::query_scalar("SELECT count(*) FROM staff_roles WHERE user_id = $1")
        .bind(user)
        .fetch_one(tx.conn())
        .await
        .expect("roles");
    tx.commit().await.expect("commit");
    assert_eq!(roles, 0);
}

/// A consultant account `email` granted Toledo as admin, logged in on the
/// platform.
async fn consultant_of_toledo(world: &crate::util::World, email: &str) -> Browser {
    let toledo = world.council("toledo").await;
    let hash = password::hash("consultora segura 2026").await;
    platform::create_account(
        &world.tenancy,
        email,
        "Marta",
        AccountRole::Consultant,
        &hash,
    )
    .await
    .expect("account");
    platform::grant(&world.tenancy, email, toledo.id, Role::Admin)
        .await
        .expect("grant");
    let mut marta = Browser::new(&world.app);
    let fields = [("email", email), ("password", "consultora segura 2026")];
    marta.submit(PLATFORM, "/login", "/login", &fields).await;
    marta
}

/// A consultant account `email` granted Toledo as admin, logged in on the
/// platform and entered into Toledo through a hand-off.
async fn consultant_in_toledo(world: &crate::util::World, email: &str) -> Browser {
    let mut marta = consultant_of_toledo(world, email).await;
    let console = marta.get(PLATFORM, "/console").await;
    let open = [
        ("csrf_token", csrf_of(&console.body)),
        ("slug", "toledo".to_owned()),
        ("role", "admin".to_owned()),
    ];
    let open: Vec<(&str, &str)> = open.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let opened = marta.post(PLATFORM, "/console/open", &open).await;
    let location = opened.headers[header::LOCATION].to_str().expect("location");
    let handoff = location.split("token=").nth(1).expect("token").to_owned();
    let path = format!("/staff/handoff?token={handoff}");
    let entered = marta
        .submit(TOLEDO, &path, "/staff/handoff", &[("token", &handoff)])
        .await;
    assert_eq!(entered.status, StatusCode::SEE_OTHER, "{}", entered.body);
    assert_eq!(marta.get(TOLEDO, "/staff").await.status, StatusCode::OK);
    marta
}

/// A budget's phase and when it ends stand beside the council in the
/// console (and its figures say so too).
#[tokio::test]
async fn the_console_names_a_budget_phase_and_when_it_ends() {
    let world = world().await;
    crate::util::budget(&world).await;
    let toledo = world.council("toledo").await;
    let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
    let figures = platform::figures(&mut tx).await.expect("figures");
    tx.commit().await.expect("commit");
    assert_eq!(
        figures.budget_phase,
        Some(cabildo_engine::budgets::setup::Phase::Balloting)
    );
    let ends = figures.budget_phase_ends_at.expect("a deadline");
    assert!(ends > time::OffsetDateTime::now_utc());

    let hash = password::hash("operadora segura 2026").await;
    platform::create_account(
        &world.tenancy,
        "ops@cabildo.example",
        "Ops",
        AccountRole::Operator,
        &hash,
    )
    .await
    .expect("account");
    let mut ops = Browser::new(&world.app);
    let login = [
        ("email", "ops@cabildo.example"),
        ("password", "operadora segura 2026"),
    ];
    ops.submit(PLATFORM, "/login", "/login", &login).await;
    let console = ops.get(PLATFORM, "/console?sort=deadline").await;
    let row = &console.body[console.body.find("Ayuntamiento de Toledo").expect("row")..];
    assert!(row.contains("Votación: "), "the budget's phase: {row}");
}

/// Operators give consultants access to councils and take it back from
/// the console; consultants cannot.
#[tokio::test]
async fn operators_grant_and_revoke_consultants_from_the_console() {
    let world = world().await;
    let hash = password::hash("operadora segura 2026").await;
    for (email, role) in [
        ("ops@cabildo.example", AccountRole::Operator),
        ("marta@consultora.example", AccountRole::Consultant),
    ] {
        platform::create_account(&world.tenancy, email, "Marta", role, &hash)
            .await
            .expect("account");
    }
    let log_in = async |email: &str| {
        let mut browser = Browser::new(&world.app);
        let login = [("email", email), ("password", "operadora segura 2026")];
        browser.submit(PLATFORM, "/login", "/login", &login).await;
        browser
    };
    let mut ops = log_in("ops@cabildo.example").await;
    let mut marta = log_in("marta@consultora.example").await;
    let console = ops.get(PLATFORM, "/console").await;
    assert!(
        console.body.contains("id=\"grant-email\""),
        "{}",
        console.body
    );
    let csrf = csrf_of(&console.body);
    let grant = [
        ("csrf_token", csrf.as_str()),
        ("email", "marta@consultora.example"),
        ("slug", "talavera"),
        ("role", "moderator"),
    ];
    // Not for consultants, nor for unknown accounts or councils.
    let marta_csrf = csrf_of(&marta.get(PLATFORM, "/console").await.body);
    let mut forged = grant;
    forged[0].1 = &marta_csrf;
    assert_eq!(
        marta
            .post(PLATFORM, "/console/grants", &forged)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let mut unknown = grant;
    unknown[1].1 = "nadie@example.org";
    assert_eq!(
        ops.post(PLATFORM, "/console/grants", &unknown).await.status,
        StatusCode::NOT_FOUND
    );
    let mut nowhere = grant;
    nowhere[2].1 = "atlantis";
    assert_eq!(
        ops.post(PLATFORM, "/console/grants", &nowhere).await.status,
        StatusCode::NOT_FOUND
    );

    let given = ops.post(PLATFORM, "/console/grants", &grant).await;
    assert_eq!(given.status, StatusCode::SEE_OTHER);
    let listed = marta.get(PLATFORM, "/console").await;
    assert!(
        listed.body.contains("Ayuntamiento de Talavera"),
        "{}",
        listed.body
    );
    let revoke = [
        ("csrf_token", csrf.as_str()),
        ("email", "marta@consultora.example"),
        ("slug", "talavera"),
    ];
    let taken = ops.post(PLATFORM, "/console/grants/revoke", &revoke).await;
    assert_eq!(taken.status, StatusCode::SEE_OTHER);
    let listed = marta.get(PLATFORM, "/console").await;
    assert!(!listed.body.contains("Ayuntamiento de Talavera"));
}

/// A council served on its own domain is opened there: the console's
/// "Open" leads to the domain, and the hand-off is bound to it.
#[tokio::test]
async fn a_council_on_its_own_domain_is_opened_there() {
    let world = world().await;
    let toledo = world.council("toledo").await;
    // As an operator verifies a domain typed in by hand.
    sqlx::query(
        "INSERT INTO platform.tenant_hosts (host, tenant_id, verified_at)
         VALUES ('participa.toledo.es', $1, now())",
    )
    .bind(toledo.id.0)
    .execute(world.tenancy.pool())
    .await
    .expect("domain");
    sqlx::query("UPDATE platform.tenants SET primary_host = 'participa.toledo.es' WHERE id = $1")
        .bind(toledo.id.0)
        .execute(world.tenancy.pool())
        .await
        .expect("primary");
    world.tenancy.changed(&toledo).await;
    let mut marta = consultant_of_toledo(&world, "marta@consultora.example").await;
    let console = marta.get(PLATFORM, "/console").await;
    let csp = console.headers["content-security-policy"]
        .to_str()
        .expect("csp");
    assert!(
        csp.contains("form-action 'self' http://participa.toledo.es"),
        "{csp}"
    );
    let csrf = csrf_of(&console.body);
    let open = [
        ("csrf_token", csrf.as_str()),
        ("slug", "toledo"),
        ("role", "admin"),
    ];
    let opened = marta.post(PLATFORM, "/console/open", &open).await;
    let location = opened.headers[header::LOCATION].to_str().expect("location");
    assert!(
        location.starts_with("http://participa.toledo.es/staff/handoff?token="),
        "{location}"
    );
    let token = location.split("token=").nth(1).expect("token").to_owned();
    let path = format!("/staff/handoff?token={token}");
    let entered = marta
        .submit(
            "participa.toledo.es",
            &path,
            "/staff/handoff",
            &[("token", &token)],
        )
        .await;
    assert_eq!(entered.status, StatusCode::SEE_OTHER, "{}", entered.body);
    assert_eq!(
        marta.get("participa.toledo.es", "/staff").await.status,
        StatusCode::OK
    );
}
