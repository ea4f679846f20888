//! Operator endpoints: liveness, database round trip, readiness, metrics.
//! They answer on any host, before tenant resolution.

use crate::http::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// The operator routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/healthz/db", get(healthz_db))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
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
