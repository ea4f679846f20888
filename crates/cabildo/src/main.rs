//! The `cabildo` binary: command line, configuration, telemetry, wiring.

mod commands;
mod config;
mod table;
mod telemetry;

use clap::Parser;
use config::{BudgetCommand, Cli, Command};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Budget(BudgetCommand::Results(args)) = cli.command {
        // Pure computation on a file: no runtime, telemetry or TLS, so a
        // small election costs little more than starting a process.
        return finish(commands::budget::results(args));
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
        Command::Serve(args) => commands::serve::run(&cli.global, args).await,
        Command::Demo(args) => commands::demo::run(&cli.global, args).await,
        Command::Migrate(args) => commands::migrate::run(&cli.global, args).await,
        Command::Tenants(command) => commands::tenants::run(&cli.global, command).await,
        Command::Services(args) => commands::services::run(args).await,
        Command::Worker(args) => commands::worker::run(&cli.global, args).await,
        Command::Jobs(command) => commands::jobs::run(&cli.global, command).await,
        Command::Mail(command) => commands::mail::run(&cli.global, command).await,
        Command::Newsletters(command) => commands::newsletters::run(&cli.global, command).await,
        Command::Census(command) => commands::census::run(&cli.global, command).await,
        Command::Accounts(command) => commands::accounts::run(&cli.global, command).await,
        Command::Seed(command) => commands::seed::run(&cli.global, command).await,
        Command::Budget(command) => commands::budget::run(&cli.global, command).await,
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
