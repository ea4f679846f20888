//! A council's plan refused where it acts, over HTTP: the API answers
//! `plan_required` with what was needed and the first offered plan that
//! allows it, pages explain it in the visitor's language, and the plan's
//! storage counts the council's pictures.

use crate::util::{Browser, OPEN_RULES, PNG, TOLEDO, logged_in, open_process, upload, world};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use cabildo_engine::staff::Role;

/// Applies `plans/` and puts `slug` on a plan with `entitlements`.
async fn on_plan(world: &crate::util::World, slug: &str, entitlements: serde_json::Value) {
    crate::util::apply_plans(&world.tenancy).await;
    let council = world.council(slug).await;
    sqlx::query("UPDATE platform.tenants SET entitlements = $2 WHERE id = $1")
        .bind(council.id.0)
        .bind(entitlements)
        .execute(world.tenancy.pool())
        .await
        .expect("plan");
    world.tenancy.changed(&council).await;
}

#[tokio::test]
async fn the_api_names_what_the_plan_lacks_and_a_plan_that_has_it() {
    let world = world().await;
    on_plan(
        &world,
        "toledo",
        serde_json::json!({"features": ["budgets"], "limits": {}}),
    )
    .await;
    let mut ana = Browser::new(&world.app);
    let csrf = logged_in(&world, &mut ana, TOLEDO, "ana", "ana@example.org", 1).await;
    let refused = ana
        .json(
            TOLEDO,
            "POST",
            "/api/v1/me/tokens",
            serde_json::json!({"name": "mi script"}),
            Some(&csrf),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let body: serde_json::Value = serde_json::from_str(&refused.body).expect("json");
    assert_eq!(body["error"]["code"], "plan_required");
    assert_eq!(body["error"]["need"], "api_tokens");
    assert_eq!(
        body["error"]["plan"], "ciudad",
        "the first plan with tokens"
    );
    assert_eq!(
        body["error"]["message"],
        "El plan del ayuntamiento no incluye tokens de API. El plan Ciudad lo incluye."
    );
    let english = ana
        .request(
            TOLEDO,
            Request::post("/api/v1/me/tokens")
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::ACCEPT_LANGUAGE, "en")
                .header("x-csrf-token", csrf.as_str()),
            Body::from(r#"{"name": "script"}"#),
        )
        .await;
    assert!(
        english
            .body
            .contains("The council's plan does not include API tokens. The City plan includes it."),
        "{}",
        english.body
    );
}

#[tokio::test]
async fn pictures_count_against_the_plans_storage() {
    let world = world().await;
    let process = open_process(&world, "toledo", "plan", OPEN_RULES, 1).await;
    on_plan(
        &world,
        "toledo",
        serde_json::json!({"features": [], "limits": {"storage_mb": 1}}),
    )
    .await;
    let toledo = world.council("toledo").await;
    let folder = std::env::temp_dir()
        .join("cabildo-media")
        .join(toledo.id.0.to_string());
    std::fs::create_dir_all(&folder).expect("folder");
    let big = folder.join(format!("{}.png", "ab".repeat(16)));
    std::fs::write(&big, vec![0u8; 1_000_000]).expect("a megabyte already stored");

    let mut admin = Browser::new(&world.app);
    logged_in(&world, &mut admin, TOLEDO, "jefa", "jefa@example.org", 1).await;
    world.grant("toledo", "jefa@example.org", Role::Admin).await;
    let action = format!("/staff/processes/{process}/image");
    let refused = upload(&mut admin, "/staff/processes", &action, &[], ("image", PNG)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("ha llegado a su límite de almacenamiento (MB)"),
        "{}",
        refused.body
    );
    let files = std::fs::read_dir(&folder).expect("folder").count();
    assert_eq!(files, 1, "nothing was written");
    std::fs::remove_file(&big).expect("room again");
    let saved = upload(&mut admin, "/staff/processes", &action, &[], ("image", PNG)).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
}
