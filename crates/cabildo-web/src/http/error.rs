//! What went wrong, answered: one error type for pages and one for the
//! API, each mapped to a status and an answer in one `match` without a
//! wildcard, so that a new kind of error does not compile until someone
//! decides how it is answered.
//!
//! An error does not know the visitor's language; the request does. So an
//! error becomes a bare response carrying [`Unrendered`], and
//! [`crate::http::site::resolve_site`], which knows the visitor and the
//! council, renders it: a page in the visitor's language, or the API's
//! `{"error": {"code", "message"}}`. 5xx errors are logged once, here,
//! with their cause chain; the visitor gets a generic answer.

use crate::http::storage::{PictureError, Refused as PictureRefused};
use crate::ui::format::coded;
use crate::ui::i18n::Tr;
use crate::ui::message::{keyed_page, message_page};
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use cabildo_engine::accounts::AccountError;
use cabildo_engine::accounts::validate::FieldError;
use cabildo_engine::content::Refusal;
use cabildo_engine::processes::Denied;
use cabildo_tenancy::TenancyError;
use serde_json::json;

/// What went wrong on a page.
#[derive(Debug)]
pub enum PageError {
    /// No such page (or item, or council: the same answer, so nothing leaks).
    NotFound,
    /// A request this site cannot read (a bad host).
    BadRequest,
    /// A form body that cannot be read.
    Form,
    /// A body over the route's limit.
    TooLarge,
    /// A form without this visitor's CSRF token.
    Csrf,
    /// Not allowed (a forged hand-off, a council the account does not serve).
    Forbidden,
    /// A staff page for someone without the role it needs.
    NotStaff,
    /// Log in first; come back to this address afterwards.
    LogIn(Option<String>),
    /// Too many attempts: try again after this many seconds.
    RateLimited(u64),
    /// The engine refused, by a rule.
    Refused(Refusal),
    /// A picture that is not one we take.
    Picture(PictureRefused),
    /// Fields the page cannot show in a form.
    Invalid(Vec<FieldError>),
    /// A message page of its own: status, and the key of its title
    /// (`{key}-title`) and body (`{key}-body`).
    Message(StatusCode, &'static str),
    /// PostgreSQL is unreachable.
    Unavailable(TenancyError),
    /// Anything else.
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

/// What went wrong on an API call.
#[derive(Debug)]
pub enum ApiError {
    /// No such item.
    NotFound,
    /// No such call.
    NoSuchCall,
    /// A body that is not the JSON the call expects: status and why.
    Malformed(StatusCode, String),
    /// Log in first.
    Unauthenticated,
    /// A cookie-authenticated change without the session's CSRF token.
    Csrf,
    /// Too many attempts: try again after this many seconds.
    RateLimited(u64),
    /// The engine refused, by a rule (or one field).
    Refused(Refusal),
    /// A picture that is not one we take.
    Picture(PictureRefused),
    /// Fields that are not acceptable, all at once (`invalid_fields`).
    InvalidFields(Vec<FieldError>),
    /// An answer of the call's own: status, stable code, message.
    Coded(StatusCode, &'static str, &'static str),
    /// PostgreSQL is unreachable.
    Unavailable(TenancyError),
    /// Anything else.
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

/// An error waiting for the visitor's language, as a response extension.
#[derive(Clone, Debug)]
pub enum Unrendered {
    /// A page.
    Page(PageShown),
    /// An API answer.
    Api(ApiShown),
    /// No such thing, answered as a page or as JSON by the request's path
    /// (for extractors shared by both).
    NotFound,
}

/// What a page error shows.
#[derive(Clone, Debug)]
pub enum PageShown {
    /// The keyed message page (`{key}-title`, `{key}-body`).
    Keyed(StatusCode, &'static str),
    /// A refusal explained.
    Refusal(Refusal),
    /// A picture refused.
    Picture(PictureRefused),
    /// Invalid fields, when no form shows them: the first one's code.
    Invalid(Option<&'static str>),
    /// Too many attempts.
    RateLimited(u64),
    /// A bad request, without the link home.
    BadRequest,
}

/// What an API error answers.
#[derive(Clone, Debug)]
pub struct ApiShown {
    status: StatusCode,
    code: &'static str,
    message: ApiMessage,
    fields: Vec<FieldError>,
    invalid_field: Option<&'static str>,
}

/// An API error's message.
#[derive(Clone, Debug)]
enum ApiMessage {
    /// The same in every language.
    Fixed(&'static str),
    /// Text from elsewhere (a rejection's reason).
    Text(String),
    /// A refusal, explained in the caller's language.
    Refusal(Refusal),
    /// A picture refused, explained in the caller's language.
    Picture(PictureRefused),
}

/// The status a refusal is answered with.
pub fn refusal_status(refusal: Refusal) -> StatusCode {
    match refusal {
        Refusal::Denied(denied) => match denied {
            Denied::NotFound => StatusCode::NOT_FOUND,
            Denied::NotRegistered => StatusCode::UNAUTHORIZED,
            Denied::PhaseClosed
            | Denied::NotVerified
            | Denied::WrongDistrict
            | Denied::OrganisationsMayNot
            | Denied::Blocked => StatusCode::FORBIDDEN,
        },
        Refusal::NotFound => StatusCode::NOT_FOUND,
        Refusal::Invalid(..) | Refusal::TooDeep | Refusal::OwnComment => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Refusal::NotAuthor | Refusal::Forbidden => StatusCode::FORBIDDEN,
        Refusal::EditWindowOver | Refusal::Closed => StatusCode::CONFLICT,
    }
}

/// A refusal explained in `tr`'s language.
pub fn refusal_message(tr: &Tr, refusal: Refusal) -> String {
    coded(tr, "refusal", refusal.code())
}

fn deferred(status: StatusCode, unrendered: Unrendered) -> Response {
    let mut response = status.into_response();
    response.extensions_mut().insert(unrendered);
    response
}

fn retry_after(mut response: Response, seconds: u64) -> Response {
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

/// Logs a 5xx once, with the chain of causes.
fn log_failure(error: &dyn std::error::Error) {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    tracing::error!(error = %message, "request failed");
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        use PageShown::{Keyed, Refusal as Refused};
        let (status, shown) = match self {
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                Keyed(StatusCode::NOT_FOUND, "error-not-found"),
            ),
            Self::BadRequest => (StatusCode::BAD_REQUEST, PageShown::BadRequest),
            Self::Form => (
                StatusCode::BAD_REQUEST,
                Keyed(StatusCode::BAD_REQUEST, "error-form"),
            ),
            Self::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                Keyed(StatusCode::PAYLOAD_TOO_LARGE, "error-too-large"),
            ),
            Self::Csrf => (
                StatusCode::FORBIDDEN,
                Keyed(StatusCode::FORBIDDEN, "error-csrf"),
            ),
            Self::Forbidden => (
                StatusCode::FORBIDDEN,
                Keyed(StatusCode::FORBIDDEN, "error-forbidden"),
            ),
            Self::NotStaff => (
                StatusCode::FORBIDDEN,
                Keyed(StatusCode::FORBIDDEN, "staff-forbidden"),
            ),
            Self::LogIn(next) => {
                return Redirect::to(&login_address(next.as_deref())).into_response();
            }
            Self::RateLimited(seconds) => {
                let response = deferred(
                    StatusCode::TOO_MANY_REQUESTS,
                    Unrendered::Page(PageShown::RateLimited(seconds)),
                );
                return retry_after(response, seconds);
            }
            Self::Refused(refusal) => (refusal_status(refusal), Refused(refusal)),
            Self::Picture(refused) => (refused.status(), PageShown::Picture(refused)),
            Self::Invalid(fields) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                PageShown::Invalid(fields.first().map(|f| f.code)),
            ),
            Self::Message(status, key) => (status, Keyed(status, key)),
            Self::Unavailable(error) => {
                log_failure(&error);
                let status = StatusCode::SERVICE_UNAVAILABLE;
                let response =
                    deferred(status, Unrendered::Page(Keyed(status, "error-unavailable")));
                return retry_after(response, 5);
            }
            Self::Internal(error) => {
                log_failure(error.as_ref());
                let status = StatusCode::INTERNAL_SERVER_ERROR;
                (status, Keyed(status, "error-internal"))
            }
        };
        deferred(status, Unrendered::Page(shown))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        use ApiMessage::Fixed;
        let shown = |status, code, message| ApiShown {
            status,
            code,
            message,
            fields: Vec::new(),
            invalid_field: None,
        };
        let answer = match self {
            Self::NotFound => shown(
                StatusCode::NOT_FOUND,
                "not_found",
                Fixed("No such resource."),
            ),
            Self::NoSuchCall => shown(
                StatusCode::NOT_FOUND,
                "not_found",
                Fixed("No such API call."),
            ),
            Self::Malformed(status, reason) => shown(
                status,
                "malformed_body",
                ApiMessage::Text(format!(
                    "The body is not the JSON this call expects: {reason}"
                )),
            ),
            Self::Unauthenticated => shown(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                Fixed("Log in first."),
            ),
            Self::Csrf => shown(
                StatusCode::FORBIDDEN,
                "csrf_token_invalid",
                Fixed("Send the session's CSRF token in the X-CSRF-Token header."),
            ),
            Self::RateLimited(seconds) => {
                let answer = shown(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    Fixed("Too many attempts; wait before trying again."),
                );
                return retry_after(deferred(answer.status, Unrendered::Api(answer)), seconds);
            }
            Self::Refused(refusal) => ApiShown {
                invalid_field: match refusal {
                    Refusal::Invalid(field, _) => Some(field),
                    _ => None,
                },
                ..shown(
                    refusal_status(refusal),
                    refusal.code(),
                    ApiMessage::Refusal(refusal),
                )
            },
            Self::Picture(refused) => shown(
                refused.status(),
                refused.code(),
                ApiMessage::Picture(refused),
            ),
            Self::InvalidFields(fields) => ApiShown {
                fields,
                ..shown(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_fields",
                    Fixed("Some fields are not acceptable."),
                )
            },
            Self::Coded(status, code, message) => shown(status, code, Fixed(message)),
            Self::Unavailable(error) => {
                log_failure(&error);
                let answer = shown(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    Fixed("The database is unavailable; try again shortly."),
                );
                return retry_after(deferred(answer.status, Unrendered::Api(answer)), 5);
            }
            Self::Internal(error) => {
                log_failure(error.as_ref());
                shown(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    Fixed("An unexpected error occurred."),
                )
            }
        };
        deferred(answer.status, Unrendered::Api(answer))
    }
}

/// The login page's address, coming back to `next` (a path on this site)
/// afterwards.
pub fn login_address(next: Option<&str>) -> String {
    match next.filter(|n| safe_return_path(n)) {
        Some(next) => format!("/account/login?next={}", crate::ui::format::encode(next)),
        None => "/account/login".to_owned(),
    }
}

/// Whether `path` is a path on this site (not another host: no `//`, no
/// backslash, no scheme).
pub fn safe_return_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(char::is_control)
        && path.len() <= 2000
}

/// Renders a response's [`Unrendered`] error in `tr`'s language; `api`
/// says whether the request was an API call (for [`Unrendered::NotFound`]).
pub fn render(mut response: Response, tr: &Tr, api: bool) -> Response {
    let Some(unrendered) = response.extensions_mut().remove::<Unrendered>() else {
        return response;
    };
    let mut rendered = match unrendered {
        Unrendered::Page(shown) => page(tr, &shown),
        Unrendered::Api(shown) => json_answer(tr, &shown),
        Unrendered::NotFound if api => json_answer(
            tr,
            &ApiShown {
                status: StatusCode::NOT_FOUND,
                code: "not_found",
                message: ApiMessage::Fixed("No such resource."),
                fields: Vec::new(),
                invalid_field: None,
            },
        ),
        Unrendered::NotFound => page(
            tr,
            &PageShown::Keyed(StatusCode::NOT_FOUND, "error-not-found"),
        ),
    };
    // Headers set with the error (Retry-After) stay.
    for (name, value) in response.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            rendered.headers_mut().insert(name.clone(), value.clone());
        }
    }
    rendered
}

fn page(tr: &Tr, shown: &PageShown) -> Response {
    match shown {
        PageShown::Keyed(status, key) => keyed_page(tr, *status, key),
        PageShown::BadRequest => message_page(
            tr,
            StatusCode::BAD_REQUEST,
            &tr.t("error-bad-request-title"),
            &tr.t("error-bad-request-body"),
            false,
        ),
        PageShown::Refusal(refusal) => message_page(
            tr,
            refusal_status(*refusal),
            &tr.t("refusal-title"),
            &refusal_message(tr, *refusal),
            true,
        ),
        PageShown::Picture(refused) => message_page(
            tr,
            refused.status(),
            &tr.t("refusal-title"),
            &coded(tr, "refusal", refused.code()),
            true,
        ),
        PageShown::Invalid(None) => keyed_page(tr, StatusCode::UNPROCESSABLE_ENTITY, "error-form"),
        PageShown::Invalid(Some(code)) => message_page(
            tr,
            StatusCode::UNPROCESSABLE_ENTITY,
            &tr.t("error-form-title"),
            &coded(tr, "error", code),
            true,
        ),
        PageShown::RateLimited(seconds) => message_page(
            tr,
            StatusCode::TOO_MANY_REQUESTS,
            &tr.t("error-rate-limited-title"),
            &tr.count(
                "error-rate-limited-body",
                i64::try_from(*seconds).unwrap_or(i64::MAX),
            ),
            true,
        ),
    }
}

fn json_answer(tr: &Tr, shown: &ApiShown) -> Response {
    let message = match &shown.message {
        ApiMessage::Fixed(text) => (*text).to_owned(),
        ApiMessage::Text(text) => text.clone(),
        ApiMessage::Refusal(refusal) => refusal_message(tr, *refusal),
        ApiMessage::Picture(refused) => coded(tr, "refusal", refused.code()),
    };
    let mut error = json!({"code": shown.code, "message": message});
    if !shown.fields.is_empty() {
        error["fields"] = shown
            .fields
            .iter()
            .map(|e| json!({"field": e.field.name(), "code": e.code}))
            .collect();
    }
    let mut response = (shown.status, Json(json!({ "error": error }))).into_response();
    if let Some(field) = shown.invalid_field
        && let Ok(value) = HeaderValue::from_str(field)
    {
        response.headers_mut().insert("x-invalid-field", value);
    }
    response
}

impl From<TenancyError> for PageError {
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

impl From<TenancyError> for ApiError {
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

impl From<AccountError> for PageError {
    fn from(error: AccountError) -> Self {
        match error {
            AccountError::Invalid(fields) => Self::Invalid(fields),
            AccountError::Tenancy(error) => error.into(),
        }
    }
}

impl From<AccountError> for ApiError {
    fn from(error: AccountError) -> Self {
        match error {
            AccountError::Invalid(fields) => Self::InvalidFields(fields),
            AccountError::Tenancy(error) => error.into(),
        }
    }
}

impl From<Refusal> for PageError {
    fn from(refusal: Refusal) -> Self {
        Self::Refused(refusal)
    }
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        Self::Refused(refusal)
    }
}

impl From<askama::Error> for PageError {
    fn from(error: askama::Error) -> Self {
        Self::Internal(Box::new(error))
    }
}

impl From<PictureError> for PageError {
    fn from(error: PictureError) -> Self {
        match error {
            PictureError::Refused(refused) => Self::Picture(refused),
            PictureError::Failed(error) => Self::Internal(Box::new(error)),
        }
    }
}

impl From<PictureError> for ApiError {
    fn from(error: PictureError) -> Self {
        match error {
            PictureError::Refused(refused) => Self::Picture(refused),
            PictureError::Failed(error) => Self::Internal(Box::new(error)),
        }
    }
}

/// Errors that can say "no such item", for code shared by pages and API.
pub trait NotFound {
    /// No such item.
    fn not_found() -> Self;
}

impl NotFound for PageError {
    fn not_found() -> Self {
        Self::NotFound
    }
}

impl NotFound for ApiError {
    fn not_found() -> Self {
        Self::NotFound
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_has_words_in_every_language() {
        let refusals = [
            Refusal::Denied(Denied::PhaseClosed),
            Refusal::Denied(Denied::NotRegistered),
            Refusal::Denied(Denied::NotVerified),
            Refusal::Denied(Denied::WrongDistrict),
            Refusal::Denied(Denied::OrganisationsMayNot),
            Refusal::Denied(Denied::Blocked),
            Refusal::NotFound,
            Refusal::NotAuthor,
            Refusal::EditWindowOver,
            Refusal::Closed,
            Refusal::TooDeep,
            Refusal::OwnComment,
            Refusal::Forbidden,
        ];
        // Every `Refusal::Invalid` code the engine uses.
        let invalid = [
            "title_invalid",
            "summary_invalid",
            "body_invalid",
            "district_unknown",
            "alignment_invalid",
            "vote_invalid",
            "reason_invalid",
            "message_invalid",
            "answer_invalid",
            "status_invalid",
            // Budgets.
            "currency_invalid",
            "percent_invalid",
            "number_invalid",
            "dates_invalid",
            "headings_invalid",
            "heading_name_invalid",
            "amount_invalid",
            "max_projects_invalid",
            "heading_twice",
            "budget_exists",
            "voting_started",
            "description_invalid",
            "location_invalid",
            "explanation_required",
            "explanation_invalid",
            "not_feasible",
            "not_on_ballot",
            "wrong_heading",
            "over_budget",
            "too_many_projects",
            "empty_ballot",
            "below_min_spend",
            "ballot_final",
            "results_unavailable",
            "too_many_supports",
            "choice_invalid",
            "not_qualified",
            "already_imported",
            "not_a_winner",
            "body_invalid",
        ];
        for code in crate::ui::i18n::UI_LANGUAGES {
            let tr = Tr::new(code);
            let mut messages: Vec<String> =
                refusals.iter().map(|r| refusal_message(&tr, *r)).collect();
            messages.extend(
                invalid
                    .iter()
                    .map(|c| refusal_message(&tr, Refusal::Invalid("field", c))),
            );
            for message in messages {
                assert!(
                    !message.is_empty() && !message.contains("Unknown localization"),
                    "{code}: {message}"
                );
            }
        }
    }
}
