//! `cabildo budget`: results of Pabulib files (the research community's
//! open format) with the same engine the councils' budgets use.

use crate::config::{BudgetCommand, Global};
use anyhow::Context;
use cabildo_engine::budgets::pabulib;
use cabildo_engine::budgets::results::{self, Options, Reason, amount_text, money_text};
use std::fmt::Write as _;
use std::process::ExitCode;

/// Runs one `budget` subcommand.
pub async fn run(_global: &Global, command: BudgetCommand) -> anyhow::Result<ExitCode> {
    match command {
        BudgetCommand::Results {
            rule,
            tie,
            completion,
            explain,
            file,
        } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let text = String::from_utf8(bytes).map_err(|error| {
                anyhow::anyhow!(
                    "{} is not UTF-8 text (invalid byte at offset {})",
                    file.display(),
                    error.utf8_error().valid_up_to()
                )
            })?;
            let instance = pabulib::parse(&text)
                .with_context(|| format!("{} is not a valid Pabulib file", file.display()))?;
            let outcome = results::compute(
                &instance,
                Options {
                    rule,
                    tie,
                    completion,
                },
            )
            .with_context(|| format!("computing {} for {}", rule.as_str(), file.display()))?;
            let mut out = String::new();
            for id in &outcome.selected {
                let _ = writeln!(out, "{id}");
            }
            let _ = writeln!(out, "total {}", amount_text(outcome.total));
            if explain {
                for project in &outcome.projects {
                    let _ = writeln!(
                        out,
                        "# {} cost {} votes {}: {}",
                        project.id,
                        amount_text(project.cost),
                        project.votes,
                        reason_text(&project.reason)
                    );
                }
            }
            print!("{out}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A reason in one line of English, for people reading the CLI's output.
fn reason_text(reason: &Reason) -> String {
    match reason {
        Reason::Fitted { remaining } => format!("taken, {} was left", amount_text(*remaining)),
        Reason::DidNotFit { remaining } => {
            format!("skipped, only {} was left", amount_text(*remaining))
        }
        Reason::Bought { round, share } => {
            format!(
                "bought in round {round}, each supporter paying up to {}",
                money_text(share)
            )
        }
        Reason::Unaffordable { round, money } => format!(
            "not affordable in round {round}: its supporters had {} left",
            money_text(money)
        ),
        Reason::NoVotes => "no votes".to_owned(),
    }
}
