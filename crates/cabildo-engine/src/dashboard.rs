//! The participation dashboard's figures: people taking part week by
//! week, per district against its population, per process, registered
//! against verified, and newsletter reach. One statement per figure, over
//! aggregates the database keeps (`participation_weeks`,
//! `participation_processes`, `participants`; see their migrations),
//! measured by `bench/dashboard` at 100,000 citizens.
//!
//! Acts wait in a queue until [`fold`] counts them (migration
//! `20261205000003_participation_acts`): [`figures`] folds before it
//! reads, and the worker folds every council once a day
//! ([`schedule_folds`]), so that a support or a ballot writes one row
//! rather than three aggregates.

use crate::error::Result;
use cabildo_tenancy::{Tenancy, TenancyError, TenantTx};
use serde::Serialize;
use time::Date;

/// The job that folds one council's queued acts.
pub const FOLD_KIND: &str = "dashboard.fold";

/// Counts every queued act in the aggregates, and returns how many there
/// were. Exactly once under any number of concurrent folds: an act is
/// deleted from the queue by the statement that counts it.
pub async fn fold(tx: &mut TenantTx) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT participation_fold()")
        .fetch_one(tx.conn())
        .await?)
}

/// Queues today's fold of every council that is open (idempotent: one a
/// day per council); returns how many were queued.
pub async fn schedule_folds(tenancy: &Tenancy, today: Date) -> Result<u64, TenancyError> {
    let queued = sqlx::query(
        "INSERT INTO platform.jobs (tenant_id, kind, payload, unique_key)
         SELECT id, $1, '{}', $1 || ':' || $2
         FROM platform.tenants WHERE status IN ('active', 'read_only')
         ON CONFLICT DO NOTHING",
    )
    .bind(FOLD_KIND)
    .bind(today.to_string())
    .execute(tenancy.pool())
    .await?;
    Ok(queued.rows_affected())
}

/// Every figure, as of now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Figures {
    /// [`weekly`].
    pub weeks: Vec<Week>,
    /// [`by_district`].
    pub districts: Vec<DistrictShare>,
    /// [`by_process`].
    pub processes: Vec<ProcessShare>,
    /// [`people`].
    pub people: People,
    /// [`newsletters`].
    pub newsletters: Vec<Reach>,
}

/// Folds the queued acts, then reads every figure (weeks in `zone`, the
/// council's time zone).
pub async fn figures(tx: &mut TenantTx, zone: &str) -> Result<Figures> {
    fold(tx).await?;
    Ok(Figures {
        weeks: weekly(tx, zone).await?,
        districts: by_district(tx).await?,
        processes: by_process(tx).await?,
        people: people(tx).await?,
        newsletters: newsletters(tx).await?,
    })
}

/// Weeks the weekly figures cover.
pub const WEEKS: i32 = 26;

/// One week of participation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Week {
    /// Its Monday, in the council's time zone.
    pub week: Date,
    /// Different people who did anything.
    pub participants: i64,
    /// Proposals made.
    pub proposals: i64,
    /// Supports given.
    pub supports: i64,
    /// Comments written.
    pub comments: i64,
    /// Budget ballots submitted.
    pub ballots: i64,
}

/// The last [`WEEKS`] weeks, oldest first, in the council's time zone
/// (`zone`, an IANA name).
pub async fn weekly(tx: &mut TenantTx, zone: &str) -> Result<Vec<Week>> {
    Ok(sqlx::query_as(
        "WITH weeks AS (
             SELECT generate_series(date_trunc('week', now() AT TIME ZONE $1) - make_interval(weeks => $2 - 1),
                                    date_trunc('week', now() AT TIME ZONE $1), interval '1 week')::date AS week),
         per AS (SELECT week, count(*) AS participants, sum(proposals) AS proposals,
                        sum(supports) AS supports, sum(comments) AS comments, sum(ballots) AS ballots
                 FROM participation_weeks WHERE week >= (SELECT min(week) FROM weeks) GROUP BY week)
         SELECT weeks.week, coalesce(participants, 0) AS participants,
                coalesce(proposals, 0)::int8 AS proposals, coalesce(supports, 0)::int8 AS supports,
                coalesce(comments, 0)::int8 AS comments, coalesce(ballots, 0)::int8 AS ballots
         FROM weeks LEFT JOIN per USING (week) ORDER BY 1",
    )
    .bind(zone)
    .bind(WEEKS)
    .fetch_all(tx.conn())
    .await?)
}

/// A district's participation over the last twelve months.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct DistrictShare {
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its residents.
    pub population: i32,
    /// Verified residents of it who took part.
    pub participants: i64,
}

impl DistrictShare {
    /// Participants per thousand residents (none without a population).
    pub fn per_thousand(&self) -> Option<i64> {
        (self.population > 0).then(|| self.participants * 1000 / i64::from(self.population))
    }
}

/// Each district, in its order: residents of it (by their verified
/// district) who took part in the last twelve months.
pub async fn by_district(tx: &mut TenantTx) -> Result<Vec<DistrictShare>> {
    Ok(sqlx::query_as(
        "SELECT d.code, d.name, d.population, coalesce(c.participants, 0) AS participants
         FROM districts d LEFT JOIN (
             SELECT district_code, count(*) AS participants FROM participants
             WHERE last_week > (now() - interval '1 year')::date GROUP BY 1) c
             ON c.district_code = d.code
         ORDER BY d.position, d.name",
    )
    .fetch_all(tx.conn())
    .await?)
}

/// A process and the people who took part in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ProcessShare {
    /// Its address part.
    pub slug: String,
    /// Its title.
    pub title: String,
    /// Different people who took part.
    pub participants: i64,
}

/// The published and archived processes, most participants first (at
/// most 20).
pub async fn by_process(tx: &mut TenantTx) -> Result<Vec<ProcessShare>> {
    Ok(sqlx::query_as(
        "SELECT p.slug, p.title, count(pp.user_id) AS participants
         FROM processes p LEFT JOIN participation_processes pp ON pp.process_id = p.id
         WHERE p.status <> 'draft' GROUP BY p.id, p.slug, p.title ORDER BY 3 DESC, p.title LIMIT 20",
    )
    .fetch_all(tx.conn())
    .await?)
}

/// The council's people.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct People {
    /// Accounts with a confirmed address.
    pub registered: i64,
    /// Of them, residents verified against the census.
    pub verified: i64,
    /// Of them, people who accept newsletters.
    pub newsletter: i64,
    /// Residents in the census.
    pub census: i64,
}

/// Registered, verified and subscribed people, and the census.
pub async fn people(tx: &mut TenantTx) -> Result<People> {
    Ok(sqlx::query_as(
        "SELECT count(*) FILTER (WHERE email_confirmed_at IS NOT NULL) AS registered,
                count(*) FILTER (WHERE email_confirmed_at IS NOT NULL AND verified_at IS NOT NULL)
                    AS verified,
                count(*) FILTER (WHERE email_confirmed_at IS NOT NULL AND newsletter_consent)
                    AS newsletter,
                (SELECT count(*) FROM census) AS census
         FROM users WHERE platform_account IS NULL AND deleted_at IS NULL",
    )
    .fetch_one(tx.conn())
    .await?)
}

/// A newsletter's reach.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Reach {
    /// Its subject.
    pub subject: String,
    /// When it was sent (the last batch).
    pub sent_at: Option<time::OffsetDateTime>,
    /// People it was for.
    pub recipients: i64,
    /// Of them, delivered to their mail server.
    pub delivered: i64,
}

/// The last twelve newsletters (test copies aside), newest first.
pub async fn newsletters(tx: &mut TenantTx) -> Result<Vec<Reach>> {
    Ok(sqlx::query_as(
        "SELECT n.subject, n.sent_at, count(r.email) AS recipients,
                count(r.email) FILTER (WHERE r.status = 'sent') AS delivered
         FROM newsletters n LEFT JOIN newsletter_recipients r ON r.newsletter_id = n.id
         WHERE n.status <> 'test'
         GROUP BY n.id ORDER BY n.created_at DESC LIMIT 12",
    )
    .fetch_all(tx.conn())
    .await?)
}
