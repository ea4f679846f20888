//! Counting a heading: its submitted ballots and paper votes become an
//! election ([`Instance`]) that the pure rules of [`super::results`]
//! decide, and that `cabildo budget export-pabulib` writes as open data.
//!
//! Paper votes are counted per project, so the ballots they came from are
//! unknown. Each counted paper vote enters as a ballot approving that one
//! project: greedy counts it like any vote, and the Method of Equal Shares
//! gives paper voters a share of the money in proportion to their number.

use super::pabulib::{Ballot, Instance, Project, UNIT};
use super::results::{self, Options, Outcome as Decided};
use super::setup::PHASE;
use crate::error::{Error, Field, Problem, Refusal, Result};
use crate::ids::HeadingId;

use cabildo_tenancy::TenantTx;
use std::collections::HashMap;
use std::fmt::Write as _;
use uuid::Uuid;

/// Millionths (the rules' unit) per cent.
const PER_CENT: i128 = UNIT / 100;

/// A heading's election: projects on the ballot (ids are their public
/// numbers), every submitted ballot, and paper votes as one-project
/// ballots.
pub async fn election(
    tx: &mut TenantTx,
    heading: HeadingId,
) -> Result<Option<(Instance, Options)>> {
    let row: Option<(i64, String, String, String)> = sqlx::query_as(
        "SELECT h.amount_cents, b.rule, b.tie, b.completion
         FROM budget_headings h JOIN budgets b ON b.id = h.budget_id WHERE h.id = $1",
    )
    .bind(heading)
    .fetch_optional(tx.conn())
    .await?;
    let Some((amount, rule, tie, completion)) = row else {
        return Ok(None);
    };
    let options = Options {
        rule: rule.parse().unwrap_or_default(),
        tie: tie.parse().unwrap_or_default(),
        completion: completion.parse().unwrap_or_default(),
    };
    let projects: Vec<(Uuid, i64, i64, i32)> = sqlx::query_as(
        "SELECT id, number, coalesce(official_cost_cents, estimated_cost_cents), paper_votes
         FROM budget_projects WHERE heading_id = $1 AND on_ballot AND hidden_at IS NULL ORDER BY number",
    )
    .bind(heading)
    .fetch_all(tx.conn())
    .await?;
    let index: HashMap<Uuid, usize> = projects
        .iter()
        .enumerate()
        .map(|(i, (id, _, _, _))| (*id, i))
        .collect();
    let lines: Vec<(Uuid, Uuid)> = sqlx::query_as(
        "SELECT l.ballot_id, l.project_id FROM budget_ballots b
         JOIN budget_ballot_lines l ON l.ballot_id = b.id
         WHERE b.heading_id = $1 AND b.submitted_at IS NOT NULL ORDER BY l.ballot_id",
    )
    .bind(heading)
    .fetch_all(tx.conn())
    .await?;
    let mut ballots: Vec<Ballot> = Vec::new();
    let mut last: Option<Uuid> = None;
    for (ballot, project) in lines {
        let Some(&p) = index.get(&project) else {
            continue;
        };
        if last != Some(ballot) {
            ballots.push(Ballot {
                choices: Vec::new(),
            });
            last = Some(ballot);
        }
        if let Some(current) = ballots.last_mut() {
            current.choices.push((p, 1));
        }
    }
    for (p, (_, _, _, paper)) in projects.iter().enumerate() {
        for _ in 0..*paper {
            ballots.push(Ballot {
                choices: vec![(p, 1)],
            });
        }
    }
    Ok(Some((
        Instance {
            budget: i128::from(amount) * PER_CENT,
            vote_type: "approval".into(),
            projects: projects
                .iter()
                .map(|(_, number, cost, _)| Project {
                    id: number.to_string(),
                    cost: i128::from(*cost) * PER_CENT,
                })
                .collect(),
            ballots,
        },
        options,
    )))
}

/// The outcome of a heading under its budget's rule.
pub async fn results(tx: &mut TenantTx, heading: HeadingId) -> Result<Decided> {
    let Some((instance, options)) = election(tx, heading).await? else {
        return Err(Refusal::NotFound.into());
    };
    results::compute(&instance, options)
        .map_err(|_| Error::invalid(Field::Budget, Problem::ResultsUnavailable))
}

/// The outcome of a heading as the public sees it: only once the budget
/// is finished and its process published.
pub async fn public_results(tx: &mut TenantTx, heading: HeadingId) -> Result<Decided> {
    let sql = format!(
        "SELECT {PHASE} = 'finished' FROM budget_headings h JOIN budgets b ON b.id = h.budget_id
         JOIN processes p ON p.id = b.process_id AND p.status = 'published' WHERE h.id = $1"
    );
    let finished: Option<bool> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(heading)
        .fetch_optional(tx.conn())
        .await?;
    match finished {
        None => Err(Refusal::NotFound.into()),
        Some(false) => Err(Refusal::PhaseClosed.into()),
        Some(true) => results(tx, heading).await,
    }
}

/// A heading as a Pabulib file (open data): voters are numbered in an
/// order unrelated to accounts, so no ballot can be traced to a person.
pub fn pabulib_text(instance: &Instance, description: &str, currency: &str) -> String {
    let quote = |text: &str| format!("\"{}\"", text.replace('"', "\"\""));
    let mut out = String::new();
    let _ = writeln!(out, "META\nkey;value");
    let _ = writeln!(out, "description;{}", quote(description));
    let _ = writeln!(out, "num_projects;{}", instance.projects.len());
    let _ = writeln!(out, "num_votes;{}", instance.ballots.len());
    let _ = writeln!(out, "budget;{}", results::amount_text(instance.budget));
    let _ = writeln!(out, "vote_type;approval\ncurrency;{currency}");
    let _ = writeln!(out, "PROJECTS\nproject_id;cost");
    for project in &instance.projects {
        let _ = writeln!(out, "{};{}", project.id, results::amount_text(project.cost));
    }
    let _ = writeln!(out, "VOTES\nvoter_id;vote");
    for (i, ballot) in instance.ballots.iter().enumerate() {
        let ids: Vec<&str> = ballot
            .choices
            .iter()
            .map(|&(p, _)| instance.projects[p].id.as_str())
            .collect();
        let _ = writeln!(out, "{};{}", i + 1, ids.join(","));
    }
    out
}
