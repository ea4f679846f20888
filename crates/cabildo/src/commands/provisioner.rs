//! `cabildo provisioner`: creates the councils of confirmed sign-ups.
//! It connects as the owner role, which may create roles; `serve`, which
//! faces the internet, records sign-ups and never creates anything.

use crate::config::Global;
use cabildo_tenancy::TenantMigrations;
use std::process::ExitCode;

/// Runs until a shutdown signal.
pub async fn run(global: &Global) -> anyhow::Result<ExitCode> {
    let owner = super::connect(global, None).await?;
    anyhow::ensure!(
        owner.can_create_roles().await?,
        "the provisioner must connect as the owner role (DATABASE_URL of `migrate`), which creates council roles"
    );
    cabildo_engine::signups::run_provisioner(
        owner.clone(),
        TenantMigrations::embedded(),
        super::shutdown_signal(),
    )
    .await;
    owner.close().await;
    Ok(ExitCode::SUCCESS)
}
