//! Operator endpoints (health, readiness, metrics) and the demo's mailbox.

pub mod demo_mail;
pub mod health;
pub mod stripe;

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// `GET /static/cabildo.css`: answers on any host, so that error pages on
/// unknown hosts are styled too.
pub async fn base_css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/cabildo.css"),
    )
        .into_response()
}
