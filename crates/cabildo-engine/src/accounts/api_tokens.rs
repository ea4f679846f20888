//! Personal access tokens for API clients (`Authorization: Bearer …`):
//! created by a logged-in person, shown once, stored hashed, scoped to the
//! council whose schema holds them, revocable.

use super::sessions::{Credential, Session};
use super::tokens;
use crate::error::{Error, Field, Problem, Refusal, Result};
use crate::ids::UserId;
use cabildo_tenancy::entitlements::{Feature, Need};
use cabildo_tenancy::{Tenancy, Tenant, TenantTx};
use uuid::Uuid;

/// Tokens a person may hold at once.
pub const MAX_PER_PERSON: i64 = 20;

/// A token as listed (never the token itself).
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize)]
pub struct ApiToken {
    /// Id, to revoke it.
    pub id: Uuid,
    /// The name its owner gave it.
    pub name: String,
    /// Created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
    /// Last used (within a few minutes).
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<time::OffsetDateTime>,
}

/// Creates a token named `name` for `user`, when the council's plan
/// includes API tokens (tokens made before a plan change keep working);
/// returns it (shown once).
pub async fn create(tx: &mut TenantTx, user: UserId, name: &str) -> Result<(Uuid, String)> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(Error::invalid(Field::Name, Problem::NameInvalid));
    }
    tx.within_plan(Need::Feature(Feature::ApiTokens))?;
    let held: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL",
    )
    .bind(user)
    .fetch_one(tx.conn())
    .await?;
    if held >= MAX_PER_PERSON {
        return Err(Refusal::TooManyTokens.into());
    }
    let token = tokens::new_token();
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO api_tokens (token_hash, user_id, name) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(tokens::digest(&token))
    .bind(user)
    .bind(name)
    .fetch_one(tx.conn())
    .await?;
    Ok((id, token))
}

/// The live tokens of `user`, newest first.
pub async fn list(tx: &mut TenantTx, user: UserId) -> Result<Vec<ApiToken>> {
    Ok(sqlx::query_as(
        "SELECT id, name, created_at, last_used_at FROM api_tokens
         WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC",
    )
    .bind(user)
    .fetch_all(tx.conn())
    .await?)
}

/// Revokes `user`'s token `id`; returns its stored hash (to drop it from
/// caches), or `None` if there is no such live token of theirs.
pub async fn revoke(tx: &mut TenantTx, user: UserId, id: Uuid) -> Result<Option<Vec<u8>>> {
    Ok(sqlx::query_scalar(
        "UPDATE api_tokens SET revoked_at = now()
         WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING token_hash",
    )
    .bind(id)
    .bind(user)
    .fetch_optional(tx.conn())
    .await?)
}

/// The person behind a live token, as a session (its id is the token's
/// stored hash), in one round trip (the lookup every API call not cached
/// makes), recording its use at most every five minutes, in a transaction
/// of its own.
pub async fn find_at_once(
    tenancy: &Tenancy,
    tenant: &Tenant,
    token: &str,
) -> Result<Option<Session>> {
    TOKEN.find_at_once(tenancy, tenant, token).await
}

/// Personal access tokens, found as sessions.
const TOKEN: Credential = Credential {
    lookup: |digest| {
        format!(
            "SELECT t.token_hash AS id, t.user_id AS user, u.name, u.nickname,
                    coalesce(t.last_used_at, t.created_at) AS last_seen_at, u.platform_account
             FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = {digest} AND t.revoked_at IS NULL AND u.deleted_at IS NULL"
        )
    },
    touch: "UPDATE api_tokens SET last_used_at = now() WHERE token_hash = $1",
};
