//! The pool of one group of councils' connections.
//!
//! sqlx's pool pings every connection as it comes back (and, unless told
//! otherwise, again as it is taken): a round trip per checkout on top of a
//! council transaction's own. A ballot cast over the API makes two
//! checkouts (the token's lookup, the ballot), so those pings were two of
//! its seven round trips (docs/benchmarks.md, "Ballots"). Council
//! connections come back through [`crate::TenantTx`] only, which already
//! knows whether the server ended the transaction (it rolls back, or
//! closes, any it does not); so this pool trusts a connection coming back
//! and tests only one that sat idle for over a second, before handing it
//! out again.
//!
//! The rest is what a pool needs and no more: at most `size` connections
//! (a fair semaphore: waiters are served in turn), opened on demand (tried
//! again while the server is starting or full), the most recently used
//! handed out first, closed past their lifetime or when idle too long, and
//! a `PoolTimedOut` error when none comes free within the acquire timeout
//! (answered as 503 with `Retry-After`).

use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection};
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long a connection may sit idle before it is tested (pinged) when
/// taken again.
pub(super) const IDLE_BEFORE_PING: Duration = Duration::from_secs(1);

/// A group's pool (cheap to clone).
#[derive(Clone)]
pub(crate) struct GroupPool {
    shared: Arc<Shared>,
}

struct Shared {
    options: PgConnectOptions,
    settings: Settings,
    /// One permit per connection that may be in use.
    permits: Arc<Semaphore>,
    /// Connections not in use, the most recently returned last.
    idle: Mutex<Vec<Idle>>,
}

/// A pool's limits.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Settings {
    pub(crate) size: u32,
    pub(crate) acquire_timeout: Duration,
    pub(crate) max_lifetime: Duration,
    pub(crate) idle_timeout: Duration,
}

struct Idle {
    conn: PgConnection,
    opened: Instant,
    since: Instant,
}

/// A connection taken from a [`GroupPool`]: back to it when dropped, unless
/// [`PooledConn::close_on_drop`] was called.
pub(crate) struct PooledConn {
    conn: Option<PgConnection>,
    opened: Instant,
    close: bool,
    shared: Arc<Shared>,
    /// Released after the connection is back among the idle ones, so that
    /// the waiter it lets in finds it there.
    permit: Option<OwnedSemaphorePermit>,
}

impl GroupPool {
    /// A pool of at most `settings.size` connections; none is opened until
    /// needed.
    pub(crate) fn new(options: PgConnectOptions, settings: Settings) -> Self {
        Self {
            shared: Arc::new(Shared {
                options,
                settings,
                permits: Arc::new(Semaphore::new(settings.size.max(1) as usize)),
                idle: Mutex::default(),
            }),
        }
    }

    /// A connection: an idle one (tested if idle for long), or a new one
    /// when none is idle and fewer than `size` are open. `PoolTimedOut` when
    /// none comes free within the acquire timeout, `PoolClosed` once
    /// closed.
    pub(crate) async fn acquire(&self) -> Result<PooledConn, sqlx::Error> {
        let settings = self.shared.settings;
        match tokio::time::timeout(settings.acquire_timeout, self.take()).await {
            Ok(taken) => taken,
            Err(_) => Err(sqlx::Error::PoolTimedOut),
        }
    }

    async fn take(&self) -> Result<PooledConn, sqlx::Error> {
        let shared = &self.shared;
        let permit = shared
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| sqlx::Error::PoolClosed)?;
        // Holding a permit, this task may use one connection: an idle one,
        // or a new one (every other open connection is then in use by a
        // holder of another permit, so at most `size` are ever open).
        loop {
            let idle = shared.lock().pop();
            let Some(mut idle) = idle else {
                let conn = shared.connect().await?;
                return Ok(self.hand_out(conn, Instant::now(), permit));
            };
            if shared.expired(&idle) {
                close(idle.conn);
                continue;
            }
            if idle.since.elapsed() > IDLE_BEFORE_PING && idle.conn.ping().await.is_err() {
                continue; // dropped: the server went away
            }
            return Ok(self.hand_out(idle.conn, idle.opened, permit));
        }
    }

    fn hand_out(
        &self,
        conn: PgConnection,
        opened: Instant,
        permit: OwnedSemaphorePermit,
    ) -> PooledConn {
        PooledConn {
            conn: Some(conn),
            opened,
            close: false,
            shared: self.shared.clone(),
            permit: Some(permit),
        }
    }

    /// Refuses new checkouts and closes the idle connections; those in use
    /// are closed as they come back.
    pub(crate) async fn close(&self) {
        self.shared.permits.close();
        let idle = std::mem::take(&mut *self.shared.lock());
        for idle in idle {
            let _ = idle.conn.close().await;
        }
    }
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Idle>> {
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A new connection. A server starting, restarting or full ("cannot
    /// connect now", "too many clients", a refused socket) is tried again
    /// with growing pauses, until the acquire timeout ends the wait; other
    /// failures (a wrong password) are returned at once.
    async fn connect(&self) -> Result<PgConnection, sqlx::Error> {
        let mut pause = Duration::from_millis(10);
        loop {
            match self.options.connect().await {
                Ok(conn) => return Ok(conn),
                Err(error) if passing(&error) => {
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(1));
                }
                Err(error) => return Err(error),
            }
        }
    }

    fn expired(&self, idle: &Idle) -> bool {
        idle.opened.elapsed() > self.settings.max_lifetime
            || idle.since.elapsed() > self.settings.idle_timeout
    }
}

/// Whether a failure to connect may pass by itself.
fn passing(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_) => true,
        sqlx::Error::Database(e) => e
            .code()
            .is_some_and(|code| code == "57P03" || code == "53300" || code.starts_with("08")),
        _ => false,
    }
}

/// Closes `conn` politely, in the background when there is a runtime.
fn close(conn: PgConnection) {
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn(async move {
            let _ = conn.close().await;
        });
    }
}

impl PooledConn {
    /// Closes the connection instead of returning it (a backend retired,
    /// or left in a state nobody should inherit).
    pub(crate) fn close_on_drop(&mut self) {
        self.close = true;
    }
}

impl Deref for PooledConn {
    type Target = PgConnection;
    fn deref(&self) -> &PgConnection {
        match &self.conn {
            Some(conn) => conn,
            None => unreachable!("connection used after drop"),
        }
    }
}

impl DerefMut for PooledConn {
    fn deref_mut(&mut self) -> &mut PgConnection {
        match &mut self.conn {
            Some(conn) => conn,
            None => unreachable!("connection used after drop"),
        }
    }
}

impl Drop for PooledConn {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else {
            return;
        };
        let shared = &self.shared;
        let keep = !self.close
            && !shared.permits.is_closed()
            && self.opened.elapsed() <= shared.settings.max_lifetime;
        if keep {
            let mut idle = shared.lock();
            idle.push(Idle {
                conn,
                opened: self.opened,
                since: Instant::now(),
            });
            // The longest idle is first: close it once it has idled too
            // long, so that a pool past its busy hour shrinks.
            if idle.len() > 1 && idle[0].since.elapsed() > shared.settings.idle_timeout {
                close(idle.remove(0).conn);
            }
        } else {
            close(conn);
        }
        drop(self.permit.take());
    }
}
