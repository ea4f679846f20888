//! The survey pages: a process's surveys, a survey's form (what the
//! visitor may do now, their answers kept when one is refused), and its
//! results with the responses as CSV or JSON. Every rule is the engine's.

use super::form::{self, QuestionView};
use super::results::{self, QuestionResults};
use crate::http::council::Council;
use crate::http::download::{CsvQuery, csv};
use crate::http::error::PageError;
use crate::http::extract::CsrfForm;
use crate::processes::cached::published;
use crate::ui::chrome::Chrome;
use crate::ui::i18n::Tr;
use crate::ui::tabs::{ProcessTabs, Tab};
use askama::Template;
use axum::Json;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cabildo_engine::surveys::{self, Answers, Fault, Respondent, Standing, Survey};
use cabildo_engine::{Error as EngineError, Refusal, SurveyId};

/// A survey in a process's list.
struct Line {
    href: String,
    title: String,
    state: String,
}

#[derive(Template)]
#[template(path = "surveys.html")]
struct ListPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    tabs: ProcessTabs,
    lines: Vec<Line>,
}

#[derive(Template)]
#[template(path = "survey.html")]
struct SurveyPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    tabs: ProcessTabs,
    base: String,
    title: String,
    description: String,
    state: String,
    /// The form is shown (to answer, or to change one's answers).
    form: bool,
    editing: bool,
    questions: Vec<QuestionView>,
    /// "You answered this survey." and what next.
    answered: Option<String>,
    denied: Option<String>,
    next: Option<(&'static str, String)>,
    anonymous: bool,
    results: bool,
    /// Error summary lines: (anchor, message).
    errors: Vec<(String, String)>,
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "survey_results.html")]
struct ResultsPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    tabs: ProcessTabs,
    base: String,
    title: String,
    responses: String,
    questions: Vec<QuestionResults>,
}

/// The published survey `id` of the process `slug`.
async fn of_process(
    council: &Council,
    slug: &str,
    id: &str,
) -> Result<(ProcessTabs, Survey), PageError> {
    let (summary, _, phases, _) = published::<PageError>(council, slug).await?;
    let id: SurveyId = id.parse().map_err(|_| PageError::NotFound)?;
    let survey = council
        .tx(async |tx| Ok::<_, PageError>(surveys::find(tx, id).await?))
        .await?
        .filter(|s| s.process_id == summary.id && s.published_at.is_some())
        .ok_or(PageError::NotFound)?;
    Ok((ProcessTabs::new(&summary, &phases, Tab::Surveys), survey))
}

/// Who answers from this request: the person, or (for surveys anyone
/// answers) this browser, by a keyed hash of its CSRF cookie.
pub(crate) fn respondent(council: &Council, survey: &Survey) -> Option<Respondent> {
    match council.user() {
        Some(user) => Some(Respondent::Person(user)),
        None if survey.audience == surveys::Audience::Anyone => {
            let key = cabildo_engine::census::key(&council.state.secret, council.tenant.id);
            let text = format!("survey-visitor\0{}", council.visitor.csrf);
            let hash = cabildo_engine::census::document::keyed_hash(&key, &text);
            <[u8; 32]>::try_from(hash.as_slice())
                .ok()
                .map(Respondent::Visitor)
        }
        None => None,
    }
}

/// `GET /processes/{slug}/surveys`.
pub async fn list(council: Council, Path(slug): Path<String>) -> Result<Response, PageError> {
    let (summary, _, phases, _) = published::<PageError>(&council, &slug).await?;
    let process = summary.id;
    let (all, running) = council
        .tx(async |tx| {
            let all = surveys::list_of_process(tx, process).await?;
            let running = match all.first() {
                Some(s) => surveys::running(tx, s).await?,
                None => false,
            };
            Ok::<_, PageError>((all, running))
        })
        .await?;
    let tr = &council.tr;
    let state = tr.t(match running {
        true => "survey-state-open",
        false => "survey-state-closed",
    });
    let lines = (all.into_iter())
        .filter(|s| s.published_at.is_some())
        .map(|s| Line {
            href: format!("/processes/{slug}/surveys/{}", s.id),
            title: s.title,
            state: state.clone(),
        })
        .collect();
    council.render(&ListPage {
        tr,
        chrome: &council.chrome,
        tabs: ProcessTabs::new(&summary, &phases, Tab::Surveys),
        lines,
    })
}

/// What went wrong with a response, to show with its form.
enum Trouble {
    Faults(Vec<Fault>),
    Refused(Refusal),
}

async fn render(
    council: &Council,
    (tabs, survey): (ProcessTabs, Survey),
    given: Option<Answers>,
    trouble: Option<Trouble>,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let tr = &council.tr;
    let who = respondent(council, &survey);
    let user = council.user();
    let (questions, standing, running, public, mine) = council
        .tx(async |tx| {
            let questions = surveys::questions(tx, survey.id).await?;
            let standing = surveys::standing(tx, &survey, who).await?;
            let running = surveys::running(tx, &survey).await?;
            let public = surveys::results_public(tx, &survey).await?;
            let mine = match user {
                Some(user) => surveys::mine(tx, &survey, user).await?,
                None => None,
            };
            Ok::<_, PageError>((questions, standing, running, public, mine))
        })
        .await?;
    let (form, editing, answered, denied, next) = match standing {
        Standing::MayAnswer => (true, false, None, None, None),
        Standing::Answered { may_edit } => {
            let words = tr.t(match may_edit {
                true => "survey-answered-editable",
                false => "survey-answered-thanks",
            });
            (may_edit, may_edit, Some(words), None, None)
        }
        Standing::MayNot(refusal) => {
            let next = match refusal {
                Refusal::NotRegistered => Some(("/account/login", tr.t("survey-log-in"))),
                Refusal::NotVerified => Some(("/account/verify", tr.t("next-verify"))),
                _ => None,
            };
            let why = (refusal != Refusal::PhaseClosed).then(|| tr.t(refusal.key()));
            (false, false, None, why, next)
        }
    };
    let given = given.or(mine).unwrap_or_default();
    let (faults, status, refused) = match trouble {
        Some(Trouble::Faults(faults)) => (faults, StatusCode::UNPROCESSABLE_ENTITY, None),
        Some(Trouble::Refused(refusal)) => (
            Vec::new(),
            crate::http::error::refusal_status(refusal),
            Some(tr.t(refusal.key())),
        ),
        None => (Vec::new(), StatusCode::OK, None),
    };
    let views = form::views(tr, &questions, &given, &faults);
    let mut errors = form::summary(tr, &faults, &views);
    errors.extend(refused.map(|r| (String::new(), r)));
    let base = format!("/processes/{}/surveys/{}", tabs.slug, survey.id);
    let page = SurveyPage {
        tr,
        chrome: &council.chrome,
        base,
        title: survey.title.clone(),
        description: cabildo_notify::markdown::render(&survey.description),
        state: tr.t(match running {
            true => "survey-state-open",
            false => "survey-state-closed",
        }),
        form,
        editing,
        questions: views,
        answered,
        denied,
        next,
        anonymous: survey.anonymous,
        results: public,
        errors,
        notice,
        tabs,
    };
    let mut response = council.render_status(status, &page)?;
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}

/// `?sent=1` after a response.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct Sent {
    sent: String,
}

/// `GET /processes/{slug}/surveys/{id}`.
pub async fn show(
    council: Council,
    Path((slug, id)): Path<(String, String)>,
    Query(sent): Query<Sent>,
) -> Result<Response, PageError> {
    let found = of_process(&council, &slug, &id).await?;
    let notice = match sent.sent.as_str() {
        "new" => Some(council.tr.t("survey-sent")),
        "changed" => Some(council.tr.t("survey-changed")),
        _ => None,
    };
    render(&council, found, None, None, notice).await
}

/// `POST /processes/{slug}/surveys/{id}`: a response (or a changed one).
pub async fn answer(
    council: Council,
    Path((slug, id)): Path<(String, String)>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (tabs, survey) = of_process(&council, &slug, &id).await?;
    let Some(who) = respondent(&council, &survey) else {
        return Ok(Redirect::to("/account/login").into_response());
    };
    let questions = council
        .tx(async |tx| Ok::<_, PageError>(surveys::questions(tx, survey.id).await?))
        .await?;
    let given = form::answers(&fields, &questions);
    let checked = match surveys::check(survey.id, &questions, given.clone()) {
        Ok(checked) => checked,
        Err(faults) => {
            let trouble = Some(Trouble::Faults(faults));
            return render(&council, (tabs, survey), Some(given), trouble, None).await;
        }
    };
    let stored = council
        .tx(async |tx| {
            Ok::<_, PageError>(EngineError::split(
                surveys::respond(tx, who, &checked).await,
            )?)
        })
        .await?;
    match stored {
        Ok(first) => {
            let sent = if first { "new" } else { "changed" };
            let to = format!("/processes/{slug}/surveys/{}?sent={sent}", survey.id);
            Ok(Redirect::to(&to).into_response())
        }
        Err(refusal) => {
            let trouble = Some(Trouble::Refused(refusal));
            render(&council, (tabs, survey), Some(given), trouble, None).await
        }
    }
}

/// The results, when the public may see them.
async fn public_results(
    council: &Council,
    slug: &str,
    id: &str,
) -> Result<(ProcessTabs, Survey), PageError> {
    let (tabs, survey) = of_process(council, slug, id).await?;
    let public = council
        .tx(async |tx| Ok::<_, PageError>(surveys::results_public(tx, &survey).await?))
        .await?;
    match public {
        true => Ok((tabs, survey)),
        false => Err(PageError::NotFound),
    }
}

/// `GET /processes/{slug}/surveys/{id}/results`.
pub async fn results(
    council: Council,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (tabs, survey) = public_results(&council, &slug, &id).await?;
    let results = council
        .tx(async |tx| Ok::<_, PageError>(surveys::results(tx, survey.id).await?))
        .await?;
    let tr = &council.tr;
    council.render(&ResultsPage {
        tr,
        chrome: &council.chrome,
        base: format!("/processes/{slug}/surveys/{}", survey.id),
        title: survey.title.clone(),
        responses: tr.count("survey-responses", results.responses),
        questions: results::views(tr, &results),
        tabs,
    })
}

/// `GET /processes/{slug}/surveys/{id}/responses.csv`: open data.
pub async fn responses_csv(
    council: Council,
    Path((slug, id)): Path<(String, String)>,
    Query(query): Query<CsvQuery>,
) -> Result<Response, PageError> {
    let (_, survey) = public_results(&council, &slug, &id).await?;
    let (questions, responses) = council
        .tx(async |tx| {
            Ok::<_, PageError>((
                surveys::questions(tx, survey.id).await?,
                surveys::responses(tx, survey.id, false).await?,
            ))
        })
        .await?;
    let body = results::csv(&questions, &responses, query.dialect());
    Ok(csv(body, &format!("encuesta-{}.csv", survey.id)))
}

/// `GET /processes/{slug}/surveys/{id}/responses.json`: open data.
pub async fn responses_json(
    council: Council,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (_, survey) = public_results(&council, &slug, &id).await?;
    let (questions, responses) = council
        .tx(async |tx| {
            Ok::<_, PageError>((
                surveys::questions(tx, survey.id).await?,
                surveys::responses(tx, survey.id, false).await?,
            ))
        })
        .await?;
    Ok(Json(results::file(&questions, &responses)).into_response())
}
