//! The participation dashboard: staff see who takes part week by week,
//! per district against its population, per process, registered against
//! verified, and newsletter reach, each as CSV too; the public summary
//! exists only once the council switches it on; each council sees only
//! its own figures; the worker folds every council's queued acts daily.

use crate::util::{Browser, OPEN_RULES, TALAVERA, TOLEDO, jobs_done, open_process, world};
use axum::http::StatusCode;
use cabildo_engine::dashboard;
use cabildo_engine::staff::Role;
use cabildo_notify::{Handlers, Worker, WorkerConfig};
use cabildo_tenancy::testing::{council, fresh_tenancy};
use cabildo_tenancy::{Tenancy, Tenant};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn staff_see_participation_in_charts_and_csv_and_may_publish_a_summary() {
    let world = world().await;
    open_process(&world, "toledo", "plan", OPEN_RULES, 1).await;
    let mut ana = world.citizen("ana").await;
    ana.call(
        TOLEDO,
        "POST",
        "/api/v1/processes/plan/proposals",
        json!({"title": "Más bancos", "summary": "En la plaza"}),
    )
    .await;
    // Ana is a verified resident of the Casco Histórico (10,500 people).
    let toledo = world.council("toledo").await;
    let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
    sqlx::query("UPDATE users SET verified_at = now(), district_code = 'casco-historico' WHERE nickname = 'ana'")
        .execute(tx.conn())
        .await
        .expect("verify");
    tx.commit().await.expect("commit");

    let mut admin = world.citizen("jefa").staff(Role::Admin).await.browser;
    let page = admin.get(TOLEDO, "/staff/dashboard").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("href=\"/staff/dashboard\""),
        "in the staff menu"
    );
    assert!(
        page.body.contains("<svg class=\"columns\""),
        "weekly chart drawn on the server"
    );
    assert!(page.body.contains("Plan de participación"), "{}", page.body);
    assert!(
        page.body.contains("1 persona"),
        "one participant in the process"
    );
    assert!(
        page.body.contains("1 persona · 0 ‰ de 10.500 habitantes"),
        "{}",
        page.body
    );
    crate::accessibility::check(&mut admin, "/staff/dashboard").await;

    let weekly = admin.get(TOLEDO, "/staff/dashboard/weekly.csv").await;
    assert_eq!(weekly.status, StatusCode::OK);
    let lines: Vec<&str> = weekly.body.lines().collect();
    assert_eq!(
        lines[0],
        "week,participants,proposals,supports,comments,ballots"
    );
    assert_eq!(lines.len(), 27, "a header and 26 weeks");
    assert!(
        lines[26].ends_with(",1,1,0,0,0"),
        "this week: {}",
        lines[26]
    );
    let districts = admin.get(TOLEDO, "/staff/dashboard/districts.csv").await;
    assert!(
        districts
            .body
            .contains("casco-historico,Casco Histórico,10500,1,0"),
        "{}",
        districts.body
    );
    let people = admin
        .get(TOLEDO, "/staff/dashboard/people.csv?dialect=excel")
        .await;
    assert!(people.body.starts_with('\u{feff}'), "Excel's dialect");
    assert_eq!(
        admin
            .get(TOLEDO, "/staff/dashboard/secrets.csv")
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Not for citizens; each council its own figures.
    assert_ne!(
        ana.browser.get(TOLEDO, "/staff/dashboard").await.status,
        StatusCode::OK
    );
    let mut talavera = world
        .citizen("jefe")
        .on(TALAVERA)
        .staff(Role::Admin)
        .await
        .browser;
    let other = talavera
        .get(TALAVERA, "/staff/dashboard/processes.csv")
        .await;
    assert_eq!(
        other.body.trim(),
        "process,title,participants",
        "Talavera has none of Toledo's"
    );

    // The public summary, once switched on: no CSV, no names.
    let mut visitor = Browser::new(&world.app);
    assert_eq!(
        visitor.get(TOLEDO, "/participation").await.status,
        StatusCode::NOT_FOUND
    );
    let fields = crate::settings::form(&[("public_dashboard", "on")]);
    let saved = admin
        .submit(TOLEDO, "/staff/settings", "/staff/settings", &fields)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let public = visitor.get(TOLEDO, "/participation").await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.body.contains("Casco Histórico"));
    assert!(
        !public.body.contains(".csv") && !public.body.contains("@example"),
        "{}",
        public.body
    );
    assert_eq!(
        visitor.get(TALAVERA, "/participation").await.status,
        StatusCode::NOT_FOUND
    );
}

/// Queues `supports` supports by a new person of `tenant`, as the
/// supports' trigger does.
async fn supports(tenancy: &Tenancy, tenant: &Tenant, supports: i64) {
    let mut tx = tenancy.begin(tenant).await.expect("begin");
    sqlx::query(
        "WITH who AS (INSERT INTO users (email, name, email_confirmed_at)
                      VALUES ('ana@example.org', 'Ana', now()) RETURNING id)
         SELECT participation_record(who.id, now(), NULL, 'support') FROM who, generate_series(1, $1)",
    )
    .bind(supports)
    .execute(tx.conn())
    .await
    .expect("supports");
    tx.commit().await.expect("commit");
}

/// The council's queued acts and the supports its aggregates count,
/// read without folding.
async fn queue_and_counted(tenancy: &Tenancy, tenant: &Tenant) -> (i64, i64) {
    let mut tx = tenancy.begin(tenant).await.expect("begin");
    let read = sqlx::query_as(
        "SELECT (SELECT count(*) FROM participation_acts),
                (SELECT coalesce(sum(supports), 0)::int8 FROM participation_weeks)",
    )
    .fetch_one(tx.conn())
    .await
    .expect("read");
    tx.commit().await.expect("commit");
    read
}

#[tokio::test]
async fn the_worker_folds_every_councils_queue_once_a_day() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let toledo = council(&tenancy, "toledo").await.expect("toledo");
    let talavera = council(&tenancy, "talavera").await.expect("talavera");
    supports(&tenancy, &toledo, 3).await;
    supports(&tenancy, &talavera, 1).await;
    assert_eq!(queue_and_counted(&tenancy, &toledo).await, (3, 0));

    let today = time::OffsetDateTime::now_utc().date();
    let queued = dashboard::schedule_folds(&tenancy, today)
        .await
        .expect("schedule");
    assert_eq!(queued, 2, "one fold for each council");
    let again = dashboard::schedule_folds(&tenancy, today)
        .await
        .expect("schedule");
    assert_eq!(again, 0, "once a day");

    let worker = Worker::new(
        tenancy.clone(),
        Handlers::default().with(
            dashboard::FOLD_KIND,
            cabildo_web::DashboardFolds::new(tenancy.clone()),
        ),
        WorkerConfig {
            poll_interval: Duration::from_millis(100),
            ..WorkerConfig::default()
        },
    );
    let running = tokio::spawn(worker.run(std::future::pending()));
    let done = jobs_done(&tenancy, dashboard::FOLD_KIND, 2, Duration::from_secs(30)).await;
    running.abort();
    assert_eq!(done, 2, "both folds ran");
    assert_eq!(queue_and_counted(&tenancy, &toledo).await, (0, 3));
    assert_eq!(queue_and_counted(&tenancy, &talavera).await, (0, 1));
}
