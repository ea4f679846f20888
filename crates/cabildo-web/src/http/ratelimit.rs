//! Rate limits on account actions: fixed windows counted in Redis (shared
//! by every node), or in this process when Redis is down. A limit only
//! ever delays: nothing locks an account for good.

use cabildo_tenancy::{SharedCache, TenantId};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One limit: at most `max` hits per `window`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// Hits allowed per window.
    pub max: u64,
    /// Window length.
    pub window: Duration,
}

impl Limit {
    /// `max` hits per `seconds`.
    pub const fn per(max: u64, seconds: u64) -> Self {
        Self {
            max,
            window: Duration::from_secs(seconds),
        }
    }
}

/// What is limited.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// Login attempts from one address.
    LoginIp,
    /// Login attempts against one account from one network (see
    /// [`account_from`]).
    LoginAccount,
    /// Registrations from one address.
    Register,
    /// Password reset requests for one email address.
    ResetAddress,
    /// Password reset requests from one address.
    ResetIp,
    /// Pictures kept for one person.
    UploadPerson,
    /// Pictures kept for one council (all its people and staff).
    UploadCouncil,
    /// Council sign-ups from one network (IPv4 /24, IPv6 /64).
    SignupNetwork,
    /// Council sign-ups for one email address.
    SignupAddress,
}

impl Action {
    fn name(self) -> &'static str {
        match self {
            Self::LoginIp => "login-ip",
            Self::LoginAccount => "login-account",
            Self::Register => "register",
            Self::ResetAddress => "reset-address",
            Self::ResetIp => "reset-ip",
            Self::UploadPerson => "upload-person",
            Self::UploadCouncil => "upload-council",
            Self::SignupNetwork => "signup-network",
            Self::SignupAddress => "signup-address",
        }
    }
}

/// The subject of [`Action::LoginAccount`]: the account and the network
/// the attempt comes from (IPv4 /24, IPv6 /64). Someone guessing from
/// their network locks the account there only; its owner, elsewhere, still
/// gets in (and [`Action::LoginIp`] bounds each address).
pub fn account_from(email: &str, ip: std::net::IpAddr) -> String {
    format!("{} {}", email.trim().to_lowercase(), network_of(ip))
}

/// The network an address belongs to, as limits count it: IPv4 /24,
/// IPv6 /64.
pub fn network_of(ip: std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.0/24")
        }
        std::net::IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

/// The limits of a deployment.
#[derive(Clone, Debug)]
pub struct RateLimits {
    /// Per action.
    pub limits: HashMap<Action, Limit>,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            limits: HashMap::from([
                (Action::LoginIp, Limit::per(30, 300)),
                (Action::LoginAccount, Limit::per(10, 300)),
                (Action::Register, Limit::per(10, 3600)),
                // At most one reset mail per 20 s per address.
                (Action::ResetAddress, Limit::per(1, 20)),
                (Action::ResetIp, Limit::per(20, 3600)),
                // 5 MB each at most: 150 MB a person, 5 GB a council an hour.
                (Action::UploadPerson, Limit::per(30, 3600)),
                (Action::UploadCouncil, Limit::per(1000, 3600)),
                // A council signs up once; a consultancy may set up a few
                // in an afternoon from one office.
                (Action::SignupNetwork, Limit::per(10, 3600)),
                (Action::SignupAddress, Limit::per(3, 86_400)),
            ]),
        }
    }
}

impl RateLimits {
    /// Parses `login-ip=30/300,reset-address=1/20` (hits/seconds) over the
    /// defaults.
    pub fn parse(spec: &str) -> Result<Self, String> {
        let mut limits = Self::default();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, value) = part
                .split_once('=')
                .ok_or_else(|| format!("{part:?}: expected name=hits/seconds"))?;
            let action = [
                Action::LoginIp,
                Action::LoginAccount,
                Action::Register,
                Action::ResetAddress,
                Action::ResetIp,
                Action::UploadPerson,
                Action::UploadCouncil,
                Action::SignupNetwork,
                Action::SignupAddress,
            ]
            .into_iter()
            .find(|a| a.name() == name.trim())
            .ok_or_else(|| format!("{name:?}: unknown limit"))?;
            let (max, seconds) = value
                .split_once('/')
                .and_then(|(m, s)| Some((m.trim().parse().ok()?, s.trim().parse().ok()?)))
                .filter(|&(m, s): &(u64, u64)| m > 0 && s > 0)
                .ok_or_else(|| format!("{part:?}: expected positive hits/seconds"))?;
            limits.limits.insert(action, Limit::per(max, seconds));
        }
        Ok(limits)
    }
}

/// Counts hits.
pub struct Limiter {
    limits: RateLimits,
    cache: Option<SharedCache>,
    namespace: String,
    local: Mutex<HashMap<String, (u64, Instant)>>,
}

impl Limiter {
    /// A limiter with `limits`, counting in `cache` when it answers.
    pub fn new(limits: RateLimits, cache: Option<SharedCache>, namespace: &str) -> Self {
        Self {
            limits,
            cache,
            namespace: namespace.to_owned(),
            local: Mutex::default(),
        }
    }

    /// Counts a hit of `action` by `subject` (an address, an email) on
    /// `tenant`; `Err(seconds)` to wait when over the limit. Subjects are
    /// hashed: keys never hold an email address.
    pub async fn hit(&self, tenant: TenantId, action: Action, subject: &str) -> Result<(), u64> {
        let Some(limit) = self.limits.limits.get(&action).copied() else {
            return Ok(());
        };
        let digest = Sha256::digest(subject.as_bytes());
        let key = format!(
            "cabildo:{}:rl:{}:{}:{}",
            self.namespace,
            tenant.0,
            action.name(),
            digest[..12]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        let counted = match &self.cache {
            Some(cache) => cache.hit(&key, limit.window).await,
            None => None,
        };
        let (count, retry_after) = counted.unwrap_or_else(|| self.hit_locally(key, limit));
        if count > limit.max {
            Err(retry_after.max(1))
        } else {
            Ok(())
        }
    }

    fn hit_locally(&self, key: String, limit: Limit) -> (u64, u64) {
        let now = Instant::now();
        let mut local = self.local.lock().unwrap_or_else(|e| e.into_inner());
        if local.len() > 100_000 {
            local.retain(|_, (_, start)| {
                now.duration_since(*start) < limit.window.max(Duration::from_secs(3600))
            });
        }
        let entry = local.entry(key).or_insert((0, now));
        if now.duration_since(entry.1) >= limit.window {
            *entry = (0, now);
        }
        entry.0 += 1;
        let left = limit.window.saturating_sub(now.duration_since(entry.1));
        (entry.0, left.as_secs().max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_limits_count_per_network() {
        let v4 = |s: &str| s.parse::<std::net::IpAddr>().expect("ip");
        assert_eq!(
            account_from(" Ana@X.es", v4("203.0.113.7")),
            "ana@x.es 203.0.113.0/24"
        );
        assert_eq!(
            account_from("ana@x.es", v4("203.0.113.200")),
            account_from("ana@x.es", v4("203.0.113.7"))
        );
        assert_ne!(
            account_from("ana@x.es", v4("198.51.100.7")),
            account_from("ana@x.es", v4("203.0.113.7"))
        );
        assert_eq!(
            account_from("ana@x.es", v4("2001:db8:1:2:3:4:5:6")),
            "ana@x.es 2001:db8:1:2::/64"
        );
    }

    #[test]
    fn limits_parse_over_the_defaults_and_refuse_nonsense() {
        let limits = RateLimits::parse("login-ip=5/60, reset-address=2/30").expect("parse");
        assert_eq!(limits.limits[&Action::LoginIp], Limit::per(5, 60));
        assert_eq!(limits.limits[&Action::ResetAddress], Limit::per(2, 30));
        assert_eq!(limits.limits[&Action::Register], Limit::per(10, 3600));
        for bad in ["login-ip", "nope=1/2", "login-ip=0/5", "login-ip=a/5"] {
            assert!(RateLimits::parse(bad).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn without_redis_the_process_counts_and_the_window_passes() {
        let limits = RateLimits {
            limits: HashMap::from([(Action::LoginIp, Limit::per(2, 1))]),
        };
        let limiter = Limiter::new(limits, None, "test");
        let tenant = TenantId(uuid::Uuid::new_v4());
        assert_eq!(
            limiter.hit(tenant, Action::LoginIp, "1.2.3.4").await,
            Ok(())
        );
        assert_eq!(
            limiter.hit(tenant, Action::LoginIp, "1.2.3.4").await,
            Ok(())
        );
        assert_eq!(
            limiter.hit(tenant, Action::LoginIp, "1.2.3.4").await,
            Err(1)
        );
        assert_eq!(
            limiter.hit(tenant, Action::LoginIp, "5.6.7.8").await,
            Ok(()),
            "per subject"
        );
        let other = TenantId(uuid::Uuid::new_v4());
        assert_eq!(
            limiter.hit(other, Action::LoginIp, "1.2.3.4").await,
            Ok(()),
            "per council"
        );
        tokio::time::sleep(Duration::from_millis(1100)).await;
        assert_eq!(
            limiter.hit(tenant, Action::LoginIp, "1.2.3.4").await,
            Ok(()),
            "no lockout"
        );
    }
}
