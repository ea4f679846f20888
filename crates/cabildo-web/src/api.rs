//! The JSON API under `/api/v1` on a council's site: the account actions
//! of the pages, with the same rules. Errors are
//! `{"error": {"code": …, "message": …}}` with stable codes; calls that
//! change state with the session cookie need its CSRF token in
//! `X-CSRF-Token`.

use crate::AppState;
use crate::account_pages::Context;
use crate::error::{WebError, from_account};
use crate::site::LanguageRequest;
use axum::Extension;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cabildo_tenancy::Site;
use serde_json::json;

/// An API error answer.
pub(crate) fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({"error": {"code": code, "message": message}})),
    )
        .into_response()
}

pub(crate) fn web_error(failure: WebError) -> Response {
    match failure {
        WebError::NotFound => error(StatusCode::NOT_FOUND, "not_found", "No such resource."),
        WebError::BadRequest => error(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "The request cannot be read.",
        ),
        WebError::Forbidden => error(StatusCode::FORBIDDEN, "forbidden", "Not allowed."),
        WebError::Unavailable(_) => {
            let mut response = error(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "The database is unavailable; try again shortly.",
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            response
        }
        other => {
            tracing::error!(error = %other, "API request failed");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "An unexpected error occurred.",
            )
        }
    }
}

pub(crate) fn rate_limited(seconds: u64) -> Response {
    let mut response = error(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        "Too many attempts; wait before trying again.",
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

pub(crate) fn malformed(rejection: &JsonRejection) -> Response {
    error(
        rejection.status(),
        "malformed_body",
        &format!(
            "The body is not the JSON this call expects: {}",
            rejection.body_text()
        ),
    )
}

macro_rules! context {
    ($state:expr, $site:expr, $language:expr, $headers:expr) => {
        match $crate::account_pages::Context::load_for_api(&$state, &$site, &$language, &$headers)
            .await
        {
            Ok(ctx) => ctx,
            Err(failure) => return $crate::api::web_error(failure),
        }
    };
}
pub(crate) use context;

macro_rules! body {
    ($body:expr) => {
        match $body {
            Ok(axum::Json(body)) => body,
            Err(rejection) => return $crate::api::malformed(&rejection),
        }
    };
}
pub(crate) use body;

/// Whether a cookie-authenticated call carries the session's CSRF token
/// in `X-CSRF-Token`.
pub(crate) fn csrf_header_matches(ctx: &Context, headers: &HeaderMap) -> bool {
    let sent = headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    ctx.visitor.csrf_matches(sent)
}

pub(crate) fn csrf_refused() -> Response {
    error(
        StatusCode::FORBIDDEN,
        "csrf_token_invalid",
        "Send the session's CSRF token in the X-CSRF-Token header.",
    )
}

pub(crate) fn unauthenticated() -> Response {
    error(StatusCode::UNAUTHORIZED, "unauthenticated", "Log in first.")
}

/// Anything else under `/api/`.
pub async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "not_found", "No such API call.")
}

/// `GET /api/v1/processes` → the published processes.
pub async fn processes(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
) -> Response {
    let ctx = context!(state, site, language, headers);
    let listed: Result<_, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        let listed = cabildo_engine::processes::published(&mut tx)
            .await
            .map_err(from_account)?;
        tx.commit().await?;
        Ok(listed)
    }
    .await;
    match listed {
        Ok(processes) => Json(json!({"processes": processes})).into_response(),
        Err(failure) => web_error(failure),
    }
}

/// `GET /api/v1/processes/{slug}` → a published process with its phases.
pub async fn process(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    axum::extract::Path(slug): axum::extract::Path<String>,
    headers: HeaderMap,
) -> Response {
    let ctx = context!(state, site, language, headers);
    let found: Result<_, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        let found = cabildo_engine::processes::published_by_slug(&mut tx, &slug)
            .await
            .map_err(from_account)?;
        tx.commit().await?;
        Ok(found)
    }
    .await;
    match found {
        Ok(Some((process, description, phases))) => Json(json!({
            "process": process,
            "description_html": cabildo_notify::newsletters::render_markdown(&description),
            "phases": phases,
        }))
        .into_response(),
        Ok(None) => error(StatusCode::NOT_FOUND, "not_found", "No such process."),
        Err(failure) => web_error(failure),
    }
}
