//! Participatory budgets in the JSON API: a process's budget, a heading's
//! projects, a project with its execution updates, supports, the caller's
//! ballot (read and cast whole), and once finished the results. Amounts
//! are cents, except in results: decimal strings in the budget's currency.

use crate::budgets::results::{figures, paper_votes};
use crate::http::api::{ActErrors, ApiRoutes, IdView, Instant, ReadErrors, SupportView};
use crate::http::council::ApiCouncil;
use crate::http::download::{CsvQuery, csv};
use crate::http::error::ApiError;
use crate::http::extract::{ApiCitizen, ApiJson, Id};
use axum::Json;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cabildo_engine::Error as EngineError;
use cabildo_engine::budgets::ballots::{self, Ballot, Change};
use cabildo_engine::budgets::projects::{self, NewProject, Project};
use cabildo_engine::budgets::results::{Outcome, money_text, units};
use cabildo_engine::budgets::setup::{self, Budget};
use cabildo_engine::budgets::{execution, supports, tally};
use cabildo_engine::ids::{HeadingId, ProjectId};
use cabildo_engine::{Field, Problem};
use cabildo_engine::{opendata, processes};
use cabildo_tenancy::TenantTx;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;
use uuid::Uuid;

/// The budget routes of the API.
pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .add(routes!(budget))
        .add(routes!(list_projects, propose))
        .add(routes!(project))
        .add(routes!(support, unsupport))
        .add(routes!(results))
        .add(routes!(results_csv))
        .add(routes!(ballot, cast))
}

/// When each phase begins.
#[derive(Serialize, ToSchema)]
pub struct DatesView {
    accepting: Instant,
    reviewing: Instant,
    selecting: Instant,
    balloting: Instant,
    tallying: Instant,
    /// Results are public from then.
    finished: Instant,
}

/// A heading: an amount for the city or a district.
#[derive(Serialize, ToSchema)]
pub struct HeadingView {
    id: Uuid,
    name: String,
    /// Whose residents vote here (none: the whole city).
    district: Option<String>,
    amount_cents: i64,
    /// Most projects per ballot.
    max_projects: Option<i32>,
}

/// A budget, its phase now and its headings.
#[derive(Serialize, ToSchema)]
pub struct BudgetView {
    id: Uuid,
    process: Uuid,
    process_slug: String,
    title: String,
    /// ISO 4217 code.
    currency: String,
    /// `knapsack` or `approval`.
    style: &'static str,
    /// Knapsack: the least share of the amount a ballot must spend.
    min_spend_percent: i16,
    verified_only: bool,
    /// Supports per person and heading.
    max_supports: Option<i32>,
    ballots_changeable: bool,
    /// `greedy`, `mes` or `mes-greedy`.
    rule: String,
    /// `id` or `cheapest`.
    tie: String,
    /// `exhaustive` or `until-over-budget`.
    completion: String,
    /// `upcoming`, `accepting`, `reviewing`, `selecting`, `balloting`,
    /// `tallying` or `finished`.
    phase: &'static str,
    dates: DatesView,
    /// Changing the settings now needs a reset.
    voting_started: bool,
    /// City-wide first.
    headings: Vec<HeadingView>,
}

impl From<Budget> for BudgetView {
    fn from(b: Budget) -> Self {
        let d = b.dates;
        Self {
            id: b.id.into(),
            process: b.process.into(),
            process_slug: b.process_slug,
            title: b.title,
            currency: b.currency,
            style: b.style.as_str(),
            min_spend_percent: b.min_spend_percent,
            verified_only: b.verified_only,
            max_supports: b.max_supports,
            ballots_changeable: b.ballots_changeable,
            rule: b.rule,
            tie: b.tie,
            completion: b.completion,
            phase: b.phase.as_str(),
            dates: DatesView {
                accepting: d.accepting.into(),
                reviewing: d.reviewing.into(),
                selecting: d.selecting.into(),
                balloting: d.balloting.into(),
                tallying: d.tallying.into(),
                finished: d.finished.into(),
            },
            voting_started: b.voting_started,
            headings: b
                .headings
                .into_iter()
                .map(|h| HeadingView {
                    id: h.id.into(),
                    name: h.name,
                    district: h.district,
                    amount_cents: h.amount_cents,
                    max_projects: h.max_projects,
                })
                .collect(),
        }
    }
}

/// A published process's budget, its phase now and its headings.
#[utoipa::path(get, path = "/processes/{slug}/budget", tag = "budgets",
    params(("slug" = String, Path, description = "The process's address part.")),
    responses((status = 200, body = BudgetView), ReadErrors))]
async fn budget(council: ApiCouncil, Id(slug): Id<String>) -> Result<impl IntoResponse, ApiError> {
    let found = council
        .tx(
            async |tx| match processes::published_by_slug(tx, &slug).await? {
                Some((summary, ..)) => setup::of_process(tx, summary.id).await,
                None => Ok(None),
            },
        )
        .await?;
    Ok(Json(BudgetView::from(found.ok_or(ApiError::NotFound)?)))
}

/// Whether `heading` exists and its process is published.
async fn published_heading(tx: &mut TenantTx, heading: HeadingId) -> Result<bool, EngineError> {
    Ok(match setup::of_heading(tx, heading).await? {
        Some(budget) => processes::published_by_slug(tx, &budget.process_slug)
            .await?
            .is_some(),
        None => false,
    })
}

/// A budget project.
#[derive(Serialize, ToSchema)]
pub struct ProjectView {
    id: Uuid,
    /// Its public number in the heading.
    number: i64,
    heading: Uuid,
    title: String,
    description: String,
    location: String,
    /// Where on the map: latitude and longitude (both or neither).
    latitude: Option<f64>,
    longitude: Option<f64>,
    /// The official cost once reviewed, else the estimate.
    cost_cents: i64,
    /// `pending`, `feasible`, `unfeasible` or `needs_info`.
    feasibility: String,
    /// The evaluators' explanation.
    feasibility_explanation: String,
    on_ballot: bool,
    supports_count: i32,
    /// Counted paper votes.
    paper_votes: i32,
    /// Its picture's name (under `/media/`).
    image: Option<String>,
    /// A winner's execution: `planned`, `in_progress` or `done`.
    execution_status: Option<String>,
    /// Execution progress in percent.
    progress: i16,
    /// The proposal it came from.
    proposal: Option<Uuid>,
}

impl From<Project> for ProjectView {
    fn from(p: Project) -> Self {
        Self {
            id: p.id.into(),
            number: p.number,
            heading: p.heading.into(),
            title: p.title,
            description: p.description,
            location: p.location,
            latitude: p.latitude,
            longitude: p.longitude,
            cost_cents: p.cost_cents,
            feasibility: p.feasibility.to_string(),
            feasibility_explanation: p.feasibility_explanation,
            on_ballot: p.on_ballot,
            supports_count: p.supports_count,
            paper_votes: p.paper_votes,
            image: p.image,
            execution_status: p.execution_status.map(|s| s.to_string()),
            progress: p.progress,
            proposal: p.proposal.map(Into::into),
        }
    }
}

/// A heading's projects.
#[derive(Serialize, ToSchema)]
pub struct ProjectsView {
    /// By number.
    projects: Vec<ProjectView>,
}

/// A heading's projects, by number (those on the ballot have `on_ballot`).
#[utoipa::path(get, path = "/budget-headings/{id}/projects", tag = "budgets",
    params(("id" = Uuid, Path, description = "The heading's id.")),
    responses((status = 200, body = ProjectsView), ReadErrors))]
async fn list_projects(
    council: ApiCouncil,
    Id(heading): Id<HeadingId>,
) -> Result<impl IntoResponse, ApiError> {
    let list = council
        .tx(async |tx| {
            if !published_heading(tx, heading).await? {
                return Ok(None);
            }
            Ok::<_, EngineError>(Some(projects::of_heading(tx, heading).await?))
        })
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(ProjectsView {
        projects: list.into_iter().map(ProjectView::from).collect(),
    }))
}

/// An execution update of a winner.
#[derive(Serialize, ToSchema)]
pub struct UpdateView {
    id: Uuid,
    /// `planned`, `in_progress` or `done`.
    status: String,
    /// Percent.
    progress: i16,
    body: String,
    /// A photo's name (under `/media/`).
    image: Option<String>,
    created_at: Instant,
}

/// A project with its execution updates.
#[derive(Serialize, ToSchema)]
pub struct ProjectDetailView {
    project: ProjectView,
    /// Newest first.
    updates: Vec<UpdateView>,
}

/// A project of a published process, with its execution updates.
#[utoipa::path(get, path = "/budget-projects/{id}", tag = "budgets",
    params(("id" = Uuid, Path, description = "The project's id.")),
    responses((status = 200, body = ProjectDetailView), ReadErrors))]
async fn project(
    council: ApiCouncil,
    Id(id): Id<ProjectId>,
) -> Result<impl IntoResponse, ApiError> {
    let (project, updates) = council
        .tx(async |tx| match projects::get(tx, id).await? {
            Some(project) if published_heading(tx, project.heading).await? => {
                let updates = execution::updates(tx, id).await?;
                Ok::<_, EngineError>(Some((project, updates)))
            }
            _ => Ok(None),
        })
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(ProjectDetailView {
        project: ProjectView::from(project),
        updates: updates
            .into_iter()
            .map(|u| UpdateView {
                id: u.id,
                status: u.status.to_string(),
                progress: u.progress,
                body: u.body,
                image: u.image,
                created_at: u.created_at.into(),
            })
            .collect(),
    }))
}

/// A project a citizen proposes.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ProjectBody {
    /// 3 to 200 characters.
    title: String,
    /// 1 to 20,000 characters.
    description: String,
    /// Where (up to 500 characters).
    #[serde(default)]
    location: String,
    /// Where on the map (with `longitude`).
    #[serde(default)]
    latitude: Option<f64>,
    /// Where on the map (with `latitude`).
    #[serde(default)]
    longitude: Option<f64>,
    /// The author's estimate.
    estimated_cost_cents: i64,
}

/// A citizen proposes a project while the budget accepts them.
#[utoipa::path(post, path = "/budget-headings/{id}/projects", tag = "budgets",
    params(("id" = Uuid, Path, description = "The heading's id.")),
    request_body = ProjectBody,
    responses((status = 201, body = IdView), ActErrors))]
async fn propose(
    citizen: ApiCitizen,
    Id(heading): Id<HeadingId>,
    ApiJson(body): ApiJson<ProjectBody>,
) -> Result<impl IntoResponse, ApiError> {
    let point = match (body.latitude, body.longitude) {
        (None, None) => None,
        (Some(lat), Some(lon)) => Some((lat, lon)),
        _ => return Err(EngineError::invalid(Field::Point, Problem::PointInvalid).into()),
    };
    let new = NewProject {
        heading,
        title: body.title,
        description: body.description,
        location: body.location,
        point,
        estimated_cost_cents: body.estimated_cost_cents,
    };
    let user = citizen.user();
    let actor = cabildo_engine::staff::Actor::user(user);
    let id = citizen
        .change(async |tx| projects::create(tx, &actor, Some(user), &new).await)
        .await?;
    Ok((StatusCode::CREATED, Json(IdView { id: id.into() })))
}

async fn set_support(
    citizen: &ApiCitizen,
    project: ProjectId,
    on: bool,
) -> Result<Json<SupportView>, ApiError> {
    let user = citizen.user();
    // Supports keep the read cache: list counts may lag a few seconds.
    let count = citizen
        .tx(async |tx| {
            let count = if on {
                supports::support(tx, user, project).await?
            } else {
                supports::unsupport(tx, user, project).await?
            };
            Ok::<_, ApiError>(count)
        })
        .await?;
    Ok(Json(SupportView {
        supported: on,
        supports_count: count,
    }))
}

/// Supports a project while supports are open (at most the budget's limit per heading).
#[utoipa::path(post, path = "/budget-projects/{id}/support", tag = "budgets",
    params(("id" = Uuid, Path, description = "The project's id.")),
    responses((status = 200, body = SupportView), ActErrors))]
async fn support(
    citizen: ApiCitizen,
    Id(project): Id<ProjectId>,
) -> Result<impl IntoResponse, ApiError> {
    set_support(&citizen, project, true).await
}

/// Takes a project's support back while supports are open.
#[utoipa::path(delete, path = "/budget-projects/{id}/support", tag = "budgets",
    params(("id" = Uuid, Path, description = "The project's id.")),
    responses((status = 200, body = SupportView), ActErrors))]
async fn unsupport(
    citizen: ApiCitizen,
    Id(project): Id<ProjectId>,
) -> Result<impl IntoResponse, ApiError> {
    set_support(&citizen, project, false).await
}

/// Why a project won or lost.
#[derive(Serialize, ToSchema)]
pub struct ReasonView {
    /// `fitted`, `did_not_fit`, `bought`, `unaffordable` or `no_votes`.
    kind: &'static str,
    /// MES: the round it was decided in.
    #[serde(skip_serializing_if = "Option::is_none")]
    round: Option<usize>,
    /// Greedy: what remained.
    #[serde(skip_serializing_if = "Option::is_none")]
    remaining: Option<String>,
    /// MES: each supporter's share of its cost.
    #[serde(skip_serializing_if = "Option::is_none")]
    share: Option<String>,
    /// MES: what its supporters had left.
    #[serde(skip_serializing_if = "Option::is_none")]
    supporters_money: Option<String>,
}

/// A project in the results.
#[derive(Serialize, ToSchema)]
pub struct ResultView {
    /// The project's number.
    number: String,
    /// Decimal, in the budget's currency.
    cost: String,
    /// Online ballots and paper votes together.
    votes: i64,
    /// Of `votes`, counted on paper.
    paper_votes: i32,
    selected: bool,
    reason: ReasonView,
}

/// A heading's results.
#[derive(Serialize, ToSchema)]
pub struct ResultsView {
    /// The winners' numbers.
    selected: Vec<String>,
    /// What the winners cost together.
    total: String,
    /// MES: the money each voter had.
    per_voter: Option<String>,
    projects: Vec<ResultView>,
}

fn results_view(outcome: &Outcome, listed: &[Project]) -> ResultsView {
    let projects = outcome
        .projects
        .iter()
        .map(|p| {
            let (round, key, amount) = figures(&p.reason);
            let pick = |name: &str| amount.clone().filter(|_| key == name);
            ResultView {
                number: p.id.clone(),
                cost: units(p.cost),
                votes: p.votes,
                paper_votes: paper_votes(listed, &p.id),
                selected: p.selected,
                reason: ReasonView {
                    kind: p.reason.kind(),
                    round,
                    remaining: pick("remaining"),
                    share: pick("share"),
                    supporters_money: pick("supporters_money"),
                },
            }
        })
        .collect();
    ResultsView {
        selected: outcome.selected.clone(),
        total: units(outcome.total),
        per_voter: outcome.per_voter.as_ref().map(money_text),
        projects,
    }
}

/// A finished heading's outcome and its projects.
async fn decided(
    council: &ApiCouncil,
    heading: HeadingId,
) -> Result<(Outcome, Vec<Project>), ApiError> {
    council
        .tx(async |tx| {
            let outcome = tally::public_results(tx, heading).await?;
            Ok::<_, ApiError>((outcome, projects::of_heading(tx, heading).await?))
        })
        .await
}

/// Once the budget is finished: the winners, with why each project won or lost.
#[utoipa::path(get, path = "/budget-headings/{id}/results", tag = "budgets",
    params(("id" = Uuid, Path, description = "The heading's id.")),
    responses(
        (status = 200, body = ResultsView),
        (status = 403, description = "`phase_closed`: not finished yet.", body = crate::http::api::ErrorBody),
        (status = 409, description = "`counting`: finished, and the worker is counting it (ask again shortly).", body = crate::http::api::ErrorBody),
        (status = 422, description = "`results_unavailable`: the rules cannot decide this election.", body = crate::http::api::ErrorBody),
        ReadErrors))]
async fn results(
    council: ApiCouncil,
    Id(heading): Id<HeadingId>,
) -> Result<impl IntoResponse, ApiError> {
    let (outcome, listed) = decided(&council, heading).await?;
    Ok(Json(results_view(&outcome, &listed)))
}

/// The results as a table, one project per line (formula-safe cells).
#[utoipa::path(get, path = "/budget-headings/{id}/results.csv", tag = "budgets",
    params(("id" = Uuid, Path, description = "The heading's id."), CsvQuery),
    responses(
        (status = 200, description = "`number,title,cost,votes,paper_votes,selected,reason,round,amount`.", content_type = "text/csv"),
        (status = 403, description = "`phase_closed`: not finished yet.", body = crate::http::api::ErrorBody),
        (status = 409, description = "`counting`: finished, and the worker is counting it (ask again shortly).", body = crate::http::api::ErrorBody),
        (status = 422, description = "`results_unavailable`: the rules cannot decide this election.", body = crate::http::api::ErrorBody),
        ReadErrors))]
async fn results_csv(
    council: ApiCouncil,
    Id(heading): Id<HeadingId>,
    Query(query): Query<CsvQuery>,
) -> Result<Response, ApiError> {
    let (outcome, titles) = decided(&council, heading).await?;
    let dialect = query.dialect();
    let mut table = dialect.start();
    let header = [
        "number",
        "title",
        "cost",
        "votes",
        "paper_votes",
        "selected",
    ];
    let header = header.into_iter().chain(["reason", "round", "amount"]);
    opendata::line(&mut table, dialect, header);
    for p in &outcome.projects {
        let title = projects::by_number(&titles, &p.id).map_or("", |t| t.title.as_str());
        let (round, _, amount) = figures(&p.reason);
        let cells = [
            p.id.clone(),
            title.to_owned(),
            units(p.cost),
            p.votes.to_string(),
            paper_votes(&titles, &p.id).to_string(),
            p.selected.to_string(),
            p.reason.kind().to_owned(),
            round.map(|r| r.to_string()).unwrap_or_default(),
            amount.unwrap_or_default(),
        ];
        opendata::line(&mut table, dialect, cells.iter().map(String::as_str));
    }
    Ok(csv(table, &format!("results-{heading}.csv")))
}

/// The caller's ballot in a heading.
#[derive(Serialize, ToSchema)]
pub struct BallotView {
    heading: Uuid,
    /// The projects chosen.
    projects: Vec<Uuid>,
    total_cents: i64,
    /// The heading's amount.
    amount_cents: i64,
    remaining_cents: i64,
    max_projects: Option<i32>,
    submitted: bool,
    /// It may still change.
    changeable: bool,
}

impl From<Ballot> for BallotView {
    fn from(b: Ballot) -> Self {
        Self {
            remaining_cents: b.remaining_cents(),
            heading: b.heading.into(),
            projects: b.projects.into_iter().map(Into::into).collect(),
            total_cents: b.total_cents,
            amount_cents: b.amount_cents,
            max_projects: b.max_projects,
            submitted: b.submitted,
            changeable: b.changeable,
        }
    }
}

/// The caller's ballot.
#[utoipa::path(get, path = "/budget-headings/{id}/ballot", tag = "budgets",
    params(("id" = Uuid, Path, description = "The heading's id.")),
    responses((status = 200, body = BallotView), ActErrors))]
async fn ballot(
    citizen: ApiCitizen,
    Id(heading): Id<HeadingId>,
) -> Result<impl IntoResponse, ApiError> {
    let user = citizen.user();
    let ballot = citizen
        .tx(async |tx| ballots::get(tx, user, heading).await)
        .await?;
    Ok(Json(BallotView::from(ballot)))
}

/// A whole ballot.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BallotBody {
    /// The projects' ids.
    projects: Vec<String>,
    /// Submit it too.
    #[serde(default)]
    submit: bool,
}

/// Makes the ballot exactly these projects, and submits it when asked: checked whole, a refused ballot changes nothing.
#[utoipa::path(put, path = "/budget-headings/{id}/ballot", tag = "budgets",
    params(("id" = Uuid, Path, description = "The heading's id.")),
    request_body = BallotBody,
    responses(
        (status = 200, body = BallotView),
        (status = 422, description = "`over_budget`, `too_many_projects`, `wrong_heading`, `not_on_ballot`, `below_min_spend`, `empty_ballot`, `ballot_final`.", body = crate::http::api::ErrorBody),
        ActErrors))]
async fn cast(
    citizen: ApiCitizen,
    Id(heading): Id<HeadingId>,
    ApiJson(body): ApiJson<BallotBody>,
) -> Result<impl IntoResponse, ApiError> {
    let ids: Option<Vec<ProjectId>> = body
        .projects
        .iter()
        .map(|p| p.trim().parse().ok())
        .collect();
    let user = citizen.user();
    // Ballots keep the read cache.
    let ballot = citizen
        .tx(async |tx| {
            let projects =
                ids.ok_or(EngineError::invalid(Field::Projects, Problem::NotOnBallot))?;
            let change = Change::Replace {
                projects,
                submit: body.submit,
            };
            Ok::<_, ApiError>(ballots::change(tx, user, heading, change).await?)
        })
        .await?;
    Ok(Json(BallotView::from(ballot)))
}
