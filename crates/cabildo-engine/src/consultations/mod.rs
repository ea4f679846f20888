//! Binding consultations: questions with options put to an electorate of
//! verified residents (of a district, from an age), voted online, at an
//! assisted desk or on paper at polling stations, with exactly one vote
//! per person, a voter roll kept apart from the ballot box, a receipt per
//! ballot, and a public board from which anyone recomputes the result.
//! `docs/consultations.md` explains the design and what an operator with
//! database access can and cannot learn.
//!
//! A consultation is a draft until staff open it, which freezes its
//! electorate; voting runs from `opens_at` to `closes_at` (database
//! clock); after that, staff enter paper totals and close it, which
//! freezes the board, stores the results and rewrites the roll and the box
//! in key order.

pub mod board;
mod setup;
mod voting;

pub use setup::{NewConsultation, NewQuestion, board_of, close, create, open, record_paper};
pub use voting::{
    Cast, Standing, cast, check_receipt, mark_at_station, normal_receipt, revote, standing,
};

use crate::error::{Refusal, Result};
use crate::ids::{ConsultationId, OptionId, ProcessId, QuestionId};
use crate::stored::stored;
use board::{BoardOption, BoardQuestion};
use cabildo_tenancy::TenantTx;
use time::OffsetDateTime;

stored! {
    /// Where a consultation stands.
    pub enum Status {
        /// Being prepared: questions and electorate rules may change.
        Draft = "draft",
        /// Opened: the electorate is frozen; people vote in the window.
        Open = "open",
        /// Closed: the board is frozen and the results stored.
        Closed = "closed",
    }
}

stored! {
    /// How a vote reached the roll.
    pub enum Channel {
        /// Online, by the person.
        Online = "online",
        /// Entered by staff at an assisted desk for the person.
        Assisted = "assisted",
        /// On paper at a polling station (counted there as totals).
        Station = "station",
    }
}

/// A consultation.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Consultation {
    /// Id.
    pub id: ConsultationId,
    /// Its process.
    pub process_id: ProcessId,
    /// Title.
    pub title: String,
    /// Description (Markdown).
    pub description: String,
    /// The district its electorate lives in; none for the whole city.
    pub district_code: Option<String>,
    /// Youngest age that may vote, on the day voting opens.
    pub min_age: i32,
    /// Whether a voter may replace their ballot.
    pub revoting: bool,
    /// Voting opens.
    pub opens_at: OffsetDateTime,
    /// Voting closes.
    pub closes_at: OffsetDateTime,
    /// Where it stands.
    pub status: Status,
    /// When it was opened.
    pub opened_at: Option<OffsetDateTime>,
    /// When it was closed.
    pub closed_at: Option<OffsetDateTime>,
    /// The board's final head, once closed.
    pub head: Option<Vec<u8>>,
}

/// A question with its options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    /// Id.
    pub id: QuestionId,
    /// Text.
    pub text: String,
    /// Most options a ballot may choose.
    pub max_choices: i32,
    /// Options, in order: (id, text).
    pub options: Vec<(OptionId, String)>,
}

impl Question {
    /// As the board states it.
    pub fn on_board(&self) -> BoardQuestion {
        BoardQuestion {
            id: self.id.0,
            text: self.text.clone(),
            max_choices: u32::try_from(self.max_choices).unwrap_or(1),
            options: (self.options.iter())
                .map(|(id, text)| BoardOption {
                    id: id.0,
                    text: text.clone(),
                })
                .collect(),
        }
    }
}

const COLUMNS: &str = "id, process_id, title, description, district_code, min_age, revoting,
    opens_at, closes_at, status, opened_at, closed_at, head";

/// The consultation `id`.
pub async fn find(tx: &mut TenantTx, id: ConsultationId) -> Result<Option<Consultation>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM consultations WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(tx.conn())
    .await?)
}

/// The consultation `id` when the public may see it: opened or closed, in
/// a published process.
pub async fn find_public(tx: &mut TenantTx, id: ConsultationId) -> Result<Option<Consultation>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM consultations c WHERE id = $1 AND status <> 'draft'
           AND EXISTS (SELECT 1 FROM processes p WHERE p.id = c.process_id AND p.status = 'published')"
    )))
    .bind(id)
    .fetch_optional(tx.conn())
    .await?)
}

/// The consultation `id`, or `not_found`.
pub async fn get(tx: &mut TenantTx, id: ConsultationId) -> Result<Consultation> {
    find(tx, id).await?.ok_or_else(|| Refusal::NotFound.into())
}

/// The consultations of a process, oldest first.
pub async fn list_of_process(tx: &mut TenantTx, process: ProcessId) -> Result<Vec<Consultation>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM consultations WHERE process_id = $1 ORDER BY created_at"
    )))
    .bind(process)
    .fetch_all(tx.conn())
    .await?)
}

/// The questions of `consultation`, in order, with their options.
pub async fn questions(tx: &mut TenantTx, consultation: ConsultationId) -> Result<Vec<Question>> {
    // A question's id, text and most choices, with one of its options.
    type Row = (QuestionId, String, i32, Option<OptionId>, Option<String>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT q.id, q.text, q.max_choices, o.id, o.text
         FROM consultation_questions q
         LEFT JOIN consultation_options o ON o.question_id = q.id
         WHERE q.consultation_id = $1 ORDER BY q.position, o.position",
    )
    .bind(consultation)
    .fetch_all(tx.conn())
    .await?;
    let mut questions: Vec<Question> = Vec::new();
    for (id, text, max_choices, option, option_text) in rows {
        if questions.last().is_none_or(|q| q.id != id) {
            questions.push(Question {
                id,
                text,
                max_choices,
                options: Vec::new(),
            });
        }
        if let (Some(option), Some(option_text), Some(question)) =
            (option, option_text, questions.last_mut())
        {
            question.options.push((option, option_text));
        }
    }
    Ok(questions)
}

/// Turnout in one district: its electorate and how many voted.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Turnout {
    /// The district's code.
    pub district: String,
    /// Residents in the electorate.
    pub electorate: i64,
    /// Of them, how many voted (any channel).
    pub voted: i64,
}

/// The results stored at the close.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Results {
    /// The count, as the board gives it.
    pub tally: board::Tally,
    /// Turnout per district.
    pub turnout: Vec<Turnout>,
}

/// The results of `id`, once it is closed.
pub async fn results(tx: &mut TenantTx, id: ConsultationId) -> Result<Option<Results>> {
    let stored: Option<Option<sqlx::types::Json<Results>>> =
        sqlx::query_scalar("SELECT results FROM consultations WHERE id = $1 AND status = 'closed'")
            .bind(id)
            .fetch_optional(tx.conn())
            .await?;
    Ok(stored.flatten().map(|r| r.0))
}

/// The electorate's size and how many of it voted (any channel).
pub async fn counts(tx: &mut TenantTx, id: ConsultationId) -> Result<(i64, i64)> {
    Ok(sqlx::query_as(
        "SELECT count(*), count(voted_on) FROM consultation_roll WHERE consultation_id = $1",
    )
    .bind(id)
    .fetch_one(tx.conn())
    .await?)
}

/// The board's head now: the chain through every ballot cast so far (the
/// final head once closed), shown while voting runs so that anyone can
/// note it and hold the published board to it.
pub async fn current_head(tx: &mut TenantTx, consultation: &Consultation) -> Result<String> {
    Ok(setup::board_of(tx, consultation).await?.head)
}

/// Today in the council's time zone, by the database clock: the only
/// time the roll and the box keep.
pub(crate) const TODAY: &str = "(now() AT TIME ZONE (SELECT time_zone FROM settings))::date";

/// [`TODAY`] read on its own, for statements that cannot hold its
/// subquery: Citus takes none inside `INSERT … VALUES`.
pub(crate) async fn today(tx: &mut TenantTx) -> Result<time::Date> {
    Ok(
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT {TODAY}")))
            .fetch_one(tx.conn())
            .await?,
    )
}
