//! Legal pages: default texts filled from the council's details, linked
//! from every page and from the consent checkbox; admins replace them per
//! language; nobody else can, and another council never sees them.

use crate::util::{Browser, TALAVERA, TOLEDO, world};
use axum::http::StatusCode;
use cabildo_engine::staff::Role;

#[tokio::test]
async fn default_legal_pages_name_the_council_and_are_linked_from_every_page() {
    let world = world().await;
    let mut visitor = Browser::new(&world.app);
    for kind in [
        "legal-notice",
        "privacy",
        "terms",
        "accessibility",
        "cookies",
    ] {
        let page = visitor.get(TOLEDO, &format!("/legal/{kind}")).await;
        assert_eq!(page.status, StatusCode::OK, "{kind}");
        assert!(!page.body.contains('{'), "{kind}: placeholders are filled");
        let english = visitor.get(TOLEDO, &format!("/legal/{kind}?lang=en")).await;
        assert!(english.body.contains("<html lang=\"en\">"));
        assert_ne!(page.body, english.body, "{kind} has an English default");
    }
    let notice = visitor.get(TOLEDO, "/legal/legal-notice?lang=es").await;
    assert!(
        notice
            .body
            .contains("Plaza del Consistorio, 1, 45071 Toledo")
            && notice.body.contains("participa@toledo.example"),
        "the council's details fill the default: {}",
        notice.body
    );
    assert!(
        notice.body.contains("pendiente de publicar"),
        "a missing detail (the tax id) says so"
    );
    let cookies = visitor.get(TOLEDO, "/legal/cookies").await;
    assert!(cookies.body.contains("__Host-session") && cookies.body.contains("lang"));
    assert_eq!(
        visitor.get(TOLEDO, "/legal/nope").await.status,
        StatusCode::NOT_FOUND
    );

    for path in ["/", "/processes", "/account/login", "/search?q=x"] {
        let page = visitor.get(TOLEDO, path).await;
        for kind in [
            "legal-notice",
            "privacy",
            "terms",
            "accessibility",
            "cookies",
        ] {
            assert!(
                page.body.contains(&format!("href=\"/legal/{kind}\"")),
                "{path} links {kind}"
            );
        }
    }
    let register = visitor.get(TOLEDO, "/account/register").await;
    let consent = register
        .body
        .split("id=\"field-accept_terms\"")
        .nth(1)
        .and_then(|rest| rest.split("</div>").next())
        .expect("the consent checkbox");
    assert!(
        consent.contains("href=\"/legal/terms\"") && consent.contains("href=\"/legal/privacy\""),
        "{consent}"
    );
}

#[tokio::test]
async fn admins_replace_a_legal_text_per_language_and_only_they_can() {
    let world = world().await;
    let mut admin = world.citizen("jefa").staff(Role::Admin).await.browser;
    let mut moderator = world.citizen("mod").staff(Role::Moderator).await.browser;
    let editor = admin.get(TOLEDO, "/staff/legal/privacy").await;
    assert_eq!(editor.status, StatusCode::OK);
    assert!(
        editor.body.contains("name=\"text_es\"") && editor.body.contains("name=\"text_en\""),
        "one field per site language"
    );
    assert!(
        editor.body.contains("Plaza del Consistorio"),
        "prefilled with the default text"
    );

    let own = "# Política de privacidad\n\nEl Ayuntamiento trata tus datos para gestionar tu participación.";
    let saved = admin
        .submit(
            TOLEDO,
            "/staff/legal/privacy",
            "/staff/legal/privacy",
            &[("text_es", own), ("text_en", "")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert!(saved.body.contains("Textos guardados"));

    let mut visitor = Browser::new(&world.app);
    let spanish = visitor.get(TOLEDO, "/legal/privacy?lang=es").await;
    assert!(spanish.body.contains("gestionar tu participación"));
    let english = visitor.get(TOLEDO, "/legal/privacy?lang=en").await;
    assert!(
        english.body.contains("lang=\"es\"") && english.body.contains("gestionar tu participación"),
        "an English reader gets the council's own text, marked as Spanish: {}",
        english.body
    );
    assert!(english.body.contains("not yet available in your language"));
    let terms = visitor.get(TOLEDO, "/legal/terms?lang=es").await;
    assert!(!terms.body.contains("gestionar tu participación"));

    // Too long: refused with a message, the saved text kept.
    let huge = "a".repeat(100_001);
    let refused = admin
        .submit(
            TOLEDO,
            "/staff/legal/privacy",
            "/staff/legal/privacy",
            &[("text_es", &huge)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("error-summary"));
    let kept = visitor.get(TOLEDO, "/legal/privacy?lang=es").await;
    assert!(kept.body.contains("gestionar tu participación"));

    // Not for moderators, nor for anyone anonymous.
    let forbidden = moderator
        .submit(
            TOLEDO,
            "/staff/moderation",
            "/staff/legal/privacy",
            &[("text_es", "# Otra")],
        )
        .await;
    assert_ne!(forbidden.status, StatusCode::OK);
    assert!(
        !visitor
            .get(TOLEDO, "/legal/privacy?lang=es")
            .await
            .body
            .contains("# Otra")
    );
    assert_ne!(
        Browser::new(&world.app)
            .get(TOLEDO, "/staff/legal/privacy")
            .await
            .status,
        StatusCode::OK
    );

    // Another council keeps its own default.
    let talavera = visitor.get(TALAVERA, "/legal/privacy?lang=es").await;
    assert_eq!(talavera.status, StatusCode::OK);
    assert!(!talavera.body.contains("gestionar tu participación"));

    // Emptied: back to the default.
    let reset = admin
        .submit(
            TOLEDO,
            "/staff/legal/privacy",
            "/staff/legal/privacy",
            &[("text_es", "")],
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK);
    assert!(
        !visitor
            .get(TOLEDO, "/legal/privacy?lang=es")
            .await
            .body
            .contains("gestionar tu participación")
    );
    let audit = admin.get(TOLEDO, "/staff").await;
    assert!(audit.body.contains("Cambió un texto legal"));
}
