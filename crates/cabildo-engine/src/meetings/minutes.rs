//! After the doors open: staff check entry codes (typed, or read from the
//! code's QR link), and once the meeting has begun they publish its
//! minutes and agreements, each agreement optionally deciding on a
//! proposal (whose page then links the meeting).

use super::get;
use crate::audit::{Actor, audit};
use crate::codes;
use crate::content::text;
use crate::error::{Error, Field, Problem, Refusal, Result};
use crate::ids::{MeetingId, ProposalId};
use crate::meetings::registrations::CODE_LENGTH;
use cabildo_tenancy::TenantTx;
use serde_json::json;
use time::OffsetDateTime;

/// A code checked at the door.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckIn {
    /// The person's name.
    pub name: String,
    /// When they were first checked in, if this code was checked before.
    pub earlier: Option<OffsetDateTime>,
    /// They only wait for a place (not checked in).
    pub waiting: bool,
}

/// Checks `typed` (an entry code as typed) at the door of `meeting`: the
/// person with a place is marked present (once; a second check says when
/// the first was). Codes of people waiting are told apart, not admitted.
pub async fn check_in(
    tx: &mut TenantTx,
    actor: &Actor,
    meeting: MeetingId,
    typed: &str,
) -> Result<CheckIn> {
    let m = get(tx, meeting).await?;
    if m.cancelled {
        return Err(Refusal::MeetingCancelled.into());
    }
    let code = codes::normal(typed, CODE_LENGTH)
        .ok_or_else(|| Error::invalid(Field::Code, Problem::Invalid))?;
    let row: Option<(String, String, Option<OffsetDateTime>)> = sqlx::query_as(
        "SELECT u.name, r.status, r.attended_at FROM meeting_registrations r
         JOIN users u ON u.id = r.user_id WHERE r.meeting_id = $1 AND r.code = $2",
    )
    .bind(meeting)
    .bind(&code)
    .fetch_optional(tx.conn())
    .await?;
    let Some((name, status, earlier)) = row else {
        return Err(Refusal::CodeUnknown.into());
    };
    match status.as_str() {
        "registered" => {}
        "waiting" => {
            return Ok(CheckIn {
                name,
                earlier: None,
                waiting: true,
            });
        }
        _ => return Err(Refusal::CodeUnknown.into()),
    }
    if earlier.is_none() {
        sqlx::query(
            "UPDATE meeting_registrations SET attended_at = now() WHERE meeting_id = $1 AND code = $2",
        )
        .bind(meeting)
        .bind(&code)
        .execute(tx.conn())
        .await?;
        audit(
            tx,
            actor,
            "meeting.check_in",
            None,
            json!({"meeting": meeting}),
        )
        .await?;
    }
    Ok(CheckIn {
        name,
        earlier,
        waiting: false,
    })
}

/// A registration as staff see it at the door.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Attendee {
    /// Name.
    pub name: String,
    /// Stored status.
    pub status: String,
    /// Entry code.
    pub code: String,
    /// Checked in.
    pub attended_at: Option<OffsetDateTime>,
}

/// Everyone registered, waiting or invited, by status then name (staff).
pub async fn attendees(tx: &mut TenantTx, meeting: MeetingId) -> Result<Vec<Attendee>> {
    Ok(sqlx::query_as(
        "SELECT u.name, r.status, r.code, r.attended_at FROM meeting_registrations r
         JOIN users u ON u.id = r.user_id
         WHERE r.meeting_id = $1 AND r.status <> 'cancelled'
         ORDER BY array_position(ARRAY['registered', 'waiting', 'invited'], r.status),
                  r.since, u.name
         LIMIT 5000",
    )
    .bind(meeting)
    .fetch_all(tx.conn())
    .await?)
}

/// How many were checked in.
pub async fn attended(tx: &mut TenantTx, meeting: MeetingId) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM meeting_registrations WHERE meeting_id = $1 AND attended_at IS NOT NULL",
    )
    .bind(meeting)
    .fetch_one(tx.conn())
    .await?)
}

/// An agreement as staff type it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAgreement {
    /// What was agreed.
    pub text: String,
    /// The proposal it decides on.
    pub proposal: Option<ProposalId>,
}

/// An agreement as published.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Agreement {
    /// What was agreed.
    pub text: String,
    /// The proposal it decides on.
    pub proposal_id: Option<ProposalId>,
    /// That proposal's title.
    pub proposal_title: Option<String>,
}

/// Publishes (or corrects) the minutes and agreements of a meeting that
/// has begun. Agreements replace earlier ones; a proposal must exist.
pub async fn publish(
    tx: &mut TenantTx,
    actor: &Actor,
    meeting: MeetingId,
    minutes: &str,
    agreements: &[NewAgreement],
) -> Result<()> {
    let m = get(tx, meeting).await?;
    if m.cancelled {
        return Err(Refusal::MeetingCancelled.into());
    }
    if !m.started {
        return Err(Refusal::NotYetHeld.into());
    }
    let minutes = text(minutes, Field::Minutes, Problem::TextTooLong, 1, 100_000)?;
    if agreements.len() > 100
        || (agreements.iter()).any(|a| {
            let length = a.text.trim().chars().count();
            length == 0 || length > 5000
        })
    {
        return Err(Error::invalid(Field::Agreements, Problem::TextTooLong));
    }
    sqlx::query("DELETE FROM meeting_agreements WHERE meeting_id = $1")
        .bind(meeting)
        .execute(tx.conn())
        .await?;
    for (position, agreement) in (0i32..).zip(agreements) {
        let stored = sqlx::query(
            "INSERT INTO meeting_agreements (meeting_id, position, text, proposal_id)
             SELECT $1, $2, $3, $4
             WHERE $4::uuid IS NULL OR EXISTS (SELECT 1 FROM proposals WHERE id = $4)",
        )
        .bind(meeting)
        .bind(position)
        .bind(agreement.text.trim())
        .bind(agreement.proposal)
        .execute(tx.conn())
        .await?
        .rows_affected();
        if stored == 0 {
            return Err(Error::invalid(Field::Proposal, Problem::Invalid));
        }
    }
    sqlx::query(
        "UPDATE meetings SET minutes = $2, minutes_published_at = least(minutes_published_at, now())
         WHERE id = $1",
    )
    .bind(meeting)
    .bind(&minutes)
    .execute(tx.conn())
    .await?;
    audit(
        tx,
        actor,
        "meeting.minutes",
        None,
        json!({"meeting": meeting, "agreements": agreements.len()}),
    )
    .await
}

/// A meeting's agreements, in order (published with its minutes).
pub async fn agreements(tx: &mut TenantTx, meeting: MeetingId) -> Result<Vec<Agreement>> {
    Ok(sqlx::query_as(
        "SELECT a.text, a.proposal_id, p.title AS proposal_title FROM meeting_agreements a
         LEFT JOIN proposals p ON p.id = a.proposal_id AND p.hidden_at IS NULL
         WHERE a.meeting_id = $1 ORDER BY a.position",
    )
    .bind(meeting)
    .fetch_all(tx.conn())
    .await?)
}

/// A decision on a proposal, as its page shows it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Decision {
    /// The meeting.
    pub meeting_id: MeetingId,
    /// Its title.
    pub meeting_title: String,
    /// When it was held.
    pub starts_at: OffsetDateTime,
    /// What it agreed.
    pub text: String,
}

/// The published agreements that decide on `proposal`, latest first.
pub async fn decisions_on(tx: &mut TenantTx, proposal: ProposalId) -> Result<Vec<Decision>> {
    Ok(sqlx::query_as(
        "SELECT m.id AS meeting_id, m.title AS meeting_title, m.starts_at, a.text
         FROM meeting_agreements a JOIN meetings m ON m.id = a.meeting_id
         WHERE a.proposal_id = $1 AND m.minutes_published_at IS NOT NULL
           AND m.published_at IS NOT NULL
         ORDER BY m.starts_at DESC, a.position LIMIT 50",
    )
    .bind(proposal)
    .fetch_all(tx.conn())
    .await?)
}
