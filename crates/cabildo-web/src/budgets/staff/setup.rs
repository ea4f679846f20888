//! The setup page of a process's budget: its settings, phase dates and
//! headings, created or changed by admins.

use crate::budgets::DoneQuery;
use crate::http::error::{PageError, refused};
use crate::http::extract::{CsrfForm, Id, Staff};
use crate::ui::chrome::Chrome;
use crate::ui::format::{cents_text, money};
use crate::ui::forms::{Translated, cents, optional, translated, typed};
use crate::ui::i18n::{Tr, native_name};
use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cabildo_engine::Error as EngineError;
use cabildo_engine::Refusal;
use cabildo_engine::budgets::results::{Completion, Rule, Tie};
use cabildo_engine::budgets::setup::{self, Budget, Dates, NewHeading, Phase, Settings, Style};
use cabildo_engine::budgets::tally::{self, CountState};
use cabildo_engine::ids::{HeadingId, ProcessId};
use cabildo_engine::processes;
use cabildo_engine::staff::Permission;
use cabildo_engine::translations::Translations;
use cabildo_engine::{Field, Problem};
use cabildo_tenancy::Zone;
use std::collections::HashMap;
use time::OffsetDateTime;

/// Blank heading rows offered for new headings.
const BLANK_HEADINGS: usize = 2;

/// Most heading rows read from a form.
const MAX_HEADING_ROWS: usize = 210;

/// `at` as a date field's value: its day in the council's time zone.
fn day(tr: &Tr, at: OffsetDateTime) -> String {
    tr.zone().local(at).date().to_string()
}

/// The typed fields named `name(code)` for each of `others`.
fn typed_translations(
    others: &[String],
    values: &HashMap<String, String>,
    name: impl Fn(&str) -> String,
) -> Vec<Translated> {
    others
        .iter()
        .map(|code| {
            let text = values.get(&name(code)).cloned().unwrap_or_default();
            (code.clone(), native_name(code), text)
        })
        .collect()
}

/// Translations from form fields.
fn from_fields(fields: &[Translated], field: &str) -> Translations {
    let mut translations = Translations::new();
    for (code, _, text) in fields {
        translations.set(code, field, text);
    }
    translations
}

/// A heading row of the setup form.
pub struct HeadingRow {
    name: String,
    /// Its name in the council's other languages.
    names: Vec<Translated>,
    district: String,
    amount: String,
    max_projects: String,
}

/// The setup form, as stored or as typed.
pub struct SetupForm {
    title: String,
    /// The title in the council's other languages.
    titles: Vec<Translated>,
    currency: String,
    style: String,
    min_spend: String,
    verified_only: bool,
    max_supports: String,
    changeable: bool,
    rule: String,
    tie: String,
    completion: String,
    /// (field, value), in phase order.
    dates: Vec<(&'static str, String)>,
    headings: Vec<HeadingRow>,
}

/// The date fields, in phase order.
const DATE_FIELDS: [&str; 6] = [
    "accepting",
    "reviewing",
    "selecting",
    "balloting",
    "tallying",
    "finished",
];

impl SetupForm {
    /// A new budget: projects from today, a week per phase; `others`
    /// are the council's languages but the default.
    fn new_budget(tr: &Tr, others: &[String]) -> Self {
        let today = OffsetDateTime::now_utc();
        Self {
            title: tr.t("staff-budget-default-title"),
            titles: translated(others, &Translations::new(), "title"),
            currency: "EUR".into(),
            style: Style::Knapsack.as_str().into(),
            min_spend: "0".into(),
            verified_only: true,
            max_supports: String::new(),
            changeable: true,
            rule: Rule::Greedy.as_str().into(),
            tie: Tie::Id.as_str().into(),
            completion: Completion::Exhaustive.as_str().into(),
            dates: DATE_FIELDS
                .iter()
                .zip(0_i64..)
                .map(|(field, week)| (*field, day(tr, today + time::Duration::weeks(week))))
                .collect(),
            headings: blank_rows(Vec::new(), others),
        }
    }

    fn of(tr: &Tr, budget: &Budget, others: &[String]) -> Self {
        let d = budget.dates;
        Self {
            title: budget.title.clone(),
            titles: translated(others, &budget.translations, "title"),
            currency: budget.currency.clone(),
            style: budget.style.as_str().into(),
            min_spend: budget.min_spend_percent.to_string(),
            verified_only: budget.verified_only,
            max_supports: budget
                .max_supports
                .map(|m| m.to_string())
                .unwrap_or_default(),
            changeable: budget.ballots_changeable,
            rule: budget.rule.clone(),
            tie: budget.tie.clone(),
            completion: budget.completion.clone(),
            dates: DATE_FIELDS
                .into_iter()
                .zip([
                    d.accepting,
                    d.reviewing,
                    d.selecting,
                    d.balloting,
                    d.tallying,
                    d.finished,
                ])
                .map(|(field, at)| (field, day(tr, at)))
                .collect(),
            headings: blank_rows(
                budget
                    .headings
                    .iter()
                    .map(|h| HeadingRow {
                        name: h.name.clone(),
                        names: translated(others, &h.translations, "name"),
                        district: h.district.clone().unwrap_or_default(),
                        amount: cents_text(h.amount_cents),
                        max_projects: h.max_projects.map(|m| m.to_string()).unwrap_or_default(),
                    })
                    .collect(),
                others,
            ),
        }
    }

    fn typed(values: &HashMap<String, String>, others: &[String]) -> Self {
        let text = |name: &str| values.get(name).cloned().unwrap_or_default();
        let rows = text("heading_rows")
            .parse::<usize>()
            .unwrap_or(0)
            .min(MAX_HEADING_ROWS);
        Self {
            title: text("title"),
            titles: typed_translations(others, values, |code| format!("tr-{code}-title")),
            currency: text("currency").trim().to_uppercase(),
            style: text("style"),
            min_spend: text("min_spend"),
            verified_only: text("verified_only") == "on",
            max_supports: text("max_supports"),
            changeable: text("changeable") == "on",
            rule: text("rule"),
            tie: text("tie"),
            completion: text("completion"),
            dates: DATE_FIELDS.iter().map(|f| (*f, text(f))).collect(),
            headings: (0..rows)
                .map(|i| HeadingRow {
                    name: text(&format!("h{i}_name")),
                    names: typed_translations(others, values, |code| format!("h{i}_name_{code}")),
                    district: text(&format!("h{i}_district")),
                    amount: text(&format!("h{i}_amount")),
                    max_projects: text(&format!("h{i}_max")),
                })
                .collect(),
        }
    }

    /// The names of the filled heading rows in the other languages, by
    /// district (as [`setup::translate`] takes them).
    fn heading_names(&self) -> Vec<(Option<String>, Translations)> {
        self.headings
            .iter()
            .filter(|row| !row.name.trim().is_empty())
            .map(|row| {
                let district = Some(row.district.trim().to_owned()).filter(|d| !d.is_empty());
                (district, from_fields(&row.names, "name"))
            })
            .collect()
    }

    /// The settings and headings, or the first field that is wrong. Each
    /// phase starts at the beginning of its day in the council's `zone`.
    fn parsed(&self, zone: &Zone) -> Result<(Settings, Vec<NewHeading>), EngineError> {
        let choice = |field| EngineError::invalid(field, Problem::ChoiceInvalid);
        let date = |i: usize| {
            self.dates
                .get(i)
                .and_then(|(_, v)| cabildo_engine::census::import::parse_day(v))
                .map(|d| zone.start_of(d))
                .ok_or(EngineError::invalid(Field::Dates, Problem::DatesInvalid))
        };
        let settings = Settings {
            title: self.title.clone(),
            currency: self.currency.clone(),
            style: Style::parse(&self.style).ok_or(choice(Field::Style))?,
            min_spend_percent: typed(
                &self.min_spend,
                Field::MinSpendPercent,
                Problem::PercentInvalid,
            )?,
            verified_only: self.verified_only,
            max_supports: optional(
                &self.max_supports,
                Field::MaxSupports,
                Problem::NumberInvalid,
            )?,
            ballots_changeable: self.changeable,
            rule: self.rule.parse().map_err(|_| choice(Field::Rule))?,
            tie: self.tie.parse().map_err(|_| choice(Field::Tie))?,
            completion: self
                .completion
                .parse()
                .map_err(|_| choice(Field::Completion))?,
            dates: Dates {
                accepting: date(0)?,
                reviewing: date(1)?,
                selecting: date(2)?,
                balloting: date(3)?,
                tallying: date(4)?,
                finished: date(5)?,
            },
        };
        let mut headings = Vec::new();
        for row in &self.headings {
            if row.name.trim().is_empty() && row.amount.trim().is_empty() {
                continue;
            }
            headings.push(NewHeading {
                name: row.name.clone(),
                district: Some(row.district.trim().to_owned()).filter(|d| !d.is_empty()),
                amount_cents: cents(&row.amount, Field::Headings)?,
                max_projects: optional(
                    &row.max_projects,
                    Field::Headings,
                    Problem::MaxProjectsInvalid,
                )?,
            });
        }
        Ok((settings, headings))
    }
}

fn blank_rows(mut rows: Vec<HeadingRow>, others: &[String]) -> Vec<HeadingRow> {
    rows.extend((0..BLANK_HEADINGS).map(|_| HeadingRow {
        name: String::new(),
        names: translated(others, &Translations::new(), "name"),
        district: String::new(),
        amount: String::new(),
        max_projects: String::new(),
    }));
    rows
}

/// A heading link on the setup page, with how counting it stands.
pub struct HeadingLink {
    id: String,
    name: String,
    amount: String,
    count: Option<String>,
}

/// How counting a heading stands, in one sentence for staff (`None`
/// before voting ends).
pub(super) fn count_line(tr: &Tr, state: &CountState) -> Option<String> {
    match state {
        CountState::NotOver => None,
        CountState::Counting => Some(tr.t("staff-budget-count-counting")),
        CountState::Failed { error, at } => {
            let why = (Problem::ALL.iter())
                .find(|p| p.code() == error)
                .map_or_else(|| error.clone(), |p| tr.t(p.key()));
            Some(tr.args(
                "staff-budget-count-failed",
                &[("date", tr.date(*at)), ("error", why)],
            ))
        }
        CountState::Published { at, ballots } => Some(tr.args(
            "staff-budget-count-published",
            &[("date", tr.date(*at)), ("ballots", ballots.to_string())],
        )),
    }
}

#[derive(Template)]
#[template(path = "staff_budget.html")]
struct SetupPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    process_id: String,
    process_title: String,
    exists: bool,
    voting_started: bool,
    phase: String,
    form: SetupForm,
    links: Vec<HeadingLink>,
    /// Once voting has ended: headings published, all headings, and
    /// that in words.
    counted: Option<(usize, usize, String)>,
    districts: Vec<(String, String)>,
    styles: Vec<(&'static str, String)>,
    rules: Vec<(&'static str, String)>,
    ties: Vec<(&'static str, String)>,
    completions: Vec<(&'static str, String)>,
    /// (field, label, value), in phase order.
    dates: Vec<(&'static str, String, String)>,
    notice: Option<String>,
    error: Option<String>,
}

/// The labelled options of a choice.
fn options<T: Copy>(
    tr: &Tr,
    all: &[T],
    name: impl Fn(T) -> &'static str,
    key: &str,
) -> Vec<(&'static str, String)> {
    all.iter()
        .map(|v| (name(*v), tr.t(&format!("{key}-{}", name(*v)))))
        .collect()
}

/// What the setup page shows around its form.
struct Shown {
    typed: Option<SetupForm>,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
}

/// The setup page of `process`'s budget; `shown.typed` keeps what staff
/// typed when it was refused.
async fn setup_page(
    staff: &Staff,
    process: ProcessId,
    shown: Shown,
) -> Result<Response, PageError> {
    let (title, budget, states) = staff
        .tx(async |tx| {
            let title = processes::title_of(tx, process).await?;
            let budget = setup::of_process(tx, process).await?;
            let states = match &budget {
                Some(budget) => tally::count_states(tx, budget.id).await?,
                None => Vec::new(),
            };
            Ok::<_, PageError>((title, budget, states))
        })
        .await?;
    let process_title = title.ok_or(PageError::NotFound)?;
    let tr = &staff.tr;
    let others = staff.other_languages();
    let form = shown.typed.unwrap_or_else(|| match &budget {
        Some(budget) => SetupForm::of(tr, budget, &others),
        None => SetupForm::new_budget(tr, &others),
    });
    let (dates, links) = (
        date_fields(tr, &form),
        heading_links(tr, budget.as_ref(), &states),
    );
    let counted = (states.iter().any(|(_, s)| *s != CountState::NotOver)).then(|| {
        let published = states
            .iter()
            .filter(|(_, s)| matches!(s, CountState::Published { .. }))
            .count();
        let words = tr.args(
            "staff-budget-count-progress",
            &[
                ("done", published.to_string()),
                ("total", states.len().to_string()),
            ],
        );
        (published, states.len(), words)
    });
    staff.render_status(
        shown.status,
        &SetupPage {
            tr,
            chrome: &staff.chrome,
            process_id: process.to_string(),
            process_title,
            exists: budget.is_some(),
            voting_started: budget.as_ref().is_some_and(|b| b.voting_started),
            phase: budget.as_ref().map_or(String::new(), |b| {
                tr.t(&format!("budget-phase-{}", b.phase.as_str()))
            }),
            links,
            counted,
            form,
            districts: staff.districts(),
            styles: options(tr, Style::ALL, Style::as_str, "budget-style"),
            rules: options(tr, Rule::ALL, Rule::as_str, "budget-rule"),
            ties: options(tr, Tie::ALL, Tie::as_str, "staff-budget-tie"),
            completions: options(
                tr,
                Completion::ALL,
                Completion::as_str,
                "staff-budget-completion",
            ),
            dates,
            notice: shown.notice,
            error: shown.error,
        },
    )
}

/// The phase date fields of `form`: (field, label, value).
fn date_fields(tr: &Tr, form: &SetupForm) -> Vec<(&'static str, String, String)> {
    Phase::ALL[1..]
        .iter()
        .zip(&form.dates)
        .map(|(phase, (field, value))| {
            let phase = tr.t(&format!("budget-phase-{}", phase.as_str()));
            (
                *field,
                tr.with("staff-budget-from", "phase", &phase),
                value.clone(),
            )
        })
        .collect()
}

/// Links to the staff pages of `budget`'s headings, with how counting
/// each stands.
fn heading_links(
    tr: &Tr,
    budget: Option<&Budget>,
    states: &[(HeadingId, CountState)],
) -> Vec<HeadingLink> {
    budget.map_or(Vec::new(), |b| {
        b.headings
            .iter()
            .map(|h| HeadingLink {
                id: h.id.to_string(),
                name: h.name.clone(),
                amount: money(tr, h.amount_cents, &b.currency),
                count: states
                    .iter()
                    .find(|(id, _)| *id == h.id)
                    .and_then(|(_, state)| count_line(tr, state)),
            })
            .collect()
    })
}

/// `GET /staff/processes/{id}/budget` (admins).
pub async fn page(
    staff: Staff,
    Id(process): Id<ProcessId>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, PageError> {
    staff.require(Permission::ManageBudgets)?;
    let notice = query.notice(&staff.tr, "staff-budget-done", &["saved"]);
    let shown = Shown {
        typed: None,
        notice,
        error: None,
        status: StatusCode::OK,
    };
    setup_page(&staff, process, shown).await
}

/// `POST /staff/processes/{id}/budget`: creates the budget, or changes it
/// (with `reset_reason` once voting has begun). Its fields are many and
/// some are rows (`h{i}_name` …), so they are read as a map.
pub async fn save(
    staff: Staff,
    Id(process): Id<ProcessId>,
    CsrfForm(values): CsrfForm<HashMap<String, String>>,
) -> Result<Response, PageError> {
    staff.require(Permission::ManageBudgets)?;
    let typed = SetupForm::typed(&values, &staff.other_languages());
    let reason = values.get("reset_reason").cloned().unwrap_or_default();
    let actor = staff.actor();
    let saved = match typed.parsed(staff.tr.zone()) {
        Err(error) => Err(error),
        Ok((settings, headings)) => {
            let reason = Some(reason.as_str());
            let title = from_fields(&typed.titles, "title");
            let names = typed.heading_names();
            (staff.change(async |tx| {
                setup::save(tx, &actor, process, &settings, &headings, reason).await?;
                setup::translate(tx, &actor, process, &title, &names).await
            }))
            .await
        }
    };
    let error = match saved {
        Ok(()) => {
            let done = format!("/staff/processes/{process}/budget?done=saved");
            return Ok(Redirect::to(&done).into_response());
        }
        Err(EngineError::Refused(Refusal::NotFound)) => return Err(PageError::NotFound),
        Err(error) => error,
    };
    let Some((_, message)) = refused(&staff.tr, &error) else {
        return Err(error.into());
    };
    let shown = Shown {
        typed: Some(typed),
        notice: None,
        error: Some(message),
        status: StatusCode::UNPROCESSABLE_ENTITY,
    };
    setup_page(&staff, process, shown).await
}
