//! `cabildo worker`.

use crate::config::{Global, WorkerArgs};
use anyhow::Context;
use cabildo_notify::newsletters::NewsletterHandler;
use cabildo_notify::unsubscribe::Signer;
use cabildo_notify::{
    DigestHandler, EmailHandler, Handlers, MailConfig, Mailer, SiteUrl, Worker, WorkerConfig,
};
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
    super::warn_if_privileged(&tenancy).await?;
    let site_url = SiteUrl {
        scheme: global.site_scheme.clone(),
        base_domain: global.base_domain.clone(),
        port: global.site_port,
    };
    let signer = super::signer(global.secret_key.as_deref())?;
    let worker = worker(
        &tenancy,
        smtp_url,
        site_url,
        signer,
        global,
        WorkerConfig {
            concurrency: usize::from(args.concurrency),
            lease: Duration::from_secs(args.lease_seconds),
            ..WorkerConfig::default()
        },
    )?;
    let scheduler = tokio::spawn(schedule_periodic(tenancy.clone(), args.billing_grace_days));
    worker.run(super::shutdown_signal()).await;
    scheduler.abort();
    tenancy.close().await;
    Ok(ExitCode::SUCCESS)
}

/// A worker with every job handler, sending mail through `smtp_url`.
pub fn worker(
    tenancy: &Tenancy,
    smtp_url: &str,
    site_url: SiteUrl,
    signer: Option<Signer>,
    global: &Global,
    config: WorkerConfig,
) -> anyhow::Result<Worker> {
    let from = global
        .mail_from
        .clone()
        .unwrap_or_else(|| format!("no-reply@{}", global.base_domain));
    let mailer = Mailer::new(&MailConfig {
        smtp_url: smtp_url.to_owned(),
        from,
        timeout: Duration::from_secs(30),
        connections: u32::try_from(config.concurrency).unwrap_or(u32::MAX),
    })?;
    let handlers = Handlers::default()
        .with(
            cabildo_notify::email::KIND,
            EmailHandler::new(tenancy.clone(), mailer.clone(), site_url.clone())
                .with_signer(signer.clone()),
        )
        .with(
            cabildo_notify::notifications::DIGEST_KIND,
            DigestHandler::new(tenancy.clone()),
        )
        .with(
            cabildo_engine::meetings::REMINDERS_KIND,
            cabildo_web::MeetingReminders::new(tenancy.clone()),
        )
        .with(
            cabildo_engine::budgets::tally::COUNT_KIND,
            cabildo_web::BudgetCounts::new(tenancy.clone()),
        )
        .with(
            cabildo_engine::dashboard::FOLD_KIND,
            cabildo_web::DashboardFolds::new(tenancy.clone()),
        )
        .with(
            cabildo_notify::newsletters::BATCH_KIND,
            NewsletterHandler::new(tenancy.clone(), mailer, signer, site_url),
        );
    Ok(Worker::new(tenancy.clone(), handlers, config))
}

/// Every 15 minutes, queues the digest runs and dashboard folds that are
/// due (idempotent) and starts dunning of invoices past due; once a day
/// (and at start), deletes the jobs finished long ago.
pub async fn schedule_periodic(tenancy: Tenancy, grace_days: u32) {
    let mut tick = tokio::time::interval(Duration::from_secs(15 * 60));
    let mut swept_on = None;
    loop {
        tick.tick().await;
        let today = time::OffsetDateTime::now_utc().date();
        if swept_on != Some(today) {
            swept_on = Some(today);
            match cabildo_notify::queue::Queue::new(tenancy.clone())
                .forget_finished()
                .await
            {
                Ok(forgotten) if forgotten > 0 => {
                    tracing::info!(forgotten, "jobs finished long ago deleted")
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(error = %error, "could not delete old jobs"),
            }
        }
        match cabildo_notify::notifications::schedule_digests(&tenancy, today).await {
            Ok(queued) if queued > 0 => tracing::info!(queued, "digest runs queued"),
            Ok(_) => {}
            Err(error) => tracing::warn!(error = %error, "could not queue digest runs"),
        }
        // The participation dashboard's queued acts, folded once a day.
        match cabildo_engine::dashboard::schedule_folds(&tenancy, today).await {
            Ok(queued) if queued > 0 => tracing::info!(queued, "dashboard folds queued"),
            Ok(_) => {}
            Err(error) => tracing::warn!(error = %error, "could not queue dashboard folds"),
        }
        // Invoices unpaid past their due date start dunning.
        match cabildo_billing::invoices::sweep(&tenancy, grace_days).await {
            Ok(started) if !started.is_empty() => {
                tracing::info!(
                    councils = started.len(),
                    "invoices past due: grace periods started"
                );
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(error = %error, "could not check invoices past due"),
        }
    }
}
