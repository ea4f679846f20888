//! Addresses already placed on the map: what the geocoder (a service the
//! web layer calls) answered for an address, kept per council so that an
//! address is looked up once. Misses are kept a day, then asked again.

use crate::error::Result;

use cabildo_tenancy::TenantTx;

/// What a lookup of `address` answered: `Some(Some(point))` found,
/// `Some(None)` not found (within the last day), `None` never asked.
pub async fn cached(tx: &mut TenantTx, address: &str) -> Result<Option<Option<(f64, f64)>>> {
    let row: Option<(Option<f64>, Option<f64>)> = sqlx::query_as(
        "SELECT latitude, longitude FROM places
         WHERE address = $1 AND (latitude IS NOT NULL OR looked_up_at > now() - interval '1 day')",
    )
    .bind(normal(address))
    .fetch_optional(tx.conn())
    .await?;
    Ok(row.map(|(latitude, longitude)| latitude.zip(longitude)))
}

/// Keeps what a lookup of `address` answered.
pub async fn remember(tx: &mut TenantTx, address: &str, point: Option<(f64, f64)>) -> Result<()> {
    let address = normal(address);
    if address.is_empty() || address.chars().count() > 300 {
        return Ok(());
    }
    let point = point.filter(|p| on_earth(*p));
    sqlx::query(
        "INSERT INTO places (address, latitude, longitude, looked_up_at) VALUES ($1, $2, $3, now())
         ON CONFLICT (address) DO UPDATE SET latitude = EXCLUDED.latitude,
             longitude = EXCLUDED.longitude, looked_up_at = EXCLUDED.looked_up_at",
    )
    .bind(address)
    .bind(point.map(|p| p.0))
    .bind(point.map(|p| p.1))
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Whether `(latitude, longitude)` is a point on the globe.
pub fn on_earth((latitude, longitude): (f64, f64)) -> bool {
    (-90.0..=90.0).contains(&latitude) && (-180.0..=180.0).contains(&longitude)
}

/// The address as kept: trimmed, inner spaces single, lower case.
fn normal(address: &str) -> String {
    address
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Something of a process with a point on the map.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct Placed {
    /// `meeting`, `proposal` or `project`.
    pub kind: String,
    /// Its id.
    pub id: uuid::Uuid,
    /// Its title (in the language it was written in).
    pub title: String,
    /// Where, in words (may be empty).
    pub address: String,
    /// Latitude.
    pub latitude: f64,
    /// Longitude.
    pub longitude: f64,
}

/// The most a process's map shows of each kind (the newest).
pub const MAP_LIMIT: i64 = 300;

/// What of `process` has a point on the map, by kind (meetings, then
/// proposals, then projects) and title: published meetings not
/// cancelled, proposals neither hidden nor withdrawn, projects not hidden
/// nor found unfeasible.
pub async fn of_process(tx: &mut TenantTx, process: crate::ProcessId) -> Result<Vec<Placed>> {
    Ok(sqlx::query_as(
        "(SELECT 'meeting' AS kind, id, title, address, latitude, longitude, 1 AS rank
          FROM meetings
          WHERE process_id = $1 AND latitude IS NOT NULL AND published_at IS NOT NULL
            AND cancelled_at IS NULL
          ORDER BY starts_at DESC LIMIT $2)
         UNION ALL
         (SELECT 'proposal', id, title, address, latitude, longitude, 2 FROM proposals
          WHERE process_id = $1 AND latitude IS NOT NULL AND hidden_at IS NULL
            AND status <> 'withdrawn'
          ORDER BY created_at DESC LIMIT $2)
         UNION ALL
         (SELECT 'project', p.id, p.title, p.location, p.latitude, p.longitude, 3
          FROM budget_projects p JOIN budgets b ON b.id = p.budget_id
          WHERE b.process_id = $1 AND p.latitude IS NOT NULL AND p.hidden_at IS NULL
            AND p.feasibility <> 'unfeasible'
          ORDER BY p.number DESC LIMIT $2)
         ORDER BY rank, title",
    )
    .bind(process)
    .bind(MAP_LIMIT)
    .fetch_all(tx.conn())
    .await?)
}

/// The middle (median latitude and longitude) of what the council has
/// placed on the map: meetings, proposals, projects and looked-up
/// addresses; none when nothing is.
pub async fn middle(tx: &mut TenantTx) -> Result<Option<(f64, f64)>> {
    let middle: (Option<f64>, Option<f64>) = sqlx::query_as(
        "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY latitude),
                percentile_cont(0.5) WITHIN GROUP (ORDER BY longitude)
         FROM (SELECT latitude, longitude FROM meetings WHERE latitude IS NOT NULL
               UNION ALL SELECT latitude, longitude FROM proposals WHERE latitude IS NOT NULL
               UNION ALL SELECT latitude, longitude FROM budget_projects WHERE latitude IS NOT NULL
               UNION ALL SELECT latitude, longitude FROM places WHERE latitude IS NOT NULL) p",
    )
    .fetch_one(tx.conn())
    .await?;
    Ok(middle.0.zip(middle.1))
}
