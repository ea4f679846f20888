//! `cabildo budget`: results of Pabulib files (the research community's
//! open format) with the same engine the councils' budgets use.

use crate::config::{BudgetCommand, Global, ResultsArgs};
use anyhow::{Context, bail};
use cabildo_engine::budgets::pabulib::UNIT;
use cabildo_engine::budgets::results::{self, Money, Options, Reason, amount_text, money_text};
use cabildo_engine::budgets::{pabulib, setup, tally};
use cabildo_tenancy::Slug;
use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::Duration;

/// Runs one `budget` subcommand.
pub async fn run(global: &Global, command: BudgetCommand) -> anyhow::Result<ExitCode> {
    match command {
        BudgetCommand::ExportPabulib {
            tenant,
            heading,
            output,
        } => {
            let slug = Slug::parse(&tenant)
                .map_err(|reason| anyhow::anyhow!("invalid slug {tenant:?}: {reason}"))?;
            let tenancy =
                super::connect(global, Some(Duration::from_secs(global.connect_timeout))).await?;
            let council = tenancy.get_tenant(&slug).await?;
            let mut tx = tenancy.begin(&council).await?;
            let budget = setup::of_heading(&mut tx, heading.into())
                .await?
                .with_context(|| format!("{tenant} has no budget heading {heading}"))?;
            let name = budget
                .headings
                .iter()
                .find(|h| h.id == heading.into())
                .map(|h| h.name.clone())
                .unwrap_or_default();
            if budget.phase != setup::Phase::Finished {
                bail!(
                    "the budget is not finished yet (its phase is {}): ballots may still change",
                    budget.phase.as_str()
                );
            }
            let (instance, _) = tally::election(&mut tx, heading.into())
                .await?
                .context("the heading is gone")?;
            tx.commit().await?;
            let text = tally::pabulib_text(
                &instance,
                &format!("{} — {} — {name}", council.name, budget.title),
                &budget.currency,
            );
            match output {
                Some(path) => std::fs::write(&path, text)
                    .with_context(|| format!("writing {}", path.display()))?,
                None => print!("{text}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        BudgetCommand::Results(args) => results(args),
    }
}

/// `cabildo budget results`: pure computation on a file, run before any
/// runtime, telemetry or connection starts (`main` calls it directly), so
/// a small election costs little more than starting a process.
pub fn results(args: ResultsArgs) -> anyhow::Result<ExitCode> {
    let ResultsArgs {
        rule,
        tie,
        completion,
        ordinal,
        explain,
        file,
    } = args;
    let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
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
            ordinal,
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
        if let Some(per_voter) = &outcome.per_voter {
            // Exactly too, in currency units: a reference implementation
            // can rerun the method once at that money (bench/budget-results
            // does, where its add1 would take hours).
            let exact = per_voter / Money::from_integer(UNIT.into());
            let _ = writeln!(
                out,
                "# each voter had {} ({}/{} exactly) in the run that decided",
                money_text(per_voter),
                exact.numer(),
                exact.denom()
            );
        }
    }
    print!("{out}");
    Ok(ExitCode::SUCCESS)
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
