//! Consultations as staff run them: created in a process (questions typed
//! as plain text), opened (the electorate frozen), votes recorded at a
//! polling station or an assisted desk by document number, paper totals
//! entered after voting, and the close. Every rule is the engine's; every
//! action lands in the audit log there.

use crate::http::error::PageError;
use crate::http::extract::needs::ManageProcesses;
use crate::http::extract::{CsrfForm, Granted};
use crate::ui::chrome::Chrome;
use crate::ui::i18n::Tr;
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cabildo_engine::consultations::board::Choices;
use cabildo_engine::consultations::{
    self, Consultation, NewConsultation, NewQuestion, Question, Status,
};
use cabildo_engine::{ConsultationId, Error as EngineError, ProcessId};
use serde::Deserialize;

/// A consultation in the staff list.
struct Line {
    id: String,
    title: String,
    status: String,
}

#[derive(Template)]
#[template(path = "staff_consultations.html")]
struct ListPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    process: String,
    lines: Vec<Line>,
    form: CreateForm,
    districts: Vec<(String, String)>,
    error: Option<String>,
}

/// The create form, as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CreateForm {
    title: String,
    description: String,
    opens: String,
    closes: String,
    min_age: String,
    district: String,
    revoting: String,
    questions: String,
}

/// Questions typed as text: blocks separated by a blank line, the first
/// line the question (ending in `[N]` when up to N options may be
/// chosen), each further line an option.
fn questions(text: &str) -> Vec<NewQuestion> {
    text.replace('\r', "")
        .split("\n\n")
        .filter(|block| !block.trim().is_empty())
        .map(|block| {
            let mut lines = block.lines().map(str::trim).filter(|l| !l.is_empty());
            let first = lines.next().unwrap_or_default();
            let (text, max_choices) = match first.rsplit_once('[') {
                Some((text, rest)) => match rest.trim_end_matches(']').trim().parse() {
                    Ok(n) => (text.trim(), n),
                    Err(_) => (first, 1),
                },
                None => (first, 1),
            };
            NewQuestion {
                text: text.to_owned(),
                max_choices,
                options: lines
                    .map(|l| l.trim_start_matches(['-', '*']).trim().to_owned())
                    .collect(),
            }
        })
        .collect()
}

async fn list_page(
    staff: &Granted<ManageProcesses>,
    process: ProcessId,
    form: CreateForm,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let tr = &staff.tr;
    let all = staff
        .tx(async |tx| Ok::<_, PageError>(consultations::list_of_process(tx, process).await?))
        .await?;
    let lines = (all.iter())
        .map(|c| Line {
            id: c.id.to_string(),
            title: c.title.clone(),
            status: tr.t(&format!("staff-consultation-status-{}", c.status)),
        })
        .collect();
    let page = ListPage {
        tr,
        chrome: &staff.chrome,
        process: process.to_string(),
        lines,
        form,
        districts: staff.districts(),
        error,
    };
    staff.render_status(status, &page)
}

/// `GET /staff/processes/{id}/consultations`.
pub async fn list(
    staff: Granted<ManageProcesses>,
    Path(process): Path<String>,
) -> Result<Response, PageError> {
    let process: ProcessId = process.parse().map_err(|_| PageError::NotFound)?;
    let form = CreateForm {
        min_age: "16".into(),
        ..CreateForm::default()
    };
    list_page(&staff, process, form, None, StatusCode::OK).await
}

/// `POST /staff/processes/{id}/consultations`: creates a draft.
pub async fn create(
    staff: Granted<ManageProcesses>,
    Path(process): Path<String>,
    CsrfForm(form): CsrfForm<CreateForm>,
) -> Result<Response, PageError> {
    let process: ProcessId = process.parse().map_err(|_| PageError::NotFound)?;
    let tr = &staff.tr;
    let zone = tr.zone();
    let date = cabildo_engine::census::import::parse_day;
    let (Some(opens), Some(closes), Ok(min_age)) = (
        date(&form.opens),
        date(&form.closes),
        form.min_age.trim().parse::<i32>(),
    ) else {
        let error = Some(tr.t("staff-consultation-error-dates"));
        return list_page(
            &staff,
            process,
            form,
            error,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let new = NewConsultation {
        title: form.title.clone(),
        description: form.description.clone(),
        district_code: Some(form.district.trim().to_owned()).filter(|d| !d.is_empty()),
        min_age,
        revoting: form.revoting == "on",
        opens_at: zone.start_of(opens),
        closes_at: zone.end_of(closes),
        questions: questions(&form.questions),
    };
    let actor = staff.actor();
    let created = staff
        .tx(async |tx| {
            Ok::<_, PageError>(EngineError::split(
                consultations::create(tx, &actor, process, &new).await,
            )?)
        })
        .await;
    match created {
        Ok(Ok(id)) => Ok(Redirect::to(&format!("/staff/consultations/{id}")).into_response()),
        Ok(Err(refusal)) => {
            let error = Some(tr.t(refusal.key()));
            list_page(&staff, process, form, error, StatusCode::NOT_FOUND).await
        }
        Err(PageError::Invalid(errors)) => {
            let error = errors.first().map(|e| {
                format!(
                    "{}: {}",
                    tr.t(&format!("staff-consultation-field-{}", e.field.name())),
                    tr.t(e.problem.key())
                )
            });
            list_page(
                &staff,
                process,
                form,
                error,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => Err(error),
    }
}

#[derive(Template)]
#[template(path = "staff_consultation.html")]
struct ShowPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    id: String,
    title: String,
    process: String,
    status: String,
    window: String,
    electorate: String,
    voted: String,
    draft: bool,
    voting: bool,
    /// Voting is over and it is not closed: paper totals and the close.
    counting: bool,
    questions: Vec<Question>,
    notice: Option<String>,
    error: Option<String>,
    receipt: Option<String>,
}

/// `?done=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Done {
    done: String,
}

async fn show_page(
    staff: &Granted<ManageProcesses>,
    id: ConsultationId,
    (notice, error, receipt): (Option<String>, Option<String>, Option<String>),
    status: StatusCode,
) -> Result<Response, PageError> {
    let tr = &staff.tr;
    let (consultation, questions, (electorate, voted)) = staff
        .tx(async |tx| {
            let c = consultations::get(tx, id).await?;
            Ok::<_, PageError>((
                c,
                consultations::questions(tx, id).await?,
                consultations::counts(tx, id).await?,
            ))
        })
        .await?;
    let now = time::OffsetDateTime::now_utc();
    let c: &Consultation = &consultation;
    let page = ShowPage {
        tr,
        chrome: &staff.chrome,
        id: id.to_string(),
        title: c.title.clone(),
        process: c.process_id.to_string(),
        status: tr.t(&format!("staff-consultation-status-{}", c.status)),
        window: tr.args(
            "consultation-window",
            &[
                ("opens", tr.date_time(c.opens_at)),
                ("closes", tr.date_time(c.closes_at)),
            ],
        ),
        electorate: tr.number(electorate),
        voted: tr.number(voted),
        draft: c.status == Status::Draft,
        voting: c.status == Status::Open && now >= c.opens_at && now < c.closes_at,
        counting: c.status == Status::Open && now >= c.closes_at,
        questions,
        notice,
        error,
        receipt,
    };
    staff.render_status(status, &page)
}

fn consultation_id(text: &str) -> Result<ConsultationId, PageError> {
    text.parse().map_err(|_| PageError::NotFound)
}

/// `GET /staff/consultations/{id}`.
pub async fn show(
    staff: Granted<ManageProcesses>,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let id = consultation_id(&id)?;
    let notice = ["opened", "closed", "paper", "station"]
        .contains(&done.done.as_str())
        .then(|| {
            staff
                .tr
                .t(&format!("staff-consultation-done-{}", done.done))
        });
    show_page(&staff, id, (notice, None, None), StatusCode::OK).await
}

/// What an action came to: `done` with its value, or the page again with
/// its refusal or the first field problem.
async fn outcome<T>(
    staff: &Granted<ManageProcesses>,
    id: ConsultationId,
    result: Result<Result<T, cabildo_engine::Refusal>, PageError>,
    done: impl AsyncFnOnce(T) -> Result<Response, PageError>,
    invalid: impl FnOnce(&cabildo_engine::FieldError) -> String,
) -> Result<Response, PageError> {
    match result {
        Ok(Ok(value)) => done(value).await,
        Ok(Err(refusal)) => {
            let error = Some(staff.tr.t(refusal.key()));
            let status = crate::http::error::refusal_status(refusal);
            show_page(staff, id, (None, error, None), status).await
        }
        Err(PageError::Invalid(errors)) => {
            let error = errors.first().map(invalid);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            show_page(staff, id, (None, error, None), status).await
        }
        Err(error) => Err(error),
    }
}

/// Runs a staff action, back to the page with its notice or its refusal.
async fn act<T>(
    staff: &Granted<ManageProcesses>,
    id: ConsultationId,
    done: &str,
    work: impl AsyncFnOnce(&mut cabildo_tenancy::TenantTx) -> cabildo_engine::Result<T>,
) -> Result<Response, PageError> {
    // A change: the cached board head goes with it.
    let result = staff
        .change(async |tx| Ok::<_, PageError>(EngineError::split(work(tx).await)?))
        .await;
    let back = format!("/staff/consultations/{id}?done={done}");
    outcome(
        staff,
        id,
        result,
        async |_| Ok(Redirect::to(&back).into_response()),
        |e| staff.tr.t(e.problem.key()),
    )
    .await
}

/// `POST /staff/consultations/{id}/open`.
pub async fn open(
    staff: Granted<ManageProcesses>,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = consultation_id(&id)?;
    let actor = staff.actor();
    act(&staff, id, "opened", async |tx| {
        consultations::open(tx, &actor, id).await
    })
    .await
}

/// `POST /staff/consultations/{id}/close`.
pub async fn close(
    staff: Granted<ManageProcesses>,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = consultation_id(&id)?;
    let actor = staff.actor();
    act(&staff, id, "closed", async |tx| {
        consultations::close(tx, &actor, id).await
    })
    .await
}

/// The choices in `q-{question}` fields.
fn chosen(fields: &[(String, String)], questions: &[Question]) -> Choices {
    let mut chosen: Choices = questions.iter().map(|q| (q.id.0, Vec::new())).collect();
    for (name, value) in fields {
        if let (Some(Ok(question)), Ok(option)) = (
            name.strip_prefix("q-").map(str::parse::<uuid::Uuid>),
            value.parse::<uuid::Uuid>(),
        ) && let Some(options) = chosen.get_mut(&question)
        {
            options.push(option);
        }
    }
    chosen
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    (fields.iter())
        .find(|(n, _)| n == name)
        .map_or("", |(_, v)| v.as_str())
}

/// `POST /staff/consultations/{id}/station`: `document`, and `mode` =
/// `station` (votes on paper here) or `assisted` (with the ballot's
/// `q-*` fields, entered for the person; their receipt is shown).
pub async fn station(
    staff: Granted<ManageProcesses>,
    Path(id): Path<String>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = consultation_id(&id)?;
    let actor = staff.actor();
    let key = cabildo_engine::census::key(&staff.state.secret, staff.tenant.id);
    let document = field(&fields, "document").to_owned();
    let assisted = field(&fields, "mode") == "assisted";
    let questions = staff
        .tx(async |tx| Ok::<_, PageError>(consultations::questions(tx, id).await?))
        .await?;
    let choices = assisted.then(|| chosen(&fields, &questions));
    let result = staff
        .tx(async |tx| {
            Ok::<_, PageError>(EngineError::split(
                consultations::mark_at_station(tx, &actor, &key, id, &document, choices.as_ref())
                    .await,
            )?)
        })
        .await;
    let tr = &staff.tr;
    let invalid = |e: &cabildo_engine::FieldError| {
        tr.t(match e.field {
            cabildo_engine::Field::Choices => "staff-consultation-error-choices",
            _ => "staff-consultation-error-document",
        })
    };
    let recorded = async |cast: Option<consultations::Cast>| match cast {
        Some(cast) => {
            let notice = Some(tr.t("staff-consultation-done-assisted"));
            show_page(
                &staff,
                id,
                (notice, None, Some(cast.receipt)),
                StatusCode::OK,
            )
            .await
        }
        None => {
            Ok(Redirect::to(&format!("/staff/consultations/{id}?done=station")).into_response())
        }
    };
    outcome(&staff, id, result, recorded, invalid).await
}

/// `POST /staff/consultations/{id}/paper`: `station`, and per question
/// `n-{option}` counts and `b-{question}` blank ballots.
pub async fn paper(
    staff: Granted<ManageProcesses>,
    Path(id): Path<String>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = consultation_id(&id)?;
    let questions = staff
        .tx(async |tx| Ok::<_, PageError>(consultations::questions(tx, id).await?))
        .await?;
    let count = |name: String| -> Option<i32> {
        let text = field(&fields, &name).trim();
        if text.is_empty() {
            Some(0)
        } else {
            text.parse().ok().filter(|n| *n >= 0)
        }
    };
    // Every option's count and each question's blank ballots; one field
    // that is not a count refuses the whole station.
    let wanted = questions.iter().flat_map(|q| {
        (q.options.iter())
            .map(|(option, _)| (q.id, Some(*option), format!("n-{option}")))
            .chain(std::iter::once((q.id, None, format!("b-{}", q.id))))
    });
    let Some(totals) = wanted
        .map(|(question, option, name)| Some((question, option, count(name)?)))
        .collect::<Option<Vec<_>>>()
    else {
        let error = Some(staff.tr.t("staff-consultation-error-count"));
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return show_page(&staff, id, (None, error, None), status).await;
    };
    let station = field(&fields, "station").to_owned();
    let actor = staff.actor();
    act(&staff, id, "paper", async |tx| {
        consultations::record_paper(tx, &actor, id, &station, &totals).await
    })
    .await
}
