//! Paying by card against the fake Stripe (over real HTTP both ways):
//! Checkout from the billing page, webhooks signed with Stripe's
//! algorithm, forged, replayed and out of order, a checkout abandoned
//! half-way, and a webhook that arrives while the database is down.

use crate::util::{
    BASE, Browser, TOLEDO, World, apply_plans, csrf_of, logged_in, shipped_plans, world_with,
};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use cabildo_billing::stripe::{Stripe, StripeSettings};
use cabildo_devkit::stripe::FakeStripe;
use cabildo_engine::staff::Role;
use cabildo_tenancy::{Tenancy, Tenant};
use cabildo_web::WebConfig;
use serde_json::Value;
use std::time::Duration;

const SECRET_KEY: &str = "sk_test_cabildo";
const WEBHOOK_SECRET: &str = "whsec_cabildo";

/// A fake Stripe with the prices of `plans/`, retrying webhooks quickly.
async fn fake_stripe(attempts: u32) -> FakeStripe {
    let fake = FakeStripe::start_with_retries(
        SECRET_KEY,
        WEBHOOK_SECRET,
        attempts,
        Duration::from_millis(250),
    )
    .await
    .expect("fake stripe");
    for plan in shipped_plans() {
        for (id, cents, every) in plan.stripe_prices() {
            fake.add_price(id, cents, every);
        }
    }
    fake
}

fn stripe_for(fake: &FakeStripe) -> Stripe {
    Stripe::new(&StripeSettings {
        secret_key: SECRET_KEY.into(),
        webhook_secret: WEBHOOK_SECRET.into(),
        api_base: Some(fake.api_base()),
        grace_days: 30,
    })
    .expect("stripe")
}

/// The world with card payments, served on a loopback port that the fake
/// Stripe sends its webhooks to; Toledo on its trial.
async fn paying_world() -> (World, FakeStripe) {
    let fake = fake_stripe(8).await;
    let world = world_with(WebConfig {
        stripe: Some(stripe_for(&fake)),
        ..WebConfig::default()
    })
    .await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("address").port();
    let app = world.app.clone();
    tokio::spawn(async move { axum::serve(listener, app).await });
    fake.set_webhook_url(&format!("http://127.0.0.1:{port}/webhooks/stripe"));
    apply_plans(&world.tenancy).await;
    let toledo = world.council("toledo").await;
    (cabildo_billing::councils::assign(&world.tenancy, &toledo, "prueba").await)
        .expect("assign")
        .expect("the trial plan");
    (world, fake)
}

async fn status(tenancy: &Tenancy, tenant: &Tenant) -> cabildo_billing::councils::Status {
    cabildo_billing::councils::status(tenancy, tenant)
        .await
        .expect("status")
}

async fn events_stored(tenancy: &Tenancy) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM platform.stripe_events")
        .fetch_one(tenancy.pool())
        .await
        .expect("events")
}

/// Starts a checkout for `plan` from the billing page; the session id.
async fn checkout(admin: &mut Browser, plan: &str, every: &str) -> String {
    let page = admin.get(TOLEDO, "/staff/billing").await;
    let csrf = csrf_of(&page.body);
    let fields = [
        ("csrf_token", csrf.as_str()),
        ("plan", plan),
        ("every", every),
    ];
    let started = admin.post(TOLEDO, "/staff/billing/checkout", &fields).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let to = started.headers[header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned();
    assert!(
        to.contains("/checkout/cs_test_"),
        "to Stripe's Checkout: {to}"
    );
    to.rsplit('/').next().expect("session").to_owned()
}

async fn admin(world: &World) -> Browser {
    let mut admin = Browser::new(&world.app);
    logged_in(world, &mut admin, TOLEDO, "jefa", "jefa@example.org", 1).await;
    world.grant("toledo", "jefa@example.org", Role::Admin).await;
    admin
}

#[tokio::test]
async fn a_council_moves_from_its_trial_to_a_paid_plan_and_forged_or_replayed_events_change_nothing()
 {
    let (world, fake) = paying_world().await;
    let toledo = world.council("toledo").await;
    let mut admin = admin(&world).await;
    let page = admin.get(TOLEDO, "/staff/billing").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Tu plan: Prueba"), "{}", page.body);
    let policy = page.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("csp");
    let origin = fake.api_base().trim_end_matches('/').to_owned();
    assert!(
        policy.contains(&format!("form-action 'self' {origin}")),
        "its forms may lead to Stripe's pages: {policy}"
    );
    assert!(
        page.body.contains("El periodo de prueba termina el"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("190\u{a0}€ al mes (229,90\u{a0}€ con el 21 % de IVA)"),
        "{}",
        page.body
    );

    // Abandoned half-way: Stripe has a customer and an open session;
    // nothing changes here, and the next attempt reuses the customer.
    let abandoned = checkout(&mut admin, "municipio", "monthly").await;
    let session = checkout(&mut admin, "municipio", "yearly").await;
    assert_ne!(abandoned, session);
    assert_eq!(fake.customers().len(), 1, "one customer per council");
    assert_eq!(status(&world.tenancy, &toledo).await.plan, "prueba");

    let events = fake.complete_checkout(&session).expect("paid");
    // A forged signature: refused, nothing stored or changed.
    let forged = crate::util::send(
        &world.app,
        Request::post("/webhooks/stripe")
            .header("host", BASE)
            .header("content-type", "application/json")
            .header(
                "stripe-signature",
                format!(
                    "t={},v1={}",
                    time::OffsetDateTime::now_utc().unix_timestamp(),
                    "ab".repeat(32)
                ),
            )
            .body(Body::from(events[0].to_string()))
            .expect("request"),
    )
    .await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST);
    // Signed long ago (a captured request played back): refused too.
    let body = events[1].to_string();
    let old = fake.sign(
        &body,
        time::OffsetDateTime::now_utc().unix_timestamp() - 301,
    );
    let stale = crate::util::send(
        &world.app,
        Request::post("/webhooks/stripe")
            .header("host", TOLEDO)
            .header("stripe-signature", old)
            .body(Body::from(body))
            .expect("request"),
    )
    .await;
    assert_eq!(stale.status, StatusCode::BAD_REQUEST);
    assert_eq!(events_stored(&world.tenancy).await, 0);
    assert_eq!(status(&world.tenancy, &toledo).await.plan, "prueba");

    let delivered = fake.deliver(&events).await.expect("deliver");
    assert_eq!(delivered, vec![200, 200, 200]);
    let paid = status(&world.tenancy, &toledo).await;
    assert_eq!(paid.plan, "municipio");
    assert_eq!(paid.trial_ends_at, None);
    assert_eq!(paid.held_from, None, "a paying council is not held");
    let card = paid.card.expect("card");
    assert_eq!(card.status.as_deref(), Some("active"));
    let through = card.paid_through.expect("paid through") - time::OffsetDateTime::now_utc();
    assert!(through > time::Duration::days(360), "a year: {through}");
    let council = world
        .tenancy
        .get_tenant(&toledo.slug)
        .await
        .expect("council");
    let entitlements = council.entitlements.expect("entitlements");
    assert_eq!(
        entitlements.limits.open_processes,
        Some(5),
        "the plan's, on every node"
    );

    // Each change is in the council's audit log, by Stripe.
    let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
    let audited: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT actor, subject FROM audit_log WHERE action = 'billing.subscription' ORDER BY at",
    )
    .fetch_all(tx.conn())
    .await
    .expect("audit");
    tx.rollback().await.expect("rollback");
    assert_eq!(audited.len(), 3, "{audited:?}");
    assert!(
        audited
            .iter()
            .all(|(actor, subject)| actor == "stripe" && subject.as_deref() == Some("active"))
    );
    // Replayed: answered, not applied again (no second fetch from Stripe).
    let fetches = |fake: &FakeStripe| {
        fake.requests()
            .iter()
            .filter(|r| r.starts_with("GET /v1/subscriptions/"))
            .count()
    };
    let before = (events_stored(&world.tenancy).await, fetches(&fake));
    for event in &events {
        assert_eq!(fake.deliver_once(event).await.expect("replay"), 200);
    }
    assert_eq!(
        (events_stored(&world.tenancy).await, fetches(&fake)),
        before
    );

    let page = admin.get(TOLEDO, "/staff/billing?checkout=done").await;
    assert!(page.body.contains("Tu plan: Municipio"), "{}", page.body);
    assert!(page.body.contains("Pagado hasta el"), "{}", page.body);
    assert!(page.body.contains("Gestionar el pago"), "{}", page.body);
    let csrf = csrf_of(&page.body);
    let portal = admin
        .post(
            TOLEDO,
            "/staff/billing/portal",
            &[("csrf_token", csrf.as_str())],
        )
        .await;
    assert_eq!(portal.status, StatusCode::SEE_OTHER);
    assert!(
        portal.headers[header::LOCATION]
            .to_str()
            .expect("location")
            .contains("/portal/bps_")
    );

    // A council that pays against invoices is offered no card too, and a
    // forged checkout is refused.
    let talavera = world.council("talavera").await;
    (cabildo_billing::councils::assign(&world.tenancy, &talavera, "municipio").await)
        .expect("assign")
        .expect("plan");
    let buyer = cabildo_billing::invoices::Buyer {
        entity: cabildo_billing::invoices::Entity {
            legal_name: "Ayuntamiento de Talavera de la Reina".into(),
            tax_id: "P4516500H".into(),
            address: "Plaza del Pan 1".into(),
            postcode: "45600".into(),
            town: "Talavera de la Reina".into(),
            province: "Toledo".into(),
        },
        dir3_accounting: "L01451655".into(),
        dir3_management: "L01451655".into(),
        dir3_processing: "L01451655".into(),
    };
    (cabildo_billing::invoices::set_buyer(&world.tenancy, &talavera, buyer).await)
        .expect("invoiced");
    let mut theirs = Browser::new(&world.app);
    logged_in(
        &world,
        &mut theirs,
        crate::util::TALAVERA,
        "alcalde",
        "alcalde@example.org",
        1,
    )
    .await;
    world
        .grant("talavera", "alcalde@example.org", Role::Admin)
        .await;
    let page = theirs.get(crate::util::TALAVERA, "/staff/billing").await;
    assert!(
        !page.body.contains("/staff/billing/checkout\""),
        "{}",
        page.body
    );
    let csrf = csrf_of(&page.body);
    let forged = theirs
        .post(
            crate::util::TALAVERA,
            "/staff/billing/checkout",
            &[
                ("csrf_token", csrf.as_str()),
                ("plan", "ciudad"),
                ("every", "monthly"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::CONFLICT, "{}", forged.body);

    // Citizens see no billing: the page is for admins.
    let mut citizen = Browser::new(&world.app);
    logged_in(
        &world,
        &mut citizen,
        TOLEDO,
        "vecina",
        "vecina@example.org",
        1,
    )
    .await;
    let refused = citizen.get(TOLEDO, "/staff/billing").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn events_in_any_order_end_in_stripes_current_state() {
    let (world, fake) = paying_world().await;
    let toledo = world.council("toledo").await;
    let mut admin = admin(&world).await;
    let session = checkout(&mut admin, "municipio", "monthly").await;
    let started = fake.complete_checkout(&session).expect("paid");
    let sub = started[1]["data"]["object"]["id"]
        .as_str()
        .expect("subscription")
        .to_owned();
    let failed = fake.fail_payment(&sub).expect("failed");
    let renewed = fake.renew(&sub).expect("renewed");

    // The last `updated` (active again) first, then `created`, then the
    // older `updated` (past due): Stripe's state now is active.
    let order = [&renewed[1], &started[1], &failed[1], &failed[0]];
    for event in order {
        assert_eq!(fake.deliver_once(event).await.expect("deliver"), 200);
    }
    let now = status(&world.tenancy, &toledo).await;
    assert_eq!(now.plan, "municipio");
    assert_eq!(now.card.and_then(|c| c.status).as_deref(), Some("active"));
    assert_eq!(
        now.overdue_since, None,
        "a stale past-due event does not start dunning"
    );

    // Deleted before an older `updated`: it stays ended.
    let cancelled = fake.cancel(&sub).expect("cancelled");
    assert_eq!(
        fake.deliver_once(&cancelled[0]).await.expect("deleted"),
        200
    );
    assert_eq!(fake.deliver_once(&renewed[0]).await.expect("old paid"), 200);
    let ended = status(&world.tenancy, &toledo).await;
    let card = ended.card.expect("card");
    assert_eq!(card.status.as_deref(), Some("canceled"));
    let paid_through = card.paid_through.expect("paid through");
    assert_eq!(
        ended.overdue_since,
        Some(paid_through),
        "unpaid from the period's end"
    );
    assert_eq!(
        ended.held_from,
        Some(paid_through + time::Duration::days(30)),
        "then 30 days' grace"
    );
    assert_eq!(ended.plan, "municipio", "nothing taken away meanwhile");
}

#[tokio::test]
async fn a_missed_payment_warns_the_admins_then_holds_new_things_and_paying_lifts_it() {
    let (world, fake) = paying_world().await;
    let toledo = world.council("toledo").await;
    let mut admin = admin(&world).await;
    let session = checkout(&mut admin, "municipio", "monthly").await;
    let started = fake.complete_checkout(&session).expect("paid");
    fake.deliver(&started).await.expect("deliver");
    let sub = started[1]["data"]["object"]["id"]
        .as_str()
        .expect("subscription")
        .to_owned();
    fake.deliver(&fake.fail_payment(&sub).expect("failed"))
        .await
        .expect("deliver");

    let overdue = status(&world.tenancy, &toledo).await;
    let since = overdue.overdue_since.expect("overdue");
    assert_eq!(overdue.held_from, Some(since + time::Duration::days(30)));
    let page = admin.get(TOLEDO, "/staff/billing").await;
    assert!(
        page.body.contains("Hay un pago pendiente."),
        "{}",
        page.body
    );
    // The admin is told by mail once (the registration mail was the first).
    let link = world.link_in_mail("jefa@example.org", 2, "https://").await;
    assert_eq!(link, format!("https://{TOLEDO}/staff/billing"));
    let again = fake.fail_payment(&sub).expect("failed again");
    fake.deliver(&again).await.expect("deliver");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(world.mails_to("jefa@example.org").len(), 2, "told once");
    assert_eq!(
        status(&world.tenancy, &toledo).await.overdue_since,
        Some(since)
    );
    let home = Browser::new(&world.app).get(TOLEDO, "/").await;
    assert!(
        !home.body.contains("pago"),
        "citizens see no payment notice"
    );

    // The grace period over (moved back in time): processes wait.
    sqlx::query(
        "UPDATE platform.tenants SET held_from = now() - interval '1 minute' WHERE id = $1",
    )
    .bind(toledo.id.0)
    .execute(world.tenancy.pool())
    .await
    .expect("grace over");
    world.tenancy.changed(&toledo).await;
    let held = world
        .tenancy
        .get_tenant(&toledo.slug)
        .await
        .expect("council");
    let mut tx = world.tenancy.begin(&held).await.expect("begin");
    let created = cabildo_engine::processes::create(
        &mut tx,
        &cabildo_engine::staff::Actor("cli".into()),
        &cabildo_engine::processes::NewProcess {
            slug: "nuevo-plan".into(),
            title: "Nuevo".into(),
            summary: "Nuevo".into(),
            description: String::new(),
            district: None,
            rules: cabildo_engine::processes::Rules {
                create: cabildo_engine::processes::Who::Registered,
                support: cabildo_engine::processes::Who::Verified,
                organisations_may_support: false,
                support_threshold: 10,
            },
        },
    )
    .await;
    assert_eq!(
        created.err(),
        Some(cabildo_engine::Error::Plan(
            cabildo_tenancy::entitlements::Need::Payment
        ))
    );
    tx.rollback().await.expect("rollback");
    let page = admin.get(TOLEDO, "/staff/billing").await;
    assert!(
        page.body.contains("no se pueden empezar cosas nuevas"),
        "{}",
        page.body
    );

    // Paying lifts it at once.
    fake.deliver(&fake.renew(&sub).expect("renewed"))
        .await
        .expect("deliver");
    let paid = status(&world.tenancy, &toledo).await;
    assert_eq!((paid.overdue_since, paid.held_from), (None, None));
    let council = world
        .tenancy
        .get_tenant(&toledo.slug)
        .await
        .expect("council");
    assert!(!council.entitlements.expect("entitlements").held());
}

#[tokio::test]
async fn a_webhook_during_a_database_outage_is_applied_when_stripe_retries() {
    use cabildo_devkit::{LocalPostgres, PostgresOptions};
    let dir = std::env::temp_dir().join(format!("cabildo-stripe-outage-{}", uuid::Uuid::new_v4()));
    let options = |port| PostgresOptions {
        dir: dir.clone(),
        ephemeral: true,
        max_connections: 50,
        port,
        citus: false,
    };
    let postgres = LocalPostgres::start(options(None)).await.expect("postgres");
    let port = postgres.port();
    postgres.ensure_database("stripe").await.expect("database");
    let pool = cabildo_tenancy::PoolConfig {
        max_connections: 4,
        acquire_timeout: Duration::from_millis(500),
        ..cabildo_tenancy::PoolConfig::default()
    };
    let tenancy = Tenancy::connect(&postgres.url("stripe"), pool, None)
        .await
        .expect("connect");
    tenancy.migrate_platform().await.expect("platform");
    let valid = cabildo_tenancy::CouncilSpec::minimal("toledo", "Ayuntamiento de Toledo")
        .validate()
        .expect("valid");
    let toledo = tenancy
        .create(&valid, &cabildo_tenancy::TenantMigrations::embedded())
        .await
        .expect("create");
    apply_plans(&tenancy).await;
    let fake = fake_stripe(40).await;
    let stripe = stripe_for(&fake);
    let app = crate::util::app(
        &tenancy,
        WebConfig {
            stripe: Some(stripe.clone()),
            ..WebConfig::default()
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let web = listener.local_addr().expect("address").port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    fake.set_webhook_url(&format!("http://127.0.0.1:{web}/webhooks/stripe"));
    let municipio = shipped_plans()
        .into_iter()
        .find(|p| p.slug == "municipio")
        .expect("plan");
    let url = stripe
        .checkout(
            &tenancy,
            &toledo,
            &municipio,
            false,
            "jefa@toledo.es",
            "http://toledo.cabildo.test/staff/billing",
        )
        .await
        .expect("checkout")
        .expect("an address");
    let session = url.rsplit('/').next().expect("session").to_owned();
    let events = fake.complete_checkout(&session).expect("paid");

    postgres.stop().expect("stop");
    let delivering = {
        let events: Vec<Value> = events.clone();
        let fake = std::sync::Arc::new(fake);
        let sender = fake.clone();
        (
            fake,
            tokio::spawn(async move { sender.deliver(&events).await }),
        )
    };
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let postgres = LocalPostgres::start(options(Some(port)))
        .await
        .expect("restart");
    let statuses = delivering.1.await.expect("task").expect("deliver");
    assert_eq!(statuses, vec![200, 200, 200], "each applied on a retry");
    let applied = cabildo_billing::councils::status(&tenancy, &toledo)
        .await
        .expect("status");
    assert_eq!(applied.plan, "municipio");
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM platform.stripe_events")
        .fetch_one(tenancy.pool())
        .await
        .expect("events");
    assert_eq!(stored, 3, "each event once");
    drop(delivering.0);
    postgres.stop().expect("stop");
    let _ = std::fs::remove_dir_all(&dir);
}
