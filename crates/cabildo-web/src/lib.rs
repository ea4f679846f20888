//! HTTP for Cabildo: the axum router, the tenant middleware, pages, i18n,
//! operator endpoints and the layers every request passes through.

mod demo_mail;
mod error;
mod health;
mod i18n;
mod metrics;
mod pages;
mod site;
mod unsubscribe;

pub use demo_mail::{DemoMail, DemoMailbox};
pub use error::WebError;
pub use i18n::Tr;
pub use metrics::Metrics;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Request, StatusCode, header};
use axum::routing::get;
use cabildo_tenancy::{Resolver, Tenancy};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Web settings, from the binary's configuration.
#[derive(Clone, Debug)]
pub struct WebConfig {
    /// Peers whose `X-Forwarded-Host` is believed (reverse proxies).
    pub trusted_proxies: Vec<IpAddr>,
    /// Longest time a request may take before a 408/503 answer.
    pub request_timeout: Duration,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    /// The demo's captured mail, shown at `/_demo/mail`. `None` outside
    /// `cabildo demo`, and then those routes do not exist.
    pub demo_mailbox: Option<Arc<dyn DemoMailbox>>,
    /// Checks unsubscribe links; without it (no secret key configured)
    /// `/unsubscribe` answers 404.
    pub unsubscribe: Option<cabildo_notify::unsubscribe::Signer>,
}

impl std::fmt::Debug for dyn DemoMailbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DemoMailbox")
    }
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            trusted_proxies: Vec::new(),
            request_timeout: Duration::from_secs(15),
            body_limit: 64 * 1024,
            demo_mailbox: None,
            unsubscribe: None,
        }
    }
}

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    tenancy: Tenancy,
    resolver: Resolver,
    metrics: Arc<Metrics>,
    config: Arc<WebConfig>,
}

/// Content-Security-Policy: no inline script or style, nothing from other
/// origins, no framing.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Builds the application router.
pub fn router(tenancy: Tenancy, resolver: Resolver, config: WebConfig) -> Router {
    let state = AppState {
        tenancy,
        resolver,
        metrics: Arc::new(Metrics::default()),
        config: Arc::new(config.clone()),
    };
    let sites = Router::new()
        .route("/", get(pages::home))
        .route("/theme.css", get(pages::theme_css))
        .route(
            "/unsubscribe",
            get(unsubscribe::confirm).post(unsubscribe::unsubscribe),
        )
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            site::resolve_site,
        ));

    let security_headers = [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=()",
        ),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ];
    // Static files answer on any host, so that error pages on unknown hosts
    // are styled too.
    let mut operator = health::router().route("/static/cabildo.css", get(pages::base_css));
    if config.demo_mailbox.is_some() {
        operator = operator.merge(demo_mail::router());
    }
    let mut router = operator
        .merge(sites)
        .layer(axum::middleware::from_fn_with_state(
            state.metrics.clone(),
            metrics::record,
        ))
        .with_state(state);
    for (name, value) in security_headers {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ));
    }
    router
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            config.request_timeout,
        ))
        .layer(RequestBodyLimitLayer::new(config.body_limit))
        .layer(CatchPanicLayer::new())
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                let request_id = request
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                // No path, query or client address: they may carry personal data.
                tracing::info_span!(
                    "request",
                    method = %request.method(),
                    request_id = %request_id,
                    tenant = tracing::field::Empty,
                )
            }),
        )
        .layer(SetSensitiveRequestHeadersLayer::new([
            header::COOKIE,
            header::AUTHORIZATION,
        ]))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}
