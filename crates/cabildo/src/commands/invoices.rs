//! `cabildo billing invoiced|invoice|invoices|facturae|paid|rectify|sweep`:
//! invoice mode, for councils that pay against invoices.

use crate::config::{BillingCommand, Global};
use anyhow::Context;
use cabildo_billing::invoices::{self, Buyer, Invoice, Period, Refusal, Seller};
use cabildo_tenancy::{Slug, Tenancy};
use std::process::ExitCode;
use std::time::Duration;
use time::Date;

/// Runs one invoice subcommand.
pub async fn run(global: &Global, command: BillingCommand) -> anyhow::Result<ExitCode> {
    // Files are checked before touching the database.
    let seller = match &command {
        BillingCommand::Invoice { seller, .. } => Some(Seller::from_file(seller)?),
        _ => None,
    };
    let tenancy = super::connect(global, Some(Duration::from_secs(global.connect_timeout))).await?;
    let result = run_with(&tenancy, command, seller).await;
    tenancy.close().await;
    result
}

fn today() -> Date {
    time::OffsetDateTime::now_utc().date()
}

fn refused(refusal: Refusal) -> anyhow::Result<ExitCode> {
    let why = match refusal {
        Refusal::NotInvoiced => {
            "the council is not in invoice mode: cabildo billing invoiced --tenant … --details FILE"
        }
        Refusal::NoPrice => "the council's plan has no price for that period",
        Refusal::AlreadyIssued => {
            "that period is invoiced already (rectify the invoice to correct it)"
        }
        Refusal::NotFound => "no such invoice",
        Refusal::AlreadyPaid => "its payment is recorded already",
        Refusal::NotRectifiable => {
            "it is a rectification, or was rectified already, or no reason was given"
        }
    };
    eprintln!("Refused ({}): {why}.", refusal.code());
    Ok(ExitCode::FAILURE)
}

async fn run_with(
    tenancy: &Tenancy,
    command: BillingCommand,
    seller: Option<Seller>,
) -> anyhow::Result<ExitCode> {
    let council = async |slug: &str| {
        let slug = Slug::parse(slug).map_err(|r| anyhow::anyhow!("invalid slug {slug:?}: {r}"))?;
        anyhow::Ok(tenancy.get_tenant(&slug).await?)
    };
    match command {
        BillingCommand::Invoiced { tenant, details } => {
            let buyer = Buyer::from_file(&details)?;
            let tenant = council(&tenant).await?;
            let buyer = invoices::set_buyer(tenancy, &tenant, buyer).await?;
            let details = serde_json::json!({"tax_id": buyer.entity.tax_id});
            audited(
                tenancy,
                tenant.id,
                "billing.invoiced",
                &buyer.entity.legal_name,
                details,
            )
            .await?;
            println!(
                "{} is invoiced: {} ({}), DIR3 {} / {} / {}.",
                tenant.slug,
                buyer.entity.legal_name,
                buyer.entity.tax_id,
                buyer.dir3_accounting,
                buyer.dir3_management,
                buyer.dir3_processing
            );
        }
        BillingCommand::Invoice {
            tenant,
            period,
            facturae,
            ..
        } => {
            let period = Period::parse(&period)
                .ok_or_else(|| anyhow::anyhow!("period {period:?}: YYYY-MM or YYYY"))?;
            let seller = seller.context("the seller")?;
            let tenant = council(&tenant).await?;
            let invoice = match invoices::issue(tenancy, &tenant, &seller, period, today()).await? {
                Ok(invoice) => invoice,
                Err(refusal) => return refused(refusal),
            };
            print_issued(&invoice);
            let details = serde_json::json!({"total_cents": invoice.total_cents});
            audited(
                tenancy,
                invoice.tenant,
                "billing.invoice",
                &invoice.code(),
                details,
            )
            .await?;
            if let Some(folder) = facturae {
                let path = folder.join(format!("{}.xml", invoice.code()));
                std::fs::write(&path, invoices::facturae(&invoice))?;
                println!(
                    "Facturae: {} (unsigned: sign it before sending it to FACe)",
                    path.display()
                );
            }
        }
        BillingCommand::Invoices { tenant } => {
            let tenant = match tenant {
                Some(slug) => Some(council(&slug).await?),
                None => None,
            };
            let listed = invoices::list(tenancy, tenant.as_ref()).await?;
            if listed.is_empty() {
                println!("No invoices yet.");
            }
            let rows: Vec<[String; 6]> = listed
                .iter()
                .map(|i| {
                    [
                        i.code(),
                        i.buyer.entity.legal_name.clone(),
                        format!("{} – {}", i.period.0, i.period.1),
                        euros(i.total_cents, &i.currency),
                        i.due_on.to_string(),
                        match (&i.paid, &i.rectifies) {
                            (Some((on, _)), _) => format!("paid {on}"),
                            (None, Some((original, _))) => format!("rectifies {original}"),
                            (None, None) => "unpaid".into(),
                        },
                    ]
                })
                .collect();
            if !rows.is_empty() {
                crate::table::print(
                    &["NUMBER", "COUNCIL", "PERIOD", "TOTAL", "DUE", "STATE"],
                    &rows,
                );
            }
        }
        BillingCommand::Facturae { number, out } => {
            let Some(invoice) = invoices::get(tenancy, &number).await? else {
                return refused(Refusal::NotFound);
            };
            let path = out.unwrap_or_else(|| format!("{}.xml", invoice.code()).into());
            std::fs::write(&path, invoices::facturae(&invoice))?;
            println!("{}: Facturae 3.2.2, unsigned.", path.display());
        }
        BillingCommand::Paid {
            number,
            on,
            reference,
        } => {
            let on = match on {
                Some(text) => Date::parse(
                    &text,
                    time::macros::format_description!("[year]-[month]-[day]"),
                )
                .map_err(|_| anyhow::anyhow!("--on {text:?}: YYYY-MM-DD"))?,
                None => today(),
            };
            if let Err(refusal) = invoices::record_payment(tenancy, &number, on, &reference).await?
            {
                return refused(refusal);
            }
            println!("{number} paid on {on}.");
        }
        BillingCommand::Rectify { number, reason } => {
            match invoices::rectify(tenancy, &number, &reason, today()).await? {
                Ok(rectifying) => {
                    println!("{number} rectified by:");
                    print_issued(&rectifying);
                    let details = serde_json::json!({"rectifies": number, "reason": reason});
                    audited(
                        tenancy,
                        rectifying.tenant,
                        "billing.rectify",
                        &rectifying.code(),
                        details,
                    )
                    .await?;
                }
                Err(refusal) => return refused(refusal),
            }
        }
        BillingCommand::Sweep { grace_days } => {
            let started = invoices::sweep(tenancy, grace_days).await?;
            println!(
                "{} councils with invoices past due start their grace period.",
                started.len()
            );
        }
        BillingCommand::Plans(_)
        | BillingCommand::Assign { .. }
        | BillingCommand::Status { .. } => {
            anyhow::bail!("not an invoice command")
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes a billing change into the council's audit log, by the platform's
/// command line.
async fn audited(
    tenancy: &Tenancy,
    tenant: cabildo_tenancy::TenantId,
    action: &str,
    subject: &str,
    details: serde_json::Value,
) -> anyhow::Result<()> {
    let Some(council) = tenancy.find_tenant_by_id(tenant).await? else {
        return Ok(());
    };
    let mut tx = tenancy.begin(&council).await?;
    let actor = cabildo_engine::staff::Actor("cli".into());
    cabildo_engine::staff::audit(&mut tx, &actor, action, Some(subject), details).await?;
    tx.commit().await?;
    Ok(())
}

fn euros(cents: i64, currency: &str) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!(
        "{sign}{}.{:02} {currency}",
        cents.unsigned_abs() / 100,
        cents.unsigned_abs() % 100
    )
}

fn print_issued(invoice: &Invoice) {
    println!(
        "{} to {} ({}): {} + {} VAT = {}, due {}.",
        invoice.code(),
        invoice.buyer.entity.legal_name,
        invoice.buyer.entity.tax_id,
        euros(invoice.net_cents, &invoice.currency),
        euros(invoice.vat_cents, &invoice.currency),
        euros(invoice.total_cents, &invoice.currency),
        invoice.due_on
    );
}
