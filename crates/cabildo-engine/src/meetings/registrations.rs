//! Registering for a meeting: a place while there are places, else a
//! place in line; a place given back goes to the first in line, who is
//! mailed their entry code. Registrations of one meeting are taken one
//! at a time (the meeting's row is locked), so a meeting never has more
//! people with a place than places, however many register at once.
//! Invitation-only meetings take registrations from those staff invited.

use super::{Meeting, Registration, get, mail};
use crate::audit::{Actor, audit};
use crate::codes;
use crate::error::{Refusal, Result};
use crate::ids::{MeetingId, UserId};
use cabildo_tenancy::TenantTx;
use serde_json::json;
use time::OffsetDateTime;

/// Length of an entry code.
pub const CODE_LENGTH: usize = 8;

/// Where a person stands with a meeting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// Invited; not registered yet.
    Invited,
    /// Has a place.
    Registered,
    /// Waits for a place.
    Waiting,
    /// Gave their place back.
    Cancelled,
}

impl Status {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invited => "invited",
            Self::Registered => "registered",
            Self::Waiting => "waiting",
            Self::Cancelled => "cancelled",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "invited" => Self::Invited,
            "registered" => Self::Registered,
            "waiting" => Self::Waiting,
            _ => Self::Cancelled,
        }
    }
}

/// A person's registration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Standing {
    /// Where they stand.
    pub status: Status,
    /// Their entry code.
    pub code: String,
    /// Their place in line (1 = next), when waiting.
    pub in_line: Option<i64>,
    /// When they were checked in at the door.
    pub attended_at: Option<OffsetDateTime>,
}

/// Where `user` stands with `meeting`, if they ever registered or were
/// invited.
pub async fn standing(
    tx: &mut TenantTx,
    meeting: MeetingId,
    user: UserId,
) -> Result<Option<Standing>> {
    let row: Option<(String, String, Option<i64>, Option<OffsetDateTime>)> = sqlx::query_as(
        "SELECT r.status, r.code,
                CASE WHEN r.status = 'waiting' THEN
                    (SELECT count(*) FROM meeting_registrations w
                     WHERE w.meeting_id = r.meeting_id AND w.status = 'waiting' AND w.since <= r.since)
                END,
                r.attended_at
         FROM meeting_registrations r WHERE r.meeting_id = $1 AND r.user_id = $2",
    )
    .bind(meeting)
    .bind(user)
    .fetch_optional(tx.conn())
    .await?;
    Ok(row.map(|(status, code, in_line, attended_at)| Standing {
        status: Status::parse(&status),
        code,
        in_line,
        attended_at,
    }))
}

/// The meeting, locked for this transaction, if the public may see it.
async fn locked(tx: &mut TenantTx, id: MeetingId) -> Result<Meeting> {
    let visible: Option<bool> = sqlx::query_scalar(
        "SELECT m.published_at IS NOT NULL
                AND (p.status = 'published' OR a.published_at IS NOT NULL)
         FROM meetings m LEFT JOIN processes p ON p.id = m.process_id
         LEFT JOIN assemblies a ON a.id = m.assembly_id
         WHERE m.id = $1 FOR UPDATE OF m",
    )
    .bind(id)
    .fetch_optional(tx.conn())
    .await?;
    if visible != Some(true) {
        return Err(Refusal::NotFound.into());
    }
    get(tx, id).await
}

/// A person who may register: a confirmed account, not blocked. Their
/// address, name and language, for the mail.
async fn person(tx: &mut TenantTx, user: UserId) -> Result<(String, String, Option<String>)> {
    let row: Option<(String, String, Option<String>, bool, bool)> = sqlx::query_as(
        "SELECT email, name, language, email_confirmed_at IS NOT NULL, blocked_at IS NOT NULL
         FROM users WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(user)
    .fetch_optional(tx.conn())
    .await?;
    match row {
        Some((email, name, language, true, false)) => Ok((email, name, language)),
        Some((_, _, _, true, true)) => Err(Refusal::Blocked.into()),
        _ => Err(Refusal::NotRegistered.into()),
    }
}

/// `user` registers for `meeting`: a place if one is left, else a place
/// in line; they are mailed their entry code. Registering again changes
/// nothing; after cancelling, they go to the end of the line.
pub async fn register(tx: &mut TenantTx, meeting: MeetingId, user: UserId) -> Result<Standing> {
    let m = locked(tx, meeting).await?;
    if m.cancelled {
        return Err(Refusal::MeetingCancelled.into());
    }
    if m.started || m.registration() == Registration::None {
        return Err(Refusal::RegistrationClosed.into());
    }
    let (email, name, language) = person(tx, user).await?;
    let before = standing(tx, meeting, user).await?;
    match before.as_ref().map(|s| s.status) {
        Some(Status::Registered | Status::Waiting) => {
            return before.ok_or_else(|| Refusal::NotFound.into());
        }
        None if m.registration() == Registration::Invitation => {
            return Err(Refusal::NotInvited.into());
        }
        _ => {}
    }
    let status = match m.places_left() {
        Some(0) => Status::Waiting,
        _ => Status::Registered,
    };
    let code = codes::random(CODE_LENGTH);
    sqlx::query(
        "INSERT INTO meeting_registrations (meeting_id, user_id, status, code, since)
         VALUES ($1, $2, $3, $4, clock_timestamp())
         ON CONFLICT (meeting_id, user_id)
         DO UPDATE SET status = EXCLUDED.status, since = EXCLUDED.since",
    )
    .bind(meeting)
    .bind(user)
    .bind(status.as_str())
    .bind(&code)
    .execute(tx.conn())
    .await?;
    let now = standing(tx, meeting, user)
        .await?
        .ok_or(Refusal::NotFound)?;
    let kind = match status {
        Status::Waiting => "waiting",
        _ => "registered",
    };
    let mail = mail(
        &m,
        kind,
        &email,
        &name,
        language.as_deref(),
        Some(&now.code),
        None,
    );
    tx.enqueue(&mail.job());
    Ok(now)
}

/// `user` gives their place (or their place in line) back. While the
/// meeting has not begun, a place given back goes to the first in line.
pub async fn cancel(tx: &mut TenantTx, meeting: MeetingId, user: UserId) -> Result<()> {
    let m = locked(tx, meeting).await?;
    if m.started {
        return Err(Refusal::RegistrationClosed.into());
    }
    let was: Option<String> = sqlx::query_scalar(
        "UPDATE meeting_registrations r SET status = 'cancelled'
         FROM meeting_registrations old
         WHERE r.meeting_id = $1 AND r.user_id = $2 AND old.meeting_id = r.meeting_id
           AND old.user_id = r.user_id AND r.status IN ('registered', 'waiting')
         RETURNING old.status",
    )
    .bind(meeting)
    .bind(user)
    .fetch_optional(tx.conn())
    .await?;
    if was.as_deref() == Some("registered") && !m.cancelled {
        promote(tx, &m).await?;
    }
    Ok(())
}

/// Gives a place to the first in line, if there is a place and a line.
async fn promote(tx: &mut TenantTx, m: &Meeting) -> Result<()> {
    let promoted: Option<(String, String, Option<String>, String)> = sqlx::query_as(
        "UPDATE meeting_registrations r SET status = 'registered'
         FROM users u
         WHERE u.id = r.user_id AND r.meeting_id = $1 AND r.status = 'waiting'
           AND r.user_id = (SELECT user_id FROM meeting_registrations
                            WHERE meeting_id = $1 AND status = 'waiting'
                            ORDER BY since, user_id LIMIT 1)
           AND ($2::integer IS NULL OR (SELECT count(*) FROM meeting_registrations
                                       WHERE meeting_id = $1 AND status = 'registered') < $2)
         RETURNING u.email, u.name, u.language, r.code",
    )
    .bind(m.id)
    .bind(m.capacity)
    .fetch_optional(tx.conn())
    .await?;
    if let Some((email, name, language, code)) = promoted {
        let mail = mail(
            m,
            "promoted",
            &email,
            &name,
            language.as_deref(),
            Some(&code),
            None,
        );
        tx.enqueue(&mail.job());
    }
    Ok(())
}

/// What inviting people did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Invited {
    /// People newly invited (and mailed).
    pub invited: usize,
    /// Addresses with no account on the site.
    pub unknown: Vec<String>,
}

/// Invites the people with these addresses to `meeting` (those already
/// invited or registered are left as they are).
pub async fn invite(
    tx: &mut TenantTx,
    actor: &Actor,
    meeting: MeetingId,
    emails: &[String],
) -> Result<Invited> {
    let m = get(tx, meeting).await?;
    if m.cancelled || m.started {
        return Err(Refusal::RegistrationClosed.into());
    }
    let mut done = Invited::default();
    for email in emails.iter().map(|e| e.trim().to_lowercase()) {
        if email.is_empty() {
            continue;
        }
        let found: Option<(UserId, String, Option<String>)> = sqlx::query_as(
            "SELECT id, name, language FROM users
             WHERE email = $1 AND deleted_at IS NULL AND email_confirmed_at IS NOT NULL",
        )
        .bind(&email)
        .fetch_optional(tx.conn())
        .await?;
        let Some((user, name, language)) = found else {
            done.unknown.push(email);
            continue;
        };
        let code = codes::random(CODE_LENGTH);
        let added = sqlx::query(
            "INSERT INTO meeting_registrations (meeting_id, user_id, status, code)
             VALUES ($1, $2, 'invited', $3) ON CONFLICT DO NOTHING",
        )
        .bind(meeting)
        .bind(user)
        .bind(&code)
        .execute(tx.conn())
        .await?
        .rows_affected();
        if added == 1 {
            done.invited += 1;
            if m.published {
                let mail = mail(
                    &m,
                    "invited",
                    &email,
                    &name,
                    language.as_deref(),
                    None,
                    None,
                );
                tx.enqueue(&mail.job());
            }
        }
    }
    audit(
        tx,
        actor,
        "meeting.invite",
        None,
        json!({"meeting": meeting, "invited": done.invited}),
    )
    .await?;
    Ok(done)
}
