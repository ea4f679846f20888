//! `/staff/settings`: admins change the site's languages, time zone,
//! colours (contrast checked), article and welcome, and its logo; bad
//! values are refused in words and change nothing; other councils and
//! other roles are untouched.

use crate::util::{Browser, PNG, TALAVERA, TOLEDO, upload, world};
use axum::http::StatusCode;
use cabildo_engine::staff::Role;

/// The settings form as Toledo's admin would send it, with `changes`.
pub fn form<'a>(changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("article", "el"),
        ("languages", "es"),
        ("languages", "en"),
        ("default_language", "es"),
        ("time_zone", "Europe/Madrid"),
        ("primary", "#8a1538"),
        ("accent", "#c9a227"),
        ("welcome-es", "Participa en las decisiones de tu ciudad."),
        ("welcome-en", "Take part in your city's decisions."),
        ("district_rows", "3"),
        ("d0_code", "casco-historico"),
        ("d0_name", "Casco Histórico"),
        ("d0_population", "10.500"),
        ("d1_code", "poligono"),
        ("d1_name", "Santa María de Benquerencia (Polígono)"),
        ("d1_population", "22000"),
    ];
    // Languages given replace the ticked ones.
    if changes.iter().any(|(name, _)| *name == "languages") {
        fields.retain(|(n, _)| *n != "languages");
    }
    for (name, value) in changes {
        match fields.iter_mut().find(|(n, _)| n == name) {
            Some(field) if *name != "languages" => field.1 = value,
            _ => fields.push((name, value)),
        }
    }
    fields
}

#[tokio::test]
async fn admins_change_the_site_settings_checked_in_words_and_applied_at_once() {
    let world = world().await;
    let mut admin = world.citizen("jefa").staff(Role::Admin).await.browser;
    let mut moderator = world.citizen("mod").staff(Role::Moderator).await.browser;
    let page = admin.get(TOLEDO, "/staff/settings").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("href=\"/staff/settings\""),
        "in the staff menu"
    );
    assert!(
        page.body.contains("tenants/toledo.toml"),
        "says the file applying overwrites: {}",
        page.body
    );
    assert_eq!(
        moderator.get(TOLEDO, "/staff/settings").await.status,
        StatusCode::FORBIDDEN
    );
    crate::accessibility::check(&mut admin, "/staff/settings").await;
    let mut visitor = Browser::new(&world.app);
    let theme =
        async |visitor: &mut Browser, host: &str| visitor.get(host, "/theme.css").await.body;

    // Refused in words, nothing changed, what was typed kept.
    for (changes, words) in [
        (vec![("primary", "#abcdef")], "1,7:1"),
        (vec![("time_zone", "Mars/Olympus")], "Europe/Madrid"),
        (vec![("languages", "")], "al menos un idioma"),
        (vec![("default_language", "gl")], "al menos un idioma"),
        (vec![("article", "lo")], "artículos de la lista"),
        (vec![("d0_population", "mucha")], "la población en cifras"),
        (vec![("d1_code", "polígono!")], "la población en cifras"),
    ] {
        let refused = admin
            .submit(
                TOLEDO,
                "/staff/settings",
                "/staff/settings",
                &form(&changes),
            )
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{changes:?}"
        );
        assert!(refused.body.contains(words), "{words} in {}", refused.body);
        assert!(refused.body.contains(changes[0].1), "typed value kept");
    }
    assert!(
        theme(&mut visitor, TOLEDO)
            .await
            .contains("--primary: #8a1538")
    );

    // Saved: the site uses it at once.
    let saved = admin
        .submit(
            TOLEDO,
            "/staff/settings",
            "/staff/settings",
            &form(&[
                ("languages", "es"),
                ("languages", "en"),
                ("languages", "ca"),
                ("time_zone", "Atlantic/Canary"),
                ("primary", "#1A4D2E"),
                (
                    "welcome-ca",
                    "Participa en les decisions de la teva ciutat.",
                ),
            ]),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert!(
        theme(&mut visitor, TOLEDO)
            .await
            .contains("--primary: #1a4d2e")
    );
    let catalan = visitor.get(TOLEDO, "/?lang=ca").await;
    assert!(
        catalan.body.contains("<html lang=\"ca\">")
            && catalan
                .body
                .contains("Participa en les decisions de la teva ciutat."),
        "{}",
        catalan.body
    );
    let done = admin.get(TOLEDO, "/staff/settings?done=saved").await;
    assert!(done.body.contains("Atlantic/Canary") && done.body.contains("Ajustes guardados"));
    // The districts listed are the council's now.
    let home = visitor.get(TOLEDO, "/?lang=es").await;
    assert!(home.body.contains("Casco Histórico") && !home.body.contains("Azucaica"));

    // A district a budget heading is for stays.
    let (_, _) = crate::util::budget(&world).await;
    let tenant = world.council("toledo").await;
    let mut tx = world.tenancy.begin(&tenant).await.expect("begin");
    sqlx::query(
        "INSERT INTO budget_headings (budget_id, name, district_code, amount_cents)
         SELECT id, 'Polígono', 'poligono', 5000 FROM budgets",
    )
    .execute(tx.conn())
    .await
    .expect("heading");
    tx.commit().await.expect("commit");
    let removed = admin
        .submit(
            TOLEDO,
            "/staff/settings",
            "/staff/settings",
            &form(&[("d1_code", ""), ("d1_name", "")]),
        )
        .await;
    assert_eq!(removed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        removed
            .body
            .contains("Un presupuesto tiene una partida para ese distrito"),
        "{}",
        removed.body
    );
    let audit = admin.get(TOLEDO, "/staff/audit").await;
    assert!(
        audit.body.contains("Cambió los ajustes del sitio"),
        "{}",
        audit.body
    );
    // Another council is untouched.
    assert!(
        theme(&mut visitor, TALAVERA)
            .await
            .contains("--primary: #1f5f8b")
    );

    // A logo: a picture is shown in the header; anything else is refused.
    let refused = upload(
        &mut admin,
        "/staff/settings",
        "/staff/settings/logo",
        &[],
        ("logo", b"<svg onload=alert(1)>"),
    )
    .await;
    assert!(refused.status.is_client_error(), "{}", refused.status);
    let saved = upload(
        &mut admin,
        "/staff/settings",
        "/staff/settings/logo",
        &[],
        ("logo", PNG),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let home = visitor.get(TOLEDO, "/").await;
    assert!(
        home.body.contains("<img class=\"logo\" src=\"/media/"),
        "{}",
        home.body
    );
    assert!(
        upload(
            &mut moderator,
            "/",
            "/staff/settings/logo",
            &[],
            ("logo", PNG)
        )
        .await
        .status
        .is_client_error()
    );
}

/// Admins see what setting the site up still needs, each item ticking
/// itself once done, with a link to where it is done; others do not.
#[tokio::test]
async fn the_set_up_checklist_ticks_itself_as_the_site_is_set_up() {
    let world = world().await;
    let mut admin = world.citizen("jefa").staff(Role::Admin).await.browser;
    let before = admin.get(TOLEDO, "/staff").await;
    // Toledo's TOML gives an article, colours, districts and legal contact;
    // no logo, census, reviewed settings or published process yet.
    assert!(before.body.contains("4 de 8 hechos"), "{}", before.body);
    for todo in [
        "href=\"/staff/settings#logo-heading\"",
        "href=\"/staff#census\"",
        "href=\"/staff/processes\">Publica el primer proceso",
    ] {
        assert!(before.body.contains(todo), "{todo} in {}", before.body);
    }
    // A coat of arms does for the "logo or coat of arms" item.
    upload(
        &mut admin,
        "/staff/settings",
        "/staff/settings/coat-of-arms",
        &[],
        ("coat-of-arms", PNG),
    )
    .await;
    crate::util::open_process(&world, "toledo", "plan", crate::util::OPEN_RULES, 1).await;
    let after = admin.get(TOLEDO, "/staff").await;
    assert!(after.body.contains("6 de 8 hechos"), "{}", after.body);
    assert!(!after.body.contains("href=\"/staff/settings#logo-heading\""));
    let mut moderator = world.citizen("mod").staff(Role::Moderator).await.browser;
    let theirs = moderator.get(TOLEDO, "/staff").await;
    assert!(!theirs.body.contains("onboarding-heading"));
}

/// The council's phone and social networks show in every page's footer;
/// its mail goes out under its sender name; a bad address is refused and
/// changes nothing.
#[tokio::test]
async fn contact_and_social_links_show_in_the_footer_and_mail_carries_the_sender_name() {
    let world = world().await;
    let mut admin = world.citizen("jefa").staff(Role::Admin).await.browser;
    let contact = [
        ("phone", "+34 925 33 00 00"),
        ("mail_sender", "Participa Toledo"),
        (
            "social-instagram",
            "https://www.instagram.com/toledo.example",
        ),
        ("social-mastodon", "https://mastodon.example/@toledo"),
    ];
    let saved = admin
        .submit(
            TOLEDO,
            "/staff/settings",
            "/staff/settings",
            &form(&contact),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    for (changes, words) in [
        (vec![("social-x", "javascript:alert(1)")], "https://"),
        (vec![("social-x", "http://x.com/toledo")], "https://"),
        (vec![("phone", "llámanos")], "cifras"),
        (
            vec![("mail_sender", "Toledo <admin@evil.example>")],
            "remitente",
        ),
    ] {
        let mut all = contact.to_vec();
        all.extend(changes.iter().copied());
        let refused = admin
            .submit(TOLEDO, "/staff/settings", "/staff/settings", &form(&all))
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{changes:?}"
        );
        assert!(refused.body.contains(words), "{words}: {}", refused.body);
    }
    let mut visitor = Browser::new(&world.app);
    let home = visitor.get(TOLEDO, "/").await;
    assert!(
        home.body.contains("href=\"tel:+34925330000\""),
        "{}",
        home.body
    );
    assert!(
        home.body
            .contains("href=\"https://www.instagram.com/toledo.example\"")
    );
    assert!(
        home.body
            .contains("href=\"https://mastodon.example/@toledo\"")
    );
    assert!(!home.body.contains("javascript:"));
    let other = visitor.get(TALAVERA, "/").await;
    assert!(
        !other.body.contains("instagram.com/toledo"),
        "Talavera's footer is its own"
    );

    crate::util::logged_in(
        &world,
        &mut visitor,
        TOLEDO,
        "vecina",
        "vecina@example.org",
        1,
    )
    .await;
    let mail = &world.mails_to("vecina@example.org")[0];
    assert!(
        mail.from.starts_with("\"Participa Toledo\" <"),
        "{}",
        mail.from
    );
}

/// A PNG header of `width`×`height` (enough for the size checks; the
/// pixels are never decoded).
fn png_of(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    bytes.extend(width.to_be_bytes());
    bytes.extend(height.to_be_bytes());
    bytes.extend([8, 6, 0, 0, 0, 0, 0, 0, 0]);
    bytes
}

/// The coat of arms shows on the home page (and in the header while there
/// is no logo); the site's icon must be square and large enough, and then
/// is what every page links to; Talavera keeps its drawn icon.
#[tokio::test]
async fn the_coat_of_arms_and_the_site_icon_are_uploaded_and_checked() {
    let world = world().await;
    let mut admin = world.citizen("jefa").staff(Role::Admin).await.browser;
    let mut visitor = Browser::new(&world.app);
    let page = admin.get(TOLEDO, "/staff/settings").await;
    assert!(page.body.contains("Todavía no hay escudo"), "{}", page.body);
    assert!(page.body.contains("Todavía no hay icono propio"));

    let saved = upload(
        &mut admin,
        "/staff/settings",
        "/staff/settings/coat-of-arms",
        &[],
        ("coat-of-arms", &png_of(300, 400)),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let home = visitor.get(TOLEDO, "/").await;
    assert!(
        home.body
            .contains("<img class=\"coat-of-arms\" src=\"/media/"),
        "{}",
        home.body
    );
    assert!(
        home.body.contains("<img class=\"logo\" src=\"/media/"),
        "the header shows the coat of arms while there is no logo"
    );

    // The drawn icon until one is uploaded.
    assert!(home.body.contains("<link rel=\"icon\" href=\"/favicon\">"));
    let drawn = visitor.get(TOLEDO, "/favicon").await;
    assert_eq!(drawn.status, StatusCode::OK);
    assert_eq!(drawn.headers["content-type"], "image/svg+xml");
    for (picture, words) in [
        (png_of(512, 256), "debe ser cuadrado"),
        (png_of(16, 16), "al menos 32 × 32"),
        (b"<svg onload=alert(1)>".to_vec(), "PNG"),
    ] {
        let refused = upload(
            &mut admin,
            "/staff/settings",
            "/staff/settings/favicon",
            &[],
            ("favicon", &picture),
        )
        .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{words}");
        assert!(refused.body.contains(words), "{words}: {}", refused.body);
    }
    assert_eq!(
        visitor.get(TOLEDO, "/favicon").await.status,
        StatusCode::OK,
        "unchanged"
    );
    let saved = upload(
        &mut admin,
        "/staff/settings",
        "/staff/settings/favicon",
        &[],
        ("favicon", &png_of(64, 64)),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let icon = visitor.get(TOLEDO, "/favicon").await;
    assert_eq!(icon.status, StatusCode::FOUND);
    let location = icon.headers["location"]
        .to_str()
        .expect("location")
        .to_owned();
    assert!(
        location.starts_with("/media/") && location.ends_with(".png"),
        "{location}"
    );
    let served = visitor.get(TOLEDO, &location).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.headers["content-type"], "image/png");

    // Other councils keep theirs; an unknown picture kind is no page.
    let theirs = visitor.get(TALAVERA, "/favicon").await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert_eq!(theirs.headers["content-type"], "image/svg+xml");
    assert_eq!(
        visitor.get(TALAVERA, &location).await.status,
        StatusCode::NOT_FOUND
    );
    let unknown = upload(
        &mut admin,
        "/staff/settings",
        "/staff/settings/banner",
        &[],
        ("banner", PNG),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let audit = admin.get(TOLEDO, "/staff/audit").await;
    assert!(
        audit.body.contains("Cambió el icono del sitio"),
        "{}",
        audit.body
    );
    assert!(audit.body.contains("Cambió el escudo"));
}

/// Districts come from a spreadsheet's CSV too: the list is replaced, the
/// home page shows it; a wrong line or code is explained and nothing
/// changes; Talavera's stay.
#[tokio::test]
async fn districts_are_loaded_from_a_file() {
    let world = world().await;
    let mut admin = world.citizen("jefa").staff(Role::Admin).await.browser;
    let mut visitor = Browser::new(&world.app);
    let before = admin.get(TOLEDO, "/staff/settings").await.body;
    let load = async |admin: &mut Browser, file: &[u8]| {
        upload(
            admin,
            "/staff/settings",
            "/staff/settings/districts",
            &[],
            ("districts", file),
        )
        .await
    };
    for (file, words) in [
        (
            &b"codigo;nombre;habitantes\nnorte;Norte\n"[..],
            "Línea 2: escribe el código",
        ),
        (
            b"norte;Norte;1000\nsur;Sur;muchos\n",
            "Línea 2: los habitantes",
        ),
        (b"", "no tiene ning"),
        (b"Norte!;Norte;1000\n", "Revisa los distritos"),
    ] {
        let refused = load(&mut admin, file).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{words}");
        assert!(refused.body.contains(words), "{words}: {}", refused.body);
    }
    assert_eq!(
        admin.get(TOLEDO, "/staff/settings").await.body,
        before,
        "nothing changed"
    );

    let file =
        "Código;Distrito;Habitantes\nnorte;Barrio Norte;12.000\nsur;\"Sur; Vega Baja\";8000\n";
    let loaded = load(&mut admin, file.as_bytes()).await;
    assert_eq!(loaded.status, StatusCode::SEE_OTHER, "{}", loaded.body);
    assert_eq!(loaded.headers["location"], "/staff/settings?done=districts");
    let page = admin
        .get(TOLEDO, "/staff/settings?done=districts")
        .await
        .body;
    assert!(page.contains("Distritos cargados desde el archivo"));
    assert!(page.contains("value=\"Sur; Vega Baja\""), "{page}");
    assert!(!page.contains("Casco Histórico"), "the list is replaced");
    let home = visitor.get(TOLEDO, "/").await.body;
    assert!(
        home.contains("Barrio Norte") && home.contains("Sur; Vega Baja"),
        "{home}"
    );
    let theirs = visitor.get(TALAVERA, "/").await.body;
    assert!(!theirs.contains("Barrio Norte"));
    let mut moderator = world.citizen("mod").staff(Role::Moderator).await.browser;
    let theirs = upload(
        &mut moderator,
        "/",
        "/staff/settings/districts",
        &[],
        ("districts", file.as_bytes()),
    )
    .await;
    assert_eq!(theirs.status, StatusCode::FORBIDDEN);
}
