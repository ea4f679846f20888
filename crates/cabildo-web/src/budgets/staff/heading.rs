//! The staff page of a budget heading: its projects with their review,
//! the ballot, paper votes one by one or from a count file, qualified
//! proposals to import, and execution updates of the winners.

use crate::budgets::DoneQuery;
use crate::budgets::heading::{ProjectForm, estimated_cost};
use crate::budgets::staff::staff_project;
use crate::http::error::PageError;
use crate::http::extract::needs::ManageBudgets;
use crate::http::extract::{Citizen, CsrfForm, Granted, Id, Staff, Upload};
use crate::http::storage::Picture;
use crate::notifications::deliver;
use crate::ui::chrome::Chrome;
use crate::ui::format::{cents_text, coded, money};
use crate::ui::forms::{cents, typed};
use crate::ui::i18n::{Tr, native_name};
use askama::Template;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use cabildo_engine::budgets::execution::{self, NewUpdate, Status};
use cabildo_engine::budgets::projects::{self, Feasibility, Importable, Project};
use cabildo_engine::budgets::setup::{self, Budget, Phase};
use cabildo_engine::budgets::tally::{self, CountState};
use cabildo_engine::ids::{HeadingId, ProjectId, ProposalId};
use cabildo_engine::staff::Permission;
use cabildo_engine::translations::Translations;
use cabildo_engine::{Error as EngineError, Field, LineError, Problem};
use serde::Deserialize;
use std::collections::HashMap;

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
    /// On the ballot once voting began: its review is frozen.
    frozen: bool,
    execution: String,
    progress: i16,
    /// Its texts in the council's other languages: (code, language's
    /// name, title, description).
    translations: Vec<(String, &'static str, String, String)>,
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
    id: String,
    process_id: String,
    budget_title: String,
    name: String,
    amount: String,
    phase: String,
    /// Once voting has ended: how counting it stands.
    count: Option<String>,
    admin: bool,
    /// Before voting: projects go on and off the ballot.
    may_set_ballot: bool,
    /// Voting or counting: paper votes are entered.
    paper: bool,
    /// Results are published: admins may recount.
    finished: bool,
    projects: Vec<StaffProject>,
    importable: Vec<ImportLine>,
    verdicts: Vec<(&'static str, String)>,
    statuses: Vec<(&'static str, String)>,
    notice: Option<String>,
}

/// The done codes of the heading page.
const DONE: [&str; 9] = [
    "created",
    "imported",
    "reviewed",
    "ballot",
    "paper",
    "paper-file",
    "update",
    "recounted",
    "translated",
];

/// A project as staff see it; `winners` are the finished budget's,
/// `others` the council's languages but the default.
fn staff_project_line(
    tr: &Tr,
    budget: &Budget,
    p: Project,
    winners: &[ProjectId],
    others: &[String],
) -> StaffProject {
    let text = |code: &str, field: &str| {
        p.translations
            .get(code, field)
            .unwrap_or_default()
            .to_owned()
    };
    let translations = others
        .iter()
        .map(|code| {
            let (title, description) = (text(code, "title"), text(code, "description"));
            (code.clone(), native_name(code), title, description)
        })
        .collect();
    StaffProject {
        translations,
        id: p.id.to_string(),
        number: p.number.to_string(),
        cost: money(tr, p.cost_cents, &budget.currency),
        feasibility_label: coded(tr, "budget-feasibility", p.feasibility.as_str()),
        feasibility: p.feasibility.to_string(),
        explanation: p.feasibility_explanation,
        official_cost: cents_text(p.cost_cents),
        supports: p.supports_count,
        on_ballot: p.on_ballot,
        paper_votes: p.paper_votes,
        winner: winners.contains(&p.id),
        frozen: p.on_ballot
            && matches!(
                budget.phase,
                Phase::Balloting | Phase::Tallying | Phase::Finished
            ),
        execution: p
            .execution_status
            .map(|s| coded(tr, "budget-execution", s.as_str()))
            .unwrap_or_default(),
        progress: p.progress,
        title: p.title,
    }
}

/// `GET /staff/budget-headings/{id}` (admins and evaluators).
pub async fn page(
    staff: Staff,
    Id(heading): Id<HeadingId>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, PageError> {
    staff.require(Permission::ReviewProjects)?;
    let (budget, list, importable, winners, count) = load(&staff, heading).await?;
    let tr = &staff.tr;
    let info = budget
        .headings
        .iter()
        .find(|h| h.id == heading)
        .ok_or(PageError::NotFound)?;
    staff.render(&HeadingPage {
        tr,
        chrome: &staff.chrome,
        id: heading.to_string(),
        process_id: budget.process.to_string(),
        budget_title: budget.title.clone(),
        name: info.name.clone(),
        amount: money(tr, info.amount_cents, &budget.currency),
        phase: tr.t(&format!("budget-phase-{}", budget.phase.as_str())),
        admin: staff.may(Permission::ManageBudgets),
        may_set_ballot: matches!(
            budget.phase,
            Phase::Upcoming | Phase::Accepting | Phase::Reviewing | Phase::Selecting
        ),
        paper: matches!(budget.phase, Phase::Balloting | Phase::Tallying),
        finished: budget.phase == Phase::Finished,
        projects: list
            .into_iter()
            .map(|p| staff_project_line(tr, &budget, p, &winners, &staff.other_languages()))
            .collect(),
        importable: importable.into_iter().map(ImportLine::from).collect(),
        // The verdicts an evaluator gives (not "pending").
        verdicts: (Feasibility::ALL
            .iter()
            .filter(|f| **f != Feasibility::Pending))
        .map(|f| (f.as_str(), coded(tr, "budget-feasibility", f.as_str())))
        .collect(),
        statuses: Status::ALL
            .iter()
            .map(|s| (s.as_str(), coded(tr, "budget-execution", s.as_str())))
            .collect(),
        notice: query.notice(tr, "staff-budget-done", &DONE),
        count: count.and_then(|state| super::setup::count_line(tr, &state)),
    })
}

/// What a heading's page shows: its budget, projects, importable
/// proposals, (once finished) winners, and how counting it stands.
type Loaded = (
    Budget,
    Vec<Project>,
    Vec<Importable>,
    Vec<ProjectId>,
    Option<CountState>,
);

/// A heading's budget, projects, importable proposals, (once finished)
/// winners, and how counting it stands.
async fn load(staff: &Staff, heading: HeadingId) -> Result<Loaded, PageError> {
    staff
        .tx(async |tx| {
            let budget = setup::of_heading(tx, heading)
                .await?
                .ok_or(PageError::NotFound)?;
            let list = projects::of_heading(tx, heading).await?;
            let importable = projects::importable(tx, budget.id).await?;
            let winners = match budget.phase {
                // Results that cannot be computed have no winners to follow.
                Phase::Finished => match execution::winners(tx, heading).await {
                    Err(EngineError::Store(error)) => return Err(error.into()),
                    computed => computed.unwrap_or_default(),
                },
                _ => Vec::new(),
            };
            let count = (tally::count_states(tx, budget.id).await?)
                .into_iter()
                .find(|(id, _)| *id == heading)
                .map(|(_, state)| state);
            Ok((budget, list, importable, winners, count))
        })
        .await
}

impl From<Importable> for ImportLine {
    fn from(i: Importable) -> Self {
        Self {
            id: i.id.to_string(),
            title: i.title,
            supports: i.supports_count,
        }
    }
}

/// Where a heading's staff page is, with a notice.
fn back(heading: HeadingId, done: &str) -> Redirect {
    Redirect::to(&format!("/staff/budget-headings/{heading}?done={done}"))
}

/// `POST /staff/budget-headings/{id}/projects`: a project by the council.
pub async fn create_project(
    citizen: Citizen,
    Id(heading): Id<HeadingId>,
    CsrfForm(form): CsrfForm<ProjectForm>,
) -> Result<Redirect, PageError> {
    let new = form.project(&citizen, heading).await?;
    let (user, actor) = (citizen.user(), citizen.actor());
    citizen
        .change(async |tx| {
            cabildo_engine::staff::require(tx, user, Permission::ManageBudgets).await?;
            Ok::<_, PageError>(projects::create(tx, &actor, None, &new).await?)
        })
        .await?;
    Ok(back(heading, "created"))
}

/// A qualified proposal to import, and its cost.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ImportForm {
    proposal: String,
    cost: String,
}

/// `POST /staff/budget-headings/{id}/import`: a qualified proposal becomes
/// a project costing `cost`.
pub async fn import_proposal(
    citizen: Citizen,
    Id(heading): Id<HeadingId>,
    CsrfForm(form): CsrfForm<ImportForm>,
) -> Result<Redirect, PageError> {
    let proposal: ProposalId = form
        .proposal
        .trim()
        .parse()
        .map_err(|_| PageError::NotFound)?;
    let cost = estimated_cost(&form.cost)?;
    let (user, actor) = (citizen.user(), citizen.actor());
    citizen
        .change(async |tx| {
            cabildo_engine::staff::require(tx, user, Permission::ManageBudgets).await?;
            Ok::<_, PageError>(
                projects::import_proposal(tx, &actor, heading, proposal, cost).await?,
            )
        })
        .await?;
    Ok(back(heading, "imported"))
}

/// A feasibility review.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReviewForm {
    verdict: String,
    explanation: String,
    official_cost: String,
}

/// `POST /staff/budget-projects/{id}/review`: the author and followers
/// are told.
pub async fn review(
    citizen: Citizen,
    Id(project): Id<ProjectId>,
    CsrfForm(form): CsrfForm<ReviewForm>,
) -> Result<Redirect, PageError> {
    let verdict = Feasibility::parse(&form.verdict)
        .ok_or(EngineError::invalid(Field::Verdict, Problem::ChoiceInvalid))?;
    let official = match form.official_cost.trim() {
        "" => None,
        typed => Some(cents(typed, Field::OfficialCost)?),
    };
    let (user, language) = (citizen.user(), citizen.tr.code().to_owned());
    let actor = citizen.actor();
    let heading = citizen
        .change(async |tx| {
            let heading = staff_project(tx, user, project, Permission::ReviewProjects).await?;
            let notices =
                projects::review(tx, &actor, project, verdict, &form.explanation, official).await?;
            deliver(tx, &notices, &language).await?;
            Ok::<_, PageError>(heading)
        })
        .await?;
    Ok(back(heading, "reviewed"))
}

/// `on_ballot` = `on` puts a project on the ballot; anything else takes
/// it off.
#[derive(Debug, Default, Deserialize)]
pub struct BallotForm {
    #[serde(default)]
    on_ballot: String,
}

/// `POST /staff/budget-projects/{id}/ballot`.
pub async fn set_on_ballot(
    citizen: Citizen,
    Id(project): Id<ProjectId>,
    CsrfForm(form): CsrfForm<BallotForm>,
) -> Result<Redirect, PageError> {
    let on = form.on_ballot == "on";
    let (user, actor) = (citizen.user(), citizen.actor());
    let heading = citizen
        .change(async |tx| {
            let heading = staff_project(tx, user, project, Permission::ManageBudgets).await?;
            projects::set_on_ballot(tx, &actor, project, on).await?;
            Ok::<_, PageError>(heading)
        })
        .await?;
    Ok(back(heading, "ballot"))
}

/// Votes counted on paper for one project.
#[derive(Debug, Default, Deserialize)]
pub struct PaperForm {
    #[serde(default)]
    votes: String,
}

/// `POST /staff/budget-projects/{id}/paper-votes`.
pub async fn paper_votes(
    citizen: Citizen,
    Id(project): Id<ProjectId>,
    CsrfForm(form): CsrfForm<PaperForm>,
) -> Result<Redirect, PageError> {
    let votes: i32 = typed(&form.votes, Field::PaperVotes, Problem::NumberInvalid)?;
    let (user, actor) = (citizen.user(), citizen.actor());
    let heading = citizen
        .change(async |tx| {
            let heading = staff_project(tx, user, project, Permission::ManageBudgets).await?;
            projects::set_paper_votes(tx, &actor, project, votes).await?;
            Ok::<_, PageError>(heading)
        })
        .await?;
    Ok(back(heading, "paper"))
}

/// `POST /staff/budget-headings/{id}/paper-votes` (multipart, field
/// `file`): a count file, taken whole or not at all.
pub async fn paper_file(
    citizen: Granted<ManageBudgets>,
    Id(heading): Id<HeadingId>,
    upload: Upload,
) -> Result<Response, PageError> {
    let file = upload.file("file");
    let Ok(text) = std::str::from_utf8(&file) else {
        let problem = Problem::FileNotText;
        return Err(PageError::Line(LineError { line: 0, problem }));
    };
    let (user, actor) = (citizen.user(), citizen.actor());
    citizen
        .change(async |tx| {
            if !cabildo_engine::staff::may(tx, user, Permission::ManageBudgets).await? {
                return Err(PageError::NotStaff);
            }
            Ok(projects::import_paper_votes(tx, &actor, heading, text).await?)
        })
        .await?;
    Ok(back(heading, "paper-file").into_response())
}

/// An execution update as typed (with an optional photo).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UpdateForm {
    status: String,
    progress: String,
    body: String,
}

/// `POST /staff/budget-projects/{id}/updates` (multipart: `status`,
/// `progress`, `body`, optional `photo`): an execution update of a
/// winner; followers are told.
pub async fn post_update(
    citizen: Granted<ManageBudgets>,
    Id(project): Id<ProjectId>,
    upload: Upload,
) -> Result<Redirect, PageError> {
    let form: UpdateForm = upload.form()?;
    let status = Status::parse(&form.status)
        .ok_or(EngineError::invalid(Field::Status, Problem::StatusInvalid))?;
    let progress: i16 = typed(&form.progress, Field::Progress, Problem::PercentInvalid)?;
    let photo = upload.file("photo");
    let photo = match photo.is_empty() {
        true => None,
        false => Some(Picture::check(photo)?),
    };
    let new = NewUpdate {
        status,
        progress,
        body: form.body,
        image: photo.as_ref().map(|p| p.name().to_owned()),
    };
    let (user, language) = (citizen.user(), citizen.tr.code().to_owned());
    let actor = citizen.actor();
    let (heading, staged) = citizen
        .change(async |tx| {
            let heading = staff_project(tx, user, project, Permission::ManageBudgets).await?;
            let notices = execution::post(tx, &actor, project, &new).await?;
            deliver(tx, &notices, &language).await?;
            let staged = match &photo {
                Some(photo) => Some(citizen.stage(user, photo).await?),
                None => None,
            };
            Ok::<_, PageError>((heading, staged))
        })
        .await?;
    if let Some(staged) = staged {
        staged.keep(None).await?;
    }
    Ok(back(heading, "update"))
}

/// Why a heading is counted again.
#[derive(Debug, Default, Deserialize)]
pub struct RecountForm {
    #[serde(default)]
    reason: String,
}

/// `POST /staff/budget-headings/{id}/recount` (admins): a finished heading
/// is counted again and the new count published; the one it replaces stays
/// on the results page (audited).
pub async fn recount(
    citizen: Citizen,
    Id(heading): Id<HeadingId>,
    CsrfForm(form): CsrfForm<RecountForm>,
) -> Result<Redirect, PageError> {
    let (user, actor) = (citizen.user(), citizen.actor());
    citizen
        .change(async |tx| {
            cabildo_engine::staff::require(tx, user, Permission::ManageBudgets).await?;
            tally::recount(tx, &actor, heading, &form.reason).await
        })
        .await?;
    Ok(back(heading, "recounted"))
}

/// `POST /staff/budget-projects/{id}/translations` (admins): the project's
/// title and description in the council's other languages
/// (`tr-{language}-title`, `tr-{language}-description`).
pub async fn translate(
    citizen: Citizen,
    Id(project): Id<ProjectId>,
    CsrfForm(values): CsrfForm<HashMap<String, String>>,
) -> Result<Redirect, PageError> {
    let mut texts = Translations::new();
    for code in citizen.other_languages() {
        for field in ["title", "description"] {
            if let Some(text) = values.get(&format!("tr-{code}-{field}")) {
                texts.set(&code, field, text);
            }
        }
    }
    let (user, actor) = (citizen.user(), citizen.actor());
    let heading = citizen
        .change(async |tx| {
            let heading = staff_project(tx, user, project, Permission::ManageBudgets).await?;
            projects::translate(tx, &actor, project, &texts).await?;
            Ok::<_, PageError>(heading)
        })
        .await?;
    Ok(back(heading, "translated"))
}
