//! A citizens' assembly drawn by lot: verified residents volunteer (each
//! gets a public ticket number), then staff run the draw once with a
//! published seed and a number of seats ([`super::draw`] is the
//! algorithm). Those drawn become members for a term starting that day;
//! the log, which names tickets and never people, is public.

use super::draw::{self, StratumLog, Ticket};
use super::{Kind, get, today};
use crate::audit::{Actor, audit};
use crate::content::text;
use crate::error::{Error, Field, Problem, Refusal, Result};
use crate::ids::{AssemblyId, UserId};
use cabildo_tenancy::TenantTx;
use serde_json::json;
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// What people may say of their sex when volunteering.
pub const SEXES: [&str; 4] = ["female", "male", "other", "unsaid"];

/// The draw of an assembly, as published.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drawn {
    /// The seed.
    pub seed: String,
    /// Seats drawn for.
    pub seats: i32,
    /// Per stratum, in order.
    pub log: Vec<StratumLog>,
    /// When.
    pub drawn_at: OffsetDateTime,
}

/// The assembly's draw, if it was run.
pub async fn drawn(tx: &mut TenantTx, assembly: AssemblyId) -> Result<Option<Drawn>> {
    let row: Option<(
        String,
        i32,
        sqlx::types::Json<Vec<StratumLog>>,
        OffsetDateTime,
    )> = sqlx::query_as(
        "SELECT seed, seats, log, drawn_at FROM assembly_draws WHERE assembly_id = $1",
    )
    .bind(assembly)
    .fetch_optional(tx.conn())
    .await?;
    Ok(row.map(|(seed, seats, log, drawn_at)| Drawn {
        seed,
        seats,
        log: log.0,
        drawn_at,
    }))
}

/// `user`'s ticket number in the assembly's draw, if they volunteered.
pub async fn ticket_of(
    tx: &mut TenantTx,
    assembly: AssemblyId,
    user: UserId,
) -> Result<Option<i32>> {
    Ok(sqlx::query_scalar(
        "SELECT ticket FROM assembly_volunteers WHERE assembly_id = $1 AND user_id = $2",
    )
    .bind(assembly)
    .bind(user)
    .fetch_optional(tx.conn())
    .await?)
}

/// How many volunteered.
pub async fn volunteers(tx: &mut TenantTx, assembly: AssemblyId) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT count(*) FROM assembly_volunteers WHERE assembly_id = $1")
            .bind(assembly)
            .fetch_one(tx.conn())
            .await?,
    )
}

/// The published citizens' assembly, locked, whose draw has not run.
async fn open_draw(tx: &mut TenantTx, assembly: AssemblyId) -> Result<()> {
    let row: Option<(String, bool, bool)> = sqlx::query_as(
        "SELECT a.kind, a.published_at IS NOT NULL,
                EXISTS (SELECT 1 FROM assembly_draws d WHERE d.assembly_id = a.id)
         FROM assemblies a WHERE a.id = $1 FOR UPDATE",
    )
    .bind(assembly)
    .fetch_optional(tx.conn())
    .await?;
    match row {
        Some((kind, true, false)) if kind == Kind::Citizens.as_str() => Ok(()),
        Some((kind, true, true)) if kind == Kind::Citizens.as_str() => Err(Refusal::Closed.into()),
        _ => Err(Refusal::NotFound.into()),
    }
}

/// `user` puts their name in the draw, saying their sex (one of
/// [`SEXES`]); only verified residents, once (again: their ticket).
pub async fn volunteer(
    tx: &mut TenantTx,
    assembly: AssemblyId,
    user: UserId,
    sex: &str,
) -> Result<i32> {
    open_draw(tx, assembly).await?;
    if !SEXES.contains(&sex) {
        return Err(Error::invalid(Field::Kind, Problem::Invalid));
    }
    let resident: Option<(bool, bool)> = sqlx::query_as(
        "SELECT blocked_at IS NOT NULL,
                EXISTS (SELECT 1 FROM census_claims c JOIN census r USING (document_hash)
                        WHERE c.user_id = u.id)
         FROM users u WHERE u.id = $1 AND u.deleted_at IS NULL",
    )
    .bind(user)
    .fetch_optional(tx.conn())
    .await?;
    match resident {
        Some((false, true)) => {}
        Some((true, _)) => return Err(Refusal::Blocked.into()),
        Some((false, false)) => return Err(Refusal::NotVerified.into()),
        None => return Err(Refusal::NotRegistered.into()),
    }
    if let Some(ticket) = ticket_of(tx, assembly, user).await? {
        return Ok(ticket);
    }
    // The next ticket, then the row (the assembly is locked by `open_draw`,
    // so nobody takes the same number). Two statements: Citus 13.2 misplans
    // this INSERT … SELECT between a council's tables.
    let ticket: i32 = sqlx::query_scalar(
        "SELECT coalesce(max(ticket), 0) + 1 FROM assembly_volunteers WHERE assembly_id = $1",
    )
    .bind(assembly)
    .fetch_one(tx.conn())
    .await?;
    Ok(sqlx::query_scalar(
        "INSERT INTO assembly_volunteers (assembly_id, user_id, ticket, sex)
         VALUES ($1, $2, $3, $4) RETURNING ticket",
    )
    .bind(assembly)
    .bind(user)
    .bind(ticket)
    .bind(sex)
    .fetch_one(tx.conn())
    .await?)
}

/// `user` takes their name out before the draw.
pub async fn withdraw(tx: &mut TenantTx, assembly: AssemblyId, user: UserId) -> Result<()> {
    open_draw(tx, assembly).await?;
    sqlx::query("DELETE FROM assembly_volunteers WHERE assembly_id = $1 AND user_id = $2")
        .bind(assembly)
        .bind(user)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// The SQL of a person's age band on the council's today, from a census
/// row `r` (see [`draw::AGE_BANDS`]).
const BAND: &str = "CASE
    WHEN date_part('year', age(TODAY, r.birth_date)) >= 65 THEN 65
    WHEN date_part('year', age(TODAY, r.birth_date)) >= 45 THEN 45
    WHEN date_part('year', age(TODAY, r.birth_date)) >= 30 THEN 30
    WHEN date_part('year', age(TODAY, r.birth_date)) >= 16 THEN 16 END";

/// Runs the draw, once: `seats` tickets by `seed`, stratified by the
/// census. Those drawn become members from today. Returns the log.
pub async fn run(
    tx: &mut TenantTx,
    actor: &Actor,
    assembly: AssemblyId,
    seed: &str,
    seats: i32,
) -> Result<Vec<StratumLog>> {
    open_draw(tx, assembly).await?;
    let seed = text(seed, Field::Code, Problem::Required, 1, 200)?;
    let Some(wanted) = usize::try_from(seats)
        .ok()
        .filter(|s| (1..=1000).contains(s))
    else {
        return Err(Error::invalid(Field::Capacity, Problem::NumberInvalid));
    };
    let band = BAND.replace("TODAY", crate::consultations::TODAY);
    let census: Vec<(String, i32, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT r.district_code, ({band})::integer AS band, count(*) FROM census r
         WHERE ({band}) IS NOT NULL GROUP BY 1, 2"
    )))
    .fetch_all(tx.conn())
    .await?;
    let pool: Vec<(i32, String, String, i32)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT v.ticket, v.sex, r.district_code, ({band})::integer FROM assembly_volunteers v
         JOIN census_claims c ON c.user_id = v.user_id
         JOIN census r ON r.document_hash = c.document_hash
         WHERE v.assembly_id = $1 AND ({band}) IS NOT NULL ORDER BY v.ticket"
    )))
    .bind(assembly)
    .fetch_all(tx.conn())
    .await?;
    let band_of = |b: i32| u8::try_from(b).unwrap_or(0);
    let census: BTreeMap<draw::Stratum, i64> = (census.into_iter())
        .map(|(district, b, n)| ((district, band_of(b)), n))
        .collect();
    let pool: Vec<Ticket> = (pool.into_iter())
        .map(|(number, sex, district, b)| Ticket {
            number: i64::from(number),
            stratum: (district, band_of(b)),
            sex,
        })
        .collect();
    let log = draw::draw(&seed, wanted, &census, &pool);
    let tickets: Vec<i32> = (log.iter())
        .flat_map(|s| s.drawn.iter())
        .filter_map(|t| i32::try_from(*t).ok())
        .collect();
    let starts = today(tx).await?;
    sqlx::query(
        "INSERT INTO assembly_members (assembly_id, kind, user_id, name, role, term_starts)
         SELECT v.assembly_id, 'resident', v.user_id, u.name, 'member', $3
         FROM assembly_volunteers v JOIN users u ON u.id = v.user_id
         WHERE v.assembly_id = $1 AND v.ticket = ANY($2) ORDER BY v.ticket",
    )
    .bind(assembly)
    .bind(&tickets)
    .bind(starts)
    .execute(tx.conn())
    .await?;
    sqlx::query(
        "INSERT INTO assembly_draws (assembly_id, seed, seats, log) VALUES ($1, $2, $3, $4)",
    )
    .bind(assembly)
    .bind(&seed)
    .bind(seats)
    .bind(sqlx::types::Json(&log))
    .execute(tx.conn())
    .await?;
    let slug = get(tx, assembly).await?.slug;
    audit(
        tx,
        actor,
        "assembly.draw",
        Some(&slug),
        json!({"assembly": assembly, "seats": seats, "drawn": tickets.len()}),
    )
    .await?;
    Ok(log)
}
