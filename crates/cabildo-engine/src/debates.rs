//! Debates: open questions citizens discuss in a process's debates phase.
//! Staff pin and close them; moderators hide them.

use crate::content::{PageRequest, Target, text};
use crate::error::{Error, Field, Problem, Result};
use crate::follows::follow;
use crate::ids::{DebateId, ProcessId, UserId};
use crate::processes::{self, Action};
use crate::staff::{Actor, audit};
use cabildo_tenancy::TenantTx;
use serde::Serialize;
use serde_json::json;
use time::OffsetDateTime;

/// A debate to open.
#[derive(Clone, Debug, Default)]
pub struct NewDebate {
    /// Title (3–200 characters).
    pub title: String,
    /// Text (plain, up to 20,000 characters).
    pub body: String,
    /// A district code, or none.
    pub district: Option<String>,
}

/// How debates are listed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DebateSort {
    /// Newest first.
    #[default]
    Newest,
    /// Most recently commented first.
    Active,
}

impl DebateSort {
    /// From a query value (unknown values: the default).
    pub fn parse(value: Option<&str>) -> Self {
        match value {
            Some("active") => Self::Active,
            _ => Self::Newest,
        }
    }

    /// Its query value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Newest => "newest",
            Self::Active => "active",
        }
    }
}

/// A debate as listed and shown.
#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct Debate {
    /// Id.
    pub id: DebateId,
    /// Its process.
    pub process_id: ProcessId,
    /// Its process's address part.
    pub process_slug: String,
    /// Title.
    pub title: String,
    /// Text.
    pub body: String,
    /// District code.
    pub district: Option<String>,
    /// Author's public nickname.
    pub author: String,
    /// The author speaks for a verified organisation.
    pub author_is_organisation: bool,
    /// Comments.
    pub comments_count: i32,
    /// Pinned by staff.
    pub pinned: bool,
    /// Closed by staff: no new comments.
    pub closed: bool,
    /// When opened.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

const COLUMNS: &str = "d.id, d.process_id, p.slug AS process_slug, d.title, d.body,
    d.district_code AS district, coalesce(u.nickname, '—') AS author,
    EXISTS (SELECT 1 FROM organisations o WHERE o.user_id = u.id AND o.status = 'verified') AS author_is_organisation,
    d.comments_count, d.pinned, d.closed_at IS NOT NULL AS closed, d.created_at";

/// Checks a district code against the council's districts.
pub(crate) async fn district(tx: &mut TenantTx, code: Option<&str>) -> Result<Option<String>> {
    let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    let known: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM districts WHERE code = $1)")
        .bind(code)
        .fetch_one(tx.conn())
        .await?;
    if known {
        Ok(Some(code.to_owned()))
    } else {
        Err(Error::invalid(Field::District, Problem::DistrictUnknown))
    }
}

/// Opens a debate in `process` for `user`, who then follows it.
pub async fn create(
    tx: &mut TenantTx,
    user: UserId,
    process: ProcessId,
    new: &NewDebate,
) -> Result<DebateId> {
    processes::require(tx, process, Some(user), Action::CreateDebate).await?;
    let title = text(&new.title, Field::Title, Problem::TitleInvalid, 3, 200)?;
    let body = text(&new.body, Field::Body, Problem::BodyInvalid, 1, 20_000)?;
    let district = district(tx, new.district.as_deref()).await?;
    let id: DebateId = sqlx::query_scalar(
        "INSERT INTO debates (process_id, author_id, title, body, district_code)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(process)
    .bind(user)
    .bind(&title)
    .bind(&body)
    .bind(&district)
    .fetch_one(tx.conn())
    .await?;
    follow(tx, user, Target::Debate(id)).await?;
    Ok(id)
}

/// A page of a process's visible debates and how many there are.
pub async fn list(
    tx: &mut TenantTx,
    process: ProcessId,
    sort: DebateSort,
    district: Option<&str>,
    page: PageRequest,
) -> Result<(Vec<Debate>, i64)> {
    let order = match sort {
        DebateSort::Newest => "d.pinned DESC, d.created_at DESC, d.id",
        DebateSort::Active => "d.pinned DESC, d.last_activity_at DESC, d.id",
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM debates d JOIN processes p ON p.id = d.process_id
         LEFT JOIN users u ON u.id = d.author_id
         WHERE d.process_id = $1 AND d.hidden_at IS NULL AND ($2::text IS NULL OR d.district_code = $2)
         ORDER BY {order} LIMIT $3 OFFSET $4"
    );
    let items: Vec<Debate> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(process)
        .bind(district)
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(tx.conn())
        .await?;
    let total: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM debates WHERE process_id = $1 AND hidden_at IS NULL
           AND ($2::text IS NULL OR district_code = $2)",
    )
    .bind(process)
    .bind(district)
    .fetch_one(tx.conn())
    .await?;
    Ok((items, total))
}

/// A visible debate of a published process.
pub async fn find(tx: &mut TenantTx, id: DebateId) -> Result<Option<Debate>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM debates d JOIN processes p ON p.id = d.process_id
         LEFT JOIN users u ON u.id = d.author_id
         WHERE d.id = $1 AND d.hidden_at IS NULL AND p.status = 'published'"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(tx.conn())
        .await?)
}

/// What staff can do to a debate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StaffAction {
    /// Keep it at the top of the list.
    Pin,
    /// Back in date order.
    Unpin,
    /// No more comments.
    Close,
    /// Comments again.
    Reopen,
}

impl StaffAction {
    /// From a form value.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "pin" => Some(Self::Pin),
            "unpin" => Some(Self::Unpin),
            "close" => Some(Self::Close),
            "reopen" => Some(Self::Reopen),
            _ => None,
        }
    }
}

/// Pins, unpins, closes or reopens a debate (audited).
pub async fn act(
    tx: &mut TenantTx,
    actor: &Actor,
    id: DebateId,
    action: StaffAction,
) -> Result<bool> {
    let (sql, name) = match action {
        StaffAction::Pin => (
            "UPDATE debates SET pinned = true WHERE id = $1 RETURNING title",
            "debate.pin",
        ),
        StaffAction::Unpin => (
            "UPDATE debates SET pinned = false WHERE id = $1 RETURNING title",
            "debate.unpin",
        ),
        StaffAction::Close => (
            "UPDATE debates SET closed_at = least(closed_at, now()) WHERE id = $1 RETURNING title",
            "debate.close",
        ),
        StaffAction::Reopen => (
            "UPDATE debates SET closed_at = NULL WHERE id = $1 RETURNING title",
            "debate.reopen",
        ),
    };
    let title: Option<String> = sqlx::query_scalar(sql)
        .bind(id)
        .fetch_optional(tx.conn())
        .await?;
    let Some(title) = title else {
        return Ok(false);
    };
    audit(tx, actor, name, Some(&title), json!({"debate": id})).await?;
    Ok(true)
}
