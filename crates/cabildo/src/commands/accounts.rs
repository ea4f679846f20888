//! `cabildo accounts create|grant|revoke`: platform accounts of
//! consultants and operators.

use crate::config::{AccountsCommand, Global};
use anyhow::{Context, bail};
use cabildo_engine::Error as EngineError;
use cabildo_engine::accounts::password;
use cabildo_engine::platform::{self, AccountRole};
use cabildo_engine::staff::Role;
use cabildo_tenancy::Slug;
use std::process::ExitCode;
use std::time::Duration;

/// Runs one `accounts` subcommand.
pub async fn run(global: &Global, command: AccountsCommand) -> anyhow::Result<ExitCode> {
    match command {
        AccountsCommand::Create { email, name, role } => {
            let role = AccountRole::parse(&role)
                .with_context(|| format!("--role {role:?}: use consultant or operator"))?;
            let (secret, made_up) = match std::env::var("CABILDO_ACCOUNT_PASSWORD") {
                Ok(given) => (given, false),
                Err(_) => (
                    cabildo_engine::accounts::tokens::new_token()[..20].to_owned(),
                    true,
                ),
            };
            if let Err(weakness) = password::check(&secret, &[]) {
                bail!(
                    "CABILDO_ACCOUNT_PASSWORD is not acceptable: {}",
                    weakness.code()
                );
            }
            let name =
                name.unwrap_or_else(|| email.split('@').next().unwrap_or("Cabildo").to_owned());
            let tenancy =
                super::connect(global, Some(Duration::from_secs(global.connect_timeout))).await?;
            let hash = password::hash(&secret).await;
            match platform::create_account(&tenancy, &email, &name, role, &hash).await {
                Ok(true) => {}
                Ok(false) => bail!("an account with {email} already exists"),
                Err(EngineError::Invalid(_)) => bail!("{email:?} or the name is not acceptable"),
                Err(other) => return Err(other.into()),
            }
            println!("Created the {} account {email}.", role.as_str());
            if made_up {
                println!("Its password (shown once): {secret}");
            }
            Ok(ExitCode::SUCCESS)
        }
        AccountsCommand::Grant {
            email,
            tenant,
            role,
        } => {
            let role = Role::parse(&role)
                .with_context(|| format!("--role {role:?}: use admin, moderator or evaluator"))?;
            let slug = Slug::parse(&tenant)
                .map_err(|reason| anyhow::anyhow!("invalid slug {tenant:?}: {reason}"))?;
            let tenancy =
                super::connect(global, Some(Duration::from_secs(global.connect_timeout))).await?;
            let council = tenancy.get_tenant(&slug).await?;
            if !platform::grant(&tenancy, &email, council.id, role).await? {
                bail!(
                    "no platform account {email}: create it first with `cabildo accounts create`"
                );
            }
            println!(
                "{email} may now enter {} as {}.",
                council.slug,
                role.as_str()
            );
            Ok(ExitCode::SUCCESS)
        }
        AccountsCommand::Revoke { email, tenant } => {
            let slug = Slug::parse(&tenant)
                .map_err(|reason| anyhow::anyhow!("invalid slug {tenant:?}: {reason}"))?;
            let tenancy =
                super::connect(global, Some(Duration::from_secs(global.connect_timeout))).await?;
            let council = tenancy.get_tenant(&slug).await?;
            let cli = cabildo_engine::staff::Actor("cli".into());
            match platform::revoke(&tenancy, &council, &email, &cli).await? {
                Some(user) => {
                    if let Some(cache) = tenancy.cache() {
                        let namespace = tenancy.namespace();
                        cabildo_web::announce_sessions_ended(cache, namespace, council.id, user)
                            .await;
                    }
                    println!(
                        "{email} no longer enters {}: its staff roles and sessions there ended.",
                        council.slug
                    );
                }
                None => println!(
                    "{email} had never entered {}; no grant remains.",
                    council.slug
                ),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
