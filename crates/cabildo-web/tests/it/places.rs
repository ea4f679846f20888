//! Places on the map: a proposal placed by clicking its form's map (no
//! script: the click comes back as the tile's coordinates and the form is
//! shown again, nothing saved until it is sent), a point typed wrong
//! refused with what was typed kept, a budget project placed by staff but
//! not by anyone else, the process's map listing both, and an assembly's
//! PDF documents; another council sees none of it.

use crate::util::{
    Browser, OPEN_RULES, TALAVERA, TOLEDO, budget, csrf_of, open_process, parse, upload,
};
use axum::http::{StatusCode, header};
use cabildo_engine::staff::Role;

/// The value of the field `name` in a page's HTML.
fn field(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    (body.split(&marker).nth(1))
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no field {name} in {body}"))
        .to_owned()
}

fn tiles() -> cabildo_web::WebConfig {
    cabildo_web::WebConfig {
        maps: Some(
            cabildo_web::MapTiles::new("http://127.0.0.1:9/{z}/{x}/{y}.png", "© Prueba")
                .expect("tiles"),
        ),
        ..cabildo_web::WebConfig::default()
    }
}

#[tokio::test]
async fn a_proposal_is_placed_by_clicking_its_map_and_shown_on_the_process_map() {
    let world = crate::util::world_with(tiles()).await;
    open_process(&world, "toledo", "plaza", OPEN_RULES, 1).await;
    open_process(&world, "talavera", "plaza", OPEN_RULES, 1).await;
    let mut lola = world.citizen("lola").await;
    let form = lola
        .browser
        .get(TOLEDO, "/processes/plaza/proposals/new")
        .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    // Nothing is placed in the council yet: the whole country, as tiles
    // that are image buttons, and the tile server allowed by the CSP.
    assert_eq!(field(&form.body, "map_z"), "5");
    assert_eq!(
        form.body.matches("<input type=\"image\" name=\"t").count(),
        4
    );
    let csp = form.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("csp");
    assert!(csp.contains("http://127.0.0.1:9"), "{csp}");
    let csrf = csrf_of(&form.body);
    let view = ["map_z", "map_x", "map_y"].map(|name| (name, field(&form.body, name)));
    let texts = [
        ("csrf_token", csrf.as_str()),
        ("title", "Bancos en la plaza"),
        ("summary", "Sombra y bancos."),
        ("address", "Plaza de Zocodover"),
    ];
    let with = |extra: &[(&'static str, String)]| {
        let mut all: Vec<(&str, String)> =
            texts.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
        all.extend(view.iter().map(|(k, v)| (*k, v.clone())));
        all.extend(extra.iter().cloned());
        all
    };
    let post = async |browser: &mut Browser, fields: Vec<(&str, String)>| {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        browser
            .post(TOLEDO, "/processes/plaza/proposals", &fields)
            .await
    };
    // A click in the second tile: the form again, as typed, with the
    // point marked and the map zoomed in on it; nothing saved.
    let clicked = post(
        &mut lola.browser,
        with(&[("t1.x", "40".into()), ("t1.y", "100".into())]),
    )
    .await;
    assert_eq!(clicked.status, StatusCode::OK, "{}", clicked.body);
    assert!(clicked.body.contains("value=\"Bancos en la plaza\""));
    assert_eq!(field(&clicked.body, "map_z"), "7");
    let (latitude, longitude) = (
        field(&clicked.body, "latitude"),
        field(&clicked.body, "longitude"),
    );
    let point: (f64, f64) = (
        latitude.parse().expect("latitude"),
        longitude.parse().expect("longitude"),
    );
    assert!(
        (-90.0..=90.0).contains(&point.0) && (-180.0..=180.0).contains(&point.1),
        "{point:?}"
    );
    assert!(
        clicked.body.contains("class=\"picker-marker\""),
        "the mark is shown"
    );
    let listed = lola.browser.get(TOLEDO, "/processes/plaza/proposals").await;
    assert!(
        !listed.body.contains("Bancos en la plaza"),
        "nothing saved yet"
    );
    // A point that is no point: refused, what was typed kept.
    let refused = post(
        &mut lola.browser,
        with(&[("latitude", "91".into()), ("longitude", "x".into())]),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("href=\"#p-point\""),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("value=\"Bancos en la plaza\""));
    // Sent (by Enter: the first image button at 0, 0): saved with its point.
    let sent = post(
        &mut lola.browser,
        with(&[
            ("latitude", latitude.clone()),
            ("longitude", longitude.clone()),
            ("t0.x", "0".into()),
            ("t0.y", "0".into()),
        ]),
    )
    .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let page_path = sent.headers[header::LOCATION]
        .to_str()
        .expect("location")
        .split('?')
        .next()
        .expect("path")
        .to_owned();
    let mut visitor = Browser::new(&world.app);
    let page = visitor.get(TOLEDO, &page_path).await;
    assert!(page.body.contains("class=\"map\""), "{}", page.body);
    assert!(page.body.contains("Plaza de Zocodover"));
    // The process's map: the proposal listed with its address, numbered
    // as the one marker; Talavera's has nothing of it.
    let map = visitor.get(TOLEDO, "/processes/plaza/map").await;
    assert_eq!(map.status, StatusCode::OK);
    assert!(map.body.contains("Bancos en la plaza") && map.body.contains("<circle"));
    assert!(map.body.contains(&format!("href=\"{page_path}\"")));
    let theirs = visitor.get(TALAVERA, "/processes/plaza/map").await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(!theirs.body.contains("Bancos en la plaza"));
    assert!(!theirs.body.contains("<circle"), "an empty state, no map");
    // The next form starts around what the council has placed.
    let next = lola
        .browser
        .get(TOLEDO, "/processes/plaza/proposals/new")
        .await;
    assert_eq!(field(&next.body, "map_z"), "13");
    // The API gives the place too.
    let id = page_path.trim_start_matches("/proposals/");
    let api = visitor
        .get(TOLEDO, &format!("/api/v1/proposals/{id}"))
        .await;
    let json = parse(&api.body);
    assert_eq!(json["address"], "Plaza de Zocodover");
    assert!((json["latitude"].as_f64().expect("latitude") - point.0).abs() < 1e-5);
}

#[tokio::test]
async fn staff_place_budget_projects_and_others_may_not() {
    let world = crate::util::world_with(tiles()).await;
    let (_, [project, ..]) = budget(&world).await;
    // Projects are being accepted: a project by the council (no author)
    // is shown to people logged in, who may not place it.
    let tenant = world.council("toledo").await;
    let mut tx = world.tenancy.begin(&tenant).await.expect("begin");
    sqlx::query(
        "UPDATE budgets SET accepting_at = now() - interval '1 day',
                reviewing_at = now() + interval '10 days', selecting_at = now() + interval '20 days',
                balloting_at = now() + interval '30 days', tallying_at = now() + interval '40 days',
                finished_at = now() + interval '50 days'",
    )
    .execute(tx.conn())
    .await
    .expect("accepting");
    tx.commit().await.expect("commit");
    let path = format!("/budget-projects/{project}/place");
    let mut lola = world.citizen("lola").await;
    let page = lola
        .browser
        .get(TOLEDO, &format!("/budget-projects/{project}"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(!page.body.contains(&path), "no link for a citizen");
    let forbidden = lola.browser.get(TOLEDO, &path).await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    let mut jefa = world.citizen("jefa").staff(Role::Admin).await;
    let form = jefa.browser.get(TOLEDO, &path).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let csrf = csrf_of(&form.body);
    let theirs = csrf_of(&lola.browser.get(TOLEDO, "/").await.body);
    let tried = (lola.browser)
        .post(
            TOLEDO,
            &path,
            &[("csrf_token", &theirs), ("address", "Parque")],
        )
        .await;
    assert_eq!(tried.status, StatusCode::FORBIDDEN, "{}", tried.body);
    let saved = (jefa.browser)
        .post(
            TOLEDO,
            &path,
            &[
                ("csrf_token", &csrf),
                ("address", "Parque de la Vega"),
                ("latitude", "39.8640"),
                ("longitude", "-4.0290"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let shown = Browser::new(&world.app)
        .get(TOLEDO, &format!("/budget-projects/{project}"))
        .await;
    assert!(shown.body.contains("class=\"map\"") && shown.body.contains("Parque de la Vega"));
    let map = Browser::new(&world.app)
        .get(TOLEDO, "/processes/presupuestos/map")
        .await;
    assert!(map.body.contains("Fuente A"), "{}", map.body);
    // The audit log names the change.
    let audit = jefa.browser.get(TOLEDO, "/staff/audit").await;
    assert!(
        audit
            .body
            .contains("Situó un proyecto de presupuestos en el mapa"),
        "{}",
        audit.body
    );
}

/// A small PDF document.
pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

/// A draft sector council "cultura" made by staff with `browser`: its
/// staff page and the CSRF token.
pub async fn new_assembly(browser: &mut Browser) -> (String, String) {
    let page = browser.get(TOLEDO, "/staff/assemblies").await;
    let csrf = csrf_of(&page.body);
    let created = browser
        .post(
            TOLEDO,
            "/staff/assemblies",
            &[
                ("csrf_token", &csrf),
                ("name", "Consejo de Cultura"),
                ("slug", "cultura"),
                ("kind", "sector"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let staff_page = created.headers[header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned();
    (staff_page, csrf)
}

#[tokio::test]
async fn staff_attach_pdf_documents_to_an_assembly_that_everyone_reads() {
    let world = crate::util::world().await;
    let mut jefa = world.citizen("jefa").staff(Role::Admin).await;
    let (staff_page, csrf) = new_assembly(&mut jefa.browser).await;
    let action = format!("{staff_page}/documents");
    let pdf = PDF;
    // Not a PDF: refused with why, nothing attached.
    let refused = upload(
        &mut jefa.browser,
        &staff_page,
        &action,
        &[("title", "Reglamento")],
        ("file", b"<html><script>alert(1)</script>"),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("PDF"), "{}", refused.body);
    // No title: refused, the file not kept.
    let untitled = upload(
        &mut jefa.browser,
        &staff_page,
        &action,
        &[("title", " ")],
        ("file", pdf),
    )
    .await;
    assert_eq!(
        untitled.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        untitled.body
    );
    let added = upload(
        &mut jefa.browser,
        &staff_page,
        &action,
        &[("title", "Reglamento del consejo")],
        ("file", pdf),
    )
    .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    let file = (added.body.split("href=\"/media/").nth(1))
        .and_then(|rest| rest.split('"').next())
        .expect("the document listed")
        .to_owned();
    assert!(file.ends_with(".pdf"));
    let published = (jefa.browser)
        .post(
            TOLEDO,
            &format!("{staff_page}/publish"),
            &[("csrf_token", &csrf)],
        )
        .await;
    assert!(published.status.is_success() || published.status.is_redirection());
    let mut visitor = Browser::new(&world.app);
    let public = visitor.get(TOLEDO, "/assemblies/cultura").await;
    assert!(
        public.body.contains("Reglamento del consejo") && public.body.contains("PDF, 1 kB"),
        "{}",
        public.body
    );
    let served = visitor.get(TOLEDO, &format!("/media/{file}")).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.headers[header::CONTENT_TYPE], "application/pdf");
    assert_eq!(served.body.as_bytes(), pdf);
    // Another council's host serves nothing of it.
    let elsewhere = visitor.get(TALAVERA, &format!("/media/{file}")).await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);
    // Removed: gone from the page and from storage.
    let staff_view = jefa.browser.get(TOLEDO, &staff_page).await;
    let document = (staff_view.body.split("/documents/").nth(1))
        .and_then(|rest| rest.split('/').next())
        .expect("a remove form")
        .to_owned();
    let removed = (jefa.browser)
        .post(
            TOLEDO,
            &format!("{staff_page}/documents/{document}/remove"),
            &[("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);
    assert!(
        !visitor
            .get(TOLEDO, "/assemblies/cultura")
            .await
            .body
            .contains("Reglamento")
    );
    assert_eq!(
        visitor.get(TOLEDO, &format!("/media/{file}")).await.status,
        StatusCode::NOT_FOUND
    );
}
