//! Platform accounts: operators and consultants, who log in on the
//! platform site, see the councils they serve and enter one as staff with
//! a single-use hand-off token (60 seconds, bound to that council's host).
//! Inside the council they act through a council account linked to their
//! platform account, so every staff action names them in the audit log.

use crate::accounts::{tokens, validate};
use crate::error::{Error, Field, Refusal, Result};
use crate::ids::UserId;
use crate::staff::{self, Actor, Role};
use crate::stored::stored;
use cabildo_tenancy::{EmailRequest, Tenancy, TenantId, TenantTx};
use uuid::Uuid;

/// How long a platform login lasts.
pub const SESSION_DAYS: i32 = 7;
/// How long a hand-off token works.
pub const HANDOFF_SECONDS: i32 = 60;

stored! {
    /// What a platform account is.
    pub enum AccountRole {
        /// Runs the platform: may enter any council as admin.
        Operator = "operator",
        /// Serves the councils granted to them, in the granted roles.
        Consultant = "consultant",
    }
}

/// A logged-in platform account.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Account {
    /// Id.
    pub id: Uuid,
    /// Email.
    pub email: String,
    /// Name.
    pub name: String,
    /// Operator or consultant.
    pub role: AccountRole,
}

/// Mails every operator an account mail of `kind` (in Spanish, the
/// operators' language) pointing to `link` on the platform site, in the
/// transaction `conn` is in.
pub(crate) async fn tell_operators(
    conn: &mut sqlx::PgConnection,
    kind: &str,
    link: &str,
) -> Result<()> {
    let operators: Vec<(String, String)> = sqlx::query_as(
        "SELECT email, name FROM platform.accounts WHERE role = 'operator' ORDER BY email",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (email, name) in operators {
        let mail = EmailRequest {
            to: email,
            name: Some(name),
            language: Some("es".into()),
            template: "account".into(),
            vars: serde_json::json!({"kind": kind, "link": link}),
            unsubscribe_user: None,
        };
        Tenancy::enqueue_platform(&mut *conn, &mail.job()).await?;
    }
    Ok(())
}

/// [`tell_operators`] on its own: mails every operator that something
/// waits for them on the platform site (a request for invoice mode).
pub async fn mail_operators(tenancy: &Tenancy, kind: &str, link: &str) -> Result<()> {
    let mut tx = tenancy.pool().begin().await?;
    tell_operators(&mut tx, kind, link).await?;
    tx.commit().await?;
    tenancy.jobs_committed();
    Ok(())
}

/// Creates a platform account (password hashed by the caller); `false`
/// when the address is taken.
pub async fn create_account(
    tenancy: &Tenancy,
    email: &str,
    name: &str,
    role: AccountRole,
    password_hash: &str,
) -> Result<bool> {
    let email = validate::email(email).map_err(|p| Error::invalid(Field::Email, p))?;
    let name = validate::name(name).map_err(|p| Error::invalid(Field::Name, p))?;
    let created = sqlx::query(
        "INSERT INTO platform.accounts (email, name, password_hash, role) VALUES ($1, $2, $3, $4)
         ON CONFLICT (email) DO NOTHING",
    )
    .bind(&email)
    .bind(&name)
    .bind(password_hash)
    .bind(role.as_str())
    .execute(tenancy.pool())
    .await?;
    Ok(created.rows_affected() == 1)
}

/// Grants `email`'s account `role` in `tenant`; `false` when there is no
/// such account.
pub async fn grant(tenancy: &Tenancy, email: &str, tenant: TenantId, role: Role) -> Result<bool> {
    let granted = sqlx::query(
        "INSERT INTO platform.account_grants (account_id, tenant_id, role)
         SELECT id, $2, $3 FROM platform.accounts WHERE email = $1
         ON CONFLICT DO NOTHING",
    )
    .bind(email.trim().to_lowercase())
    .bind(tenant.0)
    .bind(role.as_str())
    .execute(tenancy.pool())
    .await?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM platform.accounts WHERE email = $1)")
            .bind(email.trim().to_lowercase())
            .fetch_one(tenancy.pool())
            .await?;
    Ok(granted.rows_affected() == 1 || exists)
}

/// Takes back every grant of `email`'s account on `tenant` and, at once,
/// what it gave inside the council: the staff roles of the council
/// account it acts through, that account's sessions and personal access
/// tokens (audited). Returns that council account, whose cached sessions
/// the caller must forget on every node, or `None` when it never entered.
/// The citizen account itself stays (it may have taken part). `actor`
/// (the CLI, or the operator) is named in the council's audit log.
pub async fn revoke(
    tenancy: &Tenancy,
    tenant: &cabildo_tenancy::Tenant,
    email: &str,
    actor: &Actor,
) -> Result<Option<UserId>> {
    let email = email.trim().to_lowercase();
    sqlx::query(
        "DELETE FROM platform.account_grants g USING platform.accounts a
         WHERE a.id = g.account_id AND a.email = $1 AND g.tenant_id = $2",
    )
    .bind(&email)
    .bind(tenant.id.0)
    .execute(tenancy.pool())
    .await?;
    tenancy
        .transaction(tenant, async |tx| {
            let user: Option<UserId> =
                sqlx::query_scalar("SELECT id FROM users WHERE platform_account = $1")
                    .bind(&email)
                    .fetch_optional(tx.conn())
                    .await?;
            let Some(user) = user else {
                return Ok(None);
            };
            sqlx::query("DELETE FROM staff_roles WHERE user_id = $1")
                .bind(user)
                .execute(tx.conn())
                .await?;
            let sessions = crate::accounts::sessions::end_all(tx, user).await?;
            let subject = Some(user.to_string());
            let details =
                serde_json::json!({"platform_account": email, "sessions_ended": sessions});
            staff::audit(tx, actor, "platform.revoke", subject.as_deref(), details).await?;
            Ok::<_, Error>(Some(user))
        })
        .await
}

/// A consultant's access to a council, for the operators' page.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct GrantRow {
    /// The consultant's email.
    pub email: String,
    /// Their name.
    pub name: String,
    /// The council's slug, when they have a grant (none yet: `None`).
    pub slug: Option<String>,
    /// The council's name.
    pub council: Option<String>,
    /// The staff role granted.
    pub role: Option<String>,
}

/// Every consultant with each of their grants (a consultant without any
/// appears once, without a council), by email then council.
pub async fn grants(tenancy: &Tenancy) -> Result<Vec<GrantRow>> {
    Ok(sqlx::query_as(
        "SELECT a.email, a.name, t.slug, t.name AS council, g.role
         FROM platform.accounts a
         LEFT JOIN platform.account_grants g ON g.account_id = a.id
         LEFT JOIN platform.tenants t ON t.id = g.tenant_id
         WHERE a.role = 'consultant'
         ORDER BY a.email, t.slug, g.role",
    )
    .fetch_all(tenancy.pool())
    .await?)
}

/// The password hash of `email`'s account (verify it after, also when
/// `None`).
pub async fn credentials(tenancy: &Tenancy, email: &str) -> Result<Option<(Uuid, String)>> {
    Ok(
        sqlx::query_as("SELECT id, password_hash FROM platform.accounts WHERE email = $1")
            .bind(email.trim().to_lowercase())
            .fetch_optional(tenancy.pool())
            .await?,
    )
}

/// Starts a platform session; returns its token.
pub async fn start_session(tenancy: &Tenancy, account: Uuid) -> Result<String> {
    let token = tokens::new_token();
    sqlx::query(
        "INSERT INTO platform.account_sessions (token_hash, account_id, expires_at)
         VALUES ($1, $2, now() + make_interval(days => $3))",
    )
    .bind(tokens::digest(&token))
    .bind(account)
    .bind(SESSION_DAYS)
    .execute(tenancy.pool())
    .await?;
    Ok(token)
}

/// The account behind a live platform session.
pub async fn find_session(tenancy: &Tenancy, token: &str) -> Result<Option<Account>> {
    if !tokens::well_formed(token) {
        return Ok(None);
    }
    Ok(sqlx::query_as(
        "SELECT a.id, a.email, a.name, a.role FROM platform.account_sessions s
         JOIN platform.accounts a ON a.id = s.account_id
         WHERE s.token_hash = $1 AND s.expires_at > now()",
    )
    .bind(tokens::digest(token))
    .fetch_optional(tenancy.pool())
    .await?)
}

/// Ends a platform session.
pub async fn end_session(tenancy: &Tenancy, token: &str) -> Result<()> {
    sqlx::query("DELETE FROM platform.account_sessions WHERE token_hash = $1")
        .bind(tokens::digest(token))
        .execute(tenancy.pool())
        .await?;
    Ok(())
}

/// A council an account may enter.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Client {
    /// The council's slug.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// The staff role the account has there.
    pub role: crate::staff::Role,
    /// The verified domain its site is served on, if any.
    pub domain: Option<String>,
}

/// The councils `account` may enter: its grants, or every served council
/// as admin for operators.
pub async fn councils(tenancy: &Tenancy, account: &Account) -> Result<Vec<Client>> {
    let sql = if account.role == AccountRole::Operator {
        "SELECT slug, name, 'admin' AS role, primary_host AS domain FROM platform.tenants
         WHERE status IN ('active', 'read_only') ORDER BY slug"
    } else {
        "SELECT t.slug, t.name, g.role, t.primary_host AS domain FROM platform.account_grants g
         JOIN platform.tenants t ON t.id = g.tenant_id
         WHERE g.account_id = $1 AND t.status IN ('active', 'read_only') ORDER BY t.slug, g.role"
    };
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(account.id)
        .fetch_all(tenancy.pool())
        .await?)
}

/// The platform account the council account `user` acts for, if any
/// (its email).
pub async fn linked_account(tx: &mut TenantTx, user: UserId) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT platform_account FROM users WHERE id = $1")
            .bind(user)
            .fetch_optional(tx.conn())
            .await?
            .flatten(),
    )
}

/// The councils the platform account `email` may administer (where a
/// consultant may copy a process design to).
pub async fn administered(tenancy: &Tenancy, email: &str) -> Result<Vec<Client>> {
    let account: Option<Account> =
        sqlx::query_as("SELECT id, email, name, role FROM platform.accounts WHERE email = $1")
            .bind(email)
            .fetch_optional(tenancy.pool())
            .await?;
    let Some(account) = account else {
        return Ok(Vec::new());
    };
    let mut all = councils(tenancy, &account).await?;
    all.retain(|c| c.role == Role::Admin);
    Ok(all)
}

/// A hand-off into `slug` as `role`, if `account` may: the host it is
/// bound to (`host_for` the council, which says where its site is
/// reached) and the token, valid for [`HANDOFF_SECONDS`] on that host only.
pub async fn handoff(
    tenancy: &Tenancy,
    account: &Account,
    slug: &str,
    role: Role,
    host_for: impl FnOnce(&Client) -> String,
) -> Result<Option<(String, String)>> {
    let client = councils(tenancy, account)
        .await?
        .into_iter()
        .find(|c| c.slug == slug && c.role == role);
    let Some(client) = client else {
        return Ok(None);
    };
    let host = host_for(&client).to_lowercase();
    let token = tokens::new_token();
    sqlx::query(
        "INSERT INTO platform.handoffs (token_hash, account_id, tenant_id, role, host, expires_at)
         SELECT $1, $2, id, $4, $5, now() + make_interval(secs => $6) FROM platform.tenants WHERE slug = $3",
    )
    .bind(tokens::digest(&token))
    .bind(account.id)
    .bind(slug)
    .bind(role.as_str())
    .bind(&host)
    .bind(f64::from(HANDOFF_SECONDS))
    .execute(tenancy.pool())
    .await?;
    Ok(Some((host, token)))
}

/// Who arrives with a hand-off.
#[derive(Clone, Debug)]
pub struct Arrival {
    /// The platform account's email.
    pub email: String,
    /// Its name.
    pub name: String,
    /// The staff role to act in.
    pub role: Role,
}

/// Uses a hand-off token on `tenant` reached at `host`: once, in time,
/// and only there.
pub async fn use_handoff(
    tenancy: &Tenancy,
    token: &str,
    tenant: TenantId,
    host: &str,
) -> Result<Option<Arrival>> {
    if !tokens::well_formed(token) {
        return Ok(None);
    }
    let row: Option<(String, String, String)> = sqlx::query_as(
        "UPDATE platform.handoffs h SET used_at = now()
         FROM platform.accounts a
         WHERE h.token_hash = $1 AND h.tenant_id = $2 AND h.host = $3 AND h.used_at IS NULL
           AND h.expires_at > now() AND a.id = h.account_id
         RETURNING a.email, a.name, h.role",
    )
    .bind(tokens::digest(token))
    .bind(tenant.0)
    .bind(host.to_lowercase())
    .fetch_optional(tenancy.pool())
    .await?;
    Ok(row.and_then(|(email, name, role)| {
        Some(Arrival {
            email,
            name,
            role: Role::parse(&role)?,
        })
    }))
}

/// The council account a platform account acts through (made on first
/// arrival), with the arrival's role; returns its id.
///
/// A council row with the same address but no link to the platform may
/// have been registered by someone else (an unconfirmed registration
/// holding an attacker's password, confirmed later by the consultant
/// clicking a mail they did not ask for). It is adopted only with every
/// credential cleared: its password, sessions, personal access tokens and
/// pending mail links. The person gets back in through the platform, or
/// sets a password again through "forgot password", which proves they
/// read that address's mail.
pub async fn council_account(tx: &mut TenantTx, arrival: &Arrival) -> Result<UserId> {
    let existing: Option<UserId> =
        sqlx::query_scalar("SELECT id FROM users WHERE platform_account = $1")
            .bind(&arrival.email)
            .fetch_optional(tx.conn())
            .await?;
    let actor = Actor(format!("platform:{}", arrival.email));
    let user = match existing {
        Some(user) => user,
        None => match adopt(tx, &actor, &arrival.email).await? {
            Some(user) => user,
            None => {
                // Taken only by a row linked to another platform account
                // (its address changed since): never relinked.
                let made: Option<UserId> = sqlx::query_scalar(
                    "INSERT INTO users (email, name, platform_account, email_confirmed_at, terms_accepted_at)
                     VALUES ($1, $2, $1, now(), now()) ON CONFLICT DO NOTHING RETURNING id",
                )
                .bind(&arrival.email)
                .bind(&arrival.name)
                .fetch_optional(tx.conn())
                .await?;
                made.ok_or(Refusal::Forbidden)?
            }
        },
    };
    staff::grant(tx, &actor, user, arrival.role).await?;
    staff::audit(
        tx,
        &actor,
        "platform.handoff",
        None,
        serde_json::json!({"role": arrival.role.as_str()}),
    )
    .await?;
    Ok(user)
}

/// Links the council row with `email` to the platform account of the same
/// address, clearing every credential it had (see [`council_account`]).
async fn adopt(tx: &mut TenantTx, actor: &Actor, email: &str) -> Result<Option<UserId>> {
    let adopted: Option<(UserId, bool)> = sqlx::query_as(
        "WITH old AS (SELECT id, email_confirmed_at IS NOT NULL AS confirmed FROM users
                      WHERE email = $1 AND platform_account IS NULL FOR UPDATE)
         UPDATE users u SET platform_account = $1, password_hash = NULL,
                email_confirmed_at = least(u.email_confirmed_at, now()),
                terms_accepted_at = least(u.terms_accepted_at, now())
         FROM old WHERE u.id = old.id RETURNING u.id, old.confirmed",
    )
    .bind(email)
    .fetch_optional(tx.conn())
    .await?;
    let Some((user, confirmed)) = adopted else {
        return Ok(None);
    };
    let sessions = crate::accounts::sessions::end_all(tx, user).await?;
    sqlx::query("UPDATE account_tokens SET used_at = now() WHERE user_id = $1 AND used_at IS NULL")
        .bind(user)
        .execute(tx.conn())
        .await?;
    staff::audit(
        tx,
        actor,
        "platform.adopt",
        Some(&user.to_string()),
        serde_json::json!({"was_confirmed": confirmed, "sessions_ended": sessions}),
    )
    .await?;
    Ok(Some(user))
}

/// A client council at a glance, for the consultants' console.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Figures {
    /// Published processes with a phase open now.
    pub open_processes: i64,
    /// People who proposed, debated, commented or supported this month
    /// (UTC).
    pub participants_this_month: i64,
    /// Reported items waiting for moderators.
    pub pending_moderation: i64,
    /// When staff last changed something (the audit log).
    pub last_staff_activity: Option<time::OffsetDateTime>,
    /// When the first open phase of a published process ends.
    pub phase_ends_at: Option<time::OffsetDateTime>,
    /// The phase of the published budget whose phase ends first (of
    /// those not finished).
    pub budget_phase: Option<crate::budgets::setup::Phase>,
    /// When that budget's phase ends.
    pub budget_phase_ends_at: Option<time::OffsetDateTime>,
}

impl Figures {
    /// A deadline (a phase's or a budget phase's end) within `days`.
    pub fn deadline_within(&self, days: i64) -> bool {
        let limit = time::OffsetDateTime::now_utc() + time::Duration::days(days);
        [self.phase_ends_at, self.budget_phase_ends_at]
            .into_iter()
            .flatten()
            .any(|at| at <= limit)
    }
}

/// The statement of [`figures`] (made of constants only).
static FIGURES: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "WITH month AS (SELECT date_trunc('month', now()) AS start),
         budget AS (
             SELECT {phase} AS phase,
                    CASE WHEN now() < b.accepting_at THEN b.accepting_at
                         WHEN now() < b.reviewing_at THEN b.reviewing_at
                         WHEN now() < b.selecting_at THEN b.selecting_at
                         WHEN now() < b.balloting_at THEN b.balloting_at
                         WHEN now() < b.tallying_at THEN b.tallying_at
                         ELSE b.finished_at END AS ends_at
             FROM budgets b JOIN processes p ON p.id = b.process_id
             WHERE p.status = 'published' AND now() < b.finished_at
             ORDER BY 2 LIMIT 1)
         SELECT (SELECT count(*) FROM processes p WHERE p.status = 'published'
                   AND EXISTS (SELECT 1 FROM process_phases f WHERE f.process_id = p.id
                               AND now() >= f.starts_at AND now() < f.ends_at)) AS open_processes,
                (SELECT count(DISTINCT who) FROM (
                     SELECT author_id AS who FROM proposals, month WHERE created_at >= month.start
                     UNION ALL SELECT author_id FROM debates, month WHERE created_at >= month.start
                     UNION ALL SELECT author_id FROM comments, month WHERE created_at >= month.start
                     UNION ALL SELECT user_id FROM supports, month WHERE created_at >= month.start) acted)
                    AS participants_this_month,
                (SELECT count(*) FROM (SELECT DISTINCT target_kind, target_id FROM reports
                                       WHERE resolved_at IS NULL) open) AS pending_moderation,
                (SELECT max(at) FROM audit_log WHERE actor <> 'cli') AS last_staff_activity,
                (SELECT min(f.ends_at) FROM process_phases f JOIN processes p ON p.id = f.process_id
                 WHERE p.status = 'published' AND now() >= f.starts_at AND now() < f.ends_at)
                    AS phase_ends_at,
                (SELECT phase FROM budget) AS budget_phase,
                (SELECT ends_at FROM budget) AS budget_phase_ends_at",
        phase = crate::budgets::setup::PHASE
    )
});

/// `tx`'s council at a glance (one statement).
pub async fn figures(tx: &mut TenantTx) -> Result<Figures> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(FIGURES.as_str()))
        .fetch_one(tx.conn())
        .await?)
}
