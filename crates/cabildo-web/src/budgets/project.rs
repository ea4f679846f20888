//! `/budget-projects/{id}`: a project with its review, supports, a follow
//! button and its execution; supporting it, and its author's picture.

use crate::budgets::DoneQuery;
use crate::budgets::cached::{self, heading_context};
use crate::budgets::heading::DONE;
use crate::http::council::Council;
use crate::http::error::PageError;
use crate::http::extract::{Citizen, CsrfForm, Id, Upload};
use crate::http::storage::Picture;
use crate::ui::chrome::Chrome;
use crate::ui::format::{coded, money, paragraphs};
use crate::ui::i18n::Tr;
use crate::ui::tabs::ProcessTabs;
use askama::Template;
use axum::extract::Query;
use axum::response::{Redirect, Response};
use cabildo_engine::Refusal;
use cabildo_engine::budgets::execution::{self, Update};
use cabildo_engine::budgets::projects::{self, Project};
use cabildo_engine::budgets::setup::Phase;
use cabildo_engine::budgets::supports;
use cabildo_engine::content::Target;
use cabildo_engine::follows;
use cabildo_engine::ids::{HeadingId, ProjectId};
use serde::Deserialize;

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
    tabs: ProcessTabs,
    id: String,
    number: i64,
    title: String,
    title_lang: Option<String>,
    description: Vec<String>,
    description_lang: Option<String>,
    location: String,
    /// Its place on the map (an inline SVG), and the tiles' credit.
    map: Option<String>,
    attribution: String,
    /// The visitor may set where it is.
    may_place: bool,
    image: Option<String>,
    cost: String,
    heading_id: String,
    heading_name: String,
    heading_lang: Option<String>,
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
    /// Once results are published: won or not, in words with its votes.
    outcome: Option<String>,
    execution: Option<String>,
    progress: i16,
    updates: Vec<UpdateLine>,
    notice: Option<String>,
}

/// The published outcome of project `number` in words ("Financiado, con 12
/// votos"), once the heading's budget is finished and counted.
async fn outcome(
    council: &Council,
    heading: HeadingId,
    number: i64,
) -> Result<Option<String>, PageError> {
    let counts = match cached::counts(council, heading).await {
        Ok(counts) => counts,
        // Still being counted: the page says nothing of the outcome yet.
        Err(PageError::Refused(Refusal::Counting)) => return Ok(None),
        Err(error) => return Err(error),
    };
    let number = number.to_string();
    let Some(line) = counts.0.outcome.projects.iter().find(|p| p.id == number) else {
        return Ok(None);
    };
    let tr = &council.tr;
    let won = tr.t(if line.selected {
        "budget-won"
    } else {
        "budget-lost"
    });
    Ok(Some(tr.args(
        "budget-project-outcome",
        &[
            ("outcome", won),
            ("votes", tr.count("budget-votes-count", line.votes)),
        ],
    )))
}

/// A project, its updates, and whether the visitor supports it, follows
/// it and may place it.
async fn found(
    council: &Council,
    id: ProjectId,
) -> Result<(Project, Vec<Update>, [bool; 3]), PageError> {
    let viewer = council.user();
    council
        .tx(async |tx| {
            let project = projects::get(tx, id).await?.ok_or(PageError::NotFound)?;
            let updates = execution::updates(tx, id).await?;
            let viewing = match viewer {
                Some(user) => [
                    supports::of_person(tx, user, project.heading)
                        .await?
                        .contains(&id),
                    follows::follows(tx, user, Target::Project(id)).await?,
                    projects::placeable_by(tx, user, id).await?,
                ],
                None => [false; 3],
            };
            let mut project = project;
            project.localize(council.tr.code(), &council.settings.default_language);
            Ok((project, updates, viewing))
        })
        .await
}

/// `GET /budget-projects/{id}`.
pub async fn show(
    council: Council,
    Id(id): Id<ProjectId>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let (project, updates, [supported, following, may_place]) = found(&council, id).await?;
    let (tabs, budget) = heading_context(&council, project.heading).await?;
    let outcome = match budget.phase == Phase::Finished && project.on_ballot {
        true => outcome(&council, project.heading, project.number).await?,
        false => None,
    };
    let tr = &council.tr;
    let viewer = council.user();
    let (heading_name, heading_lang) = budget
        .headings
        .iter()
        .find(|h| h.id == project.heading)
        .map_or((String::new(), None), |h| {
            (h.name.clone(), h.name_lang.clone())
        });
    let page = ProjectPage {
        tr,
        chrome: &council.chrome,
        tabs,
        id: id.to_string(),
        number: project.number,
        description: paragraphs(&project.description),
        description_lang: project.description_lang.clone(),
        location: project.location,
        map: crate::places::one(
            &council,
            project.latitude.zip(project.longitude),
            &tr.t("project-map"),
        ),
        attribution: crate::places::attribution(&council),
        may_place,
        image: project.image,
        cost: money(tr, project.cost_cents, &budget.currency),
        heading_id: project.heading.to_string(),
        heading_name,
        heading_lang,
        feasibility: coded(tr, "budget-feasibility", project.feasibility.as_str()),
        explanation: project.feasibility_explanation,
        on_ballot: project.on_ballot,
        supports: project.supports_count,
        supportable: budget.phase == Phase::Selecting
            && project.feasibility == projects::Feasibility::Feasible,
        supported,
        logged_in: viewer.is_some(),
        following,
        may_picture: viewer.is_some()
            && project.author == viewer
            && budget.phase == Phase::Accepting,
        reportable: project.author.is_some(),
        outcome,
        execution: (project.execution_status).map(|s| coded(tr, "budget-execution", s.as_str())),
        progress: project.progress,
        updates: updates.into_iter().map(|u| update_line(tr, u)).collect(),
        notice: query.notice(tr, "budget-done", &DONE),
        title: project.title,
        title_lang: project.title_lang,
    };
    let rendered = council.render(&page)?;
    Ok(crate::places::with_map(
        &council,
        rendered,
        page.map.is_some(),
    ))
}

/// An execution update as the project page shows it.
fn update_line(tr: &Tr, u: Update) -> UpdateLine {
    UpdateLine {
        date: tr.date(u.created_at),
        status: coded(tr, "budget-execution", u.status.as_str()),
        progress: u.progress,
        body: paragraphs(&u.body),
        image: u.image,
    }
}

/// Supporting a project, or no longer: back to the heading (`back` =
/// heading) or the project.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SupportForm {
    action: String,
    back: String,
}

/// `POST /budget-projects/{id}/support`. Supports keep the read cache.
pub async fn support(
    citizen: Citizen,
    Id(project): Id<ProjectId>,
    CsrfForm(form): CsrfForm<SupportForm>,
) -> Result<Redirect, PageError> {
    let adding = form.action != "unsupport";
    let done = if adding { "supported" } else { "unsupported" };
    let user = citizen.user();
    let back = citizen
        .tx(async |tx| {
            if adding {
                supports::support(tx, user, project).await?;
            } else {
                supports::unsupport(tx, user, project).await?;
            }
            if form.back != "heading" {
                return Ok(format!("/budget-projects/{project}?done={done}#support"));
            }
            let p = projects::get(tx, project).await?.ok_or(Refusal::NotFound)?;
            Ok::<_, PageError>(format!(
                "/budget-headings/{}?done={done}#project-{}",
                p.heading, p.number
            ))
        })
        .await?;
    Ok(Redirect::to(&back))
}

/// `POST /budget-projects/{id}/image` (multipart, field `image`): the
/// author adds or replaces the project's picture while projects are
/// accepted.
pub async fn upload_image(
    citizen: Citizen,
    Id(project): Id<ProjectId>,
    upload: Upload,
) -> Result<Redirect, PageError> {
    let picture = Picture::check(upload.file("image"))?;
    let user = citizen.user();
    let (staged, replaced) = citizen
        .change(async |tx| {
            let replaced = projects::set_image(tx, user, project, picture.name()).await?;
            Ok::<_, PageError>((citizen.stage(user, &picture).await?, replaced))
        })
        .await?;
    staged.keep(replaced).await?;
    Ok(Redirect::to(&format!(
        "/budget-projects/{project}?done=pictured"
    )))
}
