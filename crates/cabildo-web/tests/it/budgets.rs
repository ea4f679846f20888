//! Participatory budgets over the JSON API, against real PostgreSQL: the
//! budget and its projects read by anyone, a ballot cast whole (refused
//! ballots change nothing), results only once finished, and nothing of it
//! reachable from another council.

use crate::util::{
    Browser, TALAVERA, TOLEDO, anonymous, assert_refused, budget, finish, verify,
    world_reading_fresh as world,
};
use axum::http::StatusCode;
use cabildo_engine::budgets::setup::{self};
use cabildo_engine::staff::Actor;
use serde_json::{Value, json};
use uuid::Uuid;

#[tokio::test]
async fn people_read_the_budget_and_cast_a_ballot_checked_whole() {
    let world = world().await;
    let (heading, [a, b, f]) = budget(&world).await;
    let (status, shown) = anonymous(&world, TOLEDO, "/api/v1/processes/presupuestos/budget").await;
    assert_eq!(status, StatusCode::OK, "{shown}");
    assert_eq!(
        (shown["phase"].as_str(), shown["rule"].as_str()),
        (Some("balloting"), Some("mes"))
    );
    assert_eq!(shown["headings"][0]["amount_cents"], 10_000);
    let projects_path = format!("/api/v1/budget-headings/{heading}/projects");
    let (_, listed) = anonymous(&world, TOLEDO, &projects_path).await;
    assert_eq!(listed["projects"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        listed["projects"][0]["description"], "<script>alert(1)</script>",
        "JSON carries text as text"
    );

    let ballot = format!("/api/v1/budget-headings/{heading}/ballot");
    let answer = Browser::new(&world.app)
        .json(
            TOLEDO,
            "PUT",
            &ballot,
            json!({"projects": [a.to_string()]}),
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    let mut ana = world.citizen("ana").await;
    let (status, refused) = ana
        .call(TOLEDO, "PUT", &ballot, json!({"projects": [a.to_string()]}))
        .await;
    assert_refused(&(status, refused), StatusCode::FORBIDDEN, "not_verified");
    verify(&world, "toledo", "ana").await;
    for (projects, code) in [
        (
            json!([a.to_string(), b.to_string(), f.to_string()]),
            "over_budget",
        ),
        (json!([a.to_string(), "not-an-id"]), "not_on_ballot"),
        (json!([Uuid::new_v4().to_string()]), "not_on_ballot"),
        (json!([]), "empty_ballot"),
    ] {
        let (status, refused) = ana
            .call(
                TOLEDO,
                "PUT",
                &ballot,
                json!({"projects": projects, "submit": true}),
            )
            .await;
        assert_refused(&(status, refused), StatusCode::UNPROCESSABLE_ENTITY, code);
    }
    let (status, refused) = ana
        .call(TOLEDO, "PUT", &ballot, json!({"projects": "A"}))
        .await;
    assert_refused(
        &(status, refused),
        StatusCode::UNPROCESSABLE_ENTITY,
        "malformed_body",
    );
    let (_, mine) = ana.call(TOLEDO, "GET", &ballot, Value::Null).await;
    assert_eq!(
        (
            mine["projects"].as_array().map(Vec::len),
            mine["submitted"].as_bool()
        ),
        (Some(0), Some(false)),
        "refusals changed nothing"
    );

    // Supports belong to the phase before voting.
    let (status, refused) = ana
        .call(
            TOLEDO,
            "POST",
            &format!("/api/v1/budget-projects/{a}/support"),
            Value::Null,
        )
        .await;
    assert_refused(&(status, refused), StatusCode::FORBIDDEN, "phase_closed");
    let (status, cast) = ana
        .call(
            TOLEDO,
            "PUT",
            &ballot,
            json!({"projects": [a.to_string(), b.to_string()], "submit": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{cast}");
    assert_eq!(
        (
            cast["remaining_cents"].as_i64(),
            cast["submitted"].as_bool()
        ),
        (Some(0), Some(true))
    );

    // Results wait for the end of the budget.
    let results = format!("/api/v1/budget-headings/{heading}/results");
    let (status, early) = anonymous(&world, TOLEDO, &results).await;
    assert_refused(&(status, early), StatusCode::FORBIDDEN, "phase_closed");
    finish(&world).await;
    let (status, decided) = anonymous(&world, TOLEDO, &results).await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    // One voter with 100 €: equal shares buy A and B for them, F has no votes.
    assert_eq!(
        decided["selected"].as_array().map(Vec::len),
        Some(2),
        "{decided}"
    );
    assert_eq!(decided["total"], "100.00");
    assert_eq!(decided["projects"][2]["reason"]["kind"], "no_votes");
    assert_eq!(decided["projects"][0]["reason"]["kind"], "bought");
    let csv = Browser::new(&world.app)
        .get(
            TOLEDO,
            &format!("/api/v1/budget-headings/{heading}/results.csv"),
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.body
            .starts_with("number,title,cost,votes,paper_votes,selected,reason,round,amount\r\n"),
        "{}",
        csv.body
    );
    assert!(
        csv.body.contains(",Fuente A,40.00,1,0,true,bought,1,"),
        "{}",
        csv.body
    );

    // Another council reaches none of it.
    let (status, _) = anonymous(&world, TALAVERA, &projects_path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = anonymous(&world, TALAVERA, &results).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = anonymous(&world, TALAVERA, "/api/v1/processes/presupuestos/budget").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let mut eva = world.citizen("eva").on(TALAVERA).verified().await;
    let (status, _) = eva
        .call(
            TALAVERA,
            "PUT",
            &ballot,
            json!({"projects": [a.to_string()]}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // An archived process's budget is no longer shown.
    let tenant = world.council("toledo").await;
    let mut tx = world.tenancy.begin(&tenant).await.expect("begin");
    let process = setup::of_heading(&mut tx, heading.into())
        .await
        .expect("budget")
        .expect("found")
        .process;
    assert!(
        cabildo_engine::processes::archive(&mut tx, &Actor("cli".into()), process)
            .await
            .expect("archive")
    );
    tx.commit().await.expect("commit");
    for path in [projects_path, format!("/api/v1/budget-projects/{a}")] {
        let (status, _) = anonymous(&world, TOLEDO, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn the_ballot_works_with_plain_forms_and_the_results_explain_themselves() {
    let world = world().await;
    let (heading, [a, b, f]) = budget(&world).await;
    let page = format!("/budget-headings/{heading}");
    let mut anonymous = Browser::new(&world.app);
    crate::accessibility::check(&mut anonymous, "/processes/presupuestos/budget").await;
    crate::accessibility::check(&mut anonymous, &page).await;
    let shown = anonymous.get(TOLEDO, &page).await;
    assert!(
        shown.body.contains("Fuente A") && shown.body.contains("/account/login"),
        "{}",
        shown.body
    );
    assert!(
        !shown.body.contains("<script>alert"),
        "descriptions are escaped"
    );
    // The deadline: the last day before tallying starts, in Toledo's time.
    let toledo = world.council("toledo").await;
    let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
    let tallying: time::OffsetDateTime = sqlx::query_scalar("SELECT tallying_at FROM budgets")
        .fetch_one(tx.conn())
        .await
        .expect("dates");
    tx.commit().await.expect("commit");
    let last = cabildo_tenancy::Zone::named("Europe/Madrid")
        .expect("zone")
        .last_day(tallying);
    let deadline = format!(
        "Puedes votar hasta el {:02}/{:02}/{}, ese día incluido.",
        last.day(),
        u8::from(last.month()),
        last.year()
    );
    assert!(shown.body.contains(&deadline), "{deadline}: {}", shown.body);
    let overview = anonymous
        .get(TOLEDO, "/processes/presupuestos/budget")
        .await;
    assert!(overview.body.contains(&deadline), "{}", overview.body);

    let mut ana = world.citizen("ana").await;
    let denied = ana.browser.get(TOLEDO, &page).await;
    assert!(
        denied.body.contains("verificado su residencia")
            || denied.body.contains("verified their residency"),
        "the page says why she may not vote yet"
    );
    verify(&world, "toledo", "ana").await;
    crate::accessibility::check(&mut ana.browser, &page).await;
    let action = format!("/budget-headings/{heading}/ballot");
    let added = ana
        .browser
        .submit(
            TOLEDO,
            &page,
            &action,
            &[("action", "add"), ("project", &b.to_string())],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    assert_eq!(
        added.headers["location"],
        format!("/budget-headings/{heading}?done=added#ballot").as_str()
    );
    let shown = ana.browser.get(TOLEDO, &format!("{page}?done=added")).await;
    assert!(
        shown.body.contains("Añadido a tu papeleta") || shown.body.contains("Added to your ballot")
    );
    assert!(
        shown.body.contains("60\u{a0}€") && shown.body.contains("40\u{a0}€"),
        "spent and remaining"
    );
    assert!(
        shown.body.contains("<li>Parque B · 60\u{a0}€</li>"),
        "the ballot lists what it holds: {}",
        shown.body
    );
    assert!(
        shown.body.contains("aún no está enviada") || shown.body.contains("not sent yet"),
        "an unsent ballot does not count, and the page says so"
    );
    // A (40 €) still fits and is offered; the page would not offer what does not fit,
    // and the server refuses it anyway.
    let refused = ana
        .browser
        .submit(
            TOLEDO,
            &page,
            &action,
            &[("action", "add"), ("project", &Uuid::new_v4().to_string())],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    ana.browser
        .submit(
            TOLEDO,
            &page,
            &action,
            &[("action", "add"), ("project", &a.to_string())],
        )
        .await;
    let over = ana
        .browser
        .submit(
            TOLEDO,
            &page,
            &action,
            &[("action", "add"), ("project", &f.to_string())],
        )
        .await;
    assert_eq!(over.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        over.body.contains("No cabe") || over.body.contains("does not fit"),
        "{}",
        over.body
    );
    let submitted = ana
        .browser
        .submit(TOLEDO, &page, &action, &[("action", "submit")])
        .await;
    assert_eq!(submitted.status, StatusCode::SEE_OTHER);
    let shown = ana.browser.get(TOLEDO, &page).await;
    assert!(
        shown.body.contains("Tu papeleta está enviada")
            || shown.body.contains("Your ballot is submitted")
    );
    assert!(!shown.body.contains("aún no está enviada") && !shown.body.contains("not sent yet"));

    let results = format!("/budget-headings/{heading}/results");
    assert_eq!(
        anonymous.get(TOLEDO, &results).await.status,
        StatusCode::FORBIDDEN,
        "not before the end"
    );
    finish(&world).await;
    crate::accessibility::check(&mut anonymous, &results).await;
    let shown = anonymous.get(TOLEDO, &results).await;
    assert!(shown.body.contains("<ol class=\"bar-chart\""), "a chart");
    assert!(
        shown
            .body
            .contains("<span class=\"bar-value cost\">40\u{a0}€</span>"),
        "the chart shows each project's cost too"
    );
    assert!(
        shown
            .body
            .contains("<span class=\"bar-name\">Fuente A</span>"),
        "with the project's whole name as text"
    );
    assert!(
        shown.body.contains("Método de Partes Iguales"),
        "the rule in plain words"
    );
    assert!(
        shown.body.contains("ronda 1"),
        "the round in which a winner was bought"
    );
    assert!(shown.body.contains("Nadie lo votó"), "why F lost");
    // Each project's page says how it fared, with its votes.
    let project = anonymous
        .get(TOLEDO, &format!("/budget-projects/{a}?lang=es"))
        .await;
    assert!(project.body.contains("con 1 voto"), "{}", project.body);
    assert!(
        project
            .body
            .contains(&format!("/budget-headings/{heading}/results"))
    );
    let unvoted = anonymous
        .get(TOLEDO, &format!("/budget-projects/{f}?lang=es"))
        .await;
    assert!(
        unvoted.body.contains("No financiado, con 0 votos"),
        "{}",
        unvoted.body
    );
    assert_eq!(
        anonymous.get(TALAVERA, &results).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn citizens_propose_projects_while_the_budget_accepts_them() {
    let world = world().await;
    let (heading, _) = budget(&world).await;
    let tenant = world.council("toledo").await;
    let mut tx = world.tenancy.begin(&tenant).await.expect("begin");
    sqlx::query(
        "UPDATE budgets SET accepting_at = now() - interval '1 day', reviewing_at = now() + interval '10 days',
                selecting_at = now() + interval '20 days', balloting_at = now() + interval '30 days',
                tallying_at = now() + interval '40 days', finished_at = now() + interval '50 days'",
    )
    .execute(tx.conn())
    .await
    .expect("accepting projects");
    tx.commit().await.expect("commit");
    let path = format!("/api/v1/budget-headings/{heading}/projects");
    let mut ana = world.citizen("ana").await;
    for (body, code) in [
        (
            json!({"title": "Ba", "description": "x", "estimated_cost_cents": 500}),
            "title_invalid",
        ),
        (
            json!({"title": "Bancos", "description": "x", "estimated_cost_cents": 0}),
            "amount_invalid",
        ),
        (
            json!({"title": "Bancos", "description": "x", "estimated_cost_cents": "mucho"}),
            "malformed_body",
        ),
    ] {
        let (status, refused) = ana.call(TOLEDO, "POST", &path, body).await;
        assert_eq!(
            (status, refused["error"]["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(code))
        );
    }
    let (status, created) = ana
        .call(
            TOLEDO,
            "POST",
            &path,
            json!({"title": "Bancos en la plaza", "description": "Cuatro bancos a la sombra", "estimated_cost_cents": 250_000}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (_, listed) = anonymous(&world, TOLEDO, &path).await;
    let mine = listed["projects"]
        .as_array()
        .and_then(|all| all.iter().find(|p| p["id"] == created["id"]))
        .expect("listed");
    assert_eq!(
        (mine["feasibility"].as_str(), mine["on_ballot"].as_bool()),
        (Some("pending"), Some(false))
    );
    // Another council's people cannot propose here.
    let mut eva = world.citizen("eva").on(TALAVERA).await;
    let (status, _) = eva
        .call(
            TALAVERA,
            "POST",
            &path,
            json!({"title": "Bancos", "description": "x", "estimated_cost_cents": 500}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
