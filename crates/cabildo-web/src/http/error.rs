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
use crate::ui::message::{keyed_page, message_page, message_page_next};
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use cabildo_engine::{Error as EngineError, FieldError, LineError, Refusal};
use cabildo_tenancy::TenancyError;
use cabildo_tenancy::entitlements::Need;
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
    /// The council's plan does not allow it.
    Plan(Need),
    /// A picture that is not one we take.
    Picture(PictureRefused),
    /// Fields the page cannot show in a form.
    Invalid(Vec<FieldError>),
    /// A line of an uploaded file.
    Line(LineError),
    /// A message page of its own: status, and the key of its title
    /// (`{key}-title`) and body (`{key}-body`).
    Message(StatusCode, &'static str),
    /// PostgreSQL is unreachable.
    Unavailable(TenancyError),
    /// Anything else.
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

impl PageError {
    /// A refusal, or every refused field and why (`{form}-field-{name}:
    /// problem`, joined), as the one line a staff form shows above itself
    /// when it comes back; anything else stays an error.
    pub fn form_message(self, tr: &Tr, form: &str) -> Result<String, PageError> {
        match self {
            Self::Refused(refusal) => Ok(tr.t(refusal.key())),
            Self::Invalid(fields) => Ok((fields.iter())
                .map(|f| {
                    let name = tr.t(&format!("{form}-field-{}", f.field.name()));
                    format!("{name}: {}", tr.t(f.problem.key()))
                })
                .collect::<Vec<_>>()
                .join(" · ")),
            other => Err(other),
        }
    }

    /// The first refused field and why, in `tr`'s language, when fields
    /// are to blame (for a form shown again with what was typed).
    pub fn field_message(&self, tr: &Tr) -> Option<(String, String)> {
        self.field_messages(tr).into_iter().next()
    }

    /// Every refused field and why, in `tr`'s language (empty when fields
    /// are not to blame).
    pub fn field_messages(&self, tr: &Tr) -> Vec<(String, String)> {
        match self {
            Self::Invalid(fields) => fields
                .iter()
                .map(|f| (f.field.name().to_owned(), tr.t(f.problem.key())))
                .collect(),
            _ => Vec::new(),
        }
    }
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
    /// The council's plan does not allow it.
    Plan(Need),
    /// A picture that is not one we take.
    Picture(PictureRefused),
    /// Fields that are not acceptable, all at once: one field answers
    /// with its problem's code, several with `invalid_fields`; both list
    /// `fields`.
    Invalid(Vec<FieldError>),
    /// A line of an uploaded file (`line` in the answer).
    Line(LineError),
    /// An answer of the call's own: status, stable code, and the key of
    /// its message (in the caller's language).
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
    /// A plan refusal explained.
    Plan(PlanShown),
    /// A picture refused.
    Picture(PictureRefused),
    /// Invalid fields, when no form shows them: the first one's problem.
    Invalid(Option<FieldError>),
    /// A line of an uploaded file.
    Line(LineError),
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
    line: Option<usize>,
}

/// An API error's message.
#[derive(Clone, Debug)]
enum ApiMessage {
    /// A body that is not the call's JSON, with the parser's reason.
    Malformed(String),
    /// A refusal, explained in the caller's language.
    Refusal(Refusal),
    /// A plan refusal, explained in the caller's language.
    Plan(PlanShown),
    /// The key of the explanation, in the caller's language.
    Keyed(&'static str),
    /// A picture refused, explained in the caller's language.
    Picture(PictureRefused),
}

/// A plan refusal: what was needed and, once the site layer (which can
/// look plans up) has filled it in, the first offered plan that meets it
/// as (slug, name in the visitor's language).
#[derive(Clone, Debug)]
pub struct PlanShown {
    /// What the action needed.
    pub need: Need,
    /// A plan that allows it.
    pub plan: Option<(String, String)>,
}

impl Unrendered {
    /// The plan refusal this error explains, to name a plan in it.
    pub fn plan_mut(&mut self) -> Option<&mut PlanShown> {
        match self {
            Self::Page(PageShown::Plan(shown))
            | Self::Api(ApiShown {
                message: ApiMessage::Plan(shown),
                ..
            }) => Some(shown),
            _ => None,
        }
    }
}

/// A plan refusal in `tr`'s language: what the plan lacks, and which plan
/// has it (when known).
pub fn plan_message(tr: &Tr, shown: &PlanShown) -> String {
    let mut message = match shown.need {
        Need::Feature(feature) => tr.with(
            "plan-required-feature",
            "what",
            &tr.t(&format!("plan-feature-{}", feature.as_str())),
        ),
        Need::Limit(limit, _) => tr.with(
            "plan-required-limit",
            "what",
            &tr.t(&format!("plan-limit-{}", limit.as_str())),
        ),
        Need::Payment => tr.t("plan-required-payment"),
    };
    if let Some((_, name)) = &shown.plan {
        message.push(' ');
        message.push_str(&tr.with("plan-required-offer", "plan", name));
    }
    message
}

/// Names in a plan refusal the first offered plan that allows what was
/// refused (a lookup failure leaves it unnamed: the refusal still stands).
pub async fn name_plan(tenancy: &cabildo_tenancy::Tenancy, shown: &mut PlanShown, language: &str) {
    if shown.need == Need::Payment {
        return;
    }
    match cabildo_billing::plans::first_meeting(tenancy, shown.need).await {
        Ok(plan) => shown.plan = plan.map(|p| (p.slug.clone(), p.name(language).to_owned())),
        Err(error) => tracing::warn!(%error, "no plan could be named in a refusal"),
    }
}

/// What the council's plan lacks for `need`, and the plan that has it,
/// in `tr`'s language (for pages that explain it beside a form).
pub async fn plan_explained(tenancy: &cabildo_tenancy::Tenancy, tr: &Tr, need: Need) -> String {
    let mut shown = PlanShown { need, plan: None };
    name_plan(tenancy, &mut shown, tr.code()).await;
    plan_message(tr, &shown)
}

/// Where a refused person can go to be allowed: verify their residency,
/// or log in.
fn next_step(tr: &Tr, refusal: Refusal) -> Option<(&'static str, String)> {
    match refusal {
        Refusal::NotVerified => Some(("/account/verify", tr.t("next-verify"))),
        Refusal::NotRegistered => Some(("/account/login", tr.t("account-login"))),
        _ => None,
    }
}

/// The status a refusal is answered with.
pub fn refusal_status(refusal: Refusal) -> StatusCode {
    match refusal {
        Refusal::NotFound
        | Refusal::NoSuchPerson
        | Refusal::ReceiptInvalid
        | Refusal::CodeUnknown => StatusCode::NOT_FOUND,
        Refusal::NotRegistered => StatusCode::UNAUTHORIZED,
        Refusal::PhaseClosed
        | Refusal::NotVerified
        | Refusal::WrongDistrict
        | Refusal::OrganisationsMayNot
        | Refusal::Blocked
        | Refusal::NotAuthor
        | Refusal::Forbidden
        | Refusal::OtherAddress
        | Refusal::NotInElectorate
        | Refusal::RevotingOff
        | Refusal::NotInvited => StatusCode::FORBIDDEN,
        Refusal::TooDeep
        | Refusal::OwnComment
        | Refusal::InvitationInvalid
        | Refusal::TooManyTokens
        | Refusal::NoPhases => StatusCode::UNPROCESSABLE_ENTITY,
        Refusal::EditWindowOver
        | Refusal::Closed
        | Refusal::SlugTaken
        | Refusal::RulesFrozen
        | Refusal::AlreadyVoted
        | Refusal::VotingNotOver
        | Refusal::AlreadyAnswered
        | Refusal::SurveyFixed
        | Refusal::RegistrationClosed
        | Refusal::MeetingCancelled
        | Refusal::NotYetHeld
        | Refusal::Counting => StatusCode::CONFLICT,
    }
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
            Self::Plan(need) => (
                StatusCode::FORBIDDEN,
                PageShown::Plan(PlanShown { need, plan: None }),
            ),
            Self::Picture(refused) => (refused.status(), PageShown::Picture(refused)),
            Self::Invalid(fields) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                PageShown::Invalid(fields.first().copied()),
            ),
            Self::Line(error) => (StatusCode::UNPROCESSABLE_ENTITY, PageShown::Line(error)),
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
        use ApiMessage::Keyed;
        let shown = |status, code, message| ApiShown {
            status,
            code,
            message,
            fields: Vec::new(),
            line: None,
        };
        let answer = match self {
            Self::NotFound => shown(StatusCode::NOT_FOUND, "not_found", Keyed("api-not-found")),
            Self::NoSuchCall => shown(
                StatusCode::NOT_FOUND,
                "not_found",
                Keyed("api-no-such-call"),
            ),
            Self::Malformed(status, reason) => {
                shown(status, "malformed_body", ApiMessage::Malformed(reason))
            }
            Self::Unauthenticated => shown(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                Keyed("api-unauthenticated"),
            ),
            Self::Csrf => shown(
                StatusCode::FORBIDDEN,
                "csrf_token_invalid",
                Keyed("api-csrf"),
            ),
            Self::RateLimited(seconds) => {
                let answer = shown(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    Keyed("api-rate-limited"),
                );
                return retry_after(deferred(answer.status, Unrendered::Api(answer)), seconds);
            }
            Self::Refused(refusal) => shown(
                refusal_status(refusal),
                refusal.code(),
                ApiMessage::Refusal(refusal),
            ),
            Self::Plan(need) => shown(
                StatusCode::FORBIDDEN,
                match need {
                    Need::Payment => "payment_overdue",
                    _ => "plan_required",
                },
                ApiMessage::Plan(PlanShown { need, plan: None }),
            ),
            Self::Picture(refused) => shown(
                refused.status(),
                refused.code(),
                ApiMessage::Picture(refused),
            ),
            Self::Invalid(fields) => {
                let (code, message) = match fields.as_slice() {
                    [one] => (one.problem.code(), Keyed(one.problem.key())),
                    _ => ("invalid_fields", Keyed("api-invalid-fields")),
                };
                ApiShown {
                    fields,
                    ..shown(StatusCode::UNPROCESSABLE_ENTITY, code, message)
                }
            }
            Self::Line(error) => ApiShown {
                line: Some(error.line),
                ..shown(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    error.problem.code(),
                    ApiMessage::Keyed(error.problem.key()),
                )
            },
            Self::Coded(status, code, message) => shown(status, code, Keyed(message)),
            Self::Unavailable(error) => {
                log_failure(&error);
                let answer = shown(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    Keyed("error-unavailable-body"),
                );
                return retry_after(deferred(answer.status, Unrendered::Api(answer)), 5);
            }
            Self::Internal(error) => {
                log_failure(error.as_ref());
                shown(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    Keyed("error-internal-body"),
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
                message: ApiMessage::Keyed("api-not-found"),
                fields: Vec::new(),
                line: None,
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
        PageShown::Refusal(refusal) => message_page_next(
            tr,
            refusal_status(*refusal),
            [&tr.t("refusal-title"), &tr.t(refusal.key())],
            true,
            next_step(tr, *refusal),
        ),
        PageShown::Plan(shown) => message_page_next(
            tr,
            StatusCode::FORBIDDEN,
            [&tr.t("plan-required-title"), &plan_message(tr, shown)],
            true,
            Some(("/staff/billing", tr.t("plan-required-next"))),
        ),
        PageShown::Picture(refused) => message_page(
            tr,
            refused.status(),
            &tr.t("refusal-title"),
            &coded(tr, "refusal", refused.code()),
            true,
        ),
        PageShown::Invalid(None) => keyed_page(tr, StatusCode::UNPROCESSABLE_ENTITY, "error-form"),
        PageShown::Invalid(Some(error)) => message_page(
            tr,
            StatusCode::UNPROCESSABLE_ENTITY,
            &tr.t("error-form-title"),
            &tr.t(error.problem.key()),
            true,
        ),
        PageShown::Line(error) => message_page(
            tr,
            StatusCode::UNPROCESSABLE_ENTITY,
            &tr.t("error-form-title"),
            &line_message(tr, *error),
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
        ApiMessage::Malformed(reason) => tr.with("api-malformed", "reason", reason),
        ApiMessage::Refusal(refusal) => tr.t(refusal.key()),
        ApiMessage::Plan(plan) => plan_message(tr, plan),
        ApiMessage::Keyed(key) => tr.t(key),
        ApiMessage::Picture(refused) => coded(tr, "refusal", refused.code()),
    };
    let mut error = json!({"code": shown.code, "message": message});
    if !shown.fields.is_empty() {
        error["fields"] = shown
            .fields
            .iter()
            .map(|e| json!({"field": e.field.name(), "code": e.problem.code()}))
            .collect();
    }
    if let Some(line) = shown.line {
        error["line"] = json!(line);
    }
    if let ApiMessage::Plan(plan) = &shown.message {
        error["need"] = json!(plan.need.as_str());
        error["plan"] = json!(plan.plan.as_ref().map(|(slug, _)| slug));
    }
    let mut response = (shown.status, Json(json!({ "error": error }))).into_response();
    if let [one] = shown.fields.as_slice() {
        response.headers_mut().insert(
            "x-invalid-field",
            HeaderValue::from_static(one.field.name()),
        );
    }
    response
}

/// What the engine refused, explained in `tr`'s language, for a form shown
/// again (its first field, when a field is to blame); `None` when the engine
/// failed rather than refused.
pub fn refused(tr: &Tr, error: &EngineError) -> Option<(Option<&'static str>, String)> {
    match error {
        EngineError::Refused(refusal) => Some((None, tr.t(refusal.key()))),
        EngineError::Plan(need) => Some((
            None,
            plan_message(
                tr,
                &PlanShown {
                    need: *need,
                    plan: None,
                },
            ),
        )),
        EngineError::Invalid(fields) => fields
            .first()
            .map(|f| (Some(f.field.name()), tr.t(f.problem.key()))),
        EngineError::Line(line) => Some((None, line_message(tr, *line))),
        EngineError::Store(_) => None,
    }
}

/// A refused line of a file, explained in `tr`'s language.
pub fn line_message(tr: &Tr, error: LineError) -> String {
    let problem = tr.t(error.problem.key());
    if error.line == 0 {
        return problem;
    }
    tr.args(
        "staff-budget-file-line",
        &[("line", error.line.to_string()), ("problem", problem)],
    )
}

/// The conversions pages and the API share: both error types have the
/// variants these name, and answer the same causes the same way.
macro_rules! shared_causes {
    ($($error:ident),+) => {$(
        impl From<TenancyError> for $error {
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

        impl From<EngineError> for $error {
            fn from(error: EngineError) -> Self {
                match error {
                    EngineError::Refused(refusal) => Self::Refused(refusal),
                    EngineError::Plan(need) => Self::Plan(need),
                    EngineError::Invalid(fields) => Self::Invalid(fields),
                    EngineError::Line(line) => Self::Line(line),
                    EngineError::Store(error) => error.into(),
                }
            }
        }

        impl From<Need> for $error {
            fn from(need: Need) -> Self {
                Self::Plan(need)
            }
        }

        impl From<Refusal> for $error {
            fn from(refusal: Refusal) -> Self {
                Self::Refused(refusal)
            }
        }

        impl From<PictureError> for $error {
            fn from(error: PictureError) -> Self {
                match error {
                    PictureError::RateLimited(seconds) => Self::RateLimited(seconds),
                    PictureError::Plan(need) => Self::Plan(need),
                    PictureError::Failed(error) if out_of_room(&error) => {
                        tracing::error!(%error, "uploads have no room left");
                        Self::Picture(PictureRefused::StorageFull)
                    }
                    PictureError::Failed(error) => Self::Internal(Box::new(error)),
                }
            }
        }

        impl From<PictureRefused> for $error {
            fn from(refused: PictureRefused) -> Self {
                Self::Picture(refused)
            }
        }

        impl NotFound for $error {
            fn not_found() -> Self {
                Self::NotFound
            }
        }
    )+};
}

shared_causes!(PageError, ApiError);

/// Whether a storage error means there is no room left: a full disk, a
/// quota, a file-size limit.
fn out_of_room(error: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    matches!(
        error.kind(),
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded | ErrorKind::FileTooLarge
    )
}

impl From<askama::Error> for PageError {
    fn from(error: askama::Error) -> Self {
        Self::Internal(Box::new(error))
    }
}

/// Errors that can say "no such item", for code shared by pages and API.
pub trait NotFound {
    /// No such item.
    fn not_found() -> Self;
}

#[cfg(test)]
mod tests {
    use super::*;
    use cabildo_engine::Problem;

    /// Every refusal and every field problem the engine can answer with
    /// is explained in every interface language.
    #[test]
    fn every_refusal_and_problem_has_words_in_every_language() {
        let keys = Refusal::ALL
            .iter()
            .map(|r| r.key())
            .chain(Problem::ALL.iter().map(|p| p.key()));
        let keys: Vec<&str> = keys.collect();
        for code in crate::ui::i18n::UI_LANGUAGES {
            let tr = Tr::new(code);
            for key in &keys {
                let message = tr.t(key);
                assert!(
                    !message.is_empty()
                        && !message.contains("Unknown localization")
                        && message != *key,
                    "{code}: {key} has no words ({message})"
                );
            }
        }
    }
}
