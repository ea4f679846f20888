//! Staff of a council: roles (admin, moderator, evaluator), invitations
//! sent by mail, and the append-only audit log of what staff do.

use crate::accounts::{tokens, validate};
use crate::error::{Error, Field, Refusal, Result};
use crate::ids::UserId;
use crate::stored::stored;
use cabildo_tenancy::entitlements::{Limit, Need};
use cabildo_tenancy::{EmailRequest, TenantTx};
use serde_json::json;

/// How long an invitation link works.
pub const INVITATION_VALID_DAYS: i32 = 7;

stored! {
    /// A staff role.
    pub enum Role {
        /// Runs the council's site: processes, staff, census, settings.
        Admin = "admin",
        /// Handles reports, hides content, blocks people.
        Moderator = "moderator",
        /// Reviews feasibility and cost of budget projects.
        Evaluator = "evaluator",
    }
}

/// What a staff action needs; which roles grant it is decided here, for
/// pages and API alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Invite staff, see the staff list and the audit log.
    ManageStaff,
    /// Upload the census and verify residents by hand.
    ManageCensus,
    /// Create, change, publish and archive processes.
    ManageProcesses,
    /// Set budgets up, put projects on the ballot, count paper votes,
    /// post execution updates.
    ManageBudgets,
    /// Review budget projects (feasibility and cost).
    ReviewProjects,
    /// Answer proposals officially and set their status.
    AnswerProposals,
    /// Handle reports, hide content, block accounts; pin and close debates.
    Moderate,
    /// Verify or reject organisations.
    ReviewOrganisations,
    /// Send newsletters.
    SendNewsletters,
    /// Mark a comment as the council's official answer.
    CommentOfficially,
    /// Edit the site's settings and legal pages.
    ManageSettings,
}

impl Permission {
    /// Whether holding `roles` grants it.
    pub fn granted_by(self, roles: &[Role]) -> bool {
        let any = |wanted: &[Role]| roles.iter().any(|r| wanted.contains(r));
        match self {
            Self::ManageStaff
            | Self::ManageCensus
            | Self::ManageProcesses
            | Self::ManageBudgets
            | Self::SendNewsletters
            | Self::ManageSettings => any(&[Role::Admin]),
            Self::ReviewProjects | Self::AnswerProposals => any(&[Role::Admin, Role::Evaluator]),
            Self::Moderate | Self::ReviewOrganisations => any(&[Role::Admin, Role::Moderator]),
            Self::CommentOfficially => !roles.is_empty(),
        }
    }
}

/// Whether `user` holds a role that grants `permission`.
pub async fn may(tx: &mut TenantTx, user: UserId, permission: Permission) -> Result<bool> {
    Ok(permission.granted_by(&roles_of(tx, user).await?))
}

/// Nothing when `user` holds `permission` here; else refused (`forbidden`).
pub async fn require(tx: &mut TenantTx, user: UserId, permission: Permission) -> Result<()> {
    match may(tx, user, permission).await? {
        true => Ok(()),
        false => Err(Refusal::Forbidden.into()),
    }
}

pub use crate::audit::{Actor, audit};

/// The roles of `user`.
pub async fn roles_of(tx: &mut TenantTx, user: UserId) -> Result<Vec<Role>> {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT role FROM staff_roles WHERE user_id = $1 ORDER BY role")
            .bind(user)
            .fetch_all(tx.conn())
            .await?;
    Ok(names.iter().filter_map(|n| Role::parse(n)).collect())
}

/// Invites `email` to join the staff as `role`: a single-use link by mail.
pub async fn invite(
    tx: &mut TenantTx,
    actor: &Actor,
    email: &str,
    role: Role,
    language: &str,
) -> Result<()> {
    let email = validate::email(email).map_err(|p| Error::invalid(Field::Email, p))?;
    seat_for(tx, &email).await?;
    let token = tokens::new_token();
    sqlx::query(
        "INSERT INTO staff_invitations (token_hash, email, role, invited_by, expires_at)
         VALUES ($1, $2, $3, $4, now() + make_interval(days => $5))",
    )
    .bind(tokens::digest(&token))
    .bind(&email)
    .bind(role.as_str())
    .bind(&actor.0)
    .bind(INVITATION_VALID_DAYS)
    .execute(tx.conn())
    .await?;
    tx.enqueue(
        &EmailRequest {
            to: email.clone(),
            name: None,
            language: (!language.is_empty()).then(|| language.to_owned()),
            template: "account".into(),
            vars: json!({"kind": "invite", "link": format!("/staff/invitation?token={token}")}),
            unsubscribe_user: None,
        }
        .job(),
    );
    audit(
        tx,
        actor,
        "staff.invite",
        Some(&email),
        json!({"role": role.as_str()}),
    )
    .await
}

/// An invitation that can still be accepted.
#[derive(Clone, Debug)]
pub struct Invitation {
    /// The invited address.
    pub email: String,
    /// The role offered.
    pub role: Role,
}

/// The open invitation behind `token`.
pub async fn invitation(tx: &mut TenantTx, token: &str) -> Result<Option<Invitation>> {
    if !tokens::well_formed(token) {
        return Ok(None);
    }
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT email, role FROM staff_invitations
         WHERE token_hash = $1 AND accepted_at IS NULL AND expires_at > now()",
    )
    .bind(tokens::digest(token))
    .fetch_optional(tx.conn())
    .await?;
    Ok(row.and_then(|(email, role)| {
        Some(Invitation {
            email,
            role: Role::parse(&role)?,
        })
    }))
}

/// Accepts the invitation behind `token` for `user`, whose account must
/// use the invited address (links get forwarded).
pub async fn accept(tx: &mut TenantTx, token: &str, user: UserId) -> Result<Role> {
    let Some(invitation) = invitation(tx, token).await? else {
        return Err(Refusal::InvitationInvalid.into());
    };
    let email: Option<String> = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(user)
        .fetch_optional(tx.conn())
        .await?;
    if email.as_deref() != Some(invitation.email.as_str()) {
        return Err(Refusal::OtherAddress.into());
    }
    let used = sqlx::query(
        "UPDATE staff_invitations SET accepted_at = now()
         WHERE token_hash = $1 AND accepted_at IS NULL",
    )
    .bind(tokens::digest(token))
    .execute(tx.conn())
    .await?;
    if used.rows_affected() == 0 {
        return Err(Refusal::InvitationInvalid.into());
    }
    let actor = Actor::user(user);
    grant(tx, &actor, user, invitation.role).await?;
    audit(
        tx,
        &actor,
        "staff.accept",
        Some(&invitation.email),
        json!({"role": invitation.role.as_str()}),
    )
    .await?;
    Ok(invitation.role)
}

/// Gives `user` a role, within the staff seats of the council's plan
/// (another role for someone already staff takes no seat).
pub async fn grant(tx: &mut TenantTx, actor: &Actor, user: UserId, role: Role) -> Result<()> {
    // Seats count only under a plan that limits them: no lookup otherwise.
    if tx.limit(Limit::StaffSeats).is_some() {
        let email: Option<String> = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
            .bind(user)
            .fetch_optional(tx.conn())
            .await?;
        if let Some(email) = email {
            seat_for(tx, &email).await?;
        }
    }
    sqlx::query(
        "INSERT INTO staff_roles (user_id, role, granted_by) VALUES ($1, $2, $3)
         ON CONFLICT (user_id, role) DO NOTHING",
    )
    .bind(user)
    .bind(role.as_str())
    .bind(&actor.0)
    .execute(tx.conn())
    .await?;
    audit(
        tx,
        actor,
        "staff.grant",
        Some(&user.to_string()),
        json!({"role": role.as_str()}),
    )
    .await
}

/// Staff seats held: everyone on the staff and everyone with an open
/// invitation; and whether `email` holds one of them.
pub async fn seats(tx: &mut TenantTx, email: Option<&str>) -> Result<(u64, bool)> {
    let (held, seated): (i64, bool) = sqlx::query_as(
        "WITH seats AS (
             SELECT u.email FROM staff_roles r JOIN users u ON u.id = r.user_id
             UNION SELECT email FROM staff_invitations
                   WHERE accepted_at IS NULL AND expires_at > now())
         SELECT count(*), coalesce(bool_or(email = $1), false) FROM seats",
    )
    .bind(email)
    .fetch_one(tx.conn())
    .await?;
    Ok((held.unsigned_abs(), seated))
}

/// Refuses a new seat for `email` beyond the plan's staff seats. Seats
/// are held by everyone on the staff and everyone with an open invitation;
/// an address already holding one takes no other (so a council over its
/// seats after a lower plan can still change the roles it has).
async fn seat_for(tx: &mut TenantTx, email: &str) -> Result<()> {
    if tx.limit(Limit::StaffSeats).is_none() {
        return Ok(());
    }
    // Two changes at once must not both take the last seat.
    sqlx::query("LOCK TABLE staff_roles IN SHARE ROW EXCLUSIVE MODE")
        .execute(tx.conn())
        .await?;
    let (held, seated) = seats(tx, Some(email)).await?;
    if !seated {
        tx.within_plan(Need::Limit(Limit::StaffSeats, held + 1))?;
    }
    Ok(())
}

/// Mails the council's admins an account mail of `kind` linking to
/// `link` (a path on the site), e.g. a missed payment; how many.
pub async fn mail_admins(tx: &mut TenantTx, kind: &str, link: &str) -> Result<usize> {
    let admins: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT DISTINCT u.email, u.name, u.language FROM staff_roles r JOIN users u ON u.id = r.user_id
         WHERE r.role = 'admin' ORDER BY u.email",
    )
    .fetch_all(tx.conn())
    .await?;
    for (email, name, language) in &admins {
        tx.enqueue(
            &EmailRequest {
                to: email.clone(),
                name: Some(name.clone()),
                language: language.clone(),
                template: "account".into(),
                vars: json!({"kind": kind, "link": link}),
                unsubscribe_user: None,
            }
            .job(),
        );
    }
    Ok(admins.len())
}

/// One member of staff.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Member {
    /// Their account.
    pub user: UserId,
    /// Name.
    pub name: String,
    /// Email address.
    pub email: String,
    /// Role.
    pub role: Role,
}

/// The council's staff, by name.
pub async fn members(tx: &mut TenantTx) -> Result<Vec<Member>> {
    Ok(sqlx::query_as(
        "SELECT u.id AS user, u.name, u.email, s.role
         FROM staff_roles s JOIN users u ON u.id = s.user_id ORDER BY u.name, s.role",
    )
    .fetch_all(tx.conn())
    .await?)
}

/// What part of the audit log to read.
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    /// Only this actor (`user:<id>`, `cli`, `platform:<email>`).
    pub actor: Option<String>,
    /// Only actions of this area (`process`, `budget` …: the part before
    /// the dot).
    pub area: Option<String>,
    /// From this instant.
    pub from: Option<time::OffsetDateTime>,
    /// Before this instant.
    pub until: Option<time::OffsetDateTime>,
    /// Entries older than this one (the previous page's last).
    pub before: Option<i64>,
    /// At most this many.
    pub limit: i64,
}

/// One audit entry with the acting person's name.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AuditLine {
    /// Its position in the log (for paging).
    pub id: i64,
    /// When.
    pub at: time::OffsetDateTime,
    /// Who, as stored.
    pub actor: String,
    /// The council account's name, when a council account acted.
    pub actor_name: Option<String>,
    /// What.
    pub action: String,
    /// On what.
    pub subject: Option<String>,
}

/// Audit entries matching `query`, newest first.
pub async fn audit_lines(tx: &mut TenantTx, query: &AuditQuery) -> Result<Vec<AuditLine>> {
    Ok(sqlx::query_as(
        "SELECT a.id, a.at, a.actor, u.name AS actor_name, a.action, a.subject
         FROM audit_log a LEFT JOIN users u ON a.actor = 'user:' || u.id::text
         WHERE ($1::text IS NULL OR a.actor = $1)
           AND ($2::text IS NULL OR split_part(a.action, '.', 1) = $2)
           AND ($3::timestamptz IS NULL OR a.at >= $3)
           AND ($4::timestamptz IS NULL OR a.at < $4)
           AND ($5::bigint IS NULL OR a.id < $5)
         ORDER BY a.id DESC LIMIT $6",
    )
    .bind(&query.actor)
    .bind(&query.area)
    .bind(query.from)
    .bind(query.until)
    .bind(query.before)
    .bind(query.limit)
    .fetch_all(tx.conn())
    .await?)
}

/// Everyone who appears in the audit log, with their names, for the
/// person filter: (actor, name).
pub async fn audit_actors(tx: &mut TenantTx) -> Result<Vec<(String, Option<String>)>> {
    Ok(sqlx::query_as(
        "SELECT a.actor, min(u.name) AS name
         FROM audit_log a LEFT JOIN users u ON a.actor = 'user:' || u.id::text
         GROUP BY a.actor ORDER BY min(u.name) NULLS LAST, a.actor LIMIT 500",
    )
    .fetch_all(tx.conn())
    .await?)
}
