//! The participation dashboard's queue of acts: folded into the
//! aggregates exactly once, however many folds run at once, and only
//! ever within its own council.

use crate::util::{person, toledo};
use cabildo_engine::dashboard::{self, Figures};
use cabildo_engine::{Error, UserId};
use cabildo_tenancy::testing::council;
use cabildo_tenancy::{Tenancy, Tenant};
use std::time::Duration;

/// Queues `supports` supports and, if `ballot`, a submitted ballot for
/// each of `people`, as the triggers on those tables do.
async fn act(tenancy: &Tenancy, tenant: &Tenant, people: &[UserId], supports: usize, ballot: bool) {
    let kinds = std::iter::repeat_n("support", supports).chain(ballot.then_some("ballot"));
    let kinds: Vec<&str> = kinds.collect();
    let mut tx = tenancy.begin(tenant).await.expect("begin");
    for who in people {
        for kind in &kinds {
            sqlx::query("SELECT participation_record($1, now(), NULL, $2)")
                .bind(who)
                .bind(kind)
                .execute(tx.conn())
                .await
                .expect("act");
        }
    }
    tx.commit().await.expect("commit");
}

async fn queued(tenancy: &Tenancy, tenant: &Tenant) -> i64 {
    let mut tx = tenancy.begin(tenant).await.expect("begin");
    let n = sqlx::query_scalar("SELECT count(*) FROM participation_acts")
        .fetch_one(tx.conn())
        .await
        .expect("queue");
    tx.commit().await.expect("commit");
    n
}

async fn figures(tenancy: &Tenancy, tenant: &Tenant) -> Figures {
    tenancy
        .transaction(tenant, async |tx| {
            dashboard::figures(tx, "Europe/Madrid").await
        })
        .await
        .expect("figures")
}

fn this_week(figures: &Figures) -> (i64, i64, i64) {
    let week = figures.weeks.last().expect("this week");
    (week.participants, week.supports, week.ballots)
}

#[tokio::test]
async fn concurrent_folds_count_each_act_exactly_once() {
    let (tenancy, tenant) = toledo().await;
    let mut people = Vec::new();
    for i in 0..20 {
        let district = (i % 2 == 0).then_some("centro");
        people.push(
            person(
                &tenancy,
                &tenant,
                &format!("p{i}@example.org"),
                true,
                district,
            )
            .await,
        );
    }
    act(&tenancy, &tenant, &people, 3, false).await;
    act(&tenancy, &tenant, &people[..10], 0, true).await;
    assert_eq!(queued(&tenancy, &tenant).await, 70);

    // Four folds at once, each holding its transaction open a while: the
    // first to delete the queue counts it, the others wait for its commit
    // and then find nothing. Acts committed meanwhile wait for a later fold.
    let folds: Vec<_> = (0..4)
        .map(|_| {
            let (tenancy, tenant) = (tenancy.clone(), tenant.clone());
            tokio::spawn(async move {
                tenancy
                    .transaction(&tenant, async |tx| {
                        let folded = dashboard::fold(tx).await?;
                        tokio::time::sleep(Duration::from_millis(300)).await;
                        Ok::<_, Error>(folded)
                    })
                    .await
                    .expect("fold")
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(100)).await;
    act(&tenancy, &tenant, &people[..5], 1, false).await;
    let mut folded = 0;
    for fold in folds {
        folded += fold.await.expect("joined");
    }
    assert!(
        folded == 70 || folded == 75,
        "the folds counted the 70 acts, and maybe the 5 made meanwhile, once: {folded}"
    );

    // Reading the figures folds whatever is left.
    let read = figures(&tenancy, &tenant).await;
    assert_eq!(this_week(&read), (20, 65, 10));
    assert_eq!(queued(&tenancy, &tenant).await, 0);
    let centro = read
        .districts
        .iter()
        .find(|d| d.code == "centro")
        .expect("centro");
    assert_eq!(centro.participants, 10);

    // Folding again changes nothing.
    assert_eq!(this_week(&figures(&tenancy, &tenant).await), (20, 65, 10));
}

#[tokio::test]
async fn a_fold_counts_only_its_own_councils_acts() {
    let (tenancy, toledo) = toledo().await;
    let talavera = council(&tenancy, "talavera").await.expect("talavera");
    let ana = person(&tenancy, &toledo, "ana@example.org", true, Some("centro")).await;
    act(&tenancy, &toledo, &[ana], 2, true).await;

    let elsewhere = figures(&tenancy, &talavera).await;
    assert_eq!(this_week(&elsewhere), (0, 0, 0));
    assert!(elsewhere.districts.iter().all(|d| d.participants == 0));
    assert_eq!(
        queued(&tenancy, &toledo).await,
        3,
        "Talavera's fold left Toledo's queue alone"
    );

    assert_eq!(this_week(&figures(&tenancy, &toledo).await), (1, 2, 1));
    assert_eq!(this_week(&figures(&tenancy, &talavera).await), (0, 0, 0));
}
