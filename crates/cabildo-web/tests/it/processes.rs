//! Published processes over the API: readable without login, drafts
//! hidden, each council's own.

use crate::accounts::{Browser, TALAVERA, TOLEDO, world};
use axum::http::StatusCode;
use cabildo_engine::processes::{self, Component, NewPhase, NewProcess, Rules, Who};
use cabildo_engine::staff::Actor;
use time::{Duration, OffsetDateTime};

#[tokio::test]
async fn published_processes_and_their_phases_are_public_drafts_are_not() {
    let world = world().await;
    let toledo = world
        .tenancy
        .get_tenant(&cabildo_tenancy::Slug::parse("toledo").expect("slug"))
        .await
        .expect("council");
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
        .expect("create")
        .expect("created");
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
    .expect("phase")
    .expect("added");
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
