//! Newsletters: Markdown composed by staff, rendered to safe HTML, sent in
//! batches to the people of an audience who gave consent, each recipient's
//! status recorded so a crashed run resumes without starting over.
//!
//! A recipient is marked sent right after the SMTP server accepts their
//! copy. A crash in between (milliseconds) sends that one copy again on
//! resume, with the same Message-ID; nobody pending is ever skipped.

use crate::email::{SiteUrl, lookup};
use crate::mail::Mailer;
use crate::markdown;
use crate::queue::Job;
use crate::unsubscribe::{List, Signer};
use crate::worker::{Handler, JobError, JobFuture};
use askama::Template;
use cabildo_tenancy::entitlements::{Limit, Need};
use cabildo_tenancy::{NewJob, Tenancy, TenancyError, TenantTx};
use lettre::Message;
use lettre::message::{Mailbox, MultiPart};
use serde_json::json;
use uuid::Uuid;

/// Job kind of one batch of a newsletter.
pub const BATCH_KIND: &str = "newsletter.batch";
/// Recipients per batch job.
pub const BATCH_SIZE: i64 = 50;

/// Who receives a newsletter (always only people who gave consent).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Everyone.
    All,
    /// Residents of one district.
    District(String),
}

impl Audience {
    /// Parses `all` or `district:<code>`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "all" => Some(Self::All),
            _ => {
                let code = text.strip_prefix("district:")?;
                let ok = (1..=40).contains(&code.len())
                    && code
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
                ok.then(|| Self::District(code.to_owned()))
            }
        }
    }

    fn stored(&self) -> String {
        match self {
            Self::All => "all".into(),
            Self::District(code) => format!("district:{code}"),
        }
    }

    fn district(&self) -> Option<&str> {
        match self {
            Self::All => None,
            Self::District(code) => Some(code),
        }
    }
}

/// A newsletter to send.
#[derive(Clone, Debug)]
pub struct Draft {
    /// Subject line.
    pub subject: String,
    /// Body in Markdown (raw HTML in it is shown as text).
    pub markdown: String,
    /// Who receives it.
    pub audience: Audience,
}

/// A newsletter as listed for staff.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Sent {
    /// Id.
    pub id: Uuid,
    /// Subject.
    pub subject: String,
    /// `all` or `district:<code>`.
    pub audience: String,
    /// `sending` or `sent`.
    pub status: String,
    /// When it was sent off.
    pub created_at: time::OffsetDateTime,
}

/// The latest newsletters (not test copies), newest first.
pub async fn list(tx: &mut TenantTx, limit: i64) -> Result<Vec<Sent>, TenancyError> {
    Ok(sqlx::query_as(
        "SELECT id, subject, audience, status, created_at FROM newsletters
         WHERE status <> 'test' ORDER BY created_at DESC LIMIT $1",
    )
    .bind(limit.clamp(1, 200))
    .fetch_all(tx.conn())
    .await?)
}

/// Counts of a newsletter's delivery.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Recipients in all.
    pub total: i64,
    /// Sent.
    pub sent: i64,
    /// Failed for good.
    pub failed: i64,
    /// Still to send.
    pub pending: i64,
}

fn invalid(field: &str, reason: &str) -> TenancyError {
    TenancyError::Invalid {
        field: field.into(),
        reason: reason.into(),
    }
}

fn validate(draft: &Draft) -> Result<(), TenancyError> {
    if draft.subject.trim().is_empty() || draft.subject.chars().count() > 200 {
        return Err(invalid("subject", "must be 1 to 200 characters"));
    }
    if draft.markdown.trim().is_empty() || draft.markdown.len() > 100_000 {
        return Err(invalid("body", "must be 1 to 100,000 bytes"));
    }
    Ok(())
}

/// How many people the audience reaches now (consent given).
pub async fn audience_size(tx: &mut TenantTx, audience: &Audience) -> Result<i64, TenancyError> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM users WHERE newsletter_consent AND ($1::text IS NULL OR district_code = $1)",
    )
    .bind(audience.district())
    .fetch_one(tx.conn())
    .await?)
}

/// Newsletters sent this calendar month, in the council's time zone.
pub async fn sent_this_month(tx: &mut TenantTx) -> Result<u64, TenancyError> {
    let sent: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM newsletters
         WHERE date_trunc('month', created_at AT TIME ZONE (SELECT time_zone FROM settings))
             = date_trunc('month', now() AT TIME ZONE (SELECT time_zone FROM settings))",
    )
    .fetch_one(tx.conn())
    .await?;
    Ok(sent.unsigned_abs())
}

/// Fixes the recipients (people of the audience with consent, now) and
/// queues the batches, all in one transaction. Returns the newsletter's id
/// and how many recipients it has, or what the council's plan lacks when
/// it has sent all the newsletters its plan allows this calendar month
/// (in the council's time zone) or is held for an unpaid plan.
pub async fn send(
    tx: &mut TenantTx,
    draft: &Draft,
) -> Result<Result<(Uuid, i64), Need>, TenancyError> {
    validate(draft)?;
    if let Err(need) = tx.within_plan(Need::Payment) {
        return Ok(Err(need));
    }
    if tx.limit(Limit::NewslettersPerMonth).is_some() {
        // Two sends at once must not both take the month's last one.
        sqlx::query("LOCK TABLE newsletters IN SHARE ROW EXCLUSIVE MODE")
            .execute(tx.conn())
            .await?;
        let this_month = sent_this_month(tx).await?;
        let need = Need::Limit(Limit::NewslettersPerMonth, this_month + 1);
        if let Err(need) = tx.within_plan(need) {
            return Ok(Err(need));
        }
    }
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO newsletters (subject, body_markdown, audience) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(draft.subject.trim())
    .bind(&draft.markdown)
    .bind(draft.audience.stored())
    .fetch_one(tx.conn())
    .await?;
    let recipients = sqlx::query(
        "INSERT INTO newsletter_recipients (newsletter_id, user_id, email, name, language, batch)
         SELECT $1, id, email, name, language, ((row_number() OVER (ORDER BY created_at, id)) - 1) / $3
         FROM users WHERE newsletter_consent AND ($2::text IS NULL OR district_code = $2)",
    )
    .bind(id)
    .bind(draft.audience.district())
    .bind(BATCH_SIZE)
    .execute(tx.conn())
    .await?
    .rows_affected() as i64;
    let batches = (recipients + BATCH_SIZE - 1) / BATCH_SIZE;
    for batch in 0..batches {
        tx.enqueue(&batch_job(id, batch));
    }
    if recipients == 0 {
        sqlx::query("UPDATE newsletters SET status = 'sent', sent_at = now() WHERE id = $1")
            .bind(id)
            .execute(tx.conn())
            .await?;
    }
    Ok(Ok((id, recipients)))
}

/// Sends one copy of `draft` to `address` (to check it before sending).
pub async fn send_test(
    tx: &mut TenantTx,
    draft: &Draft,
    address: &str,
) -> Result<Uuid, TenancyError> {
    validate(draft)?;
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO newsletters (subject, body_markdown, audience, status) VALUES ($1, $2, $3, 'test') RETURNING id",
    )
    .bind(draft.subject.trim())
    .bind(&draft.markdown)
    .bind(draft.audience.stored())
    .fetch_one(tx.conn())
    .await?;
    sqlx::query(
        "INSERT INTO newsletter_recipients (newsletter_id, email, batch) VALUES ($1, $2, 0)",
    )
    .bind(id)
    .bind(address.trim().to_lowercase())
    .execute(tx.conn())
    .await?;
    tx.enqueue(&batch_job(id, 0));
    Ok(id)
}

fn batch_job(newsletter: Uuid, batch: i64) -> NewJob {
    NewJob::new(
        BATCH_KIND,
        json!({"newsletter": newsletter, "batch": batch}),
    )
    .unique(format!("newsletter:{newsletter}:{batch}"))
}

/// Delivery counts of a newsletter.
pub async fn progress(tx: &mut TenantTx, newsletter: Uuid) -> Result<Progress, TenancyError> {
    let (total, sent, failed, pending): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT count(*), count(*) FILTER (WHERE status = 'sent'), count(*) FILTER (WHERE status = 'failed'),
                count(*) FILTER (WHERE status = 'pending')
         FROM newsletter_recipients WHERE newsletter_id = $1",
    )
    .bind(newsletter)
    .fetch_one(tx.conn())
    .await?;
    Ok(Progress {
        total,
        sent,
        failed,
        pending,
    })
}

#[derive(Template)]
#[template(path = "email/newsletter.html")]
struct NewsletterHtml<'a> {
    language: &'a str,
    subject: &'a str,
    council: &'a str,
    colour: &'a str,
    body: &'a str,
    footer: &'a str,
    unsubscribe: Option<&'a str>,
    unsubscribe_label: &'a str,
}

/// Runs `newsletter.batch` jobs.
pub struct NewsletterHandler {
    tenancy: Tenancy,
    mailer: Mailer,
    signer: Option<Signer>,
    site_url: SiteUrl,
}

#[derive(sqlx::FromRow)]
struct Recipient {
    user_id: Option<Uuid>,
    email: String,
    name: Option<String>,
    language: Option<String>,
}

impl NewsletterHandler {
    /// A handler sending through `mailer`. Without a signer (no secret key
    /// configured) newsletters are refused: bulk mail must carry a working
    /// unsubscribe link.
    pub fn new(
        tenancy: Tenancy,
        mailer: Mailer,
        signer: Option<Signer>,
        site_url: SiteUrl,
    ) -> Self {
        Self {
            tenancy,
            mailer,
            signer,
            site_url,
        }
    }

    async fn run_batch(&self, job: &Job) -> Result<(), JobError> {
        let newsletter = job.payload["newsletter"]
            .as_str()
            .and_then(|s| s.parse::<Uuid>().ok())
            .ok_or_else(|| JobError::Permanent("invalid newsletter job".into()))?;
        let batch = job.payload["batch"]
            .as_i64()
            .ok_or_else(|| JobError::Permanent("invalid newsletter job".into()))?;
        let retry = |e: TenancyError| JobError::Retry(e.to_string());
        let tenant = job.council(&self.tenancy).await?;
        let site = self.tenancy.site_settings(&tenant).await.map_err(retry)?;
        let mut tx = self.tenancy.begin(&tenant).await.map_err(retry)?;
        let letter: Option<(String, String, String)> =
            sqlx::query_as("SELECT subject, body_markdown, status FROM newsletters WHERE id = $1")
                .bind(newsletter)
                .fetch_optional(tx.conn())
                .await
                .map_err(|e| retry(e.into()))?;
        let (subject, markdown, status) =
            letter.ok_or_else(|| JobError::Permanent("no such newsletter".into()))?;
        let recipients: Vec<Recipient> = sqlx::query_as(
            "SELECT user_id, email, name, language FROM newsletter_recipients
             WHERE newsletter_id = $1 AND batch = $2 AND status = 'pending' ORDER BY email",
        )
        .bind(newsletter)
        .bind(batch)
        .fetch_all(tx.conn())
        .await
        .map_err(|e| retry(e.into()))?;
        tx.commit().await.map_err(retry)?;
        if status != "test" && self.signer.is_none() {
            return Err(JobError::Permanent(
                "CABILDO_SECRET_KEY is not set: newsletters need signed unsubscribe links".into(),
            ));
        }
        let site_url = self.site_url.for_tenant(&tenant);
        let body = markdown::render_for_mail(&markdown, &site_url);
        let plain = markdown::plain_text(&markdown, &site_url);
        for recipient in recipients {
            let language = recipient
                .language
                .as_deref()
                .filter(|l| site.languages.iter().any(|o| o == l))
                .unwrap_or(&site.default_language);
            let unsubscribe = match (&self.signer, recipient.user_id) {
                (Some(signer), Some(user)) => {
                    Some(signer.link(&site_url, tenant.id, user, List::Newsletter))
                }
                _ => None,
            };
            let html = NewsletterHtml {
                language,
                subject: &subject,
                council: &tenant.name,
                colour: &site.primary_colour,
                body: &body,
                footer: &lookup(
                    language,
                    "newsletter-footer",
                    &tenant.name,
                    &site.name_article,
                ),
                unsubscribe: unsubscribe.as_deref(),
                unsubscribe_label: &lookup(
                    language,
                    "newsletter-unsubscribe",
                    &tenant.name,
                    &site.name_article,
                ),
            }
            .render()
            .map_err(|e| JobError::Permanent(format!("rendering the newsletter: {e}")))?;
            let mut text = format!(
                "{}\n\n{plain}\n\n-- \n{}",
                tenant.name,
                lookup(
                    language,
                    "newsletter-footer",
                    &tenant.name,
                    &site.name_article
                )
            );
            if let Some(link) = &unsubscribe {
                text.push_str(&format!(
                    "\n{}: {link}",
                    lookup(
                        language,
                        "newsletter-unsubscribe",
                        &tenant.name,
                        &site.name_article
                    )
                ));
            }
            let outcome = match self.message(
                &tenant.name,
                &recipient,
                &subject,
                text,
                html,
                newsletter,
                unsubscribe.as_deref(),
            ) {
                Ok(message) => self.mailer.send(&message).await,
                Err(error) => Err(error),
            };
            let (status, error) = match outcome {
                Ok(()) => ("sent", None),
                Err(JobError::Permanent(error)) => ("failed", Some(error)),
                // The rest of the batch waits for the retry.
                Err(retryable) => return Err(retryable),
            };
            let mut tx = self.tenancy.begin(&tenant).await.map_err(retry)?;
            // Chosen here: Citus refuses `now()` inside a CASE in an UPDATE.
            let sent_at = if status == "sent" { "now()" } else { "NULL" };
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE newsletter_recipients SET status = $3, error = $4, sent_at = {sent_at}
                 WHERE newsletter_id = $1 AND email = $2"
            )))
            .bind(newsletter)
            .bind(&recipient.email)
            .bind(status)
            .bind(error)
            .execute(tx.conn())
            .await
            .map_err(|e| retry(e.into()))?;
            tx.commit().await.map_err(retry)?;
        }
        let mut tx = self.tenancy.begin(&tenant).await.map_err(retry)?;
        sqlx::query(
            "UPDATE newsletters SET status = 'sent', sent_at = now()
             WHERE id = $1 AND status = 'sending'
               AND NOT EXISTS (SELECT 1 FROM newsletter_recipients WHERE newsletter_id = $1 AND status = 'pending')",
        )
        .bind(newsletter)
        .execute(tx.conn())
        .await
        .map_err(|e| retry(e.into()))?;
        tx.commit().await.map_err(retry)?;
        Ok(())
    }

    #[expect(clippy::too_many_arguments, reason = "one message's parts, used once")]
    fn message(
        &self,
        council: &str,
        recipient: &Recipient,
        subject: &str,
        text: String,
        html: String,
        newsletter: Uuid,
        unsubscribe: Option<&str>,
    ) -> Result<Message, JobError> {
        let to: Mailbox = match &recipient.name {
            Some(name) => Mailbox::new(
                Some(name.clone()),
                recipient
                    .email
                    .parse()
                    .map_err(|e| bad_address(&recipient.email, e))?,
            ),
            None => recipient
                .email
                .parse()
                .map_err(|e| bad_address(&recipient.email, e))?,
        };
        let key = recipient
            .user_id
            .map_or_else(|| "test".to_owned(), |u| u.to_string());
        let mut message = Message::builder()
            .from(Mailbox::new(
                Some(council.to_owned()),
                self.mailer.from().clone(),
            ))
            .to(to)
            .subject(subject)
            .message_id(Some(format!(
                "<newsletter-{newsletter}-{key}@{}>",
                self.mailer.from().domain()
            )))
            .multipart(MultiPart::alternative_plain_html(text, html))
            .map_err(|e| JobError::Permanent(format!("building the message: {e}")))?;
        if let Some(link) = unsubscribe {
            crate::unsubscribe::add_headers(&mut message, link);
        }
        Ok(message)
    }
}

fn bad_address(address: &str, error: impl std::fmt::Display) -> JobError {
    JobError::Permanent(format!("invalid recipient address {address:?}: {error}"))
}

impl Handler for NewsletterHandler {
    fn run<'a>(&'a self, job: &'a Job) -> JobFuture<'a> {
        Box::pin(self.run_batch(job))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audiences_parse_strictly() {
        assert_eq!(Audience::parse("all"), Some(Audience::All));
        assert_eq!(
            Audience::parse("district:casco-historico"),
            Some(Audience::District("casco-historico".into()))
        );
        for bad in [
            "",
            "everyone",
            "district:",
            "district:A B",
            "district:x;drop",
        ] {
            assert_eq!(Audience::parse(bad), None, "{bad:?}");
        }
    }
}
