//! The JSON API under `/api/v1` on a council's site: the account actions
//! of the pages, with the same rules. Errors are
//! `{"error": {"code": …, "message": …}}` with stable codes; calls that
//! change state with the session cookie need its CSRF token in
//! `X-CSRF-Token`.

use crate::AppState;
use crate::account_pages::{self, Context, LoginRefusal, Refusal};
use crate::error::{WebError, from_account};
use crate::http::cookies::set_cookie;
use crate::site::{ClientIp, LanguageRequest};
use axum::Extension;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cabildo_engine::accounts::{self, Registration, api_tokens, sessions};
use cabildo_tenancy::Site;
use serde::Deserialize;
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

/// `POST /api/v1/account/registrations`.
#[derive(Debug, Deserialize)]
pub struct RegistrationBody {
    name: String,
    nickname: String,
    email: String,
    password: String,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    accept_terms: bool,
    #[serde(default)]
    newsletter: bool,
}

/// `POST /api/v1/account/registrations` → 202 whether or not the address
/// already has an account.
pub async fn register(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
    body: Result<Json<RegistrationBody>, JsonRejection>,
) -> Response {
    let ctx = context!(state, site, language, headers);
    let body = body!(body);
    let registration = Registration {
        name: body.name,
        nickname: body.nickname,
        email: body.email,
        password: body.password,
        language: body.language.unwrap_or_else(|| ctx.tr.code().to_owned()),
        accept_terms: body.accept_terms,
        newsletter: body.newsletter,
    };
    match account_pages::register_account(&state, &ctx.tenant, &ip.to_string(), &registration).await
    {
        Ok(()) => (
            StatusCode::ACCEPTED,
            Json(json!({"status": "check_your_email"})),
        )
            .into_response(),
        Err(Refusal::Invalid(errors)) => {
            let fields: Vec<_> = errors
                .iter()
                .map(|e| json!({"field": e.field.name(), "code": e.code}))
                .collect();
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(json!({"error": {
                    "code": "invalid_fields",
                    "message": "Some fields are not acceptable.",
                    "fields": fields,
                }})),
            )
                .into_response()
        }
        Err(Refusal::RateLimited(seconds)) => rate_limited(seconds),
        Err(Refusal::Failed(failure)) => web_error(failure),
    }
}

/// A confirmation or reset token.
#[derive(Debug, Deserialize)]
pub struct TokenBody {
    token: String,
}

/// `POST /api/v1/account/confirmations` `{token}` → 200.
pub async fn confirm(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
    body: Result<Json<TokenBody>, JsonRejection>,
) -> Response {
    let ctx = context!(state, site, language, headers);
    let body = body!(body);
    match account_pages::confirm_address(&state, &ctx.tenant, &body.token).await {
        Ok(true) => Json(json!({"status": "confirmed"})).into_response(),
        Ok(false) => error(
            StatusCode::BAD_REQUEST,
            "invalid_token",
            "The link is unknown, already used or expired.",
        ),
        Err(failure) => web_error(failure),
    }
}

/// An email address.
#[derive(Debug, Deserialize)]
pub struct EmailBody {
    email: String,
}

/// `POST /api/v1/account/password-resets` `{email}` → 202 whether or not
/// the address has an account.
pub async fn request_reset(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
    body: Result<Json<EmailBody>, JsonRejection>,
) -> Response {
    let ctx = context!(state, site, language, headers);
    let body = body!(body);
    match account_pages::request_reset(&state, &ctx.tenant, &ip.to_string(), &body.email).await {
        Ok(()) | Err(Refusal::Invalid(_)) => (
            StatusCode::ACCEPTED,
            Json(json!({"status": "check_your_email"})),
        )
            .into_response(),
        Err(Refusal::RateLimited(seconds)) => rate_limited(seconds),
        Err(Refusal::Failed(failure)) => web_error(failure),
    }
}

/// Login credentials.
#[derive(Debug, Deserialize)]
pub struct LoginBody {
    email: String,
    password: String,
}

/// `POST /api/v1/sessions` → 200 with the session cookie and
/// `{"csrf_token": …}`; 401 `invalid_credentials`.
pub async fn login(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
    body: Result<Json<LoginBody>, JsonRejection>,
) -> Response {
    let ctx = context!(state, site, language, headers);
    let body = body!(body);
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    match account_pages::log_in(
        &state,
        &ctx.tenant,
        &ip.to_string(),
        &body.email,
        &body.password,
        user_agent,
    )
    .await
    {
        Ok((session, token)) => {
            let mut response =
                Json(json!({"csrf_token": state.csrf_for_session(&session.id)})).into_response();
            response.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(
                    state.config.secure_cookies,
                    state.cookie_names().session,
                    &token,
                    Some(sessions::ABSOLUTE.whole_seconds()),
                ),
            );
            response
        }
        Err(LoginRefusal::Invalid) => error(
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
            "The email or the password is not right.",
        ),
        Err(LoginRefusal::Unconfirmed) => error(
            StatusCode::FORBIDDEN,
            "email_unconfirmed",
            "Confirm your email address with the link we sent before logging in.",
        ),
        Err(LoginRefusal::RateLimited(seconds)) => rate_limited(seconds),
        Err(LoginRefusal::Failed(failure)) => web_error(failure),
    }
}

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

/// `DELETE /api/v1/sessions/current` → 204; needs `X-CSRF-Token`.
pub async fn logout(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
) -> Response {
    let ctx = context!(state, site, language, headers);
    let Some(token) = &ctx.visitor.session_token else {
        return unauthenticated();
    };
    if !csrf_header_matches(&ctx, &headers) {
        return csrf_refused();
    }
    let ended: Result<(), WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        sessions::end(&mut tx, token).await.map_err(from_account)?;
        tx.commit().await?;
        if let Some(session) = &ctx.visitor.session {
            let ended = crate::session_cache::Ended::Session(session.id.clone());
            state.sessions.ended(ctx.tenant.id, ended).await;
        }
        Ok(())
    }
    .await;
    match ended {
        Ok(()) => {
            let mut response = StatusCode::NO_CONTENT.into_response();
            response.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(
                    state.config.secure_cookies,
                    state.cookie_names().session,
                    "",
                    Some(0),
                ),
            );
            response
        }
        Err(failure) => web_error(failure),
    }
}

/// `GET /api/v1/me` → the logged-in person, or 401.
pub async fn me(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
) -> Response {
    let ctx = context!(state, site, language, headers);
    let Some(session) = &ctx.visitor.session else {
        return unauthenticated();
    };
    let profile: Result<_, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        let profile = accounts::profile(&mut tx, session.user)
            .await
            .map_err(from_account)?;
        let organisation = cabildo_engine::organisations::of_user(&mut tx, session.user)
            .await
            .map_err(from_account)?;
        tx.commit().await?;
        Ok(profile.map(|p| (p, organisation)))
    }
    .await;
    match profile {
        Ok(Some((profile, organisation))) => {
            let organisation = organisation.map(|o| json!({"name": o.name, "status": o.status}));
            let mut response = Json(json!({
                "organisation": organisation,
                "id": profile.id,
                "name": profile.name,
                "nickname": profile.nickname,
                "email": profile.email,
                "language": profile.language,
                "verified": profile.verified,
                "district": profile.district,
            }))
            .into_response();
            response.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
            response
        }
        Ok(None) => unauthenticated(),
        Err(failure) => web_error(failure),
    }
}

/// Anything else under `/api/`.
pub async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "not_found", "No such API call.")
}

/// A residency verification request.
#[derive(Debug, Deserialize)]
pub struct VerificationBody {
    document: String,
    birth_date: String,
}

/// `POST /api/v1/me/verification` `{document, birth_date}` → 200
/// `{verified, district}`, or 422 with a code (`verification_failed`,
/// `document_format`, `document_letter`, `birth_date_invalid`), or 429
/// `too_many_attempts`.
pub async fn verify(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
    body: Result<Json<VerificationBody>, JsonRejection>,
) -> Response {
    let ctx = context!(state, site, language, headers);
    let Some(user) = ctx.visitor.session.as_ref().map(|s| s.user) else {
        return unauthenticated();
    };
    if !csrf_header_matches(&ctx, &headers) {
        return csrf_refused();
    }
    let body = body!(body);
    let unprocessable =
        |code: &str, message: &str| error(StatusCode::UNPROCESSABLE_ENTITY, code, message);
    match account_pages::verify_residency(
        &state,
        &ctx.tenant,
        user,
        &body.document,
        &body.birth_date,
    )
    .await
    {
        Ok(account_pages::Residency::Verified(district)) => {
            Json(json!({"verified": true, "district": district})).into_response()
        }
        Ok(account_pages::Residency::Failed) => unprocessable(
            "verification_failed",
            "The census has no resident with that document and birth date available for this account.",
        ),
        Ok(account_pages::Residency::TooManyAttempts) => error(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            "Five failed attempts in 24 hours; try again tomorrow or ask the council.",
        ),
        Ok(account_pages::Residency::InvalidDocument(code)) => {
            unprocessable(code, "That is not a valid DNI or NIE.")
        }
        Ok(account_pages::Residency::InvalidBirthDate) => {
            unprocessable("birth_date_invalid", "Give the birth date as YYYY-MM-DD.")
        }
        Err(failure) => web_error(failure),
    }
}

/// `GET /api/v1/me/data` → everything about the logged-in person.
pub async fn my_data(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
) -> Response {
    let ctx = context!(state, site, language, headers);
    let Some(user) = ctx.visitor.session.as_ref().map(|s| s.user) else {
        return unauthenticated();
    };
    match account_pages::export_data(&state, &ctx.tenant, user).await {
        Ok(Some(data)) => account_pages::download(&data, ctx.tenant.slug.as_str()),
        Ok(None) => unauthenticated(),
        Err(failure) => web_error(failure),
    }
}

/// A password, to confirm.
#[derive(Debug, Deserialize)]
pub struct PasswordBody {
    password: String,
}

/// `POST /api/v1/me/deletion` `{password}` (header `X-CSRF-Token`) → 204;
/// 403 `invalid_credentials` with a wrong password.
pub async fn delete(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
    body: Result<Json<PasswordBody>, JsonRejection>,
) -> Response {
    let ctx = context!(state, site, language, headers);
    let Some(user) = ctx.visitor.session.as_ref().map(|s| s.user) else {
        return unauthenticated();
    };
    if !csrf_header_matches(&ctx, &headers) {
        return csrf_refused();
    }
    let body = body!(body);
    match account_pages::delete_account(&state, &ctx.tenant, user, &body.password).await {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => error(
            StatusCode::FORBIDDEN,
            "invalid_credentials",
            "The password is not right; nothing was deleted.",
        ),
        Err(failure) => web_error(failure),
    }
}

/// A name for a new personal access token.
#[derive(Debug, Deserialize)]
pub struct TokenName {
    name: String,
}

/// `POST /api/v1/me/tokens` `{name}` (a logged-in session with
/// `X-CSRF-Token`) → 201 `{id, name, token}`; the token is shown only here.
pub async fn create_token(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
    body: Result<Json<TokenName>, JsonRejection>,
) -> Response {
    let ctx = context!(state, site, language, headers);
    let Some(user) = ctx.visitor.session.as_ref().map(|s| s.user) else {
        return unauthenticated();
    };
    if ctx.visitor.bearer {
        return error(
            StatusCode::FORBIDDEN,
            "session_required",
            "Tokens are created from a logged-in session, not with another token.",
        );
    }
    if !csrf_header_matches(&ctx, &headers) {
        return csrf_refused();
    }
    let body = body!(body);
    let created: Result<_, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        let created = api_tokens::create(&mut tx, user, &body.name)
            .await
            .map_err(from_account)?;
        tx.commit().await?;
        Ok(created)
    }
    .await;
    match created {
        Ok(Ok((id, token))) => (
            StatusCode::CREATED,
            Json(json!({"id": id, "name": body.name.trim(), "token": token})),
        )
            .into_response(),
        Ok(Err(api_tokens::NotCreated::Name)) => error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "name_invalid",
            "Give the token a name of 1 to 100 characters.",
        ),
        Ok(Err(api_tokens::NotCreated::TooMany)) => error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "too_many_tokens",
            "Revoke a token before creating another (20 at most).",
        ),
        Err(failure) => web_error(failure),
    }
}

/// `GET /api/v1/me/tokens` → the person's live tokens (never the tokens
/// themselves).
pub async fn list_tokens(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
) -> Response {
    let ctx = context!(state, site, language, headers);
    let Some(user) = ctx.visitor.session.as_ref().map(|s| s.user) else {
        return unauthenticated();
    };
    let listed: Result<_, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        let listed = api_tokens::list(&mut tx, user)
            .await
            .map_err(from_account)?;
        tx.commit().await?;
        Ok(listed)
    }
    .await;
    match listed {
        Ok(tokens) => Json(json!({"tokens": tokens})).into_response(),
        Err(failure) => web_error(failure),
    }
}

/// `DELETE /api/v1/me/tokens/{id}` → 204, or 404 `not_found`.
pub async fn revoke_token(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    axum::extract::Path(id): axum::extract::Path<String>,
    headers: HeaderMap,
) -> Response {
    let ctx = context!(state, site, language, headers);
    let Some(user) = ctx.visitor.session.as_ref().map(|s| s.user) else {
        return unauthenticated();
    };
    if !csrf_header_matches(&ctx, &headers) {
        return csrf_refused();
    }
    let Ok(id) = id.parse::<uuid::Uuid>() else {
        return error(StatusCode::NOT_FOUND, "not_found", "No such token.");
    };
    let revoked: Result<_, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        let revoked = api_tokens::revoke(&mut tx, user, id)
            .await
            .map_err(from_account)?;
        tx.commit().await?;
        Ok(revoked)
    }
    .await;
    match revoked {
        Ok(Some(hash)) => {
            let ended = crate::session_cache::Ended::Session(hash);
            state.sessions.ended(ctx.tenant.id, ended).await;
            StatusCode::NO_CONTENT.into_response()
        }
        Ok(None) => error(StatusCode::NOT_FOUND, "not_found", "No such token."),
        Err(failure) => web_error(failure),
    }
}

/// A new password with the token from a reset mail.
#[derive(Debug, Deserialize)]
pub struct ResetBody {
    token: String,
    password: String,
}

/// `POST /api/v1/account/passwords` `{token, password}` → 200 (every
/// session of the account ends); 400 `invalid_token`; 422 with a password
/// code (`password_too_short`, `password_common` …).
pub async fn reset_password(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
    body: Result<Json<ResetBody>, JsonRejection>,
) -> Response {
    let ctx = context!(state, site, language, headers);
    let body = body!(body);
    if let Err(weakness) = accounts::password::check(&body.password, &[]) {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            weakness.code(),
            "Choose another password: at least 10 characters, not a common one.",
        );
    }
    let hash = accounts::password::hash(&body.password).await;
    let reset: Result<Option<uuid::Uuid>, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        let user = accounts::reset_password(&mut tx, &body.token, &hash)
            .await
            .map_err(from_account)?;
        tx.commit().await?;
        Ok(user)
    }
    .await;
    match reset {
        Ok(Some(user)) => {
            let ended = crate::session_cache::Ended::User(user);
            state.sessions.ended(ctx.tenant.id, ended).await;
            Json(json!({"status": "password_changed"})).into_response()
        }
        Ok(None) => error(
            StatusCode::BAD_REQUEST,
            "invalid_token",
            "The link is unknown, already used or expired.",
        ),
        Err(failure) => web_error(failure),
    }
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
