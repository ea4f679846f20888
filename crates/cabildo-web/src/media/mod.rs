//! `/media/{name}`: a council's uploaded pictures and documents, served
//! on that council's own host only (see [`crate::http::storage`] for how
//! they are checked and kept).

use crate::http::state::AppState;
use crate::http::storage::{cache_control, content_type, valid_name};
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

/// `GET /media/{name}`: a picture or document of this council.
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
    // Documents may be large: a store that signs links serves them itself.
    // Pictures are small, cached for a year and must come from the site's
    // own origin (the CSP's img-src), so the site serves them.
    if name.ends_with(".pdf") {
        match state.media().signed_url(tenant.id, &name).await {
            Ok(Some(url)) => return signed_redirect(&url),
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "signing a document's link failed"),
        }
    }
    match state.media().get(tenant.id, &name).await {
        Ok(Some(bytes)) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(content_type(&name)),
                ),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static(cache_control(&name)),
                ),
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

/// A redirect to a signed link to this council's file, not cached (the
/// link expires).
fn signed_redirect(url: &str) -> Response {
    let Ok(location) = HeaderValue::from_str(url) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    (
        StatusCode::TEMPORARY_REDIRECT,
        [
            (header::LOCATION, location),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
    )
        .into_response()
}
