//! Surveys as staff run them: created in a process with their questions
//! typed as text, changed while a draft, published (which fixes the
//! questions), every response exported with all its texts, and the free
//! texts reviewed (moderators) before they are published.

use super::text;
use crate::http::download::{CsvQuery, csv};
use crate::http::error::PageError;
use crate::http::extract::needs::ManageProcesses;
use crate::http::extract::{CsrfForm, Granted, Staff};
use crate::ui::chrome::Chrome;
use crate::ui::i18n::Tr;
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cabildo_engine::staff::Permission;
use cabildo_engine::surveys::{self, Audience, NewSurvey, Survey, TextForReview};
use cabildo_engine::{Error as EngineError, ProcessId, SurveyId};
use serde::Deserialize;

/// A survey in the staff list.
struct Line {
    id: String,
    title: String,
    status: String,
}

/// The survey form, as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SurveyForm {
    title: String,
    description: String,
    audience: String,
    anonymous: String,
    editable: String,
    results_while_open: String,
    questions: String,
}

#[derive(Template)]
#[template(path = "staff_surveys.html")]
struct ListPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    process: String,
    lines: Vec<Line>,
    form: SurveyForm,
    action: String,
    audiences: Vec<(&'static str, String)>,
    error: Option<String>,
    /// A draft being changed: its id (for the publish button).
    draft: Option<String>,
}

fn audiences(tr: &Tr) -> Vec<(&'static str, String)> {
    (Audience::ALL.iter())
        .map(|a| (a.as_str(), tr.t(&format!("staff-survey-audience-{a}"))))
        .collect()
}

async fn list_page(
    staff: &Granted<ManageProcesses>,
    process: ProcessId,
    form: SurveyForm,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let tr = &staff.tr;
    let all = staff
        .tx(async |tx| Ok::<_, PageError>(surveys::list_of_process(tx, process).await?))
        .await?;
    let lines = (all.iter())
        .map(|s| Line {
            id: s.id.to_string(),
            title: s.title.clone(),
            status: tr.t(match s.published_at {
                Some(_) => "staff-survey-published",
                None => "staff-survey-draft",
            }),
        })
        .collect();
    let page = ListPage {
        tr,
        chrome: &staff.chrome,
        process: process.to_string(),
        lines,
        action: format!("/staff/processes/{process}/surveys"),
        audiences: audiences(tr),
        form,
        error,
        draft: None,
    };
    staff.render_status(status, &page)
}

/// `GET /staff/processes/{id}/surveys`.
pub async fn list(
    staff: Granted<ManageProcesses>,
    Path(process): Path<String>,
) -> Result<Response, PageError> {
    let process: ProcessId = process.parse().map_err(|_| PageError::NotFound)?;
    let form = SurveyForm {
        audience: "registered".into(),
        results_while_open: "on".into(),
        ..SurveyForm::default()
    };
    list_page(&staff, process, form, None, StatusCode::OK).await
}

/// The form as a survey, or the message saying what to fix.
fn survey_of(tr: &Tr, form: &SurveyForm) -> Result<NewSurvey, String> {
    let audience = Audience::parse(&form.audience).ok_or_else(|| tr.t("error-audience"))?;
    let questions = text::parse(&form.questions).map_err(|block| {
        tr.with(
            "staff-survey-error-unreadable",
            "number",
            &(block + 1).to_string(),
        )
    })?;
    if let Err((place, problem)) = surveys::check_questions(&questions) {
        return Err(tr.args(
            "staff-survey-error-question",
            &[
                ("number", (place + 1).to_string()),
                ("problem", tr.t(problem.key())),
            ],
        ));
    }
    Ok(NewSurvey {
        title: form.title.clone(),
        description: form.description.clone(),
        audience,
        anonymous: form.anonymous == "on",
        editable: form.editable == "on",
        results_while_open: form.results_while_open == "on",
        questions,
    })
}

/// Saves a new survey (or, with `id`, a draft's changes).
async fn save(
    staff: Granted<ManageProcesses>,
    process: ProcessId,
    id: Option<SurveyId>,
    form: SurveyForm,
) -> Result<Response, PageError> {
    let tr = &staff.tr;
    let new = match survey_of(tr, &form) {
        Ok(new) => new,
        Err(error) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return match id {
                Some(id) => draft_page(&staff, id, form, Some(error), status).await,
                None => list_page(&staff, process, form, Some(error), status).await,
            };
        }
    };
    let actor = staff.actor();
    let saved = staff
        .tx(async |tx| {
            let saved = surveys::create(tx, &actor, process, id, &new).await;
            Ok::<_, PageError>(EngineError::split(saved)?)
        })
        .await;
    let error = match saved {
        Ok(Ok(id)) => return Ok(Redirect::to(&format!("/staff/surveys/{id}")).into_response()),
        Ok(Err(refusal)) => tr.t(refusal.key()),
        Err(PageError::Invalid(errors)) => errors.first().map_or_else(String::new, |e| {
            format!(
                "{}: {}",
                tr.t(&format!("staff-survey-field-{}", e.field.name())),
                tr.t(e.problem.key())
            )
        }),
        Err(error) => return Err(error),
    };
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    match id {
        Some(id) => draft_page(&staff, id, form, Some(error), status).await,
        None => list_page(&staff, process, form, Some(error), status).await,
    }
}

/// `POST /staff/processes/{id}/surveys`: creates a draft.
pub async fn create(
    staff: Granted<ManageProcesses>,
    Path(process): Path<String>,
    CsrfForm(form): CsrfForm<SurveyForm>,
) -> Result<Response, PageError> {
    let process: ProcessId = process.parse().map_err(|_| PageError::NotFound)?;
    save(staff, process, None, form).await
}

fn survey_id(text: &str) -> Result<SurveyId, PageError> {
    text.parse().map_err(|_| PageError::NotFound)
}

#[derive(Template)]
#[template(path = "staff_survey.html")]
struct ShowPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    id: String,
    title: String,
    process: String,
    status: String,
    audience: String,
    responses: String,
    waiting: String,
    questions: String,
    /// The public page (process slug known).
    public: Option<String>,
    notice: Option<String>,
}

async fn survey_of_staff(staff: &Staff, id: SurveyId) -> Result<Survey, PageError> {
    staff
        .tx(async |tx| Ok::<_, PageError>(surveys::get(tx, id).await?))
        .await
}

async fn draft_page(
    staff: &Granted<ManageProcesses>,
    id: SurveyId,
    form: SurveyForm,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let tr = &staff.tr;
    let survey = survey_of_staff(staff, id).await?;
    let page = ListPage {
        tr,
        chrome: &staff.chrome,
        process: survey.process_id.to_string(),
        lines: Vec::new(),
        action: format!("/staff/surveys/{id}"),
        audiences: audiences(tr),
        form,
        error,
        draft: Some(id.to_string()),
    };
    staff.render_status(status, &page)
}

/// `?done=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Done {
    done: String,
}

/// `GET /staff/surveys/{id}`: a draft's form, or a published survey's
/// figures and links.
pub async fn show(
    staff: Granted<ManageProcesses>,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let id = survey_id(&id)?;
    let tr = &staff.tr;
    let (survey, questions, responses, waiting, slug) = staff
        .tx(async |tx| {
            let survey = surveys::get(tx, id).await?;
            let slug = cabildo_engine::processes::slug_of(tx, survey.process_id).await?;
            Ok::<_, PageError>((
                survey,
                surveys::questions(tx, id).await?,
                surveys::response_count(tx, id).await?,
                surveys::texts_for_review(tx, id, true).await?.len(),
                slug,
            ))
        })
        .await?;
    if survey.published_at.is_none() {
        let form = SurveyForm {
            title: survey.title.clone(),
            description: survey.description.clone(),
            audience: survey.audience.as_str().to_owned(),
            anonymous: on(survey.anonymous),
            editable: on(survey.editable),
            results_while_open: on(survey.results_while_open),
            questions: text::write(&questions),
        };
        return draft_page(&staff, id, form, None, StatusCode::OK).await;
    }
    let notice = (done.done == "published").then(|| tr.t("staff-survey-done-published"));
    let page = ShowPage {
        tr,
        chrome: &staff.chrome,
        id: id.to_string(),
        title: survey.title.clone(),
        process: survey.process_id.to_string(),
        status: tr.t("staff-survey-published"),
        audience: tr.t(&format!("staff-survey-audience-{}", survey.audience)),
        responses: tr.count("survey-responses", responses),
        waiting: tr.count("staff-survey-waiting", i64::try_from(waiting).unwrap_or(0)),
        questions: text::write(&questions),
        public: slug.map(|s| format!("/processes/{s}/surveys/{id}")),
        notice,
    };
    staff.render(&page)
}

fn on(flag: bool) -> String {
    if flag { "on".into() } else { String::new() }
}

/// `POST /staff/surveys/{id}`: a draft's changes.
pub async fn edit(
    staff: Granted<ManageProcesses>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<SurveyForm>,
) -> Result<Response, PageError> {
    let id = survey_id(&id)?;
    let survey = survey_of_staff(&staff, id).await?;
    save(staff, survey.process_id, Some(id), form).await
}

/// `POST /staff/surveys/{id}/publish`.
pub async fn publish(
    staff: Granted<ManageProcesses>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = survey_id(&id)?;
    let actor = staff.actor();
    staff
        .tx(async |tx| Ok::<_, PageError>(surveys::publish(tx, &actor, id).await?))
        .await?;
    Ok(Redirect::to(&format!("/staff/surveys/{id}?done=published")).into_response())
}

/// `GET /staff/surveys/{id}/responses.csv`: every response with all its
/// texts (reviewed or not), for the council's own analysis.
pub async fn responses_csv(
    staff: Granted<ManageProcesses>,
    Path(id): Path<String>,
    Query(query): Query<CsvQuery>,
) -> Result<Response, PageError> {
    let id = survey_id(&id)?;
    let (questions, responses) = staff
        .tx(async |tx| {
            surveys::get(tx, id).await?;
            Ok::<_, PageError>((
                surveys::questions(tx, id).await?,
                surveys::responses(tx, id, true).await?,
            ))
        })
        .await?;
    let body = super::results::csv(&questions, &responses, query.dialect());
    Ok(csv(body, &format!("encuesta-{id}-completa.csv")))
}

#[derive(Template)]
#[template(path = "staff_survey_texts.html")]
struct TextsPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    id: String,
    title: String,
    /// (response, position, question, text, day).
    texts: Vec<(String, i32, String, String, String)>,
    notice: Option<String>,
}

/// `GET /staff/surveys/{id}/texts`: free texts waiting for review
/// (moderators and admins).
pub async fn texts(
    staff: Staff,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    staff.require(Permission::Moderate)?;
    let id = survey_id(&id)?;
    let tr = &staff.tr;
    let (survey, questions, waiting) = staff
        .tx(async |tx| {
            Ok::<_, PageError>((
                surveys::get(tx, id).await?,
                surveys::questions(tx, id).await?,
                surveys::texts_for_review(tx, id, true).await?,
            ))
        })
        .await?;
    let texts = (waiting.into_iter())
        .map(|t: TextForReview| {
            let question = (questions.iter())
                .find(|q| q.position == t.position)
                .map_or_else(String::new, |q| q.text.clone());
            (
                t.response.to_string(),
                t.position,
                question,
                t.text,
                tr.day(t.answered_on),
            )
        })
        .collect();
    let notice = (done.done == "reviewed").then(|| tr.t("staff-survey-done-reviewed"));
    staff.render(&TextsPage {
        tr,
        chrome: &staff.chrome,
        id: id.to_string(),
        title: survey.title,
        texts,
        notice,
    })
}

/// A review: the text's response and question, and `approve` or `reject`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Review {
    response: String,
    position: i32,
    decision: String,
}

/// `POST /staff/surveys/{id}/texts`.
pub async fn review(
    staff: Staff,
    Path(id): Path<String>,
    CsrfForm(review): CsrfForm<Review>,
) -> Result<Response, PageError> {
    staff.require(Permission::Moderate)?;
    let id = survey_id(&id)?;
    let response: uuid::Uuid = review.response.parse().map_err(|_| PageError::NotFound)?;
    let approve = match review.decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => return Err(PageError::NotFound),
    };
    let actor = staff.actor();
    staff
        .tx(async |tx| {
            Ok::<_, PageError>(
                surveys::review_text(tx, &actor, id, (response, review.position), approve).await?,
            )
        })
        .await?;
    Ok(Redirect::to(&format!("/staff/surveys/{id}/texts?done=reviewed")).into_response())
}
