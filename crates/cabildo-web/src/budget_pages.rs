//! Public pages of a participatory budget: the budget with its phases and
//! headings, a heading's projects with what the phase lets the visitor do
//! (propose a project, support projects, fill the ballot: plain forms, no
//! JavaScript needed), a project's page with its review, supports and
//! execution, and the results with a server-rendered chart and each
//! project's reason.

use crate::AppState;
use crate::account_pages::{Chrome, Fields, fields_or_return, get, load};
use crate::comment_pages::{form_action, refused_page};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::participation::{parse_id, process, refusal_message};
use crate::proposal_pages::ProcessTabs;
use crate::site::LanguageRequest;
use crate::ui::chrome::LanguageLink;
use askama::Template;
use axum::Extension;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use cabildo_engine::budgets::ballots::{self, Change};
use cabildo_engine::budgets::projects::NewProject;
use cabildo_engine::budgets::results::{Outcome, Reason};
use cabildo_engine::budgets::setup::{self, Budget, Phase};
use cabildo_engine::budgets::{execution, projects, results, supports};
use cabildo_engine::content::{Refusal, Target};
use cabildo_engine::follows;
use cabildo_engine::processes::Denied;
use cabildo_tenancy::Site;
use serde::Deserialize;
use std::fmt::Write as _;
use uuid::Uuid;

/// An amount of money for people: grouped digits and two decimals in the
/// page's language ("12.345,50 EUR", "12,345.50 EUR").
pub(crate) fn money(tr: &Tr, cents: i64, currency: &str) -> String {
    let decimal = if tr.code() == "en" { '.' } else { ',' };
    let units = i64::try_from(cents.unsigned_abs() / 100).unwrap_or(i64::MAX);
    let sign = if cents < 0 { "-" } else { "" };
    format!(
        "{sign}{}{decimal}{:02} {currency}",
        tr.number(units),
        cents.unsigned_abs() % 100
    )
}

/// A budget amount in millionths, as cents.
fn cents(amount: i128) -> i64 {
    i64::try_from(amount / 10_000).unwrap_or(i64::MAX)
}

/// One phase of the budget's calendar.
pub struct PhaseLine {
    label: String,
    current: bool,
}

/// A heading in the overview.
pub struct HeadingLine {
    id: String,
    name: String,
    amount: String,
    /// "at most 3 projects".
    max_projects: Option<String>,
}

#[derive(Template)]
#[template(path = "budget.html")]
struct BudgetPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    languages: &'a [LanguageLink],
    tabs: ProcessTabs,
    title: String,
    phase: String,
    style: String,
    rule: String,
    phases: Vec<PhaseLine>,
    headings: Vec<HeadingLine>,
    finished: bool,
}

/// What the public budget pages read, through the read cache: the budget
/// (its phase, by the database clock when read, may lag a phase change by
/// up to the cache's time to live; actions are always checked fresh by the
/// engine), a heading's projects (support counts may lag like proposals';
/// visitors who support read theirs fresh) and its results once finished
/// (they no longer change then, except through staff actions, which drop
/// the copies).
mod cached {
    use crate::AppState;
    use crate::error::WebError;
    use crate::participation::in_tx;
    use cabildo_engine::budgets::projects::{self, Project};
    use cabildo_engine::budgets::results::Outcome as Decided;
    use cabildo_engine::budgets::setup::{self, Budget};
    use cabildo_engine::budgets::tally;
    use cabildo_engine::content::Refusal;
    use cabildo_tenancy::Tenant;
    use std::sync::Arc;
    use uuid::Uuid;

    /// Whose budget to read.
    pub(super) enum Of {
        /// A process's.
        Process(Uuid),
        /// The one a heading belongs to.
        Heading(Uuid),
    }

    /// The budget of a process or of a heading.
    pub(super) async fn budget(
        state: &AppState,
        tenant: &Tenant,
        of: Of,
    ) -> Result<Budget, WebError> {
        let key = match of {
            Of::Process(id) => format!("budget-of-process:{id}"),
            Of::Heading(id) => format!("budget-of-heading:{id}"),
        };
        let found = state
            .reads
            .get_or_load(tenant.id, key, || async {
                in_tx!(state, tenant, |tx| match of {
                    Of::Process(id) => setup::of_process(&mut tx, id).await?,
                    Of::Heading(id) => setup::of_heading(&mut tx, id).await?,
                })
            })
            .await?;
        found.as_ref().clone().ok_or(WebError::NotFound)
    }

    /// A heading's projects.
    pub(super) async fn projects(
        state: &AppState,
        tenant: &Tenant,
        heading: Uuid,
    ) -> Result<Arc<Vec<Project>>, WebError> {
        state
            .reads
            .get_or_load(tenant.id, format!("budget-projects:{heading}"), || async {
                in_tx!(state, tenant, |tx| projects::of_heading(&mut tx, heading)
                    .await?)
            })
            .await
    }

    /// A heading's results; only for a budget seen finished.
    pub(super) async fn results(
        state: &AppState,
        tenant: &Tenant,
        heading: Uuid,
    ) -> Result<Arc<Result<Decided, Refusal>>, WebError> {
        state
            .reads
            .get_or_load(tenant.id, format!("budget-results:{heading}"), || async {
                in_tx!(state, tenant, |tx| tally::public_results(&mut tx, heading)
                    .await?)
            })
            .await
    }
}

/// `GET /processes/{slug}/budget`.
pub async fn show(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let found: Result<_, WebError> = async {
        let process = process(&state, &ctx.tenant, &slug).await?;
        let Some((summary, _, phases)) = process.as_ref().clone() else {
            return Err(WebError::NotFound);
        };
        let budget = cached::budget(&state, &ctx.tenant, cached::Of::Process(summary.id)).await?;
        Ok((summary, phases, budget))
    }
    .await;
    let (summary, phases, budget) = match found {
        Ok(found) => found,
        Err(error) => return error.into_page(&ctx.tr),
    };
    let tr = &ctx.tr;
    let page = BudgetPage {
        tr,
        chrome: &ctx.chrome,
        languages: &ctx.chrome.languages,
        tabs: ProcessTabs::new(&summary.slug, &summary.title, &phases, "budget"),
        title: budget.title.clone(),
        phase: tr.t(&format!("budget-phase-{}", budget.phase.as_str())),
        style: tr.t(&format!("budget-style-{}", budget.style.as_str())),
        rule: tr.t(&format!("budget-rule-{}", budget.rule)),
        phases: Phase::ALL[1..]
            .iter()
            .map(|p| PhaseLine {
                label: tr.t(&format!("budget-phase-{}", p.as_str())),
                current: *p == budget.phase,
            })
            .collect(),
        headings: budget
            .headings
            .iter()
            .map(|h| HeadingLine {
                id: h.id.to_string(),
                name: h.name.clone(),
                amount: money(tr, h.amount_cents, &budget.currency),
                max_projects: h
                    .max_projects
                    .map(|m| tr.count("budget-max-projects", m.into())),
            })
            .collect(),
        finished: budget.phase == Phase::Finished,
    };
    match page.render() {
        Ok(html) => ctx.respond(&state, Html(html).into_response()),
        Err(error) => WebError::from(error).into_page(tr),
    }
}

/// A project on the heading page.
pub struct ProjectLine {
    id: String,
    number: i64,
    title: String,
    description: String,
    location: String,
    cost: String,
    feasibility: String,
    explanation: String,
    on_ballot: bool,
    in_ballot: bool,
    fits: bool,
    supportable: bool,
    supported: bool,
    supports: i32,
    /// A winner's execution: "In progress · 60 %".
    execution: Option<String>,
}

/// The visitor's ballot as shown.
pub struct BallotBox {
    total: String,
    remaining: String,
    amount_cents: i64,
    total_cents: i64,
    count: usize,
    /// "2 projects chosen · at most 3 projects".
    count_label: String,
    submitted: bool,
    changeable: bool,
}

#[derive(Template)]
#[template(path = "budget_heading.html")]
struct HeadingPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    languages: &'a [LanguageLink],
    tabs: ProcessTabs,
    id: String,
    name: String,
    amount: String,
    phase: String,
    balloting: bool,
    /// Citizens propose projects now.
    accepting: bool,
    /// Results are public.
    finished: bool,
    /// Citizens support projects now.
    selecting: bool,
    logged_in: bool,
    /// "You may support up to 3 projects here."
    supports_limit: Option<String>,
    notice: Option<String>,
    projects: Vec<ProjectLine>,
    ballot: Option<BallotBox>,
    /// Why the visitor may not vote here (when balloting).
    denied: Option<String>,
    login_to_vote: bool,
}

/// `?done=` after a ballot change.
#[derive(Debug, Deserialize)]
pub struct HeadingQuery {
    done: Option<String>,
}

/// The process tabs, budget and heading of a heading id.
async fn heading_context(
    state: &AppState,
    ctx: &crate::account_pages::Context,
    heading: Uuid,
) -> Result<(ProcessTabs, Budget), WebError> {
    let budget = cached::budget(state, &ctx.tenant, cached::Of::Heading(heading)).await?;
    // Unpublished processes are not found here.
    let slug = budget.process_slug.clone();
    let Some((summary, _, phases)) = process(state, &ctx.tenant, &slug).await?.as_ref().clone()
    else {
        return Err(WebError::NotFound);
    };
    Ok((
        ProcessTabs::new(&summary.slug, &summary.title, &phases, "budget"),
        budget,
    ))
}

/// `GET /budget-headings/{id}`.
pub async fn heading(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    Query(query): Query<HeadingQuery>,
    headers: HeaderMap,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let Some(heading) = parse_id(&raw) else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    let viewer = ctx.visitor.session.as_ref().map(|s| s.user);
    let found: Result<_, WebError> = async {
        let (tabs, budget) = heading_context(&state, &ctx, heading).await?;
        let Some(user) =
            viewer.filter(|_| matches!(budget.phase, Phase::Balloting | Phase::Selecting))
        else {
            let list = cached::projects(&state, &ctx.tenant, heading).await?;
            return Ok((tabs, budget, list, None, Vec::new()));
        };
        // The visitor's own ballot or supports, with counts as they are now.
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        let (list, ballot, supported) = if budget.phase == Phase::Balloting {
            let list = cached::projects(&state, &ctx.tenant, heading).await?;
            (
                list,
                Some(ballots::get(&mut tx, user, heading).await?),
                Vec::new(),
            )
        } else {
            let list = std::sync::Arc::new(projects::of_heading(&mut tx, heading).await?);
            (
                list,
                None,
                supports::of_person(&mut tx, user, heading).await?,
            )
        };
        tx.commit().await?;
        Ok((tabs, budget, list, ballot, supported))
    }
    .await;
    let (tabs, budget, list, ballot, supported) = match found {
        Ok(found) => found,
        Err(error) => return error.into_page(&ctx.tr),
    };
    let tr = &ctx.tr;
    let Some(info) = budget.headings.iter().find(|h| h.id == heading) else {
        return WebError::NotFound.into_page(tr);
    };
    let balloting = budget.phase == Phase::Balloting;
    let selecting = budget.phase == Phase::Selecting;
    let (ballot, denied) = match ballot {
        Some(Ok(ballot)) => (Some(ballot), None),
        Some(Err(refusal)) => (None, Some(refusal_message(tr, refusal))),
        None => (None, None),
    };
    let chosen: Vec<Uuid> = ballot
        .as_ref()
        .map(|b| b.projects.clone())
        .unwrap_or_default();
    let remaining = ballot
        .as_ref()
        .map_or(info.amount_cents, |b| b.remaining_cents());
    let knapsack = budget.style == setup::Style::Knapsack;
    let page = HeadingPage {
        tr,
        chrome: &ctx.chrome,
        languages: &ctx.chrome.languages,
        tabs,
        id: heading.to_string(),
        name: info.name.clone(),
        amount: money(tr, info.amount_cents, &budget.currency),
        phase: tr.t(&format!("budget-phase-{}", budget.phase.as_str())),
        balloting,
        accepting: budget.phase == Phase::Accepting,
        finished: budget.phase == Phase::Finished,
        selecting,
        logged_in: viewer.is_some(),
        supports_limit: budget
            .max_supports
            .filter(|_| selecting)
            .map(|m| tr.count("budget-supports-limit", m.into())),
        notice: done_notice(tr, query.done),
        projects: list
            .iter()
            .filter(|p| !balloting || p.on_ballot)
            .cloned()
            .map(|p| ProjectLine {
                id: p.id.to_string(),
                number: p.number,
                in_ballot: chosen.contains(&p.id),
                fits: !knapsack || p.cost_cents <= remaining,
                supportable: selecting && p.feasibility == "feasible",
                supported: supported.contains(&p.id),
                supports: p.supports_count,
                execution: p.execution_status.as_ref().map(|status| {
                    format!(
                        "{} · {} %",
                        tr.t(&format!("budget-execution-{}", status.replace('_', "-"))),
                        p.progress
                    )
                }),
                title: p.title,
                description: p.description,
                location: p.location,
                cost: money(tr, p.cost_cents, &budget.currency),
                feasibility: tr.t(&format!(
                    "budget-feasibility-{}",
                    p.feasibility.replace('_', "-")
                )),
                explanation: p.feasibility_explanation,
                on_ballot: p.on_ballot,
            })
            .collect(),
        ballot: ballot.map(|b| BallotBox {
            total: money(tr, b.total_cents, &budget.currency),
            remaining: money(tr, b.remaining_cents(), &budget.currency),
            amount_cents: b.amount_cents,
            total_cents: b.total_cents,
            count: b.projects.len(),
            count_label: {
                let chosen = tr.count("budget-ballot-projects", b.projects.len() as i64);
                match b.max_projects {
                    Some(max) => {
                        format!("{chosen} · {}", tr.count("budget-max-projects", max.into()))
                    }
                    None => chosen,
                }
            },
            submitted: b.submitted,
            changeable: b.changeable,
        }),
        denied,
        login_to_vote: balloting && viewer.is_none(),
    };
    match page.render() {
        Ok(html) => ctx.respond(&state, Html(html).into_response()),
        Err(error) => WebError::from(error).into_page(tr),
    }
}

/// The notices after a citizen's action (`?done=`).
fn done_notice(tr: &Tr, done: Option<String>) -> Option<String> {
    const KNOWN: [&str; 7] = [
        "added",
        "removed",
        "submitted",
        "proposed",
        "pictured",
        "supported",
        "unsupported",
    ];
    done.filter(|d| KNOWN.contains(&d.as_str()))
        .map(|d| tr.t(&format!("budget-done-{d}")))
}

/// `POST /budget-headings/{id}/projects` (multipart): a citizen proposes
/// a project while the budget accepts them (`title`, `description`,
/// `location`, `cost` in currency units, optional picture `image`).
pub async fn propose(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let (values, picture) =
        match crate::legacy_media::uploaded_form(&state, &ctx, multipart, "image").await {
            Ok(form) => form,
            Err(response) => return *response,
        };
    let Some(heading) = parse_id(&raw) else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    let cost = match crate::staff_budgets::estimated_cost(&values) {
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
    let image = if picture.is_empty() || ctx.visitor.session.is_none() {
        None
    } else {
        match crate::legacy_media::page_picture(&state, &ctx, &picture).await {
            Ok(name) => Some(name),
            Err(response) => return *response,
        }
    };
    form_action!(state, ctx, |tx, user| {
        match projects::create(&mut tx, &ctx.actor(user), Some(user), &new).await? {
            Ok(id) => match &image {
                Some(name) => projects::set_image(&mut tx, user, id, name)
                    .await?
                    .map(|()| format!("/budget-projects/{id}?done=proposed")),
                None => Ok(format!("/budget-projects/{id}?done=proposed")),
            },
            Err(refusal) => Err(refusal),
        }
    })
}

/// `POST /budget-projects/{id}/image` (multipart, field `image`): the
/// author adds or replaces the project's picture while projects are
/// accepted.
pub async fn upload_image(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let (project, name) =
        match crate::legacy_media::page_upload(&state, &ctx, multipart, &raw).await {
            Ok(uploaded) => uploaded,
            Err(response) => return *response,
        };
    form_action!(state, ctx, |tx, user| {
        projects::set_image(&mut tx, user, project, &name)
            .await?
            .map(|()| format!("/budget-projects/{project}?done=pictured"))
    })
}

/// `POST /budget-projects/{id}/support`: `action` = support or unsupport;
/// back to the heading (`back` = heading) or the project.
pub async fn support(
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
    let adding = get(&values, "action") != "unsupport";
    let to_heading = get(&values, "back") == "heading";
    form_action!(keep_reads, state, ctx, |tx, user| {
        let changed = if adding {
            supports::support(&mut tx, user, project).await?
        } else {
            supports::unsupport(&mut tx, user, project).await?
        };
        let done = if adding { "supported" } else { "unsupported" };
        match changed {
            Ok(_) if to_heading => match projects::get(&mut tx, project).await? {
                Some(p) => Ok(format!(
                    "/budget-headings/{}?done={done}#project-{}",
                    p.heading, p.number
                )),
                None => Err(Refusal::NotFound),
            },
            Ok(_) => Ok(format!("/budget-projects/{project}?done={done}#support")),
            Err(refusal) => Err(refusal),
        }
    })
}

/// An execution update as shown.
pub struct UpdateLine {
    date: String,
    status: String,
    progress: i16,
    body: Vec<String>,
    image: Option<String>,
}

#[derive(Template)]
#[template(path = "budget_project.html")]
struct ProjectPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    languages: &'a [LanguageLink],
    tabs: ProcessTabs,
    id: String,
    number: i64,
    title: String,
    description: Vec<String>,
    location: String,
    image: Option<String>,
    cost: String,
    heading_id: String,
    heading_name: String,
    feasibility: String,
    explanation: String,
    on_ballot: bool,
    supports: i32,
    /// Supports are open and this project takes them.
    supportable: bool,
    supported: bool,
    logged_in: bool,
    following: bool,
    /// The visitor wrote it and projects are accepted: they may add a picture.
    may_picture: bool,
    /// A citizen wrote it: people may report it to the moderators.
    reportable: bool,
    execution: Option<String>,
    progress: i16,
    updates: Vec<UpdateLine>,
    notice: Option<String>,
}

/// `GET /budget-projects/{id}`.
pub async fn project(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    Query(query): Query<HeadingQuery>,
    headers: HeaderMap,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let Some(id) = parse_id(&raw) else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    let viewer = ctx.visitor.session.as_ref().map(|s| s.user);
    let found: Result<_, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        let Some(project) = projects::get(&mut tx, id).await? else {
            return Err(WebError::NotFound);
        };
        let updates = execution::updates(&mut tx, id).await?;
        let (supported, following) = match viewer {
            Some(user) => (
                supports::of_person(&mut tx, user, project.heading)
                    .await?
                    .contains(&id),
                follows::follows(&mut tx, user, Target::Project(id)).await?,
            ),
            None => (false, false),
        };
        tx.commit().await?;
        let (tabs, budget) = heading_context(&state, &ctx, project.heading).await?;
        Ok((project, updates, supported, following, tabs, budget))
    }
    .await;
    let (project, updates, supported, following, tabs, budget) = match found {
        Ok(found) => found,
        Err(error) => return error.into_page(&ctx.tr),
    };
    let tr = &ctx.tr;
    let heading_name = budget
        .headings
        .iter()
        .find(|h| h.id == project.heading)
        .map_or(String::new(), |h| h.name.clone());
    let page = ProjectPage {
        tr,
        chrome: &ctx.chrome,
        languages: &ctx.chrome.languages,
        tabs,
        id: id.to_string(),
        number: project.number,
        description: crate::participation::paragraphs(&project.description),
        location: project.location,
        image: project.image,
        cost: money(tr, project.cost_cents, &budget.currency),
        heading_id: project.heading.to_string(),
        heading_name,
        feasibility: tr.t(&format!(
            "budget-feasibility-{}",
            project.feasibility.replace('_', "-")
        )),
        explanation: project.feasibility_explanation,
        on_ballot: project.on_ballot,
        supports: project.supports_count,
        supportable: budget.phase == Phase::Selecting && project.feasibility == "feasible",
        supported,
        logged_in: viewer.is_some(),
        following,
        may_picture: viewer.is_some()
            && project.author == viewer
            && budget.phase == Phase::Accepting,
        reportable: project.author.is_some(),
        execution: project
            .execution_status
            .map(|s| tr.t(&format!("budget-execution-{}", s.replace('_', "-")))),
        progress: project.progress,
        updates: updates
            .into_iter()
            .map(|u| UpdateLine {
                date: crate::participation::short_date(u.created_at),
                status: tr.t(&format!("budget-execution-{}", u.status.replace('_', "-"))),
                progress: u.progress,
                body: crate::participation::paragraphs(&u.body),
                image: u.image,
            })
            .collect(),
        notice: done_notice(tr, query.done),
        title: project.title,
    };
    match page.render() {
        Ok(html) => ctx.respond(&state, Html(html).into_response()),
        Err(error) => WebError::from(error).into_page(tr),
    }
}

/// `POST /budget-headings/{id}/ballot`: `action` = add, remove or submit
/// (with `project` for add and remove).
pub async fn change_ballot(
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
        return crate::error::WebError::NotFound.into_page(&ctx.tr);
    };
    let project = parse_id(get(&values, "project"));
    let (change, done) = match (get(&values, "action"), project) {
        ("add", Some(project)) => (Change::Add(project), "added"),
        ("remove", Some(project)) => (Change::Remove(project), "removed"),
        ("submit", _) => (Change::Submit, "submitted"),
        _ => {
            return refused_page(
                &state,
                &ctx,
                cabildo_engine::content::Refusal::Invalid("projects", "not_on_ballot"),
            );
        }
    };
    form_action!(keep_reads, state, ctx, |tx, user| {
        ballots::change(&mut tx, user, heading, change)
            .await?
            .map(|_| format!("/budget-headings/{heading}?done={done}#ballot"))
    })
}

/// A project's line in the results.
pub struct ResultLine {
    number: String,
    title: String,
    votes: i64,
    /// Of `votes`, counted on paper.
    paper_votes: i32,
    cost: String,
    selected: bool,
    reason: String,
}

#[derive(Template)]
#[template(path = "budget_results.html")]
struct ResultsPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    languages: &'a [LanguageLink],
    tabs: ProcessTabs,
    id: String,
    name: String,
    amount: String,
    total: String,
    rule: String,
    rule_explained: String,
    lines: Vec<ResultLine>,
    chart: String,
}

/// A reason in a sentence of the page's language.
fn reason_text(tr: &Tr, reason: &Reason, currency: &str) -> String {
    let amount = |millionths: i128| money(tr, cents(millionths), currency);
    // Rounded down to cents for reading; the decision used the exact value.
    let exact = |m: &results::Money| money(tr, results::cents_of(m), currency);
    match reason {
        Reason::Fitted { remaining } => {
            tr.with("budget-reason-fitted", "remaining", &amount(*remaining))
        }
        Reason::DidNotFit { remaining } => tr.with(
            "budget-reason-did-not-fit",
            "remaining",
            &amount(*remaining),
        ),
        Reason::Bought { round, share } => tr.args(
            "budget-reason-bought",
            &[("round", round.to_string()), ("share", exact(share))],
        ),
        Reason::Unaffordable { round, money } => tr.args(
            "budget-reason-unaffordable",
            &[("round", round.to_string()), ("money", exact(money))],
        ),
        Reason::NoVotes => tr.t("budget-reason-no-votes"),
    }
}

/// Text made safe inside SVG markup.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A horizontal bar chart of votes per project (winners marked) with a
/// thin bar of each project's cost under it, as SVG drawn on the server:
/// the table beside it carries the same figures for people who cannot see
/// it.
fn chart(tr: &Tr, outcome: &Outcome, listed: &[projects::Project], currency: &str) -> String {
    let rows = outcome.projects.len();
    let most = outcome
        .projects
        .iter()
        .map(|p| p.votes)
        .max()
        .unwrap_or(0)
        .max(1);
    let dearest = outcome
        .projects
        .iter()
        .map(|p| p.cost)
        .max()
        .unwrap_or(0)
        .max(1);
    let (width, label, bar, row) = (640, 220, 300, 34);
    let height = rows * row + 10;
    let scaled =
        |value: i128, top: i128| usize::try_from(value.max(0) * bar as i128 / top).unwrap_or(0);
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 {width} {height}\" width=\"100%\" aria-labelledby=\"chart-title\"><title id=\"chart-title\">{}</title>",
        escape(&tr.t("budget-chart-title"))
    );
    for (i, p) in outcome.projects.iter().enumerate() {
        let y = i * row + 5;
        let length = scaled(i128::from(p.votes), i128::from(most));
        let cost = scaled(p.cost, dearest);
        let name = projects::by_number(listed, &p.id)
            .map_or(p.id.clone(), |l| l.title.chars().take(28).collect());
        let name = escape(&name);
        let fill = if p.selected { "#1b6e3a" } else { "#9aa5b1" };
        let _ = write!(
            svg,
            "<text x=\"0\" y=\"{}\" font-size=\"13\">{name}</text><rect x=\"{label}\" y=\"{y}\" width=\"{length}\" height=\"16\" fill=\"{fill}\"></rect><text x=\"{}\" y=\"{}\" font-size=\"13\">{}{}</text><rect x=\"{label}\" y=\"{}\" width=\"{cost}\" height=\"5\" fill=\"#2b5797\"></rect><text x=\"{}\" y=\"{}\" font-size=\"10\">{}</text>",
            y + 13,
            label + length + 6,
            y + 13,
            p.votes,
            if p.selected { " ✓" } else { "" },
            y + 19,
            label + cost + 6,
            y + 24,
            escape(&money(tr, cents(p.cost), currency)),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// `GET /budget-headings/{id}/results`.
pub async fn results_page(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let Some(heading) = parse_id(&raw) else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    let found: Result<_, WebError> = async {
        let (tabs, budget) = heading_context(&state, &ctx, heading).await?;
        // A copy of the budget seen finished may be a few seconds late;
        // the results themselves are only computed once the database
        // clock says so (`tally::public_results`).
        if budget.phase != Phase::Finished {
            return Ok((tabs, budget, None, Default::default()));
        }
        let outcome = Some(cached::results(&state, &ctx.tenant, heading).await?);
        let list = cached::projects(&state, &ctx.tenant, heading).await?;
        Ok((tabs, budget, outcome, list))
    }
    .await;
    let (tabs, budget, outcome, list) = match found {
        Ok(found) => found,
        Err(error) => return error.into_page(&ctx.tr),
    };
    let outcome = match outcome.as_deref() {
        Some(Ok(outcome)) => outcome,
        Some(Err(refusal)) => return refused_page(&state, &ctx, *refusal),
        None => return refused_page(&state, &ctx, Refusal::Denied(Denied::PhaseClosed)),
    };
    let tr = &ctx.tr;
    let Some(info) = budget.headings.iter().find(|h| h.id == heading) else {
        return WebError::NotFound.into_page(tr);
    };
    let page = ResultsPage {
        tr,
        chrome: &ctx.chrome,
        languages: &ctx.chrome.languages,
        tabs,
        id: heading.to_string(),
        name: info.name.clone(),
        amount: money(tr, info.amount_cents, &budget.currency),
        total: money(tr, cents(outcome.total), &budget.currency),
        rule: tr.t(&format!("budget-rule-{}", budget.rule)),
        rule_explained: tr.t(&format!("budget-rule-{}-explained", budget.rule)),
        chart: chart(tr, outcome, &list, &budget.currency),
        lines: outcome
            .projects
            .iter()
            .map(|p| ResultLine {
                title: projects::by_number(&list, &p.id).map_or(String::new(), |l| l.title.clone()),
                number: p.id.clone(),
                votes: p.votes,
                paper_votes: crate::budget_api::paper_votes(&list, &p.id),
                cost: money(tr, cents(p.cost), &budget.currency),
                selected: p.selected,
                reason: reason_text(tr, &p.reason, &budget.currency),
            })
            .collect(),
    };
    match page.render() {
        Ok(html) => ctx.respond(&state, Html(html).into_response()),
        Err(error) => WebError::from(error).into_page(tr),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_reads_in_each_language() {
        assert_eq!(
            money(&Tr::new("es"), 123_456_789, "EUR"),
            "1.234.567,89 EUR"
        );
        assert_eq!(
            money(&Tr::new("en"), 123_456_789, "EUR"),
            "1,234,567.89 EUR"
        );
        assert_eq!(money(&Tr::new("es"), 5, "EUR"), "0,05 EUR");
    }
}
