//! Councils signing up on the platform site: the form's rules (a
//! municipality of the INE list, a free address for the site, a work
//! email), confirmation by mail, holding for an operator's approval, the
//! provisioning itself (run by the provisioner, whose database role may
//! create roles; the serving role behind the site may not), and the first
//! admin's single-use welcome into the new site.
//!
//! States: `unconfirmed` → (mail link) → `confirmed`, or `held` when an
//! operator must approve → `confirmed` → `provisioning` → `live`; an
//! operator may reject a held one; a provisioning that fails is `failed`
//! (the operator may retry it).

use crate::accounts::{password, tokens, validate};
use crate::error::{Error, Field, FieldError, Problem, Result};
use crate::ine::{self, Found, Municipality};
use crate::staff::{self, Actor, Role};
use crate::stored::stored;
use cabildo_tenancy::{
    ARTICLES, CouncilSpec, EmailRequest, Slug, SlugError, Tenancy, TenancyError, TenantMigrations,
};
use serde_json::json;
use uuid::Uuid;

/// How long a confirmation link works, and an unconfirmed sign-up keeps
/// its address for the site.
pub const CONFIRM_HOURS: i32 = 24;
/// How long the welcome into the new site works once issued.
pub const WELCOME_MINUTES: i32 = 30;
/// The plan of councils on a platform that offers none (no `plans/`
/// applied): no limits.
pub const NO_PLAN: &str = "default";
/// Free days of a new council on a paid plan, when no offered plan names
/// a trial length.
pub const TRIAL_DAYS: i32 = 30;
/// Languages the platform site speaks (and a sign-up may choose).
pub const LANGUAGES: [&str; 5] = ["es", "en", "ca", "eu", "gl"];
/// The PostgreSQL channel on which confirmed sign-ups wake the
/// provisioner (sign-ups are rare: the commit-time lock of a NOTIFY costs
/// nothing here).
pub const CHANNEL: &str = "cabildo_signups";

/// Mail domains of free webmail: a council official writing from one of
/// them cannot be told from anyone else, so such sign-ups are always held.
const WEBMAIL: [&str; 16] = [
    "gmail.com",
    "googlemail.com",
    "hotmail.com",
    "hotmail.es",
    "outlook.com",
    "outlook.es",
    "live.com",
    "yahoo.com",
    "yahoo.es",
    "icloud.com",
    "me.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "gmx.es",
    "telefonica.net",
];

stored! {
    /// Where a sign-up stands.
    pub enum Status {
        /// Waiting for the mail link.
        Unconfirmed = "unconfirmed",
        /// Confirmed, waiting for an operator's approval.
        Held = "held",
        /// Waiting for the provisioner.
        Confirmed = "confirmed",
        /// Being created.
        Provisioning = "provisioning",
        /// The council exists.
        Live = "live",
        /// An operator refused it.
        Rejected = "rejected",
        /// Creating it failed (see its error).
        Failed = "failed",
    }
}

stored! {
    /// Why a sign-up waits for an operator.
    pub enum HeldReason {
        /// The mail domain is not an accepted one.
        Domain = "domain",
        /// Its municipality already has a council or a sign-up.
        Municipality = "municipality",
    }
}

/// Which sign-ups go live without an operator: those from accepted mail
/// domains (a suffix such as `.es`, or a domain such as `toledo.es`, which
/// also accepts its subdomains), never free webmail.
#[derive(Clone, Debug)]
pub struct Policy {
    accepted: Vec<String>,
}

impl Default for Policy {
    /// Spanish public bodies write from `.es`, `.cat`, `.eus` or `.gal`
    /// domains.
    fn default() -> Self {
        Self::parse(".es,.cat,.eus,.gal")
    }
}

impl Policy {
    /// Parses a comma-separated list of domains and `.suffixes`.
    pub fn parse(spec: &str) -> Self {
        Self {
            accepted: (spec.split(','))
                .map(|d| d.trim().to_lowercase())
                .filter(|d| !d.is_empty())
                .collect(),
        }
    }

    /// Whether mail from `email` is accepted without an operator.
    pub fn accepts(&self, email: &str) -> bool {
        let domain = email.rsplit_once('@').map_or("", |(_, d)| d);
        if domain.is_empty() || WEBMAIL.contains(&domain) {
            return false;
        }
        self.accepted.iter().any(|accepted| {
            if accepted.starts_with('.') {
                domain.ends_with(accepted.as_str())
            } else {
                domain == accepted || domain.ends_with(&format!(".{accepted}"))
            }
        })
    }
}

/// The sign-up form as typed.
#[derive(Clone, Debug, Default)]
pub struct SignupForm {
    /// The council's name (`Ayuntamiento de Toledo`).
    pub council_name: String,
    /// The article its name takes (`el`), or empty.
    pub article: String,
    /// The municipality as typed: a name or an INE code.
    pub municipality: String,
    /// Residents.
    pub population: String,
    /// The site's address (`toledo` for `toledo.<platform>`).
    pub slug: String,
    /// The person's name.
    pub name: String,
    /// Their work email.
    pub email: String,
    /// The password of their admin account.
    pub password: String,
    /// The language they read the platform in.
    pub language: String,
    /// The plan chosen.
    pub plan: String,
    /// They accept the platform's terms.
    pub accept_terms: bool,
}

/// A sign-up that passed every check.
#[derive(Clone, Debug)]
pub struct ValidSignup {
    council_name: String,
    article: String,
    /// The municipality, from the INE list.
    pub municipality: Municipality,
    population: i32,
    /// The site's address.
    pub slug: Slug,
    name: String,
    email: String,
    language: String,
    plan: String,
}

/// Lower case ASCII letters, digits and single hyphens made of `text`, at
/// most [`cabildo_tenancy::slug::SLUG_MAX`] long: what a name suggests as
/// a site's address.
pub fn slug_for(text: &str) -> String {
    let folded = ine::folded(&text.replace('\'', " "));
    let mut slug = String::new();
    for word in folded.split_whitespace() {
        let word: String = word.chars().filter(char::is_ascii_alphanumeric).collect();
        if word.is_empty() {
            continue;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(&word);
    }
    slug.truncate(cabildo_tenancy::SLUG_MAX);
    slug.trim_end_matches('-').to_owned()
}

impl SignupForm {
    /// Checks every field that needs no database; all problems at once.
    pub fn validate(&self) -> Result<ValidSignup> {
        let mut errors = Vec::new();
        let mut problem = |field: Field, problem: Problem| {
            errors.push(FieldError::new(field, problem));
        };
        let council_name = self.council_name.trim().to_owned();
        if council_name.chars().count() < 3
            || council_name.chars().count() > 200
            || council_name.chars().any(char::is_control)
        {
            problem(Field::CouncilName, Problem::CouncilNameInvalid);
        }
        let article = self.article.trim().to_lowercase();
        if !article.is_empty() && !ARTICLES.contains(&article.as_str()) {
            problem(Field::Article, Problem::Invalid);
        }
        let municipality = match ine::find(&self.municipality) {
            Found::One(found) => Some(found),
            Found::Several(_) => {
                problem(Field::Municipality, Problem::MunicipalityAmbiguous);
                None
            }
            Found::None => {
                problem(Field::Municipality, Problem::MunicipalityUnknown);
                None
            }
        };
        let population = (self.population.trim().replace(['.', ' '], ""))
            .parse::<i32>()
            .ok()
            .filter(|p| (1..=10_000_000).contains(p));
        if population.is_none() {
            problem(Field::Population, Problem::PopulationInvalid);
        }
        let slug = match Slug::parse(&self.slug.trim().to_lowercase()) {
            Ok(slug) => Some(slug),
            Err(SlugError::Reserved) => {
                problem(Field::Slug, Problem::SiteAddressReserved);
                None
            }
            Err(_) => {
                problem(Field::Slug, Problem::SiteAddressInvalid);
                None
            }
        };
        let name = validate::name(&self.name)
            .map_err(|p| problem(Field::Name, p))
            .ok();
        let email = validate::email(&self.email)
            .map_err(|p| problem(Field::Email, p))
            .ok();
        let local = email
            .as_deref()
            .and_then(|e| e.split('@').next())
            .unwrap_or_default();
        if let Err(weakness) = password::check(&self.password, &[local]) {
            problem(Field::Password, weakness.problem());
        }
        if !LANGUAGES.contains(&self.language.as_str()) {
            problem(Field::Language, Problem::LanguageInvalid);
        }
        let plan_ok = (2..=40).contains(&self.plan.len())
            && (self.plan.bytes())
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !plan_ok {
            problem(Field::Plan, Problem::Invalid);
        }
        if !self.accept_terms {
            problem(Field::Terms, Problem::TermsRequired);
        }
        match (municipality, population, slug, name, email) {
            (Some(municipality), Some(population), Some(slug), Some(name), Some(email))
                if errors.is_empty() =>
            {
                Ok(ValidSignup {
                    council_name,
                    article,
                    municipality,
                    population,
                    slug,
                    name,
                    email,
                    language: self.language.clone(),
                    plan: self.plan.clone(),
                })
            }
            _ => Err(Error::Invalid(errors)),
        }
    }
}

/// The SQL of whether address `$1` is taken: a council has it, or a
/// sign-up holds it (an unconfirmed one for `$2` hours).
macro_rules! taken {
    ($slug:literal) => {
        concat!(
            "(EXISTS (SELECT 1 FROM platform.tenants t WHERE t.slug = ",
            $slug,
            ")
              OR EXISTS (SELECT 1 FROM platform.signups s WHERE s.slug = ",
            $slug,
            "
                         AND (s.status IN ('held', 'confirmed', 'provisioning')
                              OR (s.status = 'unconfirmed'
                                  AND s.created_at > now() - make_interval(hours => $2)))))"
        )
    };
}

/// Whether `slug` is free: no council has it, and no sign-up holds it (an
/// unconfirmed one for [`CONFIRM_HOURS`]).
pub async fn is_free(tenancy: &Tenancy, slug: &str) -> Result<bool> {
    let taken: bool = sqlx::query_scalar(concat!("SELECT ", taken!("$1")))
        .bind(slug)
        .bind(CONFIRM_HOURS)
        .fetch_one(tenancy.pool())
        .await?;
    Ok(!taken)
}

/// Free addresses like `wanted` for a council of `municipality`: its name,
/// with its province, with `participa-` or `ayto-` before it, numbered.
/// At most three, checked in one statement.
pub async fn suggestions(
    tenancy: &Tenancy,
    wanted: &str,
    municipality: Option<&Municipality>,
) -> Result<Vec<String>> {
    let mut bases = vec![slug_for(wanted)];
    let mut province = String::new();
    if let Some(m) = municipality {
        bases.push(slug_for(&m.spoken_name()));
        province = slug_for(m.province.split('/').next().unwrap_or_default());
    }
    let mut candidates = Vec::new();
    for base in bases.iter().filter(|b| !b.is_empty()) {
        candidates.push(base.clone());
        if !province.is_empty() && !base.ends_with(&province) {
            candidates.push(format!("{base}-{province}"));
        }
        candidates.push(format!("participa-{base}"));
        candidates.push(format!("ayto-{base}"));
        candidates.extend((2..=4).map(|n| format!("{base}-{n}")));
    }
    let mut valid: Vec<String> = Vec::new();
    for candidate in candidates {
        if Slug::parse(&candidate).is_ok() && !valid.contains(&candidate) {
            valid.push(candidate);
        }
    }
    let free: Vec<String> = sqlx::query_scalar(concat!(
        "SELECT c.slug FROM unnest($1::text[]) WITH ORDINALITY AS c(slug, n) WHERE NOT ",
        taken!("c.slug"),
        " ORDER BY c.n LIMIT 3"
    ))
    .bind(&valid)
    .bind(CONFIRM_HOURS)
    .fetch_all(tenancy.pool())
    .await?;
    Ok(free)
}

/// Records a checked sign-up and enqueues the mail with its confirmation
/// link (`/signup/confirm?token=…` on the platform site), in one
/// transaction. A taken address is refused (`site_address_taken`).
/// Whether an operator must approve it is decided now and applies once it
/// is confirmed.
pub async fn start(
    tenancy: &Tenancy,
    policy: &Policy,
    valid: &ValidSignup,
    password_hash: &str,
) -> Result<Uuid> {
    if !is_free(tenancy, valid.slug.as_str()).await? {
        return Err(Error::invalid(Field::Slug, Problem::SiteAddressTaken));
    }
    // An offered plan; or, on a platform that offers none, no plan.
    let plan_ok: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM platform.plans WHERE slug = $1 AND offered)
             OR ($1 = $2 AND NOT EXISTS (SELECT 1 FROM platform.plans WHERE offered))",
    )
    .bind(&valid.plan)
    .bind(NO_PLAN)
    .fetch_one(tenancy.pool())
    .await?;
    if !plan_ok {
        return Err(Error::invalid(Field::Plan, Problem::Invalid));
    }
    let municipality_claimed: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM platform.tenants WHERE ine_code = $1
                        AND status <> 'archived')
             OR EXISTS (SELECT 1 FROM platform.signups WHERE ine_code = $1
                        AND status IN ('held', 'confirmed', 'provisioning'))",
    )
    .bind(valid.municipality.code)
    .fetch_one(tenancy.pool())
    .await?;
    let held = if !policy.accepts(&valid.email) {
        Some(HeldReason::Domain)
    } else if municipality_claimed {
        Some(HeldReason::Municipality)
    } else {
        None
    };
    let token = tokens::new_token();
    let mut tx = tenancy.pool().begin().await.map_err(TenancyError::from)?;
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO platform.signups (council_name, name_article, ine_code, population, slug,
                person_name, email, password_hash, language, plan, held_reason, token_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(&valid.council_name)
    .bind(&valid.article)
    .bind(valid.municipality.code)
    .bind(valid.population)
    .bind(valid.slug.as_str())
    .bind(&valid.name)
    .bind(&valid.email)
    .bind(password_hash)
    .bind(&valid.language)
    .bind(&valid.plan)
    .bind(held.map(HeldReason::as_str))
    .bind(tokens::digest(&token))
    .fetch_one(&mut *tx)
    .await?;
    let mail = signup_mail(
        &valid.email,
        &valid.name,
        &valid.language,
        "signup-confirm",
        &format!("/signup/confirm?token={token}"),
    );
    Tenancy::enqueue_platform(&mut tx, &mail.job()).await?;
    tx.commit().await.map_err(TenancyError::from)?;
    tenancy.jobs_committed();
    tracing::info!(signup.id = %id, held = held.is_some(), "council sign-up started");
    Ok(id)
}

/// An account mail of the platform (`kind` of the `account` template) to
/// `email`, with `link` on the platform site.
fn signup_mail(email: &str, name: &str, language: &str, kind: &str, link: &str) -> EmailRequest {
    EmailRequest {
        to: email.to_owned(),
        name: Some(name.to_owned()),
        language: Some(language.to_owned()),
        template: "account".into(),
        vars: json!({"kind": kind, "link": link}),
        unsubscribe_user: None,
    }
}

/// A sign-up as its person sees it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Progress {
    /// Its id.
    pub id: Uuid,
    /// Where it stands.
    pub status: Status,
    /// The site's address.
    pub slug: String,
    /// The council's name.
    pub council_name: String,
    /// Why it waits for an operator, when it does.
    pub held_reason: Option<HeldReason>,
    /// Its welcome into the site was used.
    pub welcomed: bool,
    /// Seconds from confirming to the site being live.
    pub seconds_to_live: Option<f64>,
}

/// Columns of a [`Progress`] from `platform.signups`.
macro_rules! progress_columns {
    () => {
        "id, status, slug, council_name, held_reason, welcome_used_at IS NOT NULL AS welcomed,
         extract(epoch FROM live_at - confirmed_at)::float8 AS seconds_to_live"
    };
}

/// The sign-up of a confirmation `token` (from its mail).
pub async fn progress(tenancy: &Tenancy, token: &str) -> Result<Option<Progress>> {
    if !tokens::well_formed(token) {
        return Ok(None);
    }
    Ok(sqlx::query_as(concat!(
        "SELECT ",
        progress_columns!(),
        " FROM platform.signups WHERE token_hash = $1"
    ))
    .bind(tokens::digest(token))
    .fetch_optional(tenancy.pool())
    .await?)
}

/// Confirms the address of the sign-up of `token`: it waits for the
/// provisioner, or for an operator (whom it tells by mail). Confirming
/// again changes nothing. `None` for an unknown token or one older than
/// [`CONFIRM_HOURS`].
pub async fn confirm(tenancy: &Tenancy, token: &str) -> Result<Option<Progress>> {
    if !tokens::well_formed(token) {
        return Ok(None);
    }
    let mut tx = tenancy.pool().begin().await.map_err(TenancyError::from)?;
    let confirmed: Option<Progress> = sqlx::query_as(concat!(
        "UPDATE platform.signups
         SET status = CASE WHEN held_reason IS NULL THEN 'confirmed' ELSE 'held' END,
             confirmed_at = now()
         WHERE token_hash = $1 AND status = 'unconfirmed'
           AND created_at > now() - make_interval(hours => $2)
         RETURNING ",
        progress_columns!()
    ))
    .bind(tokens::digest(token))
    .bind(CONFIRM_HOURS)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(confirmed) = confirmed else {
        drop(tx);
        return progress(tenancy, token)
            .await
            .map(|p| p.filter(|p| p.status != Status::Unconfirmed));
    };
    if confirmed.status == Status::Held {
        crate::platform::tell_operators(&mut tx, "signup-review", "/console#signups").await?;
    } else {
        wake_provisioner(&mut tx).await?;
    }
    tx.commit().await.map_err(TenancyError::from)?;
    tenancy.jobs_committed();
    tracing::info!(signup.id = %confirmed.id, status = %confirmed.status, "council sign-up confirmed");
    Ok(Some(confirmed))
}

async fn wake_provisioner(tx: &mut sqlx::PgConnection) -> Result<()> {
    sqlx::query("SELECT pg_notify($1, '')")
        .bind(CHANNEL)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Issues the single-use welcome into the live site of the sign-up of
/// `token`: the new site's `/welcome?token=…` signs its first admin in.
/// Issuing again replaces the earlier one; `None` once used, or when the
/// site is not live.
pub async fn issue_welcome(tenancy: &Tenancy, token: &str) -> Result<Option<(String, String)>> {
    if !tokens::well_formed(token) {
        return Ok(None);
    }
    let welcome = tokens::new_token();
    let slug: Option<String> = sqlx::query_scalar(
        "UPDATE platform.signups
         SET welcome_hash = $2, welcome_expires_at = now() + make_interval(mins => $3)
         WHERE token_hash = $1 AND status = 'live' AND welcome_used_at IS NULL RETURNING slug",
    )
    .bind(tokens::digest(token))
    .bind(tokens::digest(&welcome))
    .bind(WELCOME_MINUTES)
    .fetch_optional(tenancy.pool())
    .await?;
    Ok(slug.map(|slug| (slug, welcome)))
}

/// Uses a welcome token on the council `tenant`: once, in time, and only
/// there. Returns the council account of its first admin.
pub async fn use_welcome(
    tenancy: &Tenancy,
    tenant: &cabildo_tenancy::Tenant,
    token: &str,
) -> Result<Option<crate::ids::UserId>> {
    if !tokens::well_formed(token) {
        return Ok(None);
    }
    let email: Option<String> = sqlx::query_scalar(
        "UPDATE platform.signups SET welcome_used_at = now()
         WHERE welcome_hash = $1 AND tenant_id = $2 AND welcome_used_at IS NULL
           AND welcome_expires_at > now() RETURNING email",
    )
    .bind(tokens::digest(token))
    .bind(tenant.id.0)
    .fetch_optional(tenancy.pool())
    .await?;
    let Some(email) = email else {
        return Ok(None);
    };
    tenancy
        .transaction(tenant, async |tx| {
            Ok::<_, Error>(
                sqlx::query_scalar(
                    "SELECT u.id FROM users u JOIN staff_roles r ON r.user_id = u.id
                     WHERE u.email = $1 AND r.role = 'admin'",
                )
                .bind(&email)
                .fetch_optional(tx.conn())
                .await?,
            )
        })
        .await
}

/// A sign-up in the operators' console.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Review {
    /// Its id.
    pub id: Uuid,
    /// Where it stands.
    pub status: Status,
    /// Why it waits, when held.
    pub held_reason: Option<HeldReason>,
    /// The council's name.
    pub council_name: String,
    /// Its INE code.
    pub ine_code: String,
    /// Residents.
    pub population: i32,
    /// The site's address.
    pub slug: String,
    /// Who signed up.
    pub person_name: String,
    /// Their email.
    pub email: String,
    /// Why creating it failed.
    pub error: Option<String>,
    /// When it was made.
    pub created_at: time::OffsetDateTime,
    /// Seconds from confirming to live.
    pub seconds_to_live: Option<f64>,
}

/// Sign-ups operators should see: every held or failed one, and the
/// others of the last 30 days, newest first.
pub async fn reviews(tenancy: &Tenancy) -> Result<Vec<Review>> {
    Ok(sqlx::query_as(
        "SELECT id, status, held_reason, council_name, ine_code, population, slug, person_name,
                email, error, created_at,
                extract(epoch FROM live_at - confirmed_at)::float8 AS seconds_to_live
         FROM platform.signups
         WHERE status IN ('held', 'failed') OR created_at > now() - interval '30 days'
         ORDER BY status IN ('held', 'failed') DESC, created_at DESC LIMIT 200",
    )
    .fetch_all(tenancy.pool())
    .await?)
}

/// What an operator decides about a held (or failed) sign-up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Create the council (again, after a failure).
    Approve,
    /// Refuse it.
    Reject,
}

/// Applies an operator's decision; `false` when the sign-up is not held
/// or failed (decided already). An approval mails the person a link to
/// follow their site being made and to enter it; a rejection tells them.
pub async fn decide(
    tenancy: &Tenancy,
    id: Uuid,
    operator: &str,
    decision: Decision,
) -> Result<bool> {
    let token = tokens::new_token();
    let mut tx = tenancy.pool().begin().await.map_err(TenancyError::from)?;
    let decided: Option<(String, String, String)> = sqlx::query_as(
        "UPDATE platform.signups
         SET status = $3, decided_by = $4, error = NULL,
             token_hash = CASE WHEN $3 = 'confirmed' THEN $5 ELSE token_hash END
         WHERE id = $1 AND status IN ('held', 'failed') AND ($2 OR status = 'held')
         RETURNING email, person_name, language",
    )
    .bind(id)
    .bind(decision == Decision::Approve)
    .bind(match decision {
        Decision::Approve => Status::Confirmed.as_str(),
        Decision::Reject => Status::Rejected.as_str(),
    })
    .bind(operator)
    .bind(tokens::digest(&token))
    .fetch_optional(&mut *tx)
    .await?;
    let Some((email, name, language)) = decided else {
        return Ok(false);
    };
    let mail = match decision {
        Decision::Approve => {
            wake_provisioner(&mut tx).await?;
            let link = format!("/signup/status?token={token}");
            signup_mail(&email, &name, &language, "signup-approved", &link)
        }
        Decision::Reject => signup_mail(&email, &name, &language, "signup-rejected", "/"),
    };
    Tenancy::enqueue_platform(&mut tx, &mail.job()).await?;
    tx.commit().await.map_err(TenancyError::from)?;
    tenancy.jobs_committed();
    tracing::info!(signup.id = %id, decision = ?decision, "council sign-up decided");
    Ok(true)
}

/// A sign-up the provisioner took.
#[derive(Debug, sqlx::FromRow)]
struct Claimed {
    id: Uuid,
    council_name: String,
    name_article: String,
    ine_code: String,
    slug: String,
    person_name: String,
    email: String,
    password_hash: Option<String>,
    language: String,
    plan: String,
}

/// Languages a council of `province` (INE code) offers from the start:
/// Spanish, and its region's co-official language.
fn languages_of(province: &str) -> Vec<String> {
    let regional = match province {
        "03" | "07" | "08" | "12" | "17" | "25" | "43" | "46" => Some("ca"),
        "01" | "20" | "31" | "48" => Some("eu"),
        "15" | "27" | "32" | "36" => Some("gl"),
        _ => None,
    };
    std::iter::once("es")
        .chain(regional)
        .map(str::to_owned)
        .collect()
}

/// The time zone of `province`: the Canary Islands keep their own.
fn time_zone_of(province: &str) -> &'static str {
    match province {
        "35" | "38" => "Atlantic/Canary",
        _ => "Europe/Madrid",
    }
}

/// Creates the council of the oldest confirmed sign-up, if any, and makes
/// its person the first admin. Needs the owner role (it creates the
/// council's role). Sign-ups left half-made by a provisioner that stopped
/// are taken again after five minutes. Returns the sign-up done.
pub async fn provision_next(
    owner: &Tenancy,
    migrations: &TenantMigrations,
) -> Result<Option<Uuid>> {
    let claimed: Option<Claimed> = sqlx::query_as(
        "UPDATE platform.signups SET status = 'provisioning', confirmed_at = coalesce(confirmed_at, now())
         WHERE id = (SELECT id FROM platform.signups
                     WHERE status = 'confirmed'
                        OR (status = 'provisioning' AND confirmed_at < now() - interval '5 minutes')
                     ORDER BY confirmed_at LIMIT 1 FOR UPDATE SKIP LOCKED)
         RETURNING id, council_name, name_article, ine_code, slug, person_name, email,
                   password_hash, language, plan",
    )
    .fetch_optional(owner.pool())
    .await?;
    let Some(claimed) = claimed else {
        return Ok(None);
    };
    match provision(owner, migrations, &claimed).await {
        Ok(tenant) => {
            sqlx::query(
                "UPDATE platform.signups SET status = 'live', tenant_id = $2, live_at = now(),
                        password_hash = NULL, error = NULL WHERE id = $1",
            )
            .bind(claimed.id)
            .bind(tenant.0)
            .execute(owner.pool())
            .await?;
            tracing::info!(signup.id = %claimed.id, tenant = %claimed.slug, "council sign-up live");
        }
        Err(error) => {
            tracing::error!(signup.id = %claimed.id, error = %error, "council sign-up failed");
            sqlx::query("UPDATE platform.signups SET status = 'failed', error = $2 WHERE id = $1")
                .bind(claimed.id)
                .bind(error.to_string())
                .execute(owner.pool())
                .await?;
        }
    }
    Ok(Some(claimed.id))
}

/// How often the provisioner looks for confirmed sign-ups when no
/// notification woke it (one was lost while reconnecting).
const PROVISIONER_POLL: std::time::Duration = std::time::Duration::from_secs(2);

/// Runs the provisioner until `shutdown` resolves: creates the council of
/// every confirmed sign-up, woken at once by [`CHANNEL`] and polling as a
/// fallback. `owner` must connect as the owner role.
pub async fn run_provisioner(
    owner: Tenancy,
    migrations: TenantMigrations,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let mut listener = None;
    tracing::info!("provisioner started");
    loop {
        if listener.is_none() {
            listener = match sqlx::postgres::PgListener::connect_with(owner.pool()).await {
                Ok(mut made) => match made.listen(CHANNEL).await {
                    Ok(()) => Some(made),
                    Err(error) => {
                        tracing::warn!(error = %error, "provisioner cannot listen; polling");
                        None
                    }
                },
                Err(error) => {
                    tracing::warn!(error = %error, "provisioner cannot listen; polling");
                    None
                }
            };
        }
        loop {
            match provision_next(&owner, &migrations).await {
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(error) => {
                    tracing::warn!(error = %error, "provisioner could not claim a sign-up");
                    break;
                }
            }
        }
        let woken = async {
            match listener.as_mut() {
                Some(listening) => {
                    if listening.recv().await.is_err() {
                        return false;
                    }
                    true
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = &mut shutdown => break,
            ok = woken => if !ok { listener = None },
            () = tokio::time::sleep(PROVISIONER_POLL) => {}
        }
    }
    tracing::info!("provisioner stopped");
}

async fn provision(
    owner: &Tenancy,
    migrations: &TenantMigrations,
    signup: &Claimed,
) -> Result<cabildo_tenancy::TenantId> {
    let province = signup.ine_code.get(..2).unwrap_or_default();
    let mut spec = CouncilSpec::minimal(&signup.slug, &signup.council_name);
    spec.article = Some(signup.name_article.clone()).filter(|a| !a.is_empty());
    spec.languages = languages_of(province);
    spec.default_language = Some("es".into());
    spec.time_zone = time_zone_of(province).into();
    let valid = spec.validate()?;
    let tenant = match owner.create(&valid, migrations).await {
        Ok(tenant) => tenant,
        // Made by an earlier attempt of this sign-up that stopped half-way.
        Err(TenancyError::Taken(_)) => match owner.find_tenant(&valid.slug).await? {
            Some(existing) if existing.status == cabildo_tenancy::TenantStatus::Provisioning => {
                owner.apply(&valid, migrations).await?.0
            }
            _ => return Err(Error::invalid(Field::Slug, Problem::SiteAddressTaken)),
        },
        Err(error) => return Err(error.into()),
    };
    // On the chosen plan with what it allows, free for its trial (a paid
    // plan: the longest trial offered), then held until it pays.
    sqlx::query(
        "UPDATE platform.tenants t SET ine_code = $2, plan = $3,
             entitlements = p.definition -> 'entitlements',
             trial_ends_at = CASE WHEN p.slug IS NOT NULL THEN now() + make_interval(days => d.days) END,
             held_from = CASE WHEN p.slug IS NOT NULL THEN now() + make_interval(days => d.days) END
         FROM (SELECT 1) one
         LEFT JOIN platform.plans p ON p.slug = $3
         CROSS JOIN LATERAL (SELECT coalesce((p.definition ->> 'trial_days')::int,
               (SELECT max((definition ->> 'trial_days')::int) FROM platform.plans WHERE offered),
               $4) AS days) d
         WHERE t.id = $1",
    )
    .bind(tenant.id.0)
    .bind(&signup.ine_code)
    .bind(&signup.plan)
    .bind(TRIAL_DAYS)
    .execute(owner.pool())
    .await?;
    let language = Some(signup.language.clone())
        .filter(|l| valid.spec.languages.contains(l))
        .unwrap_or_else(|| valid.default_language.clone());
    owner
        .transaction(&tenant, async |tx| {
            let nickname = validate::nickname(&slug_for(&signup.person_name))
                .unwrap_or_else(|_| format!("admin-{}", signup.slug).chars().take(30).collect());
            let user: Option<crate::ids::UserId> = sqlx::query_scalar(
                "INSERT INTO users (email, name, nickname, password_hash, language,
                                    newsletter_consent, email_confirmed_at, terms_accepted_at,
                                    nickname_skeleton)
                 VALUES ($1, $2, $3, $4, $5, false, now(), now(), $6)
                 ON CONFLICT DO NOTHING RETURNING id",
            )
            .bind(&signup.email)
            .bind(&signup.person_name)
            .bind(&nickname)
            .bind(&signup.password_hash)
            .bind(&language)
            .bind(validate::nickname_skeleton(&nickname))
            .fetch_optional(tx.conn())
            .await?;
            let user = match user {
                Some(user) => user,
                // A retried provisioning made the account already.
                None => {
                    sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
                        .bind(&signup.email)
                        .fetch_one(tx.conn())
                        .await?
                }
            };
            let actor = Actor("signup".into());
            staff::grant(tx, &actor, user, Role::Admin).await?;
            staff::audit(
                tx,
                &actor,
                "signup.live",
                Some(&user.to_string()),
                json!({"signup": signup.id, "ine_code": signup.ine_code, "plan": signup.plan}),
            )
            .await?;
            Ok::<_, Error>(())
        })
        .await?;
    Ok(tenant.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> SignupForm {
        SignupForm {
            council_name: "Ayuntamiento de Toledo".into(),
            article: "el".into(),
            municipality: "Toledo".into(),
            population: "85.000".into(),
            slug: "toledo".into(),
            name: "Ana Martín".into(),
            email: "ana.martin@toledo.es".into(),
            password: "una contraseña larga".into(),
            language: "es".into(),
            plan: "default".into(),
            accept_terms: true,
        }
    }

    fn problems(form: &SignupForm) -> Vec<(Field, Problem)> {
        match form.validate() {
            Ok(_) => Vec::new(),
            Err(Error::Invalid(errors)) => errors.iter().map(|e| (e.field, e.problem)).collect(),
            Err(other) => panic!("{other}"),
        }
    }

    #[test]
    fn a_complete_form_is_valid() {
        let valid = form().validate().expect("valid");
        assert_eq!(valid.municipality.code, "45168");
        assert_eq!(valid.population, 85_000);
        assert_eq!(valid.slug.as_str(), "toledo");
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let bad = SignupForm {
            council_name: "A".into(),
            article: "lo".into(),
            municipality: "Nowhere at all".into(),
            population: "many".into(),
            slug: "Toledo!".into(),
            name: String::new(),
            email: "not an address".into(),
            password: "short".into(),
            language: "fr".into(),
            plan: "Gold!".into(),
            accept_terms: false,
        };
        assert_eq!(
            problems(&bad),
            vec![
                (Field::CouncilName, Problem::CouncilNameInvalid),
                (Field::Article, Problem::Invalid),
                (Field::Municipality, Problem::MunicipalityUnknown),
                (Field::Population, Problem::PopulationInvalid),
                (Field::Slug, Problem::SiteAddressInvalid),
                (Field::Name, Problem::NameRequired),
                (Field::Email, Problem::EmailInvalid),
                (Field::Password, Problem::PasswordTooShort),
                (Field::Language, Problem::LanguageInvalid),
                (Field::Plan, Problem::Invalid),
                (Field::Terms, Problem::TermsRequired),
            ]
        );
        let reserved = SignupForm {
            slug: "www".into(),
            municipality: "Arroyomolinos".into(),
            ..form()
        };
        assert_eq!(
            problems(&reserved),
            vec![
                (Field::Municipality, Problem::MunicipalityAmbiguous),
                (Field::Slug, Problem::SiteAddressReserved),
            ]
        );
    }

    #[test]
    fn webmail_is_never_accepted_and_listed_domains_are() {
        let policy = Policy::default();
        assert!(policy.accepts("alcaldia@toledo.es"));
        assert!(policy.accepts("info@ajuntament.barcelona.cat"));
        assert!(!policy.accepts("someone@gmail.com"));
        assert!(!policy.accepts("someone@hotmail.es"), "webmail under .es");
        assert!(!policy.accepts("someone@example.org"));
        let narrow = Policy::parse("toledo.es, diputacion.example");
        assert!(narrow.accepts("a@toledo.es") && narrow.accepts("a@ayto.toledo.es"));
        assert!(narrow.accepts("a@diputacion.example"));
        assert!(!narrow.accepts("a@nottoledo.es") && !narrow.accepts("a@talavera.es"));
    }

    #[test]
    fn names_make_addresses() {
        assert_eq!(slug_for("Talavera de la Reina"), "talavera-de-la-reina");
        assert_eq!(slug_for("L'Ametlla de Mar"), "l-ametlla-de-mar");
        assert_eq!(slug_for("A Coruña"), "a-coruna");
        assert_eq!(slug_for("Castellón/Castelló"), "castellon-castello");
        assert!(slug_for(&"muy largo ".repeat(10)).len() <= cabildo_tenancy::SLUG_MAX);
    }

    #[test]
    fn regions_give_languages_and_time_zones() {
        assert_eq!(languages_of("08"), ["es", "ca"]);
        assert_eq!(languages_of("48"), ["es", "eu"]);
        assert_eq!(languages_of("45"), ["es"]);
        assert_eq!(time_zone_of("38"), "Atlantic/Canary");
        assert_eq!(time_zone_of("45"), "Europe/Madrid");
    }
}
