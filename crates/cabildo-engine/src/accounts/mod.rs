//! Citizen accounts in a council's schema: registration with email
//! confirmation, credentials, password reset and sessions.
//!
//! Nothing here tells whether an address has an account: registration and
//! reset requests succeed the same either way, and the owner of the address
//! learns the rest by mail.

use crate::error::{Error, Field, FieldError, Problem, Result};
use crate::ids::UserId;
pub mod api_tokens;
pub mod gdpr;
pub mod password;
pub mod sessions;
pub mod tokens;
pub mod validate;

use cabildo_tenancy::{EmailRequest, TenantTx};
use serde_json::json;

/// How long a confirmation link works.
pub const CONFIRMATION_VALID_HOURS: i64 = 48;
/// How long a password reset link works (at most one hour).
pub const RESET_VALID_MINUTES: i64 = 60;

/// A registration form as typed.
#[derive(Clone, Debug, Default)]
pub struct Registration {
    /// Full name.
    pub name: String,
    /// Public nickname.
    pub nickname: String,
    /// Email address.
    pub email: String,
    /// Password.
    pub password: String,
    /// Preferred language; must be one of `languages` given to
    /// [`Registration::validate`].
    pub language: String,
    /// Terms of use and privacy policy accepted.
    pub accept_terms: bool,
    /// Wants the council's newsletter.
    pub newsletter: bool,
}

/// A registration that passed every check that needs no database.
#[derive(Clone, Debug)]
pub struct ValidRegistration {
    name: String,
    nickname: String,
    email: String,
    language: String,
    newsletter: bool,
}

impl Registration {
    /// Checks every field; all problems at once. `languages` are the
    /// council's.
    pub fn validate(&self, languages: &[String]) -> Result<ValidRegistration> {
        let mut errors = Vec::new();
        let mut field = |field: Field, result: Result<String, Problem>| match result {
            Ok(value) => value,
            Err(problem) => {
                errors.push(FieldError::new(field, problem));
                String::new()
            }
        };
        let name = field(Field::Name, validate::name(&self.name));
        let nickname = field(Field::Nickname, validate::nickname(&self.nickname));
        let email = field(Field::Email, validate::email(&self.email));
        let language = field(
            Field::Language,
            languages
                .iter()
                .find(|l| **l == self.language)
                .cloned()
                .ok_or(Problem::LanguageInvalid),
        );
        let local = email.split('@').next().unwrap_or_default();
        if let Err(weakness) = password::check(&self.password, &[&nickname, local]) {
            errors.push(FieldError::new(Field::Password, weakness.problem()));
        }
        if !self.accept_terms {
            errors.push(FieldError::new(Field::Terms, Problem::TermsRequired));
        }
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        Ok(ValidRegistration {
            name,
            nickname,
            email,
            language,
            newsletter: self.newsletter,
        })
    }
}

/// What registering did. Both answer the visitor the same way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Registered {
    /// A new account, waiting for its address to be confirmed.
    New(UserId),
    /// The address already had an account: its owner was told by mail.
    AddressTaken,
}

/// Creates the account (password already hashed with [`password::hash`],
/// outside the transaction) and enqueues the confirmation mail; or, when
/// the address is taken, a mail telling its owner. A taken nickname is a
/// form error: nicknames are public anyway.
pub async fn register(
    tx: &mut TenantTx,
    form: &ValidRegistration,
    password_hash: &str,
) -> Result<Registered> {
    // No conflict target: both the address and the nickname are unique,
    // and a parallel registration of either waits here for the other.
    let id: Option<UserId> = sqlx::query_scalar(
        "INSERT INTO users (email, name, nickname, password_hash, language, newsletter_consent,
                            newsletter_consent_at, terms_accepted_at, nickname_skeleton)
         VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $6 THEN now() END, now(), $7)
         ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(&form.email)
    .bind(&form.name)
    .bind(&form.nickname)
    .bind(password_hash)
    .bind(&form.language)
    .bind(form.newsletter)
    .bind(validate::nickname_skeleton(&form.nickname))
    .fetch_optional(tx.conn())
    .await?;
    if let Some(id) = id {
        let token = issue_token(tx, id, Purpose::Confirm).await?;
        tx.enqueue(&mail(
            &form.email,
            &form.name,
            &form.language,
            "confirm",
            &format!("/account/confirm?token={token}"),
        ));
        return Ok(Registered::New(id));
    }
    let owner: Option<(UserId, String, Option<String>)> =
        sqlx::query_as("SELECT id, name, language FROM users WHERE email = $1")
            .bind(&form.email)
            .fetch_optional(tx.conn())
            .await?;
    let Some((owner, name, language)) = owner else {
        return Err(Error::invalid(Field::Nickname, Problem::NicknameTaken));
    };
    // At most one such mail per hour, however often someone tries.
    let hour = time::OffsetDateTime::now_utc().unix_timestamp() / 3600;
    tx.enqueue(
        &mail(
            &form.email,
            &name,
            language.as_deref().unwrap_or(&form.language),
            "exists",
            "/account/password/forgot",
        )
        .unique(format!("account-exists:{owner}:{hour}")),
    );
    Ok(Registered::AddressTaken)
}

/// Gives every nickname from before skeletons were stored its skeleton
/// (see [`validate::nickname_skeleton`]); run by `cabildo migrate` after the
/// migration that added them. A nickname reading the same as one already
/// counted keeps none (it was taken before the rule; nobody new can take a
/// third). Returns how many were filled.
pub async fn backfill_nickname_skeletons(tx: &mut TenantTx) -> Result<u64> {
    let missing: Vec<(UserId, String)> = sqlx::query_as(
        "SELECT id, nickname FROM users
         WHERE nickname IS NOT NULL AND nickname_skeleton IS NULL ORDER BY created_at",
    )
    .fetch_all(tx.conn())
    .await?;
    let mut filled = 0;
    for (user, nickname) in missing {
        filled += sqlx::query(
            "UPDATE users SET nickname_skeleton = $2 WHERE id = $1
               AND NOT EXISTS (SELECT 1 FROM users WHERE nickname_skeleton = $2)",
        )
        .bind(user)
        .bind(validate::nickname_skeleton(&nickname))
        .execute(tx.conn())
        .await?
        .rows_affected();
    }
    Ok(filled)
}

/// Creates an account whose address is taken as confirmed, for operators
/// (the demo's admin, accounts made from the command line). `None` when
/// the address or nickname is taken.
pub async fn create_confirmed(
    tx: &mut TenantTx,
    form: &ValidRegistration,
    password_hash: &str,
) -> Result<Option<UserId>> {
    Ok(sqlx::query_scalar(
        "INSERT INTO users (email, name, nickname, password_hash, language, newsletter_consent,
                            email_confirmed_at, terms_accepted_at, nickname_skeleton)
         VALUES ($1, $2, $3, $4, $5, false, now(), now(), $6)
         ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(&form.email)
    .bind(&form.name)
    .bind(&form.nickname)
    .bind(password_hash)
    .bind(&form.language)
    .bind(validate::nickname_skeleton(&form.nickname))
    .fetch_optional(tx.conn())
    .await?)
}

/// Confirms an address with the token from the confirmation mail. Returns
/// the account, or `None` for an unknown, used or expired token.
pub async fn confirm(tx: &mut TenantTx, token: &str) -> Result<Option<UserId>> {
    let Some(user) = use_token(tx, token, Purpose::Confirm).await? else {
        return Ok(None);
    };
    sqlx::query(
        "UPDATE users SET email_confirmed_at = least(email_confirmed_at, now()) WHERE id = $1",
    )
    .bind(user)
    .execute(tx.conn())
    .await?;
    Ok(Some(user))
}

/// What is needed to check a login: the account and its password hash.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Credentials {
    /// The account.
    pub user: UserId,
    /// Its argon2id hash; `None` for people without a password yet.
    pub password_hash: Option<String>,
    /// Whether the address is confirmed.
    pub confirmed: bool,
}

/// The credentials for `email`, if it has an account. Verify the password
/// with [`password::verify`] after the transaction, and call that even when
/// this is `None`, so that both cases take as long.
pub async fn credentials(tx: &mut TenantTx, email: &str) -> Result<Option<Credentials>> {
    let Ok(email) = validate::email(email) else {
        return Ok(None);
    };
    Ok(sqlx::query_as(
        "SELECT id AS user, password_hash, email_confirmed_at IS NOT NULL AS confirmed
         FROM users WHERE email = $1 AND deleted_at IS NULL",
    )
    .bind(email)
    .fetch_optional(tx.conn())
    .await?)
}

/// The password hash of `user` (`None` without an account or a password),
/// to check a password they give with [`password::verify`] after the
/// transaction.
pub async fn password_hash(tx: &mut TenantTx, user: UserId) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1 AND deleted_at IS NULL")
            .bind(user)
            .fetch_optional(tx.conn())
            .await?
            .flatten(),
    )
}

/// The address of `user`, if the account exists.
pub async fn email_of(tx: &mut TenantTx, user: UserId) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT email FROM users WHERE id = $1 AND deleted_at IS NULL")
            .bind(user)
            .fetch_optional(tx.conn())
            .await?,
    )
}

/// Sends a password reset link to `email` if it has an account; nothing
/// otherwise, and the caller answers the same either way. Also works for
/// people without a password yet (it sets their first one).
pub async fn request_reset(tx: &mut TenantTx, email: &str) -> Result<()> {
    let Ok(email) = validate::email(email) else {
        return Ok(());
    };
    let owner: Option<(UserId, String, Option<String>)> = sqlx::query_as(
        "SELECT id, name, language FROM users WHERE email = $1 AND deleted_at IS NULL",
    )
    .bind(&email)
    .fetch_optional(tx.conn())
    .await?;
    let Some((user, name, language)) = owner else {
        return Ok(());
    };
    let token = issue_token(tx, user, Purpose::Reset).await?;
    // One mail per 20 s per address, however the requests arrive.
    let slot = time::OffsetDateTime::now_utc().unix_timestamp() / 20;
    tx.enqueue(
        &mail(
            &email,
            &name,
            language.as_deref().unwrap_or_default(),
            "reset",
            &format!("/account/password/reset?token={token}"),
        )
        .unique(format!("account-reset:{user}:{slot}")),
    );
    Ok(())
}

/// Sets a new password (hashed with [`password::hash`]) with the token from
/// a reset mail, which also confirms the address, and ends every session of
/// the account. `None` for an unknown, used or expired token.
pub async fn reset_password(
    tx: &mut TenantTx,
    token: &str,
    password_hash: &str,
) -> Result<Option<UserId>> {
    let Some(user) = use_token(tx, token, Purpose::Reset).await? else {
        return Ok(None);
    };
    sqlx::query(
        "UPDATE users SET password_hash = $2, email_confirmed_at = least(email_confirmed_at, now())
         WHERE id = $1",
    )
    .bind(user)
    .bind(password_hash)
    .execute(tx.conn())
    .await?;
    sessions::end_all(tx, user).await?;
    Ok(Some(user))
}

/// Sets a new password (hashed with [`password::hash`]) for a logged-in
/// person who gave their current one, ends their other sessions and
/// revokes their personal access tokens.
pub async fn change_password(
    tx: &mut TenantTx,
    user: UserId,
    password_hash: &str,
    current_session: &[u8],
) -> Result<()> {
    sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(user)
        .bind(password_hash)
        .execute(tx.conn())
        .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user)
        .bind(current_session)
        .execute(tx.conn())
        .await?;
    sessions::revoke_tokens(tx, user).await
}

/// Starts changing `user`'s address to `new_email`: a confirmation link
/// goes to the new address, which replaces the old one only when followed.
/// A taken address gets the same answer (and no mail).
pub async fn request_email_change(tx: &mut TenantTx, user: UserId, new_email: &str) -> Result<()> {
    let new_email =
        validate::email(new_email).map_err(|problem| Error::invalid(Field::Email, problem))?;
    let taken: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE email = $1)")
        .bind(&new_email)
        .fetch_one(tx.conn())
        .await?;
    let person: Option<(String, Option<String>)> =
        sqlx::query_as("SELECT name, language FROM users WHERE id = $1 AND deleted_at IS NULL")
            .bind(user)
            .fetch_optional(tx.conn())
            .await?;
    let (Some((name, language)), false) = (person, taken) else {
        return Ok(());
    };
    let token = issue_token_for(tx, user, Purpose::Email, Some(&new_email)).await?;
    tx.enqueue(&mail(
        &new_email,
        &name,
        language.as_deref().unwrap_or_default(),
        "email",
        &format!("/account/email/confirm?token={token}"),
    ));
    Ok(())
}

/// Confirms a new address with the token sent to it: it replaces the old
/// one, and the old address is told. `None` for an unknown, used or expired
/// token, or when the address was taken meanwhile.
pub async fn confirm_email_change(tx: &mut TenantTx, token: &str) -> Result<Option<UserId>> {
    if !tokens::well_formed(token) {
        return Ok(None);
    }
    let row: Option<(UserId, String)> = sqlx::query_as(
        "UPDATE account_tokens SET used_at = now()
         WHERE token_hash = $1 AND purpose = 'email' AND used_at IS NULL AND expires_at > now()
         RETURNING user_id, new_email",
    )
    .bind(tokens::digest(token))
    .fetch_optional(tx.conn())
    .await?;
    let Some((user, new_email)) = row else {
        return Ok(None);
    };
    let old: Option<(String, String, Option<String>)> = sqlx::query_as(
        "UPDATE users u SET email = $2, email_confirmed_at = now()
         FROM (SELECT email, name, language FROM users WHERE id = $1) old
         WHERE u.id = $1 AND NOT EXISTS (SELECT 1 FROM users WHERE email = $2)
         RETURNING old.email, old.name, old.language",
    )
    .bind(user)
    .bind(&new_email)
    .fetch_optional(tx.conn())
    .await?;
    let Some((old_email, name, language)) = old else {
        return Ok(None);
    };
    tx.enqueue(&mail(
        &old_email,
        &name,
        language.as_deref().unwrap_or_default(),
        "email-changed",
        "/account/password/forgot",
    ));
    Ok(Some(user))
}

/// Whether a reset token can still be used (to show the form or not).
pub async fn reset_token_usable(tx: &mut TenantTx, token: &str) -> Result<bool> {
    if !tokens::well_formed(token) {
        return Ok(false);
    }
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM account_tokens WHERE token_hash = $1 AND purpose = 'reset'
                        AND used_at IS NULL AND expires_at > now())",
    )
    .bind(tokens::digest(token))
    .fetch_one(tx.conn())
    .await?)
}

/// How someone wants to hear from the council by email.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Preferences {
    /// Notification emails: `immediate`, `daily`, `weekly` or `none`.
    pub notify_email: String,
    /// Wants the newsletter.
    pub newsletter: bool,
}

/// The preferences of `user`.
pub async fn preferences(tx: &mut TenantTx, user: UserId) -> Result<Option<Preferences>> {
    Ok(sqlx::query_as(
        "SELECT notify_email, newsletter_consent AS newsletter FROM users WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(user)
    .fetch_optional(tx.conn())
    .await?)
}

/// Saves the preferences of `user`; the consent time is recorded when the
/// newsletter is switched on.
pub async fn set_preferences(
    tx: &mut TenantTx,
    user: UserId,
    preferences: &Preferences,
) -> Result<()> {
    if !matches!(
        preferences.notify_email.as_str(),
        "immediate" | "daily" | "weekly" | "none"
    ) {
        return Err(Error::invalid(
            Field::NotifyEmail,
            Problem::NotifyEmailInvalid,
        ));
    }
    // Consent given now is dated now; consent kept keeps its date. Two
    // statements rather than a CASE: Citus refuses `now()` inside CASE in an
    // UPDATE.
    if preferences.newsletter {
        sqlx::query(
            "UPDATE users SET newsletter_consent_at = now(), newsletter_consent = true
             WHERE id = $1 AND NOT newsletter_consent",
        )
        .bind(user)
        .execute(tx.conn())
        .await?;
    }
    sqlx::query(
        "UPDATE users SET notify_email = $2, newsletter_consent = $3,
                newsletter_consent_at = CASE WHEN $3 THEN newsletter_consent_at END
         WHERE id = $1",
    )
    .bind(user)
    .bind(&preferences.notify_email)
    .bind(preferences.newsletter)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// What a person may change of their own profile.
#[derive(Clone, Debug, Default)]
pub struct ProfileChange {
    /// Full name.
    pub name: String,
    /// Public nickname.
    pub nickname: String,
    /// Preferred language (for mail and pages).
    pub language: String,
}

/// Changes the name, nickname and language of `user`; `offered` are the
/// site's languages. Every wrong field is reported at once; a nickname
/// that reads the same as someone else's is taken.
pub async fn update_profile(
    tx: &mut TenantTx,
    user: UserId,
    change: &ProfileChange,
    offered: &[String],
) -> Result<()> {
    let name = validate::name(&change.name);
    let nickname = validate::nickname(&change.nickname);
    let language_ok = offered.contains(&change.language);
    let mut errors = Vec::new();
    if let Err(problem) = &name {
        errors.push(crate::error::FieldError {
            field: Field::Name,
            problem: *problem,
        });
    }
    if let Err(problem) = &nickname {
        errors.push(crate::error::FieldError {
            field: Field::Nickname,
            problem: *problem,
        });
    }
    if !language_ok {
        errors.push(crate::error::FieldError {
            field: Field::Language,
            problem: Problem::ChoiceInvalid,
        });
    }
    let (Ok(name), Ok(nickname), true) = (name, nickname, language_ok) else {
        return Err(Error::Invalid(errors));
    };
    let taken: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM users WHERE id <> $1 AND (nickname = $2 OR nickname_skeleton = $3))",
    )
    .bind(user)
    .bind(&nickname)
    .bind(validate::nickname_skeleton(&nickname))
    .fetch_one(tx.conn())
    .await?;
    if taken {
        return Err(Error::invalid(Field::Nickname, Problem::NicknameTaken));
    }
    let updated = sqlx::query(
        "UPDATE users SET name = $2, nickname = $3, nickname_skeleton = $4, language = $5
         WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(user)
    .bind(&name)
    .bind(&nickname)
    .bind(validate::nickname_skeleton(&nickname))
    .bind(&change.language)
    .execute(tx.conn())
    .await;
    match updated {
        Ok(_) => Ok(()),
        // Someone took it between the check and the update.
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            Err(Error::invalid(Field::Nickname, Problem::NicknameTaken))
        }
        Err(e) => Err(e.into()),
    }
}

/// What a person sees of their own account.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize)]
pub struct Profile {
    /// The account.
    pub id: UserId,
    /// Full name.
    pub name: String,
    /// Public nickname.
    pub nickname: Option<String>,
    /// Email address.
    pub email: String,
    /// Preferred language.
    pub language: Option<String>,
    /// Verified as a resident (census).
    pub verified: bool,
    /// District, once verified.
    pub district: Option<String>,
}

/// The profile of `user`.
pub async fn profile(tx: &mut TenantTx, user: UserId) -> Result<Option<Profile>> {
    Ok(sqlx::query_as(
        "SELECT id, name, nickname, email, language, verified_at IS NOT NULL AS verified,
                CASE WHEN verified_at IS NOT NULL THEN district_code END AS district
         FROM users WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(user)
    .fetch_optional(tx.conn())
    .await?)
}

#[derive(Clone, Copy)]
enum Purpose {
    Confirm,
    Reset,
    Email,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::Confirm => "confirm",
            Self::Reset => "reset",
            Self::Email => "email",
        }
    }

    fn minutes(self) -> i64 {
        match self {
            Self::Confirm | Self::Email => CONFIRMATION_VALID_HOURS * 60,
            Self::Reset => RESET_VALID_MINUTES,
        }
    }
}

/// A new single-use token for `user`; earlier unused ones of the same
/// purpose stop working.
async fn issue_token(tx: &mut TenantTx, user: UserId, purpose: Purpose) -> Result<String> {
    issue_token_for(tx, user, purpose, None).await
}

/// [`issue_token`], with the new address of an email change.
async fn issue_token_for(
    tx: &mut TenantTx,
    user: UserId,
    purpose: Purpose,
    new_email: Option<&str>,
) -> Result<String> {
    let token = tokens::new_token();
    sqlx::query(
        "UPDATE account_tokens SET used_at = now()
         WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL",
    )
    .bind(user)
    .bind(purpose.as_str())
    .execute(tx.conn())
    .await?;
    sqlx::query(
        "INSERT INTO account_tokens (token_hash, user_id, purpose, expires_at, new_email)
         VALUES ($1, $2, $3, now() + make_interval(mins => $4), $5)",
    )
    .bind(tokens::digest(&token))
    .bind(user)
    .bind(purpose.as_str())
    .bind(purpose.minutes() as i32)
    .bind(new_email)
    .execute(tx.conn())
    .await?;
    Ok(token)
}

/// Marks `token` used and returns its account, if it was usable.
async fn use_token(tx: &mut TenantTx, token: &str, purpose: Purpose) -> Result<Option<UserId>> {
    if !tokens::well_formed(token) {
        return Ok(None);
    }
    let user: Option<UserId> = sqlx::query_scalar(
        "UPDATE account_tokens SET used_at = now()
         WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
         RETURNING user_id",
    )
    .bind(tokens::digest(token))
    .bind(purpose.as_str())
    .fetch_optional(tx.conn())
    .await?;
    Ok(user)
}

/// The `email.send` job of an account mail (`cabildo-notify`'s `account`
/// template: `kind` picks the text, `link` is a path on the council's site).
fn mail(to: &str, name: &str, language: &str, kind: &str, link: &str) -> cabildo_tenancy::NewJob {
    EmailRequest {
        to: to.to_owned(),
        name: Some(name.to_owned()),
        language: (!language.is_empty()).then(|| language.to_owned()),
        template: "account".into(),
        vars: json!({"kind": kind, "link": link}),
        unsubscribe_user: None,
    }
    .job()
}
