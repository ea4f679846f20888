//! A survey's results as the public sees them: per question its figures
//! as a chart (drawn on the server) beside a table, the approved free
//! texts, and the responses as CSV or JSON (no person, texts only once
//! approved).

use crate::ui::charts::{self, Bar};
use crate::ui::i18n::Tr;
use cabildo_engine::opendata::{Dialect, line};
use cabildo_engine::surveys::{Answer, Kind, Question, Response, Results, Tally};
use serde::Serialize;

/// A question's results as shown.
pub struct QuestionResults {
    pub(crate) number: i32,
    pub(crate) text: String,
    /// "12 answers".
    pub(crate) answered: String,
    /// Bars (HTML); empty for texts and matrices.
    pub(crate) chart: String,
    /// What the figures are ("Points: 2 for a first place …").
    pub(crate) note: Option<String>,
    /// Table head and rows (the first cell of each row is its header).
    pub(crate) head: Vec<String>,
    pub(crate) rows: Vec<Vec<String>>,
    /// Published texts.
    pub(crate) texts: Vec<String>,
    /// "3 answers wait for review."
    pub(crate) unpublished: Option<String>,
}

fn percent(tr: &Tr, part: i64, whole: i64) -> String {
    #[expect(clippy::cast_precision_loss, reason = "a percentage to one decimal")]
    let value = if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    };
    let text = format!("{value:.1}");
    match tr.code() {
        "en" => format!("{text} %"),
        _ => format!("{} %", text.replace('.', ",")),
    }
}

/// The results as the page shows them.
pub fn views(tr: &Tr, results: &Results) -> Vec<QuestionResults> {
    results
        .questions
        .iter()
        .map(|r| {
            let q = &r.question;
            let answered = r.answered;
            let mut view = QuestionResults {
                number: q.position + 1,
                text: q.text.clone(),
                answered: tr.count("survey-answered", answered),
                chart: String::new(),
                note: None,
                head: Vec::new(),
                rows: Vec::new(),
                texts: Vec::new(),
                unpublished: None,
            };
            let figures = |labels: &[String], counts: &[i64], whole: i64| -> Vec<Bar> {
                (labels.iter().zip(counts))
                    .map(|(label, n)| Bar {
                        label: label.clone(),
                        value: *n,
                        text: format!("{} ({})", tr.number(*n), percent(tr, *n, whole)),
                    })
                    .collect()
            };
            match &r.tally {
                Tally::Choices(counts) => {
                    let bars = figures(&q.options, counts, answered);
                    view.chart = charts::bars(&q.text, &bars);
                    view.head = vec![tr.t("survey-option"), tr.t("survey-answers")];
                    view.rows = bars.into_iter().map(|b| vec![b.label, b.text]).collect();
                    if q.kind == Kind::Multiple {
                        view.note = Some(tr.t("survey-note-multiple"));
                    }
                }
                Tally::Ranking { points, first } => {
                    let bars: Vec<Bar> = (q.options.iter().zip(points))
                        .map(|(label, p)| Bar {
                            label: label.clone(),
                            value: *p,
                            text: tr.count("survey-points", *p),
                        })
                        .collect();
                    view.chart = charts::bars(&q.text, &bars);
                    view.note = Some(tr.with(
                        "survey-note-ranking",
                        "top",
                        &q.options.len().saturating_sub(1).to_string(),
                    ));
                    view.head = vec![
                        tr.t("survey-item"),
                        tr.t("survey-points-head"),
                        tr.t("survey-first-places"),
                    ];
                    view.rows = (q.options.iter().zip(points).zip(first))
                        .map(|((label, p), f)| vec![label.clone(), tr.number(*p), tr.number(*f)])
                        .collect();
                }
                Tally::Scale(counts) => {
                    let labels: Vec<String> = (1..=counts.len()).map(|v| v.to_string()).collect();
                    let bars = figures(&labels, counts, answered);
                    view.chart = charts::bars(&q.text, &bars);
                    let sum: i64 = (1..).zip(counts).map(|(v, n)| v * n).sum();
                    let mean = match answered {
                        0 => "—".to_owned(),
                        _ => {
                            let tenths = (sum * 10 + answered / 2) / answered;
                            let text = format!("{}.{}", tenths / 10, tenths % 10);
                            match tr.code() {
                                "en" => text,
                                _ => text.replace('.', ","),
                            }
                        }
                    };
                    view.note = Some(tr.with("survey-mean", "mean", &mean));
                    view.head = vec![tr.t("survey-value"), tr.t("survey-answers")];
                    view.rows = bars.into_iter().map(|b| vec![b.label, b.text]).collect();
                }
                Tally::Texts {
                    published,
                    unpublished,
                } => {
                    view.texts = published.clone();
                    view.unpublished =
                        (*unpublished > 0).then(|| tr.count("survey-unpublished", *unpublished));
                }
                Tally::Matrix(rows) => {
                    view.head = std::iter::once(String::new())
                        .chain(q.options.iter().cloned())
                        .collect();
                    view.rows = (q.rows.iter().zip(rows))
                        .map(|(row, counts)| {
                            let whole: i64 = counts.iter().sum();
                            std::iter::once(row.clone())
                                .chain(counts.iter().map(|n| {
                                    format!("{} ({})", tr.number(*n), percent(tr, *n, whole))
                                }))
                                .collect()
                        })
                        .collect();
                }
            }
            view
        })
        .collect()
}

/// One answer in words, for the CSV (matrices give one cell per row).
fn cells(q: &Question, answer: Option<&Answer>) -> Vec<String> {
    let label = |i: &i32| {
        usize::try_from(*i)
            .ok()
            .and_then(|i| q.options.get(i))
            .cloned()
            .unwrap_or_default()
    };
    match (q.kind, answer) {
        (Kind::Matrix, Some(Answer::Rows(rows))) => (0..q.rows.len())
            .map(|r| {
                rows.get(r)
                    .copied()
                    .flatten()
                    .map(|c| label(&c))
                    .unwrap_or_default()
            })
            .collect(),
        (Kind::Matrix, _) => vec![String::new(); q.rows.len()],
        (_, None) => vec![String::new()],
        (_, Some(Answer::Choice(c))) => vec![label(c)],
        (_, Some(Answer::Choices(c))) => vec![c.iter().map(label).collect::<Vec<_>>().join(" | ")],
        (_, Some(Answer::Order(o))) => vec![o.iter().map(label).collect::<Vec<_>>().join(" > ")],
        (_, Some(Answer::Value(v))) => vec![v.to_string()],
        (_, Some(Answer::Text(t))) => vec![t.clone()],
        (_, Some(Answer::Rows(_))) => vec![String::new()],
    }
}

/// The responses as a CSV table: `response`, `date`, then one column per
/// question (per row of a matrix), headed by the question's text.
pub fn csv(questions: &[Question], responses: &[Response], dialect: Dialect) -> String {
    let mut out = dialect.start();
    let mut head = vec!["response".to_owned(), "date".to_owned()];
    for q in questions {
        match q.kind {
            Kind::Matrix => head.extend(q.rows.iter().map(|r| format!("{} — {r}", q.text))),
            _ => head.push(q.text.clone()),
        }
    }
    line(&mut out, dialect, head.iter().map(String::as_str));
    for r in responses {
        let mut row = vec![r.id.to_string(), r.answered_on.to_string()];
        for q in questions {
            row.extend(cells(q, r.answers.get(&q.position)));
        }
        line(&mut out, dialect, row.iter().map(String::as_str));
    }
    out
}

/// The responses as JSON.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ResponsesFile {
    /// The questions, by place.
    questions: Vec<QuestionFile>,
    /// Every response, by its random id.
    responses: Vec<ResponseFile>,
}

/// A question in the responses file.
#[derive(Serialize, utoipa::ToSchema)]
pub struct QuestionFile {
    /// Its place, from 0: the key of its answers.
    position: i32,
    /// `single`, `multiple`, `ranking`, `scale`, `short_text`, `long_text`
    /// or `matrix`.
    kind: String,
    text: String,
    /// Choices, items or columns; answers give their places.
    options: Vec<String>,
    /// A matrix's rows.
    rows: Vec<String>,
    /// A scale's top value.
    scale_max: i32,
}

/// A response in the responses file.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ResponseFile {
    id: uuid::Uuid,
    /// The day it was given or last changed.
    date: String,
    /// By question place: `{"choice": 1}`, `{"choices": [0, 2]}`,
    /// `{"order": [2, 0, 1]}`, `{"value": 4}`, `{"text": "…"}` or
    /// `{"rows": [0, null, 2]}`.
    #[schema(value_type = Object)]
    answers: serde_json::Value,
}

/// The responses file.
pub fn file(questions: &[Question], responses: &[Response]) -> ResponsesFile {
    ResponsesFile {
        questions: questions
            .iter()
            .map(|q| QuestionFile {
                position: q.position,
                kind: q.kind.as_str().to_owned(),
                text: q.text.clone(),
                options: q.options.clone(),
                rows: q.rows.clone(),
                scale_max: q.scale_max,
            })
            .collect(),
        responses: responses
            .iter()
            .map(|r| ResponseFile {
                id: r.id,
                date: r.answered_on.to_string(),
                answers: serde_json::to_value(&r.answers).unwrap_or_default(),
            })
            .collect(),
    }
}
