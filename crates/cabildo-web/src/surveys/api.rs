//! Surveys in the JSON API: the same engine calls and rules as the pages.
//! Answering needs an account (a session or a personal token), even for
//! surveys anyone answers on the site.

use super::results::{ResponsesFile, file};
use crate::http::api::{ActErrors, ApiRoutes, ReadErrors};
use crate::http::council::ApiCouncil;
use crate::http::error::ApiError;
use crate::http::extract::{ApiCitizen, ApiJson, Id};
use axum::Json;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use cabildo_engine::processes;
use cabildo_engine::surveys::{self, Answers, Question, Respondent, Standing, Survey, Tally};
use cabildo_engine::{Error as EngineError, Field, FieldError, SurveyId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;
use uuid::Uuid;

/// The survey routes of the API.
pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .add(routes!(list))
        .add(routes!(show))
        .add(routes!(respond))
        .add(routes!(results))
        .add(routes!(responses))
}

/// A survey.
#[derive(Serialize, ToSchema)]
pub struct SurveyView {
    id: Uuid,
    process_id: Uuid,
    title: String,
    /// Markdown.
    description: String,
    /// `anyone`, `registered`, `verified` or `district`.
    audience: &'static str,
    /// Responses are not linked to the person.
    anonymous: bool,
    /// A person may change their response while it runs.
    editable: bool,
    /// A survey phase of its process is open now.
    open: bool,
    /// Its results (and responses) may be read now.
    results_public: bool,
    /// Its questions (in single surveys).
    #[serde(skip_serializing_if = "Option::is_none")]
    questions: Option<Vec<QuestionView>>,
    /// For a logged-in caller: `may_answer`, `answered`, `may_edit`, or
    /// the code of why not (`phase_closed`, `not_verified` …).
    #[serde(skip_serializing_if = "Option::is_none")]
    standing: Option<String>,
}

/// A question.
#[derive(Serialize, ToSchema)]
pub struct QuestionView {
    /// Its place, from 0: the key of its answer.
    position: i32,
    /// `single`, `multiple`, `ranking`, `scale`, `short_text`, `long_text`
    /// or `matrix`.
    kind: &'static str,
    text: String,
    /// An answer is needed when it is shown.
    required: bool,
    /// Choices, items to rank or a matrix's columns (answers give places).
    options: Vec<String>,
    /// A matrix's rows.
    rows: Vec<String>,
    /// Multiple choice: fewest and most ticks.
    min_choices: i32,
    max_choices: i32,
    /// Scale: 1 to this.
    scale_max: i32,
    /// Shown only when the answer to this earlier question (its place) …
    shown_if_question: Option<i32>,
    /// … includes one of these options.
    shown_if_options: Vec<i32>,
}

impl From<Question> for QuestionView {
    fn from(q: Question) -> Self {
        Self {
            position: q.position,
            kind: q.kind.as_str(),
            text: q.text,
            required: q.required,
            options: q.options,
            rows: q.rows,
            min_choices: q.min_choices,
            max_choices: q.max_choices,
            scale_max: q.scale_max,
            shown_if_question: q.shown_if_question,
            shown_if_options: q.shown_if_options,
        }
    }
}

async fn view(
    tx: &mut cabildo_tenancy::TenantTx,
    survey: Survey,
    questions: Option<Vec<Question>>,
    caller: Option<Respondent>,
) -> Result<SurveyView, EngineError> {
    let open = surveys::running(tx, &survey).await?;
    let results_public = surveys::results_public(tx, &survey).await?;
    let standing = match caller {
        Some(who) => Some(match surveys::standing(tx, &survey, Some(who)).await? {
            Standing::MayAnswer => "may_answer".to_owned(),
            Standing::Answered { may_edit: true } => "may_edit".to_owned(),
            Standing::Answered { may_edit: false } => "answered".to_owned(),
            Standing::MayNot(refusal) => refusal.code().to_owned(),
        }),
        None => None,
    };
    Ok(SurveyView {
        id: survey.id.into(),
        process_id: survey.process_id.into(),
        title: survey.title,
        description: survey.description,
        audience: survey.audience.as_str(),
        anonymous: survey.anonymous,
        editable: survey.editable,
        open,
        results_public,
        questions: questions.map(|q| q.into_iter().map(QuestionView::from).collect()),
        standing,
    })
}

/// The published surveys of a published process.
#[utoipa::path(get, path = "/processes/{slug}/surveys", tag = "surveys",
    params(("slug" = String, Path, description = "The process's address part.")),
    responses((status = 200, body = Vec<SurveyView>), ReadErrors))]
async fn list(council: ApiCouncil, Id(slug): Id<String>) -> Result<impl IntoResponse, ApiError> {
    let views = council
        .tx(async |tx| {
            let (process, ..) = processes::published_by_slug(tx, &slug)
                .await?
                .ok_or(ApiError::NotFound)?;
            let mut views = Vec::new();
            for survey in surveys::list_of_process(tx, process.id).await? {
                if survey.published_at.is_some() {
                    views.push(view(tx, survey, None, None).await?);
                }
            }
            Ok::<_, ApiError>(views)
        })
        .await?;
    Ok(Json(views))
}

/// A published survey of a published process (drafts are not found).
async fn published(tx: &mut cabildo_tenancy::TenantTx, id: SurveyId) -> Result<Survey, ApiError> {
    surveys::find_public(tx, id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// A survey with its questions, and for a logged-in caller what they may
/// do.
#[utoipa::path(get, path = "/surveys/{id}", tag = "surveys",
    params(("id" = Uuid, Path, description = "The survey's id.")),
    responses((status = 200, body = SurveyView), ReadErrors))]
async fn show(council: ApiCouncil, Id(id): Id<SurveyId>) -> Result<impl IntoResponse, ApiError> {
    let caller = council.user().map(Respondent::Person);
    let survey = council
        .tx(async |tx| {
            let survey = published(tx, id).await?;
            let questions = surveys::questions(tx, id).await?;
            Ok::<_, ApiError>(view(tx, survey, Some(questions), caller).await?)
        })
        .await?;
    Ok(Json(survey))
}

/// A response.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ResponseBody {
    /// By question place: `{"0": {"choice": 1}, "1": {"choices": [0, 2]},
    /// "2": {"order": [2, 0, 1]}, "3": {"value": 4}, "4": {"text": "…"},
    /// "5": {"rows": [0, null, 2]}}`. Answers to questions the response
    /// does not show are dropped.
    #[schema(value_type = Object)]
    answers: Answers,
}

/// Whether the response was a first one.
#[derive(Serialize, ToSchema)]
pub struct RespondedView {
    /// `answered` (a first response) or `changed`.
    status: &'static str,
}

/// Answers a survey (once; again only where the survey lets answers
/// change): 201 for a first response, 200 for a changed one. Wrong answers
/// are `422` with one `answers` field per fault.
#[utoipa::path(post, path = "/surveys/{id}/responses", tag = "surveys",
    params(("id" = Uuid, Path, description = "The survey's id.")),
    request_body = ResponseBody,
    responses(
        (status = 201, description = "Answered.", body = RespondedView),
        (status = 200, description = "The response changed.", body = RespondedView),
        ActErrors))]
async fn respond(
    citizen: ApiCitizen,
    Id(id): Id<SurveyId>,
    ApiJson(body): ApiJson<ResponseBody>,
) -> Result<impl IntoResponse, ApiError> {
    let who = Respondent::Person(citizen.user());
    let first = citizen
        .change(async |tx| {
            published(tx, id).await?;
            let questions = surveys::questions(tx, id).await?;
            let checked = surveys::check(id, &questions, body.answers).map_err(|faults| {
                let fields = faults
                    .iter()
                    .map(|f| FieldError::new(Field::Answers, f.problem));
                ApiError::Invalid(fields.collect())
            })?;
            Ok::<_, ApiError>(surveys::respond(tx, who, &checked).await?)
        })
        .await?;
    Ok(match first {
        true => (
            StatusCode::CREATED,
            Json(RespondedView { status: "answered" }),
        ),
        false => (StatusCode::OK, Json(RespondedView { status: "changed" })),
    })
}

/// A question's figures.
#[derive(Serialize, ToSchema)]
pub struct QuestionResultView {
    position: i32,
    kind: &'static str,
    text: String,
    /// Responses that answered it.
    answered: i64,
    /// Choices: responses per option. Scale: responses per value from 1.
    /// Ranking: points per item. Matrix: empty (see `matrix`).
    counts: Vec<i64>,
    /// Ranking: first places per item.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    first_places: Vec<i64>,
    /// Matrix: per row, responses per column.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    matrix: Vec<Vec<i64>>,
    /// Free text: the published texts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    texts: Vec<String>,
    /// Free text: answers not published (waiting or rejected).
    #[serde(skip_serializing_if = "Option::is_none")]
    unpublished: Option<i64>,
}

/// A survey's results.
#[derive(Serialize, ToSchema)]
pub struct ResultsView {
    responses: i64,
    questions: Vec<QuestionResultView>,
}

/// The results, when they are public.
#[utoipa::path(get, path = "/surveys/{id}/results", tag = "surveys",
    params(("id" = Uuid, Path, description = "The survey's id.")),
    responses((status = 200, body = ResultsView), ReadErrors))]
async fn results(council: ApiCouncil, Id(id): Id<SurveyId>) -> Result<impl IntoResponse, ApiError> {
    let results = council
        .tx(async |tx| {
            let survey = published(tx, id).await?;
            if !surveys::results_public(tx, &survey).await? {
                return Err(ApiError::NotFound);
            }
            Ok::<_, ApiError>(surveys::results(tx, id).await?)
        })
        .await?;
    let questions = (results.questions.into_iter())
        .map(|r| {
            let mut view = QuestionResultView {
                position: r.question.position,
                kind: r.question.kind.as_str(),
                text: r.question.text,
                answered: r.answered,
                counts: Vec::new(),
                first_places: Vec::new(),
                matrix: Vec::new(),
                texts: Vec::new(),
                unpublished: None,
            };
            match r.tally {
                Tally::Choices(counts) | Tally::Scale(counts) => view.counts = counts,
                Tally::Ranking { points, first } => {
                    (view.counts, view.first_places) = (points, first)
                }
                Tally::Matrix(rows) => view.matrix = rows,
                Tally::Texts {
                    published,
                    unpublished,
                } => {
                    (view.texts, view.unpublished) = (published, Some(unpublished));
                }
            }
            view
        })
        .collect();
    Ok(Json(ResultsView {
        responses: results.responses,
        questions,
    }))
}

/// Every response as open data (no person; free texts once approved),
/// when the results are public.
#[utoipa::path(get, path = "/surveys/{id}/responses", tag = "surveys",
    params(("id" = Uuid, Path, description = "The survey's id.")),
    responses((status = 200, body = ResponsesFile), ReadErrors))]
async fn responses(
    council: ApiCouncil,
    Id(id): Id<SurveyId>,
) -> Result<impl IntoResponse, ApiError> {
    let (questions, responses) = council
        .tx(async |tx| {
            let survey = published(tx, id).await?;
            if !surveys::results_public(tx, &survey).await? {
                return Err(ApiError::NotFound);
            }
            Ok::<_, ApiError>((
                surveys::questions(tx, id).await?,
                surveys::responses(tx, id, false).await?,
            ))
        })
        .await?;
    Ok(Json(file(&questions, &responses)))
}
