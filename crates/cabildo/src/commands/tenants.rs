//! `cabildo tenants …`.

use crate::config::{CreateArgs, DomainsArgs, Global, SlugArg, TenantsCommand};
use anyhow::{Context, bail};
use cabildo_engine::staff;
use cabildo_tenancy::{
    Applied, CouncilSpec, Slug, Tenancy, TenantMigrations, TenantStatus, TenantSummary, ValidSpec,
};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Runs one `tenants` subcommand.
pub async fn run(global: &Global, command: TenantsCommand) -> anyhow::Result<ExitCode> {
    match &command {
        TenantsCommand::Export(args) => return super::transfer::export(global, args).await,
        TenantsCommand::Import(args) => return super::transfer::import(global, args).await,
        TenantsCommand::Nodes => return super::placement::nodes(global).await,
        TenantsCommand::Move(args) => return super::placement::move_council(global, args).await,
        _ => {}
    }
    // Validate what can be validated before touching the database.
    let (status_change, slug) = match &command {
        TenantsCommand::Suspend(a) => (Some(TenantStatus::Suspended), Some(parse_slug(a)?)),
        TenantsCommand::Resume(a) => (Some(TenantStatus::Active), Some(parse_slug(a)?)),
        TenantsCommand::ReadOnly(a) => (Some(TenantStatus::ReadOnly), Some(parse_slug(a)?)),
        TenantsCommand::Archive(a) => (Some(TenantStatus::Archived), Some(parse_slug(a)?)),
        _ => (None, None),
    };
    let create = match &command {
        TenantsCommand::Create(args) => Some(create_spec(args)?),
        _ => None,
    };
    let specs = match &command {
        TenantsCommand::Apply(args) => Some(read_specs(&args.dir)?),
        _ => None,
    };

    let tenancy = super::connect(global, Some(Duration::from_secs(global.connect_timeout))).await?;
    // Checked before anything is created.
    let admin_email = match &command {
        TenantsCommand::Create(args) => args
            .admin_email
            .as_deref()
            .map(|email| {
                cabildo_engine::accounts::validate::email(email)
                    .map_err(|_| anyhow::anyhow!("--admin-email {email:?} is not an email address"))
            })
            .transpose()?,
        _ => None,
    };
    let result = match (command, status_change, slug) {
        (_, Some(status), Some(slug)) => {
            let tenant = tenancy.set_status(&slug, status).await?;
            println!("{} is now {}.", tenant.slug, tenant.status);
            Ok(())
        }
        (TenantsCommand::List, _, _) => {
            print_table(&tenancy.list_tenants().await?);
            Ok(())
        }
        (TenantsCommand::Create(_), _, _) => match create {
            Some(valid) => {
                let started = Instant::now();
                let tenant = tenancy
                    .create(&valid, &TenantMigrations::embedded())
                    .await?;
                println!(
                    "Created {} ({}) in {} ms: http://{}.{}/",
                    tenant.slug,
                    tenant.name,
                    started.elapsed().as_millis(),
                    tenant.slug,
                    global.base_domain
                );
                if let Some(email) = admin_email {
                    let mut tx = tenancy.begin(&tenant).await?;
                    staff::invite(
                        &mut tx,
                        &staff::Actor("cli".into()),
                        &email,
                        staff::Role::Admin,
                        "",
                    )
                    .await?;
                    tx.commit().await?;
                    println!("Invited {email} as admin: the worker mails the link.");
                }
                Ok(())
            }
            None => bail!("nothing to create"),
        },
        (TenantsCommand::Domains(args), _, _) => domains(&tenancy, &args).await,
        (TenantsCommand::Apply(_), _, _) => match specs {
            Some(specs) => apply_all(&tenancy, &specs).await.map(|_| ()),
            None => bail!("nothing to apply"),
        },
        _ => bail!("unsupported command"),
    };
    tenancy.close().await;
    result.map(|()| ExitCode::SUCCESS)
}

/// `tenants domains SLUG [--remove HOST]`.
async fn domains(tenancy: &Tenancy, args: &DomainsArgs) -> anyhow::Result<()> {
    let slug = parse_slug(&SlugArg {
        slug: args.slug.clone(),
    })?;
    let tenant = tenancy.get_tenant(&slug).await?;
    if let Some(host) = &args.remove {
        if let Err(refusal) = tenancy.remove_domain(&tenant, host).await? {
            bail!("{host}: {refusal}");
        }
        println!("Removed {host} from {slug}.");
    }
    let tenant = tenancy.get_tenant(&slug).await?;
    let listed = tenancy.domains(&tenant).await?;
    if listed.is_empty() {
        println!("{slug} has no own domains: its site is at {slug}.{{base domain}}.");
    }
    for domain in listed {
        let state = match (domain.primary, domain.verified_at) {
            (true, _) => "serving the site".to_owned(),
            (false, Some(_)) => "verified".to_owned(),
            (false, None) => "not verified".to_owned(),
        };
        let checked = domain
            .last_check
            .map(|(at, check)| format!(", last check {}: {}", at.date(), check.as_str()))
            .unwrap_or_default();
        println!("{}  {state}{checked}", domain.host);
    }
    Ok(())
}

fn parse_slug(arg: &SlugArg) -> anyhow::Result<Slug> {
    Slug::parse(&arg.slug)
        .map_err(|reason| anyhow::anyhow!("invalid slug {:?}: {reason}", arg.slug))
}

fn create_spec(args: &CreateArgs) -> anyhow::Result<ValidSpec> {
    let mut spec = CouncilSpec::minimal(&args.slug, &args.name);
    spec.languages = args.languages.clone();
    spec.time_zone = args.time_zone.clone();
    Ok(spec.validate()?)
}

/// Reads and validates every `*.toml` in `dir` (sorted by name); refuses
/// the whole folder if any file is invalid, so nothing is half-applied.
pub fn read_specs(dir: &Path) -> anyhow::Result<Vec<ValidSpec>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    let mut specs: Vec<ValidSpec> = Vec::with_capacity(files.len());
    for file in &files {
        let valid =
            CouncilSpec::from_file(file).with_context(|| format!("in {}", file.display()))?;
        if let Some(other) = specs.iter().find(|s| s.slug == valid.slug) {
            bail!(
                "{}: slug {:?} is also defined by another file ({})",
                file.display(),
                valid.slug.as_str(),
                other.spec.name
            );
        }
        specs.push(valid);
    }
    Ok(specs)
}

/// Applies definitions one by one, with a progress bar; prints a line per
/// council and returns the slugs.
pub async fn apply_all(tenancy: &Tenancy, specs: &[ValidSpec]) -> anyhow::Result<Vec<Slug>> {
    let migrations = TenantMigrations::embedded();
    let bar = ProgressBar::new(specs.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} councils {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let mut slugs = Vec::with_capacity(specs.len());
    for valid in specs {
        bar.set_message(valid.slug.to_string());
        let (tenant, applied) = tenancy
            .apply(valid, &migrations)
            .await
            .with_context(|| format!("applying {}", valid.slug))?;
        let verb = match applied {
            Applied::Created => "created",
            Applied::Resumed => "completed (an earlier creation was interrupted)",
            Applied::Updated => "updated",
        };
        // Not `bar.println`: that prints nothing when output is not a terminal.
        bar.suspend(|| println!("{}: {verb}", tenant.slug));
        bar.inc(1);
        slugs.push(tenant.slug);
    }
    bar.finish_and_clear();
    Ok(slugs)
}

fn print_table(rows: &[TenantSummary]) {
    if rows.is_empty() {
        println!(
            "No councils yet. Create one with `cabildo tenants create --slug SLUG --name NAME`."
        );
        return;
    }
    let header = ["SLUG", "NAME", "STATUS", "SCHEMA VERSION", "CREATED"];
    let lines: Vec<[String; 5]> = rows
        .iter()
        .map(|row| {
            let version = match (&row.schema_version, &row.migrate_error) {
                (Some(v), None) => v.to_string(),
                (Some(v), Some(_)) => format!("{v} (last migration failed)"),
                (None, Some(_)) => "- (migration failed)".to_owned(),
                (None, None) => "-".to_owned(),
            };
            let created = row
                .created_at
                .format(time::macros::format_description!(
                    "[year]-[month]-[day] [hour]:[minute]"
                ))
                .unwrap_or_default();
            [
                row.tenant.slug.to_string(),
                row.tenant.name.clone(),
                row.tenant.status.to_string(),
                version,
                created,
            ]
        })
        .collect();
    crate::table::print(&header, &lines);
}
