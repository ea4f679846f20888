//! The Method of Equal Shares (`pabutools`' `method_of_equal_shares` with
//! cost satisfaction and `voter_budget_increment=1`), exactly.
//!
//! One run with per-voter money `b`: every voter starts with `b`; a voter's
//! utility for a project is its cost (approval ballots) or its points
//! (points ballots). Repeatedly, for every remaining project `p` find the
//! smallest `ρ` such that its supporters can pay `cost(p)` when each pays
//! `min(money_i, ρ·u_i(p))`; buy the project with the smallest `ρ` (ties as
//! the council chose); drop those the supporters cannot afford. The add1
//! completion reruns with `b + 1` currency unit until the outcome is
//! exhaustive (or, for `until-over-budget`, until it would cost more than
//! the budget), keeping the last outcome within the budget.
//!
//! Speed comes from these choices:
//! - identical ballots are merged (`Election::groups`): such voters always
//!   have the same money;
//! - all money is kept as integers over one common denominator (`scale`),
//!   so comparisons and sums are integer operations; the denominator grows
//!   once per purchase, by what makes the new shares whole;
//! - those integers live inline while they fit in 384 bits (`exact::Int`),
//!   so a run allocates almost nothing;
//! - a project's supporters are merged by class with a scratch index, not
//!   a hash map, and whether one pays its share is `money·P ≥ rest·points`
//!   with small multipliers;
//! - within a run `ρ` of a project never falls (money only shrinks), so the
//!   last `ρ` computed is a lower bound and projects whose bound is above
//!   the best `ρ` found in a round need not be recomputed;
//! - usually no supporter runs out of money, which one pass checks before
//!   anything is sorted;
//! - a run is a function of `b` that changes only where one of its
//!   comparisons changes sign, and every quantity in it is affine in `b`.
//!   Each run also finds the next whole step at which a comparison could
//!   flip (its `Horizon`); the runs before it would repeat the outcome, so
//!   add1 jumps straight there. The outcome is the same as stepping by one;
//! - at that step, the rounds before the first comparison that may flip
//!   are the same as in the last run, so the next run replays them (it
//!   only prices and buys their winners) and starts its search from the
//!   last run's prices, which are still lower bounds (`Memory`);
//! - in the rounds after, most projects lose again as they did in the
//!   last run: who paid all they had when a project was last priced gives,
//!   with today's money, a lower bound of its price in one sum, and that
//!   usually shows it loses without pricing it (`Hint`);
//! - where runs still hold for a step or two only (some winner's
//!   supporter crosses its price at nearly every step, which changes the
//!   run but rarely the outcome), one pass in fixed-point integers bounds
//!   every group's money between two lines over a whole range of steps and
//!   proves, by exact integer comparisons, that every step in it has the
//!   same outcome, or one of a few outcomes none of which ends add1
//!   (`ranges`); `Pace` chooses between the two;
//! - with a second core, each range is tried together with the one after
//!   it, which is then often already proven (`Ahead`).

use super::exact::Int;
use super::{Completion, Election, Money, Reason, ResultError, Tie, money};
use crate::budgets::pabulib::{Amount, UNIT};
use num_bigint::BigInt;
use num_traits::{One, ToPrimitive};
use std::cmp::Ordering;
use std::time::{Duration, Instant};

mod ranges;

/// The most add1 runs and passes (see `ranges`) we do before giving up on
/// an election.
const MAX_RUNS: usize = 20_000;

/// The outcome of the run that decided.
pub(super) struct Run {
    /// Bought projects in order.
    pub(super) selected: Vec<usize>,
    /// Each voter's starting money in that run.
    pub(super) per_voter: Money,
    /// Why each participating project won or lost.
    pub(super) reasons: Vec<Option<Reason>>,
    /// What it took to find it.
    pub(super) work: Work,
}

/// What add1 did: runs of the method, rounds of them replayed, and
/// projects shown to lose by a [`Hint`] instead of being priced.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Work {
    pub(super) runs: usize,
    pub(super) replayed: usize,
    pub(super) hinted: usize,
    /// Passes over ranges of steps (see `ranges`), and how many of them
    /// proved one outcome.
    pub(super) passes: usize,
    pub(super) ranges: usize,
}

/// `mes` with the add1 completion.
pub(super) fn equal_shares(
    election: &Election<'_>,
    tie: Tie,
    completion: Completion,
) -> Result<Run, ResultError> {
    add1(election, tie, completion, Pacing::Ranges)
}

/// How add1 goes from step to step: tests compare the fast ways with
/// stepping one by one.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Pacing {
    /// An exact run at every step.
    Step,
    /// Exact runs jumping over steps that cannot change the outcome.
    #[cfg_attr(not(test), expect(dead_code, reason = "tests compare every pacing"))]
    Jump,
    /// That, and ranges of steps proven in one pass (see `ranges`).
    Ranges,
}

/// `mes` with the add1 completion, going from step to step as `pacing`
/// says.
fn add1(
    election: &Election<'_>,
    tie: Tie,
    completion: Completion,
    pacing: Pacing,
) -> Result<Run, ResultError> {
    let mut work = Work::default();
    let mut found = search(election, tie, completion, pacing, &mut work)?;
    found.work = work;
    Ok(found)
}

/// The steps of `add1`, counting its work.
fn search(
    election: &Election<'_>,
    tie: Tie,
    completion: Completion,
    pacing: Pacing,
    work: &mut Work,
) -> Result<Run, ResultError> {
    let jump = pacing != Pacing::Step;
    let projects = election.instance.projects.len();
    let start = Start::new(election);
    let participating = &start.participating;
    let voters = election.voters();
    let budget = election.instance.budget;
    if voters == 0 {
        return Ok(Run {
            selected: Vec::new(),
            per_voter: money(0),
            reasons: vec![None; projects],
            work: Work::default(),
        });
    }
    let all_cost: Amount = (0..projects)
        .filter(|&p| participating[p])
        .map(|p| election.cost(p))
        .sum();
    let mut per_voter = Money::new(BigInt::from(budget), BigInt::from(voters));
    // The last outcome within the budget: a run, or the last step of a
    // range (or of a run's jump) that repeats it, to be run again.
    let mut previous: Option<Kept> = None;
    // What the last run lets the next one replay.
    let mut replay: Option<Memory> = None;
    // The run that decides, with full explanations: at some money, or a
    // run already done (again if it replayed rounds, which it then does
    // not explain).
    let at = |per_voter: &Money| {
        run(election, &start, per_voter, tie, false, None)
            .0
            .finish()
    };
    let explained = |draft: Draft| -> Run {
        if draft.replayed {
            at(&draft.per_voter)
        } else {
            draft.finish()
        }
    };
    let resolve = |kept: Kept| match kept {
        Kept::Step(last) => at(&last),
        Kept::Run(kept) => explained(kept),
    };
    let over =
        |selected: &[usize]| selected.iter().map(|&p| election.cost(p)).sum::<Amount>() > budget;
    // Whether add1 stops at an outcome within the budget.
    let done = |selected: &[usize]| {
        let spent: Amount = selected.iter().map(|&p| election.cost(p)).sum();
        let everything = selected.len() == participating.iter().filter(|p| **p).count();
        let exhaustive = (0..projects).all(|p| {
            !participating[p] || selected.contains(&p) || election.cost(p) > budget - spent
        });
        everything || completion == Completion::Exhaustive && exhaustive
    };
    let mut pace = Pace::new();
    // With a second core, each pass is tried together with the one that
    // follows it if it is proven (see `Ahead`).
    let parallel = std::thread::available_parallelism().is_ok_and(|n| n.get() > 1);
    let mut ahead: Option<Ahead> = None;
    let ranging = pacing == Pacing::Ranges && ranges::fit(election);
    // Exact runs and passes over ranges, together.
    let mut tries = 0;
    // The outcome at the step before `per_voter`.
    let mut before: Option<Vec<usize>> = None;
    while tries < MAX_RUNS {
        tries += 1;
        work.runs += 1;
        work.replayed += replay.as_ref().map_or(0, |r| r.rounds.len());
        let began = Instant::now();
        let replaying = replay.is_some();
        let (outcome, horizon, memory) =
            run(election, &start, &per_voter, tie, jump, replay.take());
        pace.ran(began.elapsed(), replaying);
        work.hinted += memory.hinted;
        if over(&outcome.selected) {
            return Ok(previous.map_or_else(|| explained(outcome), resolve));
        }
        if done(&outcome.selected) {
            return Ok(explained(outcome));
        }
        let Some(steps) = horizon.steps() else {
            // No comparison ever changes sign as money grows: raising
            // further cannot change the outcome.
            return Ok(explained(outcome));
        };
        if all_cost <= budget {
            // Everything fits in the budget, so raising never overspends
            // and the completion ends with everything bought. We go
            // straight to the first step at which each voter alone could
            // pay for all of it (stepping one by one could take millions
            // of runs): the winners are the same, and the explanations
            // come from that run.
            let short = (money(all_cost) - &per_voter) / money(UNIT);
            let steps = short.ceil().to_integer().max(BigInt::one());
            per_voter = &per_voter + money(UNIT) * steps;
            continue;
        }
        if jump {
            replay = Some(memory.advance(&horizon));
        }
        pace.settled(
            before.as_ref().is_some_and(|b| *b != outcome.selected),
            steps.to_u64().unwrap_or(u64::MAX),
        );
        before = Some(outcome.selected.clone());
        previous = Some(if steps.is_one() {
            Kept::Run(outcome)
        } else {
            Kept::Step(&per_voter + money(UNIT) * (steps.clone() - 1))
        });
        let stuck = steps <= BigInt::from(2);
        per_voter = &per_voter + money(UNIT) * steps;
        if !ranging || !pace.try_ranges(stuck) {
            continue;
        }
        // Then ranges of steps proven to share one outcome (see `Pace`),
        // until one cannot be proven and an exact run decides the step.
        while tries < MAX_RUNS {
            tries += 1;
            work.passes += 1;
            let expected = before.as_deref().unwrap_or_default();
            // The range tried ahead, if it starts here: its width, proven
            // or not, is as good as the one `pace` would choose.
            let (width, proof, took) = match ahead.take().filter(|a| a.first == per_voter) {
                Some(tried) => {
                    pace.width = tried.width;
                    (tried.width, tried.proof, tried.took)
                }
                None => {
                    let width = pace.width;
                    let next = (
                        &per_voter + money(UNIT) * BigInt::from(width),
                        pace.next_width(),
                    );
                    let (mine, theirs) = std::thread::scope(|scope| {
                        let theirs = parallel.then(|| {
                            scope.spawn(|| {
                                timed(|| {
                                    ranges::certify(
                                        election, &start, &next.0, next.1, tie, expected,
                                    )
                                })
                            })
                        });
                        let mine = timed(|| {
                            ranges::certify(election, &start, &per_voter, width, tie, expected)
                        });
                        (mine, theirs.and_then(|theirs| theirs.join().ok()))
                    });
                    ahead = theirs.map(|(proof, took)| Ahead {
                        first: next.0,
                        width: next.1,
                        proof,
                        took,
                    });
                    (width, mine.0, mine.1)
                }
            };
            // Several outcomes (where winners differ between the range's
            // steps) are enough when none of them ends add1: on the
            // synthetic city the order of the last purchases changes
            // every step or two, the projects bought about every twenty.
            let found = match proof {
                ranges::Proof::Holds(outcomes)
                    if outcomes.len() == 1 || outcomes.iter().all(|o| !over(o) && !done(o)) =>
                {
                    Ok(outcomes)
                }
                ranges::Proof::Holds(_) => Err(None),
                ranges::Proof::Fails(guess) => Err(guess),
            };
            let mut outcomes = match found {
                Ok(outcomes) => outcomes,
                Err(guess) => {
                    if pace.unproven(guess) {
                        continue;
                    }
                    break;
                }
            };
            let several = outcomes.len() > 1;
            // The next pass expects the outcome found last.
            let Some(selected) = outcomes.pop() else {
                break;
            };
            pace.proven(took);
            work.ranges += 1;
            if over(&selected) {
                // The step before the range was the last within the budget.
                return Ok(previous.map_or_else(|| at(&(&per_voter - money(UNIT))), resolve));
            }
            if done(&selected) {
                return Ok(at(&per_voter));
            }
            replay = None;
            pace.covered(
                several || before.as_ref().is_some_and(|b| *b != selected),
                width,
            );
            before = Some(selected);
            per_voter = &per_voter + money(UNIT) * BigInt::from(width);
            previous = Some(Kept::Step(&per_voter - money(UNIT)));
        }
    }
    Err(ResultError::TooManySteps(MAX_RUNS))
}

/// When add1 tries ranges of steps (see `ranges`) instead of exact runs,
/// and how wide. Ranges pay where exact runs hold for a step or two only
/// (a supporter crosses a price at nearly every step). Each range is half
/// again as long as the last one proven; after one that could not be
/// proven, as long as the pass guessed would hold (where the failing lines
/// cross, or where a project becomes affordable) but at most three
/// quarters as long, else half, ending where that range would have (the
/// exact runs that decide the steps in between shorten it: on Budapest
/// 2024 the guess was often the very step where the outcome changed, and
/// a range started a step later ran past it); the range proven right
/// after such a narrowing is tried again at the same length before
/// growing (on the synthetic city, whose outcome changes every step or
/// two, that spares a tenth of the time). A one-step range is only tried when passes take
/// less time than exact runs (on large elections replayed runs are
/// cheaper); before any pass is proven, one is tried on one step (on the
/// synthetic city passes take a fifth of a run, and waiting for a proven
/// one left 158 steps to exact runs: 8.9 → 4.3 s; on Łódź 2023 the first
/// failed pass, following several winners, took longer than a run, and
/// taking its time as the estimate left 84 steps to exact runs: 0.34 →
/// 0.9 s).
/// After a range that could not be proven at its narrowest, add1 waits
/// for a few exact runs before trying again, twice as many each time
/// it fails in a row and more when passes cost more than runs, and then
/// only once two exact runs in a row found the outcome of the step before
/// (on Łódź the winners' order changes at nearly every step, and passes
/// there cost more than replayed runs: they would only slow it). Measured on
/// several files (bench/budget-results): growing by half rather than
/// doubling, and capping the guess, spare a quarter of the passes on
/// Zürich and Świecie. The outcome is the same whatever this chooses; only
/// the time differs.
#[derive(Clone)]
struct Pace {
    /// Steps the next range spans.
    width: u64,
    /// Whether the last range tried was narrowed after one that could
    /// not be proven (the next proven one then keeps its width).
    narrowed: bool,
    /// Where the last range that could not be proven guessed its
    /// decisions stop holding, in steps from the current one (0: no
    /// guess). Exact runs that follow move the current step towards it,
    /// and the next range then ends there rather than past it.
    aim: u64,
    /// How many steps the outcome found last has lasted so far.
    lasted: u64,
    /// Exact runs to do before the next range, and how many the next
    /// failure waits for.
    wait: u64,
    patience: u64,
    /// How many exact runs in a row found the outcome of the step before,
    /// and how many are needed before trying a range (two after one
    /// failed at its narrowest, until one of four steps or more holds).
    calm: u32,
    needed: u32,
    /// How long the last replayed exact run and the last proven pass took.
    run: Duration,
    pass: Duration,
}

impl Pace {
    fn new() -> Self {
        Pace {
            width: 2,
            narrowed: false,
            aim: 0,
            lasted: 0,
            wait: 0,
            patience: 1,
            calm: 0,
            needed: 1,
            run: Duration::ZERO,
            pass: Duration::MAX,
        }
    }

    /// An exact run took `took` (replaying the last one's rounds or not).
    fn ran(&mut self, took: Duration, replaying: bool) {
        if self.run.is_zero() {
            self.run = took;
        } else if replaying {
            self.run = smoothed(self.run, took);
        }
    }

    /// Whether an exact run's outcome differs from the step's before, and
    /// how many steps it holds for.
    fn settled(&mut self, changed: bool, steps: u64) {
        self.calm = if changed { 0 } else { self.calm + 1 };
        if changed || steps >= self.aim {
            self.aim = 0;
        } else if self.aim > 0 {
            self.aim -= steps;
            self.width = self.aim;
        }
        self.covered(changed, steps);
    }

    /// Steps found to share an outcome, new or the one before. Outcomes
    /// of one election tend to last alike, so a new one's first range is
    /// at least half as long as the last outcome lasted (on Budapest 2024,
    /// 124 outcomes of about 140 steps each, which ranges otherwise
    /// reached from three steps every time).
    fn covered(&mut self, changed: bool, steps: u64) {
        if changed {
            self.width = self.width.max((self.lasted / 2).min(WIDEST));
            self.lasted = 0;
        }
        self.lasted = self.lasted.saturating_add(steps);
    }

    /// Whether to try ranges after an exact run (`stuck`: one that holds
    /// for at most two steps). Not while the outcome keeps changing from
    /// step to step (on Łódź the winners' order does): no range could
    /// hold there.
    fn try_ranges(&mut self, stuck: bool) -> bool {
        if self.wait > 0 {
            self.wait -= 1;
            return false;
        }
        stuck && self.calm >= self.needed
    }

    /// A range could not be proven, by a pass that guessed how many first
    /// steps would hold: whether to try a narrower one now (else an exact
    /// run decides the next step, and ranges may follow).
    fn unproven(&mut self, guess: Option<u64>) -> bool {
        // Before any pass is proven, one step is tried: a failed pass says
        // little of what a proven one costs (one that follows several
        // winners before failing costs more).
        let pass = if self.pass == Duration::MAX {
            Duration::ZERO
        } else {
            self.pass
        };
        let cheaper = pass < self.run;
        let narrowest = if cheaper { 1 } else { 2 };
        self.aim = 0;
        if self.width > narrowest {
            self.narrowed = true;
            self.width = match guess {
                Some(guess) if guess < self.width => {
                    let width = guess.min(three_quarters(self.width)).max(narrowest);
                    self.aim = width;
                    width
                }
                _ => self.width / 2,
            };
            return cheaper;
        }
        let dearer = (pass.as_nanos() / self.run.as_nanos().max(1)).max(1);
        self.wait = (self.patience * u64::try_from(dearer).unwrap_or(MOST_WAIT)).min(MOST_WAIT);
        self.needed = 2;
        self.patience = (self.patience * 2).min(MOST_WAIT);
        false
    }

    /// How wide the next range is if the one being tried is proven with
    /// the outcome of the step before.
    fn next_width(&self) -> u64 {
        let mut next = self.clone();
        next.proven(self.pass);
        next.covered(false, self.width);
        next.width
    }

    /// A range was proven, by a pass that took `took`.
    fn proven(&mut self, took: Duration) {
        self.aim = 0;
        self.pass = if self.pass == Duration::MAX {
            took
        } else {
            smoothed(self.pass, took)
        };
        if self.width >= 4 {
            self.patience = 1;
            self.needed = 1;
        }
        if std::mem::take(&mut self.narrowed) {
            return;
        }
        self.width = self.width.saturating_add(self.width.div_ceil(2));
    }
}

/// A pass tried on the second core while the one before it was: most
/// ranges are proven (on Budapest 2024 about three in five, in runs of
/// several), and then the next one is already done.
struct Ahead {
    /// Each voter's money at the range's first step, and its steps.
    first: Money,
    width: u64,
    proof: ranges::Proof,
    took: Duration,
}

/// What `work` returns, and how long it took.
fn timed<T>(work: impl FnOnce() -> T) -> (T, Duration) {
    let began = Instant::now();
    let done = work();
    (done, began.elapsed())
}

/// A time measured again, smoothed with the earlier ones (one measure can
/// be off on a busy machine).
fn smoothed(before: Duration, now: Duration) -> Duration {
    (before * 3 + now) / 4
}

/// Three quarters of `width`, rounded down, without overflowing.
fn three_quarters(width: u64) -> u64 {
    width / 4 * 3 + width % 4 * 3 / 4
}

/// The widest range a new outcome starts with (an outcome that lasted
/// longer says nothing more).
const WIDEST: u64 = 1 << 32;

/// The most exact runs add1 does between two tries of a range.
const MOST_WAIT: u64 = 64;

/// The last outcome within the budget, as add1 keeps it.
enum Kept {
    /// The run that found it.
    Run(Draft),
    /// The last step that repeats it (its run is done again if needed).
    Step(Money),
}

/// One run of the Method of Equal Shares with `per_voter` money each, how
/// many whole currency units more it would take to change it (when
/// `track`), and what the next run may replay of it. With `replay`, the
/// rounds that cannot have changed since the run that left it are
/// replayed: only their winners are priced and bought.
fn run(
    election: &Election<'_>,
    start: &Start,
    per_voter: &Money,
    tie: Tie,
    track: bool,
    replay: Option<Memory>,
) -> (Draft, Horizon, Memory) {
    let projects = start.participating.len();
    let groups = election.groups.len();
    let scale = Int::from(per_voter.denom());
    let mut state = State {
        election,
        // Money grows by one currency unit per step of t.
        slope: vec![Int::from(UNIT) * &scale],
        scale,
        money: vec![Int::from(per_voter.numer())],
        epoch: vec![0],
        since: vec![Int::one()],
        class_of: vec![0; groups],
        alive: start.participating.clone(),
        horizon: Horizon::new(track),
        slot: Vec::new(),
        entries: Vec::new(),
        which: Vec::new(),
        keys: Vec::new(),
        capped: 0,
        paying: Int::zero(),
        marks: Vec::new(),
    };
    let mut memory = Memory::default();
    let replayed = replay.is_some();
    let mut replay = replay;
    if let Some(replay) = &mut replay {
        state.horizon.lowered = std::mem::take(&mut replay.lowered);
        memory.prices = std::mem::take(&mut replay.prices);
        // Hints hold whatever the money, so they all carry over; this
        // run's pricing replaces those of the rounds it prices.
        memory.hints = std::mem::take(&mut replay.hints);
    }
    let mut bound: Vec<Option<Rho>> = vec![None; projects];
    let mut reasons: Vec<Option<Pending>> = vec![None; projects];
    let mut selected = Vec::new();
    let mut candidates: Vec<usize> = Vec::with_capacity(projects);
    // Hints pay where runs follow each other step by step (the last one
    // reached only the next step); elsewhere add1 jumps and they would
    // only cost. Each project's latest hint in this run:
    let hinting = track && replay.as_ref().is_some_and(|r| r.stuck);
    let mut latest: Vec<Option<Hint>> = vec![None; projects];
    for round in 1.. {
        state.horizon.round = round;
        if let Some((winner, dropped)) = replay.as_ref().and_then(|r| r.rounds.get(round - 1)) {
            for &q in dropped {
                state.alive[q] = false;
            }
            match state.rho(*winner, &start.supporters[*winner]) {
                Ok(rho) => {
                    state.alive[*winner] = false;
                    state.buy(*winner, &rho, &start.supporters[*winner]);
                    selected.push(*winner);
                    memory.rounds.push((*winner, dropped.clone()));
                    continue;
                }
                // Cannot happen (the replayed rounds' comparisons hold);
                // should it, the run starts afresh (and tests fail).
                Err(_) => {
                    debug_assert!(false, "a replayed winner could not be paid for");
                    return run(election, start, per_voter, tie, track, None);
                }
            }
        }
        if round == memory.rounds.len() + 1 && replayed {
            // The prices found before this round are lower bounds now.
            for (_, p, rho) in &memory.prices {
                bound[*p] = Some(rho.clone());
            }
        }
        candidates.clear();
        candidates.extend((0..projects).filter(|&p| state.alive[p]));
        // Cheapest bounds first, so that the best is found early and the
        // rest skipped, and the last run's winner of this round before
        // all; any order gives the same outcome.
        let last_winner = replay
            .as_ref()
            .and_then(|r| r.winners.get(round - 1))
            .copied();
        candidates.sort_by_key(|&p| (Some(p) != last_winner, bound[p].as_ref().map(|b| b.order)));
        let mut best: Option<(usize, Rho)> = None;
        let mut dropped = Vec::new();
        for &p in &candidates {
            if let (Some((_, best_rho)), Some(low)) = (&best, &bound[p])
                && low.cmp(best_rho, &mut Horizon::new(false)) == Ordering::Greater
            {
                continue;
            }
            // A bound from the last run's pricing, with today's money: one
            // sum over those who paid all they had then, no sorting.
            if let (Some((_, best_rho)), Some((found, here))) = (
                &best,
                Hint::for_round(&memory.hints, &latest, (round - 1) * projects + p, p),
            ) && let Some(low) = state.bound_from(p, found)
                && low.cmp(best_rho, &mut Horizon::new(false)) == Ordering::Greater
            {
                if !here && let Some(found) = latest[p].clone() {
                    memory.remember(round, projects, p, found);
                }
                memory.hinted += 1;
                if track {
                    memory.prices.push((round, p, low.clone()));
                }
                bound[p] = Some(low);
                continue;
            }
            match state.rho(p, &start.supporters[p]) {
                Ok(rho) => {
                    if hinting {
                        let found = state.hint(&start.supporters[p]);
                        latest[p] = Some(found.clone());
                        memory.remember(round, projects, p, found);
                    }
                    let better = match &best {
                        None => true,
                        // Only the winner's comparisons decide (recorded
                        // below), not those with a passing best.
                        Some((q, best_rho)) => match rho.cmp(best_rho, &mut Horizon::new(false)) {
                            Ordering::Less => true,
                            Ordering::Equal => election.before(tie, p, *q) == Ordering::Less,
                            Ordering::Greater => false,
                        },
                    };
                    if track {
                        memory.prices.push((round, p, rho.clone()));
                    }
                    bound[p] = Some(rho.clone());
                    if better {
                        best = Some((p, rho));
                    }
                }
                Err(have) => {
                    state.alive[p] = false;
                    dropped.push(p);
                    reasons[p] = Some(Pending::Unaffordable {
                        round,
                        money: (have, state.scale.clone()),
                    });
                }
            }
        }
        let Some((p, rho)) = best else {
            break;
        };
        // Every comparison decided in this round must keep its sign: the
        // winner against the projects it beat and against the bounds of
        // those it skipped. A loser's price is only needed as a lower
        // bound: with any set C of its supporters counted as paying all
        // their money, `(cost − money of C) / utility of the others` is at
        // most its price, so the affine price found now stays below the
        // true one whatever its supporters do later. The winner's
        // supporters, though, must stay on their side of its price: who
        // pays all they have decides everyone's money afterwards.
        for (q, other) in bound.iter().enumerate() {
            if q != p
                && state.alive[q]
                && let Some(other) = other
            {
                rho.cmp(other, &mut state.horizon);
            }
        }
        state.sides(p, &rho, &start.supporters[p]);
        state.alive[p] = false;
        reasons[p] = Some(Pending::Bought {
            round,
            share: (&rho.rest * &state.unit(p), rho.per_scale.clone()),
        });
        state.buy(p, &rho, &start.supporters[p]);
        selected.push(p);
        memory.rounds.push((p, dropped));
    }
    let horizon = state.horizon;
    memory.winners.clone_from(&selected);
    (
        Draft {
            selected,
            per_voter: per_voter.clone(),
            reasons,
            replayed,
        },
        horizon,
        memory,
    )
}

/// What a tracked run leaves for the next one to replay.
#[derive(Default)]
struct Memory {
    /// Each round's winner and the projects its supporters could no longer
    /// afford in that round.
    rounds: Vec<(usize, Vec<usize>)>,
    /// Every price computed, with its round: lower bounds of the project's
    /// price in every later round.
    prices: Vec<(usize, usize, Rho)>,
    /// The horizon's limits so far (see `Horizon::lowered`).
    lowered: Vec<(usize, Int)>,
    /// Every round's winner, replayed or not.
    winners: Vec<usize>,
    /// What each pricing found (round by round, project by project).
    hints: Vec<Option<Hint>>,
    /// Whether the run that left it held for one step only.
    stuck: bool,
    /// How many projects its run showed to lose by a hint.
    hinted: usize,
}

/// What pricing a project found that holds whatever the money: the groups
/// that paid all they had (or had nothing), and the points of the others.
/// Any such set C gives a lower bound of the price, `(cost − money of C) /
/// utility of the others` (see `Rho`), so with the next run's money it
/// bounds the same round's price there, usually tightly enough to show
/// that the project loses again without pricing it.
#[derive(Clone)]
struct Hint {
    paid_all: Vec<u32>,
    others: Int,
}

impl Hint {
    /// What pricing project `p` in a round (slot `at`) found in an earlier
    /// run (usually the last), and `true`; else what this run found last,
    /// and `false` (it then becomes this round's, for the next run).
    fn for_round<'h>(
        hints: &'h [Option<Hint>],
        latest: &'h [Option<Hint>],
        at: usize,
        p: usize,
    ) -> Option<(&'h Hint, bool)> {
        match hints.get(at).and_then(Option::as_ref) {
            Some(here) => Some((here, true)),
            None => latest[p].as_ref().map(|there| (there, false)),
        }
    }
}

impl Memory {
    /// Keeps what pricing `p` in `round` found, for the next run.
    fn remember(&mut self, round: usize, projects: usize, p: usize, hint: Hint) {
        let at = (round - 1) * projects + p;
        if self.hints.len() <= at {
            self.hints.resize(round * projects, None);
        }
        self.hints[at] = Some(hint);
    }

    /// What the run at the horizon's step may replay: the rounds before
    /// the one whose comparison limits the horizon (every comparison in
    /// them holds at that step), their prices and limits moved there.
    fn advance(mut self, horizon: &Horizon) -> Memory {
        let Some((limiting, steps)) = horizon.lowered.last() else {
            return Memory::default();
        };
        self.stuck = steps.is_one();
        self.rounds.truncate(limiting - 1);
        self.prices.retain(|(round, _, _)| round < limiting);
        for (_, _, rho) in &mut self.prices {
            rho.advance(steps);
        }
        // Earlier limits were larger than this step, so at least 1 remains.
        self.lowered = horizon
            .lowered
            .iter()
            .filter(|(round, _)| round < limiting)
            .map(|(round, limit)| (*round, limit - steps))
            .collect();
        self
    }
}

/// A run's outcome with its reasons still in the run's own integers: only
/// the run that decides turns them into exact money.
struct Draft {
    selected: Vec<usize>,
    per_voter: Money,
    reasons: Vec<Option<Pending>>,
    /// Whether it replayed rounds of an earlier run (whose reasons it
    /// then lacks).
    replayed: bool,
}

impl Draft {
    fn finish(self) -> Run {
        let money = |(numerator, denominator): (Int, Int)| {
            Money::new(numerator.to_big(), denominator.to_big())
        };
        Run {
            work: Work::default(),
            selected: self.selected,
            per_voter: self.per_voter,
            reasons: self
                .reasons
                .into_iter()
                .map(|reason| {
                    reason.map(|reason| match reason {
                        Pending::Bought { round, share } => Reason::Bought {
                            round,
                            share: money(share),
                        },
                        Pending::Unaffordable { round, money: have } => Reason::Unaffordable {
                            round,
                            money: money(have),
                        },
                    })
                })
                .collect(),
        }
    }
}

/// A [`Reason`] of the MES kinds, as numerator and denominator.
#[derive(Clone)]
enum Pending {
    Bought { round: usize, share: (Int, Int) },
    Unaffordable { round: usize, money: (Int, Int) },
}

/// How far money can grow before some comparison of a run changes sign, in
/// whole currency units.
struct Horizon {
    /// Whether this run looks at all (if not, it holds for one step).
    tracking: bool,
    /// The round being run.
    round: usize,
    /// Each time the limit fell: the round of the comparison and the new
    /// limit, falling; the last is the limit (none: nothing limits it).
    /// Every comparison in a round before a limit's flips later than the
    /// limit before it.
    lowered: Vec<(usize, Int)>,
}

impl Horizon {
    fn new(tracking: bool) -> Self {
        Horizon {
            tracking,
            round: 0,
            lowered: Vec::new(),
        }
    }

    /// Records that the sign of `now + slope·t` must stay as it is now.
    fn keep(&mut self, now: &Int, slope: &Int) {
        if self.closed() {
            return;
        }
        match (now.signum(), slope.signum()) {
            (Ordering::Equal, Ordering::Equal) => return,
            (Ordering::Equal, _) => {
                self.lowered.push((self.round, Int::one()));
                return;
            }
            (Ordering::Greater, Ordering::Less) | (Ordering::Less, Ordering::Greater) => {}
            _ => return,
        }
        // It flips at t = |now| / |slope|: the first whole step there, at
        // least the next one. Dividing is only needed when that comes
        // before the limit so far: ⌈n/s⌉ < l exactly when n ≤ (l − 1)·s.
        let (now, slope) = (now.abs(), slope.abs());
        if now <= slope {
            self.lowered.push((self.round, Int::one()));
            return;
        }
        if let Some((_, limit)) = self.lowered.last()
            && now > &(limit - &Int::one()) * &slope
        {
            return;
        }
        self.lowered.push((self.round, now.div_ceil(&slope)));
    }

    /// Whether nothing more can be learnt in this run.
    fn closed(&self) -> bool {
        !self.tracking || self.lowered.last().is_some_and(|(_, limit)| limit.is_one())
    }

    /// How many steps until the outcome may change (`None`: never).
    fn steps(&self) -> Option<BigInt> {
        if !self.tracking {
            return Some(BigInt::one());
        }
        self.lowered.last().map(|(_, limit)| limit.to_big())
    }
}

/// A voter group with no money left.
const BROKE: usize = usize::MAX;

/// No entry (see `State::group`).
const NONE: u32 = u32::MAX;

/// What every run starts from.
struct Start {
    /// Who supports each project: (group, points).
    supporters: Vec<Vec<(usize, i64)>>,
    /// The same as passes read them (see `ranges`).
    backers: Vec<ranges::Backers>,
    /// Projects with a supporter and a positive cost.
    participating: Vec<bool>,
    /// Each project's points from all its supporters.
    points: Vec<i128>,
}

impl Start {
    fn new(election: &Election<'_>) -> Self {
        let projects = election.instance.projects.len();
        let mut supporters = vec![Vec::new(); projects];
        for (g, (_, choices)) in election.groups.iter().enumerate() {
            for &(p, points) in choices {
                supporters[p].push((g, points));
            }
        }
        let participating = (0..projects)
            .map(|p| !supporters[p].is_empty() && election.cost(p) > 0)
            .collect();
        let weights: Vec<i128> = election
            .groups
            .iter()
            .map(|(w, _)| i128::from(*w))
            .collect();
        let points = supporters
            .iter()
            .map(|of| {
                of.iter()
                    .map(|&(g, given)| weights[g] * i128::from(given))
                    .sum()
            })
            .collect();
        Start {
            backers: ranges::backers(&supporters, &weights),
            supporters,
            participating,
            points,
        }
    }
}

/// A project's price per unit of utility, `ρ = (rest + slope·t) /
/// per_scale`, exact.
#[derive(Clone, Debug)]
struct Rho {
    /// What its uncapped supporters still pay, in units of `1/scale`.
    rest: Int,
    /// How `rest` moves per currency unit of starting money.
    slope: Int,
    /// Their utility times the scale at the time.
    per_scale: Int,
    /// An approximate key of `ρ`, only to choose which project to price
    /// first (see `Int::ratio_key`).
    order: (i64, u64),
}

impl Rho {
    /// The same price `steps` currency units of starting money later.
    fn advance(&mut self, steps: &Int) {
        self.rest += &(&self.slope * steps);
        self.order = Int::ratio_key(&self.rest, &self.per_scale);
    }

    fn new(rest: Int, slope: Int, per_scale: Int) -> Self {
        let order = Int::ratio_key(&rest, &per_scale);
        Rho {
            rest,
            slope,
            per_scale,
            order,
        }
    }

    /// Compares two prices, recording that the result must hold.
    fn cmp(&self, other: &Rho, horizon: &mut Horizon) -> Ordering {
        let left = &self.rest * &other.per_scale;
        let right = &other.rest * &self.per_scale;
        if !horizon.closed() {
            let slope = &self.slope * &other.per_scale - &other.slope * &self.per_scale;
            horizon.keep(&(&left - &right), &slope);
        }
        left.cmp(&right)
    }
}

/// A project's supporters who give it the same points and have the same
/// money (see `State::group`).
struct Entry {
    class: usize,
    points: i64,
    /// How many voters.
    weight: u64,
    /// The next entry of the same class (other points), or `NONE`.
    next: u32,
    /// Its place in `State::keys` (see `price`).
    key: u32,
}

/// Money during one run, kept as integers over one common denominator,
/// `scale`, each with its slope: how it moves per currency unit more of
/// starting money, all decisions of the run staying the same.
struct State<'e, 'a> {
    election: &'e Election<'a>,
    /// The common denominator of all money.
    scale: Int,
    /// Each voter group's class: voters who paid for the same projects
    /// the same way have the same money. `BROKE` once they have none.
    class_of: Vec<usize>,
    /// Each class's money (per voter), times `scale`.
    money: Vec<Int>,
    /// Each class's slope, times `scale`.
    slope: Vec<Int>,
    /// When the scale grows, only classes that are looked at again are
    /// brought up to it: `money` and `slope` of class `c` are over the
    /// scale of epoch `epoch[c]`, and `since[e]` is what the scale has
    /// been multiplied by since epoch `e` (the last is the current one).
    epoch: Vec<usize>,
    /// See `epoch`.
    since: Vec<Int>,
    /// Projects still in the running.
    alive: Vec<bool>,
    /// How far this run's decisions hold.
    horizon: Horizon,
    /// Scratch space of `group`, kept between calls: each class's first
    /// entry (`NONE` between calls), the entries, and each supporter's.
    slot: Vec<u32>,
    entries: Vec<Entry>,
    which: Vec<u32>,
    /// Scratch space of `price`: money per point of each entry, over a
    /// common multiple of their points, when points differ.
    keys: Vec<Int>,
    /// What the last successful `price` found: how many entries (the first
    /// ones) paid all they had, and the points of the others.
    capped: usize,
    paying: Int,
    /// Scratch space of `hint`: which entries paid all they had.
    marks: Vec<bool>,
}

impl State<'_, '_> {
    /// A supporter's utility per point: the cost (approval) or 1 (points).
    fn unit(&self, p: usize) -> Int {
        Int::from(if self.election.cost_utility {
            self.election.cost(p)
        } else {
            1
        })
    }

    /// Brings class `g`'s money up to the current scale.
    fn fresh(&mut self, g: usize) {
        let now = self.since.len() - 1;
        let epoch = self.epoch[g];
        if epoch != now {
            let factor = &self.since[epoch];
            if self.money[g].is_positive() {
                self.money[g] *= factor;
                self.slope[g] *= factor;
            }
            self.epoch[g] = now;
        }
    }

    /// Merges a project's supporters with money left into `entries`, one
    /// per (class, points), brought up to the current scale; `which` says
    /// each supporter's entry (`NONE` when broke). No hashing: `slot`
    /// holds each class's first entry while this runs.
    fn group(&mut self, supporters: &[(usize, i64)]) {
        self.entries.clear();
        self.which.clear();
        self.slot.resize(self.money.len(), NONE);
        for &(g, points) in supporters {
            let class = self.class_of[g];
            if class == BROKE {
                self.which.push(NONE);
                continue;
            }
            let (mut at, mut last) = (self.slot[class], NONE);
            while at != NONE && self.entries[at as usize].points != points {
                last = at;
                at = self.entries[at as usize].next;
            }
            if at == NONE {
                // Fewer entries than supporters, and supporters fit in memory.
                at = self.entries.len() as u32;
                self.entries.push(Entry {
                    class,
                    points,
                    weight: 0,
                    next: NONE,
                    key: at,
                });
                match last {
                    NONE => self.slot[class] = at,
                    last => self.entries[last as usize].next = at,
                }
            }
            self.entries[at as usize].weight += self.election.groups[g].0;
            self.which.push(at);
        }
        for i in 0..self.entries.len() {
            let class = self.entries[i].class;
            self.slot[class] = NONE;
            self.fresh(class);
        }
    }

    /// The smallest `ρ` at which `p`'s supporters pay for it, each paying
    /// `min(money, ρ·utility)`, or what they have together (times the
    /// scale) when they cannot.
    fn rho(&mut self, p: usize, supporters: &[(usize, i64)]) -> Result<Rho, Int> {
        self.group(supporters);
        let mut entries = std::mem::take(&mut self.entries);
        let result = self.price(p, &mut entries);
        self.entries = entries;
        result
    }

    /// `rho` over grouped supporters. With `P` the points of those who
    /// pay their share, the price per point is `rest / P` (times `unit`
    /// for cost utilities), so whether a supporter pays its share is
    /// `money·P ≥ rest·points`: small multipliers only.
    fn price(&mut self, p: usize, entries: &mut [Entry]) -> Result<Rho, Int> {
        let cost = Int::from(self.election.cost(p)) * &self.scale;
        let sum = entries.iter().try_fold(0_i128, |sum, e| {
            sum.checked_add(i128::from(e.points).checked_mul(i128::from(e.weight))?)
        });
        let mut points = match sum {
            Some(sum) => Int::from(sum),
            None => entries.iter().fold(Int::zero(), |sum, e| {
                sum + Int::from(e.points) * Int::from(e.weight)
            }),
        };
        let mut rest = cost.clone();
        let mut rest_slope = Int::zero();
        // Supporters who run out first come first: by money per point.
        // With mixed points that is money·(L/points), L the least common
        // multiple of the points, computed once per entry.
        let same_points = entries.windows(2).all(|w| w[0].points == w[1].points);
        if !same_points {
            // In i128 whenever it fits (always, in practice).
            let small = entries.iter().try_fold(1_i128, |lcm, e| {
                let points = i128::from(e.points);
                (lcm / num_integer::Integer::gcd(&lcm, &points)).checked_mul(points)
            });
            let lcm = small.map_or_else(
                || {
                    entries.iter().fold(Int::one(), |lcm, e| {
                        let points = Int::from(e.points);
                        lcm.div_exact(&lcm.gcd(&points)) * points
                    })
                },
                Int::from,
            );
            self.keys.clear();
            for e in entries.iter() {
                let factor = match small {
                    Some(lcm) => Int::from(lcm / i128::from(e.points)),
                    None => lcm.div_exact(&Int::from(e.points)),
                };
                self.keys.push(&self.money[e.class] * &factor);
            }
        }
        let money = &self.money;
        let keys = &self.keys;
        let pays = |e: &Entry, points: &Int, rest: &Int| {
            &money[e.class] * points >= rest * &Int::from(e.points)
        };
        let poorer = |a: &Entry, b: &Entry| {
            if same_points {
                money[a.class].cmp(&money[b.class])
            } else {
                keys[a.key as usize].cmp(&keys[b.key as usize])
            }
        };
        // Usually nobody runs out: check the poorest before sorting.
        let poorest = entries.iter().min_by(|a, b| poorer(a, b));
        let mut capped = 0;
        if !poorest.is_some_and(|e| pays(e, &points, &rest)) {
            // Someone runs out. Whether they can pay at all is one sum,
            // without sorting (in the last rounds most cannot).
            let have = entries.iter().fold(Int::zero(), |have, e| {
                have + &money[e.class] * &Int::from(e.weight)
            });
            if have < cost {
                if !self.horizon.closed() {
                    let have_slope = entries.iter().fold(Int::zero(), |sum, e| {
                        sum + &self.slope[e.class] * &Int::from(e.weight)
                    });
                    self.horizon.keep(&(&have - &cost), &have_slope);
                }
                return Err(have);
            }
            // Together they can, so someone pays its share (at the latest
            // the last: what is left is then at most its money). Equal
            // money per point is capped together, in any order.
            entries.sort_unstable_by(poorer);
            for e in entries.iter() {
                if pays(e, &points, &rest) {
                    break;
                }
                let weight = Int::from(e.weight);
                rest -= &(&money[e.class] * &weight);
                rest_slope -= &(&self.slope[e.class] * &weight);
                points -= &(Int::from(e.points) * Int::from(e.weight));
                capped += 1;
            }
        }
        self.capped = capped;
        self.paying = points.clone();
        let per_scale = points * &self.unit(p) * &self.scale;
        Ok(Rho::new(rest, rest_slope, per_scale))
    }

    /// The last `rho`'s [`Hint`], for `p`'s supporters.
    fn hint(&mut self, supporters: &[(usize, i64)]) -> Hint {
        self.marks.clear();
        self.marks.resize(self.entries.len(), false);
        for e in &self.entries[..self.capped] {
            self.marks[e.key as usize] = true;
        }
        let paid_all: Vec<u32> = supporters
            .iter()
            .zip(&self.which)
            .filter(|&(_, &at)| at == NONE || self.marks[at as usize])
            // Groups fit in u32 as entries do.
            .map(|(&(g, _), _)| g as u32)
            .collect();
        Hint {
            paid_all,
            others: self.paying.clone(),
        }
    }

    /// The lower bound of `p`'s price that `hint` gives with today's
    /// money, unless it says nothing (nobody else, or C pays it all).
    fn bound_from(&mut self, p: usize, hint: &Hint) -> Option<Rho> {
        if !hint.others.is_positive() {
            return None;
        }
        // Their money by class (as `group` does): one product per class.
        self.slot.resize(self.money.len(), NONE);
        let mut classes: Vec<(usize, u64)> = Vec::new();
        for &g in &hint.paid_all {
            let class = self.class_of[g as usize];
            if class == BROKE {
                continue;
            }
            let weight = self.election.groups[g as usize].0;
            match self.slot[class] {
                NONE => {
                    // Fewer classes than supporters, which fit in memory.
                    self.slot[class] = classes.len() as u32;
                    classes.push((class, weight));
                }
                at => classes[at as usize].1 += weight,
            }
        }
        let mut rest = Int::from(self.election.cost(p)) * &self.scale;
        let mut slope = Int::zero();
        for (class, weight) in classes {
            self.slot[class] = NONE;
            self.fresh(class);
            let weight = Int::from(weight);
            rest -= &(&self.money[class] * &weight);
            slope -= &(&self.slope[class] * &weight);
        }
        if !rest.is_positive() {
            return None;
        }
        let per_scale = &hint.others * &self.unit(p) * &self.scale;
        Some(Rho::new(rest, slope, per_scale))
    }

    /// Records that each of `p`'s supporters stays on its side of the
    /// price `rho`: `money·utility` against `rest·points·unit`.
    fn sides(&mut self, p: usize, rho: &Rho, supporters: &[(usize, i64)]) {
        if self.horizon.closed() {
            return;
        }
        self.group(supporters);
        let unit = self.unit(p);
        let utility = rho.per_scale.div_exact(&self.scale);
        for e in &self.entries {
            let scaled = Int::from(e.points) * &unit;
            let now = &self.money[e.class] * &utility - &rho.rest * &scaled;
            let slope = &self.slope[e.class] * &utility - &rho.slope * &scaled;
            self.horizon.keep(&now, &slope);
            if self.horizon.closed() {
                return;
            }
        }
    }

    /// Buys `p` at `rho`: each supporter pays `min(money, ρ·utility)`.
    fn buy(&mut self, p: usize, rho: &Rho, supporters: &[(usize, i64)]) {
        // Price per point in units of 1/scale: (rest + slope·t)·unit /
        // utility. Make it whole by multiplying the scale (and all money)
        // by the reduced denominator.
        let numerator = &rho.rest * &self.unit(p);
        let numerator_slope = &rho.slope * &self.unit(p);
        let utility = rho.per_scale.div_exact(&self.scale);
        let common = utility.gcd(&numerator).gcd(&numerator_slope);
        let per_point = numerator.div_exact(&common);
        let per_point_slope = numerator_slope.div_exact(&common);
        let factor = utility.div_exact(&common);
        if !factor.is_one() {
            self.scale *= &factor;
            for since in &mut self.since {
                *since *= &factor;
            }
            self.since.push(Int::one());
        }
        // Supporters of one class who give the same points move together
        // to one new class.
        self.group(supporters);
        let now = self.since.len() - 1;
        // What a supporter giving some points pays (mostly the same points).
        let mut pays: Option<(i64, Int, Int)> = None;
        let moved: Vec<usize> = (0..self.entries.len())
            .map(|i| {
                let (class, points) = (self.entries[i].class, self.entries[i].points);
                let (pay, pay_slope) = match &pays {
                    Some((given, pay, pay_slope)) if *given == points => (pay, pay_slope),
                    _ => {
                        let given = Int::from(points);
                        let cached =
                            pays.insert((points, &per_point * &given, &per_point_slope * &given));
                        (&cached.1, &cached.2)
                    }
                };
                if self.money[class] <= *pay {
                    return BROKE;
                }
                self.money.push(&self.money[class] - pay);
                self.slope.push(&self.slope[class] - pay_slope);
                self.epoch.push(now);
                self.money.len() - 1
            })
            .collect();
        for (&(g, _), &at) in supporters.iter().zip(&self.which) {
            if at != NONE {
                self.class_of[g] = moved[at as usize];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budgets::pabulib::{Ballot, Instance, Project, parse};
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    impl Work {
        fn add(&mut self, other: Work) {
            self.runs += other.runs;
            self.replayed += other.replayed;
            self.hinted += other.hinted;
            self.passes += other.passes;
            self.ranges += other.ranges;
        }
    }

    /// Compares jumping (with replays and hints) and ranges with stepping
    /// one by one, and says what each fast way did, in all.
    fn both_ways(instance: &Instance, what: &str) -> [Work; 2] {
        let election = Election::new(instance, true).expect("an election");
        let mut total = [Work::default(); 2];
        for tie in [Tie::Id, Tie::Cheapest] {
            for completion in [Completion::Exhaustive, Completion::UntilOverBudget] {
                let stepping = add1(&election, tie, completion, Pacing::Step).expect("computed");
                for (fast, total) in [Pacing::Jump, Pacing::Ranges].into_iter().zip(&mut total) {
                    let found = add1(&election, tie, completion, fast).expect("computed");
                    assert_eq!(
                        (&found.selected, &found.per_voter, &found.reasons),
                        (&stepping.selected, &stepping.per_voter, &stepping.reasons),
                        "{what} {tie:?} {completion:?} {fast:?}"
                    );
                    assert!(found.work.runs <= stepping.work.runs, "{what}");
                    total.add(found.work);
                }
            }
        }
        total
    }

    #[test]
    fn jumping_over_steps_gives_what_stepping_one_by_one_gives() {
        let mut rng = StdRng::seed_from_u64(2026);
        let (mut jumping, mut ranging) = (Work::default(), Work::default());
        // Many small elections, then fewer larger ones (more rounds to
        // replay, more supporters near a price).
        for case in 0..460 {
            let (most_projects, most_voters) = if case < 400 { (9, 40) } else { (16, 150) };
            let projects: Vec<Project> = (0..rng.random_range(1..most_projects))
                .map(|i| Project {
                    id: format!("p{i}"),
                    cost: rng.random_range(1..60) * UNIT + rng.random_range(0..2) * UNIT / 2,
                })
                .collect();
            let points = case % 4 == 3;
            let mut ballots = Vec::new();
            for _ in 0..rng.random_range(1..most_voters) {
                let mut choices = Vec::new();
                for p in 0..projects.len() {
                    if rng.random_bool(0.4) {
                        let given = if points { rng.random_range(1..5) } else { 1 };
                        choices.push((p, given));
                    }
                }
                ballots.push(Ballot { choices });
            }
            let instance = Instance {
                budget: rng.random_range(1..150) * UNIT,
                vote_type: if points { "cumulative" } else { "approval" }.into(),
                projects,
                ballots,
            };
            let [jumped, ranged] = both_ways(&instance, &format!("random case {case}"));
            jumping.add(jumped);
            ranging.add(ranged);
        }
        assert!(jumping.replayed > 100, "replays were tried: {jumping:?}");
        assert!(jumping.hinted > 100, "hints were tried: {jumping:?}");
        assert!(ranging.ranges > 100, "ranges were proven: {ranging:?}");
    }

    #[test]
    fn jumping_is_exact_on_real_elections() {
        let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pabulib");
        for file in [
            "Netherlands_Assen_2024.pb",
            "Poland_Czestochowa_2020_Grabowka.pb",
            "Switzerland_Zurich_D10.pb",
        ] {
            let text = std::fs::read_to_string(format!("{folder}/{file}")).expect("file");
            let [jumped, ranged] = both_ways(&parse(&text).expect("parsed"), file);
            if file.starts_with("Switzerland") {
                // Zürich: a comparison flips at nearly every step, so most
                // runs replay the rounds before it, or ranges cover them.
                assert!(jumped.replayed > jumped.runs, "{file}: {jumped:?}");
                assert!(jumped.hinted > 0, "{file}: {jumped:?}");
                assert!(ranged.ranges > ranged.runs, "{file}: {ranged:?}");
            }
        }
    }
}
