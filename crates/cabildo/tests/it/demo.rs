//! `cabildo demo` end to end: the real binary brings up the demo councils,
//! catches the mail it sends, stops cleanly on SIGTERM, and reuses its data
//! on the next run.

use crate::support::{Demo, cabildo, http_get, run};
use std::time::{Duration, Instant};

#[test]
fn the_demo_serves_both_councils_and_the_platform_catches_mail_then_stops_cleanly() {
    let data_dir = std::env::temp_dir().join(format!("cabildo-demo-{}", uuid::Uuid::new_v4()));
    let port = cabildo_devkit::free_port().expect("port");
    let mut demo = Demo::start(&data_dir, port);
    demo.wait_ready(port);

    let (status, toledo) =
        http_get(port, &format!("toledo.localhost:{port}"), "/").expect("toledo");
    assert_eq!(status, 200);
    assert!(toledo.contains("Ayuntamiento de Toledo") && toledo.contains("Casco Histórico"));
    assert!(toledo.contains("lang=\"es\"") && toledo.contains("hreflang=\"en\""));
    assert!(
        toledo.contains("Plan para impulsar la participación ciudadana"),
        "the demo process is on the home page"
    );
    let (status, proposals) = http_get(
        port,
        &format!("toledo.localhost:{port}"),
        "/processes/plan-participacion/proposals",
    )
    .expect("proposals");
    assert_eq!(status, 200);
    assert!(
        proposals.contains("Puntos de información en los mercados")
            && proposals.contains("Ha alcanzado sus apoyos"),
        "{proposals}"
    );
    let (status, budget) = http_get(
        port,
        &format!("toledo.localhost:{port}"),
        "/processes/plan-participacion/budget",
    )
    .expect("budget");
    assert_eq!(status, 200);
    assert!(
        budget.contains("Presupuestos participativos 2027")
            && budget.contains("Votación")
            && budget.contains("/budget-headings/"),
        "the demo budget is open for voting: {budget}"
    );
    // Last year's budget is finished: results, and the winners' execution.
    let host = format!("toledo.localhost:{port}");
    let (status, past) =
        http_get(port, &host, "/processes/presupuestos-2026/budget").expect("past budget");
    assert_eq!(status, 200);
    let heading = past
        .split("/budget-headings/")
        .nth(1)
        .and_then(|rest| rest.get(..36))
        .expect("a heading")
        .to_owned();
    let (status, results) =
        http_get(port, &host, &format!("/budget-headings/{heading}/results")).expect("results");
    assert_eq!(status, 200, "{results}");
    assert!(
        results.contains("<ol class=\"bar-chart\"") && results.contains("Financiado"),
        "{results}"
    );
    let (status, projects) = http_get(
        port,
        &host,
        &format!("/api/v1/budget-headings/{heading}/projects"),
    )
    .expect("projects");
    assert_eq!(status, 200);
    assert!(
        projects.contains("\"execution_status\":\"done\"")
            && projects.contains("\"execution_status\":\"in_progress\""),
        "the winners' works are tracked: {projects}"
    );
    let (status, talavera) =
        http_get(port, &format!("talavera.localhost:{port}"), "/").expect("talavera");
    assert_eq!(status, 200);
    assert!(talavera.contains("Talavera de la Reina") && !talavera.contains("Casco Histórico"));
    let (status, platform) = http_get(port, &format!("localhost:{port}"), "/").expect("platform");
    assert_eq!(status, 200);
    assert!(platform.contains("Cabildo"));
    let (status, unknown) =
        http_get(port, &format!("madrid.localhost:{port}"), "/").expect("unknown");
    assert_eq!(status, 404);
    assert!(!unknown.contains("madrid"));

    // Mail: queued through the CLI, sent by the in-process worker to the
    // local catcher, shown by the demo mailbox.
    let (status, empty) =
        http_get(port, &format!("localhost:{port}"), "/_demo/mail").expect("mailbox");
    assert_eq!(status, 200);
    assert!(empty.contains("No mail yet"));
    let output = demo.output();
    assert!(
        output.contains("Census of toledo: 20 residents")
            && output.contains("Census of talavera: 20 residents"),
        "the demo loads its synthetic census: {output}"
    );
    assert!(
        output.contains("Demo admin of toledo: admin@toledo.example / cabildo demo 2026"),
        "the demo has an admin to log in with: {output}"
    );
    let database_url = output
        .lines()
        .find_map(|l| l.strip_prefix("Database: "))
        .and_then(|l| l.split_whitespace().next())
        .expect("the demo prints its database URL")
        .to_owned();
    let queued = run(cabildo().env("DATABASE_URL", &database_url).args([
        "mail",
        "test",
        "--tenant",
        "toledo",
        "--to",
        "ana@example.org",
    ]));
    assert!(queued.ok, "{}", queued.stderr);
    let deadline = Instant::now() + Duration::from_secs(30);
    let mail = loop {
        let (_, json) =
            http_get(port, &format!("localhost:{port}"), "/_demo/mail.json").expect("json");
        if json.contains("ana@example.org") {
            break json;
        }
        assert!(
            Instant::now() < deadline,
            "the test mail never arrived: {json}"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(mail.contains("Mensaje de prueba de Cabildo"), "{mail}");
    assert!(
        mail.contains(&format!("http://toledo.localhost:{port}/")),
        "{mail}"
    );
    let (_, page) = http_get(port, &format!("localhost:{port}"), "/_demo/mail").expect("mailbox");
    assert!(
        page.contains("Mensaje de prueba de Cabildo")
            && page.contains(&format!("href=\"http://toledo.localhost:{port}/\""))
    );
    let (status, html) =
        http_get(port, &format!("localhost:{port}"), "/_demo/mail/0").expect("html part");
    assert_eq!(status, 200);
    assert!(
        html.contains("Ayuntamiento de Toledo") && html.contains("#8a1538"),
        "branded"
    );

    let first_run = demo.stop();
    assert!(first_run.contains("toledo: created"), "{first_run}");
    assert!(first_run.contains("Demo process of toledo: /processes/plan-participacion"));
    assert!(
        !data_dir.join("postgres/data/postmaster.pid").exists(),
        "PostgreSQL was stopped"
    );

    // Again: the data is reused.
    let mut demo = Demo::start(&data_dir, port);
    demo.wait_ready(port);
    let (status, _) = http_get(port, &format!("toledo.localhost:{port}"), "/").expect("toledo");
    assert_eq!(status, 200);
    let second_run = demo.stop();
    assert!(second_run.contains("toledo: updated"), "{second_run}");
    assert!(!second_run.contains("Demo process of"), "created once");
    let _ = std::fs::remove_dir_all(&data_dir);
}
