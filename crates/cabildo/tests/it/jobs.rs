//! `cabildo worker`, `cabildo jobs` and `cabildo mail test` as an operator
//! uses them, against a real SMTP server on loopback.

use crate::support::{cabildo, run, terminate};
use cabildo_devkit::smtp::SmtpCatcher;
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
