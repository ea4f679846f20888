//! The consultation pages: handlers read the engine and shape what the
//! templates show; every rule (who may vote, when, once) is the engine's.

use crate::http::council::Council;
use crate::http::error::PageError;
use crate::http::extract::{Citizen, CsrfForm};
use crate::processes::cached::published;
use crate::ui::charts::{self, Bar};
use crate::ui::chrome::Chrome;
use crate::ui::i18n::Tr;
use crate::ui::tabs::{ProcessTabs, Tab};
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use cabildo_engine::consultations::board::Choices;
use cabildo_engine::consultations::{
    self, Channel, Consultation, Question, Results, Standing, Status,
};
use cabildo_engine::processes::Summary;
use cabildo_engine::{ConsultationId, Error as EngineError, Field, Problem};
use serde::Deserialize;
use std::collections::BTreeMap;

/// A consultation in a process's list.
struct Line {
    href: String,
    title: String,
    window: String,
    state: String,
}

#[derive(Template)]
#[template(path = "consultations.html")]
struct ListPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    tabs: ProcessTabs,
    lines: Vec<Line>,
}

/// A question as the ballot form shows it.
struct QuestionView {
    id: String,
    text: String,
    multiple: bool,
    /// "Choose one" / "Choose up to 2".
    hint: String,
    /// (id, text, checked).
    options: Vec<(String, String, bool)>,
}

/// A question's results.
struct QuestionResults {
    text: String,
    chart: String,
    /// (option, online and assisted, paper, total).
    rows: Vec<(String, String, String, String)>,
}

/// Turnout in a district: (district, electorate, voted, share).
type TurnoutRow = (String, String, String, String);

#[derive(Template)]
#[template(path = "consultation.html")]
struct ConsultationPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    tabs: ProcessTabs,
    base: String,
    title: String,
    description: String,
    window: String,
    state: String,
    /// Voting runs now.
    open: bool,
    questions: Vec<QuestionView>,
    /// The visitor may vote now.
    may_vote: bool,
    /// "You voted on 4/12/2026, online."
    voted: Option<String>,
    /// They may change it with their receipt.
    may_revote: bool,
    /// Why they may not vote, and where to go.
    denied: Option<String>,
    next: Option<(&'static str, String)>,
    /// The board's head now (while voting runs) or final.
    head: Option<String>,
    /// What a receipt check found.
    receipt: Option<String>,
    results: Vec<QuestionResults>,
    counted: Option<String>,
    turnout: Vec<TurnoutRow>,
    closed: bool,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "consultation_receipt.html")]
struct ReceiptPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    tabs: ProcessTabs,
    base: String,
    title: String,
    receipt: String,
}

/// The published consultation `id` of the process `slug` (drafts and
/// another process's are not found).
async fn of_process(
    council: &Council,
    slug: &str,
    id: &str,
) -> Result<(Summary, ProcessTabs, Consultation), PageError> {
    let (summary, _, phases, _) = published::<PageError>(council, slug).await?;
    let id: ConsultationId = id.parse().map_err(|_| PageError::NotFound)?;
    let consultation = council
        .tx(async |tx| Ok::<_, PageError>(consultations::find(tx, id).await?))
        .await?
        .filter(|c| c.process_id == summary.id && c.status != Status::Draft)
        .ok_or(PageError::NotFound)?;
    let tabs = ProcessTabs::new(&summary, &phases, Tab::Consultation);
    Ok((summary, tabs, consultation))
}

fn window(tr: &Tr, c: &Consultation) -> String {
    tr.args(
        "consultation-window",
        &[
            ("opens", tr.date_time(c.opens_at)),
            ("closes", tr.date_time(c.closes_at)),
        ],
    )
}

/// Draft, not yet, voting, counting or closed, in words.
fn state(tr: &Tr, c: &Consultation) -> (String, bool) {
    let now = time::OffsetDateTime::now_utc();
    let (key, open) = match c.status {
        Status::Closed => ("consultation-state-closed", false),
        _ if now < c.opens_at => ("consultation-state-soon", false),
        _ if now < c.closes_at && c.status == Status::Open => ("consultation-state-open", true),
        _ => ("consultation-state-counting", false),
    };
    (tr.t(key), open)
}

/// `GET /processes/{slug}/consultation`: the process's consultations.
pub async fn list(council: Council, Path(slug): Path<String>) -> Result<Response, PageError> {
    let (summary, _, phases, _) = published::<PageError>(&council, &slug).await?;
    let process = summary.id;
    let all = council
        .tx(async |tx| Ok::<_, PageError>(consultations::list_of_process(tx, process).await?))
        .await?;
    let tr = &council.tr;
    let lines = (all.iter())
        .filter(|c| c.status != Status::Draft)
        .map(|c| Line {
            href: format!("/processes/{slug}/consultations/{}", c.id),
            title: c.title.clone(),
            window: window(tr, c),
            state: state(tr, c).0,
        })
        .collect();
    council.render(&ListPage {
        tr,
        chrome: &council.chrome,
        tabs: ProcessTabs::new(&summary, &phases, Tab::Consultation),
        lines,
    })
}

fn question_views(tr: &Tr, questions: &[Question], chosen: &Choices) -> Vec<QuestionView> {
    questions
        .iter()
        .map(|q| {
            let picked = chosen.get(&q.id.0);
            QuestionView {
                id: q.id.to_string(),
                text: q.text.clone(),
                multiple: q.max_choices > 1,
                hint: if q.max_choices > 1 {
                    tr.count("consultation-choose-up-to", i64::from(q.max_choices))
                } else {
                    tr.t("consultation-choose-one")
                },
                options: (q.options.iter())
                    .map(|(id, text)| {
                        let checked = picked.is_some_and(|p| p.contains(&id.0));
                        (id.to_string(), text.clone(), checked)
                    })
                    .collect(),
            }
        })
        .collect()
}

fn results_views(
    tr: &Tr,
    questions: &[Question],
    results: &Results,
) -> (Vec<QuestionResults>, String, Vec<TurnoutRow>) {
    let n = |v: u64| tr.number(i64::try_from(v).unwrap_or(i64::MAX));
    let views = (questions.iter().zip(&results.tally.questions))
        .map(|(q, r)| {
            let mut rows: Vec<(String, u64, u64)> = (q.options.iter().zip(&r.options))
                .map(|((_, text), (_, ballots, paper))| (text.clone(), *ballots, *paper))
                .collect();
            rows.push((tr.t("consultation-blank"), r.blank.0, r.blank.1));
            let all: u64 = rows.iter().map(|(_, b, p)| b + p).sum();
            let bars: Vec<Bar> = (rows.iter())
                .map(|(label, b, p)| Bar {
                    label: label.clone(),
                    value: i64::try_from(b + p).unwrap_or(i64::MAX),
                    text: tr.args(
                        "consultation-votes-share",
                        &[
                            ("votes", n(b + p)),
                            ("percent", percent(tr, share(b + p, all))),
                        ],
                    ),
                })
                .collect();
            QuestionResults {
                text: q.text.clone(),
                chart: charts::bars(&q.text, &bars),
                rows: (rows.iter())
                    .map(|(label, b, p)| (label.clone(), n(*b), n(*p), n(b + p)))
                    .collect(),
            }
        })
        .collect();
    let counted = tr.with("consultation-counted", "ballots", &n(results.tally.ballots));
    let turnout = (results.turnout.iter())
        .map(|t| {
            let (e, v) = (
                u64::try_from(t.electorate).unwrap_or(0),
                u64::try_from(t.voted).unwrap_or(0),
            );
            (
                t.district.clone(),
                n(e),
                n(v),
                format!("{} %", percent(tr, share(v, e))),
            )
        })
        .collect();
    (views, counted, turnout)
}

/// A percentage to one decimal, with the language's decimal mark.
fn percent(tr: &Tr, value: f64) -> String {
    let text = format!("{value:.1}");
    if tr.code() == "en" {
        text
    } else {
        text.replace('.', ",")
    }
}

#[expect(clippy::cast_precision_loss, reason = "a percentage to one decimal")]
fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// The board's head now. Building it reads every ballot, so it is kept
/// in the council's read cache: the head shown may be a few seconds older
/// than the last ballot (receipt checks read the box itself).
pub(crate) async fn head<E>(
    council: &crate::http::council::Context,
    c: &Consultation,
) -> Result<String, E>
where
    E: From<cabildo_tenancy::TenancyError> + From<EngineError>,
{
    let head = council
        .cached(format!("consultation-head:{}", c.id), async |tx| {
            Ok::<_, E>(consultations::current_head(tx, c).await?)
        })
        .await?;
    Ok(head.as_ref().clone())
}

/// `?receipt=`: a receipt code to look up.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReceiptQuery {
    receipt: String,
}

/// Builds and renders the consultation page; `chosen` and `error` carry a
/// refused ballot back to its form.
async fn render(
    council: &Council,
    (tabs, consultation): (ProcessTabs, Consultation),
    receipt: &str,
    chosen: &Choices,
    error: Option<(axum::http::StatusCode, String)>,
) -> Result<Response, PageError> {
    let tr = &council.tr;
    let id = consultation.id;
    let user = council.user();
    let lookup = receipt.trim().to_owned();
    let (questions, standing, results, found) = council
        .tx(async |tx| {
            let questions = consultations::questions(tx, id).await?;
            let standing = match user {
                Some(user) => Some(consultations::standing(tx, id, user).await?),
                None => None,
            };
            let results = consultations::results(tx, id).await?;
            let found = match lookup.is_empty() {
                true => None,
                false => Some(consultations::check_receipt(tx, id, &lookup).await?),
            };
            Ok::<_, PageError>((questions, standing, results, found))
        })
        .await?;
    let head = head::<PageError>(council, &consultation).await?;
    let (state, open) = state(tr, &consultation);
    let (may_vote, voted, denied, next) = match standing {
        None => (
            false,
            None,
            None,
            Some(("/account/login", tr.t("consultation-log-in"))),
        ),
        Some(Standing::MayVote) => (open, None, None, None),
        Some(Standing::Voted(on, channel)) => {
            let how = tr.t(&format!("consultation-channel-{}", channel.as_str()));
            let words = tr.args("consultation-voted", &[("date", tr.day(on)), ("how", how)]);
            (false, Some(words), None, None)
        }
        Some(Standing::MayNot(refusal)) => {
            let next = (refusal == cabildo_engine::Refusal::NotVerified)
                .then(|| ("/account/verify", tr.t("next-verify")));
            (false, None, Some(tr.t(refusal.key())), next)
        }
    };
    let may_revote = open
        && consultation.revoting
        && matches!(
            standing,
            Some(Standing::Voted(_, Channel::Online | Channel::Assisted))
        );
    let receipt = found.map(|f| match f {
        None => tr.t("consultation-receipt-unknown"),
        Some((on, true, _)) => tr.with("consultation-receipt-withdrawn", "date", &tr.day(on)),
        Some((on, false, _)) => tr.with("consultation-receipt-found", "date", &tr.day(on)),
    });
    let (results, counted, turnout) = match &results {
        Some(r) => {
            let (views, counted, turnout) = results_views(tr, &questions, r);
            (views, Some(counted), turnout)
        }
        None => (Vec::new(), None, Vec::new()),
    };
    let base = format!("/processes/{}/consultations/{id}", tabs.slug);
    let (status, error) = match error {
        Some((status, message)) => (status, Some(message)),
        None => (axum::http::StatusCode::OK, None),
    };
    let page = ConsultationPage {
        tr,
        chrome: &council.chrome,
        base,
        title: consultation.title.clone(),
        description: cabildo_notify::markdown::render(&consultation.description),
        window: window(tr, &consultation),
        state,
        open,
        questions: question_views(tr, &questions, chosen),
        may_vote,
        voted,
        may_revote,
        denied,
        next,
        head: (consultation.status != Status::Draft).then_some(head),
        receipt,
        results,
        counted,
        turnout,
        closed: consultation.status == Status::Closed,
        error,
        tabs,
    };
    let mut response = council.render_status(status, &page)?;
    if user.is_some() {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("private, no-store"),
        );
    }
    Ok(response)
}

/// `GET /processes/{slug}/consultations/{id}` (`?receipt=` checks one).
pub async fn show(
    council: Council,
    Path((slug, id)): Path<(String, String)>,
    Query(query): Query<ReceiptQuery>,
) -> Result<Response, PageError> {
    let (_, tabs, consultation) = of_process(&council, &slug, &id).await?;
    render(
        &council,
        (tabs, consultation),
        &query.receipt,
        &BTreeMap::new(),
        None,
    )
    .await
}

/// The ballot form's fields as choices: `q-{question}` = option (several
/// for a multiple choice).
fn choices(fields: &[(String, String)], questions: &[Question]) -> Result<Choices, EngineError> {
    let mut chosen: Choices = questions.iter().map(|q| (q.id.0, Vec::new())).collect();
    for (name, value) in fields {
        let Some(question) = name.strip_prefix("q-") else {
            continue;
        };
        let (Ok(question), Ok(option)) = (question.parse(), value.parse()) else {
            return Err(EngineError::invalid(Field::Choices, Problem::ChoiceInvalid));
        };
        chosen
            .get_mut(&question)
            .ok_or(EngineError::invalid(Field::Choices, Problem::ChoiceInvalid))?
            .push(option);
    }
    Ok(chosen)
}

/// Casts (or, with `receipt`, replaces) the visitor's vote and shows the
/// receipt once; a refused ballot comes back to its form with why.
async fn voting(
    citizen: Citizen,
    slug: &str,
    id: &str,
    fields: &[(String, String)],
    replacing: Option<String>,
) -> Result<Response, PageError> {
    let (_, tabs, consultation) = of_process(&citizen, slug, id).await?;
    let id = consultation.id;
    let user = citizen.user();
    let questions = citizen
        .tx(async |tx| Ok::<_, PageError>(consultations::questions(tx, id).await?))
        .await?;
    let chosen = choices(fields, &questions).unwrap_or_default();
    let cast = citizen
        .tx(async |tx| {
            let chosen = choices(fields, &questions)?;
            let cast = match &replacing {
                Some(receipt) => consultations::revote(tx, id, user, receipt, &chosen).await,
                None => consultations::cast(tx, id, user, &chosen).await,
            };
            Ok::<_, PageError>(EngineError::split(cast)?)
        })
        .await;
    let refused = match cast {
        Ok(Ok(cast)) => {
            let tr = &citizen.tr;
            let page = ReceiptPage {
                tr,
                chrome: &citizen.chrome,
                base: format!("/processes/{slug}/consultations/{id}"),
                title: consultation.title.clone(),
                receipt: cast.receipt,
                tabs,
            };
            return citizen.render_private(&page);
        }
        Ok(Err(refusal)) => (
            crate::http::error::refusal_status(refusal),
            citizen.tr.t(refusal.key()),
        ),
        Err(PageError::Invalid(_)) => (
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            citizen.tr.t(Problem::ChoiceInvalid.key()),
        ),
        Err(error) => return Err(error),
    };
    render(&citizen, (tabs, consultation), "", &chosen, Some(refused)).await
}

/// `POST /processes/{slug}/consultations/{id}/vote`.
pub async fn vote(
    citizen: Citizen,
    Path((slug, id)): Path<(String, String)>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    voting(citizen, &slug, &id, &fields, None).await
}

/// `POST /processes/{slug}/consultations/{id}/revote`: `receipt` and the
/// new choices.
pub async fn revote(
    citizen: Citizen,
    Path((slug, id)): Path<(String, String)>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let receipt = (fields.iter())
        .find(|(name, _)| name == "receipt")
        .map(|(_, value)| value.clone())
        .unwrap_or_default();
    voting(citizen, &slug, &id, &fields, Some(receipt)).await
}

/// `GET /processes/{slug}/consultations/{id}/board.json`: the board of a
/// closed consultation, the file `cabildo consultation tally` recomputes.
pub async fn board(
    council: Council,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (_, _, consultation) = of_process(&council, &slug, &id).await?;
    if consultation.status != Status::Closed {
        return Err(PageError::NotFound);
    }
    let board = council
        .tx(async |tx| Ok::<_, PageError>(consultations::board_of(tx, &consultation).await?))
        .await?;
    let body =
        serde_json::to_string_pretty(&board).map_err(|e| PageError::Internal(Box::new(e)))?;
    let headers = [
        (header::CONTENT_TYPE, "application/json".to_owned()),
        (
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"consulta-{}.json\"", consultation.id),
        ),
    ];
    Ok((headers, body).into_response())
}
