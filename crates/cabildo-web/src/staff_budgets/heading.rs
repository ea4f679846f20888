//! The staff page of a budget heading: its projects with their review,
//! the ballot, paper votes one by one or from a count file, qualified
//! proposals to import, and execution updates of the winners.

use super::{
    DoneQuery, Need, allowed, cents_text, estimated_cost, may, needs_met, notice, parse_cents,
    staff_project,
};
use crate::AppState;
use crate::account_pages::{Chrome, Fields, fields_or_return, get, load};
use crate::budget_pages::money;
use crate::comment_pages::{form_action, refused_page};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::participation::{deliver, parse_id};
use crate::site::LanguageRequest;
use crate::ui::chrome::LanguageLink;
use askama::Template;
use axum::Extension;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use cabildo_engine::budgets::execution::{self, NewUpdate, Status};
use cabildo_engine::budgets::projects::{self, Feasibility, NewProject};
use cabildo_engine::budgets::setup::{self, Phase};
use cabildo_engine::content::Refusal;
use cabildo_tenancy::Site;
use uuid::Uuid;

/// A project as staff see it.
pub struct StaffProject {
    id: String,
    number: String,
    title: String,
    cost: String,
    feasibility: String,
    feasibility_label: String,
    explanation: String,
    official_cost: String,
    supports: i32,
    on_ballot: bool,
    paper_votes: i32,
    winner: bool,
    execution: String,
    progress: i16,
}

/// A qualified proposal staff may import.
pub struct ImportLine {
    id: String,
    title: String,
    supports: i32,
}

#[derive(Template)]
#[template(path = "staff_budget_heading.html")]
struct HeadingPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    languages: &'a [LanguageLink],
    id: String,
    process_id: String,
    budget_title: String,
    name: String,
    amount: String,
    phase: String,
    admin: bool,
    /// Before voting: projects go on and off the ballot.
    may_set_ballot: bool,
    /// Voting or counting: paper votes are entered.
    paper: bool,
    projects: Vec<StaffProject>,
    importable: Vec<ImportLine>,
    verdicts: Vec<(&'static str, String)>,
    statuses: Vec<(&'static str, String)>,
    notice: Option<String>,
}

/// The done codes of the heading page.
const HEADING_DONE: [&str; 7] = [
    "created",
    "imported",
    "reviewed",
    "ballot",
    "paper",
    "paper-file",
    "update",
];

/// `GET /staff/budget-headings/{id}`.
pub async fn heading(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    Query(query): Query<DoneQuery>,
    headers: HeaderMap,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let Some(heading) = parse_id(&raw) else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    let Some(user) = ctx.visitor.session.as_ref().map(|s| s.user) else {
        return Redirect::to("/account/login").into_response();
    };
    let loaded: Result<_, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        let met = needs_met(&mut tx, user).await?;
        if !met.contains(&Need::Reviewer) {
            return Ok(None);
        }
        let admin = met.contains(&Need::Admin);
        let Some(budget) = setup::of_heading(&mut tx, heading).await? else {
            return Err(WebError::NotFound);
        };
        let list = projects::of_heading(&mut tx, heading).await?;
        let importable = projects::importable(&mut tx, budget.id).await?;
        let winners = if budget.phase == Phase::Finished {
            execution::winners(&mut tx, heading)
                .await?
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        tx.commit().await?;
        Ok(Some((admin, budget, list, importable, winners)))
    }
    .await;
    let (admin, budget, list, importable, winners) = match loaded {
        Ok(Some(loaded)) => loaded,
        Ok(None) => return ctx.message(&state, StatusCode::FORBIDDEN, "staff-forbidden"),
        Err(error) => return error.into_page(&ctx.tr),
    };
    let tr = &ctx.tr;
    let Some(info) = budget.headings.iter().find(|h| h.id == heading) else {
        return WebError::NotFound.into_page(tr);
    };
    let page = HeadingPage {
        tr,
        chrome: &ctx.chrome,
        languages: &ctx.chrome.languages,
        id: heading.to_string(),
        process_id: budget.process.to_string(),
        budget_title: budget.title.clone(),
        name: info.name.clone(),
        amount: money(tr, info.amount_cents, &budget.currency),
        phase: tr.t(&format!("budget-phase-{}", budget.phase.as_str())),
        admin,
        may_set_ballot: matches!(
            budget.phase,
            Phase::Upcoming | Phase::Accepting | Phase::Reviewing | Phase::Selecting
        ),
        paper: matches!(budget.phase, Phase::Balloting | Phase::Tallying),
        projects: list
            .into_iter()
            .map(|p| StaffProject {
                id: p.id.to_string(),
                number: p.number.to_string(),
                cost: money(tr, p.cost_cents, &budget.currency),
                feasibility_label: tr.t(&format!(
                    "budget-feasibility-{}",
                    p.feasibility.replace('_', "-")
                )),
                feasibility: p.feasibility,
                explanation: p.feasibility_explanation,
                official_cost: cents_text(p.cost_cents),
                supports: p.supports_count,
                on_ballot: p.on_ballot,
                paper_votes: p.paper_votes,
                winner: winners.contains(&p.id),
                execution: p
                    .execution_status
                    .map(|s| tr.t(&format!("budget-execution-{}", s.replace('_', "-"))))
                    .unwrap_or_default(),
                progress: p.progress,
                title: p.title,
            })
            .collect(),
        importable: importable
            .into_iter()
            .map(|i| ImportLine {
                id: i.id.to_string(),
                title: i.title,
                supports: i.supports_count,
            })
            .collect(),
        verdicts: Feasibility::ALL
            .iter()
            .map(|f| {
                let name = f.as_str();
                (
                    name,
                    tr.t(&format!("budget-feasibility-{}", name.replace('_', "-"))),
                )
            })
            .collect(),
        statuses: Status::ALL
            .iter()
            .map(|s| {
                let name = s.as_str();
                (
                    name,
                    tr.t(&format!("budget-execution-{}", name.replace('_', "-"))),
                )
            })
            .collect(),
        notice: notice(tr, query.done, &HEADING_DONE),
    };
    match page.render() {
        Ok(html) => ctx.respond(&state, Html(html).into_response()),
        Err(error) => WebError::from(error).into_page(tr),
    }
}

/// Where a heading's staff page is, with a notice.
fn back(heading: Uuid, done: &str) -> String {
    format!("/staff/budget-headings/{heading}?done={done}")
}

/// `POST /staff/budget-headings/{id}/projects`: a project by the council.
pub async fn create_project(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let values = fields_or_return!(ctx, state, form);
    let Some(heading) = parse_id(&raw) else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    let cost = match estimated_cost(&values) {
        Ok(cost) => cost,
        Err(refusal) => return refused_page(&state, &ctx, refusal),
    };
    let new = NewProject {
        heading,
        title: get(&values, "title").into(),
        description: get(&values, "description").into(),
        location: get(&values, "location").into(),
        estimated_cost_cents: cost,
    };
    form_action!(state, ctx, |tx, user| {
        match allowed(&mut tx, user, Need::Admin).await? {
            Err(refusal) => Err(refusal),
            Ok(()) => projects::create(&mut tx, &ctx.actor(user), None, &new)
                .await?
                .map(|_| back(heading, "created")),
        }
    })
}

/// `POST /staff/budget-headings/{id}/import`: a qualified proposal
/// (`proposal`) becomes a project costing `cost`.
pub async fn import_proposal(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let values = fields_or_return!(ctx, state, form);
    let (Some(heading), Some(proposal)) = (parse_id(&raw), parse_id(get(&values, "proposal")))
    else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    let cost = match estimated_cost(&values) {
        Ok(cost) => cost,
        Err(refusal) => return refused_page(&state, &ctx, refusal),
    };
    form_action!(state, ctx, |tx, user| {
        match allowed(&mut tx, user, Need::Admin).await? {
            Err(refusal) => Err(refusal),
            Ok(()) => projects::import_proposal(&mut tx, &ctx.actor(user), heading, proposal, cost)
                .await?
                .map(|_| back(heading, "imported")),
        }
    })
}

/// `POST /staff/budget-projects/{id}/review`: `verdict`, `explanation`,
/// `official_cost` (optional); the author and followers are told.
pub async fn review(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let values = fields_or_return!(ctx, state, form);
    let Some(project) = parse_id(&raw) else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    let Some(verdict) = Feasibility::parse(get(&values, "verdict")) else {
        return refused_page(&state, &ctx, Refusal::Invalid("verdict", "choice_invalid"));
    };
    let official = match get(&values, "official_cost").trim() {
        "" => None,
        typed => match parse_cents(typed) {
            Some(cents) => Some(cents),
            None => {
                return refused_page(
                    &state,
                    &ctx,
                    Refusal::Invalid("official_cost", "amount_invalid"),
                );
            }
        },
    };
    let explanation = get(&values, "explanation").to_owned();
    let default_language = ctx.tr.code().to_owned();
    form_action!(state, ctx, |tx, user| {
        match staff_project(&mut tx, user, project, Need::Reviewer).await? {
            Err(refusal) => Err(refusal),
            Ok(heading) => {
                match projects::review(
                    &mut tx,
                    &ctx.actor(user),
                    project,
                    verdict,
                    &explanation,
                    official,
                )
                .await?
                {
                    Ok(notices) => {
                        deliver(&mut tx, &notices, &default_language).await?;
                        Ok(back(heading, "reviewed"))
                    }
                    Err(refusal) => Err(refusal),
                }
            }
        }
    })
}

/// `POST /staff/budget-projects/{id}/ballot`: `on_ballot` = `on` puts it
/// on the ballot, anything else takes it off.
pub async fn set_on_ballot(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let values = fields_or_return!(ctx, state, form);
    let Some(project) = parse_id(&raw) else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    let on = get(&values, "on_ballot") == "on";
    form_action!(state, ctx, |tx, user| {
        match staff_project(&mut tx, user, project, Need::Admin).await? {
            Err(refusal) => Err(refusal),
            Ok(heading) => projects::set_on_ballot(&mut tx, &ctx.actor(user), project, on)
                .await?
                .map(|()| back(heading, "ballot")),
        }
    })
}

/// `POST /staff/budget-projects/{id}/paper-votes`: `votes` counted on paper.
pub async fn paper_votes(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let values = fields_or_return!(ctx, state, form);
    let Some(project) = parse_id(&raw) else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    let Ok(votes) = get(&values, "votes").trim().parse::<i32>() else {
        return refused_page(
            &state,
            &ctx,
            Refusal::Invalid("paper_votes", "number_invalid"),
        );
    };
    form_action!(state, ctx, |tx, user| {
        match staff_project(&mut tx, user, project, Need::Admin).await? {
            Err(refusal) => Err(refusal),
            Ok(heading) => projects::set_paper_votes(&mut tx, &ctx.actor(user), project, votes)
                .await?
                .map(|()| back(heading, "paper")),
        }
    })
}

/// `POST /staff/budget-headings/{id}/paper-votes` (multipart, field
/// `file`): a count file, taken whole or not at all.
pub async fn paper_file(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let file = match crate::legacy_media::uploaded(&state, &ctx, multipart, "file").await {
        Ok(file) => file,
        Err(response) => return *response,
    };
    let Some(heading) = parse_id(&raw) else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    let Some(user) = ctx.visitor.session.as_ref().map(|s| s.user) else {
        return Redirect::to("/account/login").into_response();
    };
    let tr = &ctx.tr;
    let problem = |line: usize, code: &str| {
        let text = tr.t(&format!("staff-budget-file-{}", code.replace('_', "-")));
        let text = if line > 0 {
            tr.args(
                "staff-budget-file-line",
                &[("line", line.to_string()), ("problem", text)],
            )
        } else {
            text
        };
        ctx.respond(
            &state,
            crate::ui::message::message_page(
                tr,
                StatusCode::UNPROCESSABLE_ENTITY,
                &tr.t("refusal-title"),
                &text,
                true,
            ),
        )
    };
    let Ok(text) = std::str::from_utf8(&file) else {
        return problem(0, "not_utf8");
    };
    let imported: Result<_, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        if !may(&mut tx, user, Need::Admin).await? {
            return Ok(None);
        }
        let result = projects::import_paper_votes(&mut tx, &ctx.actor(user), heading, text).await?;
        if result.is_ok() {
            tx.commit().await?;
        }
        Ok(Some(result))
    }
    .await;
    match imported {
        Ok(Some(Ok(_))) => {
            state.reads.changed(ctx.tenant.id).await;
            Redirect::to(&back(heading, "paper-file")).into_response()
        }
        Ok(Some(Err(problem_found))) => problem(problem_found.line, problem_found.code),
        Ok(None) => ctx.message(&state, StatusCode::FORBIDDEN, "staff-forbidden"),
        Err(error) => error.into_page(tr),
    }
}

/// `POST /staff/budget-projects/{id}/updates` (multipart: `status`,
/// `progress`, `body`, optional `photo`): an execution update of a winner;
/// followers are told.
pub async fn post_update(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let (values, photo) =
        match crate::legacy_media::uploaded_form(&state, &ctx, multipart, "photo").await {
            Ok(form) => form,
            Err(response) => return *response,
        };
    let Some(project) = parse_id(&raw) else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    let Some(status) = Status::parse(get(&values, "status")) else {
        return refused_page(&state, &ctx, Refusal::Invalid("status", "status_invalid"));
    };
    let Ok(progress) = get(&values, "progress").trim().parse::<i16>() else {
        return refused_page(
            &state,
            &ctx,
            Refusal::Invalid("progress", "percent_invalid"),
        );
    };
    let image = if photo.is_empty() {
        None
    } else {
        match crate::legacy_media::page_picture(&state, &ctx, &photo).await {
            Ok(name) => Some(name),
            Err(response) => return *response,
        }
    };
    let new = NewUpdate {
        status,
        progress,
        body: get(&values, "body").into(),
        image,
    };
    let default_language = ctx.tr.code().to_owned();
    form_action!(state, ctx, |tx, user| {
        match staff_project(&mut tx, user, project, Need::Admin).await? {
            Err(refusal) => Err(refusal),
            Ok(heading) => match execution::post(&mut tx, &ctx.actor(user), project, &new).await? {
                Ok(notices) => {
                    deliver(&mut tx, &notices, &default_language).await?;
                    Ok(back(heading, "update"))
                }
                Err(refusal) => Err(refusal),
            },
        }
    })
}
