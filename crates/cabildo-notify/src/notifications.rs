//! In-app notifications, stored in the council's schema, and the emails
//! they cause: at once for people who asked for it, else in digests.

use crate::email::{self, EmailRequest};
use cabildo_tenancy::{NewJob, TenancyError, TenantTx};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

/// A notification to create.
#[derive(Clone, Debug, Default)]
pub struct NewNotification {
    /// Who gets it.
    pub user: Uuid,
    /// What kind of event (`comment.reply`, `proposal.status` …).
    pub kind: String,
    /// One line.
    pub title: String,
    /// More text (plain).
    pub body: String,
    /// Where it points (`/proposals/…` or an absolute URL).
    pub link: Option<String>,
    /// What it is about, as data for showing it again in the reader's
    /// language: the item's title, the state it reached, words someone
    /// wrote (see the `notification_data` migration).
    pub about: About,
}

/// What a notification is about, as data.
#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct About {
    /// The title of the item.
    pub subject: Option<String>,
    /// The state it reached (a stored name).
    pub state: Option<String>,
    /// Words someone wrote.
    pub words: Option<String>,
}

/// A stored notification.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct Notification {
    /// Id.
    pub id: Uuid,
    /// Kind.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
    /// Link.
    pub link: Option<String>,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Read, if it was.
    pub read_at: Option<OffsetDateTime>,
    /// What it is about, as data.
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub about: About,
}

/// A page of notifications, newest first.
#[derive(Clone, Debug)]
pub struct Page {
    /// The notifications.
    pub items: Vec<Notification>,
    /// Pass this to get the next (older) page; `None` on the last page.
    pub next: Option<Cursor>,
}

/// Where a page ends (keyset pagination: stable while new ones arrive).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    created_at: OffsetDateTime,
    id: Uuid,
}

/// How someone wants notifications by email.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmailPreference {
    /// One email per notification.
    Immediate,
    /// One digest a day.
    Daily,
    /// One digest a week.
    Weekly,
    /// No email.
    None,
}

impl EmailPreference {
    fn parse(stored: &str) -> Self {
        match stored {
            "immediate" => Self::Immediate,
            "weekly" => Self::Weekly,
            "none" => Self::None,
            _ => Self::Daily,
        }
    }
}

/// Invalid input to this module.
fn invalid(field: &str, reason: &str) -> TenancyError {
    TenancyError::Invalid {
        field: field.into(),
        reason: reason.into(),
    }
}

/// Creates a notification in the same transaction as the event that causes
/// it; for someone who wants email at once, also queues that email (keyed
/// by the notification, so never twice).
pub async fn notify(
    tx: &mut TenantTx,
    notification: &NewNotification,
) -> Result<Uuid, TenancyError> {
    if notification.title.trim().is_empty() || notification.title.chars().count() > 300 {
        return Err(invalid("title", "must be 1 to 300 characters"));
    }
    let about = &notification.about;
    if about
        .subject
        .as_ref()
        .is_some_and(|s| s.chars().count() > 300)
    {
        return Err(invalid("subject", "must be at most 300 characters"));
    }
    if about
        .words
        .as_ref()
        .is_some_and(|w| w.chars().count() > 1000)
    {
        return Err(invalid("words", "must be at most 1000 characters"));
    }
    if about.state.as_ref().is_some_and(|state| {
        !(1..=40).contains(&state.len())
            || !state.starts_with(|c: char| c.is_ascii_lowercase())
            || !state
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    }) {
        return Err(invalid("state", "must be a stored name such as accepted"));
    }
    if let Some(link) = &notification.link
        && !(link.starts_with('/') || link.starts_with("https://") || link.starts_with("http://"))
    {
        return Err(invalid("link", "must be a path or an http(s) URL"));
    }
    let recipient: Option<(String, String, Option<String>, String)> =
        sqlx::query_as("SELECT email, name, language, notify_email FROM users WHERE id = $1")
            .bind(notification.user)
            .fetch_optional(tx.conn())
            .await?;
    let Some((email, name, language, preference)) = recipient else {
        return Err(TenancyError::NotFound(notification.user.to_string()));
    };
    let immediate = EmailPreference::parse(&preference) == EmailPreference::Immediate;
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO notifications (user_id, kind, title, body, link, emailed_at, subject, state, words)
         VALUES ($1, $2, $3, $4, $5, CASE WHEN $6 THEN now() END, $7, $8, $9) RETURNING id",
    )
    .bind(notification.user)
    .bind(&notification.kind)
    .bind(&notification.title)
    .bind(&notification.body)
    .bind(&notification.link)
    .bind(immediate)
    .bind(&notification.about.subject)
    .bind(&notification.about.state)
    .bind(&notification.about.words)
    .fetch_one(tx.conn())
    .await?;
    if immediate {
        let request = EmailRequest {
            to: email,
            name: Some(name),
            language,
            template: "message".into(),
            vars: json!({
                "subject": notification.title,
                "body": notification.body,
                "action_url": notification.link,
                "preferences": true,
            }),
            unsubscribe_user: Some(notification.user),
        };
        tx.enqueue(&request.job().unique(format!("notification:{id}")));
    }
    Ok(id)
}

/// One page of someone's notifications, newest first.
pub async fn list(
    tx: &mut TenantTx,
    user: Uuid,
    after: Option<Cursor>,
    limit: i64,
) -> Result<Page, TenancyError> {
    let limit = limit.clamp(1, 100);
    let mut items: Vec<Notification> = sqlx::query_as(
        "SELECT id, kind, title, body, link, created_at, read_at, subject, state, words FROM notifications
         WHERE user_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) < ($2, $3))
         ORDER BY created_at DESC, id DESC LIMIT $4",
    )
    .bind(user)
    .bind(after.map(|c| c.created_at))
    .bind(after.map(|c| c.id))
    .bind(limit + 1)
    .fetch_all(tx.conn())
    .await?;
    let next = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|n| Cursor {
            created_at: n.created_at,
            id: n.id,
        })
    } else {
        None
    };
    Ok(Page { items, next })
}

/// How many unread notifications someone has.
pub async fn count_unread(tx: &mut TenantTx, user: Uuid) -> Result<i64, TenancyError> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
    )
    .bind(user)
    .fetch_one(tx.conn())
    .await?)
}

/// Marks some (or, with `None`, all) of someone's notifications read.
/// Ids of other people's notifications are ignored. Returns how many
/// changed.
pub async fn mark_read(
    tx: &mut TenantTx,
    user: Uuid,
    ids: Option<&[Uuid]>,
) -> Result<u64, TenancyError> {
    let done = sqlx::query(
        "UPDATE notifications SET read_at = now()
         WHERE user_id = $1 AND read_at IS NULL AND ($2::uuid[] IS NULL OR id = ANY($2))",
    )
    .bind(user)
    .bind(ids)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected())
}

/// Job kind of a digest run for one council and one period.
pub const DIGEST_KIND: &str = "digest.run";

/// The job that gathers one council's `period` ("daily" or "weekly") digest
/// for the period containing `date`; enqueuing it twice adds it once.
pub fn digest_job(period: &str, date: time::Date) -> NewJob {
    NewJob::new(
        DIGEST_KIND,
        json!({"period": period, "date": date.to_string()}),
    )
    .unique(format!("digest:{period}:{date}"))
}

/// One person's pending notifications for a digest.
#[derive(sqlx::FromRow)]
struct DigestRow {
    user: Uuid,
    email: String,
    name: String,
    language: Option<String>,
    ids: Vec<Uuid>,
    titles: Vec<String>,
    links: Vec<Option<String>>,
}

/// Gathers every not-yet-emailed notification of people on `period`
/// digests into one email each, queued in the same transaction that marks
/// the notifications emailed: a failed run changes nothing and is simply
/// run again; a finished one is never repeated. Returns the number of
/// digests queued.
pub async fn gather_digests(
    tx: &mut TenantTx,
    period: &str,
    date: &str,
) -> Result<usize, TenancyError> {
    if !matches!(period, "daily" | "weekly") {
        return Err(invalid("period", "must be daily or weekly"));
    }
    let rows: Vec<DigestRow> = sqlx::query_as(
        "SELECT u.id AS user, u.email, u.name, u.language,
                array_agg(n.id ORDER BY n.created_at) AS ids,
                array_agg(n.title ORDER BY n.created_at) AS titles,
                array_agg(n.link ORDER BY n.created_at) AS links
         FROM users u JOIN notifications n ON n.user_id = u.id
         WHERE u.notify_email = $1 AND n.emailed_at IS NULL
         GROUP BY u.id, u.email, u.name, u.language",
    )
    .bind(period)
    .fetch_all(tx.conn())
    .await?;
    for DigestRow {
        user,
        email,
        name,
        language,
        ids,
        titles,
        links,
    } in &rows
    {
        let items: Vec<serde_json::Value> = titles
            .iter()
            .zip(links)
            .map(|(title, link)| json!({"title": title, "link": link}))
            .collect();
        let request = EmailRequest {
            to: email.clone(),
            name: Some(name.clone()),
            language: language.clone(),
            template: email::DIGEST_TEMPLATE.into(),
            vars: json!({"period": period, "items": items}),
            unsubscribe_user: Some(*user),
        };
        tx.enqueue(
            &request
                .job()
                .unique(format!("digest:{period}:{date}:{user}")),
        );
        sqlx::query("UPDATE notifications SET emailed_at = now() WHERE id = ANY($1)")
            .bind(ids)
            .execute(tx.conn())
            .await?;
    }
    Ok(rows.len())
}

/// Queues today's digest runs for every council that is served, in one
/// statement (no per-council work): the daily digest of `yesterday`, and on
/// Mondays the weekly digest of the week before. Enqueuing again is a no-op,
/// so any number of workers may call this as often as they like.
pub async fn schedule_digests(
    tenancy: &cabildo_tenancy::Tenancy,
    today: time::Date,
) -> Result<u64, TenancyError> {
    let mut queued = 0;
    let mut periods = vec![("daily", today.previous_day().unwrap_or(today))];
    if today.weekday() == time::Weekday::Monday {
        periods.push(("weekly", today - time::Duration::days(7)));
    }
    for (period, date) in periods {
        let done = sqlx::query(
            "INSERT INTO platform.jobs (tenant_id, kind, payload, unique_key)
             SELECT id, $1, jsonb_build_object('period', $2::text, 'date', $3::text), 'digest:' || $2 || ':' || $3
             FROM platform.tenants WHERE status IN ('active', 'read_only')
             ON CONFLICT DO NOTHING",
        )
        .bind(DIGEST_KIND)
        .bind(period)
        .bind(date.to_string())
        .execute(tenancy.pool())
        .await?;
        queued += done.rows_affected();
    }
    Ok(queued)
}

/// Runs `digest.run` jobs: one council's digests for one period.
pub struct DigestHandler {
    tenancy: cabildo_tenancy::Tenancy,
}

impl DigestHandler {
    /// A handler on `tenancy`.
    pub fn new(tenancy: cabildo_tenancy::Tenancy) -> Self {
        Self { tenancy }
    }

    async fn gather(&self, job: &crate::Job) -> Result<(), crate::JobError> {
        #[derive(Deserialize)]
        struct Payload {
            period: String,
            date: String,
        }
        let payload: Payload = serde_json::from_value(job.payload.clone())
            .map_err(|e| crate::JobError::Permanent(format!("invalid digest job: {e}")))?;
        let retry = |e: TenancyError| crate::JobError::Retry(e.to_string());
        let tenant = job.council(&self.tenancy).await?;
        let mut tx = self.tenancy.begin(&tenant).await.map_err(retry)?;
        let count = gather_digests(&mut tx, &payload.period, &payload.date)
            .await
            .map_err(|e| match e {
                TenancyError::Invalid { .. } => crate::JobError::Permanent(e.to_string()),
                other => retry(other),
            })?;
        tx.commit().await.map_err(retry)?;
        tracing::info!(digests = count, period = %payload.period, "digests queued");
        Ok(())
    }
}

impl crate::Handler for DigestHandler {
    fn run<'a>(&'a self, job: &'a crate::Job) -> crate::JobFuture<'a> {
        Box::pin(self.gather(job))
    }
}
