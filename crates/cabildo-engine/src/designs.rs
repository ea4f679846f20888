//! Process designs: what a process is made of without anyone's
//! participation — texts per language, rules, phases with their dates
//! relative to its start, and its budget's setup and headings — so a
//! design can be copied into another council (or the same one) as a
//! draft, and the platform can ship templates. Nothing people wrote and no
//! personal data is part of a design.

use crate::error::{Error, Field, Problem, Result};
use crate::ids::ProcessId;
use crate::processes::{self, NewProcess, Rules, Who};
use crate::staff::{Actor, audit};
use cabildo_tenancy::{TenantTx, Zone};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use time::{Date, OffsetDateTime};

/// Seconds in a day.
const DAY: i64 = 86_400;

/// A process's design. Times are seconds from the local midnight of the
/// day the process starts (its first phase, or its budget's first date).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Design {
    /// Title in the default language.
    pub title: String,
    /// Summary.
    pub summary: String,
    /// Markdown description.
    pub description: String,
    /// Texts in other languages, as stored (`{"en": {"title": …}}`).
    #[serde(default)]
    pub translations: Value,
    /// The district it is for (none: the whole city).
    #[serde(default)]
    pub district: Option<String>,
    /// Who may create (`registered`, `verified`, `district`).
    pub create_rule: String,
    /// Who may support.
    pub support_rule: String,
    /// Whether organisations may support.
    pub organisations_may_support: bool,
    /// Supports that qualify a proposal.
    pub support_threshold: i32,
    /// Its phases, in order.
    pub phases: Vec<DesignPhase>,
    /// Its participatory budget, if it has one.
    #[serde(default)]
    pub budget: Option<DesignBudget>,
}

/// A phase of a design.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DesignPhase {
    /// Title.
    pub title: String,
    /// Titles in other languages.
    #[serde(default)]
    pub translations: Value,
    /// Start, in seconds from the process's first midnight.
    pub starts: i64,
    /// End, likewise.
    pub ends: i64,
    /// Components it enables (`debates`, `proposals`, `budget` …).
    pub components: Vec<String>,
}

/// A budget's setup.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DesignBudget {
    /// Title.
    pub title: String,
    /// Titles in other languages.
    #[serde(default)]
    pub translations: Value,
    /// ISO 4217.
    pub currency: String,
    /// `knapsack` or `approval`.
    pub voting_style: String,
    /// Least share a knapsack ballot spends.
    pub min_spend_percent: i16,
    /// `registered` or `verified`.
    pub voters: String,
    /// Supports per person and heading.
    #[serde(default)]
    pub max_supports: Option<i32>,
    /// Ballots may change until voting ends.
    pub ballots_changeable: bool,
    /// `greedy`, `mes` or `mes-greedy`.
    pub rule: String,
    /// `id` or `cheapest`.
    pub tie: String,
    /// `exhaustive` or `until-over-budget`.
    pub completion: String,
    /// When accepting, reviewing, selecting, balloting, tallying and
    /// finished begin, in seconds from the process's first midnight.
    pub dates: [i64; 6],
    /// Headings.
    pub headings: Vec<DesignHeading>,
}

/// A budget heading of a design.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct DesignHeading {
    /// Name.
    pub name: String,
    /// Names in other languages.
    #[serde(default)]
    pub translations: Value,
    /// The district whose residents vote here (none: city-wide).
    #[serde(default)]
    pub district: Option<String>,
    /// Amount in cents.
    pub amount_cents: i64,
    /// Most projects on a ballot.
    #[serde(default)]
    pub max_projects: Option<i32>,
}

impl Design {
    /// The districts the design names (its scope and its headings'), each
    /// once.
    pub fn districts(&self) -> Vec<String> {
        let headings = (self.budget.iter())
            .flat_map(|b| b.headings.iter())
            .filter_map(|h| h.district.clone());
        let mut all: Vec<String> = self.district.clone().into_iter().chain(headings).collect();
        all.sort();
        all.dedup();
        all
    }
}

/// The design of `process` in `tx`'s council (`zone` is its time zone).
pub async fn export(tx: &mut TenantTx, zone: &Zone, process: ProcessId) -> Result<Option<Design>> {
    type ProcessRow = (
        String,
        String,
        String,
        Value,
        Option<String>,
        String,
        String,
        bool,
        i32,
    );
    let row: Option<ProcessRow> = sqlx::query_as(
        "SELECT title, summary, description_markdown, translations, district_code, create_rule,
                support_rule, organisations_may_support, support_threshold
         FROM processes WHERE id = $1",
    )
    .bind(process)
    .fetch_optional(tx.conn())
    .await?;
    let Some((
        title,
        summary,
        description,
        translations,
        district,
        create,
        support,
        orgs,
        threshold,
    )) = row
    else {
        return Ok(None);
    };
    let phases: Vec<(String, Value, OffsetDateTime, OffsetDateTime, Vec<String>)> = sqlx::query_as(
        "SELECT title, translations, starts_at, ends_at, components FROM process_phases
             WHERE process_id = $1 ORDER BY starts_at, title",
    )
    .bind(process)
    .fetch_all(tx.conn())
    .await?;
    type BudgetRow = (
        uuid::Uuid,
        String,
        Value,
        String,
        String,
        i16,
        String,
        Option<i32>,
        bool,
        String,
        String,
        String,
        [OffsetDateTime; 6],
    );
    let budget: Option<BudgetRow> = sqlx::query_as(
        "SELECT id, title, translations, currency, voting_style, min_spend_percent, voters,
                max_supports, ballots_changeable, rule, tie, completion,
                ARRAY[accepting_at, reviewing_at, selecting_at, balloting_at, tallying_at, finished_at]
         FROM budgets WHERE process_id = $1",
    )
    .bind(process)
    .fetch_optional(tx.conn())
    .await?;
    let first = (phases.iter().map(|p| p.2))
        .chain(budget.iter().map(|b| b.12[0]))
        .min()
        .unwrap_or_else(OffsetDateTime::now_utc);
    let origin = zone.start_of(zone.local(first).date());
    let offset = |at: OffsetDateTime| (at - origin).whole_seconds();
    let budget = match budget {
        None => None,
        Some((
            id,
            title,
            translations,
            currency,
            style,
            min_spend,
            voters,
            max_supports,
            changeable,
            rule,
            tie,
            completion,
            dates,
        )) => {
            let headings: Vec<DesignHeading> = sqlx::query_as(
                "SELECT name, translations, district_code AS district, amount_cents, max_projects
                 FROM budget_headings WHERE budget_id = $1 ORDER BY district_code NULLS FIRST, name",
            )
            .bind(id)
            .fetch_all(tx.conn())
            .await?;
            Some(DesignBudget {
                title,
                translations,
                currency,
                voting_style: style,
                min_spend_percent: min_spend,
                voters,
                max_supports,
                ballots_changeable: changeable,
                rule,
                tie,
                completion,
                dates: dates.map(offset),
                headings,
            })
        }
    };
    Ok(Some(Design {
        title,
        summary,
        description,
        translations,
        district,
        create_rule: create,
        support_rule: support,
        organisations_may_support: orgs,
        support_threshold: threshold,
        phases: phases
            .into_iter()
            .map(
                |(title, translations, starts, ends, components)| DesignPhase {
                    title,
                    translations,
                    starts: offset(starts),
                    ends: offset(ends),
                    components,
                },
            )
            .collect(),
        budget,
    }))
}

/// Where a design's districts go in the council it is copied into:
/// district code there, or `None` (the whole city for the process's
/// scope; the heading left out for a budget heading).
pub type DistrictMap = BTreeMap<String, Option<String>>;

/// What copying a design did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Copied {
    /// A draft process was made.
    Made(ProcessId),
    /// These districts of the design do not exist here and were not
    /// mapped: say where each goes, and copy again. Nothing was made.
    Unmapped(Vec<String>),
}

/// Makes a draft process of `design` in `tx`'s council, named `slug`,
/// starting on `starts` (a local date in `zone`). Districts the council
/// has keep their code; the others go where `map` says.
pub async fn import(
    tx: &mut TenantTx,
    actor: &Actor,
    zone: &Zone,
    design: &Design,
    slug: &str,
    starts: Date,
    map: &DistrictMap,
) -> Result<Copied> {
    let here: Vec<String> = sqlx::query_scalar("SELECT code FROM districts")
        .fetch_all(tx.conn())
        .await?;
    let place = |code: &str| -> Option<Option<String>> {
        if here.iter().any(|c| c == code) {
            return Some(Some(code.to_owned()));
        }
        map.get(code)
            .map(|target| target.clone().filter(|t| here.contains(t)))
    };
    let unmapped: Vec<String> = (design.districts().into_iter())
        .filter(|code| place(code).is_none())
        .collect();
    if !unmapped.is_empty() {
        return Ok(Copied::Unmapped(unmapped));
    }
    let languages: Vec<String> = sqlx::query_scalar("SELECT unnest(languages) FROM settings")
        .fetch_all(tx.conn())
        .await?;
    let rule = |name: &str| Who::parse(name).ok_or(Error::invalid(Field::Rule, Problem::Invalid));
    let process = processes::create(
        tx,
        actor,
        &NewProcess {
            slug: slug.to_owned(),
            title: design.title.clone(),
            summary: design.summary.clone(),
            description: design.description.clone(),
            district: design.district.as_deref().and_then(|d| place(d).flatten()),
            rules: Rules {
                create: rule(&design.create_rule)?,
                support: rule(&design.support_rule)?,
                organisations_may_support: design.organisations_may_support,
                support_threshold: design.support_threshold,
            },
        },
    )
    .await?;
    // Texts only in the languages this council offers.
    let texts = |translations: &Value| offered(translations, &languages);
    sqlx::query("UPDATE processes SET translations = $2 WHERE id = $1")
        .bind(process)
        .bind(texts(&design.translations))
        .execute(tx.conn())
        .await?;
    let origin = zone.start_of(starts);
    let at = |seconds: i64| origin + time::Duration::seconds(seconds);
    for phase in &design.phases {
        if phase.ends <= phase.starts || phase.ends - phase.starts > 3_650 * DAY {
            return Err(Error::invalid(Field::Dates, Problem::DatesInvalid));
        }
        sqlx::query(
            "INSERT INTO process_phases (process_id, translations, title, starts_at, ends_at, components)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(process)
        .bind(texts(&phase.translations))
        .bind(&phase.title)
        .bind(at(phase.starts))
        .bind(at(phase.ends))
        .bind(&phase.components)
        .execute(tx.conn())
        .await?;
    }
    if let Some(budget) = &design.budget {
        let [
            accepting,
            reviewing,
            selecting,
            balloting,
            tallying,
            finished,
        ] = budget.dates.map(at);
        let id: uuid::Uuid = sqlx::query_scalar(
            "INSERT INTO budgets (process_id, translations, title, currency, voting_style,
                    min_spend_percent, voters, max_supports, ballots_changeable, rule, tie, completion,
                    accepting_at, reviewing_at, selecting_at, balloting_at, tallying_at, finished_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
                     $13, $14, $15, $16, $17, $18) RETURNING id",
        )
        .bind(process)
        .bind(texts(&budget.translations))
        .bind(&budget.title)
        .bind(&budget.currency)
        .bind(&budget.voting_style)
        .bind(budget.min_spend_percent)
        .bind(&budget.voters)
        .bind(budget.max_supports)
        .bind(budget.ballots_changeable)
        .bind(&budget.rule)
        .bind(&budget.tie)
        .bind(&budget.completion)
        .bind(accepting)
        .bind(reviewing)
        .bind(selecting)
        .bind(balloting)
        .bind(tallying)
        .bind(finished)
        .fetch_one(tx.conn())
        .await?;
        let mut placed: Vec<Option<String>> = Vec::new();
        for heading in &budget.headings {
            let district = match &heading.district {
                None => None,
                Some(code) => match place(code).flatten() {
                    Some(target) => Some(target),
                    // Mapped to nowhere: the heading stays behind.
                    None => continue,
                },
            };
            if placed.contains(&district) {
                return Err(Error::invalid(Field::Headings, Problem::HeadingTwice));
            }
            sqlx::query(
                "INSERT INTO budget_headings (budget_id, translations, name, district_code,
                        amount_cents, max_projects)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(texts(&heading.translations))
            .bind(&heading.name)
            .bind(&district)
            .bind(heading.amount_cents)
            .bind(heading.max_projects)
            .execute(tx.conn())
            .await?;
            placed.push(district);
        }
    }
    audit(
        tx,
        actor,
        "process.copy",
        Some(slug),
        json!({"process": process, "title": design.title, "starts": starts.to_string()}),
    )
    .await?;
    Ok(Copied::Made(process))
}

/// The texts of `translations` (language → field → text) in `languages`
/// only; `{}` for anything but an object.
fn offered(translations: &Value, languages: &[String]) -> Value {
    let kept = translations
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(language, _)| languages.contains(language))
        .map(|(language, texts)| (language.clone(), texts.clone()));
    Value::Object(kept.collect())
}

/// A process template the platform ships.
#[derive(Clone, Debug)]
pub struct Template {
    /// Its name in addresses and forms.
    pub key: &'static str,
    /// The design.
    pub design: Design,
}

/// The templates shipped in `data/templates/` (checked by the tests).
pub fn templates() -> Vec<Template> {
    [
        (
            "presupuesto-participativo",
            include_str!("../../../data/templates/presupuesto-participativo.json"),
        ),
        (
            "consulta-urbanistica",
            include_str!("../../../data/templates/consulta-urbanistica.json"),
        ),
        (
            "propuestas-ciudadanas",
            include_str!("../../../data/templates/propuestas-ciudadanas.json"),
        ),
    ]
    .into_iter()
    .filter_map(|(key, text)| {
        let design = serde_json::from_str(text)
            .map_err(
                |e| tracing::error!(template = key, error = %e, "a shipped template does not read"),
            )
            .ok()?;
        Some(Template { key, design })
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_template_reads_and_names_no_district() {
        let templates = templates();
        assert_eq!(templates.len(), 3);
        for template in templates {
            let design = &template.design;
            assert!(!design.phases.is_empty(), "{}", template.key);
            assert!(design.districts().is_empty(), "{}", template.key);
            assert!(
                design
                    .phases
                    .iter()
                    .all(|p| p.ends > p.starts && p.starts >= 0),
                "{}",
                template.key
            );
        }
    }
}
