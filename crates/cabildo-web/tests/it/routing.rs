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
        trusted_proxies: vec![proxy.ip().into()],
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

/// A NUL byte in the path or query is refused with 400 before any SQL (it
/// used to reach PostgreSQL and answer 500); several `Host` headers are
/// refused; an absolute request target names the council, whatever `Host`
/// says (RFC 9112 §3.2.2).
#[tokio::test]
async fn nul_bytes_several_hosts_and_absolute_targets_follow_http() {
    let tenancy = demo_tenancy().await;
    let app = app(&tenancy, WebConfig::default());
    let toledo = format!("toledo.{BASE}");
    for path in [
        "/processes/%00",
        "/processes?district=%00",
        "/api/v1/processes/%00/proposals",
        "/api/v1/search?q=a%00b",
    ] {
        let answer = get(&app, &toledo, path).await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{path}: {}",
            answer.body
        );
    }
    let two = Request::get("/")
        .header("host", &toledo)
        .header("host", format!("talavera.{BASE}"))
        .body(Body::empty())
        .expect("request");
    assert_eq!(send(&app, two).await.status, StatusCode::BAD_REQUEST);
    let absolute = Request::get(format!("http://talavera.{BASE}/"))
        .header("host", &toledo)
        .body(Body::empty())
        .expect("request");
    let answer = send(&app, absolute).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.body.contains("Talavera") && !answer.body.contains("Toledo"));
}

/// Answers made for one person never go to a shared cache, and over HTTPS
/// browsers are told to stay on it.
#[tokio::test]
async fn personal_answers_are_private_and_https_is_strict() {
    let world = crate::util::world().await;
    let mut jefa = world
        .citizen("jefa")
        .staff(cabildo_engine::staff::Role::Admin)
        .await;
    for path in [
        "/staff",
        "/account/activity",
        "/account/verify",
        "/processes",
    ] {
        let answer = jefa.browser.get(crate::util::TOLEDO, path).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}");
        assert_eq!(
            answer.headers[axum::http::header::CACHE_CONTROL],
            "private, no-store",
            "{path}"
        );
    }
    let (status, _) = jefa
        .call(
            crate::util::TOLEDO,
            "GET",
            "/api/v1/me",
            serde_json::Value::Null,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let me = jefa
        .browser
        .json(
            crate::util::TOLEDO,
            "GET",
            "/api/v1/me",
            serde_json::Value::Null,
            None,
        )
        .await;
    assert_eq!(
        me.headers[axum::http::header::CACHE_CONTROL],
        "private, no-store"
    );
    let anonymous = get(&world.app, crate::util::TOLEDO, "/processes").await;
    assert!(
        !anonymous
            .headers
            .contains_key(axum::http::header::CACHE_CONTROL)
    );
    assert!(
        !anonymous
            .headers
            .contains_key(axum::http::header::STRICT_TRANSPORT_SECURITY)
    );

    let https = app(
        &world.tenancy,
        WebConfig {
            secure_cookies: true,
            ..WebConfig::default()
        },
    );
    let page = get(&https, crate::util::TOLEDO, "/").await;
    assert_eq!(
        page.headers[axum::http::header::STRICT_TRANSPORT_SECURITY],
        "max-age=31536000"
    );
}
