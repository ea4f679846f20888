//! Plans applied to a real PostgreSQL: created, updated, unchanged, and
//! no longer offered once out of the folder (never deleted).

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
