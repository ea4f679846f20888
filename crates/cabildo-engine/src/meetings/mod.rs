//! Meetings of processes and assemblies: an agenda, a time in the
//! council's zone, a place (an address with a map point), a link to join
//! online, or both; registration open to people with an account, by
//! invitation, or none at all. Registration, waiting list and entry codes
//! live in [`registrations`]; checking codes at the door, minutes and
//! agreements in [`minutes`]. Everyone registered is mailed 24 hours
//! before (a job queued when the meeting is published or moved), and
//! when it moves or is cancelled.

pub mod minutes;
pub mod registrations;

use crate::audit::{Actor, audit};
use crate::content::text;
use crate::error::{Error, Field, FieldError, Problem, Refusal, Result};
use crate::ids::{AssemblyId, MeetingId, ProcessId, UserId};
use crate::translations::{self, Translations};
use cabildo_tenancy::{EmailRequest, NewJob, TenantTx};
use serde_json::json;
use time::OffsetDateTime;

/// Job kind of a meeting's reminders (handled by the worker, which calls
/// [`send_reminders`]).
pub const REMINDERS_KIND: &str = "meeting.reminders";

/// How long before a meeting its reminders go out.
pub const REMINDER_BEFORE: time::Duration = time::Duration::hours(24);

/// How people take part in a meeting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Registration {
    /// Anyone with a confirmed account registers.
    Open,
    /// Only people staff invited register.
    Invitation,
    /// No registration: come along.
    None,
}

impl Registration {
    /// Every kind, in the order forms list them.
    pub const ALL: [Self; 3] = [Self::Open, Self::Invitation, Self::None];

    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Invitation => "invitation",
            Self::None => "none",
        }
    }

    /// From a stored or typed name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// A meeting.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct Meeting {
    /// Id.
    pub id: MeetingId,
    /// Its process, if it is a process's.
    pub process_id: Option<ProcessId>,
    /// Its assembly, if it is an assembly's.
    pub assembly_id: Option<AssemblyId>,
    /// Title (council's default language).
    pub title: String,
    /// What it is about.
    pub description: String,
    /// Agenda items, in order.
    pub agenda: Vec<String>,
    /// Title, description and agenda in other languages (`agenda` as
    /// lines).
    #[sqlx(json)]
    pub translations: Translations,
    /// Starts.
    pub starts_at: OffsetDateTime,
    /// Ends.
    pub ends_at: OffsetDateTime,
    /// When it starts, on the council's clock (`YYYY-MM-DD HH:MM`), for
    /// mail.
    pub starts_local: String,
    /// Address (may be empty when it is online only).
    pub address: String,
    /// Latitude of the place, when known.
    pub latitude: Option<f64>,
    /// Longitude of the place, when known.
    pub longitude: Option<f64>,
    /// Link to join online (may be empty).
    pub online_url: String,
    /// Places; no limit when none.
    pub capacity: Option<i32>,
    /// Stored registration kind (see [`Registration`]).
    pub registration: String,
    /// Published.
    pub published: bool,
    /// Cancelled.
    pub cancelled: bool,
    /// Why it was cancelled.
    pub cancel_reason: String,
    /// Minutes (plain text; published once `minutes_published`).
    pub minutes: String,
    /// Minutes and agreements are public.
    pub minutes_published: bool,
    /// It has begun (database clock).
    pub started: bool,
    /// It is over.
    pub ended: bool,
    /// People with a place.
    pub registered: i64,
    /// People waiting for one.
    pub waiting: i64,
    /// The process's title or the assembly's name.
    pub host_title: String,
    /// The process's or assembly's page.
    pub host_link: String,
}

impl Meeting {
    /// How people take part.
    pub fn registration(&self) -> Registration {
        Registration::parse(&self.registration).unwrap_or(Registration::None)
    }

    /// Places left (none when there is no limit).
    pub fn places_left(&self) -> Option<i64> {
        self.capacity
            .map(|capacity| (i64::from(capacity) - self.registered).max(0))
    }

    /// The meeting's page.
    pub fn link(&self) -> String {
        format!("/meetings/{}", self.id)
    }

    /// Where it is, as one line: the address, the link, or both.
    pub fn place(&self) -> String {
        match (self.address.is_empty(), self.online_url.is_empty()) {
            (false, false) => format!("{} · {}", self.address, self.online_url),
            (false, true) => self.address.clone(),
            _ => self.online_url.clone(),
        }
    }
}

const COLUMNS: &str = "m.id, m.process_id, m.assembly_id, m.title, m.description, m.agenda,
    m.translations, m.starts_at, m.ends_at,
    to_char(m.starts_at AT TIME ZONE (SELECT time_zone FROM settings), 'YYYY-MM-DD HH24:MI')
        AS starts_local,
    m.address, m.latitude, m.longitude, m.online_url,
    m.capacity, m.registration, m.published_at IS NOT NULL AS published,
    m.cancelled_at IS NOT NULL AS cancelled, m.cancel_reason, m.minutes,
    m.minutes_published_at IS NOT NULL AS minutes_published,
    now() >= m.starts_at AS started, now() >= m.ends_at AS ended,
    (SELECT count(*) FROM meeting_registrations r
     WHERE r.meeting_id = m.id AND r.status = 'registered') AS registered,
    (SELECT count(*) FROM meeting_registrations r
     WHERE r.meeting_id = m.id AND r.status = 'waiting') AS waiting,
    coalesce(p.title, a.name) AS host_title,
    CASE WHEN p.id IS NOT NULL THEN '/processes/' || p.slug ELSE '/assemblies/' || a.slug END
        AS host_link";

const FROM: &str = "meetings m LEFT JOIN processes p ON p.id = m.process_id
    LEFT JOIN assemblies a ON a.id = m.assembly_id";

/// Published meetings whose process or assembly is public.
const PUBLIC: &str = "m.published_at IS NOT NULL
    AND (p.status = 'published' OR a.published_at IS NOT NULL)";

/// A meeting as staff type it.
#[derive(Clone, Debug, Default)]
pub struct NewMeeting {
    /// Its process (or else its assembly).
    pub process: Option<ProcessId>,
    /// Its assembly (or else its process).
    pub assembly: Option<AssemblyId>,
    /// Title.
    pub title: String,
    /// What it is about.
    pub description: String,
    /// Agenda items.
    pub agenda: Vec<String>,
    /// Texts in other languages (`title`, `description`, `agenda`).
    pub translations: Translations,
    /// Starts.
    pub starts_at: Option<OffsetDateTime>,
    /// Ends.
    pub ends_at: Option<OffsetDateTime>,
    /// Address.
    pub address: String,
    /// The place on the map: (latitude, longitude).
    pub point: Option<(f64, f64)>,
    /// Link to join online.
    pub online_url: String,
    /// Places (none: no limit).
    pub capacity: Option<i32>,
    /// Registration kind (stored name).
    pub registration: String,
}

/// `new`, checked: every fault at once.
struct Checked {
    title: String,
    description: String,
    agenda: Vec<String>,
    starts_at: OffsetDateTime,
    ends_at: OffsetDateTime,
    address: String,
    online_url: String,
    registration: Registration,
}

async fn check(tx: &mut TenantTx, new: &NewMeeting) -> Result<Checked> {
    let mut faults = Vec::new();
    let keep = |result: Result<String>, faults: &mut Vec<FieldError>| match result {
        Ok(text) => text,
        Err(Error::Invalid(errors)) => {
            faults.extend(errors);
            String::new()
        }
        Err(_) => String::new(),
    };
    let title = keep(
        text(&new.title, Field::Title, Problem::TitleInvalid, 1, 200),
        &mut faults,
    );
    let description = keep(
        text(
            &new.description,
            Field::Description,
            Problem::TextTooLong,
            0,
            20_000,
        ),
        &mut faults,
    );
    let address = keep(
        text(&new.address, Field::Place, Problem::TextTooLong, 0, 300),
        &mut faults,
    );
    let agenda: Vec<String> = (new.agenda.iter())
        .map(|item| item.trim().to_owned())
        .filter(|item| !item.is_empty())
        .collect();
    if agenda.len() > 50 || agenda.iter().any(|item| item.chars().count() > 500) {
        faults.push(FieldError::new(Field::Agenda, Problem::TextTooLong));
    }
    let online_url = new.online_url.trim().to_owned();
    if !online_url.is_empty()
        && (!online_url.starts_with("https://")
            || online_url.len() > 500
            || online_url.len() < "https://a.b".len()
            || online_url.chars().any(char::is_whitespace))
    {
        faults.push(FieldError::new(Field::OnlineUrl, Problem::UrlInvalid));
    }
    if address.is_empty()
        && online_url.is_empty()
        && !faults.iter().any(|f| f.field == Field::Place)
    {
        faults.push(FieldError::new(Field::Place, Problem::PlaceRequired));
    }
    if new.point.is_some_and(|p| !crate::places::on_earth(p)) {
        faults.push(FieldError::new(Field::Point, Problem::PointInvalid));
    }
    if new.capacity.is_some_and(|c| !(1..=100_000).contains(&c)) {
        faults.push(FieldError::new(Field::Capacity, Problem::NumberInvalid));
    }
    let registration = Registration::parse(new.registration.trim());
    if registration.is_none() {
        faults.push(FieldError::new(Field::Registration, Problem::Invalid));
    }
    let window = match (new.starts_at, new.ends_at) {
        (Some(starts), Some(ends))
            if ends > starts && ends - starts <= time::Duration::days(14) =>
        {
            Some((starts, ends))
        }
        _ => {
            faults.push(FieldError::new(Field::Dates, Problem::DatesInvalid));
            None
        }
    };
    let hosts = match (new.process, new.assembly) {
        (Some(process), None) => {
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM processes WHERE id = $1)")
                .bind(process)
                .fetch_one(tx.conn())
                .await?
        }
        (None, Some(assembly)) => {
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM assemblies WHERE id = $1)")
                .bind(assembly)
                .fetch_one(tx.conn())
                .await?
        }
        _ => false,
    };
    if !hosts {
        return Err(Refusal::NotFound.into());
    }
    translations::check(
        tx,
        &new.translations,
        &[("title", 200), ("description", 20_000), ("agenda", 25_000)],
    )
    .await?;
    match (window, registration) {
        (Some((starts_at, ends_at)), Some(registration)) if faults.is_empty() => Ok(Checked {
            title,
            description,
            agenda,
            starts_at,
            ends_at,
            address,
            online_url,
            registration,
        }),
        _ => Err(Error::Invalid(faults)),
    }
}

/// Creates a draft meeting in a process or an assembly.
pub async fn create(tx: &mut TenantTx, actor: &Actor, new: &NewMeeting) -> Result<MeetingId> {
    let c = check(tx, new).await?;
    let id: MeetingId = sqlx::query_scalar(
        "INSERT INTO meetings (process_id, assembly_id, title, description, agenda, translations,
                               starts_at, ends_at, address, latitude, longitude, online_url,
                               capacity, registration)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(new.process)
    .bind(new.assembly)
    .bind(&c.title)
    .bind(&c.description)
    .bind(&c.agenda)
    .bind(sqlx::types::Json(&new.translations))
    .bind(c.starts_at)
    .bind(c.ends_at)
    .bind(&c.address)
    .bind(new.point.map(|p| p.0))
    .bind(new.point.map(|p| p.1))
    .bind(&c.online_url)
    .bind(new.capacity)
    .bind(c.registration.as_str())
    .fetch_one(tx.conn())
    .await?;
    audit(
        tx,
        actor,
        "meeting.create",
        None,
        json!({"meeting": id, "process": new.process, "assembly": new.assembly}),
    )
    .await?;
    Ok(id)
}

/// Changes a meeting that has not ended (nor been cancelled). When its
/// time or place changes, everyone registered or waiting is told, and
/// the reminder follows the new time.
pub async fn update(
    tx: &mut TenantTx,
    actor: &Actor,
    id: MeetingId,
    new: &NewMeeting,
) -> Result<()> {
    let before = get(tx, id).await?;
    if before.ended || before.cancelled {
        return Err(Refusal::Closed.into());
    }
    let fixed = NewMeeting {
        process: before.process_id,
        assembly: before.assembly_id,
        ..new.clone()
    };
    let c = check(tx, &fixed).await?;
    sqlx::query(
        "UPDATE meetings SET title = $2, description = $3, agenda = $4, translations = $5,
                starts_at = $6, ends_at = $7, address = $8, latitude = $9, longitude = $10,
                online_url = $11, capacity = $12, registration = $13
         WHERE id = $1",
    )
    .bind(id)
    .bind(&c.title)
    .bind(&c.description)
    .bind(&c.agenda)
    .bind(sqlx::types::Json(&new.translations))
    .bind(c.starts_at)
    .bind(c.ends_at)
    .bind(&c.address)
    .bind(new.point.map(|p| p.0))
    .bind(new.point.map(|p| p.1))
    .bind(&c.online_url)
    .bind(new.capacity)
    .bind(c.registration.as_str())
    .execute(tx.conn())
    .await?;
    audit(tx, actor, "meeting.update", None, json!({"meeting": id})).await?;
    let after = get(tx, id).await?;
    let moved = before.starts_at != after.starts_at || before.ends_at != after.ends_at;
    if before.published && (moved || before.place() != after.place()) {
        tell(
            tx,
            &after,
            "changed",
            &["registered", "waiting", "invited"],
            None,
        )
        .await?;
    }
    if before.published && moved {
        queue_reminders(tx, &after);
    }
    Ok(())
}

/// Publishes a meeting (no change when it already is) and queues its
/// reminders.
pub async fn publish(tx: &mut TenantTx, actor: &Actor, id: MeetingId) -> Result<()> {
    // Whether it was a draft comes from the row before the change (Citus
    // takes no `now()` in RETURNING).
    let newly: Option<bool> = sqlx::query_scalar(
        "WITH old AS (SELECT id, published_at IS NULL AS draft FROM meetings
                      WHERE id = $1 AND cancelled_at IS NULL FOR UPDATE)
         UPDATE meetings m SET published_at = least(m.published_at, now())
         FROM old WHERE m.id = old.id
         RETURNING old.draft",
    )
    .bind(id)
    .fetch_optional(tx.conn())
    .await?;
    match newly {
        None => Err(Refusal::NotFound.into()),
        Some(false) => Ok(()),
        Some(true) => {
            let meeting = get(tx, id).await?;
            queue_reminders(tx, &meeting);
            // People invited while it was a draft hear of it now.
            tell(tx, &meeting, "invited", &["invited"], None).await?;
            audit(tx, actor, "meeting.publish", None, json!({"meeting": id})).await
        }
    }
}

/// Cancels a meeting that has not begun, for `reason` (shown on its page
/// and mailed to everyone registered, waiting or invited).
pub async fn cancel(tx: &mut TenantTx, actor: &Actor, id: MeetingId, reason: &str) -> Result<()> {
    let reason = text(reason, Field::Reason, Problem::ReasonRequired, 1, 1000)?;
    let meeting = get(tx, id).await?;
    if meeting.cancelled {
        return Ok(());
    }
    if meeting.started {
        return Err(Refusal::Closed.into());
    }
    sqlx::query("UPDATE meetings SET cancelled_at = now(), cancel_reason = $2 WHERE id = $1")
        .bind(id)
        .bind(&reason)
        .execute(tx.conn())
        .await?;
    if meeting.published {
        tell(
            tx,
            &meeting,
            "cancelled",
            &["registered", "waiting", "invited"],
            Some(&reason),
        )
        .await?;
    }
    audit(tx, actor, "meeting.cancel", None, json!({"meeting": id})).await
}

/// Meeting `id`, published or not (staff).
pub async fn get(tx: &mut TenantTx, id: MeetingId) -> Result<Meeting> {
    let found: Option<Meeting> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE m.id = $1"
    )))
    .bind(id)
    .fetch_optional(tx.conn())
    .await?;
    Ok(found.ok_or(Refusal::NotFound)?)
}

/// Meeting `id`, when the public may see it.
pub async fn find(tx: &mut TenantTx, id: MeetingId) -> Result<Option<Meeting>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE m.id = $1 AND {PUBLIC}"
    )))
    .bind(id)
    .fetch_optional(tx.conn())
    .await?)
}

/// Which meetings to list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// All the council's.
    All,
    /// A process's.
    Process(ProcessId),
    /// An assembly's.
    Assembly(AssemblyId),
    /// Those a person registered for, waits for or was invited to.
    Person(UserId),
}

/// Which part of time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// Not ended yet, soonest first.
    Upcoming,
    /// Ended, latest first.
    Past,
    /// Both, for calendar feeds: from 180 days ago on, in time order.
    Feed,
}

/// Public meetings of `scope` (at most 500).
pub async fn list(tx: &mut TenantTx, scope: Scope, when: When) -> Result<Vec<Meeting>> {
    let (filter, id) = match scope {
        Scope::All => ("$1::uuid IS NULL", None),
        Scope::Process(id) => ("m.process_id = $1", Some(id.uuid())),
        Scope::Assembly(id) => ("m.assembly_id = $1", Some(id.uuid())),
        Scope::Person(id) => (
            "EXISTS (SELECT 1 FROM meeting_registrations r WHERE r.meeting_id = m.id
                     AND r.user_id = $1 AND r.status <> 'cancelled')",
            Some(id.uuid()),
        ),
    };
    let period = match when {
        When::Upcoming => "m.ends_at > now() ORDER BY m.starts_at, m.id",
        When::Past => "m.ends_at <= now() ORDER BY m.starts_at DESC, m.id",
        When::Feed => "m.ends_at > now() - interval '180 days' ORDER BY m.starts_at, m.id",
    };
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM {FROM}
         WHERE {PUBLIC} AND {filter} AND {period} LIMIT 500"
    )))
    .bind(id)
    .fetch_all(tx.conn())
    .await?)
}

/// Every meeting of a process or an assembly, drafts included (staff),
/// latest first.
pub async fn all(tx: &mut TenantTx) -> Result<Vec<Meeting>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM {FROM} ORDER BY m.starts_at DESC LIMIT 500"
    )))
    .fetch_all(tx.conn())
    .await?)
}

/// Queues the reminders of a published meeting for 24 hours before it
/// starts. The job carries the start it was queued for: a meeting moved
/// later gets a new job, and the old one finds the start changed and
/// sends nothing.
fn queue_reminders(tx: &mut TenantTx, meeting: &Meeting) {
    let starts = meeting.starts_at.unix_timestamp();
    tx.enqueue(
        &NewJob::new(
            REMINDERS_KIND,
            json!({"meeting": meeting.id, "starts_at": starts}),
        )
        .unique(format!("meeting-reminders:{}:{starts}", meeting.id))
        .at(meeting.starts_at - REMINDER_BEFORE),
    );
}

/// Mails the reminders of meeting `id` to everyone with a place, when it
/// still starts at `starts_at` (Unix seconds), is not cancelled and has
/// not begun. Returns how many were queued.
pub async fn send_reminders(tx: &mut TenantTx, id: MeetingId, starts_at: i64) -> Result<usize> {
    let Ok(meeting) = get(tx, id).await else {
        return Ok(0);
    };
    if meeting.cancelled
        || meeting.started
        || !meeting.published
        || meeting.starts_at.unix_timestamp() != starts_at
    {
        return Ok(0);
    }
    tell(tx, &meeting, "reminder", &["registered"], None).await
}

/// Mails `kind` about `meeting` to the people whose registration is in
/// one of `statuses` (each with their own entry code).
async fn tell(
    tx: &mut TenantTx,
    meeting: &Meeting,
    kind: &str,
    statuses: &[&str],
    reason: Option<&str>,
) -> Result<usize> {
    let people: Vec<(String, String, Option<String>, String)> = sqlx::query_as(
        "SELECT u.email, u.name, u.language, r.code FROM meeting_registrations r
         JOIN users u ON u.id = r.user_id
         WHERE r.meeting_id = $1 AND r.status = ANY($2) AND u.deleted_at IS NULL",
    )
    .bind(meeting.id)
    .bind(statuses)
    .fetch_all(tx.conn())
    .await?;
    for (email, name, language, code) in &people {
        let mail = mail(
            meeting,
            kind,
            email,
            name,
            language.as_deref(),
            Some(code),
            reason,
        );
        tx.enqueue(&mail.job());
    }
    Ok(people.len())
}

/// The `meeting` mail of `kind` (`registered`, `waiting`, `promoted`,
/// `invited`, `reminder`, `changed`, `cancelled`) for one person.
pub(crate) fn mail(
    meeting: &Meeting,
    kind: &str,
    email: &str,
    name: &str,
    language: Option<&str>,
    code: Option<&str>,
    reason: Option<&str>,
) -> EmailRequest {
    EmailRequest {
        to: email.to_owned(),
        name: Some(name.to_owned()),
        language: language.map(str::to_owned),
        template: "meeting".into(),
        vars: json!({
            "kind": kind,
            "title": meeting.title,
            "when": meeting.starts_local,
            "place": meeting.place(),
            "link": meeting.link(),
            "code": (meeting.registration() != Registration::None).then_some(code).flatten(),
            "reason": reason,
        }),
        unsubscribe_user: None,
    }
}

/// The number the person's calendar feed address is signed with, if the
/// account exists.
pub async fn calendar_key(tx: &mut TenantTx, user: UserId) -> Result<Option<i32>> {
    Ok(
        sqlx::query_scalar("SELECT calendar_key FROM users WHERE id = $1 AND deleted_at IS NULL")
            .bind(user)
            .fetch_optional(tx.conn())
            .await?,
    )
}

/// Gives the person a new calendar key: the old feed address stops
/// working.
pub async fn reset_calendar_key(tx: &mut TenantTx, user: UserId) -> Result<()> {
    sqlx::query("UPDATE users SET calendar_key = calendar_key + 1 WHERE id = $1")
        .bind(user)
        .execute(tx.conn())
        .await?;
    Ok(())
}
