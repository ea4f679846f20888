//! Results and exports: counts per option, ranking points, scale
//! distributions, matrices, and the free-text answers staff approved.
//! Responses are listed by their random id, which reveals no order; they
//! carry no person.

use super::answers::{Answer, Answers};
use super::{Kind, Question, questions};
use crate::error::Result;
use crate::ids::SurveyId;
use cabildo_tenancy::TenantTx;
use std::collections::BTreeSet;
use time::Date;
use uuid::Uuid;

/// One question's figures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tally {
    /// Single or multiple choice: responses per option.
    Choices(Vec<i64>),
    /// Ranking: points per item (n − 1 for a first place … 0 for a last)
    /// and how often each came first.
    Ranking {
        /// Points per item.
        points: Vec<i64>,
        /// First places per item.
        first: Vec<i64>,
    },
    /// Scale: responses per value, from 1.
    Scale(Vec<i64>),
    /// Free text: the approved texts and how many wait for review (or
    /// were rejected).
    Texts {
        /// Published texts.
        published: Vec<String>,
        /// Not published.
        unpublished: i64,
    },
    /// Matrix: for each row, responses per column.
    Matrix(Vec<Vec<i64>>),
}

/// A question with its figures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuestionResult {
    /// The question.
    pub question: Question,
    /// Responses that answered it.
    pub answered: i64,
    /// Its figures.
    pub tally: Tally,
}

/// A survey's results.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Results {
    /// Responses.
    pub responses: i64,
    /// Per question, in order.
    pub questions: Vec<QuestionResult>,
}

/// A response as exported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// Its random id.
    pub id: Uuid,
    /// The day it was given (or last changed).
    pub answered_on: Date,
    /// The answers (free texts only when approved, unless asked for all).
    pub answers: Answers,
}

/// Every response to `survey` by id, all texts included, and the free
/// texts staff approved: (response, question place).
async fn stored(
    tx: &mut TenantTx,
    survey: SurveyId,
) -> Result<(Vec<Response>, BTreeSet<(Uuid, i32)>)> {
    let rows: Vec<(Uuid, Date, sqlx::types::Json<Answers>)> = sqlx::query_as(
        "SELECT id, answered_on, answers FROM survey_responses WHERE survey_id = $1 ORDER BY id",
    )
    .bind(survey)
    .fetch_all(tx.conn())
    .await?;
    let approved = sqlx::query_as(
        "SELECT response_id, position FROM survey_text_reviews WHERE survey_id = $1 AND approved",
    )
    .bind(survey)
    .fetch_all(tx.conn())
    .await?
    .into_iter()
    .collect();
    let all = (rows.into_iter())
        .map(|(id, answered_on, answers)| Response {
            id,
            answered_on,
            answers: answers.0,
        })
        .collect();
    Ok((all, approved))
}

/// `all` without the free texts staff have not approved.
fn published(all: &[Response], approved: &BTreeSet<(Uuid, i32)>) -> Vec<Response> {
    all.iter()
        .map(|r| {
            let mut answers = r.answers.clone();
            answers.retain(|position, answer| {
                !matches!(answer, Answer::Text(_)) || approved.contains(&(r.id, *position))
            });
            Response {
                answers,
                ..r.clone()
            }
        })
        .collect()
}

/// Every response to `survey` by id; free texts that staff have not
/// approved are left out unless `all_texts` (staff exports).
pub async fn responses(
    tx: &mut TenantTx,
    survey: SurveyId,
    all_texts: bool,
) -> Result<Vec<Response>> {
    let (all, approved) = stored(tx, survey).await?;
    Ok(match all_texts {
        true => all,
        false => published(&all, &approved),
    })
}

/// How many responses `survey` has.
pub async fn response_count(tx: &mut TenantTx, survey: SurveyId) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT count(*) FROM survey_responses WHERE survey_id = $1")
            .bind(survey)
            .fetch_one(tx.conn())
            .await?,
    )
}

/// The results of `survey`.
pub async fn results(tx: &mut TenantTx, survey: SurveyId) -> Result<Results> {
    let questions = questions(tx, survey).await?;
    let (all, approved) = stored(tx, survey).await?;
    let published = published(&all, &approved);
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let questions = questions
        .into_iter()
        .map(|question| {
            let given: Vec<&Answer> = (all.iter())
                .filter_map(|r| r.answers.get(&question.position))
                .collect();
            let tally = tally(&question, &given, &published);
            QuestionResult {
                answered: count(given.len()),
                question,
                tally,
            }
        })
        .collect();
    Ok(Results {
        responses: count(all.len()),
        questions,
    })
}

fn tally(question: &Question, given: &[&Answer], published: &[Response]) -> Tally {
    let width = question.options.len();
    let bump = |list: &mut Vec<i64>, at: i32, by: i64| {
        if let Some(slot) = usize::try_from(at).ok().and_then(|i| list.get_mut(i)) {
            *slot += by;
        }
    };
    match question.kind {
        Kind::Single | Kind::Multiple => {
            let mut counts = vec![0; width];
            for option in given.iter().flat_map(|a| a.options()) {
                bump(&mut counts, option, 1);
            }
            Tally::Choices(counts)
        }
        Kind::Ranking => {
            let (mut points, mut first) = (vec![0; width], vec![0; width]);
            for answer in given {
                if let Answer::Order(order) = answer {
                    for (place, item) in order.iter().enumerate() {
                        let worth = i64::try_from(width - 1 - place.min(width - 1)).unwrap_or(0);
                        bump(&mut points, *item, worth);
                    }
                    if let Some(top) = order.first() {
                        bump(&mut first, *top, 1);
                    }
                }
            }
            Tally::Ranking { points, first }
        }
        Kind::Scale => {
            let mut counts = vec![0; usize::try_from(question.scale_max).unwrap_or(5)];
            for answer in given {
                if let Answer::Value(v) = answer {
                    bump(&mut counts, v - 1, 1);
                }
            }
            Tally::Scale(counts)
        }
        Kind::ShortText | Kind::LongText => {
            let texts: Vec<String> = (published.iter())
                .filter_map(|r| match r.answers.get(&question.position) {
                    Some(Answer::Text(t)) => Some(t.clone()),
                    _ => None,
                })
                .collect();
            let unpublished =
                i64::try_from(given.len().saturating_sub(texts.len())).unwrap_or(i64::MAX);
            Tally::Texts {
                published: texts,
                unpublished,
            }
        }
        Kind::Matrix => {
            let mut rows = vec![vec![0; width]; question.rows.len()];
            for answer in given {
                if let Answer::Rows(chosen) = answer {
                    for (row, column) in rows.iter_mut().zip(chosen) {
                        if let Some(column) = column {
                            bump(row, *column, 1);
                        }
                    }
                }
            }
            Tally::Matrix(rows)
        }
    }
}
