//! `cabildo billing …`: plans.

use crate::config::{BillingCommand, Global, PlansCommand};
use cabildo_billing::plans::{self, Applied, Plan};
use std::process::ExitCode;
use std::time::Duration;

/// Runs one `billing` subcommand.
pub async fn run(global: &Global, command: BillingCommand) -> anyhow::Result<ExitCode> {
    let BillingCommand::Plans(command) = command;
    // Checked before touching the database.
    let folder = match &command {
        PlansCommand::Apply { dir } => Some(plans::read_plans(dir)?),
        PlansCommand::List => None,
    };
    let tenancy = super::connect(global, Some(Duration::from_secs(global.connect_timeout))).await?;
    let result = match folder {
        Some(folder) => plans::apply(&tenancy, &folder).await.map(|outcome| {
            for (slug, applied) in outcome {
                let what = match applied {
                    Applied::Created => "created",
                    Applied::Updated => "updated",
                    Applied::Unchanged => "unchanged",
                };
                println!("{slug}: {what}");
            }
        }),
        None => plans::list(&tenancy).await.map(|stored| {
            let rows: Vec<[String; 5]> = stored
                .iter()
                .map(|s| {
                    [
                        s.plan.slug.clone(),
                        s.plan.name("es").to_owned(),
                        price(&s.plan),
                        entitlements(&s.plan),
                        if s.offered { "yes" } else { "no" }.to_owned(),
                    ]
                })
                .collect();
            if rows.is_empty() {
                println!("No plans yet: cabildo billing plans apply plans/");
            } else {
                crate::table::print(&["SLUG", "NAME", "PRICE", "INCLUDES", "OFFERED"], &rows);
            }
        }),
    };
    tenancy.close().await;
    result?;
    Ok(ExitCode::SUCCESS)
}

/// "190.00 EUR/month + 21 % VAT", or the trial's length.
fn price(plan: &Plan) -> String {
    let p = &plan.price;
    match plan.trial_days {
        Some(days) => format!("free for {days} days"),
        None => format!(
            "{}.{:02} {}/month + {} % VAT",
            p.monthly_cents / 100,
            p.monthly_cents % 100,
            p.currency,
            p.vat_percent
        ),
    }
}

/// Features, then limits (`open_processes ≤ 5`).
fn entitlements(plan: &Plan) -> String {
    let e = &plan.entitlements;
    let features = e.features.iter().map(|f| f.as_str().to_owned());
    let limits = (e.limits.named().into_iter())
        .filter_map(|(name, limit)| limit.map(|l| format!("{name} ≤ {l}")));
    features.chain(limits).collect::<Vec<_>>().join(", ")
}
