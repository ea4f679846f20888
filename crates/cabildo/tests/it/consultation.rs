//! `cabildo consultation board` and `cabildo consultation tally`: a closed
//! consultation's board written from the database and its result
//! recomputed from the file alone; a changed file does not verify.

use crate::support::{cabildo, run};
use cabildo_engine::census::document;
use cabildo_engine::consultations::{self, NewConsultation, NewQuestion};
use cabildo_engine::processes::{self, NewProcess, Rules, Who};
use cabildo_engine::staff::Actor;
use cabildo_tenancy::testing::fresh_database_url;
use cabildo_tenancy::{PoolConfig, Slug, Tenancy};
use time::{Duration, OffsetDateTime};

const KEY: &[u8] = b"a census key for the consultation command";

fn dni(n: u32) -> String {
    let letters = b"TRWAGMYFPDXBNJZSQVHLCKE";
    format!("{n:08}{}", letters[(n % 23) as usize] as char)
}

#[tokio::test]
async fn a_closed_consultations_board_is_written_and_recomputed_from_the_file() {
    let url = fresh_database_url().await.expect("database");
    let tenants_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tenants");
    let applied = run(cabildo()
        .env("DATABASE_URL", &url)
        .args(["tenants", "apply", tenants_dir]));
    assert!(applied.ok, "{}", applied.stderr);
    let tenancy = Tenancy::connect(&url, PoolConfig::default(), None)
        .await
        .expect("connect");
    let toledo = tenancy
        .get_tenant(&Slug::parse("toledo").expect("slug"))
        .await
        .expect("toledo");
    let actor = Actor("cli".into());
    let mut tx = tenancy.begin(&toledo).await.expect("begin");
    for n in 1..=3 {
        sqlx::query(
            "INSERT INTO census (document_hash, birth_date, district_code)
             VALUES ($1, '1970-01-01', 'poligono')",
        )
        .bind(document::keyed_hash(KEY, &dni(n)))
        .execute(tx.conn())
        .await
        .expect("resident");
    }
    let process = processes::create(
        &mut tx,
        &actor,
        &NewProcess {
            slug: "consulta".into(),
            title: "Consulta".into(),
            summary: String::new(),
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
    let id = consultations::create(
        &mut tx,
        &actor,
        process,
        &NewConsultation {
            title: "Horario de la biblioteca".into(),
            description: String::new(),
            district_code: None,
            min_age: 16,
            revoting: false,
            opens_at: now - Duration::hours(1),
            closes_at: now + Duration::hours(1),
            questions: vec![NewQuestion {
                text: "¿Abrir los domingos?".into(),
                max_choices: 1,
                options: vec!["Sí".into(), "No".into()],
            }],
        },
    )
    .await
    .expect("consultation");
    consultations::open(&mut tx, &actor, id)
        .await
        .expect("open");
    let question = consultations::questions(&mut tx, id)
        .await
        .expect("questions")
        .remove(0);
    let choose = |i: usize| {
        std::collections::BTreeMap::from([(question.id.0, vec![question.options[i].0.0])])
    };
    for (n, option) in [(1, 0), (2, 1)] {
        consultations::mark_at_station(&mut tx, &actor, KEY, id, &dni(n), Some(&choose(option)))
            .await
            .expect("assisted vote");
    }
    consultations::mark_at_station(&mut tx, &actor, KEY, id, &dni(3), None)
        .await
        .expect("station vote");
    sqlx::query("UPDATE consultations SET closes_at = now() - interval '1 second' WHERE id = $1")
        .bind(id)
        .execute(tx.conn())
        .await
        .expect("voting ends");
    let paper = [
        (question.id, Some(question.options[0].0), 7),
        (question.id, None, 1),
    ];
    consultations::record_paper(&mut tx, &actor, id, "Biblioteca", &paper)
        .await
        .expect("paper");
    tx.commit().await.expect("commit");

    let dir = std::env::temp_dir().join(format!("cabildo-consultation-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("board.json");
    let board = |file: &std::path::Path| {
        run(cabildo()
            .env("DATABASE_URL", &url)
            .args([
                "consultation",
                "board",
                "--tenant",
                "toledo",
                "--consultation",
            ])
            .arg(id.to_string())
            .arg("--output")
            .arg(file))
    };
    let open = board(&file);
    assert!(
        !open.ok && open.stderr.contains("not closed"),
        "{}",
        open.stderr
    );
    let mut tx = tenancy.begin(&toledo).await.expect("begin");
    let tally = consultations::close(&mut tx, &actor, id)
        .await
        .expect("close");
    tx.commit().await.expect("commit");
    let written = board(&file);
    assert!(written.ok, "{}", written.stderr);

    let counted = run(cabildo().args(["consultation", "tally"]).arg(&file));
    assert!(counted.ok, "{}", counted.stderr);
    for line in [
        "Horario de la biblioteca".to_owned(),
        format!(
            "2 ballots counted (0 replaced by a re-vote), 1 days, final head {}",
            tally.head
        ),
        "8  Sí  (online and assisted 1, paper 7)".to_owned(),
        "1  No  (online and assisted 1, paper 0)".to_owned(),
        "1  blank  (online and assisted 0, paper 1)".to_owned(),
    ] {
        assert!(
            counted.stdout.contains(&line),
            "{line:?} in {}",
            counted.stdout
        );
    }

    // One vote moved from one option to the other: the chain breaks.
    let text = std::fs::read_to_string(&file).expect("read");
    let mut forged: serde_json::Value = serde_json::from_str(&text).expect("json");
    let yes = question.options[0].0.0.to_string();
    let no = question.options[1].0.0.to_string();
    let choices = &mut forged["days"][0]["cast"][0]["choices"][question.id.0.to_string()];
    *choices = serde_json::json!([if choices[0] == yes.as_str() { no } else { yes }]);
    std::fs::write(&file, forged.to_string()).expect("write");
    let refused = run(cabildo().args(["consultation", "tally"]).arg(&file));
    assert!(
        !refused.ok && refused.stderr.contains("does not verify"),
        "{}{}",
        refused.stdout,
        refused.stderr
    );
    std::fs::remove_dir_all(&dir).expect("clean");
}
