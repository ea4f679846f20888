//! Newsletters end to end over real SMTP: audience and consent, batches,
//! unsubscribe headers, and resuming after a worker is killed mid-run.

use crate::support::wait_for;
use cabildo_devkit::smtp::{SmtpCatcher, SmtpMode};
use cabildo_notify::newsletters::{self, Audience, BATCH_KIND, Draft, NewsletterHandler};
use cabildo_notify::unsubscribe::{List, Signer};
use cabildo_notify::{Handlers, Worker, WorkerConfig};
use cabildo_tenancy::entitlements::{Limit, Need};
use cabildo_tenancy::testing::{council, fresh_tenancy};
use cabildo_tenancy::{Tenancy, Tenant};
use std::collections::HashMap;
use std::time::Duration;
use uuid::Uuid;

const SECRET: &[u8] = b"a test secret that is long enough";

async fn people(tenancy: &Tenancy, tenant: &Tenant, count: usize, district: &str, consent: bool) {
    let mut tx = tenancy.begin(tenant).await.expect("begin");
    sqlx::query(
        "INSERT INTO users (email, name, newsletter_consent, district_code)
         SELECT $2 || CASE WHEN $3 THEN '-' ELSE '-no-' END || i || '@example.org', 'Person ' || i, $3, $2 FROM generate_series(1, $1) i",
    )
    .bind(count as i32)
    .bind(district)
    .bind(consent)
    .execute(tx.conn())
    .await
    .expect("people");
    tx.commit().await.expect("commit");
}

fn draft(audience: Audience) -> Draft {
    Draft {
        subject: "Presupuestos participativos 2027".into(),
        markdown: "Ya puedes **votar** en [la web](/budgets).\n\n<script>alert(1)</script>".into(),
        audience,
    }
}

fn worker(
    tenancy: &Tenancy,
    smtp: &SmtpCatcher,
    signer: Option<Signer>,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let mailer = crate::support::mailer(&smtp.url(), "boletin@cabildo.test");
    let site = crate::support::site();
    let handlers = Handlers::default().with(
        BATCH_KIND,
        NewsletterHandler::new(tenancy.clone(), mailer, signer, site),
    );
    let config = WorkerConfig {
        poll_interval: Duration::from_millis(100),
        lease: Duration::from_secs(2),
        ..WorkerConfig::default()
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(Worker::new(tenancy.clone(), handlers, config).run(async {
        let _ = stopped.await;
    }));
    (stop, handle)
}

async fn progress(tenancy: &Tenancy, tenant: &Tenant, id: Uuid) -> newsletters::Progress {
    let mut tx = tenancy.begin(tenant).await.expect("begin");
    let progress = newsletters::progress(&mut tx, id).await.expect("progress");
    tx.commit().await.expect("commit");
    progress
}

async fn send(tenancy: &Tenancy, tenant: &Tenant, draft: &Draft) -> (Uuid, i64) {
    let mut tx = tenancy.begin(tenant).await.expect("begin");
    let sent = (newsletters::send(&mut tx, draft).await.expect("send")).expect("within the plan");
    tx.commit().await.expect("commit");
    sent
}

fn header<'a>(data: &'a str, name: &str) -> Option<&'a str> {
    data.lines().find_map(|l| {
        l.strip_prefix(name)
            .and_then(|rest| rest.strip_prefix(": "))
    })
}

#[tokio::test]
async fn a_newsletter_reaches_everyone_who_consented_once_in_batches_with_one_click_unsubscribe() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let toledo = council(&tenancy, "toledo").await.expect("toledo");
    people(&tenancy, &toledo, 70, "centro", true).await;
    people(&tenancy, &toledo, 50, "norte", true).await;
    people(&tenancy, &toledo, 30, "centro", false).await;
    let smtp = SmtpCatcher::start().await.expect("smtp");
    let signer = Signer::new(SECRET).expect("signer");
    let (stop, handle) = worker(&tenancy, &smtp, Some(signer.clone()));

    let (id, recipients) = send(&tenancy, &toledo, &draft(Audience::All)).await;
    assert_eq!(recipients, 120, "only people who gave consent");
    let batches: i64 = sqlx::query_scalar("SELECT count(*) FROM platform.jobs WHERE kind = $1")
        .bind(BATCH_KIND)
        .fetch_one(tenancy.pool())
        .await
        .expect("jobs");
    assert_eq!(batches, 3);
    wait_for("all sent", async || {
        progress(&tenancy, &toledo, id).await.pending == 0
    })
    .await;
    assert_eq!(
        progress(&tenancy, &toledo, id).await,
        newsletters::Progress {
            total: 120,
            sent: 120,
            failed: 0,
            pending: 0
        }
    );
    // The batch that records the last recipient then marks the newsletter
    // sent, in its own transaction just after.
    wait_for("the newsletter marked sent", async || {
        let mut tx = tenancy.begin(&toledo).await.expect("begin");
        let status: String = sqlx::query_scalar("SELECT status FROM newsletters WHERE id = $1")
            .bind(id)
            .fetch_one(tx.conn())
            .await
            .expect("status");
        tx.commit().await.expect("commit");
        status == "sent"
    })
    .await;

    let mails = smtp.mails();
    assert_eq!(mails.len(), 120);
    let mut per_person: HashMap<String, usize> = HashMap::new();
    for mail in &mails {
        *per_person.entry(mail.to[0].clone()).or_default() += 1;
    }
    assert!(per_person.values().all(|n| *n == 1), "nobody twice");
    assert!(
        per_person
            .keys()
            .all(|to| to.starts_with("centro-") || to.starts_with("norte-"))
    );

    let data = &mails[0].data;
    let parsed = mails[0].parsed();
    assert_eq!(parsed.subject, "Presupuestos participativos 2027");
    assert!(
        parsed.html.contains("<strong>votar</strong>") && !parsed.html.contains("<script>"),
        "{}",
        parsed.html
    );
    // Links lead to the site from the mail; the text part reads as text.
    assert!(
        parsed
            .html
            .contains("href=\"https://toledo.cabildo.test/budgets\""),
        "{}",
        parsed.html
    );
    assert!(
        parsed
            .text
            .contains("Ya puedes votar en la web (https://toledo.cabildo.test/budgets)."),
        "{}",
        parsed.text
    );
    assert!(!parsed.text.contains("**") && !parsed.text.contains("]("));
    assert_eq!(
        header(data, "List-Unsubscribe-Post"),
        Some("List-Unsubscribe=One-Click")
    );
    let link = header(data, "List-Unsubscribe")
        .expect("List-Unsubscribe")
        .trim_matches(['<', '>']);
    assert!(
        link.starts_with("https://toledo.cabildo.test/unsubscribe?u="),
        "{link}"
    );
    let query: HashMap<&str, &str> = link
        .split_once('?')
        .expect("query")
        .1
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .collect();
    let user: Uuid = query["u"].parse().expect("user id");
    assert_eq!(query["l"], "newsletter");
    assert!(signer.verify(toledo.id, user, List::Newsletter, query["t"]));

    // By district, and a test copy.
    let (_, centro) = send(
        &tenancy,
        &toledo,
        &draft(Audience::District("centro".into())),
    )
    .await;
    assert_eq!(centro, 70);
    let mut tx = tenancy.begin(&toledo).await.expect("begin");
    newsletters::send_test(&mut tx, &draft(Audience::All), "Editor@Example.org")
        .await
        .expect("test");
    tx.commit().await.expect("commit");
    wait_for("the district issue and the test copy", async || {
        smtp.mails().len() == 120 + 70 + 1
    })
    .await;
    let test_copy = smtp
        .mails()
        .into_iter()
        .find(|m| m.to == vec!["editor@example.org".to_owned()])
        .expect("test copy");
    assert!(
        header(&test_copy.data, "List-Unsubscribe").is_none(),
        "a test copy has nobody to unsubscribe"
    );
    let _ = stop.send(());
    handle.await.expect("worker");
}

#[tokio::test]
async fn a_worker_killed_mid_run_is_resumed_without_skipping_anyone() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let toledo = council(&tenancy, "toledo").await.expect("toledo");
    people(&tenancy, &toledo, 150, "centro", true).await;
    let smtp = SmtpCatcher::start().await.expect("smtp");
    smtp.set_mode(SmtpMode::Slow(Duration::from_millis(5)));
    let signer = Signer::new(SECRET).expect("signer");
    let (id, _) = send(&tenancy, &toledo, &draft(Audience::All)).await;

    let (_stop, crashed) = worker(&tenancy, &smtp, Some(signer.clone()));
    wait_for("some mail", async || smtp.mails().len() >= 40).await;
    crashed.abort(); // killed: nothing released, leases left to expire
    let _ = crashed.await;
    let before = progress(&tenancy, &toledo, id).await;
    assert!(before.pending > 0, "killed before the end: {before:?}");

    smtp.set_mode(SmtpMode::Accept);
    let (stop, handle) = worker(&tenancy, &smtp, Some(signer));
    wait_for("the rest", async || {
        progress(&tenancy, &toledo, id).await.pending == 0
    })
    .await;
    let _ = stop.send(());
    handle.await.expect("worker");

    assert_eq!(progress(&tenancy, &toledo, id).await.sent, 150);
    let mut per_person: HashMap<String, usize> = HashMap::new();
    for mail in smtp.mails() {
        *per_person.entry(mail.to[0].clone()).or_default() += 1;
    }
    assert_eq!(per_person.len(), 150, "nobody skipped");
    // Only a copy accepted by SMTP in the instant before the kill, and not
    // yet recorded, can go twice (same Message-ID); see newsletters.rs.
    let twice = per_person.values().filter(|n| **n > 1).count();
    assert!(
        twice <= 4,
        "{twice} people mailed twice (one per killed batch at most)"
    );
}

#[tokio::test]
async fn without_a_secret_key_newsletters_are_refused_but_test_copies_go() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let toledo = council(&tenancy, "toledo").await.expect("toledo");
    people(&tenancy, &toledo, 3, "centro", true).await;
    let smtp = SmtpCatcher::start().await.expect("smtp");
    let (stop, handle) = worker(&tenancy, &smtp, None);
    send(&tenancy, &toledo, &draft(Audience::All)).await;
    let mut tx = tenancy.begin(&toledo).await.expect("begin");
    newsletters::send_test(&mut tx, &draft(Audience::All), "editor@example.org")
        .await
        .expect("test");
    tx.commit().await.expect("commit");
    wait_for("both settled", async || {
        let errors: Vec<Option<String>> = sqlx::query_scalar(
            "SELECT last_error FROM platform.jobs WHERE status IN ('failed', 'done')",
        )
        .fetch_all(tenancy.pool())
        .await
        .expect("jobs");
        errors.len() == 2
    })
    .await;
    let failed: String =
        sqlx::query_scalar("SELECT last_error FROM platform.jobs WHERE status = 'failed'")
            .fetch_one(tenancy.pool())
            .await
            .expect("failed job");
    assert!(failed.contains("CABILDO_SECRET_KEY"), "{failed}");
    assert_eq!(smtp.mails().len(), 1, "only the test copy");

    let mut tx = tenancy.begin(&toledo).await.expect("begin");
    let empty = Draft {
        subject: " ".into(),
        ..draft(Audience::All)
    };
    assert!(
        newsletters::send(&mut tx, &empty).await.is_err(),
        "a subject is required"
    );
    tx.rollback().await.expect("rollback");
    let _ = stop.send(());
    handle.await.expect("worker");
}

#[tokio::test]
async fn a_plan_limits_newsletters_per_calendar_month() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let toledo = council(&tenancy, "toledo").await.expect("council");
    sqlx::query("UPDATE platform.tenants SET entitlements = $2 WHERE id = $1")
        .bind(toledo.id.0)
        .bind(serde_json::json!({"features": [], "limits": {"newsletters_per_month": 2}}))
        .execute(tenancy.pool())
        .await
        .expect("plan");
    let toledo = tenancy.get_tenant(&toledo.slug).await.expect("on its plan");
    // One sent last month (in the council's time zone) does not count.
    let mut tx = tenancy.begin(&toledo).await.expect("begin");
    sqlx::query(
        "INSERT INTO newsletters (subject, body_markdown, audience, created_at)
         VALUES ('Antiguo', 'x', 'all', date_trunc('month', now() AT TIME ZONE 'Europe/Madrid') AT TIME ZONE 'Europe/Madrid' - interval '1 minute')",
    )
    .execute(tx.conn())
    .await
    .expect("last month's");
    tx.commit().await.expect("commit");
    send(&tenancy, &toledo, &draft(Audience::All)).await;
    send(&tenancy, &toledo, &draft(Audience::All)).await;
    let mut tx = tenancy.begin(&toledo).await.expect("begin");
    let third = newsletters::send(&mut tx, &draft(Audience::All))
        .await
        .expect("send");
    assert_eq!(
        third,
        Err(Need::Limit(Limit::NewslettersPerMonth, 3)),
        "the month's third is refused"
    );
    tx.rollback().await.expect("rollback");
}
