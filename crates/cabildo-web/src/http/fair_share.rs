//! Each council's fair share of a node: at most a set number of one
//! council's requests are handled at once on this node; the rest wait in
//! that council's own line for one of them to finish, and after a set wait
//! are answered 503 with `Retry-After`. A council
//! sending ten times the others' traffic then queues behind itself, not
//! in front of them: it cannot take every database connection or every
//! core (bench/noisy measures the others' latency with and without).
//!
//! Only reads take a turn (GET and HEAD), pictures and documents aside:
//! - a request with a body would hold its turn while its client sends the
//!   body, and a few slow clients could then keep a council's every turn;
//!   writes are bounded by the rate limits and the pool instead;
//! - `/media/` files are small reads, many per page, cached by browsers:
//!   counting them would turn a page's pictures into broken images in a
//!   rush.
//!
//! Waiting requests hold no connection and use no CPU. The lines are kept
//! per council seen by this process (a few dozen bytes each).

use cabildo_tenancy::TenantId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Whether `request` waits for its council's turn (see above).
pub fn takes_a_turn<B>(request: &axum::http::Request<B>) -> bool {
    use axum::http::Method;
    matches!(*request.method(), Method::GET | Method::HEAD)
        && !request.uri().path().starts_with("/media/")
}

/// The lines of this node's councils.
#[derive(Debug)]
pub struct FairShare {
    per_council: usize,
    wait: Duration,
    lines: Mutex<HashMap<TenantId, Arc<Semaphore>>>,
}

impl FairShare {
    /// At most `per_council` requests of a council at once (at least one),
    /// others waiting up to `wait`.
    pub fn new(per_council: usize, wait: Duration) -> Self {
        Self {
            per_council: per_council.max(1),
            wait,
            lines: Mutex::default(),
        }
    }

    /// A turn for a request of `tenant`, held until dropped; `None` when
    /// none came within the wait.
    pub async fn enter(&self, tenant: TenantId) -> Option<OwnedSemaphorePermit> {
        let line = {
            let mut lines = self.lines.lock().unwrap_or_else(|e| e.into_inner());
            (lines.entry(tenant))
                .or_insert_with(|| Arc::new(Semaphore::new(self.per_council)))
                .clone()
        };
        match line.clone().try_acquire_owned() {
            Ok(permit) => Some(permit),
            Err(_) => tokio::time::timeout(self.wait, line.acquire_owned())
                .await
                .ok()?
                .ok(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_take_turns_and_bodies_and_pictures_do_not() {
        let request = |method: &str, path: &str| {
            axum::http::Request::builder()
                .method(method)
                .uri(path)
                .body(())
                .expect("request")
        };
        assert!(takes_a_turn(&request("GET", "/processes/plan")));
        assert!(takes_a_turn(&request("HEAD", "/")));
        assert!(!takes_a_turn(&request("POST", "/account/login")));
        assert!(!takes_a_turn(&request("GET", "/media/0123.png")));
    }

    #[tokio::test]
    async fn a_busy_council_waits_in_its_own_line() {
        let share = FairShare::new(2, Duration::from_millis(50));
        let (toledo, talavera) = (
            TenantId(uuid::Uuid::new_v4()),
            TenantId(uuid::Uuid::new_v4()),
        );
        let first = share.enter(toledo).await.expect("a turn");
        let _second = share.enter(toledo).await.expect("a turn");
        // Toledo's third waits, and gives up after the wait …
        assert!(share.enter(toledo).await.is_none());
        // … while Talavera is served at once.
        assert!(share.enter(talavera).await.is_some());
        // A turn that ends lets the next of Toledo's in.
        let waiting = tokio::spawn({
            let share = Arc::new(share);
            async move { share.enter(toledo).await.is_some() }
        });
        tokio::time::sleep(Duration::from_millis(10)).await;
        drop(first);
        assert!(waiting.await.expect("task"));
    }
}
