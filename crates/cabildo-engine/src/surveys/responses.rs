//! Answering: who may, once, and (when the survey allows) changing one's
//! answers until the phase ends. Every response goes through the list of
//! respondents first: one insert that concurrent responses of one person
//! wait on and then find taken, so one response counts however many
//! arrive at once. The response itself carries its author only when the
//! survey is not anonymous; anonymous ones have a random id and the day.
//!
//! Free-text answers wait for staff review; an edited response's reviews
//! go, so a changed text is reviewed again.

use super::answers::{Answers, Checked};
use super::{Audience, Survey, get, running};
use crate::audit::{Actor, audit};
use crate::error::{Refusal, Result};
use crate::ids::{SurveyId, UserId};
use crate::processes::{self, PERSON_FACTS, PersonFacts, Who};
use cabildo_tenancy::TenantTx;
use serde_json::json;
use time::Date;
use uuid::Uuid;

/// Who answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Respondent {
    /// A person with an account.
    Person(UserId),
    /// A browser without an account (surveys anyone answers): a keyed
    /// hash of its token, so the token itself is never stored.
    Visitor([u8; 32]),
}

/// What a respondent may do in a survey now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// Answer.
    MayAnswer,
    /// They answered; whether they may change it.
    Answered {
        /// The survey lets them change it now.
        may_edit: bool,
    },
    /// Why not.
    MayNot(Refusal),
}

/// Whether `who` has answered `survey`.
async fn answered(tx: &mut TenantTx, survey: SurveyId, who: Respondent) -> Result<bool> {
    let (user, visitor) = columns(who);
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM survey_respondents
                        WHERE survey_id = $1 AND (user_id = $2 OR visitor = $3))",
    )
    .bind(survey)
    .bind(user)
    .bind(visitor)
    .fetch_one(tx.conn())
    .await?)
}

fn columns(who: Respondent) -> (Option<UserId>, Option<Vec<u8>>) {
    match who {
        Respondent::Person(user) => (Some(user), None),
        Respondent::Visitor(key) => (None, Some(key.to_vec())),
    }
}

/// What `who` (none: nobody identified) may do in `survey` now.
pub async fn standing(
    tx: &mut TenantTx,
    survey: &Survey,
    who: Option<Respondent>,
) -> Result<Standing> {
    if survey.published_at.is_none() {
        return Ok(Standing::MayNot(Refusal::NotFound));
    }
    if !running(tx, survey).await? {
        return Ok(Standing::MayNot(Refusal::PhaseClosed));
    }
    let rule = match survey.audience {
        Audience::Anyone => None,
        Audience::Registered => Some(Who::Registered),
        Audience::Verified => Some(Who::Verified),
        Audience::District => Some(Who::District),
    };
    let Some(who) = who else {
        return Ok(Standing::MayNot(Refusal::NotRegistered));
    };
    if let Respondent::Person(user) = who {
        let sql = format!(
            "SELECT {PERSON_FACTS}, p.district_code FROM processes p
             LEFT JOIN users u ON u.id = $2 AND u.deleted_at IS NULL WHERE p.id = $1"
        );
        let facts: Option<FactsRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(survey.process_id)
            .bind(user)
            .fetch_optional(tx.conn())
            .await?;
        let facts = facts.map(|row| (row.person, row.district_code));
        let Some((person, district)) = facts.filter(|(p, _)| p.confirmed) else {
            return Ok(Standing::MayNot(Refusal::NotRegistered));
        };
        if person.blocked {
            return Ok(Standing::MayNot(Refusal::Blocked));
        }
        if let Some(rule) = rule
            && let Err(refusal) = processes::admits(rule, district.as_deref(), &person)
        {
            return Ok(Standing::MayNot(refusal));
        }
    } else if rule.is_some() {
        return Ok(Standing::MayNot(Refusal::NotRegistered));
    }
    Ok(match answered(tx, survey.id, who).await? {
        false => Standing::MayAnswer,
        true => Standing::Answered {
            may_edit: survey.editable && !survey.anonymous && matches!(who, Respondent::Person(_)),
        },
    })
}

/// A person's facts and the process's district, read in one statement.
#[derive(sqlx::FromRow)]
struct FactsRow {
    #[sqlx(flatten)]
    person: PersonFacts,
    district_code: Option<String>,
}

/// Stores `answers` as `who`'s response to their survey: `true` for a
/// first response, `false` for a changed one. Refused when they may not
/// answer, or answered already and may not change it (`already_answered`).
pub async fn respond(tx: &mut TenantTx, who: Respondent, answers: &Checked) -> Result<bool> {
    let survey = get(tx, answers.survey).await?;
    match standing(tx, &survey, Some(who)).await? {
        Standing::MayNot(refusal) => return Err(refusal.into()),
        Standing::Answered { may_edit: false } => return Err(Refusal::AlreadyAnswered.into()),
        Standing::MayAnswer | Standing::Answered { may_edit: true } => {}
    }
    let (user, visitor) = columns(who);
    let first: Option<bool> = sqlx::query_scalar(
        "INSERT INTO survey_respondents (survey_id, user_id, visitor) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING true",
    )
    .bind(survey.id)
    .bind(user)
    .bind(&visitor)
    .fetch_optional(tx.conn())
    .await?;
    let stored = sqlx::types::Json(&answers.answers);
    let today = crate::consultations::today(tx).await?;
    if first.is_some() {
        let author = user.filter(|_| !survey.anonymous);
        sqlx::query(
            "INSERT INTO survey_responses (survey_id, user_id, answers, answered_on)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(survey.id)
        .bind(author)
        .bind(stored)
        .bind(today)
        .execute(tx.conn())
        .await?;
        return Ok(true);
    }
    // Answered before (perhaps a moment ago, by a parallel request).
    let may_edit = survey.editable && !survey.anonymous && user.is_some();
    if !may_edit {
        return Err(Refusal::AlreadyAnswered.into());
    }
    let changed: Option<Uuid> = sqlx::query_scalar(
        "UPDATE survey_responses SET answers = $3, answered_on = $4
         WHERE survey_id = $1 AND user_id = $2 RETURNING id",
    )
    .bind(survey.id)
    .bind(user)
    .bind(stored)
    .bind(today)
    .fetch_optional(tx.conn())
    .await?;
    let changed = changed.ok_or(Refusal::AlreadyAnswered)?;
    sqlx::query("DELETE FROM survey_text_reviews WHERE survey_id = $1 AND response_id = $2")
        .bind(survey.id)
        .bind(changed)
        .execute(tx.conn())
        .await?;
    Ok(false)
}

/// A person's own answers, to change them (surveys that are not
/// anonymous; none when they have not answered).
pub async fn mine(tx: &mut TenantTx, survey: &Survey, user: UserId) -> Result<Option<Answers>> {
    if survey.anonymous {
        return Ok(None);
    }
    let stored: Option<sqlx::types::Json<Answers>> = sqlx::query_scalar(
        "SELECT answers FROM survey_responses WHERE survey_id = $1 AND user_id = $2",
    )
    .bind(survey.id)
    .bind(user)
    .fetch_optional(tx.conn())
    .await?;
    Ok(stored.map(|a| a.0))
}

/// A free-text answer, for review.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct TextForReview {
    /// Its response.
    pub response: Uuid,
    /// The question's place.
    pub position: i32,
    /// The text.
    pub text: String,
    /// The day it was given.
    pub answered_on: Date,
    /// Staff approved it (published), rejected it, or not yet.
    pub approved: Option<bool>,
}

/// The free-text answers of `survey` (only those waiting, with
/// `waiting`), oldest first, at most 500.
pub async fn texts_for_review(
    tx: &mut TenantTx,
    survey: SurveyId,
    waiting: bool,
) -> Result<Vec<TextForReview>> {
    Ok(sqlx::query_as(
        "SELECT r.id AS response, a.key::int AS position, a.value->>'text' AS text,
                r.answered_on, v.approved
         FROM survey_responses r CROSS JOIN LATERAL jsonb_each(r.answers) a
         LEFT JOIN survey_text_reviews v
                ON v.survey_id = r.survey_id AND v.response_id = r.id AND v.position = a.key::int
         WHERE r.survey_id = $1 AND a.value ? 'text' AND (NOT $2 OR v.approved IS NULL)
         ORDER BY r.answered_on, r.id, a.key::int LIMIT 500",
    )
    .bind(survey)
    .bind(waiting)
    .fetch_all(tx.conn())
    .await?)
}

/// Approves (publishes) or rejects one free-text answer; `not_found` when
/// there is no such text.
pub async fn review_text(
    tx: &mut TenantTx,
    actor: &Actor,
    survey: SurveyId,
    (response, position): (Uuid, i32),
    approve: bool,
) -> Result<()> {
    let exists: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM survey_responses
                        WHERE survey_id = $1 AND id = $2 AND answers->($3::text) ? 'text')",
    )
    .bind(survey)
    .bind(response)
    .bind(position)
    .fetch_one(tx.conn())
    .await?;
    if !exists {
        return Err(Refusal::NotFound.into());
    }
    sqlx::query(
        "INSERT INTO survey_text_reviews (survey_id, response_id, position, approved, reviewed_at)
         VALUES ($1, $2, $3, $4, now())
         ON CONFLICT (survey_id, response_id, position)
         DO UPDATE SET approved = $4, reviewed_at = EXCLUDED.reviewed_at",
    )
    .bind(survey)
    .bind(response)
    .bind(position)
    .bind(approve)
    .execute(tx.conn())
    .await?;
    audit(
        tx,
        actor,
        "survey.text_review",
        None,
        json!({"survey": survey, "response": response, "question": position, "approved": approve}),
    )
    .await?;
    Ok(())
}

/// Surveys with free texts waiting for review: (survey, title, how many),
/// for the moderation page.
pub async fn waiting_for_review(tx: &mut TenantTx) -> Result<Vec<(SurveyId, String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT s.id, s.title, count(*)
         FROM surveys s JOIN survey_responses r ON r.survey_id = s.id
         CROSS JOIN LATERAL jsonb_each(r.answers) a
         WHERE a.value ? 'text' AND NOT EXISTS (
               SELECT 1 FROM survey_text_reviews v
               WHERE v.survey_id = r.survey_id AND v.response_id = r.id AND v.position = a.key::int)
         GROUP BY s.id, s.title ORDER BY s.title",
    )
    .fetch_all(tx.conn())
    .await?)
}
