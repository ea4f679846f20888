//! Quick polls: one question on the council's home page or a process's
//! page. People with an account vote there in one click; the results show
//! on the poll's page to those who voted, and to everyone once it closed.
//! Staff create and close them on `/staff/polls`.

pub mod api;
mod staff;

use crate::http::council::Council;
use crate::http::error::PageError;
use crate::http::extract::{Citizen, CsrfForm};
use crate::http::state::AppState;
use crate::ui::charts::{self, Bar};
use crate::ui::chrome::Chrome;
use crate::ui::i18n::Tr;
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use cabildo_engine::polls::{self, Poll};
use cabildo_engine::{Error as EngineError, PollId, ProcessId};
use serde::Deserialize;

/// The poll pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/polls/{id}", get(show))
        .route("/polls/{id}/vote", post(vote))
        .route("/staff/polls", get(staff::list).post(staff::create))
        .route("/staff/polls/{id}/close", post(staff::close))
}

/// A poll as the home page or a process's page shows it.
pub struct PollCard {
    pub(crate) href: String,
    pub(crate) question: String,
    /// (value, label).
    pub(crate) options: Vec<(String, String)>,
    /// The visitor may vote here now.
    pub(crate) form: bool,
    /// "You voted «Sí»." / "Closed."
    pub(crate) state: Option<String>,
    /// Where to go instead: log in, or see the results (address, words).
    pub(crate) next: Option<(String, String)>,
    /// The poll's id, for field ids.
    pub(crate) key: String,
}

/// The polls shown on the home page (`None`) or in `process`, for the
/// visitor.
pub async fn cards(
    council: &Council,
    process: Option<ProcessId>,
) -> Result<Vec<PollCard>, PageError> {
    let user = council.user();
    // The polls are the same for everyone: kept in the read cache, so the
    // home page costs no transaction for a visitor without an account.
    let key = format!(
        "polls:{}",
        process.map_or_else(|| "home".to_owned(), |p| p.to_string())
    );
    let polls = council
        .cached(key, async |tx| {
            Ok::<_, PageError>(polls::shown(tx, process).await?)
        })
        .await?;
    let mut shown = Vec::with_capacity(polls.len());
    match user {
        Some(user) if !polls.is_empty() => {
            let mine = council
                .tx(async |tx| {
                    let mut mine = Vec::new();
                    for poll in polls.iter() {
                        mine.push(polls::vote_of(tx, poll.id, user).await?);
                    }
                    Ok::<_, PageError>(mine)
                })
                .await?;
            shown.extend(polls.iter().cloned().zip(mine));
        }
        _ => shown.extend(polls.iter().cloned().map(|p| (p, None))),
    }
    let tr = &council.tr;
    Ok(shown
        .iter()
        .map(|(poll, mine)| card(tr, poll, *mine, user.is_some()))
        .collect())
}

/// A poll as shown to a visitor who voted `mine` (and is logged in or not).
fn card(tr: &Tr, poll: &Poll, mine: Option<i32>, logged_in: bool) -> PollCard {
    let label = |o: i32| {
        usize::try_from(o)
            .ok()
            .and_then(|o| poll.options.get(o))
            .cloned()
    };
    let href = format!("/polls/{}", poll.id);
    let results = Some((href.clone(), tr.t("poll-see-results")));
    let login = Some(("/account/login".to_owned(), tr.t("poll-log-in")));
    let (form, state, next) = match (poll.open, mine, logged_in) {
        (_, Some(o), _) => (
            false,
            Some(tr.with("poll-you-voted", "option", &label(o).unwrap_or_default())),
            results,
        ),
        (true, None, true) => (true, None, None),
        (true, None, false) => (false, Some(tr.t("poll-results-after")), login),
        (false, None, _) => (false, Some(tr.t("poll-closed")), results),
    };
    PollCard {
        key: poll.id.to_string(),
        href,
        question: poll.question.clone(),
        options: (0..)
            .zip(&poll.options)
            .map(|(i, o): (i32, &String)| (i.to_string(), o.clone()))
            .collect(),
        form,
        state,
        next,
    }
}

#[derive(Template)]
#[template(path = "poll.html")]
struct PollPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    card: PollCard,
    back: String,
    /// The results (voted, or closed).
    chart: Option<String>,
    total: String,
    error: Option<String>,
}

async fn page(
    council: &Council,
    id: &str,
    error: Option<(axum::http::StatusCode, String)>,
) -> Result<Response, PageError> {
    let id: PollId = id.parse().map_err(|_| PageError::NotFound)?;
    let user = council.user();
    let (poll, mine, counts, slug): (Poll, _, _, _) = council
        .tx(async |tx| {
            let poll = polls::find(tx, id).await?.ok_or(PageError::NotFound)?;
            let mine = match user {
                Some(user) => polls::vote_of(tx, id, user).await?,
                None => None,
            };
            let counts = polls::counts(tx, &poll).await?;
            let slug = match poll.process_id {
                Some(process) => cabildo_engine::processes::slug_of(tx, process).await?,
                None => None,
            };
            Ok::<_, PageError>((poll, mine, counts, slug))
        })
        .await?;
    let tr = &council.tr;
    let total: i64 = counts.iter().sum();
    let chart = (mine.is_some() || !poll.open).then(|| {
        let bars: Vec<Bar> = (poll.options.iter().zip(&counts))
            .map(|(label, n)| Bar {
                label: label.clone(),
                value: *n,
                text: format!(
                    "{} ({} %)",
                    tr.number(*n),
                    if total == 0 { 0 } else { n * 100 / total }
                ),
            })
            .collect();
        charts::bars(&poll.question, &bars)
    });
    let card = card(tr, &poll, mine, user.is_some());
    let (status, error) = match error {
        Some((status, message)) => (status, Some(message)),
        None => (axum::http::StatusCode::OK, None),
    };
    let mut response = council.render_status(
        status,
        &PollPage {
            tr,
            chrome: &council.chrome,
            card,
            back: slug.map_or_else(|| "/".to_owned(), |s| format!("/processes/{s}")),
            chart,
            total: tr.count("poll-votes", total),
            error,
        },
    )?;
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}

/// `GET /polls/{id}`: the poll, with its results for those who voted and
/// once it closed.
pub async fn show(council: Council, Path(id): Path<String>) -> Result<Response, PageError> {
    page(&council, &id, None).await
}

/// The vote form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VoteForm {
    option: String,
}

/// `POST /polls/{id}/vote`.
pub async fn vote(
    citizen: Citizen,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<VoteForm>,
) -> Result<Response, PageError> {
    let poll: PollId = id.parse().map_err(|_| PageError::NotFound)?;
    let user = citizen.user();
    let option: i32 = form.option.trim().parse().unwrap_or(-1);
    let voted = citizen
        .tx(async |tx| {
            Ok::<_, PageError>(EngineError::split(
                polls::vote(tx, poll, user, option).await,
            )?)
        })
        .await;
    match voted {
        Ok(Ok(())) => Ok(Redirect::to(&format!("/polls/{poll}")).into_response()),
        Ok(Err(refusal)) => {
            let status = crate::http::error::refusal_status(refusal);
            page(&citizen, &id, Some((status, citizen.tr.t(refusal.key())))).await
        }
        Err(PageError::Invalid(_)) => {
            let status = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            page(
                &citizen,
                &id,
                Some((status, citizen.tr.t("poll-choose-one"))),
            )
            .await
        }
        Err(error) => Err(error),
    }
}
