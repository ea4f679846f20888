//! An assembly's meeting in Chrome, from staff creating the assembly to
//! the minutes: a member added, a meeting planned and published, a person
//! registering and reading their entry code, the code checked at the
//! door, the minutes published with an agreement that decides on a
//! proposal, and both pages linking each other; every page audited.

use super::{Visit, first_proposal, report};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_assembly_meeting_is_registered_for_attended_and_minuted_in_chrome() {
    let mut visit = Visit::start().await;
    let proposal = first_proposal(&visit).await;
    let chrome = &visit.chrome;
    chrome.goto(&visit.toledo("/assemblies?lang=es")).await;
    visit
        .log_in("admin@toledo.example", "cabildo demo 2026")
        .await;
    let chrome = &visit.chrome;

    // An assembly with a member.
    chrome.goto(&visit.toledo("/staff/assemblies")).await;
    chrome.fill("#a-name", "Consejo de Movilidad").await;
    chrome.fill("#a-slug", "consejo-movilidad").await;
    chrome.tick("#a-kind-sector").await;
    chrome
        .fill("#a-purpose", "Calles para caminar y pedalear.")
        .await;
    chrome
        .click("form[action=\"/staff/assemblies\"] button[type=submit]")
        .await;
    let staff_assembly = chrome.url().await;
    assert!(
        staff_assembly.contains("/staff/assemblies/"),
        "{staff_assembly}"
    );
    chrome
        .click("form[action$=\"/publish\"] button[type=submit]")
        .await;
    chrome.fill("#mb-name", "Rosa Delgado").await;
    chrome.set("#mb-role", "president").await;
    chrome
        .click("form[action$=\"/members\"] button[type=submit]")
        .await;
    let added = chrome.text().await;
    assert!(added.contains("Rosa Delgado"), "{added}");
    // Its rules, as a PDF everyone can read.
    let rules = std::env::temp_dir().join(format!("reglamento-{}.pdf", std::process::id()));
    std::fs::write(
        &rules,
        b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n",
    )
    .expect("pdf");
    chrome.fill("#doc-title", "Reglamento del consejo").await;
    chrome.fill("#doc-file", &rules.to_string_lossy()).await;
    chrome
        .click("form[action$=\"/documents\"] button[type=submit]")
        .await;
    let attached = chrome.text().await;
    assert!(
        attached.contains("Reglamento del consejo (PDF, 1 kB"),
        "{attached}"
    );

    // A meeting in three days at 19:00, published at once, its place
    // chosen by a click on the map: the form comes back with the point
    // marked and nothing saved.
    chrome.goto(&visit.toledo("/staff/meetings")).await;
    chrome.click("input[type=image][name=t3]").await;
    let marked = chrome.text().await;
    assert!(marked.contains("Marcado en el mapa"), "{marked}");
    assert!(
        !marked.contains("Pleno de movilidad"),
        "a click saves nothing"
    );
    chrome
        .client
        .execute("document.querySelector('.picker').scrollIntoView()", vec![])
        .await
        .expect("scroll");
    visit.audit_shown("staff-meeting-place").await;
    let chrome = &visit.chrome;
    let host = chrome
        .client
        .execute(
            "return [...document.querySelectorAll('#m-host option')]
                .find(o => o.textContent === 'Consejo de Movilidad').value",
            vec![],
        )
        .await
        .expect("host option");
    chrome
        .set("#m-host", host.as_str().expect("host value"))
        .await;
    chrome.fill("#m-title", "Pleno de movilidad").await;
    chrome
        .fill("#m-agenda", "Carril bici\nRuegos y preguntas")
        .await;
    let zone = cabildo_tenancy::Zone::named("Europe/Madrid").expect("zone");
    let now = time::OffsetDateTime::now_utc();
    let day = zone.local(now + time::Duration::days(3)).date().to_string();
    chrome.set("#m-day", &day).await;
    chrome.set("#m-starts", "19:00").await;
    chrome.set("#m-ends", "20:30").await;
    chrome
        .fill("#m-place", "Centro cívico, Calle Real 1, Toledo")
        .await;
    chrome.fill("#m-capacity", "30").await;
    chrome.tick("#m-publish").await;
    chrome
        .click("form[action=\"/staff/meetings\"] button[type=submit]:not([name=map])")
        .await;
    let staff_meeting = chrome.url().await;
    let id = staff_meeting
        .rsplit("/staff/meetings/")
        .next()
        .expect("meeting id")
        .to_owned();
    let path = format!("/meetings/{id}");

    // Its page shows the place on a map drawn from the tile server, which
    // its CSP lets load (blocked images leave no resource entry).
    chrome.goto(&visit.toledo(&path)).await;
    let tiles = chrome
        .client
        .execute(
            "return performance.getEntriesByType('resource')
                .filter(e => e.name.startsWith(arguments[0])).length",
            vec![serde_json::json!(format!(
                "http://127.0.0.1:{}/",
                visit.demo.tiles
            ))],
        )
        .await
        .expect("tiles");
    assert!(
        tiles.as_u64().unwrap_or(0) >= 4,
        "map tiles loaded: {tiles}"
    );

    // The admin registers like anyone and reads the entry code.
    chrome
        .click(&format!("form[action=\"{path}/register\"] button"))
        .await;
    let code = chrome
        .client
        .execute(
            "return document.querySelector('.entry-code').textContent",
            vec![],
        )
        .await
        .expect("entry code");
    let code = code.as_str().expect("code").replace(' ', "");
    assert_eq!(code.len(), 8, "{code}");
    visit.audit_shown("meeting-registered").await;

    // At the door.
    let chrome = &visit.chrome;
    chrome.goto(&staff_meeting).await;
    chrome.fill("#code", &code.to_lowercase()).await;
    chrome
        .click("form[action$=\"/check-in\"] button[type=submit]")
        .await;
    let checked = chrome.text().await;
    assert!(checked.contains("tiene plaza"), "{checked}");
    visit.audit_shown("staff-meeting-door").await;

    // It began an hour ago (the secretary corrects the time), and the
    // minutes are published with an agreement on a proposal.
    let chrome = &visit.chrome;
    let began = zone.local(now - time::Duration::hours(1));
    let ends = zone.local(now + time::Duration::hours(1));
    chrome.tick("#edit-meeting summary").await;
    chrome.set("#m-day", &began.date().to_string()).await;
    chrome
        .set(
            "#m-starts",
            &format!("{:02}:{:02}", began.hour(), began.minute()),
        )
        .await;
    chrome
        .set(
            "#m-ends",
            &format!("{:02}:{:02}", ends.hour(), ends.minute()),
        )
        .await;
    chrome
        .click(&format!(
            "form[action=\"/staff/meetings/{id}\"] button[type=submit]:not([name=map])"
        ))
        .await;
    chrome
        .fill(
            "#minutes",
            "Asisten 12 personas.\n\nSe trata el carril bici.",
        )
        .await;
    chrome
        .fill(
            "#agreement-0",
            "Se pide al Ayuntamiento estudiar la propuesta.",
        )
        .await;
    chrome.fill("#proposal-0", &visit.toledo(&proposal)).await;
    chrome
        .click("form[action$=\"/minutes\"] button[type=submit]")
        .await;
    let published = chrome.text().await;
    assert!(published.contains("están publicados"), "{published}");

    // The public page and the proposal link each other.
    chrome.goto(&visit.toledo(&path)).await;
    let links = chrome.links().await;
    assert!(links.contains(&proposal), "{links:?}");
    chrome
        .goto(&visit.toledo("/assemblies/consejo-movilidad"))
        .await;
    assert!(chrome.text().await.contains("Reglamento del consejo"));
    chrome.goto(&visit.toledo(&path)).await;
    assert!(chrome.text().await.contains("Asisten 12 personas."));
    chrome.goto(&visit.toledo(&proposal)).await;
    assert!(
        chrome.links().await.contains(&path),
        "the proposal links the meeting"
    );

    let staff_assembly_path = staff_assembly
        .split_once(&format!(":{}", visit.port))
        .map_or(staff_assembly.clone(), |(_, p)| p.to_owned());
    let staff_path = format!("/staff{path}");
    for (name, page) in [
        ("meeting-minuted", path.as_str()),
        ("assembly-new", "/assemblies/consejo-movilidad"),
        ("staff-assemblies", "/staff/assemblies"),
        ("staff-assembly", staff_assembly_path.as_str()),
        ("staff-meetings", "/staff/meetings"),
        ("staff-meeting", staff_path.as_str()),
        ("account", "/account"),
    ] {
        let url = visit.toledo(page);
        visit.audit(name, &url).await;
    }
    report(&visit.finish().await);
}
