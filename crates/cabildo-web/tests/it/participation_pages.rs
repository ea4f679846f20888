//! The participation pages without JavaScript: forms post, redirect back,
//! and the pages show what happened, escaped, in the visitor's language.

use crate::util::{Browser, OPEN_RULES, TOLEDO, World, csrf_of, logged_in, open_process, world};
use axum::http::{StatusCode, header};
use cabildo_engine::staff::Role;

async fn person(world: &World, nickname: &str) -> Browser {
    let mut browser = Browser::new(&world.app);
    let email = format!("{nickname}@example.org");
    logged_in(world, &mut browser, TOLEDO, nickname, &email, 1).await;
    browser
}

fn location(answer: &crate::util::Answer) -> String {
    answer.headers[header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned()
}

#[tokio::test]
async fn a_citizen_proposes_supports_comments_and_reports_with_plain_forms() {
    let world = world().await;
    open_process(&world, "toledo", "plan", OPEN_RULES, 1).await;

    // Anonymous visitors read, and are sent to log in to act.
    let mut visitor = Browser::new(&world.app);
    let list = visitor.get(TOLEDO, "/processes/plan/proposals").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body.contains("Ninguna propuesta coincide"),
        "empty state"
    );
    let new = visitor.get(TOLEDO, "/processes/plan/proposals/new").await;
    assert_eq!(new.status, StatusCode::SEE_OTHER);

    let mut ana = person(&world, "ana").await;
    let form = "/processes/plan/proposals/new";
    let short = ana
        .submit(
            TOLEDO,
            form,
            "/processes/plan/proposals",
            &[("title", "ab"), ("summary", ""), ("body", "Lo que escribí")],
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        short.body.contains("href=\"#p-summary\"")
            && short.body.contains("id=\"p-title-error\"")
            && short.body.contains("id=\"p-summary-error\""),
        "every refused field at once, in the summary and beside the field: {}",
        short.body
    );
    assert!(
        short.body.contains("Lo que escribí"),
        "what was typed is kept"
    );
    assert!(
        short
            .body
            .contains("Escribe un título de 3 a 200 caracteres"),
        "{}",
        short.body
    );
    assert!(
        short.body.contains("href=\"#p-title\""),
        "the error links to its field"
    );
    let created = ana
        .submit(
            TOLEDO,
            form,
            "/processes/plan/proposals",
            &[
                ("title", "<script>alert(1)</script> Fuentes"),
                ("summary", "Agua <b>fresca</b>"),
                ("body", "Primer párrafo.\n\nSegundo párrafo."),
                ("district", ""),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let page = location(&created);
    assert!(page.starts_with("/proposals/") && page.ends_with("?done=created"));
    let path = page.split('?').next().expect("path").to_owned();
    let shown = ana.get(TOLEDO, &page).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(
        shown
            .body
            .contains("&#60;script&#62;alert(1)&#60;/script&#62; Fuentes")
    );
    assert!(!shown.body.contains("<script>alert"), "never raw");
    assert!(shown.body.contains("Agua &#60;b&#62;fresca&#60;/b&#62;"));
    assert!(shown.body.contains("<p>Segundo párrafo.</p>"));
    assert!(shown.body.contains("Publicado. Gracias por participar."));
    assert!(
        shown.body.contains("Editar la propuesta"),
        "the author may edit"
    );

    // Another person supports it and comments; the form posts redirect back.
    let mut bea = person(&world, "bea").await;
    let support = bea
        .submit(
            TOLEDO,
            &path,
            &format!("{path}/support"),
            &[("support", "on")],
        )
        .await;
    assert_eq!(support.status, StatusCode::SEE_OTHER);
    let shown = bea.get(TOLEDO, &path).await;
    assert!(shown.body.contains("Apoyas esta propuesta."));
    assert!(shown.body.contains("1 de 3 apoyos necesarios"));
    let id = path.trim_start_matches("/proposals/");
    let comment = bea
        .submit(
            TOLEDO,
            &path,
            "/comments",
            &[
                ("target_kind", "proposal"),
                ("target_id", id),
                ("body", "Muy <i>buena</i> idea"),
                ("alignment", "1"),
            ],
        )
        .await;
    assert_eq!(comment.status, StatusCode::SEE_OTHER, "{}", comment.body);
    assert!(location(&comment).contains("#comment-"));
    let shown = ana.get(TOLEDO, &path).await;
    assert!(shown.body.contains("Muy &#60;i&#62;buena&#60;/i&#62; idea"));
    assert!(shown.body.contains("A favor"));
    let comment_id = location(&comment)
        .split("#comment-")
        .nth(1)
        .expect("id")
        .to_owned();

    // The author replies and votes; a refusal is a page, not an error.
    let reply = ana
        .submit(
            TOLEDO,
            &path,
            "/comments",
            &[
                ("target_kind", "proposal"),
                ("target_id", id),
                ("parent", &comment_id),
                ("body", "Gracias"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let vote = ana
        .submit(
            TOLEDO,
            &path,
            &format!("/comments/{comment_id}/vote"),
            &[("value", "1")],
        )
        .await;
    assert_eq!(vote.status, StatusCode::SEE_OTHER);
    let own = bea
        .submit(
            TOLEDO,
            &path,
            &format!("/comments/{comment_id}/vote"),
            &[("value", "1")],
        )
        .await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(own.body.contains("No puedes votar tu propio comentario"));
    let shown = ana.get(TOLEDO, &path).await;
    assert!(shown.body.contains("De acuerdo (1)"));
    assert!(
        shown.body.contains("class=\"comment depth-1"),
        "the reply is nested"
    );

    // Forged forms are refused.
    let forged = bea
        .post(
            TOLEDO,
            &format!("{path}/support"),
            &[("csrf_token", "forged"), ("support", "off")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    // Reporting, then the moderation queue.
    let report = bea
        .submit(
            TOLEDO,
            &path,
            "/reports",
            &[("kind", "proposal"), ("id", id), ("reason", "Es spam")],
        )
        .await;
    assert_eq!(report.status, StatusCode::OK);
    assert!(report.body.contains("La moderación lo revisará"));
    assert_eq!(
        bea.get(TOLEDO, "/staff/moderation").await.status,
        StatusCode::FORBIDDEN
    );
    let mut mod_ = person(&world, "moderadora").await;
    world
        .grant("toledo", "moderadora@example.org", Role::Moderator)
        .await;
    let queue = mod_.get(TOLEDO, "/staff/moderation").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(
        queue.body.contains("Es spam") && queue.body.contains("1 denuncia"),
        "{}",
        queue.body
    );
    let hide = mod_
        .submit(
            TOLEDO,
            "/staff/moderation",
            "/staff/moderation/decisions",
            &[("kind", "proposal"), ("id", id), ("decision", "hide")],
        )
        .await;
    assert_eq!(hide.status, StatusCode::SEE_OTHER);
    assert_eq!(
        visitor.get(TOLEDO, &path).await.status,
        StatusCode::NOT_FOUND,
        "hidden"
    );
    let queue = mod_.get(TOLEDO, "/staff/moderation?done=hidden").await;
    assert!(
        queue.body.contains("No hay denuncias abiertas") || queue.body.contains("Nada pendiente")
    );

    // My activity lists what Bea did.
    let activity = bea.get(TOLEDO, "/account/activity").await;
    assert_eq!(activity.status, StatusCode::OK);
    assert!(activity.body.contains("Apoyo") && activity.body.contains("Comentario"));
}

#[tokio::test]
async fn debates_search_and_the_home_page() {
    let world = world().await;
    open_process(&world, "toledo", "plan", OPEN_RULES, 1).await;
    let mut ana = person(&world, "ana").await;
    let created = ana
        .submit(
            TOLEDO,
            "/processes/plan/debates/new",
            "/processes/plan/debates",
            &[
                ("title", "¿Más árboles en las calles?"),
                ("body", "Sombra en verano"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let path = location(&created)
        .split('?')
        .next()
        .expect("path")
        .to_owned();
    let id = path.trim_start_matches("/debates/").to_owned();

    // Moderators pin and close; citizens cannot.
    let refused = ana
        .submit(
            TOLEDO,
            &path,
            &format!("/staff/debates/{id}"),
            &[("action", "close")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let mut boss = person(&world, "jefa").await;
    world.grant("toledo", "jefa@example.org", Role::Admin).await;
    for action in ["pin", "close"] {
        let done = boss
            .submit(
                TOLEDO,
                &path,
                &format!("/staff/debates/{id}"),
                &[("action", action)],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
    }
    let shown = ana.get(TOLEDO, &path).await;
    assert!(shown.body.contains("Destacado") && shown.body.contains("ya no admite comentarios"));
    let closed = ana
        .submit(
            TOLEDO,
            &path,
            "/comments",
            &[
                ("target_kind", "debate"),
                ("target_id", &id),
                ("body", "Tarde"),
            ],
        )
        .await;
    assert_eq!(closed.status, StatusCode::CONFLICT);
    let list = ana.get(TOLEDO, "/processes/plan/debates?sort=active").await;
    assert!(list.body.contains("¿Más árboles en las calles?"));

    // Search, with the match highlighted and the query escaped.
    let found = ana.get(TOLEDO, "/search?q=%C3%A1rbol+%3Cscript%3E").await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(
        found.body.contains("value=\"árbol &#60;script&#62;\""),
        "{}",
        found.body
    );
    let found = ana.get(TOLEDO, "/search?q=arboles").await;
    assert!(found.body.contains("<mark>"), "{}", found.body);

    // The home page: processes, the phase calendar and the latest proposals.
    ana.submit(
        TOLEDO,
        "/processes/plan/proposals/new",
        "/processes/plan/proposals",
        &[
            ("title", "Bancos a la sombra"),
            ("summary", "Para descansar"),
        ],
    )
    .await;
    let home = Browser::new(&world.app).get(TOLEDO, "/").await;
    assert!(home.body.contains("Calendario") && home.body.contains("Propuestas y debates"));
    assert!(home.body.contains("Bancos a la sombra"), "{}", home.body);
    let process = Browser::new(&world.app)
        .get(TOLEDO, "/processes/plan")
        .await;
    assert!(
        process
            .body
            .contains("/api/v1/processes/plan/open-data/proposals")
    );
    assert!(process.body.contains("aria-current=\"page\""));
    let csrf = csrf_of(&ana.get(TOLEDO, "/processes/plan").await.body);
    assert!(!csrf.is_empty());
}

#[tokio::test]
async fn a_process_page_shows_its_threads_once_it_has_some_and_lists_count_what_they_show() {
    let world = world().await;
    let process = open_process(&world, "toledo", "plan", OPEN_RULES, 1)
        .await
        .to_string();
    let mut visitor = Browser::new(&world.app);
    let page = visitor.get(TOLEDO, "/processes/plan").await;
    assert!(
        page.body.contains("Aún no hay comentarios"),
        "{}",
        page.body
    );
    // The process counts its threads: the first one shows.
    let mut bea = person(&world, "bea").await;
    let comment = bea
        .submit(
            TOLEDO,
            "/processes/plan",
            "/comments",
            &[
                ("target_kind", "process"),
                ("target_id", &process),
                ("body", "¿Y los parques?"),
            ],
        )
        .await;
    assert_eq!(comment.status, StatusCode::SEE_OTHER, "{}", comment.body);
    let page = visitor.get(TOLEDO, "/processes/plan").await;
    assert!(page.body.contains("¿Y los parques?"), "{}", page.body);
    assert!(page.body.contains("1 conversación"));
    let mut ana = person(&world, "ana").await;
    for title in ["Bancos a la sombra", "Fuentes en los parques"] {
        let proposed = ana
            .submit(
                TOLEDO,
                "/processes/plan/proposals/new",
                "/processes/plan/proposals",
                &[
                    ("title", title),
                    ("summary", "Para el verano"),
                    ("body", ""),
                ],
            )
            .await;
        assert_eq!(proposed.status, StatusCode::SEE_OTHER, "{}", proposed.body);
    }
    // The total is counted with the page; a page past the end counts apart.
    for (path, total) in [
        ("/processes/plan/proposals", "2 propuestas"),
        ("/processes/plan/proposals?page=2", "2 propuestas"),
        ("/processes/plan/proposals?status=accepted", "0 propuestas"),
    ] {
        let list = visitor.get(TOLEDO, path).await;
        assert!(list.body.contains(total), "{path}: {}", list.body);
    }
}
