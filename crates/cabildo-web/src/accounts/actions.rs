//! What the account pages and their API twins do alike: rate limits,
//! password hashing outside transactions, and the engine's account calls.
//! Answers never tell whether an address has an account.

use crate::http::council::Context;
use crate::http::error::{ApiError, PageError};
use crate::http::ratelimit::{Action, account_from};
use crate::http::session_cache::Ended;
use axum::http::StatusCode;
use cabildo_engine::Error as EngineError;
use cabildo_engine::accounts::{self, Registered, Registration, password, sessions};
use cabildo_engine::census;
use cabildo_engine::ids::UserId;
use cabildo_engine::staff::{Actor, audit};
use cabildo_tenancy::TenancyError;

/// Why an account action did not happen.
#[derive(Debug)]
pub enum Failure {
    /// The engine refused (some fields are not acceptable), or failed.
    Engine(EngineError),
    /// Too many attempts: try again after this many seconds.
    RateLimited(u64),
    /// Wrong address or password.
    InvalidCredentials,
    /// The address is not confirmed yet.
    Unconfirmed,
    /// Something that cannot happen did.
    Internal(&'static str),
}

/// An internal failure's message, as an error.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Inconsistent(&'static str);

impl From<EngineError> for Failure {
    fn from(error: EngineError) -> Self {
        Self::Engine(error)
    }
}

impl From<TenancyError> for Failure {
    fn from(error: TenancyError) -> Self {
        Self::Engine(error.into())
    }
}

impl From<Failure> for ApiError {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Engine(error) => error.into(),
            Failure::RateLimited(seconds) => Self::RateLimited(seconds),
            Failure::InvalidCredentials => Self::Coded(
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "error-invalid-credentials",
            ),
            Failure::Unconfirmed => Self::Coded(
                StatusCode::FORBIDDEN,
                "email_unconfirmed",
                "error-unconfirmed",
            ),
            Failure::Internal(message) => Self::Internal(Box::new(Inconsistent(message))),
        }
    }
}

impl From<Failure> for PageError {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Engine(error) => error.into(),
            Failure::RateLimited(seconds) => Self::RateLimited(seconds),
            Failure::InvalidCredentials => {
                Self::Message(StatusCode::UNAUTHORIZED, "error-invalid-credentials")
            }
            Failure::Unconfirmed => Self::Message(StatusCode::FORBIDDEN, "error-unconfirmed"),
            Failure::Internal(message) => Self::Internal(Box::new(Inconsistent(message))),
        }
    }
}

impl Context {
    /// One hit of `action` by `subject`, or how long to wait.
    async fn limit(&self, action: Action, subject: &str) -> Result<(), Failure> {
        self.state
            .limiter
            .hit(self.tenant.id, action, subject)
            .await
            .map_err(Failure::RateLimited)
    }
}

/// Registers an account: the same answer whether or not the address
/// already has one (its owner hears of it by mail).
pub async fn register(council: &Context, registration: &Registration) -> Result<(), Failure> {
    let valid = registration.validate(&council.settings.languages)?;
    council
        .limit(Action::Register, &council.ip.to_string())
        .await?;
    let hash = password::hash(&registration.password).await;
    let registered = council
        .tx(async |tx| accounts::register(tx, &valid, &hash).await)
        .await?;
    if let Registered::New(user) = registered {
        tracing::info!(user = %user, "account registered");
    }
    Ok(())
}

/// Confirms an address with the token from its mail; whether it worked.
pub async fn confirm(council: &Context, token: &str) -> Result<bool, Failure> {
    let confirmed = council
        .tx(async |tx| accounts::confirm(tx, token).await)
        .await?;
    Ok(confirmed.is_some())
}

/// Checks credentials and starts a session: the session and its token.
pub async fn log_in(
    council: &Context,
    email: &str,
    password_sent: &str,
) -> Result<(sessions::Session, String), Failure> {
    council
        .limit(Action::LoginIp, &council.ip.to_string())
        .await?;
    council
        .limit(Action::LoginAccount, &account_from(email, council.ip))
        .await?;
    let credentials = council
        .tx(async |tx| accounts::credentials(tx, email).await)
        .await?;
    let hash = credentials.as_ref().and_then(|c| c.password_hash.clone());
    // Verified even without an account, so that both take as long.
    if !password::verify(hash, password_sent).await {
        return Err(Failure::InvalidCredentials);
    }
    let Some(credentials) = credentials else {
        return Err(Failure::InvalidCredentials);
    };
    if !credentials.confirmed {
        return Err(Failure::Unconfirmed);
    }
    let user_agent = council.user_agent.as_deref();
    let (token, session) = council
        .tx(async |tx| {
            let token = sessions::start(tx, credentials.user, user_agent).await?;
            let session = sessions::find(tx, &token).await?;
            Ok::<_, EngineError>((token, session))
        })
        .await?;
    let session = session.ok_or(Failure::Internal("a new session was not found"))?;
    Ok((session, token))
}

/// Ends this session, or all of the person's.
pub async fn log_out(council: &Context, everywhere: bool) -> Result<(), Failure> {
    let (Some(session), Some(token)) = (council.session(), &council.visitor.session_token) else {
        return Ok(());
    };
    let user = session.user;
    council
        .tx(async |tx| {
            if everywhere {
                sessions::end_all(tx, user).await.map(|_| ())
            } else {
                sessions::end(tx, token).await
            }
        })
        .await?;
    let ended = if everywhere {
        Ended::User(user)
    } else {
        Ended::Session(session.id.clone())
    };
    council.state.sessions.ended(council.tenant.id, ended).await;
    Ok(())
}

/// How long asking for a reset link takes at least, whatever the address:
/// an address with an account costs a token and a queued mail (about 5 ms
/// more than one without), which a stopwatch would otherwise tell apart.
const RESET_FLOOR: std::time::Duration = std::time::Duration::from_millis(150);

/// Sends a reset link if the address has an account; the same answer, in
/// the same time ([`RESET_FLOOR`]), either way.
pub async fn request_reset(council: &Context, email: &str) -> Result<(), Failure> {
    let done = tokio::time::Instant::now() + RESET_FLOOR;
    let asked = ask_reset(council, email).await;
    tokio::time::sleep_until(done).await;
    asked
}

async fn ask_reset(council: &Context, email: &str) -> Result<(), Failure> {
    council
        .limit(Action::ResetIp, &council.ip.to_string())
        .await?;
    if council
        .limit(Action::ResetAddress, &email.trim().to_lowercase())
        .await
        .is_err()
    {
        // Already mailed moments ago: answer as usual, send nothing more.
        return Ok(());
    }
    council
        .tx(async |tx| accounts::request_reset(tx, email).await)
        .await?;
    Ok(())
}

/// Sets a new password with the token from a reset mail; every session of
/// the account ends. Whether the token worked.
pub async fn reset_password(council: &Context, token: &str, new: &str) -> Result<bool, Failure> {
    let hash = password::hash(new).await;
    let user = council
        .tx(async |tx| accounts::reset_password(tx, token, &hash).await)
        .await?;
    if let Some(user) = user {
        council
            .state
            .sessions
            .ended(council.tenant.id, Ended::User(user))
            .await;
    }
    Ok(user.is_some())
}

/// Whether `sent` is `user`'s current password.
pub async fn password_matches(
    council: &Context,
    user: UserId,
    sent: &str,
) -> Result<bool, Failure> {
    let hash = council
        .tx(async |tx| accounts::password_hash(tx, user).await)
        .await?;
    Ok(password::verify(hash, sent).await)
}

/// What a residency verification attempt came to.
pub enum Residency {
    /// Verified, in this district.
    Verified(String),
    /// No such resident available for this account.
    Failed,
    /// Five failed attempts in a day.
    TooManyAttempts,
    /// Not a DNI or NIE (the code says why).
    InvalidDocument(&'static str),
    /// Not a date.
    InvalidBirthDate,
}

/// Verifies `user` against the census.
pub async fn verify_residency(
    council: &Context,
    user: UserId,
    document: &str,
    birth_date: &str,
) -> Result<Residency, Failure> {
    let Some(birth_date) = census::import::parse_date(birth_date) else {
        return Ok(Residency::InvalidBirthDate);
    };
    let key = census::key(&council.state.secret, council.tenant.id);
    let outcome = council
        .tx(async |tx| census::verify(tx, &key, user, document, birth_date).await)
        .await?;
    Ok(match outcome {
        census::Verification::Verified { district } => Residency::Verified(district),
        census::Verification::Failed => Residency::Failed,
        census::Verification::TooManyAttempts => Residency::TooManyAttempts,
        census::Verification::Malformed(error) => Residency::InvalidDocument(error.code()),
    })
}

/// A copy of everything held about `user`, as JSON.
pub async fn export_data(
    council: &Context,
    user: UserId,
) -> Result<Option<serde_json::Value>, Failure> {
    Ok(council
        .tx(async |tx| accounts::gdpr::export(tx, user).await)
        .await?)
}

/// Deletes `user`'s account after checking their password, and ends their
/// sessions everywhere; whether the password was right.
pub async fn delete_account(
    council: &Context,
    user: UserId,
    password_sent: &str,
) -> Result<bool, Failure> {
    if !password_matches(council, user, password_sent).await? {
        return Ok(false);
    }
    let pictures = council
        .tx(async |tx| {
            let pictures = accounts::gdpr::delete(tx, user).await?.unwrap_or_default();
            let details = serde_json::json!({"pictures": pictures.len()});
            audit(tx, &Actor::user(user), "account.delete", None, details).await?;
            Ok::<_, cabildo_engine::Error>(pictures)
        })
        .await?;
    let media = &council.state.config.media;
    for picture in &pictures {
        if let Err(error) = media.remove(council.tenant.id, picture, false).await {
            tracing::warn!(%error, "a deleted account's picture could not be removed");
        }
    }
    council
        .state
        .sessions
        .ended(council.tenant.id, Ended::User(user))
        .await;
    Ok(true)
}
