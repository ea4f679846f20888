//! Tests of passes: what they prove against exact runs at every step,
//! and each shortcut against the computation it replaces.

use super::super::{Election, Start, Tie, money, run};
use super::{
    At, Bounds, DENOM, Line64, Pass, PerPoint, Price, Proof, SNAPSHOTS, Snapshot, TAKEN, certify,
    crossing, fit, lowest_first, places, settle, wide,
};
use crate::budgets::pabulib::parse;
use crate::budgets::pabulib::{Ballot, Instance, Project, UNIT};
use num_bigint::{BigInt, BigUint};
use num_rational::BigRational;
use num_traits::ToPrimitive;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::cmp::Ordering;

/// Whatever a pass proves holds at every step of its range: the exact
/// method buys the projects of one of its outcomes at each of them.
#[test]
fn what_a_pass_proves_holds_at_every_step() {
    let (proven, several, steps_checked) = check_passes(27, 300, 24);
    assert!(
        proven > 100 && steps_checked > 500,
        "{proven} ranges ({several} with several outcomes), {steps_checked} steps"
    );
}

/// The money bounds a pass keeps hold at every step whose purchases
/// so far are the pass's (in either order where two were swapped):
/// each group's money, replayed exactly with that step's purchases,
/// lies between them. This checks every bound (lines, ceilings, both
/// orders of a swap), not only the outcomes they decide.
#[test]
fn money_bounds_hold_at_every_step() {
    let mut rng = StdRng::seed_from_u64(31);
    let (mut checked, mut after_swaps) = (0, 0);
    on_real_elections(|file, election, start, mut first| {
        let place = places(&start.supporters, election.groups.len());
        for _ in 0..20 {
            let width = rng.random_range(2..30_u64);
            SNAPSHOTS.with(|on| on.set(true));
            let _ = certify(election, start, &first, width, Tie::Id, &[]);
            let snapshots = TAKEN.with(|taken| taken.take());
            // Each step's purchases, and each group's money after each
            // of them in fixed point times `width − 1` (bounds are
            // lines through the range's ends), rounded both ways.
            let scale = BigRational::from_integer(BigInt::from(DENOM * i128::from(width - 1)));
            let steps: Vec<(Vec<usize>, Rounded)> = (0..width)
                .map(|step| {
                    let at = &first + money(UNIT) * BigInt::from(step);
                    let exact = run(election, start, &at, Tie::Id, false, None).0;
                    let after = replay(election, start, &at, &exact.selected)
                        .iter()
                        .map(|money| {
                            money
                                .iter()
                                .map(|m| {
                                    let scaled = m * &scale;
                                    [scaled.floor(), scaled.ceil()].map(|whole| {
                                        whole.to_integer().to_i128().expect("money fits")
                                    })
                                })
                                .collect()
                        })
                        .collect();
                    (exact.selected, after)
                })
                .collect();
            for snapshot in &snapshots {
                for (step, (exact, after)) in steps.iter().enumerate() {
                    let Some(bought) = followed(exact, snapshot) else {
                        continue;
                    };
                    // A line at this step, times `width − 1`.
                    let at_step = |line: Line64| {
                        let [a, b] = line.map(i128::from);
                        a * i128::from(width - 1) + (b - a) * step as i128
                    };
                    for (g, [floor, ceil]) in after[bought.len()].iter().enumerate() {
                        let (lo, hi) = (
                            at_step(snapshot.lo[place[g]]),
                            at_step(snapshot.hi[place[g]]),
                        );
                        assert!(
                            lo <= *floor && *ceil <= hi,
                            "{file}: group {g} after {bought:?} at step {step} of \
                             {width}: {floor} not in [{lo}, {hi}]"
                        );
                    }
                    checked += 1;
                    after_swaps += usize::from(!snapshot.swapped.is_empty());
                }
            }
            first += money(UNIT) * BigInt::from(width);
        }
    });
    assert!(
        checked > 5_000 && after_swaps > 100,
        "{checked} checked, {after_swaps} after swaps"
    );
}

/// Each group's money after each purchase (and before the first),
/// rounded down and up.
type Rounded = Vec<Vec<[i128; 2]>>;

/// The purchases of `exact` that `snapshot` stands for: its first
/// ones, if they are the snapshot's (a swapped pair in either order).
fn followed<'a>(exact: &'a [usize], snapshot: &Snapshot) -> Option<&'a [usize]> {
    let ours = &snapshot.selected;
    let theirs = exact.get(..ours.len())?;
    let mut at = 0;
    while at < ours.len() {
        if snapshot.swapped.contains(&at) && at + 1 < ours.len() {
            let pair = [theirs[at], theirs[at + 1]];
            if pair != [ours[at], ours[at + 1]] && pair != [ours[at + 1], ours[at]] {
                return None;
            }
            at += 2;
        } else {
            if theirs[at] != ours[at] {
                return None;
            }
            at += 1;
        }
    }
    Some(theirs)
}

/// Each group's money before and after each purchase of `order`, from
/// `per_voter` each, exactly: each project's price per point is found
/// among its supporters from the poorest per point up.
fn replay(
    election: &Election<'_>,
    start: &Start,
    per_voter: &BigRational,
    order: &[usize],
) -> Vec<Vec<BigRational>> {
    let mut money = vec![per_voter.clone(); election.groups.len()];
    let mut after = vec![money.clone()];
    for &p in order {
        let supporters = &start.supporters[p];
        let weight = |g: usize| BigInt::from(election.groups[g].0);
        let mut poorest: Vec<(BigRational, usize, i64)> = supporters
            .iter()
            .map(|&(g, given)| (&money[g] / BigInt::from(given), g, given))
            .collect();
        poorest.sort_unstable();
        let mut rest = BigRational::from_integer(BigInt::from(election.cost(p)));
        let mut points: BigInt = supporters.iter().map(|&(g, given)| weight(g) * given).sum();
        let mut price = None;
        for &(_, g, given) in &poorest {
            let per_point = &rest / BigRational::from_integer(points.clone());
            if money[g] >= &per_point * BigInt::from(given) {
                price = Some(per_point);
                break;
            }
            rest -= &money[g] * weight(g);
            points -= weight(g) * given;
        }
        let price = price.expect("the exact run bought it, so its supporters could pay");
        for &(g, given) in supporters {
            let share = &price * BigInt::from(given);
            let pays = if money[g] < share {
                money[g].clone()
            } else {
                share
            };
            money[g] -= pays;
        }
        after.push(money.clone());
    }
    after
}

/// Whether one of `outcomes` has the projects of `exact` (passes may
/// find two purchases in either order).
fn same_projects(outcomes: &[Vec<usize>], exact: &[usize]) -> bool {
    let sorted = |projects: &[usize]| {
        let mut projects = projects.to_vec();
        projects.sort_unstable();
        projects
    };
    outcomes.iter().any(|o| sorted(o) == sorted(exact))
}

/// Passes over ranges whose steps' outcomes differ (winners that
/// swap places, or several outcomes followed) find every step's
/// projects among theirs: real elections, ranges one after another
/// from add1's first step, every step of every proven range checked.
#[test]
fn ranges_of_differing_steps_cover_every_step() {
    let mut rng = StdRng::seed_from_u64(29);
    let (mut varied, mut several, mut steps_checked) = (0, 0, 0);
    on_real_elections(|file, election, start, mut first| {
        for _ in 0..150 {
            let width = rng.random_range(1..40_u64);
            if let Proof::Holds(outcomes) = certify(election, start, &first, width, Tie::Id, &[]) {
                several += usize::from(outcomes.len() > 1);
                let mut seen: Vec<Vec<usize>> = Vec::new();
                for step in 0..width {
                    let at = &first + money(UNIT) * BigInt::from(step);
                    let exact = run(election, start, &at, Tie::Id, false, None).0;
                    assert!(
                        same_projects(&outcomes, &exact.selected),
                        "{file}, step {step} of {width}"
                    );
                    if !seen.contains(&exact.selected) {
                        seen.push(exact.selected);
                    }
                    steps_checked += 1;
                }
                varied += usize::from(seen.len() > 1);
            }
            first += money(UNIT) * BigInt::from(width);
        }
    });
    assert!(
        varied > 20 && several > 5,
        "{varied} ranges whose steps differ ({several} with several outcomes), \
         {steps_checked} steps"
    );
}

/// One of the engine's test elections, read.
fn real(file: &str) -> Instance {
    let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pabulib");
    let text = std::fs::read_to_string(format!("{folder}/{file}")).expect("file");
    parse(&text).expect("parsed")
}

/// Runs `check` on Assen, Częstochowa and Zürich (approval and
/// cumulative ballots): each file's name, election, what passes start
/// from, and each voter's money at add1's first step.
fn on_real_elections(mut check: impl FnMut(&str, &Election<'_>, &Start, BigRational)) {
    for file in [
        "Netherlands_Assen_2024.pb",
        "Poland_Czestochowa_2020_Grabowka.pb",
        "Switzerland_Zurich_D10.pb",
    ] {
        let instance = real(file);
        let election = Election::new(&instance, true).expect("an election");
        let start = Start::new(&election);
        let first = BigRational::new(
            BigInt::from(instance.budget),
            BigInt::from(election.voters()),
        );
        check(file, &election, &start, first);
    }
}

/// Passes over random elections and ranges of up to `widest` steps,
/// each proven one checked against exact runs at every step: how many
/// were proven, how many with several outcomes, and the steps checked.
fn check_passes(seed: u64, cases: usize, widest: u64) -> (usize, usize, usize) {
    let mut rng = StdRng::seed_from_u64(seed);
    let (mut proven, mut several, mut steps_checked) = (0, 0, 0);
    for case in 0..cases {
        let projects: Vec<Project> = (0..rng.random_range(2..10))
            .map(|i| Project {
                id: format!("p{i}"),
                cost: rng.random_range(1..60) * UNIT + rng.random_range(0..3) * UNIT / 3,
            })
            .collect();
        let points = case % 3 == 2;
        let ballots = (0..rng.random_range(2..60))
            .map(|_| {
                let mut choices = Vec::new();
                for p in 0..projects.len() {
                    if rng.random_bool(0.45) {
                        choices.push((p, if points { rng.random_range(1..5) } else { 1 }));
                    }
                }
                Ballot { choices }
            })
            .collect();
        let instance = Instance {
            budget: rng.random_range(1..200) * UNIT,
            vote_type: if points { "cumulative" } else { "approval" }.into(),
            projects,
            ballots,
        };
        let election = Election::new(&instance, true).expect("an election");
        assert!(fit(&election));
        let start = Start::new(&election);
        let voters = BigInt::from(election.voters());
        let tie = if case % 2 == 0 {
            Tie::Id
        } else {
            Tie::Cheapest
        };
        let first = BigRational::new(BigInt::from(instance.budget), voters)
            + money(UNIT) * BigInt::from(rng.random_range(0..40));
        let width = rng.random_range(1..widest);
        // What the pass expects only orders its work: none, the exact
        // outcome at its first step, or projects in a random order.
        let expected: Vec<usize> = match rng.random_range(0..3) {
            0 => Vec::new(),
            1 => run(&election, &start, &first, tie, false, None).0.selected,
            _ => {
                let mut any: Vec<usize> = (0..instance.projects.len()).collect();
                any.shuffle(&mut rng);
                any
            }
        };
        let Proof::Holds(outcomes) = certify(&election, &start, &first, width, tie, &expected)
        else {
            continue;
        };
        proven += 1;
        if outcomes.len() > 1 {
            several += 1;
        }
        for step in 0..width {
            let at = &first + money(UNIT) * BigInt::from(step);
            let exact = run(&election, &start, &at, tie, false, None).0;
            assert!(
                same_projects(&outcomes, &exact.selected),
                "case {case}, step {step} of {width}: {:?} not in {outcomes:?}",
                exact.selected
            );
            steps_checked += 1;
        }
    }
    (proven, several, steps_checked)
}

#[test]
fn a_failed_comparison_guesses_where_its_lines_cross() {
    let price = Price::new;
    // w rises from 1 to 3, q stays at 2: w is below for j < 5 of 0..10.
    let w = [price(2, 2), price(3, 1)];
    let q = [price(2, 1), price(6, 3)];
    assert_eq!(crossing(&w, &q, 11), Some(5));
    // Below at both ends, or above at the start: no guess.
    assert_eq!(crossing(&w, &[price(4, 1), price(4, 1)], 11), None);
    assert_eq!(crossing(&[price(3, 1), price(3, 1)], &q, 11), None);
}

/// Prices compare as their exact quotients, including those whose
/// floating-point values are equal or nearly so.
#[test]
fn prices_compare_exactly() {
    let mut rng = StdRng::seed_from_u64(5);
    let exact = |a: &Price, b: &Price| {
        (BigInt::from(a.rest) * BigInt::from(b.per))
            .cmp(&(BigInt::from(b.rest) * BigInt::from(a.per)))
    };
    for case in 0..200_000 {
        let bits = rng.random_range(1..100);
        let rest = rng.random_range(-(1_i128 << bits)..(1_i128 << bits));
        let per_bits = rng.random_range(1..100);
        let per = rng.random_range(1..(1_u128 << per_bits));
        let a = Price::new(rest, per);
        // Another price: unrelated, equal, or one smallest unit apart
        // at a larger denominator.
        let k = rng.random_range(1..(1_i128 << 20));
        let b = match case % 3 {
            0 => Price::new(rng.random_range(-(1_i128 << 60)..(1_i128 << 60)), per),
            1 => Price::new(rest * k, per * k as u128),
            _ => Price::new(rest * k + rng.random_range(-1..=1), per * k as u128),
        };
        assert_eq!(
            a.cmp(&b),
            exact(&a, &b),
            "{rest}/{per} against {}/{}",
            b.rest,
            b.per
        );
        assert_eq!(b.cmp(&a), exact(&b, &a));
    }
}

/// Candidates come in the order of a stable sort by exact price,
/// also where prices are equal or one smallest unit apart.
#[test]
fn candidates_sort_by_exact_price() {
    let mut rng = StdRng::seed_from_u64(8);
    for _ in 0..2_000 {
        let base = rng.random_range(1..(1_i128 << 90));
        let bound: Vec<Option<Bounds>> = (0..rng.random_range(1..60))
            .map(|_| {
                let k = rng.random_range(1..(1_i128 << 30));
                let rest = base * k + rng.random_range(-1..=1) * rng.random_range(0..3);
                let price = Price::new(rest, 1000 * k as u128);
                let per_point = PerPoint { rest, points: 1 };
                Some(Bounds {
                    lower: [price; 2],
                    lower_per_point: [per_point; 2],
                })
                .filter(|_| rng.random_bool(0.95))
            })
            .collect();
        let mut projects: Vec<usize> = (0..bound.len()).collect();
        projects.shuffle(&mut rng);
        let mut expected = projects.clone();
        expected.sort_by(|&a, &b| {
            match (&bound[a], &bound[b]) {
                (Some(x), Some(y)) => {
                    let exact = |p: &Price, q: &Price| BigInt::from(p.rest) * BigInt::from(q.per);
                    exact(&x.lower[0], &y.lower[0]).cmp(&exact(&y.lower[0], &x.lower[0]))
                }
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            }
            .then(a.cmp(&b))
        });
        lowest_first(&mut projects, &bound);
        assert_eq!(projects, expected);
    }
}

/// Supporters who all give the same points are settled as the
/// general rule settles them, also where a share is not whole and
/// someone has exactly its whole part.
#[test]
fn alike_supporters_settle_as_any() {
    let mut rng = StdRng::seed_from_u64(11);
    for _ in 0..20_000 {
        let given = rng.random_range(1..4_i64);
        let supporters: Vec<(i64, i64, i64, u32)> = (0..rng.random_range(1..12))
            .map(|g| (rng.random_range(1..30), given, rng.random_range(1..4), g))
            .collect();
        let have: i128 = supporters.iter().map(|e| i128::from(e.0 * e.2)).sum();
        let points: i128 = supporters.iter().map(|e| i128::from(e.1 * e.2)).sum();
        let rest = rng.random_range(1..=have);
        let (mut alike, mut any) = (supporters.clone(), supporters);
        let (found, capped) = settle(&mut alike, rest, points, Some(given));
        let (expected, capped_any) = settle(&mut any, rest, points, None);
        assert_eq!(
            (found.rest, found.points, capped),
            (expected.rest, expected.points, capped_any)
        );
        let groups = |scratch: &[(i64, i64, i64, u32)]| {
            let mut groups: Vec<u32> = scratch[..capped].iter().map(|e| e.3).collect();
            groups.sort_unstable();
            groups
        };
        assert_eq!(groups(&alike), groups(&any));
    }
}

/// Both ends of an upper line priced in one traversal are the prices
/// at each end, on a real election with random money bounds.
#[test]
fn upper_lines_in_one_traversal_price_each_end() {
    let instance = real("Netherlands_Amsterdam_166.pb");
    let election = Election::new(&instance, true).expect("an election");
    let start = Start::new(&election);
    let mut rng = StdRng::seed_from_u64(12);
    let (mut priced, mut settled) = (0, 0);
    for _ in 0..200 {
        let most = 1_i64 << rng.random_range(10..36);
        let mut line = || {
            if rng.random_bool(0.2) {
                [0, rng.random_range(0..most)]
            } else {
                [rng.random_range(0..most), rng.random_range(0..most)]
            }
        };
        let lo: Vec<Line64> = (0..election.groups.len()).map(|_| line()).collect();
        let mut pass = Pass {
            election: &election,
            start: &start,
            steps: 10,
            hi: lo.clone(),
            lo,
            scratch: Vec::new(),
            both: Vec::new(),
            halfway_ends: [0; 2],
            undo: Vec::new(),
            snapshots: None,
        };
        for p in 0..instance.projects.len() {
            let Some(given) = start.backers[p].same else {
                continue;
            };
            let each = [0, 1].map(|end| pass.price(p, false, At::End(end)));
            settled += each
                .iter()
                .flatten()
                .filter(|(_, capped)| *capped > 0)
                .count();
            let each = each.map(|found| found.map(|(f, _)| (f.rest, f.points)));
            let both = pass
                .upper_alike(p, given)
                .map(|f| f.map(|f| (f.rest, f.points)));
            let expected = match each {
                [Some(first), Some(last)] => Some([first, last]),
                _ => None,
            };
            assert_eq!(both, expected, "project {p}");
            priced += 1;
        }
    }
    assert!(
        priced > 1_000 && settled > 100,
        "{priced} priced, {settled} settled"
    );
}

#[test]
fn wide_products_are_exact() {
    let values = [
        0_u128,
        1,
        u128::from(u64::MAX),
        u128::from(u64::MAX) + 1,
        (1 << 100) + 12_345,
        u128::MAX / 3,
        u128::MAX,
    ];
    for &a in &values {
        for &b in &values {
            let (high, low) = wide(a, b);
            let got = (BigUint::from(high) << 128) + BigUint::from(low);
            assert_eq!(got, BigUint::from(a) * BigUint::from(b), "{a} × {b}");
        }
    }
}
