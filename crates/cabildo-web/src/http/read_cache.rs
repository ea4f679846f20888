//! Short-lived copies of what the public participation pages read
//! (processes, proposal and debate lists, comment threads, search
//! results), per council, so that a popular page does not cost the
//! database a transaction per view.
//!
//! A change made through any node drops the council's copies: at once on
//! that node, and through Redis on the others (without Redis, after at
//! most [`TTL`]). Supports do not drop copies: support counts in lists may
//! lag by up to [`TTL`]; the proposal page reads its own count fresh.

use cabildo_tenancy::{SharedCache, TenantId};
use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a copy is used at most, unless configured otherwise
/// ([`crate::WebConfig::read_cache_ttl`]).
pub const TTL: Duration = Duration::from_secs(5);
/// Copies kept at most (all are dropped when full: they are cheap to redo).
const CAPACITY: usize = 20_000;

type Value = Arc<dyn Any + Send + Sync>;

/// A copy, or the read that will fill it: readers who come while it runs
/// wait for it instead of running the same read (one read per key at a
/// time, so an expired popular page does not send every waiting request
/// to the database at once).
type Slot = Arc<tokio::sync::OnceCell<Value>>;

#[derive(Default)]
struct Inner {
    /// Copies by council and key, with when they were read and the
    /// council's generation they were read in.
    entries: HashMap<(TenantId, String), (Slot, Instant, u64)>,
    /// Bumped by every change to the council's participation.
    generations: HashMap<TenantId, u64>,
}

/// The copies, shared by the handlers of one process.
#[derive(Clone)]
pub struct ReadCache {
    inner: Arc<Mutex<Inner>>,
    redis: Option<(SharedCache, String)>,
    ttl: Duration,
}

impl ReadCache {
    /// Copies kept for `ttl` that hear of other nodes' changes through
    /// `redis`.
    pub fn new(redis: Option<SharedCache>, namespace: &str, ttl: Duration) -> Self {
        let inner: Arc<Mutex<Inner>> = Arc::default();
        let redis = redis.map(|cache| {
            let channel = format!("cabildo:{namespace}:reads-changed");
            let heard = Arc::downgrade(&inner);
            cache.subscribe(channel.clone(), move |message| {
                if let Some(inner) = heard.upgrade() {
                    let mut inner = inner.lock().unwrap_or_else(|e| e.into_inner());
                    match message.as_deref().and_then(|m| m.parse().ok()) {
                        Some(tenant) => bump(&mut inner, TenantId(tenant)),
                        // Lost or (re)subscribed: changes may be missed.
                        None => inner.entries.clear(),
                    }
                }
            });
            (cache, channel)
        });
        Self { inner, redis, ttl }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The copy of `key`, or what `load` reads (then kept). A change that
    /// lands while `load` runs leaves the result unkept for later readers.
    pub async fn get_or_load<T, E, F, Fut>(
        &self,
        tenant: TenantId,
        key: String,
        load: F,
    ) -> Result<Arc<T>, E>
    where
        T: Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        // The type is part of the key, so a copy is always of the type read.
        let key = format!("{key}:{:?}", std::any::TypeId::of::<T>());
        let slot = {
            let mut inner = self.lock();
            let generation = inner.generations.get(&tenant).copied().unwrap_or(0);
            let fresh = inner
                .entries
                .get(&(tenant, key.clone()))
                .filter(|(_, at, read_in)| *read_in == generation && at.elapsed() < self.ttl)
                .map(|(slot, _, _)| slot.clone());
            match fresh {
                Some(slot) => slot,
                None => {
                    if inner.entries.len() >= CAPACITY {
                        inner.entries.clear();
                    }
                    let slot = Slot::default();
                    inner
                        .entries
                        .insert((tenant, key), (slot.clone(), Instant::now(), generation));
                    slot
                }
            }
        };
        let value = slot
            .get_or_try_init(|| async {
                let value: Value = Arc::new(load().await?);
                Ok::<_, E>(value)
            })
            .await?;
        Ok(value
            .clone()
            .downcast::<T>()
            .unwrap_or_else(|_| unreachable!("copies are keyed by their type")))
    }

    /// Drops the council's copies here and, through Redis, on every node.
    pub async fn changed(&self, tenant: TenantId) {
        bump(&mut self.lock(), tenant);
        if let Some((cache, channel)) = &self.redis {
            cache.publish(channel, &tenant.0.to_string()).await;
        }
    }
}

fn bump(inner: &mut Inner, tenant: TenantId) {
    *inner.generations.entry(tenant).or_default() += 1;
    inner.entries.retain(|(t, _), _| *t != tenant);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn copies_are_reused_until_a_change_and_only_for_their_council() {
        let cache = ReadCache::new(None, "test", TTL);
        let (a, b) = (
            TenantId(uuid::Uuid::new_v4()),
            TenantId(uuid::Uuid::new_v4()),
        );
        let read = |n: i32| async move { Ok::<_, std::convert::Infallible>(n) };
        assert_eq!(
            *cache
                .get_or_load(a, "k".into(), || read(1))
                .await
                .ok()
                .unwrap_or_default(),
            1
        );
        assert_eq!(
            *cache
                .get_or_load(a, "k".into(), || read(2))
                .await
                .ok()
                .unwrap_or_default(),
            1
        );
        assert_eq!(
            *cache
                .get_or_load(b, "k".into(), || read(3))
                .await
                .ok()
                .unwrap_or_default(),
            3
        );
        cache.changed(a).await;
        assert_eq!(
            *cache
                .get_or_load(a, "k".into(), || read(4))
                .await
                .ok()
                .unwrap_or_default(),
            4
        );
        assert_eq!(
            *cache
                .get_or_load(b, "k".into(), || read(5))
                .await
                .ok()
                .unwrap_or_default(),
            3
        );
    }

    #[tokio::test]
    async fn a_change_during_a_read_leaves_the_result_unkept() {
        let cache = ReadCache::new(None, "test", TTL);
        let tenant = TenantId(uuid::Uuid::new_v4());
        let during = cache.clone();
        let first = cache
            .get_or_load(tenant, "k".into(), || async move {
                during.changed(tenant).await;
                Ok::<_, std::convert::Infallible>(1)
            })
            .await
            .ok()
            .unwrap_or_default();
        assert_eq!(*first, 1);
        let second = cache
            .get_or_load(tenant, "k".into(), || async {
                Ok::<_, std::convert::Infallible>(2)
            })
            .await
            .ok()
            .unwrap_or_default();
        assert_eq!(*second, 2);
    }
}
