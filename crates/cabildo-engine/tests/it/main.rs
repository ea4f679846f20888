//! The engine against real PostgreSQL.

#![expect(
    clippy::expect_used,
    reason = "a test fails loudly at the step that broke"
)]

mod accounts;
mod budget_follow_up;
mod budgets;
mod consultations;
mod dashboard;
mod meetings;
mod plans;
mod polls_and_surveys;
mod processes;
mod util;
