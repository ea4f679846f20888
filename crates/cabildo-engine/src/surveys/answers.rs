//! Answers and their checks (pure): which questions a response shows,
//! and whether each shown answer fits its question. A [`Checked`] response
//! is the only kind the engine stores.

use super::{Kind, Question};
use crate::error::Problem;
use crate::ids::SurveyId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One answer, as stored and as the API takes it:
/// `{"choice": 1}`, `{"choices": [0, 2]}`, `{"order": [2, 0, 1]}`,
/// `{"value": 4}`, `{"text": "…"}` or `{"rows": [0, null, 2]}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// Single choice: the option's place, from 0.
    Choice(i32),
    /// Multiple choice: the options ticked.
    Choices(Vec<i32>),
    /// Ranking: every item's place, first the most preferred.
    Order(Vec<i32>),
    /// Scale: from 1.
    Value(i32),
    /// Short or long text.
    Text(String),
    /// Matrix: the column chosen in each row (none: not answered).
    Rows(Vec<Option<i32>>),
}

impl Answer {
    /// Nothing was answered (an empty tick list, blank text …).
    fn is_empty(&self) -> bool {
        match self {
            Self::Choice(_) | Self::Value(_) => false,
            Self::Choices(c) | Self::Order(c) => c.is_empty(),
            Self::Text(t) => t.trim().is_empty(),
            Self::Rows(r) => r.iter().all(Option::is_none),
        }
    }

    /// The options it names (choices; for conditions).
    pub fn options(&self) -> Vec<i32> {
        match self {
            Self::Choice(c) => vec![*c],
            Self::Choices(c) => c.clone(),
            _ => Vec::new(),
        }
    }
}

/// A response: answers by question place.
pub type Answers = BTreeMap<i32, Answer>;

/// What is wrong with one answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault {
    /// The question's place.
    pub position: i32,
    /// What is wrong.
    pub problem: Problem,
}

/// A response whose every answer fits its question, with the answers to
/// questions it does not show dropped and texts trimmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    pub(super) survey: SurveyId,
    pub(super) answers: Answers,
}

impl Checked {
    /// The answers kept.
    pub fn answers(&self) -> &Answers {
        &self.answers
    }
}

/// Whether `question` is shown, given the answers to earlier ones (kept
/// only for shown questions, so a condition on a hidden question hides).
pub fn shown(question: &Question, earlier: &Answers) -> bool {
    match question.shown_if_question {
        None => true,
        Some(on) => earlier.get(&on).is_some_and(|a| {
            a.options()
                .iter()
                .any(|o| question.shown_if_options.contains(o))
        }),
    }
}

/// `given` checked against the questions of `survey`: every fault at once,
/// in question order, or the response to store.
pub fn check(
    survey: SurveyId,
    questions: &[Question],
    mut given: Answers,
) -> Result<Checked, Vec<Fault>> {
    let mut kept = Answers::new();
    let mut faults = Vec::new();
    for question in questions {
        let answer = given.remove(&question.position);
        if !shown(question, &kept) {
            continue;
        }
        match answer.filter(|a| !a.is_empty()) {
            None if question.required => faults.push(Fault {
                position: question.position,
                problem: Problem::AnswerRequired,
            }),
            None => {}
            Some(answer) => match fits(question, answer) {
                Ok(answer) => {
                    kept.insert(question.position, answer);
                }
                Err(problem) => faults.push(Fault {
                    position: question.position,
                    problem,
                }),
            },
        }
    }
    match faults.is_empty() {
        true => Ok(Checked {
            survey,
            answers: kept,
        }),
        false => Err(faults),
    }
}

/// `answer` as kept for `question`, or what is wrong with it.
fn fits(question: &Question, answer: Answer) -> Result<Answer, Problem> {
    let count = i32::try_from(question.options.len()).unwrap_or(i32::MAX);
    let valid = |o: &i32| (0..count).contains(o);
    let distinct = |list: &[i32]| {
        let mut sorted = list.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        sorted.len() == list.len()
    };
    match (question.kind, answer) {
        (Kind::Single, Answer::Choice(c)) if valid(&c) => Ok(Answer::Choice(c)),
        (Kind::Multiple, Answer::Choices(mut c)) if c.iter().all(valid) && distinct(&c) => {
            let ticked = i32::try_from(c.len()).unwrap_or(i32::MAX);
            if ticked < question.min_choices {
                return Err(Problem::TooFewChoices);
            }
            if ticked > question.max_choices {
                return Err(Problem::TooManyChoices);
            }
            c.sort_unstable();
            Ok(Answer::Choices(c))
        }
        (Kind::Ranking, Answer::Order(o)) if o.iter().all(valid) && distinct(&o) => {
            match o.len() == question.options.len() {
                true => Ok(Answer::Order(o)),
                false => Err(Problem::RankingIncomplete),
            }
        }
        (Kind::Scale, Answer::Value(v)) if (1..=question.scale_max).contains(&v) => {
            Ok(Answer::Value(v))
        }
        (Kind::Scale, Answer::Value(_)) => Err(Problem::NumberInvalid),
        (Kind::ShortText | Kind::LongText, Answer::Text(t)) => {
            let text = t.trim();
            match text.chars().count() <= question.kind.text_limit() {
                true => Ok(Answer::Text(text.to_owned())),
                false => Err(Problem::TextTooLong),
            }
        }
        (Kind::Matrix, Answer::Rows(r))
            if r.len() == question.rows.len() && r.iter().flatten().all(valid) =>
        {
            match question.required && r.iter().any(Option::is_none) {
                true => Err(Problem::AnswerRequired),
                false => Ok(Answer::Rows(r)),
            }
        }
        _ => Err(Problem::ChoiceInvalid),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn question(position: i32, kind: Kind, options: &[&str]) -> Question {
        Question {
            position,
            kind,
            text: format!("Q{position}"),
            required: true,
            options: options.iter().map(|o| (*o).to_owned()).collect(),
            rows: Vec::new(),
            min_choices: 0,
            max_choices: 1,
            scale_max: 5,
            shown_if_question: None,
            shown_if_options: Vec::new(),
        }
    }

    fn survey() -> SurveyId {
        SurveyId(uuid::Uuid::nil())
    }

    #[test]
    fn every_kind_checks_its_own_shape() {
        let mut multiple = question(1, Kind::Multiple, &["a", "b", "c"]);
        (multiple.min_choices, multiple.max_choices) = (1, 2);
        let mut matrix = question(5, Kind::Matrix, &["bien", "mal"]);
        matrix.rows = vec!["x".into(), "y".into()];
        let questions = [
            question(0, Kind::Single, &["sí", "no"]),
            multiple,
            question(2, Kind::Ranking, &["a", "b", "c"]),
            question(3, Kind::Scale, &[]),
            question(4, Kind::ShortText, &[]),
            matrix,
        ];
        let good: Answers = [
            (0, Answer::Choice(1)),
            (1, Answer::Choices(vec![2, 0])),
            (2, Answer::Order(vec![2, 0, 1])),
            (3, Answer::Value(5)),
            (4, Answer::Text("  hola  ".into())),
            (5, Answer::Rows(vec![Some(0), Some(1)])),
        ]
        .into();
        let checked = check(survey(), &questions, good).expect("fits");
        assert_eq!(checked.answers[&1], Answer::Choices(vec![0, 2]));
        assert_eq!(checked.answers[&4], Answer::Text("hola".into()));

        let bad: Answers = [
            (0, Answer::Choice(2)),
            (1, Answer::Choices(vec![0, 1, 2])),
            (2, Answer::Order(vec![2, 0])),
            (3, Answer::Value(6)),
            (4, Answer::Text("x".repeat(301))),
            (5, Answer::Rows(vec![Some(0), None])),
        ]
        .into();
        let problems: Vec<Problem> = check(survey(), &questions, bad)
            .expect_err("faults")
            .into_iter()
            .map(|f| f.problem)
            .collect();
        assert_eq!(
            problems,
            [
                Problem::ChoiceInvalid,
                Problem::TooManyChoices,
                Problem::RankingIncomplete,
                Problem::NumberInvalid,
                Problem::TextTooLong,
                Problem::AnswerRequired,
            ]
        );
        let wrong_shape: Answers = [(0, Answer::Text("sí".into()))].into();
        let faults = check(survey(), &questions[..1], wrong_shape).expect_err("shape");
        assert_eq!(faults[0].problem, Problem::ChoiceInvalid);
        let repeated: Answers = [(2, Answer::Order(vec![0, 0, 1]))].into();
        let faults = check(survey(), &questions[2..3], repeated).expect_err("twice");
        assert_eq!(faults[0].problem, Problem::ChoiceInvalid);
    }

    #[test]
    fn a_conditional_question_counts_only_when_shown() {
        let mut why = question(1, Kind::ShortText, &[]);
        why.shown_if_question = Some(0);
        why.shown_if_options = vec![1];
        let mut more = question(2, Kind::Scale, &[]);
        more.shown_if_question = Some(1);
        let questions = [question(0, Kind::Single, &["sí", "no"]), why, more];
        // "Sí": the follow-up is hidden; its answer is dropped, not required.
        let yes: Answers = [(0, Answer::Choice(0)), (1, Answer::Text("x".into()))].into();
        let checked = check(survey(), &questions, yes).expect("hidden");
        assert_eq!(checked.answers.len(), 1);
        // "No": the follow-up is shown and required.
        let no: Answers = [(0, Answer::Choice(1))].into();
        let faults = check(survey(), &questions, no).expect_err("required");
        assert_eq!(faults.len(), 1);
        assert_eq!(faults[0].position, 1);
        // A condition on a text question (no options) never shows.
        let no: Answers = [(0, Answer::Choice(1)), (1, Answer::Text("y".into()))].into();
        assert_eq!(
            check(survey(), &questions, no).expect("ok").answers.len(),
            2
        );
    }

    #[test]
    fn optional_questions_may_stay_empty() {
        let mut q = question(0, Kind::Multiple, &["a", "b"]);
        (q.required, q.min_choices, q.max_choices) = (false, 1, 2);
        let empty: Answers = [(0, Answer::Choices(Vec::new()))].into();
        assert!(check(survey(), &[q], empty).expect("ok").answers.is_empty());
    }
}
