//! A council's site settings as its admins change them: the same
//! definition `tenants apply` writes ([`cabildo_tenancy::CouncilSpec`]),
//! checked by the same rules, and its logo. Audited. The caller tells the
//! other nodes once the transaction commits
//! ([`cabildo_tenancy::Tenancy::changed`]).

use crate::error::{Error, Field, LineError, Problem, Result};
use crate::staff::{Actor, audit};
use cabildo_tenancy::entitlements::{Feature, Need};
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
    within_plan(tx, valid).await?;
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

/// Languages every plan includes: Spanish and one more (the region's
/// co-official language, or English). More need `extra_languages`.
pub const INCLUDED_LANGUAGES: usize = 2;

/// Refuses settings the council's plan does not include: more languages
/// than [`INCLUDED_LANGUAGES`], or a public participation page. What a
/// council already has when its plan is lowered stays (it may keep its
/// languages and page, not add to them).
async fn within_plan(tx: &mut TenantTx, valid: &ValidSpec) -> Result<()> {
    if tx.entitlements().is_none() {
        return Ok(());
    }
    let (languages, public): (i32, bool) =
        sqlx::query_as("SELECT cardinality(languages), public_dashboard FROM settings")
            .fetch_one(tx.conn())
            .await?;
    let wanted = valid.spec.languages.len();
    if wanted > INCLUDED_LANGUAGES.max(usize::try_from(languages).unwrap_or(0)) {
        tx.within_plan(Need::Feature(Feature::ExtraLanguages))?;
    }
    if valid.spec.public_dashboard && !public {
        tx.within_plan(Need::Feature(Feature::PublicDashboard))?;
    }
    Ok(())
}

/// The pictures that identify a council's site.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SitePicture {
    /// The header's logo.
    Logo,
    /// The coat of arms.
    CoatOfArms,
    /// The browser's icon.
    Favicon,
}

impl SitePicture {
    /// Every kind, with the name pages and routes use (`coat-of-arms`).
    pub const ALL: [(Self, &'static str); 3] = [
        (Self::Logo, "logo"),
        (Self::CoatOfArms, "coat-of-arms"),
        (Self::Favicon, "favicon"),
    ];

    /// The kind named `name` in routes.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().find(|(_, n)| *n == name).map(|(k, _)| *k)
    }

    /// Its column in `settings` (also its audit action, `settings.{column}`).
    fn column(self) -> &'static str {
        match self {
            Self::Logo => "logo",
            Self::CoatOfArms => "coat_of_arms",
            Self::Favicon => "favicon",
        }
    }
}

/// Sets (or, with `None`, removes) one of the site's pictures: a stored
/// picture's name. Returns the one it replaces, for the caller to delete.
pub async fn set_picture(
    tx: &mut TenantTx,
    actor: &Actor,
    kind: SitePicture,
    name: Option<&str>,
) -> Result<Option<String>> {
    let column = kind.column();
    let old: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "UPDATE settings s SET {column} = $1, updated_at = now()
         FROM (SELECT {column} FROM settings FOR UPDATE) old RETURNING old.{column}"
    )))
    .bind(name)
    .fetch_one(tx.conn())
    .await?;
    let action = format!("settings.{column}");
    audit(tx, actor, &action, None, json!({ column: name })).await?;
    Ok(old)
}

/// What a new council still has to set up, each item done or not, as its
/// admins' staff home lists it (one statement).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Checklist {
    /// The article of the council's name is set.
    pub article: bool,
    /// It has a logo or a coat of arms.
    pub logo: bool,
    /// Its colours are its own, not the platform's.
    pub colours: bool,
    /// Staff saved the site settings (languages, time zone) at least once.
    pub settings_reviewed: bool,
    /// It has districts.
    pub districts: bool,
    /// Its census has residents.
    pub census: bool,
    /// Its legal contact is given, or a legal text edited.
    pub legal: bool,
    /// It has published a process.
    pub process: bool,
}

impl Checklist {
    /// Every item in order: (key, done).
    pub fn items(&self) -> [(&'static str, bool); 8] {
        [
            ("article", self.article),
            ("logo", self.logo),
            ("colours", self.colours),
            ("settings", self.settings_reviewed),
            ("districts", self.districts),
            ("census", self.census),
            ("legal", self.legal),
            ("process", self.process),
        ]
    }
}

/// The council's set-up checklist.
pub async fn checklist(tx: &mut TenantTx) -> Result<Checklist> {
    // The colours every council starts with.
    let platform = cabildo_tenancy::Colours::default();
    Ok(sqlx::query_as(
        "SELECT s.name_article <> '' AS article, s.logo IS NOT NULL OR s.coat_of_arms IS NOT NULL AS logo,
                (s.primary_colour, s.accent_colour) <> ($1, $2) AS colours,
                EXISTS (SELECT 1 FROM audit_log WHERE action = 'settings.update') AS settings_reviewed,
                EXISTS (SELECT 1 FROM districts) AS districts,
                EXISTS (SELECT 1 FROM census) AS census,
                (coalesce(s.legal ->> 'email', '') <> '' AND coalesce(s.legal ->> 'address', '') <> '')
                    OR EXISTS (SELECT 1 FROM legal_pages) AS legal,
                EXISTS (SELECT 1 FROM processes WHERE status = 'published') AS process
         FROM settings s",
    )
    .bind(&platform.primary)
    .bind(&platform.accent)
    .fetch_one(tx.conn())
    .await?)
}

/// Most districts a file may list.
pub const MAX_DISTRICTS: usize = 200;

/// A district as a file lists it: code, name, residents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DistrictLine {
    /// Stable code (checked with the rest of the settings).
    pub code: String,
    /// Display name.
    pub name: String,
    /// Residents.
    pub population: i32,
}

/// Reads a districts file: one `code, name, residents` line each
/// (separated by `;`, tab or `,`, quotes honoured, UTF-8 or Latin-1, a
/// heading line allowed), as spreadsheets save it. The districts' codes and
/// names are checked afterwards, with the rest of the settings.
pub fn districts_from_file(bytes: &[u8]) -> Result<Vec<DistrictLine>, LineError> {
    let whole = |problem| LineError { line: 0, problem };
    let mut districts = Vec::new();
    let mut separator = None;
    for (index, raw) in bytes.split(|b| *b == b'\n').enumerate() {
        let line = index + 1;
        let text = crate::census::import::decode(raw);
        let text = text.trim_start_matches('\u{feff}').trim();
        if text.is_empty() {
            continue;
        }
        let at = |problem| LineError { line, problem };
        let separator = *separator.get_or_insert_with(|| {
            [';', '\t', ',']
                .into_iter()
                .find(|s| text.contains(*s))
                .unwrap_or(',')
        });
        let fields =
            crate::census::import::split(text, separator).ok_or(at(Problem::LineInvalid))?;
        let [code, name, population] = fields.as_slice() else {
            return Err(at(Problem::LineInvalid));
        };
        let population = match population.replace(['.', ' ', '\u{a0}'], "").parse::<i32>() {
            Ok(population) if population >= 0 => population,
            // A heading: only the first line may be one.
            _ if districts.is_empty() && line == 1 => continue,
            _ => return Err(at(Problem::NumberInvalid)),
        };
        if districts.len() == MAX_DISTRICTS {
            return Err(at(Problem::FileTooLarge));
        }
        districts.push(DistrictLine {
            code: code.to_lowercase(),
            name: name.clone(),
            population,
        });
    }
    if districts.is_empty() {
        return Err(whole(Problem::FileEmpty));
    }
    Ok(districts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn district_files_are_read_as_spreadsheets_save_them() {
        let file = "\u{feff}Código;Nombre;Habitantes\r\nCASCO;\"Casco Histórico; centro\";10.500\r\n\r\npoligono;Polígono;22000\r\n";
        assert_eq!(
            districts_from_file(file.as_bytes()),
            Ok(vec![
                DistrictLine {
                    code: "casco".into(),
                    name: "Casco Histórico; centro".into(),
                    population: 10_500,
                },
                DistrictLine {
                    code: "poligono".into(),
                    name: "Polígono".into(),
                    population: 22_000,
                },
            ])
        );
        // Latin-1 from older spreadsheets, commas, no heading.
        let latin1 = b"norte,Barrio Norte,1200\nsur,Ca\xf1ada,300\n";
        let read = districts_from_file(latin1).expect("read");
        assert_eq!(read[1].name, "Cañada");
        let problem =
            |text: &str| districts_from_file(text.as_bytes()).map_err(|e| (e.line, e.problem));
        assert_eq!(problem(""), Err((0, Problem::FileEmpty)));
        assert_eq!(problem("code;name;people\n"), Err((0, Problem::FileEmpty)));
        assert_eq!(problem("a;b;1\nc;d\n"), Err((2, Problem::LineInvalid)));
        assert_eq!(
            problem("a;b;1\nc;d;muchos\n"),
            Err((2, Problem::NumberInvalid))
        );
        assert_eq!(problem("a;b;1\nc;d;-4\n"), Err((2, Problem::NumberInvalid)));
        assert_eq!(problem("a;\"b;1\n"), Err((1, Problem::LineInvalid)));
        let many: String = (0..=MAX_DISTRICTS)
            .map(|i| format!("d{i};D {i};1\n"))
            .collect();
        assert_eq!(
            problem(&many),
            Err((MAX_DISTRICTS + 1, Problem::FileTooLarge))
        );
    }
}
