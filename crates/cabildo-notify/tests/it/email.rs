//! Email jobs delivered over real SMTP conversations on loopback.

use crate::support::wait_for;
use cabildo_devkit::smtp::{SmtpCatcher, SmtpMode};
use cabildo_notify::{EmailHandler, EmailRequest, Handlers, Queue, Worker, WorkerConfig};
use cabildo_tenancy::Tenancy;
use cabildo_tenancy::testing::{council, fresh_tenancy};
use serde_json::json;
use std::time::Duration;
use uuid::Uuid;

fn request(to: &str) -> EmailRequest {
    EmailRequest {
        to: to.into(),
        name: Some("Ana García".into()),
        language: Some("en".into()),
        template: "message".into(),
        vars: json!({"subject": "Your proposal", "body": "It has 10 supports.\n\n<b>Thanks</b>", "action_url": "https://toledo.example/p/1", "action_label": "See it"}),
        unsubscribe_user: None,
    }
}

fn start_worker(
    tenancy: &Tenancy,
    smtp_url: &str,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let mailer = crate::support::mailer(smtp_url, "no-reply@cabildo.test");
    let handlers = Handlers::default().with(
        cabildo_notify::email::KIND,
        EmailHandler::new(tenancy.clone(), mailer, crate::support::site()),
    );
    let config = WorkerConfig {
        poll_interval: Duration::from_millis(100),
        ..WorkerConfig::default()
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(Worker::new(tenancy.clone(), handlers, config).run(async {
        let _ = stopped.await;
    }));
    (stop, handle)
}

async fn job(tenancy: &Tenancy) -> (Uuid, String, i32, Option<String>) {
    sqlx::query_as("SELECT id, status, attempts, last_error FROM platform.jobs")
        .fetch_one(tenancy.pool())
        .await
        .expect("job")
}

/// Pretends the backoff has passed.
async fn run_retries_now(tenancy: &Tenancy) {
    sqlx::query("UPDATE platform.jobs SET run_at = now() WHERE status = 'queued'")
        .execute(tenancy.pool())
        .await
        .expect("advance");
}

#[tokio::test]
async fn an_email_enqueued_with_a_change_is_delivered_branded_in_both_parts() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let toledo = council(&tenancy, "toledo").await.expect("council");
    let smtp = SmtpCatcher::start().await.expect("smtp");
    let (stop, worker) = start_worker(&tenancy, &smtp.url());

    let mut tx = tenancy.begin(&toledo).await.expect("begin");
    tx.enqueue(&request("ana@example.org").job());
    tx.commit().await.expect("commit");
    wait_for("delivery", async || smtp.mails().len() == 1).await;
    wait_for("done", async || job(&tenancy).await.1 == "done").await;

    let mail = &smtp.mails()[0];
    assert_eq!(mail.from, "no-reply@cabildo.test");
    assert_eq!(mail.to, vec!["ana@example.org"]);
    let data = &mail.data;
    assert!(
        data.contains("From: \"Council toledo\" <no-reply@cabildo.test>")
            || data.contains("From: Council toledo <no-reply@cabildo.test>"),
        "{data}"
    );
    assert!(data.contains("Subject: Your proposal"), "{data}");
    let (id, ..) = job(&tenancy).await;
    assert!(
        data.contains(&format!("Message-ID: <{id}@cabildo.test>")),
        "stable id from the job: {data}"
    );
    assert!(
        data.contains("multipart/alternative")
            && data.contains("text/plain")
            && data.contains("text/html")
    );
    // Plain text shows people's text as written; HTML shows it escaped.
    assert_eq!(data.matches("<b>Thanks</b>").count(), 1, "{data}");
    assert!(data.contains("&#60;b&#62;Thanks&#60;/b&#62;"), "{data}");
    let _ = stop.send(());
    worker.await.expect("worker");
}

#[tokio::test]
async fn a_refusing_or_absent_smtp_server_means_retry_and_exactly_one_delivery() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let toledo = council(&tenancy, "toledo").await.expect("council");
    let smtp = SmtpCatcher::start().await.expect("smtp");
    smtp.set_mode(SmtpMode::TemporaryFailure);
    let (stop, worker) = start_worker(&tenancy, &smtp.url());
    tenancy
        .enqueue_for(toledo.id, &request("ana@example.org").job())
        .await
        .expect("enqueue");

    wait_for("a refusal", async || smtp.refused() >= 1).await;
    wait_for("queued for later", async || {
        let (_, status, attempts, _) = job(&tenancy).await;
        status == "queued" && attempts == 1
    })
    .await;
    assert!(
        job(&tenancy)
            .await
            .3
            .unwrap_or_default()
            .contains("SMTP unavailable")
    );

    smtp.set_mode(SmtpMode::Accept);
    run_retries_now(&tenancy).await;
    wait_for("done", async || job(&tenancy).await.1 == "done").await;
    assert_eq!(smtp.mails().len(), 1, "delivered once");
    let _ = stop.send(());
    worker.await.expect("worker");

    // No server at all on the port: retried, then delivered once it is up.
    let port = cabildo_devkit::free_port().expect("port");
    let (stop, worker) = start_worker(&tenancy, &format!("smtp://127.0.0.1:{port}"));
    sqlx::query("DELETE FROM platform.jobs")
        .execute(tenancy.pool())
        .await
        .expect("clear");
    tenancy
        .enqueue_for(toledo.id, &request("luis@example.org").job())
        .await
        .expect("enqueue");
    wait_for("a failed attempt", async || {
        job(&tenancy).await.2 == 1 && job(&tenancy).await.1 == "queued"
    })
    .await;
    let late = SmtpCatcher::start_on(&format!("127.0.0.1:{port}"))
        .await
        .expect("smtp up");
    run_retries_now(&tenancy).await;
    wait_for("done", async || job(&tenancy).await.1 == "done").await;
    assert_eq!(late.mails().len(), 1);
    assert_eq!(late.mails()[0].to, vec!["luis@example.org"]);
    let _ = stop.send(());
    worker.await.expect("worker");
}

#[tokio::test]
async fn permanent_refusals_and_bad_addresses_fail_with_the_reason() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let toledo = council(&tenancy, "toledo").await.expect("council");
    let smtp = SmtpCatcher::start().await.expect("smtp");
    smtp.set_mode(SmtpMode::PermanentFailure);
    let (stop, worker) = start_worker(&tenancy, &smtp.url());
    tenancy
        .enqueue_for(toledo.id, &request("ana@example.org").job())
        .await
        .expect("enqueue");
    wait_for("failed", async || job(&tenancy).await.1 == "failed").await;
    let (_, _, attempts, error) = job(&tenancy).await;
    assert_eq!(attempts, 1, "not retried");
    assert!(
        error.unwrap_or_default().contains("550"),
        "the SMTP reason is kept"
    );

    sqlx::query("DELETE FROM platform.jobs")
        .execute(tenancy.pool())
        .await
        .expect("clear");
    smtp.set_mode(SmtpMode::Accept);
    tenancy
        .enqueue_for(toledo.id, &request("not an address").job())
        .await
        .expect("enqueue");
    wait_for("failed", async || job(&tenancy).await.1 == "failed").await;
    assert!(
        job(&tenancy)
            .await
            .3
            .unwrap_or_default()
            .contains("invalid recipient address")
    );
    let listed = Queue::new(tenancy.clone())
        .list(true, 10)
        .await
        .expect("list");
    assert_eq!(listed.len(), 1);
    assert!(smtp.mails().is_empty());
    let _ = stop.send(());
    worker.await.expect("worker");
}

/// A number the database answers.
async fn count(tenancy: &Tenancy, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(tenancy.pool())
        .await
        .expect("count")
}

/// Fault drill: the SMTP server is down (nothing listens) for ten minutes
/// of simulated time while ten mails wait. Time is simulated the way the
/// queue sees it: each step moves every waiting job earlier by the time
/// until the next one is due, and lets the worker try what is due. No
/// mail may give up (die) in those ten minutes; once the server is up,
/// each is delivered exactly once.
#[tokio::test]
async fn mail_waits_out_ten_minutes_of_smtp_down_and_none_is_lost_or_doubled() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let toledo = council(&tenancy, "toledo").await.expect("council");
    let port = cabildo_devkit::free_port().expect("port");
    let (stop, worker) = start_worker(&tenancy, &format!("smtp://127.0.0.1:{port}"));
    for n in 0..10 {
        tenancy
            .enqueue_for(toledo.id, &request(&format!("vecina{n}@example.org")).job())
            .await
            .expect("enqueue");
    }
    let mut simulated = 0.0;
    let mut attempts = 0;
    while simulated < 600.0 {
        wait_for("the due jobs tried", async || {
            count(
                &tenancy,
                "SELECT count(*) FROM platform.jobs
                 WHERE status = 'running' OR (status = 'queued' AND run_at <= now())",
            )
            .await
                == 0
        })
        .await;
        let given_up = count(
            &tenancy,
            "SELECT count(*) FROM platform.jobs WHERE status <> 'queued'",
        )
        .await;
        assert_eq!(
            given_up, 0,
            "a mail gave up after {simulated:.0} s of simulated outage"
        );
        let next: f64 = sqlx::query_scalar(
            "SELECT extract(epoch FROM min(run_at) - now())::float8 FROM platform.jobs",
        )
        .fetch_one(tenancy.pool())
        .await
        .expect("next");
        simulated += next.max(0.0);
        sqlx::query(
            "UPDATE platform.jobs SET run_at = run_at - make_interval(secs => $1)
             WHERE status = 'queued'",
        )
        .bind(next.max(0.0))
        .execute(tenancy.pool())
        .await
        .expect("time passes");
        attempts += 1;
    }
    assert!(
        count(&tenancy, "SELECT min(attempts)::int8 FROM platform.jobs").await >= 6,
        "each mail was tried all along"
    );
    let smtp = SmtpCatcher::start_on(&format!("127.0.0.1:{port}"))
        .await
        .expect("smtp up");
    run_retries_now(&tenancy).await;
    wait_for("all delivered", async || {
        count(
            &tenancy,
            "SELECT count(*) FROM platform.jobs WHERE status = 'done'",
        )
        .await
            == 10
    })
    .await;
    let mut to: Vec<String> = smtp.mails().iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    let mut expected: Vec<String> = (0..10).map(|n| format!("vecina{n}@example.org")).collect();
    expected.sort();
    assert_eq!(to, expected, "each mail once");
    let _ = stop.send(());
    worker.await.expect("worker");
    eprintln!("drill: {attempts} steps of simulated time, {simulated:.0} s simulated");
}
