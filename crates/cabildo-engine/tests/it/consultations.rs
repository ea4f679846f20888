//! Binding consultations against real PostgreSQL: one vote per person
//! across channels and under concurrency, the electorate frozen at the
//! opening, receipts, re-voting, a result recomputed from the published
//! board, nothing that links the roll to the box, and no council seeing
//! another's.

use crate::util::{person, toledo};
use cabildo_engine::census::document;
use cabildo_engine::consultations::board::{self, Board, Choices};
use cabildo_engine::consultations::{self, NewConsultation, NewQuestion, Question};
use cabildo_engine::processes::{self, NewProcess, Rules, Who};
use cabildo_engine::staff::Actor;
use cabildo_engine::{ConsultationId, Error, Field, Problem, Refusal, UserId};
use cabildo_tenancy::{Tenancy, Tenant};
use time::{Duration, OffsetDateTime};

const KEY: &[u8] = b"census key of the consultation tests";

/// A valid DNI for `number` (8 digits and its letter).
fn dni(number: u32) -> String {
    let letters = b"TRWAGMYFPDXBNJZSQVHLCKE";
    format!("{number:08}{}", letters[(number % 23) as usize] as char)
}

struct World {
    tenancy: Tenancy,
    tenant: Tenant,
    id: ConsultationId,
    questions: Vec<Question>,
    /// Verified residents with accounts, by name.
    ana: UserId,
    ben: UserId,
    /// Verified but ten years old.
    eva: UserId,
}

/// Adds a census resident born `age` years ago in `district`, claimed by
/// `user` when given.
async fn resident(
    w: (&Tenancy, &Tenant),
    number: u32,
    age: i32,
    district: &str,
    user: Option<UserId>,
) {
    let mut tx = w.0.begin(w.1).await.expect("begin");
    let hash = document::keyed_hash(KEY, &dni(number));
    let born = OffsetDateTime::now_utc()
        .date()
        .replace_year(OffsetDateTime::now_utc().year() - age);
    sqlx::query(
        "INSERT INTO census (document_hash, birth_date, district_code) VALUES ($1, $2, $3)",
    )
    .bind(&hash)
    .bind(born.expect("date"))
    .bind(district)
    .execute(tx.conn())
    .await
    .expect("census");
    if let Some(user) = user {
        sqlx::query("INSERT INTO census_claims (document_hash, user_id) VALUES ($1, $2)")
            .bind(&hash)
            .bind(user)
            .execute(tx.conn())
            .await
            .expect("claim");
    }
    tx.commit().await.expect("commit");
}

async fn world(revoting: bool) -> World {
    let (tenancy, tenant) = toledo().await;
    let actor = Actor("cli".into());
    let ana = person(&tenancy, &tenant, "ana@x.es", true, Some("centro")).await;
    let ben = person(&tenancy, &tenant, "ben@x.es", true, Some("norte")).await;
    let eva = person(&tenancy, &tenant, "eva@x.es", true, Some("norte")).await;
    let w = (&tenancy, &tenant);
    resident(w, 1, 40, "centro", Some(ana)).await;
    resident(w, 2, 30, "norte", Some(ben)).await;
    resident(w, 3, 80, "centro", None).await;
    resident(w, 4, 18, "norte", None).await;
    resident(w, 5, 10, "norte", Some(eva)).await;
    let mut tx = tenancy.begin(&tenant).await.expect("begin");
    let process = processes::create(
        &mut tx,
        &actor,
        &NewProcess {
            slug: "casco-historico".into(),
            title: "Casco histórico".into(),
            summary: "Consulta vinculante".into(),
            description: String::new(),
            district: None,
            rules: Rules {
                create: Who::Registered,
                support: Who::Verified,
                organisations_may_support: false,
                support_threshold: 100,
            },
        },
    )
    .await
    .expect("process");
    let now = OffsetDateTime::now_utc();
    let new = NewConsultation {
        title: "Peatonalización del casco".into(),
        description: String::new(),
        district_code: None,
        min_age: 16,
        revoting,
        opens_at: now - Duration::hours(1),
        closes_at: now + Duration::hours(1),
        questions: vec![
            NewQuestion {
                text: "¿Peatonalizar el casco histórico?".into(),
                max_choices: 1,
                options: vec!["Sí".into(), "No".into()],
            },
            NewQuestion {
                text: "¿Qué calles primero? (hasta dos)".into(),
                max_choices: 2,
                options: vec!["Comercio".into(), "Ancha".into(), "Sillería".into()],
            },
        ],
    };
    let mut wrong = new.clone();
    wrong.questions[1].max_choices = 4;
    assert_eq!(
        consultations::create(&mut tx, &actor, process, &wrong).await,
        Err(Error::invalid(Field::Questions, Problem::Invalid))
    );
    let id = consultations::create(&mut tx, &actor, process, &new)
        .await
        .expect("create");
    let questions = consultations::questions(&mut tx, id)
        .await
        .expect("questions");
    tx.commit().await.expect("commit");
    World {
        tenancy,
        tenant,
        id,
        questions,
        ana,
        ben,
        eva,
    }
}

impl World {
    /// Choices by option position per question.
    fn choose(&self, picks: &[&[usize]]) -> Choices {
        self.questions
            .iter()
            .zip(picks)
            .map(|(q, picked)| (q.id.0, picked.iter().map(|i| q.options[*i].0.0).collect()))
            .collect()
    }

    async fn act<T>(
        &self,
        f: impl AsyncFnOnce(&mut cabildo_tenancy::TenantTx) -> cabildo_engine::error::Result<T>,
    ) -> cabildo_engine::error::Result<T> {
        let mut tx = self.tenancy.begin(&self.tenant).await.expect("begin");
        let result = f(&mut tx).await;
        if result.is_ok() {
            tx.commit().await.expect("commit");
        }
        result
    }

    async fn open(&self) -> u64 {
        let actor = Actor("cli".into());
        self.act(async |tx| consultations::open(tx, &actor, self.id).await)
            .await
            .expect("open")
    }

    async fn cast(&self, user: UserId, choices: &Choices) -> Result<String, Error> {
        self.act(async |tx| consultations::cast(tx, self.id, user, choices).await)
            .await
            .map(|c| c.receipt)
    }

    /// Voting ends (as if the clock had moved on).
    async fn end_voting(&self) {
        let mut tx = self.tenancy.begin(&self.tenant).await.expect("begin");
        sqlx::query(
            "UPDATE consultations SET closes_at = now() - interval '1 second' WHERE id = $1",
        )
        .bind(self.id)
        .execute(tx.conn())
        .await
        .expect("end");
        tx.commit().await.expect("commit");
    }
}

#[tokio::test]
async fn a_consultation_runs_from_opening_to_a_result_anyone_recomputes() {
    let w = world(false).await;
    let actor = Actor("user:staff".into());
    let yes_two = w.choose(&[&[0], &[0, 2]]);
    assert_eq!(
        w.cast(w.ana, &yes_two).await,
        Err(Refusal::PhaseClosed.into()),
        "a draft takes no votes"
    );
    assert_eq!(
        w.open().await,
        4,
        "the ten-year-old is not in the electorate"
    );
    // Registered in the census after the opening: not in the electorate.
    let late = person(&w.tenancy, &w.tenant, "late@x.es", true, Some("centro")).await;
    resident((&w.tenancy, &w.tenant), 6, 50, "centro", Some(late)).await;
    assert_eq!(
        w.cast(late, &yes_two).await,
        Err(Refusal::NotInElectorate.into())
    );
    assert_eq!(
        w.cast(w.eva, &yes_two).await,
        Err(Refusal::NotInElectorate.into())
    );
    let unverified = person(&w.tenancy, &w.tenant, "u@x.es", true, None).await;
    assert_eq!(
        w.cast(unverified, &yes_two).await,
        Err(Refusal::NotVerified.into())
    );
    assert_eq!(
        w.cast(w.ana, &w.choose(&[&[0, 1], &[]])).await,
        Err(Error::invalid(Field::Choices, Problem::ChoiceInvalid)),
        "two answers to a one-answer question"
    );

    let ana_receipt = w.cast(w.ana, &yes_two).await.expect("ana votes");
    assert_eq!(
        w.cast(w.ana, &yes_two).await,
        Err(Refusal::AlreadyVoted.into())
    );
    w.cast(w.ben, &w.choose(&[&[1], &[]]))
        .await
        .expect("ben votes no, blank");
    // The assisted desk for resident 3; a polling station for resident 4;
    // Ana, who voted online, cannot vote again at a station.
    let assisted = w
        .act(async |tx| {
            consultations::mark_at_station(
                tx,
                &actor,
                KEY,
                w.id,
                &dni(3),
                Some(&w.choose(&[&[0], &[1]])),
            )
            .await
        })
        .await
        .expect("assisted")
        .expect("a receipt to hand over");
    assert!(consultations::normal_receipt(&assisted.receipt).is_some());
    let station = w
        .act(async |tx| consultations::mark_at_station(tx, &actor, KEY, w.id, &dni(4), None).await)
        .await
        .expect("station");
    assert_eq!(station, None, "paper ballots are counted at the station");
    assert_eq!(
        w.act(
            async |tx| consultations::mark_at_station(tx, &actor, KEY, w.id, &dni(1), None).await
        )
        .await,
        Err(Refusal::AlreadyVoted.into())
    );

    // Receipts: the voter finds their ballot; a made-up code finds none.
    let found = w
        .act(async |tx| consultations::check_receipt(tx, w.id, &ana_receipt.to_lowercase()).await)
        .await
        .expect("check")
        .expect("on the board");
    // Cast today in the council's time zone (Madrid), which is not always
    // the UTC date.
    let today = w
        .act(async |tx| cabildo_engine::assemblies::today(tx).await)
        .await
        .expect("today");
    assert_eq!((found.0, found.1), (today, false));
    let none = w
        .act(async |tx| {
            consultations::check_receipt(tx, w.id, "0000-0000-0000-0000-0000-0000-00").await
        })
        .await
        .expect("check");
    assert_eq!(none, None);

    // Counting waits for the end of voting.
    let paper = vec![
        (w.questions[0].id, Some(w.questions[0].options[0].0), 12),
        (w.questions[0].id, Some(w.questions[0].options[1].0), 30),
        (w.questions[0].id, None, 2),
    ];
    assert_eq!(
        w.act(
            async |tx| consultations::record_paper(tx, &actor, w.id, "Centro cívico", &paper).await
        )
        .await,
        Err(Refusal::VotingNotOver.into())
    );
    assert_eq!(
        w.act(async |tx| consultations::close(tx, &actor, w.id).await)
            .await
            .err(),
        Some(Refusal::VotingNotOver.into())
    );
    w.end_voting().await;
    assert_eq!(
        w.cast(late, &yes_two).await,
        Err(Refusal::PhaseClosed.into())
    );
    w.act(async |tx| consultations::record_paper(tx, &actor, w.id, "Centro cívico", &paper).await)
        .await
        .expect("paper");
    let tally = w
        .act(async |tx| consultations::close(tx, &actor, w.id).await)
        .await
        .expect("close");
    assert_eq!(tally.ballots, 3, "two online, one assisted");
    let yes_no = &tally.questions[0];
    assert_eq!(
        (
            yes_no.options[0].1,
            yes_no.options[0].2,
            yes_no.options[1].1,
            yes_no.options[1].2
        ),
        (2, 12, 1, 30)
    );
    assert_eq!(yes_no.blank, (0, 2));
    let streets = &tally.questions[1];
    assert_eq!(
        streets.options.iter().map(|o| o.1).collect::<Vec<_>>(),
        vec![1, 1, 1]
    );
    assert_eq!(streets.blank, (1, 0));

    // The published board, as a file, recomputes to the stored head.
    let (board, head, results): (Board, Vec<u8>, serde_json::Value) = w
        .act(async |tx| {
            let c = consultations::get(tx, w.id).await?;
            let board = consultations::board_of(tx, &c).await?;
            let results: serde_json::Value =
                sqlx::query_scalar("SELECT results FROM consultations WHERE id = $1")
                    .bind(w.id)
                    .fetch_one(tx.conn())
                    .await
                    .expect("results");
            Ok((board, c.head.expect("head"), results))
        })
        .await
        .expect("board");
    let file = serde_json::to_string_pretty(&board).expect("json");
    let read: Board = serde_json::from_str(&file).expect("read back");
    let again = board::tally(&read).expect("verifies");
    assert_eq!(again, tally);
    assert_eq!(board::hex_of(&head), tally.head);
    assert!(
        read.days[0].cast.iter().any(|b| b.receipt_hash == found.2),
        "Ana's receipt is on the board"
    );
    assert_eq!(
        results["turnout"],
        serde_json::json!([
            {"district": "centro", "electorate": 2, "voted": 2},
            {"district": "norte", "electorate": 2, "voted": 2},
        ])
    );
    // No one voted for the third street option alone, so this always
    // changes the ballot, whichever ballot sorts first.
    let mut forged = read.clone();
    let changed = w.choose(&[&[], &[2]]);
    assert_ne!(forged.days[0].cast[0].choices, changed);
    forged.days[0].cast[0].choices = changed;
    assert!(
        board::tally(&forged).is_err(),
        "a changed ballot breaks the chain"
    );

    // Staff actions are in the audit log, without any resident.
    let audited: Vec<(String, serde_json::Value)> = w
        .act(async |tx| {
            Ok(sqlx::query_as(
                "SELECT action, details FROM audit_log WHERE action LIKE 'consultation.%' ORDER BY id",
            )
            .fetch_all(tx.conn())
            .await
            .expect("audit"))
        })
        .await
        .expect("audit");
    let actions: Vec<&str> = audited.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "consultation.create",
            "consultation.open",
            "consultation.assisted",
            "consultation.station",
            "consultation.paper",
            "consultation.close"
        ]
    );
    assert_eq!(audited[2].1, serde_json::json!({}));
}

#[tokio::test]
async fn fifty_parallel_votes_of_one_person_leave_one_ballot() {
    let w = world(false).await;
    w.open().await;
    let mut tasks = Vec::new();
    for i in 0..50 {
        let tenancy = w.tenancy.clone();
        let tenant = w.tenant.clone();
        let choices = w.choose(&[&[i % 2], &[]]);
        let (id, ana) = (w.id, w.ana);
        tasks.push(tokio::spawn(async move {
            let mut tx = tenancy.begin(&tenant).await.expect("begin");
            let result = consultations::cast(&mut tx, id, ana, &choices).await;
            tx.commit().await.expect("commit");
            result
        }));
    }
    let mut cast = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(_) => cast += 1,
            Err(refusal) => assert_eq!(refusal, Refusal::AlreadyVoted.into()),
        }
    }
    assert_eq!(cast, 1);
    let (ballots, voted): (i64, i64) = w
        .act(async |tx| {
            Ok(sqlx::query_as(
                "SELECT (SELECT count(*) FROM consultation_ballots WHERE consultation_id = $1),
                        (SELECT count(voted_on) FROM consultation_roll WHERE consultation_id = $1)",
            )
            .bind(w.id)
            .fetch_one(tx.conn())
            .await
            .expect("counts"))
        })
        .await
        .expect("counts");
    assert_eq!((ballots, voted), (1, 1));
}

#[tokio::test]
async fn nothing_links_the_roll_to_the_box() {
    let w = world(false).await;
    w.open().await;
    w.cast(w.ana, &w.choose(&[&[0], &[0]])).await.expect("ana");
    w.cast(w.ben, &w.choose(&[&[1], &[2]])).await.expect("ben");
    let actor = Actor("cli".into());
    let columns = |table: &'static str| {
        w.act(async move |tx| {
            Ok(sqlx::query_as::<_, (String, String)>(
                "SELECT column_name::text, data_type::text FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            )
            .bind(table)
            .fetch_all(tx.conn())
            .await
            .expect("columns"))
        })
    };
    let box_columns = columns("consultation_ballots").await.expect("box");
    assert_eq!(
        box_columns,
        [
            ("consultation_id", "uuid"),
            ("id", "uuid"),
            ("choices", "jsonb"),
            ("receipt_hash", "bytea"),
            ("cast_on", "date"),
            ("withdrawn_on", "date"),
        ]
        .map(|(c, t)| (c.to_owned(), t.to_owned()))
    );
    let roll_columns = columns("consultation_roll").await.expect("roll");
    assert!(
        roll_columns
            .iter()
            .all(|(_, t)| !t.starts_with("timestamp")),
        "days only: {roll_columns:?}"
    );
    let references: Vec<String> = w
        .act(async |tx| {
            Ok(sqlx::query_scalar(
                "SELECT confrelid::regclass::text FROM pg_constraint
                 WHERE contype = 'f' AND conrelid IN ('consultation_ballots'::regclass, 'consultation_roll'::regclass)",
            )
            .fetch_all(tx.conn())
            .await
            .expect("keys"))
        })
        .await
        .expect("keys");
    assert!(
        references.iter().all(|r| r.ends_with("consultations")),
        "neither points anywhere but to the consultation: {references:?}"
    );

    w.end_voting().await;
    w.act(async |tx| consultations::close(tx, &actor, w.id).await)
        .await
        .expect("close");
    // After the close, every row of each table was written by one
    // statement, in key order: neither arrival order nor the transaction
    // of each vote remains.
    let (ballot_xmins, ballots_in_key_order, roll_xmins, roll_in_key_order): (i64, bool, i64, bool) = w
        .act(async |tx| {
            Ok(sqlx::query_as(
                "SELECT
                   (SELECT count(DISTINCT xmin::text) FROM consultation_ballots WHERE consultation_id = $1),
                   (SELECT array_agg(id ORDER BY ctid) = array_agg(id ORDER BY id)
                      FROM consultation_ballots WHERE consultation_id = $1),
                   (SELECT count(DISTINCT xmin::text) FROM consultation_roll WHERE consultation_id = $1),
                   (SELECT array_agg(document_hash ORDER BY ctid) = array_agg(document_hash ORDER BY document_hash)
                      FROM consultation_roll WHERE consultation_id = $1)",
            )
            .bind(w.id)
            .fetch_one(tx.conn())
            .await
            .expect("physical"))
        })
        .await
        .expect("physical");
    assert_eq!(
        (
            ballot_xmins,
            ballots_in_key_order,
            roll_xmins,
            roll_in_key_order
        ),
        (1, true, 1, true)
    );
}

#[tokio::test]
async fn a_vote_is_replaced_only_with_its_own_receipt() {
    let w = world(true).await;
    w.open().await;
    let first = w.cast(w.ana, &w.choose(&[&[0], &[]])).await.expect("first");
    let bens = w.cast(w.ben, &w.choose(&[&[1], &[]])).await.expect("ben");
    let revote = async |user, receipt: &str, choices: &Choices| {
        w.act(async |tx| consultations::revote(tx, w.id, user, receipt, choices).await)
            .await
            .map(|c| c.receipt)
    };
    let no = w.choose(&[&[1], &[1]]);
    assert_eq!(
        revote(w.ana, &bens, &no).await,
        Err(Refusal::ReceiptInvalid.into()),
        "another voter's receipt replaces nothing"
    );
    assert_eq!(
        revote(w.ana, "not a code", &no).await,
        Err(Refusal::ReceiptInvalid.into())
    );
    let second = revote(w.ana, &first, &no).await.expect("replaced");
    assert_eq!(
        revote(w.ana, &first, &no).await,
        Err(Refusal::ReceiptInvalid.into()),
        "a receipt replaces once"
    );
    let old = w
        .act(async |tx| consultations::check_receipt(tx, w.id, &first).await)
        .await
        .expect("check")
        .expect("still on the board");
    assert!(old.1, "marked withdrawn");
    w.end_voting().await;
    let actor = Actor("cli".into());
    let tally = w
        .act(async |tx| consultations::close(tx, &actor, w.id).await)
        .await
        .expect("close");
    assert_eq!((tally.ballots, tally.withdrawn), (2, 1));
    assert_eq!(
        (
            tally.questions[0].options[0].1,
            tally.questions[0].options[1].1
        ),
        (0, 2),
        "Ana's second ballot counts, her first does not"
    );
    assert!(consultations::normal_receipt(&second).is_some());

    let without = world(false).await;
    without.open().await;
    let receipt = without
        .cast(without.ana, &without.choose(&[&[0], &[]]))
        .await
        .expect("vote");
    let refused = without
        .act(async |tx| {
            consultations::revote(
                tx,
                without.id,
                without.ana,
                &receipt,
                &without.choose(&[&[1], &[]]),
            )
            .await
        })
        .await;
    assert_eq!(refused.err(), Some(Refusal::RevotingOff.into()));
}

#[tokio::test]
async fn another_council_sees_nothing_of_a_consultation() {
    let w = world(false).await;
    w.open().await;
    w.cast(w.ana, &w.choose(&[&[0], &[]])).await.expect("vote");
    let other = cabildo_tenancy::testing::council(&w.tenancy, "talavera")
        .await
        .expect("talavera");
    let mut tx = w.tenancy.begin(&other).await.expect("begin");
    assert_eq!(
        consultations::get(&mut tx, w.id).await.err(),
        Some(Refusal::NotFound.into())
    );
    let seen: (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM consultation_ballots), (SELECT count(*) FROM consultation_roll)",
    )
    .fetch_one(tx.conn())
    .await
    .expect("counts");
    assert_eq!(seen, (0, 0));
}
