//! Surveys and quick polls against real PostgreSQL: every question kind
//! checked and counted, conditional questions, who may answer, one
//! response per person under concurrency, anonymous responses with
//! nothing that names the person, editing until the phase ends, free texts
//! published only once approved, and no council seeing another's.

use crate::util::{person, toledo};
use cabildo_engine::polls::{self, NewPoll};
use cabildo_engine::processes::{self, Component, NewPhase, NewProcess, Rules, Who};
use cabildo_engine::staff::Actor;
use cabildo_engine::surveys::{
    self, Answer, Answers, Audience, Kind, NewQuestion, NewSurvey, Respondent, Standing, Tally,
};
use cabildo_engine::{Error, Field, Problem, ProcessId, Refusal, SurveyId, UserId};
use cabildo_tenancy::{Tenancy, Tenant};
use time::{Duration, OffsetDateTime};

struct World {
    tenancy: Tenancy,
    tenant: Tenant,
    process: ProcessId,
    /// Verified in centro.
    ana: UserId,
    /// Verified in norte.
    ben: UserId,
    /// Registered, not verified.
    carla: UserId,
}

async fn world(district: Option<&str>) -> World {
    let (tenancy, tenant) = toledo().await;
    let actor = Actor("cli".into());
    let ana = person(&tenancy, &tenant, "ana@x.es", true, Some("centro")).await;
    let ben = person(&tenancy, &tenant, "ben@x.es", true, Some("norte")).await;
    let carla = person(&tenancy, &tenant, "carla@x.es", true, None).await;
    let mut tx = tenancy.begin(&tenant).await.expect("begin");
    let process = processes::create(
        &mut tx,
        &actor,
        &NewProcess {
            slug: "centros-civicos".into(),
            title: "Centros cívicos".into(),
            summary: "Encuesta".into(),
            description: String::new(),
            district: district.map(str::to_owned),
            rules: Rules {
                create: Who::Registered,
                support: Who::Registered,
                organisations_may_support: false,
                support_threshold: 10,
            },
        },
    )
    .await
    .expect("process");
    let now = OffsetDateTime::now_utc();
    processes::add_phase(
        &mut tx,
        &actor,
        process,
        &NewPhase {
            title: "Encuesta".into(),
            starts_at: now - Duration::days(1),
            ends_at: now + Duration::days(10),
            components: vec![Component::Surveys],
        },
    )
    .await
    .expect("phase");
    processes::publish(&mut tx, &actor, process)
        .await
        .expect("publish");
    tx.commit().await.expect("commit");
    World {
        tenancy,
        tenant,
        process,
        ana,
        ben,
        carla,
    }
}

fn q(kind: Kind, text: &str, options: &[&str]) -> NewQuestion {
    NewQuestion {
        kind,
        text: text.into(),
        options: options.iter().map(|o| (*o).to_owned()).collect(),
        ..NewQuestion::default()
    }
}

/// One question of every kind; the fifth shown only after "No" to the first.
fn every_kind(audience: Audience, anonymous: bool, editable: bool) -> NewSurvey {
    let mut days = q(
        Kind::Multiple,
        "¿Qué días vienes?",
        &["Lunes", "Martes", "Sábado"],
    );
    days.choices = (1, 2);
    let mut score = q(Kind::Scale, "¿Cómo valoras el horario?", &[]);
    score.scale_max = 10;
    let mut why = q(Kind::ShortText, "¿Por qué no?", &[]);
    why.shown_if = Some((0, vec![1]));
    let mut grid = q(Kind::Matrix, "Valora cada centro", &["Bien", "Mal"]);
    grid.rows = vec!["Azucaica".into(), "Benquerencia".into()];
    let mut more = q(Kind::LongText, "¿Algo más?", &[]);
    more.required = false;
    NewSurvey {
        title: "Horarios de los centros cívicos".into(),
        description: String::new(),
        audience,
        anonymous,
        editable,
        results_while_open: true,
        questions: vec![
            q(Kind::Single, "¿Usas un centro cívico?", &["Sí", "No"]),
            days,
            q(
                Kind::Ranking,
                "Ordena por prioridad",
                &["Biblioteca", "Gimnasio", "Talleres"],
            ),
            score,
            why,
            grid,
            more,
        ],
    }
}

impl World {
    async fn act<T>(
        &self,
        f: impl AsyncFnOnce(&mut cabildo_tenancy::TenantTx) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut tx = self.tenancy.begin(&self.tenant).await.expect("begin");
        let out = f(&mut tx).await;
        if out.is_ok() {
            tx.commit().await.expect("commit");
        }
        out
    }

    async fn survey(&self, new: &NewSurvey) -> SurveyId {
        let actor = Actor("user:staff".into());
        let process = self.process;
        self.act(async |tx| {
            let id = surveys::create(tx, &actor, process, None, new).await?;
            surveys::publish(tx, &actor, id).await?;
            Ok(id)
        })
        .await
        .expect("survey")
    }

    async fn answer(&self, id: SurveyId, who: Respondent, given: Answers) -> Result<bool, Error> {
        self.act(async |tx| {
            let questions = surveys::questions(tx, id).await?;
            let checked = surveys::check(id, &questions, given).map_err(|faults| {
                Error::invalid(
                    Field::Answers,
                    faults.first().map_or(Problem::Invalid, |f| f.problem),
                )
            })?;
            surveys::respond(tx, who, &checked).await
        })
        .await
    }
}

/// An answer to every shown question of [`every_kind`]: `used` picks
/// the first (0: yes; 1: no, and then the follow-up is answered).
fn full(used: i32, days: &[i32], order: &[i32], score: i32, grid: [i32; 2], more: &str) -> Answers {
    let mut a: Answers = [
        (0, Answer::Choice(used)),
        (1, Answer::Choices(days.to_vec())),
        (2, Answer::Order(order.to_vec())),
        (3, Answer::Value(score)),
        (5, Answer::Rows(grid.iter().map(|c| Some(*c)).collect())),
    ]
    .into();
    if used == 1 {
        a.insert(4, Answer::Text("Me pilla lejos".into()));
    }
    if !more.is_empty() {
        a.insert(6, Answer::Text(more.into()));
    }
    a
}

#[tokio::test]
async fn a_survey_of_every_kind_is_answered_counted_and_its_texts_moderated() {
    let w = world(None).await;
    let actor = Actor("user:staff".into());
    let process = w.process;
    // A draft changes freely; a wrong question is pointed at.
    let mut wrong = every_kind(Audience::Registered, false, false);
    wrong.questions[4].shown_if = Some((3, vec![0]));
    assert_eq!(
        surveys::check_questions(&wrong.questions),
        Err((4, Problem::ChoiceInvalid)),
        "a condition on a scale question"
    );
    let conflict = every_kind(Audience::Anyone, true, false);
    let refused = w
        .act(async |tx| surveys::create(tx, &actor, process, None, &conflict).await)
        .await;
    assert_eq!(
        refused,
        Err(Error::invalid(Field::Audience, Problem::AnonymityConflict))
    );
    let draft = w
        .act(async |tx| {
            let mut first = every_kind(Audience::Registered, false, false);
            first.questions.truncate(2);
            let id = surveys::create(tx, &actor, process, None, &first).await?;
            let all = every_kind(Audience::Registered, false, false);
            surveys::create(tx, &actor, process, Some(id), &all).await?;
            Ok(id)
        })
        .await
        .expect("draft");
    assert_eq!(
        w.answer(
            draft,
            Respondent::Person(w.ana),
            full(0, &[0], &[0, 1, 2], 7, [0, 0], "")
        )
        .await,
        Err(Refusal::NotFound.into()),
        "a draft takes no answers"
    );
    w.act(async |tx| {
        assert_eq!(surveys::questions(tx, draft).await?.len(), 7);
        assert!(surveys::publish(tx, &actor, draft).await?);
        Ok(())
    })
    .await
    .expect("publish");
    let fixed = w
        .act(async |tx| {
            let all = every_kind(Audience::Registered, false, false);
            surveys::create(tx, &actor, process, Some(draft), &all).await
        })
        .await;
    assert_eq!(fixed, Err(Refusal::SurveyFixed.into()));

    let id = draft;
    w.answer(
        id,
        Respondent::Person(w.ana),
        full(0, &[0, 2], &[2, 0, 1], 8, [0, 1], "Más talleres"),
    )
    .await
    .expect("ana");
    w.answer(
        id,
        Respondent::Person(w.ben),
        full(1, &[2], &[2, 1, 0], 4, [0, 0], ""),
    )
    .await
    .expect("ben");
    assert_eq!(
        w.answer(
            id,
            Respondent::Person(w.ben),
            full(1, &[2], &[2, 1, 0], 4, [0, 0], "")
        )
        .await,
        Err(Refusal::AlreadyAnswered.into())
    );
    // "No" without saying why: the shown follow-up is required.
    let mut short = full(1, &[1], &[0, 1, 2], 5, [1, 1], "");
    short.remove(&4);
    assert_eq!(
        w.answer(id, Respondent::Person(w.carla), short).await,
        Err(Error::invalid(Field::Answers, Problem::AnswerRequired))
    );
    assert_eq!(
        w.answer(
            id,
            Respondent::Visitor([7; 32]),
            full(0, &[0], &[0, 1, 2], 7, [0, 0], "")
        )
        .await,
        Err(Refusal::NotRegistered.into()),
        "a registered audience needs an account"
    );

    let results = w
        .act(async |tx| surveys::results(tx, id).await)
        .await
        .expect("results");
    assert_eq!(results.responses, 2);
    let tally = |i: usize| results.questions[i].tally.clone();
    assert_eq!(tally(0), Tally::Choices(vec![1, 1]));
    assert_eq!(tally(1), Tally::Choices(vec![1, 0, 2]));
    // Ana 2,0,1 and Ben 2,1,0: talleres 2+2, biblioteca 1+0, gimnasio 0+1.
    assert_eq!(
        tally(2),
        Tally::Ranking {
            points: vec![1, 1, 4],
            first: vec![0, 0, 2]
        }
    );
    assert_eq!(tally(3), Tally::Scale(vec![0, 0, 0, 1, 0, 0, 0, 1, 0, 0]));
    assert_eq!(results.questions[4].answered, 1, "only Ben was asked why");
    assert_eq!(
        tally(4),
        Tally::Texts {
            published: vec![],
            unpublished: 1
        },
        "texts wait for review"
    );
    assert_eq!(tally(5), Tally::Matrix(vec![vec![2, 0], vec![1, 1]]));

    // Staff approve Ben's reason and reject Ana's comment.
    let waiting = w
        .act(async |tx| surveys::texts_for_review(tx, id, true).await)
        .await
        .expect("texts");
    assert_eq!(waiting.len(), 2);
    for text in &waiting {
        let approve = text.text == "Me pilla lejos";
        w.act(async |tx| {
            surveys::review_text(tx, &actor, id, (text.response, text.position), approve).await
        })
        .await
        .expect("review");
    }
    let results = w
        .act(async |tx| surveys::results(tx, id).await)
        .await
        .expect("results");
    assert_eq!(
        results.questions[4].tally,
        Tally::Texts {
            published: vec!["Me pilla lejos".into()],
            unpublished: 0
        }
    );
    assert_eq!(
        results.questions[6].tally,
        Tally::Texts {
            published: vec![],
            unpublished: 1
        }
    );
    let exported = w
        .act(async |tx| surveys::responses(tx, id, false).await)
        .await
        .expect("export");
    assert!(
        exported.iter().all(|r| !r.answers.contains_key(&6)),
        "a rejected text is not exported"
    );
    let unknown = w
        .act(async |tx| surveys::review_text(tx, &actor, id, (uuid::Uuid::nil(), 4), true).await)
        .await;
    assert_eq!(unknown, Err(Refusal::NotFound.into()));
}

#[tokio::test]
async fn who_may_answer_follows_the_audience() {
    let w = world(Some("centro")).await;
    let verified = w
        .survey(&every_kind(Audience::Verified, false, false))
        .await;
    let district = w
        .survey(&every_kind(Audience::District, false, false))
        .await;
    let anyone = w.survey(&every_kind(Audience::Anyone, false, false)).await;
    let answers = || full(0, &[0], &[0, 1, 2], 7, [0, 0], "");
    assert_eq!(
        w.answer(verified, Respondent::Person(w.carla), answers())
            .await,
        Err(Refusal::NotVerified.into())
    );
    assert_eq!(
        w.answer(district, Respondent::Person(w.ben), answers())
            .await,
        Err(Refusal::WrongDistrict.into())
    );
    w.answer(district, Respondent::Person(w.ana), answers())
        .await
        .expect("ana lives in centro");
    // Anyone: a browser answers once, another browser again.
    w.answer(anyone, Respondent::Visitor([1; 32]), answers())
        .await
        .expect("first browser");
    assert_eq!(
        w.answer(anyone, Respondent::Visitor([1; 32]), answers())
            .await,
        Err(Refusal::AlreadyAnswered.into())
    );
    w.answer(anyone, Respondent::Visitor([2; 32]), answers())
        .await
        .expect("second browser");
    let stored: Vec<Option<UserId>> = w
        .act(async |tx| {
            Ok(
                sqlx::query_scalar("SELECT user_id FROM survey_responses WHERE survey_id = $1")
                    .bind(anyone)
                    .fetch_all(tx.conn())
                    .await
                    .expect("responses"),
            )
        })
        .await
        .expect("read");
    assert_eq!(stored, vec![None, None]);

    // Once the phase is over nobody answers.
    w.act(async |tx| {
        sqlx::query("UPDATE process_phases SET ends_at = now() - interval '1 minute', starts_at = now() - interval '2 days'")
            .execute(tx.conn())
            .await
            .expect("end");
        Ok(())
    })
    .await
    .expect("phase over");
    assert_eq!(
        w.answer(verified, Respondent::Person(w.ana), answers())
            .await,
        Err(Refusal::PhaseClosed.into())
    );
}

#[tokio::test]
async fn fifty_parallel_responses_of_one_person_leave_one_and_anonymous_ones_name_nobody() {
    let w = std::sync::Arc::new(world(None).await);
    let id = w
        .survey(&every_kind(Audience::Registered, true, false))
        .await;
    let mut tasks = Vec::new();
    for i in 0..50 {
        let w = w.clone();
        tasks.push(tokio::spawn(async move {
            w.answer(
                id,
                Respondent::Person(w.ana),
                full(0, &[0], &[0, 1, 2], 1 + i % 10, [0, 0], ""),
            )
            .await
        }));
    }
    let mut stored = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(true) => stored += 1,
            Err(e) => assert_eq!(e, Refusal::AlreadyAnswered.into()),
            Ok(false) => panic!("an anonymous response changed"),
        }
    }
    assert_eq!(stored, 1);
    w.answer(
        id,
        Respondent::Person(w.ben),
        full(1, &[2], &[2, 1, 0], 4, [0, 0], ""),
    )
    .await
    .expect("ben");
    let (responses, respondents, named, columns): (i64, i64, i64, Vec<String>) = w
        .act(async |tx| {
            Ok((
                sqlx::query_scalar("SELECT count(*) FROM survey_responses WHERE survey_id = $1")
                    .bind(id)
                    .fetch_one(tx.conn())
                    .await
                    .expect("responses"),
                sqlx::query_scalar("SELECT count(*) FROM survey_respondents WHERE survey_id = $1")
                    .bind(id)
                    .fetch_one(tx.conn())
                    .await
                    .expect("respondents"),
                sqlx::query_scalar(
                    "SELECT count(*) FROM survey_responses WHERE survey_id = $1 AND user_id IS NOT NULL",
                )
                .bind(id)
                .fetch_one(tx.conn())
                .await
                .expect("named"),
                sqlx::query_scalar(
                    "SELECT column_name || ':' || data_type FROM information_schema.columns
                     WHERE table_schema = current_schema() AND table_name = 'survey_responses'
                     ORDER BY ordinal_position",
                )
                .fetch_all(tx.conn())
                .await
                .expect("columns"),
            ))
        })
        .await
        .expect("counts");
    assert_eq!((responses, respondents, named), (2, 2, 0));
    assert!(
        columns.iter().all(|c| !c.contains("timestamp")),
        "a response keeps the day only: {columns:?}"
    );
    let mine = w
        .act(async |tx| {
            let survey = surveys::get(tx, id).await?;
            surveys::mine(tx, &survey, w.ana).await
        })
        .await
        .expect("mine");
    assert_eq!(mine, None, "an anonymous response is nobody's");
}

#[tokio::test]
async fn an_editable_response_changes_until_the_phase_ends_and_is_reviewed_again() {
    let w = world(None).await;
    let actor = Actor("user:staff".into());
    let id = w
        .survey(&every_kind(Audience::Registered, false, true))
        .await;
    let who = Respondent::Person(w.ana);
    assert!(
        w.answer(id, who, full(1, &[0], &[0, 1, 2], 3, [0, 0], ""))
            .await
            .expect("first")
    );
    let text = w
        .act(async |tx| surveys::texts_for_review(tx, id, true).await)
        .await
        .expect("texts")
        .remove(0);
    w.act(async |tx| surveys::review_text(tx, &actor, id, (text.response, 4), true).await)
        .await
        .expect("approve");
    let standing = w
        .act(async |tx| {
            let survey = surveys::get(tx, id).await?;
            surveys::standing(tx, &survey, Some(who)).await
        })
        .await
        .expect("standing");
    assert_eq!(standing, Standing::Answered { may_edit: true });
    assert!(
        !w.answer(id, who, full(1, &[1], &[0, 1, 2], 9, [0, 0], ""))
            .await
            .expect("changed")
    );
    let (results, mine) = w
        .act(async |tx| {
            let survey = surveys::get(tx, id).await?;
            Ok((
                surveys::results(tx, id).await?,
                surveys::mine(tx, &survey, w.ana).await?,
            ))
        })
        .await
        .expect("results");
    assert_eq!(results.responses, 1);
    assert_eq!(
        results.questions[3].tally,
        Tally::Scale(vec![0, 0, 0, 0, 0, 0, 0, 0, 1, 0])
    );
    assert_eq!(
        results.questions[4].tally,
        Tally::Texts {
            published: vec![],
            unpublished: 1
        },
        "the changed text waits for review again"
    );
    assert_eq!(mine.expect("hers").get(&3), Some(&Answer::Value(9)));
}

#[tokio::test]
async fn a_quick_poll_takes_one_vote_per_person_while_open() {
    let w = world(None).await;
    let actor = Actor("user:staff".into());
    let now = OffsetDateTime::now_utc();
    let new = NewPoll {
        process_id: None,
        question: "¿Abrimos los centros en agosto?".into(),
        options: vec!["Sí".into(), "No".into(), " ".into()],
        opens_at: now - Duration::hours(1),
        closes_at: now + Duration::days(7),
    };
    let one_option = NewPoll {
        options: vec!["Sí".into()],
        ..new.clone()
    };
    assert_eq!(
        w.act(async |tx| polls::create(tx, &actor, &one_option).await)
            .await,
        Err(Error::invalid(Field::Options, Problem::Invalid))
    );
    let id = w
        .act(async |tx| polls::create(tx, &actor, &new).await)
        .await
        .expect("poll");
    for (user, option) in [(w.ana, 0), (w.ben, 1), (w.carla, 0)] {
        w.act(async |tx| polls::vote(tx, id, user, option).await)
            .await
            .expect("vote");
    }
    assert_eq!(
        w.act(async |tx| polls::vote(tx, id, w.ana, 1).await).await,
        Err(Refusal::AlreadyVoted.into())
    );
    assert_eq!(
        w.act(async |tx| polls::vote(tx, id, w.ana, 2).await).await,
        Err(Error::invalid(Field::Choices, Problem::ChoiceInvalid)),
        "the blank option was dropped"
    );
    let (home, counts, mine) = w
        .act(async |tx| {
            let home = polls::shown(tx, None).await?;
            let poll = polls::find(tx, id).await?.expect("poll");
            Ok((
                home,
                polls::counts(tx, &poll).await?,
                polls::vote_of(tx, id, w.ben).await?,
            ))
        })
        .await
        .expect("read");
    assert_eq!(home.len(), 1);
    assert_eq!(counts, vec![2, 1]);
    assert_eq!(mine, Some(1));
    w.act(async |tx| polls::close(tx, &actor, id).await)
        .await
        .expect("close");
    let late = person(&w.tenancy, &w.tenant, "late@x.es", true, None).await;
    assert_eq!(
        w.act(async |tx| polls::vote(tx, id, late, 0).await).await,
        Err(Refusal::PhaseClosed.into())
    );
}

#[tokio::test]
async fn another_council_sees_nothing_of_a_survey_or_a_poll() {
    let w = world(None).await;
    let id = w
        .survey(&every_kind(Audience::Registered, false, false))
        .await;
    w.answer(
        id,
        Respondent::Person(w.ana),
        full(0, &[0], &[0, 1, 2], 7, [0, 0], ""),
    )
    .await
    .expect("ana");
    let actor = Actor("user:staff".into());
    let now = OffsetDateTime::now_utc();
    let poll = w
        .act(async |tx| {
            polls::create(
                tx,
                &actor,
                &NewPoll {
                    process_id: None,
                    question: "¿Sí?".into(),
                    options: vec!["Sí".into(), "No".into()],
                    opens_at: now - Duration::hours(1),
                    closes_at: now + Duration::hours(1),
                },
            )
            .await
        })
        .await
        .expect("poll");
    let other = cabildo_tenancy::testing::council(&w.tenancy, "talavera")
        .await
        .expect("talavera");
    let mut tx = w.tenancy.begin(&other).await.expect("begin");
    assert_eq!(
        surveys::get(&mut tx, id).await.err(),
        Some(Refusal::NotFound.into())
    );
    assert_eq!(polls::find(&mut tx, poll).await.expect("find"), None);
    assert!(polls::shown(&mut tx, None).await.expect("home").is_empty());
    let seen: (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM survey_responses), (SELECT count(*) FROM survey_respondents),
                (SELECT count(*) FROM poll_votes)",
    )
    .fetch_one(tx.conn())
    .await
    .expect("counts");
    assert_eq!(seen, (0, 0, 0));
}
