//! The `cabildo` binary: command line, configuration, telemetry, wiring.

mod commands;
mod config;
mod table;
mod telemetry;

use clap::Parser;
use config::{BudgetCommand, Cli, Command, ResultsOnly};
use std::process::ExitCode;

fn main() -> ExitCode {
    // `budget results` is pure computation on a file: no runtime,
    // telemetry or TLS, and only its own options parsed (building the
    // whole command line takes about half a millisecond, as long as
    // computing a small election), so it costs little more than starting
    // a process.
    let mut words = std::env::args_os();
    if words.nth(1).is_some_and(|w| w == "budget") && words.next().is_some_and(|w| w == "results") {
        let only =
            ResultsOnly::parse_from(std::iter::once("cabildo budget results".into()).chain(words));
        return finish(commands::budget::results(only.args));
    }
    let cli = Cli::parse();
    if let Command::Budget(BudgetCommand::Results(args)) = cli.command {
        return finish(commands::budget::results(args));
    }
    // A container's health check: no runtime, no logging set-up.
    if let Command::Probe(args) = &cli.command {
        return finish(commands::probe::run(args).map(|()| ExitCode::SUCCESS));
    }
    match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime.block_on(run(cli)),
        Err(error) => finish(Err(error.into())),
    }
}

/// Every command that talks to services, on the Tokio runtime.
async fn run(cli: Cli) -> ExitCode {
    // One rustls crypto provider per process, before anything opens TLS.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let _telemetry =
        match telemetry::init(cli.global.log_format, cli.global.otlp_endpoint.as_deref()) {
            Ok(telemetry) => telemetry,
            Err(error) => {
                eprintln!("error: {error:#}");
                return ExitCode::FAILURE;
            }
        };
    let result = match cli.command {
        Command::Serve(args) => commands::serve::run(&cli.global, *args).await,
        Command::Demo(args) => commands::demo::run(&cli.global, args).await,
        Command::Migrate(args) => commands::migrate::run(&cli.global, args).await,
        Command::Tenants(command) => commands::tenants::run(&cli.global, command).await,
        Command::Services(args) => commands::services::run(args).await,
        Command::Worker(args) => commands::worker::run(&cli.global, args).await,
        Command::Provisioner => commands::provisioner::run(&cli.global).await,
        Command::Jobs(command) => commands::jobs::run(&cli.global, command).await,
        Command::Mail(command) => commands::mail::run(&cli.global, command).await,
        Command::Newsletters(command) => commands::newsletters::run(&cli.global, command).await,
        Command::Census(command) => commands::census::run(&cli.global, command).await,
        Command::Accounts(command) => commands::accounts::run(&cli.global, command).await,
        Command::Seed(command) => commands::seed::run(&cli.global, command).await,
        Command::Budget(command) => commands::budget::run(&cli.global, command).await,
        Command::Billing(command) => commands::billing::run(&cli.global, command).await,
        Command::Consultation(command) => commands::consultation::run(&cli.global, command).await,
        Command::Probe(args) => commands::probe::run(&args).map(|()| ExitCode::SUCCESS),
    };
    finish(result)
}

/// The exit code of a command, its error printed for people.
fn finish(result: anyhow::Result<ExitCode>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
