//! `cabildo billing …`: plans, and councils on them.

use crate::config::{BillingCommand, Global, PlansCommand};
use cabildo_billing::councils;
use cabildo_billing::plans::{self, Applied, Plan};
use cabildo_tenancy::Slug;
use cabildo_tenancy::entitlements::Entitlements;
use std::process::ExitCode;
use std::time::Duration;

/// Runs one `billing` subcommand.
pub async fn run(global: &Global, command: BillingCommand) -> anyhow::Result<ExitCode> {
    let command = match command {
        BillingCommand::Plans(command) => command,
        BillingCommand::Assign { tenant, plan } => {
            return council(global, &tenant, Some(&plan)).await;
        }
        BillingCommand::Status { tenant } => return council(global, &tenant, None).await,
        other => return super::invoices::run(global, other).await,
    };
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
                        entitlements(&s.plan.entitlements),
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

/// `billing assign` (with `plan`) or `billing status`: prints the council's
/// plan, trial and entitlements.
async fn council(global: &Global, slug: &str, plan: Option<&str>) -> anyhow::Result<ExitCode> {
    let slug =
        Slug::parse(slug).map_err(|reason| anyhow::anyhow!("invalid slug {slug:?}: {reason}"))?;
    let tenancy = super::connect(global, Some(Duration::from_secs(global.connect_timeout))).await?;
    let result = async {
        let tenant = tenancy.get_tenant(&slug).await?;
        if let Some(plan) = plan {
            if councils::assign(&tenancy, &tenant, plan).await?.is_none() {
                anyhow::bail!("no plan {plan:?}: cabildo billing plans list shows them");
            }
            println!("{slug} is now on {plan}.");
        }
        let status = councils::status(&tenancy, &tenant).await?;
        println!("plan: {}", status.plan);
        if let Some(ends) = status.trial_ends_at {
            println!("trial ends: {}", ends.date());
        }
        match &status.entitlements {
            Some(allowed) => println!("includes: {}", entitlements(allowed)),
            None => println!("includes: everything (never put on a plan)"),
        }
        if let Some(card) = &status.card {
            let state = card.status.as_deref().unwrap_or("checkout not finished");
            match card.paid_through {
                Some(through) => println!("card: {state}, paid through {}", through.date()),
                None => println!("card: {state}"),
            }
        }
        if let Some(buyer) = cabildo_billing::invoices::buyer(&tenancy, &tenant).await? {
            println!(
                "invoice mode: {} ({})",
                buyer.entity.legal_name, buyer.entity.tax_id
            );
        }
        if let Some(since) = status.overdue_since {
            let held = status
                .held_from
                .map_or_else(String::new, |h| format!(", held from {}", h.date()));
            println!("overdue since {}{held}", since.date());
        }
        Ok(())
    }
    .await;
    tenancy.close().await;
    result.map(|()| ExitCode::SUCCESS)
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
fn entitlements(e: &Entitlements) -> String {
    let features = e.features.iter().map(|f| f.as_str().to_owned());
    let limits = (e.limits.named().into_iter())
        .filter_map(|(name, limit)| limit.map(|l| format!("{} ≤ {l}", name.as_str())));
    features.chain(limits).collect::<Vec<_>>().join(", ")
}
