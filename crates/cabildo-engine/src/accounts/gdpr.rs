//! The person's rights over their data: a copy of everything about them,
//! and deleting their account.
//!
//! Deleting keeps what others rely on and erases what identifies: the
//! `users` row stays (anonymised) so that counts and authorship links hold
//! (what they wrote shows as by a deleted account); the census claim stays
//! too, as a keyed hash, so that one resident cannot vote twice by deleting
//! and registering again. Sessions, tokens, notifications and preferences
//! go, and so does the contact person (name, phone) of an organisation the
//! account applied for; the address is replaced everywhere it was stored.

use crate::error::Result;
use crate::ids::UserId;
use cabildo_tenancy::TenantTx;
use serde_json::{Value, json};

/// Everything the council's site holds about `user`, as JSON.
pub async fn export(tx: &mut TenantTx, user: UserId) -> Result<Option<Value>> {
    let account: Option<Value> = sqlx::query_scalar(
        "SELECT jsonb_build_object(
            'id', id, 'name', name, 'nickname', nickname, 'email', email, 'language', language,
            'email_confirmed_at', email_confirmed_at, 'terms_accepted_at', terms_accepted_at,
            'newsletter_consent', newsletter_consent, 'newsletter_consent_at', newsletter_consent_at,
            'notification_emails', notify_email, 'created_at', created_at,
            'residency', jsonb_build_object('verified_at', verified_at,
                'district', CASE WHEN verified_at IS NOT NULL THEN district_code END))
         FROM users WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(user)
    .fetch_optional(tx.conn())
    .await?;
    let Some(account) = account else {
        return Ok(None);
    };
    let list = async |tx: &mut TenantTx, sql: &str| -> Result<Value> {
        let rows: Option<Value> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
            .bind(user)
            .fetch_one(tx.conn())
            .await?;
        Ok(rows.unwrap_or_else(|| json!([])))
    };
    let api_tokens = list(
        tx,
        "SELECT jsonb_agg(jsonb_build_object('name', name, 'created_at', created_at,
                 'last_used_at', last_used_at, 'revoked_at', revoked_at) ORDER BY created_at)
         FROM api_tokens WHERE user_id = $1",
    )
    .await?;
    let sessions = list(
        tx,
        "SELECT jsonb_agg(jsonb_build_object('started_at', created_at, 'last_seen_at', last_seen_at,
                 'expires_at', expires_at, 'device', user_agent) ORDER BY created_at)
         FROM sessions WHERE user_id = $1",
    )
    .await?;
    let notifications = list(
        tx,
        "SELECT jsonb_agg(jsonb_build_object('kind', kind, 'title', title, 'body', body, 'link', link,
                 'created_at', created_at, 'read_at', read_at, 'emailed_at', emailed_at) ORDER BY created_at)
         FROM notifications WHERE user_id = $1",
    )
    .await?;
    let staff_roles = list(
        tx,
        "SELECT jsonb_agg(jsonb_build_object('role', role, 'granted_at', granted_at) ORDER BY role)
         FROM staff_roles WHERE user_id = $1",
    )
    .await?;
    let newsletters = list(
        tx,
        "SELECT jsonb_agg(jsonb_build_object('subject', n.subject, 'status', r.status, 'sent_at', r.sent_at)
                 ORDER BY n.created_at)
         FROM newsletter_recipients r JOIN newsletters n ON n.id = r.newsletter_id
         JOIN users u ON u.email = r.email WHERE u.id = $1",
    )
    .await?;
    // What they contributed, supported, voted and followed.
    let proposals = list(
        tx,
        "SELECT jsonb_agg(jsonb_build_object('id', id, 'title', title, 'summary', summary, 'body', body,
                 'status', status, 'image', image, 'created_at', created_at, 'hidden_at', hidden_at)
                 ORDER BY created_at)
         FROM proposals WHERE author_id = $1",
    )
    .await?;
    let debates = list(
        tx,
        "SELECT jsonb_agg(jsonb_build_object('id', id, 'title', title, 'body', body,
                 'created_at', created_at, 'hidden_at', hidden_at) ORDER BY created_at)
         FROM debates WHERE author_id = $1",
    )
    .await?;
    let comments = list(
        tx,
        "SELECT jsonb_agg(jsonb_build_object('id', id, 'on', target_id, 'body', body,
                 'created_at', created_at, 'deleted_at', deleted_at, 'hidden_at', hidden_at)
                 ORDER BY created_at)
         FROM comments WHERE author_id = $1",
    )
    .await?;
    let comment_votes = list(
        tx,
        "SELECT jsonb_agg(jsonb_build_object('comment', comment_id, 'value', value))
         FROM comment_votes WHERE user_id = $1",
    )
    .await?;
    let supports = list(
        tx,
        "SELECT jsonb_agg(jsonb_build_object('proposal', s.proposal_id, 'title', p.title,
                 'supported_at', s.created_at) ORDER BY s.created_at)
         FROM supports s JOIN proposals p ON p.id = s.proposal_id WHERE s.user_id = $1",
    )
    .await?;
    let project_supports = list(
        tx,
        "SELECT jsonb_agg(jsonb_build_object('project', s.project_id, 'title', p.title,
                 'supported_at', s.created_at) ORDER BY s.created_at)
         FROM budget_supports s JOIN budget_projects p ON p.id = s.project_id WHERE s.user_id = $1",
    )
    .await?;
    let projects = list(
        tx,
        "SELECT jsonb_agg(jsonb_build_object('id', id, 'title', title, 'description', description,
                 'image', image, 'created_at', created_at) ORDER BY created_at)
         FROM budget_projects WHERE author_id = $1",
    )
    .await?;
    let ballots = list(
        tx,
        "SELECT jsonb_agg(jsonb_build_object('heading', h.name, 'submitted_at', b.submitted_at,
                 'updated_at', b.updated_at,
                 'projects', (SELECT jsonb_agg(p.title ORDER BY p.title) FROM budget_projects p
                              WHERE p.id = ANY (b.projects)))
                 ORDER BY b.updated_at)
         FROM budget_ballots b JOIN budget_headings h ON h.id = b.heading_id WHERE b.user_id = $1",
    )
    .await?;
    let follows = list(
        tx,
        "SELECT jsonb_agg(jsonb_build_object('kind', target_kind, 'id', target_id,
                 'since', created_at) ORDER BY created_at)
         FROM follows WHERE user_id = $1",
    )
    .await?;
    let reports = list(
        tx,
        "SELECT jsonb_agg(jsonb_build_object('kind', target_kind, 'id', target_id, 'reason', reason,
                 'created_at', created_at, 'resolution', resolution) ORDER BY created_at)
         FROM reports WHERE reporter_id = $1",
    )
    .await?;
    let organisation: Option<Value> = sqlx::query_scalar(
        "SELECT jsonb_build_object('name', name, 'registry_number', registry_number,
                'contact_name', contact_name, 'contact_phone', contact_phone, 'status', status,
                'applied_at', created_at)
         FROM organisations WHERE user_id = $1",
    )
    .bind(user)
    .fetch_optional(tx.conn())
    .await?;
    let census: Option<time::OffsetDateTime> =
        sqlx::query_scalar("SELECT claimed_at FROM census_claims WHERE user_id = $1")
            .bind(user)
            .fetch_optional(tx.conn())
            .await?;
    Ok(Some(json!({
        "account": account,
        "sessions": sessions,
        "api_tokens": api_tokens,
        "notifications": notifications,
        "staff_roles": staff_roles,
        "newsletters_received": newsletters,
        "proposals": proposals,
        "debates": debates,
        "comments": comments,
        "comment_votes": comment_votes,
        "proposal_supports": supports,
        "budget_projects_proposed": projects,
        "budget_project_supports": project_supports,
        "budget_ballots": ballots,
        "follows": follows,
        "reports_made": reports,
        "organisation_application": organisation,
        "census_document_used_at": census.map(|at| at.unix_timestamp()),
        "note": "Document numbers are never stored: only a keyed hash of the one you verified with.",
    })))
}

/// Deletes `user`'s account as described in the module documentation;
/// `None` when there is no such account, else the pictures they uploaded,
/// which nothing names any more (remove the files once `tx` commits).
pub async fn delete(tx: &mut TenantTx, user: UserId) -> Result<Option<Vec<String>>> {
    let email: Option<String> = sqlx::query_scalar(
        "SELECT email FROM users WHERE id = $1 AND deleted_at IS NULL FOR UPDATE",
    )
    .bind(user)
    .fetch_optional(tx.conn())
    .await?;
    let Some(email) = email else {
        return Ok(None);
    };
    // Pictures are personal data too (faces, homes): their files go.
    let pictures: Vec<String> = sqlx::query_scalar(
        "WITH gone AS (
             UPDATE proposals p SET image = NULL
             FROM (SELECT id, image FROM proposals WHERE author_id = $1 AND image IS NOT NULL FOR UPDATE) o
             WHERE p.id = o.id RETURNING o.image
         ), gone_projects AS (
             UPDATE budget_projects p SET image = NULL
             FROM (SELECT id, image FROM budget_projects WHERE author_id = $1 AND image IS NOT NULL FOR UPDATE) o
             WHERE p.id = o.id RETURNING o.image
         )
         SELECT image FROM gone UNION ALL SELECT image FROM gone_projects",
    )
    .bind(user)
    .fetch_all(tx.conn())
    .await?;
    let placeholder = format!("deleted-{}@invalid", user.0.simple());
    sqlx::query("UPDATE newsletter_recipients SET email = $2 WHERE email = $1")
        .bind(&email)
        .bind(&placeholder)
        .execute(tx.conn())
        .await?;
    for table in [
        "sessions",
        "account_tokens",
        "api_tokens",
        "notifications",
        "verification_failures",
        "staff_roles",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE user_id = $1"
        )))
        .bind(user)
        .execute(tx.conn())
        .await?;
    }
    // The organisation (a public body's name and registry number) stays
    // as what its contributions were made for; its contact person goes.
    sqlx::query(
        "UPDATE organisations SET contact_name = '[deleted]', contact_phone = '[deleted]'
         WHERE user_id = $1",
    )
    .bind(user)
    .execute(tx.conn())
    .await?;
    sqlx::query(
        "UPDATE users SET email = $2, name = '[deleted]', nickname = NULL, nickname_skeleton = NULL, password_hash = NULL,
                language = NULL, newsletter_consent = false, newsletter_consent_at = NULL,
                notify_email = 'none', email_confirmed_at = NULL, deleted_at = now()
         WHERE id = $1",
    )
    .bind(user)
    .bind(&placeholder)
    .execute(tx.conn())
    .await?;
    Ok(Some(pictures))
}
