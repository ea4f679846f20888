//! Councils' own domains (`participa.toledo.es`): adding one, proving
//! control of it through DNS, choosing the one the site is served on, and
//! removing them.
//!
//! Proof is two DNS facts, looked up afresh at every check (the resolver
//! keeps no cache):
//! - a TXT record at `_cabildo.{domain}` holding `cabildo-verification=`
//!   and the token of this council's claim, and
//! - the domain pointing at the platform: its addresses (after following
//!   any CNAME) share one with the platform's target host. A CNAME to the
//!   target is what the page asks for; apex domains, which cannot have a
//!   CNAME, pass with A/AAAA records of the same addresses.
//!
//! A council's verified domain is the one requests for the council are
//! redirected to, so both facts are required: a domain that proves
//! ownership but points elsewhere would send every visitor away.

use crate::Tenancy;
use crate::error::{Result, TenancyError, unique_violation};
use crate::routing::normalize_host;
use crate::tenant::Tenant;
use hickory_resolver::TokioResolver;
use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::RData;
use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;

/// Most domains (verified or not) one council may have.
pub const MAX_DOMAINS: i64 = 5;

/// The label under the domain where the TXT record goes.
pub const TXT_LABEL: &str = "_cabildo";

/// What the TXT record's value starts with.
const TXT_PREFIX: &str = "cabildo-verification=";

/// A council's domain as its settings page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Domain {
    /// `participa.toledo.es`.
    pub host: String,
    /// When control of it was proven (or an operator verified it).
    pub verified_at: Option<OffsetDateTime>,
    /// Whether the site is served on it.
    pub primary: bool,
    /// The claim's token (none for domains operators typed in by hand).
    token: Option<String>,
    /// When it was last checked, and what was found.
    pub last_check: Option<(OffsetDateTime, Check)>,
}

impl Domain {
    /// Where the TXT record goes: `_cabildo.participa.toledo.es`.
    pub fn txt_name(&self) -> String {
        format!("{TXT_LABEL}.{}", self.host)
    }

    /// The TXT record's value, when the claim has a token.
    pub fn txt_value(&self) -> Option<String> {
        self.token.as_ref().map(|t| format!("{TXT_PREFIX}{t}"))
    }
}

/// What a DNS check found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// Both records are in place.
    Verified,
    /// No TXT record with this claim's token.
    TxtMissing,
    /// The TXT record is there, but the domain does not lead to the
    /// platform's addresses.
    NotPointing,
    /// The DNS did not answer (timeout, server failure).
    LookupFailed,
}

impl Check {
    /// The stable code stored and shown (`verified`, `txt_missing`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Verified => "verified",
            Self::TxtMissing => "txt_missing",
            Self::NotPointing => "not_pointing",
            Self::LookupFailed => "lookup_failed",
        }
    }

    fn parse(stored: &str) -> Option<Self> {
        [
            Self::Verified,
            Self::TxtMissing,
            Self::NotPointing,
            Self::LookupFailed,
        ]
        .into_iter()
        .find(|c| c.as_str() == stored)
    }
}

/// Why a domain was refused; each has a stable code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DomainRefusal {
    /// Not a host name with at least two labels and a top-level domain of
    /// letters (IP addresses included).
    #[error("not a domain name")]
    Invalid,
    /// The platform's own domain or one of its subdomains.
    #[error("a domain of the platform itself")]
    Platform,
    /// Another council has verified it.
    #[error("another council's domain")]
    Taken,
    /// This council has already added it.
    #[error("already added")]
    Exists,
    /// The council has [`MAX_DOMAINS`] already.
    #[error("too many domains")]
    Limit,
    /// Not one of this council's domains.
    #[error("no such domain")]
    Unknown,
    /// Not verified yet (cannot be made primary).
    #[error("not verified")]
    Unverified,
    /// The council's plan does not include own domains.
    #[error("the plan does not include own domains")]
    PlanRequired,
}

impl DomainRefusal {
    /// The stable code (`domain_invalid`, `domain_taken`, …).
    pub fn code(self) -> &'static str {
        match self {
            Self::Invalid => "domain_invalid",
            Self::Platform => "domain_platform",
            Self::Taken => "domain_taken",
            Self::Exists => "domain_exists",
            Self::Limit => "domain_limit",
            Self::Unknown => "domain_unknown",
            Self::Unverified => "domain_unverified",
            Self::PlanRequired => "plan_required",
        }
    }
}

/// The host name `raw` designates, if it can be a council's own domain
/// on a platform whose base domain is `base_domain`.
pub fn parse_domain(raw: &str, base_domain: &str) -> Result<String, DomainRefusal> {
    let raw = raw.trim();
    // People paste addresses: take the host out of `https://host/path`.
    let raw = raw
        .strip_prefix("https://")
        .or_else(|| raw.strip_prefix("http://"))
        .unwrap_or(raw);
    let raw = raw.split('/').next().unwrap_or_default();
    if raw.contains(':') {
        return Err(DomainRefusal::Invalid);
    }
    let host = normalize_host(raw).map_err(|_| DomainRefusal::Invalid)?;
    if host.is_ip {
        return Err(DomainRefusal::Invalid);
    }
    let name = host.name;
    let labels: Vec<&str> = name.split('.').collect();
    let tld = labels.last().copied().unwrap_or_default();
    let hyphen_edge = labels
        .iter()
        .any(|l| l.starts_with('-') || l.ends_with('-'));
    if labels.len() < 2 || tld.len() < 2 || !tld.bytes().all(|b| b.is_ascii_lowercase()) {
        return Err(DomainRefusal::Invalid);
    }
    if hyphen_edge {
        return Err(DomainRefusal::Invalid);
    }
    let base = base_domain.trim_end_matches('.');
    if name == base || name.ends_with(&format!(".{base}")) {
        return Err(DomainRefusal::Platform);
    }
    Ok(name)
}

/// How domains are checked.
#[derive(Clone, Debug)]
pub struct DnsConfig {
    /// The name server to ask (`127.0.0.1:5353`); the system's
    /// (`/etc/resolv.conf`) when `None`.
    pub server: Option<SocketAddr>,
    /// The host councils' domains point at with a CNAME.
    pub target: String,
    /// How long one lookup may take.
    pub timeout: Duration,
}

/// Looks domains up in the DNS. Cheap to clone.
#[derive(Clone)]
pub struct DomainChecker {
    resolver: Arc<TokioResolver>,
    target: Arc<str>,
}

impl std::fmt::Debug for DomainChecker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DomainChecker")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

impl DomainChecker {
    /// A checker asking `config.server` (or the system's name servers).
    pub fn new(config: &DnsConfig) -> Result<Self> {
        let provider = TokioRuntimeProvider::default();
        let mut builder = match config.server {
            Some(server) => {
                let mut udp = ConnectionConfig::udp();
                udp.port = server.port();
                let mut tcp = ConnectionConfig::tcp();
                tcp.port = server.port();
                let mut name_server = NameServerConfig::udp_and_tcp(server.ip());
                name_server.connections = vec![udp, tcp];
                let servers = ResolverConfig::from_name_servers(vec![name_server]);
                TokioResolver::builder_with_config(servers, provider)
            }
            None => TokioResolver::builder(provider)
                .map_err(|e| TenancyError::invalid("dns", e.to_string()))?,
        };
        let options: &mut ResolverOpts = builder.options_mut();
        // Every check must see the records as they are now: an admin fixes
        // a record and presses "check" again.
        options.cache_size = 0;
        options.timeout = config.timeout;
        options.attempts = 2;
        let resolver = builder
            .build()
            .map_err(|e| TenancyError::invalid("dns", e.to_string()))?;
        Ok(Self {
            resolver: Arc::new(resolver),
            target: config.target.trim_end_matches('.').into(),
        })
    }

    /// The host domains should point at.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// Looks up both records of `domain`'s claim.
    pub async fn check(&self, domain: &Domain) -> Check {
        let Some(expected) = domain.txt_value() else {
            return Check::TxtMissing;
        };
        match self.txt_values(&domain.txt_name()).await {
            Ok(values) if values.iter().any(|v| v.trim() == expected) => {}
            Ok(_) => return Check::TxtMissing,
            Err(()) => return Check::LookupFailed,
        }
        let (ours, theirs) =
            tokio::join!(self.addresses(&self.target), self.addresses(&domain.host));
        match (ours, theirs) {
            (Ok(ours), Ok(theirs)) if !ours.is_disjoint(&theirs) => Check::Verified,
            (Ok(_), Ok(_)) => Check::NotPointing,
            _ => Check::LookupFailed,
        }
    }

    /// The TXT strings at `name` (none when the name or record is absent).
    async fn txt_values(&self, name: &str) -> Result<Vec<String>, ()> {
        match self.resolver.txt_lookup(format!("{name}.")).await {
            Ok(lookup) => Ok((lookup.answers().iter())
                .filter_map(|record| match &record.data {
                    RData::TXT(txt) => Some(txt.to_string()),
                    _ => None,
                })
                .collect()),
            Err(error) if error.is_no_records_found() || error.is_nx_domain() => Ok(Vec::new()),
            Err(error) => {
                tracing::info!(name, error = %error, "TXT lookup failed");
                Err(())
            }
        }
    }

    /// The addresses `name` leads to (none when it does not exist).
    async fn addresses(&self, name: &str) -> Result<HashSet<IpAddr>, ()> {
        match self.resolver.lookup_ip(format!("{name}.")).await {
            Ok(lookup) => Ok(lookup.iter().collect()),
            Err(error) if error.is_no_records_found() || error.is_nx_domain() => Ok(HashSet::new()),
            Err(error) => {
                tracing::info!(name, error = %error, "address lookup failed");
                Err(())
            }
        }
    }
}

type DomainRow = (
    String,
    Option<OffsetDateTime>,
    bool,
    Option<String>,
    Option<OffsetDateTime>,
    Option<String>,
);

fn domain_from_row((host, verified_at, primary, token, checked_at, result): DomainRow) -> Domain {
    Domain {
        host,
        verified_at,
        primary,
        token,
        last_check: checked_at.zip(result.as_deref().and_then(Check::parse)),
    }
}

const DOMAIN_COLUMNS: &str = "h.host, h.verified_at, t.primary_host IS NOT DISTINCT FROM h.host,
     h.token, h.checked_at, h.check_result";

impl Tenancy {
    /// The council's domains, the one it is served on first, then by
    /// when they were added.
    pub async fn domains(&self, tenant: &Tenant) -> Result<Vec<Domain>> {
        let rows: Vec<DomainRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {DOMAIN_COLUMNS}
             FROM platform.tenant_hosts h JOIN platform.tenants t ON t.id = h.tenant_id
             WHERE h.tenant_id = $1
             ORDER BY t.primary_host IS NOT DISTINCT FROM h.host DESC, h.created_at, h.host"
        )))
        .bind(tenant.id.0)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(domain_from_row).collect())
    }

    async fn domain(&self, tenant: &Tenant, host: &str) -> Result<Option<Domain>> {
        let row: Option<DomainRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {DOMAIN_COLUMNS}
             FROM platform.tenant_hosts h JOIN platform.tenants t ON t.id = h.tenant_id
             WHERE h.tenant_id = $1 AND h.host = $2"
        )))
        .bind(tenant.id.0)
        .bind(host)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(domain_from_row))
    }

    /// Adds `raw` to the council's domains, unverified, with a new token,
    /// when the council's plan includes own domains. (Domains already
    /// added keep working when a plan is lowered.)
    pub async fn add_domain(
        &self,
        tenant: &Tenant,
        raw: &str,
        base_domain: &str,
    ) -> Result<Result<Domain, DomainRefusal>> {
        if !tenant.allows(crate::entitlements::Feature::CustomDomain) {
            return Ok(Err(DomainRefusal::PlanRequired));
        }
        let host = match parse_domain(raw, base_domain) {
            Ok(host) => host,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let mut tx = self.pool().begin().await?;
        // One council's additions queue behind each other, so the limit holds.
        sqlx::query("SELECT 1 FROM platform.tenants WHERE id = $1 FOR UPDATE")
            .bind(tenant.id.0)
            .execute(&mut *tx)
            .await?;
        let (count, mine, verified_elsewhere): (i64, bool, bool) = sqlx::query_as(
            "SELECT count(*) FILTER (WHERE tenant_id = $1),
                    coalesce(bool_or(tenant_id = $1 AND host = $2), false),
                    coalesce(bool_or(tenant_id <> $1 AND host = $2 AND verified_at IS NOT NULL), false)
             FROM platform.tenant_hosts WHERE tenant_id = $1 OR host = $2",
        )
        .bind(tenant.id.0)
        .bind(&host)
        .fetch_one(&mut *tx)
        .await?;
        let refusal = if mine {
            Some(DomainRefusal::Exists)
        } else if verified_elsewhere {
            Some(DomainRefusal::Taken)
        } else if count >= MAX_DOMAINS {
            Some(DomainRefusal::Limit)
        } else {
            None
        };
        if let Some(refusal) = refusal {
            return Ok(Err(refusal));
        }
        let token = uuid::Uuid::new_v4().simple().to_string();
        sqlx::query(
            "INSERT INTO platform.tenant_hosts (host, tenant_id, token) VALUES ($1, $2, $3)",
        )
        .bind(&host)
        .bind(tenant.id.0)
        .bind(&token)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        tracing::info!(tenant = %tenant.slug, host, "custom domain added");
        Ok(Ok(Domain {
            host,
            verified_at: None,
            primary: false,
            token: Some(token),
            last_check: None,
        }))
    }

    /// Looks `host`'s records up and stores what was found; a domain whose
    /// records are in place becomes verified, and the one the site is
    /// served on when the council has none yet. A verified domain stays
    /// verified when a later check fails (DNS hiccups must not take a
    /// site down); the page shows the failed check.
    pub async fn check_domain(
        &self,
        tenant: &Tenant,
        host: &str,
        checker: &DomainChecker,
    ) -> Result<Result<(Domain, Check), DomainRefusal>> {
        let Some(domain) = self.domain(tenant, host).await? else {
            return Ok(Err(DomainRefusal::Unknown));
        };
        let check = checker.check(&domain).await;
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "UPDATE platform.tenant_hosts SET checked_at = now(), check_result = $3
             WHERE tenant_id = $1 AND host = $2",
        )
        .bind(tenant.id.0)
        .bind(host)
        .bind(check.as_str())
        .execute(&mut *tx)
        .await?;
        let newly_verified = check == Check::Verified && domain.verified_at.is_none();
        if newly_verified {
            let verified = sqlx::query(
                "UPDATE platform.tenant_hosts SET verified_at = now()
                 WHERE tenant_id = $1 AND host = $2",
            )
            .bind(tenant.id.0)
            .bind(host)
            .execute(&mut *tx)
            .await;
            match verified {
                Ok(_) => {}
                Err(error) if unique_violation(&error) == Some("tenant_hosts_verified_idx") => {
                    return Ok(Err(DomainRefusal::Taken));
                }
                Err(error) => return Err(error.into()),
            }
            sqlx::query(
                "UPDATE platform.tenants SET primary_host = $2, updated_at = now()
                 WHERE id = $1 AND primary_host IS NULL",
            )
            .bind(tenant.id.0)
            .bind(host)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        if newly_verified {
            tracing::info!(tenant = %tenant.slug, host, "custom domain verified");
            self.changed(tenant).await;
        }
        let domain = self
            .domain(tenant, host)
            .await?
            .ok_or_else(|| TenancyError::NotFound(host.to_owned()))?;
        Ok(Ok((domain, check)))
    }

    /// Serves the council's site on `host`, one of its verified domains.
    pub async fn make_primary(
        &self,
        tenant: &Tenant,
        host: &str,
    ) -> Result<Result<(), DomainRefusal>> {
        let updated = sqlx::query(
            "UPDATE platform.tenants t SET primary_host = h.host, updated_at = now()
             FROM platform.tenant_hosts h
             WHERE t.id = $1 AND h.tenant_id = t.id AND h.host = $2 AND h.verified_at IS NOT NULL",
        )
        .bind(tenant.id.0)
        .bind(host)
        .execute(self.pool())
        .await?;
        if updated.rows_affected() == 0 {
            return Ok(Err(match self.domain(tenant, host).await? {
                Some(_) => DomainRefusal::Unverified,
                None => DomainRefusal::Unknown,
            }));
        }
        self.changed(tenant).await;
        Ok(Ok(()))
    }

    /// Removes `host` from the council's domains. When the site was served
    /// on it, another verified domain takes its place (the oldest), or the
    /// subdomain again.
    pub async fn remove_domain(
        &self,
        tenant: &Tenant,
        host: &str,
    ) -> Result<Result<(), DomainRefusal>> {
        let mut tx = self.pool().begin().await?;
        let removed =
            sqlx::query("DELETE FROM platform.tenant_hosts WHERE tenant_id = $1 AND host = $2")
                .bind(tenant.id.0)
                .bind(host)
                .execute(&mut *tx)
                .await?;
        if removed.rows_affected() == 0 {
            return Ok(Err(DomainRefusal::Unknown));
        }
        sqlx::query(
            "UPDATE platform.tenants SET updated_at = now(), primary_host = (
                 SELECT h.host FROM platform.tenant_hosts h
                 WHERE h.tenant_id = $1 AND h.verified_at IS NOT NULL
                 ORDER BY h.verified_at, h.host LIMIT 1)
             WHERE id = $1 AND primary_host = $2",
        )
        .bind(tenant.id.0)
        .bind(host)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        tracing::info!(tenant = %tenant.slug, host, "custom domain removed");
        self.changed_with(tenant, &[format!("domain:{host}")]).await;
        Ok(Ok(()))
    }

    /// Whether a reverse proxy may get a certificate for `host`: one of
    /// the platform's own names (the base domain, `www.`, a council's
    /// subdomain) or a council's verified domain.
    pub async fn tls_allowed(&self, host: &str, base_domain: &str) -> Result<bool> {
        let Ok(host) = normalize_host(host) else {
            return Ok(false);
        };
        if host.is_ip {
            return Ok(false);
        }
        let name = host.name;
        let base = base_domain.trim_end_matches('.');
        if name == base || name == format!("www.{base}") {
            return Ok(true);
        }
        if let Some(sub) = name.strip_suffix(&format!(".{base}")) {
            if sub.contains('.') {
                return Ok(false);
            }
            return Ok(sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM platform.tenants
                                WHERE slug = $1 AND status <> 'provisioning')",
            )
            .bind(sub)
            .fetch_one(self.pool())
            .await?);
        }
        Ok(sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM platform.tenant_hosts h
                            JOIN platform.tenants t ON t.id = h.tenant_id
                            WHERE h.host = $1 AND h.verified_at IS NOT NULL
                              AND t.status <> 'provisioning')",
        )
        .bind(&name)
        .fetch_one(self.pool())
        .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_domains_as_people_type_them() {
        let base = "cabildo.example";
        assert_eq!(
            parse_domain(" https://Participa.Toledo.es/ ", base).as_deref(),
            Ok("participa.toledo.es")
        );
        assert_eq!(parse_domain("toledo.es.", base).as_deref(), Ok("toledo.es"));
        for bad in [
            "",
            "toledo",
            "127.0.0.1",
            "[::1]",
            "toledo.es:8443",
            "toledo.1",
            "-toledo.es",
            "to ledo.es",
            "toledó.es",
        ] {
            assert_eq!(
                parse_domain(bad, base),
                Err(DomainRefusal::Invalid),
                "{bad:?}"
            );
        }
        assert_eq!(
            parse_domain("cabildo.example", base),
            Err(DomainRefusal::Platform)
        );
        assert_eq!(
            parse_domain("toledo.cabildo.example", base),
            Err(DomainRefusal::Platform)
        );
        assert_eq!(
            parse_domain("evilcabildo.example", base).as_deref(),
            Ok("evilcabildo.example")
        );
    }
}
