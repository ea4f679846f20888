//! Operator endpoints: liveness and a database round trip (on any host,
//! before tenant resolution: load balancers probe by address), readiness,
//! metrics and the certificate question of reverse proxies (which are for
//! operators' machines: never on a council's host, and
//! left out of the sites' address altogether when the operators have
//! their own, `CABILDO_OPS_LISTEN`).

use crate::http::site::request_host;
use crate::http::state::AppState;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use cabildo_tenancy::Site;

/// The operator routes on the sites' address: readiness and metrics only
/// when `inspection` (no separate operators' address), and then not on
/// council hosts.
pub fn router(state: &AppState, inspection: bool) -> Router<AppState> {
    let probes = Router::new()
        .route("/healthz", get(healthz))
        .route("/healthz/db", get(healthz_db));
    match inspection {
        true => probes.merge(inspection_routes().route_layer(
            axum::middleware::from_fn_with_state(state.clone(), off_council_hosts),
        )),
        false => probes,
    }
}

/// Every operator route, on any host: for the operators' own address.
pub fn operators() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/healthz/db", get(healthz_db))
        .merge(inspection_routes())
}

fn inspection_routes() -> Router<AppState> {
    Router::new()
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/internal/tls-allowed", get(tls_allowed))
}

/// `?domain=` of the certificate question.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct TlsQuestion {
    domain: String,
}

/// `GET /internal/tls-allowed?domain=`: 200 when a reverse proxy that
/// issues certificates on demand (Caddy's `on_demand_tls ask`) may get one
/// for `domain` — the platform's own names and councils' verified
/// domains — and 404 otherwise, so that nobody can make the proxy request
/// certificates for names that are not ours (see `docs/custom-domains.md`).
async fn tls_allowed(
    State(state): State<AppState>,
    axum::extract::Query(question): axum::extract::Query<TlsQuestion>,
) -> Response {
    if question.domain.is_empty() {
        return (StatusCode::BAD_REQUEST, "domain is required").into_response();
    }
    match (state.tenancy)
        .tls_allowed(&question.domain, state.resolver.base_domain())
        .await
    {
        Ok(true) => "allowed".into_response(),
        Ok(false) => (StatusCode::NOT_FOUND, "not a domain served here").into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response(),
    }
}

/// No such page on a council's host (or custom domain).
async fn off_council_hosts(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let host = request_host(&request, &state).unwrap_or_default();
    match state.resolver.resolve(&host).await {
        Ok(Some(Site::Council(_))) => StatusCode::NOT_FOUND.into_response(),
        _ => next.run(request).await,
    }
}

/// Liveness: no I/O at all (the transport ceiling in benchmarks).
async fn healthz() -> &'static str {
    "ok"
}

/// One `SELECT 1` through the pool (the driver ceiling in benchmarks).
async fn healthz_db(State(state): State<AppState>) -> Response {
    match state.tenancy.ping().await {
        Ok(()) => "ok".into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response(),
    }
}

/// Ready when PostgreSQL answers. Redis is reported but does not make the
/// node unready: pages are still served without it.
async fn readyz(State(state): State<AppState>) -> Response {
    let postgres = state.tenancy.ping().await.is_ok();
    let redis = match state.tenancy.cache() {
        None => "not configured",
        Some(cache) if cache.ping().await => "up",
        Some(_) => "down",
    };
    let status = if postgres {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = format!(
        "{{\"status\":\"{}\",\"postgres\":\"{}\",\"redis\":\"{redis}\"}}\n",
        if postgres { "ready" } else { "unready" },
        if postgres { "up" } else { "down" },
    );
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Prometheus text exposition. Expose it to the monitoring network only
/// (the reverse proxy's job).
async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}
