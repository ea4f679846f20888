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
    let point =
        point.filter(|(lat, lon)| (-90.0..=90.0).contains(lat) && (-180.0..=180.0).contains(lon));
    sqlx::query(
        "INSERT INTO places (address, latitude, longitude) VALUES ($1, $2, $3)
         ON CONFLICT (address) DO UPDATE SET latitude = EXCLUDED.latitude,
             longitude = EXCLUDED.longitude, looked_up_at = now()",
    )
    .bind(address)
    .bind(point.map(|p| p.0))
    .bind(point.map(|p| p.1))
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// The address as kept: trimmed, inner spaces single, lower case.
fn normal(address: &str) -> String {
    address
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}
