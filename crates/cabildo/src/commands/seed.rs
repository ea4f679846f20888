//! `cabildo seed participation`: synthetic participation for benchmarks,
//! written in batches with a progress bar.

use crate::config::{Global, SeedCommand};
use anyhow::{Context, bail};
use cabildo_engine::seed::{self, BATCH, Plan};
use cabildo_tenancy::{Slug, Tenancy, Tenant};
use indicatif::{ProgressBar, ProgressStyle};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Runs one `seed` subcommand.
pub async fn run(global: &Global, command: SeedCommand) -> anyhow::Result<ExitCode> {
    let SeedCommand::Participation {
        tenant,
        process,
        people,
        proposals,
        supports,
        comments,
        debates,
        threshold,
        tokens,
        tokens_file,
        proposals_file,
        ballot_file,
        budget_projects,
    } = command;
    if people < 1 || proposals < 2 || supports < 0 || comments < 0 || debates < 0 || tokens < 0 {
        bail!("people ≥ 1, proposals ≥ 2, and no negative counts");
    }
    if supports > people.saturating_mul(proposals) {
        bail!("at most people × proposals supports (one per person and proposal)");
    }
    if tokens > 0 && tokens_file.is_none() {
        bail!("--tokens needs --tokens-file");
    }
    let slug = Slug::parse(&tenant)
        .map_err(|reason| anyhow::anyhow!("invalid slug {tenant:?}: {reason}"))?;
    let tenancy = super::connect(global, Some(Duration::from_secs(global.connect_timeout))).await?;
    let council = tenancy.get_tenant(&slug).await?;
    let plan = Plan {
        process,
        people,
        proposals,
        supports,
        comments,
        debates,
        threshold,
    };
    let started = Instant::now();
    let mut tx = tenancy.begin(&council).await?;
    let seeded = seed::start(&mut tx, &plan)
        .await
        .context("the process cannot be created (choose another --process)")?;
    tx.commit().await?;
    let total = proposals + supports + debates + comments;
    let bar = ProgressBar::new(u64::try_from(total).unwrap_or(0));
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {elapsed_precise} [{bar:30}] {pos}/{len} rows, ETA {eta} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let result = fill(&tenancy, &council, &plan, &seeded, &bar).await;
    bar.finish_and_clear();
    result?;
    let mut tx = tenancy.begin(&council).await?;
    let mut written = Vec::new();
    if let Some(path) = &tokens_file {
        let list = seed::people_with_tokens(&mut tx, &seeded, tokens).await?;
        std::fs::write(path, list.join("\n") + "\n")
            .with_context(|| format!("writing {}", path.display()))?;
        written.push(format!("{} tokens in {}", list.len(), path.display()));
    }
    if let Some(path) = &proposals_file {
        let ids = seed::proposal_ids(&mut tx, seeded.process).await?;
        let text: Vec<String> = ids.iter().map(ToString::to_string).collect();
        std::fs::write(path, text.join("\n") + "\n")
            .with_context(|| format!("writing {}", path.display()))?;
        written.push(format!("{} proposal ids in {}", ids.len(), path.display()));
    }
    if let Some(path) = &ballot_file {
        if !(1..=10_000).contains(&budget_projects) {
            bail!("--budget-projects must be between 1 and 10000");
        }
        let (heading, ids) = seed::budget(&mut tx, &seeded, budget_projects)
            .await
            .context("the budget cannot be seeded")?;
        let mut text = vec![heading.to_string()];
        text.extend(ids.iter().map(ToString::to_string));
        std::fs::write(path, text.join("\n") + "\n")
            .with_context(|| format!("writing {}", path.display()))?;
        written.push(format!(
            "a budget heading and {} projects in {}",
            ids.len(),
            path.display()
        ));
    }
    let hot = seed::hot_proposal(&mut tx, &seeded).await?;
    tx.commit().await?;
    println!(
        "Seeded process {} on {}: {people} people, {proposals} proposals, {supports} supports, {debates} debates, {comments} comments in {:.1} s.",
        plan.process,
        council.slug,
        started.elapsed().as_secs_f64()
    );
    println!(
        "The proposal with {} comments: /proposals/{hot}",
        seed::HOT_COMMENTS.min(comments)
    );
    for line in written {
        println!("Wrote {line}.");
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes the rows in batches, one transaction each.
async fn fill(
    tenancy: &Tenancy,
    council: &Tenant,
    plan: &Plan,
    seeded: &seed::Seeded,
    bar: &ProgressBar,
) -> anyhow::Result<()> {
    let batches = |total: i64| {
        (0..total)
            .step_by(usize::try_from(BATCH).unwrap_or(1))
            .map(move |from| (from, (from + BATCH).min(total)))
    };
    bar.set_message("proposals");
    for (from, to) in batches(plan.proposals) {
        let mut tx = tenancy.begin(council).await?;
        seed::proposals(&mut tx, seeded, from, to).await?;
        tx.commit().await?;
        bar.inc(u64::try_from(to - from).unwrap_or(0));
    }
    bar.set_message("supports");
    for (from, to) in batches(plan.supports) {
        let mut tx = tenancy.begin(council).await?;
        seed::supports(&mut tx, seeded, plan, from, to).await?;
        tx.commit().await?;
        bar.inc(u64::try_from(to - from).unwrap_or(0));
    }
    bar.set_message("debates");
    let mut tx = tenancy.begin(council).await?;
    seed::debates(&mut tx, seeded, plan.debates).await?;
    tx.commit().await?;
    bar.inc(u64::try_from(plan.debates).unwrap_or(0));
    bar.set_message("comments");
    for (from, to) in batches(plan.comments) {
        let mut tx = tenancy.begin(council).await?;
        seed::comments(&mut tx, seeded, plan, from, to).await?;
        tx.commit().await?;
        bar.inc(u64::try_from(to - from).unwrap_or(0));
    }
    bar.set_message("counters");
    let mut tx = tenancy.begin(council).await?;
    seed::counters(&mut tx, seeded).await?;
    tx.commit().await?;
    Ok(())
}
