//! `cabildo consultation tally FILE` recomputes a consultation's result
//! from its published board, with no database; `cabildo consultation
//! board` writes a closed consultation's board.

use crate::config::{ConsultationCommand, Global};
use anyhow::{Context, bail};
use cabildo_engine::consultations::{self, Status, board};
use cabildo_tenancy::Slug;
use std::process::ExitCode;
use std::time::Duration;

/// Runs one consultation subcommand.
pub async fn run(global: &Global, command: ConsultationCommand) -> anyhow::Result<ExitCode> {
    match command {
        ConsultationCommand::Tally { file } => tally(&file),
        ConsultationCommand::Board {
            tenant,
            consultation,
            output,
        } => {
            let slug = Slug::parse(&tenant)
                .map_err(|reason| anyhow::anyhow!("invalid slug {tenant:?}: {reason}"))?;
            let tenancy =
                super::connect(global, Some(Duration::from_secs(global.connect_timeout))).await?;
            let council = tenancy.get_tenant(&slug).await?;
            let mut tx = tenancy.begin(&council).await?;
            let found = consultations::find(&mut tx, consultation.into())
                .await?
                .with_context(|| format!("{tenant} has no consultation {consultation}"))?;
            if found.status != Status::Closed {
                bail!(
                    "the consultation is not closed (it is {}): its board is frozen at the close",
                    found.status
                );
            }
            let board = consultations::board_of(&mut tx, &found).await?;
            tx.commit().await?;
            tenancy.close().await;
            let text = serde_json::to_string_pretty(&board)?;
            match output {
                Some(path) => std::fs::write(&path, text + "\n")
                    .with_context(|| format!("writing {}", path.display()))?,
                None => println!("{text}"),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Verifies and counts a board file, printing the result per question.
fn tally(file: &std::path::Path) -> anyhow::Result<ExitCode> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let board: board::Board = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a consultation board", file.display()))?;
    let tally = match board::tally(&board) {
        Ok(tally) => tally,
        Err(error) => {
            eprintln!("The board does not verify: {error}.");
            return Ok(ExitCode::FAILURE);
        }
    };
    println!("{}", board.title);
    println!(
        "{} ballots counted ({} replaced by a re-vote), {} days, final head {}",
        tally.ballots,
        tally.withdrawn,
        board.days.len(),
        tally.head
    );
    for (question, result) in board.questions.iter().zip(&tally.questions) {
        println!();
        println!("{}", question.text);
        for (option, (_, ballots, paper)) in question.options.iter().zip(&result.options) {
            println!(
                "  {:>8}  {}  (online and assisted {ballots}, paper {paper})",
                ballots + paper,
                option.text
            );
        }
        let (ballots, paper) = result.blank;
        println!(
            "  {:>8}  blank  (online and assisted {ballots}, paper {paper})",
            ballots + paper
        );
    }
    Ok(ExitCode::SUCCESS)
}
