//! A binding consultation on its pages: anyone reads it and the board's
//! head; a verified resident votes once with plain forms and gets a
//! receipt they can check; a wrong ballot comes back with why; after the
//! close the results and the board file that recomputes them; drafts and
//! other councils' consultations are not found.

use crate::util::{Browser, OPEN_RULES, TALAVERA, TOLEDO, open_process, world};
use axum::http::{StatusCode, header};
use cabildo_engine::consultations::board::{self, Board};
use cabildo_engine::consultations::{self, NewConsultation, NewQuestion};
use cabildo_engine::staff::Actor;
use time::{Duration, OffsetDateTime};

/// Voting ends, as if the clock had moved on.
async fn end_voting(tx: &mut cabildo_tenancy::TenantTx, id: cabildo_engine::ConsultationId) {
    sqlx::query("UPDATE consultations SET closes_at = now() - interval '1 second' WHERE id = $1")
        .bind(id)
        .execute(tx.conn())
        .await
        .expect("voting ends");
}

#[tokio::test]
async fn a_resident_votes_once_checks_the_receipt_and_reads_the_recomputable_result() {
    // Fresh reads: the test closes the consultation in the database.
    let world = crate::util::world_reading_fresh().await;
    let process = open_process(&world, "toledo", "casco", OPEN_RULES, 1).await;
    let toledo = world.council("toledo").await;
    let actor = Actor("cli".into());
    let mut ana = world.citizen("ana").verified().await;
    // Bea, another resident, votes through the API below.
    let mut bea = world.citizen("bea").verified().await;
    let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
    in_census(&mut tx, "bea", "1990-01-01").await;
    tx.commit().await.expect("commit");
    let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
    // Ana is in the census (the document she verified with).
    in_census(&mut tx, "ana", "1980-05-05").await;
    let now = OffsetDateTime::now_utc();
    let id = consultations::create(
        &mut tx,
        &actor,
        process.into(),
        &NewConsultation {
            title: "Peatonalización del casco".into(),
            description: "Una **consulta vinculante**.".into(),
            district_code: None,
            min_age: 16,
            revoting: false,
            opens_at: now - Duration::hours(1),
            closes_at: now + Duration::hours(1),
            questions: vec![NewQuestion {
                text: "¿Peatonalizar el casco?".into(),
                max_choices: 1,
                options: vec!["Sí".into(), "No".into()],
            }],
        },
    )
    .await
    .expect("create");
    let question = consultations::questions(&mut tx, id)
        .await
        .expect("questions")
        .remove(0);
    tx.commit().await.expect("commit");
    let page = format!("/processes/casco/consultations/{id}");
    assert_eq!(
        Browser::new(&world.app).get(TOLEDO, &page).await.status,
        StatusCode::NOT_FOUND,
        "a draft is not public"
    );
    let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
    consultations::open(&mut tx, &actor, id)
        .await
        .expect("open");
    tx.commit().await.expect("commit");

    let visitor = Browser::new(&world.app).get(TOLEDO, &page).await;
    assert_eq!(visitor.status, StatusCode::OK);
    for part in [
        "Peatonalización del casco",
        "<strong>consulta vinculante</strong>",
        "Votación abierta",
        "Inicia sesión para votar",
        "Huella actual del tablero",
    ] {
        assert!(visitor.body.contains(part), "{part} in {}", visitor.body);
    }
    let list = Browser::new(&world.app)
        .get(TOLEDO, "/processes/casco/consultation")
        .await;
    assert!(list.body.contains(&page), "{}", list.body);

    let form = ana.browser.get(TOLEDO, &page).await;
    assert!(form.body.contains("name=\"q-"), "{}", form.body);
    let csrf = crate::util::csrf_of(&form.body);
    let field = format!("q-{}", question.id);
    let (yes, no) = (
        question.options[0].0.to_string(),
        question.options[1].0.to_string(),
    );
    let vote = format!("{page}/vote");
    let both = ana
        .browser
        .post(
            TOLEDO,
            &vote,
            &[("csrf_token", &csrf), (&field, &yes), (&field, &no)],
        )
        .await;
    assert_eq!(both.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(both.body.contains("role=\"alert\""), "{}", both.body);
    let cast = ana
        .browser
        .post(TOLEDO, &vote, &[("csrf_token", &csrf), (&field, &yes)])
        .await;
    assert_eq!(cast.status, StatusCode::OK, "{}", cast.body);
    assert_eq!(cast.headers[header::CACHE_CONTROL], "private, no-store");
    let receipt = cast
        .body
        .split("<code id=\"receipt\" class=\"hash\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("a receipt code")
        .to_owned();
    assert!(
        consultations::normal_receipt(&receipt).is_some(),
        "{receipt}"
    );
    let again = ana
        .browser
        .post(TOLEDO, &vote, &[("csrf_token", &csrf), (&field, &no)])
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("Ya has votado"), "{}", again.body);
    let mine = ana.browser.get(TOLEDO, &page).await;
    assert!(
        mine.body.contains("Ya votaste el") && !mine.body.contains("name=\"q-"),
        "{}",
        mine.body
    );
    let checked = Browser::new(&world.app)
        .get(
            TOLEDO,
            &format!("{page}?receipt={}", receipt.replace('-', "+")),
        )
        .await;
    assert!(
        checked.body.contains("está en el tablero y cuenta"),
        "{}",
        checked.body
    );
    let unknown = Browser::new(&world.app)
        .get(TOLEDO, &format!("{page}?receipt=nada"))
        .await;
    assert!(unknown.body.contains("Ninguna papeleta tiene ese código"));
    assert_eq!(
        Browser::new(&world.app)
            .get(TOLEDO, &format!("{page}/board.json"))
            .await
            .status,
        StatusCode::NOT_FOUND,
        "the board is published at the close"
    );
    // Not on another council's site.
    assert_eq!(
        Browser::new(&world.app).get(TALAVERA, &page).await.status,
        StatusCode::NOT_FOUND
    );

    // The API: Bea, another resident, votes there; the same rules hold.
    let api = format!("/api/v1/consultations/{id}");
    use serde_json::{Value, json};
    let (_, shown) = ana.call(TOLEDO, "GET", &api, Value::Null).await;
    assert_eq!(shown["standing"], "voted");
    assert!(
        shown["head"].as_str().is_some_and(|h| h.len() == 64),
        "{shown}"
    );
    assert!(shown.get("results").is_none(), "no results while voting");
    let (_, listed) = bea
        .call(
            TOLEDO,
            "GET",
            "/api/v1/processes/casco/consultations",
            Value::Null,
        )
        .await;
    assert_eq!(listed[0]["id"], id.to_string());
    let ballot = |option: &str| json!({"choices": {question.id.to_string(): [option]}});
    let two = json!({"choices": {question.id.to_string(): [yes, no]}});
    let refused = bea.call(TOLEDO, "POST", &format!("{api}/votes"), two).await;
    crate::util::assert_refused(&refused, StatusCode::UNPROCESSABLE_ENTITY, "choice_invalid");
    let (status, cast) = bea
        .call(TOLEDO, "POST", &format!("{api}/votes"), ballot(&no))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{cast}");
    let code = cast["receipt"].as_str().expect("receipt").to_owned();
    let twice = bea
        .call(TOLEDO, "POST", &format!("{api}/votes"), ballot(&yes))
        .await;
    crate::util::assert_refused(&twice, StatusCode::CONFLICT, "already_voted");
    let found = Browser::new(&world.app)
        .get(TOLEDO, &format!("{api}/receipts/{code}"))
        .await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    assert!(found.body.contains("\"counts\":true"), "{}", found.body);
    let unknown = Browser::new(&world.app)
        .get(TOLEDO, &format!("{api}/receipts/nada"))
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(
        Browser::new(&world.app)
            .get(TOLEDO, &format!("{api}/board"))
            .await
            .status,
        StatusCode::NOT_FOUND,
        "no board before the close"
    );
    assert_eq!(
        Browser::new(&world.app).get(TALAVERA, &api).await.status,
        StatusCode::NOT_FOUND
    );

    // The close: results, turnout and the board that recomputes them.
    let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
    end_voting(&mut tx, id).await;
    let tally = consultations::close(&mut tx, &actor, id)
        .await
        .expect("close");
    tx.commit().await.expect("commit");
    let results = Browser::new(&world.app).get(TOLEDO, &page).await;
    for part in [
        "Cerrada, con resultados",
        "1 (50,0 %)",
        "Participación por distrito",
        &tally.head,
    ] {
        assert!(results.body.contains(part), "{part} in {}", results.body);
    }
    let file = Browser::new(&world.app)
        .get(TOLEDO, &format!("{page}/board.json"))
        .await;
    assert_eq!(file.status, StatusCode::OK);
    let published: Board = serde_json::from_str(&file.body).expect("a board");
    assert_eq!(board::tally(&published).expect("verifies"), tally);
    let from_api = Browser::new(&world.app)
        .get(TOLEDO, &format!("{api}/board"))
        .await;
    let from_api: Board = serde_json::from_str(&from_api.body).expect("a board");
    assert_eq!(from_api, published);
    let (_, closed) = ana.call(TOLEDO, "GET", &api, Value::Null).await;
    assert_eq!(closed["results"]["ballots"], 2);
    assert_eq!(closed["status"], "closed");
}

#[tokio::test]
async fn staff_create_open_record_desk_votes_count_paper_and_close() {
    use cabildo_engine::census::{self, document};
    use cabildo_engine::staff::Role;
    let world = world().await;
    let process = open_process(&world, "toledo", "casco", OPEN_RULES, 1).await;
    let toledo = world.council("toledo").await;
    let key = census::key(crate::util::SECRET, toledo.id);
    let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
    for number in ["12345678Z", "X1234567L"] {
        let district: String = sqlx::query_scalar("SELECT min(code) FROM districts")
            .fetch_one(tx.conn())
            .await
            .expect("district");
        sqlx::query(
            "INSERT INTO census (document_hash, birth_date, district_code)
             VALUES ($1, '1970-01-01', $2)",
        )
        .bind(document::keyed_hash(&key, number))
        .bind(district)
        .execute(tx.conn())
        .await
        .expect("resident");
    }
    tx.commit().await.expect("commit");
    let mut jefa = world.citizen("jefa").staff(Role::Admin).await;
    let list = format!("/staff/processes/{process}/consultations");
    let page = jefa.browser.get(TOLEDO, &list).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csrf = crate::util::csrf_of(&page.body);
    let today = OffsetDateTime::now_utc().date();
    let (opens, closes) = (today.to_string(), (today + Duration::days(7)).to_string());
    let pairs = |fields: &[(&str, &str)]| -> Vec<(String, String)> {
        fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    let form = |questions: &str| {
        pairs(&[
            ("csrf_token", &csrf),
            ("title", "Horario de la biblioteca"),
            ("description", ""),
            ("opens", &opens),
            ("closes", &closes),
            ("min_age", "16"),
            ("district", ""),
            ("questions", questions),
        ])
    };
    let post = async |browser: &mut Browser, path: &str, fields: Vec<(String, String)>| {
        let fields: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        browser.post(TOLEDO, path, &fields).await
    };
    let refused = post(&mut jefa.browser, &list, form("¿Sí o no?\nSí")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("value=\"Horario de la biblioteca\""));
    let created = post(
        &mut jefa.browser,
        &list,
        form("¿Abrir los domingos?\nSí\nNo\n\n¿Qué salas? [2]\nEstudio\nInfantil\nMayores"),
    )
    .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let show = created.headers[header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned();
    let id: cabildo_engine::ConsultationId = show
        .trim_start_matches("/staff/consultations/")
        .parse()
        .expect("id");
    let csrf_only = pairs(&[("csrf_token", &csrf)]);
    let opened = post(
        &mut jefa.browser,
        &format!("{show}/open"),
        csrf_only.clone(),
    )
    .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER);
    let page = jefa.browser.get(TOLEDO, &show).await;
    assert!(
        page.body.contains("Mesa presencial y voto asistido"),
        "{}",
        page.body
    );
    let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
    let questions = consultations::questions(&mut tx, id)
        .await
        .expect("questions");
    tx.commit().await.expect("commit");
    let station = format!("{show}/station");
    let desk = |document: &str, mode: &str| {
        pairs(&[
            ("csrf_token", &csrf),
            ("document", document),
            ("mode", mode),
        ])
    };
    let marked = post(&mut jefa.browser, &station, desk("12.345.678-z", "station")).await;
    assert_eq!(marked.status, StatusCode::SEE_OTHER);
    let twice = post(&mut jefa.browser, &station, desk("12345678Z", "assisted")).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert!(twice.body.contains("Ya has votado"), "{}", twice.body);
    let mut ballot = desk("X1234567L", "assisted");
    ballot.push((
        format!("q-{}", questions[0].id),
        questions[0].options[0].0.to_string(),
    ));
    let assisted = post(&mut jefa.browser, &station, ballot).await;
    assert_eq!(assisted.status, StatusCode::OK, "{}", assisted.body);
    assert!(
        assisted.body.contains("id=\"receipt\""),
        "{}",
        assisted.body
    );
    let outsider = post(&mut jefa.browser, &station, desk("00000000T", "station")).await;
    assert_eq!(
        outsider.status,
        StatusCode::FORBIDDEN,
        "not in the electorate"
    );

    // Voting over: the station's paper count, then the close.
    let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
    end_voting(&mut tx, id).await;
    tx.commit().await.expect("commit");
    let mut paper = pairs(&[("csrf_token", &csrf), ("station", "Biblioteca")]);
    paper.push((format!("n-{}", questions[0].options[0].0), "7".to_owned()));
    let counted = post(&mut jefa.browser, &format!("{show}/paper"), paper).await;
    assert_eq!(counted.status, StatusCode::SEE_OTHER, "{}", counted.body);
    let closed = post(&mut jefa.browser, &format!("{show}/close"), csrf_only).await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER);
    let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
    let results = consultations::results(&mut tx, id)
        .await
        .expect("results")
        .expect("closed");
    tx.commit().await.expect("commit");
    assert_eq!(results.tally.ballots, 1, "the assisted ballot");
    assert_eq!(
        (
            results.tally.questions[0].options[0].1,
            results.tally.questions[0].options[0].2
        ),
        (1, 7)
    );
    assert_eq!(results.turnout[0].voted, 2, "station and assisted");

    // Not for citizens.
    let mut ana = world.citizen("ana").await;
    assert_eq!(
        ana.browser.get(TOLEDO, &show).await.status,
        StatusCode::FORBIDDEN
    );
}

/// Puts `nickname` in the census (document `sha256(nickname)`, born on
/// `birth`, in the first district) and claims that record for them. Plain
/// VALUES: Citus 13.2 misplans INSERT … SELECT between a council's tables.
async fn in_census(tx: &mut cabildo_tenancy::TenantTx, nickname: &str, birth: &str) {
    let (district, user): (String, uuid::Uuid) = sqlx::query_as(
        "SELECT (SELECT min(code) FROM districts), id FROM users WHERE nickname = $1",
    )
    .bind(nickname)
    .fetch_one(tx.conn())
    .await
    .expect("person");
    sqlx::query(
        "INSERT INTO census (document_hash, birth_date, district_code)
         VALUES (sha256($1::text::bytea), $2::date, $3)",
    )
    .bind(nickname)
    .bind(birth)
    .bind(district)
    .execute(tx.conn())
    .await
    .expect("census");
    sqlx::query(
        "INSERT INTO census_claims (document_hash, user_id) VALUES (sha256($1::text::bytea), $2)",
    )
    .bind(nickname)
    .bind(user)
    .execute(tx.conn())
    .await
    .expect("claim");
}
