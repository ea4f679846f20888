//! A council's site settings as its admins change them: the same
//! definition `tenants apply` writes ([`cabildo_tenancy::CouncilSpec`]),
//! checked by the same rules, and its logo. Audited. The caller tells the
//! other nodes once the transaction commits
//! ([`cabildo_tenancy::Tenancy::changed`]).

use crate::error::{Error, Field, Problem, Result};
use crate::staff::{Actor, audit};
use cabildo_tenancy::{SiteSettings, TenantTx, ValidSpec};
use serde_json::json;

/// Stores a checked definition's settings and districts. A district a
/// budget heading is for stays: removing it is refused with
/// `district_in_use`.
pub async fn save(tx: &mut TenantTx, actor: &Actor, valid: &ValidSpec) -> Result<()> {
    let kept: Vec<&str> = (valid.spec.districts.iter())
        .map(|d| d.code.as_str())
        .collect();
    let in_use: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM budget_headings WHERE district_code IS NOT NULL
                        AND NOT (district_code = ANY ($1)))",
    )
    .bind(&kept)
    .fetch_one(tx.conn())
    .await?;
    if in_use {
        return Err(Error::invalid(Field::District, Problem::DistrictInUse));
    }
    SiteSettings::store(tx, valid).await?;
    let spec = &valid.spec;
    audit(
        tx,
        actor,
        "settings.update",
        None,
        json!({"languages": spec.languages, "default_language": valid.default_language,
               "time_zone": spec.time_zone, "primary": spec.colours.primary,
               "accent": spec.colours.accent, "article": spec.article}),
    )
    .await?;
    Ok(())
}

/// Sets (or, with `None`, removes) the logo: a stored picture's name.
/// Returns the one it replaces, for the caller to delete.
pub async fn set_logo(
    tx: &mut TenantTx,
    actor: &Actor,
    logo: Option<&str>,
) -> Result<Option<String>> {
    let old: Option<String> = sqlx::query_scalar(
        "UPDATE settings s SET logo = $1, updated_at = now()
         FROM (SELECT logo FROM settings FOR UPDATE) old RETURNING old.logo",
    )
    .bind(logo)
    .fetch_one(tx.conn())
    .await?;
    audit(tx, actor, "settings.logo", None, json!({"logo": logo})).await?;
    Ok(old)
}
