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
//! Speed comes from five choices:
//! - identical ballots are merged (`Election::groups`): such voters always
//!   have the same money;
//! - all money is kept as integers over one common denominator (`scale`),
//!   so comparisons and sums are integer operations; the denominator grows
//!   once per purchase, by what makes the new shares whole;
//! - within a run `ρ` of a project never falls (money only shrinks), so the
//!   last `ρ` computed is a lower bound and projects whose bound is above
//!   the best `ρ` found in a round need not be recomputed;
//! - usually no supporter runs out of money, which one pass checks before
//!   anything is sorted;
//! - a run is a function of `b` that changes only where one of its
//!   comparisons changes sign, and every quantity in it is affine in `b`.
//!   Each run also finds the next whole step at which a comparison could
//!   flip (its `Horizon`); the runs before it would repeat the outcome, so
//!   add1 jumps straight there. The outcome is the same as stepping by one.

use super::{Completion, Election, Money, Reason, ResultError, Tie, money};
use crate::budgets::pabulib::{Amount, UNIT};
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, Zero};
use std::cmp::Ordering;
use std::collections::HashMap;

/// The most add1 runs we do before giving up on an election.
const MAX_RUNS: usize = 20_000;

/// The outcome of the run that decided.
pub(super) struct Run {
    /// Bought projects in order.
    pub(super) selected: Vec<usize>,
    /// Each voter's starting money in that run.
    pub(super) per_voter: Money,
    /// Why each participating project won or lost.
    pub(super) reasons: Vec<Option<Reason>>,
}

/// `mes` with the add1 completion.
pub(super) fn equal_shares(
    election: &Election<'_>,
    tie: Tie,
    completion: Completion,
) -> Result<Run, ResultError> {
    add1(election, tie, completion, true)
}

/// `mes` with the add1 completion, jumping over steps that cannot change
/// the outcome when `jump` (tests compare it with stepping one by one).
fn add1(
    election: &Election<'_>,
    tie: Tie,
    completion: Completion,
    jump: bool,
) -> Result<Run, ResultError> {
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
        });
    }
    let all_cost: Amount = (0..projects)
        .filter(|&p| participating[p])
        .map(|p| election.cost(p))
        .sum();
    let mut per_voter = Money::new(BigInt::from(budget), BigInt::from(voters));
    // The last outcome within the budget, and the money of the last step
    // that repeats it (when it is not the run itself).
    let mut previous: Option<(Run, Option<Money>)> = None;
    let mut stuck = false;
    for runs in 0..MAX_RUNS {
        // Finding a run's horizon costs about as much as the run; on large
        // elections some comparison flips at every step, so after a run
        // whose horizon was the next step only every 16th run looks.
        let track = jump && (runs % 16 == 0 || !stuck);
        let (outcome, horizon) = run(election, &start, &per_voter, tie, track);
        stuck = horizon.steps().is_some_and(|s| s.is_one());
        let spent: Amount = outcome.selected.iter().map(|&p| election.cost(p)).sum();
        if spent > budget {
            return Ok(match previous {
                // The step just before this one repeated the last run
                // within the budget; explain with its own money.
                Some((_, Some(last))) => run(election, &start, &last, tie, false).0,
                Some((kept, None)) => kept,
                None => outcome,
            });
        }
        let everything = outcome.selected.len() == participating.iter().filter(|p| **p).count();
        let exhaustive = (0..projects).all(|p| {
            !participating[p] || outcome.selected.contains(&p) || election.cost(p) > budget - spent
        });
        if everything || completion == Completion::Exhaustive && exhaustive {
            return Ok(outcome);
        }
        let Some(steps) = horizon.steps() else {
            // No comparison ever changes sign as money grows: raising
            // further cannot change the outcome.
            return Ok(outcome);
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
        let last = (!steps.is_one()).then(|| &per_voter + money(UNIT) * (steps.clone() - 1));
        per_voter = &per_voter + money(UNIT) * steps;
        previous = Some((outcome, last));
    }
    Err(ResultError::TooManySteps(MAX_RUNS))
}

/// One run of the Method of Equal Shares with `per_voter` money each, and
/// how many whole currency units more it would take to change it.
fn run(
    election: &Election<'_>,
    start: &Start,
    per_voter: &Money,
    tie: Tie,
    track: bool,
) -> (Run, Horizon) {
    let projects = start.participating.len();
    let groups = election.groups.len();
    let scale = per_voter.denom().clone();
    let mut state = State {
        election,
        // Money grows by one currency unit per step of t.
        slope_start: BigInt::from(UNIT) * &scale,
        scale,
        money: vec![per_voter.numer().clone()],
        slope: vec![BigInt::zero()],
        epoch: vec![0],
        since: vec![BigInt::one()],
        class_of: vec![0; groups],
        alive: start.participating.clone(),
        horizon: Horizon(track.then_some(None)),
    };
    let slope = state.slope_start.clone();
    state.slope.fill(slope);
    let mut bound: Vec<Option<Rho>> = vec![None; projects];
    let mut reasons: Vec<Option<Reason>> = vec![None; projects];
    let mut selected = Vec::new();
    for round in 1.. {
        let mut candidates: Vec<usize> = (0..projects).filter(|&p| state.alive[p]).collect();
        candidates.sort_by(|&a, &b| match (&bound[a], &bound[b]) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) => x.cmp(y, &mut Horizon(None)),
        });
        let mut best: Option<(usize, Rho)> = None;
        for p in candidates {
            if let (Some((_, best_rho)), Some(low)) = (&best, &bound[p])
                && low.cmp(best_rho, &mut Horizon(None)) == Ordering::Greater
            {
                continue;
            }
            match state.rho(p, &start.supporters[p]) {
                Ok(rho) => {
                    let better = match &best {
                        None => true,
                        Some((q, best_rho)) => match rho.cmp(best_rho, &mut state.horizon) {
                            Ordering::Less => true,
                            Ordering::Equal => election.before(tie, p, *q) == Ordering::Less,
                            Ordering::Greater => false,
                        },
                    };
                    bound[p] = Some(rho.clone());
                    if better {
                        best = Some((p, rho));
                    }
                }
                Err(money) => {
                    state.alive[p] = false;
                    reasons[p] = Some(Reason::Unaffordable { round, money });
                }
            }
        }
        let Some((p, rho)) = best else {
            break;
        };
        // Every comparison decided in this round must keep its sign: the
        // winner against the projects it beat and against the bounds of
        // those it skipped.
        for (q, other) in bound.iter().enumerate() {
            if q != p
                && state.alive[q]
                && let Some(other) = other
            {
                rho.cmp(other, &mut state.horizon);
            }
        }
        state.alive[p] = false;
        reasons[p] = Some(Reason::Bought {
            round,
            share: Money::new(&rho.rest * state.unit(p), rho.per_scale.clone()),
        });
        state.buy(p, &rho, &start.supporters[p]);
        selected.push(p);
    }
    let horizon = state.horizon;
    (
        Run {
            selected,
            per_voter: per_voter.clone(),
            reasons,
        },
        horizon,
    )
}

/// How far money can grow before some comparison of a run changes sign, in
/// whole currency units: `None` once it is the very next step, `Some(None)`
/// while nothing limits it.
struct Horizon(Option<Option<BigInt>>);

impl Horizon {
    /// Records that the sign of `now + slope·t` must stay as it is now.
    fn keep(&mut self, now: &BigInt, slope: &BigInt) {
        let Some(limit) = &mut self.0 else {
            return;
        };
        let flip = match (now.sign(), slope.sign()) {
            (num_bigint::Sign::NoSign, num_bigint::Sign::NoSign) => return,
            (num_bigint::Sign::NoSign, _) => BigInt::one(),
            (num_bigint::Sign::Plus, num_bigint::Sign::Minus)
            | (num_bigint::Sign::Minus, num_bigint::Sign::Plus) => {
                // Flips at t = |now| / |slope|: the first whole step there.
                Integer::div_ceil(&now.abs(), &slope.abs()).max(BigInt::one())
            }
            _ => return,
        };
        if flip.is_one() {
            self.0 = None;
        } else if limit.as_ref().is_none_or(|l| flip < *l) {
            *limit = Some(flip);
        }
    }

    /// Whether nothing more can be learnt in this run.
    fn closed(&self) -> bool {
        self.0.is_none()
    }

    /// How many steps until the outcome may change (`None`: never).
    fn steps(&self) -> Option<BigInt> {
        match &self.0 {
            None => Some(BigInt::one()),
            Some(limit) => limit.clone(),
        }
    }
}

/// A voter group with no money left.
const BROKE: usize = usize::MAX;

/// A fast hash for the small integer keys of a run (the standard SipHash
/// guards against hostile keys, which these are not: we make them).
#[derive(Clone, Copy, Default)]
struct Quick;

impl std::hash::BuildHasher for Quick {
    type Hasher = Mix;

    fn build_hasher(&self) -> Mix {
        Mix(0)
    }
}

/// The multiply-rotate mix of rustc's FxHasher.
struct Mix(u64);

impl std::hash::Hasher for Mix {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0_u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = (self.0.rotate_left(5) ^ value).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_usize(&mut self, value: usize) {
        self.write_u64(value as u64);
    }

    fn write_i64(&mut self, value: i64) {
        self.write_u64(value as u64);
    }
}

/// What every run starts from.
struct Start {
    /// Who supports each project: (group, points).
    supporters: Vec<Vec<(usize, i64)>>,
    /// Projects with a supporter and a positive cost.
    participating: Vec<bool>,
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
        Start {
            supporters,
            participating,
        }
    }
}

/// A project's price per unit of utility, `ρ = (rest + slope·t) /
/// per_scale`, exact.
#[derive(Clone, Debug)]
struct Rho {
    /// What its uncapped supporters still pay, in units of `1/scale`.
    rest: BigInt,
    /// How `rest` moves per currency unit of starting money.
    slope: BigInt,
    /// Their utility times the scale at the time.
    per_scale: BigInt,
}

impl Rho {
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

/// Money during one run, kept as integers over one common denominator,
/// `scale`, each with its slope: how it moves per currency unit more of
/// starting money, all decisions of the run staying the same.
struct State<'e, 'a> {
    election: &'e Election<'a>,
    /// The common denominator of all money.
    scale: BigInt,
    /// The starting money's slope (one currency unit, times `scale`).
    slope_start: BigInt,
    /// Each voter group's class: voters who paid for the same projects
    /// the same way have the same money. `BROKE` once they have none.
    class_of: Vec<usize>,
    /// Each class's money (per voter), times `scale`.
    money: Vec<BigInt>,
    /// Each class's slope, times `scale`.
    slope: Vec<BigInt>,
    /// When the scale grows, only classes that are looked at again are
    /// brought up to it: `money` and `slope` of class `c` are over the
    /// scale of epoch `epoch[c]`, and `since[e]` is what the scale has
    /// been multiplied by since epoch `e` (the last is the current one).
    epoch: Vec<usize>,
    /// See `epoch`.
    since: Vec<BigInt>,
    /// Projects still in the running.
    alive: Vec<bool>,
    /// How far this run's decisions hold.
    horizon: Horizon,
}

impl State<'_, '_> {
    /// A supporter's utility per point: the cost (approval) or 1 (points).
    fn unit(&self, p: usize) -> BigInt {
        BigInt::from(if self.election.cost_utility {
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

    /// The smallest `ρ` at which `p`'s supporters pay for it, each paying
    /// `min(money, ρ·utility)`, or what they have together when they
    /// cannot.
    fn rho(&mut self, p: usize, supporters: &[(usize, i64)]) -> Result<Rho, Money> {
        // Supporters with money left, by class: (class, points, how many).
        let mut by_class: HashMap<(usize, i64), u64, Quick> = HashMap::default();
        for &(g, points) in supporters {
            let class = self.class_of[g];
            if class != BROKE {
                *by_class.entry((class, points)).or_default() += self.election.groups[g].0;
            }
        }
        let mut entries: Vec<(usize, i64, u64)> = by_class
            .into_iter()
            .map(|((class, points), weight)| (class, points, weight))
            .collect();
        for &(class, _, _) in &entries {
            self.fresh(class);
        }
        let unit = self.unit(p);
        let cost = BigInt::from(self.election.cost(p)) * &self.scale;
        let points: i128 = entries
            .iter()
            .map(|&(_, points, weight)| i128::from(points) * i128::from(weight))
            .sum();
        let money = &self.money;
        // Supporters who run out first come first: by money per point.
        // With mixed points that is money·(L/points), L the least common
        // multiple of the points, computed once per entry.
        let same_points = entries.windows(2).all(|w| w[0].1 == w[1].1);
        let keys: HashMap<(usize, i64), BigInt, Quick> = if same_points {
            HashMap::default()
        } else {
            let lcm = entries.iter().fold(BigInt::one(), |lcm, &(_, points, _)| {
                lcm.lcm(&BigInt::from(points))
            });
            entries
                .iter()
                .map(|&(class, points, _)| {
                    let key = &money[class] * (&lcm / BigInt::from(points));
                    ((class, points), key)
                })
                .collect()
        };
        let poorer = |a: &(usize, i64, u64), b: &(usize, i64, u64)| {
            if same_points {
                money[a.0].cmp(&money[b.0])
            } else {
                keys[&(a.0, a.1)].cmp(&keys[&(b.0, b.1)])
            }
        };
        let mut utility = BigInt::from(points) * &unit;
        let mut rest = cost.clone();
        let mut rest_slope = BigInt::zero();
        let mut capped = 0;
        // Usually nobody runs out: check the poorest before sorting.
        let poorest = entries.iter().min_by(|a, b| poorer(a, b)).copied();
        let nobody_capped = poorest.is_some_and(|(g, points, _)| {
            &money[g] * &utility >= &rest * BigInt::from(points) * &unit
        });
        if !nobody_capped {
            entries.sort_by(poorer);
            loop {
                let Some(&(g, points, weight)) = entries.get(capped) else {
                    // Even all together they cannot pay.
                    let have = &cost - &rest;
                    if !self.horizon.closed() {
                        let have_slope = -&rest_slope;
                        self.horizon.keep(&(&have - &cost), &have_slope);
                    }
                    return Err(Money::new(have, self.scale.clone()));
                };
                if &money[g] * &utility >= &rest * BigInt::from(points) * &unit {
                    break;
                }
                rest -= &money[g] * BigInt::from(weight);
                rest_slope -= &self.slope[g] * BigInt::from(weight);
                utility -= BigInt::from(points) * BigInt::from(weight) * &unit;
                capped += 1;
            }
        }
        if !self.horizon.closed() {
            // Each supporter stays on its side of the price:
            // money·utility against rest·points·unit.
            for (i, &(g, points, _)) in entries.iter().enumerate() {
                let scaled = BigInt::from(points) * &unit;
                let now = &money[g] * &utility - &rest * &scaled;
                let slope = &self.slope[g] * &utility - &rest_slope * &scaled;
                if i < capped || !now.is_zero() || !slope.is_zero() {
                    self.horizon.keep(&now, &slope);
                }
                if self.horizon.closed() {
                    break;
                }
            }
        }
        Ok(Rho {
            rest,
            slope: rest_slope,
            per_scale: utility * &self.scale,
        })
    }

    /// Buys `p` at `rho`: each supporter pays `min(money, ρ·utility)`.
    fn buy(&mut self, p: usize, rho: &Rho, supporters: &[(usize, i64)]) {
        // Price per point in units of 1/scale: (rest + slope·t)·unit /
        // utility. Make it whole by multiplying the scale (and all money)
        // by the reduced denominator.
        let numerator = &rho.rest * self.unit(p);
        let numerator_slope = &rho.slope * self.unit(p);
        let utility = &rho.per_scale / &self.scale;
        let common = numerator.gcd(&numerator_slope).gcd(&utility);
        let per_point = numerator / &common;
        let per_point_slope = numerator_slope / &common;
        let factor = utility / common;
        if !factor.is_one() {
            self.scale *= &factor;
            self.slope_start *= &factor;
            for since in &mut self.since {
                *since *= &factor;
            }
            self.since.push(BigInt::one());
        }
        // Supporters of one class who give the same points move together
        // to one new class.
        let mut moved: HashMap<(usize, i64), usize, Quick> = HashMap::default();
        let now = self.since.len() - 1;
        for &(g, points) in supporters {
            let class = self.class_of[g];
            if class == BROKE {
                continue;
            }
            self.class_of[g] = match moved.get(&(class, points)) {
                Some(&new) => new,
                None => {
                    self.fresh(class);
                    let pay = &per_point * BigInt::from(points);
                    let new = if self.money[class] <= pay {
                        BROKE
                    } else {
                        self.money.push(&self.money[class] - pay);
                        self.slope
                            .push(&self.slope[class] - &per_point_slope * BigInt::from(points));
                        self.epoch.push(now);
                        self.money.len() - 1
                    };
                    moved.insert((class, points), new);
                    new
                }
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budgets::pabulib::{Ballot, Instance, Project, parse};
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    fn both_ways(instance: &Instance, what: &str) {
        let election = Election::new(instance).expect("an election");
        for tie in [Tie::Id, Tie::Cheapest] {
            for completion in [Completion::Exhaustive, Completion::UntilOverBudget] {
                let jumping = add1(&election, tie, completion, true).expect("computed");
                let stepping = add1(&election, tie, completion, false).expect("computed");
                assert_eq!(
                    (jumping.selected, jumping.per_voter, jumping.reasons),
                    (stepping.selected, stepping.per_voter, stepping.reasons),
                    "{what} {tie:?} {completion:?}"
                );
            }
        }
    }

    #[test]
    fn jumping_over_steps_gives_what_stepping_one_by_one_gives() {
        let mut rng = StdRng::seed_from_u64(2026);
        for case in 0..400 {
            let projects: Vec<Project> = (0..rng.random_range(1..9))
                .map(|i| Project {
                    id: format!("p{i}"),
                    cost: rng.random_range(1..60) * UNIT + rng.random_range(0..2) * UNIT / 2,
                })
                .collect();
            let points = case % 4 == 3;
            let mut ballots = Vec::new();
            for _ in 0..rng.random_range(1..40) {
                let mut choices = Vec::new();
                for project in &projects {
                    if rng.random_bool(0.4) {
                        let given = if points { rng.random_range(1..5) } else { 1 };
                        choices.push((project.id.clone(), given));
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
            both_ways(&instance, &format!("random case {case}"));
        }
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
            both_ways(&parse(&text).expect("parsed"), file);
        }
    }
}
