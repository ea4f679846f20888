//! `cabildo census import`: loads a council's census file (streamed, with
//! a progress bar and a report of the lines that were not imported).

use crate::config::{CensusCommand, Global};
use anyhow::{Context, bail};
use cabildo_engine::census;
use cabildo_engine::census::import::{self, Report};
use cabildo_tenancy::{Slug, Tenancy, Tenant};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

/// Runs one `census` subcommand.
pub async fn run(global: &Global, command: CensusCommand) -> anyhow::Result<ExitCode> {
    match command {
        CensusCommand::Import {
            tenant,
            file,
            report,
        } => {
            let secret = global.secret_key.as_deref().context(
                "CABILDO_SECRET_KEY is required: the census is stored under a key derived from it",
            )?;
            let slug = Slug::parse(&tenant)
                .map_err(|reason| anyhow::anyhow!("invalid slug {tenant:?}: {reason}"))?;
            let tenancy =
                super::connect(global, Some(Duration::from_secs(global.connect_timeout))).await?;
            let council = tenancy.get_tenant(&slug).await?;
            let size = std::fs::metadata(&file)
                .with_context(|| format!("reading {}", file.display()))?
                .len();
            let bar = ProgressBar::new(size);
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} {elapsed_precise} [{bar:30}] {bytes}/{total_bytes}, ETA {eta} {msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar.enable_steady_tick(Duration::from_millis(200));
            let result = import_file(
                &tenancy,
                &council,
                secret.as_bytes(),
                &file,
                Some(&bar),
                "cli",
            )
            .await;
            bar.finish_and_clear();
            let result = result?;
            print_report(&result, &file);
            if let Some(path) = report {
                let mut out = String::from("line,reason\n");
                for rejected in &result.rejected {
                    out.push_str(&format!("{},{}\n", rejected.line, rejected.reason));
                }
                std::fs::write(&path, out)
                    .with_context(|| format!("writing {}", path.display()))?;
                println!("Rejected lines listed in {}.", path.display());
            }
            if result.imported == 0 {
                bail!("no resident could be imported from {}", file.display());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn print_report(report: &Report, file: &Path) {
    println!(
        "{}: {} residents imported, {} duplicate lines skipped, {} lines rejected.",
        file.display(),
        report.imported,
        report.duplicates,
        report.rejected.len()
    );
    let mut reasons: std::collections::BTreeMap<&str, usize> = Default::default();
    for rejected in &report.rejected {
        *reasons.entry(rejected.reason).or_default() += 1;
    }
    for (reason, count) in reasons {
        println!("  {count:>8} × {reason}");
    }
    for rejected in report.rejected.iter().take(10) {
        println!("  line {}: {}", rejected.line, rejected.reason);
    }
}

/// Replaces `council`'s census with the residents in `path`, in one
/// transaction.
pub async fn import_file(
    tenancy: &Tenancy,
    council: &Tenant,
    secret: &[u8],
    path: &Path,
    bar: Option<&ProgressBar>,
    by: &str,
) -> anyhow::Result<Report> {
    let file = tokio::fs::File::open(path)
        .await
        .with_context(|| format!("opening {}", path.display()))?;
    let reader = tokio::io::BufReader::with_capacity(1 << 16, file);
    let mut tx = tenancy.begin(council).await?;
    let report = import::import(
        &mut tx,
        census::key(secret, council.id),
        reader,
        by,
        |bytes, residents| {
            if let Some(bar) = bar {
                bar.set_position(bytes);
                bar.set_message(format!("{residents} residents"));
            }
        },
    )
    .await
    .with_context(|| format!("importing {}", path.display()))?;
    tx.commit().await?;
    Ok(report)
}
