//! `cabildo demo`: local services, migrations, demo councils, server.

use crate::config::{DemoArgs, Global};
use anyhow::Context;
use cabildo_devkit::LocalServices;
use cabildo_tenancy::TenantMigrations;
use cabildo_web::WebConfig;
use std::process::ExitCode;
use std::time::Duration;

/// Runs the whole product locally until Ctrl-C, then stops everything.
pub async fn run(global: &Global, args: DemoArgs) -> anyhow::Result<ExitCode> {
    // Refuse a broken definition before starting anything.
    let specs = super::tenants::read_specs(&args.tenants)?;
    println!(
        "Starting PostgreSQL and Redis in {} …",
        args.data_dir.display()
    );
    let services = LocalServices::start(&args.data_dir, cabildo_devkit::DEMO_DATABASE)
        .await
        .context("starting the local PostgreSQL and Redis")?;
    let result = run_with(global, &args, &services, &specs).await;
    println!("Stopping PostgreSQL and Redis …");
    let stopped = services.stop();
    result?;
    stopped?;
    Ok(ExitCode::SUCCESS)
}

async fn run_with(
    global: &Global,
    args: &DemoArgs,
    services: &LocalServices,
    specs: &[cabildo_tenancy::ValidSpec],
) -> anyhow::Result<()> {
    let database_url = services.postgres.url(cabildo_devkit::DEMO_DATABASE);
    let tenancy = super::connect_to(
        &database_url,
        Some(&services.redis.url()),
        global.db_pool_size,
        Some(Duration::from_secs(30)),
    )
    .await?;
    tenancy
        .migrate_platform()
        .await
        .context("migrating the platform schema")?;
    // Councils left by an earlier run get this binary's migrations.
    let report =
        super::migrate::migrate_councils(&tenancy, &TenantMigrations::embedded(), 4).await?;
    for failed in report.failed() {
        println!(
            "warning: council {} could not be migrated: {:?}",
            failed.slug, failed.result
        );
    }
    let slugs = super::tenants::apply_all(&tenancy, specs).await?;

    let port = args.listen.port();
    let base = &global.base_domain;
    println!();
    println!("Cabildo is running. Open:");
    println!("  platform site   http://{base}:{port}/");
    for slug in &slugs {
        println!("  {slug:<15} http://{slug}.{base}:{port}/");
    }
    println!("  health          http://{base}:{port}/readyz");
    println!("Database: {database_url}   Redis: {}", services.redis.url());
    println!("Press Ctrl-C to stop.");
    super::serve::serve(
        &tenancy,
        base,
        args.listen,
        WebConfig::default(),
        super::shutdown_signal(),
    )
    .await?;
    tenancy.close().await;
    Ok(())
}
