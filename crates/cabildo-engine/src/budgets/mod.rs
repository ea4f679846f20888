//! Participatory budgets (DESIGN §4): a process's budget split into
//! headings, projects with their feasibility review, ballots that can never
//! be overspent, results by greedy or the Method of Equal Shares, and the
//! execution of the winners.
//! Results and the Pabulib format are pure (no database), so they are
//! checked against the reference outcomes of real elections.

pub mod ballots;
pub mod execution;
pub mod pabulib;
pub mod projects;
pub mod results;
pub mod setup;
pub mod supports;
pub mod tally;
