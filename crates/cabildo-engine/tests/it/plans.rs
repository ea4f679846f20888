//! Plans enforced where actions happen: each feature and limit refuses
//! with what was needed, nothing already there is lost, and a council not
//! on any plan is not limited.

use crate::util::{dates, headings, person, settings, toledo};
use cabildo_engine::accounts::api_tokens;
use cabildo_engine::budgets::setup;
use cabildo_engine::census::{self, import};
use cabildo_engine::processes::{self, NewProcess, Rules, Who};
use cabildo_engine::staff::{self, Actor, Role};
use cabildo_engine::{Error, ProcessId};
use cabildo_tenancy::entitlements::{Feature, Limit, Need};
use cabildo_tenancy::{CouncilSpec, Tenancy, Tenant};

/// `tenant` as `cabildo billing assign` leaves it on a plan with these
/// entitlements (JSON as stored).
async fn on_plan(tenancy: &Tenancy, tenant: &Tenant, entitlements: serde_json::Value) -> Tenant {
    sqlx::query("UPDATE platform.tenants SET entitlements = $2 WHERE id = $1")
        .bind(tenant.id.0)
        .bind(entitlements)
        .execute(tenancy.pool())
        .await
        .expect("plan");
    let tenant = tenancy.get_tenant(&tenant.slug).await.expect("council");
    assert!(
        tenant.entitlements.is_some(),
        "the record's entitlements travel"
    );
    tenant
}

async fn draft(tenancy: &Tenancy, tenant: &Tenant, slug: &str) -> ProcessId {
    let mut tx = tenancy.begin(tenant).await.expect("begin");
    let process = processes::create(
        &mut tx,
        &Actor("cli".into()),
        &NewProcess {
            slug: slug.into(),
            title: "Presupuestos".into(),
            summary: "Decide".into(),
            description: String::new(),
            district: None,
            rules: Rules {
                create: Who::Registered,
                support: Who::Verified,
                organisations_may_support: false,
                support_threshold: 100,
            },
        },
    )
    .await
    .expect("process");
    tx.commit().await.expect("commit");
    process
}

#[tokio::test]
async fn staff_seats_count_members_and_open_invitations() {
    let (tenancy, tenant) = toledo().await;
    let actor = Actor("cli".into());
    let ana = person(&tenancy, &tenant, "ana@example.org", true, None).await;
    let luis = person(&tenancy, &tenant, "luis@example.org", true, None).await;
    let tenant = on_plan(
        &tenancy,
        &tenant,
        serde_json::json!({"features": [], "limits": {"staff_seats": 2}}),
    )
    .await;
    let mut tx = tenancy.begin(&tenant).await.expect("begin");
    staff::grant(&mut tx, &actor, ana, Role::Admin)
        .await
        .expect("first seat");
    // Another role for someone already staff takes no seat.
    staff::grant(&mut tx, &actor, ana, Role::Moderator)
        .await
        .expect("same seat");
    staff::invite(&mut tx, &actor, "eva@example.org", Role::Moderator, "es")
        .await
        .expect("second seat, held by the invitation");
    // Inviting the same address again holds no other seat.
    staff::invite(&mut tx, &actor, "eva@example.org", Role::Admin, "es")
        .await
        .expect("the same seat");
    let full = Err(Error::Plan(Need::Limit(Limit::StaffSeats, 3)));
    assert_eq!(
        staff::invite(&mut tx, &actor, "otro@example.org", Role::Admin, "es").await,
        full
    );
    assert_eq!(
        staff::grant(&mut tx, &actor, luis, Role::Evaluator).await,
        full
    );
    assert_eq!(staff::roles_of(&mut tx, luis).await.expect("roles"), vec![]);
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn a_census_larger_than_the_plan_is_refused_and_the_one_in_place_stays() {
    let (tenancy, tenant) = toledo().await;
    let key = census::key(b"secret", tenant.id);
    let file =
        "documento,nacimiento,distrito\n12345678Z,1980-01-01,centro\n00000000T,1990-02-02,norte\n";
    let mut tx = tenancy.begin(&tenant).await.expect("begin");
    let report = import::import(&mut tx, key.clone(), file.as_bytes(), "cli", |_, _| {})
        .await
        .expect("two residents, no plan");
    assert_eq!(report.imported, 2);
    tx.commit().await.expect("commit");

    let tenant = on_plan(
        &tenancy,
        &tenant,
        serde_json::json!({"features": [], "limits": {"census_size": 2}}),
    )
    .await;
    let larger = format!("{file}00000001R,2000-03-03,centro\n");
    let mut tx = tenancy.begin(&tenant).await.expect("begin");
    let refused = import::stage(&mut tx, key.clone(), larger.as_bytes(), "cli").await;
    assert!(
        matches!(
            refused,
            Err(import::ImportError::Database(Error::Plan(Need::Limit(
                Limit::CensusSize,
                3
            ))))
        ),
        "{refused:?}"
    );
    tx.rollback().await.expect("rollback");
    let mut tx = tenancy.begin(&tenant).await.expect("begin");
    let refused = import::import(&mut tx, key.clone(), larger.as_bytes(), "cli", |_, _| {}).await;
    assert!(refused.is_err(), "a direct import is refused the same");
    tx.rollback()
        .await
        .expect("rollback: the census in place stays");
    let mut tx = tenancy.begin(&tenant).await.expect("begin");
    let residents: i64 = sqlx::query_scalar("SELECT count(*) FROM census")
        .fetch_one(tx.conn())
        .await
        .expect("count");
    assert_eq!(residents, 2);
    let report = import::import(&mut tx, key, file.as_bytes(), "cli", |_, _| {})
        .await
        .expect("up to the limit");
    assert_eq!(report.imported, 2);
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn budgets_need_a_plan_with_budgets_and_those_made_before_stay() {
    let (tenancy, tenant) = toledo().await;
    let actor = Actor("cli".into());
    let before = draft(&tenancy, &tenant, "presupuestos-2026").await;
    let mut tx = tenancy.begin(&tenant).await.expect("begin");
    let kept = setup::create(&mut tx, &actor, before, &settings(dates(20)), &headings())
        .await
        .expect("no plan: allowed");
    tx.commit().await.expect("commit");

    let tenant = on_plan(
        &tenancy,
        &tenant,
        serde_json::json!({"features": ["surveys"], "limits": {}}),
    )
    .await;
    let process = draft(&tenancy, &tenant, "presupuestos-2027").await;
    let mut tx = tenancy.begin(&tenant).await.expect("begin");
    assert_eq!(
        setup::create(&mut tx, &actor, process, &settings(dates(20)), &headings()).await,
        Err(Error::Plan(Need::Feature(Feature::Budgets)))
    );
    let still = setup::get(&mut tx, kept).await.expect("read");
    assert!(still.is_some(), "a budget made before the plan stays");
    tx.rollback().await.expect("rollback");

    let tenant = on_plan(
        &tenancy,
        &tenant,
        serde_json::json!({"features": ["budgets"], "limits": {}}),
    )
    .await;
    let mut tx = tenancy.begin(&tenant).await.expect("begin");
    setup::create(&mut tx, &actor, process, &settings(dates(20)), &headings())
        .await
        .expect("a plan with budgets");
    tx.commit().await.expect("commit");
}

fn spec(languages: &[&str], public_dashboard: bool) -> cabildo_tenancy::ValidSpec {
    let spec: CouncilSpec = serde_json::from_value(serde_json::json!({
        "slug": "toledo",
        "name": "Toledo",
        "languages": languages,
        "public_dashboard": public_dashboard,
        "districts": [{"code": "centro", "name": "Centro"}, {"code": "norte", "name": "Norte"}],
    }))
    .expect("spec");
    spec.validate().expect("valid")
}

#[tokio::test]
async fn languages_beyond_two_and_the_public_page_need_their_features() {
    let (tenancy, tenant) = toledo().await;
    let actor = Actor("cli".into());
    let tenant = on_plan(
        &tenancy,
        &tenant,
        serde_json::json!({"features": [], "limits": {}}),
    )
    .await;
    let mut tx = tenancy.begin(&tenant).await.expect("begin");
    cabildo_engine::settings::save(&mut tx, &actor, &spec(&["es", "ca"], false))
        .await
        .expect("two languages are included");
    assert_eq!(
        cabildo_engine::settings::save(&mut tx, &actor, &spec(&["es", "ca", "en"], false)).await,
        Err(Error::Plan(Need::Feature(Feature::ExtraLanguages)))
    );
    assert_eq!(
        cabildo_engine::settings::save(&mut tx, &actor, &spec(&["es", "ca"], true)).await,
        Err(Error::Plan(Need::Feature(Feature::PublicDashboard)))
    );
    tx.commit().await.expect("commit");

    // A council that had three languages and its page before a lower plan
    // keeps them (and may save its settings), but adds no fourth.
    sqlx::query("UPDATE platform.tenants SET entitlements = NULL WHERE id = $1")
        .bind(tenant.id.0)
        .execute(tenancy.pool())
        .await
        .expect("off the plan");
    let free = tenancy.get_tenant(&tenant.slug).await.expect("council");
    let mut tx = tenancy.begin(&free).await.expect("begin");
    cabildo_engine::settings::save(&mut tx, &actor, &spec(&["es", "ca", "en"], true))
        .await
        .expect("no plan: allowed");
    tx.commit().await.expect("commit");
    let tenant = on_plan(
        &tenancy,
        &free,
        serde_json::json!({"features": [], "limits": {}}),
    )
    .await;
    let mut tx = tenancy.begin(&tenant).await.expect("begin");
    cabildo_engine::settings::save(&mut tx, &actor, &spec(&["es", "en", "ca"], true))
        .await
        .expect("what it had stays");
    assert_eq!(
        cabildo_engine::settings::save(&mut tx, &actor, &spec(&["es", "en", "ca", "gl"], true))
            .await,
        Err(Error::Plan(Need::Feature(Feature::ExtraLanguages)))
    );
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn api_tokens_need_their_feature_and_those_made_before_keep_working() {
    let (tenancy, tenant) = toledo().await;
    let ana = person(&tenancy, &tenant, "ana@example.org", true, None).await;
    let mut tx = tenancy.begin(&tenant).await.expect("begin");
    let (_, token) = api_tokens::create(&mut tx, ana, "panel")
        .await
        .expect("no plan");
    tx.commit().await.expect("commit");
    let tenant = on_plan(
        &tenancy,
        &tenant,
        serde_json::json!({"features": [], "limits": {}}),
    )
    .await;
    let mut tx = tenancy.begin(&tenant).await.expect("begin");
    assert_eq!(
        api_tokens::create(&mut tx, ana, "otro").await,
        Err(Error::Plan(Need::Feature(Feature::ApiTokens)))
    );
    tx.rollback().await.expect("rollback");
    let session = api_tokens::find_at_once(&tenancy, &tenant, &token)
        .await
        .expect("find");
    assert!(session.is_some(), "a token made before still works");
}
