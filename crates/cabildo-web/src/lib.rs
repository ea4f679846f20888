//! HTTP for Cabildo: the axum router, the tenant middleware, pages, i18n,
//! operator endpoints and the layers every request passes through.

// The OpenAPI document is one `json!` literal, deeper than the default limit.
#![recursion_limit = "256"]

mod account_pages;
mod accounts;
mod api;
mod budget_api;
mod budget_pages;
mod comment_pages;
mod comments;
mod debates;
mod error;
mod home;
mod http;
mod legacy_media;
mod media;
mod moderation;
mod newsletter_pages;
mod notifications;
mod openapi;
mod ops;
mod organisations;
mod participation;
mod participation_api;
mod platform;
mod processes;
mod proposal_pages;
mod proposals;
mod search;
mod staff;
mod staff_budgets;
mod ui;
mod unsubscribe;

pub use error::WebError;
pub use http::config::{DemoMail, DemoMailbox, WebConfig};
pub use http::state::AppState;
pub use http::storage::{LocalFolder, Storage};
pub use http::{ratelimit, read_cache};
pub use ui::i18n::Tr;
// Old paths, until every module has moved.
use http::{session_cache, site};
use ops::demo_mail;
use ui::i18n;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Request, StatusCode, header};
use axum::routing::{get, patch, post, put};
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
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Largest census file an admin may upload (about two million residents).
const CENSUS_UPLOAD_LIMIT: usize = 100 * 1024 * 1024;

/// Largest picture upload (a picture of up to 5 MB and the form around it).
const IMAGE_FORM_LIMIT: usize = http::storage::MAX_IMAGE + 64 * 1024;

/// Largest newsletter form (Markdown of up to 100,000 characters, encoded).
const NEWSLETTER_FORM_LIMIT: usize = 1024 * 1024;

/// Builds the application router.
pub fn router(tenancy: Tenancy, resolver: Resolver, config: WebConfig) -> Router {
    let state = AppState::new(tenancy, resolver, config.clone());
    let label = axum::middleware::from_fn(http::metrics::label);
    let council = council_router(&config)
        .route_layer(label.clone())
        .with_state(state.clone());
    let platform = platform_router(&config)
        .route_layer(label.clone())
        .with_state(state.clone());
    // Each site answers with its own routes: the platform's on the base
    // domain, a council's on its hosts (see `http::site`).
    let sites = Router::new()
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
    let mut operator = ops::health::router().route("/static/cabildo.css", get(ops::base_css));
    if config.demo_mailbox.is_some() {
        operator = operator.merge(demo_mail::router());
    }
    let operator = operator.layer(RequestBodyLimitLayer::new(config.body_limit));
    let metrics =
        axum::middleware::from_fn_with_state(state.metrics.clone(), http::metrics::record);
    let mut router = operator
        .route_layer(label)
        .merge(sites)
        .layer(metrics)
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
fn council_router(config: &WebConfig) -> Router<AppState> {
    let (api, _, _) = api_routes(config).split();
    let api = api
        .merge(legacy_api().layer(RequestBodyLimitLayer::new(config.body_limit)))
        .fallback(async || http::error::ApiError::NoSuchCall);
    Router::new()
        .merge(accounts::router())
        .merge(comments::router())
        .merge(debates::router())
        .merge(home::router())
        .merge(media::router())
        .merge(moderation::router())
        .merge(notifications::router())
        .merge(organisations::router())
        .merge(platform::council_router())
        .merge(processes::router())
        .merge(proposals::router())
        .merge(search::router())
        .merge(staff::router())
        .merge(legacy_pages())
        .layer(RequestBodyLimitLayer::new(config.body_limit))
        .nest("/api/v1", api)
        .merge(legacy_large_bodies())
        // Pictures: up to 5 MB, on these routes only.
        .merge(
            processes::picture_router()
                .merge(proposals::picture_router())
                .layer(axum::extract::DefaultBodyLimit::max(IMAGE_FORM_LIMIT))
                .layer(RequestBodyLimitLayer::new(IMAGE_FORM_LIMIT)),
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
        .merge(accounts::api::routes())
        .merge(comments::api::routes())
        .merge(debates::api::routes())
        .merge(processes::api::routes())
        .merge(proposals::api::routes())
        .merge(search::api::routes())
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

/// API routes of the modules not yet in their folders.
fn legacy_api() -> Router<AppState> {
    Router::new()
        .route("/processes/{slug}/budget", get(budget_api::budget))
        .route(
            "/budget-headings/{id}/projects",
            get(budget_api::projects).post(budget_api::propose),
        )
        .route("/budget-projects/{id}", get(budget_api::project))
        .route(
            "/budget-projects/{id}/support",
            post(budget_api::support).delete(budget_api::support),
        )
        .route("/budget-headings/{id}/results", get(budget_api::results))
        .route(
            "/budget-headings/{id}/results.csv",
            get(budget_api::results_csv),
        )
        .route(
            "/budget-headings/{id}/ballot",
            get(budget_api::ballot).put(budget_api::cast),
        )
        .route("/openapi.json", get(openapi::serve))
}

/// Page routes of the modules not yet in their folders.
fn legacy_pages() -> Router<AppState> {
    Router::new()
        .route("/processes/{slug}/budget", get(budget_pages::show))
        .route("/budget-headings/{id}", get(budget_pages::heading))
        .route("/budget-projects/{id}", get(budget_pages::project))
        .route("/budget-projects/{id}/support", post(budget_pages::support))
        .route(
            "/staff/processes/{id}/budget",
            get(staff_budgets::setup).post(staff_budgets::save),
        )
        .route("/staff/budget-headings/{id}", get(staff_budgets::heading))
        .route(
            "/staff/budget-headings/{id}/projects",
            post(staff_budgets::create_project),
        )
        .route(
            "/staff/budget-headings/{id}/import",
            post(staff_budgets::import_proposal),
        )
        .route(
            "/staff/budget-projects/{id}/review",
            post(staff_budgets::review),
        )
        .route(
            "/staff/budget-projects/{id}/ballot",
            post(staff_budgets::set_on_ballot),
        )
        .route(
            "/staff/budget-projects/{id}/paper-votes",
            post(staff_budgets::paper_votes),
        )
        .route(
            "/budget-headings/{id}/ballot",
            post(budget_pages::change_ballot),
        )
        .route(
            "/budget-headings/{id}/results",
            get(budget_pages::results_page),
        )
        .route(
            "/unsubscribe",
            get(unsubscribe::confirm).post(unsubscribe::unsubscribe),
        )
}

/// Routes of the modules not yet in their folders that take larger bodies.
fn legacy_large_bodies() -> Router<AppState> {
    Router::new()
        .route("/staff/newsletters", get(newsletter_pages::page))
        // Newsletters may run to 100,000 characters.
        .merge(
            Router::new()
                .route("/staff/newsletters", post(newsletter_pages::act))
                .layer(RequestBodyLimitLayer::new(NEWSLETTER_FORM_LIMIT)),
        )
        // Pictures: up to 5 MB, on these routes only.
        .merge(
            Router::new()
                .route(
                    "/budget-headings/{id}/projects",
                    post(budget_pages::propose),
                )
                .route(
                    "/budget-projects/{id}/image",
                    post(budget_pages::upload_image),
                )
                .route(
                    "/staff/budget-projects/{id}/updates",
                    post(staff_budgets::post_update),
                )
                // Paper-vote count files are at most 1 MB (the engine's limit).
                .route(
                    "/staff/budget-headings/{id}/paper-votes",
                    post(staff_budgets::paper_file),
                )
                .layer(axum::extract::DefaultBodyLimit::max(IMAGE_FORM_LIMIT))
                .layer(RequestBodyLimitLayer::new(IMAGE_FORM_LIMIT)),
        )
}
