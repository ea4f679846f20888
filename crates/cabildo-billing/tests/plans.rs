//! Plans applied to a real PostgreSQL: created, updated, unchanged, and
//! no longer offered once out of the folder (never deleted).

use cabildo_billing::councils;
use cabildo_billing::plans::{self, Applied, read_plans};
use cabildo_tenancy::testing::fresh_tenancy;
use std::path::Path;

#[tokio::test]
async fn plans_are_applied_idempotently_and_retired_without_loss() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let shipped =
        read_plans(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../plans")).expect("plans/");
    let first = plans::apply(&tenancy, &shipped).await.expect("apply");
    assert!(
        first.iter().all(|(_, a)| *a == Applied::Created),
        "{first:?}"
    );
    let again = plans::apply(&tenancy, &shipped).await.expect("apply again");
    assert!(
        again.iter().all(|(_, a)| *a == Applied::Unchanged),
        "{again:?}"
    );

    // A price change, and one plan left out of the folder.
    let mut changed: Vec<_> = shipped.iter().skip(1).cloned().collect();
    changed[0].price.monthly_cents += 1000;
    let outcome = plans::apply(&tenancy, &changed)
        .await
        .expect("apply changed");
    assert_eq!(outcome[0].1, Applied::Updated);
    let stored = plans::list(&tenancy).await.expect("list");
    assert_eq!(stored.len(), shipped.len(), "nothing deleted");
    let retired = stored
        .iter()
        .find(|s| s.plan.slug == shipped[0].slug)
        .expect("retired plan kept");
    assert!(!retired.offered);
    assert_eq!(retired.plan, shipped[0], "kept as it was");
    let updated = stored
        .iter()
        .find(|s| s.plan.slug == changed[0].slug)
        .expect("updated plan");
    assert!(updated.offered);
    assert_eq!(
        updated.plan.price.monthly_cents,
        changed[0].price.monthly_cents
    );

    // Back in the folder: offered again.
    let back = plans::apply(&tenancy, &shipped).await.expect("apply back");
    assert_eq!(back[0].1, Applied::Updated);
    assert!(
        plans::list(&tenancy)
            .await
            .expect("list")
            .iter()
            .all(|s| s.offered)
    );
}

#[tokio::test]
async fn a_council_on_a_plan_carries_its_entitlements_and_follows_its_changes() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let toledo = cabildo_tenancy::testing::council(&tenancy, "toledo")
        .await
        .expect("toledo");
    cabildo_tenancy::testing::council(&tenancy, "talavera")
        .await
        .expect("talavera");
    let mut shipped =
        read_plans(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../plans")).expect("plans/");
    plans::apply(&tenancy, &shipped).await.expect("apply");
    let resolver = cabildo_tenancy::Resolver::new(
        tenancy.clone(),
        cabildo_tenancy::ResolverConfig::new("cabildo.test"),
    );
    let served = async |host: &str| match resolver.resolve(host).await.expect(host) {
        Some(cabildo_tenancy::Site::Council(tenant)) => tenant,
        _ => panic!("{host} serves no council"),
    };
    assert_eq!(
        served("toledo.cabildo.test").await.entitlements,
        None,
        "no plan yet"
    );

    assert!(
        councils::assign(&tenancy, &toledo, "no-such-plan")
            .await
            .expect("assign")
            .is_none()
    );
    let trial = councils::assign(&tenancy, &toledo, "prueba")
        .await
        .expect("assign")
        .expect("stored plan");
    let status = councils::status(&tenancy, &toledo).await.expect("status");
    assert_eq!(status.plan, "prueba");
    let ends = status.trial_ends_at.expect("a trial ends");
    let days = (ends - time::OffsetDateTime::now_utc()).whole_days();
    assert!((59..=60).contains(&days), "{days}");
    let tenant = served("toledo.cabildo.test").await;
    // What the plan allows, and held once the trial ends until it pays.
    let on_trial = cabildo_tenancy::entitlements::Entitlements {
        held_from: Some(ends),
        ..trial.entitlements.clone()
    };
    assert_eq!(
        tenant.entitlements.as_deref(),
        Some(&on_trial),
        "the cached route dropped at once"
    );
    assert!(!on_trial.held(), "not before the trial ends");
    assert_eq!(
        tenancy.begin(&tenant).await.expect("begin").entitlements(),
        Some(&on_trial)
    );
    assert_eq!(
        served("talavera.cabildo.test").await.entitlements,
        None,
        "others untouched"
    );

    // The trial plan is given more room: councils on it get it at once.
    let position = shipped
        .iter()
        .position(|p| p.slug == "prueba")
        .expect("trial");
    shipped[position].entitlements.limits.open_processes = Some(2);
    plans::apply(&tenancy, &shipped).await.expect("apply");
    let tenant = served("toledo.cabildo.test").await;
    assert_eq!(
        tenant
            .entitlements
            .as_deref()
            .and_then(|e| e.limits.open_processes),
        Some(2)
    );
}
