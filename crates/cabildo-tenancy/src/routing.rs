//! Host → council resolution: `{slug}.{base domain}` or a verified custom
//! domain, through an in-process cache, then Redis, then
//! PostgreSQL. A change to a council is broadcast through Redis so every
//! node drops its copy; without Redis, copies expire with the TTL.

use crate::Tenancy;
use crate::error::{Result, TenancyError};
use crate::slug::Slug;
use crate::tenant::{Tenant, TenantStatus};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Bound on the in-process cache; it is simply emptied when full.
const LOCAL_CAPACITY: usize = 100_000;

/// What a request's host designates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Site {
    /// The platform site on the bare base domain (and `www.`).
    Platform,
    /// A council's site.
    Council(Arc<Tenant>),
}

/// Why a `Host` header was refused outright (answer 400).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HostError {
    /// Missing or blank.
    #[error("the Host header is missing")]
    Empty,
    /// Longer than any valid host name.
    #[error("the Host header is too long")]
    TooLong,
    /// Not ASCII (internationalised names arrive punycoded).
    #[error("the Host header is not ASCII")]
    NotAscii,
    /// Not a host name, IP address or `host:port`.
    #[error("the Host header is malformed")]
    Malformed,
}

/// A normalised host: lower case, without port or trailing dot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NormalizedHost {
    /// The host name or IP address.
    pub name: String,
    /// Whether it is an IP address.
    pub is_ip: bool,
}

/// Normalises a `Host` header value.
pub fn normalize_host(raw: &str) -> Result<NormalizedHost, HostError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(HostError::Empty);
    }
    if raw.len() > 260 {
        return Err(HostError::TooLong);
    }
    if !raw.is_ascii() {
        return Err(HostError::NotAscii);
    }
    if let Some(rest) = raw.strip_prefix('[') {
        let (inside, after) = rest.split_once(']').ok_or(HostError::Malformed)?;
        let port_ok = after.is_empty() || after.strip_prefix(':').is_some_and(valid_port);
        return match inside.parse::<std::net::Ipv6Addr>() {
            Ok(ip) if port_ok => Ok(NormalizedHost {
                name: ip.to_string(),
                is_ip: true,
            }),
            _ => Err(HostError::Malformed),
        };
    }
    let name = match raw.split_once(':') {
        Some((name, port)) if valid_port(port) => name,
        Some(_) => return Err(HostError::Malformed),
        None => raw,
    };
    let name = name.to_ascii_lowercase();
    let name = name.strip_suffix('.').unwrap_or(&name);
    if name.len() > 253 {
        return Err(HostError::TooLong);
    }
    if name.parse::<IpAddr>().is_ok() {
        return Ok(NormalizedHost {
            name: name.to_owned(),
            is_ip: true,
        });
    }
    let labels_ok = name.split('.').all(|label| {
        (1..=63).contains(&label.len())
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    });
    if !labels_ok {
        return Err(HostError::Malformed);
    }
    Ok(NormalizedHost {
        name: name.to_owned(),
        is_ip: false,
    })
}

fn valid_port(port: &str) -> bool {
    !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit())
}

/// How a host maps onto the registry.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    Platform,
    /// Route key: `slug:<slug>` or `domain:<host>`.
    Key(String),
    Unknown,
}

fn target(host: &NormalizedHost, base_domain: &str) -> Target {
    if host.is_ip {
        return Target::Unknown;
    }
    let name = host.name.as_str();
    if name == base_domain || name.strip_prefix("www.") == Some(base_domain) {
        return Target::Platform;
    }
    match name
        .strip_suffix(base_domain)
        .and_then(|rest| rest.strip_suffix('.'))
    {
        Some(sub) if !sub.contains('.') => match Slug::parse(sub) {
            Ok(slug) => Target::Key(slug_key(&slug)),
            Err(_) => Target::Unknown,
        },
        Some(_) => Target::Unknown,
        None => Target::Key(format!("domain:{name}")),
    }
}

pub(crate) fn slug_key(slug: &Slug) -> String {
    format!("slug:{slug}")
}

/// Redis key of a route. Keys carry the database's namespace, so two
/// deployments (or every test's database) can share one Redis.
pub(crate) fn redis_key(tenancy: &Tenancy, route_key: &str) -> String {
    format!("cabildo:{}:route:{route_key}", tenancy.namespace())
}

/// Resolver settings.
#[derive(Clone, Debug)]
pub struct ResolverConfig {
    /// Base domain: councils live on `{slug}.{base_domain}`.
    pub base_domain: String,
    /// How long this process trusts its own copy of a council; `None`: as
    /// long as it trusts copies of council settings (5 minutes when
    /// changes are announced through Redis, 30 s without).
    pub local_ttl: Option<Duration>,
    /// How long this process remembers that a host is unknown.
    pub negative_ttl: Duration,
    /// How long Redis keeps a copy.
    pub redis_ttl: Duration,
}

impl ResolverConfig {
    /// Defaults for `base_domain`: a council's copy trusted as long as
    /// settings are, 5 s for unknown hosts, 5 min in Redis.
    pub fn new(base_domain: &str) -> Self {
        Self {
            base_domain: base_domain.trim_end_matches('.').to_ascii_lowercase(),
            local_ttl: None,
            negative_ttl: Duration::from_secs(5),
            redis_ttl: Duration::from_secs(300),
        }
    }
}

/// Expiry and value (`None`: unknown host) of a cached route.
type CachedEntry = (Instant, Option<Arc<Tenant>>);

/// The copy of routes held by one process.
#[derive(Default)]
pub(crate) struct RouteCache {
    entries: Mutex<HashMap<String, CachedEntry>>,
}

impl RouteCache {
    fn get(&self, key: &str) -> Option<Option<Arc<Tenant>>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        match entries.get(key) {
            Some((expires, value)) if *expires > Instant::now() => Some(value.clone()),
            _ => None,
        }
    }

    fn put(&self, key: String, value: Option<Arc<Tenant>>, ttl: Duration) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= LOCAL_CAPACITY {
            entries.clear();
        }
        entries.insert(key, (Instant::now() + ttl, value));
    }

    pub(crate) fn forget(&self, keys: Option<&[String]>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
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

/// What Redis stores per route key.
#[derive(Serialize, Deserialize)]
struct CachedRoute {
    tenant: Option<CachedTenant>,
}

#[derive(Serialize, Deserialize)]
struct CachedTenant {
    id: uuid::Uuid,
    slug: String,
    name: String,
    status: TenantStatus,
    #[serde(default)]
    domain: Option<String>,
    #[serde(default)]
    entitlements: Option<crate::entitlements::Entitlements>,
}

/// Resolves hosts to sites. One per process; cheap to clone.
#[derive(Clone)]
pub struct Resolver {
    tenancy: Tenancy,
    config: Arc<ResolverConfig>,
    local: Arc<RouteCache>,
}

impl Resolver {
    /// Creates the resolver; it listens for council changes from every node.
    pub fn new(tenancy: Tenancy, config: ResolverConfig) -> Self {
        let local = Arc::new(RouteCache::default());
        let weak = Arc::downgrade(&local);
        tenancy.on_changes(move |keys| match weak.upgrade() {
            Some(local) => {
                local.forget(keys);
                true
            }
            None => false,
        });
        Self {
            tenancy,
            config: Arc::new(config),
            local,
        }
    }

    /// The base domain.
    pub fn base_domain(&self) -> &str {
        &self.config.base_domain
    }

    /// The site a `Host` header designates: `Ok(None)` for unknown hosts
    /// (and councils still being provisioned).
    pub async fn resolve(&self, raw_host: &str) -> Result<Option<Site>, ResolveError> {
        let host = normalize_host(raw_host).map_err(ResolveError::BadHost)?;
        let key = match target(&host, &self.config.base_domain) {
            Target::Platform => return Ok(Some(Site::Platform)),
            Target::Unknown => return Ok(None),
            Target::Key(key) => key,
        };
        let tenant = self.lookup(key).await.map_err(ResolveError::Database)?;
        Ok(tenant.map(Site::Council))
    }

    async fn lookup(&self, key: String) -> Result<Option<Arc<Tenant>>> {
        if let Some(hit) = self.local.get(&key) {
            return Ok(hit);
        }
        let tenant = match self.lookup_redis(&key).await {
            Some(tenant) => tenant,
            None => {
                let tenant = self.lookup_database(&key).await?.map(Arc::new);
                if let Some(cache) = self.tenancy.cache() {
                    let stored = CachedRoute {
                        tenant: tenant.as_ref().map(|t| CachedTenant {
                            id: t.id.0,
                            slug: t.slug.to_string(),
                            name: t.name.clone(),
                            status: t.status,
                            domain: t.domain.clone(),
                            entitlements: t.entitlements.as_deref().cloned(),
                        }),
                    };
                    if let Ok(json) = serde_json::to_string(&stored) {
                        let ttl = if tenant.is_some() {
                            self.config.redis_ttl
                        } else {
                            self.config.negative_ttl
                        };
                        cache.set(&redis_key(&self.tenancy, &key), &json, ttl).await;
                    }
                }
                tenant
            }
        };
        let ttl = if tenant.is_some() {
            self.config
                .local_ttl
                .unwrap_or_else(|| self.tenancy.trust_copies_for())
        } else {
            self.config.negative_ttl
        };
        self.local.put(key, tenant.clone(), ttl);
        Ok(tenant)
    }

    async fn lookup_redis(&self, key: &str) -> Option<Option<Arc<Tenant>>> {
        let json = self
            .tenancy
            .cache()?
            .get(&redis_key(&self.tenancy, key))
            .await?;
        let stored: CachedRoute = serde_json::from_str(&json).ok()?;
        match stored.tenant {
            None => Some(None),
            Some(t) => {
                let mut tenant = self
                    .tenancy
                    .tenant_from_parts(t.id, &t.slug, t.name, t.status.as_str(), t.domain)
                    .ok()?;
                tenant.entitlements = t.entitlements.map(Arc::new);
                Some(Some(Arc::new(tenant)))
            }
        }
    }

    async fn lookup_database(&self, key: &str) -> Result<Option<Tenant>> {
        let row: Option<crate::TenantRow> = if let Some(slug) = key.strip_prefix("slug:") {
            sqlx::query_as(
                "SELECT id, slug, name, status, primary_host, entitlements, held_from FROM platform.tenants
                 WHERE slug = $1 AND status <> 'provisioning'",
            )
            .bind(slug)
            .fetch_optional(self.tenancy.pool())
            .await?
        } else if let Some(host) = key.strip_prefix("domain:") {
            sqlx::query_as(
                "SELECT t.id, t.slug, t.name, t.status, t.primary_host, t.entitlements, t.held_from
                 FROM platform.tenant_hosts h JOIN platform.tenants t ON t.id = h.tenant_id
                 WHERE h.host = $1 AND h.verified_at IS NOT NULL AND t.status <> 'provisioning'",
            )
            .bind(host)
            .fetch_optional(self.tenancy.pool())
            .await?
        } else {
            None
        };
        row.map(|row| self.tenancy.tenant_from_row(row)).transpose()
    }
}

/// Why a host could not be resolved.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// The `Host` header is unusable (answer 400).
    #[error(transparent)]
    BadHost(HostError),
    /// The registry could not be read (answer 503 when unavailable).
    #[error("council lookup failed")]
    Database(#[source] TenancyError),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(name: &str) -> NormalizedHost {
        normalize_host(name).expect("valid host")
    }

    #[test]
    fn normalises_case_port_and_trailing_dot() {
        assert_eq!(host("Toledo.LocalHost:8080").name, "toledo.localhost");
        assert_eq!(host("toledo.localhost.").name, "toledo.localhost");
        assert_eq!(host("toledo.localhost.:80").name, "toledo.localhost");
        assert_eq!(host("  toledo.localhost ").name, "toledo.localhost");
        assert!(host("127.0.0.1:8080").is_ip);
        assert!(host("[::1]:8080").is_ip);
    }

    #[test]
    fn refuses_hostile_hosts() {
        assert_eq!(normalize_host(""), Err(HostError::Empty));
        assert_eq!(normalize_host(&"a".repeat(300)), Err(HostError::TooLong));
        assert_eq!(
            normalize_host(&format!("{}.localhost", "a.".repeat(130))),
            Err(HostError::TooLong)
        );
        assert_eq!(normalize_host("toledó.localhost"), Err(HostError::NotAscii));
        for bad in [
            "to ledo.localhost",
            "a..b",
            "x:abc",
            "x:1:2",
            "[::1",
            "[zz]:80",
            "t_x.localhost",
            "a/b",
            "x:",
            "x:123456",
        ] {
            assert_eq!(normalize_host(bad), Err(HostError::Malformed), "{bad:?}");
        }
    }

    #[test]
    fn maps_hosts_onto_the_registry() {
        let base = "localhost";
        assert_eq!(target(&host("localhost"), base), Target::Platform);
        assert_eq!(target(&host("www.localhost"), base), Target::Platform);
        assert_eq!(
            target(&host("toledo.localhost"), base),
            Target::Key("slug:toledo".into())
        );
        assert_eq!(target(&host("a.toledo.localhost"), base), Target::Unknown);
        assert_eq!(target(&host("admin.localhost"), base), Target::Unknown);
        assert_eq!(target(&host("ab.localhost"), base), Target::Unknown);
        assert_eq!(target(&host("127.0.0.1"), base), Target::Unknown);
        assert_eq!(target(&host("[::1]"), base), Target::Unknown);
        assert_eq!(
            target(&host("participa.toledo.es"), base),
            Target::Key("domain:participa.toledo.es".into())
        );
        // A look-alike suffix is not the base domain.
        assert_eq!(
            target(&host("toledoxlocalhost"), base),
            Target::Key("domain:toledoxlocalhost".into())
        );
        assert_eq!(
            target(&host("evil-localhost"), base),
            Target::Key("domain:evil-localhost".into())
        );
    }
}
