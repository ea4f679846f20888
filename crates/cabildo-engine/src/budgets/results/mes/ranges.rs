//! Many add1 steps at once: one pass proves that every step in a range
//! of them gives the same outcome, without computing any of them.
//!
//! Each group's money is bounded, over the range, by two functions of the
//! step `t` that are affine (a straight line, kept as its values at the
//! first and last step): `lo(t) ≤ money(t) ≤ hi(t)`. Then:
//! - a project's price per unit of utility is `max over sets C of its
//!   supporters of (cost − money of C) / utility of the others` (the
//!   true capped set attains it), so it falls as any supporter has more;
//! - with `hi`, any one set C gives a lower bound that is affine in `t`
//!   (C is who pays all they have halfway through the range, where the
//!   line then touches the price, or at either end where that settles a
//!   comparison the middle's line could not; before a project is priced,
//!   C empty: its cost over all its supporters' utility);
//! - with `lo`, the price is convex in `t` (a maximum of affine
//!   functions), so it lies below the line through its values at the two
//!   ends: an upper bound;
//! - a round's winner is the same at every step when its upper line lies
//!   below every other project's lower line at both ends (where they
//!   touch, the council's tie order must favour it);
//! - after the purchase, what a supporter keeps, `max(0, money − price ×
//!   utility)`, lies above `lo − upper × utility` (or above 0) and below
//!   the line through `max(0, hi − lower × utility)` at the two ends
//!   (that maximum is convex too).
//!
//! Crossings, where a supporter starts or stops paying all it has, only
//! bend these lines a little, so one pass covers steps whose exact runs
//! all differ. Money is in fixed point (`DENOM`-ths of the smallest
//! amount), every bound rounded outwards, and every comparison is an exact
//! integer inequality: what a pass proves holds exactly.
//!
//! Where a round's winner differs between steps (the winner's upper line
//! and another project's lower line cross inside the range), add1 needs
//! no more than the projects each step buys, when none of those sets
//! ends it: the order of purchases is what changes most often (on the
//! synthetic city 200 of 226 changes of outcome, on Budapest 2024 88 of
//! 123). Two winners that each leave the other the next round are both
//! bought, with money bounds that hold for either order (`swap`);
//! otherwise the pass follows each possible winner in turn from that
//! round, undoing the purchases of one before the next, and returns
//! every outcome reached (at most `MOST_OUTCOMES`). A project that
//! becomes affordable inside the range is followed as a winner too,
//! bought at its ceiling. When a pass cannot prove a decision at all
//! (prices too close over the range, more outcomes than it follows, or
//! nothing affordable at every step while something is at some) it says
//! so, and add1 tries a shorter range or runs the exact method on one
//! step.

use super::{Election, Start, Tie};
use crate::budgets::pabulib::UNIT;
use num_bigint::{BigInt, Sign};
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::ToPrimitive;
use std::cmp::Ordering;

/// Fixed-point money: `DENOM`-ths of the smallest amount.
const DENOM: i128 = 1 << 8;

/// Bounds on magnitudes that keep every product below in `i128` (prices
/// are compared in 256 bits).
const MOST_MONEY: i128 = 1 << 62;
const MOST_POINTS: i128 = 1 << 40;

/// A bound of money at the two ends of the range.
type Line = [i128; 2];

/// A group's money bound as kept between purchases: within
/// `0..MOST_MONEY`, so in 64 bits (half the memory that pricing reads at
/// random, which it is bound by).
type Line64 = [i64; 2];

/// `line` in 64 bits (its ends within `0..MOST_MONEY`).
fn narrow(line: Line) -> Line64 {
    debug_assert!(line.iter().all(|end| (0..MOST_MONEY).contains(end)));
    line.map(|end| end as i64)
}

/// A supporter as passes read it: its group, how many voters cast that
/// ballot, and the points it gives, side by side (pricing reads them for
/// every supporter; reading the weight from a table by group cost a
/// random access each).
#[derive(Clone, Copy)]
struct Backer {
    group: u32,
    weight: u32,
    given: i64,
}

/// A project's supporters as passes read them.
pub(super) struct Backers {
    all: Vec<Backer>,
    /// The points every supporter gives, when they all give the same
    /// (approval ballots always do): pricing then finds the poorest per
    /// point by money alone.
    same: Option<i64>,
}

/// Each project's supporters as passes read them (`supporters[p]` is
/// (group, points), `weights[g]` the group's voters). Only used for
/// elections that [`fit`], where groups and weights fit in 32 bits.
pub(super) fn backers(supporters: &[Vec<(usize, i64)>], weights: &[i128]) -> Vec<Backers> {
    let small = |n: i128| u32::try_from(n).unwrap_or(u32::MAX);
    let place = places(supporters, weights.len());
    supporters
        .iter()
        .map(|of| {
            let mut all: Vec<Backer> = of
                .iter()
                .map(|&(g, given)| Backer {
                    group: small(place[g] as i128),
                    weight: small(weights[g]),
                    given,
                })
                .collect();
            all.sort_unstable_by_key(|b| b.group);
            let same = all
                .first()
                .map(|b| b.given)
                .filter(|&given| all.iter().all(|b| b.given == given));
            Backers { all, same }
        })
        .collect()
}

/// Where each of `groups` groups' money is kept during a pass: groups
/// ordered by their ballots, each read as its projects from the most
/// supported down, so that a project's supporters are near one another
/// (all of the most supported project's together, then those of the next
/// in at most two runs, ...). Pricing reads its supporters' money in
/// that order, mostly from memory close to the last read; on the
/// synthetic city (52,844 ballots) the money of all groups does not fit
/// in the processor's nearest caches.
fn places(supporters: &[Vec<(usize, i64)>], groups: usize) -> Vec<usize> {
    let mut popular: Vec<usize> = (0..supporters.len()).collect();
    popular.sort_by_key(|&p| std::cmp::Reverse(supporters[p].len()));
    let mut ballots: Vec<Vec<u32>> = vec![Vec::new(); groups];
    for (rank, &p) in popular.iter().enumerate() {
        for &(g, _) in &supporters[p] {
            ballots[g].push(rank as u32);
        }
    }
    let mut order: Vec<usize> = (0..groups).collect();
    order.sort_by(|&a, &b| ballots[a].cmp(&ballots[b]));
    let mut place = vec![0; groups];
    for (at, g) in order.into_iter().enumerate() {
        place[g] = at;
    }
    place
}

/// What pricing gathers from a project's supporters with money: what
/// they have together (and at the first end, halfway), their points,
/// and the poorest per point, as (money, points).
struct Gathered {
    have: i128,
    first: i128,
    points: i128,
    poorest: (i128, i128),
}

/// One traversal of `backers` with `money`: `at` gives a group's money
/// where the price is taken, and what of it is the first end's. Those
/// with money go to `scratch` (those with none pay nothing and count as
/// capped). With `SAME`, every supporter gives `given` points, and the
/// poorest per point is the poorest. Otherwise the poorest per point
/// (`m/given`) is compared as `m·given' < m'·given`; points are positive,
/// so `given` 0 says nobody yet.
#[inline(always)]
fn gather<const SAME: bool>(
    backers: &[Backer],
    given: i64,
    at: impl Fn(Line64) -> (i64, i64),
    money: &[Line64],
    scratch: &mut Vec<(i64, i64, i64, u32)>,
) -> Gathered {
    scratch.clear();
    let (mut have, mut first, mut weights, mut points) = (0_i128, 0_i128, 0_i64, 0_i128);
    let mut poorest = (0_i128, 0_i128);
    let mut least = i64::MAX;
    for backer in backers {
        let (m, m_first) = at(money[backer.group as usize]);
        if m > 0 {
            let weight = i64::from(backer.weight);
            scratch.push((m, backer.given, weight, backer.group));
            have += i128::from(m) * i128::from(weight);
            first += i128::from(m_first) * i128::from(weight);
            if SAME {
                weights += weight;
                least = least.min(m);
            } else {
                points += i128::from(weight) * i128::from(backer.given);
                let (m, given) = (i128::from(m), i128::from(backer.given));
                let poorer = if given == poorest.1 {
                    m < poorest.0
                } else {
                    poorest.1 == 0 || m * poorest.1 < poorest.0 * given
                };
                if poorer {
                    poorest = (m, given);
                }
            }
        }
    }
    if SAME && weights > 0 {
        points = i128::from(weights) * i128::from(given);
        poorest = (i128::from(least), i128::from(given));
    }
    Gathered {
        have,
        first,
        points,
        poorest,
    }
}

/// The most and the least a supporter pays for a purchase, at both ends.
type Shares = (Line, Line);

/// A price per unit of utility, `rest / per` (`per` positive), with its
/// value in floating point, which settles most comparisons without the
/// 256-bit products (each round sorts its candidates by price: on
/// Toulouse 2022, with 95 rounds a pass, the exact products alone were
/// half the time).
#[derive(Clone, Copy)]
struct Price {
    rest: i128,
    per: u128,
    approx: f64,
}

/// How far apart, relative to their sizes, two prices' floating-point
/// values must be for their order to be the exact prices'. Each value
/// comes from two conversions and a division, each rounded to nearest,
/// so it is within a relative 3·2⁻⁵³ of the exact quotient: values
/// further apart than 2⁻⁵¹ of their magnitudes are ordered as the exact
/// prices are. 2⁻⁴⁰ leaves a wide margin.
const APART: f64 = 1.0 / (1_u64 << 40) as f64;

impl Price {
    fn new(rest: i128, per: u128) -> Self {
        Price {
            rest,
            per,
            approx: rest as f64 / per as f64,
        }
    }

    /// Compares the prices exactly: by their floating-point values where
    /// those are far enough apart to decide, else with products in 256
    /// bits.
    fn cmp(&self, other: &Price) -> Ordering {
        let (a, b) = (self.approx, other.approx);
        let margin = (a.abs() + b.abs()) * APART;
        if b - a > margin {
            return Ordering::Less;
        }
        if a - b > margin {
            return Ordering::Greater;
        }
        match (self.rest < 0, other.rest < 0) {
            (false, false) => {
                wide(self.rest as u128, other.per).cmp(&wide(other.rest as u128, self.per))
            }
            (true, true) => wide(other.rest.unsigned_abs(), self.per)
                .cmp(&wide(self.rest.unsigned_abs(), other.per)),
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
        }
    }
}

/// `a·b` as (high, low) 128-bit halves.
fn wide(a: u128, b: u128) -> (u128, u128) {
    let mask = u128::from(u64::MAX);
    let (a1, a0) = (a >> 64, a & mask);
    let (b1, b0) = (b >> 64, b & mask);
    let low = a0 * b0;
    let (mid, carry) = (a1 * b0).overflowing_add(a0 * b1);
    let (low, carry_low) = low.overflowing_add((mid & mask) << 64);
    let high = a1 * b1 + (mid >> 64) + (u128::from(carry) << 64) + u128::from(carry_low);
    (high, low)
}

/// Where in the range a price is taken.
#[derive(Clone, Copy, PartialEq, Eq)]
enum At {
    /// At the first (0) or last (1) step.
    End(usize),
    /// Halfway between them.
    Middle,
}

/// A price per point, `rest / points` in fixed-point money.
#[derive(Clone, Copy)]
struct PerPoint {
    rest: i128,
    points: i128,
}

/// A project's lower line, as prices per unit of utility (to compare) and
/// per point (to buy), at both ends.
#[derive(Clone, Copy)]
struct Bounds {
    lower: [Price; 2],
    lower_per_point: [PerPoint; 2],
}

/// The groups' money bounds during a pass.
struct Pass<'e, 'a> {
    election: &'e Election<'a>,
    start: &'e Start,
    /// How many steps the range spans.
    steps: u64,
    lo: Vec<Line64>,
    hi: Vec<Line64>,
    /// Scratch space of `price`: (money, points, weight, group) of the
    /// supporters with money.
    scratch: Vec<(i64, i64, i64, u32)>,
    /// Scratch space of `upper_alike`: (money, weight, group) of the
    /// supporters with money at either end.
    both: Vec<(Line64, i64, u32)>,
    /// What the supporters have together at each end, as the last
    /// `price` halfway found it.
    halfway_ends: [i128; 2],
    /// Each group's bounds before the purchases made since the pass
    /// followed one of several possible winners.
    undo: Vec<(u32, Line64, Line64)>,
    /// The bounds at the start of every round, when tests ask.
    #[cfg(test)]
    snapshots: Option<Vec<Snapshot>>,
}

/// The money bounds at the start of a round, and the purchases before it.
#[cfg(test)]
struct Snapshot {
    selected: Vec<usize>,
    swapped: Vec<usize>,
    lo: Vec<Line64>,
    hi: Vec<Line64>,
}

/// Where a pass is: projects still in the running, those bought, and the
/// outcomes found so far.
struct Path {
    alive: Vec<bool>,
    selected: Vec<usize>,
    outcomes: Vec<Vec<usize>>,
    /// Where in `selected` two purchases may be in either order (tests
    /// check the money bounds against both).
    #[cfg(test)]
    swapped: Vec<usize>,
}

/// The most outcomes one pass follows (each costs the rounds after the
/// one where they part).
const MOST_OUTCOMES: usize = 8;

/// A project that wins a round at some steps: with the line it is bought
/// at (its upper line, or its ceiling) and its lower bounds.
type Winner = (usize, [PerPoint; 2], Bounds);

impl Pass<'_, '_> {
    /// A supporter's utility per point: the cost (approval) or 1 (points).
    fn unit(&self, p: usize) -> u128 {
        if self.election.cost_utility {
            self.election.cost(p).unsigned_abs()
        } else {
            1
        }
    }

    fn per_utility(&self, p: usize, found: PerPoint) -> Price {
        // `points` is positive (see `price`).
        Price::new(found.rest, found.points as u128 * self.unit(p))
    }

    /// The price per point of `p` at a step with the `hi` bounds (else
    /// `lo`), or `None` when its supporters cannot pay for it there. The
    /// supporters who pay all they have are `scratch[..capped]`. Halfway,
    /// money and cost are both doubled (who pays all is the same).
    fn price(&mut self, p: usize, high: bool, at: At) -> Option<(PerPoint, usize)> {
        let money = if high { &self.hi } else { &self.lo };
        let cost = self.election.cost(p) * DENOM;
        let rest = if at == At::Middle { 2 * cost } else { cost };
        // Both ends are below `MOST_MONEY`, so their sum fits in 64 bits.
        let supporters = &self.start.backers[p];
        let supporters_same = supporters.same;
        let scratch = &mut self.scratch;
        let Gathered {
            have,
            first,
            points,
            poorest,
        } = match (at, supporters.same) {
            (At::End(end), Some(given)) => gather::<true>(
                &supporters.all,
                given,
                |line| (line[end], 0),
                money,
                scratch,
            ),
            (At::End(end), None) => {
                gather::<false>(&supporters.all, 0, |line| (line[end], 0), money, scratch)
            }
            (At::Middle, Some(given)) => gather::<true>(
                &supporters.all,
                given,
                |line| (line[0] + line[1], line[0]),
                money,
                scratch,
            ),
            (At::Middle, None) => gather::<false>(
                &supporters.all,
                0,
                |line| (line[0] + line[1], line[0]),
                money,
                scratch,
            ),
        };
        if at == At::Middle {
            self.halfway_ends = [first, have - first];
        }
        if have < rest {
            return None;
        }
        // Usually nobody runs out: the poorest pays its share.
        if poorest.0 * points >= rest * poorest.1 {
            return Some((PerPoint { rest, points }, 0));
        }
        Some(settle(&mut self.scratch, rest, points, supporters_same))
    }

    /// A lower bound of `p`'s price whatever the money: its cost over all
    /// its supporters' points.
    fn floor(&self, p: usize) -> Bounds {
        let per_point = PerPoint {
            rest: self.election.cost(p) * DENOM,
            points: self.start.points[p],
        };
        Bounds {
            lower: [self.per_utility(p, per_point); 2],
            lower_per_point: [per_point; 2],
        }
    }

    /// `p`'s lower line, or `None` when it is unaffordable at every step:
    /// the set C of those who pay all they have (with `hi`) halfway
    /// through the range (the line then touches the price there, and
    /// stays close at both ends), or at the end where it is affordable
    /// when it is not halfway, taken at both ends.
    fn lower(&mut self, p: usize) -> Option<Bounds> {
        if let Some(found) = self.lower_at(p, At::Middle) {
            return Some(found);
        }
        // The money they have together is a line: not enough halfway, so
        // enough at one end at most, which pricing halfway found (an end
        // without enough is not priced again: on the synthetic city, half
        // the projects priced in a pass were out at every step).
        let cost = self.election.cost(p) * DENOM;
        let ends = self.halfway_ends;
        [1, 0]
            .into_iter()
            .filter(|&end| ends[end] >= cost)
            .find_map(|end| self.lower_at(p, At::End(end)))
    }

    /// `p`'s lower line with C those who pay all they have (with `hi`) at
    /// `at`, or `None` when they cannot pay for it there. Any C gives a
    /// lower line; the one found at a point touches the price there.
    fn lower_at(&mut self, p: usize, at: At) -> Option<Bounds> {
        let cost = self.election.cost(p) * DENOM;
        let (found, capped) = self.price(p, true, at)?;
        // C's money at both ends; those with none where C was found are
        // in C too (halfway, they have none at either end).
        let mut rest = [cost; 2];
        if let At::End(end) = at {
            for backer in &self.start.backers[p].all {
                let money = self.hi[backer.group as usize];
                if money[end] <= 0 {
                    rest[1 - end] -= i128::from(money[1 - end]) * i128::from(backer.weight);
                }
            }
        }
        for e in &self.scratch[..capped] {
            for (end, rest) in rest.iter_mut().enumerate() {
                *rest -= i128::from(self.hi[e.3 as usize][end]) * i128::from(e.2);
            }
        }
        let per_point = rest.map(|rest| PerPoint {
            rest,
            points: found.points,
        });
        Some(Bounds {
            lower: per_point.map(|f| self.per_utility(p, f)),
            lower_per_point: per_point,
        })
    }

    /// How many first steps of a range of `steps` certainly cannot pay for
    /// `p` (their most money together, a line, is below its cost), when
    /// it becomes affordable inside the range.
    fn unaffordable_for(&self, p: usize) -> Option<u64> {
        let steps = self.steps;
        let cost = self.election.cost(p) * DENOM;
        let have = [0, 1].map(|end| {
            self.start.backers[p]
                .all
                .iter()
                .map(|b| i128::from(self.hi[b.group as usize][end]) * i128::from(b.weight))
                .sum::<i128>()
        });
        if have[0] >= cost || have[1] < cost {
            return None;
        }
        // Steps j with have₀ + (have₁ − have₀)·j/(steps − 1) < cost.
        let short = (cost - have[0]) * i128::from(steps - 1);
        u64::try_from(Integer::div_ceil(&short, &(have[1] - have[0]))).ok()
    }

    /// `p`'s upper line, as prices per point at both ends, or `None`
    /// when it may be unaffordable at some step.
    fn upper(&mut self, p: usize) -> Option<[PerPoint; 2]> {
        if self.steps > 1
            && let Some(given) = self.start.backers[p].same
        {
            return self.upper_alike(p, given);
        }
        let first = self.price(p, false, At::End(0))?.0;
        if self.steps == 1 {
            // Both ends are the same step.
            return Some([first; 2]);
        }
        Some([first, self.price(p, false, At::End(1))?.0])
    }

    /// An upper line of `p`'s price per point at the steps where its
    /// supporters can pay for it: nobody pays more than all it has, so the
    /// price per point is at most the richest supporter's money per point
    /// (with `hi`); that is a maximum of lines, convex, so the line
    /// through its values at both ends lies above it. Buying at it bounds
    /// what supporters keep where `upper` cannot (a project that becomes
    /// affordable inside the range, which on Budapest 2024 was nearly
    /// every range that could not be proven).
    fn ceiling(&self, p: usize) -> [PerPoint; 2] {
        [0, 1].map(|end| {
            let mut richest = PerPoint { rest: 0, points: 1 };
            for backer in &self.start.backers[p].all {
                let (m, given) = (
                    i128::from(self.hi[backer.group as usize][end]),
                    i128::from(backer.given),
                );
                if m * richest.points > richest.rest * given {
                    richest = PerPoint {
                        rest: m,
                        points: given,
                    };
                }
            }
            richest
        })
    }

    /// `upper` when every supporter gives `given` points: both ends in one
    /// traversal (the upper line is priced once a round, for the winner,
    /// and was a third of the supporters read on the synthetic city).
    fn upper_alike(&mut self, p: usize, given: i64) -> Option<[PerPoint; 2]> {
        let cost = self.election.cost(p) * DENOM;
        self.both.clear();
        let (mut have, mut weights, mut least) = ([0_i128; 2], [0_i64; 2], [i64::MAX; 2]);
        for backer in &self.start.backers[p].all {
            let line = self.lo[backer.group as usize];
            if line[0] > 0 || line[1] > 0 {
                let weight = i64::from(backer.weight);
                self.both.push((line, weight, backer.group));
                for end in 0..2 {
                    if line[end] > 0 {
                        have[end] += i128::from(line[end]) * i128::from(weight);
                        weights[end] += weight;
                        least[end] = least[end].min(line[end]);
                    }
                }
            }
        }
        let mut found = [PerPoint {
            rest: cost,
            points: 0,
        }; 2];
        for end in 0..2 {
            if have[end] < cost {
                return None;
            }
            let points = i128::from(weights[end]) * i128::from(given);
            // Usually nobody runs out: the poorest pays its share.
            found[end] = if i128::from(least[end]) * points >= cost * i128::from(given) {
                PerPoint { rest: cost, points }
            } else {
                self.scratch.clear();
                self.scratch.extend(
                    self.both
                        .iter()
                        .filter(|e| e.0[end] > 0)
                        .map(|&(line, weight, group)| (line[end], given, weight, group)),
                );
                settle(&mut self.scratch, cost, points, Some(given)).0
            };
        }
        Some(found)
    }

    /// The pass itself (see the module's documentation): the outcomes
    /// that the steps of the range can have (usually one).
    fn outcome(&mut self, tie: Tie, expected: &[usize]) -> Proof {
        let start = self.start;
        let projects = start.participating.len();
        // Each project's last lower line: `hi` only falls, so it stays a
        // lower bound for the rest of the pass. Before it is priced, the
        // floor that holds whatever the money: nobody pays more than its
        // share, so the price is at least the cost over all its
        // supporters' utility (in the first round, usually the price
        // itself, which spares pricing every project there).
        let mut bound: Vec<Option<Bounds>> = (0..projects)
            .map(|p| start.participating[p].then(|| self.floor(p)))
            .collect();
        let mut path = Path {
            alive: start.participating.clone(),
            selected: Vec::new(),
            outcomes: Vec::new(),
            #[cfg(test)]
            swapped: Vec::new(),
        };
        match self.explore(tie, expected, &mut bound, &mut path, false) {
            Ok(()) => Proof::Holds(path.outcomes),
            Err(guess) => Proof::Fails(guess),
        }
    }

    /// The rounds from `path` on, into `path.outcomes`; or, when one of
    /// their decisions cannot be proven, the guess of how many first
    /// steps it holds for. Where the steps' winners differ (two prices
    /// cross inside the range), two that each leave the other the next
    /// round are both bought (`swap`); otherwise each winner is followed
    /// in turn, as far as `MOST_OUTCOMES` allows: add1 only needs to know
    /// that none of those outcomes ends it. `undo`: whether purchases are
    /// recorded, to be undone before the next winner is followed.
    fn explore(
        &mut self,
        tie: Tie,
        expected: &[usize],
        bound: &mut [Option<Bounds>],
        path: &mut Path,
        undo: bool,
    ) -> Result<(), Option<u64>> {
        loop {
            #[cfg(test)]
            if let Some(snapshots) = &mut self.snapshots {
                snapshots.push(Snapshot {
                    selected: path.selected.clone(),
                    swapped: path.swapped.clone(),
                    lo: self.lo.clone(),
                    hi: self.hi.clone(),
                });
            }
            let room = MOST_OUTCOMES.saturating_sub(path.outcomes.len() + 1);
            let Some(winners) = self.decide(tie, expected, bound, path, room)? else {
                path.outcomes.push(path.selected.clone());
                return Ok(());
            };
            if let [winner] = winners[..] {
                self.take(path, winner, undo);
                continue;
            }
            if let [first, second] = winners[..]
                && self.swap(tie, expected, bound, path, undo, [first, second])
            {
                continue;
            }
            // Each possible winner in turn, from this round's state.
            for winner in winners {
                let saved = (path.alive.clone(), bound.to_vec(), path.selected.len());
                let mark = self.undo.len();
                self.take(path, winner, true);
                self.explore(tie, expected, bound, path, true)?;
                self.restore(mark);
                path.alive = saved.0;
                bound.clone_from_slice(&saved.1);
                path.selected.truncate(saved.2);
                #[cfg(test)]
                path.swapped.retain(|&at| at < saved.2);
            }
            return Ok(());
        }
    }

    /// Buys a round's winner on `path` (with `undo`, recording it).
    fn take(&mut self, path: &mut Path, (p, upper, low): Winner, undo: bool) {
        path.alive[p] = false;
        self.buy(p, upper, low.lower_per_point, undo);
        path.selected.push(p);
    }

    /// Where two projects each win a round at some steps: whether each,
    /// bought first, leaves the other the next round at every step (the
    /// order of two purchases changing inside the range, the most common
    /// change of outcome). Then both are bought, with money bounds that
    /// hold whichever came first (the lower of the two lower lines'
    /// ends, the higher of the upper ones': a line through the lower
    /// ends lies below both lines), and each step's outcome has the same
    /// projects as the one followed, perhaps those two in the other
    /// order. Otherwise nothing changes.
    fn swap(
        &mut self,
        tie: Tie,
        expected: &[usize],
        bound: &mut [Option<Bounds>],
        path: &mut Path,
        undo: bool,
        pair: [Winner; 2],
    ) -> bool {
        let mark = self.undo.len();
        let (alive, bounds) = (path.alive.clone(), bound.to_vec());
        let put_back = |pass: &mut Self, bound: &mut [Option<Bounds>], path: &mut Path| {
            pass.restore(mark);
            path.alive.clone_from(&alive);
            bound.clone_from_slice(&bounds);
        };
        if !self.follow(tie, expected, bound, path, pair[0], pair[1].0) {
            put_back(self, bound, path);
            return false;
        }
        let first_order: Vec<(u32, Line64, Line64)> = self.undo[mark..]
            .iter()
            .map(|&(g, ..)| (g, self.lo[g as usize], self.hi[g as usize]))
            .collect();
        put_back(self, bound, path);
        if !self.follow(tie, expected, bound, path, pair[1], pair[0].0) {
            put_back(self, bound, path);
            return false;
        }
        for (g, lo, hi) in first_order {
            let g = g as usize;
            self.lo[g] = [lo[0].min(self.lo[g][0]), lo[1].min(self.lo[g][1])];
            self.hi[g] = [hi[0].max(self.hi[g][0]), hi[1].max(self.hi[g][1])];
        }
        if !undo {
            self.undo.truncate(mark);
        }
        // Bounds and projects out found after either order need not hold
        // for the other; those from before both purchases do.
        path.alive.clone_from(&alive);
        bound.clone_from_slice(&bounds);
        #[cfg(test)]
        path.swapped.push(path.selected.len());
        for (p, ..) in pair {
            path.alive[p] = false;
            path.selected.push(p);
        }
        true
    }

    /// Buys `first`, and then the next round's winner if it is `then` at
    /// every step, recording both purchases (whether it was).
    fn follow(
        &mut self,
        tie: Tie,
        expected: &[usize],
        bound: &mut [Option<Bounds>],
        path: &mut Path,
        first: Winner,
        then: usize,
    ) -> bool {
        self.take(path, first, true);
        let next = self.decide(tie, expected, bound, path, 0);
        path.selected.pop();
        let Ok(Some(winners)) = next else {
            return false;
        };
        let [(q, upper, low)] = winners[..] else {
            return false;
        };
        if q != then {
            return false;
        }
        self.buy(q, upper, low.lower_per_point, true);
        true
    }

    /// Who wins the next round at some step of the range, the one with
    /// the lowest upper line first, each with the line it is bought at
    /// and its bounds (at most `room` more than one); `None` when nothing
    /// is affordable at any step; or, when that cannot be proven, the
    /// guess of how many first steps the round holds for.
    fn decide(
        &mut self,
        tie: Tie,
        expected: &[usize],
        bound: &mut [Option<Bounds>],
        path: &mut Path,
        room: usize,
    ) -> Result<Option<Vec<Winner>>, Option<u64>> {
        let steps = self.steps;
        let (election, start) = (self.election, self.start);
        let projects = start.participating.len();
        let mut candidates: Vec<usize> = (0..projects).filter(|&p| path.alive[p]).collect();
        let mut unsure: Vec<(usize, Option<[PerPoint; 2]>)> = Vec::new();
        // Lowest bounds first, so that the winner comes early and most
        // others are settled by their bound.
        lowest_first(&mut candidates, bound);
        // The round's winner at the steps before comes first: usually it
        // wins again, and then its line settles most others at once.
        if let Some(at) = expected
            .get(path.selected.len())
            .and_then(|w| candidates.iter().position(|q| q == w))
        {
            candidates[..=at].rotate_right(1);
        }
        // The project with the lowest upper line, and its bounds.
        let mut best: Option<(usize, [Price; 2], [PerPoint; 2], Bounds)> = None;
        for &q in &candidates {
            if let (Some((w, top, ..)), Some(low)) = (&best, &bound[q])
                && beats(election, tie, (*w, top), (q, &low.lower))
            {
                continue;
            }
            let Some(low) = self.lower(q) else {
                // Not even the most money pays for it: out at every step.
                path.alive[q] = false;
                continue;
            };
            bound[q] = Some(low);
            if let Some((w, top, ..)) = &best
                && beats(election, tie, (*w, top), (q, &low.lower))
            {
                continue;
            }
            // Affordable at some steps only: the winner must beat it
            // wherever it is.
            let Some(upper) = self.upper(q) else {
                unsure.push((q, None));
                continue;
            };
            let top = upper.map(|f| self.per_utility(q, f));
            let better = match &best {
                None => true,
                Some((w, best_top, ..)) => beats(election, tie, (q, &top), (*w, best_top)),
            };
            if better {
                if let Some((w, _, upper, _)) = best.take() {
                    unsure.push((w, Some(upper)));
                }
                best = Some((q, top, upper, low));
            } else {
                unsure.push((q, Some(upper)));
            }
        }
        let Some((w, top, upper, low)) = best else {
            // Nothing is affordable at every step: the run ends at all of
            // them only if nothing is affordable at any.
            if unsure.is_empty() {
                return Ok(None);
            }
            let guess = unsure.iter().map(|&(q, _)| self.unaffordable_for(q));
            return Err(guess.min().flatten());
        };
        // Those the winner's line does not beat win at some steps.
        let mut winners = vec![(w, upper, low)];
        for &(q, upper) in &unsure {
            let Some(low) = bound[q] else {
                return Err(None);
            };
            if beats(election, tie, (w, &top), (q, &low.lower)) {
                continue;
            }
            // The line through the middle may be loose at an end: those
            // touching the price at either end may settle it.
            let guess = crossing(&top, &low.lower, steps);
            let settled = [0, 1].into_iter().find_map(|end| {
                self.lower_at(q, At::End(end))
                    .filter(|low| beats(election, tie, (w, &top), (q, &low.lower)))
            });
            match settled {
                Some(low) => bound[q] = Some(low),
                None if winners.len() <= room => {
                    // It wins at some steps: followed too, bought at its
                    // upper line, or at its ceiling where it is affordable
                    // at some steps only.
                    winners.push((q, upper.unwrap_or_else(|| self.ceiling(q)), low));
                }
                None => return Err(guess),
            }
        }
        Ok(Some(winners))
    }

    /// Undoes the purchases recorded since the undo log was `mark` long.
    fn restore(&mut self, mark: usize) {
        while self.undo.len() > mark {
            let Some((g, lo, hi)) = self.undo.pop() else {
                break;
            };
            self.lo[g as usize] = lo;
            self.hi[g as usize] = hi;
        }
    }

    /// Buys `p` for every step of the range (with `undo`, recording what
    /// it changes).
    fn buy(&mut self, p: usize, upper: [PerPoint; 2], lower: [PerPoint; 2], undo: bool) {
        // The most a supporter giving some points pays, at the upper
        // price, and the least, at the lower, at both ends; rounded
        // outwards. A lower line below zero at an end is replaced by zero
        // at both (prices are never negative; clamping one end alone
        // would not give a line below the price). Mostly the same points
        // throughout.
        let negative = lower[0].rest < 0 || lower[1].rest < 0;
        let shares = |given: i128| -> Shares {
            let most =
                [0, 1].map(|end| Integer::div_ceil(&(upper[end].rest * given), &upper[end].points));
            let least = [0, 1].map(|end| {
                if negative {
                    0
                } else {
                    Integer::div_floor(&(lower[end].rest * given), &lower[end].points)
                }
            });
            (most, least)
        };
        let mut last: Option<(i64, Shares)> = None;
        for &Backer { group, given, .. } in &self.start.backers[p].all {
            let g = group as usize;
            let (most, least) = match last {
                Some((points, found)) if points == given => found,
                _ => {
                    let found = shares(i128::from(given));
                    last = Some((given, found));
                    found
                }
            };
            if undo {
                self.undo.push((group, self.lo[g], self.hi[g]));
            }
            let (lo, hi) = (self.lo[g].map(i128::from), self.hi[g].map(i128::from));
            let lo = [lo[0] - most[0], lo[1] - most[1]];
            // `lo − most` is a lower line, and so is 0: the first unless
            // it falls below zero (money bounds stay within `0..MOST_MONEY`,
            // which keeps every product in `i128`).
            self.lo[g] = if lo[0] < 0 || lo[1] < 0 {
                [0, 0]
            } else {
                narrow(lo)
            };
            self.hi[g] = narrow([(hi[0] - least[0]).max(0), (hi[1] - least[1]).max(0)]);
        }
    }
}

/// The price per point when some of the supporters in `scratch` (money,
/// points, weight, group; who have `rest` to pay and `points` together)
/// cannot pay their share, and how many pay all they have (first in
/// `scratch`). `same`: the points every one of them gives, if so.
fn settle(
    scratch: &mut [(i64, i64, i64, u32)],
    mut rest: i128,
    mut points: i128,
    same: Option<i64>,
) -> (PerPoint, usize) {
    // Whether a supporter pays its share `rest·given/points`; when all
    // give the same points, whether its money is at least that share
    // rounded up (money is whole), found once a sweep.
    let share = |rest: i128, points: i128| {
        same.map(|given| Integer::div_ceil(&(rest * i128::from(given)), &points))
    };
    let pays = |e: &(i64, i64, i64, u32), rest: i128, points: i128, share: Option<i128>| match share
    {
        Some(share) => i128::from(e.0) >= share,
        None => i128::from(e.0) * points >= rest * i128::from(e.1),
    };
    // Those who cannot pay their share at the price so far pay all
    // they have, which raises the price for the others; repeat until
    // nobody more runs out (the capped set only grows, to the true
    // one). Usually nobody does, or one round settles it. The capped
    // come first in `scratch`.
    let mut capped = 0;
    loop {
        let before = capped;
        let share = share(rest, points);
        for i in before..scratch.len() {
            let e = scratch[i];
            if !pays(&e, rest, points, share) {
                scratch.swap(capped, i);
                capped += 1;
            }
        }
        if capped == before {
            return (PerPoint { rest, points }, capped);
        }
        for e in &scratch[before..capped] {
            rest -= i128::from(e.0) * i128::from(e.2);
            points -= i128::from(e.1) * i128::from(e.2);
        }
    }
}

/// Sorts projects by their lower line at the first step, lowest first
/// (equal ones by index, those without a line last): by the prices'
/// floating-point values, then moving each into its exact place, which
/// only the few whose values are nearly equal need (a round compares each
/// project once more instead of sorting with exact comparisons: on
/// Toulouse 2022, with about 150 projects in each of a pass's 95 rounds,
/// that sort took a third of the time).
fn lowest_first(projects: &mut [usize], bound: &[Option<Bounds>]) {
    let price = |p: usize| bound[p].as_ref().map(|b| &b.lower[0]);
    let approx = |p: usize| price(p).map_or(f64::INFINITY, |price| price.approx);
    projects.sort_unstable_by(|&a, &b| approx(a).total_cmp(&approx(b)).then(a.cmp(&b)));
    let before = |a: usize, b: usize| {
        let by_price = match (price(a), price(b)) {
            (Some(x), Some(y)) => x.cmp(y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        by_price.then(a.cmp(&b)) == Ordering::Less
    };
    for i in 1..projects.len() {
        let mut j = i;
        while j > 0 && before(projects[j], projects[j - 1]) {
            projects.swap(j, j - 1);
            j -= 1;
        }
    }
}

/// Whether `w`'s line lies below `q`'s at both ends (touching only where
/// the tie order favours `w`).
fn beats(
    election: &Election<'_>,
    tie: Tie,
    w: (usize, &[Price; 2]),
    q: (usize, &[Price; 2]),
) -> bool {
    (0..2).all(|end| match w.1[end].cmp(&q.1[end]) {
        Ordering::Less => true,
        Ordering::Equal => election.before(tie, w.0, q.0) == Ordering::Less,
        Ordering::Greater => false,
    })
}

/// `money·DENOM` rounded down (`up`: up), if it fits.
fn fixed(money: &BigRational, up: bool) -> Option<i128> {
    let scaled = money * BigRational::from_integer(BigInt::from(DENOM));
    let whole = if up { scaled.ceil() } else { scaled.floor() };
    whole.to_integer().to_i128()
}

/// Whether passes can work on this election in `i128` (they always can
/// in practice: costs below 10¹⁶ smallest amounts, points below 10¹²).
pub(super) fn fit(election: &Election<'_>) -> bool {
    let most_cost = (0..election.instance.projects.len())
        .map(|p| election.cost(p))
        .max()
        .unwrap_or(0);
    let points = election.groups.iter().fold(0_i128, |sum, (w, choices)| {
        let given = choices
            .iter()
            .fold(0_i128, |sum, c| sum.saturating_add(i128::from(c.1)));
        sum.saturating_add(i128::from(*w).saturating_mul(given))
    });
    let small = u32::try_from(election.groups.len()).is_ok()
        && election
            .groups
            .iter()
            .all(|(w, _)| u32::try_from(*w).is_ok());
    most_cost.saturating_mul(DENOM) < MOST_MONEY && points < MOST_POINTS && small
}

/// What a pass found over a range of steps.
pub(super) enum Proof {
    /// Every step's outcome has the projects of one of these (at least
    /// one), perhaps in another order.
    Holds(Vec<Vec<usize>>),
    /// Nothing could be proven; a decision that failed only at the far end
    /// would still hold over about this many first steps (a guess for the
    /// next range, not a proof).
    Fails(Option<u64>),
}

/// The outcomes that the steps from `first` (each voter's starting money)
/// to `steps − 1` currency units more can have, if this pass can prove
/// them: usually one, which every step then has. Only for elections that
/// [`fit`].
/// `expected` is the outcome at the step before, if known: each round
/// prices its winner there first. Whatever the order, what a pass proves
/// is the true outcome; the order only decides which work comes first
/// and, where upper lines cross, whether the pass can prove it.
pub(super) fn certify(
    election: &Election<'_>,
    start: &Start,
    first: &BigRational,
    steps: u64,
    tie: Tie,
    expected: &[usize],
) -> Proof {
    let last = first + BigRational::from_integer(BigInt::from(UNIT) * (steps - 1));
    let (Some(lo0), Some(lo1), Some(hi0), Some(hi1)) = (
        fixed(first, false),
        fixed(&last, false),
        fixed(first, true),
        fixed(&last, true),
    ) else {
        return Proof::Fails(None);
    };
    if hi1 >= MOST_MONEY {
        return Proof::Fails(None);
    }
    let groups = election.groups.len();
    let mut pass = Pass {
        election,
        start,
        steps,
        lo: vec![narrow([lo0, lo1]); groups],
        hi: vec![narrow([hi0, hi1]); groups],
        scratch: Vec::new(),
        both: Vec::new(),
        halfway_ends: [0; 2],
        undo: Vec::new(),
        #[cfg(test)]
        snapshots: SNAPSHOTS.with(|on| on.take()).then(Vec::new),
    };
    let proof = pass.outcome(tie, expected);
    #[cfg(test)]
    if let Some(snapshots) = pass.snapshots.take() {
        TAKEN.with(|taken| taken.replace(snapshots));
    }
    proof
}

#[cfg(test)]
thread_local! {
    /// Whether the next pass keeps its snapshots, and those it kept.
    static SNAPSHOTS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    static TAKEN: std::cell::RefCell<Vec<Snapshot>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// How many first steps of a range of `steps` keep `w`'s upper line below
/// `q`'s lower one, when they cross inside it: the lines are straight, so
/// their gap at step `j` is `d₀ + (d₁ − d₀)·j/(steps − 1)`, positive while
/// `j < d₀·(steps − 1)/(d₀ − d₁)`.
fn crossing(w: &[Price; 2], q: &[Price; 2], steps: u64) -> Option<u64> {
    // Each gap as a fraction n/m (m positive).
    let gap = |end: usize| {
        let (a, b) = (&q[end], &w[end]);
        (
            BigInt::from(a.rest) * BigInt::from(b.per) - BigInt::from(b.rest) * BigInt::from(a.per),
            BigInt::from(a.per) * BigInt::from(b.per),
        )
    };
    let ((n0, m0), (n1, m1)) = (gap(0), gap(1));
    if n0.sign() != Sign::Plus || n1.sign() == Sign::Plus {
        return None;
    }
    // d₀/(d₀ − d₁) = n₀m₁ / (n₀m₁ − n₁m₀), times steps − 1, rounded up.
    let top = &n0 * &m1;
    let share = BigRational::new(&top * BigInt::from(steps - 1), &top - &n1 * &m0);
    share.ceil().to_integer().to_u64()
}

#[cfg(test)]
mod tests;
