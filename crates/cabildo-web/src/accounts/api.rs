//! The account actions of the pages in the JSON API, with the same rules:
//! registration, confirmation, password resets, sessions, the person's
//! own data, residency verification and personal access tokens.

use crate::accounts::actions::{self, Failure, Residency};
use crate::accounts::profile::download;
use crate::http::api::{ActErrors, ApiRoutes, ErrorBody, Instant, StatusView};
use crate::http::cookies::append;
use crate::http::council::ApiCouncil;
use crate::http::error::ApiError;
use crate::http::extract::{ApiCitizen, ApiJson, Id};
use crate::http::session_cache::Ended;
use axum::Json;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cabildo_engine::accounts::{self, Registration, api_tokens, password, sessions};
use cabildo_engine::{Error as EngineError, Field, FieldError};
use cabildo_engine::{activity, organisations};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;
use uuid::Uuid;

/// The account routes of the API.
pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .add(routes!(register))
        .add(routes!(confirm))
        .add(routes!(request_reset))
        .add(routes!(reset_password))
        .add(routes!(log_in))
        .add(routes!(log_out))
        .add(routes!(me))
        .add(routes!(verify))
        .add(routes!(my_data))
        .add(routes!(delete))
        .add(routes!(list_tokens, create_token))
        .add(routes!(revoke_token))
        .add(routes!(my_activity))
}

fn status(code: StatusCode, status: &'static str) -> (StatusCode, Json<StatusView>) {
    (code, Json(StatusView { status }))
}

/// Body of `POST /account/registrations`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RegistrationBody {
    /// Full name.
    name: String,
    /// Public nickname (3–30 letters, digits, `.`, `-`, `_`).
    nickname: String,
    /// Email address.
    email: String,
    /// At least 10 characters, not a common one.
    password: String,
    /// One of the council's languages (default: the one negotiated).
    #[serde(default)]
    language: Option<String>,
    /// The terms of use and privacy policy are accepted.
    #[serde(default)]
    accept_terms: bool,
    /// Wants the council's newsletter.
    #[serde(default)]
    newsletter: bool,
}

/// Registers an account; the same answer whether or not the address already has one.
#[utoipa::path(post, path = "/account/registrations", tag = "accounts",
    request_body = RegistrationBody,
    responses(
        (status = 202, description = "Accepted; a mail follows.", body = StatusView),
        (status = 422, description = "Invalid fields (`invalid_fields`, with each field and its code).", body = ErrorBody),
        (status = 429, description = "Too many attempts (`rate_limited`).", body = ErrorBody)))]
async fn register(
    council: ApiCouncil,
    ApiJson(body): ApiJson<RegistrationBody>,
) -> Result<impl IntoResponse, ApiError> {
    let registration = Registration {
        name: body.name,
        nickname: body.nickname,
        email: body.email,
        password: body.password,
        language: body
            .language
            .unwrap_or_else(|| council.tr.code().to_owned()),
        accept_terms: body.accept_terms,
        newsletter: body.newsletter,
    };
    actions::register(&council, &registration).await?;
    Ok(status(StatusCode::ACCEPTED, "check_your_email"))
}

/// A token from a mail.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenBody {
    /// The token of the link.
    token: String,
}

const INVALID_TOKEN: ApiError = ApiError::Coded(
    StatusCode::BAD_REQUEST,
    "invalid_token",
    "reset-invalid-body",
);

/// Confirms an address with the token from its mail.
#[utoipa::path(post, path = "/account/confirmations", tag = "accounts",
    request_body = TokenBody,
    responses(
        (status = 200, description = "Confirmed.", body = StatusView),
        (status = 400, description = "`invalid_token`.", body = ErrorBody)))]
async fn confirm(
    council: ApiCouncil,
    ApiJson(body): ApiJson<TokenBody>,
) -> Result<impl IntoResponse, ApiError> {
    if !actions::confirm(&council, &body.token).await? {
        return Err(INVALID_TOKEN);
    }
    Ok(status(StatusCode::OK, "confirmed"))
}

/// An email address.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EmailBody {
    /// The address.
    email: String,
}

/// Mails a reset link if the address has an account; the same answer either way.
#[utoipa::path(post, path = "/account/password-resets", tag = "accounts",
    request_body = EmailBody,
    responses(
        (status = 202, description = "Accepted; a mail follows if the address has an account.", body = StatusView),
        (status = 429, description = "Too many attempts (`rate_limited`).", body = ErrorBody)))]
async fn request_reset(
    council: ApiCouncil,
    ApiJson(body): ApiJson<EmailBody>,
) -> Result<impl IntoResponse, ApiError> {
    match actions::request_reset(&council, &body.email).await {
        Ok(()) | Err(Failure::Engine(EngineError::Invalid(_))) => {
            Ok(status(StatusCode::ACCEPTED, "check_your_email"))
        }
        Err(failure) => Err(failure.into()),
    }
}

/// A new password with the token from a reset mail.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ResetBody {
    /// The token of the reset link.
    token: String,
    /// The new password.
    password: String,
}

/// Sets a new password with the token from a reset mail; every session of the account ends.
#[utoipa::path(post, path = "/account/passwords", tag = "accounts",
    request_body = ResetBody,
    responses(
        (status = 200, description = "Changed; every session ended.", body = StatusView),
        (status = 400, description = "`invalid_token`.", body = ErrorBody),
        (status = 422, description = "`password_too_short`, `password_too_long`, `password_common`.", body = ErrorBody)))]
async fn reset_password(
    council: ApiCouncil,
    ApiJson(body): ApiJson<ResetBody>,
) -> Result<impl IntoResponse, ApiError> {
    if let Err(weakness) = password::check(&body.password, &[]) {
        return Err(ApiError::Invalid(vec![FieldError {
            field: Field::Password,
            problem: weakness.problem(),
        }]));
    }
    if !actions::reset_password(&council, &body.token, &body.password).await? {
        return Err(INVALID_TOKEN);
    }
    Ok(status(StatusCode::OK, "password_changed"))
}

/// Login credentials.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginBody {
    /// The account's address.
    email: String,
    /// Its password.
    password: String,
}

/// A new session's CSRF token (the session itself is the cookie).
#[derive(Serialize, ToSchema)]
pub struct SessionView {
    /// Send it in `X-CSRF-Token` with every call that changes something.
    csrf_token: String,
}

/// Logs in: the session cookie, and its CSRF token.
#[utoipa::path(post, path = "/sessions", tag = "accounts",
    request_body = LoginBody,
    responses(
        (status = 200, description = "Logged in; the session is in the cookie.", body = SessionView),
        (status = 401, description = "`invalid_credentials`.", body = ErrorBody),
        (status = 403, description = "`email_unconfirmed`.", body = ErrorBody),
        (status = 429, description = "Too many attempts (`rate_limited`).", body = ErrorBody)))]
async fn log_in(
    council: ApiCouncil,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<impl IntoResponse, ApiError> {
    let (session, token) = actions::log_in(&council, &body.email, &body.password).await?;
    let state = &council.state;
    let mut headers = HeaderMap::new();
    state.set_session_cookie(&mut headers, &token);
    let view = SessionView {
        csrf_token: state.csrf_for_session(&session.id),
    };
    Ok((headers, Json(view)))
}

/// Logs out this session.
#[utoipa::path(delete, path = "/sessions/current", tag = "accounts",
    security(("session" = [], "csrf" = [])),
    responses((status = 204, description = "Logged out; the cookie is deleted."), ActErrors))]
async fn log_out(citizen: ApiCitizen) -> Result<impl IntoResponse, ApiError> {
    let Some(token) = citizen.visitor.session_token.clone() else {
        return Err(ApiError::Unauthenticated);
    };
    citizen
        .tx(async |tx| sessions::end(tx, &token).await)
        .await?;
    let ended = Ended::Session(citizen.session.id.clone());
    citizen.state.sessions.ended(citizen.tenant.id, ended).await;
    let state = &citizen.state;
    let mut headers = HeaderMap::new();
    let name = state.cookie_names().session;
    append(&mut headers, state.config.secure_cookies, name, "", Some(0));
    Ok((StatusCode::NO_CONTENT, headers))
}

/// An organisation the person speaks for.
#[derive(Serialize, ToSchema)]
pub struct OrganisationView {
    /// Its name.
    name: String,
    /// `pending`, `verified` or `rejected`.
    status: String,
}

/// The logged-in person.
#[derive(Serialize, ToSchema)]
pub struct MeView {
    /// The organisation they speak for, if any.
    organisation: Option<OrganisationView>,
    /// Their account.
    id: Uuid,
    /// Full name.
    name: String,
    /// Public nickname.
    nickname: Option<String>,
    /// Email address.
    email: String,
    /// Preferred language.
    language: Option<String>,
    /// Verified as a resident.
    verified: bool,
    /// Their district, once verified.
    district: Option<String>,
}

const PRIVATE: [(header::HeaderName, &str); 1] = [(header::CACHE_CONTROL, "private, no-store")];

/// The logged-in person.
#[utoipa::path(get, path = "/me", tag = "accounts",
    responses((status = 200, body = MeView), ActErrors))]
async fn me(citizen: ApiCitizen) -> Result<Response, ApiError> {
    let user = citizen.user();
    let found = citizen
        .tx(async |tx| {
            let profile = accounts::profile(tx, user).await?;
            let organisation = organisations::of_user(tx, user).await?;
            Ok::<_, EngineError>(profile.map(|p| (p, organisation)))
        })
        .await?;
    let Some((profile, organisation)) = found else {
        return Err(ApiError::Unauthenticated);
    };
    let view = MeView {
        organisation: organisation.map(|o| OrganisationView {
            name: o.name,
            status: o.status.to_string(),
        }),
        id: profile.id.into(),
        name: profile.name,
        nickname: profile.nickname,
        email: profile.email,
        language: profile.language,
        verified: profile.verified,
        district: profile.district,
    };
    Ok((PRIVATE, Json(view)).into_response())
}

/// A residency verification request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct VerificationBody {
    /// DNI or NIE.
    document: String,
    /// `YYYY-MM-DD` (or `DD/MM/YYYY`).
    birth_date: String,
}

/// A verified resident.
#[derive(Serialize, ToSchema)]
pub struct VerifiedView {
    /// Always true.
    verified: bool,
    /// Their district.
    district: String,
}

/// Verifies the logged-in person against the council's census.
#[utoipa::path(post, path = "/me/verification", tag = "accounts",
    request_body = VerificationBody,
    responses(
        (status = 200, body = VerifiedView),
        (status = 422, description = "`verification_failed`, `document_format`, `document_letter`, `birth_date_invalid`.", body = ErrorBody),
        (status = 429, description = "`too_many_attempts`: five failed attempts in 24 hours.", body = ErrorBody),
        ActErrors))]
async fn verify(
    citizen: ApiCitizen,
    ApiJson(body): ApiJson<VerificationBody>,
) -> Result<impl IntoResponse, ApiError> {
    let unprocessable =
        |code, message| ApiError::Coded(StatusCode::UNPROCESSABLE_ENTITY, code, message);
    let outcome =
        actions::verify_residency(&citizen, citizen.user(), &body.document, &body.birth_date)
            .await?;
    match outcome {
        Residency::Verified(district) => Ok(Json(VerifiedView {
            verified: true,
            district,
        })),
        Residency::Failed => Err(unprocessable(
            "verification_failed",
            "error-verification-failed",
        )),
        Residency::TooManyAttempts => Err(ApiError::Coded(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            "error-verification-too-many",
        )),
        Residency::InvalidDocument(code) => {
            let key = if code == "document_letter" {
                "error-document-letter"
            } else {
                "error-document-format"
            };
            Err(unprocessable(code, key))
        }
        Residency::InvalidBirthDate => Err(unprocessable("birth_date_invalid", "error-birth-date")),
    }
}

/// Everything held about the logged-in person, as a JSON download.
#[utoipa::path(get, path = "/me/data", tag = "accounts",
    responses((status = 200, description = "A JSON copy of everything held about the person.", content_type = "application/json"), ActErrors))]
async fn my_data(citizen: ApiCitizen) -> Result<Response, ApiError> {
    match actions::export_data(&citizen, citizen.user()).await? {
        Some(data) => Ok(download(&data, citizen.tenant.slug.as_str())),
        None => Err(ApiError::Unauthenticated),
    }
}

/// A password, to confirm.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordBody {
    /// The account's current password.
    password: String,
}

/// Deletes the logged-in person's account (counts are kept, anonymous).
#[utoipa::path(post, path = "/me/deletion", tag = "accounts",
    request_body = PasswordBody,
    responses((status = 204, description = "Deleted; every session ended."), ActErrors))]
async fn delete(
    citizen: ApiCitizen,
    ApiJson(body): ApiJson<PasswordBody>,
) -> Result<impl IntoResponse, ApiError> {
    if !actions::delete_account(&citizen, citizen.user(), &body.password).await? {
        return Err(ApiError::Coded(
            StatusCode::FORBIDDEN,
            "invalid_credentials",
            "api-delete-wrong-password",
        ));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// A personal access token as listed (never the token itself).
#[derive(Serialize, ToSchema)]
pub struct TokenView {
    /// Its id, to revoke it.
    id: Uuid,
    /// The name its owner gave it.
    name: String,
    /// Created.
    created_at: Instant,
    /// Last used (within a few minutes).
    last_used_at: Option<Instant>,
}

/// The person's live tokens.
#[derive(Serialize, ToSchema)]
pub struct TokensView {
    /// Newest first.
    tokens: Vec<TokenView>,
}

/// The logged-in person's live personal access tokens.
#[utoipa::path(get, path = "/me/tokens", tag = "accounts",
    responses((status = 200, body = TokensView), ActErrors))]
async fn list_tokens(citizen: ApiCitizen) -> Result<impl IntoResponse, ApiError> {
    let user = citizen.user();
    let listed = citizen
        .tx(async |tx| api_tokens::list(tx, user).await)
        .await?;
    let tokens = listed
        .into_iter()
        .map(|t| TokenView {
            id: t.id,
            name: t.name,
            created_at: t.created_at.into(),
            last_used_at: t.last_used_at.map(Instant),
        })
        .collect();
    Ok(Json(TokensView { tokens }))
}

/// A name for a new token.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenName {
    /// 1 to 100 characters.
    name: String,
}

/// A new token, shown only here.
#[derive(Serialize, ToSchema)]
pub struct CreatedTokenView {
    /// Its id.
    id: Uuid,
    /// Its name.
    name: String,
    /// The token: send it as `Authorization: Bearer …`.
    token: String,
}

/// Creates a personal access token (from a logged-in session, not with another token).
#[utoipa::path(post, path = "/me/tokens", tag = "accounts",
    security(("session" = [], "csrf" = [])),
    request_body = TokenName,
    responses(
        (status = 201, body = CreatedTokenView),
        (status = 403, description = "`plan_required`: the council's plan does not include API tokens (`plan` names one that does).", body = ErrorBody),
        (status = 422, description = "`name_invalid`, `too_many_tokens` (20 at most).", body = ErrorBody),
        ActErrors))]
async fn create_token(
    citizen: ApiCitizen,
    ApiJson(body): ApiJson<TokenName>,
) -> Result<impl IntoResponse, ApiError> {
    if citizen.visitor.bearer {
        return Err(ApiError::Coded(
            StatusCode::FORBIDDEN,
            "session_required",
            "api-session-required",
        ));
    }
    let user = citizen.user();
    let (id, token) = citizen
        .tx(async |tx| api_tokens::create(tx, user, &body.name).await)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedTokenView {
            id,
            name: body.name.trim().to_owned(),
            token,
        }),
    ))
}

/// Revokes one of the person's tokens.
#[utoipa::path(delete, path = "/me/tokens/{id}", tag = "accounts",
    params(("id" = Uuid, Path, description = "The token's id.")),
    responses((status = 204, description = "Revoked."), ActErrors))]
async fn revoke_token(
    citizen: ApiCitizen,
    Id(id): Id<Uuid>,
) -> Result<impl IntoResponse, ApiError> {
    let user = citizen.user();
    let revoked = citizen
        .tx(async |tx| api_tokens::revoke(tx, user, id).await)
        .await?;
    let Some(hash) = revoked else {
        return Err(ApiError::Coded(
            StatusCode::NOT_FOUND,
            "not_found",
            "api-token-not-found",
        ));
    };
    citizen
        .state
        .sessions
        .ended(citizen.tenant.id, Ended::Session(hash))
        .await;
    Ok(StatusCode::NO_CONTENT)
}

/// One thing the person did.
#[derive(Serialize, ToSchema)]
pub struct EntryView {
    /// `proposal`, `debate`, `comment` or `support`.
    kind: String,
    /// What it is about.
    title: String,
    /// Where it is shown.
    link: String,
    /// When.
    at: Instant,
}

/// The person's activity.
#[derive(Serialize, ToSchema)]
pub struct ActivityView {
    /// The latest 100 things, newest first.
    activity: Vec<EntryView>,
}

/// What the logged-in person did, newest first.
#[utoipa::path(get, path = "/me/activity", tag = "accounts",
    responses((status = 200, body = ActivityView), ActErrors))]
async fn my_activity(citizen: ApiCitizen) -> Result<impl IntoResponse, ApiError> {
    let user = citizen.user();
    let entries = citizen.tx(async |tx| activity::of(tx, user).await).await?;
    let activity = entries
        .into_iter()
        .map(|e| EntryView {
            kind: e.kind,
            title: e.title,
            link: e.link,
            at: e.at.into(),
        })
        .collect();
    Ok(Json(ActivityView { activity }))
}
