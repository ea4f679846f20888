//! Errors shown to visitors: one enum, one mapping to status and page.

use crate::i18n::Tr;
use crate::ui::message::message_page;
use axum::http::StatusCode;
use axum::response::Response;
use cabildo_tenancy::TenancyError;

/// What went wrong, by outcome.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// Unusable `Host` header.
    #[error("bad host: {0}")]
    BadHost(#[from] cabildo_tenancy::HostError),
    /// No such page (or no such council: the same answer, so nothing leaks).
    #[error("not found")]
    NotFound,
    /// A request this site cannot read.
    #[error("bad request")]
    BadRequest,
    /// Not allowed (a forged form, or no right to it).
    #[error("forbidden")]
    Forbidden,
    /// PostgreSQL is unreachable.
    #[error("database unavailable")]
    Unavailable(#[source] TenancyError),
    /// Anything else: logged with its causes, shown as a generic page.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl From<TenancyError> for WebError {
    fn from(error: TenancyError) -> Self {
        match error {
            TenancyError::Unavailable(_) => Self::Unavailable(error),
            TenancyError::NotFound(_) => Self::NotFound,
            TenancyError::InvalidSlug { .. }
            | TenancyError::Invalid { .. }
            | TenancyError::Taken(_)
            | TenancyError::Migrate(_)
            | TenancyError::Database(_) => Self::Internal(Box::new(error)),
        }
    }
}

impl From<askama::Error> for WebError {
    fn from(error: askama::Error) -> Self {
        Self::Internal(Box::new(error))
    }
}

impl WebError {
    /// The page for this error, in the visitor's language. 5xx errors are
    /// logged here, once, with their cause chain.
    pub fn into_page(self, tr: &Tr) -> Response {
        let (status, key) = match &self {
            Self::BadHost(_) => (StatusCode::BAD_REQUEST, "error-bad-request"),
            Self::NotFound => (StatusCode::NOT_FOUND, "error-not-found"),
            Self::BadRequest => (StatusCode::BAD_REQUEST, "error-bad-request"),
            Self::Forbidden => (StatusCode::FORBIDDEN, "error-forbidden"),
            Self::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "error-unavailable"),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "error-internal"),
        };
        if status.is_server_error() {
            tracing::error!(error = %error_chain(&self), "request failed");
        }
        let mut response = message_page(
            tr,
            status,
            &tr.t(&format!("{key}-title")),
            &tr.t(&format!("{key}-body")),
            status != StatusCode::BAD_REQUEST,
        );
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("5"),
            );
        }
        response
    }
}

impl From<cabildo_engine::accounts::AccountError> for WebError {
    fn from(error: cabildo_engine::accounts::AccountError) -> Self {
        from_account(error)
    }
}

/// An account action's failure as a web error (field errors are handled
/// by the forms before this).
pub(crate) fn from_account(error: cabildo_engine::accounts::AccountError) -> WebError {
    match error {
        cabildo_engine::accounts::AccountError::Tenancy(error) => error.into(),
        other => WebError::Internal(Box::new(other)),
    }
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}
