//! What visitors see on council and platform sites.

use crate::util::{BASE, app, demo_tenancy, get, send};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use cabildo_tenancy::{Resolver, ResolverConfig};
use cabildo_tenancy::{Slug, TenantStatus};
use cabildo_web::WebConfig;

#[tokio::test]
async fn each_council_home_shows_its_own_name_colours_and_districts() {
    let tenancy = demo_tenancy().await;
    let app = app(&tenancy, WebConfig::default());

    let toledo = get(&app, &format!("toledo.{BASE}"), "/").await;
    assert_eq!(toledo.status, StatusCode::OK);
    assert!(
        toledo.body.contains("<html lang=\"es\">"),
        "{}",
        toledo.body
    );
    assert!(toledo.body.contains("<h1>Ayuntamiento de Toledo</h1>"));
    assert!(toledo.body.contains("Casco Histórico"));
    assert!(toledo.body.contains("22.000 personas empadronadas"));
    assert!(
        toledo.body.contains("hreflang=\"en\""),
        "English is offered"
    );
    assert!(
        toledo.body.contains("Todavía no hay ningún proceso"),
        "empty state"
    );
    assert!(!toledo.body.contains("Talavera"));

    let talavera = get(&app, &format!("talavera.{BASE}"), "/").await;
    assert!(
        talavera
            .body
            .contains("Ayuntamiento de Talavera de la Reina")
    );
    assert!(talavera.body.contains("La Solana"));
    assert!(
        !talavera.body.contains("Casco Histórico"),
        "no data of another council"
    );

    let theme = get(&app, &format!("toledo.{BASE}"), "/theme.css").await;
    assert_eq!(theme.status, StatusCode::OK);
    assert!(theme.body.contains("--primary: #8a1538"));
    // Text on each colour is chosen for contrast: white on Toledo's dark
    // red, black on its gold (white on it was 2.4:1).
    assert!(
        theme
            .body
            .contains("--on-primary: #ffffff; --on-accent: #000000"),
        "{}",
        theme.body
    );
    let theme = get(&app, &format!("talavera.{BASE}"), "/theme.css").await;
    assert!(theme.body.contains("--primary: #1f5f8b"));
}

/// Sentences name the council with its article ("del Ayuntamiento de
/// Toledo", not "de Ayuntamiento de Toledo"), and a page that is not there,
/// or any other message, keeps the council's header, colours and footer
/// with a way on.
#[tokio::test]
async fn council_pages_name_the_council_with_its_article_and_messages_stay_branded() {
    let tenancy = demo_tenancy().await;
    let app = app(&tenancy, WebConfig::default());
    let host = format!("toledo.{BASE}");
    let register = get(&app, &host, "/account/register").await;
    assert!(
        register
            .body
            .contains("sitio de participación del Ayuntamiento de Toledo"),
        "{}",
        register.body
    );
    assert!(!register.body.contains("de Ayuntamiento de Toledo"));

    for path in [
        "/no-such-page",
        "/proposals/00000000-0000-0000-0000-000000000000",
    ] {
        let missing = get(&app, &host, path).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{path}");
        for part in [
            "<a class=\"site-name\" href=\"/\">Ayuntamiento de Toledo</a>",
            "href=\"/theme.css\"",
            "href=\"/legal/privacy\"",
            "Página no encontrada",
            "<a href=\"/\">",
        ] {
            assert!(
                missing.body.contains(part),
                "{path}: {part} in {}",
                missing.body
            );
        }
    }
    // No council: nothing to brand, nothing revealed.
    let unknown = get(&app, &format!("madrid.{BASE}"), "/").await;
    assert!(!unknown.body.contains("site-name") && !unknown.body.contains("/legal/"));
}

/// Every site has an icon (the council's initial on its colour), and a
/// council with a logo shows it in the header of its pages.
#[tokio::test]
async fn sites_have_an_icon_and_a_council_its_logo_in_the_header() {
    let tenancy = demo_tenancy().await;
    let toledo = tenancy
        .get_tenant(&Slug::parse("toledo").expect("slug"))
        .await
        .expect("toledo");
    let mut tx = tenancy.begin(&toledo).await.expect("begin");
    sqlx::query("UPDATE settings SET logo = 'escudo-toledo.png'")
        .execute(tx.conn())
        .await
        .expect("logo");
    tx.commit().await.expect("commit");
    let app = app(&tenancy, WebConfig::default());

    let icon = get(&app, &format!("toledo.{BASE}"), "/favicon.svg").await;
    assert_eq!(icon.status, StatusCode::OK);
    assert_eq!(icon.headers["content-type"], "image/svg+xml");
    assert!(
        icon.body.contains("fill=\"#8a1538\"") && icon.body.contains(">T</text>"),
        "{}",
        icon.body
    );
    let platform = get(&app, BASE, "/favicon.svg").await;
    assert!(platform.body.contains(">C</text>"), "{}", platform.body);
    // What pages link to: the drawn icon while none is uploaded.
    let linked = get(&app, BASE, "/favicon").await;
    assert_eq!(linked.headers["content-type"], "image/svg+xml");
    assert!(linked.body.contains(">C</text>"), "{}", linked.body);

    let home = get(&app, &format!("toledo.{BASE}"), "/").await;
    assert!(home.body.contains("<link rel=\"icon\" href=\"/favicon\">"));
    assert!(
        home.body
            .contains("<img class=\"logo\" src=\"/media/escudo-toledo.png\" alt=\"\""),
        "{}",
        home.body
    );
    let talavera = get(&app, &format!("talavera.{BASE}"), "/").await;
    assert!(!talavera.body.contains("class=\"logo\""));
}

#[tokio::test]
async fn language_comes_from_query_then_cookie_then_accept_language() {
    let tenancy = demo_tenancy().await;
    let app = app(&tenancy, WebConfig::default());
    let host = format!("toledo.{BASE}");

    let english = get(&app, &host, "/?lang=en").await;
    assert!(english.body.contains("<html lang=\"en\">"));
    assert!(english.body.contains("22,000 residents"));
    assert!(english.body.contains("Take part in your city"));
    let cookie = english
        .headers
        .get("set-cookie")
        .expect("remembered")
        .to_str()
        .expect("ascii");
    assert!(
        cookie.starts_with("lang=en;") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );

    let by_cookie = send(
        &app,
        Request::get("/")
            .header("host", &host)
            .header("cookie", "a=b; lang=en")
            .body(Body::empty())
            .expect("req"),
    )
    .await;
    assert!(by_cookie.body.contains("<html lang=\"en\">"));

    let by_header = send(
        &app,
        Request::get("/")
            .header("host", &host)
            .header("accept-language", "fr-FR,en;q=0.7")
            .body(Body::empty())
            .expect("req"),
    )
    .await;
    assert!(by_header.body.contains("<html lang=\"en\">"));

    let unsupported = get(&app, &host, "/?lang=fr").await;
    assert!(
        unsupported.body.contains("<html lang=\"es\">"),
        "falls back to the council's default"
    );
    assert!(unsupported.headers.get("set-cookie").is_none());

    let hostile = get(&app, &host, "/?lang=%3Cscript%3E").await;
    assert_eq!(hostile.status, StatusCode::OK);
    assert!(!hostile.body.contains("<script"));
}

#[tokio::test]
async fn the_platform_site_lives_on_the_bare_base_domain() {
    let tenancy = demo_tenancy().await;
    let app = app(&tenancy, WebConfig::default());
    for host in [
        BASE.to_owned(),
        format!("www.{BASE}"),
        format!("{}:8080", BASE.to_uppercase()),
    ] {
        let page = get(&app, &host, "/").await;
        assert_eq!(page.status, StatusCode::OK, "{host}");
        assert!(page.body.contains("Cabildo"), "{host}");
        assert!(!page.body.contains("Toledo"));
    }
    let english = get(&app, BASE, "/?lang=en").await;
    assert!(
        english
            .body
            .contains("citizen participation for city councils")
    );
}

#[tokio::test]
async fn every_page_carries_the_security_headers() {
    let tenancy = demo_tenancy().await;
    let app = app(&tenancy, WebConfig::default());
    for (host, path) in [
        (format!("toledo.{BASE}"), "/"),
        (BASE.to_owned(), "/"),
        (format!("nowhere.{BASE}"), "/"),
        (BASE.to_owned(), "/healthz"),
    ] {
        let answer = get(&app, &host, path).await;
        let csp = answer
            .headers
            .get("content-security-policy")
            .expect("csp")
            .to_str()
            .expect("ascii");
        assert!(
            csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
            "{csp}"
        );
        assert_eq!(
            answer
                .headers
                .get("x-content-type-options")
                .expect("nosniff"),
            "nosniff"
        );
        assert!(answer.headers.get("referrer-policy").is_some());
        assert!(
            answer.headers.get("x-request-id").is_some(),
            "request id propagated"
        );
    }
}

#[tokio::test]
async fn suspended_archived_and_read_only_councils_explain_themselves() {
    let tenancy = demo_tenancy().await;
    let app = app(&tenancy, WebConfig::default());
    let host = format!("toledo.{BASE}");
    let slug = Slug::parse("toledo").expect("slug");

    tenancy
        .set_status(&slug, TenantStatus::Suspended)
        .await
        .expect("suspend");
    let page = get(&app, &host, "/").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(
        page.body
            .contains("Ayuntamiento de Toledo ha cerrado temporalmente"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("Casco Histórico"));

    tenancy
        .set_status(&slug, TenantStatus::Archived)
        .await
        .expect("archive");
    assert_eq!(get(&app, &host, "/").await.status, StatusCode::GONE);

    tenancy
        .set_status(&slug, TenantStatus::ReadOnly)
        .await
        .expect("read-only");
    assert_eq!(get(&app, &host, "/").await.status, StatusCode::OK);
    let write = send(
        &app,
        Request::post("/")
            .header("host", &host)
            .header("accept-language", "en")
            .body(Body::from("x=1"))
            .expect("req"),
    )
    .await;
    assert_eq!(write.status, StatusCode::FORBIDDEN);
    assert!(write.body.contains("read-only"), "{}", write.body);

    tenancy
        .set_status(&slug, TenantStatus::Active)
        .await
        .expect("resume");
    assert_eq!(get(&app, &host, "/").await.status, StatusCode::OK);
}

#[tokio::test]
async fn operators_endpoints_report_health_and_metrics() {
    let tenancy = demo_tenancy().await;
    let app = app(&tenancy, WebConfig::default());
    assert_eq!(get(&app, "10.0.0.1", "/healthz").await.body, "ok");
    assert_eq!(
        get(&app, "anything.example", "/healthz/db").await.body,
        "ok"
    );
    let ready = get(&app, BASE, "/readyz").await;
    assert_eq!(ready.status, StatusCode::OK);
    assert!(
        ready.body.contains("\"postgres\":\"up\"") && ready.body.contains("\"redis\":\"up\""),
        "{}",
        ready.body
    );

    get(&app, &format!("toledo.{BASE}"), "/").await;
    get(&app, &format!("nowhere.{BASE}"), "/").await;
    let metrics = get(&app, BASE, "/metrics").await.body;
    assert!(
        metrics
            .contains("cabildo_http_requests_total{route=\"/\",method=\"GET\",status=\"200\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains(
            "cabildo_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1"
        ),
        "{metrics}"
    );
    assert!(metrics.contains("cabildo_http_request_duration_seconds_bucket{route=\"/\",method=\"GET\",status=\"200\",le=\"+Inf\"} 1"));
}

/// Readiness and metrics tell about the node: never on a council's host,
/// and on the operators' own router only when it is served apart.
#[tokio::test]
async fn readiness_and_metrics_stay_off_council_hosts() {
    let tenancy = demo_tenancy().await;
    let app = app(&tenancy, WebConfig::default());
    for path in ["/readyz", "/metrics"] {
        for host in [format!("toledo.{BASE}"), format!("talavera.{BASE}")] {
            let answer = get(&app, &host, path).await;
            assert_eq!(answer.status, StatusCode::NOT_FOUND, "{host}{path}");
        }
        assert_eq!(get(&app, BASE, path).await.status, StatusCode::OK, "{path}");
        assert_eq!(
            get(&app, "10.0.0.1:8080", path).await.status,
            StatusCode::OK
        );
    }
    let resolver = Resolver::new(tenancy.clone(), ResolverConfig::new(BASE));
    let (sites, operators) = cabildo_web::routers(tenancy.clone(), resolver, WebConfig::default());
    for path in ["/readyz", "/metrics"] {
        assert_eq!(
            get(&sites, BASE, path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
        let host = format!("toledo.{BASE}");
        assert_eq!(
            get(&operators, &host, path).await.status,
            StatusCode::OK,
            "{path}"
        );
    }
    assert_eq!(
        get(&sites, "10.0.0.1", "/healthz").await.body,
        "ok",
        "probes stay"
    );
    // The demo's mailbox exists only in the demo.
    for host in [BASE.to_owned(), format!("toledo.{BASE}")] {
        let mailbox = get(&app, &host, "/_demo/mail").await;
        assert_eq!(mailbox.status, StatusCode::NOT_FOUND, "{host}");
    }
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let tenancy = demo_tenancy().await;
    let app = app(
        &tenancy,
        WebConfig {
            body_limit: 1024,
            ..WebConfig::default()
        },
    );
    let big = send(
        &app,
        Request::post("/")
            .header("host", format!("toledo.{BASE}"))
            .header("content-length", "5000")
            .body(Body::from(vec![b'x'; 5000]))
            .expect("req"),
    )
    .await;
    assert_eq!(big.status, StatusCode::PAYLOAD_TOO_LARGE);
}

/// A council offering every language is served each one whole: the page
/// says it is in that language and its strings are that language's (a
/// missing translation would fall back to English under the wrong `lang`).
#[tokio::test]
async fn every_interface_language_is_served_in_its_own_words() {
    let tenancy = demo_tenancy().await;
    let mut spec = cabildo_tenancy::CouncilSpec::minimal("donostia", "Ayuntamiento de Donostia");
    spec.languages = ["es", "eu", "ca", "gl", "en"].map(String::from).to_vec();
    let spec = spec.validate().expect("spec");
    tenancy
        .apply(&spec, &cabildo_tenancy::TenantMigrations::embedded())
        .await
        .expect("apply");
    let app = app(&tenancy, WebConfig::default());
    let english = cabildo_web::Tr::new("en");
    for lang in ["es", "eu", "ca", "gl", "en"] {
        let page = get(
            &app,
            &format!("donostia.{BASE}"),
            &format!("/account/login?lang={lang}"),
        )
        .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains(&format!("<html lang=\"{lang}\">")),
            "{lang}"
        );
        let tr = cabildo_web::Tr::new(lang);
        for key in [
            "account-login",
            "account-register",
            "search-submit",
            "powered-by",
        ] {
            let text = tr.t(key);
            let escaped = text.replace('\'', "&#x27;").replace('"', "&quot;");
            assert!(
                page.body.contains(&text) || page.body.contains(&escaped),
                "{lang}: {key} = {text}"
            );
            if lang != "en" {
                assert_ne!(text, english.t(key), "{lang} translates {key}");
            }
        }
    }
}
