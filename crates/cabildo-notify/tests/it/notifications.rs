//! In-app notifications and the emails they cause (immediately or in
//! digests), confined to their council.

use cabildo_devkit::smtp::SmtpCatcher;
use cabildo_notify::notifications::{self, DIGEST_KIND};
use cabildo_notify::{
    DigestHandler, EmailHandler, Handlers, NewNotification, Worker, WorkerConfig,
};
use cabildo_tenancy::testing::{council, fresh_tenancy};
use cabildo_tenancy::{Tenancy, TenancyError, Tenant};
use std::time::{Duration, Instant};
use uuid::Uuid;

async fn person(tenancy: &Tenancy, tenant: &Tenant, email: &str, preference: &str) -> Uuid {
    let mut tx = tenancy.begin(tenant).await.expect("begin");
    let id = sqlx::query_scalar("INSERT INTO users (email, name, notify_email, language) VALUES ($1, $1, $2, 'en') RETURNING id")
        .bind(email)
        .bind(preference)
        .fetch_one(tx.conn())
        .await
        .expect("user");
    tx.commit().await.expect("commit");
    id
}

fn note(user: Uuid, title: &str) -> NewNotification {
    NewNotification {
        user,
        kind: "comment.reply".into(),
        title: title.into(),
        body: "Someone answered you.".into(),
        link: Some("/debates/1#comment-2".into()),
        ..NewNotification::default()
    }
}

async fn notify(
    tenancy: &Tenancy,
    tenant: &Tenant,
    notification: &NewNotification,
) -> Result<Uuid, TenancyError> {
    let mut tx = tenancy.begin(tenant).await.expect("begin");
    let id = notifications::notify(&mut tx, notification).await?;
    tx.commit().await.expect("commit");
    Ok(id)
}

async fn jobs(tenancy: &Tenancy) -> Vec<(String, Option<String>)> {
    sqlx::query_as("SELECT kind, unique_key FROM platform.jobs ORDER BY created_at")
        .fetch_all(tenancy.pool())
        .await
        .expect("jobs")
}

#[tokio::test]
async fn notifications_page_count_and_mark_read_per_person_and_council() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let a = council(&tenancy, "council-a").await.expect("a");
    let b = council(&tenancy, "council-b").await.expect("b");
    let ana = person(&tenancy, &a, "ana@example.org", "none").await;
    let luis = person(&tenancy, &a, "luis@example.org", "none").await;
    for i in 0..25 {
        notify(&tenancy, &a, &note(ana, &format!("Reply {i}")))
            .await
            .expect("notify");
    }
    let luis_note = notify(&tenancy, &a, &note(luis, "For Luis"))
        .await
        .expect("notify");

    let mut tx = tenancy.begin(&a).await.expect("begin");
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = notifications::list(&mut tx, ana, cursor, 10)
            .await
            .expect("page");
        seen.extend(page.items.iter().map(|n| n.title.clone()));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen.len(), 25);
    assert_eq!(seen[0], "Reply 24", "newest first");
    assert_eq!(seen[24], "Reply 0");
    assert_eq!(
        notifications::count_unread(&mut tx, ana)
            .await
            .expect("count"),
        25
    );
    let first_two: Vec<Uuid> = notifications::list(&mut tx, ana, None, 2)
        .await
        .expect("page")
        .items
        .iter()
        .map(|n| n.id)
        .collect();
    // Luis's notification among the ids is ignored: only one's own.
    let ids = [first_two[0], first_two[1], luis_note];
    assert_eq!(
        notifications::mark_read(&mut tx, ana, Some(&ids))
            .await
            .expect("mark"),
        2
    );
    assert_eq!(
        notifications::count_unread(&mut tx, ana)
            .await
            .expect("count"),
        23
    );
    assert_eq!(
        notifications::count_unread(&mut tx, luis)
            .await
            .expect("count"),
        1
    );
    assert_eq!(
        notifications::mark_read(&mut tx, ana, None)
            .await
            .expect("all"),
        23
    );
    assert_eq!(
        notifications::count_unread(&mut tx, ana)
            .await
            .expect("count"),
        0
    );
    tx.commit().await.expect("commit");

    // Another council sees none of it, even asking with the same ids.
    let mut tx = tenancy.begin(&b).await.expect("begin");
    assert!(
        notifications::list(&mut tx, ana, None, 10)
            .await
            .expect("page")
            .items
            .is_empty()
    );
    assert_eq!(
        notifications::count_unread(&mut tx, luis)
            .await
            .expect("count"),
        0
    );
    assert_eq!(
        notifications::mark_read(&mut tx, luis, None)
            .await
            .expect("mark"),
        0
    );
    let unknown = notifications::notify(&mut tx, &note(ana, "Cross-council")).await;
    assert!(
        matches!(unknown, Err(TenancyError::NotFound(_))),
        "{unknown:?}"
    );
    tx.rollback().await.expect("rollback");

    let mut bad = note(ana, "x");
    bad.link = Some("javascript:alert(1)".into());
    assert!(matches!(
        notify(&tenancy, &a, &bad).await,
        Err(TenancyError::Invalid { .. })
    ));
    bad.link = None;
    bad.title = " ".into();
    assert!(matches!(
        notify(&tenancy, &a, &bad).await,
        Err(TenancyError::Invalid { .. })
    ));
}

#[tokio::test]
async fn immediate_people_get_one_email_each_and_digests_gather_the_rest_once() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let toledo = council(&tenancy, "toledo").await.expect("toledo");
    let now = person(&tenancy, &toledo, "now@example.org", "immediate").await;
    let daily = person(&tenancy, &toledo, "daily@example.org", "daily").await;
    let weekly = person(&tenancy, &toledo, "weekly@example.org", "weekly").await;
    let never = person(&tenancy, &toledo, "never@example.org", "none").await;
    let first = notify(&tenancy, &toledo, &note(now, "Now 1"))
        .await
        .expect("notify");
    notify(&tenancy, &toledo, &note(daily, "Daily 1"))
        .await
        .expect("notify");
    notify(&tenancy, &toledo, &note(daily, "Daily 2"))
        .await
        .expect("notify");
    notify(&tenancy, &toledo, &note(weekly, "Weekly 1"))
        .await
        .expect("notify");
    notify(&tenancy, &toledo, &note(never, "Never 1"))
        .await
        .expect("notify");
    assert_eq!(
        jobs(&tenancy).await,
        vec![(
            "email.send".to_owned(),
            Some(format!("notification:{first}"))
        )]
    );

    // A digest run that fails half-way leaves everything to the next run.
    let mut tx = tenancy.begin(&toledo).await.expect("begin");
    assert_eq!(
        notifications::gather_digests(&mut tx, "daily", "2026-11-25")
            .await
            .expect("gather"),
        1
    );
    tx.rollback().await.expect("rollback");
    assert_eq!(jobs(&tenancy).await.len(), 1);

    // Scheduled for every council in one statement, idempotently.
    let monday = time::macros::date!(2026 - 11 - 30);
    assert_eq!(
        notifications::schedule_digests(&tenancy, monday)
            .await
            .expect("schedule"),
        2,
        "daily and weekly"
    );
    assert_eq!(
        notifications::schedule_digests(&tenancy, monday)
            .await
            .expect("again"),
        0
    );

    let smtp = SmtpCatcher::start().await.expect("smtp");
    let mailer = crate::support::mailer(&smtp.url(), "no-reply@cabildo.test");
    let site = crate::support::site();
    let handlers = Handlers::default()
        .with(
            cabildo_notify::email::KIND,
            EmailHandler::new(tenancy.clone(), mailer, site).with_signer(Some(
                cabildo_notify::unsubscribe::Signer::new(b"a test secret that is long enough")
                    .expect("signer"),
            )),
        )
        .with(DIGEST_KIND, DigestHandler::new(tenancy.clone()));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = tokio::spawn(
        Worker::new(
            tenancy.clone(),
            handlers,
            WorkerConfig {
                poll_interval: Duration::from_millis(100),
                ..WorkerConfig::default()
            },
        )
        .run(async {
            let _ = stopped.await;
        }),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while smtp.mails().len() < 3 {
        assert!(
            Instant::now() < deadline,
            "mails: {:?}",
            smtp.mails()
                .iter()
                .map(|m| m.to.clone())
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await; // nothing more arrives
    let _ = stop.send(());
    worker.await.expect("worker");

    let mails = smtp.mails();
    let to = |address: &str| {
        mails
            .iter()
            .filter(|m| m.to == vec![address.to_owned()])
            .map(|m| m.parsed())
            .collect::<Vec<_>>()
    };
    assert_eq!(to("now@example.org").len(), 1);
    assert_eq!(to("now@example.org")[0].subject, "Now 1");
    assert!(
        to("now@example.org")[0]
            .text
            .contains("https://toledo.cabildo.test/debates/1#comment-2")
    );
    let daily_mail = to("daily@example.org");
    assert_eq!(daily_mail.len(), 1, "one digest for two notifications");
    assert_eq!(
        daily_mail[0].subject,
        "Your daily summary from Council toledo"
    );
    assert!(daily_mail[0].text.contains("Daily 1") && daily_mail[0].text.contains("Daily 2"));
    assert_eq!(to("weekly@example.org").len(), 1);
    let daily_raw = mails
        .iter()
        .find(|m| m.to == vec!["daily@example.org".to_owned()])
        .expect("daily");
    assert!(
        daily_raw
            .data
            .contains("List-Unsubscribe: <https://toledo.cabildo.test/unsubscribe?u=")
            && daily_raw.data.contains("l=notifications"),
        "notification mail carries a one-click link to stop it: {}",
        daily_raw.data
    );
    assert!(to("never@example.org").is_empty());

    // Nothing is gathered twice.
    let mut tx = tenancy.begin(&toledo).await.expect("begin");
    assert_eq!(
        notifications::gather_digests(&mut tx, "daily", "2026-11-26")
            .await
            .expect("gather"),
        0
    );
    tx.commit().await.expect("commit");
}
