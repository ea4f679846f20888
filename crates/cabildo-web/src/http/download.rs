//! Answers that are files to save: CSV tables.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// A CSV body as a download named `filename`.
pub fn csv(body: String, filename: &str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}
