//! A budget's calendar as people read it: each phase's days in the
//! council's time zone (the last day included), and until when the
//! current phase lets them act.

use crate::ui::i18n::Tr;
use cabildo_engine::budgets::setup::{Budget, Phase};
use time::OffsetDateTime;

/// One phase of the budget's calendar.
pub struct PhaseLine {
    pub label: String,
    /// "01/12/2026 – 14/12/2026", or "from 30/12/2026" for the results.
    pub dates: String,
    pub current: bool,
}

/// When each phase after `Upcoming` starts, in order.
fn starts(budget: &Budget) -> [(Phase, OffsetDateTime); 6] {
    let d = budget.dates;
    [
        (Phase::Accepting, d.accepting),
        (Phase::Reviewing, d.reviewing),
        (Phase::Selecting, d.selecting),
        (Phase::Balloting, d.balloting),
        (Phase::Tallying, d.tallying),
        (Phase::Finished, d.finished),
    ]
}

/// The phases with their days.
pub fn phases(tr: &Tr, budget: &Budget) -> Vec<PhaseLine> {
    let starts = starts(budget);
    starts
        .iter()
        .enumerate()
        .map(|(i, (phase, from))| PhaseLine {
            label: tr.t(&format!("budget-phase-{}", phase.as_str())),
            dates: match starts.get(i + 1) {
                Some((_, until)) => tr.args(
                    "budget-phase-dates",
                    &[("from", tr.date(*from)), ("until", tr.last_day(*until))],
                ),
                None => tr.with("budget-phase-from", "from", &tr.date(*from)),
            },
            current: *phase == budget.phase,
        })
        .collect()
}

/// Until when people may propose, support or vote, in the phase they are
/// in ("You can vote until 30/12/2026, that day included").
pub fn deadline(tr: &Tr, budget: &Budget) -> Option<String> {
    let key = match budget.phase {
        Phase::Accepting => "budget-deadline-accepting",
        Phase::Selecting => "budget-deadline-selecting",
        Phase::Balloting => "budget-deadline-balloting",
        _ => return None,
    };
    let starts = starts(budget);
    let next = starts
        .iter()
        .position(|(phase, _)| *phase == budget.phase)
        .and_then(|i| starts.get(i + 1))?;
    Some(tr.with(key, "date", &tr.last_day(next.1)))
}
