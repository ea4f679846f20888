//! `/budget-headings/{id}/results`: once the budget is finished, the
//! winners, a chart of votes per project (drawn on the server), the rule
//! in plain words, and why each project won or lost.

use crate::budgets::cached::{self, heading_context};
use crate::http::council::Council;
use crate::http::error::PageError;
use crate::http::extract::Id;
use crate::ui::charts::{bar, escape, share};
use crate::ui::chrome::Chrome;
use crate::ui::format::{cents_of_millionths, money};
use crate::ui::i18n::Tr;
use crate::ui::tabs::ProcessTabs;
use askama::Template;
use axum::response::Response;
use cabildo_engine::Refusal;
use cabildo_engine::budgets::projects::{self, Project};
use cabildo_engine::budgets::results::{self, Outcome, Reason, money_text, units};
use cabildo_engine::budgets::setup::Phase;
use cabildo_engine::budgets::tally::Published;
use cabildo_engine::ids::HeadingId;
use std::fmt::Write as _;

/// A project's line in the results.
pub struct ResultLine {
    number: String,
    title: String,
    votes: i64,
    /// Of `votes`, counted on paper.
    paper_votes: i32,
    cost: String,
    selected: bool,
    reason: String,
}

#[derive(Template)]
#[template(path = "budget_results.html")]
struct ResultsPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    tabs: ProcessTabs,
    id: String,
    name: String,
    amount: String,
    total: String,
    rule: String,
    rule_explained: String,
    lines: Vec<ResultLine>,
    chart: String,
    /// When and why the results shown replaced earlier ones.
    recount: Option<String>,
    /// The counts recounts replaced, newest first, in a sentence each.
    earlier: Vec<String>,
}

/// A count a recount replaced, in a sentence: when, and its winners.
fn earlier_count(tr: &Tr, count: &Published) -> String {
    let winners: Vec<String> = count
        .outcome
        .selected
        .iter()
        .map(|n| format!("№ {n}"))
        .collect();
    tr.args(
        "budget-earlier-count",
        &[
            ("date", tr.date(count.computed_at)),
            ("winners", winners.join(", ")),
        ],
    )
}

/// The counted paper votes among a project's votes (shown apart).
pub(crate) fn paper_votes(listed: &[Project], number: &str) -> i32 {
    projects::by_number(listed, number).map_or(0, |p| p.paper_votes)
}

/// A reason's figures: its round (MES), and the name and value of its
/// amount (what remained, the share, or the supporters' money).
pub(crate) fn figures(reason: &Reason) -> (Option<usize>, &'static str, Option<String>) {
    match reason {
        Reason::Fitted { remaining } | Reason::DidNotFit { remaining } => {
            (None, "remaining", Some(units(*remaining)))
        }
        Reason::Bought { round, share } => (Some(*round), "share", Some(money_text(share))),
        Reason::Unaffordable { round, money } => {
            (Some(*round), "supporters_money", Some(money_text(money)))
        }
        Reason::NoVotes => (None, "", None),
    }
}

/// A reason in a sentence of the page's language.
fn reason_text(tr: &Tr, reason: &Reason, currency: &str) -> String {
    let amount = |millionths: i128| money(tr, cents_of_millionths(millionths), currency);
    // Rounded down to cents for reading; the decision used the exact value.
    let exact = |m: &results::Money| money(tr, results::cents_of(m), currency);
    match reason {
        Reason::Fitted { remaining } => {
            tr.with("budget-reason-fitted", "remaining", &amount(*remaining))
        }
        Reason::DidNotFit { remaining } => tr.with(
            "budget-reason-did-not-fit",
            "remaining",
            &amount(*remaining),
        ),
        Reason::Bought { round, share } => tr.args(
            "budget-reason-bought",
            &[("round", round.to_string()), ("share", exact(share))],
        ),
        Reason::Unaffordable { round, money } => tr.args(
            "budget-reason-unaffordable",
            &[("round", round.to_string()), ("money", exact(money))],
        ),
        Reason::NoVotes => tr.t("budget-reason-no-votes"),
    }
}

/// A bar chart of votes per project (winners marked in words and colour)
/// with a thin bar of each project's cost under it. Names and figures are
/// HTML text, so they stay whole and legible on a phone; only the bars are
/// SVG, stretched to the width there is. The table after it carries the
/// same figures.
fn chart(tr: &Tr, outcome: &Outcome, listed: &[Project], currency: &str) -> String {
    let most = outcome
        .projects
        .iter()
        .map(|p| p.votes)
        .max()
        .unwrap_or(0)
        .max(1);
    let dearest = outcome
        .projects
        .iter()
        .map(|p| p.cost)
        .max()
        .unwrap_or(0)
        .max(1);
    let mut html = format!(
        "<ol class=\"bar-chart\" aria-label=\"{}\">",
        escape(&tr.t("budget-chart-title"))
    );
    for p in &outcome.projects {
        let name = projects::by_number(listed, &p.id).map_or(p.id.clone(), |l| l.title.clone());
        let (class, outcome_words) = if p.selected {
            ("won", tr.t("budget-won"))
        } else {
            ("lost", tr.t("budget-lost"))
        };
        let _ = write!(
            html,
            "<li class=\"{class}\"><span class=\"bar-name\">{}</span><span class=\"bar-line\">{}<span class=\"bar-value\">{} · {}</span></span><span class=\"bar-line\">{}<span class=\"bar-value cost\">{}</span></span></li>",
            escape(&name),
            bar("votes", share(i128::from(p.votes), i128::from(most)), 10),
            escape(&tr.count("budget-votes-count", p.votes)),
            escape(&outcome_words),
            bar("cost", share(p.cost, dearest), 4),
            escape(&money(tr, cents_of_millionths(p.cost), currency)),
        );
    }
    html.push_str("</ol>");
    html
}

/// `GET /budget-headings/{id}/results`.
pub async fn page(council: Council, Id(heading): Id<HeadingId>) -> Result<Response, PageError> {
    let (tabs, budget) = heading_context(&council, heading).await?;
    // A copy of the budget seen finished may be a few seconds late; the
    // results themselves are only computed once the database clock says so
    // (`tally::public_results`).
    if budget.phase != Phase::Finished {
        return Err(PageError::Refused(Refusal::PhaseClosed));
    }
    let counts = cached::counts(&council, heading).await?;
    let (current, earlier) = (&counts.0, &counts.1);
    let outcome = &current.outcome;
    let list = cached::projects(&council, heading).await?;
    let info = budget
        .headings
        .iter()
        .find(|h| h.id == heading)
        .ok_or(PageError::NotFound)?;
    let (tr, currency) = (&council.tr, budget.currency.as_str());
    council.render(&ResultsPage {
        tr,
        chrome: &council.chrome,
        tabs,
        id: heading.to_string(),
        name: info.name.clone(),
        amount: money(tr, info.amount_cents, currency),
        total: money(tr, cents_of_millionths(outcome.total), currency),
        rule: tr.t(&format!("budget-rule-{}", budget.rule)),
        rule_explained: tr.t(&format!("budget-rule-{}-explained", budget.rule)),
        chart: chart(tr, outcome, &list, currency),
        recount: current.recount_reason.as_ref().map(|reason| {
            let when = tr.date(current.computed_at);
            tr.args(
                "budget-recounted",
                &[("date", when), ("reason", reason.clone())],
            )
        }),
        earlier: earlier.iter().map(|c| earlier_count(tr, c)).collect(),
        lines: outcome
            .projects
            .iter()
            .map(|p| ResultLine {
                title: projects::by_number(&list, &p.id).map_or(String::new(), |l| l.title.clone()),
                number: p.id.clone(),
                votes: p.votes,
                paper_votes: paper_votes(&list, &p.id),
                cost: money(tr, cents_of_millionths(p.cost), currency),
                selected: p.selected,
                reason: reason_text(tr, &p.reason, currency),
            })
            .collect(),
    })
}
