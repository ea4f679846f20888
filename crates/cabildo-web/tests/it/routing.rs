//! Hosts at the HTTP level: hostile values, unknown councils, proxies.

use crate::util::{BASE, app, demo_tenancy, get, send};
use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{HeaderValue, Request, StatusCode};
use cabildo_web::WebConfig;
use std::net::SocketAddr;

#[tokio::test]
async fn an_unknown_council_gets_a_404_that_reveals_nothing() {
    let tenancy = demo_tenancy().await;
    let app = app(&tenancy, WebConfig::default());
    for host in [
        format!("madrid.{BASE}"),
        format!("a.toledo.{BASE}"),
        format!("admin.{BASE}"),
        "127.0.0.1:8080".into(),
        "[::1]:8080".into(),
        "other-domain.example".into(),
    ] {
        let page = get(&app, &host, "/").await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{host}");
        assert!(page.body.contains("Página no encontrada"), "{host}");
        let lowered = page.body.to_lowercase();
        for secret in [
            "toledo",
            "talavera",
            "madrid",
            "admin",
            "127.0.0.1",
            "other-domain",
        ] {
            assert!(
                !lowered.contains(secret),
                "{host}: the page mentions {secret}"
            );
        }
    }
    // Styled like every page: the stylesheet answers on any host.
    let css = get(&app, &format!("madrid.{BASE}"), "/static/cabildo.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.body.contains("--primary"));
    // Unknown paths on a real council look the same.
    let missing = get(&app, &format!("toledo.{BASE}"), "/no/such/page").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn hostile_host_headers_get_400_never_500_nor_another_council() {
    let tenancy = demo_tenancy().await;
    let app = app(&tenancy, WebConfig::default());
    let mut bad: Vec<HeaderValue> = [
        "",
        "   ",
        "to ledo.cabildo.test",
        "toledo.cabildo.test:http",
        "toledo..cabildo.test",
        "[::1",
        "toledo.cabildo.test/evil",
    ]
    .iter()
    .map(|h| HeaderValue::from_str(h).expect("header"))
    .collect();
    bad.push(HeaderValue::from_str(&format!("{}.{BASE}", "a".repeat(300))).expect("long"));
    bad.push(HeaderValue::from_bytes("toledó.cabildo.test".as_bytes()).expect("obs-text"));
    for host in bad {
        let request = Request::get("/")
            .header("host", host.clone())
            .body(Body::empty())
            .expect("req");
        let answer = send(&app, request).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{host:?}");
        assert!(!answer.body.contains("Toledo"));
    }
    // No Host header at all.
    let answer = send(&app, Request::get("/").body(Body::empty()).expect("req")).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    // Case, port and trailing dot are normalised, not refused.
    for host in [
        "TOLEDO.CABILDO.TEST",
        "toledo.cabildo.test:8080",
        "toledo.cabildo.test.",
    ] {
        let page = get(&app, host, "/").await;
        assert_eq!(page.status, StatusCode::OK, "{host}");
        assert!(page.body.contains("Ayuntamiento de Toledo"));
    }
}

#[tokio::test]
async fn x_forwarded_host_is_believed_only_from_trusted_proxies() {
    let tenancy = demo_tenancy().await;
    let proxy: SocketAddr = "127.0.0.9:40000".parse().expect("addr");
    let stranger: SocketAddr = "127.0.0.7:40000".parse().expect("addr");
    let config = WebConfig {
        trusted_proxies: vec![proxy.ip()],
        ..WebConfig::default()
    };

    let request = || {
        Request::get("/")
            .header("host", format!("toledo.{BASE}"))
            .header("x-forwarded-host", format!("talavera.{BASE}"))
            .body(Body::empty())
            .expect("req")
    };
    let from_stranger = app(&tenancy, config.clone()).layer(MockConnectInfo(stranger));
    let page = send(&from_stranger, request()).await;
    assert!(
        page.body.contains("Ayuntamiento de Toledo"),
        "untrusted X-Forwarded-Host ignored"
    );

    let from_proxy = app(&tenancy, config.clone()).layer(MockConnectInfo(proxy));
    let page = send(&from_proxy, request()).await;
    assert!(
        page.body.contains("Talavera de la Reina"),
        "trusted proxy's X-Forwarded-Host used"
    );

    // Without connection info (in-process use), nothing is trusted.
    let page = send(&app(&tenancy, config), request()).await;
    assert!(page.body.contains("Ayuntamiento de Toledo"));
}
