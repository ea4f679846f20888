//! Telling every node that a council changed, so that each drops its
//! cached copies (routes, site settings). Within a process the caches are
//! told directly; other processes hear it through Redis pub/sub.

use crate::Tenancy;
use crate::routing::{redis_key, slug_key};
use crate::tenant::Tenant;
use std::sync::Weak;
use std::time::Duration;

/// How long a process trusts its copy of a council's route or site
/// settings when changes are announced through Redis. Every change drops
/// the copies at once on every node, and a subscription drops every copy
/// when it is lost and when it is back, so this only bounds an
/// announcement lost unnoticed (a connection that died silently). Over a
/// fleet of thousands, most councils are visited less often than every
/// half minute: with a shorter bound, many of their requests would read
/// their settings and route again (docs/benchmarks.md, "Copies kept while
/// changes are announced").
const ANNOUNCED_TRUST: Duration = Duration::from_secs(300);

/// The same without Redis, or while it does not answer: other nodes'
/// changes are not heard, so the bound is all that ends a stale copy.
const UNANNOUNCED_TRUST: Duration = Duration::from_secs(30);

/// Cache key of a council's site settings.
pub(crate) fn site_key(tenant: &Tenant) -> String {
    format!("site:{}", tenant.id)
}

impl Tenancy {
    /// How long this process may trust a copy of a council's route or
    /// site settings made now: 5 minutes while changes are announced
    /// through Redis, 30 s without Redis or while it does not answer.
    pub fn trust_copies_for(&self) -> Duration {
        match self.cache() {
            Some(cache) if cache.reachable() => ANNOUNCED_TRUST,
            _ => UNANNOUNCED_TRUST,
        }
    }

    /// The council a change key names by id (`site:{id}`), if it is one.
    pub fn changed_council(key: &str) -> Option<crate::TenantId> {
        key.strip_prefix("site:")
            .and_then(|id| id.parse().ok())
            .map(crate::TenantId)
    }
}

/// A listener: given the changed keys (`None`: everything may have
/// changed), drops them; returns false once it is gone for good.
pub(crate) type Listener = Box<dyn Fn(Option<&[String]>) -> bool + Send + Sync>;

fn channel(tenancy: &Tenancy) -> String {
    format!("cabildo:{}:council-changed", tenancy.namespace())
}

impl Tenancy {
    /// Calls `listener` for every change announced by any node (this one
    /// included), and with `None` whenever the subscription is lost or
    /// (re)established, since messages may be missed while it is down.
    /// Without Redis, only this process's own changes are heard. The keys
    /// name what changed: `slug:{slug}`, `domain:{host}` and `site:{id}`
    /// (see [`Tenancy::changed_council`]); the listener returns false once
    /// it is gone for good.
    pub fn on_changes(&self, listener: impl Fn(Option<&[String]>) -> bool + Send + Sync + 'static) {
        let listener: std::sync::Arc<Listener> = std::sync::Arc::new(Box::new(listener));
        self.inner
            .listeners
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(std::sync::Arc::downgrade(&listener));
        if let Some(cache) = self.cache() {
            cache.subscribe(channel(self), move |message| {
                let keys: Option<Vec<String>> =
                    message.map(|m| m.lines().map(str::to_owned).collect());
                listener(keys.as_deref());
            });
        } else {
            // Keep the listener alive with the handle when nothing else does.
            self.inner
                .local_listeners
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(listener);
        }
    }

    /// Tells every node that `tenant` changed: drops its routes and site
    /// settings from this process's caches and from Redis, and broadcasts
    /// the change.
    pub async fn changed(&self, tenant: &Tenant) {
        self.changed_with(tenant, &[]).await;
    }

    /// [`Tenancy::changed`], also dropping `extra` route keys (a domain
    /// just removed, which the council's hosts no longer list).
    pub(crate) async fn changed_with(&self, tenant: &Tenant, extra: &[String]) {
        let mut keys = vec![slug_key(&tenant.slug), site_key(tenant)];
        keys.extend_from_slice(extra);
        match sqlx::query_scalar::<_, String>(
            "SELECT host FROM platform.tenant_hosts WHERE tenant_id = $1",
        )
        .bind(tenant.id.0)
        .fetch_all(self.pool())
        .await
        {
            Ok(hosts) => keys.extend(hosts.into_iter().map(|h| format!("domain:{h}"))),
            Err(error) => {
                tracing::warn!(error = %error, "could not list custom domains to invalidate")
            }
        }
        let listeners: Vec<_> = self
            .inner
            .listeners
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        for listener in listeners.iter().filter_map(Weak::upgrade) {
            listener(Some(&keys));
        }
        if let Some(cache) = self.cache() {
            let redis_keys: Vec<String> = keys.iter().map(|k| redis_key(self, k)).collect();
            cache.delete(&redis_keys).await;
            cache.publish(&channel(self), &keys.join("\n")).await;
        }
    }
}
