//! Debates, proposals, supports, comments, votes, follows, reports,
//! search and open data over the JSON API, against real PostgreSQL: the
//! flows, the rules, concurrency, hostile input and isolation.

use crate::util::{
    Browser, OPEN_RULES, TALAVERA, TOLEDO, anonymous, assert_refused, count_notifications,
    open_process, send, world,
};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use cabildo_engine::processes::{Rules, Who};
use cabildo_engine::staff::{Actor, Role};
use serde_json::{Value, json};

#[tokio::test]
async fn proposals_are_made_listed_supported_once_and_qualify() {
    let world = world().await;
    open_process(&world, "toledo", "plan", OPEN_RULES, 1).await;
    let mut ana = world.citizen("ana").await;
    let (status, proposal) = ana
        .call(TOLEDO, "POST", "/api/v1/processes/plan/proposals",
              json!({"title": "<script>alert(1)</script> Más bancos", "summary": "=cmd|' /C calc'!A0", "body": "En la plaza", "district": null}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{proposal}");
    assert_eq!(
        proposal["title"], "<script>alert(1)</script> Más bancos",
        "JSON carries text as text"
    );
    assert_eq!(proposal["supports_count"], 0);
    assert_eq!(proposal["threshold"], 3);
    let id = proposal["id"].as_str().expect("id").to_owned();

    // Anyone reads it; the list has it.
    let (status, read) = anonymous(&world, TOLEDO, &format!("/api/v1/proposals/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read["author"], "ana");
    let (_, list) = anonymous(
        &world,
        TOLEDO,
        "/api/v1/processes/plan/proposals?sort=newest",
    )
    .await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["proposals"][0]["id"], id.as_str());

    // Supporting twice counts once: 201 then 200.
    let mut bea = world.citizen("bea").await;
    let support = format!("/api/v1/proposals/{id}/support");
    let (status, first) = bea.call(TOLEDO, "POST", &support, Value::Null).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["supports_count"], 1);
    let (status, again) = bea.call(TOLEDO, "POST", &support, Value::Null).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["supports_count"], 1);

    // 50 parallel supports by one person: exactly one.
    let mut carla = world.citizen("carla").await;
    let cookie = carla.browser.cookie_header(TOLEDO);
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let request = Request::post(&support)
            .header(header::HOST, TOLEDO)
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-csrf-token", &carla.csrf)
            .body(Body::empty())
            .expect("request");
        let app = world.app.clone();
        tasks.push(tokio::spawn(
            async move { send(&app, request).await.status },
        ));
    }
    let mut created = 0;
    for task in tasks {
        let status = task.await.expect("task");
        assert!(
            status == StatusCode::CREATED || status == StatusCode::OK,
            "{status}"
        );
        created += usize::from(status == StatusCode::CREATED);
    }
    assert_eq!(created, 1, "one of the parallel supports adds it");
    let (_, read) = anonymous(&world, TOLEDO, &format!("/api/v1/proposals/{id}")).await;
    assert_eq!(read["supports_count"], 2);
    assert_eq!(read["qualified"], false);

    // Withdrawing a support and giving it again.
    let (status, taken) = carla.call(TOLEDO, "DELETE", &support, Value::Null).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(taken["supports_count"], 1);
    carla.call(TOLEDO, "POST", &support, Value::Null).await;

    // The third support reaches the threshold: the author hears of it once.
    let mut dani = world.citizen("dani").await;
    let (_, third) = dani.call(TOLEDO, "POST", &support, Value::Null).await;
    assert_eq!(third["supports_count"], 3);
    let (_, read) = anonymous(&world, TOLEDO, &format!("/api/v1/proposals/{id}")).await;
    assert_eq!(read["qualified"], true);
    assert_eq!(
        count_notifications(&world, "toledo", "ana", "proposal.qualified").await,
        1
    );
    dani.call(TOLEDO, "DELETE", &support, Value::Null).await;
    dani.call(TOLEDO, "POST", &support, Value::Null).await;
    assert_eq!(
        count_notifications(&world, "toledo", "ana", "proposal.qualified").await,
        1,
        "once"
    );
    let (_, qualified) = anonymous(
        &world,
        TOLEDO,
        "/api/v1/processes/plan/proposals?qualified=true",
    )
    .await;
    assert_eq!(qualified["total"], 1);
    // Past the threshold, the page no longer reads "3 of 3 needed".
    let page = Browser::new(&world.app)
        .get(TOLEDO, &format!("/proposals/{id}?lang=es"))
        .await;
    assert!(
        page.body.contains("Apoyos: 3 (necesitaba 3)"),
        "{}",
        page.body
    );

    // The stored count equals the supports stored.
    let tenant = world.council("toledo").await;
    let mut tx = world.tenancy.begin(&tenant).await.expect("begin");
    let (stored, counted): (i64, i32) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM supports), (SELECT supports_count FROM proposals)",
    )
    .fetch_one(tx.conn())
    .await
    .expect("counts");
    tx.commit().await.expect("commit");
    assert_eq!(stored, i64::from(counted));

    // Only the author edits and withdraws; then no more supports.
    let edit = format!("/api/v1/proposals/{id}");
    let (status, refused) = bea
        .call(
            TOLEDO,
            "PATCH",
            &edit,
            json!({"title": "Mío", "summary": "No"}),
        )
        .await;
    assert_refused(&(status, refused), StatusCode::FORBIDDEN, "not_author");
    let (status, edited) = ana
        .call(
            TOLEDO,
            "PATCH",
            &edit,
            json!({"title": "Más bancos en la plaza", "summary": "Sombra"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["title"], "Más bancos en la plaza");
    let (status, _) = ana
        .call(
            TOLEDO,
            "POST",
            &format!("/api/v1/proposals/{id}/withdrawal"),
            Value::Null,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut eva = world.citizen("eva").await;
    let (status, closed) = eva.call(TOLEDO, "POST", &support, Value::Null).await;
    assert_refused(&(status, closed), StatusCode::CONFLICT, "closed");
}

#[tokio::test]
async fn the_rules_refuse_with_clear_codes() {
    let world = world().await;
    let verified_only = Rules {
        support: Who::Verified,
        ..OPEN_RULES
    };
    open_process(&world, "toledo", "plan", verified_only, 1).await;
    // A process whose phase ended a while ago.
    open_process(&world, "toledo", "pasado", OPEN_RULES, 60).await;
    let mut ana = world.citizen("ana").await;
    let (_, proposal) = ana
        .call(
            TOLEDO,
            "POST",
            "/api/v1/processes/plan/proposals",
            json!({"title": "Fuentes", "summary": "Agua"}),
        )
        .await;
    let id = proposal["id"].as_str().expect("id").to_owned();
    let support = format!("/api/v1/proposals/{id}/support");

    // Not logged in.
    let answer = Browser::new(&world.app)
        .json(TOLEDO, "POST", &support, Value::Null, None)
        .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    // Logged in without the CSRF token.
    let answer = ana
        .browser
        .json(TOLEDO, "POST", &support, Value::Null, None)
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(answer.body.contains("csrf_token_invalid"));
    // Not a verified resident.
    let (status, refused) = ana.call(TOLEDO, "POST", &support, Value::Null).await;
    assert_refused(&(status, refused), StatusCode::FORBIDDEN, "not_verified");
    // The page says how to become one, with a link to do it.
    let page = format!("/proposals/{id}");
    let action = format!("/proposals/{id}/support");
    let refused = ana.browser.submit(TOLEDO, &page, &action, &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused.body.contains("href=\"/account/verify\""),
        "{}",
        refused.body
    );
    let (_, read) = anonymous(&world, TOLEDO, &format!("/api/v1/proposals/{id}")).await;
    assert_eq!(
        read["supports_count"], 0,
        "a refused support leaves nothing behind"
    );
    let tenant = world.council("toledo").await;
    let mut tx = world.tenancy.begin(&tenant).await.expect("begin");
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM supports")
        .fetch_one(tx.conn())
        .await
        .expect("count");
    tx.commit().await.expect("commit");
    assert_eq!(rows, 0);
    // Outside the phase.
    let (status, refused) = ana
        .call(
            TOLEDO,
            "POST",
            "/api/v1/processes/pasado/proposals",
            json!({"title": "Tarde", "summary": "Ya"}),
        )
        .await;
    assert_refused(&(status, refused), StatusCode::FORBIDDEN, "phase_closed");
    // Invalid fields, ids and other councils' ids.
    let (status, refused) = ana
        .call(
            TOLEDO,
            "POST",
            "/api/v1/processes/plan/proposals",
            json!({"title": "ab", "summary": "x"}),
        )
        .await;
    assert_refused(
        &(status, refused),
        StatusCode::UNPROCESSABLE_ENTITY,
        "title_invalid",
    );
    let (status, refused) = ana
        .call(
            TOLEDO,
            "POST",
            "/api/v1/processes/plan/proposals",
            json!({"title": "Bien", "summary": "x", "district": "atlantis"}),
        )
        .await;
    assert_refused(
        &(status, refused),
        StatusCode::UNPROCESSABLE_ENTITY,
        "district_unknown",
    );
    let (status, _) = ana
        .call(
            TOLEDO,
            "POST",
            "/api/v1/processes/plan/proposals",
            json!({"title": 5}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let huge = "a".repeat(70_000);
    let (status, _) = ana
        .call(
            TOLEDO,
            "POST",
            "/api/v1/processes/plan/proposals",
            json!({"title": "Larga", "summary": "x", "body": huge}),
        )
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let long = "a".repeat(20_001);
    let (status, refused) = ana
        .call(
            TOLEDO,
            "POST",
            "/api/v1/processes/plan/proposals",
            json!({"title": "Larga", "summary": "x", "body": long}),
        )
        .await;
    assert_refused(
        &(status, refused),
        StatusCode::UNPROCESSABLE_ENTITY,
        "body_invalid",
    );
    for path in [
        "/api/v1/proposals/not-a-uuid",
        "/api/v1/proposals/00000000-0000-0000-0000-000000000000",
    ] {
        assert_eq!(
            anonymous(&world, TOLEDO, path).await.0,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    assert_eq!(
        anonymous(&world, TALAVERA, &format!("/api/v1/proposals/{id}"))
            .await
            .0,
        StatusCode::NOT_FOUND,
        "another council's proposal is not there"
    );
    let mut tomas = world.citizen("tomas").on(TALAVERA).await;
    let (status, _) = tomas.call(TALAVERA, "POST", &support, Value::Null).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = tomas
        .call(
            TALAVERA,
            "POST",
            &format!("/api/v1/proposals/{id}/comments"),
            json!({"body": "hola"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Pagination is clamped.
    let (status, list) = anonymous(
        &world,
        TOLEDO,
        "/api/v1/processes/plan/proposals?page=-4&per_page=100000",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["page"], 1);
    assert_eq!(list["per_page"], 100);
    let (_, list) = anonymous(
        &world,
        TOLEDO,
        "/api/v1/processes/plan/proposals?page=abc&per_page=0&sort=drop",
    )
    .await;
    assert_eq!(list["per_page"], 1);
    assert_eq!(list["sort"], "supported");
}

#[tokio::test]
async fn comments_thread_vote_once_and_keep_their_counts() {
    let world = world().await;
    open_process(&world, "toledo", "plan", OPEN_RULES, 1).await;
    let mut ana = world.citizen("ana").await;
    let (_, debate) = ana
        .call(
            TOLEDO,
            "POST",
            "/api/v1/processes/plan/debates",
            json!({"title": "¿Más carriles bici?", "body": "Opinad"}),
        )
        .await;
    let debate_id = debate["id"].as_str().expect("id").to_owned();
    let comments = format!("/api/v1/debates/{debate_id}/comments");
    let mut bea = world.citizen("bea").await;
    let (status, first) = bea
        .call(
            TOLEDO,
            "POST",
            &comments,
            json!({"body": "<img src=x onerror=alert(1)> Sí", "alignment": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let first = first["id"].as_str().expect("id").to_owned();
    // The debate's author follows it and hears of the comment.
    assert_eq!(
        count_notifications(&world, "toledo", "ana", "comment.new").await,
        1
    );

    // Replies nest up to the limit.
    let mut parent = first.clone();
    for depth in 1..=4 {
        let (status, reply) = ana
            .call(
                TOLEDO,
                "POST",
                &comments,
                json!({"body": format!("nivel {depth}"), "parent_id": parent}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{reply}");
        parent = reply["id"].as_str().expect("id").to_owned();
    }
    let (status, deep) = ana
        .call(
            TOLEDO,
            "POST",
            &comments,
            json!({"body": "demasiado", "parent_id": parent}),
        )
        .await;
    assert_refused(
        &(status, deep),
        StatusCode::UNPROCESSABLE_ENTITY,
        "too_deep",
    );
    assert_eq!(
        count_notifications(&world, "toledo", "bea", "comment.reply").await,
        1
    );
    let (status, bad) = ana
        .call(TOLEDO, "POST", &comments, json!({"body": "   "}))
        .await;
    assert_refused(
        &(status, bad),
        StatusCode::UNPROCESSABLE_ENTITY,
        "body_invalid",
    );
    let (status, _) = ana
        .call(
            TOLEDO,
            "POST",
            &comments,
            json!({"body": "x", "alignment": 7}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // The thread reads in order.
    let (_, thread) = anonymous(&world, TOLEDO, &comments).await;
    let depths: Vec<i64> = thread["comments"]
        .as_array()
        .expect("array")
        .iter()
        .map(|c| c["depth"].as_i64().expect("depth"))
        .collect();
    assert_eq!(depths, [0, 1, 2, 3, 4]);
    assert_eq!(
        thread["comments"][0]["body"],
        "<img src=x onerror=alert(1)> Sí"
    );
    let (_, read) = anonymous(&world, TOLEDO, &format!("/api/v1/debates/{debate_id}")).await;
    assert_eq!(read["comments_count"], 5);

    // 50 parallel up votes by one person count once; own comments refuse.
    let vote = format!("/api/v1/comments/{first}/vote");
    let cookie = ana.browser.cookie_header(TOLEDO);
    let mut tasks = Vec::new();
    for i in 0..50 {
        let value = if i % 2 == 0 { 1 } else { -1 };
        let request = Request::put(&vote)
            .header(header::HOST, TOLEDO)
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-csrf-token", &ana.csrf)
            .body(Body::from(json!({"value": value}).to_string()))
            .expect("request");
        let app = world.app.clone();
        tasks.push(tokio::spawn(
            async move { send(&app, request).await.status },
        ));
    }
    for task in tasks {
        assert_eq!(task.await.expect("task"), StatusCode::OK);
    }
    let (_, thread) = anonymous(&world, TOLEDO, &comments).await;
    let up = thread["comments"][0]["upvotes"].as_i64().expect("up");
    let down = thread["comments"][0]["downvotes"].as_i64().expect("down");
    assert_eq!(
        up + down,
        1,
        "one vote per person, whatever the order: {up} up, {down} down"
    );
    let (status, own) = bea.call(TOLEDO, "PUT", &vote, json!({"value": 1})).await;
    assert_refused(
        &(status, own),
        StatusCode::UNPROCESSABLE_ENTITY,
        "own_comment",
    );
    let (_, removed) = ana.call(TOLEDO, "PUT", &vote, json!({"value": 0})).await;
    assert_eq!(
        (removed["upvotes"].as_i64(), removed["downvotes"].as_i64()),
        (Some(0), Some(0))
    );

    // Edit, then delete: the place stays, the text and the count go.
    let (status, _) = bea
        .call(
            TOLEDO,
            "PATCH",
            &format!("/api/v1/comments/{first}"),
            json!({"body": "Sí, claro"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = ana
        .call(
            TOLEDO,
            "DELETE",
            &format!("/api/v1/comments/{first}"),
            Value::Null,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "not the author");
    let (status, _) = bea
        .call(
            TOLEDO,
            "DELETE",
            &format!("/api/v1/comments/{first}"),
            Value::Null,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, thread) = anonymous(&world, TOLEDO, &comments).await;
    assert_eq!(thread["comments"][0]["deleted"], true);
    assert_eq!(thread["comments"][0]["body"], "");
    assert_eq!(thread["comments"][1]["body"], "nivel 1", "replies stay");
    let (_, read) = anonymous(&world, TOLEDO, &format!("/api/v1/debates/{debate_id}")).await;
    assert_eq!(read["comments_count"], 4);
}

#[tokio::test]
async fn moderators_hide_restore_and_block_and_the_counts_follow() {
    use cabildo_engine::moderation::{self, Decision, Item};
    let world = world().await;
    open_process(&world, "toledo", "plan", OPEN_RULES, 1).await;
    let mut ana = world.citizen("ana").await;
    let (_, proposal) = ana
        .call(
            TOLEDO,
            "POST",
            "/api/v1/processes/plan/proposals",
            json!({"title": "Parque", "summary": "Verde"}),
        )
        .await;
    let id = proposal["id"].as_str().expect("id").to_owned();
    let mut troll = world.citizen("troll").await;
    let (_, comment) = troll
        .call(
            TOLEDO,
            "POST",
            &format!("/api/v1/proposals/{id}/comments"),
            json!({"body": "insulto"}),
        )
        .await;
    let comment = comment["id"].as_str().expect("id").to_owned();
    let (status, _) = ana
        .call(
            TOLEDO,
            "POST",
            &format!("/api/v1/comments/{comment}/reports"),
            json!({"reason": "Insulta"}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (status, _) = ana
        .call(
            TOLEDO,
            "POST",
            &format!("/api/v1/comments/{comment}/reports"),
            json!({"reason": "Otra vez"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::ACCEPTED,
        "reporting again changes nothing"
    );
    let (status, refused) = ana
        .call(
            TOLEDO,
            "POST",
            &format!("/api/v1/comments/{comment}/reports"),
            json!({"reason": ""}),
        )
        .await;
    assert_refused(
        &(status, refused),
        StatusCode::UNPROCESSABLE_ENTITY,
        "reason_invalid",
    );

    let tenant = world.council("toledo").await;
    let moderator = Actor("user:moderator".into());
    let mut tx = world.tenancy.begin(&tenant).await.expect("begin");
    let queue = moderation::queue(&mut tx).await.expect("queue");
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].reports, 1);
    assert_eq!(queue[0].author, "troll");
    let comment_id: uuid::Uuid = comment.parse().expect("uuid");
    assert!(
        moderation::decide(
            &mut tx,
            &moderator,
            Item::Comment(comment_id),
            Decision::Hide
        )
        .await
        .expect("hide")
    );
    tx.commit().await.expect("commit");
    let (_, read) = anonymous(&world, TOLEDO, &format!("/api/v1/proposals/{id}")).await;
    assert_eq!(read["comments_count"], 0, "hidden comments are not counted");
    let (_, thread) = anonymous(&world, TOLEDO, &format!("/api/v1/proposals/{id}/comments")).await;
    assert_eq!(thread["comments"][0]["hidden"], true);
    assert_eq!(thread["comments"][0]["body"], "");

    let mut tx = world.tenancy.begin(&tenant).await.expect("begin");
    assert!(
        moderation::queue(&mut tx).await.expect("queue").is_empty(),
        "decided reports leave the queue"
    );
    assert!(
        moderation::decide(
            &mut tx,
            &moderator,
            Item::Comment(comment_id),
            Decision::Restore
        )
        .await
        .expect("restore")
    );
    tx.commit().await.expect("commit");
    let (_, read) = anonymous(&world, TOLEDO, &format!("/api/v1/proposals/{id}")).await;
    assert_eq!(read["comments_count"], 1);

    // Blocking: their content is hidden, they can no longer act, they get the message.
    let mut tx = world.tenancy.begin(&tenant).await.expect("begin");
    let troll_id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM users WHERE nickname = 'troll'")
        .fetch_one(tx.conn())
        .await
        .expect("troll");
    let notices = moderation::block(&mut tx, &moderator, troll_id.into(), "Insultos repetidos")
        .await
        .expect("block");
    assert_eq!(notices.len(), 1);
    let audited: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action IN ('user.block', 'moderation.hidden', 'moderation.restored')")
        .fetch_one(tx.conn())
        .await
        .expect("audit");
    assert_eq!(audited, 3);
    tx.commit().await.expect("commit");
    let (_, read) = anonymous(&world, TOLEDO, &format!("/api/v1/proposals/{id}")).await;
    assert_eq!(read["comments_count"], 0);
    let (status, refused) = troll
        .call(
            TOLEDO,
            "POST",
            &format!("/api/v1/proposals/{id}/comments"),
            json!({"body": "otra"}),
        )
        .await;
    assert_refused(&(status, refused), StatusCode::FORBIDDEN, "blocked");
    let (status, _) = troll
        .call(
            TOLEDO,
            "POST",
            &format!("/api/v1/proposals/{id}/support"),
            Value::Null,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn search_finds_with_stemming_escapes_snippets_and_stays_in_its_council() {
    let world = world().await;
    open_process(&world, "toledo", "plan", OPEN_RULES, 1).await;
    open_process(&world, "talavera", "plan", OPEN_RULES, 1).await;
    let mut ana = world.citizen("ana").await;
    ana.call(TOLEDO, "POST", "/api/v1/processes/plan/proposals",
             json!({"title": "Bancos en los parques", "summary": "Más <b>bancos</b> & sombra en los parques del barrio"}))
        .await;
    ana.call(
        TOLEDO,
        "POST",
        "/api/v1/processes/plan/debates",
        json!({"title": "Carril bici", "body": "¿Dónde pondríais nuevos carriles?"}),
    )
    .await;
    let mut tomas = world.citizen("tomas").on(TALAVERA).await;
    tomas
        .call(
            TALAVERA,
            "POST",
            "/api/v1/processes/plan/proposals",
            json!({"title": "Parque secreto", "summary": "Un parque solo de Talavera"}),
        )
        .await;

    // "parque" finds "parques" (Spanish stemming); only Toledo's.
    let (status, found) = anonymous(&world, TOLEDO, "/api/v1/search?q=parque").await;
    assert_eq!(status, StatusCode::OK);
    let hits = found["hits"].as_array().expect("hits");
    assert_eq!(hits.len(), 1, "{found}");
    assert_eq!(hits[0]["kind"], "proposal");
    let html = hits[0]["snippet_html"].as_str().expect("html");
    assert!(
        html.contains("<mark>parques</mark>") && html.contains("&amp;") && !html.contains("<b>"),
        "{html}"
    );
    let (_, found) = anonymous(&world, TOLEDO, "/api/v1/search?q=carriles&kind=debates").await;
    assert_eq!(found["hits"][0]["kind"], "debate");
    let (_, found) = anonymous(&world, TOLEDO, "/api/v1/search?q=carriles&kind=proposals").await;
    assert_eq!(found["hits"].as_array().expect("hits").len(), 0);
    // Hostile queries are just text.
    for q in [
        "%3Cscript%3E",
        "%27%29%3B+DROP+TABLE+proposals%3B--",
        "%22%22%22",
        "-",
        "%26%7C%21",
        "",
    ] {
        let (status, found) = anonymous(&world, TOLEDO, &format!("/api/v1/search?q={q}")).await;
        assert_eq!(status, StatusCode::OK, "{q}: {found}");
    }
    let long = "a".repeat(5000);
    assert_eq!(
        anonymous(&world, TOLEDO, &format!("/api/v1/search?q={long}"))
            .await
            .0,
        StatusCode::OK
    );
}

/// A notification mail says what changed (the new status, the council's
/// answer) and leads to the email preferences; the same notification reads
/// in whatever language its reader uses later.
#[tokio::test]
async fn notifications_say_what_changed_in_the_readers_language() {
    let world = world().await;
    open_process(&world, "toledo", "plan", OPEN_RULES, 1).await;
    let mut ana = world.citizen("ana").await;
    let (_, proposal) = ana
        .call(
            TOLEDO,
            "POST",
            "/api/v1/processes/plan/proposals",
            json!({"title": "Más bancos", "summary": "En la plaza de Zocodover"}),
        )
        .await;
    let id = proposal["id"].as_str().expect("id").to_owned();
    let tenant = world.council("toledo").await;
    let mut tx = world.tenancy.begin(&tenant).await.expect("begin");
    sqlx::query("UPDATE users SET notify_email = 'immediate' WHERE nickname = 'ana'")
        .execute(tx.conn())
        .await
        .expect("preference");
    tx.commit().await.expect("commit");
    let mut eva = world.citizen("eva").staff(Role::Admin).await;
    let (status, _) = eva
        .call(
            TOLEDO,
            "PUT",
            &format!("/api/v1/proposals/{id}/status"),
            json!({"status": "accepted", "answer": "Los pondremos en marzo."}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let preferences = world
        .link_in_mail(
            "ana@example.org",
            2,
            "https://toledo.cabildo.test/account#preferences",
        )
        .await;
    assert_eq!(
        preferences,
        "https://toledo.cabildo.test/account#preferences"
    );
    let mail = &world.mails_to("ana@example.org")[1];
    assert_eq!(
        mail.subject,
        "«Más bancos» tiene novedades del ayuntamiento"
    );
    for part in [
        "Estado: Aceptada",
        "Los pondremos en marzo.",
        &format!("/proposals/{id}"),
    ] {
        assert!(mail.text.contains(part), "{part} in {}", mail.text);
        assert!(mail.html.contains(part), "{part} in {}", mail.html);
    }
    assert!(
        mail.html
            .contains("href=\"https://toledo.cabildo.test/account#preferences\"")
    );

    let english = ana.browser.get(TOLEDO, "/notifications?lang=en").await;
    for part in [
        "“Más bancos” has news from the council",
        "Status: Accepted",
        "Los pondremos en marzo.",
    ] {
        assert!(english.body.contains(part), "{part} in {}", english.body);
    }
    let spanish = ana.browser.get(TOLEDO, "/notifications?lang=es").await;
    assert!(
        spanish.body.contains("Estado: Aceptada"),
        "{}",
        spanish.body
    );
}

/// The hits' titles for a query, in order.
async fn titles_found(world: &crate::util::World, query: &str) -> Vec<String> {
    let encoded: String = query
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let (status, found) = anonymous(world, TOLEDO, &format!("/api/v1/search?q={encoded}")).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    found["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|hit| hit["title"].as_str().expect("title").to_owned())
        .collect()
}

#[tokio::test]
async fn search_stems_across_word_forms_and_accents_and_quotes_text_not_markdown() {
    let world = world().await;
    open_process(&world, "toledo", "plan", OPEN_RULES, 1).await;
    let tenant = world.council("toledo").await;
    let mut tx = world.tenancy.begin(&tenant).await.expect("begin");
    sqlx::query(
        "UPDATE processes SET description_markdown = 'Lee **las bases** en [la web](https://toledo.es/bases) y `vota`.'",
    )
    .execute(tx.conn())
    .await
    .expect("describe");
    tx.commit().await.expect("commit");
    let mut ana = world.citizen("ana").await;
    ana.call(TOLEDO, "POST", "/api/v1/processes/plan/proposals",
             json!({"title": "Cuentas abiertas", "summary": "Queremos participar en las cuentas del barrio"}))
        .await;

    // The process is titled "Plan de participación"; the proposal says
    // "participar": each form finds both.
    for query in ["participación", "participar", "PARTICIPAR"] {
        let titles = titles_found(&world, query).await;
        assert!(
            titles.contains(&"Plan de participación".to_owned())
                && titles.contains(&"Cuentas abiertas".to_owned()),
            "{query}: {titles:?}"
        );
    }
    // Typed without its accent, a word still finds itself (the stemmers
    // only know the written forms of the suffixes).
    assert_eq!(
        titles_found(&world, "participacion").await,
        ["Plan de participación"]
    );
    assert!(titles_found(&world, "presupuesto").await.is_empty());

    // The snippet quotes the description's words, not its Markdown.
    let (_, found) = anonymous(&world, TOLEDO, "/api/v1/search?q=bases&kind=processes").await;
    let snippet = found["hits"][0]["snippet"].as_str().expect("snippet");
    assert!(
        snippet.contains("las bases") && snippet.contains("la web"),
        "{snippet}"
    );
    for mark in ["**", "](", "https://", "`"] {
        assert!(!snippet.contains(mark), "{mark} in {snippet}");
    }
}

#[tokio::test]
async fn open_data_has_counts_no_people_and_defused_csv() {
    let world = world().await;
    open_process(&world, "toledo", "plan", OPEN_RULES, 1).await;
    let mut ana = world.citizen("ana").await;
    let (_, proposal) = ana
        .call(TOLEDO, "POST", "/api/v1/processes/plan/proposals",
              json!({"title": "=HYPERLINK(\"http://evil\")", "summary": "+SUM(1,2);=2+3", "body": "@línea, \"con\" comillas"}))
        .await;
    let id = proposal["id"].as_str().expect("id").to_owned();
    let mut bea = world.citizen("bea").await;
    bea.call(
        TOLEDO,
        "POST",
        &format!("/api/v1/proposals/{id}/support"),
        Value::Null,
    )
    .await;
    bea.call(
        TOLEDO,
        "POST",
        &format!("/api/v1/proposals/{id}/comments"),
        json!({"body": "-1 me parece poco"}),
    )
    .await;

    let (status, export) = anonymous(&world, TOLEDO, "/api/v1/processes/plan/open-data").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(export["proposals"][0]["supports_count"], 1);
    assert_eq!(export["proposals"][0]["comments_count"], 1);
    let text = export.to_string();
    // Quoted, so that a random id such as "bead…" is not taken for a name.
    for personal in ["\"ana\"", "\"bea\"", "example.org", "\"author"] {
        assert!(!text.contains(personal), "{personal} in {text}");
    }
    let csv = Browser::new(&world.app)
        .get(TOLEDO, "/api/v1/processes/plan/open-data/proposals")
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.headers[header::CONTENT_TYPE]
            .to_str()
            .expect("type")
            .starts_with("text/csv")
    );
    assert!(
        csv.body.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""),
        "{}",
        csv.body
    );
    // Spanish Excel splits on `;`: what follows one is defused too.
    assert!(csv.body.contains(",\"'+SUM(1,2);'=2+3\","), "{}", csv.body);
    let excel = Browser::new(&world.app)
        .get(
            TOLEDO,
            "/api/v1/processes/plan/open-data/proposals?dialect=excel",
        )
        .await;
    assert!(
        excel.body.starts_with("\u{feff}id;title;"),
        "{}",
        excel.body
    );
    assert!(
        excel.body.contains(";\"'+SUM(1,2);'=2+3\";"),
        "{}",
        excel.body
    );
    assert!(
        csv.body.contains("\"'@línea, \"\"con\"\" comillas\""),
        "{}",
        csv.body
    );
    let comments = Browser::new(&world.app)
        .get(TOLEDO, "/api/v1/processes/plan/open-data/comments")
        .await;
    assert!(
        comments.body.contains(",'-1 me parece poco,"),
        "{}",
        comments.body
    );
    assert_eq!(
        Browser::new(&world.app)
            .get(TOLEDO, "/api/v1/processes/plan/open-data/users")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        anonymous(&world, TALAVERA, "/api/v1/processes/plan/open-data")
            .await
            .0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_council_role_cannot_read_another_councils_participation_tables() {
    let world = world().await;
    open_process(&world, "toledo", "plan", OPEN_RULES, 1).await;
    let talavera = world.council("talavera").await;
    let mut tx = world.tenancy.begin(&talavera).await.expect("begin");
    for table in [
        "debates",
        "proposals",
        "supports",
        "comments",
        "comment_votes",
        "reports",
        "follows",
        "processes",
    ] {
        let sql = format!("SELECT count(*) FROM t_toledo.{table}");
        let denied = sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(tx.conn())
            .await;
        let message = denied.expect_err("permission denied").to_string();
        assert!(message.contains("permission denied"), "{table}: {message}");
        tx.commit().await.ok();
        tx = world.tenancy.begin(&talavera).await.expect("begin");
    }
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn a_change_on_one_node_drops_the_read_cache_of_the_others_at_once() {
    use cabildo_tenancy::testing::another_node;
    let world = world().await;
    open_process(&world, "toledo", "plan", OPEN_RULES, 1).await;
    let node_b = another_node(&world.tenancy).await.expect("node b");
    let router_b = crate::util::app(
        &node_b,
        cabildo_web::WebConfig {
            secret_key: Some(crate::util::SECRET.to_vec()),
            ..cabildo_web::WebConfig::default()
        },
    );
    let mut ana = world.citizen("ana").await;
    let list = "/api/v1/processes/plan/proposals";
    assert_eq!(
        anonymous(&world, TOLEDO, list).await.1["total"],
        0,
        "node A reads and keeps the list"
    );
    // The same person, through node B.
    let mut on_b = Browser::new(&router_b);
    on_b.cookies = ana.browser.cookies.clone();
    let made = on_b
        .json(
            TOLEDO,
            "POST",
            "/api/v1/processes/plan/proposals",
            json!({"title": "Desde B", "summary": "Otro nodo"}),
            Some(&ana.csrf),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    // Well within the cache's 5 s: only the broadcast explains it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    loop {
        if anonymous(&world, TOLEDO, list).await.1["total"] == 1 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "node A kept its copy");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let (status, doc) = ana
        .call(TOLEDO, "GET", "/api/v1/openapi.json", Value::Null)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
}
