//! The `cabildo` binary: command line, configuration, telemetry, wiring.

mod commands;
mod config;
mod table;
mod telemetry;

use clap::Parser;
use config::{Cli, Command};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    // One rustls crypto provider per process, before anything opens TLS.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cli = Cli::parse();
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
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
