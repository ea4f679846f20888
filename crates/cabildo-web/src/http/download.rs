//! Answers that are files to save: CSV tables.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use cabildo_engine::opendata::Dialect;
use serde::Deserialize;
use utoipa::IntoParams;

/// `?dialect=excel`: semicolons and a byte-order mark, for Excel in
/// Spanish; comma-separated (RFC 4180) otherwise.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CsvQuery {
    /// `excel` for semicolon-separated with a byte-order mark (what Excel
    /// in Spanish opens directly); comma-separated otherwise.
    dialect: Option<String>,
}

impl CsvQuery {
    /// The dialect asked for.
    pub fn dialect(&self) -> Dialect {
        Dialect::parse(self.dialect.as_deref())
    }
}

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
