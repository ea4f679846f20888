//! Quick polls as staff run them: every poll with its votes, a form to
//! create one (on the home page or in a process) and a button to close it.

use crate::http::error::PageError;
use crate::http::extract::needs::ManageProcesses;
use crate::http::extract::{CsrfForm, Granted};
use crate::ui::chrome::Chrome;
use crate::ui::i18n::Tr;
use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cabildo_engine::polls::{self, NewPoll};
use cabildo_engine::{PollId, ProcessId};
use serde::Deserialize;

/// A poll in the staff list.
struct Line {
    id: String,
    question: String,
    /// Home page or the process's title.
    place: String,
    window: String,
    votes: String,
    open: bool,
}

/// The create form, as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PollForm {
    question: String,
    options: String,
    process: String,
    opens: String,
    closes: String,
}

#[derive(Template)]
#[template(path = "staff_polls.html")]
struct ListPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    lines: Vec<Line>,
    form: PollForm,
    /// (id, title).
    processes: Vec<(String, String)>,
    error: Option<String>,
}

async fn list_page(
    staff: &Granted<ManageProcesses>,
    form: PollForm,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let tr = &staff.tr;
    let (all, processes) = staff
        .tx(async |tx| {
            let all = polls::all(tx).await?;
            let mut counted = Vec::new();
            for poll in all {
                let votes: i64 = polls::counts(tx, &poll).await?.iter().sum();
                counted.push((poll, votes));
            }
            Ok::<_, PageError>((counted, cabildo_engine::processes::all(tx).await?))
        })
        .await?;
    let titles: Vec<(String, String)> = (processes.iter())
        .map(|p| (p.id.to_string(), p.title.clone()))
        .collect();
    let lines = (all.into_iter())
        .map(|(p, votes)| Line {
            id: p.id.to_string(),
            place: match p.process_id {
                None => tr.t("staff-poll-home"),
                Some(id) => (titles.iter())
                    .find(|(t, _)| *t == id.to_string())
                    .map_or_else(String::new, |(_, title)| title.clone()),
            },
            question: p.question,
            window: tr.args(
                "staff-poll-window",
                &[
                    ("opens", tr.date_time(p.opens_at)),
                    ("closes", tr.date_time(p.closes_at)),
                ],
            ),
            votes: tr.count("poll-votes", votes),
            open: p.open,
        })
        .collect();
    let page = ListPage {
        tr,
        chrome: &staff.chrome,
        lines,
        form,
        processes: titles,
        error,
    };
    staff.render_status(status, &page)
}

/// `GET /staff/polls`.
pub async fn list(staff: Granted<ManageProcesses>) -> Result<Response, PageError> {
    list_page(&staff, PollForm::default(), None, StatusCode::OK).await
}

/// `POST /staff/polls`: creates a poll.
pub async fn create(
    staff: Granted<ManageProcesses>,
    CsrfForm(form): CsrfForm<PollForm>,
) -> Result<Response, PageError> {
    let tr = &staff.tr;
    let zone = tr.zone();
    let date = cabildo_engine::census::import::parse_day;
    let process: Option<ProcessId> = match form.process.trim() {
        "" => None,
        id => Some(id.parse().map_err(|_| PageError::NotFound)?),
    };
    let (Some(opens), Some(closes)) = (date(&form.opens), date(&form.closes)) else {
        let error = Some(tr.t("staff-poll-error-dates"));
        return list_page(&staff, form, error, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let new = NewPoll {
        process_id: process,
        question: form.question.clone(),
        options: form.options.lines().map(str::to_owned).collect(),
        opens_at: zone.start_of(opens),
        closes_at: zone.end_of(closes),
    };
    let actor = staff.actor();
    // A change: the cached polls of the home and process pages go with it.
    let created = staff
        .attempt("staff-poll", async |tx| {
            polls::create(tx, &actor, &new).await
        })
        .await?;
    let error = match created {
        Ok(_) => return Ok(Redirect::to("/staff/polls").into_response()),
        Err(error) => error,
    };
    list_page(&staff, form, Some(error), StatusCode::UNPROCESSABLE_ENTITY).await
}

/// `POST /staff/polls/{id}/close`.
pub async fn close(
    staff: Granted<ManageProcesses>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: PollId = id.parse().map_err(|_| PageError::NotFound)?;
    let actor = staff.actor();
    staff
        .change(async |tx| Ok::<_, PageError>(polls::close(tx, &actor, id).await?))
        .await?;
    Ok(Redirect::to("/staff/polls").into_response())
}
