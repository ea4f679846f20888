//! A person's own activity: what they proposed, opened, commented on and
//! supported, newest first.

use crate::error::Result;
use crate::ids::UserId;
use cabildo_tenancy::TenantTx;
use serde::Serialize;
use time::OffsetDateTime;

/// One thing a person did.
#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct Entry {
    /// `proposal`, `debate`, `comment` or `support`.
    pub kind: String,
    /// The title of what it is about (or the start of the comment).
    pub title: String,
    /// Where it is shown.
    pub link: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// The latest 100 things `user` did.
pub async fn of(tx: &mut TenantTx, user: UserId) -> Result<Vec<Entry>> {
    Ok(sqlx::query_as(
        "(SELECT 'proposal' AS kind, title, '/proposals/' || id AS link, created_at AS at
          FROM proposals WHERE author_id = $1 ORDER BY created_at DESC LIMIT 100)
         UNION ALL
         (SELECT 'debate', title, '/debates/' || id, created_at FROM debates
          WHERE author_id = $1 ORDER BY created_at DESC LIMIT 100)
         UNION ALL
         (SELECT 'comment', left(body, 120), CASE target_kind WHEN 'debate' THEN '/debates/' || target_id
                 WHEN 'proposal' THEN '/proposals/' || target_id
                 WHEN 'meeting' THEN '/meetings/' || target_id
                 ELSE (SELECT '/processes/' || slug FROM processes WHERE id = target_id) END
                 || '#comment-' || id, created_at
          FROM comments WHERE author_id = $1 AND deleted_at IS NULL ORDER BY created_at DESC LIMIT 100)
         UNION ALL
         (SELECT 'support', r.title, '/proposals/' || r.id, s.created_at FROM supports s
          JOIN proposals r ON r.id = s.proposal_id WHERE s.user_id = $1 ORDER BY s.created_at DESC LIMIT 100)
         ORDER BY at DESC LIMIT 100",
    )
    .bind(user)
    .fetch_all(tx.conn())
    .await?)
}
