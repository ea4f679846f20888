//! HTTP for Cabildo: the axum router, the tenant middleware, pages, i18n,
//! operator endpoints and the layers every request passes through.

// The OpenAPI document is one `json!` literal, deeper than the default limit.
#![recursion_limit = "256"]

mod accounts;
mod assemblies;
mod budgets;
mod calendar;
mod comments;
mod consultations;
mod debates;
mod home;
mod http;
mod legal;
mod media;
mod meetings;
mod moderation;
mod newsletters;
mod notifications;
mod ops;
mod organisations;
mod places;
mod platform;
mod polls;
mod processes;
mod proposals;
mod search;
mod staff;
mod surveys;
mod ui;

pub use budgets::counting::BudgetCounts;
pub use http::config::{DemoMail, DemoMailbox, WebConfig};
pub use http::geocoder::Geocoder;
pub use http::object_storage::ObjectStorage;
pub use http::proxies::AddressRange;
pub use http::session_cache::announce_user_ended as announce_sessions_ended;
pub use http::state::AppState;
pub use http::storage::{Storage, valid_name as valid_media_name};
pub use http::{ratelimit, read_cache};
pub use meetings::reminders::MeetingReminders;
pub use staff::dashboard::DashboardFolds;
pub use ui::i18n::Tr;
pub use ui::map::MapTiles;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Request, StatusCode, header};
use axum::routing::get;
use cabildo_tenancy::{Resolver, Tenancy};
use tower::ServiceExt;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Content-Security-Policy: no inline script or style, nothing from other
/// origins, no framing.
pub(crate) const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Largest census file an admin may upload (about two million residents).
const CENSUS_UPLOAD_LIMIT: usize = 100 * 1024 * 1024;

/// Largest document upload (a document of up to 10 MB and the form
/// around it).
const DOCUMENT_FORM_LIMIT: usize = http::storage::MAX_DOCUMENT + 64 * 1024;

/// Largest picture upload (a picture of up to 5 MB and the form around it).
const IMAGE_FORM_LIMIT: usize = http::storage::MAX_IMAGE + 64 * 1024;

/// Largest form of long texts: a newsletter, or a legal page in five
/// languages (Markdown of up to 100,000 characters each, encoded).
const LONG_TEXT_FORM_LIMIT: usize = 4 * 1024 * 1024;

/// Builds the application router (operator routes included; see
/// [`routers`]).
pub fn router(tenancy: Tenancy, resolver: Resolver, config: WebConfig) -> Router {
    build(tenancy, resolver, config, false).0
}

/// The sites' router without readiness and metrics, and the operators'
/// router with every operator route, sharing one state (and metrics): for
/// serving the operators on their own address (`CABILDO_OPS_LISTEN`).
pub fn routers(tenancy: Tenancy, resolver: Resolver, config: WebConfig) -> (Router, Router) {
    build(tenancy, resolver, config, true)
}

fn build(
    tenancy: Tenancy,
    resolver: Resolver,
    config: WebConfig,
    separate_operators: bool,
) -> (Router, Router) {
    let state = AppState::new(tenancy, resolver, config.clone());
    let label = axum::middleware::from_fn(http::metrics::label);
    let (api, document, _) = api_routes(&config).split();
    let _ = state
        .api_document
        .set(serde_json::to_string(&document).unwrap_or_default());
    let council = council_router(&config, api)
        .route_layer(label.clone())
        .with_state(state.clone());
    let platform = platform_router(&config)
        .route_layer(label.clone())
        .with_state(state.clone());
    let sites = sites(&state, council, platform);
    // Static files answer on any host, so that error pages on unknown hosts
    // are styled too.
    let mut operator = ops::health::router(&state, !separate_operators)
        .route("/static/cabildo.css", get(ops::base_css));
    if config.demo_mailbox.is_some() {
        operator = operator.merge(ops::demo_mail::router());
    }
    let operator = operator
        .layer(RequestBodyLimitLayer::new(config.body_limit))
        .merge(ops::stripe::router());
    let metrics =
        axum::middleware::from_fn_with_state(state.metrics.clone(), http::metrics::record);
    let operators = ops::health::operators().with_state(state.clone());
    let router = operator
        .route_layer(label)
        .merge(sites)
        .layer(metrics)
        .with_state(state);
    (outer_layers(router, &config), operators)
}

/// Each site answers with its own routes: the platform's on the base
/// domain, a council's on its hosts (see `http::site`).
fn sites(state: &AppState, council: Router, platform: Router) -> Router<AppState> {
    Router::new()
        .fallback(move |request: axum::extract::Request| {
            let router = match request.extensions().get::<cabildo_tenancy::Site>() {
                Some(cabildo_tenancy::Site::Platform) => platform.clone(),
                _ => council.clone(),
            };
            async move {
                match router.oneshot(request).await {
                    Ok(response) => response,
                    Err(never) => match never {},
                }
            }
        })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            http::site::resolve_site,
        ))
}

/// What every answer goes through: security headers, compression, the
/// time limit, panics caught, request ids and tracing.
fn outer_layers(mut router: Router, config: &WebConfig) -> Router {
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

/// The routes of every council's site: its pages, and its API under
/// `/api/v1`.
fn council_router(config: &WebConfig, api: Router<AppState>) -> Router<AppState> {
    let api = api.fallback(async || http::error::ApiError::NoSuchCall);
    Router::new()
        .merge(accounts::router())
        .merge(assemblies::router())
        .merge(budgets::router())
        .merge(calendar::router())
        .merge(consultations::router())
        .merge(comments::router())
        .merge(debates::router())
        .merge(home::router())
        .merge(legal::router())
        .merge(media::router())
        .merge(meetings::router())
        .merge(moderation::router())
        .merge(newsletters::router())
        .merge(notifications::router())
        .merge(organisations::router())
        .merge(platform::council_router())
        .merge(polls::router())
        .merge(processes::router())
        .merge(proposals::router())
        .merge(search::router())
        .merge(staff::router())
        .merge(surveys::router())
        .layer(RequestBodyLimitLayer::new(config.body_limit))
        .nest("/api/v1", api)
        // Newsletters and legal texts may run to 100,000 characters (a
        // legal text in each of the site's languages).
        .merge(
            newsletters::composer_router()
                .merge(legal::editor_router())
                .layer(RequestBodyLimitLayer::new(LONG_TEXT_FORM_LIMIT)),
        )
        // Pictures: up to 5 MB, on these routes only.
        .merge(
            processes::picture_router()
                .merge(budgets::upload_router())
                .merge(proposals::picture_router())
                .merge(staff::picture_router())
                .layer(axum::extract::DefaultBodyLimit::max(IMAGE_FORM_LIMIT))
                .layer(RequestBodyLimitLayer::new(IMAGE_FORM_LIMIT)),
        )
        // An assembly's documents: up to 10 MB.
        .merge(
            assemblies::staff::document_router()
                .layer(axum::extract::DefaultBodyLimit::max(DOCUMENT_FORM_LIMIT))
                .layer(RequestBodyLimitLayer::new(DOCUMENT_FORM_LIMIT)),
        )
        // Census files are large: this route alone takes bigger bodies.
        .merge(
            staff::census_router()
                .layer(axum::extract::DefaultBodyLimit::max(CENSUS_UPLOAD_LIMIT))
                .layer(RequestBodyLimitLayer::new(CENSUS_UPLOAD_LIMIT)),
        )
        .fallback(async || http::error::PageError::NotFound)
}

/// The API of a council's site, each route with its body limit.
pub(crate) fn api_routes(config: &WebConfig) -> http::api::ApiRoutes {
    http::api::ApiRoutes::new()
        .add(utoipa_axum::routes!(http::api::document))
        .merge(accounts::api::routes())
        .merge(budgets::api::routes())
        .merge(comments::api::routes())
        .merge(consultations::api::routes())
        .merge(debates::api::routes())
        .merge(polls::api::routes())
        .merge(processes::api::routes())
        .merge(proposals::api::routes())
        .merge(search::api::routes())
        .merge(surveys::api::routes())
        .layer(RequestBodyLimitLayer::new(config.body_limit))
        .merge(
            proposals::api::picture_routes()
                .layer(axum::extract::DefaultBodyLimit::max(IMAGE_FORM_LIMIT))
                .layer(RequestBodyLimitLayer::new(IMAGE_FORM_LIMIT)),
        )
}

/// The routes of the platform site.
fn platform_router(config: &WebConfig) -> Router<AppState> {
    Router::new()
        .merge(platform::router())
        .nest(
            "/api/v1",
            Router::new().fallback(async || http::error::ApiError::NoSuchCall),
        )
        .layer(RequestBodyLimitLayer::new(config.body_limit))
        .fallback(async || http::error::PageError::NotFound)
}
