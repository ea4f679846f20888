//! Published processes over the API: readable without login, drafts
//! hidden, each council's own.

use crate::util::{Browser, OPEN_RULES, TALAVERA, TOLEDO, csrf_of, logged_in, open_process, world};
use axum::http::StatusCode;
use cabildo_engine::processes::{self, Component, NewPhase, NewProcess, Rules, Who};
use cabildo_engine::staff::Actor;
use time::{Duration, OffsetDateTime};

#[tokio::test]
async fn published_processes_and_their_phases_are_public_drafts_are_not() {
    let world = world().await;
    let toledo = world.council("toledo").await;
    let actor = Actor("cli".into());
    let rules = Rules {
        create: Who::Registered,
        support: Who::Verified,
        organisations_may_support: false,
        support_threshold: 50,
    };
    let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
    let mut ids = Vec::new();
    for slug in ["plan-2026", "borrador"] {
        let id = processes::create(
            &mut tx,
            &actor,
            &NewProcess {
                slug: slug.into(),
                title: format!("Proceso <b>{slug}</b>"),
                summary: "Resumen".into(),
                description: "Hola <script>alert(1)</script> **mundo**".into(),
                district: None,
                rules,
            },
        )
        .await
        .expect("create");
        ids.push(id);
    }
    let now = OffsetDateTime::now_utc();
    processes::add_phase(
        &mut tx,
        &actor,
        ids[0],
        &NewPhase {
            title: "Propuestas".into(),
            starts_at: now - Duration::days(1),
            ends_at: now + Duration::days(10),
            components: vec![Component::Proposals],
        },
    )
    .await
    .expect("phase");
    assert!(
        processes::publish(&mut tx, &actor, ids[0])
            .await
            .expect("publish")
    );
    tx.commit().await.expect("commit");

    let mut visitor = Browser::new(&world.app);
    let list = visitor
        .json(
            TOLEDO,
            "GET",
            "/api/v1/processes",
            serde_json::Value::Null,
            None,
        )
        .await;
    assert_eq!(list.status, StatusCode::OK);
    let list: serde_json::Value = serde_json::from_str(&list.body).expect("json");
    let slugs: Vec<&str> = list["processes"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|p| p["slug"].as_str())
        .collect();
    assert_eq!(slugs, ["plan-2026"], "drafts are not public");
    assert_eq!(
        list["processes"][0]["title"], "Proceso <b>plan-2026</b>",
        "JSON carries text as text"
    );

    let one = visitor
        .json(
            TOLEDO,
            "GET",
            "/api/v1/processes/plan-2026",
            serde_json::Value::Null,
            None,
        )
        .await;
    assert_eq!(one.status, StatusCode::OK);
    let one: serde_json::Value = serde_json::from_str(&one.body).expect("json");
    assert_eq!(one["phases"][0]["current"], true);
    assert_eq!(one["phases"][0]["components"][0], "proposals");
    let html = one["description_html"].as_str().expect("html");
    assert!(
        html.contains("<strong>mundo</strong>") && !html.contains("<script>"),
        "{html}"
    );

    for (host, path) in [
        (TOLEDO, "/api/v1/processes/borrador"),
        (TOLEDO, "/api/v1/processes/nope"),
        (TALAVERA, "/api/v1/processes/plan-2026"),
    ] {
        let missing = visitor
            .json(host, "GET", path, serde_json::Value::Null, None)
            .await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{host}{path}");
        assert!(missing.body.contains("\"not_found\""));
    }
}

#[tokio::test]
async fn an_admin_creates_a_process_adds_a_phase_and_publishes_it() {
    use cabildo_engine::staff::Role;
    let world = world().await;
    let mut admin = Browser::new(&world.app);
    logged_in(&world, &mut admin, TOLEDO, "boss", "boss@example.org", 1).await;
    let mut citizen = Browser::new(&world.app);
    logged_in(&world, &mut citizen, TOLEDO, "ana", "ana@example.org", 1).await;
    world.grant("toledo", "boss@example.org", Role::Admin).await;

    assert_eq!(
        citizen.get(TOLEDO, "/staff/processes").await.status,
        StatusCode::FORBIDDEN
    );
    let page = admin.get(TOLEDO, "/staff/processes").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Aún no hay procesos"));
    let fields = |slug: &'static str| {
        vec![
            ("title", "Plan de participación ciudadana"),
            ("slug", slug),
            ("summary", "Ideas para el barrio"),
            ("description", "**Participa**"),
            ("district", ""),
            ("create_rule", "registered"),
            ("support_rule", "verified"),
            ("threshold", "50"),
        ]
    };
    let bad = admin
        .submit(
            TOLEDO,
            "/staff/processes",
            "/staff/processes",
            &fields("X!"),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let created = admin
        .submit(
            TOLEDO,
            "/staff/processes",
            "/staff/processes",
            &fields("plan-2027"),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let taken = admin
        .submit(
            TOLEDO,
            "/staff/processes",
            "/staff/processes",
            &fields("plan-2027"),
        )
        .await;
    assert!(taken.body.contains("Otro proceso ya usa esa dirección"));
    assert!(
        taken.body.contains("id=\"p-title\" name=\"title\" maxlength=\"200\" value=\"Plan de participación ciudadana\"")
            && taken.body.contains("value=\"plan-2027\""),
        "what was typed is shown again"
    );

    let page = admin.get(TOLEDO, "/staff/processes").await;
    let marker = "<option value=\"";
    let start = page
        .body
        .rfind(marker)
        .expect("the process in the phase form")
        + marker.len();
    let id = page.body[start..start + 36].to_owned();
    let empty = admin
        .post(
            TOLEDO,
            &format!("/staff/processes/{id}/publish"),
            &[("csrf_token", &csrf_of(&page.body))],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        empty.body.contains("Añade al menos una fase"),
        "{}",
        empty.body
    );
    let today = OffsetDateTime::now_utc().date();
    let until = today + Duration::days(30);
    let phase = admin
        .post(
            TOLEDO,
            "/staff/phases",
            &[
                ("csrf_token", &csrf_of(&page.body)),
                ("process", &id),
                ("title", "Propuestas"),
                ("starts", &today.to_string()),
                ("ends", &until.to_string()),
                ("proposals", "on"),
            ],
        )
        .await;
    assert_eq!(phase.status, StatusCode::OK, "{}", phase.body);
    let backwards = admin
        .post(
            TOLEDO,
            "/staff/phases",
            &[
                ("csrf_token", &csrf_of(&page.body)),
                ("process", &id),
                ("title", "Mal"),
                ("starts", &until.to_string()),
                ("ends", "2020-01-01"),
            ],
        )
        .await;
    assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        backwards.body.contains("value=\"Mal\"") && backwards.body.contains("value=\"2020-01-01\""),
        "the refused phase keeps what was typed"
    );

    assert_eq!(
        citizen.get(TOLEDO, "/processes/plan-2027").await.status,
        StatusCode::NOT_FOUND,
        "a draft"
    );
    let published = admin
        .post(
            TOLEDO,
            &format!("/staff/processes/{id}/publish"),
            &[("csrf_token", &csrf_of(&page.body))],
        )
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    let public = citizen.get(TOLEDO, "/processes/plan-2027").await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(
        public.body.contains("aria-current=\"step\""),
        "the proposals phase is open today: {}",
        public.body
    );
    // The phase runs whole days in Toledo's time zone, the last included,
    // and every page shows the same last day.
    let madrid = cabildo_tenancy::Zone::named("Europe/Madrid").expect("zone");
    let toledo = world.council("toledo").await;
    let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
    let (starts_at, ends_at): (OffsetDateTime, OffsetDateTime) =
        sqlx::query_as("SELECT starts_at, ends_at FROM process_phases WHERE title = 'Propuestas'")
            .fetch_one(tx.conn())
            .await
            .expect("phase");
    tx.commit().await.expect("commit");
    assert_eq!(starts_at, madrid.start_of(today));
    assert_eq!(ends_at, madrid.end_of(until));
    assert_ne!(
        ends_at.time(),
        time::Time::MIDNIGHT,
        "closes at local, not UTC, midnight"
    );
    let last_day = format!(
        "{:02}/{:02}/{}",
        until.day(),
        u8::from(until.month()),
        until.year()
    );
    let home = citizen.get(TOLEDO, "/").await;
    assert!(public.body.contains(&last_day), "{}", public.body);
    assert!(home.body.contains(&last_day), "{}", home.body);
    let staff_list = admin.get(TOLEDO, "/staff/processes").await;
    assert!(staff_list.body.contains(&last_day));
    let audit = admin.get(TOLEDO, "/staff").await;
    assert!(audit.body.contains("Creó un proceso") && audit.body.contains("Publicó un proceso"));
    assert!(
        !audit.body.contains(" UTC"),
        "the audit log is in local time"
    );
}

#[tokio::test]
async fn an_admin_edits_a_process_removes_future_phases_only_and_archives_it() {
    use cabildo_engine::staff::Role;
    let world = world().await;
    let process = open_process(&world, "toledo", "plan", OPEN_RULES, 1).await;
    let toledo = world.council("toledo").await;
    let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
    let now = OffsetDateTime::now_utc();
    let future = processes::add_phase(
        &mut tx,
        &Actor("cli".into()),
        process.into(),
        &NewPhase {
            title: "Resultados".into(),
            starts_at: now + Duration::days(40),
            ends_at: now + Duration::days(50),
            components: vec![],
        },
    )
    .await
    .expect("phase");
    let started: uuid::Uuid = sqlx::query_scalar(
        "SELECT id FROM process_phases WHERE process_id = $1 AND starts_at < now()",
    )
    .bind(process)
    .fetch_one(tx.conn())
    .await
    .expect("started phase");
    tx.commit().await.expect("commit");

    let mut admin = Browser::new(&world.app);
    logged_in(&world, &mut admin, TOLEDO, "jefa", "jefa@example.org", 1).await;
    world.grant("toledo", "jefa@example.org", Role::Admin).await;
    let edited = admin
        .submit(
            TOLEDO,
            "/staff/processes",
            &format!("/staff/processes/{process}"),
            &[
                ("title", "Plan renovado"),
                ("summary", "Nuevo"),
                ("description", "Texto"),
                ("district", ""),
            ],
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    let public = Browser::new(&world.app)
        .get(TOLEDO, "/processes/plan")
        .await;
    assert!(
        public.body.contains("Plan renovado"),
        "the change shows at once"
    );

    let kept = admin
        .submit(
            TOLEDO,
            "/staff/processes",
            &format!("/staff/phases/{started}/delete"),
            &[],
        )
        .await;
    assert_eq!(kept.status, StatusCode::UNPROCESSABLE_ENTITY);
    let removed = admin
        .submit(
            TOLEDO,
            "/staff/processes",
            &format!("/staff/phases/{future}/delete"),
            &[],
        )
        .await;
    assert_eq!(removed.status, StatusCode::OK);
    assert!(
        !Browser::new(&world.app)
            .get(TOLEDO, "/processes/plan")
            .await
            .body
            .contains("Resultados")
    );

    let archived = admin
        .submit(
            TOLEDO,
            "/staff/processes",
            &format!("/staff/processes/{process}/archive"),
            &[],
        )
        .await;
    assert_eq!(archived.status, StatusCode::OK);
    assert_eq!(
        Browser::new(&world.app)
            .get(TOLEDO, "/processes/plan")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert!(
        !Browser::new(&world.app)
            .get(TOLEDO, "/")
            .await
            .body
            .contains("Plan renovado")
    );
    let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action IN ('process.update', 'process.phase_remove', 'process.archive')",
    )
    .fetch_one(tx.conn())
    .await
    .expect("audit");
    tx.commit().await.expect("commit");
    assert_eq!(audited, 3);
}

/// Staff write a process's texts and its phases' titles in the council's
/// other languages; readers get their language, or the default language's
/// text marked with its own `lang`; languages the council does not offer
/// are refused; another council's process is untouched.
#[tokio::test]
async fn process_texts_are_written_per_language_and_read_in_the_visitors() {
    use cabildo_engine::staff::Role;
    let world = world().await;
    let id = open_process(&world, "toledo", "plan", OPEN_RULES, 1).await;
    open_process(&world, "talavera", "plan", OPEN_RULES, 1).await;
    let toledo = world.council("toledo").await;
    let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
    let phase: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM process_phases WHERE process_id = $1")
            .bind(id)
            .fetch_one(tx.conn())
            .await
            .expect("phase");
    tx.commit().await.expect("commit");
    let mut jefa = world.citizen("jefa").staff(Role::Admin).await.browser;
    let form = jefa.get(TOLEDO, "/staff/processes").await;
    assert!(
        form.body.contains("name=\"tr-en-title\" lang=\"en\""),
        "{}",
        form.body
    );
    let action = format!("/staff/processes/{id}");
    let phase_field = format!("phase-{phase}-en");
    let base = [
        ("title", "Plan de participación"),
        ("summary", "Ideas para la ciudad"),
        ("description", "Participa"),
        ("district", ""),
    ];
    let save = async |browser: &mut Browser, extra: &[(&str, &str)]| {
        let fields: Vec<(&str, &str)> = base.iter().chain(extra).copied().collect();
        browser
            .submit(TOLEDO, "/staff/processes", &action, &fields)
            .await
    };
    let saved = save(
        &mut jefa,
        &[
            ("tr-en-title", "Participation plan"),
            ("tr-en-summary", "Ideas for the city"),
            ("tr-en-description", "**Take part**"),
            (&phase_field, "Proposals and debates"),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);

    let mut visitor = Browser::new(&world.app);
    let english = visitor.get(TOLEDO, "/processes/plan?lang=en").await;
    for part in [
        "<h1>Participation plan</h1>",
        "<p class=\"lead\">Ideas for the city</p>",
        "<strong>Take part</strong>",
        "<strong>Proposals and debates</strong>",
    ] {
        assert!(english.body.contains(part), "{part} in {}", english.body);
    }
    let spanish = visitor.get(TOLEDO, "/processes/plan?lang=es").await;
    assert!(spanish.body.contains("<h1>Plan de participación</h1>"));
    let home = visitor.get(TOLEDO, "/?lang=en").await;
    assert!(
        home.body.contains(">Participation plan</a>"),
        "{}",
        home.body
    );
    let api = visitor
        .json(
            TOLEDO,
            "GET",
            "/api/v1/processes/plan?lang=en",
            serde_json::Value::Null,
            None,
        )
        .await;
    assert!(
        api.body.contains("\"title\":\"Participation plan\""),
        "{}",
        api.body
    );
    assert!(!api.body.contains("title_language"), "{}", api.body);
    // Search finds it by its English words too.
    let found = visitor
        .json(
            TOLEDO,
            "GET",
            "/api/v1/search?q=take",
            serde_json::Value::Null,
            None,
        )
        .await;
    assert!(
        found.body.contains("\"kind\":\"process\""),
        "{}",
        found.body
    );
    // Talavera's process of the same name is its own.
    let talavera = visitor.get(TALAVERA, "/processes/plan?lang=en").await;
    assert!(!talavera.body.contains("Participation plan"));

    // What is not translated shows in Spanish, marked as Spanish.
    let saved = save(
        &mut jefa,
        &[("tr-en-title", "Participation plan"), (&phase_field, "")],
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK);
    let english = visitor.get(TOLEDO, "/processes/plan?lang=en").await;
    for part in [
        "<p class=\"lead\" lang=\"es\">Ideas para la ciudad</p>",
        "<strong lang=\"es\">Propuestas y debates</strong>",
        "<div class=\"prose\" lang=\"es\">",
    ] {
        assert!(english.body.contains(part), "{part} in {}", english.body);
    }

    // Languages the council does not offer, or its default, are refused
    // and change nothing.
    for field in ["tr-fr-title", "tr-es-title"] {
        let refused = save(&mut jefa, &[(field, "Plan")]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
    }
    let english = visitor.get(TOLEDO, "/processes/plan?lang=en").await;
    assert!(english.body.contains("<h1>Participation plan</h1>"));
}
