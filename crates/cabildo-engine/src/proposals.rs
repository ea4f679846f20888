//! Proposals and their supports. One support per person (the primary key
//! of `supports` decides, so parallel clicks count once); the count on the
//! proposal changes in the same statement as the support row. A proposal
//! that reaches its process's threshold is marked qualified once, and its
//! author and followers hear of it. Staff move proposals through their
//! statuses with an official answer.

use crate::content::{Change, Notice, PageRequest, Target, notify_followers, text};
use crate::debates::district;
use crate::error::{Error, Field, Problem, Refusal, Result};
use crate::follows::follow;
use crate::ids::{ProcessId, ProposalId, UserId};
use crate::processes::{self, Action};
use crate::staff::{Actor, audit};
use crate::stored::stored;
use cabildo_tenancy::TenantTx;
use serde::Serialize;
use serde_json::json;
use time::OffsetDateTime;

/// How long after publishing the author may still edit a proposal.
pub const EDIT_WINDOW_HOURS: i64 = 24;

/// A proposal as its author types it.
#[derive(Clone, Debug, Default)]
pub struct NewProposal {
    /// Title (3–200 characters).
    pub title: String,
    /// One paragraph (1–1,000).
    pub summary: String,
    /// The whole text (plain, up to 20,000).
    pub body: String,
    /// A district code, or the whole city.
    pub district: Option<String>,
    /// Where, in words (up to 300 characters; may be empty).
    pub address: String,
    /// Where on the map: latitude, longitude.
    pub point: Option<(f64, f64)>,
}

stored! {
    /// Where a proposal stands.
    pub enum Status {
        /// Collecting supports.
        Published = "published",
        /// Staff are studying it.
        Evaluating = "evaluating",
        /// The council will do it.
        Accepted = "accepted",
        /// The council will not.
        Rejected = "rejected",
        /// Its author withdrew it.
        Withdrawn = "withdrawn",
    }
}

/// How proposals are listed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ProposalSort {
    /// Most supported first.
    #[default]
    Supported,
    /// Newest first.
    Newest,
    /// A random order, the same for one visitor (their seed).
    Random,
}

impl ProposalSort {
    /// From a query value (unknown values: the default).
    pub fn parse(value: Option<&str>) -> Self {
        match value {
            Some("newest") => Self::Newest,
            Some("random") => Self::Random,
            _ => Self::Supported,
        }
    }

    /// Its query value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Supported => "supported",
            Self::Newest => "newest",
            Self::Random => "random",
        }
    }
}

/// Which proposals to list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Filter {
    /// Only this district's.
    pub district: Option<String>,
    /// Only those with this status.
    pub status: Option<String>,
    /// Only those that reached the threshold.
    pub qualified: bool,
}

/// A proposal as shown.
#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct Proposal {
    /// Id.
    pub id: ProposalId,
    /// Its process.
    pub process_id: ProcessId,
    /// Its process's address part.
    pub process_slug: String,
    /// Title.
    pub title: String,
    /// One paragraph.
    pub summary: String,
    /// The whole text (empty in lists).
    pub body: String,
    /// District code.
    pub district: Option<String>,
    /// Where it stands.
    pub status: Status,
    /// The council's official answer.
    pub answer: Option<String>,
    /// Author's public nickname.
    pub author: String,
    /// The author speaks for a verified organisation.
    pub author_is_organisation: bool,
    /// Supports.
    pub supports_count: i32,
    /// Comments.
    pub comments_count: i32,
    /// Supports that qualify it.
    pub threshold: i32,
    /// It reached the threshold.
    pub qualified: bool,
    /// When published.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Its picture (a stored picture's name, served at `/media/{name}`).
    pub image: Option<String>,
    /// Where, in words (may be empty).
    pub address: String,
    /// Latitude of its point on the map.
    pub latitude: Option<f64>,
    /// Longitude of its point on the map.
    pub longitude: Option<f64>,
}

fn columns(body: bool) -> String {
    format!(
        "r.id, r.process_id, p.slug AS process_slug, r.title, r.summary, {body} AS body,
         r.district_code AS district, r.status, r.answer, coalesce(u.nickname, '—') AS author,
         EXISTS (SELECT 1 FROM organisations o WHERE o.user_id = r.author_id AND o.status = 'verified')
             AS author_is_organisation,
         r.supports_count, r.comments_count, p.support_threshold AS threshold,
         r.qualified_at IS NOT NULL AS qualified, r.created_at, r.image,
         r.address, r.latitude, r.longitude",
        body = if body { "r.body" } else { "''" }
    )
}

/// The texts of `new`, checked; every field that is wrong at once, so
/// the form can point at all of them.
fn checked(new: &NewProposal) -> Result<(String, String, String, String)> {
    let title = text(&new.title, Field::Title, Problem::TitleInvalid, 3, 200);
    let summary = text(
        &new.summary,
        Field::Summary,
        Problem::SummaryInvalid,
        1,
        1000,
    );
    let body = text(&new.body, Field::Body, Problem::BodyInvalid, 0, 20_000);
    let address = text(&new.address, Field::Place, Problem::TextTooLong, 0, 300);
    let point = match new.point {
        Some(point) if !crate::places::on_earth(point) => {
            Err(Error::invalid(Field::Point, Problem::PointInvalid))
        }
        _ => Ok(()),
    };
    match (title, summary, body, address, point) {
        (Ok(title), Ok(summary), Ok(body), Ok(address), Ok(())) => {
            Ok((title, summary, body, address))
        }
        (title, summary, body, address, point) => {
            let fields = [
                title.err(),
                summary.err(),
                body.err(),
                address.err(),
                point.err(),
            ]
            .into_iter()
            .flatten()
            .flat_map(|error| match error {
                Error::Invalid(fields) => fields,
                _ => Vec::new(),
            })
            .collect();
            Err(Error::Invalid(fields))
        }
    }
}

/// Publishes a proposal in `process` for `user`, who then follows it.
pub async fn create(
    tx: &mut TenantTx,
    user: UserId,
    process: ProcessId,
    new: &NewProposal,
) -> Result<ProposalId> {
    processes::require(tx, process, Some(user), Action::CreateProposal).await?;
    let (title, summary, body, address) = checked(new)?;
    let district = district(tx, new.district.as_deref()).await?;
    let id: ProposalId = sqlx::query_scalar(
        "INSERT INTO proposals (process_id, author_id, title, summary, body, district_code,
                                address, latitude, longitude)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(process)
    .bind(user)
    .bind(&title)
    .bind(&summary)
    .bind(&body)
    .bind(&district)
    .bind(&address)
    .bind(new.point.map(|p| p.0))
    .bind(new.point.map(|p| p.1))
    .fetch_one(tx.conn())
    .await?;
    follow(tx, user, Target::Proposal(id)).await?;
    Ok(id)
}

/// The author's own proposal, locked, if it may still change.
async fn own(tx: &mut TenantTx, user: UserId, id: ProposalId) -> Result<(String, bool)> {
    let row: Option<(UserId, String, bool)> = sqlx::query_as(
        "SELECT author_id, status, created_at > now() - make_interval(hours => $2::int)
         FROM proposals WHERE id = $1 AND hidden_at IS NULL FOR UPDATE",
    )
    .bind(id)
    .bind(EDIT_WINDOW_HOURS as i32)
    .fetch_optional(tx.conn())
    .await?;
    match row {
        None => Err(Refusal::NotFound.into()),
        Some((author, _, _)) if author != user => Err(Refusal::NotAuthor.into()),
        Some((_, status, _)) if status != "published" => Err(Refusal::Closed.into()),
        Some((_, status, recent)) => Ok((status, recent)),
    }
}

/// Changes the texts of `user`'s proposal within [`EDIT_WINDOW_HOURS`].
pub async fn edit(
    tx: &mut TenantTx,
    user: UserId,
    id: ProposalId,
    new: &NewProposal,
) -> Result<()> {
    if !own(tx, user, id).await?.1 {
        return Err(Refusal::EditWindowOver.into());
    }
    let (title, summary, body, address) = checked(new)?;
    let district = district(tx, new.district.as_deref()).await?;
    sqlx::query(
        "UPDATE proposals SET title = $2, summary = $3, body = $4, district_code = $5,
                address = $6, latitude = $7, longitude = $8, updated_at = now() WHERE id = $1",
    )
    .bind(id)
    .bind(&title)
    .bind(&summary)
    .bind(&body)
    .bind(&district)
    .bind(&address)
    .bind(new.point.map(|p| p.0))
    .bind(new.point.map(|p| p.1))
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Sets the picture of `user`'s proposal within [`EDIT_WINDOW_HOURS`];
/// returns the picture it replaces, if any (to be removed from storage).
pub async fn set_image(
    tx: &mut TenantTx,
    user: UserId,
    id: ProposalId,
    image: &str,
) -> Result<Option<String>> {
    if !own(tx, user, id).await?.1 {
        return Err(Refusal::EditWindowOver.into());
    }
    Ok(sqlx::query_scalar(
        "UPDATE proposals p SET image = $2, updated_at = now()
         FROM (SELECT image FROM proposals WHERE id = $1) old WHERE p.id = $1 RETURNING old.image",
    )
    .bind(id)
    .bind(image)
    .fetch_one(tx.conn())
    .await?)
}

/// Withdraws `user`'s proposal: it stays readable, marked withdrawn, and
/// takes no more supports.
pub async fn withdraw(tx: &mut TenantTx, user: UserId, id: ProposalId) -> Result<()> {
    own(tx, user, id).await?;
    sqlx::query("UPDATE proposals SET status = 'withdrawn', updated_at = now() WHERE id = $1")
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// A support counted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Supported {
    /// This call added it (else the person had already supported).
    pub added: bool,
    /// Supports now.
    pub supports_count: i32,
    /// Whom to tell that the proposal just qualified.
    pub notices: Vec<Notice>,
}

/// The proposal's threshold, if `user` may support it now: the proposal,
/// its process's rules and the person, read in one statement.
async fn open_for_supports(tx: &mut TenantTx, user: UserId, id: ProposalId) -> Result<i32> {
    #[derive(sqlx::FromRow)]
    struct Row {
        status: String,
        threshold: i32,
        #[sqlx(flatten)]
        process: processes::ProcessFacts,
        #[sqlx(flatten)]
        person: processes::PersonFacts,
    }
    let sql = format!(
        "SELECT r.status, p.support_threshold AS threshold, {}, {}
         FROM proposals r JOIN processes p ON p.id = r.process_id AND p.status = 'published'
         LEFT JOIN users u ON u.id = $2 AND u.deleted_at IS NULL
         WHERE r.id = $1 AND r.hidden_at IS NULL",
        processes::PROCESS_FACTS.replace("$c", "$3"),
        processes::PERSON_FACTS
    );
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(user)
        .bind(processes::component_of(Action::Support))
        .fetch_optional(tx.conn())
        .await?;
    let Some(row) = row else {
        return Err(Refusal::NotFound.into());
    };
    processes::decide(Action::Support, &row.process, Some(&row.person))?;
    if row.status != "published" {
        return Err(Refusal::Closed.into());
    }
    Ok(row.threshold)
}

/// `user` supports proposal `id` (once, however often or in parallel
/// they ask).
///
/// One statement reads the facts the rules need (the proposal, its
/// process and phases, the person) and, when the cheap ones hold (the
/// proposal takes supports, a phase is open, the person is confirmed and
/// not blocked), already adds the support and moves the counter. The
/// rules are then decided in Rust ([`processes::decide`]); in the rare
/// case they refuse what was added (a rule on residency or organisations),
/// the support is taken back in the same transaction.
pub async fn support(tx: &mut TenantTx, user: UserId, id: ProposalId) -> Result<Supported> {
    #[derive(sqlx::FromRow)]
    struct Row {
        status: String,
        title: String,
        supports_count: i32,
        #[sqlx(flatten)]
        process: processes::ProcessFacts,
        #[sqlx(flatten)]
        person: processes::PersonFacts,
        counted: Option<i32>,
        qualified_now: Option<bool>,
    }
    let sql = format!(
        "WITH facts AS (
             SELECT r.id, r.status, r.title, r.supports_count, p.support_threshold, now() AS now, {}, {}
             FROM proposals r JOIN processes p ON p.id = r.process_id AND p.status = 'published'
             LEFT JOIN users u ON u.id = $2 AND u.deleted_at IS NULL
             WHERE r.id = $1 AND r.hidden_at IS NULL),
         added AS (
             INSERT INTO supports (proposal_id, user_id)
             SELECT id, $2 FROM facts WHERE status = 'published' AND open AND confirmed AND NOT blocked
             ON CONFLICT DO NOTHING RETURNING proposal_id),
         counted AS (
             UPDATE proposals r SET supports_count = r.supports_count + 1,
                    qualified_at = CASE WHEN r.qualified_at IS NULL AND r.supports_count + 1 >= f.support_threshold
                                        THEN f.now ELSE r.qualified_at END
             FROM added, facts f WHERE r.id = added.proposal_id
             RETURNING r.supports_count, r.qualified_at IS NOT NULL AND r.qualified_at = f.now AS qualified_now)
         SELECT facts.status, facts.title, facts.supports_count, facts.create_rule, facts.support_rule,
                facts.organisations_may_support, facts.process_district, facts.open, facts.confirmed,
                facts.blocked, facts.verified, facts.district, facts.organisation,
                counted.supports_count AS counted, counted.qualified_now
         FROM facts LEFT JOIN counted ON true",
        processes::PROCESS_FACTS.replace("$c", "$3"),
        processes::PERSON_FACTS
    );
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(user)
        .bind(processes::component_of(Action::Support))
        .fetch_optional(tx.conn())
        .await?;
    let Some(row) = row else {
        return Err(Refusal::NotFound.into());
    };
    let refusal = match processes::decide(Action::Support, &row.process, Some(&row.person)) {
        Err(denied) => Some(denied),
        Ok(()) if row.status != "published" => Some(Refusal::Closed),
        Ok(()) => None,
    };
    if let Some(refusal) = refusal {
        if row.counted.is_some() {
            sqlx::query(
                "WITH removed AS (DELETE FROM supports WHERE proposal_id = $1 AND user_id = $2 RETURNING proposal_id)
                 UPDATE proposals r SET supports_count = r.supports_count - 1,
                        qualified_at = CASE WHEN $3 THEN NULL ELSE r.qualified_at END
                 FROM removed WHERE r.id = removed.proposal_id",
            )
            .bind(id)
            .bind(user)
            .bind(row.qualified_now.unwrap_or(false))
            .execute(tx.conn())
            .await?;
        }
        return Err(refusal.into());
    }
    let Some(supports_count) = row.counted else {
        return Ok(Supported {
            added: false,
            supports_count: row.supports_count,
            notices: Vec::new(),
        });
    };
    let notices = if row.qualified_now.unwrap_or(false) {
        // The author follows their proposal, so followers include them.
        notify_followers(
            tx,
            Target::Proposal(id),
            &[],
            "proposal.qualified",
            &row.title,
            &format!("/proposals/{id}"),
            &Change::default(),
        )
        .await?
    } else {
        Vec::new()
    };
    Ok(Supported {
        added: true,
        supports_count,
        notices,
    })
}

/// `user` takes back their support while supports are open; returns the
/// count. A proposal that qualified stays qualified.
pub async fn unsupport(tx: &mut TenantTx, user: UserId, id: ProposalId) -> Result<i32> {
    open_for_supports(tx, user, id).await?;
    let count: Option<i32> = sqlx::query_scalar(
        "WITH removed AS (DELETE FROM supports WHERE proposal_id = $1 AND user_id = $2 RETURNING proposal_id)
         UPDATE proposals r SET supports_count = r.supports_count - 1
         FROM removed WHERE r.id = removed.proposal_id RETURNING r.supports_count",
    )
    .bind(id)
    .bind(user)
    .fetch_optional(tx.conn())
    .await?;
    Ok(match count {
        Some(count) => count,
        None => {
            sqlx::query_scalar("SELECT supports_count FROM proposals WHERE id = $1")
                .bind(id)
                .fetch_one(tx.conn())
                .await?
        }
    })
}

/// Of `ids`, those `user` supports.
pub async fn supported_by(
    tx: &mut TenantTx,
    user: UserId,
    ids: &[ProposalId],
) -> Result<Vec<ProposalId>> {
    Ok(sqlx::query_scalar(
        "SELECT proposal_id FROM supports WHERE user_id = $1 AND proposal_id = ANY ($2)",
    )
    .bind(user)
    .bind(ids)
    .fetch_all(tx.conn())
    .await?)
}

/// The conditions of a list query for `filter` (parameters from `$2`),
/// written out so that the planner sees which apply and uses the indexes.
fn conditions(filter: &Filter) -> (String, Vec<String>) {
    let mut sql = String::from("r.process_id = $1 AND r.hidden_at IS NULL");
    let mut binds = Vec::new();
    if let Some(district) = &filter.district {
        binds.push(district.clone());
        sql.push_str(&format!(" AND r.district_code = ${}", binds.len() + 1));
    }
    if let Some(status) = &filter.status {
        binds.push(status.clone());
        sql.push_str(&format!(" AND r.status = ${}", binds.len() + 1));
    }
    if filter.qualified {
        sql.push_str(" AND r.qualified_at IS NOT NULL");
    }
    (sql, binds)
}

/// A slice of a process's proposals, and how many match the filter.
struct Slice {
    items: Vec<Proposal>,
    /// None when the slice is empty.
    total: Option<i64>,
}

/// One ordered slice of a process's proposals, with how many match
/// `filter` (without `extra`) counted in the same statement: over 10,000
/// councils each statement costs catalog reads that miss the CPU's caches
/// (docs/benchmarks.md, "2026-12-06"), and one statement reads one
/// snapshot.
async fn slice(
    tx: &mut TenantTx,
    process: ProcessId,
    filter: &Filter,
    extra: &str,
    order: &str,
    limit: i64,
    offset: i64,
) -> Result<Slice> {
    #[derive(sqlx::FromRow)]
    struct Counted {
        #[sqlx(flatten)]
        proposal: Proposal,
        total: i64,
    }
    let (conditions, binds) = conditions(filter);
    let next = binds.len() + 2;
    // The page's ids first (from an index, nothing computed for the rows
    // skipped), then their columns.
    let sql = format!(
        "SELECT {}, (SELECT count(*) FROM proposals r WHERE {conditions}) AS total
         FROM (SELECT r.id FROM proposals r WHERE {conditions}{extra}
               ORDER BY {order} LIMIT ${next} OFFSET ${}) page
         JOIN proposals r ON r.id = page.id JOIN processes p ON p.id = r.process_id
         LEFT JOIN users u ON u.id = r.author_id
         ORDER BY {order}",
        columns(false),
        next + 1
    );
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(process);
    for value in binds {
        query = query.bind(value);
    }
    let rows: Vec<Counted> = query.bind(limit).bind(offset).fetch_all(tx.conn()).await?;
    Ok(Slice {
        total: rows.first().map(|row| row.total),
        items: rows.into_iter().map(|row| row.proposal).collect(),
    })
}

/// How many of a process's visible proposals match (`extra` narrows).
async fn count(tx: &mut TenantTx, process: ProcessId, filter: &Filter, extra: &str) -> Result<i64> {
    let (conditions, binds) = conditions(filter);
    let sql = format!("SELECT count(*) FROM proposals r WHERE {conditions}{extra}");
    let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(process);
    for value in binds {
        query = query.bind(value);
    }
    Ok(query.fetch_one(tx.conn()).await?)
}

/// A page of a process's visible proposals and how many match.
///
/// The random order is the proposals' fixed random numbers (`shuffle`)
/// read from a point that the visitor's `seed` picks, wrapping around:
/// stable for one visitor, different between visitors, and read from an
/// index rather than by sorting every proposal on each request.
pub async fn list(
    tx: &mut TenantTx,
    process: ProcessId,
    filter: &Filter,
    (sort, seed): (ProposalSort, i32),
    page: PageRequest,
) -> Result<(Vec<Proposal>, i64)> {
    let (limit, offset) = (page.limit(), page.offset());
    let Slice { items, total } = match sort {
        ProposalSort::Supported => {
            slice(
                tx,
                process,
                filter,
                "",
                "r.supports_count DESC, r.id",
                limit,
                offset,
            )
            .await?
        }
        ProposalSort::Newest => {
            slice(
                tx,
                process,
                filter,
                "",
                "r.created_at DESC, r.id",
                limit,
                offset,
            )
            .await?
        }
        ProposalSort::Random => {
            let pivot = seed.rem_euclid(i32::MAX);
            let after = format!(" AND r.shuffle >= {pivot}");
            let before = format!(" AND r.shuffle < {pivot}");
            let mut first = slice(
                tx,
                process,
                filter,
                &after,
                "r.shuffle, r.id",
                limit,
                offset,
            )
            .await?;
            let missing = limit - i64::try_from(first.items.len()).unwrap_or(limit);
            if missing > 0 {
                // The page runs past the wrap point: the rest comes from
                // the start of the order.
                let skipped = if first.items.is_empty() {
                    (offset - count(tx, process, filter, &after).await?).max(0)
                } else {
                    0
                };
                let rest = slice(
                    tx,
                    process,
                    filter,
                    &before,
                    "r.shuffle, r.id",
                    missing,
                    skipped,
                )
                .await?;
                first.items.extend(rest.items);
                first.total = first.total.or(rest.total);
            }
            first
        }
    };
    let total = match total {
        Some(total) => total,
        // Nothing on the first page: nothing matches.
        None if offset == 0 => 0,
        None => count(tx, process, filter, "").await?,
    };
    Ok((items, total))
}

/// A visible proposal of a published process.
pub async fn find(tx: &mut TenantTx, id: ProposalId) -> Result<Option<Proposal>> {
    let sql = format!(
        "SELECT {} FROM proposals r JOIN processes p ON p.id = r.process_id
         LEFT JOIN users u ON u.id = r.author_id
         WHERE r.id = $1 AND r.hidden_at IS NULL AND p.status = 'published'",
        columns(true)
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(tx.conn())
        .await?)
}

/// Whether `user` wrote proposal `id` (and it may still be edited).
pub async fn editable_by(tx: &mut TenantTx, user: UserId, id: ProposalId) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM proposals WHERE id = $1 AND author_id = $2
                        AND status = 'published' AND hidden_at IS NULL
                        AND created_at > now() - make_interval(hours => $3::int))",
    )
    .bind(id)
    .bind(user)
    .bind(EDIT_WINDOW_HOURS as i32)
    .fetch_one(tx.conn())
    .await?)
}

/// Staff set a proposal's status, with the official answer (audited); its
/// followers (the author among them) hear of it. `None` when no such
/// proposal; a withdrawn proposal cannot be moved, and only authors
/// withdraw.
pub async fn set_status(
    tx: &mut TenantTx,
    actor: &Actor,
    id: ProposalId,
    status: Status,
    answer: &str,
) -> Result<Vec<Notice>> {
    if status == Status::Withdrawn {
        return Err(Error::invalid(Field::Status, Problem::StatusInvalid));
    }
    let answer = text(answer, Field::Answer, Problem::AnswerInvalid, 0, 20_000)?;
    let answer = Some(answer).filter(|a| !a.is_empty());
    // Chosen here rather than by a CASE: Citus refuses `now()` inside CASE
    // and COALESCE in an UPDATE.
    let answered_at = if answer.is_some() {
        "now()"
    } else {
        "answered_at"
    };
    let title: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "UPDATE proposals SET status = $2, answer = coalesce($3, answer),
                answered_at = {answered_at}, updated_at = now()
         WHERE id = $1 AND status <> 'withdrawn' RETURNING title"
    )))
    .bind(id)
    .bind(status.as_str())
    .bind(&answer)
    .fetch_optional(tx.conn())
    .await?;
    let Some(title) = title else {
        return Err(Refusal::NotFound.into());
    };
    audit(
        tx,
        actor,
        "proposal.status",
        Some(&title),
        json!({"proposal": id, "status": status.as_str(), "answered": answer.is_some()}),
    )
    .await?;
    let notices = notify_followers(
        tx,
        Target::Proposal(id),
        &[],
        "proposal.status",
        &title,
        &format!("/proposals/{id}"),
        &Change::new(Some(status.as_str()), answer.as_deref().unwrap_or("")),
    )
    .await?;
    Ok(notices)
}

/// The newest visible proposals of the council's published processes.
pub async fn latest(tx: &mut TenantTx, limit: i64) -> Result<Vec<Proposal>> {
    let sql = format!(
        "SELECT {} FROM proposals r JOIN processes p ON p.id = r.process_id
         LEFT JOIN users u ON u.id = r.author_id
         WHERE r.hidden_at IS NULL AND p.status = 'published' AND r.status <> 'withdrawn'
         ORDER BY r.created_at DESC, r.id LIMIT $1",
        columns(false)
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(limit.clamp(1, 100))
        .fetch_all(tx.conn())
        .await?)
}
