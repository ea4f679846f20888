//! Councils' own domains, checked against a real DNS server on loopback.

use cabildo_devkit::dns::DnsServer;
use cabildo_tenancy::domains::{Check, DnsConfig, DomainChecker, DomainRefusal, MAX_DOMAINS};
use cabildo_tenancy::testing::{council, fresh_tenancy};
use cabildo_tenancy::{Resolver, ResolverConfig, Site};
use std::net::IpAddr;
use std::time::Duration;

const BASE: &str = "cabildo.test";
const TARGET: &str = "sites.cabildo.test";

fn platform_address() -> IpAddr {
    IpAddr::from([192, 0, 2, 10])
}

async fn dns() -> (DnsServer, DomainChecker) {
    let server = DnsServer::start().await.expect("dns server");
    server.set_addresses(TARGET, &[platform_address()]);
    let checker = DomainChecker::new(&DnsConfig {
        server: Some(server.address()),
        target: TARGET.to_owned(),
        timeout: Duration::from_secs(2),
    })
    .expect("checker");
    (server, checker)
}

async fn served_by(resolver: &Resolver, host: &str) -> Option<(String, Option<String>)> {
    match resolver.resolve(host).await.expect(host) {
        Some(Site::Council(tenant)) => Some((tenant.slug.to_string(), tenant.domain.clone())),
        _ => None,
    }
}

#[tokio::test]
async fn a_domain_serves_the_council_once_both_records_are_in_place() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let toledo = council(&tenancy, "toledo").await.expect("toledo");
    let (server, checker) = dns().await;
    let resolver = Resolver::new(tenancy.clone(), ResolverConfig::new(BASE));

    let domain = tenancy
        .add_domain(&toledo, "https://Participa.Toledo.es/", BASE)
        .await
        .expect("add")
        .expect("accepted");
    assert_eq!(domain.host, "participa.toledo.es");
    assert_eq!(domain.txt_name(), "_cabildo.participa.toledo.es");
    let txt = domain.txt_value().expect("token");
    assert!(txt.starts_with("cabildo-verification="), "{txt}");

    // Nothing published yet.
    let check = |host: &'static str| {
        let (tenancy, toledo, checker) = (tenancy.clone(), toledo.clone(), checker.clone());
        async move {
            let (domain, check) = tenancy
                .check_domain(&toledo, host, &checker)
                .await
                .expect("check")
                .expect("known domain");
            (domain, check)
        }
    };
    assert_eq!(check("participa.toledo.es").await.1, Check::TxtMissing);
    assert_eq!(served_by(&resolver, "participa.toledo.es").await, None);

    // Someone else's token does not prove anything.
    server.set_txt(
        "_cabildo.participa.toledo.es",
        &["cabildo-verification=0123456789abcdef0123456789abcdef"],
    );
    assert_eq!(check("participa.toledo.es").await.1, Check::TxtMissing);

    // The right token, but the domain still points elsewhere.
    server.set_txt("_cabildo.participa.toledo.es", &["v=spf1 -all", &txt]);
    server.set_addresses("participa.toledo.es", &[IpAddr::from([198, 51, 100, 7])]);
    let (domain, found) = check("participa.toledo.es").await;
    assert_eq!(found, Check::NotPointing);
    assert!(domain.verified_at.is_none());
    assert_eq!(domain.last_check.map(|(_, c)| c), Some(Check::NotPointing));

    // The CNAME the page asks for: verified, served, and the one the
    // subdomain now leads to.
    server.remove("participa.toledo.es");
    server
        .set_cname("participa.toledo.es", TARGET)
        .expect("cname");
    let (domain, found) = check("participa.toledo.es").await;
    assert_eq!(found, Check::Verified);
    assert!(domain.verified_at.is_some() && domain.primary);
    let expected = Some(("toledo".to_owned(), Some("participa.toledo.es".to_owned())));
    assert_eq!(served_by(&resolver, "participa.toledo.es").await, expected);
    assert_eq!(served_by(&resolver, "toledo.cabildo.test").await, expected);
    assert!(
        tenancy
            .tls_allowed("participa.toledo.es", BASE)
            .await
            .expect("ask")
    );

    // A DNS hiccup later does not take the site down.
    server.remove("_cabildo.participa.toledo.es");
    let (domain, found) = check("participa.toledo.es").await;
    assert_eq!(found, Check::TxtMissing);
    assert!(domain.verified_at.is_some() && domain.primary);

    // An apex domain with A records of the platform's address also passes;
    // it does not replace the domain the site is served on.
    let apex = tenancy
        .add_domain(&toledo, "toledo.es", BASE)
        .await
        .expect("add")
        .expect("accepted");
    server.set_txt("_cabildo.toledo.es", &[&apex.txt_value().expect("token")]);
    server.set_addresses("toledo.es", &[platform_address()]);
    let (apex, found) = check("toledo.es").await;
    assert_eq!(found, Check::Verified);
    assert!(!apex.primary);
    assert_eq!(
        served_by(&resolver, "toledo.es").await,
        Some(("toledo".to_owned(), Some("participa.toledo.es".to_owned())))
    );

    // Making it primary, then removing it, falls back to the other one.
    tenancy
        .make_primary(&toledo, "toledo.es")
        .await
        .expect("primary")
        .expect("verified");
    assert_eq!(
        served_by(&resolver, "toledo.cabildo.test").await,
        Some(("toledo".to_owned(), Some("toledo.es".to_owned())))
    );
    tenancy
        .remove_domain(&toledo, "toledo.es")
        .await
        .expect("remove")
        .expect("known");
    assert_eq!(served_by(&resolver, "toledo.es").await, None);
    assert!(!tenancy.tls_allowed("toledo.es", BASE).await.expect("ask"));
    assert_eq!(
        served_by(&resolver, "toledo.cabildo.test").await,
        Some(("toledo".to_owned(), Some("participa.toledo.es".to_owned())))
    );
    tenancy
        .remove_domain(&toledo, "participa.toledo.es")
        .await
        .expect("remove")
        .expect("known");
    assert_eq!(
        served_by(&resolver, "toledo.cabildo.test").await,
        Some(("toledo".to_owned(), None))
    );
}

#[tokio::test]
async fn claims_are_refused_with_a_reason_and_only_one_council_can_verify() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let toledo = council(&tenancy, "toledo").await.expect("toledo");
    let talavera = council(&tenancy, "talavera").await.expect("talavera");
    let (server, checker) = dns().await;

    let refused = async |tenant, raw: &str| {
        tenancy
            .add_domain(tenant, raw, BASE)
            .await
            .expect("add")
            .err()
    };
    assert_eq!(
        refused(&toledo, "not a domain").await,
        Some(DomainRefusal::Invalid)
    );
    assert_eq!(
        refused(&toledo, "192.0.2.1").await,
        Some(DomainRefusal::Invalid)
    );
    assert_eq!(
        refused(&toledo, "talavera.cabildo.test").await,
        Some(DomainRefusal::Platform)
    );

    // Talavera claims Toledo's domain first: that blocks nothing.
    let squatted = tenancy
        .add_domain(&talavera, "participa.toledo.es", BASE)
        .await
        .expect("add")
        .expect("claims are free until verified");
    let claim = tenancy
        .add_domain(&toledo, "participa.toledo.es", BASE)
        .await
        .expect("add")
        .expect("a second claim");
    assert_ne!(squatted.txt_value(), claim.txt_value());
    assert_eq!(
        refused(&toledo, "participa.toledo.es").await,
        Some(DomainRefusal::Exists)
    );

    // Toledo controls the DNS, so only its token is published.
    server.set_txt(
        "_cabildo.participa.toledo.es",
        &[&claim.txt_value().expect("token")],
    );
    server
        .set_cname("participa.toledo.es", TARGET)
        .expect("cname");
    let talavera_check = tenancy
        .check_domain(&talavera, "participa.toledo.es", &checker)
        .await
        .expect("check")
        .expect("known");
    assert_eq!(talavera_check.1, Check::TxtMissing);
    let toledo_check = tenancy
        .check_domain(&toledo, "participa.toledo.es", &checker)
        .await
        .expect("check")
        .expect("known");
    assert_eq!(toledo_check.1, Check::Verified);
    // Now it is taken for everyone else, even with both tokens published.
    server.set_txt(
        "_cabildo.participa.toledo.es",
        &[
            &claim.txt_value().expect("token"),
            &squatted.txt_value().expect("token"),
        ],
    );
    assert_eq!(
        tenancy
            .check_domain(&talavera, "participa.toledo.es", &checker)
            .await
            .expect("check")
            .err(),
        Some(DomainRefusal::Taken)
    );
    assert_eq!(
        refused(&talavera, "participa.toledo.es").await,
        Some(DomainRefusal::Exists)
    );
    let other = council(&tenancy, "other").await.expect("other");
    assert_eq!(
        refused(&other, "participa.toledo.es").await,
        Some(DomainRefusal::Taken)
    );
    // Another council cannot see, check, promote or remove Toledo's.
    let talavera_sees: Vec<_> = (tenancy.domains(&talavera).await.expect("list"))
        .into_iter()
        .map(|d| (d.host, d.verified_at.is_some()))
        .collect();
    assert_eq!(talavera_sees, [("participa.toledo.es".to_owned(), false)]);
    assert_eq!(
        tenancy
            .make_primary(&talavera, "participa.toledo.es")
            .await
            .expect("primary")
            .err(),
        Some(DomainRefusal::Unverified)
    );
    assert_eq!(
        tenancy
            .remove_domain(&other, "participa.toledo.es")
            .await
            .expect("remove")
            .err(),
        Some(DomainRefusal::Unknown)
    );
    assert_eq!(tenancy.domains(&toledo).await.expect("list").len(), 1);

    // At most MAX_DOMAINS per council.
    for i in 1..MAX_DOMAINS {
        tenancy
            .add_domain(&toledo, &format!("d{i}.toledo.es"), BASE)
            .await
            .expect("add")
            .expect("under the limit");
    }
    assert_eq!(
        refused(&toledo, "more.toledo.es").await,
        Some(DomainRefusal::Limit)
    );

    // Names that are ours are allowed certificates; others are not.
    for (host, allowed) in [
        ("cabildo.test", true),
        ("www.cabildo.test", true),
        ("toledo.cabildo.test", true),
        ("madrid.cabildo.test", false),
        ("a.toledo.cabildo.test", false),
        ("participa.toledo.es", true),
        ("d1.toledo.es", false),
        ("192.0.2.1", false),
        ("", false),
    ] {
        assert_eq!(
            tenancy.tls_allowed(host, BASE).await.expect("ask"),
            allowed,
            "{host}"
        );
    }
}

#[tokio::test]
async fn a_dns_server_that_does_not_answer_is_reported_not_guessed() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let toledo = council(&tenancy, "toledo").await.expect("toledo");
    // A UDP port nobody answers on.
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").expect("socket");
    let checker = DomainChecker::new(&DnsConfig {
        server: Some(silent.local_addr().expect("address")),
        target: TARGET.to_owned(),
        timeout: Duration::from_millis(300),
    })
    .expect("checker");
    tenancy
        .add_domain(&toledo, "participa.toledo.es", BASE)
        .await
        .expect("add")
        .expect("accepted");
    let (domain, check) = tenancy
        .check_domain(&toledo, "participa.toledo.es", &checker)
        .await
        .expect("check")
        .expect("known");
    assert_eq!(check, Check::LookupFailed);
    assert!(domain.verified_at.is_none());
}

#[tokio::test]
async fn a_plan_without_own_domains_refuses_new_ones_and_keeps_the_old() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let toledo = council(&tenancy, "toledo").await.expect("toledo");
    tenancy
        .add_domain(&toledo, "participa.toledo.es", BASE)
        .await
        .expect("add")
        .expect("no plan: allowed");
    sqlx::query("UPDATE platform.tenants SET entitlements = $2 WHERE id = $1")
        .bind(toledo.id.0)
        .bind(serde_json::json!({"features": ["budgets"], "limits": {}}))
        .execute(tenancy.pool())
        .await
        .expect("plan");
    let on_plan = tenancy.get_tenant(&toledo.slug).await.expect("toledo");
    assert_eq!(
        tenancy
            .add_domain(&on_plan, "toledo.es", BASE)
            .await
            .expect("add")
            .err(),
        Some(DomainRefusal::PlanRequired)
    );
    let kept: Vec<String> = (tenancy.domains(&on_plan).await.expect("list"))
        .into_iter()
        .map(|d| d.host)
        .collect();
    assert_eq!(kept, ["participa.toledo.es"]);
}
