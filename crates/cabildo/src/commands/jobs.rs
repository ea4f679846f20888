//! `cabildo jobs list|retry`.

use crate::config::{Global, JobsCommand};
use anyhow::{Context, bail};
use cabildo_notify::Queue;
use std::process::ExitCode;
use std::time::Duration;

/// Runs one `jobs` subcommand.
pub async fn run(global: &Global, command: JobsCommand) -> anyhow::Result<ExitCode> {
    let tenancy = super::connect(global, Some(Duration::from_secs(global.connect_timeout))).await?;
    let queue = Queue::new(tenancy.clone());
    let result = match command {
        JobsCommand::List { dead, limit } => {
            let jobs = queue.list(dead, i64::from(limit)).await?;
            if jobs.is_empty() {
                println!(
                    "{}",
                    if dead {
                        "No dead or failed jobs."
                    } else {
                        "No jobs."
                    }
                );
            } else {
                let rows: Vec<[String; 7]> = jobs
                    .into_iter()
                    .map(|j| {
                        [
                            j.id.to_string(),
                            j.tenant,
                            j.kind,
                            j.status,
                            j.attempts.to_string(),
                            j.run_at
                                .format(time::macros::format_description!(
                                    "[year]-[month]-[day] [hour]:[minute]:[second]"
                                ))
                                .unwrap_or_default(),
                            j.last_error.unwrap_or_default().replace('\n', " "),
                        ]
                    })
                    .collect();
                crate::table::print(
                    &[
                        "ID",
                        "COUNCIL",
                        "KIND",
                        "STATUS",
                        "ATTEMPTS",
                        "RUN AT",
                        "LAST ERROR",
                    ],
                    &rows,
                );
            }
            Ok(())
        }
        JobsCommand::Retry { all_dead: true, .. } => {
            let count = queue.retry_all_dead().await?;
            println!("{count} dead job(s) queued again.");
            Ok(())
        }
        JobsCommand::Retry { id: Some(id), .. } => {
            let id: uuid::Uuid = id
                .parse()
                .with_context(|| format!("{id:?} is not a job id"))?;
            if queue.retry(id).await? {
                println!("Job {id} queued again.");
                Ok(())
            } else {
                Err(anyhow::anyhow!(
                    "no dead, failed or cancelled job with id {id}"
                ))
            }
        }
        JobsCommand::Retry {
            id: None,
            all_dead: false,
        } => bail!("give a job id or --all-dead"),
    };
    tenancy.close().await;
    result.map(|()| ExitCode::SUCCESS)
}
