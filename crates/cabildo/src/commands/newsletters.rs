//! `cabildo newsletters send|status`.

use crate::config::{Global, NewsletterArgs, NewslettersCommand};
use anyhow::{Context, bail};
use cabildo_notify::newsletters::{self, Audience, Draft, Progress};
use cabildo_tenancy::{Slug, Tenancy, Tenant};
use indicatif::{ProgressBar, ProgressStyle};
use std::process::ExitCode;
use std::time::Duration;

/// Runs one `newsletters` subcommand.
pub async fn run(global: &Global, command: NewslettersCommand) -> anyhow::Result<ExitCode> {
    match command {
        NewslettersCommand::Send(args) => send(global, args).await,
        NewslettersCommand::Status { tenant, id } => {
            let id: uuid::Uuid = id
                .parse()
                .with_context(|| format!("{id:?} is not a newsletter id"))?;
            let (tenancy, council) = council(global, &tenant).await?;
            let progress = progress(&tenancy, &council, id).await?;
            if progress.total == 0 {
                bail!("no newsletter {id} with recipients in {}", council.slug);
            }
            print_progress(&progress);
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn council(global: &Global, slug: &str) -> anyhow::Result<(Tenancy, Tenant)> {
    let slug =
        Slug::parse(slug).map_err(|reason| anyhow::anyhow!("invalid slug {slug:?}: {reason}"))?;
    let tenancy = super::connect(global, Some(Duration::from_secs(global.connect_timeout))).await?;
    let council = tenancy.get_tenant(&slug).await?;
    Ok((tenancy, council))
}

async fn progress(tenancy: &Tenancy, council: &Tenant, id: uuid::Uuid) -> anyhow::Result<Progress> {
    let mut tx = tenancy.begin(council).await?;
    let progress = newsletters::progress(&mut tx, id).await?;
    tx.commit().await?;
    Ok(progress)
}

fn print_progress(progress: &Progress) {
    println!(
        "{} recipients: {} sent, {} failed, {} pending.",
        progress.total, progress.sent, progress.failed, progress.pending
    );
}

async fn send(global: &Global, args: NewsletterArgs) -> anyhow::Result<ExitCode> {
    let markdown = std::fs::read_to_string(&args.file)
        .with_context(|| format!("reading {}", args.file.display()))?;
    let (subject, markdown) = match args.subject {
        Some(subject) => (subject, markdown),
        None => {
            let (first, rest) = markdown.split_once('\n').unwrap_or((&markdown, ""));
            let subject = first
                .strip_prefix("# ")
                .context("give --subject, or start the file with a `# Subject` line")?;
            (subject.trim().to_owned(), rest.trim_start().to_owned())
        }
    };
    let audience = Audience::parse(&args.audience).with_context(|| {
        format!(
            "--audience {:?}: use `all` or `district:<code>`",
            args.audience
        )
    })?;
    let draft = Draft {
        subject,
        markdown,
        audience,
    };
    let (tenancy, council) = council(global, &args.tenant).await?;
    let mut tx = tenancy.begin(&council).await?;
    if args.preview {
        let size = newsletters::audience_size(&mut tx, &draft.audience).await?;
        tx.commit().await?;
        println!("Subject: {}", draft.subject);
        println!(
            "Audience: {} ({size} people with newsletter consent)",
            args.audience
        );
        println!();
        println!("{}", cabildo_notify::markdown::render(&draft.markdown));
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(address) = &args.test_to {
        newsletters::send_test(&mut tx, &draft, address).await?;
        tx.commit().await?;
        println!("Queued a test copy to {address}; a worker will send it.");
        return Ok(ExitCode::SUCCESS);
    }
    let (id, recipients) = match newsletters::send(&mut tx, &draft).await? {
        Ok(sent) => sent,
        Err(need) => {
            eprintln!(
                "The council's plan allows no more of this ({}); `cabildo billing status` shows its plan.",
                need.as_str()
            );
            return Ok(ExitCode::FAILURE);
        }
    };
    tx.commit().await?;
    println!(
        "Newsletter {id}: {recipients} recipients queued in batches of {}.",
        newsletters::BATCH_SIZE
    );
    if args.wait && recipients > 0 {
        let bar = ProgressBar::new(recipients as u64);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{bar:30}] {pos}/{len} recipients, ETA {eta} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        loop {
            let now = progress(&tenancy, &council, id).await?;
            bar.set_position((now.sent + now.failed) as u64);
            if now.failed > 0 {
                bar.set_message(format!("({} failed)", now.failed));
            }
            if now.pending == 0 {
                bar.finish_and_clear();
                print_progress(&now);
                break;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    } else {
        println!(
            "Follow it with `cabildo newsletters status --tenant {} {id}`.",
            council.slug
        );
    }
    tenancy.close().await;
    Ok(ExitCode::SUCCESS)
}
