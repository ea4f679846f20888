//! A council taking far more than its share of a busy node is slowed down,
//! so that the other councils on it keep their response times.
//!
//! The read slots (`http::fair_share`) share out the handler, but a cheap
//! page (a cached home page) spends most of its time outside it: in the
//! HTTP layer and the kernel, where a council with ten times the others'
//! connections still took nine tenths of the node (bench/noisy). What is
//! shared out here is the node itself, by pausing requests before any
//! work is done on them:
//!
//! - each window of [`WINDOW`] counts every council's requests;
//! - the node is busy when its runtime is behind: every [`TICK`] a
//!   ticker measures how long a task that is ready waits for a thread
//!   (the time a yield takes to come back);
//! - on a busy node, a council that sent more than [`OVER`] times what
//!   the others sent on average is paced: its requests are let through
//!   evenly spaced, at that rate, each waiting for its moment (at most
//!   [`MAX_PAUSE`]). Spacing, rather than one pause for all, keeps a paced
//!   flood from coming back in bursts;
//! - each window the council stays within its share, or the node has time
//!   to spare, its rate grows by a tenth until pacing ends.
//!
//! A paused request holds nothing (no slot, connection or thread); its
//! client, waiting for the answer, sends nothing more meanwhile. A council
//! alone on a node, or any council of a node with time to spare, is never
//! paused.

use cabildo_tenancy::TenantId;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

/// How long the shares are counted over.
pub const WINDOW: Duration = Duration::from_millis(250);
/// How often the ticker measures.
const TICK: Duration = Duration::from_millis(10);
/// How long a ready task may wait for a thread (smoothed) before the
/// node counts as busy; it counts as busy until the wait is under
/// [`CALM_LATENESS`] again (pacing itself shortens the wait: without the
/// gap, pacing would stop as soon as it works).
pub const BUSY_LATENESS: Duration = Duration::from_millis(1);
/// See [`BUSY_LATENESS`].
pub const CALM_LATENESS: Duration = Duration::from_micros(500);
/// A council is over its share past this many times the others' average.
pub const OVER: f64 = 1.5;
/// The least a paced council is let through, per window.
const LEAST: f64 = 5.0;
/// The longest a request waits for its moment.
pub const MAX_PAUSE: Duration = Duration::from_secs(1);

/// The node's pacing of councils (see above).
#[derive(Debug, Default)]
pub struct Pacing {
    /// How long a ready task waits for a thread (smoothed), in
    /// microseconds.
    lateness: Arc<AtomicU64>,
    ticker: OnceLock<()>,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    started: Option<Instant>,
    busy: bool,
    counts: HashMap<TenantId, u32>,
    paced: HashMap<TenantId, Paced>,
}

/// A council being paced.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Paced {
    /// Requests let through per window.
    rate: f64,
    /// When its next request may go.
    next: Option<Instant>,
}

impl Pacing {
    /// Counts a request of `tenant` and returns how long it should wait
    /// first (zero unless its council is paced).
    pub fn pause(&self, tenant: TenantId) -> Duration {
        self.ticker
            .get_or_init(|| start_ticker(Arc::downgrade(&self.lateness)));
        let now = Instant::now();
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let started = *state.started.get_or_insert(now);
        if now.duration_since(started) >= WINDOW {
            let lateness = Duration::from_micros(self.lateness.load(Ordering::Relaxed));
            state.busy = if state.busy {
                lateness >= CALM_LATENESS
            } else {
                lateness > BUSY_LATENESS
            };
            let counts = std::mem::take(&mut state.counts);
            state.paced = next_paced(&counts, &state.paced, state.busy);
            state.started = Some(now);
        }
        *state.counts.entry(tenant).or_default() += 1;
        let Some(paced) = state.paced.get_mut(&tenant) else {
            return Duration::ZERO;
        };
        // Its moment: right after the last one let through, but no sooner
        // than now nor later than the longest wait.
        let moment = paced
            .next
            .map_or(now, |next| next.clamp(now, now + MAX_PAUSE));
        paced.next = Some(moment + WINDOW.div_f64(paced.rate));
        moment - now
    }
}

/// The councils paced in the next window, from the one just counted.
fn next_paced(
    counts: &HashMap<TenantId, u32>,
    paced: &HashMap<TenantId, Paced>,
    busy: bool,
) -> HashMap<TenantId, Paced> {
    let total: u32 = counts.values().sum();
    let others = counts.len().saturating_sub(1);
    let mut next = HashMap::new();
    if busy && others > 0 {
        for (&tenant, &count) in counts {
            let share = (OVER * f64::from(total - count) / others as f64).max(LEAST);
            if f64::from(count) > share {
                let last = paced.get(&tenant).and_then(|p| p.next);
                next.insert(
                    tenant,
                    Paced {
                        rate: share,
                        next: last,
                    },
                );
            }
        }
    }
    for (&tenant, &was) in paced {
        if next.contains_key(&tenant) {
            continue;
        }
        // While it still uses what it is let through, a tenth more each
        // window: a flood let go comes back over seconds, not at once.
        // Once it sends less, it is no longer held back.
        let demand = counts.get(&tenant).map_or(0.0, |&count| f64::from(count));
        if demand >= 0.9 * was.rate {
            next.insert(
                tenant,
                Paced {
                    rate: was.rate * 1.1,
                    ..was
                },
            );
        }
    }
    next
}

/// Starts the ticker that measures how long ready tasks wait; it
/// ends when the pacing it reports to is dropped. Outside a runtime (unit
/// tests of other parts) nothing is measured and the node is never busy.
fn start_ticker(lateness: Weak<AtomicU64>) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    runtime.spawn(async move {
        let mut smoothed = 0.0_f64;
        loop {
            tokio::time::sleep(TICK).await;
            // A yield comes back once the tasks ready before it have run:
            // how long a request that is ready now waits for a thread.
            let ready = Instant::now();
            tokio::task::yield_now().await;
            let late = ready.elapsed().as_micros() as f64;
            // Smoothed over about ten ticks: one slow wake-up is not a busy
            // node.
            smoothed += (late - smoothed) / 10.0;
            let Some(lateness) = lateness.upgrade() else {
                return;
            };
            lateness.store(smoothed as u64, Ordering::Relaxed);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn council(n: u128) -> TenantId {
        TenantId(uuid::Uuid::from_u128(n))
    }

    fn counts(of: &[(u128, u32)]) -> HashMap<TenantId, u32> {
        of.iter().map(|&(n, c)| (council(n), c)).collect()
    }

    #[test]
    fn only_a_council_over_its_share_of_a_busy_node_is_paced() {
        // Ten quiet councils and one sending nine tenths of the requests.
        let mut window: Vec<(u128, u32)> = (1..=10).map(|n| (n, 100)).collect();
        window.push((11, 9_000));
        let flood = counts(&window);
        let paced = next_paced(&flood, &HashMap::new(), true);
        assert_eq!(paced.len(), 1, "{paced:?}");
        assert_eq!(paced[&council(11)].rate, 150.0, "1.5 times the others' 100");
        // Not when the node has time to spare, nor a council alone.
        assert!(next_paced(&flood, &HashMap::new(), false).is_empty());
        assert!(next_paced(&counts(&[(11, 9_000)]), &HashMap::new(), true).is_empty());
        // Equal councils on a busy node: none is over.
        let even = counts(&(1..=10).map(|n| (n, 100)).collect::<Vec<_>>());
        assert!(next_paced(&even, &HashMap::new(), true).is_empty());
    }

    #[test]
    fn a_paced_council_is_let_go_a_tenth_faster_each_window_within_its_share() {
        let flood = counts(&[(1, 100), (2, 100), (3, 5_000)]);
        let paced = next_paced(&flood, &HashMap::new(), true);
        assert_eq!(paced[&council(3)].rate, 150.0);
        // Paced, it sends what it is let through: still over on a busy
        // node, so paced the same.
        let held = counts(&[(1, 100), (2, 100), (3, 151)]);
        assert_eq!(next_paced(&held, &paced, true)[&council(3)].rate, 150.0);
        // The node has time to spare: a tenth more each window while it
        // still uses what it is let through, then no pacing.
        let mut paced = next_paced(&held, &paced, false);
        assert_eq!(paced[&council(3)].rate, 165.0);
        paced = next_paced(&counts(&[(1, 100), (2, 100), (3, 165)]), &paced, false);
        assert!((paced[&council(3)].rate - 181.5).abs() < 1e-9);
        assert!(next_paced(&counts(&[(1, 100), (3, 150)]), &paced, false).is_empty());
    }

    #[test]
    fn requests_are_counted_in_windows_and_paused_from_the_next() {
        // Outside a runtime no ticker runs: the lateness stays as set here,
        // a busy node's.
        let pacing = Pacing::default();
        pacing
            .lateness
            .store(BUSY_LATENESS.as_micros() as u64 * 2, Ordering::Relaxed);
        for _ in 0..90 {
            assert_eq!(
                pacing.pause(council(2)),
                Duration::ZERO,
                "no pause in the first window"
            );
        }
        for _ in 0..10 {
            pacing.pause(council(1));
        }
        std::thread::sleep(WINDOW);
        // Council 2 sent 90 against the other's 10: let through at 15 a
        // window, one every 250 / 15 ms.
        assert_eq!(pacing.pause(council(1)), Duration::ZERO);
        let spacing = WINDOW.div_f64(15.0);
        let pauses: Vec<Duration> = (0..4).map(|_| pacing.pause(council(2))).collect();
        assert_eq!(pauses[0], Duration::ZERO, "the first goes at once");
        for (n, pause) in pauses.iter().enumerate().skip(1) {
            let expected = spacing * n as u32;
            assert!(
                *pause <= expected && *pause + Duration::from_millis(5) > expected,
                "{n}: {pause:?} against {expected:?}"
            );
        }
    }
}
