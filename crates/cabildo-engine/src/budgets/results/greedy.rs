//! `greedy` (CONSUL's rule, `pabutools`' `greedy_utilitarian_welfare` with
//! cost satisfaction): projects by votes (points on points ballots),
//! highest first, ties as the council chose. `compute` walks this order and
//! takes each project that still fits.

use super::{Election, Tie};

/// The order in which greedy considers projects.
pub(super) fn order(election: &Election<'_>, tie: Tie) -> Vec<usize> {
    let mut order: Vec<usize> = (0..election.instance.projects.len()).collect();
    order.sort_by(|&a, &b| {
        election.votes[b]
            .0
            .cmp(&election.votes[a].0)
            .then_with(|| election.before(tie, a, b))
    });
    order
}
