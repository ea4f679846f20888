//! Staff pages of participatory budgets. `/staff/processes/{id}/budget`
//! (admins): a process's budget — its settings, phase dates and headings —
//! created or changed (after voting began only as a reset with a reason).
//! `/staff/budget-headings/{id}` (admins; evaluators review): the heading's
//! projects with their feasibility review, the ballot, paper votes one by
//! one or from a count file, qualified proposals to import, and execution
//! updates of the winners.

mod heading;
mod setup;

pub use heading::{
    create_project, heading, import_proposal, paper_file, paper_votes, post_update, review,
    set_on_ballot,
};
pub use setup::{save, setup};

use crate::error::WebError;
use crate::i18n::Tr;
use cabildo_engine::budgets::projects;
use cabildo_engine::content::Refusal;
use cabildo_engine::staff::{self, Role};
use cabildo_tenancy::TenantTx;
use serde::Deserialize;
use uuid::Uuid;

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
    Ok(needs_met(tx, user).await?.contains(&need))
}

/// What `user` may do here: nothing, reviews, or everything.
async fn needs_met(tx: &mut TenantTx, user: Uuid) -> Result<Vec<Need>, WebError> {
    let roles = staff::roles_of(tx, user).await?;
    Ok(if roles.contains(&Role::Admin) {
        vec![Need::Admin, Need::Reviewer]
    } else if roles.contains(&Role::Evaluator) {
        vec![Need::Reviewer]
    } else {
        Vec::new()
    })
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

/// `Forbidden` unless `user` may do what needs `need`.
async fn allowed(
    tx: &mut TenantTx,
    user: Uuid,
    need: Need,
) -> Result<Result<(), Refusal>, WebError> {
    Ok(if may(tx, user, need).await? {
        Ok(())
    } else {
        Err(Refusal::Forbidden)
    })
}

/// The estimated cost a form gives in `cost` (currency units), or why not.
pub(crate) fn estimated_cost(
    values: &std::collections::HashMap<String, String>,
) -> Result<i64, Refusal> {
    parse_cents(crate::account_pages::get(values, "cost"))
        .ok_or(Refusal::Invalid("estimated_cost", "amount_invalid"))
}

/// The heading of a project for a staff action that needs `need`: the
/// action's refusal when the person may not, or there is no such project.
async fn staff_project(
    tx: &mut TenantTx,
    user: Uuid,
    project: Uuid,
    need: Need,
) -> Result<Result<Uuid, Refusal>, WebError> {
    if let Err(refusal) = allowed(tx, user, need).await? {
        return Ok(Err(refusal));
    }
    Ok(projects::get(tx, project)
        .await?
        .map(|p| p.heading)
        .ok_or(Refusal::NotFound))
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
