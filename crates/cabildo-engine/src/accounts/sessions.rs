//! Login sessions, stored in the council's schema (so a session of one
//! council means nothing to another) under the hash of their token.
//!
//! A session ends after [`IDLE`] without use or [`ABSOLUTE`] after login,
//! whichever comes first, at logout, on "log out everywhere" and when the
//! password is reset.

use super::tokens;
use crate::error::Result;
use crate::ids::UserId;
use cabildo_tenancy::{Tenancy, Tenant, TenantTx};
use sqlx::FromRow;

/// A session unused for this long has ended.
pub const IDLE: time::Duration = time::Duration::days(7);
/// A session ends this long after login, used or not.
pub const ABSOLUTE: time::Duration = time::Duration::days(30);
/// Use is recorded at most this often (one write per session per period,
/// not per request).
const TOUCH_EVERY: time::Duration = time::Duration::minutes(5);

/// The person behind a live session.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Session {
    /// The stored hash of the session's token (its identity).
    pub id: Vec<u8>,
    /// The account.
    pub user: UserId,
    /// Their name.
    pub name: String,
    /// Their nickname.
    pub nickname: Option<String>,
    /// When it was last used (within [`TOUCH_EVERY`]).
    #[sqlx(rename = "last_seen_at")]
    pub last_seen: time::OffsetDateTime,
    /// The platform account (consultant or operator) acting through this
    /// council account, if any.
    pub platform_account: Option<String>,
    /// Their staff roles' names, for the pages' staff menu (staff pages
    /// read the roles afresh; API tokens leave it empty).
    #[sqlx(default)]
    pub roles: Vec<String>,
}

impl Session {
    /// Who this session's actions are recorded as in the audit log.
    pub fn actor(&self) -> crate::audit::Actor {
        match &self.platform_account {
            Some(email) => crate::audit::Actor(format!("platform:{email}")),
            None => crate::audit::Actor::user(self.user),
        }
    }
}

/// Starts a session for `user`; returns the token for the cookie.
pub async fn start(tx: &mut TenantTx, user: UserId, user_agent: Option<&str>) -> Result<String> {
    let token = tokens::new_token();
    let user_agent: Option<String> = user_agent.map(|ua| ua.chars().take(200).collect());
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, user_agent, expires_at)
         VALUES ($1, $2, $3, now() + make_interval(days => $4))",
    )
    .bind(tokens::digest(&token))
    .bind(user)
    .bind(user_agent)
    .bind(ABSOLUTE.whole_days() as i32)
    .execute(tx.conn())
    .await?;
    Ok(token)
}

/// The live session with `token`, recording its use.
pub async fn find(tx: &mut TenantTx, token: &str) -> Result<Option<Session>> {
    SESSION.find(tx, token).await
}

/// [`find`] in one round trip (the lookup every logged-in request not
/// cached makes), recording its use in a transaction of its own when due.
pub async fn find_at_once(
    tenancy: &Tenancy,
    tenant: &Tenant,
    token: &str,
) -> Result<Option<Session>> {
    SESSION.find_at_once(tenancy, tenant, token).await
}

/// Session cookies.
const SESSION: Credential = Credential {
    lookup: |digest| {
        format!(
            "SELECT s.token_hash AS id, s.user_id AS user, u.name, u.nickname, s.last_seen_at, u.platform_account,
                    ARRAY(SELECT r.role FROM staff_roles r WHERE r.user_id = s.user_id ORDER BY r.role) AS roles
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = {digest} AND s.expires_at > now()
               AND s.last_seen_at > now() - make_interval(days => {idle}) AND u.deleted_at IS NULL",
            idle = IDLE.whole_days()
        )
    },
    touch: "UPDATE sessions SET last_seen_at = now() WHERE token_hash = $1",
};

/// A kind of credential a visitor presents (a session cookie, an API
/// token): how it is found by its token's digest, and its use recorded at
/// most every [`TOUCH_EVERY`].
pub(super) struct Credential {
    /// The statement that finds it, given the digest as SQL (a parameter
    /// or a literal), as a [`Session`].
    pub(super) lookup: fn(&str) -> String,
    /// The statement that records its use (`$1`: the digest).
    pub(super) touch: &'static str,
}

impl Credential {
    /// The live credential `token`, recording its use when due.
    async fn find(&self, tx: &mut TenantTx, token: &str) -> Result<Option<Session>> {
        if !tokens::well_formed(token) {
            return Ok(None);
        }
        let session: Option<Session> = sqlx::query_as(sqlx::AssertSqlSafe((self.lookup)("$1")))
            .bind(tokens::digest(token))
            .fetch_optional(tx.conn())
            .await?;
        if let Some(session) = &session {
            self.touch(tx, session).await?;
        }
        Ok(session)
    }

    /// [`Credential::find`] in one round trip; its use, when due, is
    /// recorded in a transaction of its own.
    pub(super) async fn find_at_once(
        &self,
        tenancy: &Tenancy,
        tenant: &Tenant,
        token: &str,
    ) -> Result<Option<Session>> {
        if !tokens::well_formed(token) {
            return Ok(None);
        }
        let statement = sqlx::AssertSqlSafe((self.lookup)(&tokens::digest_sql(token)));
        let rows = tenancy.read_at_once(tenant, statement).await?;
        let session = rows.first().map(Session::from_row).transpose()?;
        if let Some(session) = &session
            && stale(session)
        {
            tenancy
                .transaction(tenant, async |tx| self.touch(tx, session).await)
                .await?;
        }
        Ok(session)
    }

    async fn touch(&self, tx: &mut TenantTx, session: &Session) -> Result<()> {
        if stale(session) {
            sqlx::query(self.touch)
                .bind(&session.id)
                .execute(tx.conn())
                .await?;
        }
        Ok(())
    }
}

/// Whether `session`'s use is due to be recorded again.
fn stale(session: &Session) -> bool {
    session.last_seen < time::OffsetDateTime::now_utc() - TOUCH_EVERY
}

/// Ends the session with `token` (logout).
pub async fn end(tx: &mut TenantTx, token: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(tokens::digest(token))
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Ends every session of `user` and revokes their personal access tokens
/// ("log out everywhere", password reset, an account a hand-off adopts):
/// whoever held any of them must prove who they are again.
pub async fn end_all(tx: &mut TenantTx, user: UserId) -> Result<u64> {
    revoke_tokens(tx, user).await?;
    Ok(sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user)
        .execute(tx.conn())
        .await?
        .rows_affected())
}

/// Revokes every personal access token of `user`.
pub(crate) async fn revoke_tokens(tx: &mut TenantTx, user: UserId) -> Result<()> {
    sqlx::query(
        "UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL",
    )
    .bind(user)
    .execute(tx.conn())
    .await?;
    Ok(())
}
