//! Participatory processes: their phases (each enabling components such as
//! debates or proposals) and their participation rules, decided on the
//! server with the database clock. Rules freeze once participation has
//! started; changing them after that needs an audited override.

use crate::error::{Error, Field, Problem, Refusal, Result};
use crate::ids::{ProcessId, UserId};
use crate::staff::{Actor, audit};
use crate::stored::stored;
use crate::translations::{self, Translations};
use cabildo_tenancy::TenantTx;
use cabildo_tenancy::entitlements::{Limit, Need};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

stored! {
    /// Who may do something in a process.
    pub enum Who {
        /// Anyone with a confirmed account.
        Registered = "registered",
        /// Verified residents (census).
        Verified = "verified",
        /// Verified residents of the process's district (the whole city when
        /// the process has none).
        District = "district",
    }
}

stored! {
    /// Where a process stands.
    pub enum Status {
        /// Staff prepare it; nobody else sees it.
        Draft = "draft",
        /// On the council's site.
        Published = "published",
        /// Off the site.
        Archived = "archived",
    }
}

/// A component a phase can enable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Component {
    /// Debates.
    Debates,
    /// Proposals and their supports.
    Proposals,
    /// The participatory budget (its own dates decide what is open).
    Budget,
    /// Binding consultations (their own voting windows decide what is
    /// open).
    Consultation,
    /// Surveys, answered while the phase is open.
    Surveys,
}

impl Component {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Debates => "debates",
            Self::Proposals => "proposals",
            Self::Budget => "budget",
            Self::Consultation => "consultation",
            Self::Surveys => "surveys",
        }
    }
}

/// The participation rules of a process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rules {
    /// Who may create debates and proposals.
    pub create: Who,
    /// Who may support proposals.
    pub support: Who,
    /// Whether verified organisations may support (they always may debate
    /// and comment).
    pub organisations_may_support: bool,
    /// Supports that qualify a proposal.
    pub support_threshold: i32,
}

/// A new process, as staff type it.
#[derive(Clone, Debug)]
pub struct NewProcess {
    /// Address part: `plan-participacion-2026`.
    pub slug: String,
    /// Title.
    pub title: String,
    /// One paragraph.
    pub summary: String,
    /// Markdown (rendered sanitised).
    pub description: String,
    /// One district's code, or the whole city.
    pub district: Option<String>,
    /// Participation rules.
    pub rules: Rules,
}

/// Creates a draft process (not while the council is held for an unpaid
/// plan: `payment_overdue`).
pub async fn create(tx: &mut TenantTx, actor: &Actor, new: &NewProcess) -> Result<ProcessId> {
    tx.within_plan(Need::Payment)?;
    let slug = crate::content::slug(&new.slug, 80)?;
    let title = new.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(Error::invalid(Field::Title, Problem::TitleInvalid));
    }
    if new.summary.chars().count() > 1000 || new.description.chars().count() > 100_000 {
        return Err(Error::invalid(Field::Description, Problem::TextTooLong));
    }
    if !(1..=10_000_000).contains(&new.rules.support_threshold) {
        return Err(Error::invalid(Field::Threshold, Problem::ThresholdInvalid));
    }
    if let Some(district) = &new.district {
        let known: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM districts WHERE code = $1)")
                .bind(district)
                .fetch_one(tx.conn())
                .await?;
        if !known {
            return Err(Error::invalid(Field::District, Problem::DistrictUnknown));
        }
    }
    let id: Option<ProcessId> = sqlx::query_scalar(
        "INSERT INTO processes (slug, title, summary, description_markdown, district_code,
                                create_rule, support_rule, organisations_may_support, support_threshold)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (slug) DO NOTHING RETURNING id",
    )
    .bind(slug)
    .bind(title)
    .bind(new.summary.trim())
    .bind(&new.description)
    .bind(&new.district)
    .bind(new.rules.create.as_str())
    .bind(new.rules.support.as_str())
    .bind(new.rules.organisations_may_support)
    .bind(new.rules.support_threshold)
    .fetch_optional(tx.conn())
    .await?;
    let Some(id) = id else {
        return Err(Refusal::SlugTaken.into());
    };
    audit(
        tx,
        actor,
        "process.create",
        Some(slug),
        json!({"process": id}),
    )
    .await?;
    Ok(id)
}

/// A phase to add.
#[derive(Clone, Debug)]
pub struct NewPhase {
    /// Title.
    pub title: String,
    /// Start.
    pub starts_at: OffsetDateTime,
    /// End (after the start).
    pub ends_at: OffsetDateTime,
    /// Components it enables.
    pub components: Vec<Component>,
}

/// Adds a phase to a process.
pub async fn add_phase(
    tx: &mut TenantTx,
    actor: &Actor,
    process: ProcessId,
    phase: &NewPhase,
) -> Result<Uuid> {
    let title = phase.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(Error::invalid(Field::Title, Problem::TitleInvalid));
    }
    if phase.ends_at <= phase.starts_at {
        return Err(Error::invalid(Field::Dates, Problem::DatesInvalid));
    }
    let components: Vec<&str> = phase.components.iter().map(|c| c.as_str()).collect();
    let id: Option<Uuid> = sqlx::query_scalar(
        "INSERT INTO process_phases (process_id, title, starts_at, ends_at, components)
         SELECT id, $2, $3, $4, $5 FROM processes WHERE id = $1 RETURNING id",
    )
    .bind(process)
    .bind(title)
    .bind(phase.starts_at)
    .bind(phase.ends_at)
    .bind(&components)
    .fetch_optional(tx.conn())
    .await?;
    let Some(id) = id else {
        return Err(Refusal::NotFound.into());
    };
    audit(
        tx,
        actor,
        "process.phase_add",
        Some(title),
        json!({"process": process, "phase": id}),
    )
    .await?;
    Ok(id)
}

/// Processes open now (published, with a phase still to end), leaving
/// out `except`.
pub async fn open_count(tx: &mut TenantTx, except: Option<ProcessId>) -> Result<u64> {
    let open: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM processes p WHERE p.status = 'published'
           AND p.id IS DISTINCT FROM $1
           AND EXISTS (SELECT 1 FROM process_phases f WHERE f.process_id = p.id AND f.ends_at > now())",
    )
    .bind(except)
    .fetch_one(tx.conn())
    .await?;
    Ok(open.unsigned_abs())
}

/// Publishes a draft process, within the number of processes the
/// council's plan allows open at once (`plan_required`), and not while the
/// council is held for an unpaid plan (processes already open run on).
pub async fn publish(tx: &mut TenantTx, actor: &Actor, process: ProcessId) -> Result<bool> {
    tx.within_plan(Need::Payment)?;
    // Citizens find what they can do in a process by its phases; one
    // without any would be published as an empty page.
    let phases: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM process_phases WHERE process_id = $1)")
            .bind(process)
            .fetch_one(tx.conn())
            .await?;
    if !phases {
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM processes WHERE id = $1)")
                .bind(process)
                .fetch_one(tx.conn())
                .await?;
        if exists {
            return Err(Refusal::NoPhases.into());
        }
        return Ok(false);
    }
    if tx.limit(Limit::OpenProcesses).is_some() {
        // Processes already open when a plan is lowered stay open; only
        // new ones wait.
        let open = open_count(tx, Some(process)).await?;
        tx.within_plan(Need::Limit(Limit::OpenProcesses, open + 1))?;
    }
    let slug: Option<String> = sqlx::query_scalar(
        "UPDATE processes SET status = 'published', updated_at = now()
         WHERE id = $1 AND status = 'draft' RETURNING slug",
    )
    .bind(process)
    .fetch_optional(tx.conn())
    .await?;
    let Some(slug) = slug else {
        return Ok(false);
    };
    audit(
        tx,
        actor,
        "process.publish",
        Some(&slug),
        json!({"process": process}),
    )
    .await?;
    Ok(true)
}

/// Sets (or with `None` removes) a process's hero image (audited);
/// `None` when there is no such process, else the picture it replaces.
pub async fn set_image(
    tx: &mut TenantTx,
    actor: &Actor,
    process: ProcessId,
    image: Option<&str>,
) -> Result<Option<Option<String>>> {
    let row: Option<(String, Option<String>)> = sqlx::query_as(
        "UPDATE processes p SET image = $2, updated_at = now()
         FROM (SELECT image FROM processes WHERE id = $1 FOR UPDATE) old
         WHERE p.id = $1 RETURNING p.slug, old.image",
    )
    .bind(process)
    .bind(image)
    .fetch_optional(tx.conn())
    .await?;
    let Some((slug, old)) = row else {
        return Ok(None);
    };
    audit(
        tx,
        actor,
        "process.image",
        Some(&slug),
        json!({"process": process, "image": image}),
    )
    .await?;
    Ok(Some(old))
}

/// Whether participation has started in `process`: a phase enabling
/// debates or proposals has begun (by the database clock).
pub async fn participation_started(tx: &mut TenantTx, process: ProcessId) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM process_phases WHERE process_id = $1 AND starts_at <= now()
                        AND components && ARRAY['debates', 'proposals'])",
    )
    .bind(process)
    .fetch_one(tx.conn())
    .await?)
}

/// Changes the participation rules. Once participation has started this
/// is refused, unless `override_reason` is given: then it is done and the
/// reason goes to the audit log.
pub async fn set_rules(
    tx: &mut TenantTx,
    actor: &Actor,
    process: ProcessId,
    rules: &Rules,
    override_reason: Option<&str>,
) -> Result<()> {
    // Lock the process so that two changes do not interleave.
    let exists: Option<Uuid> =
        sqlx::query_scalar("SELECT id FROM processes WHERE id = $1 FOR UPDATE")
            .bind(process)
            .fetch_optional(tx.conn())
            .await?;
    if exists.is_none() {
        return Err(Refusal::NotFound.into());
    }
    let reason = override_reason.map(str::trim).filter(|r| !r.is_empty());
    let started = participation_started(tx, process).await?;
    if started && reason.is_none() {
        return Err(Refusal::RulesFrozen.into());
    }
    if !(1..=10_000_000).contains(&rules.support_threshold) {
        return Err(Error::invalid(Field::Threshold, Problem::ThresholdInvalid));
    }
    sqlx::query(
        "UPDATE processes SET create_rule = $2, support_rule = $3, organisations_may_support = $4,
                support_threshold = $5, updated_at = now() WHERE id = $1",
    )
    .bind(process)
    .bind(rules.create.as_str())
    .bind(rules.support.as_str())
    .bind(rules.organisations_may_support)
    .bind(rules.support_threshold)
    .execute(tx.conn())
    .await?;
    let action = if started {
        "process.rules_override"
    } else {
        "process.rules"
    };
    audit(
        tx,
        actor,
        action,
        None,
        json!({"process": process, "create": rules.create.as_str(), "support": rules.support.as_str(),
               "organisations_may_support": rules.organisations_may_support,
               "threshold": rules.support_threshold, "reason": reason}),
    )
    .await?;
    Ok(())
}

/// Something a person wants to do in a process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Open a debate.
    CreateDebate,
    /// Make a proposal.
    CreateProposal,
    /// Support a proposal.
    Support,
    /// Comment (allowed whenever the process is published).
    Comment,
}

/// What the rules look at in a process (read with the database clock).
#[derive(Clone, Debug, sqlx::FromRow)]
pub(crate) struct ProcessFacts {
    pub(crate) create_rule: Who,
    pub(crate) support_rule: Who,
    pub(crate) organisations_may_support: bool,
    pub(crate) process_district: Option<String>,
    /// A phase enabling the action's component is open now.
    pub(crate) open: bool,
}

/// What the rules look at in a person.
#[derive(Clone, Debug, sqlx::FromRow)]
pub(crate) struct PersonFacts {
    pub(crate) confirmed: bool,
    pub(crate) blocked: bool,
    pub(crate) verified: bool,
    pub(crate) district: Option<String>,
    pub(crate) organisation: bool,
}

/// The columns of [`PersonFacts`] for the user `u` (LEFT JOINed: all
/// NULL when there is no such user).
pub(crate) const PERSON_FACTS: &str = "coalesce(u.email_confirmed_at IS NOT NULL, false) AS confirmed,
    coalesce(u.blocked_at IS NOT NULL, false) AS blocked, coalesce(u.verified_at IS NOT NULL, false) AS verified,
    u.district_code AS district,
    EXISTS (SELECT 1 FROM organisations o WHERE o.user_id = u.id AND o.status = 'verified') AS organisation";

/// The rules, decided: whether a person may do `action` in a process.
pub(crate) fn decide(
    action: Action,
    process: &ProcessFacts,
    person: Option<&PersonFacts>,
) -> Result<(), Refusal> {
    if !process.open {
        return Err(Refusal::PhaseClosed);
    }
    let Some(person) = person.filter(|p| p.confirmed) else {
        return Err(Refusal::NotRegistered);
    };
    if person.blocked {
        return Err(Refusal::Blocked);
    }
    let rule = match action {
        Action::Support => {
            if person.organisation && !process.organisations_may_support {
                return Err(Refusal::OrganisationsMayNot);
            }
            &process.support_rule
        }
        Action::Comment => return Ok(()),
        Action::CreateDebate | Action::CreateProposal => &process.create_rule,
    };
    admits(*rule, process.process_district.as_deref(), person)
}

/// Whether `rule` admits a confirmed, unblocked `person` in a process of
/// `district` (none: the whole city).
pub(crate) fn admits(
    rule: Who,
    district: Option<&str>,
    person: &PersonFacts,
) -> Result<(), Refusal> {
    match rule {
        Who::Registered => Ok(()),
        Who::Verified if person.verified => Ok(()),
        Who::Verified => Err(Refusal::NotVerified),
        Who::District if !person.verified => Err(Refusal::NotVerified),
        Who::District => match district {
            Some(required) if person.district.as_deref() != Some(required) => {
                Err(Refusal::WrongDistrict)
            }
            _ => Ok(()),
        },
    }
}

/// The component an action needs an open phase for (none for comments).
pub(crate) fn component_of(action: Action) -> Option<&'static str> {
    match action {
        Action::CreateDebate => Some(Component::Debates.as_str()),
        Action::CreateProposal | Action::Support => Some(Component::Proposals.as_str()),
        Action::Comment => None,
    }
}

/// The column of [`ProcessFacts`] for process `p`, the component being `$c`.
pub(crate) const PROCESS_FACTS: &str = "p.create_rule, p.support_rule, p.organisations_may_support,
    p.district_code AS process_district,
    ($c::text IS NULL OR EXISTS (SELECT 1 FROM process_phases f WHERE f.process_id = p.id
        AND now() >= f.starts_at AND now() < f.ends_at AND $c = ANY (f.components))) AS open";

/// Nothing when `user` may do `action` in `process` now, by the database
/// clock; else why not.
pub async fn may(
    tx: &mut TenantTx,
    process: ProcessId,
    user: Option<UserId>,
    action: Action,
) -> Result<Option<Refusal>> {
    let sql = format!(
        "SELECT {} FROM processes p WHERE p.id = $1 AND p.status = 'published'",
        PROCESS_FACTS.replace("$c", "$2")
    );
    let facts: Option<ProcessFacts> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(process)
        .bind(component_of(action))
        .fetch_optional(tx.conn())
        .await?;
    let Some(facts) = facts else {
        return Ok(Some(Refusal::NotFound));
    };
    let person: Option<PersonFacts> = match user {
        Some(user) if facts.open => {
            let sql = format!(
                "SELECT {PERSON_FACTS} FROM users u WHERE u.id = $1 AND u.deleted_at IS NULL"
            );
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(user)
                .fetch_optional(tx.conn())
                .await?
        }
        _ => None,
    };
    Ok(decide(action, &facts, person.as_ref()).err())
}

/// Refuses unless `user` may do `action` in `process` now.
pub async fn require(
    tx: &mut TenantTx,
    process: ProcessId,
    user: Option<UserId>,
    action: Action,
) -> Result<()> {
    match may(tx, process, user, action).await? {
        Some(refusal) => Err(refusal.into()),
        None => Ok(()),
    }
}

/// A published process as the public sees it.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize)]
pub struct Summary {
    /// Id.
    pub id: ProcessId,
    /// Address part.
    pub slug: String,
    /// Title.
    pub title: String,
    /// One paragraph.
    pub summary: String,
    /// District code, or the whole city.
    pub district: Option<String>,
    /// Its hero image (a stored picture's name).
    pub image: Option<String>,
    /// Its texts in the council's other languages.
    #[sqlx(json)]
    pub translations: Translations,
    /// The language of `title` when it is not the reader's (see
    /// [`Summary::localize`]).
    #[sqlx(skip)]
    #[serde(skip)]
    pub title_lang: Option<String>,
    /// The language of `summary` when it is not the reader's.
    #[sqlx(skip)]
    #[serde(skip)]
    pub summary_lang: Option<String>,
}

impl Summary {
    /// The title and summary a reader in `language` sees, on a council
    /// whose default language is `default`.
    pub fn localize(&mut self, language: &str, default: &str) {
        let t = &self.translations;
        t.localize(
            "title",
            (&mut self.title, &mut self.title_lang),
            language,
            default,
        );
        t.localize(
            "summary",
            (&mut self.summary, &mut self.summary_lang),
            language,
            default,
        );
    }
}

/// A phase as the public sees it.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize)]
pub struct Phase {
    /// Title.
    pub title: String,
    /// Start.
    #[serde(with = "time::serde::rfc3339")]
    pub starts_at: OffsetDateTime,
    /// End.
    #[serde(with = "time::serde::rfc3339")]
    pub ends_at: OffsetDateTime,
    /// Enabled components.
    pub components: Vec<String>,
    /// Open now (database clock).
    pub current: bool,
    /// Its title in the council's other languages.
    #[sqlx(json)]
    pub translations: Translations,
    /// The language of `title` when it is not the reader's.
    #[sqlx(skip)]
    #[serde(skip)]
    pub title_lang: Option<String>,
}

impl Phase {
    /// The title a reader in `language` sees (see [`Summary::localize`]).
    pub fn localize(&mut self, language: &str, default: &str) {
        let title = (&mut self.title, &mut self.title_lang);
        self.translations
            .localize("title", title, language, default);
    }
}

/// Published processes, newest first.
pub async fn published(tx: &mut TenantTx) -> Result<Vec<Summary>> {
    Ok(sqlx::query_as(
        "SELECT id, slug, title, summary, district_code AS district, image, translations FROM processes
         WHERE status = 'published' ORDER BY created_at DESC LIMIT 200",
    )
    .fetch_all(tx.conn())
    .await?)
}

/// A published process with its description and phases.
pub async fn published_by_slug(
    tx: &mut TenantTx,
    slug: &str,
) -> Result<Option<(Summary, String, Vec<Phase>, Holds)>> {
    #[derive(sqlx::FromRow)]
    struct Found {
        #[sqlx(flatten)]
        summary: Summary,
        description: String,
        #[sqlx(flatten)]
        holds: Holds,
    }
    let found: Option<Found> = sqlx::query_as(
        "SELECT id, slug, title, summary, district_code AS district, image, translations,
                description_markdown AS description,
                threads_count AS threads, polls_count AS polls, meetings_count AS meetings
         FROM processes WHERE slug = $1 AND status = 'published'",
    )
    .bind(slug)
    .fetch_optional(tx.conn())
    .await?;
    let Some(Found {
        summary,
        description,
        holds,
    }) = found
    else {
        return Ok(None);
    };
    let id = summary.id;
    let phases: Vec<Phase> = sqlx::query_as(
        "SELECT title, starts_at, ends_at, components, now() >= starts_at AND now() < ends_at AS current,
                translations
         FROM process_phases WHERE process_id = $1 ORDER BY starts_at",
    )
    .bind(id)
    .fetch_all(tx.conn())
    .await?;
    Ok(Some((summary, description, phases, holds)))
}

/// What a process holds, counted as it changes (triggers of migration
/// `20261206000001_process_holds`): its pages skip the statements that
/// would find nothing. Over 10,000 councils each statement a page runs
/// costs PostgreSQL catalog reads that miss the CPU's caches
/// (docs/benchmarks.md, "2026-12-06").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Holds {
    /// Comment threads on the process itself, deleted ones included (they
    /// stay as placeholders).
    pub threads: i32,
    /// Polls.
    pub polls: i32,
    /// Meetings, whatever their state.
    pub meetings: i32,
}

/// The slug of process `id`.
pub async fn slug_of(tx: &mut TenantTx, id: ProcessId) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT slug FROM processes WHERE id = $1")
            .bind(id)
            .fetch_optional(tx.conn())
            .await?,
    )
}

/// The title of process `id`.
pub async fn title_of(tx: &mut TenantTx, id: ProcessId) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT title FROM processes WHERE id = $1")
            .bind(id)
            .fetch_optional(tx.conn())
            .await?,
    )
}

/// A phase in the council's calendar.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize)]
pub struct CalendarEntry {
    /// The process's address part.
    pub slug: String,
    /// The process's title.
    pub process: String,
    /// The phase's title.
    pub phase: String,
    /// Start.
    #[serde(with = "time::serde::rfc3339")]
    pub starts_at: OffsetDateTime,
    /// End.
    #[serde(with = "time::serde::rfc3339")]
    pub ends_at: OffsetDateTime,
    /// Open now (database clock).
    pub current: bool,
    /// The process's texts in the council's other languages.
    #[sqlx(json)]
    pub process_translations: Translations,
    /// The phase's title in the council's other languages.
    #[sqlx(json)]
    pub phase_translations: Translations,
    /// The language of `process` when it is not the reader's.
    #[sqlx(skip)]
    #[serde(skip)]
    pub process_lang: Option<String>,
    /// The language of `phase` when it is not the reader's.
    #[sqlx(skip)]
    #[serde(skip)]
    pub phase_lang: Option<String>,
}

impl CalendarEntry {
    /// The titles a reader in `language` sees (see [`Summary::localize`]).
    pub fn localize(&mut self, language: &str, default: &str) {
        let process = (&mut self.process, &mut self.process_lang);
        (self.process_translations).localize("title", process, language, default);
        let phase = (&mut self.phase, &mut self.phase_lang);
        (self.phase_translations).localize("title", phase, language, default);
    }
}

/// Phases of published processes that are open now or still to come,
/// soonest first.
pub async fn calendar(tx: &mut TenantTx, limit: i64) -> Result<Vec<CalendarEntry>> {
    Ok(sqlx::query_as(
        "SELECT p.slug, p.title AS process, f.title AS phase, f.starts_at, f.ends_at,
                now() >= f.starts_at AND now() < f.ends_at AS current,
                p.translations AS process_translations, f.translations AS phase_translations
         FROM process_phases f JOIN processes p ON p.id = f.process_id
         WHERE p.status = 'published' AND f.ends_at > now()
         ORDER BY f.starts_at, f.ends_at LIMIT $1",
    )
    .bind(limit.clamp(1, 100))
    .fetch_all(tx.conn())
    .await?)
}

/// A process as staff list it (drafts included).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StaffItem {
    /// Id.
    pub id: ProcessId,
    /// Address part.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Draft, published or archived.
    pub status: Status,
    /// Phases it has.
    pub phases: i64,
    /// One paragraph.
    pub summary: String,
    /// Markdown.
    pub description: String,
    /// District code, or the whole city.
    pub district: Option<String>,
    /// Its texts in the council's other languages.
    #[sqlx(json)]
    pub translations: Translations,
}

/// Every process, newest first, for staff.
pub async fn all(tx: &mut TenantTx) -> Result<Vec<StaffItem>> {
    Ok(sqlx::query_as(
        "SELECT p.id, p.slug, p.title, p.status,
                (SELECT count(*) FROM process_phases f WHERE f.process_id = p.id) AS phases,
                p.summary, p.description_markdown AS description, p.district_code AS district,
                p.translations
         FROM processes p ORDER BY p.created_at DESC LIMIT 500",
    )
    .fetch_all(tx.conn())
    .await?)
}

/// A process's texts as staff change them (the slug stays: links to it
/// are out in the world).
#[derive(Clone, Debug)]
pub struct Texts {
    /// Title.
    pub title: String,
    /// One paragraph.
    pub summary: String,
    /// Markdown.
    pub description: String,
    /// One district's code, or the whole city.
    pub district: Option<String>,
    /// The texts in the council's other languages (`title`, `summary`,
    /// `description`); a language without a title is not translated.
    pub translations: Translations,
    /// Its phases' titles in the council's other languages.
    pub phases: Vec<(Uuid, Translations)>,
}

/// Changes a process's texts and scope (audited).
pub async fn update(
    tx: &mut TenantTx,
    actor: &Actor,
    process: ProcessId,
    texts: &Texts,
) -> Result<()> {
    let title = texts.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(Error::invalid(Field::Title, Problem::TitleInvalid));
    }
    if texts.summary.chars().count() > 1000 || texts.description.chars().count() > 100_000 {
        return Err(Error::invalid(Field::Description, Problem::TextTooLong));
    }
    if let Some(district) = &texts.district {
        let known: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM districts WHERE code = $1)")
                .bind(district)
                .fetch_one(tx.conn())
                .await?;
        if !known {
            return Err(Error::invalid(Field::District, Problem::DistrictUnknown));
        }
    }
    translations::check(
        tx,
        &texts.translations,
        &[("title", 200), ("summary", 1000), ("description", 100_000)],
    )
    .await?;
    for (_, phase) in &texts.phases {
        translations::check(tx, phase, &[("title", 200)]).await?;
    }
    let slug: Option<String> = sqlx::query_scalar(
        "UPDATE processes SET title = $2, summary = $3, description_markdown = $4, district_code = $5,
                translations = $6, updated_at = now() WHERE id = $1 RETURNING slug",
    )
    .bind(process)
    .bind(title)
    .bind(texts.summary.trim())
    .bind(&texts.description)
    .bind(&texts.district)
    .bind(sqlx::types::Json(&texts.translations))
    .fetch_optional(tx.conn())
    .await?;
    let Some(slug) = slug else {
        return Err(Refusal::NotFound.into());
    };
    for (phase, translations) in &texts.phases {
        let updated = sqlx::query(
            "UPDATE process_phases SET translations = $3 WHERE id = $1 AND process_id = $2",
        )
        .bind(phase)
        .bind(process)
        .bind(sqlx::types::Json(translations))
        .execute(tx.conn())
        .await?;
        if updated.rows_affected() == 0 {
            return Err(Error::invalid(Field::Phase, Problem::ChoiceInvalid));
        }
    }
    audit(
        tx,
        actor,
        "process.update",
        Some(&slug),
        json!({"process": process, "languages": texts.translations.languages().collect::<Vec<_>>()}),
    )
    .await?;
    Ok(())
}

/// Archives a published process: it leaves the public site (its data
/// stays, for staff and open data later); audited.
pub async fn archive(tx: &mut TenantTx, actor: &Actor, process: ProcessId) -> Result<bool> {
    let slug: Option<String> = sqlx::query_scalar(
        "UPDATE processes SET status = 'archived', updated_at = now()
         WHERE id = $1 AND status = 'published' RETURNING slug",
    )
    .bind(process)
    .fetch_optional(tx.conn())
    .await?;
    let Some(slug) = slug else {
        return Ok(false);
    };
    audit(
        tx,
        actor,
        "process.archive",
        Some(&slug),
        json!({"process": process}),
    )
    .await?;
    Ok(true)
}

/// A phase as staff manage it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StaffPhase {
    /// Id.
    pub id: ProcessId,
    /// Its process.
    pub process_id: ProcessId,
    /// Title.
    pub title: String,
    /// Start.
    pub starts_at: OffsetDateTime,
    /// End.
    pub ends_at: OffsetDateTime,
    /// It has begun (then it can no longer be removed).
    pub started: bool,
    /// Its title in the council's other languages.
    #[sqlx(json)]
    pub translations: Translations,
}

/// The phases of every process, in order, for staff.
pub async fn all_phases(tx: &mut TenantTx) -> Result<Vec<StaffPhase>> {
    Ok(sqlx::query_as(
        "SELECT id, process_id, title, starts_at, ends_at, starts_at <= now() AS started, translations
         FROM process_phases ORDER BY process_id, starts_at LIMIT 5000",
    )
    .fetch_all(tx.conn())
    .await?)
}

/// Removes a phase that has not begun (audited); one that has begun
/// stays, since people took part under it.
pub async fn remove_phase(tx: &mut TenantTx, actor: &Actor, phase: Uuid) -> Result<()> {
    let removed: Option<(Uuid, String)> = sqlx::query_as(
        "DELETE FROM process_phases WHERE id = $1 AND starts_at > now() RETURNING process_id, title",
    )
    .bind(phase)
    .fetch_optional(tx.conn())
    .await?;
    let Some((process, title)) = removed else {
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM process_phases WHERE id = $1)")
                .bind(phase)
                .fetch_one(tx.conn())
                .await?;
        return Err(if exists {
            Error::invalid(Field::Phase, Problem::PhaseStarted)
        } else {
            Refusal::NotFound.into()
        });
    };
    audit(
        tx,
        actor,
        "process.phase_remove",
        Some(&title),
        json!({"process": process, "phase": phase}),
    )
    .await?;
    Ok(())
}

impl Component {
    /// From a stored name.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "debates" => Some(Self::Debates),
            "proposals" => Some(Self::Proposals),
            "budget" => Some(Self::Budget),
            "consultation" => Some(Self::Consultation),
            "surveys" => Some(Self::Surveys),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn process(create: Who, support: Who, district: Option<&str>) -> ProcessFacts {
        ProcessFacts {
            create_rule: create,
            support_rule: support,
            organisations_may_support: false,
            process_district: district.map(str::to_owned),
            open: true,
        }
    }

    fn person(verified: bool, district: Option<&str>) -> PersonFacts {
        PersonFacts {
            confirmed: true,
            blocked: false,
            verified,
            district: district.map(str::to_owned),
            organisation: false,
        }
    }

    #[test]
    fn the_rules_decide_in_order_closed_then_who_then_what() {
        let open = process(Who::Registered, Who::District, Some("centro"));
        let resident = person(true, Some("centro"));
        let registered = person(false, None);
        let unconfirmed = PersonFacts {
            confirmed: false,
            ..resident.clone()
        };
        let blocked = PersonFacts {
            blocked: true,
            ..resident.clone()
        };
        let organisation = PersonFacts {
            organisation: true,
            ..resident.clone()
        };
        let closed = ProcessFacts {
            open: false,
            ..open.clone()
        };
        type Case<'a> = (
            Action,
            &'a ProcessFacts,
            Option<&'a PersonFacts>,
            Result<(), Refusal>,
        );
        let cases: [Case; 12] = [
            (
                Action::Support,
                &closed,
                Some(&resident),
                Err(Refusal::PhaseClosed),
            ),
            (Action::Support, &open, None, Err(Refusal::NotRegistered)),
            (
                Action::Support,
                &open,
                Some(&unconfirmed),
                Err(Refusal::NotRegistered),
            ),
            (
                Action::Comment,
                &open,
                Some(&blocked),
                Err(Refusal::Blocked),
            ),
            (Action::Comment, &open, Some(&registered), Ok(())),
            (Action::CreateProposal, &open, Some(&registered), Ok(())),
            (Action::CreateDebate, &open, Some(&registered), Ok(())),
            (
                Action::Support,
                &open,
                Some(&registered),
                Err(Refusal::NotVerified),
            ),
            (
                Action::Support,
                &open,
                Some(&person(true, Some("norte"))),
                Err(Refusal::WrongDistrict),
            ),
            (
                Action::Support,
                &open,
                Some(&person(true, None)),
                Err(Refusal::WrongDistrict),
            ),
            (Action::Support, &open, Some(&resident), Ok(())),
            (
                Action::Support,
                &open,
                Some(&organisation),
                Err(Refusal::OrganisationsMayNot),
            ),
        ];
        for (i, (action, facts, who, expected)) in cases.into_iter().enumerate() {
            assert_eq!(decide(action, facts, who), expected, "case {i}");
        }
    }

    #[test]
    fn verified_rules_and_citywide_district_rules() {
        let verified_only = process(Who::Verified, Who::Verified, None);
        assert_eq!(
            decide(
                Action::CreateProposal,
                &verified_only,
                Some(&person(false, None))
            ),
            Err(Refusal::NotVerified)
        );
        assert_eq!(
            decide(
                Action::CreateProposal,
                &verified_only,
                Some(&person(true, None))
            ),
            Ok(())
        );
        // A district rule in a citywide process asks only for verification.
        let citywide = process(Who::District, Who::District, None);
        assert_eq!(
            decide(
                Action::Support,
                &citywide,
                Some(&person(false, Some("centro")))
            ),
            Err(Refusal::NotVerified)
        );
        assert_eq!(
            decide(
                Action::Support,
                &citywide,
                Some(&person(true, Some("norte")))
            ),
            Ok(())
        );
        let organisations_welcome = ProcessFacts {
            organisations_may_support: true,
            ..verified_only
        };
        let organisation = PersonFacts {
            organisation: true,
            ..person(true, None)
        };
        assert_eq!(
            decide(Action::Support, &organisations_welcome, Some(&organisation)),
            Ok(())
        );
    }
}
