//! A process's budget as staff set it up: currency, headings (city-wide
//! and/or per district) with their amounts, the voting style, who votes,
//! the result rule and the six phase dates. Once voting has started the
//! amounts, style and rule are frozen; changing them then is an explicit,
//! audited reset that discards the ballots cast so far. Titles, heading
//! names and the closing dates stay editable without touching a ballot.

use super::results::{Completion, Rule, Tie};
use crate::error::{Error, Field, Problem, Refusal, Result};
use crate::ids::{BudgetId, HeadingId, ProcessId};
use crate::staff::{Actor, audit};
use crate::stored::stored;
use crate::translations::{self, Translations};
use cabildo_tenancy::TenantTx;
use cabildo_tenancy::entitlements::{Feature, Need};
use serde_json::json;
use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

stored! {
    /// The phase of a budget, by the database clock.
    pub enum Phase {
        /// Before projects are accepted.
        Upcoming = "upcoming",
        /// Citizens propose projects.
        Accepting = "accepting",
        /// Evaluators review feasibility.
        Reviewing = "reviewing",
        /// People support projects; staff choose those on the ballot.
        Selecting = "selecting",
        /// People vote.
        Balloting = "balloting",
        /// Staff check ballots and enter paper votes.
        Tallying = "tallying",
        /// Results are public.
        Finished = "finished",
    }
}

/// The SQL of the phase of budget `b` now.
pub(crate) const PHASE: &str = "CASE WHEN now() < b.accepting_at THEN 'upcoming'
    WHEN now() < b.reviewing_at THEN 'accepting' WHEN now() < b.selecting_at THEN 'reviewing'
    WHEN now() < b.balloting_at THEN 'selecting' WHEN now() < b.tallying_at THEN 'balloting'
    WHEN now() < b.finished_at THEN 'tallying' ELSE 'finished' END";

/// The SQL of whether voting has begun in budget `b`: its date came, or
/// a ballot exists.
const STARTED: &str = "(now() >= b.balloting_at OR EXISTS (SELECT 1 FROM budget_ballots l
    JOIN budget_headings h ON h.id = l.heading_id WHERE h.budget_id = b.id))";

stored! {
    /// How people vote.
    pub enum Style {
        /// A ballot's projects cost at most the heading's amount.
        Knapsack = "knapsack",
        /// At most the heading's number of projects.
        Approval = "approval",
    }
}

/// The dates at which each phase begins (the last: results are public).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Dates {
    /// Projects accepted from.
    #[serde(with = "time::serde::rfc3339")]
    pub accepting: OffsetDateTime,
    /// Feasibility review from.
    #[serde(with = "time::serde::rfc3339")]
    pub reviewing: OffsetDateTime,
    /// Supports from.
    #[serde(with = "time::serde::rfc3339")]
    pub selecting: OffsetDateTime,
    /// Voting from.
    #[serde(with = "time::serde::rfc3339")]
    pub balloting: OffsetDateTime,
    /// Voting ends; ballots are reviewed.
    #[serde(with = "time::serde::rfc3339")]
    pub tallying: OffsetDateTime,
    /// Results public from.
    #[serde(with = "time::serde::rfc3339")]
    pub finished: OffsetDateTime,
}

/// What staff choose for a budget.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Title.
    pub title: String,
    /// ISO 4217 code.
    pub currency: String,
    /// Voting style.
    pub style: Style,
    /// Knapsack: the least share of the amount a ballot must spend.
    pub min_spend_percent: i16,
    /// Whether only census-verified residents vote.
    pub verified_only: bool,
    /// Supports per person and heading (none: no limit).
    pub max_supports: Option<i32>,
    /// Whether a submitted ballot may change until voting ends.
    pub ballots_changeable: bool,
    /// How winners are chosen.
    pub rule: Rule,
    /// Ties.
    pub tie: Tie,
    /// The add1 completion's stop.
    pub completion: Completion,
    /// Phase dates.
    pub dates: Dates,
}

/// A heading as staff type it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewHeading {
    /// Name.
    pub name: String,
    /// District whose residents vote here (none: city-wide).
    pub district: Option<String>,
    /// Amount in cents.
    pub amount_cents: i64,
    /// Most projects a ballot may hold (required for approval voting).
    pub max_projects: Option<i32>,
}

/// A heading as stored.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct Heading {
    /// Id.
    pub id: HeadingId,
    /// Name.
    pub name: String,
    /// District (none: city-wide).
    pub district: Option<String>,
    /// Amount in cents.
    pub amount_cents: i64,
    /// Most projects per ballot.
    pub max_projects: Option<i32>,
    /// Its name in the council's other languages.
    #[serde(default)]
    #[sqlx(json)]
    pub translations: Translations,
    /// The language of `name` when it is not the reader's (see
    /// [`Budget::localize`]).
    #[serde(skip)]
    #[sqlx(skip)]
    pub name_lang: Option<String>,
}

/// A budget as everyone sees it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Budget {
    /// Id.
    pub id: BudgetId,
    /// Its process.
    pub process: ProcessId,
    /// Its process's address part.
    pub process_slug: String,
    /// Title.
    pub title: String,
    /// Currency code.
    pub currency: String,
    /// Voting style.
    pub style: Style,
    /// Knapsack: least share to spend.
    pub min_spend_percent: i16,
    /// Only verified residents vote.
    pub verified_only: bool,
    /// Supports per person and heading.
    pub max_supports: Option<i32>,
    /// Ballots may change until voting ends.
    pub ballots_changeable: bool,
    /// Rule name (`greedy`, `mes`, `mes-greedy`).
    pub rule: String,
    /// Tie-breaking name.
    pub tie: String,
    /// Completion name.
    pub completion: String,
    /// The phase now.
    pub phase: Phase,
    /// When each phase begins.
    pub dates: Dates,
    /// Voting has begun (its date came or a ballot exists): changing the
    /// settings now needs a reset.
    pub voting_started: bool,
    /// Headings, city-wide first.
    pub headings: Vec<Heading>,
    /// Its title in the council's other languages.
    pub translations: Translations,
    /// The language of `title` when it is not the reader's.
    #[serde(skip)]
    pub title_lang: Option<String>,
}

impl Budget {
    /// The title and heading names a reader in `language` sees, on a
    /// council whose default language is `default` (see
    /// [`crate::processes::Summary::localize`]).
    pub fn localize(&mut self, language: &str, default: &str) {
        let title = (&mut self.title, &mut self.title_lang);
        self.translations
            .localize("title", title, language, default);
        for heading in &mut self.headings {
            let name = (&mut heading.name, &mut heading.name_lang);
            heading
                .translations
                .localize("name", name, language, default);
        }
    }
}

/// Gives the budget of `process` its title and its headings' names (by
/// district; `None` is the city-wide heading) in the council's other
/// languages, replacing those it had; audited.
pub async fn translate(
    tx: &mut TenantTx,
    actor: &Actor,
    process: ProcessId,
    title: &Translations,
    headings: &[(Option<String>, Translations)],
) -> Result<()> {
    translations::check(tx, title, &[("title", 200)]).await?;
    for (_, names) in headings {
        translations::check(tx, names, &[("name", 200)]).await?;
    }
    let budget: Option<BudgetId> = sqlx::query_scalar(
        "UPDATE budgets SET translations = $2 WHERE process_id = $1 RETURNING id",
    )
    .bind(process)
    .bind(sqlx::types::Json(title))
    .fetch_optional(tx.conn())
    .await?;
    let Some(budget) = budget else {
        return Err(Refusal::NotFound.into());
    };
    for (district, names) in headings {
        sqlx::query(
            "UPDATE budget_headings SET translations = $3
             WHERE budget_id = $1 AND district_code IS NOT DISTINCT FROM $2",
        )
        .bind(budget)
        .bind(district)
        .bind(sqlx::types::Json(names))
        .execute(tx.conn())
        .await?;
    }
    audit(
        tx,
        actor,
        "budget.translate",
        Some(&budget.to_string()),
        json!({"languages": title.languages().collect::<Vec<_>>()}),
    )
    .await?;
    Ok(())
}

/// Checks settings and headings; the refusal names the field.
fn check(settings: &Settings, headings: &[NewHeading]) -> Result<()> {
    let title = settings.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(Error::invalid(Field::Title, Problem::TitleInvalid));
    }
    if settings.currency.len() != 3 || !settings.currency.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(Error::invalid(Field::Currency, Problem::CurrencyInvalid));
    }
    if !(0..=100).contains(&settings.min_spend_percent) {
        return Err(Error::invalid(
            Field::MinSpendPercent,
            Problem::PercentInvalid,
        ));
    }
    if settings.max_supports.is_some_and(|m| m < 1) {
        return Err(Error::invalid(Field::MaxSupports, Problem::NumberInvalid));
    }
    let d = &settings.dates;
    if !(d.accepting <= d.reviewing
        && d.reviewing <= d.selecting
        && d.selecting <= d.balloting
        && d.balloting < d.tallying
        && d.tallying <= d.finished)
    {
        return Err(Error::invalid(Field::Dates, Problem::DatesInvalid));
    }
    if headings.is_empty() || headings.len() > 200 {
        return Err(Error::invalid(Field::Headings, Problem::HeadingsInvalid));
    }
    for heading in headings {
        let name = heading.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(Error::invalid(Field::Headings, Problem::HeadingNameInvalid));
        }
        if !(1..=100_000_000_000_000_000).contains(&heading.amount_cents) {
            return Err(Error::invalid(Field::Headings, Problem::AmountInvalid));
        }
        // A ballot holds at most 1,000 projects (budgets::ballots).
        if heading
            .max_projects
            .is_some_and(|m| !(1..=1000).contains(&m))
            || settings.style == Style::Approval && heading.max_projects.is_none()
        {
            return Err(Error::invalid(Field::Headings, Problem::MaxProjectsInvalid));
        }
    }
    let mut districts: Vec<&Option<String>> = headings.iter().map(|h| &h.district).collect();
    districts.sort();
    districts.dedup();
    if districts.len() != headings.len() {
        return Err(Error::invalid(Field::Headings, Problem::HeadingTwice));
    }
    Ok(())
}

/// A budgets statement with the settings bound as `$2` to `$17`, in the
/// order of the columns of `create` and `update`.
fn with_settings<'q>(
    query: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    settings: &'q Settings,
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    query
        .bind(settings.title.trim())
        .bind(&settings.currency)
        .bind(settings.style.as_str())
        .bind(settings.min_spend_percent)
        .bind(if settings.verified_only {
            "verified"
        } else {
            "registered"
        })
        .bind(settings.max_supports)
        .bind(settings.ballots_changeable)
        .bind(settings.rule.as_str())
        .bind(settings.tie.as_str())
        .bind(settings.completion.as_str())
        .bind(settings.dates.accepting)
        .bind(settings.dates.reviewing)
        .bind(settings.dates.selecting)
        .bind(settings.dates.balloting)
        .bind(settings.dates.tallying)
        .bind(settings.dates.finished)
}

/// Gives a process its budget, when the council's plan includes budgets
/// (budgets made before a plan change run on).
pub async fn create(
    tx: &mut TenantTx,
    actor: &Actor,
    process: ProcessId,
    settings: &Settings,
    headings: &[NewHeading],
) -> Result<BudgetId> {
    check(settings, headings)?;
    tx.within_plan(Need::Feature(Feature::Budgets))?;
    let exists: Option<bool> = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM budgets WHERE process_id = p.id) FROM processes p WHERE p.id = $1",
    )
    .bind(process)
    .fetch_optional(tx.conn())
    .await?;
    match exists {
        None => return Err(Refusal::NotFound.into()),
        Some(true) => return Err(Error::invalid(Field::Process, Problem::BudgetExists)),
        Some(false) => {}
    }
    known_districts(tx, headings).await?;
    let row = with_settings(
        sqlx::query(
            "INSERT INTO budgets (process_id, title, currency, voting_style, min_spend_percent, voters,
                              max_supports, ballots_changeable, rule, tie, completion,
                              accepting_at, reviewing_at, selecting_at, balloting_at, tallying_at, finished_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
         RETURNING id",
        )
        .bind(process),
        settings,
    )
    .fetch_one(tx.conn())
    .await?;
    let id: BudgetId = row.try_get("id")?;
    insert_headings(tx, id, headings).await?;
    tx.enqueue(&super::tally::count_job(id, settings.dates.finished));
    audit(
        tx,
        actor,
        "budget.create",
        Some(&id.to_string()),
        json!({"process": process, "headings": headings.len(), "rule": settings.rule.as_str()}),
    )
    .await?;
    Ok(id)
}

async fn known_districts(tx: &mut TenantTx, headings: &[NewHeading]) -> Result<()> {
    let wanted: Vec<&str> = headings
        .iter()
        .filter_map(|h| h.district.as_deref())
        .collect();
    let known: i64 = sqlx::query_scalar("SELECT count(*) FROM districts WHERE code = ANY ($1)")
        .bind(&wanted)
        .fetch_one(tx.conn())
        .await?;
    if known == wanted.len() as i64 {
        Ok(())
    } else {
        Err(Error::invalid(Field::Headings, Problem::DistrictUnknown))
    }
}

async fn insert_headings(
    tx: &mut TenantTx,
    budget: BudgetId,
    headings: &[NewHeading],
) -> Result<()> {
    for heading in headings {
        sqlx::query(
            "INSERT INTO budget_headings (budget_id, name, district_code, amount_cents, max_projects)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(budget)
        .bind(heading.name.trim())
        .bind(&heading.district)
        .bind(heading.amount_cents)
        .bind(heading.max_projects)
        .execute(tx.conn())
        .await?;
    }
    Ok(())
}

/// Changes a budget's settings and headings. Once the balloting phase has
/// begun or any ballot exists, a change to what ballots mean (see
/// [`changes_ballots`]) is refused with `voting_started` unless staff give
/// a reason: then every ballot is discarded and the reset audited.
/// Headings are matched by district; their projects stay.
pub async fn update(
    tx: &mut TenantTx,
    actor: &Actor,
    budget: BudgetId,
    settings: &Settings,
    headings: &[NewHeading],
    reset_reason: Option<&str>,
) -> Result<()> {
    check(settings, headings)?;
    // Lock the budget: ballots check it is unchanged while they write.
    let sql = format!("SELECT {STARTED} FROM budgets b WHERE b.id = $1 FOR UPDATE");
    let started: Option<bool> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(budget)
        .fetch_optional(tx.conn())
        .await?;
    let Some(started) = started else {
        return Err(Refusal::NotFound.into());
    };
    let reason = reset_reason.map(str::trim).filter(|r| !r.is_empty());
    // Once voting has begun, an edit that leaves every ballot meaning what
    // it meant (titles, heading names, supports, whether ballots may
    // change, when voting ends and results come) keeps the ballots; any
    // other needs a reason and discards them.
    let reset = started && changes_ballots(tx, budget, settings, headings).await?;
    if reset && reason.is_none() {
        return Err(Error::invalid(Field::Budget, Problem::VotingStarted));
    }
    known_districts(tx, headings).await?;
    let discarded: u64 = if reset {
        sqlx::query(
            "DELETE FROM budget_ballots l USING budget_headings h
             WHERE h.id = l.heading_id AND h.budget_id = $1",
        )
        .bind(budget)
        .execute(tx.conn())
        .await?
        .rows_affected()
    } else {
        0
    };
    with_settings(
        sqlx::query(
            "UPDATE budgets SET title = $2, currency = $3, voting_style = $4, min_spend_percent = $5, voters = $6,
                max_supports = $7, ballots_changeable = $8, rule = $9, tie = $10, completion = $11,
                accepting_at = $12, reviewing_at = $13, selecting_at = $14, balloting_at = $15,
                tallying_at = $16, finished_at = $17
         WHERE id = $1",
        )
        .bind(budget),
        settings,
    )
    .execute(tx.conn())
    .await?;
    // Headings: update those whose district stays, add new ones, remove
    // those left out that have no projects.
    let districts: Vec<Option<String>> = headings.iter().map(|h| h.district.clone()).collect();
    // Ballots have no foreign key to their heading (see the migration):
    // a heading's ballots go with it.
    let removed: i64 = sqlx::query_scalar(
        "WITH gone AS (DELETE FROM budget_headings h WHERE h.budget_id = $1
           AND NOT EXISTS (SELECT 1 FROM unnest($2::text[]) d WHERE d IS NOT DISTINCT FROM h.district_code)
           AND NOT EXISTS (SELECT 1 FROM budget_projects p WHERE p.heading_id = h.id) RETURNING h.id),
         ballots AS (DELETE FROM budget_ballots l USING gone WHERE l.heading_id = gone.id)
         SELECT count(*) FROM gone",
    )
    .bind(budget)
    .bind(&districts)
    .fetch_one(tx.conn())
    .await?;
    for heading in headings {
        sqlx::query(
            "INSERT INTO budget_headings (budget_id, name, district_code, amount_cents, max_projects)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT ON CONSTRAINT budget_headings_district_key
             DO UPDATE SET name = EXCLUDED.name, amount_cents = EXCLUDED.amount_cents,
                           max_projects = EXCLUDED.max_projects",
        )
        .bind(budget)
        .bind(heading.name.trim())
        .bind(&heading.district)
        .bind(heading.amount_cents)
        .bind(heading.max_projects)
        .execute(tx.conn())
        .await?;
    }
    // The job for the new end, if it moved (the old one then does nothing).
    tx.enqueue(&super::tally::count_job(budget, settings.dates.finished));
    audit(
        tx,
        actor,
        if reset {
            "budget.reset"
        } else {
            "budget.update"
        },
        Some(&budget.to_string()),
        json!({"rule": settings.rule.as_str(), "style": settings.style.as_str(),
               "headings": headings.len(), "headings_removed": removed,
               "ballots_discarded": discarded, "reason": reset.then_some(reason)}),
    )
    .await?;
    Ok(())
}

/// What a ballot of a budget means, but for its headings: everything
/// [`update`] may not change while people vote.
#[derive(PartialEq, Eq, sqlx::FromRow)]
struct Meaning {
    currency: String,
    voting_style: String,
    min_spend_percent: i16,
    voters: String,
    rule: String,
    tie: String,
    completion: String,
    accepting_at: OffsetDateTime,
    reviewing_at: OffsetDateTime,
    selecting_at: OffsetDateTime,
    balloting_at: OffsetDateTime,
}

/// A heading's district, amount and most projects.
type HeadingMeaning = (Option<String>, i64, Option<i32>);

/// Whether `settings` and `headings` would change what the ballots of
/// `budget` mean.
async fn changes_ballots(
    tx: &mut TenantTx,
    budget: BudgetId,
    settings: &Settings,
    headings: &[NewHeading],
) -> Result<bool> {
    let stored: Meaning = sqlx::query_as(
        "SELECT currency, voting_style, min_spend_percent, voters, rule, tie, completion,
                accepting_at, reviewing_at, selecting_at, balloting_at
         FROM budgets WHERE id = $1",
    )
    .bind(budget)
    .fetch_one(tx.conn())
    .await?;
    let mut stored_headings: Vec<HeadingMeaning> = sqlx::query_as(
        "SELECT district_code, amount_cents, max_projects FROM budget_headings WHERE budget_id = $1",
    )
    .bind(budget)
    .fetch_all(tx.conn())
    .await?;
    stored_headings.sort();
    let mut wanted_headings: Vec<HeadingMeaning> = headings
        .iter()
        .map(|h| (h.district.clone(), h.amount_cents, h.max_projects))
        .collect();
    wanted_headings.sort();
    let wanted = Meaning {
        currency: settings.currency.clone(),
        voting_style: settings.style.as_str().into(),
        min_spend_percent: settings.min_spend_percent,
        voters: if settings.verified_only {
            "verified"
        } else {
            "registered"
        }
        .into(),
        rule: settings.rule.as_str().into(),
        tie: settings.tie.as_str().into(),
        completion: settings.completion.as_str().into(),
        accepting_at: settings.dates.accepting,
        reviewing_at: settings.dates.reviewing,
        selecting_at: settings.dates.selecting,
        balloting_at: settings.dates.balloting,
    };
    Ok(stored != wanted || stored_headings != wanted_headings)
}

/// Creates the process's budget, or changes the one it has (with
/// `reason` once voting has begun, see [`update`]).
pub async fn save(
    tx: &mut TenantTx,
    actor: &Actor,
    process: ProcessId,
    settings: &Settings,
    headings: &[NewHeading],
    reason: Option<&str>,
) -> Result<()> {
    match of_process(tx, process).await? {
        Some(budget) => update(tx, actor, budget.id, settings, headings, reason).await,
        None => create(tx, actor, process, settings, headings)
            .await
            .map(drop),
    }
}

/// The budget of a process, with its phase now and its headings.
pub async fn of_process(tx: &mut TenantTx, process: ProcessId) -> Result<Option<Budget>> {
    fetch(tx, "b.process_id = $1", process.0).await
}

/// The budget a heading belongs to.
pub async fn of_heading(tx: &mut TenantTx, heading: HeadingId) -> Result<Option<Budget>> {
    fetch(
        tx,
        "b.id = (SELECT budget_id FROM budget_headings WHERE id = $1)",
        heading.0,
    )
    .await
}

/// A budget by id.
pub async fn get(tx: &mut TenantTx, id: BudgetId) -> Result<Option<Budget>> {
    fetch(tx, "b.id = $1", id.0).await
}

/// The budget matching `condition` on `budgets b` (with `$1` bound to
/// `key`), its headings with it: one statement.
async fn fetch(tx: &mut TenantTx, condition: &'static str, key: Uuid) -> Result<Option<Budget>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: BudgetId,
        process_id: ProcessId,
        process_slug: String,
        title: String,
        currency: String,
        voting_style: Style,
        min_spend_percent: i16,
        voters: String,
        max_supports: Option<i32>,
        ballots_changeable: bool,
        rule: String,
        tie: String,
        completion: String,
        phase: Phase,
        accepting_at: OffsetDateTime,
        reviewing_at: OffsetDateTime,
        selecting_at: OffsetDateTime,
        balloting_at: OffsetDateTime,
        tallying_at: OffsetDateTime,
        finished_at: OffsetDateTime,
        voting_started: bool,
        headings: sqlx::types::Json<Vec<Heading>>,
        translations: sqlx::types::Json<Translations>,
    }
    let sql = format!(
        "SELECT b.id, b.process_id, p.slug AS process_slug, b.title, b.currency, b.voting_style, b.min_spend_percent, b.voters,
                b.max_supports, b.ballots_changeable, b.rule, b.tie, b.completion, {PHASE} AS phase,
                b.accepting_at, b.reviewing_at, b.selecting_at, b.balloting_at, b.tallying_at, b.finished_at,
                {STARTED} AS voting_started, b.translations,
                (SELECT coalesce(json_agg(json_build_object('id', h.id, 'name', h.name,
                            'district', h.district_code, 'amount_cents', h.amount_cents,
                            'max_projects', h.max_projects, 'translations', h.translations)
                        ORDER BY h.district_code NULLS FIRST, h.name), '[]')
                 FROM budget_headings h WHERE h.budget_id = b.id) AS headings
         FROM budgets b JOIN processes p ON p.id = b.process_id WHERE {condition}"
    );
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(key)
        .fetch_optional(tx.conn())
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    Ok(Some(Budget {
        id: row.id,
        process: row.process_id,
        process_slug: row.process_slug,
        title: row.title,
        currency: row.currency,
        style: row.voting_style,
        min_spend_percent: row.min_spend_percent,
        verified_only: row.voters == "verified",
        max_supports: row.max_supports,
        ballots_changeable: row.ballots_changeable,
        rule: row.rule,
        tie: row.tie,
        completion: row.completion,
        phase: row.phase,
        dates: Dates {
            accepting: row.accepting_at,
            reviewing: row.reviewing_at,
            selecting: row.selecting_at,
            balloting: row.balloting_at,
            tallying: row.tallying_at,
            finished: row.finished_at,
        },
        voting_started: row.voting_started,
        headings: row.headings.0,
        translations: row.translations.0,
        title_lang: None,
    }))
}

/// A heading as listed for staff.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct StaffHeading {
    /// The heading.
    pub id: HeadingId,
    /// Its name.
    pub name: String,
    /// Its budget's title.
    pub budget: String,
    /// Its process's title.
    pub process: String,
    /// Its projects.
    pub projects: i64,
    /// Of them, awaiting a feasibility review.
    pub pending: i64,
}

/// The headings of every budget whose process is not archived, newest
/// budget first, with how many projects await review.
pub async fn staff_headings(tx: &mut TenantTx) -> Result<Vec<StaffHeading>> {
    Ok(sqlx::query_as(
        "SELECT h.id, h.name, b.title AS budget, p.title AS process,
                count(j.id) FILTER (WHERE j.hidden_at IS NULL) AS projects,
                count(j.id) FILTER (WHERE j.hidden_at IS NULL AND j.feasibility = 'pending') AS pending
         FROM budget_headings h JOIN budgets b ON b.id = h.budget_id
         JOIN processes p ON p.id = b.process_id AND p.status <> 'archived'
         LEFT JOIN budget_projects j ON j.heading_id = h.id
         GROUP BY h.id, b.id, p.id
         ORDER BY b.created_at DESC, b.id, h.district_code NULLS FIRST, h.name
         LIMIT 500",
    )
    .fetch_all(tx.conn())
    .await?)
}
