//! `/processes/{slug}/budget`: the budget, its phases and headings.

use crate::budgets::cached::{self, Of};
use crate::budgets::calendar::{self, PhaseLine};
use crate::http::council::Council;
use crate::http::error::PageError;
use crate::http::extract::Id;
use crate::processes::cached::published;
use crate::ui::chrome::Chrome;
use crate::ui::format::money;
use crate::ui::i18n::Tr;
use crate::ui::tabs::{ProcessTabs, Tab};
use askama::Template;
use axum::response::Response;
use cabildo_engine::budgets::setup::Phase;

/// A heading in the overview.
pub struct HeadingLine {
    id: String,
    name: String,
    name_lang: Option<String>,
    amount: String,
    /// "at most 3 projects".
    max_projects: Option<String>,
}

#[derive(Template)]
#[template(path = "budget.html")]
struct BudgetPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    tabs: ProcessTabs,
    title: String,
    title_lang: Option<String>,
    phase: String,
    style: String,
    rule: String,
    phases: Vec<PhaseLine>,
    /// Until when the current phase lets people act.
    deadline: Option<String>,
    headings: Vec<HeadingLine>,
    finished: bool,
}

/// `GET /processes/{slug}/budget`.
pub async fn show(council: Council, Id(slug): Id<String>) -> Result<Response, PageError> {
    let (summary, _, phases, _) = published::<PageError>(&council, &slug).await?;
    let budget = cached::budget(&council, Of::Process(summary.id.into())).await?;
    let tr = &council.tr;
    council.render(&BudgetPage {
        tr,
        chrome: &council.chrome,
        tabs: ProcessTabs::new(&summary, &phases, Tab::Budget),
        title: budget.title.clone(),
        title_lang: budget.title_lang.clone(),
        phase: tr.t(&format!("budget-phase-{}", budget.phase.as_str())),
        style: tr.t(&format!("budget-style-{}", budget.style.as_str())),
        rule: tr.t(&format!("budget-rule-{}", budget.rule)),
        phases: calendar::phases(tr, &budget),
        deadline: calendar::deadline(tr, &budget),
        headings: budget
            .headings
            .iter()
            .map(|h| HeadingLine {
                id: h.id.to_string(),
                name: h.name.clone(),
                name_lang: h.name_lang.clone(),
                amount: money(tr, h.amount_cents, &budget.currency),
                max_projects: h
                    .max_projects
                    .map(|m| tr.count("budget-max-projects", m.into())),
            })
            .collect(),
        finished: budget.phase == Phase::Finished,
    })
}
