//! Assemblies (consejos): standing bodies of a council — a district's, a
//! sector's, or a citizens' assembly chosen by lot — with members in
//! roles and terms, and meetings (`crate::meetings`). Staff create and
//! publish them; once published, their page lists members whose term runs
//! today, past members, meetings and agreements. A citizens' assembly's
//! members may be drawn by lot ([`lottery`], [`draw`]). Staff attach
//! documents to them ([`documents`]).

pub mod documents;
pub mod draw;
pub mod lottery;

use crate::audit::{Actor, audit};
use crate::content::text;
use crate::error::{Error, Field, FieldError, Problem, Refusal, Result};
use crate::ids::{AssemblyId, MemberId, UserId};
use crate::translations::{self, Translations};
use cabildo_tenancy::TenantTx;
use serde_json::json;
use time::Date;

/// What kind of body an assembly is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A district council (consejo de barrio/distrito).
    District,
    /// A sector council (consejo sectorial: culture, mobility …).
    Sector,
    /// A citizens' assembly whose members are chosen by lot.
    Citizens,
}

impl Kind {
    /// Every kind, in the order forms list them.
    pub const ALL: [Self; 3] = [Self::District, Self::Sector, Self::Citizens];

    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::District => "district",
            Self::Sector => "sector",
            Self::Citizens => "citizens",
        }
    }

    /// From a stored or typed name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// Who a member is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MemberKind {
    /// A resident.
    Resident,
    /// An organisation, through its representative.
    Organisation,
    /// A member of the council's staff.
    Staff,
}

impl MemberKind {
    /// Every kind.
    pub const ALL: [Self; 3] = [Self::Resident, Self::Organisation, Self::Staff];

    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Resident => "resident",
            Self::Organisation => "organisation",
            Self::Staff => "staff",
        }
    }

    /// From a stored or typed name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// A member's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// Chairs it.
    President,
    /// Keeps its minutes.
    Secretary,
    /// A member.
    Member,
}

impl Role {
    /// Every role, in the order pages list members.
    pub const ALL: [Self; 3] = [Self::President, Self::Secretary, Self::Member];

    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::President => "president",
            Self::Secretary => "secretary",
            Self::Member => "member",
        }
    }

    /// From a stored or typed name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// An assembly.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct Assembly {
    /// Id.
    pub id: AssemblyId,
    /// Its address part (`/assemblies/{slug}`).
    pub slug: String,
    /// Name, in the council's default language.
    pub name: String,
    /// What it is for.
    pub purpose: String,
    /// Stored kind (see [`Kind`]).
    pub kind: String,
    /// Its district's code (district councils).
    pub district: Option<String>,
    /// Name and purpose in other languages.
    #[sqlx(json)]
    pub translations: Translations,
    /// Published (on the public site).
    pub published: bool,
}

impl Assembly {
    /// Its kind.
    pub fn kind(&self) -> Kind {
        Kind::parse(&self.kind).unwrap_or(Kind::Sector)
    }
}

/// An assembly as staff type it.
#[derive(Clone, Debug, Default)]
pub struct NewAssembly {
    /// Address part.
    pub slug: String,
    /// Name.
    pub name: String,
    /// What it is for.
    pub purpose: String,
    /// Kind (stored name).
    pub kind: String,
    /// Its district's code (required for district councils).
    pub district: Option<String>,
    /// Name and purpose in the council's other languages.
    pub translations: Translations,
}

const COLUMNS: &str = "id, slug, name, purpose, kind, district_code AS district, translations,
    published_at IS NOT NULL AS published";

/// The texts and kind of `new`, checked (every fault at once).
async fn checked(tx: &mut TenantTx, new: &NewAssembly) -> Result<(String, String, Kind)> {
    let mut faults = Vec::new();
    let name = text(&new.name, Field::Name, Problem::TitleInvalid, 1, 200);
    let purpose = text(
        &new.purpose,
        Field::Description,
        Problem::TextTooLong,
        0,
        20_000,
    );
    let kind = Kind::parse(new.kind.trim());
    if kind.is_none() {
        faults.push(FieldError::new(Field::Kind, Problem::Invalid));
    }
    match (&new.district, kind) {
        (None, Some(Kind::District)) => {
            faults.push(FieldError::new(Field::District, Problem::Required));
        }
        (Some(code), _) => {
            let known: bool =
                sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM districts WHERE code = $1)")
                    .bind(code)
                    .fetch_one(tx.conn())
                    .await?;
            if !known {
                faults.push(FieldError::new(Field::District, Problem::DistrictUnknown));
            }
        }
        (None, _) => {}
    }
    for result in [&name, &purpose] {
        if let Err(Error::Invalid(errors)) = result {
            faults.extend(errors.iter().copied());
        }
    }
    translations::check(tx, &new.translations, &[("name", 200), ("purpose", 20_000)]).await?;
    match (name, purpose, kind) {
        (Ok(name), Ok(purpose), Some(kind)) if faults.is_empty() => Ok((name, purpose, kind)),
        _ => Err(Error::Invalid(faults)),
    }
}

/// Creates a draft assembly.
pub async fn create(tx: &mut TenantTx, actor: &Actor, new: &NewAssembly) -> Result<AssemblyId> {
    let slug = crate::content::slug(&new.slug, 64);
    let texts = checked(tx, new).await;
    let (slug, (name, purpose, kind)) = match (slug, texts) {
        (Ok(slug), Ok(texts)) => (slug, texts),
        (slug, texts) => {
            let mut faults = Vec::new();
            for error in [slug.err(), texts.err()].into_iter().flatten() {
                match error {
                    Error::Invalid(errors) => faults.extend(errors),
                    other => return Err(other),
                }
            }
            return Err(Error::Invalid(faults));
        }
    };
    let id: Option<AssemblyId> = sqlx::query_scalar(
        "INSERT INTO assemblies (slug, name, purpose, kind, district_code, translations)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (slug) DO NOTHING RETURNING id",
    )
    .bind(slug)
    .bind(&name)
    .bind(&purpose)
    .bind(kind.as_str())
    .bind(&new.district)
    .bind(sqlx::types::Json(&new.translations))
    .fetch_optional(tx.conn())
    .await?;
    let id = id.ok_or(Refusal::SlugTaken)?;
    audit(
        tx,
        actor,
        "assembly.create",
        Some(slug),
        json!({"assembly": id, "kind": kind.as_str()}),
    )
    .await?;
    Ok(id)
}

/// Changes an assembly's texts, kind and district (its address stays).
pub async fn update(
    tx: &mut TenantTx,
    actor: &Actor,
    id: AssemblyId,
    new: &NewAssembly,
) -> Result<()> {
    let (name, purpose, kind) = checked(tx, new).await?;
    let slug: Option<String> = sqlx::query_scalar(
        "UPDATE assemblies SET name = $2, purpose = $3, kind = $4, district_code = $5,
                translations = $6
         WHERE id = $1 RETURNING slug",
    )
    .bind(id)
    .bind(&name)
    .bind(&purpose)
    .bind(kind.as_str())
    .bind(&new.district)
    .bind(sqlx::types::Json(&new.translations))
    .fetch_optional(tx.conn())
    .await?;
    let slug = slug.ok_or(Refusal::NotFound)?;
    audit(
        tx,
        actor,
        "assembly.update",
        Some(&slug),
        json!({"assembly": id}),
    )
    .await
}

/// Publishes a draft assembly (no change when it already is).
pub async fn publish(tx: &mut TenantTx, actor: &Actor, id: AssemblyId) -> Result<()> {
    let slug: Option<String> = sqlx::query_scalar(
        "UPDATE assemblies SET published_at = least(published_at, now())
         WHERE id = $1 RETURNING slug",
    )
    .bind(id)
    .fetch_optional(tx.conn())
    .await?;
    let slug = slug.ok_or(Refusal::NotFound)?;
    audit(
        tx,
        actor,
        "assembly.publish",
        Some(&slug),
        json!({"assembly": id}),
    )
    .await
}

/// The published assembly at `slug`.
pub async fn find_by_slug(tx: &mut TenantTx, slug: &str) -> Result<Option<Assembly>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM assemblies WHERE slug = $1 AND published_at IS NOT NULL"
    )))
    .bind(slug)
    .fetch_optional(tx.conn())
    .await?)
}

/// Assembly `id`, published or not (staff).
pub async fn get(tx: &mut TenantTx, id: AssemblyId) -> Result<Assembly> {
    let found: Option<Assembly> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM assemblies WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(tx.conn())
    .await?;
    Ok(found.ok_or(Refusal::NotFound)?)
}

/// Published assemblies, by name.
pub async fn published(tx: &mut TenantTx) -> Result<Vec<Assembly>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM assemblies WHERE published_at IS NOT NULL ORDER BY name LIMIT 500"
    )))
    .fetch_all(tx.conn())
    .await?)
}

/// Every assembly, drafts first, then by name (staff).
pub async fn all(tx: &mut TenantTx) -> Result<Vec<Assembly>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM assemblies ORDER BY published_at IS NOT NULL, name LIMIT 500"
    )))
    .fetch_all(tx.conn())
    .await?)
}

/// A member (one term).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Member {
    /// Id.
    pub id: MemberId,
    /// Stored kind (see [`MemberKind`]).
    pub kind: String,
    /// The name published.
    pub name: String,
    /// An organisation's representative.
    pub representative: String,
    /// Stored role (see [`Role`]).
    pub role: String,
    /// First day of the term.
    pub term_starts: Date,
    /// Last day of the term, if it has one.
    pub term_ends: Option<Date>,
    /// The term runs today (council's time zone).
    pub current: bool,
    /// Their account, when linked (not published).
    pub user_id: Option<UserId>,
}

/// A member as staff type them.
#[derive(Clone, Debug)]
pub struct NewMember {
    /// Kind (stored name).
    pub kind: String,
    /// A person's name; ignored for organisations, which are named by
    /// their record.
    pub name: String,
    /// The address of their account on the site, to link them (optional).
    pub email: String,
    /// The organisation (its id), for organisation members.
    pub organisation: Option<uuid::Uuid>,
    /// The organisation's representative.
    pub representative: String,
    /// Role (stored name).
    pub role: String,
    /// First day.
    pub term_starts: Date,
    /// Last day, if known.
    pub term_ends: Option<Date>,
}

/// Adds a member to an assembly.
pub async fn add_member(
    tx: &mut TenantTx,
    actor: &Actor,
    assembly: AssemblyId,
    new: &NewMember,
) -> Result<MemberId> {
    let mut faults = Vec::new();
    let kind = MemberKind::parse(new.kind.trim());
    let role = Role::parse(new.role.trim());
    if kind.is_none() {
        faults.push(FieldError::new(Field::Kind, Problem::Invalid));
    }
    if role.is_none() {
        faults.push(FieldError::new(Field::Role, Problem::Invalid));
    }
    if new.term_ends.is_some_and(|ends| ends < new.term_starts) {
        faults.push(FieldError::new(Field::Term, Problem::DatesInvalid));
    }
    let representative = text(
        &new.representative,
        Field::Name,
        Problem::NameTooLong,
        0,
        200,
    )
    .unwrap_or_else(|_| {
        faults.push(FieldError::new(Field::Name, Problem::NameTooLong));
        String::new()
    });
    let (name, organisation) = if kind == Some(MemberKind::Organisation) {
        let found: Option<String> = match new.organisation {
            Some(id) => {
                sqlx::query_scalar(
                    "SELECT name FROM organisations WHERE id = $1 AND status = 'verified'",
                )
                .bind(id)
                .fetch_optional(tx.conn())
                .await?
            }
            None => None,
        };
        if found.is_none() {
            faults.push(FieldError::new(Field::Name, Problem::Required));
        }
        (found.unwrap_or_default(), new.organisation)
    } else {
        let name =
            text(&new.name, Field::Name, Problem::NameRequired, 1, 200).unwrap_or_else(|_| {
                faults.push(FieldError::new(Field::Name, Problem::NameRequired));
                String::new()
            });
        (name, None)
    };
    let email = new.email.trim().to_lowercase();
    let user: Option<UserId> = if email.is_empty() {
        None
    } else {
        let found =
            sqlx::query_scalar("SELECT id FROM users WHERE email = $1 AND deleted_at IS NULL")
                .bind(&email)
                .fetch_optional(tx.conn())
                .await?;
        if found.is_none() {
            faults.push(FieldError::new(Field::Email, Problem::EmailInvalid));
        }
        found
    };
    let (Some(kind), Some(role), true) = (kind, role, faults.is_empty()) else {
        return Err(Error::Invalid(faults));
    };
    let id: Option<MemberId> = sqlx::query_scalar(
        "INSERT INTO assembly_members (assembly_id, kind, user_id, organisation_id, name,
                                       representative, role, term_starts, term_ends)
         SELECT id, $2, $3, $4, $5, $6, $7, $8, $9 FROM assemblies WHERE id = $1
         RETURNING id",
    )
    .bind(assembly)
    .bind(kind.as_str())
    .bind(user)
    .bind(organisation)
    .bind(&name)
    .bind(&representative)
    .bind(role.as_str())
    .bind(new.term_starts)
    .bind(new.term_ends)
    .fetch_optional(tx.conn())
    .await?;
    let id = id.ok_or(Refusal::NotFound)?;
    audit(
        tx,
        actor,
        "assembly.member_add",
        None,
        json!({"assembly": assembly, "member": id, "role": role.as_str(), "kind": kind.as_str()}),
    )
    .await?;
    Ok(id)
}

/// Ends a member's term on `last_day` (kept on the page as a past member).
pub async fn end_term(
    tx: &mut TenantTx,
    actor: &Actor,
    assembly: AssemblyId,
    member: MemberId,
    last_day: Date,
) -> Result<()> {
    let changed = sqlx::query(
        "UPDATE assembly_members SET term_ends = greatest($3, term_starts)
         WHERE id = $1 AND assembly_id = $2",
    )
    .bind(member)
    .bind(assembly)
    .bind(last_day)
    .execute(tx.conn())
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(Refusal::NotFound.into());
    }
    audit(
        tx,
        actor,
        "assembly.member_end",
        None,
        json!({"assembly": assembly, "member": member, "last_day": last_day.to_string()}),
    )
    .await
}

/// An assembly's members, those whose term runs on `today` first, by role
/// then name.
pub async fn members(tx: &mut TenantTx, assembly: AssemblyId, today: Date) -> Result<Vec<Member>> {
    Ok(sqlx::query_as(
        "SELECT id, kind, name, representative, role, term_starts, term_ends,
                term_starts <= $2 AND (term_ends IS NULL OR term_ends >= $2) AS current, user_id
         FROM assembly_members WHERE assembly_id = $1
         ORDER BY (term_starts <= $2 AND (term_ends IS NULL OR term_ends >= $2)) DESC,
                  array_position(ARRAY['president', 'secretary', 'member'], role), name
         LIMIT 1000",
    )
    .bind(assembly)
    .bind(today)
    .fetch_all(tx.conn())
    .await?)
}

/// Today's date in the council's time zone (database clock).
pub async fn today(tx: &mut TenantTx) -> Result<Date> {
    crate::consultations::today(tx).await
}
