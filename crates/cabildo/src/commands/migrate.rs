//! `cabildo migrate`: platform, then every council with a progress bar.

use crate::config::{Global, MigrateArgs};
use anyhow::Context;
use cabildo_tenancy::{FleetReport, MigrationResult, Tenancy, TenantMigrations};
use indicatif::{ProgressBar, ProgressStyle};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Migrates and prints a summary; exits non-zero when any council failed.
pub async fn run(global: &Global, args: MigrateArgs) -> anyhow::Result<ExitCode> {
    let tenancy = super::connect(global, Some(Duration::from_secs(global.connect_timeout))).await?;
    let migrations = match &args.tenant_migrations {
        Some(dir) => TenantMigrations::from_dir(dir)
            .await
            .with_context(|| format!("reading tenant migrations from {}", dir.display()))?,
        None => TenantMigrations::embedded(),
    };
    let started = Instant::now();
    tenancy
        .migrate_platform()
        .await
        .context("migrating the platform schema")?;
    if let Some(file) = &args.write_tenant_baseline {
        let url = super::database_url(global)?;
        let baseline = tenancy
            .squash_tenant_migrations(&migrations, url)
            .await
            .context("squashing the tenant migrations")?;
        std::fs::write(file, baseline).with_context(|| format!("writing {}", file.display()))?;
        println!(
            "Wrote {} (tenant migrations up to {})",
            file.display(),
            migrations.latest().unwrap_or_default()
        );
        tenancy.close().await;
        return Ok(ExitCode::SUCCESS);
    }
    let report = migrate_councils(&tenancy, &migrations, usize::from(args.jobs)).await?;
    println!(
        "Serving role for serve and worker: {} (cannot create roles or change tables)",
        tenancy.serving_role()
    );
    tenancy.close().await;
    Ok(summarise(&report, started.elapsed()))
}

/// Migrates every council, drawing a progress bar on a terminal.
pub async fn migrate_councils(
    tenancy: &Tenancy,
    migrations: &TenantMigrations,
    jobs: usize,
) -> anyhow::Result<FleetReport> {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {elapsed_precise} [{bar:30}] {pos}/{len} councils, ETA {eta} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let failed = std::sync::atomic::AtomicUsize::new(0);
    let report = tenancy
        .migrate_fleet(migrations, jobs, |outcome, total| {
            bar.set_length(total as u64);
            if let MigrationResult::Failed(_) = outcome.result {
                let count = failed.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                bar.set_message(format!("({count} failed)"));
            }
            bar.inc(1);
        })
        .await
        .context("listing councils to migrate")?;
    bar.finish_and_clear();
    backfill(tenancy, &report).await?;
    Ok(report)
}

/// What the councils migrated in this run need from the engine (nickname
/// skeletons; the worker's count of every budget, for budgets made before
/// counting was the worker's: the jobs are queued once, by their unique
/// keys); councils already up to date have it.
async fn backfill(tenancy: &Tenancy, report: &FleetReport) -> anyhow::Result<()> {
    for outcome in &report.outcomes {
        if !matches!(outcome.result, MigrationResult::Migrated(_)) {
            continue;
        }
        let council = tenancy.get_tenant(&outcome.slug).await?;
        tenancy
            .transaction(&council, async |tx| {
                cabildo_engine::accounts::backfill_nickname_skeletons(tx).await?;
                cabildo_engine::budgets::tally::queue_counts(tx).await
            })
            .await
            .with_context(|| format!("backfilling {}", council.slug))?;
    }
    Ok(())
}

fn summarise(report: &FleetReport, elapsed: Duration) -> ExitCode {
    let failed = report.failed();
    println!(
        "Councils: {} migrated, {} already up to date, {} failed ({:.1} s).",
        report.migrated(),
        report.up_to_date(),
        failed.len(),
        elapsed.as_secs_f64()
    );
    for outcome in &failed {
        if let MigrationResult::Failed(error) = &outcome.result {
            println!("  FAILED {}: {error}", outcome.slug);
        }
    }
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        println!(
            "Fix the cause and run `cabildo migrate` again: it resumes with the councils that are behind."
        );
        ExitCode::FAILURE
    }
}
