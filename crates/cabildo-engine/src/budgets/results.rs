//! Results of a budget election, as pure functions. `greedy` is CONSUL's
//! rule as `pabutools` computes it (`greedy_utilitarian_welfare`): projects
//! by score (approvals, or points for points ballots), highest first; each
//! that still fits in what remains of the budget is selected.

use super::pabulib::{Amount, Instance};
use std::cmp::Ordering;
use std::collections::HashMap;

/// How ties between projects are broken.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tie {
    /// The smaller project id, compared as a string (the reference
    /// library's default).
    #[default]
    Id,
    /// The cheaper project, then the one with more approvals, then the
    /// smaller id (what Warsaw's official greedy outcomes follow).
    Cheapest,
}

/// Each project's score (sum of points; approvals count 1) and its raw
/// number of approvals.
fn scores(instance: &Instance) -> HashMap<&str, (i64, i64)> {
    let mut scores: HashMap<&str, (i64, i64)> = instance
        .projects
        .iter()
        .map(|p| (p.id.as_str(), (0, 0)))
        .collect();
    for ballot in &instance.ballots {
        for (id, points) in &ballot.choices {
            if let Some(score) = scores.get_mut(id.as_str()) {
                score.0 += points;
                score.1 += 1;
            }
        }
    }
    scores
}

/// The projects `greedy` selects, in the order it takes them.
pub fn greedy(instance: &Instance, tie: Tie) -> Vec<String> {
    let scores = scores(instance);
    let mut order: Vec<(&str, Amount, i64, i64)> = instance
        .projects
        .iter()
        .map(|p| {
            let (score, approvals) = scores.get(p.id.as_str()).copied().unwrap_or((0, 0));
            (p.id.as_str(), p.cost, score, approvals)
        })
        .collect();
    order.sort_by(|a, b| {
        b.2.cmp(&a.2).then_with(|| match tie {
            Tie::Id => a.0.cmp(b.0),
            Tie::Cheapest => a.1.cmp(&b.1).then(b.3.cmp(&a.3)).then_with(|| a.0.cmp(b.0)),
        })
    });
    let mut remaining = instance.budget;
    let mut selected = Vec::new();
    for (id, cost, _, _) in order {
        if cost.cmp(&remaining) != Ordering::Greater {
            remaining -= cost;
            selected.push(id.to_owned());
        }
    }
    selected
}

#[cfg(test)]
mod tests {
    use super::super::pabulib::parse;
    use super::*;

    #[test]
    fn greedy_skips_what_does_not_fit_and_breaks_ties_as_asked() {
        // Budget 10: "b" (3 votes, 6) fits; "a" and "c" tie on 2 votes.
        let file = "META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\na;5\nb;6\nc;4\nd;1\nVOTES\nvoter_id;vote\n1;a,b,c\n2;b,a,c\n3;b\n4;\n";
        let instance = parse(file).expect("parsed");
        assert_eq!(
            greedy(&instance, Tie::Id),
            vec!["b", "c"],
            "a (5) no longer fits; d has no votes and 0 left"
        );
        assert_eq!(greedy(&instance, Tie::Cheapest), vec!["b", "c"]);
    }
}
