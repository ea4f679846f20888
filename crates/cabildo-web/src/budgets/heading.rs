//! `/budget-headings/{id}`: a heading's projects with what the phase lets
//! the visitor do (propose a project, support projects, fill the ballot),
//! in plain forms.

use crate::budgets::DoneQuery;
use crate::budgets::cached::{self, heading_context};
use crate::http::council::Council;
use crate::http::error::PageError;
use crate::http::extract::{Citizen, CsrfForm, Id, Upload};
use crate::http::storage::Picture;
use crate::ui::chrome::Chrome;
use crate::ui::format::{coded, money};
use crate::ui::forms::cents;
use crate::ui::i18n::Tr;
use crate::ui::tabs::ProcessTabs;
use askama::Template;
use axum::extract::Query;
use axum::response::{Redirect, Response};
use cabildo_engine::Error as EngineError;
use cabildo_engine::Refusal;
use cabildo_engine::budgets::ballots::{self, Ballot, Change};
use cabildo_engine::budgets::projects::{self, NewProject, Project};
use cabildo_engine::budgets::setup::{Budget, Phase, Style};
use cabildo_engine::budgets::supports;
use cabildo_engine::ids::{HeadingId, ProjectId};
use cabildo_engine::{Field, Problem};
use serde::Deserialize;
use std::sync::Arc;

/// A project on the heading page.
pub struct ProjectLine {
    id: String,
    number: i64,
    title: String,
    title_lang: Option<String>,
    description: String,
    description_lang: Option<String>,
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
    /// The chosen projects: (title, cost).
    chosen: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "budget_heading.html")]
struct HeadingPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    tabs: ProcessTabs,
    id: String,
    name: String,
    name_lang: Option<String>,
    amount: String,
    phase: String,
    /// Until when the current phase lets people act.
    deadline: Option<String>,
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

/// What concerns the visitor on a heading: its projects (with counts as
/// they are now when they support), their ballot or supports.
struct Theirs {
    projects: Arc<Vec<Project>>,
    ballot: Option<Result<Ballot, Refusal>>,
    supported: Vec<ProjectId>,
}

async fn theirs(
    council: &Council,
    budget: &Budget,
    heading: HeadingId,
) -> Result<Theirs, PageError> {
    let voting = matches!(budget.phase, Phase::Balloting | Phase::Selecting);
    let (Some(user), true) = (council.user(), voting) else {
        let projects = cached::projects(council, heading).await?;
        return Ok(Theirs {
            projects,
            ballot: None,
            supported: Vec::new(),
        });
    };
    if budget.phase == Phase::Balloting {
        let projects = cached::projects(council, heading).await?;
        let ballot = council
            .tx(async |tx| EngineError::split(ballots::get(tx, user, heading).await))
            .await?;
        return Ok(Theirs {
            projects,
            ballot: Some(ballot),
            supported: Vec::new(),
        });
    }
    council
        .tx(async |tx| {
            let projects = cached::localized(council, projects::of_heading(tx, heading).await?);
            let supported = supports::of_person(tx, user, heading).await?;
            Ok::<_, EngineError>(Theirs {
                projects,
                ballot: None,
                supported,
            })
        })
        .await
        .map_err(PageError::from)
}

/// The notices after a citizen's action.
pub(crate) const DONE: [&str; 8] = [
    "added",
    "removed",
    "submitted",
    "proposed",
    "pictured",
    "placed",
    "supported",
    "unsupported",
];

/// A heading's project as shown to `tr`'s visitor.
/// `remaining` is what the visitor's ballot has left, `chosen` what is on it.
fn line(
    tr: &Tr,
    budget: &Budget,
    p: Project,
    (remaining, chosen): (i64, &[ProjectId]),
    supported: &[ProjectId],
) -> ProjectLine {
    let knapsack = budget.style == Style::Knapsack;
    ProjectLine {
        id: p.id.to_string(),
        number: p.number,
        in_ballot: chosen.contains(&p.id),
        fits: !knapsack || p.cost_cents <= remaining,
        supportable: budget.phase == Phase::Selecting
            && p.feasibility == projects::Feasibility::Feasible,
        supported: supported.contains(&p.id),
        supports: p.supports_count,
        execution: p.execution_status.as_ref().map(|status| {
            let status = coded(tr, "budget-execution", status.as_str());
            format!("{status} · {} %", p.progress)
        }),
        title: p.title,
        title_lang: p.title_lang,
        description: p.description,
        description_lang: p.description_lang,
        location: p.location,
        cost: money(tr, p.cost_cents, &budget.currency),
        feasibility: coded(tr, "budget-feasibility", p.feasibility.as_str()),
        explanation: p.feasibility_explanation,
        on_ballot: p.on_ballot,
    }
}

/// A ballot as shown.
fn ballot_box(tr: &Tr, b: &Ballot, currency: &str, listed: &[Project]) -> BallotBox {
    let chosen = tr.count("budget-ballot-projects", b.projects.len() as i64);
    BallotBox {
        chosen: (listed.iter())
            .filter(|p| b.projects.contains(&p.id))
            .map(|p| (p.title.clone(), money(tr, p.cost_cents, currency)))
            .collect(),
        total: money(tr, b.total_cents, currency),
        remaining: money(tr, b.remaining_cents(), currency),
        amount_cents: b.amount_cents,
        total_cents: b.total_cents,
        count: b.projects.len(),
        count_label: match b.max_projects {
            Some(max) => format!("{chosen} · {}", tr.count("budget-max-projects", max.into())),
            None => chosen,
        },
        submitted: b.submitted,
        changeable: b.changeable,
    }
}

/// `GET /budget-headings/{id}`.
pub async fn show(
    council: Council,
    Id(heading): Id<HeadingId>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let (tabs, budget) = heading_context(&council, heading).await?;
    let theirs = theirs(&council, &budget, heading).await?;
    let info = budget
        .headings
        .iter()
        .find(|h| h.id == heading)
        .ok_or(PageError::NotFound)?;
    let tr = &council.tr;
    let balloting = budget.phase == Phase::Balloting;
    let (ballot, denied) = match theirs.ballot.clone() {
        Some(Ok(ballot)) => (Some(ballot), None),
        Some(Err(refusal)) => (None, Some(tr.t(refusal.key()))),
        None => (None, None),
    };
    let projects = lines(tr, &budget, &theirs, ballot.as_ref(), info.amount_cents);
    let selecting = budget.phase == Phase::Selecting;
    council.render(&HeadingPage {
        tr,
        chrome: &council.chrome,
        tabs,
        id: heading.to_string(),
        name: info.name.clone(),
        name_lang: info.name_lang.clone(),
        amount: money(tr, info.amount_cents, &budget.currency),
        phase: tr.t(&format!("budget-phase-{}", budget.phase.as_str())),
        deadline: crate::budgets::calendar::deadline(tr, &budget),
        balloting,
        accepting: budget.phase == Phase::Accepting,
        finished: budget.phase == Phase::Finished,
        selecting,
        logged_in: council.user().is_some(),
        supports_limit: budget
            .max_supports
            .filter(|_| selecting)
            .map(|m| tr.count("budget-supports-limit", m.into())),
        notice: query.notice(tr, "budget-done", &DONE),
        projects,
        ballot: ballot.map(|b| ballot_box(tr, &b, &budget.currency, &theirs.projects)),
        denied,
        login_to_vote: balloting && council.user().is_none(),
    })
}

/// The heading's projects as listed (while voting, those on the ballot),
/// each with whether the visitor's ballot holds it and whether it fits.
fn lines(
    tr: &Tr,
    budget: &Budget,
    theirs: &Theirs,
    ballot: Option<&Ballot>,
    amount_cents: i64,
) -> Vec<ProjectLine> {
    let remaining = ballot.map_or(amount_cents, Ballot::remaining_cents);
    let chosen = ballot.map(|b| b.projects.clone()).unwrap_or_default();
    let balloting = budget.phase == Phase::Balloting;
    (theirs.projects.iter())
        .filter(|p| !balloting || p.on_ballot)
        .map(|p| {
            line(
                tr,
                budget,
                p.clone(),
                (remaining, &chosen),
                &theirs.supported,
            )
        })
        .collect()
}

/// The estimated cost a form gives in `cost` (currency units), or why not.
pub(crate) fn estimated_cost(typed: &str) -> Result<i64, PageError> {
    Ok(cents(typed, Field::EstimatedCost)?)
}

/// A project as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProjectForm {
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) location: String,
    pub(crate) cost: String,
}

impl ProjectForm {
    /// The project typed for `heading`, its location placed on the map by
    /// the geocoder when one is configured (the point can be moved on the
    /// project's place page).
    pub(crate) async fn project(
        self,
        council: &Council,
        heading: HeadingId,
    ) -> Result<NewProject, PageError> {
        let estimated_cost_cents = estimated_cost(&self.cost)?;
        let (point, _) = crate::places::locate(council, &self.location, None).await?;
        Ok(NewProject {
            heading,
            estimated_cost_cents,
            title: self.title,
            description: self.description,
            location: self.location,
            point,
        })
    }
}

/// `POST /budget-headings/{id}/projects` (multipart): a citizen proposes
/// a project while the budget accepts them (`title`, `description`,
/// `location`, `cost` in currency units, optional picture `image`).
pub async fn propose(
    citizen: Citizen,
    Id(heading): Id<HeadingId>,
    upload: Upload,
) -> Result<Redirect, PageError> {
    let typed: ProjectForm = upload.form()?;
    let new = typed.project(&citizen, heading).await?;
    let picture = upload.file("image");
    let picture = match picture.is_empty() {
        true => None,
        false => Some(Picture::check(picture)?),
    };
    let (user, actor) = (citizen.user(), citizen.actor());
    let (id, staged) = citizen
        .change(async |tx| {
            let id = projects::create(tx, &actor, Some(user), &new).await?;
            let Some(picture) = &picture else {
                return Ok::<_, PageError>((id, None));
            };
            projects::set_image(tx, user, id, picture.name()).await?;
            Ok((id, Some(citizen.stage(user, picture).await?)))
        })
        .await?;
    if let Some(staged) = staged {
        staged.keep(None).await?;
    }
    Ok(Redirect::to(&format!(
        "/budget-projects/{id}?done=proposed"
    )))
}

/// A change to the ballot: `action` = add, remove or submit (with
/// `project` for add and remove).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BallotForm {
    action: String,
    project: String,
}

/// `POST /budget-headings/{id}/ballot`. Ballots keep the read cache.
pub async fn change_ballot(
    citizen: Citizen,
    Id(heading): Id<HeadingId>,
    CsrfForm(form): CsrfForm<BallotForm>,
) -> Result<Redirect, PageError> {
    let project = form.project.trim().parse().ok();
    let (change, done) = match (form.action.as_str(), project) {
        ("add", Some(project)) => (Change::Add(project), "added"),
        ("remove", Some(project)) => (Change::Remove(project), "removed"),
        ("submit", _) => (Change::Submit, "submitted"),
        _ => {
            return Err(EngineError::invalid(Field::Projects, Problem::NotOnBallot).into());
        }
    };
    let user = citizen.user();
    citizen
        .tx(async |tx| {
            ballots::change(tx, user, heading, change).await?;
            Ok::<_, PageError>(())
        })
        .await?;
    Ok(Redirect::to(&format!(
        "/budget-headings/{heading}?done={done}#ballot"
    )))
}
