//! Budgets run through the pages, against real PostgreSQL: admins set a
//! budget up (a refused form keeps what was typed and stores nothing),
//! citizens propose and support projects with plain forms, evaluators
//! review them and the author hears of it, paper votes come in from a count
//! file taken whole or not at all, and winners get dated execution updates
//! with photos that followers hear of — each page for its council only and
//! its role only.

use crate::util::{
    Browser, OPEN_RULES, PNG, TALAVERA, TOLEDO, World, budget, count_notifications, finish,
    finish_uncounted, open_process, queue_count, upload, verify, wait_counted,
    world_reading_fresh as world,
};
use axum::http::StatusCode;
use cabildo_engine::budgets::{projects, setup};
use cabildo_engine::staff::Role;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// The paper votes of a heading, summed.
async fn paper_total(world: &World, heading: Uuid) -> i32 {
    let tenant = world.council("toledo").await;
    let mut tx = world.tenancy.begin(&tenant).await.expect("begin");
    let found = projects::of_heading(&mut tx, heading.into())
        .await
        .expect("projects");
    tx.commit().await.expect("commit");
    found.iter().map(|p| p.paper_votes).sum()
}

/// A day `days` from today as the date field takes it.
fn day(days: i64) -> String {
    (OffsetDateTime::now_utc() + Duration::days(days))
        .date()
        .to_string()
}

async fn budget_of(world: &World, process: Uuid) -> Option<setup::Budget> {
    let tenant = world.council("toledo").await;
    let mut tx = world.tenancy.begin(&tenant).await.expect("begin");
    let budget = setup::of_process(&mut tx, process.into())
        .await
        .expect("budget");
    tx.commit().await.expect("commit");
    budget
}

#[tokio::test]
async fn staff_set_up_a_budget_and_citizens_propose_and_support_with_plain_forms() {
    let world = world().await;
    let process = open_process(&world, "toledo", "presupuestos", OPEN_RULES, 1).await;
    let mut admin = world.citizen("jefa").staff(Role::Admin).await.browser;
    let setup_page = format!("/staff/processes/{process}/budget");
    crate::accessibility::check(&mut admin, &setup_page).await;
    let (yesterday, later) = (day(-1), [day(10), day(20), day(30), day(40), day(50)]);
    let form = |amount: &'static str| {
        vec![
            ("title", "Presupuestos participativos 2027"),
            ("currency", "eur"),
            ("style", "knapsack"),
            ("min_spend", "0"),
            ("max_supports", "2"),
            ("verified_only", "on"),
            ("changeable", "on"),
            ("rule", "mes"),
            ("tie", "id"),
            ("completion", "exhaustive"),
            ("heading_rows", "2"),
            ("h0_name", "Toda la ciudad"),
            ("h0_district", ""),
            ("h0_amount", amount),
            ("h0_max", ""),
            ("h1_name", ""),
            ("h1_amount", ""),
            ("tr-en-title", "Participatory budget 2027"),
            ("h0_name_en", "Whole city"),
        ]
    };
    let dated = |mut fields: Vec<(&'static str, &'static str)>| -> Vec<(String, String)> {
        let mut owned: Vec<(String, String)> = fields
            .drain(..)
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        owned.push(("accepting".into(), yesterday.clone()));
        for (name, value) in [
            "reviewing",
            "selecting",
            "balloting",
            "tallying",
            "finished",
        ]
        .iter()
        .zip(&later)
        {
            owned.push(((*name).to_owned(), value.clone()));
        }
        owned
    };
    // "300.000" could be 300 or 300,000: refused, nothing stored, the form kept.
    let ambiguous = dated(form("300.000"));
    let refused = admin
        .submit(TOLEDO, &setup_page, &setup_page, &pairs(&ambiguous))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("Give an amount greater than zero")
            || refused.body.contains("importe mayor que cero"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("value=\"300.000\"")
            && refused.body.contains("value=\"Participatory budget 2027\""),
        "what was typed is kept"
    );
    assert!(budget_of(&world, process).await.is_none());
    let saved = admin
        .submit(
            TOLEDO,
            &setup_page,
            &setup_page,
            &pairs(&dated(form("300000"))),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let budget = budget_of(&world, process).await.expect("created");
    assert_eq!(
        (
            budget.currency.as_str(),
            budget.rule.as_str(),
            budget.max_supports
        ),
        ("EUR", "mes", Some(2))
    );
    assert_eq!(budget.headings[0].amount_cents, 30_000_000);
    assert_eq!(budget.phase, setup::Phase::Accepting);
    let heading = budget.headings[0].id;
    // Readers get the title and heading names in their language.
    let mut reader = Browser::new(&world.app);
    let english = reader
        .get(TOLEDO, "/processes/presupuestos/budget?lang=en")
        .await;
    assert!(
        english.body.contains("<h1>Participatory budget 2027</h1>")
            && english.body.contains(">Whole city</a>"),
        "{}",
        english.body
    );
    let spanish = reader
        .get(TOLEDO, "/processes/presupuestos/budget?lang=es")
        .await;
    assert!(
        spanish
            .body
            .contains("<h1>Presupuestos participativos 2027</h1>")
    );

    // A citizen proposes through the heading page.
    let page = format!("/budget-headings/{heading}");
    let mut ana = world.citizen("ana").await;
    crate::accessibility::check(&mut ana.browser, &page).await;
    let action = format!("/budget-headings/{heading}/projects");
    let bad = upload(
        &mut ana.browser,
        &page,
        &action,
        &[("title", "Bancos"), ("description", "x"), ("cost", "mucho")],
        ("image", b""),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let proposed = upload(
        &mut ana.browser,
        &page,
        &action,
        &[
            ("title", "Bancos a la sombra"),
            ("description", "Cuatro bancos junto a la fuente"),
            ("location", "Plaza de Zocodover"),
            ("cost", "2500,50"),
        ],
        ("image", PNG),
    )
    .await;
    assert_eq!(proposed.status, StatusCode::SEE_OTHER, "{}", proposed.body);
    let location = proposed.headers["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let project: Uuid = location
        .trim_start_matches("/budget-projects/")
        .split('?')
        .next()
        .and_then(|id| id.parse().ok())
        .expect("the project's page");
    let shown = ana.browser.get(TOLEDO, &location).await;
    assert!(
        shown.body.contains("2500,50\u{a0}€")
            && shown.body.contains("Plaza de Zocodover")
            && shown.body.contains("src=\"/media/"),
        "{}",
        shown.body
    );
    crate::accessibility::check(&mut ana.browser, &format!("/budget-projects/{project}")).await;

    // An evaluator reviews it; the author hears of it.
    let mut eva = world.citizen("eva").staff(Role::Evaluator).await.browser;
    let staff_page = format!("/staff/budget-headings/{heading}");
    let console = eva.get(TOLEDO, "/staff").await;
    assert!(
        console.body.contains(&staff_page) && console.body.contains("1 pendiente de evaluación"),
        "evaluators find the headings to review from the staff console: {}",
        console.body
    );
    crate::accessibility::check(&mut eva, &staff_page).await;
    let review = format!("/staff/budget-projects/{project}/review");
    let unexplained = eva
        .submit(
            TOLEDO,
            &staff_page,
            &review,
            &[("verdict", "unfeasible"), ("explanation", " ")],
        )
        .await;
    assert_eq!(unexplained.status, StatusCode::UNPROCESSABLE_ENTITY);
    let reviewed = eva
        .submit(
            TOLEDO,
            &staff_page,
            &review,
            &[
                ("verdict", "feasible"),
                ("explanation", "Viable"),
                ("official_cost", "3000"),
            ],
        )
        .await;
    assert_eq!(reviewed.status, StatusCode::SEE_OTHER, "{}", reviewed.body);
    assert_eq!(
        count_notifications(&world, "toledo", "ana", "project.reviewed").await,
        1
    );
    // Evaluators review; they do not set budgets up or create projects.
    assert_eq!(
        eva.submit(TOLEDO, &staff_page, &setup_page, &pairs(&dated(form("1"))))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        eva.submit(
            TOLEDO,
            &staff_page,
            &format!("/staff/budget-headings/{heading}/projects"),
            &[
                ("title", "Del ayuntamiento"),
                ("description", "x"),
                ("cost", "10")
            ],
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        ana.browser.get(TOLEDO, &staff_page).await.status,
        StatusCode::FORBIDDEN
    );
    let mut other = world
        .citizen("otra")
        .on(TALAVERA)
        .staff(Role::Admin)
        .await
        .browser;
    assert_eq!(
        other.get(TALAVERA, &staff_page).await.status,
        StatusCode::NOT_FOUND,
        "another council's admin finds nothing"
    );
    assert_eq!(
        other
            .get(TALAVERA, &format!("/budget-projects/{project}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // An admin writes the project in English; evaluators may not.
    let translations = format!("/staff/budget-projects/{project}/translations");
    let english = [
        ("tr-en-title", "Benches in the shade"),
        ("tr-en-description", "Four benches by the fountain"),
    ];
    assert_eq!(
        eva.submit(TOLEDO, &staff_page, &translations, &english)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let translated = admin
        .submit(TOLEDO, &staff_page, &translations, &english)
        .await;
    assert_eq!(
        translated.status,
        StatusCode::SEE_OTHER,
        "{}",
        translated.body
    );
    let in_english = reader
        .get(TOLEDO, &format!("/budget-projects/{project}?lang=en"))
        .await;
    assert!(
        in_english.body.contains("<h1>Benches in the shade</h1>")
            && in_english.body.contains("Four benches by the fountain"),
        "{}",
        in_english.body
    );
    let listed = reader
        .get(TOLEDO, &format!("/budget-headings/{heading}?lang=en"))
        .await;
    assert!(
        listed.body.contains(">Benches in the shade</a>"),
        "{}",
        listed.body
    );
    let in_spanish = reader
        .get(TOLEDO, &format!("/budget-projects/{project}?lang=es"))
        .await;
    assert!(in_spanish.body.contains("<h1>Bancos a la sombra</h1>"));

    // Anyone may report a citizen's project; moderators see it.
    let project_page = format!("/budget-projects/{project}");
    let reported = eva
        .submit(
            TOLEDO,
            &project_page,
            "/reports",
            &[
                ("kind", "project"),
                ("id", &project.to_string()),
                ("reason", "Spam"),
            ],
        )
        .await;
    assert_eq!(reported.status, StatusCode::OK, "{}", reported.body);
    let queue = admin.get(TOLEDO, "/staff/moderation").await;
    assert!(queue.body.contains(&project_page), "{}", queue.body);

    // Supports open: a verified resident supports from the heading page.
    let tenant = world.council("toledo").await;
    let mut tx = world.tenancy.begin(&tenant).await.expect("begin");
    sqlx::query(
        "UPDATE budgets SET accepting_at = now() - interval '3 days', reviewing_at = now() - interval '2 days',
                selecting_at = now() - interval '1 day'",
    )
    .execute(tx.conn())
    .await
    .expect("time passes");
    tx.commit().await.expect("commit");
    verify(&world, "toledo", "ana").await;
    let support = format!("/budget-projects/{project}/support");
    let supported = ana
        .browser
        .submit(
            TOLEDO,
            &page,
            &support,
            &[("action", "support"), ("back", "heading")],
        )
        .await;
    assert_eq!(
        supported.status,
        StatusCode::SEE_OTHER,
        "{}",
        supported.body
    );
    let shown = ana.browser.get(TOLEDO, &page).await;
    assert!(
        shown.body.contains("Retirar mi apoyo a") && shown.body.contains("1 apoyo"),
        "{}",
        shown.body
    );
    crate::accessibility::check(&mut ana.browser, &page).await;
}

#[tokio::test]
async fn paper_counts_and_execution_updates_through_the_staff_pages() {
    let world = world().await;
    let (heading, [a, b, f]) = budget(&world).await;
    let mut admin = world.citizen("jefa").staff(Role::Admin).await.browser;
    let staff_page = format!("/staff/budget-headings/{heading}");
    crate::accessibility::check(&mut admin, &staff_page).await;
    let numbers = {
        let tenant = world.council("toledo").await;
        let mut tx = world.tenancy.begin(&tenant).await.expect("begin");
        let list = projects::of_heading(&mut tx, heading.into())
            .await
            .expect("projects");
        tx.commit().await.expect("commit");
        list.iter().map(|p| (p.id, p.number)).collect::<Vec<_>>()
    };
    let number = |id: Uuid| {
        numbers
            .iter()
            .find(|(p, _)| *p == id.into())
            .map(|(_, n)| *n)
            .expect("number")
    };
    let file_action = format!("/staff/budget-headings/{heading}/paper-votes");
    let bad = format!("proyecto,votos\n{},5\n{},diez\n", number(a), number(b));
    let refused = upload(
        &mut admin,
        &staff_page,
        &file_action,
        &[],
        ("file", bad.as_bytes()),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("Línea 3") || refused.body.contains("Line 3"),
        "{}",
        refused.body
    );
    assert_eq!(
        paper_total(&world, heading).await,
        0,
        "nothing of a refused file is kept"
    );
    let good = format!("proyecto;votos\n{};5\n{};2\n", number(a), number(f));
    let imported = upload(
        &mut admin,
        &staff_page,
        &file_action,
        &[],
        ("file", good.as_bytes()),
    )
    .await;
    assert_eq!(imported.status, StatusCode::SEE_OTHER, "{}", imported.body);
    assert_eq!(paper_total(&world, heading).await, 7);
    let one = admin
        .submit(
            TOLEDO,
            &staff_page,
            &format!("/staff/budget-projects/{b}/paper-votes"),
            &[("votes", "1")],
        )
        .await;
    assert_eq!(one.status, StatusCode::SEE_OTHER);
    assert_eq!(paper_total(&world, heading).await, 8);

    // A follower of A hears of its execution.
    let mut ana = world.citizen("ana").await;
    let project_page = format!("/budget-projects/{a}");
    let followed = ana
        .browser
        .submit(
            TOLEDO,
            &project_page,
            "/follows",
            &[
                ("kind", "project"),
                ("id", &a.to_string()),
                ("follow", "on"),
            ],
        )
        .await;
    assert_eq!(followed.status, StatusCode::SEE_OTHER);
    finish(&world).await;
    let shown = admin.get(TOLEDO, &staff_page).await;
    assert!(
        shown
            .body
            .contains(&format!("/staff/budget-projects/{a}/updates")),
        "A (5 paper votes) won and can be tracked"
    );
    crate::accessibility::check(&mut admin, &staff_page).await;
    let update_of = |project: Uuid| format!("/staff/budget-projects/{project}/updates");
    let fields = [
        ("status", "in_progress"),
        ("progress", "40"),
        ("body", "Obras adjudicadas"),
    ];
    let not_a_picture = upload(
        &mut admin,
        &staff_page,
        &update_of(a),
        &fields,
        ("photo", b"<svg/>"),
    )
    .await;
    assert_eq!(not_a_picture.status, StatusCode::UNPROCESSABLE_ENTITY);
    let loser = upload(
        &mut admin,
        &staff_page,
        &update_of(b),
        &fields,
        ("photo", b""),
    )
    .await;
    assert_eq!(loser.status, StatusCode::UNPROCESSABLE_ENTITY, "B lost");
    let posted = upload(
        &mut admin,
        &staff_page,
        &update_of(a),
        &fields,
        ("photo", PNG),
    )
    .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    assert_eq!(
        count_notifications(&world, "toledo", "ana", "project.update").await,
        1
    );
    let citizen = upload(
        &mut ana.browser,
        &project_page,
        &update_of(a),
        &fields,
        ("photo", b""),
    )
    .await;
    assert_eq!(citizen.status, StatusCode::FORBIDDEN);
    let mut anonymous = Browser::new(&world.app);
    crate::accessibility::check(&mut anonymous, &project_page).await;
    let shown = anonymous.get(TOLEDO, &project_page).await;
    assert!(
        shown.body.contains("Obras adjudicadas")
            && shown.body.contains("En marcha")
            && shown.body.contains("value=\"40\"")
            && shown.body.contains("src=\"/media/"),
        "{}",
        shown.body
    );
    let api = anonymous
        .json(
            TOLEDO,
            "GET",
            &format!("/api/v1/budget-projects/{a}"),
            serde_json::Value::Null,
            None,
        )
        .await;
    let read: serde_json::Value = serde_json::from_str(&api.body).expect("json");
    assert_eq!(
        (
            read["project"]["execution_status"].as_str(),
            read["project"]["progress"].as_i64(),
            read["updates"][0]["body"].as_str()
        ),
        (Some("in_progress"), Some(40), Some("Obras adjudicadas"))
    );
    let heading_page = anonymous
        .get(TOLEDO, &format!("/budget-headings/{heading}"))
        .await;
    assert!(
        heading_page
            .body
            .contains("Ejecución:</strong> En marcha · 40 %")
            && heading_page.body.contains("/results\">"),
        "the heading shows each winner's execution and links the results: {}",
        heading_page.body
    );
    // Paper votes are shown apart in the results.
    let results = anonymous
        .json(
            TOLEDO,
            "GET",
            &format!("/api/v1/budget-headings/{heading}/results"),
            serde_json::Value::Null,
            None,
        )
        .await;
    let results: serde_json::Value = serde_json::from_str(&results.body).expect("json");
    let a_number = number(a).to_string();
    let line = results["projects"]
        .as_array()
        .and_then(|all| {
            all.iter()
                .find(|p| p["number"].as_str() == Some(a_number.as_str()))
        })
        .expect("A");
    assert_eq!(
        (line["votes"].as_i64(), line["paper_votes"].as_i64()),
        (Some(5), Some(5))
    );
    let page = anonymous
        .get(TOLEDO, &format!("/budget-headings/{heading}/results"))
        .await;
    assert!(page.body.contains("De ellos, en papel"), "{}", page.body);
    let elsewhere = Browser::new(&world.app)
        .json(
            TALAVERA,
            "GET",
            &format!("/api/v1/budget-projects/{a}"),
            serde_json::Value::Null,
            None,
        )
        .await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_public_budget_pages_are_kept_but_a_staff_change_shows_at_once() {
    // The usual configuration: public reads are kept for a few seconds.
    let world = crate::util::world().await;
    let (heading, _) = budget(&world).await;
    let process = {
        let tenant = world.council("toledo").await;
        let mut tx = world.tenancy.begin(&tenant).await.expect("begin");
        let budget = setup::of_heading(&mut tx, heading.into())
            .await
            .expect("budget")
            .expect("found");
        tx.commit().await.expect("commit");
        budget.process
    };
    let mut anonymous = Browser::new(&world.app);
    let page = "/processes/presupuestos/budget";
    assert!(
        anonymous
            .get(TOLEDO, page)
            .await
            .body
            .contains("Presupuestos 2027")
    );
    let mut admin = world.citizen("jefa").staff(Role::Admin).await.browser;
    let setup_page = format!("/staff/processes/{process}/budget");
    let form = admin.get(TOLEDO, &setup_page).await;
    assert_eq!(form.status, StatusCode::OK);
    // Voting has begun: the title changes only with a reset and a reason.
    let mut fields: Vec<(String, String)> = vec![
        ("title".into(), "Presupuestos de los barrios".into()),
        ("reset_reason".into(), "Nombre equivocado".into()),
    ];
    for name in [
        "currency",
        "style",
        "min_spend",
        "max_supports",
        "rule",
        "tie",
        "completion",
        "accepting",
        "reviewing",
        "selecting",
        "balloting",
        "tallying",
        "finished",
        "heading_rows",
        "h0_name",
        "h0_district",
        "h0_amount",
        "h0_max",
    ] {
        let value = form
            .body
            .split(&format!("name=\"{name}\""))
            .nth(1)
            .and_then(|rest| rest.split("value=\"").nth(1))
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_default()
            .to_owned();
        fields.push((name.to_owned(), value));
    }
    for (name, value) in [
        ("style", "knapsack"),
        ("rule", "mes"),
        ("tie", "id"),
        ("completion", "exhaustive"),
        ("h0_district", ""),
    ] {
        if let Some(field) = fields.iter_mut().find(|(n, _)| n == name) {
            field.1 = value.to_owned();
        }
    }
    let saved = admin
        .submit(TOLEDO, &setup_page, &setup_page, &pairs(&fields))
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert!(
        anonymous
            .get(TOLEDO, page)
            .await
            .body
            .contains("Presupuestos de los barrios"),
        "the kept copy was dropped by the change"
    );
}

/// Once voting opens, a project on the ballot is neither re-costed nor
/// hidden through the staff pages; published results stay as published
/// until an admin recounts (with a reason), and the earlier count stays on
/// the public results page.
#[tokio::test]
async fn published_results_change_only_by_an_audited_recount() {
    let world = world().await;
    let (heading, [a, b, f]) = budget(&world).await;
    let mut admin = world.citizen("jefa").staff(Role::Admin).await.browser;
    let staff_page = format!("/staff/budget-headings/{heading}");
    let review = format!("/staff/budget-projects/{a}/review");
    let shown = admin.get(TOLEDO, &staff_page).await;
    assert!(
        !shown.body.contains(&review),
        "no review form for a project on the ballot once voting began"
    );
    let fields = [("verdict", "feasible"), ("official_cost", "351000")];
    let refused = admin.submit(TOLEDO, &staff_page, &review, &fields).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("La votación ha empezado"),
        "{}",
        refused.body
    );

    let mut ana = world.citizen("ana").verified().await;
    let ballot = format!("/api/v1/budget-headings/{heading}/ballot");
    let projects = serde_json::json!({"projects": [a.to_string(), f.to_string()], "submit": true});
    let (status, _) = ana.call(TOLEDO, "PUT", &ballot, projects).await;
    assert_eq!(status, StatusCode::OK);
    // Voting has ended; the worker has not counted yet: the results say
    // so, staff see it, and the project pages still work.
    let budget = finish_uncounted(&world).await;
    let results = format!("/budget-headings/{heading}/results");
    let mut anonymous = Browser::new(&world.app);
    let counting = anonymous.get(TOLEDO, &results).await;
    assert_eq!(counting.status, StatusCode::CONFLICT, "{}", counting.body);
    assert!(
        counting.body.contains("se están contando los resultados"),
        "{}",
        counting.body
    );
    let project = anonymous
        .get(TOLEDO, &format!("/budget-projects/{a}"))
        .await;
    assert_eq!(project.status, StatusCode::OK);
    let api = format!("/api/v1/budget-headings/{heading}/results");
    let (status, body) = ana.call(TOLEDO, "GET", &api, serde_json::Value::Null).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "counting", "{body}");
    let shown = admin.get(TOLEDO, &staff_page).await;
    assert!(shown.body.contains("se están contando"), "{}", shown.body);
    let setup_page = format!(
        "/staff/processes/{}/budget",
        process_of(&world, budget).await
    );
    let shown = admin.get(TOLEDO, &setup_page).await;
    assert!(
        shown.body.contains("Partidas contadas: 0 de 1"),
        "{}",
        shown.body
    );
    // The worker could not count it: staff see why, and count it by hand.
    let tenant = world.council("toledo").await;
    let mut tx = world.tenancy.begin(&tenant).await.expect("begin");
    sqlx::query(
        "UPDATE budget_headings SET count_error = 'results_unavailable', count_failed_at = now() WHERE id = $1",
    )
    .bind(heading)
    .execute(tx.conn())
    .await
    .expect("failed");
    tx.commit().await.expect("commit");
    let shown = admin.get(TOLEDO, &staff_page).await;
    assert!(
        shown.body.contains(
            "No se pueden calcular los resultados de esta partida. Recontar usa la misma regla"
        ),
        "{}",
        shown.body
    );
    // Readers are told the results cannot be computed, not to wait.
    let unavailable = anonymous.get(TOLEDO, &results).await;
    assert_eq!(unavailable.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unavailable
            .body
            .contains("No se pueden calcular los resultados de esta partida"),
        "{}",
        unavailable.body
    );
    let recount = format!("/staff/budget-headings/{heading}/recount");
    let by_hand = [("reason", "El recuento automático falló")];
    let done = admin.submit(TOLEDO, &staff_page, &recount, &by_hand).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let shown = admin.get(TOLEDO, &staff_page).await;
    assert!(
        !shown.body.contains("No se han podido contar"),
        "{}",
        shown.body
    );
    // Its job, coming due now, finds it counted and counts nothing again.
    queue_count(&world, budget).await;
    wait_counted(&world, budget).await;
    let shown = admin.get(TOLEDO, &setup_page).await;
    assert!(
        shown.body.contains("Partidas contadas: 1 de 1"),
        "{}",
        shown.body
    );
    assert!(
        shown.body.contains("Papeletas contadas: 1"),
        "{}",
        shown.body
    );
    crate::accessibility::check(&mut admin, &setup_page).await;
    let first = anonymous.get(TOLEDO, &results).await;
    assert_eq!(first.status, StatusCode::OK);
    // Paper votes written behind the engine's back do not move the winners.
    let tenant = world.council("toledo").await;
    let mut tx = world.tenancy.begin(&tenant).await.expect("begin");
    sqlx::query("UPDATE budget_projects SET paper_votes = 50 WHERE id = $1")
        .bind(b)
        .execute(tx.conn())
        .await
        .expect("tamper");
    tx.commit().await.expect("commit");
    let again = anonymous.get(TOLEDO, &results).await;
    let won = |body: &str, title: &str| {
        let row = body.split(&format!("{title}</th>")).nth(1).expect("row");
        row[..row.find("</tr>").expect("end")].contains("Financiado")
    };
    assert!(won(&first.body, "Banco F") && !won(&first.body, "Parque B"));
    assert!(won(&again.body, "Banco F") && !won(&again.body, "Parque B"));
    assert!(!again.body.contains("Recuentos anteriores"));
    assert!(again.body.contains("El recuento automático falló"));

    let shown = admin.get(TOLEDO, &staff_page).await;
    assert!(shown.body.contains(&format!("action=\"{recount}\"")));
    crate::accessibility::check(&mut admin, &staff_page).await;
    let empty = admin
        .submit(TOLEDO, &staff_page, &recount, &[("reason", " ")])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let reason = [("reason", "Actas de papel del centro cívico")];
    let done = admin.submit(TOLEDO, &staff_page, &recount, &reason).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let after = anonymous.get(TOLEDO, &results).await;
    assert!(
        after.body.contains("Actas de papel del centro cívico"),
        "{}",
        after.body
    );
    assert!(after.body.contains("Recuentos anteriores"));
    assert!(
        won(&after.body, "Parque B"),
        "the recount counts the paper votes"
    );
    crate::accessibility::check(&mut anonymous, &results).await;
    // A citizen cannot recount.
    let mut vecino = world.citizen("vecino").await.browser;
    let denied = vecino.submit(TOLEDO, &results, &recount, &reason).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
}

/// The process a budget belongs to.
async fn process_of(world: &World, budget: cabildo_engine::BudgetId) -> Uuid {
    let tenant = world.council("toledo").await;
    let mut tx = world.tenancy.begin(&tenant).await.expect("begin");
    let process: Uuid = sqlx::query_scalar("SELECT process_id FROM budgets WHERE id = $1")
        .bind(budget)
        .fetch_one(tx.conn())
        .await
        .expect("process");
    tx.commit().await.expect("commit");
    process
}
