//! Councils take turns on a node: page reads are handled a set number at
//! a time (the node's slots, by default as many as database connections),
//! and when all are busy the waiting reads are let in one council at a
//! time, round-robin, with one council holding at most half the slots. A
//! council sending ten times the others' traffic then waits behind itself:
//! each council gets an equal share of a busy node, and a council with its
//! reads stuck (a slow query) cannot hold every slot. A read that waited
//! its whole wait is answered 503 with `Retry-After`. Alone, a council may
//! use half the slots; nothing waits while slots are free.
//!
//! A cap per council alone is not enough: cheap pages (a cached home page)
//! spend most of their time outside the handler, so a council's many
//! connections still won most of the node (bench/noisy measured it);
//! round-robin makes a closed-loop flood wait for its own turn instead.
//!
//! Only reads take a turn (GET and HEAD), pictures and documents aside:
//! - a request with a body would hold its turn while its client sends the
//!   body, and a few slow clients could then keep a council's every turn;
//!   writes are bounded by the rate limits and the pool instead;
//! - `/media/` files are small reads, many per page, cached by browsers:
//!   counting them would turn a page's pictures into broken images in a
//!   rush.
//!
//! Waiting reads hold no connection and use no CPU.

use cabildo_tenancy::TenantId;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::oneshot;

/// Whether `request` waits for its council's turn (see above).
pub fn takes_a_turn<B>(request: &axum::http::Request<B>) -> bool {
    use axum::http::Method;
    matches!(*request.method(), Method::GET | Method::HEAD)
        && !request.uri().path().starts_with("/media/")
}

/// The node's slots and the councils waiting for them.
#[derive(Debug)]
pub struct FairShare {
    per_council: usize,
    wait: Duration,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    free: usize,
    /// Reads of each council being handled.
    in_flight: HashMap<TenantId, usize>,
    /// Each waiting council's reads, first come first served. A read is
    /// let in by sending it its turn: if it gives up before it sees the
    /// turn, dropping the turn unread gives the slot back.
    lines: HashMap<TenantId, VecDeque<oneshot::Sender<Turn>>>,
    /// Councils with reads waiting, in the order they are let in.
    order: VecDeque<TenantId>,
}

impl State {
    fn handling(&self, tenant: TenantId) -> usize {
        self.in_flight.get(&tenant).copied().unwrap_or(0)
    }

    /// Gives free slots to waiting reads, one council at a time.
    fn dispatch(&mut self, share: &Arc<FairShare>) {
        let per_council = share.per_council;
        let mut skipped = 0;
        while self.free > 0 && skipped < self.order.len() {
            let Some(tenant) = self.order.pop_front() else {
                break;
            };
            if self.handling(tenant) >= per_council {
                self.order.push_back(tenant);
                skipped += 1;
                continue;
            }
            let line = self.lines.entry(tenant).or_default();
            // Reads that gave up have closed their end: skip them.
            let mut let_in = false;
            while let Some(waiting) = line.pop_front() {
                let turn = Turn {
                    share: share.clone(),
                    tenant,
                    counted: true,
                };
                match waiting.send(turn) {
                    Ok(()) => {
                        let_in = true;
                        break;
                    }
                    // Never counted: nothing to give back (and the lock is
                    // held here).
                    Err(mut turn) => turn.counted = false,
                }
            }
            let more = !line.is_empty();
            if more {
                self.order.push_back(tenant);
            } else {
                self.lines.remove(&tenant);
            }
            if let_in {
                self.free -= 1;
                *self.in_flight.entry(tenant).or_default() += 1;
                skipped = 0;
            }
        }
    }
}

/// A read's slot, given back when dropped.
#[derive(Debug)]
pub struct Turn {
    share: Arc<FairShare>,
    tenant: TenantId,
    /// Whether the slot was counted as taken (a turn offered to a read
    /// that had already gone never was).
    counted: bool,
}

impl Drop for Turn {
    fn drop(&mut self) {
        if !self.counted {
            return;
        }
        let mut state = self.share.lock();
        if let Some(count) = state.in_flight.get_mut(&self.tenant) {
            *count -= 1;
            if *count == 0 {
                state.in_flight.remove(&self.tenant);
            }
        }
        state.free += 1;
        state.dispatch(&self.share);
    }
}

impl FairShare {
    /// `slots` reads at once (at least two), a council at most half of
    /// them, reads waiting up to `wait` for their turn.
    pub fn new(slots: usize, wait: Duration) -> Self {
        let slots = slots.max(2);
        Self {
            per_council: slots / 2,
            wait,
            state: Mutex::new(State {
                free: slots,
                ..State::default()
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A turn for a read of `tenant`, held until dropped; `None` when none
    /// came within the wait.
    pub async fn enter(self: &Arc<Self>, tenant: TenantId) -> Option<Turn> {
        let mut waiting = {
            let mut state = self.lock();
            // Free slots and a council under its share: nobody of this
            // council waits (they would have been let in), so in at once.
            if state.free > 0 && state.handling(tenant) < self.per_council {
                state.free -= 1;
                *state.in_flight.entry(tenant).or_default() += 1;
                return Some(Turn {
                    share: self.clone(),
                    tenant,
                    counted: true,
                });
            }
            let (let_in, waiting) = oneshot::channel();
            state.lines.entry(tenant).or_default().push_back(let_in);
            if !state.order.contains(&tenant) {
                state.order.push_back(tenant);
            }
            waiting
        };
        // Dropped while waiting (the client went away), `waiting` drops
        // any turn already sent to it, which gives the slot back.
        tokio::select! {
            let_in = &mut waiting => let_in.ok(),
            () = tokio::time::sleep(self.wait) => {
                // Let in at the last moment: the turn is ours to give back.
                waiting.close();
                waiting.try_recv().ok()
            }
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

    fn council() -> TenantId {
        TenantId(uuid::Uuid::new_v4())
    }

    #[tokio::test]
    async fn a_council_holds_at_most_half_the_slots() {
        let share = Arc::new(FairShare::new(4, Duration::from_millis(50)));
        let (toledo, talavera) = (council(), council());
        let first = share.enter(toledo).await.expect("a turn");
        let _second = share.enter(toledo).await.expect("a turn");
        // Toledo's third waits, and gives up after the wait …
        assert!(share.enter(toledo).await.is_none());
        // … while Talavera is let in at once.
        assert!(share.enter(talavera).await.is_some());
        // A turn that ends lets the next of Toledo's in.
        let waiting = tokio::spawn({
            let share = share.clone();
            async move { share.enter(toledo).await.is_some() }
        });
        tokio::time::sleep(Duration::from_millis(10)).await;
        drop(first);
        assert!(waiting.await.expect("task"));
    }

    #[tokio::test]
    async fn a_read_that_goes_away_once_let_in_gives_its_slot_back() {
        let share = Arc::new(FairShare::new(2, Duration::from_millis(50)));
        let toledo = council();
        let first = share.enter(toledo).await.expect("a turn");
        let waiting = tokio::spawn({
            let share = share.clone();
            async move { share.enter(toledo).await.is_some() }
        });
        tokio::time::sleep(Duration::from_millis(10)).await;
        // The slot goes to the waiting read, whose client hangs up before
        // the read sees it (the task never runs again).
        drop(first);
        waiting.abort();
        assert!(waiting.await.is_err(), "cancelled");
        // The slot came back: Toledo is let in at once, as often as asked.
        for _ in 0..3 {
            assert!(share.enter(toledo).await.is_some(), "a slot leaked");
        }
    }

    #[tokio::test]
    async fn waiting_councils_are_let_in_in_turn() {
        let share = Arc::new(FairShare::new(4, Duration::from_secs(30)));
        let (noisy, quiet, other) = (council(), council(), council());
        let mut noisy_turns = vec![
            share.enter(noisy).await.expect("a turn"),
            share.enter(noisy).await.expect("a turn"),
        ];
        let mut quiet_turns = vec![
            share.enter(quiet).await.expect("a turn"),
            share.enter(quiet).await.expect("a turn"),
        ];
        // Every slot taken: three of the noisy council's reads wait, then
        // one of each other council's.
        let (admitted, mut order) = tokio::sync::mpsc::unbounded_channel();
        let mut held = Vec::new();
        for (name, tenant) in [
            ("noisy", noisy),
            ("noisy", noisy),
            ("noisy", noisy),
            ("quiet", quiet),
            ("other", other),
        ] {
            let (share, admitted) = (share.clone(), admitted.clone());
            held.push(tokio::spawn(async move {
                let turn = share.enter(tenant).await.expect("let in");
                admitted.send(name).expect("send");
                // Held until the test ends.
                tokio::time::sleep(Duration::from_secs(60)).await;
                drop(turn);
            }));
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        // Each slot given back goes to the next council in the round …
        noisy_turns.pop();
        assert_eq!(order.recv().await, Some("noisy"));
        quiet_turns.pop();
        assert_eq!(order.recv().await, Some("quiet"));
        // … so the third council is let in before the noisy one's second,
        // though the slot was the noisy council's.
        noisy_turns.pop();
        assert_eq!(order.recv().await, Some("other"));
        quiet_turns.pop();
        assert_eq!(order.recv().await, Some("noisy"));
        for task in held {
            task.abort();
        }
    }
}
