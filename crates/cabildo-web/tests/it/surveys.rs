//! Surveys and quick polls on their pages: staff type a survey as text,
//! publish it; a resident answers every kind of question with plain
//! forms (a refused response comes back with why, nothing stored); the
//! results, free texts once approved, and the responses as open data; a
//! quick poll on the home page voted once; another council sees none of it.

use crate::util::{Browser, OPEN_RULES, TALAVERA, TOLEDO, open_process, world};
use axum::http::{StatusCode, header};
use cabildo_engine::processes::{self, Component, NewPhase};
use cabildo_engine::staff::{Actor, Role};
use time::{Duration, OffsetDateTime};

const QUESTIONS: &str = "¿Usas un centro cívico? [single]\n- Sí\n- No\n\n\
    ¿Qué días vienes? [multiple 1-2]\n- Lunes\n- Martes\n- Sábado\n\n\
    Ordena por prioridad [ranking]\n- Biblioteca\n- Gimnasio\n- Talleres\n\n\
    ¿Cómo valoras el horario? [scale 10]\n\n\
    ¿Por qué no? [short] [if 1: 2]\n\n\
    Valora cada centro [matrix]\n- Bien\n- Mal\n+ Azucaica\n+ Benquerencia\n\n\
    ¿Algo más? [long] [optional]";

fn owned(fields: &[(&str, &str)]) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

async fn post(
    browser: &mut Browser,
    host: &str,
    path: &str,
    fields: &[(String, String)],
) -> crate::util::Answer {
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    browser.post(host, path, &fields).await
}

#[tokio::test]
async fn staff_publish_a_survey_residents_answer_every_kind_and_everyone_reads_the_results() {
    let world = world().await;
    let process = open_process(&world, "toledo", "centros", OPEN_RULES, 1).await;
    let toledo = world.council("toledo").await;
    let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
    let now = OffsetDateTime::now_utc();
    processes::add_phase(
        &mut tx,
        &Actor("cli".into()),
        process.into(),
        &NewPhase {
            title: "Encuesta".into(),
            starts_at: now - Duration::days(1),
            ends_at: now + Duration::days(10),
            components: vec![Component::Surveys],
        },
    )
    .await
    .expect("phase");
    tx.commit().await.expect("commit");

    // Staff: a question that cannot be read is pointed at; the typed form
    // comes back; a good one becomes a draft, then is published.
    let mut jefa = world.citizen("jefa").staff(Role::Admin).await;
    let list = format!("/staff/processes/{process}/surveys");
    let page = jefa.browser.get(TOLEDO, &list).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csrf = crate::util::csrf_of(&page.body);
    let form = |questions: &str| {
        owned(&[
            ("csrf_token", &csrf),
            ("title", "Horarios de los centros cívicos"),
            ("description", ""),
            ("audience", "registered"),
            ("results_while_open", "on"),
            ("questions", questions),
        ])
    };
    let refused = post(
        &mut jefa.browser,
        TOLEDO,
        &list,
        &form("¿Color? [colour]\n- Rojo"),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("role=\"alert\""), "{}", refused.body);
    assert!(
        refused
            .body
            .contains("value=\"Horarios de los centros cívicos\"")
    );
    let created = post(&mut jefa.browser, TOLEDO, &list, &form(QUESTIONS)).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let staff_page = created.headers[header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned();
    let id = staff_page.trim_start_matches("/staff/surveys/").to_owned();
    let public = format!("/processes/centros/surveys/{id}");
    assert_eq!(
        Browser::new(&world.app).get(TOLEDO, &public).await.status,
        StatusCode::NOT_FOUND,
        "a draft is not public"
    );
    let draft = jefa.browser.get(TOLEDO, &staff_page).await;
    assert!(
        draft.body.contains("[matrix]"),
        "the draft's questions as text: {}",
        draft.body
    );
    let published = post(
        &mut jefa.browser,
        TOLEDO,
        &format!("{staff_page}/publish"),
        &owned(&[("csrf_token", &csrf)]),
    )
    .await;
    assert_eq!(published.status, StatusCode::SEE_OTHER);

    // A quick poll of the process, made by staff, shows on its page at
    // once (the process's copy in the read cache already said it had none).
    let today = now.date();
    let poll = post(
        &mut jefa.browser,
        TOLEDO,
        "/staff/polls",
        &owned(&[
            ("csrf_token", &csrf),
            ("question", "¿Te gusta el nuevo horario?"),
            ("options", "Sí\nNo"),
            ("process", &process.to_string()),
            ("opens", &today.to_string()),
            ("closes", &(today + Duration::days(1)).to_string()),
        ]),
    )
    .await;
    assert_eq!(poll.status, StatusCode::SEE_OTHER, "{}", poll.body);
    let overview = Browser::new(&world.app)
        .get(TOLEDO, "/processes/centros")
        .await;
    assert!(
        overview.body.contains("¿Te gusta el nuevo horario?"),
        "{}",
        overview.body
    );
    assert!(
        !Browser::new(&world.app)
            .get(TOLEDO, "/")
            .await
            .body
            .contains("¿Te gusta el nuevo horario?"),
        "a process's poll is not on the home page"
    );

    // A visitor reads it and is asked to log in.
    let visitor = Browser::new(&world.app).get(TOLEDO, &public).await;
    assert_eq!(visitor.status, StatusCode::OK);
    assert!(visitor.body.contains("/account/login"), "{}", visitor.body);
    assert!(!visitor.body.contains("name=\"q0\""));

    // Ana answers: first without the follow-up her "No" asks for.
    let mut ana = world.citizen("ana").await;
    let page = ana.browser.get(TOLEDO, &public).await;
    for field in [
        "name=\"q0\"",
        "name=\"q1\"",
        "name=\"q2-0\"",
        "name=\"q3\"",
        "name=\"q4\"",
        "name=\"q5-r1\"",
        "name=\"q6\"",
    ] {
        assert!(page.body.contains(field), "{field} in {}", page.body);
    }
    let csrf = crate::util::csrf_of(&page.body);
    let mut answers = owned(&[
        ("csrf_token", &csrf),
        ("q0", "1"),
        ("q1", "0"),
        ("q1", "2"),
        ("q2-0", "2"),
        ("q2-1", "3"),
        ("q2-2", "1"),
        ("q3", "8"),
        ("q5-r0", "0"),
        ("q5-r1", "1"),
        ("q6", "Más talleres por la tarde"),
    ]);
    let short = post(&mut ana.browser, TOLEDO, &public, &answers).await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.body.contains("href=\"#q4\""), "{}", short.body);
    assert!(
        short.body.contains("Más talleres por la tarde"),
        "what she typed comes back"
    );
    answers.push(("q4".into(), "Me pilla lejos".into()));
    let sent = post(&mut ana.browser, TOLEDO, &public, &answers).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let again = post(&mut ana.browser, TOLEDO, &public, &answers).await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    // Results: charts and tables; texts only once approved.
    let results = Browser::new(&world.app)
        .get(TOLEDO, &format!("{public}/results"))
        .await;
    assert_eq!(results.status, StatusCode::OK);
    assert!(
        results.body.contains("class=\"bar-chart\""),
        "{}",
        results.body
    );
    assert!(!results.body.contains("Me pilla lejos"), "not reviewed yet");
    let moderation = jefa.browser.get(TOLEDO, "/staff/moderation").await;
    assert!(
        moderation.body.contains(&format!("{staff_page}/texts")),
        "the moderation page points at the waiting texts: {}",
        moderation.body
    );
    let texts = jefa
        .browser
        .get(TOLEDO, &format!("{staff_page}/texts"))
        .await;
    assert!(texts.body.contains("Me pilla lejos"), "{}", texts.body);
    let field = |name: &str| -> String {
        let at = texts
            .body
            .find(&format!("name=\"{name}\" value=\""))
            .expect(name)
            + name.len()
            + 15;
        texts.body[at..]
            .split('"')
            .next()
            .expect("value")
            .to_owned()
    };
    let (response, position) = (field("response"), field("position"));
    assert_eq!(position, "4", "the first waiting text is the reason");
    let approved = post(
        &mut jefa.browser,
        TOLEDO,
        &format!("{staff_page}/texts"),
        &owned(&[
            ("csrf_token", &crate::util::csrf_of(&texts.body)),
            ("response", &response),
            ("position", "4"),
            ("decision", "approve"),
        ]),
    )
    .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.body);
    let results = Browser::new(&world.app)
        .get(TOLEDO, &format!("{public}/results"))
        .await;
    assert!(results.body.contains("Me pilla lejos"), "{}", results.body);
    assert!(
        !results.body.contains("Más talleres"),
        "the comment still waits"
    );

    // Open data: no person, texts only once approved.
    let csv = Browser::new(&world.app)
        .get(TOLEDO, &format!("{public}/responses.csv"))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.contains("Lunes | Sábado"), "{}", csv.body);
    assert!(
        csv.body.contains("Talleres > Biblioteca > Gimnasio"),
        "{}",
        csv.body
    );
    assert!(!csv.body.contains("Más talleres") && !csv.body.contains("ana"));
    let json = Browser::new(&world.app)
        .get(TOLEDO, &format!("{public}/responses.json"))
        .await;
    let file: serde_json::Value = serde_json::from_str(&json.body).expect("json");
    assert_eq!(file["responses"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        file["responses"][0]["answers"]["3"],
        serde_json::json!({"value": 8})
    );
    let all = jefa
        .browser
        .get(TOLEDO, &format!("{staff_page}/responses.csv"))
        .await;
    assert!(
        all.body.contains("Más talleres"),
        "staff export has every text"
    );

    // Another council: nothing.
    for path in [
        public.clone(),
        format!("{public}/results"),
        format!("{public}/responses.csv"),
    ] {
        assert_eq!(
            Browser::new(&world.app).get(TALAVERA, &path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}

#[tokio::test]
async fn a_quick_poll_on_the_home_page_is_voted_once_and_shows_its_results_after() {
    let world = world().await;
    let mut jefa = world.citizen("jefa").staff(Role::Admin).await;
    let page = jefa.browser.get(TOLEDO, "/staff/polls").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csrf = crate::util::csrf_of(&page.body);
    let today = OffsetDateTime::now_utc().date();
    let poll = |options: &str| {
        owned(&[
            ("csrf_token", &csrf),
            ("question", "¿Abrimos las piscinas en septiembre?"),
            ("options", options),
            ("process", ""),
            ("opens", &today.to_string()),
            ("closes", &(today + Duration::days(7)).to_string()),
        ])
    };
    let refused = post(&mut jefa.browser, TOLEDO, "/staff/polls", &poll("Sí")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let created = post(
        &mut jefa.browser,
        TOLEDO,
        "/staff/polls",
        &poll("Sí\nNo\nMe da igual"),
    )
    .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);

    let home = Browser::new(&world.app).get(TOLEDO, "/").await;
    assert!(
        home.body.contains("¿Abrimos las piscinas en septiembre?"),
        "{}",
        home.body
    );
    assert!(
        home.body.contains("/account/login"),
        "a visitor is asked to log in"
    );
    let listed = jefa.browser.get(TOLEDO, "/staff/polls").await;
    let at = listed.body.find("href=\"/polls/").expect("poll link") + 6;
    let href = listed.body[at..]
        .split('"')
        .next()
        .expect("href")
        .to_owned();

    let mut ana = world.citizen("ana").await;
    let home = ana.browser.get(TOLEDO, "/").await;
    assert!(
        home.body.contains(&format!("action=\"{href}/vote\"")),
        "{}",
        home.body
    );
    let csrf = crate::util::csrf_of(&home.body);
    let before = ana.browser.get(TOLEDO, &href).await;
    assert!(
        !before.body.contains("bar-chart"),
        "no results before voting"
    );
    let vote = format!("{href}/vote");
    let voted = post(
        &mut ana.browser,
        TOLEDO,
        &vote,
        &owned(&[("csrf_token", &csrf), ("option", "1")]),
    )
    .await;
    assert_eq!(voted.status, StatusCode::SEE_OTHER, "{}", voted.body);
    let after = ana.browser.get(TOLEDO, &href).await;
    assert!(after.body.contains("bar-chart"), "{}", after.body);
    assert!(after.body.contains("«No»"), "{}", after.body);
    let twice = post(
        &mut ana.browser,
        TOLEDO,
        &vote,
        &owned(&[("csrf_token", &csrf), ("option", "0")]),
    )
    .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    let jefa_csrf = crate::util::csrf_of(&page.body);
    let wrong = post(
        &mut jefa.browser,
        TOLEDO,
        &vote,
        &owned(&[("csrf_token", &jefa_csrf), ("option", "7")]),
    )
    .await;
    assert_eq!(
        wrong.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an option that does not exist: {}",
        wrong.body
    );
    assert_eq!(
        Browser::new(&world.app).get(TALAVERA, &href).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_api_answers_a_survey_and_votes_in_a_poll_with_the_pages_rules() {
    use cabildo_engine::polls::{self, NewPoll};
    use cabildo_engine::surveys::{self, Audience, Kind, NewQuestion, NewSurvey};
    use serde_json::{Value, json};
    let world = world().await;
    let process = open_process(&world, "toledo", "centros", OPEN_RULES, 1).await;
    let toledo = world.council("toledo").await;
    let actor = Actor("cli".into());
    let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
    let now = OffsetDateTime::now_utc();
    processes::add_phase(
        &mut tx,
        &actor,
        process.into(),
        &NewPhase {
            title: "Encuesta".into(),
            starts_at: now - Duration::days(1),
            ends_at: now + Duration::days(10),
            components: vec![Component::Surveys],
        },
    )
    .await
    .expect("phase");
    let mut score = NewQuestion {
        kind: Kind::Scale,
        text: "¿Cómo valoras el horario?".into(),
        ..NewQuestion::default()
    };
    score.scale_max = 10;
    let new = NewSurvey {
        title: "Horarios".into(),
        description: String::new(),
        audience: Audience::Registered,
        anonymous: true,
        editable: false,
        results_while_open: true,
        questions: vec![
            NewQuestion {
                kind: Kind::Single,
                text: "¿Usas un centro cívico?".into(),
                options: vec!["Sí".into(), "No".into()],
                ..NewQuestion::default()
            },
            score,
        ],
    };
    let survey = surveys::create(&mut tx, &actor, process.into(), None, &new)
        .await
        .expect("survey");
    surveys::publish(&mut tx, &actor, survey)
        .await
        .expect("publish");
    let poll = polls::create(
        &mut tx,
        &actor,
        &NewPoll {
            process_id: None,
            question: "¿Piscinas en septiembre?".into(),
            options: vec!["Sí".into(), "No".into()],
            opens_at: now - Duration::hours(1),
            closes_at: now + Duration::days(1),
        },
    )
    .await
    .expect("poll");
    tx.commit().await.expect("commit");

    let mut ana = world.citizen("ana").await;
    let (status, list) = ana
        .call(
            TOLEDO,
            "GET",
            "/api/v1/processes/centros/surveys",
            Value::Null,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    let path = format!("/api/v1/surveys/{survey}");
    let (_, shown) = ana.call(TOLEDO, "GET", &path, Value::Null).await;
    assert_eq!(shown["standing"], "may_answer");
    assert_eq!(shown["questions"][1]["kind"], "scale");
    let responses = format!("{path}/responses");
    let refused = ana
        .call(
            TOLEDO,
            "POST",
            &responses,
            json!({"answers": {"0": {"choice": 1}, "1": {"value": 11}}}),
        )
        .await;
    crate::util::assert_refused(&refused, StatusCode::UNPROCESSABLE_ENTITY, "number_invalid");
    let (status, answered) = ana
        .call(
            TOLEDO,
            "POST",
            &responses,
            json!({"answers": {"0": {"choice": 1}, "1": {"value": 9}}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answered}");
    let again = ana
        .call(
            TOLEDO,
            "POST",
            &responses,
            json!({"answers": {"0": {"choice": 0}, "1": {"value": 1}}}),
        )
        .await;
    crate::util::assert_refused(&again, StatusCode::CONFLICT, "already_answered");
    let (_, results) = ana
        .call(TOLEDO, "GET", &format!("{path}/results"), Value::Null)
        .await;
    assert_eq!(results["responses"], 1);
    assert_eq!(results["questions"][0]["counts"], json!([0, 1]));
    assert_eq!(results["questions"][1]["counts"][8], 1);
    let (_, file) = ana.call(TOLEDO, "GET", &responses, Value::Null).await;
    assert_eq!(file["responses"][0]["answers"]["1"], json!({"value": 9}));
    let (_, open_data) = ana
        .call(
            TOLEDO,
            "GET",
            "/api/v1/processes/centros/open-data",
            Value::Null,
        )
        .await;
    assert_eq!(open_data["surveys"][0]["responses"], 1, "{open_data}");
    assert_eq!(open_data["surveys"][0]["responses_file"], responses);
    let anonymous = Browser::new(&world.app)
        .json(TOLEDO, "POST", &responses, json!({"answers": {}}), None)
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let elsewhere = Browser::new(&world.app).get(TALAVERA, &path).await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);

    let (_, home) = ana.call(TOLEDO, "GET", "/api/v1/polls", Value::Null).await;
    assert_eq!(home[0]["question"], "¿Piscinas en septiembre?");
    assert!(home[0].get("counts").is_none(), "no counts before voting");
    let vote = format!("/api/v1/polls/{poll}/vote");
    let (status, voted) = ana.call(TOLEDO, "POST", &vote, json!({"option": 0})).await;
    assert_eq!(status, StatusCode::OK, "{voted}");
    assert_eq!(voted["counts"], json!([1, 0]));
    assert_eq!(voted["voted"], 0);
    let twice = ana.call(TOLEDO, "POST", &vote, json!({"option": 1})).await;
    crate::util::assert_refused(&twice, StatusCode::CONFLICT, "already_voted");
    let elsewhere = Browser::new(&world.app)
        .get(TALAVERA, &format!("/api/v1/polls/{poll}"))
        .await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);
}
