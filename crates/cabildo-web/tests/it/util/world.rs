//! The demo councils, the app, a local SMTP server and a worker mailing
//! to it; people made through the real registration flow.

use super::app::{BASE, app, demo_tenancy};
use super::browser::Browser;
use axum::Router;
use axum::http::StatusCode;
use cabildo_devkit::smtp::SmtpCatcher;
use cabildo_notify::{EmailHandler, Handlers, MailConfig, Mailer, SiteUrl, Worker, WorkerConfig};
use cabildo_tenancy::Tenancy;
use cabildo_web::WebConfig;
use std::time::{Duration, Instant};

pub const TOLEDO: &str = "toledo.cabildo.test";
pub const TALAVERA: &str = "talavera.cabildo.test";
pub const PASSWORD: &str = "caballo grapa pila";
pub const SECRET: &[u8] = b"a test secret that is long enough";

/// The demo councils, the app, a local SMTP server and a worker mailing to it.
pub struct World {
    pub tenancy: Tenancy,
    pub app: Router,
    catcher: SmtpCatcher,
    _worker: tokio::task::JoinHandle<()>,
}

pub async fn world() -> World {
    world_with_reads_kept(cabildo_web::read_cache::TTL).await
}

/// A world whose councils' own domains are checked with `checker`.
pub async fn world_with_domains(checker: cabildo_tenancy::domains::DomainChecker) -> World {
    world_with(WebConfig {
        domains: Some(checker),
        ..WebConfig::default()
    })
    .await
}

/// A world whose public reads are never kept: for tests that move time in
/// the database (a budget's calendar) and read the pages right after.
pub async fn world_reading_fresh() -> World {
    world_with_reads_kept(Duration::ZERO).await
}

async fn world_with_reads_kept(read_cache_ttl: Duration) -> World {
    world_with(WebConfig {
        read_cache_ttl,
        ..WebConfig::default()
    })
    .await
}

/// A world serving with `config` (its secret key set).
pub async fn world_with(config: WebConfig) -> World {
    world_on(demo_tenancy().await, config).await
}

/// A world serving `tenancy` (the demo councils applied) with `config`.
pub async fn world_on(tenancy: Tenancy, config: WebConfig) -> World {
    let catcher = SmtpCatcher::start().await.expect("smtp");
    let mailer = Mailer::new(&MailConfig {
        smtp_url: catcher.url(),
        from: "no-reply@cabildo.test".into(),
        timeout: Duration::from_secs(5),
        connections: 4,
    })
    .expect("mailer");
    let site = SiteUrl {
        scheme: "https".into(),
        base_domain: BASE.into(),
        port: None,
    };
    let handlers = Handlers::default()
        .with(
            cabildo_notify::email::KIND,
            EmailHandler::new(tenancy.clone(), mailer, site),
        )
        .with(
            cabildo_engine::meetings::REMINDERS_KIND,
            cabildo_web::MeetingReminders::new(tenancy.clone()),
        )
        .with(
            cabildo_engine::budgets::tally::COUNT_KIND,
            cabildo_web::BudgetCounts::new(tenancy.clone()),
        );
    let worker = Worker::new(
        tenancy.clone(),
        handlers,
        WorkerConfig {
            poll_interval: Duration::from_millis(200),
            ..WorkerConfig::default()
        },
    );
    let worker = tokio::spawn(worker.run(std::future::pending()));
    let app = app(
        &tenancy,
        WebConfig {
            secret_key: Some(SECRET.to_vec()),
            ..config
        },
    );
    World {
        tenancy,
        app,
        catcher,
        _worker: worker,
    }
}

impl World {
    /// Mails to `to` so far, decoded.
    pub fn mails_to(&self, to: &str) -> Vec<cabildo_devkit::mime::ParsedMail> {
        self.catcher
            .mails()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t == to))
            .map(|m| cabildo_devkit::mime::parse(&m.data))
            .collect()
    }

    /// Waits for the `n`th mail to `to` and returns the path of its link
    /// starting with `prefix`.
    pub async fn link_in_mail(&self, to: &str, n: usize, prefix: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let mails = self.mails_to(to);
            if let Some(mail) = mails.get(n - 1) {
                let start = mail
                    .text
                    .find(prefix)
                    .unwrap_or_else(|| panic!("{prefix} in {}", mail.text));
                let rest = &mail.text[start..];
                let end = rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len());
                return rest[..end].to_owned();
            }
            assert!(Instant::now() < deadline, "no mail {n} to {to}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The council `slug`.
    pub async fn council(&self, slug: &str) -> cabildo_tenancy::Tenant {
        self.tenancy
            .get_tenant(&cabildo_tenancy::Slug::parse(slug).expect("slug"))
            .await
            .expect("council")
    }

    /// Gives the account with `email` on `slug` a staff `role`.
    pub async fn grant(&self, slug: &str, email: &str, role: cabildo_engine::staff::Role) {
        let council = self.council(slug).await;
        let mut tx = self.tenancy.begin(&council).await.expect("begin");
        let user: uuid::Uuid = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(email)
            .fetch_one(tx.conn())
            .await
            .expect("user");
        cabildo_engine::staff::grant(
            &mut tx,
            &cabildo_engine::staff::Actor("cli".into()),
            user.into(),
            role,
        )
        .await
        .expect("grant");
        tx.commit().await.expect("commit");
    }

    pub async fn users(&self, slug: &str) -> i64 {
        let tenant = self
            .tenancy
            .get_tenant(&cabildo_tenancy::Slug::parse(slug).expect("slug"))
            .await
            .expect("council");
        let mut tx = self.tenancy.begin(&tenant).await.expect("begin");
        let count = sqlx::query_scalar("SELECT count(*) FROM users")
            .fetch_one(tx.conn())
            .await
            .expect("count");
        tx.commit().await.expect("commit");
        count
    }
}

/// Registers, confirms and logs in `email` through the API; returns the
/// session's CSRF token.
pub async fn logged_in(
    world: &World,
    browser: &mut Browser,
    host: &str,
    nickname: &str,
    email: &str,
    mail_number: usize,
) -> String {
    let registered = browser
        .json(host, "POST", "/api/v1/account/registrations", serde_json::json!({"name": nickname, "nickname": nickname, "email": email, "password": PASSWORD, "accept_terms": true}), None)
        .await;
    assert_eq!(
        registered.status,
        StatusCode::ACCEPTED,
        "{}",
        registered.body
    );
    let link = world
        .link_in_mail(
            email,
            mail_number,
            &format!("https://{host}/account/confirm?token="),
        )
        .await;
    let token = link.split("token=").nth(1).expect("token");
    browser
        .json(
            host,
            "POST",
            "/api/v1/account/confirmations",
            serde_json::json!({"token": token}),
            None,
        )
        .await;
    let login = browser
        .json(
            host,
            "POST",
            "/api/v1/sessions",
            serde_json::json!({"email": email, "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    serde_json::from_str::<serde_json::Value>(&login.body).expect("json")["csrf_token"]
        .as_str()
        .expect("csrf")
        .to_owned()
}
