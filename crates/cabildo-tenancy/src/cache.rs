//! Redis as a shared cache and a broadcast bus between nodes. Never the only
//! copy of anything: when Redis is down every call here is a quick miss or a
//! no-op, and callers fall back to PostgreSQL.

use futures_util::StreamExt;
use redis::AsyncCommands;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// After a failure, Redis is not asked again for this long, so a dead
/// server costs requests nothing.
const BACKOFF_AFTER_FAILURE: Duration = Duration::from_secs(2);
const TIMEOUT: Duration = Duration::from_millis(300);

/// A Redis connection shared by the whole process. Cheap to clone.
#[derive(Clone)]
pub struct SharedCache {
    client: redis::Client,
    conn: ConnectionManager,
    epoch: Instant,
    /// Milliseconds since `epoch` before which Redis is considered down.
    down_until: Arc<AtomicU64>,
}

impl SharedCache {
    /// Prepares a connection to `url` without connecting: a Redis that is
    /// down at start is no error (only a malformed URL is).
    pub fn new(url: &str) -> Result<Self, redis::RedisError> {
        let client = redis::Client::open(url)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(TIMEOUT))
            .set_response_timeout(Some(TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(200));
        let conn = ConnectionManager::new_lazy_with_config(client.clone(), config)?;
        Ok(Self {
            client,
            conn,
            epoch: Instant::now(),
            down_until: Arc::new(AtomicU64::new(0)),
        })
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn available(&self) -> bool {
        self.now_ms() >= self.down_until.load(Ordering::Relaxed)
    }

    fn failed(&self, error: &redis::RedisError) {
        tracing::warn!(error = %error, "redis unavailable; falling back");
        let until = self.now_ms() + u64::try_from(BACKOFF_AFTER_FAILURE.as_millis()).unwrap_or(0);
        self.down_until.store(until, Ordering::Relaxed);
    }

    async fn run<T>(
        &self,
        op: impl AsyncFnOnce(&mut ConnectionManager) -> redis::RedisResult<T>,
    ) -> Option<T> {
        if !self.available() {
            return None;
        }
        let mut conn = self.conn.clone();
        match tokio::time::timeout(TIMEOUT * 2, op(&mut conn)).await {
            Ok(Ok(value)) => Some(value),
            Ok(Err(error)) => {
                self.failed(&error);
                None
            }
            Err(_) => {
                self.failed(&redis::RedisError::from((
                    redis::ErrorKind::Io,
                    "timed out",
                )));
                None
            }
        }
    }

    /// The value at `key`, or `None` when missing or Redis is down.
    pub async fn get(&self, key: &str) -> Option<String> {
        self.run(async |conn| conn.get::<_, Option<String>>(key).await)
            .await
            .flatten()
    }

    /// Stores `value` at `key` for `ttl`.
    pub async fn set(&self, key: &str, value: &str, ttl: Duration) {
        self.run(async |conn| {
            conn.set_ex::<_, _, ()>(key, value, ttl.as_secs().max(1))
                .await
        })
        .await;
    }

    /// Counts one hit on `key` in a fixed window of `window` starting at
    /// its first hit: returns the hits so far and the seconds until the
    /// window ends, or `None` when Redis is down (callers fall back).
    pub async fn hit(&self, key: &str, window: Duration) -> Option<(u64, u64)> {
        let seconds = window.as_secs().max(1);
        self.run(async |conn| {
            let (count, ttl): (u64, i64) = redis::pipe()
                .atomic()
                .incr(key, 1)
                .cmd("EXPIRE")
                .arg(key)
                .arg(seconds)
                .arg("NX")
                .ignore()
                .ttl(key)
                .query_async(conn)
                .await?;
            Ok((count, u64::try_from(ttl).unwrap_or(seconds)))
        })
        .await
    }

    /// Deletes `keys`.
    pub async fn delete(&self, keys: &[String]) {
        if keys.is_empty() {
            return;
        }
        // One command per key: keys may hash to different Redis Cluster slots.
        for key in keys {
            self.run(async |conn| conn.del::<_, ()>(key).await).await;
        }
    }

    /// Publishes `message` on `channel`.
    pub async fn publish(&self, channel: &str, message: &str) {
        self.run(async |conn| conn.publish::<_, _, ()>(channel, message).await)
            .await;
    }

    /// Whether Redis answers a `PING` now (ignores the failure backoff).
    pub async fn ping(&self) -> bool {
        let mut conn = self.conn.clone();
        matches!(
            tokio::time::timeout(
                TIMEOUT * 2,
                redis::cmd("PING").query_async::<String>(&mut conn)
            )
            .await,
            Ok(Ok(_))
        )
    }

    /// Listens on `channel` for as long as the process runs, calling
    /// `handle(Some(message))` for each message. Whenever the subscription
    /// is (re)established, `handle(None)` is called first: messages may
    /// have been missed while it was down, so listeners drop everything.
    pub fn subscribe(
        &self,
        channel: String,
        handle: impl Fn(Option<String>) + Send + Sync + 'static,
    ) -> tokio::task::JoinHandle<()> {
        let client = self.client.clone();
        tokio::spawn(async move {
            let mut delay = Duration::from_millis(100);
            loop {
                match client.get_async_pubsub().await {
                    Ok(mut pubsub) => match pubsub.subscribe(&channel).await {
                        Ok(()) => {
                            delay = Duration::from_millis(100);
                            handle(None);
                            let mut messages = pubsub.on_message();
                            while let Some(message) = messages.next().await {
                                if let Ok(payload) = message.get_payload::<String>() {
                                    handle(Some(payload));
                                }
                            }
                            tracing::warn!(channel = %channel, "redis subscription lost; reconnecting");
                        }
                        Err(error) => {
                            tracing::warn!(channel = %channel, error = %error, "redis subscribe failed")
                        }
                    },
                    Err(error) => {
                        tracing::debug!(channel = %channel, error = %error, "redis unavailable for subscription")
                    }
                }
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(5));
            }
        })
    }
}
