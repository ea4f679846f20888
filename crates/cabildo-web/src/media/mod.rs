//! `/media/{name}`: a council's uploaded pictures and documents, served
//! on that council's own host only (see [`crate::http::storage`] for how
//! they are checked and kept).

use crate::http::state::AppState;
use crate::http::storage::valid_name;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use cabildo_tenancy::Site;

/// The picture route.
pub fn router() -> Router<AppState> {
    Router::new().route("/media/{name}", get(serve))
}

/// `GET /media/{name}`: a picture of this council.
async fn serve(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Path(name): Path<String>,
) -> Response {
    let Site::Council(tenant) = site else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !valid_name(&name) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let content_type = match name.rsplit('.').next() {
        Some("png") => "image/png",
        Some("jpg") => "image/jpeg",
        Some("webp") => "image/webp",
        // Only staff upload documents (an assembly's): shown inline.
        Some("pdf") => "application/pdf",
        _ => "image/gif",
    };
    // Names are never reused: pictures are cached for a year. A document
    // removed (for privacy, say) should not live on in caches that long.
    let cache = match content_type {
        "application/pdf" => "public, max-age=3600",
        _ => "public, max-age=31536000, immutable",
    };
    match state.media().get(tenant.id, &name).await {
        Ok(Some(bytes)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
                (
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ),
            ],
            bytes,
        )
            .into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(error) => {
            tracing::error!(error = %error, "reading a stored picture failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
