//! `/staff/domains`: an admin adds the council's own domain, is shown the
//! DNS records, checks them against a real DNS server on loopback; once
//! verified the domain serves the council, the subdomain redirects there
//! permanently, mail links use it, and reverse proxies may get a
//! certificate for it. Bad domains are refused in words; other councils
//! neither see nor can take it.

use crate::util::{Browser, TALAVERA, TOLEDO, logged_in, world_with_domains};
use axum::http::{StatusCode, header};
use cabildo_devkit::dns::DnsServer;
use cabildo_engine::staff::Role;
use cabildo_tenancy::domains::{DnsConfig, DomainChecker};
use std::net::IpAddr;
use std::time::Duration;

const DOMAIN: &str = "participa.toledo.es";
const TARGET: &str = "sites.cabildo.test";

/// The value of the TXT record the page asks for.
fn txt_value(page: &str) -> String {
    let start = page
        .find("cabildo-verification=")
        .expect("TXT value on the page");
    page[start..].split('<').next().expect("value").to_owned()
}

#[tokio::test]
async fn an_admin_serves_the_site_on_the_councils_own_domain() {
    let dns = DnsServer::start().await.expect("dns");
    dns.set_addresses(TARGET, &[IpAddr::from([192, 0, 2, 10])]);
    let checker = DomainChecker::new(&DnsConfig {
        server: Some(dns.address()),
        target: TARGET.to_owned(),
        timeout: Duration::from_secs(2),
    })
    .expect("checker");
    let world = world_with_domains(checker).await;
    let mut admin = world.citizen("jefa").staff(Role::Admin).await.browser;
    let mut moderator = world.citizen("mod").staff(Role::Moderator).await.browser;

    let page = admin.get(TOLEDO, "/staff/domains").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("toledo.cabildo.test"), "{}", page.body);
    assert!(page.body.contains("Todavía no hay dominio propio"));
    assert!(
        admin
            .get(TOLEDO, "/staff/settings")
            .await
            .body
            .contains("href=\"/staff/domains\""),
        "linked from the settings"
    );
    assert_eq!(
        moderator.get(TOLEDO, "/staff/domains").await.status,
        StatusCode::FORBIDDEN
    );
    let sent = moderator
        .submit(TOLEDO, "/staff", "/staff/domains", &[("domain", DOMAIN)])
        .await;
    assert_eq!(sent.status, StatusCode::FORBIDDEN);

    // Refused in words; what was typed is kept.
    for (typed, words, status) in [
        ("no es un dominio", "no es un nombre de dominio", 422),
        ("192.0.2.1", "no es un nombre de dominio", 422),
        (
            "talavera.cabildo.test",
            "dirección de la propia plataforma",
            422,
        ),
    ] {
        let refused = admin
            .submit(
                TOLEDO,
                "/staff/domains",
                "/staff/domains",
                &[("domain", typed)],
            )
            .await;
        assert_eq!(refused.status.as_u16(), status, "{typed}");
        assert!(refused.body.contains(words), "{typed}: {}", refused.body);
        assert!(
            refused.body.contains(&format!("value=\"{typed}\"")),
            "{typed}"
        );
    }

    let added = admin
        .submit(
            TOLEDO,
            "/staff/domains",
            "/staff/domains",
            &[("domain", "https://Participa.Toledo.es/")],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    let page = admin.get(TOLEDO, "/staff/domains?done=added").await;
    assert!(page.body.contains("Dominio añadido"));
    assert!(page.body.contains("Pendiente de los registros DNS"));
    assert!(page.body.contains("_cabildo.participa.toledo.es"));
    assert!(
        page.body.contains("sites.cabildo.test."),
        "the CNAME target"
    );
    let txt = txt_value(&page.body);
    crate::accessibility::check(&mut admin, "/staff/domains").await;

    // Checked before the records exist: explained, nothing served.
    let check = async |admin: &mut Browser| {
        admin
            .submit(
                TOLEDO,
                "/staff/domains",
                "/staff/domains/check",
                &[("domain", DOMAIN)],
            )
            .await
    };
    let early = check(&mut admin).await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        early.body.contains("no se ha encontrado el registro TXT"),
        "{}",
        early.body
    );
    let mut visitor = Browser::new(&world.app);
    assert_eq!(visitor.get(DOMAIN, "/").await.status, StatusCode::NOT_FOUND);
    assert_eq!(visitor.get(TOLEDO, "/").await.status, StatusCode::OK);

    dns.set_txt(&format!("_cabildo.{DOMAIN}"), &[&txt]);
    let pointing_elsewhere = check(&mut admin).await;
    assert!(
        pointing_elsewhere
            .body
            .contains("aún no apunta a la plataforma"),
        "{}",
        pointing_elsewhere.body
    );
    dns.set_cname(DOMAIN, TARGET).expect("cname");
    let verified = check(&mut admin).await;
    assert_eq!(verified.status, StatusCode::SEE_OTHER, "{}", verified.body);
    assert_eq!(
        verified.headers[header::LOCATION],
        "/staff/domains?done=verified"
    );

    // The domain serves the council; the subdomain redirects there for
    // good, path and query kept; forms keep their method (308).
    let home = visitor.get(DOMAIN, "/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("Toledo"));
    let moved = visitor.get(TOLEDO, "/procesos?page=2").await;
    assert_eq!(moved.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(
        moved.headers[header::LOCATION],
        // The test world serves plain HTTP (`secure_cookies` off).
        "http://participa.toledo.es/procesos?page=2"
    );
    assert_eq!(
        moved.headers[header::CACHE_CONTROL],
        "public, max-age=86400"
    );
    let posted = visitor.post(TOLEDO, "/account/login", &[]).await;
    assert_eq!(posted.status, StatusCode::PERMANENT_REDIRECT);
    // The admin's session belongs to the old address: on the new one they
    // sign in again and come back to the page they asked for.
    let back = admin.get(TOLEDO, "/staff/domains?done=verified").await;
    assert_eq!(back.status, StatusCode::MOVED_PERMANENTLY);
    let there = admin.get(DOMAIN, "/staff/domains?done=verified").await;
    let login = there.headers[header::LOCATION].to_str().expect("location");
    assert!(login.contains("login"), "{login}");

    // Mail sent now links to the domain: someone registers there.
    let mut newcomer = Browser::new(&world.app);
    logged_in(
        &world,
        &mut newcomer,
        DOMAIN,
        "nueva",
        "nueva@example.org",
        1,
    )
    .await;

    // Reverse proxies may get a certificate for it, not for others.
    let mut proxy = Browser::new(&world.app);
    for (domain, status) in [
        (DOMAIN, StatusCode::OK),
        ("toledo.cabildo.test", StatusCode::OK),
        ("otro.example.es", StatusCode::NOT_FOUND),
        ("", StatusCode::BAD_REQUEST),
    ] {
        let asked = proxy
            .get(
                "cabildo.test",
                &format!("/internal/tls-allowed?domain={domain}"),
            )
            .await;
        assert_eq!(asked.status, status, "{domain}");
    }
    assert_eq!(
        proxy
            .get(DOMAIN, &format!("/internal/tls-allowed?domain={DOMAIN}"))
            .await
            .status,
        StatusCode::NOT_FOUND,
        "not on a council's host"
    );

    // Talavera neither sees nor can take it.
    let mut talavera = world
        .citizen("alcalde")
        .on(TALAVERA)
        .staff(Role::Admin)
        .await
        .browser;
    let theirs = talavera.get(TALAVERA, "/staff/domains").await;
    // (The form's hint names it as an example.)
    assert!(theirs.body.contains("Todavía no hay dominio propio"));
    assert!(!theirs.body.contains("_cabildo."), "{}", theirs.body);
    let taken = talavera
        .submit(
            TALAVERA,
            "/staff/domains",
            "/staff/domains",
            &[("domain", DOMAIN)],
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    assert!(
        taken.body.contains("Otro ayuntamiento ya sirve"),
        "{}",
        taken.body
    );
    let removed = talavera
        .submit(
            TALAVERA,
            "/staff/domains",
            "/staff/domains/remove",
            &[("domain", DOMAIN)],
        )
        .await;
    assert_eq!(removed.status, StatusCode::NOT_FOUND);
    assert_eq!(visitor.get(DOMAIN, "/").await.status, StatusCode::OK);

    // A plan without own domains: explained on the page (naming the
    // first offered plan that has them), refused on post.
    crate::util::apply_plans(&world.tenancy).await;
    let council = world.council("talavera").await;
    sqlx::query("UPDATE platform.tenants SET entitlements = $2 WHERE id = $1")
        .bind(council.id.0)
        .bind(serde_json::json!({"features": ["budgets"], "limits": {}}))
        .execute(world.tenancy.pool())
        .await
        .expect("plan");
    world.tenancy.changed(&council).await;
    let page = talavera.get(TALAVERA, "/staff/domains").await;
    assert!(
        page.body.contains(
            "El plan del ayuntamiento no incluye dominio propio. El plan Municipio lo incluye."
        ),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("href=\"/staff/billing\""),
        "{}",
        page.body
    );
    assert!(!page.body.contains("id=\"d-domain\""), "no form to add one");
    let csrf = crate::util::csrf_of(&page.body);
    let fields = [
        ("csrf_token", csrf.as_str()),
        ("domain", "participa.talavera.es"),
    ];
    let refused = talavera.post(TALAVERA, "/staff/domains", &fields).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused.body.contains("El plan Municipio lo incluye."),
        "{}",
        refused.body
    );

    // Removing it puts the site back on its subdomain.
    let mut on_domain = Browser::new(&world.app);
    logged_in(
        &world,
        &mut on_domain,
        DOMAIN,
        "jefa3",
        "jefa3@example.org",
        1,
    )
    .await;
    world
        .grant("toledo", "jefa3@example.org", Role::Admin)
        .await;
    let audit = on_domain.get(DOMAIN, "/staff/audit").await;
    assert!(
        audit.body.contains("Verificó un dominio propio"),
        "{}",
        audit.body
    );
    let gone = on_domain
        .submit(
            DOMAIN,
            "/staff/domains",
            "/staff/domains/remove",
            &[("domain", DOMAIN)],
        )
        .await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    assert_eq!(visitor.get(TOLEDO, "/").await.status, StatusCode::OK);
    assert_eq!(visitor.get(DOMAIN, "/").await.status, StatusCode::NOT_FOUND);
}
