//! Surveys, a process component: questions of seven kinds (single and
//! multiple choice, ranking, scale, short and long text, matrix), some
//! shown only after a given answer to an earlier one; answered while a
//! phase enabling surveys is open, by the audience the council chose and
//! once per person (or per browser, for surveys anyone answers). Answers
//! may be anonymous — who answered is kept apart from what was answered —
//! or editable until the phase ends. Free-text answers are published only
//! once staff approve them. `docs/surveys.md` explains the design.

mod answers;
mod questions;
mod responses;
mod results;

pub use answers::{Answer, Answers, Checked, Fault, check, shown};
pub use questions::{NewQuestion, NewSurvey, check_questions, create, publish};
pub use responses::{
    Respondent, Standing, TextForReview, mine, respond, review_text, standing, texts_for_review,
    waiting_for_review,
};
pub use results::{QuestionResult, Response, Results, Tally, response_count, responses, results};

use crate::error::{Refusal, Result};
use crate::ids::{ProcessId, SurveyId};
use crate::stored::stored;
use cabildo_tenancy::TenantTx;
use time::OffsetDateTime;

stored! {
    /// Who may answer a survey.
    pub enum Audience {
        /// Anyone, with or without an account: one response per browser.
        Anyone = "anyone",
        /// People with a confirmed account.
        Registered = "registered",
        /// Verified residents.
        Verified = "verified",
        /// Verified residents of the process's district.
        District = "district",
    }
}

stored! {
    /// A question's kind.
    pub enum Kind {
        /// Choose one option.
        Single = "single",
        /// Choose several (between a minimum and a maximum).
        Multiple = "multiple",
        /// Put every item in order.
        Ranking = "ranking",
        /// A number from 1 to 5 or 10.
        Scale = "scale",
        /// A line of text.
        ShortText = "short_text",
        /// Paragraphs of text.
        LongText = "long_text",
        /// One column chosen for each row.
        Matrix = "matrix",
    }
}

impl Kind {
    /// Its answers are free text (moderated before publication).
    pub fn is_text(self) -> bool {
        matches!(self, Self::ShortText | Self::LongText)
    }

    /// Longest text answer, in characters.
    pub fn text_limit(self) -> usize {
        match self {
            Self::LongText => 5000,
            _ => 300,
        }
    }
}

/// A survey.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Survey {
    /// Id.
    pub id: SurveyId,
    /// Its process.
    pub process_id: ProcessId,
    /// Title.
    pub title: String,
    /// Description (Markdown).
    pub description: String,
    /// Who may answer.
    pub audience: Audience,
    /// Responses are not linked to the person.
    pub anonymous: bool,
    /// A person may change their response while the phase is open.
    pub editable: bool,
    /// Results are public while it runs (else only once it has ended).
    pub results_while_open: bool,
    /// Published (its questions are fixed from then on).
    pub published_at: Option<OffsetDateTime>,
}

/// A question.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Question {
    /// Its place, from 0: answers refer to it.
    pub position: i32,
    /// Kind.
    pub kind: Kind,
    /// Text.
    pub text: String,
    /// An answer is needed (when it is shown).
    pub required: bool,
    /// Choices, items to rank, or a matrix's columns.
    pub options: Vec<String>,
    /// A matrix's rows.
    pub rows: Vec<String>,
    /// Multiple choice: fewest ticks.
    pub min_choices: i32,
    /// Multiple choice: most ticks.
    pub max_choices: i32,
    /// Scale: from 1 to this (5 or 10).
    pub scale_max: i32,
    /// Shown only when the answer to this earlier question …
    pub shown_if_question: Option<i32>,
    /// … includes one of these options.
    pub shown_if_options: Vec<i32>,
}

const COLUMNS: &str = "id, process_id, title, description, audience, anonymous, editable,
    results_while_open, published_at";

/// The survey `id`.
pub async fn find(tx: &mut TenantTx, id: SurveyId) -> Result<Option<Survey>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM surveys WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(tx.conn())
    .await?)
}

/// The survey `id` when the public may see it: published, in a
/// published process.
pub async fn find_public(tx: &mut TenantTx, id: SurveyId) -> Result<Option<Survey>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM surveys s WHERE id = $1 AND published_at IS NOT NULL
           AND EXISTS (SELECT 1 FROM processes p WHERE p.id = s.process_id AND p.status = 'published')"
    )))
    .bind(id)
    .fetch_optional(tx.conn())
    .await?)
}

/// The survey `id`, or `not_found`.
pub async fn get(tx: &mut TenantTx, id: SurveyId) -> Result<Survey> {
    find(tx, id).await?.ok_or_else(|| Refusal::NotFound.into())
}

/// The surveys of a process, oldest first (drafts too: callers showing
/// them to the public keep the published ones).
pub async fn list_of_process(tx: &mut TenantTx, process: ProcessId) -> Result<Vec<Survey>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM surveys WHERE process_id = $1 ORDER BY created_at, id"
    )))
    .bind(process)
    .fetch_all(tx.conn())
    .await?)
}

/// The questions of `survey`, in order.
pub async fn questions(tx: &mut TenantTx, survey: SurveyId) -> Result<Vec<Question>> {
    Ok(sqlx::query_as(
        "SELECT position, kind, text, required, options, rows, min_choices, max_choices,
                scale_max, shown_if_question, shown_if_options
         FROM survey_questions WHERE survey_id = $1 ORDER BY position",
    )
    .bind(survey)
    .fetch_all(tx.conn())
    .await?)
}

/// Whether a phase enabling surveys is open now in the survey's process
/// (published), by the database clock.
pub async fn running(tx: &mut TenantTx, survey: &Survey) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM processes p JOIN process_phases f ON f.process_id = p.id
                        WHERE p.id = $1 AND p.status = 'published'
                          AND now() >= f.starts_at AND now() < f.ends_at
                          AND 'surveys' = ANY (f.components))",
    )
    .bind(survey.process_id)
    .fetch_one(tx.conn())
    .await?)
}

/// Whether the public may see `survey`'s results now: it is published and
/// either shows them while running or is not running any more.
pub async fn results_public(tx: &mut TenantTx, survey: &Survey) -> Result<bool> {
    Ok(
        survey.published_at.is_some()
            && (survey.results_while_open || !running(tx, survey).await?),
    )
}
