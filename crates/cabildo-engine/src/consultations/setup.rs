//! A consultation's life as staff drive it: created as a draft with its
//! questions, opened (the electorate frozen from the census), paper totals
//! entered after voting, and closed (the board frozen, results stored, the
//! roll and the box rewritten so no trace of arrival order remains).

use super::board::{
    self, Board, BoardBallot, BoardDay, BoardPaper, Choices, FORMAT, Tally, hex_of,
};
use super::{Consultation, ConsultationId, Status, get, questions};
use crate::audit::{Actor, audit};
use crate::error::{Error, Field, Problem, Refusal, Result};
use crate::ids::{OptionId, ProcessId, QuestionId};
use cabildo_tenancy::TenantTx;
use cabildo_tenancy::entitlements::{Feature, Need};
use serde_json::json;
use std::collections::BTreeMap;
use time::OffsetDateTime;
use uuid::Uuid;

/// A question to ask.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewQuestion {
    /// Its text.
    pub text: String,
    /// Most options a voter may choose (1: one).
    pub max_choices: i32,
    /// Its options, in order.
    pub options: Vec<String>,
}

/// A consultation to create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewConsultation {
    /// Title.
    pub title: String,
    /// Description (Markdown).
    pub description: String,
    /// The district whose residents vote; none for the whole city.
    pub district_code: Option<String>,
    /// Youngest age that may vote.
    pub min_age: i32,
    /// Whether voters may replace their ballot.
    pub revoting: bool,
    /// Voting opens.
    pub opens_at: OffsetDateTime,
    /// Voting closes.
    pub closes_at: OffsetDateTime,
    /// The questions.
    pub questions: Vec<NewQuestion>,
}

/// The first thing wrong with `new`, as a field error.
fn check(new: &NewConsultation) -> Result<()> {
    let title = new.title.trim().chars().count();
    if title == 0 || title > 200 {
        return Err(Error::invalid(Field::Title, Problem::TitleInvalid));
    }
    if new.description.chars().count() > 20_000 {
        return Err(Error::invalid(Field::Description, Problem::TextTooLong));
    }
    if new.closes_at <= new.opens_at {
        return Err(Error::invalid(Field::Dates, Problem::DatesInvalid));
    }
    if !(0..=120).contains(&new.min_age) {
        return Err(Error::invalid(Field::Value, Problem::NumberInvalid));
    }
    let question_ok = |q: &NewQuestion| {
        let text = q.text.trim().chars().count();
        let options_ok = (2..=50).contains(&q.options.len())
            && (q.options.iter()).all(|o| (1..=300).contains(&o.trim().chars().count()));
        (1..=1000).contains(&text)
            && options_ok
            && usize::try_from(q.max_choices).is_ok_and(|m| m >= 1 && m <= q.options.len())
    };
    if new.questions.is_empty()
        || new.questions.len() > 20
        || !new.questions.iter().all(question_ok)
    {
        return Err(Error::invalid(Field::Questions, Problem::Invalid));
    }
    Ok(())
}

/// Creates a draft consultation in `process`, when the council's plan
/// includes consultations.
pub async fn create(
    tx: &mut TenantTx,
    actor: &Actor,
    process: ProcessId,
    new: &NewConsultation,
) -> Result<ConsultationId> {
    check(new)?;
    tx.within_plan(Need::Feature(Feature::Consultations))?;
    if let Some(district) = &new.district_code {
        let known: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM districts WHERE code = $1)")
                .bind(district)
                .fetch_one(tx.conn())
                .await?;
        if !known {
            return Err(Error::invalid(Field::District, Problem::DistrictUnknown));
        }
    }
    let id: Option<ConsultationId> = sqlx::query_scalar(
        "INSERT INTO consultations (process_id, title, description, district_code, min_age,
                                    revoting, opens_at, closes_at)
         SELECT id, $2, $3, $4, $5, $6, $7, $8 FROM processes WHERE id = $1
         RETURNING id",
    )
    .bind(process)
    .bind(new.title.trim())
    .bind(&new.description)
    .bind(&new.district_code)
    .bind(new.min_age)
    .bind(new.revoting)
    .bind(new.opens_at)
    .bind(new.closes_at)
    .fetch_optional(tx.conn())
    .await?;
    let id = id.ok_or(Refusal::NotFound)?;
    for (position, question) in (0..).zip(&new.questions) {
        let question_id: QuestionId = sqlx::query_scalar(
            "INSERT INTO consultation_questions (consultation_id, position, text, max_choices)
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(id)
        .bind(position)
        .bind(question.text.trim())
        .bind(question.max_choices)
        .fetch_one(tx.conn())
        .await?;
        for (position, option) in (0..).zip(&question.options) {
            sqlx::query(
                "INSERT INTO consultation_options (question_id, position, text) VALUES ($1, $2, $3)",
            )
            .bind(question_id)
            .bind(position)
            .bind(option.trim())
            .execute(tx.conn())
            .await?;
        }
    }
    audit(
        tx,
        actor,
        "consultation.create",
        Some(&id.to_string()),
        json!({"process": process, "questions": new.questions.len()}),
    )
    .await?;
    Ok(id)
}

/// Opens `id` for voting: freezes its electorate, every census resident
/// (of its district) aged `min_age` on the day voting opens. Census
/// changes after this do not change who may vote. Returns its size.
pub async fn open(tx: &mut TenantTx, actor: &Actor, id: ConsultationId) -> Result<u64> {
    let consultation = locked(tx, id).await?;
    if consultation.status != Status::Draft {
        return Err(Refusal::Closed.into());
    }
    let questions: Vec<_> = (questions(tx, id).await?.iter())
        .map(super::Question::on_board)
        .collect();
    let genesis = board::genesis(id.0, &questions);
    let frozen = sqlx::query(
        "INSERT INTO consultation_roll (consultation_id, document_hash, district_code)
         SELECT c.id, r.document_hash, r.district_code
         FROM consultations c, census r
         WHERE c.id = $1
           AND (c.district_code IS NULL OR r.district_code = c.district_code)
           AND r.birth_date <= ((c.opens_at AT TIME ZONE (SELECT time_zone FROM settings))::date
                                - make_interval(years => c.min_age))::date
         ORDER BY r.document_hash",
    )
    .bind(id)
    .execute(tx.conn())
    .await?
    .rows_affected();
    sqlx::query(
        "UPDATE consultations SET status = 'open', opened_at = now(), genesis = $2 WHERE id = $1",
    )
    .bind(id)
    .bind(genesis.as_slice())
    .execute(tx.conn())
    .await?;
    audit(
        tx,
        actor,
        "consultation.open",
        Some(&id.to_string()),
        json!({"electorate": frozen}),
    )
    .await?;
    Ok(frozen)
}

/// The consultation, its row locked against concurrent opening/closing.
async fn locked(tx: &mut TenantTx, id: ConsultationId) -> Result<Consultation> {
    sqlx::query("SELECT 1 FROM consultations WHERE id = $1 FOR UPDATE")
        .bind(id)
        .execute(tx.conn())
        .await?;
    get(tx, id).await
}

/// Whether voting on `id` has ended, by the database clock.
async fn over(tx: &mut TenantTx, id: ConsultationId) -> Result<bool> {
    Ok(
        sqlx::query_scalar("SELECT closes_at <= now() FROM consultations WHERE id = $1")
            .bind(id)
            .fetch_one(tx.conn())
            .await?,
    )
}

/// Records the paper ballots counted at `station`, per question: (option
/// or none for blank, count). Entering a station again replaces its
/// totals. Only once voting is over and before the close.
pub async fn record_paper(
    tx: &mut TenantTx,
    actor: &Actor,
    id: ConsultationId,
    station: &str,
    totals: &[(QuestionId, Option<OptionId>, i32)],
) -> Result<()> {
    let station = station.trim();
    if station.is_empty() || station.chars().count() > 100 {
        return Err(Error::invalid(Field::Station, Problem::Required));
    }
    let consultation = locked(tx, id).await?;
    if consultation.status != Status::Open {
        return Err(Refusal::Closed.into());
    }
    if !over(tx, id).await? {
        return Err(Refusal::VotingNotOver.into());
    }
    let asked = questions(tx, id).await?;
    let known = |q: QuestionId, o: Option<OptionId>| {
        asked.iter().find(|x| x.id == q).is_some_and(|question| {
            o.is_none_or(|o| question.options.iter().any(|(id, _)| *id == o))
        })
    };
    if !totals.iter().all(|(q, o, n)| *n >= 0 && known(*q, *o)) {
        return Err(Error::invalid(Field::PaperVotes, Problem::Invalid));
    }
    sqlx::query("DELETE FROM consultation_paper WHERE consultation_id = $1 AND station = $2")
        .bind(id)
        .bind(station)
        .execute(tx.conn())
        .await?;
    for (question, option, count) in totals {
        sqlx::query(
            "INSERT INTO consultation_paper (consultation_id, station, question_id, option_id, count)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (consultation_id, station, question_id, option_id)
             DO UPDATE SET count = EXCLUDED.count",
        )
        .bind(id)
        .bind(station)
        .bind(question)
        .bind(option)
        .bind(count)
        .execute(tx.conn())
        .await?;
    }
    let total: i64 = totals.iter().map(|(_, _, n)| i64::from(*n)).sum();
    audit(
        tx,
        actor,
        "consultation.paper",
        Some(&id.to_string()),
        json!({"station": station, "total": total}),
    )
    .await?;
    Ok(())
}

/// A ballot as the box holds it: id, choices, receipt hash, cast on,
/// withdrawn on.
type BallotRow = (
    Uuid,
    sqlx::types::Json<Choices>,
    Vec<u8>,
    time::Date,
    Option<time::Date>,
);

/// The board of `consultation` as it stands: every ballot by day, the
/// paper totals, and the heads.
pub async fn board_of(tx: &mut TenantTx, consultation: &Consultation) -> Result<Board> {
    let id = consultation.id;
    let questions: Vec<_> = (questions(tx, id).await?.iter())
        .map(super::Question::on_board)
        .collect();
    let genesis = hex_of(&board::genesis(id.0, &questions));
    let ballots: Vec<BallotRow> = sqlx::query_as(
        "SELECT id, choices, receipt_hash, cast_on, withdrawn_on FROM consultation_ballots
             WHERE consultation_id = $1 ORDER BY cast_on, id",
    )
    .bind(id)
    .fetch_all(tx.conn())
    .await?;
    let mut days: BTreeMap<time::Date, BoardDay> = BTreeMap::new();
    let day = |days: &mut BTreeMap<time::Date, BoardDay>, date: time::Date| {
        days.entry(date)
            .or_insert_with(|| BoardDay {
                date: date.to_string(),
                cast: Vec::new(),
                withdrawn: Vec::new(),
                head: String::new(),
            })
            .date
            .clone()
    };
    for (ballot, choices, receipt, cast_on, withdrawn_on) in ballots {
        day(&mut days, cast_on);
        if let Some(d) = days.get_mut(&cast_on) {
            d.cast.push(BoardBallot {
                id: ballot,
                choices: choices.0,
                receipt_hash: hex_of(&receipt),
            });
        }
        if let Some(on) = withdrawn_on {
            day(&mut days, on);
            if let Some(d) = days.get_mut(&on) {
                d.withdrawn.push(ballot);
            }
        }
    }
    let mut head = genesis.clone();
    let days: Vec<BoardDay> = days
        .into_values()
        .map(|mut d| {
            d.withdrawn.sort_unstable();
            head = board::day_head(&head, &d.date, &d.cast, &d.withdrawn);
            d.head.clone_from(&head);
            d
        })
        .collect();
    let paper: Vec<(String, Uuid, Option<Uuid>, i32)> = sqlx::query_as(
        "SELECT station, question_id, option_id, count FROM consultation_paper
         WHERE consultation_id = $1 ORDER BY station, question_id, option_id NULLS FIRST",
    )
    .bind(id)
    .fetch_all(tx.conn())
    .await?;
    let paper: Vec<BoardPaper> = paper
        .into_iter()
        .map(|(station, question, option, count)| BoardPaper {
            station,
            question,
            option,
            count: u64::try_from(count).unwrap_or(0),
        })
        .collect();
    Ok(Board {
        format: FORMAT.into(),
        consultation: id.0,
        title: consultation.title.clone(),
        questions,
        head: board::final_head(&head, &paper),
        genesis,
        days,
        paper,
    })
}

/// Closes `id` once voting is over: builds and verifies the board, stores
/// its head and the results (with turnout per district from the roll),
/// and rewrites the roll and the box in key order in this one
/// transaction, so that neither keeps the order in which votes arrived.
pub async fn close(tx: &mut TenantTx, actor: &Actor, id: ConsultationId) -> Result<Tally> {
    let consultation = locked(tx, id).await?;
    if consultation.status != Status::Open {
        return Err(Refusal::Closed.into());
    }
    if !over(tx, id).await? {
        return Err(Refusal::VotingNotOver.into());
    }
    let board = board_of(tx, &consultation).await?;
    let tally = board::tally(&board).map_err(|e| {
        tracing::error!(consultation.id = %id, error = %e, "a consultation's own board does not verify");
        Error::invalid(Field::Choices, Problem::Invalid)
    })?;
    let turnout: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT district_code, count(*), count(voted_on) FROM consultation_roll
         WHERE consultation_id = $1 GROUP BY district_code ORDER BY district_code",
    )
    .bind(id)
    .fetch_all(tx.conn())
    .await?;
    let results = json!({
        "tally": tally,
        "turnout": turnout.iter().map(|(d, electorate, voted)| {
            json!({"district": d, "electorate": electorate, "voted": voted})
        }).collect::<Vec<_>>(),
    });
    for table in ["consultation_ballots", "consultation_roll"] {
        let key = if table == "consultation_roll" {
            "document_hash"
        } else {
            "id"
        };
        // One statement per table, so every row gets this transaction's
        // id and a place in key order; the earlier versions are dead
        // tuples that vacuum removes.
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "WITH gone AS (DELETE FROM {table} WHERE consultation_id = $1 RETURNING *)
             INSERT INTO {table} SELECT * FROM gone ORDER BY {key}"
        )))
        .bind(id)
        .execute(tx.conn())
        .await?;
    }
    let head = hex_to_bytes(&tally.head);
    sqlx::query(
        "UPDATE consultations SET status = 'closed', closed_at = now(), head = $2, results = $3
         WHERE id = $1",
    )
    .bind(id)
    .bind(head)
    .bind(&results)
    .execute(tx.conn())
    .await?;
    audit(
        tx,
        actor,
        "consultation.close",
        Some(&id.to_string()),
        json!({"ballots": tally.ballots, "head": tally.head}),
    )
    .await?;
    Ok(tally)
}

fn hex_to_bytes(text: &str) -> Vec<u8> {
    (0..text.len() / 2)
        .filter_map(|i| u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok())
        .collect()
}
