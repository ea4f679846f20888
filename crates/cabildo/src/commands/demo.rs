//! `cabildo demo`: local services, migrations, demo councils, server.

use crate::config::{DemoArgs, Global};
use anyhow::Context;
use cabildo_devkit::LocalServices;
use cabildo_devkit::smtp::SmtpCatcher;
use cabildo_tenancy::TenantMigrations;
use cabildo_web::WebConfig;
use cabildo_web::{DemoMail, DemoMailbox};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// The demo catcher's mail, decoded for the web page.
struct CatcherMailbox(SmtpCatcher);

impl DemoMailbox for CatcherMailbox {
    fn messages(&self) -> Vec<DemoMail> {
        self.0
            .mails()
            .into_iter()
            .map(|mail| {
                let parsed = mail.parsed();
                let received_at = time::OffsetDateTime::from(mail.received_at)
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default();
                DemoMail {
                    to: mail.to,
                    subject: parsed.subject,
                    text: parsed.text,
                    html: parsed.html,
                    received_at,
                }
            })
            .collect()
    }
}

/// Runs the whole product locally until Ctrl-C, then stops everything.
pub async fn run(global: &Global, args: DemoArgs) -> anyhow::Result<ExitCode> {
    // Refuse a broken definition before starting anything.
    let specs = super::tenants::read_specs(&args.tenants)?;
    let plans = cabildo_billing::plans::read_plans(&args.plans)?;
    println!(
        "Starting PostgreSQL and Redis in {} …",
        args.data_dir.display()
    );
    let services = LocalServices::start(&args.data_dir, cabildo_devkit::DEMO_DATABASE)
        .await
        .context("starting the local PostgreSQL and Redis")?;
    let result = run_with(global, &args, &services, &specs, &plans).await;
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
    plans: &[cabildo_billing::plans::Plan],
) -> anyhow::Result<()> {
    let database_url = services.postgres.url(cabildo_devkit::DEMO_DATABASE);
    let tenancy = super::connect_to(
        &database_url,
        Some(&services.redis.url()),
        global.pool_config(),
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
    cabildo_billing::plans::apply(&tenancy, plans).await?;
    let slugs = super::tenants::apply_all(&tenancy, specs).await?;
    let secret = demo_secret(&args.data_dir)?;
    // Each demo council's synthetic census (tenants/<slug>.census.csv),
    // loaded afresh on every start.
    for slug in &slugs {
        let path = args.tenants.join(format!("{slug}.census.csv"));
        if !path.exists() {
            continue;
        }
        let council = tenancy.get_tenant(slug).await?;
        let report =
            super::census::import_file(&tenancy, &council, secret.as_bytes(), &path, None, "demo")
                .await?;
        println!(
            "Census of {slug}: {} residents from {}",
            report.imported,
            path.display()
        );
    }
    for slug in &slugs {
        demo_admin(&tenancy, slug).await?;
        let council = tenancy.get_tenant(slug).await?;
        let zone = tenancy.site_settings(&council).await?.zone();
        let mut tx = tenancy.begin(&council).await?;
        let created = cabildo_engine::seed::demo(&mut tx, &council.name, &zone).await?;
        tx.commit().await?;
        if created {
            println!(
                "Demo process of {slug}: /processes/{}",
                cabildo_engine::seed::DEMO_PROCESS
            );
        }
    }

    // Mail goes to a local catcher, shown at /_demo/mail.
    let catcher = SmtpCatcher::start()
        .await
        .context("starting the demo mail catcher")?;
    let site_url = cabildo_notify::SiteUrl {
        scheme: "http".into(),
        base_domain: global.base_domain.clone(),
        port: Some(args.listen.port()),
    };
    let signer = super::signer(Some(&secret))?;
    // Provisioning above used the owner role, as does the provisioner of
    // councils that sign up; serving and working use the least-privilege
    // serving role, as in production.
    let owner = tenancy;
    let tenancy = super::connect_to(
        &services
            .postgres
            .url_as(cabildo_devkit::DEMO_DATABASE, &owner.serving_role()),
        Some(&services.redis.url()),
        global.pool_config(),
        Some(Duration::from_secs(30)),
    )
    .await?;
    let worker = super::worker::worker(
        &tenancy,
        &catcher.url(),
        site_url,
        signer.clone(),
        global,
        cabildo_notify::WorkerConfig {
            concurrency: 4,
            ..cabildo_notify::WorkerConfig::default()
        },
    )?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let on_stop = |mut stopped: tokio::sync::watch::Receiver<bool>| async move {
        let _ = stopped.wait_for(|stop| *stop).await;
    };
    let worker = tokio::spawn(worker.run(on_stop(stopped.clone())));
    let scheduler = tokio::spawn(super::worker::schedule_periodic(
        tenancy.clone(),
        cabildo_billing::stripe::DEFAULT_GRACE_DAYS,
    ));
    let provisioner = tokio::spawn(cabildo_engine::signups::run_provisioner(
        owner.clone(),
        TenantMigrations::embedded(),
        on_stop(stopped.clone()),
    ));
    tokio::spawn(async move {
        super::shutdown_signal().await;
        let _ = stop.send(true);
    });

    let port = args.listen.port();
    let base = &global.base_domain;
    println!();
    println!("Cabildo is running. Open:");
    println!("  platform site   http://{base}:{port}/");
    for slug in &slugs {
        println!("  {slug:<15} http://{slug}.{base}:{port}/");
    }
    if let Some(slug) = slugs.first() {
        println!(
            "  register        http://{slug}.{base}:{port}/account/register (the confirmation mail arrives in the demo mailbox)"
        );
    }
    println!("  demo mailbox    http://{base}:{port}/_demo/mail");
    println!("  health          http://{base}:{port}/readyz");
    println!("Database: {database_url}   Redis: {}", services.redis.url());
    println!(
        "Send yourself a test: DATABASE_URL={database_url} cabildo mail test --tenant toledo --to you@example.org"
    );
    println!("Press Ctrl-C to stop.");
    // Card payments against a fake Stripe on loopback (test mode, no
    // internet): its hosted Checkout page takes no card, its webhooks come
    // back here signed as Stripe signs them.
    let fake_stripe = fake_stripe(plans, port).await?;
    println!(
        "  card payments   a fake Stripe at {} (test mode)",
        fake_stripe.api_base()
    );
    let stripe = cabildo_billing::stripe::Stripe::new(&cabildo_billing::stripe::StripeSettings {
        secret_key: FAKE_STRIPE_KEY.into(),
        webhook_secret: FAKE_STRIPE_WEBHOOK_SECRET.into(),
        api_base: Some(fake_stripe.api_base()),
        grace_days: cabildo_billing::stripe::DEFAULT_GRACE_DAYS,
    })?;
    let config = WebConfig {
        demo_mailbox: Some(Arc::new(CatcherMailbox(catcher))),
        stripe: Some(stripe),
        unsubscribe: signer,
        secret_key: Some(secret.into_bytes()),
        media: Arc::new(cabildo_web::ObjectStorage::local(
            args.data_dir.join("media"),
        )?),
        domains: super::serve::domain_checker(None, base),
        maps: args.maps.tiles()?,
        geocoder: args.maps.geocoder()?,
        ..WebConfig::default()
    };
    let listen = super::serve::Listen {
        sites: args.listen,
        operators: None,
    };
    let served = super::serve::serve(&tenancy, base, listen, config, on_stop(stopped)).await;
    drop(fake_stripe);
    let _ = worker.await;
    let _ = provisioner.await;
    scheduler.abort();
    owner.close().await;
    served?;
    tenancy.close().await;
    Ok(())
}

/// The fake Stripe's API key and webhook secret (test mode, loopback only).
const FAKE_STRIPE_KEY: &str = "sk_test_cabildo_demo";
const FAKE_STRIPE_WEBHOOK_SECRET: &str = "whsec_cabildo_demo";

/// A fake Stripe selling `plans` at their Stripe prices, sending webhooks
/// to the demo on `port`.
async fn fake_stripe(
    plans: &[cabildo_billing::plans::Plan],
    port: u16,
) -> anyhow::Result<cabildo_devkit::stripe::FakeStripe> {
    let fake =
        cabildo_devkit::stripe::FakeStripe::start(FAKE_STRIPE_KEY, FAKE_STRIPE_WEBHOOK_SECRET)
            .await
            .context("starting the fake Stripe")?;
    for plan in plans {
        for (id, cents, every) in plan.stripe_prices() {
            fake.add_price(id, cents, every);
        }
    }
    fake.set_webhook_url(&format!("http://127.0.0.1:{port}/webhooks/stripe"));
    Ok(fake)
}

/// The demo's administrator of each council (documented in the README).
const DEMO_ADMIN_PASSWORD: &str = "cabildo demo 2026";

/// The demo administrator's name, in Spanish with the council name's
/// article as its settings give it: "Administración del Ayuntamiento de
/// Toledo", "de la Diputación …".
fn admin_name(article: &str, council: &str) -> String {
    let of = match article {
        "el" => "del".to_owned(),
        "" => "de".to_owned(),
        other => format!("de {other}"),
    };
    format!("Administración {of} {council}")
}

/// Creates `admin@<slug>.example`, confirmed, with the admin role, unless
/// it exists.
async fn demo_admin(
    tenancy: &cabildo_tenancy::Tenancy,
    slug: &cabildo_tenancy::Slug,
) -> anyhow::Result<()> {
    use cabildo_engine::accounts::{self, Registration, password};
    use cabildo_engine::staff;
    let council = tenancy.get_tenant(slug).await?;
    let settings = tenancy.site_settings(&council).await?;
    let form = Registration {
        name: admin_name(&settings.name_article, &council.name),
        nickname: format!("admin-{slug}"),
        email: format!("admin@{slug}.example"),
        password: DEMO_ADMIN_PASSWORD.into(),
        language: settings.default_language.clone(),
        accept_terms: true,
        newsletter: false,
    }
    .validate(&settings.languages)
    .map_err(|e| anyhow::anyhow!("the demo admin is not valid: {e:?}"))?;
    let hash = password::hash(DEMO_ADMIN_PASSWORD).await;
    let mut tx = tenancy.begin(&council).await?;
    if let Some(user) = accounts::create_confirmed(&mut tx, &form, &hash).await? {
        staff::grant(
            &mut tx,
            &staff::Actor("demo".into()),
            user,
            staff::Role::Admin,
        )
        .await?;
        println!("Demo admin of {slug}: admin@{slug}.example / {DEMO_ADMIN_PASSWORD}");
    }
    tx.commit().await?;
    Ok(())
}

/// The demo's secret key: made once and kept in the data folder, so links
/// in caught mail keep working across runs.
fn demo_secret(data_dir: &std::path::Path) -> anyhow::Result<String> {
    let path = data_dir.join("secret-key");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        return Ok(existing.trim().to_owned());
    }
    let secret = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    std::fs::write(&path, &secret).context("writing the demo secret key")?;
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::admin_name;

    #[test]
    fn the_demo_admin_is_named_with_the_councils_article() {
        assert_eq!(
            admin_name("el", "Ayuntamiento de Toledo"),
            "Administración del Ayuntamiento de Toledo"
        );
        assert_eq!(
            admin_name("la", "Diputación de Toledo"),
            "Administración de la Diputación de Toledo"
        );
        assert_eq!(admin_name("", "Toledo"), "Administración de Toledo");
    }
}
