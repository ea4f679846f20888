//! Staff pages of participatory budgets. `/staff/processes/{id}/budget`
//! (admins): a process's budget — its settings, phase dates and headings —
//! created or changed (after voting began only as a reset with a reason).
//! `/staff/budget-headings/{id}` (admins; evaluators review): the heading's
//! projects with their feasibility review, the ballot, paper votes one by
//! one or from a count file, qualified proposals to import, and execution
//! updates of the winners.

use crate::AppState;
use crate::account_pages::{Chrome, Context, Fields, fields_or_return, get, load};
use crate::budget_pages::money;
use crate::comment_pages::{form_action, refused_page};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::pages::LanguageLink;
use crate::participation::{deliver, parse_id, refusal_message};
use crate::site::LanguageRequest;
use askama::Template;
use axum::Extension;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use cabildo_engine::budgets::execution::{self, NewUpdate, Status};
use cabildo_engine::budgets::projects::{self, Feasibility, NewProject};
use cabildo_engine::budgets::results::{Completion, Rule, Tie};
use cabildo_engine::budgets::setup::{self, Budget, Dates, NewHeading, Phase, Settings, Style};
use cabildo_engine::content::Refusal;
use cabildo_engine::staff::{self, Role};
use cabildo_tenancy::{Site, TenantTx};
use serde::Deserialize;
use std::collections::HashMap;
use time::OffsetDateTime;
use uuid::Uuid;

/// Blank heading rows offered for new headings.
const BLANK_HEADINGS: usize = 2;

/// Most heading rows read from a form.
const MAX_HEADING_ROWS: usize = 210;

/// What an action needs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Need {
    /// An admin.
    Admin,
    /// An admin or an evaluator.
    Reviewer,
}

/// Whether `user` may do what needs `need`.
async fn may(tx: &mut TenantTx, user: Uuid, need: Need) -> Result<bool, WebError> {
    let roles = staff::roles_of(tx, user).await?;
    Ok(roles.contains(&Role::Admin) || need == Need::Reviewer && roles.contains(&Role::Evaluator))
}

/// `?done=` after an action.
#[derive(Debug, Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

/// The notice of `?done=`, for the codes a page knows.
fn notice(tr: &Tr, done: Option<String>, known: &[&str]) -> Option<String> {
    done.filter(|d| known.contains(&d.as_str()))
        .map(|d| tr.t(&format!("staff-budget-done-{d}")))
}

/// An amount typed by staff: whole units, or units with one or two
/// decimals after `.` or `,` ("300000", "1500,50"). Grouping marks are
/// refused rather than guessed ("300.000" could be either).
pub(crate) fn parse_cents(text: &str) -> Option<i64> {
    let text = text.trim();
    let (units, decimals) = match text.find(['.', ',']) {
        Some(at) => (&text[..at], &text[at + 1..]),
        None => (text, ""),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(units) || !(decimals.is_empty() || digits(decimals) && decimals.len() <= 2) {
        return None;
    }
    let cents: i64 = format!("{decimals:0<2}").parse().ok()?;
    units
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(cents)
}

/// Cents as staff type them back ("1500.5" → "1500.50"; whole: "1500").
fn cents_text(cents: i64) -> String {
    if cents % 100 == 0 {
        (cents / 100).to_string()
    } else {
        format!("{}.{:02}", cents / 100, cents % 100)
    }
}

fn day(at: OffsetDateTime) -> String {
    at.date().to_string()
}

/// A heading row of the setup form.
pub struct HeadingRow {
    name: String,
    district: String,
    amount: String,
    max_projects: String,
}

/// The setup form, as stored or as typed.
pub struct SetupForm {
    title: String,
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
    /// A new budget: projects from today, a week per phase.
    fn new_budget(tr: &Tr) -> Self {
        let today = OffsetDateTime::now_utc();
        Self {
            title: tr.t("staff-budget-default-title"),
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
                .map(|(field, week)| (*field, day(today + time::Duration::weeks(week))))
                .collect(),
            headings: blank_rows(Vec::new()),
        }
    }

    fn of(budget: &Budget) -> Self {
        let d = budget.dates;
        Self {
            title: budget.title.clone(),
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
                .map(|(field, at)| (field, day(at)))
                .collect(),
            headings: blank_rows(
                budget
                    .headings
                    .iter()
                    .map(|h| HeadingRow {
                        name: h.name.clone(),
                        district: h.district.clone().unwrap_or_default(),
                        amount: cents_text(h.amount_cents),
                        max_projects: h.max_projects.map(|m| m.to_string()).unwrap_or_default(),
                    })
                    .collect(),
            ),
        }
    }

    fn typed(values: &HashMap<String, String>) -> Self {
        let text = |name: &str| get(values, name).to_owned();
        let rows = get(values, "heading_rows")
            .parse::<usize>()
            .unwrap_or(0)
            .min(MAX_HEADING_ROWS);
        Self {
            title: text("title"),
            currency: text("currency").trim().to_uppercase(),
            style: text("style"),
            min_spend: text("min_spend"),
            verified_only: get(values, "verified_only") == "on",
            max_supports: text("max_supports"),
            changeable: get(values, "changeable") == "on",
            rule: text("rule"),
            tie: text("tie"),
            completion: text("completion"),
            dates: DATE_FIELDS.iter().map(|f| (*f, text(f))).collect(),
            headings: (0..rows)
                .map(|i| HeadingRow {
                    name: text(&format!("h{i}_name")),
                    district: text(&format!("h{i}_district")),
                    amount: text(&format!("h{i}_amount")),
                    max_projects: text(&format!("h{i}_max")),
                })
                .collect(),
        }
    }

    /// The settings and headings, or the first field that is wrong.
    fn parsed(&self) -> Result<(Settings, Vec<NewHeading>), Refusal> {
        let choice = |field| Refusal::Invalid(field, "choice_invalid");
        let date = |i: usize| {
            self.dates
                .get(i)
                .and_then(|(_, v)| cabildo_engine::census::import::parse_day(v))
                .map(|d| d.midnight().assume_utc())
                .ok_or(Refusal::Invalid("dates", "dates_invalid"))
        };
        let settings = Settings {
            title: self.title.clone(),
            currency: self.currency.clone(),
            style: Style::parse(&self.style).ok_or(choice("style"))?,
            min_spend_percent: self
                .min_spend
                .trim()
                .parse()
                .map_err(|_| Refusal::Invalid("min_spend_percent", "percent_invalid"))?,
            verified_only: self.verified_only,
            max_supports: match self.max_supports.trim() {
                "" => None,
                m => Some(
                    m.parse()
                        .map_err(|_| Refusal::Invalid("max_supports", "number_invalid"))?,
                ),
            },
            ballots_changeable: self.changeable,
            rule: self.rule.parse().map_err(|_| choice("rule"))?,
            tie: self.tie.parse().map_err(|_| choice("tie"))?,
            completion: self.completion.parse().map_err(|_| choice("completion"))?,
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
                amount_cents: parse_cents(&row.amount)
                    .ok_or(Refusal::Invalid("headings", "amount_invalid"))?,
                max_projects: match row.max_projects.trim() {
                    "" => None,
                    m => Some(
                        m.parse()
                            .map_err(|_| Refusal::Invalid("headings", "max_projects_invalid"))?,
                    ),
                },
            });
        }
        Ok((settings, headings))
    }
}

fn blank_rows(mut rows: Vec<HeadingRow>) -> Vec<HeadingRow> {
    rows.extend((0..BLANK_HEADINGS).map(|_| HeadingRow {
        name: String::new(),
        district: String::new(),
        amount: String::new(),
        max_projects: String::new(),
    }));
    rows
}

/// A heading link on the setup page.
pub struct HeadingLink {
    id: String,
    name: String,
    amount: String,
}

#[derive(Template)]
#[template(path = "staff_budget.html")]
struct SetupPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    languages: &'a [LanguageLink],
    process_id: String,
    process_title: String,
    exists: bool,
    voting_started: bool,
    phase: String,
    form: SetupForm,
    links: Vec<HeadingLink>,
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

/// The setup page of a process's budget; `typed` keeps what staff typed
/// when it was refused.
async fn setup_page(
    state: &AppState,
    ctx: &Context,
    process: Uuid,
    typed: Option<SetupForm>,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let Some(user) = ctx.visitor.session.as_ref().map(|s| s.user) else {
        return Redirect::to("/account/login").into_response();
    };
    let loaded: Result<_, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        if !may(&mut tx, user, Need::Admin).await? {
            return Ok(None);
        }
        let title = cabildo_engine::processes::title_of(&mut tx, process).await?;
        let budget = setup::of_process(&mut tx, process).await?;
        tx.commit().await?;
        let settings = state.tenancy.site_settings(&ctx.tenant).await?;
        Ok(Some((title, budget, settings)))
    }
    .await;
    let (title, budget, settings) = match loaded {
        Ok(Some(loaded)) => loaded,
        Ok(None) => return ctx.message(state, StatusCode::FORBIDDEN, "staff-forbidden"),
        Err(error) => return error.into_page(&ctx.tr),
    };
    let Some(process_title) = title else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    let tr = &ctx.tr;
    let form = typed.unwrap_or_else(|| match &budget {
        Some(budget) => SetupForm::of(budget),
        None => SetupForm::new_budget(tr),
    });
    let dates = Phase::ALL[1..]
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
        .collect();
    let page = SetupPage {
        tr,
        chrome: &ctx.chrome,
        languages: &ctx.chrome.languages,
        process_id: process.to_string(),
        process_title,
        exists: budget.is_some(),
        voting_started: budget.as_ref().is_some_and(|b| b.voting_started),
        phase: budget.as_ref().map_or(String::new(), |b| {
            tr.t(&format!("budget-phase-{}", b.phase.as_str()))
        }),
        links: budget.as_ref().map_or(Vec::new(), |b| {
            b.headings
                .iter()
                .map(|h| HeadingLink {
                    id: h.id.to_string(),
                    name: h.name.clone(),
                    amount: money(tr, h.amount_cents, &b.currency),
                })
                .collect()
        }),
        form,
        districts: settings
            .districts
            .iter()
            .map(|d| (d.code.clone(), d.name.clone()))
            .collect(),
        styles: options(tr, &Style::ALL, Style::as_str, "budget-style"),
        rules: options(tr, Rule::ALL, Rule::as_str, "budget-rule"),
        ties: options(tr, Tie::ALL, Tie::as_str, "staff-budget-tie"),
        completions: options(
            tr,
            Completion::ALL,
            Completion::as_str,
            "staff-budget-completion",
        ),
        dates,
        notice,
        error,
    };
    match page.render() {
        Ok(html) => ctx.respond(state, (status, Html(html)).into_response()),
        Err(error) => WebError::from(error).into_page(tr),
    }
}

/// `GET /staff/processes/{id}/budget`.
pub async fn setup(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    Query(query): Query<DoneQuery>,
    headers: HeaderMap,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let Some(process) = parse_id(&raw) else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    let notice = notice(&ctx.tr, query.done, &["saved"]);
    setup_page(&state, &ctx, process, None, notice, None, StatusCode::OK).await
}

/// `POST /staff/processes/{id}/budget`: creates the budget, or changes it
/// (with `reset_reason` once voting has begun).
pub async fn save(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let values = fields_or_return!(ctx, state, form);
    let Some(process) = parse_id(&raw) else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    let Some(user) = ctx.visitor.session.as_ref().map(|s| s.user) else {
        return Redirect::to("/account/login").into_response();
    };
    let typed = SetupForm::typed(&values);
    let reason = get(&values, "reset_reason").to_owned();
    let actor = ctx.actor(user);
    let saved: Result<Option<Result<(), Refusal>>, WebError> = async {
        let (settings, headings) = match typed.parsed() {
            Ok(parsed) => parsed,
            Err(refusal) => return Ok(Some(Err(refusal))),
        };
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        if !may(&mut tx, user, Need::Admin).await? {
            return Ok(None);
        }
        let outcome = match setup::of_process(&mut tx, process).await? {
            Some(budget) => {
                setup::update(
                    &mut tx,
                    &actor,
                    budget.id,
                    &settings,
                    &headings,
                    Some(reason.as_str()),
                )
                .await?
            }
            None => setup::create(&mut tx, &actor, process, &settings, &headings)
                .await?
                .map(|_| ()),
        };
        if outcome.is_ok() {
            tx.commit().await?;
        }
        Ok(Some(outcome))
    }
    .await;
    match saved {
        Ok(Some(Ok(()))) => {
            state.reads.changed(ctx.tenant.id).await;
            Redirect::to(&format!("/staff/processes/{process}/budget?done=saved")).into_response()
        }
        Ok(Some(Err(Refusal::NotFound))) => WebError::NotFound.into_page(&ctx.tr),
        Ok(Some(Err(refusal))) => {
            let error = Some(refusal_message(&ctx.tr, refusal));
            setup_page(
                &state,
                &ctx,
                process,
                Some(typed),
                None,
                error,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Ok(None) => ctx.message(&state, StatusCode::FORBIDDEN, "staff-forbidden"),
        Err(error) => error.into_page(&ctx.tr),
    }
}

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
    execution: String,
    progress: i16,
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
    languages: &'a [LanguageLink],
    id: String,
    process_id: String,
    budget_title: String,
    name: String,
    amount: String,
    phase: String,
    admin: bool,
    /// Before voting: projects go on and off the ballot.
    may_set_ballot: bool,
    /// Voting or counting: paper votes are entered.
    paper: bool,
    projects: Vec<StaffProject>,
    importable: Vec<ImportLine>,
    verdicts: Vec<(&'static str, String)>,
    statuses: Vec<(&'static str, String)>,
    notice: Option<String>,
}

/// The done codes of the heading page.
const HEADING_DONE: [&str; 7] = [
    "created",
    "imported",
    "reviewed",
    "ballot",
    "paper",
    "paper-file",
    "update",
];

/// `GET /staff/budget-headings/{id}`.
pub async fn heading(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    Query(query): Query<DoneQuery>,
    headers: HeaderMap,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let Some(heading) = parse_id(&raw) else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    let Some(user) = ctx.visitor.session.as_ref().map(|s| s.user) else {
        return Redirect::to("/account/login").into_response();
    };
    let loaded: Result<_, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        if !may(&mut tx, user, Need::Reviewer).await? {
            return Ok(None);
        }
        let admin = may(&mut tx, user, Need::Admin).await?;
        let Some(budget) = setup::of_heading(&mut tx, heading).await? else {
            return Err(WebError::NotFound);
        };
        let list = projects::of_heading(&mut tx, heading).await?;
        let importable = projects::importable(&mut tx, budget.id).await?;
        let winners = if budget.phase == Phase::Finished {
            execution::winners(&mut tx, heading)
                .await?
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        tx.commit().await?;
        Ok(Some((admin, budget, list, importable, winners)))
    }
    .await;
    let (admin, budget, list, importable, winners) = match loaded {
        Ok(Some(loaded)) => loaded,
        Ok(None) => return ctx.message(&state, StatusCode::FORBIDDEN, "staff-forbidden"),
        Err(error) => return error.into_page(&ctx.tr),
    };
    let tr = &ctx.tr;
    let Some(info) = budget.headings.iter().find(|h| h.id == heading) else {
        return WebError::NotFound.into_page(tr);
    };
    let page = HeadingPage {
        tr,
        chrome: &ctx.chrome,
        languages: &ctx.chrome.languages,
        id: heading.to_string(),
        process_id: budget.process.to_string(),
        budget_title: budget.title.clone(),
        name: info.name.clone(),
        amount: money(tr, info.amount_cents, &budget.currency),
        phase: tr.t(&format!("budget-phase-{}", budget.phase.as_str())),
        admin,
        may_set_ballot: matches!(
            budget.phase,
            Phase::Upcoming | Phase::Accepting | Phase::Reviewing | Phase::Selecting
        ),
        paper: matches!(budget.phase, Phase::Balloting | Phase::Tallying),
        projects: list
            .into_iter()
            .map(|p| StaffProject {
                id: p.id.to_string(),
                number: p.number.to_string(),
                cost: money(tr, p.cost_cents, &budget.currency),
                feasibility_label: tr.t(&format!(
                    "budget-feasibility-{}",
                    p.feasibility.replace('_', "-")
                )),
                feasibility: p.feasibility,
                explanation: p.feasibility_explanation,
                official_cost: cents_text(p.cost_cents),
                supports: p.supports_count,
                on_ballot: p.on_ballot,
                paper_votes: p.paper_votes,
                winner: winners.contains(&p.id),
                execution: p
                    .execution_status
                    .map(|s| tr.t(&format!("budget-execution-{}", s.replace('_', "-"))))
                    .unwrap_or_default(),
                progress: p.progress,
                title: p.title,
            })
            .collect(),
        importable: importable
            .into_iter()
            .map(|i| ImportLine {
                id: i.id.to_string(),
                title: i.title,
                supports: i.supports_count,
            })
            .collect(),
        verdicts: Feasibility::ALL
            .iter()
            .map(|f| {
                let name = f.as_str();
                (
                    name,
                    tr.t(&format!("budget-feasibility-{}", name.replace('_', "-"))),
                )
            })
            .collect(),
        statuses: Status::ALL
            .iter()
            .map(|s| {
                let name = s.as_str();
                (
                    name,
                    tr.t(&format!("budget-execution-{}", name.replace('_', "-"))),
                )
            })
            .collect(),
        notice: notice(tr, query.done, &HEADING_DONE),
    };
    match page.render() {
        Ok(html) => ctx.respond(&state, Html(html).into_response()),
        Err(error) => WebError::from(error).into_page(tr),
    }
}

/// Where a heading's staff page is, with a notice.
fn back(heading: Uuid, done: &str) -> String {
    format!("/staff/budget-headings/{heading}?done={done}")
}

/// The heading of a project, for going back.
async fn heading_of(tx: &mut TenantTx, project: Uuid) -> Result<Option<Uuid>, WebError> {
    Ok(projects::get(tx, project).await?.map(|p| p.heading))
}

/// `POST /staff/budget-headings/{id}/projects`: a project by the council.
pub async fn create_project(
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
        return WebError::NotFound.into_page(&ctx.tr);
    };
    let Some(cost) = parse_cents(get(&values, "cost")) else {
        return refused_page(
            &state,
            &ctx,
            Refusal::Invalid("estimated_cost", "amount_invalid"),
        );
    };
    let new = NewProject {
        heading,
        title: get(&values, "title").into(),
        description: get(&values, "description").into(),
        location: get(&values, "location").into(),
        estimated_cost_cents: cost,
    };
    form_action!(state, ctx, |tx, user| {
        if !may(&mut tx, user, Need::Admin).await? {
            Err(Refusal::Forbidden)
        } else {
            projects::create(&mut tx, &ctx.actor(user), None, &new)
                .await?
                .map(|_| back(heading, "created"))
        }
    })
}

/// `POST /staff/budget-headings/{id}/import`: a qualified proposal
/// (`proposal`) becomes a project costing `cost`.
pub async fn import_proposal(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let values = fields_or_return!(ctx, state, form);
    let (Some(heading), Some(proposal)) = (parse_id(&raw), parse_id(get(&values, "proposal")))
    else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    let Some(cost) = parse_cents(get(&values, "cost")) else {
        return refused_page(
            &state,
            &ctx,
            Refusal::Invalid("estimated_cost", "amount_invalid"),
        );
    };
    form_action!(state, ctx, |tx, user| {
        if !may(&mut tx, user, Need::Admin).await? {
            Err(Refusal::Forbidden)
        } else {
            projects::import_proposal(&mut tx, &ctx.actor(user), heading, proposal, cost)
                .await?
                .map(|_| back(heading, "imported"))
        }
    })
}

/// `POST /staff/budget-projects/{id}/review`: `verdict`, `explanation`,
/// `official_cost` (optional); the author and followers are told.
pub async fn review(
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
    let Some(verdict) = Feasibility::parse(get(&values, "verdict")) else {
        return refused_page(&state, &ctx, Refusal::Invalid("verdict", "choice_invalid"));
    };
    let official = match get(&values, "official_cost").trim() {
        "" => None,
        typed => match parse_cents(typed) {
            Some(cents) => Some(cents),
            None => {
                return refused_page(
                    &state,
                    &ctx,
                    Refusal::Invalid("official_cost", "amount_invalid"),
                );
            }
        },
    };
    let explanation = get(&values, "explanation").to_owned();
    let default_language = ctx.tr.code().to_owned();
    form_action!(state, ctx, |tx, user| {
        match (
            may(&mut tx, user, Need::Reviewer).await?,
            heading_of(&mut tx, project).await?,
        ) {
            (false, _) => Err(Refusal::Forbidden),
            (true, None) => Err(Refusal::NotFound),
            (true, Some(heading)) => {
                match projects::review(
                    &mut tx,
                    &ctx.actor(user),
                    project,
                    verdict,
                    &explanation,
                    official,
                )
                .await?
                {
                    Ok(notices) => {
                        deliver(&mut tx, &notices, &default_language).await?;
                        Ok(back(heading, "reviewed"))
                    }
                    Err(refusal) => Err(refusal),
                }
            }
        }
    })
}

/// `POST /staff/budget-projects/{id}/ballot`: `on_ballot` = `on` puts it
/// on the ballot, anything else takes it off.
pub async fn set_on_ballot(
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
    let on = get(&values, "on_ballot") == "on";
    form_action!(state, ctx, |tx, user| {
        match (
            may(&mut tx, user, Need::Admin).await?,
            heading_of(&mut tx, project).await?,
        ) {
            (false, _) => Err(Refusal::Forbidden),
            (true, None) => Err(Refusal::NotFound),
            (true, Some(heading)) => {
                projects::set_on_ballot(&mut tx, &ctx.actor(user), project, on)
                    .await?
                    .map(|()| back(heading, "ballot"))
            }
        }
    })
}

/// `POST /staff/budget-projects/{id}/paper-votes`: `votes` counted on paper.
pub async fn paper_votes(
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
    let Ok(votes) = get(&values, "votes").trim().parse::<i32>() else {
        return refused_page(
            &state,
            &ctx,
            Refusal::Invalid("paper_votes", "number_invalid"),
        );
    };
    form_action!(state, ctx, |tx, user| {
        match (
            may(&mut tx, user, Need::Admin).await?,
            heading_of(&mut tx, project).await?,
        ) {
            (false, _) => Err(Refusal::Forbidden),
            (true, None) => Err(Refusal::NotFound),
            (true, Some(heading)) => {
                projects::set_paper_votes(&mut tx, &ctx.actor(user), project, votes)
                    .await?
                    .map(|()| back(heading, "paper"))
            }
        }
    })
}

/// `POST /staff/budget-headings/{id}/paper-votes` (multipart, field
/// `file`): a count file, taken whole or not at all.
pub async fn paper_file(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let file = match crate::media::uploaded(&state, &ctx, multipart, "file").await {
        Ok(file) => file,
        Err(response) => return *response,
    };
    let Some(heading) = parse_id(&raw) else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    let Some(user) = ctx.visitor.session.as_ref().map(|s| s.user) else {
        return Redirect::to("/account/login").into_response();
    };
    let tr = &ctx.tr;
    let problem = |line: usize, code: &str| {
        let text = tr.t(&format!("staff-budget-file-{}", code.replace('_', "-")));
        let text = if line > 0 {
            tr.args(
                "staff-budget-file-line",
                &[("line", line.to_string()), ("problem", text)],
            )
        } else {
            text
        };
        ctx.respond(
            &state,
            crate::pages::message_page(
                tr,
                StatusCode::UNPROCESSABLE_ENTITY,
                &tr.t("refusal-title"),
                &text,
                true,
            ),
        )
    };
    let Ok(text) = std::str::from_utf8(&file) else {
        return problem(0, "not_utf8");
    };
    let imported: Result<_, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        if !may(&mut tx, user, Need::Admin).await? {
            return Ok(None);
        }
        let result = projects::import_paper_votes(&mut tx, &ctx.actor(user), heading, text).await?;
        if result.is_ok() {
            tx.commit().await?;
        }
        Ok(Some(result))
    }
    .await;
    match imported {
        Ok(Some(Ok(_))) => {
            state.reads.changed(ctx.tenant.id).await;
            Redirect::to(&back(heading, "paper-file")).into_response()
        }
        Ok(Some(Err(problem_found))) => problem(problem_found.line, problem_found.code),
        Ok(None) => ctx.message(&state, StatusCode::FORBIDDEN, "staff-forbidden"),
        Err(error) => error.into_page(tr),
    }
}

/// `POST /staff/budget-projects/{id}/updates` (multipart: `status`,
/// `progress`, `body`, optional `photo`): an execution update of a winner;
/// followers are told.
pub async fn post_update(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let (values, photo) = match crate::media::uploaded_form(&state, &ctx, multipart, "photo").await
    {
        Ok(form) => form,
        Err(response) => return *response,
    };
    let Some(project) = parse_id(&raw) else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    let Some(status) = Status::parse(get(&values, "status")) else {
        return refused_page(&state, &ctx, Refusal::Invalid("status", "status_invalid"));
    };
    let Ok(progress) = get(&values, "progress").trim().parse::<i16>() else {
        return refused_page(
            &state,
            &ctx,
            Refusal::Invalid("progress", "percent_invalid"),
        );
    };
    let image = if photo.is_empty() {
        None
    } else {
        match crate::media::page_picture(&state, &ctx, &photo).await {
            Ok(name) => Some(name),
            Err(response) => return *response,
        }
    };
    let new = NewUpdate {
        status,
        progress,
        body: get(&values, "body").into(),
        image,
    };
    let default_language = ctx.tr.code().to_owned();
    form_action!(state, ctx, |tx, user| {
        match (
            may(&mut tx, user, Need::Admin).await?,
            heading_of(&mut tx, project).await?,
        ) {
            (false, _) => Err(Refusal::Forbidden),
            (true, None) => Err(Refusal::NotFound),
            (true, Some(heading)) => {
                match execution::post(&mut tx, &ctx.actor(user), project, &new).await? {
                    Ok(notices) => {
                        deliver(&mut tx, &notices, &default_language).await?;
                        Ok(back(heading, "update"))
                    }
                    Err(refusal) => Err(refusal),
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_without_guessing() {
        assert_eq!(parse_cents("300000"), Some(30_000_000));
        assert_eq!(parse_cents(" 1500,5 "), Some(150_050));
        assert_eq!(parse_cents("1500.05"), Some(150_005));
        for bad in [
            "",
            "300.000",
            "1,2,3",
            "-5",
            "12e3",
            "€5",
            "99999999999999999999",
        ] {
            assert_eq!(parse_cents(bad), None, "{bad}");
        }
        assert_eq!(cents_text(150_050), "1500.50");
        assert_eq!(cents_text(30_000_000), "300000");
        assert_eq!(parse_cents(&cents_text(150_005)), Some(150_005));
    }
}
