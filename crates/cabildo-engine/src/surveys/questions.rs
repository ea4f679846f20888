//! A survey as staff prepare it: created (or changed) as a draft with its
//! questions, then published, which fixes the questions for good so that
//! every stored answer keeps its meaning.

use super::{Audience, Kind};
use crate::audit::{Actor, audit};
use crate::error::{Error, Field, Problem, Refusal, Result};
use crate::ids::{ProcessId, SurveyId};
use cabildo_tenancy::TenantTx;
use serde_json::json;

/// A question to ask.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewQuestion {
    /// Kind.
    pub kind: Kind,
    /// Text.
    pub text: String,
    /// Needs an answer when shown.
    pub required: bool,
    /// Choices, items to rank or a matrix's columns.
    pub options: Vec<String>,
    /// A matrix's rows.
    pub rows: Vec<String>,
    /// Multiple choice: fewest and most ticks.
    pub choices: (i32, i32),
    /// Scale: 5 or 10.
    pub scale_max: i32,
    /// Shown only when the answer to this earlier question (its place)
    /// includes one of these options.
    pub shown_if: Option<(i32, Vec<i32>)>,
}

impl Default for NewQuestion {
    fn default() -> Self {
        Self {
            kind: Kind::ShortText,
            text: String::new(),
            required: true,
            options: Vec::new(),
            rows: Vec::new(),
            choices: (0, 1),
            scale_max: 5,
            shown_if: None,
        }
    }
}

/// A survey as staff type it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSurvey {
    /// Title.
    pub title: String,
    /// Description (Markdown).
    pub description: String,
    /// Who may answer.
    pub audience: Audience,
    /// Responses not linked to the person.
    pub anonymous: bool,
    /// Responses may change while the phase is open.
    pub editable: bool,
    /// Results public while it runs.
    pub results_while_open: bool,
    /// The questions, in order.
    pub questions: Vec<NewQuestion>,
}

/// The first wrong question (its place, from 0) and what is wrong, so a
/// form can point at it.
pub fn check_questions(questions: &[NewQuestion]) -> Result<(), (usize, Problem)> {
    if questions.is_empty() || questions.len() > 100 {
        return Err((0, Problem::Invalid));
    }
    let label_ok = |l: &String| (1..=300).contains(&l.trim().chars().count());
    for (place, q) in questions.iter().enumerate() {
        let fail = |problem| Err((place, problem));
        if !(1..=1000).contains(&q.text.trim().chars().count()) {
            return fail(Problem::TextTooLong);
        }
        let options = q.options.len();
        let wants_options = matches!(
            q.kind,
            Kind::Single | Kind::Multiple | Kind::Ranking | Kind::Matrix
        );
        let options_ok = match wants_options {
            true => (2..=30).contains(&options) && q.options.iter().all(label_ok),
            false => options == 0,
        };
        let rows_ok = match q.kind {
            Kind::Matrix => (1..=30).contains(&q.rows.len()) && q.rows.iter().all(label_ok),
            _ => q.rows.is_empty(),
        };
        if !options_ok || !rows_ok {
            return fail(Problem::Invalid);
        }
        let (min, max) = q.choices;
        let count = i32::try_from(options).unwrap_or(i32::MAX);
        if q.kind == Kind::Multiple && !(min >= 0 && min <= max && max >= 1 && max <= count) {
            return fail(Problem::NumberInvalid);
        }
        if q.kind == Kind::Scale && ![5, 10].contains(&q.scale_max) {
            return fail(Problem::NumberInvalid);
        }
        if let Some((on, picks)) = &q.shown_if {
            let target = usize::try_from(*on).ok().and_then(|i| questions.get(i));
            let ok = target.is_some_and(|t| {
                usize::try_from(*on).is_ok_and(|i| i < place)
                    && matches!(t.kind, Kind::Single | Kind::Multiple)
                    && !picks.is_empty()
                    && picks
                        .iter()
                        .all(|p| usize::try_from(*p).is_ok_and(|p| p < t.options.len()))
            });
            if !ok {
                return fail(Problem::ChoiceInvalid);
            }
        }
    }
    Ok(())
}

/// The first thing wrong with `new`, as a field error.
fn check(new: &NewSurvey) -> Result<()> {
    if !(1..=200).contains(&new.title.trim().chars().count()) {
        return Err(Error::invalid(Field::Title, Problem::TitleInvalid));
    }
    if new.description.chars().count() > 20_000 {
        return Err(Error::invalid(Field::Description, Problem::TextTooLong));
    }
    if new.anonymous && (new.editable || new.audience == Audience::Anyone) {
        return Err(Error::invalid(Field::Audience, Problem::AnonymityConflict));
    }
    check_questions(&new.questions)
        .map_err(|(_, problem)| Error::invalid(Field::Questions, problem))
}

async fn insert_questions(
    tx: &mut TenantTx,
    survey: SurveyId,
    questions: &[NewQuestion],
) -> Result<()> {
    for (position, q) in (0..).zip(questions) {
        let trimmed =
            |list: &[String]| list.iter().map(|l| l.trim().to_owned()).collect::<Vec<_>>();
        sqlx::query(
            "INSERT INTO survey_questions (survey_id, position, kind, text, required, options, rows,
                                           min_choices, max_choices, scale_max,
                                           shown_if_question, shown_if_options)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(survey)
        .bind(position)
        .bind(q.kind)
        .bind(q.text.trim())
        .bind(q.required)
        .bind(trimmed(&q.options))
        .bind(trimmed(&q.rows))
        .bind(q.choices.0)
        .bind(q.choices.1)
        .bind(q.scale_max)
        .bind(q.shown_if.as_ref().map(|s| s.0))
        .bind(q.shown_if.as_ref().map(|s| s.1.clone()).unwrap_or_default())
        .execute(tx.conn())
        .await?;
    }
    Ok(())
}

/// Creates a draft survey in `process`, or (with `id`) replaces a draft's
/// settings and questions; a published survey is `survey_fixed`.
pub async fn create(
    tx: &mut TenantTx,
    actor: &Actor,
    process: ProcessId,
    id: Option<SurveyId>,
    new: &NewSurvey,
) -> Result<SurveyId> {
    check(new)?;
    if let Some(id) = id {
        let published: Option<bool> = sqlx::query_scalar(
            "SELECT published_at IS NOT NULL FROM surveys
             WHERE id = $1 AND process_id = $2 FOR UPDATE",
        )
        .bind(id)
        .bind(process)
        .fetch_optional(tx.conn())
        .await?;
        if published.ok_or(Refusal::NotFound)? {
            return Err(Refusal::SurveyFixed.into());
        }
        sqlx::query("DELETE FROM survey_questions WHERE survey_id = $1")
            .bind(id)
            .execute(tx.conn())
            .await?;
    } else {
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM processes WHERE id = $1)")
                .bind(process)
                .fetch_one(tx.conn())
                .await?;
        if !exists {
            return Err(Refusal::NotFound.into());
        }
    }
    // VALUES and EXCLUDED rather than `INSERT … SELECT` with parameters
    // repeated in the update: Citus sends the latter to the worker without
    // their types (docs/scale-out.md).
    let id: SurveyId = sqlx::query_scalar(
        "INSERT INTO surveys (id, process_id, title, description, audience, anonymous, editable,
                              results_while_open)
         VALUES (coalesce($1, gen_random_uuid()), $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title,
             description = EXCLUDED.description, audience = EXCLUDED.audience,
             anonymous = EXCLUDED.anonymous, editable = EXCLUDED.editable,
             results_while_open = EXCLUDED.results_while_open
         RETURNING id",
    )
    .bind(id)
    .bind(process)
    .bind(new.title.trim())
    .bind(&new.description)
    .bind(new.audience)
    .bind(new.anonymous)
    .bind(new.editable)
    .bind(new.results_while_open)
    .fetch_one(tx.conn())
    .await?;
    insert_questions(tx, id, &new.questions).await?;
    audit(
        tx,
        actor,
        "survey.save",
        None,
        json!({"survey": id, "process": process, "questions": new.questions.len()}),
    )
    .await?;
    Ok(id)
}

/// Publishes a draft survey: from now on its questions are fixed. `false`
/// when it was published already.
pub async fn publish(tx: &mut TenantTx, actor: &Actor, id: SurveyId) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE surveys SET published_at = now() WHERE id = $1 AND published_at IS NULL",
    )
    .bind(id)
    .execute(tx.conn())
    .await?
    .rows_affected()
        == 1;
    if !done {
        super::get(tx, id).await?;
        return Ok(false);
    }
    audit(tx, actor, "survey.publish", None, json!({"survey": id})).await?;
    Ok(true)
}
