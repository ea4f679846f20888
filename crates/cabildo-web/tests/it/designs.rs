//! Copying a process's design: as a draft into the same council, or by a
//! consultant into another client council (districts it lacks asked for
//! first), with nothing people wrote; and processes started from the
//! platform's templates.

use crate::util::{BASE, Browser, TALAVERA, TOLEDO, World, budget, csrf_of, world};
use axum::http::{StatusCode, header};
use cabildo_engine::accounts::password;
use cabildo_engine::platform::{self, AccountRole};
use cabildo_engine::staff::Role;

async fn scalar<T>(world: &World, council: &str, sql: &str) -> T
where
    T: Send + Unpin + for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    let tenant = world.council(council).await;
    let mut tx = world.tenancy.begin(&tenant).await.expect("begin");
    let value = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(tx.conn())
        .await
        .expect(sql);
    tx.commit().await.expect("commit");
    value
}

#[tokio::test]
async fn an_admin_copies_a_design_as_a_draft_without_anything_people_wrote() {
    let world = world().await;
    budget(&world).await;
    let id: uuid::Uuid = scalar(
        &world,
        "toledo",
        "SELECT id FROM processes WHERE slug = 'presupuestos'",
    )
    .await;
    let mut admin = world.citizen("jefa").staff(Role::Admin).await.browser;
    let page = admin
        .get(TOLEDO, &format!("/staff/processes/{id}/copy"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        !page.body.contains("id=\"c-target\""),
        "only this council to copy into"
    );
    let action = format!("/staff/processes/{id}/copy");
    let form = |slug: &'static str, starts: &'static str| {
        vec![("target", "toledo"), ("slug", slug), ("starts", starts)]
    };
    // Bad input: refused in words, nothing made.
    for (fields, words) in [
        (form("presupuestos-2027", "pronto"), "primer día"),
        (form("presupuestos", "2027-03-01"), "ya usa esa dirección"),
        (form("Mal Nombre", "2027-03-01"), "minúsculas"),
    ] {
        let refused = admin.submit(TOLEDO, &action, &action, &fields).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{fields:?}"
        );
        assert!(refused.body.contains(words), "{words}: {}", refused.body);
    }
    let other = admin
        .submit(
            TOLEDO,
            &action,
            &action,
            &[
                ("target", "talavera"),
                ("slug", "x-copia"),
                ("starts", "2027-03-01"),
            ],
        )
        .await;
    assert_eq!(
        other.status,
        StatusCode::FORBIDDEN,
        "not a council this admin serves"
    );

    let copied = admin
        .submit(
            TOLEDO,
            &action,
            &action,
            &form("presupuestos-2027", "2027-03-01"),
        )
        .await;
    assert_eq!(copied.status, StatusCode::OK, "{}", copied.body);
    assert!(copied.body.contains("ya es un borrador"), "{}", copied.body);
    let (status, phases, headings, projects, starts): (String, i64, i64, i64, String) = {
        let tenant = world.council("toledo").await;
        let mut tx = world.tenancy.begin(&tenant).await.expect("begin");
        let row = sqlx::query_as(
            "SELECT p.status,
                    (SELECT count(*) FROM process_phases f WHERE f.process_id = p.id),
                    (SELECT count(*) FROM budget_headings h JOIN budgets b ON b.id = h.budget_id
                     WHERE b.process_id = p.id),
                    (SELECT count(*) FROM budget_projects j JOIN budget_headings h ON h.id = j.heading_id
                     JOIN budgets b ON b.id = h.budget_id WHERE b.process_id = p.id),
                    (SELECT to_char(least(min(f.starts_at), min(b.accepting_at)) AT TIME ZONE 'Europe/Madrid',
                                    'YYYY-MM-DD')
                     FROM process_phases f, budgets b WHERE f.process_id = p.id AND b.process_id = p.id)
             FROM processes p WHERE p.slug = 'presupuestos-2027'",
        )
        .fetch_one(tx.conn())
        .await
        .expect("copy");
        tx.commit().await.expect("commit");
        row
    };
    assert_eq!(
        (status.as_str(), phases, headings, projects, starts.as_str()),
        ("draft", 1, 1, 0, "2027-03-01"),
        "a draft with its phase and heading, no projects, starting that day"
    );
}

/// A consultant who administers two councils copies a design from one to
/// the other; the district it names there is mapped first.
#[tokio::test]
async fn a_consultant_copies_a_design_into_another_client_council() {
    let world = world().await;
    let toledo = world.council("toledo").await;
    let talavera = world.council("talavera").await;
    let hash = password::hash("consultora segura 2026").await;
    platform::create_account(
        &world.tenancy,
        "marta@consultora.example",
        "Marta",
        AccountRole::Consultant,
        &hash,
    )
    .await
    .expect("account");
    for council in [&toledo, &talavera] {
        platform::grant(
            &world.tenancy,
            "marta@consultora.example",
            council.id,
            Role::Admin,
        )
        .await
        .expect("grant");
    }
    let id = crate::util::open_process(&world, "toledo", "casco", crate::util::OPEN_RULES, 1).await;
    {
        let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
        sqlx::query(
            "UPDATE processes SET district_code = 'casco-historico',
                    translations = '{\"en\": {\"title\": \"Old town plan\"}, \"ca\": {\"title\": \"Pla del nucli antic\"}}'
             WHERE slug = 'casco'",
        )
        .execute(tx.conn())
        .await
        .expect("scope");
        tx.commit().await.expect("commit");
    }
    let mut ana = world.citizen("ana").await;
    ana.call(
        TOLEDO,
        "POST",
        "/api/v1/processes/casco/proposals",
        serde_json::json!({"title": "Más sombra", "summary": "Árboles"}),
    )
    .await;

    // Marta enters Toledo from the console.
    let mut marta = Browser::new(&world.app);
    let login = [
        ("email", "marta@consultora.example"),
        ("password", "consultora segura 2026"),
    ];
    marta.submit(BASE, "/login", "/login", &login).await;
    let csrf = csrf_of(&marta.get(BASE, "/console").await.body);
    let opened = marta
        .post(
            BASE,
            "/console/open",
            &[("csrf_token", &csrf), ("slug", "toledo"), ("role", "admin")],
        )
        .await;
    let location = opened.headers[header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned();
    let path = location
        .trim_start_matches("http://toledo.cabildo.test")
        .to_owned();
    let token = path.split("token=").nth(1).expect("token").to_owned();
    marta
        .submit(TOLEDO, &path, "/staff/handoff", &[("token", &token)])
        .await;

    let action = format!("/staff/processes/{id}/copy");
    let page = marta.get(TOLEDO, &action).await;
    assert!(page.body.contains("id=\"c-target\""), "{}", page.body);
    assert!(page.body.contains("Ayuntamiento de Talavera"));
    let fields = [
        ("target", "talavera"),
        ("slug", "casco-copia"),
        ("starts", "2027-01-10"),
    ];
    let asked = marta.submit(TOLEDO, &action, &action, &fields).await;
    assert_eq!(
        asked.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        asked.body
    );
    assert!(
        asked.body.contains("name=\"map-casco-historico\""),
        "{}",
        asked.body
    );
    assert_eq!(
        scalar::<i64>(&world, "talavera", "SELECT count(*) FROM processes").await,
        0,
        "nothing made before the districts are mapped"
    );
    let mut mapped = fields.to_vec();
    mapped.push(("map-casco-historico", "centro"));
    let copied = marta.submit(TOLEDO, &action, &action, &mapped).await;
    assert_eq!(copied.status, StatusCode::OK, "{}", copied.body);
    assert!(copied.body.contains("Ayuntamiento de Talavera"));

    let (district, status, translations, proposals, actor): (
        String,
        String,
        serde_json::Value,
        i64,
        String,
    ) = {
        let mut tx = world.tenancy.begin(&talavera).await.expect("begin");
        let row = sqlx::query_as(
            "SELECT p.district_code, p.status, p.translations,
                    (SELECT count(*) FROM proposals), (SELECT actor FROM audit_log WHERE action = 'process.copy')
             FROM processes p WHERE p.slug = 'casco-copia'",
        )
        .fetch_one(tx.conn())
        .await
        .expect("copy in Talavera");
        tx.commit().await.expect("commit");
        row
    };
    assert_eq!((district.as_str(), status.as_str()), ("centro", "draft"));
    assert_eq!(
        translations,
        serde_json::json!({"en": {"title": "Old town plan"}}),
        "texts only in the languages Talavera offers"
    );
    assert_eq!(proposals, 0, "no citizen content travels");
    assert!(actor.contains("marta@consultora.example"), "{actor}");
    // Talavera's own site does not list a draft.
    let public = Browser::new(&world.app).get(TALAVERA, "/processes").await;
    assert!(!public.body.contains("casco-copia"));
}

#[tokio::test]
async fn every_template_starts_a_draft_process() {
    let world = world().await;
    let mut admin = world.citizen("jefa").staff(Role::Admin).await.browser;
    let page = admin.get(TOLEDO, "/staff/processes").await;
    for template in [
        "presupuesto-participativo",
        "consulta-urbanistica",
        "propuestas-ciudadanas",
    ] {
        assert!(
            page.body.contains(&format!("value=\"{template}\"")),
            "{template}"
        );
        let made = admin
            .submit(
                TOLEDO,
                "/staff/processes",
                "/staff/processes/from-template",
                &[
                    ("template", template),
                    ("slug", template),
                    ("starts", "2027-02-01"),
                ],
            )
            .await;
        assert_eq!(made.status, StatusCode::OK, "{template}: {}", made.body);
    }
    let unknown = admin
        .submit(
            TOLEDO,
            "/staff/processes",
            "/staff/processes/from-template",
            &[
                ("template", "nada"),
                ("slug", "nada"),
                ("starts", "2027-02-01"),
            ],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let budgets: i64 = scalar(&world, "toledo", "SELECT count(*) FROM budgets b JOIN processes p ON p.id = b.process_id WHERE p.slug = 'presupuesto-participativo'").await;
    assert_eq!(budgets, 1);
    let english: String = scalar(
        &world,
        "toledo",
        "SELECT translations->'en'->>'title' FROM processes WHERE slug = 'propuestas-ciudadanas'",
    )
    .await;
    assert_eq!(english, "Citizen proposals");
    // Talavera has none of them.
    assert_eq!(
        scalar::<i64>(&world, "talavera", "SELECT count(*) FROM processes").await,
        0
    );
}
