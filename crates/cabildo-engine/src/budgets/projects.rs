//! Budget projects: proposed by citizens while projects are accepted,
//! created by staff at any time, or imported from the process's qualified
//! proposals; reviewed for feasibility by evaluators (an unfeasible verdict
//! needs an explanation; the official cost replaces the estimate; the
//! author and followers are told); put on the ballot by staff once
//! feasible; paper votes entered by staff one by one or from a CSV file.

use super::setup::PHASE;
use crate::content::{Change, Notice, Target, notify_followers, notify_user, text};
use crate::error::{Error, Field, LineError, Problem, Refusal, Result};
use crate::follows::follow;
use crate::ids::{BudgetId, HeadingId, ProjectId, ProposalId, UserId};
use crate::stored::stored;

use crate::staff::{Actor, audit};
use crate::translations::{self, Translations};
use cabildo_tenancy::TenantTx;
use serde_json::json;
use uuid::Uuid;

/// A project as typed.
#[derive(Clone, Debug, PartialEq)]
pub struct NewProject {
    /// Its heading.
    pub heading: HeadingId,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Where, in words.
    pub location: String,
    /// Where on the map: latitude, longitude.
    pub point: Option<(f64, f64)>,
    /// Estimated cost in cents.
    pub estimated_cost_cents: i64,
}

stored! {
    /// A feasibility verdict.
    pub enum Feasibility {
        /// Not reviewed yet.
        Pending = "pending",
        /// It can be done.
        Feasible = "feasible",
        /// It cannot (an explanation is required).
        Unfeasible = "unfeasible",
        /// The author must say more.
        NeedsInfo = "needs_info",
    }
}

/// A project as everyone sees it.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct Project {
    /// Id.
    pub id: ProjectId,
    /// Public number.
    pub number: i64,
    /// Heading.
    pub heading: HeadingId,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Where, in words.
    pub location: String,
    /// Latitude of its point on the map.
    pub latitude: Option<f64>,
    /// Longitude of its point on the map.
    pub longitude: Option<f64>,
    /// The official cost once reviewed, else the estimate (cents).
    pub cost_cents: i64,
    /// The evaluators' verdict, or pending.
    pub feasibility: Feasibility,
    /// The evaluators' explanation.
    pub feasibility_explanation: String,
    /// On the ballot.
    pub on_ballot: bool,
    /// Supports.
    pub supports_count: i32,
    /// Counted paper votes.
    pub paper_votes: i32,
    /// Picture file name.
    pub image: Option<String>,
    /// Execution of a winner.
    pub execution_status: Option<crate::budgets::execution::Status>,
    /// Execution progress in percent.
    pub progress: i16,
    /// The proposal it came from.
    pub proposal: Option<ProposalId>,
    /// Its author (none: by the council). Not published.
    #[serde(skip)]
    pub author: Option<UserId>,
    /// Its title and description in the council's other languages.
    #[sqlx(json)]
    pub translations: Translations,
    /// The language of `title` when it is not the reader's (see
    /// [`Project::localize`]).
    #[sqlx(skip)]
    #[serde(skip)]
    pub title_lang: Option<String>,
    /// The language of `description` when it is not the reader's.
    #[sqlx(skip)]
    #[serde(skip)]
    pub description_lang: Option<String>,
}

impl Project {
    /// The title and description a reader in `language` sees, on a council
    /// whose default language is `default` (see
    /// [`crate::processes::Summary::localize`]).
    pub fn localize(&mut self, language: &str, default: &str) {
        let t = &self.translations;
        t.localize(
            "title",
            (&mut self.title, &mut self.title_lang),
            language,
            default,
        );
        let description = (&mut self.description, &mut self.description_lang);
        t.localize("description", description, language, default);
    }
}

/// Gives a project its title and description in the council's other
/// languages, replacing those it had (staff; audited).
pub async fn translate(
    tx: &mut TenantTx,
    actor: &Actor,
    project: ProjectId,
    texts: &Translations,
) -> Result<()> {
    translations::check(tx, texts, &[("title", 200), ("description", 20_000)]).await?;
    let number: Option<i64> = sqlx::query_scalar(
        "UPDATE budget_projects SET translations = $2 WHERE id = $1 RETURNING number",
    )
    .bind(project)
    .bind(sqlx::types::Json(texts))
    .fetch_optional(tx.conn())
    .await?;
    let Some(number) = number else {
        return Err(Refusal::NotFound.into());
    };
    audit(
        tx,
        actor,
        "budget.project_translate",
        Some(&project.to_string()),
        json!({"number": number, "languages": texts.languages().collect::<Vec<_>>()}),
    )
    .await?;
    Ok(())
}

/// The columns of [`Project`] from `budget_projects p`.
const COLUMNS: &str = "p.id, p.number, p.heading_id AS heading, p.title, p.description, p.location,
    p.latitude, p.longitude,
    coalesce(p.official_cost_cents, p.estimated_cost_cents) AS cost_cents, p.feasibility,
    p.feasibility_explanation, p.on_ballot, p.supports_count, p.paper_votes, p.image,
    p.execution_status, p.progress, p.proposal_id AS proposal, p.author_id AS author, p.translations";

/// Adds a project. With `author`, a citizen proposes it: only while the
/// budget accepts projects, with a confirmed, unblocked account. Without,
/// staff create it at any time.
pub async fn create(
    tx: &mut TenantTx,
    actor: &Actor,
    author: Option<UserId>,
    new: &NewProject,
) -> Result<ProjectId> {
    let title = text(&new.title, Field::Title, Problem::TitleInvalid, 3, 200)?;
    let description = text(
        &new.description,
        Field::Description,
        Problem::DescriptionInvalid,
        1,
        20_000,
    )?;
    let location = text(
        &new.location,
        Field::Location,
        Problem::LocationInvalid,
        0,
        500,
    )?;
    if !(1..=100_000_000_000_000_000).contains(&new.estimated_cost_cents) {
        return Err(Error::invalid(Field::EstimatedCost, Problem::AmountInvalid));
    }
    if new.point.is_some_and(|p| !crate::places::on_earth(p)) {
        return Err(Error::invalid(Field::Point, Problem::PointInvalid));
    }
    #[derive(sqlx::FromRow)]
    struct Facts {
        budget_id: Uuid,
        phase: String,
        confirmed: Option<bool>,
        blocked: Option<bool>,
    }
    let sql = format!(
        "SELECT b.id AS budget_id, {PHASE} AS phase,
                u.email_confirmed_at IS NOT NULL AS confirmed, u.blocked_at IS NOT NULL AS blocked
         FROM budget_headings h JOIN budgets b ON b.id = h.budget_id
         LEFT JOIN users u ON u.id = $2 AND u.deleted_at IS NULL
         WHERE h.id = $1"
    );
    let facts: Option<Facts> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(new.heading)
        .bind(author)
        .fetch_optional(tx.conn())
        .await?;
    let Some(facts) = facts else {
        return Err(Refusal::NotFound.into());
    };
    if author.is_some() {
        if facts.phase != "accepting" {
            return Err(Refusal::PhaseClosed.into());
        }
        if facts.confirmed != Some(true) {
            return Err(Refusal::NotRegistered.into());
        }
        if facts.blocked == Some(true) {
            return Err(Refusal::Blocked.into());
        }
    }
    let id: ProjectId = sqlx::query_scalar(
        "INSERT INTO budget_projects (budget_id, heading_id, author_id, title, description, location,
                                      latitude, longitude, estimated_cost_cents)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(facts.budget_id)
    .bind(new.heading)
    .bind(author)
    .bind(&title)
    .bind(&description)
    .bind(&location)
    .bind(new.point.map(|p| p.0))
    .bind(new.point.map(|p| p.1))
    .bind(new.estimated_cost_cents)
    .fetch_one(tx.conn())
    .await?;
    if let Some(author) = author {
        // Authors hear of the review and of the execution.
        follow(tx, author, Target::Project(id)).await?;
    } else {
        audit(
            tx,
            actor,
            "budget.project_create",
            Some(&id.to_string()),
            json!({"heading": new.heading, "cost_cents": new.estimated_cost_cents}),
        )
        .await?;
    }
    Ok(id)
}

/// A shown project's author and its budget's phase, its row locked.
async fn author_and_phase(
    tx: &mut TenantTx,
    project: ProjectId,
) -> Result<(Option<UserId>, String)> {
    let sql = format!(
        "SELECT p.author_id, {PHASE} AS phase FROM budget_projects p JOIN budgets b ON b.id = p.budget_id
         WHERE p.id = $1 AND p.hidden_at IS NULL FOR UPDATE OF p"
    );
    let row: Option<(Option<UserId>, String)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(project)
        .fetch_optional(tx.conn())
        .await?;
    Ok(row.ok_or(Refusal::NotFound)?)
}

/// Sets the picture of `user`'s project while the budget accepts
/// projects; returns the picture it replaces, if any.
pub async fn set_image(
    tx: &mut TenantTx,
    user: UserId,
    project: ProjectId,
    image: &str,
) -> Result<Option<String>> {
    let (author, phase) = author_and_phase(tx, project).await?;
    if author != Some(user) {
        return Err(Refusal::NotAuthor.into());
    }
    if phase != "accepting" {
        return Err(Refusal::PhaseClosed.into());
    }
    Ok(sqlx::query_scalar(
        "UPDATE budget_projects p SET image = $2
         FROM (SELECT image FROM budget_projects WHERE id = $1) old WHERE p.id = $1 RETURNING old.image",
    )
    .bind(project)
    .bind(image)
    .fetch_one(tx.conn())
    .await?)
}

/// Places a project: its location in words and its point on the map.
/// Its author may while the budget accepts projects; staff who manage
/// budgets may at any time (audited). Where a project is does not change
/// what a ballot for it means.
pub async fn place(
    tx: &mut TenantTx,
    actor: &Actor,
    user: UserId,
    project: ProjectId,
    location: &str,
    point: Option<(f64, f64)>,
) -> Result<()> {
    let location = text(location, Field::Location, Problem::LocationInvalid, 0, 500)?;
    if point.is_some_and(|p| !crate::places::on_earth(p)) {
        return Err(Error::invalid(Field::Point, Problem::PointInvalid));
    }
    let (author, phase) = author_and_phase(tx, project).await?;
    let by_author = author == Some(user) && phase == "accepting";
    if !by_author {
        crate::staff::require(tx, user, crate::staff::Permission::ManageBudgets).await?;
    }
    sqlx::query(
        "UPDATE budget_projects SET location = $2, latitude = $3, longitude = $4 WHERE id = $1",
    )
    .bind(project)
    .bind(&location)
    .bind(point.map(|p| p.0))
    .bind(point.map(|p| p.1))
    .execute(tx.conn())
    .await?;
    if !by_author {
        audit(
            tx,
            actor,
            "budget.project_place",
            Some(&project.to_string()),
            json!({"location": location, "point": point.map(|(lat, lon)| [lat, lon])}),
        )
        .await?;
    }
    Ok(())
}

/// Whether `user` may place `project` now (see [`place`]).
pub async fn placeable_by(tx: &mut TenantTx, user: UserId, project: ProjectId) -> Result<bool> {
    let sql = format!(
        "SELECT coalesce(p.author_id = $2 AND {PHASE} = 'accepting', false) FROM budget_projects p
         JOIN budgets b ON b.id = p.budget_id WHERE p.id = $1 AND p.hidden_at IS NULL"
    );
    let by_author: Option<bool> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(project)
        .bind(user)
        .fetch_optional(tx.conn())
        .await?;
    match by_author {
        None => Ok(false),
        Some(true) => Ok(true),
        Some(false) => crate::staff::may(tx, user, crate::staff::Permission::ManageBudgets).await,
    }
}

/// SQL that is true for a project (`p`, its budget `b`) that ballots may
/// hold: on the ballot once voting has begun. What such a project costs,
/// whether it is feasible and whether it is shown are frozen, so that a
/// ballot means what it meant when it was cast.
/// (The phases from balloting on, written without [`PHASE`]'s CASE, which
/// Citus refuses in an UPDATE's condition; the budget's dates are ordered.)
pub(crate) fn frozen_sql() -> String {
    "(p.on_ballot AND now() >= b.balloting_at)".to_owned()
}

/// Whether `project` is frozen (see [`frozen_sql`]), with its row locked;
/// `None` when there is no such project.
pub(crate) async fn frozen(tx: &mut TenantTx, project: ProjectId) -> Result<Option<bool>> {
    let sql = format!(
        "SELECT {} FROM budget_projects p JOIN budgets b ON b.id = p.budget_id
         WHERE p.id = $1 FOR UPDATE OF p",
        frozen_sql()
    );
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(project)
        .fetch_optional(tx.conn())
        .await?)
}

/// Records the evaluators' verdict. Unfeasible needs an explanation; a
/// project that is no longer feasible leaves the ballot. The author and
/// the project's followers are told. Refused for a project on the ballot
/// once voting has begun (its cost and feasibility are what voters chose).
pub async fn review(
    tx: &mut TenantTx,
    actor: &Actor,
    project: ProjectId,
    verdict: Feasibility,
    explanation: &str,
    official_cost_cents: Option<i64>,
) -> Result<Vec<Notice>> {
    let explanation = explanation.trim();
    if verdict == Feasibility::Pending {
        return Err(Error::invalid(Field::Verdict, Problem::ChoiceInvalid));
    }
    if verdict == Feasibility::Unfeasible && explanation.is_empty() {
        return Err(Error::invalid(
            Field::Explanation,
            Problem::ExplanationRequired,
        ));
    }
    if explanation.chars().count() > 20_000 {
        return Err(Error::invalid(
            Field::Explanation,
            Problem::ExplanationInvalid,
        ));
    }
    if official_cost_cents.is_some_and(|c| !(1..=100_000_000_000_000_000).contains(&c)) {
        return Err(Error::invalid(Field::OfficialCost, Problem::AmountInvalid));
    }
    match frozen(tx, project).await? {
        None => return Err(Refusal::NotFound.into()),
        Some(true) => return Err(Error::invalid(Field::Budget, Problem::VotingStarted)),
        Some(false) => {}
    }
    let updated: Option<(String, Option<UserId>)> = sqlx::query_as(
        "UPDATE budget_projects SET feasibility = $2, feasibility_explanation = $3,
                official_cost_cents = coalesce($4, official_cost_cents), reviewed_at = now(),
                on_ballot = on_ballot AND $2 = 'feasible'
         WHERE id = $1 RETURNING title, author_id",
    )
    .bind(project)
    .bind(verdict.as_str())
    .bind(explanation)
    .bind(official_cost_cents)
    .fetch_optional(tx.conn())
    .await?;
    let Some((title, author)) = updated else {
        return Err(Refusal::NotFound.into());
    };
    audit(
        tx,
        actor,
        "budget.project_review",
        Some(&project.to_string()),
        json!({"feasibility": verdict.as_str(), "official_cost_cents": official_cost_cents}),
    )
    .await?;
    let link = format!("/budget-projects/{project}");
    let change = Change::new(Some(verdict.as_str()), explanation);
    let except: Vec<UserId> = author.into_iter().collect();
    let mut notices = notify_followers(
        tx,
        Target::Project(project),
        &except,
        "project.reviewed",
        &title,
        &link,
        &change,
    )
    .await?;
    // The author is told even after unfollowing: the verdict is an answer.
    if let Some(author) = author {
        notices.extend(notify_user(tx, author, "project.reviewed", &title, &link, &change).await?);
    }
    Ok(notices)
}

/// Puts a feasible project on the ballot, or takes it off (refused once
/// voting has begun: ballots may already hold it).
pub async fn set_on_ballot(
    tx: &mut TenantTx,
    actor: &Actor,
    project: ProjectId,
    on_ballot: bool,
) -> Result<()> {
    let sql = format!(
        "SELECT p.feasibility, {PHASE} AS phase FROM budget_projects p JOIN budgets b ON b.id = p.budget_id
         WHERE p.id = $1 FOR UPDATE OF p"
    );
    let row: Option<(String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(project)
        .fetch_optional(tx.conn())
        .await?;
    let Some((feasibility, phase)) = row else {
        return Err(Refusal::NotFound.into());
    };
    if on_ballot && feasibility != "feasible" {
        return Err(Error::invalid(Field::Project, Problem::NotFeasible));
    }
    if matches!(phase.as_str(), "balloting" | "tallying" | "finished") {
        return Err(Error::invalid(Field::Budget, Problem::VotingStarted));
    }
    sqlx::query("UPDATE budget_projects SET on_ballot = $2 WHERE id = $1")
        .bind(project)
        .bind(on_ballot)
        .execute(tx.conn())
        .await?;
    audit(
        tx,
        actor,
        "budget.project_ballot",
        Some(&project.to_string()),
        json!({"on_ballot": on_ballot}),
    )
    .await?;
    Ok(())
}

/// Sets the counted paper votes of a project on the ballot (from the end
/// of voting on).
pub async fn set_paper_votes(
    tx: &mut TenantTx,
    actor: &Actor,
    project: ProjectId,
    votes: i32,
) -> Result<()> {
    if !(0..=100_000_000).contains(&votes) {
        return Err(Error::invalid(Field::PaperVotes, Problem::NumberInvalid));
    }
    let sql = format!(
        "SELECT p.on_ballot, {PHASE} AS phase FROM budget_projects p JOIN budgets b ON b.id = p.budget_id
         WHERE p.id = $1"
    );
    let row: Option<(bool, String)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(project)
        .fetch_optional(tx.conn())
        .await?;
    let Some((on_ballot, phase)) = row else {
        return Err(Refusal::NotFound.into());
    };
    if !on_ballot {
        return Err(Error::invalid(Field::Project, Problem::NotOnBallot));
    }
    if !matches!(phase.as_str(), "balloting" | "tallying") {
        return Err(Refusal::PhaseClosed.into());
    }
    sqlx::query("UPDATE budget_projects SET paper_votes = $2 WHERE id = $1")
        .bind(project)
        .bind(votes)
        .execute(tx.conn())
        .await?;
    audit(
        tx,
        actor,
        "budget.paper_votes",
        Some(&project.to_string()),
        json!({"paper_votes": votes}),
    )
    .await?;
    Ok(())
}

/// The projects of a heading, by number.
pub async fn of_heading(tx: &mut TenantTx, heading: HeadingId) -> Result<Vec<Project>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM budget_projects p
         WHERE p.heading_id = $1 AND p.hidden_at IS NULL ORDER BY p.number"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(heading)
        .fetch_all(tx.conn())
        .await?)
}

/// The project a result line names: results and Pabulib files know
/// projects by their public number, as text.
pub fn by_number<'p>(projects: &'p [Project], number: &str) -> Option<&'p Project> {
    projects.iter().find(|p| p.number.to_string() == number)
}

/// A project by id (hidden ones are not found).
pub async fn get(tx: &mut TenantTx, project: ProjectId) -> Result<Option<Project>> {
    let sql =
        format!("SELECT {COLUMNS} FROM budget_projects p WHERE p.id = $1 AND p.hidden_at IS NULL");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(project)
        .fetch_optional(tx.conn())
        .await?)
}

/// A qualified proposal that staff may turn into a project.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Importable {
    /// The proposal.
    pub id: ProposalId,
    /// Its title.
    pub title: String,
    /// Its supports.
    pub supports_count: i32,
    /// Its district.
    pub district: Option<String>,
}

/// The proposals of the budget's process that reached their support
/// threshold, are visible and not withdrawn, and are no project yet.
pub async fn importable(tx: &mut TenantTx, budget: BudgetId) -> Result<Vec<Importable>> {
    Ok(sqlx::query_as(
        "SELECT r.id, r.title, r.supports_count, r.district_code AS district
         FROM proposals r JOIN budgets b ON b.process_id = r.process_id
         WHERE b.id = $1 AND r.qualified_at IS NOT NULL AND r.hidden_at IS NULL
           AND r.status <> 'withdrawn'
           AND NOT EXISTS (SELECT 1 FROM budget_projects p WHERE p.proposal_id = r.id)
         ORDER BY r.supports_count DESC, r.id LIMIT 500",
    )
    .bind(budget)
    .fetch_all(tx.conn())
    .await?)
}

/// Turns a qualified proposal of the budget's process into a project of
/// `heading` with the staff's cost estimate: its title, text, picture,
/// place and author carry over (the author then follows the project), and it waits
/// for review like any other. A proposal becomes at most one project.
pub async fn import_proposal(
    tx: &mut TenantTx,
    actor: &Actor,
    heading: HeadingId,
    proposal: ProposalId,
    estimated_cost_cents: i64,
) -> Result<ProjectId> {
    if !(1..=100_000_000_000_000_000).contains(&estimated_cost_cents) {
        return Err(Error::invalid(Field::EstimatedCost, Problem::AmountInvalid));
    }
    #[derive(sqlx::FromRow)]
    struct Source {
        budget_id: Uuid,
        author_id: UserId,
        title: String,
        description: String,
        image: Option<String>,
        address: String,
        latitude: Option<f64>,
        longitude: Option<f64>,
        qualified: bool,
        imported: bool,
    }
    let source: Option<Source> = sqlx::query_as(
        "SELECT h.budget_id, r.author_id, r.title,
                left(r.summary || CASE WHEN r.body = '' THEN '' ELSE E'\n\n' || r.body END, 20000) AS description,
                r.image, r.address, r.latitude, r.longitude,
                r.qualified_at IS NOT NULL AND r.status <> 'withdrawn' AS qualified,
                EXISTS (SELECT 1 FROM budget_projects p WHERE p.proposal_id = r.id) AS imported
         FROM budget_headings h JOIN budgets b ON b.id = h.budget_id
         JOIN proposals r ON r.process_id = b.process_id AND r.hidden_at IS NULL
         WHERE h.id = $1 AND r.id = $2",
    )
    .bind(heading)
    .bind(proposal)
    .fetch_optional(tx.conn())
    .await?;
    let Some(source) = source else {
        return Err(Refusal::NotFound.into());
    };
    if !source.qualified {
        return Err(Error::invalid(Field::Proposal, Problem::NotQualified));
    }
    if source.imported {
        return Err(Error::invalid(Field::Proposal, Problem::AlreadyImported));
    }
    let id: ProjectId = sqlx::query_scalar(
        "INSERT INTO budget_projects (budget_id, heading_id, author_id, proposal_id, title,
                                      description, image, location, latitude, longitude,
                                      estimated_cost_cents)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(source.budget_id)
    .bind(heading)
    .bind(source.author_id)
    .bind(proposal)
    .bind(&source.title)
    .bind(&source.description)
    .bind(&source.image)
    .bind(&source.address)
    .bind(source.latitude)
    .bind(source.longitude)
    .bind(estimated_cost_cents)
    .fetch_one(tx.conn())
    .await?;
    follow(tx, source.author_id, Target::Project(id)).await?;
    audit(
        tx,
        actor,
        "budget.project_import",
        Some(&id.to_string()),
        json!({"heading": heading, "proposal": proposal, "cost_cents": estimated_cost_cents}),
    )
    .await?;
    Ok(id)
}

/// One counted line of a paper-vote file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PaperLine {
    /// Its 1-based line in the file.
    pub line: usize,
    /// The project's public number.
    pub project: i64,
    /// Counted votes.
    pub votes: i32,
}

/// Largest paper-vote file read.
pub const MAX_PAPER_FILE: usize = 1 << 20;

/// Reads a paper-vote count: one `project,votes` line per project, by the
/// project's public number; `;` or tab also separate; a first line naming
/// the columns, blank lines and `#` comments are skipped. Pure.
pub fn paper_lines(text: &str) -> Result<Vec<PaperLine>, LineError> {
    if text.len() > MAX_PAPER_FILE {
        return Err(LineError {
            line: 0,
            problem: Problem::FileTooLarge,
        });
    }
    let mut counted: Vec<PaperLine> = Vec::new();
    let mut first = true;
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let trimmed = raw.trim().trim_start_matches('\u{feff}');
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let header = std::mem::take(&mut first);
        let cells: Vec<&str> = trimmed
            .split([',', ';', '\t'])
            .map(|c| c.trim().trim_matches('"').trim())
            .collect();
        let [project, votes] = cells[..] else {
            return Err(LineError {
                line,
                problem: Problem::LineInvalid,
            });
        };
        let Ok(number) = project.trim_start_matches('#').parse::<i64>() else {
            if header && votes.parse::<i64>().is_err() {
                continue;
            }
            return Err(LineError {
                line,
                problem: Problem::ProjectUnknown,
            });
        };
        let votes = match votes.parse::<i32>() {
            Ok(votes) if (0..=100_000_000).contains(&votes) => votes,
            _ => {
                return Err(LineError {
                    line,
                    problem: Problem::NumberInvalid,
                });
            }
        };
        if counted.iter().any(|c| c.project == number) {
            return Err(LineError {
                line,
                problem: Problem::ProjectTwice,
            });
        }
        counted.push(PaperLine {
            line,
            project: number,
            votes,
        });
    }
    if counted.is_empty() {
        return Err(LineError {
            line: 0,
            problem: Problem::FileEmpty,
        });
    }
    Ok(counted)
}

/// Sets the paper votes of a heading's projects from a count file, all or
/// nothing: any bad line refuses the whole file and changes nothing.
/// Returns how many projects were set.
pub async fn import_paper_votes(
    tx: &mut TenantTx,
    actor: &Actor,
    heading: HeadingId,
    text: &str,
) -> Result<usize> {
    let counted = paper_lines(text)?;
    let sql = format!(
        "SELECT {PHASE} FROM budget_headings h JOIN budgets b ON b.id = h.budget_id WHERE h.id = $1"
    );
    let phase: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(heading)
        .fetch_optional(tx.conn())
        .await?;
    if !matches!(phase.as_deref(), Some("balloting" | "tallying")) {
        return Err(Refusal::PhaseClosed.into());
    }
    let on: Vec<(i64, bool)> = sqlx::query_as(
        "SELECT number, on_ballot FROM budget_projects WHERE heading_id = $1 AND hidden_at IS NULL",
    )
    .bind(heading)
    .fetch_all(tx.conn())
    .await?;
    for counted in &counted {
        let problem = match on.iter().find(|(n, _)| *n == counted.project) {
            None => Problem::ProjectUnknown,
            Some((_, false)) => Problem::NotOnBallot,
            Some((_, true)) => continue,
        };
        return Err(LineError {
            line: counted.line,
            problem,
        }
        .into());
    }
    let numbers: Vec<i64> = counted.iter().map(|c| c.project).collect();
    let votes: Vec<i32> = counted.iter().map(|c| c.votes).collect();
    sqlx::query(
        "UPDATE budget_projects p SET paper_votes = c.votes
         FROM unnest($2::bigint[], $3::int[]) AS c(number, votes)
         WHERE p.heading_id = $1 AND p.number = c.number",
    )
    .bind(heading)
    .bind(&numbers)
    .bind(&votes)
    .execute(tx.conn())
    .await?;
    audit(
        tx,
        actor,
        "budget.paper_votes_import",
        Some(&heading.to_string()),
        json!({"projects": counted.len(), "votes": votes.iter().map(|v| i64::from(*v)).sum::<i64>()}),
    )
    .await?;
    Ok(counted.len())
}
