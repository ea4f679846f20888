//! `cabildo worker`.

use crate::config::{Global, WorkerArgs};
use anyhow::Context;
use cabildo_notify::{EmailHandler, Handlers, MailConfig, Mailer, Worker, WorkerConfig};
use cabildo_tenancy::Tenancy;
use std::process::ExitCode;
use std::time::Duration;

/// Runs jobs until a shutdown signal.
pub async fn run(global: &Global, args: WorkerArgs) -> anyhow::Result<ExitCode> {
    let smtp_url = global
        .smtp_url
        .as_deref()
        .context("SMTP_URL is not set: the worker sends mail (pass --smtp-url or set the environment variable)")?;
    let tenancy = super::connect(global, None).await?;
    let worker = worker(&tenancy, smtp_url, global, usize::from(args.concurrency))?;
    worker.run(super::shutdown_signal()).await;
    tenancy.close().await;
    Ok(ExitCode::SUCCESS)
}

/// A worker with every job handler, sending mail through `smtp_url`.
pub fn worker(
    tenancy: &Tenancy,
    smtp_url: &str,
    global: &Global,
    concurrency: usize,
) -> anyhow::Result<Worker> {
    let from = global
        .mail_from
        .clone()
        .unwrap_or_else(|| format!("no-reply@{}", global.base_domain));
    let mailer = Mailer::new(&MailConfig {
        smtp_url: smtp_url.to_owned(),
        from,
        timeout: Duration::from_secs(30),
    })?;
    let handlers = Handlers::default().with(
        cabildo_notify::email::KIND,
        EmailHandler::new(tenancy.clone(), mailer),
    );
    Ok(Worker::new(
        tenancy.clone(),
        handlers,
        WorkerConfig {
            concurrency,
            ..WorkerConfig::default()
        },
    ))
}
