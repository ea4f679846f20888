//! A survey's questions as an HTML form, and the form's fields back as
//! answers. Every kind works without JavaScript: a ranking is one "place"
//! select per item; a matrix is a table of radio buttons per row; a
//! conditional question says which answer it follows up.

use crate::ui::i18n::Tr;
use cabildo_engine::surveys::{Answer, Answers, Fault, Kind, Question};

/// An option of a question as the form shows it: (value, label, chosen).
pub type Choice = (String, String, bool);

/// A ranking's item: (field name, item, its places 1…n with the one
/// chosen).
pub type Rank = (String, String, Vec<(String, bool)>);

/// A question as the form shows it.
pub struct QuestionView {
    /// `q{position}`: the field's name and the anchor errors link to.
    pub(crate) name: String,
    pub(crate) number: i32,
    pub(crate) text: String,
    /// `single`, `multiple`, `ranking`, `scale`, `short_text`, `long_text`
    /// or `matrix`.
    pub(crate) kind: &'static str,
    /// What to do ("Choose between 1 and 2.") and, for a follow-up, when.
    pub(crate) hints: Vec<String>,
    pub(crate) error: Option<String>,
    /// Choices, scale points, or a matrix's columns.
    pub(crate) choices: Vec<Choice>,
    /// Ranking: (field name, item, its places 1…n with the one chosen).
    pub(crate) ranks: Vec<Rank>,
    /// Matrix: (field name, row, its choices).
    pub(crate) rows: Vec<(String, String, Vec<Choice>)>,
    pub(crate) text_value: String,
    pub(crate) text_limit: usize,
}

/// The questions of a survey as its form shows them, filled with `given`
/// and with the `faults` of a refused response.
pub fn views(
    tr: &Tr,
    questions: &[Question],
    given: &Answers,
    faults: &[Fault],
) -> Vec<QuestionView> {
    questions
        .iter()
        .map(|q| {
            let answer = given.get(&q.position);
            let options = |chosen: &dyn Fn(i32) -> bool| -> Vec<Choice> {
                (0..)
                    .zip(&q.options)
                    .map(|(i, label)| (i.to_string(), label.clone(), chosen(i)))
                    .collect()
            };
            let picked = answer.map(Answer::options).unwrap_or_default();
            let choices = match q.kind {
                Kind::Single | Kind::Multiple | Kind::Matrix => options(&|i| picked.contains(&i)),
                Kind::Scale => (1..=q.scale_max)
                    .map(|v| {
                        let on = answer == Some(&Answer::Value(v));
                        (v.to_string(), v.to_string(), on)
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let ranks = match (q.kind, answer) {
                (Kind::Ranking, order) => (0..)
                    .zip(&q.options)
                    .map(|(i, item)| {
                        let place = match order {
                            Some(Answer::Order(o)) => o.iter().position(|x| *x == i).map(|p| p + 1),
                            _ => None,
                        };
                        let places = (1..=q.options.len())
                            .map(|n| (n.to_string(), place == Some(n)))
                            .collect();
                        (format!("q{}-{i}", q.position), item.clone(), places)
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let rows = match q.kind {
                Kind::Matrix => (0..)
                    .zip(&q.rows)
                    .map(|(r, row)| {
                        let chosen = match answer {
                            Some(Answer::Rows(rows)) => rows
                                .get(usize::try_from(r).unwrap_or(usize::MAX))
                                .copied()
                                .flatten(),
                            _ => None,
                        };
                        (
                            format!("q{}-r{r}", q.position),
                            row.clone(),
                            options(&|i| chosen == Some(i)),
                        )
                    })
                    .collect(),
                _ => Vec::new(),
            };
            QuestionView {
                name: format!("q{}", q.position),
                number: q.position + 1,
                text: q.text.clone(),
                kind: q.kind.as_str(),
                hints: hints(tr, q, questions),
                error: (faults.iter())
                    .find(|f| f.position == q.position)
                    .map(|f| tr.t(f.problem.key())),
                choices,
                ranks,
                rows,
                text_value: match answer {
                    Some(Answer::Text(t)) => t.clone(),
                    _ => String::new(),
                },
                text_limit: q.kind.text_limit(),
            }
        })
        .collect()
}

fn hints(tr: &Tr, q: &Question, questions: &[Question]) -> Vec<String> {
    let mut hints = Vec::new();
    if let Some(on) = q.shown_if_question
        && let Some(earlier) = questions.iter().find(|e| e.position == on)
    {
        let answers: Vec<String> = (q.shown_if_options.iter())
            .filter_map(|o| earlier.options.get(usize::try_from(*o).ok()?))
            .map(|o| format!("«{o}»"))
            .collect();
        hints.push(tr.args(
            "survey-follow-up",
            &[
                ("number", (on + 1).to_string()),
                ("answers", answers.join(" / ")),
            ],
        ));
    }
    let hint = match q.kind {
        Kind::Single => tr.t("survey-hint-single"),
        Kind::Multiple if q.min_choices == q.max_choices => {
            tr.count("survey-hint-multiple-exactly", i64::from(q.max_choices))
        }
        Kind::Multiple if q.min_choices > 0 => tr.args(
            "survey-hint-multiple-between",
            &[
                ("min", q.min_choices.to_string()),
                ("max", q.max_choices.to_string()),
            ],
        ),
        Kind::Multiple => tr.count("survey-hint-multiple-up-to", i64::from(q.max_choices)),
        Kind::Ranking => tr.t("survey-hint-ranking"),
        Kind::Scale => tr.with("survey-hint-scale", "max", &q.scale_max.to_string()),
        Kind::ShortText | Kind::LongText => tr.t("survey-hint-text"),
        Kind::Matrix => tr.t("survey-hint-matrix"),
    };
    hints.push(hint);
    if !q.required {
        hints.push(tr.t("survey-optional"));
    }
    hints
}

/// The form's fields as answers. What cannot be read becomes an answer
/// the checks refuse (an option that does not exist), so the person sees
/// which question to fix.
pub fn answers(fields: &[(String, String)], questions: &[Question]) -> Answers {
    let values = |name: &str| -> Vec<&str> {
        (fields.iter())
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
            .collect()
    };
    let number = |v: &str| v.parse::<i32>().unwrap_or(-1);
    let mut answers = Answers::new();
    for q in questions {
        let name = format!("q{}", q.position);
        let answer = match q.kind {
            Kind::Single => values(&name).first().map(|v| Answer::Choice(number(v))),
            Kind::Multiple => Some(Answer::Choices(
                values(&name).into_iter().map(number).collect(),
            )),
            Kind::Scale => values(&name).first().map(|v| Answer::Value(number(v))),
            Kind::ShortText | Kind::LongText => {
                values(&name).first().map(|v| Answer::Text((*v).to_owned()))
            }
            Kind::Ranking => {
                // Places typed per item: the order is the items by place; a
                // place missing or given twice leaves the order short.
                let places: Vec<Option<i32>> = (0..q.options.len())
                    .map(|i| values(&format!("{name}-{i}")).first().map(|v| number(v)))
                    .collect();
                let order: Vec<i32> = (1..=i32::try_from(q.options.len()).unwrap_or(0))
                    .filter_map(|place| {
                        let at: Vec<usize> = (places.iter().enumerate())
                            .filter(|(_, p)| **p == Some(place))
                            .map(|(i, _)| i)
                            .collect();
                        match at.as_slice() {
                            [one] => i32::try_from(*one).ok(),
                            _ => None,
                        }
                    })
                    .collect();
                let any = places.iter().any(Option::is_some);
                any.then_some(Answer::Order(order))
            }
            Kind::Matrix => Some(Answer::Rows(
                (0..q.rows.len())
                    .map(|r| values(&format!("{name}-r{r}")).first().map(|v| number(v)))
                    .collect(),
            )),
        };
        if let Some(answer) = answer {
            answers.insert(q.position, answer);
        }
    }
    answers
}

/// The problem of a response that broke no single question (none).
pub fn summary(tr: &Tr, faults: &[Fault], questions: &[QuestionView]) -> Vec<(String, String)> {
    faults
        .iter()
        .map(|f| {
            let text = (questions.iter())
                .find(|q| q.number == f.position + 1)
                .map_or_else(String::new, |q| q.text.clone());
            (
                format!("q{}", f.position),
                format!("{}: {}", text, tr.t(f.problem.key())),
            )
        })
        .collect()
}
