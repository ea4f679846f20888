//! A council's site settings and districts, read and written inside its
//! tenant transaction.

use crate::Tenancy;
use crate::changes::site_key;
use crate::error::Result;
use crate::spec::{LegalContact, SiteContact, ValidSpec};
use crate::tenant::Tenant;
use crate::tx::TenantTx;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What a council's site looks like: languages, time zone, colours, texts
/// and districts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteSettings {
    /// Languages offered, in order.
    pub languages: Vec<String>,
    /// Fallback language.
    pub default_language: String,
    /// The Spanish article of the council's name (`el`, `la`, `los`,
    /// `las`), empty when it takes none.
    pub name_article: String,
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
    /// Who is legally behind the site.
    pub legal: LegalContact,
    /// The logo shown in the header: a stored picture's name.
    pub logo: Option<String>,
    /// The coat of arms (shown in the header when there is no logo, and
    /// on the home page): a stored picture's name.
    pub coat_of_arms: Option<String>,
    /// The site's icon in browsers: a stored picture's name.
    pub favicon: Option<String>,
    /// Phone, social links and mail sender name (shared: every page's
    /// footer carries it).
    pub contact: Arc<SiteContact>,
    /// Its participation figures are public at `/participation`.
    pub public_dashboard: bool,
}

impl SiteSettings {
    /// The council's time zone (UTC if the stored name is unknown, which
    /// validation prevents).
    pub fn zone(&self) -> crate::Zone {
        crate::Zone::named(&self.time_zone).unwrap_or_else(crate::Zone::utc)
    }
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
    name_article: String,
    time_zone: String,
    primary_colour: String,
    accent_colour: String,
    welcome: sqlx::types::Json<BTreeMap<String, String>>,
    districts: sqlx::types::Json<Vec<District>>,
    legal: sqlx::types::Json<LegalContact>,
    logo: Option<String>,
    coat_of_arms: Option<String>,
    favicon: Option<String>,
    contact: sqlx::types::Json<SiteContact>,
    public_dashboard: bool,
}

impl SiteSettings {
    /// Loads the settings and districts in one query.
    pub async fn load(tx: &mut TenantTx) -> Result<Self> {
        let row: SiteRow = sqlx::query_as(
            "SELECT languages, default_language, name_article, time_zone, primary_colour, accent_colour, welcome, legal, logo, coat_of_arms, favicon, contact, public_dashboard,
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
            name_article: row.name_article,
            time_zone: row.time_zone,
            primary_colour: row.primary_colour,
            accent_colour: row.accent_colour,
            welcome: row.welcome.0,
            districts: row.districts.0,
            legal: row.legal.0,
            logo: row.logo,
            coat_of_arms: row.coat_of_arms,
            favicon: row.favicon,
            contact: Arc::new(row.contact.0),
            public_dashboard: row.public_dashboard,
        })
    }

    /// Writes a council definition's settings and districts: districts are
    /// matched by code; ones no longer listed are removed. `tenants apply`
    /// and the staff settings page both write through here, so they write
    /// the same fields under the same rules ([`crate::CouncilSpec::validate`]).
    /// Tell the other nodes afterwards ([`crate::Tenancy::changed`]).
    pub async fn store(tx: &mut TenantTx, valid: &ValidSpec) -> Result<()> {
        Self::write(tx.conn(), valid).await
    }

    /// [`Self::store`] on `conn`, whose `search_path` is the council's
    /// schema: a council's creation writes its first settings as the
    /// schema's owner (`crate::provision`).
    pub(crate) async fn write(conn: &mut sqlx::PgConnection, valid: &ValidSpec) -> Result<()> {
        let spec = &valid.spec;
        sqlx::query(
            "UPDATE settings SET languages = $1, default_language = $2, time_zone = $3,
                    primary_colour = $4, accent_colour = $5, welcome = $6, legal = $7,
                    name_article = $8, contact = $9, public_dashboard = $10, updated_at = now()",
        )
        .bind(&spec.languages)
        .bind(&valid.default_language)
        .bind(&spec.time_zone)
        .bind(&spec.colours.primary)
        .bind(&spec.colours.accent)
        .bind(sqlx::types::Json(&spec.welcome))
        .bind(sqlx::types::Json(&spec.legal))
        .bind(spec.article.as_deref().unwrap_or(""))
        .bind(sqlx::types::Json(&spec.contact))
        .bind(spec.public_dashboard)
        .execute(&mut *conn)
        .await?;
        let codes: Vec<&str> = spec.districts.iter().map(|d| d.code.as_str()).collect();
        sqlx::query("DELETE FROM districts WHERE NOT (code = ANY($1))")
            .bind(&codes)
            .execute(&mut *conn)
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
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }
}

/// This process's copy of each council's site settings: every page needs
/// them (name, colours, languages), so they are not read per request.
#[derive(Default)]
pub(crate) struct SiteCache {
    entries: Mutex<HashMap<String, (Instant, Arc<SiteSettings>)>>,
    /// Bumped on every invalidation, so a load that raced with a change is
    /// not stored.
    generation: AtomicU64,
}

impl SiteCache {
    fn get(&self, key: &str) -> Option<Arc<SiteSettings>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|(expires, _)| *expires > Instant::now())
            .map(|(_, settings)| settings.clone())
    }

    /// Keeps `settings` for `trust`, unless a change came since
    /// `generation` was read.
    fn put(&self, key: String, settings: Arc<SiteSettings>, generation: u64, trust: Duration) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if self.generation.load(Ordering::SeqCst) == generation {
            entries.insert(key, (Instant::now() + trust, settings));
        }
    }

    pub(crate) fn forget(&self, keys: Option<&[String]>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        self.generation.fetch_add(1, Ordering::SeqCst);
        match keys {
            Some(keys) => {
                for key in keys {
                    entries.remove(key);
                }
            }
            None => entries.clear(),
        }
    }
}

impl Tenancy {
    /// The council's site settings: this process's copy when fresh, else
    /// read through a tenant transaction.
    pub async fn site_settings(&self, tenant: &Tenant) -> Result<Arc<SiteSettings>> {
        let key = site_key(tenant);
        if let Some(settings) = self.inner.sites.get(&key) {
            return Ok(settings);
        }
        let generation = self.inner.sites.generation.load(Ordering::SeqCst);
        let mut tx = self.begin(tenant).await?;
        let settings = Arc::new(SiteSettings::load(&mut tx).await?);
        tx.commit().await?;
        self.inner
            .sites
            .put(key, settings.clone(), generation, self.trust_copies_for());
        Ok(settings)
    }
}
