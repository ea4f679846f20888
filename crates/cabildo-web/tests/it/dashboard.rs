//! The participation dashboard: staff see who takes part week by week,
//! per district against its population, per process, registered against
//! verified, and newsletter reach, each as CSV too; the public summary
//! exists only once the council switches it on; each council sees only
//! its own figures.

use crate::util::{Browser, OPEN_RULES, TALAVERA, TOLEDO, open_process, world};
use axum::http::StatusCode;
use cabildo_engine::staff::Role;
use serde_json::json;

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
