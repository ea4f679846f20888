//! A council's site settings and districts, read and written inside its
//! tenant transaction.

use crate::error::Result;
use crate::spec::ValidSpec;
use crate::tx::TenantTx;
use serde::Deserialize;
use std::collections::BTreeMap;

/// What a council's site looks like: languages, time zone, colours, texts
/// and districts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteSettings {
    /// Languages offered, in order.
    pub languages: Vec<String>,
    /// Fallback language.
    pub default_language: String,
    /// IANA time zone.
    pub time_zone: String,
    /// Main colour `#rrggbb`.
    pub primary_colour: String,
    /// Highlight colour `#rrggbb`.
    pub accent_colour: String,
    /// Welcome text by language.
    pub welcome: BTreeMap<String, String>,
    /// Districts in display order.
    pub districts: Vec<District>,
}

/// A district of the council.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct District {
    /// Stable code.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Residents.
    pub population: i32,
}

#[derive(sqlx::FromRow)]
struct SiteRow {
    languages: Vec<String>,
    default_language: String,
    time_zone: String,
    primary_colour: String,
    accent_colour: String,
    welcome: sqlx::types::Json<BTreeMap<String, String>>,
    districts: sqlx::types::Json<Vec<District>>,
}

impl SiteSettings {
    /// Loads the settings and districts in one query.
    pub async fn load(tx: &mut TenantTx) -> Result<Self> {
        let row: SiteRow = sqlx::query_as(
            "SELECT languages, default_language, time_zone, primary_colour, accent_colour, welcome,
                    COALESCE((SELECT json_agg(json_build_object('code', code, 'name', name, 'population', population)
                                              ORDER BY position, name)
                              FROM districts), '[]'::json) AS districts
             FROM settings",
        )
        .fetch_one(tx.conn())
        .await?;
        Ok(Self {
            languages: row.languages,
            default_language: row.default_language,
            time_zone: row.time_zone,
            primary_colour: row.primary_colour,
            accent_colour: row.accent_colour,
            welcome: row.welcome.0,
            districts: row.districts.0,
        })
    }

    /// Writes a council definition's settings and districts: districts are
    /// matched by code; ones no longer listed are removed.
    pub(crate) async fn store(tx: &mut TenantTx, valid: &ValidSpec) -> Result<()> {
        let spec = &valid.spec;
        sqlx::query(
            "UPDATE settings SET languages = $1, default_language = $2, time_zone = $3,
                    primary_colour = $4, accent_colour = $5, welcome = $6, updated_at = now()",
        )
        .bind(&spec.languages)
        .bind(&valid.default_language)
        .bind(&spec.time_zone)
        .bind(&spec.colours.primary)
        .bind(&spec.colours.accent)
        .bind(sqlx::types::Json(&spec.welcome))
        .execute(tx.conn())
        .await?;
        let codes: Vec<&str> = spec.districts.iter().map(|d| d.code.as_str()).collect();
        sqlx::query("DELETE FROM districts WHERE NOT (code = ANY($1))")
            .bind(&codes)
            .execute(tx.conn())
            .await?;
        for (position, district) in spec.districts.iter().enumerate() {
            sqlx::query(
                "INSERT INTO districts (code, name, population, position) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (code) DO UPDATE
                 SET name = EXCLUDED.name, population = EXCLUDED.population, position = EXCLUDED.position",
            )
            .bind(&district.code)
            .bind(&district.name)
            .bind(i32::try_from(district.population).unwrap_or(i32::MAX))
            .bind(i32::try_from(position).unwrap_or(i32::MAX))
            .execute(tx.conn())
            .await?;
        }
        Ok(())
    }
}
