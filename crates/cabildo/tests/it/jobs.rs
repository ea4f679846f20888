//! `cabildo worker`, `cabildo jobs` and `cabildo mail test` as an operator
//! uses them, against a real SMTP server on loopback.

use crate::support::{cabildo, run, terminate};
use cabildo_devkit::smtp::{SmtpCatcher, SmtpMode};
use cabildo_tenancy::testing::fresh_database_url;
use std::process::Stdio;
use std::time::{Duration, Instant};

#[tokio::test]
async fn operators_queue_send_inspect_and_retry_jobs() {
    let url = fresh_database_url().await.expect("database");
    let smtp = SmtpCatcher::start().await.expect("smtp");
    let cli = |args: &[&str]| run(cabildo().env("DATABASE_URL", &url).args(args));

    let no_smtp = cli(&["worker"]);
    assert!(
        !no_smtp.ok && no_smtp.stderr.contains("SMTP_URL is not set"),
        "{}",
        no_smtp.stderr
    );
    assert!(cli(&["jobs", "list"]).stdout.contains("No jobs."));
    assert!(
        cli(&[
            "tenants",
            "create",
            "--slug",
            "toledo",
            "--name",
            "Ayuntamiento de Toledo"
        ])
        .ok
    );
    let missing = cli(&[
        "mail",
        "test",
        "--tenant",
        "madrid",
        "--to",
        "a@example.org",
    ]);
    assert!(
        !missing.ok && missing.stderr.contains("no council with slug"),
        "{}",
        missing.stderr
    );
    assert!(
        cli(&[
            "mail",
            "test",
            "--tenant",
            "toledo",
            "--to",
            "ana@example.org"
        ])
        .ok
    );
    assert!(
        cli(&[
            "mail",
            "test",
            "--tenant",
            "toledo",
            "--to",
            "not an address"
        ])
        .ok
    );

    let mut worker = cabildo()
        .env("DATABASE_URL", &url)
        .env("SMTP_URL", smtp.url())
        .env("CABILDO_MAIL_FROM", "participa@toledo.example")
        .arg("worker")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("worker");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !cli(&["jobs", "list", "--dead"])
        .stdout
        .contains("invalid recipient address")
        || smtp.mails().is_empty()
    {
        assert!(
            Instant::now() < deadline,
            "the worker did not process both jobs"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    terminate(&worker);
    assert!(worker.wait().expect("wait").success(), "graceful stop");

    let mails = smtp.mails();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, vec!["ana@example.org"]);
    assert_eq!(mails[0].from, "participa@toledo.example");
    assert_eq!(mails[0].parsed().subject, "Mensaje de prueba de Cabildo");

    let all = cli(&["jobs", "list"]);
    assert!(
        all.stdout
            .lines()
            .next()
            .unwrap_or_default()
            .starts_with("ID"),
        "{}",
        all.stdout
    );
    assert!(
        all.stdout.contains("done") && all.stdout.contains("failed"),
        "{}",
        all.stdout
    );
    let failed_id = cli(&["jobs", "list", "--dead"])
        .stdout
        .lines()
        .nth(1)
        .and_then(|line| line.split_whitespace().next())
        .expect("a failed job")
        .to_owned();
    let retried = cli(&["jobs", "retry", &failed_id]);
    assert!(
        retried.ok && retried.stdout.contains("queued again"),
        "{}",
        retried.stderr
    );
    let again = cli(&["jobs", "retry", &failed_id]);
    assert!(
        !again.ok && again.stderr.contains("no dead, failed or cancelled job"),
        "{}",
        again.stderr
    );
    let bad = cli(&["jobs", "retry", "not-a-uuid"]);
    assert!(!bad.ok && bad.stderr.contains("is not a job id"));
    assert!(
        cli(&["jobs", "retry", "--all-dead"])
            .stdout
            .contains("0 dead job(s) queued again.")
    );
}

/// A child process killed when dropped, so a failed assertion leaves no
/// worker running.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The `Message-ID` header of a mail.
fn message_id(mail: &cabildo_devkit::smtp::CapturedMail) -> String {
    (mail.data.lines())
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("message-id")
                .then(|| value.trim().to_owned())
        })
        .expect("a Message-ID")
}

/// Fault drill: the worker process is killed (SIGKILL, no goodbye) in the
/// middle of a newsletter to 300 people; another worker takes over once
/// the lease of the dead one's jobs runs out. Nobody is skipped, and the
/// only copies sent twice are those in flight at the kill — at most one
/// per batch job that was running — each with its first copy's
/// Message-ID, so mail systems tell them apart as the same message.
#[tokio::test]
async fn a_worker_killed_mid_newsletter_skips_nobody() {
    let url = fresh_database_url().await.expect("database");
    let smtp = SmtpCatcher::start().await.expect("smtp");
    let cli = |args: &[&str]| run(cabildo().env("DATABASE_URL", &url).args(args));
    let created = cli(&["tenants", "create", "--slug", "soria", "--name", "Soria"]);
    assert!(created.ok, "{}", created.stderr);
    let seeded = cli(&[
        "seed",
        "participation",
        "--tenant",
        "soria",
        "--people",
        "300",
        "--proposals",
        "2",
        "--supports",
        "0",
        "--comments",
        "0",
    ]);
    assert!(seeded.ok, "{}", seeded.stderr);
    let pool = sqlx::PgPool::connect(&url).await.expect("pool");
    sqlx::query("UPDATE t_soria.users SET newsletter_consent = true")
        .execute(&pool)
        .await
        .expect("consent");
    let letter = std::env::temp_dir().join(format!("cabildo-letter-{}.md", uuid::Uuid::new_v4()));
    std::fs::write(&letter, "# Presupuestos 2027\n\nYa puedes votar.\n").expect("letter");
    let sent = run(cabildo()
        .env("DATABASE_URL", &url)
        .args(["newsletters", "send", "--tenant", "soria", "--file"])
        .arg(&letter));
    assert!(sent.ok, "{}", sent.stderr);
    let _ = std::fs::remove_file(&letter);

    // Each copy takes 20 ms: six batches of 50 take about a second each.
    smtp.set_mode(SmtpMode::Slow(Duration::from_millis(20)));
    let worker = || {
        Running(
            cabildo()
                .env("DATABASE_URL", &url)
                .env("SMTP_URL", smtp.url())
                .env("CABILDO_WORKER_LEASE_SECONDS", "2")
                .env("CABILDO_SECRET_KEY", "a drill's secret that is long enough")
                .arg("worker")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("worker"),
        )
    };
    let mut first = worker();
    let deadline = Instant::now() + Duration::from_secs(60);
    while smtp.mails().len() < 100 {
        assert!(
            Instant::now() < deadline,
            "the first worker sent too little"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    first.0.kill().expect("SIGKILL");
    first.0.wait().expect("reaped");
    let at_kill = smtp.mails().len();
    assert!(
        at_kill < 300,
        "killed mid-newsletter, not after ({at_kill})"
    );
    smtp.set_mode(SmtpMode::Accept);

    let mut second = worker();
    let pending = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM t_soria.newsletter_recipients WHERE status <> 'sent'",
        )
        .fetch_one(&pool)
        .await
        .expect("pending")
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while pending().await > 0 {
        assert!(Instant::now() < deadline, "the newsletter was not finished");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    terminate(&second.0);
    assert!(second.0.wait().expect("wait").success(), "graceful stop");

    let mails = smtp.mails();
    let mut first_copy: std::collections::HashMap<String, String> = Default::default();
    let mut doubled = 0;
    for mail in &mails {
        let to = mail.to.join(",");
        match first_copy.get(&to) {
            Some(id) => {
                doubled += 1;
                assert_eq!(
                    *id,
                    message_id(mail),
                    "a second copy to {to} is the same message"
                );
            }
            None => {
                first_copy.insert(to, message_id(mail));
            }
        }
    }
    assert_eq!(first_copy.len(), 300, "everyone received it");
    assert!(
        doubled <= 6,
        "{doubled} copies sent twice: at most one per batch in flight"
    );
    let status: String = sqlx::query_scalar("SELECT status FROM t_soria.newsletters")
        .fetch_one(&pool)
        .await
        .expect("newsletter");
    assert_eq!(status, "sent");
    let jobs: Vec<(String, i32)> = sqlx::query_as(
        "SELECT status, attempts FROM platform.jobs WHERE kind = 'newsletter.batch'",
    )
    .fetch_all(&pool)
    .await
    .expect("jobs");
    assert!(jobs.iter().all(|(status, _)| status == "done"), "{jobs:?}");
    assert!(
        jobs.iter().any(|(_, attempts)| *attempts == 2),
        "some batch was taken over after the kill: {jobs:?}"
    );
    eprintln!(
        "drill: {at_kill} of 300 sent before the kill, {doubled} sent twice, {} mails in all",
        mails.len()
    );
}
