//! The setup page of a process's budget: its settings, phase dates and
//! headings, created or changed by admins.

use super::{DoneQuery, Need, cents_text, may, notice, parse_cents};
use crate::AppState;
use crate::account_pages::{Chrome, Context, Fields, fields_or_return, get, load};
use crate::budget_pages::money;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::participation::{parse_id, refusal_message};
use crate::site::LanguageRequest;
use crate::ui::chrome::LanguageLink;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use cabildo_engine::budgets::results::{Completion, Rule, Tie};
use cabildo_engine::budgets::setup::{self, Budget, Dates, NewHeading, Phase, Settings, Style};
use cabildo_engine::content::Refusal;
use cabildo_tenancy::Site;
use std::collections::HashMap;
use time::OffsetDateTime;
use uuid::Uuid;

/// Blank heading rows offered for new headings.
const BLANK_HEADINGS: usize = 2;

/// Most heading rows read from a form.
const MAX_HEADING_ROWS: usize = 210;

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
