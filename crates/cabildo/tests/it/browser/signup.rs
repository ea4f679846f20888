//! A council official goes from the platform's home to their own live
//! site, using only the browser: sign-up, the confirmation mail, the
//! welcome into the new site, then logo, colours, districts, census, a
//! published process, and paying for its plan after the trial. Every page
//! on the way is audited.

use super::{Visit, report};
use std::time::Instant;

/// A 1×1 PNG: the council's logo.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\0\x01\x01\0\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_council_signs_up_and_sets_up_its_live_site_in_chrome() {
    let mut visit = Visit::start().await;
    let files = visit.data_dir.join("uploads");
    std::fs::create_dir_all(&files).expect("folder");
    let logo = files.join("escudo.png");
    std::fs::write(&logo, PNG).expect("logo");
    let census = files.join("padron.csv");
    std::fs::write(
        &census,
        "documento;fecha_nacimiento;distrito\n12345678Z;01/02/1980;centro\n00000000T;15/06/1975;ensanche\n",
    )
    .expect("census");

    // The form, reached from the platform's home.
    visit.chrome.goto(&visit.platform("/?lang=es")).await;
    visit.chrome.click("main a[href=\"/signup\"]").await;
    let url = visit.platform("/signup");
    visit.audit("signup", &url).await;
    // The platform site speaks every interface language, not only the
    // suite's two.
    for lang in ["ca", "eu", "gl"] {
        visit.chrome.goto(&format!("{url}?lang={lang}")).await;
        visit.audit_shown(&format!("signup-{lang}")).await;
    }
    visit.chrome.goto(&format!("{url}?lang=es")).await;
    let chrome = &visit.chrome;
    // A first try with a taken address comes back with free ones.
    chrome.fill("#field-municipality", "Sonseca").await;
    chrome
        .fill("#field-council_name", "Ayuntamiento de Sonseca")
        .await;
    chrome.set("#field-article", "el").await;
    chrome.fill("#field-population", "11.000").await;
    chrome.fill("#field-slug", "toledo").await;
    chrome.fill("#field-name", "Lucía Gómez").await;
    chrome.fill("#field-email", "alcaldia@sonseca.es").await;
    chrome
        .fill("#field-password", "plaza de la villa 2027")
        .await;
    // The City plan (every feature, free during its trial): the council
    // offers every interface language below.
    chrome.tick("#plan-ciudad").await;
    chrome.tick("#field-accept_terms").await;
    chrome.click("main form button[type=submit]").await;
    let refused = chrome.text().await;
    assert!(
        refused.contains("Esa dirección ya está ocupada"),
        "{refused}"
    );
    visit.audit_shown("signup-taken").await;
    let chrome = &visit.chrome;
    chrome.fill("#field-slug", "sonseca").await;
    chrome
        .fill("#field-password", "plaza de la villa 2027")
        .await;
    chrome.click("main form button[type=submit]").await;
    let sent = chrome.text().await;
    assert!(sent.contains("Revisa tu correo"), "{sent}");
    visit.audit_shown("signup-sent").await;

    // The mail's link, its button, and the new site.
    let link = visit.link_in_mail("alcaldia@sonseca.es", &visit.platform("/signup/confirm"));
    visit.chrome.goto(&link).await;
    visit.audit_shown("signup-confirm").await;
    let started = Instant::now();
    visit.chrome.click("main form button[type=submit]").await;
    let site = format!("http://sonseca.localhost:{}", visit.port);
    let landed = visit.chrome.url().await;
    println!(
        "sign-up: from confirming to the new site's welcome in {:.2} s (browser included)",
        started.elapsed().as_secs_f64()
    );
    assert!(landed.starts_with(&format!("{site}/welcome")), "{landed}");
    visit.audit_shown("signup-welcome").await;
    visit.chrome.click("main form button[type=submit]").await;
    let staff = visit.chrome.text().await;
    assert!(
        visit
            .chrome
            .url()
            .await
            .starts_with(&format!("{site}/staff")),
        "signed in on the staff home"
    );
    assert!(staff.contains("Ayuntamiento de Sonseca"), "{staff}");

    // Colours, districts and the logo.
    let chrome = &visit.chrome;
    chrome.goto(&format!("{site}/staff/settings?lang=es")).await;
    chrome.set("#s-primary", "#7a1f2b").await;
    // Every interface language, so that the staff pages are audited in each.
    for lang in ["en", "ca", "eu", "gl"] {
        chrome.tick(&format!("#s-lang-{lang}")).await;
    }
    for (row, (code, name, population)) in [
        ("centro", "Centro", "6000"),
        ("ensanche", "Ensanche", "5000"),
    ]
    .into_iter()
    .enumerate()
    {
        chrome.fill(&format!("input[name=d{row}_code]"), code).await;
        chrome.fill(&format!("input[name=d{row}_name]"), name).await;
        chrome
            .fill(&format!("input[name=d{row}_population]"), population)
            .await;
    }
    chrome
        .click("form[action=\"/staff/settings\"] button[type=submit]")
        .await;
    let saved = chrome.text().await;
    assert!(saved.contains("Ajustes guardados"), "{saved}");
    chrome.fill("#s-logo", &logo.to_string_lossy()).await;
    chrome
        .click("form[action=\"/staff/settings/logo\"] button[type=submit]")
        .await;

    // The census.
    chrome.goto(&format!("{site}/staff")).await;
    chrome
        .fill("#field-census-file", &census.to_string_lossy())
        .await;
    chrome
        .click("form[action=\"/staff/census\"] button[type=submit]")
        .await;
    let preview = chrome.text().await;
    assert!(preview.contains("2 residentes"), "{preview}");
    chrome
        .click("form[action=\"/staff/census/confirm\"] button[type=submit]")
        .await;

    // A process with a phase, published.
    chrome.goto(&format!("{site}/staff/processes")).await;
    chrome.fill("#p-title", "Presupuestos de Sonseca").await;
    chrome.fill("#p-slug", "presupuestos").await;
    chrome
        .fill("#p-summary", "Decide en qué se invierte.")
        .await;
    chrome
        .fill("#p-description", "Propón y vota proyectos para tu barrio.")
        .await;
    chrome
        .click("form[action=\"/staff/processes\"] button[type=submit]")
        .await;
    chrome.fill("#f-title", "Propuestas").await;
    let today = time::OffsetDateTime::now_utc().date();
    let later = today + time::Duration::days(30);
    chrome.set("#f-start", &today.to_string()).await;
    chrome.set("#f-end", &later.to_string()).await;
    chrome.tick("#f-debates").await;
    chrome
        .click("form[action=\"/staff/phases\"] button[type=submit]")
        .await;
    chrome
        .click("form[action$=\"/publish\"] button[type=submit]")
        .await;

    // Every item of the checklist that these steps do is ticked.
    chrome.goto(&format!("{site}/staff?lang=es")).await;
    let done = chrome
        .client
        .execute(
            "return document.querySelectorAll('.checklist li.done').length",
            vec![],
        )
        .await
        .expect("checklist");
    assert!(
        done.as_u64().unwrap_or(0) >= 5,
        "logo, colours, districts, census, process: {done}"
    );

    // From the trial to the paid plan, through Stripe's Checkout (the
    // demo's fake Stripe: its page takes no card).
    chrome.goto(&format!("{site}/staff/billing?lang=es")).await;
    let trial = chrome.text().await;
    assert!(
        trial.contains("Tu plan: Ciudad") && trial.contains("El periodo de prueba termina el"),
        "{trial}"
    );
    visit.audit_shown("new-council-billing-trial").await;
    let chrome = &visit.chrome;
    chrome
        .click("form[action=\"/staff/billing/checkout\"]:has(input[value=\"ciudad\"]):has(input[value=\"monthly\"]) button")
        .await;
    let checkout = chrome.text().await;
    assert!(checkout.contains("Checkout (test mode)"), "{checkout}");
    chrome.click("#pay").await;
    let back = chrome.url().await;
    assert!(
        back.starts_with(&format!("{site}/staff/billing?checkout=done")),
        "{back}"
    );
    assert!(chrome.text().await.contains("Pago recibido"));
    // The webhooks come while the admin is on the way back.
    let deadline = Instant::now() + std::time::Duration::from_secs(20);
    loop {
        chrome.goto(&format!("{site}/staff/billing?lang=es")).await;
        let paid = chrome.text().await;
        if paid.contains("Pagado hasta el") {
            assert!(!paid.contains("periodo de prueba"), "{paid}");
            assert!(paid.contains("Gestionar el pago"), "{paid}");
            break;
        }
        assert!(Instant::now() < deadline, "never paid: {paid}");
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    visit.audit_shown("new-council-billing-paid").await;
    let chrome = &visit.chrome;

    // What citizens see: the council's logo, colours and process.
    chrome.goto(&format!("{site}/?lang=es")).await;
    let home = chrome.text().await;
    assert!(home.contains("Presupuestos de Sonseca"), "{home}");
    let branded = chrome
        .client
        .execute(
            "return [document.querySelector('header img') !== null,
                     getComputedStyle(document.querySelector('.site-header')).backgroundColor]",
            vec![],
        )
        .await
        .expect("branding");
    assert_eq!(
        branded,
        serde_json::json!([true, "rgb(122, 31, 43)"]),
        "logo and colour"
    );
    visit.audit_shown("new-council-home").await;
    // The settings and own-domain pages in the languages the demo
    // councils do not offer.
    for lang in ["ca", "eu", "gl"] {
        for (name, path) in [
            ("settings", "/staff/settings"),
            ("domains", "/staff/domains"),
            ("billing", "/staff/billing"),
            ("staff-meetings", "/staff/meetings"),
            ("staff-assemblies", "/staff/assemblies"),
            ("meetings", "/meetings"),
            ("assemblies", "/assemblies"),
            ("account", "/account"),
        ] {
            visit
                .chrome
                .goto(&format!("{site}{path}?lang={lang}"))
                .await;
            visit
                .audit_shown(&format!("new-council-{name}-{lang}"))
                .await;
        }
    }
    report(&visit.finish().await);
}
