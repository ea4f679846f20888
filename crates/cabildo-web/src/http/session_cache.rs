//! Live sessions remembered for a minute, so that a logged-in page view
//! does not cost a database transaction. Ending sessions (logout, "log out
//! everywhere", password reset) drops them here at once and, through Redis,
//! on every other node; without Redis, other nodes may honour an ended
//! session for up to [`TTL`].

use cabildo_engine::accounts::sessions::Session;
use cabildo_engine::ids::UserId;
use cabildo_tenancy::{SharedCache, TenantId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// How long a looked-up session is trusted without asking the database.
pub const TTL: Duration = Duration::from_secs(60);
/// Entries kept at most (the cache is emptied when full).
const CAPACITY: usize = 100_000;

type Entries = HashMap<(TenantId, Vec<u8>), (Session, Instant)>;
type Unread = HashMap<(TenantId, Uuid), (i64, Instant)>;

/// How long an unread-notification count is shown without asking again.
pub const UNREAD_TTL: Duration = Duration::from_secs(15);

/// The cache of one process.
#[derive(Clone)]
pub struct SessionCache {
    entries: Arc<Mutex<Entries>>,
    redis: Option<(SharedCache, String)>,
    /// Unread notification counts, for the bell.
    unread: Arc<Mutex<Unread>>,
}

impl SessionCache {
    /// A cache that hears about ended sessions on `redis` (channel in the
    /// deployment's `namespace`).
    pub fn new(redis: Option<SharedCache>, namespace: &str) -> Self {
        let entries: Arc<Mutex<Entries>> = Arc::default();
        let redis = redis.map(|cache| {
            let channel = channel(namespace);
            let heard = Arc::downgrade(&entries);
            cache.subscribe(channel.clone(), move |message| {
                if let Some(entries) = heard.upgrade() {
                    let mut entries = entries.lock().unwrap_or_else(|e| e.into_inner());
                    match message.as_deref().and_then(parse) {
                        Some(ended) => forget(&mut entries, &ended),
                        // Lost or (re)subscribed: messages may be missed.
                        None => entries.clear(),
                    }
                }
            });
            (cache, channel)
        });
        Self {
            entries,
            redis,
            unread: Arc::default(),
        }
    }

    /// The remembered unread count of `user`, if fresh.
    pub fn unread(&self, tenant: TenantId, user: UserId) -> Option<i64> {
        let unread = self.unread.lock().unwrap_or_else(|e| e.into_inner());
        let (count, at) = unread.get(&(tenant, user.into()))?;
        (at.elapsed() < UNREAD_TTL).then_some(*count)
    }

    /// Remembers `user`'s unread count (`None` forgets it, after reading).
    pub fn set_unread(&self, tenant: TenantId, user: UserId, count: Option<i64>) {
        let mut unread = self.unread.lock().unwrap_or_else(|e| e.into_inner());
        if unread.len() >= CAPACITY {
            unread.clear();
        }
        match count {
            Some(count) => unread.insert((tenant, user.into()), (count, Instant::now())),
            None => unread.remove(&(tenant, user.into())),
        };
    }

    /// The cached session for `token_hash` on `tenant`, if fresh.
    pub fn get(&self, tenant: TenantId, token_hash: &[u8]) -> Option<Session> {
        let entries = self.lock();
        let (session, at) = entries.get(&(tenant, token_hash.to_vec()))?;
        (at.elapsed() < TTL).then(|| session.clone())
    }

    /// Remembers a session just read from the database.
    pub fn put(&self, tenant: TenantId, session: &Session) {
        let mut entries = self.lock();
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(
            (tenant, session.id.clone()),
            (session.clone(), Instant::now()),
        );
    }

    /// Forgets ended sessions here and on every node.
    pub async fn ended(&self, tenant: TenantId, which: Ended) {
        let message = match &which {
            Ended::Session(id) => format!("{} s {}", tenant.0, hex(id)),
            Ended::User(user) => format!("{} u {user}", tenant.0),
        };
        forget(&mut self.lock(), &(tenant, which));
        if let Some((cache, channel)) = &self.redis {
            cache.publish(channel, &message).await;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Tells every node of the deployment `namespace` that `user`'s sessions on
/// `tenant` ended: for tools outside a web process (`cabildo accounts
/// revoke`).
pub async fn announce_user_ended(
    cache: &SharedCache,
    namespace: &str,
    tenant: TenantId,
    user: UserId,
) {
    let message = format!("{} u {user}", tenant.0);
    cache.publish(&channel(namespace), &message).await;
}

/// The Redis channel on which ended sessions are announced.
fn channel(namespace: &str) -> String {
    format!("cabildo:{namespace}:sessions-ended")
}

/// Which sessions ended.
#[derive(Clone, Debug)]
pub enum Ended {
    /// One session (its stored hash).
    Session(Vec<u8>),
    /// Every session of a person.
    User(UserId),
}

fn forget(entries: &mut Entries, (tenant, which): &(TenantId, Ended)) {
    match which {
        Ended::Session(id) => {
            entries.remove(&(*tenant, id.clone()));
        }
        Ended::User(user) => entries.retain(|(t, _), (s, _)| !(t == tenant && s.user == *user)),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn parse(message: &str) -> Option<(TenantId, Ended)> {
    let mut parts = message.split(' ');
    let tenant = TenantId(parts.next()?.parse().ok()?);
    let which = match (parts.next()?, parts.next()?) {
        ("s", id) => Ended::Session(
            (0..id.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(id.get(i..i + 2)?, 16).ok())
                .collect::<Option<Vec<u8>>>()?,
        ),
        ("u", user) => Ended::User(user.parse().ok()?),
        _ => return None,
    };
    Some((tenant, which))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn announcements_round_trip() {
        let tenant = TenantId(Uuid::new_v4());
        let user = Uuid::new_v4();
        let Some((t, Ended::Session(id))) =
            parse(&format!("{} s {}", tenant.0, hex(&[0, 1, 254, 255])))
        else {
            panic!("session message");
        };
        assert_eq!((t, id), (tenant, vec![0, 1, 254, 255]));
        let Some((_, Ended::User(u))) = parse(&format!("{} u {user}", tenant.0)) else {
            panic!("user message");
        };
        assert_eq!(u, user.into());
        assert!(parse("nonsense").is_none());
        assert!(parse(&format!("{} s 0g", tenant.0)).is_none());
    }
}
