//! Results of a budget election, as pure deterministic functions of the
//! projects and ballots (no database, no clock, no floating point):
//!
//! - `greedy` (CONSUL's rule): projects by votes, highest first; each that
//!   still fits in what remains of the budget is taken.
//! - `mes`: the Method of Equal Shares with cost utilities and the add1
//!   completion, in exact rational arithmetic.
//! - `mes-greedy`: `mes`, then `greedy` over the money left.
//!
//! They match the reference library `pabutools` 1.2.3 on real elections
//! (`tests/pabulib_results.rs`); the definitions are in
//! `../shared/pabulib/README.md` and in the functions below. Every project
//! gets a [`Reason`] for why it won or lost, shown on the results page.

use crate::error::Result;
mod exact;
mod greedy;
mod mes;

use super::pabulib::{Amount, Instance, UNIT};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{Signed, ToPrimitive};

/// Exact money, in millionths of the currency unit.
pub type Money = BigRational;

/// How ties between projects are broken.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tie {
    /// The smaller project id, compared as a string (the reference
    /// library's default).
    #[default]
    Id,
    /// The cheaper project, then the one with more approvals, then the
    /// smaller id (what Warsaw's official greedy outcomes and
    /// equalshares.net follow).
    Cheapest,
}

/// The rule that turns ballots into winners.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Rule {
    /// Most votes first, skipping what does not fit.
    #[default]
    Greedy,
    /// Method of Equal Shares with the add1 completion.
    Mes,
    /// `Mes`, then `Greedy` over the money left.
    MesGreedy,
}

/// When the add1 completion of `mes` stops raising voters' budgets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Completion {
    /// Once nothing more fits in what is left (equalshares.net, Assen 2024,
    /// Świecie 2023).
    #[default]
    Exhaustive,
    /// Only once the outcome would exceed the budget (reproduces
    /// Wieliczka 2023's official result).
    UntilOverBudget,
}

/// What a voter's ranking of a project is worth on ordinal ballots, as a
/// number of points that the rules then use as on points ballots (greedy
/// by total points, the Method of Equal Shares with points as utility).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Ordinal {
    /// Pabulib's convention, the one Kraków counts its votes by: the k-th
    /// choice (from 0) is worth `max_length − k` points, `max_length`
    /// being the file's (else the number of projects); 3, 2 and 1 for
    /// three choices.
    #[default]
    Points,
    /// `pabutools`' `Additive_Borda_Sat`: the k-th choice of a ballot of
    /// length `n` is worth `n − k − 1`, so a ballot's last choice is worth
    /// nothing (it supports that project in no rule).
    Borda,
}

/// Names shared by the CLI flags, the database and the API.
macro_rules! names {
    ($ty:ident { $($variant:ident = $name:literal),+ $(,)? }) => {
        impl $ty {
            /// Every choice, in the order forms list them.
            pub const ALL: &[$ty] = &[$($ty::$variant),+];

            /// The stable name.
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $name),+ }
            }
        }

        impl std::str::FromStr for $ty {
            type Err = String;

            fn from_str(text: &str) -> Result<Self, String> {
                match text {
                    $($name => Ok($ty::$variant),)+
                    other => Err(format!(
                        "{other:?} is not one of {}",
                        [$($name),+].join(", ")
                    )),
                }
            }
        }
    };
}

names!(Tie { Id = "id", Cheapest = "cheapest" });
names!(Rule { Greedy = "greedy", Mes = "mes", MesGreedy = "mes-greedy" });
names!(Completion { Exhaustive = "exhaustive", UntilOverBudget = "until-over-budget" });
names!(Ordinal { Points = "points", Borda = "borda" });

/// What a council chose for its results.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// The rule.
    pub rule: Rule,
    /// Tie-breaking.
    pub tie: Tie,
    /// The add1 completion's stop (for `mes` and `mes-greedy`).
    pub completion: Completion,
    /// Points of a ranking, on ordinal ballots.
    pub ordinal: Ordinal,
}

/// Why a project won or lost.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// Taken by greedy: this much was left before it.
    Fitted {
        /// What remained of the budget at its turn.
        #[serde(with = "text")]
        remaining: Amount,
    },
    /// Skipped by greedy: it cost more than what was left.
    DidNotFit {
        /// What remained of the budget at its turn.
        #[serde(with = "text")]
        remaining: Amount,
    },
    /// Bought by the Method of Equal Shares.
    Bought {
        /// The round (1-based).
        round: usize,
        /// What each supporter paid at most (per point on points ballots).
        #[serde(with = "text")]
        share: Money,
    },
    /// Its supporters could not pay for it together.
    Unaffordable {
        /// The round in which it dropped out (1-based).
        round: usize,
        /// What its supporters had left together.
        #[serde(with = "text")]
        money: Money,
    },
    /// Nobody voted for it, and it did not fit or the rule ignores it.
    NoVotes,
}

impl Reason {
    /// The stable name of the kind of reason (API, CSV).
    pub fn kind(&self) -> &'static str {
        match self {
            Reason::Fitted { .. } => "fitted",
            Reason::DidNotFit { .. } => "did_not_fit",
            Reason::Bought { .. } => "bought",
            Reason::Unaffordable { .. } => "unaffordable",
            Reason::NoVotes => "no_votes",
        }
    }
}

/// One project's place in the outcome.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Explained {
    /// Project id.
    pub id: String,
    /// Its cost.
    #[serde(with = "text")]
    pub cost: Amount,
    /// Its votes (points on points ballots).
    pub votes: i64,
    /// Whether it won.
    pub selected: bool,
    /// Why.
    pub reason: Reason,
}

/// The outcome of an election. It is stored as JSON when results are
/// published, exact numbers as text (`i128` and fractions do not fit
/// JSON numbers).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Outcome {
    /// The winners' ids, in the order the rule took them.
    pub selected: Vec<String>,
    /// What the winners cost together.
    #[serde(with = "text")]
    pub total: Amount,
    /// Each voter's starting money in the run that decided (`mes` rules).
    #[serde(with = "text::optional")]
    pub per_voter: Option<Money>,
    /// Every project, in the order of the election's projects.
    pub projects: Vec<Explained>,
}

/// Exact numbers (amounts, fractions such as `7/3`) as JSON strings.
mod text {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};
    use std::fmt::Display;
    use std::str::FromStr;

    pub fn serialize<T: Display, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(value)
    }

    pub fn deserialize<'de, T: FromStr, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
        let text = String::deserialize(d)?;
        text.parse()
            .map_err(|_| D::Error::custom(format!("not an exact number: {text:?}")))
    }

    /// The same for an optional number (`null` when there is none).
    pub mod optional {
        use serde::{Deserialize, Deserializer, Serializer};
        use std::fmt::Display;
        use std::str::FromStr;

        pub fn serialize<T: Display, S: Serializer>(
            value: &Option<T>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match value {
                Some(value) => s.collect_str(value),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, T: FromStr, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<T>, D::Error> {
            match Option::<String>::deserialize(d)? {
                Some(text) => text.parse().map(Some).map_err(|_| {
                    serde::de::Error::custom(format!("not an exact number: {text:?}"))
                }),
                None => Ok(None),
            }
        }
    }
}

/// Why results could not be computed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ResultError {
    /// A vote type the rules do not know.
    #[error(
        "{0} ballots are not supported (approval, choose-1, cumulative, scoring and ordinal are)"
    )]
    VoteType(String),
    /// Negative points or costs.
    #[error("project {0:?} has a negative cost or negative points")]
    Negative(String),
    /// The add1 completion would need too many reruns.
    #[error("the add1 completion needs more than {0} steps; this election is too large for it")]
    TooManySteps(usize),
}

/// An election ready for the rules: projects by index, identical ballots
/// merged.
pub(crate) struct Election<'a> {
    pub(crate) instance: &'a Instance,
    /// Votes (points) and raw approvals per project.
    pub(crate) votes: Vec<(i64, i64)>,
    /// Distinct ballots (project index, points) with how many cast them.
    pub(crate) groups: Vec<(u64, Vec<(usize, i64)>)>,
    /// Whether a voter's utility is the project's cost (approval ballots)
    /// or its points.
    pub(crate) cost_utility: bool,
}

/// Identical ballots (their positive points on the instance's projects)
/// as one group each with how many cast it, in a fixed order: sorting
/// compares the numbers directly; hashing them cost more.
fn groups(instance: &Instance) -> Vec<(u64, Vec<(usize, i64)>)> {
    let mut ballots: Vec<Vec<(usize, i64)>> = instance
        .ballots
        .iter()
        .map(|ballot| {
            let mut choices: Vec<(usize, i64)> = ballot
                .choices
                .iter()
                .copied()
                .filter(|&(p, points)| p < instance.projects.len() && points > 0)
                .collect();
            choices.sort_unstable();
            choices
        })
        .collect();
    ballots.sort_unstable();
    let mut groups: Vec<(u64, Vec<(usize, i64)>)> = Vec::new();
    for choices in ballots {
        match groups.last_mut() {
            Some((weight, last)) if *last == choices => *weight += 1,
            _ => groups.push((1, choices)),
        }
    }
    groups
}

impl<'a> Election<'a> {
    /// The election, with identical ballots merged into `groups` when
    /// `grouped` (only the Method of Equal Shares needs them; greedy reads
    /// the votes alone, and on small files it is mostly process start).
    fn new(instance: &'a Instance, grouped: bool) -> Result<Self, ResultError> {
        let cost_utility = match instance.vote_type.as_str() {
            // A choose-1 ballot approves its one project (as `pabutools`
            // reads it).
            "approval" | "choose-1" => true,
            // Ordinal ballots carry their ranks' points (see `Ordinal`).
            "cumulative" | "scoring" | "ordinal" => false,
            other => return Err(ResultError::VoteType(other.to_owned())),
        };
        if let Some(p) = instance.projects.iter().find(|p| p.cost < 0) {
            return Err(ResultError::Negative(p.id.clone()));
        }
        let mut votes = vec![(0_i64, 0_i64); instance.projects.len()];
        for ballot in &instance.ballots {
            for &(p, points) in &ballot.choices {
                // A ballot only names projects of its instance.
                let Some(project) = instance.projects.get(p) else {
                    continue;
                };
                if points < 0 {
                    return Err(ResultError::Negative(project.id.clone()));
                }
                votes[p].0 = votes[p].0.saturating_add(points);
                votes[p].1 += 1;
            }
        }
        let groups = if grouped {
            groups(instance)
        } else {
            Vec::new()
        };
        Ok(Election {
            instance,
            votes,
            groups,
            cost_utility,
        })
    }

    fn voters(&self) -> u64 {
        self.groups.iter().map(|(w, _)| w).sum()
    }

    fn id(&self, p: usize) -> &str {
        &self.instance.projects[p].id
    }

    fn cost(&self, p: usize) -> Amount {
        self.instance.projects[p].cost
    }

    /// Whether project `a` comes before `b` when everything else is equal.
    fn before(&self, tie: Tie, a: usize, b: usize) -> std::cmp::Ordering {
        match tie {
            Tie::Id => self.id(a).cmp(self.id(b)),
            Tie::Cheapest => self
                .cost(a)
                .cmp(&self.cost(b))
                .then(self.votes[b].1.cmp(&self.votes[a].1))
                .then_with(|| self.id(a).cmp(self.id(b))),
        }
    }
}

/// Computes the outcome of an election under the council's options.
pub fn compute(instance: &Instance, options: Options) -> Result<Outcome, ResultError> {
    let borda;
    let instance = if instance.vote_type == "ordinal" && options.ordinal == Ordinal::Borda {
        borda = instance.with_borda_points();
        &borda
    } else {
        instance
    };
    let election = Election::new(instance, options.rule != Rule::Greedy)?;
    let n = instance.projects.len();
    let mut reasons = vec![Reason::NoVotes; n];
    let mut chosen = vec![false; n];
    let mut selected = Vec::new();
    let mut per_voter = None;
    if options.rule != Rule::Greedy {
        let run = mes::equal_shares(&election, options.tie, options.completion)?;
        for (p, reason) in run.reasons.into_iter().enumerate() {
            if let Some(reason) = reason {
                reasons[p] = reason;
            }
        }
        for &p in &run.selected {
            chosen[p] = true;
        }
        selected = run.selected;
        per_voter = Some(run.per_voter);
    }
    if options.rule != Rule::Mes {
        let spent: Amount = selected.iter().map(|&p| election.cost(p)).sum();
        let mut remaining = instance.budget - spent;
        let explain_all = options.rule == Rule::Greedy;
        for p in greedy::order(&election, options.tie) {
            if chosen[p] {
                continue;
            }
            if election.cost(p) <= remaining {
                reasons[p] = Reason::Fitted { remaining };
                remaining -= election.cost(p);
                chosen[p] = true;
                selected.push(p);
            } else if explain_all || reasons[p] == Reason::NoVotes {
                reasons[p] = Reason::DidNotFit { remaining };
            }
        }
    }
    let total = selected.iter().map(|&p| election.cost(p)).sum();
    let projects = instance
        .projects
        .iter()
        .enumerate()
        .map(|(p, project)| Explained {
            id: project.id.clone(),
            cost: project.cost,
            votes: election.votes[p].0,
            selected: chosen[p],
            reason: reasons[p].clone(),
        })
        .collect();
    Ok(Outcome {
        selected: selected
            .iter()
            .map(|&p| election.id(p).to_owned())
            .collect(),
        total,
        per_voter,
        projects,
    })
}

/// An exact amount as the currency's decimal text ("1200", "10.5").
pub fn amount_text(amount: Amount) -> String {
    let sign = if amount < 0 { "-" } else { "" };
    let whole = amount.abs() / UNIT;
    let fraction = amount.abs() % UNIT;
    if fraction == 0 {
        format!("{sign}{whole}")
    } else {
        let digits = format!("{fraction:06}");
        format!("{sign}{whole}.{}", digits.trim_end_matches('0'))
    }
}

/// Exact money rounded down to whole cents (saturating).
pub fn cents_of(money: &Money) -> i64 {
    let cents = (money * BigInt::from(100) / BigInt::from(UNIT))
        .floor()
        .to_integer();
    cents.to_i64().unwrap_or(if cents.is_negative() {
        i64::MIN
    } else {
        i64::MAX
    })
}

/// Exact money rounded down to cents, as decimal text ("1234.56"), for
/// people to read.
pub fn money_text(money: &Money) -> String {
    let cents = (money * BigInt::from(100) / BigInt::from(UNIT)).floor();
    let cents = cents.to_integer();
    let negative = cents.is_negative();
    let cents = cents.abs();
    let whole = &cents / BigInt::from(100);
    let rest = (&cents % BigInt::from(100)).to_u8().unwrap_or(0);
    format!("{}{whole}.{rest:02}", if negative { "-" } else { "" })
}

/// An exact amount rounded down to cents, as decimal text ("1234.50").
pub fn units(amount: Amount) -> String {
    money_text(&money(amount))
}

/// Money from an exact amount.
pub(crate) fn money(amount: Amount) -> Money {
    Money::from_integer(BigInt::from(amount))
}

#[cfg(test)]
mod tests {
    use super::super::pabulib::parse;
    use super::*;

    fn run(file: &str, rule: Rule, tie: Tie) -> Vec<String> {
        let instance = parse(file).expect("parsed");
        compute(
            &instance,
            Options {
                rule,
                tie,
                completion: Completion::Exhaustive,
                ordinal: Ordinal::Points,
            },
        )
        .expect("computed")
        .selected
    }

    #[test]
    fn greedy_skips_what_does_not_fit_and_breaks_ties_as_asked() {
        // Budget 10: "b" (3 votes, 6) fits; "a" and "c" tie on 2 votes.
        let file = "META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\na;5\nb;6\nc;4\nd;1\nVOTES\nvoter_id;vote\n1;a,b,c\n2;b,a,c\n3;b\n4;\n";
        assert_eq!(
            run(file, Rule::Greedy, Tie::Id),
            vec!["b", "c"],
            "a (5) no longer fits; d has no votes and 0 left"
        );
        assert_eq!(run(file, Rule::Greedy, Tie::Cheapest), vec!["b", "c"]);
        let cheap = "META\nkey;value\nbudget;5\nPROJECTS\nproject_id;cost\na;5\nb;4\nVOTES\nvoter_id;vote\n1;a,b\n";
        assert_eq!(run(cheap, Rule::Greedy, Tie::Id), vec!["a"]);
        assert_eq!(run(cheap, Rule::Greedy, Tie::Cheapest), vec!["b"]);
    }

    #[test]
    fn ordinal_ballots_are_counted_by_their_ranks_points() {
        // Budget 10. Three voters rank a, b, c; two rank c, b.
        // Points (3, 2, 1): a 9, b 10, c 9 — greedy takes b (4), then a
        // (6) before c on the tie (smaller id). Borda (2, 1, 0 and 1, 0):
        // a 6, b 3, c 2 — greedy takes a, then b.
        let file = "META\nkey;value\nbudget;10\nvote_type;ordinal\nmax_length;3\nPROJECTS\nproject_id;cost\na;6\nb;4\nc;4\nVOTES\nvoter_id;vote\n1;a,b,c\n2;a,b,c\n3;a,b,c\n4;c,b\n5;c,b\n";
        let instance = parse(file).expect("parsed");
        let greedy = |ordinal| {
            compute(
                &instance,
                Options {
                    ordinal,
                    ..Options::default()
                },
            )
            .expect("computed")
        };
        let points = greedy(Ordinal::Points);
        assert_eq!(points.selected, vec!["b", "a"]);
        let votes: Vec<i64> = points.projects.iter().map(|p| p.votes).collect();
        assert_eq!(votes, vec![9, 10, 9], "points per project");
        let borda = greedy(Ordinal::Borda);
        assert_eq!(borda.selected, vec!["a", "b"]);
        let votes: Vec<i64> = borda.projects.iter().map(|p| p.votes).collect();
        assert_eq!(votes, vec![6, 3, 2], "Borda points per project");
        assert_eq!("borda".parse::<Ordinal>(), Ok(Ordinal::Borda));
    }

    #[test]
    fn equal_shares_gives_a_minority_its_share() {
        // Budget 30, 3 voters with 10 each. Two voters want x and y (20
        // each); one wants z (10). Greedy takes x (2 votes) and z; equal
        // shares gives the two voters x (they pay 10 each) and the third
        // voter z.
        let file = "META\nkey;value\nbudget;30\nPROJECTS\nproject_id;cost\nx;20\ny;20\nz;10\nVOTES\nvoter_id;vote\n1;x,y\n2;x,y\n3;z\n";
        assert_eq!(run(file, Rule::Mes, Tie::Id), vec!["x", "z"]);
        let outcome = compute(
            &parse(file).expect("parsed"),
            Options {
                rule: Rule::Mes,
                ..Options::default()
            },
        )
        .expect("computed");
        assert_eq!(outcome.total, 30 * UNIT);
        let y = &outcome.projects[1];
        assert!(matches!(y.reason, Reason::Unaffordable { .. }), "{y:?}");
        let x = &outcome.projects[0];
        assert_eq!(
            x.reason,
            Reason::Bought {
                round: 1,
                share: money(10 * UNIT)
            }
        );
    }

    #[test]
    fn money_reads_as_decimals() {
        assert_eq!(amount_text(1200 * UNIT), "1200");
        assert_eq!(amount_text(10 * UNIT + UNIT / 2), "10.5");
        let third = Money::new(BigInt::from(10 * UNIT), BigInt::from(3));
        assert_eq!(money_text(&third), "3.33");
        assert_eq!("mes-greedy".parse::<Rule>(), Ok(Rule::MesGreedy));
        assert!("lexico".parse::<Tie>().is_err());
    }
}
