//! One-click unsubscribe on a council's site.

use crate::util::{BASE, app, demo_tenancy, get, send};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use cabildo_notify::unsubscribe::{List, Signer};
use cabildo_tenancy::{Slug, Tenancy, Tenant};
use cabildo_web::WebConfig;
use uuid::Uuid;

async fn subscriber(tenancy: &Tenancy, slug: &str, email: &str) -> (Tenant, Uuid) {
    let tenant = tenancy
        .get_tenant(&Slug::parse(slug).expect("slug"))
        .await
        .expect("council");
    let mut tx = tenancy.begin(&tenant).await.expect("begin");
    let id = sqlx::query_scalar("INSERT INTO users (email, name, newsletter_consent, notify_email) VALUES ($1, 'Ana', true, 'daily') RETURNING id")
        .bind(email)
        .fetch_one(tx.conn())
        .await
        .expect("user");
    tx.commit().await.expect("commit");
    (tenant, id)
}

async fn subscribed(tenancy: &Tenancy, tenant: &Tenant, user: Uuid) -> (bool, String) {
    let mut tx = tenancy.begin(tenant).await.expect("begin");
    let row = sqlx::query_as("SELECT newsletter_consent, notify_email FROM users WHERE id = $1")
        .bind(user)
        .fetch_one(tx.conn())
        .await
        .expect("user");
    tx.commit().await.expect("commit");
    row
}

fn path(link: &str) -> &str {
    &link[link.find("/unsubscribe").expect("path")..]
}

#[tokio::test]
async fn a_signed_link_unsubscribes_in_one_click_and_nothing_else_does() {
    let tenancy = demo_tenancy().await;
    let signer = Signer::new(b"another secret that is long enough!").expect("signer");
    let app = app(
        &tenancy,
        WebConfig {
            unsubscribe: Some(signer.clone()),
            ..WebConfig::default()
        },
    );
    let (toledo, ana) = subscriber(&tenancy, "toledo", "ana@example.org").await;
    let (talavera, luis) = subscriber(&tenancy, "talavera", "luis@example.org").await;
    let toledo_host = format!("toledo.{BASE}");
    let link = signer.link("https://toledo.example", toledo.id, ana, List::Newsletter);

    // GET only asks (mail scanners follow links).
    let page = get(&app, &toledo_host, path(&link)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<form method=\"post\""), "{}", page.body);
    assert!(page.body.contains("Ayuntamiento de Toledo"));
    assert_eq!(
        subscribed(&tenancy, &toledo, ana).await,
        (true, "daily".into())
    );

    // Tampered, for another list, or replayed on another council: refused.
    let tampered = path(&link).replace("&t=", "&t=0");
    let other_list = path(&link).replace("l=newsletter", "l=notifications");
    let another_person = path(&link).replace(&ana.to_string(), &luis.to_string());
    for (host, path) in [
        (toledo_host.as_str(), tampered.as_str()),
        (toledo_host.as_str(), other_list.as_str()),
        (toledo_host.as_str(), another_person.as_str()),
        (&format!("talavera.{BASE}"), path(&link)),
        (toledo_host.as_str(), "/unsubscribe"),
        (toledo_host.as_str(), "/unsubscribe?u=x&l=newsletter&t=zz"),
    ] {
        let request = Request::post(path)
            .header("host", host)
            .body(Body::from("List-Unsubscribe=One-Click"))
            .expect("req");
        let answer = send(&app, request).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{host}{path}");
    }
    assert_eq!(
        subscribed(&tenancy, &toledo, ana).await,
        (true, "daily".into())
    );
    assert_eq!(
        subscribed(&tenancy, &talavera, luis).await,
        (true, "daily".into())
    );

    // The RFC 8058 one-click POST, as a mail client sends it.
    let request = Request::post(path(&link))
        .header("host", &toledo_host)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from("List-Unsubscribe=One-Click"))
        .expect("req");
    let done = send(&app, request).await;
    assert_eq!(done.status, StatusCode::OK);
    assert!(
        done.body
            .contains("Ya no recibirás estos correos del Ayuntamiento de Toledo"),
        "{}",
        done.body
    );
    assert_eq!(
        subscribed(&tenancy, &toledo, ana).await,
        (false, "daily".into())
    );
    // Again: still fine, nothing else changes.
    let request = Request::post(path(&link))
        .header("host", &toledo_host)
        .body(Body::empty())
        .expect("req");
    assert_eq!(send(&app, request).await.status, StatusCode::OK);

    let notifications = signer.link(
        "https://toledo.example",
        toledo.id,
        ana,
        List::Notifications,
    );
    let request = Request::post(path(&notifications))
        .header("host", &toledo_host)
        .body(Body::empty())
        .expect("req");
    assert_eq!(send(&app, request).await.status, StatusCode::OK);
    assert_eq!(
        subscribed(&tenancy, &toledo, ana).await,
        (false, "none".into())
    );
}

#[tokio::test]
async fn without_a_secret_key_there_is_no_unsubscribe_page() {
    let tenancy = demo_tenancy().await;
    let app = app(&tenancy, WebConfig::default());
    assert_eq!(
        get(
            &app,
            &format!("toledo.{BASE}"),
            "/unsubscribe?u=x&l=newsletter&t=00"
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
}
