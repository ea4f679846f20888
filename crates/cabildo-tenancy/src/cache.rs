//! Redis as a shared cache and a broadcast bus between nodes. Never the only
//! copy of anything: when Redis is down every call here is a quick miss or a
//! no-op, and callers fall back to PostgreSQL.
//!
//! One server (`redis://host:port/`), a Redis Cluster
//! (`redis+cluster://host1:port1,host2:port2`, a few seed nodes; the rest is
//! discovered) or a master watched by Sentinels
//! (`redis+sentinel://sentinel1:26379,sentinel2:26379/master-name`). Every
//! command here names one key, or one key several times, so on a cluster
//! each goes whole to the node that owns its slot.

use futures_util::StreamExt;
use redis::aio::MultiplexedConnection;
use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster::{ClusterClient, ClusterClientBuilder};
use redis::cluster_async::ClusterConnection;
use redis::sentinel::{SentinelClient, SentinelServerType};
use redis::{AsyncCommands, AsyncConnectionConfig, Cmd, Pipeline, RedisFuture, Value};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::OnceCell;

/// After a failure, Redis is not asked again for this long, so a dead
/// server costs requests nothing.
const BACKOFF_AFTER_FAILURE: Duration = Duration::from_secs(2);
const TIMEOUT: Duration = Duration::from_millis(300);
const CLUSTER_SCHEME: &str = "redis+cluster://";
const SENTINEL_SCHEME: &str = "redis+sentinel://";

/// Where commands go: one server through a reconnecting manager, or a
/// cluster connection made on first use (a cluster that is down at start
/// is no error either) that follows slot moves and failovers itself.
#[derive(Clone)]
enum Target {
    Single(ConnectionManager),
    Cluster {
        client: Box<ClusterClient>,
        conn: Arc<OnceCell<ClusterConnection>>,
    },
    /// The master the Sentinels name, asked again after any failure (a
    /// failover makes the old master a replica that refuses writes).
    Sentinel {
        sentinels: Arc<tokio::sync::Mutex<SentinelClient>>,
        master: Arc<std::sync::Mutex<Option<MultiplexedConnection>>>,
    },
}

/// A connection to whichever [`Target`] is configured, for `AsyncCommands`.
#[derive(Clone)]
enum Conn {
    Single(ConnectionManager),
    Cluster(ClusterConnection),
    Sentinel(MultiplexedConnection),
}

impl ConnectionLike for Conn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Conn::Single(conn) => conn.req_packed_command(cmd),
            Conn::Cluster(conn) => conn.req_packed_command(cmd),
            Conn::Sentinel(conn) => conn.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Conn::Single(conn) => conn.req_packed_commands(pipeline, offset, count),
            Conn::Cluster(conn) => conn.req_packed_commands(pipeline, offset, count),
            Conn::Sentinel(conn) => conn.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Conn::Single(conn) => conn.get_db(),
            Conn::Cluster(conn) => conn.get_db(),
            Conn::Sentinel(conn) => conn.get_db(),
        }
    }
}

/// A Redis connection shared by the whole process. Cheap to clone.
#[derive(Clone)]
pub struct SharedCache {
    /// Where `subscribe` listens.
    subscribe_to: Subscribe,
    target: Target,
    epoch: Instant,
    /// Milliseconds since `epoch` before which Redis is considered down.
    down_until: Arc<AtomicU64>,
}

impl SharedCache {
    /// Prepares a connection to `url` without connecting: a Redis that is
    /// down at start is no error (only a malformed URL is).
    pub fn new(url: &str) -> Result<Self, redis::RedisError> {
        if let Some(nodes) = cluster_nodes(url) {
            return Self::cluster(&nodes);
        }
        if let Some((sentinels, master)) = sentinel_parts(url) {
            let sentinels =
                SentinelClient::build(sentinels, master, None, SentinelServerType::Master)?;
            let sentinels = Arc::new(tokio::sync::Mutex::new(sentinels));
            return Ok(Self::with(
                Subscribe::Master(sentinels.clone()),
                Target::Sentinel {
                    sentinels,
                    master: Arc::default(),
                },
            ));
        }
        let client = redis::Client::open(url)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(TIMEOUT))
            .set_response_timeout(Some(TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(200));
        let conn = ConnectionManager::new_lazy_with_config(client.clone(), config)?;
        Ok(Self::with(
            Subscribe::Nodes(vec![client].into()),
            Target::Single(conn),
        ))
    }

    fn cluster(nodes: &[String]) -> Result<Self, redis::RedisError> {
        let subscribe_to = nodes
            .iter()
            .map(|node| redis::Client::open(node.as_str()))
            .collect::<Result<Vec<_>, _>>()?;
        let client = ClusterClientBuilder::new(nodes.iter().map(String::as_str))
            .connection_timeout(TIMEOUT)
            .response_timeout(TIMEOUT)
            .retries(1)
            .max_retry_wait(200)
            .build()?;
        let conn = Arc::new(OnceCell::new());
        Ok(Self::with(
            Subscribe::Nodes(subscribe_to.into()),
            Target::Cluster {
                client: Box::new(client),
                conn,
            },
        ))
    }

    fn with(subscribe_to: Subscribe, target: Target) -> Self {
        Self {
            subscribe_to,
            target,
            epoch: Instant::now(),
            down_until: Arc::new(AtomicU64::new(0)),
        }
    }

    /// A connection to send commands on (connecting to a cluster on first use).
    async fn conn(&self) -> redis::RedisResult<Conn> {
        match &self.target {
            Target::Single(conn) => Ok(Conn::Single(conn.clone())),
            Target::Cluster { client, conn } => conn
                .get_or_try_init(|| client.get_async_connection())
                .await
                .map(|conn| Conn::Cluster(conn.clone())),
            Target::Sentinel { sentinels, master } => {
                let known = master.lock().map(|m| m.clone()).unwrap_or_default();
                if let Some(conn) = known {
                    return Ok(Conn::Sentinel(conn));
                }
                let client = sentinels.lock().await.async_get_client().await?;
                let config = AsyncConnectionConfig::new()
                    .set_connection_timeout(Some(TIMEOUT))
                    .set_response_timeout(Some(TIMEOUT));
                let conn = client
                    .get_multiplexed_async_connection_with_config(&config)
                    .await?;
                if let Ok(mut master) = master.lock() {
                    *master = Some(conn.clone());
                }
                Ok(Conn::Sentinel(conn))
            }
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn available(&self) -> bool {
        self.now_ms() >= self.down_until.load(Ordering::Relaxed)
    }

    /// Whether Redis answered the last command sent (false for a couple
    /// of seconds after any failure).
    pub fn reachable(&self) -> bool {
        self.available()
    }

    fn failed(&self, error: &redis::RedisError) {
        tracing::warn!(error = %error, "redis unavailable; falling back");
        if let Target::Sentinel { master, .. } = &self.target
            && let Ok(mut master) = master.lock()
        {
            *master = None;
        }
        let until = self.now_ms() + u64::try_from(BACKOFF_AFTER_FAILURE.as_millis()).unwrap_or(0);
        self.down_until.store(until, Ordering::Relaxed);
    }

    async fn run<T>(&self, op: impl AsyncFnOnce(&mut Conn) -> redis::RedisResult<T>) -> Option<T> {
        if !self.available() {
            return None;
        }
        let attempt = async {
            // Boxed: the connection's future is deep (three kinds of Redis),
            // and every caller's future would carry it.
            let mut conn = Box::pin(self.conn()).await?;
            op(&mut conn).await
        };
        match tokio::time::timeout(TIMEOUT * 2, attempt).await {
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
        let ping = async {
            let mut conn = Box::pin(self.conn()).await?;
            redis::cmd("PING").query_async::<String>(&mut conn).await
        };
        matches!(tokio::time::timeout(TIMEOUT * 2, ping).await, Ok(Ok(_)))
    }

    /// Listens on `channel` for as long as the process runs, calling
    /// `handle(Some(message))` for each message, and `handle(None)`
    /// whenever the subscription is lost and again when it is
    /// (re)established: messages may be missed while it is down, so
    /// listeners drop everything (copies made meanwhile too).
    pub fn subscribe(
        &self,
        channel: String,
        handle: impl Fn(Option<String>) + Send + Sync + 'static,
    ) -> tokio::task::JoinHandle<()> {
        let source = self.subscribe_to.clone();
        let next = AtomicUsize::new(0);
        tokio::spawn(async move {
            let mut delay = Duration::from_millis(100);
            loop {
                let pubsub = match source.client(&next).await {
                    Ok(client) => client.get_async_pubsub().await,
                    Err(error) => Err(error),
                };
                match pubsub {
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
                            handle(None);
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

/// Where to subscribe.
#[derive(Clone)]
enum Subscribe {
    /// The server, or each seed node of a cluster in turn (a cluster
    /// broadcasts every `PUBLISH` to all its nodes).
    Nodes(Arc<[redis::Client]>),
    /// Whichever server the Sentinels name master at the time.
    Master(Arc<tokio::sync::Mutex<SentinelClient>>),
}

impl Subscribe {
    /// The node for the `attempt`-th subscription: when one is down, the
    /// next attempt goes to the next.
    async fn client(&self, attempt: &AtomicUsize) -> redis::RedisResult<redis::Client> {
        match self {
            Subscribe::Nodes(clients) => {
                let n = attempt.fetch_add(1, Ordering::Relaxed) % clients.len();
                Ok(clients[n].clone())
            }
            Subscribe::Master(sentinels) => sentinels.lock().await.async_get_client().await,
        }
    }
}

/// The Sentinels' URLs and the master's name of a `redis+sentinel://`
/// URL; `None` for any other URL.
fn sentinel_parts(url: &str) -> Option<(Vec<String>, String)> {
    let rest = url.strip_prefix(SENTINEL_SCHEME)?;
    let (hosts, master) = rest.split_once('/').unwrap_or((rest, ""));
    let sentinels = hosts
        .split(',')
        .map(str::trim)
        .filter(|host| !host.is_empty())
        .map(|host| format!("redis://{host}"))
        .collect();
    Some((sentinels, master.trim_end_matches('/').to_owned()))
}

/// The seed nodes of a `redis+cluster://` URL, as plain Redis URLs, each
/// with the first seed's credentials when it names none; `None` for any
/// other URL.
fn cluster_nodes(url: &str) -> Option<Vec<String>> {
    let nodes: Vec<&str> = url
        .strip_prefix(CLUSTER_SCHEME)?
        .split(',')
        .map(str::trim)
        .filter(|node| !node.is_empty())
        .collect();
    let credentials = nodes
        .first()
        .and_then(|first| first.split_once('@'))
        .map_or("", |(credentials, _)| credentials);
    Some(
        nodes
            .iter()
            .map(|node| {
                if node.contains('@') || credentials.is_empty() {
                    format!("redis://{node}")
                } else {
                    format!("redis://{credentials}@{node}")
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_urls_name_their_seed_nodes() {
        assert_eq!(
            cluster_nodes("redis+cluster://10.0.0.1:7000,10.0.0.2:7001/"),
            Some(vec![
                "redis://10.0.0.1:7000".to_owned(),
                "redis://10.0.0.2:7001/".to_owned()
            ])
        );
        assert_eq!(
            cluster_nodes("redis+cluster://:secret@10.0.0.1:7000,10.0.0.2:7001"),
            Some(vec![
                "redis://:secret@10.0.0.1:7000".to_owned(),
                "redis://:secret@10.0.0.2:7001".to_owned()
            ])
        );
        assert_eq!(cluster_nodes("redis://127.0.0.1:6379/"), None);
    }

    #[test]
    fn sentinel_urls_name_the_sentinels_and_the_master() {
        assert_eq!(
            sentinel_parts("redis+sentinel://10.0.0.1:26379,10.0.0.2:26379/cabildo"),
            Some((
                vec![
                    "redis://10.0.0.1:26379".to_owned(),
                    "redis://10.0.0.2:26379".to_owned()
                ],
                "cabildo".to_owned()
            ))
        );
        assert_eq!(sentinel_parts("redis://127.0.0.1:6379/"), None);
        assert!(SharedCache::new("redis+sentinel://127.0.0.1:26379/cabildo").is_ok());
        assert!(SharedCache::new("redis+sentinel:///cabildo").is_err());
    }

    #[test]
    fn a_cluster_url_without_nodes_is_refused() {
        assert!(SharedCache::new("redis+cluster://").is_err());
    }
}
