//! `cabildo tenants nodes` and `tenants move`: where councils live on a
//! Citus cluster, and moving one between workers while its site runs.

use crate::config::{Global, MoveArgs};
use cabildo_tenancy::Slug;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Lists the workers with how many councils each holds.
pub async fn nodes(global: &Global) -> anyhow::Result<ExitCode> {
    let tenancy = super::connect(global, Some(Duration::from_secs(global.connect_timeout))).await?;
    let nodes = tenancy.nodes().await?;
    tenancy.close().await;
    let lines: Vec<[String; 3]> = nodes
        .iter()
        .map(|node| {
            [
                node.id.to_string(),
                format!("{}:{}", node.host, node.port),
                node.councils.to_string(),
            ]
        })
        .collect();
    crate::table::print(&["NODE", "ADDRESS", "COUNCILS"], &lines);
    Ok(ExitCode::SUCCESS)
}

/// Moves one council to another worker.
pub async fn move_council(global: &Global, args: &MoveArgs) -> anyhow::Result<ExitCode> {
    let slug = Slug::parse(&args.slug)
        .map_err(|reason| anyhow::anyhow!("invalid slug {:?}: {reason}", args.slug))?;
    let tenancy = super::connect(global, Some(Duration::from_secs(global.connect_timeout))).await?;
    let tenant = tenancy.get_tenant(&slug).await?;
    let started = Instant::now();
    let from = tenancy.move_council(&tenant, args.to_node).await?;
    tenancy.close().await;
    if from == args.to_node {
        println!("{slug} is already on node {from}; nothing moved.");
    } else {
        println!(
            "{slug} moved from node {from} to node {} in {:.1} s (its writes waited meanwhile; pages were served).",
            args.to_node,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(ExitCode::SUCCESS)
}
