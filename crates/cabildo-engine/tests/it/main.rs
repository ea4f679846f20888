//! The engine against real PostgreSQL.

#![expect(
    clippy::expect_used,
    reason = "a test fails loudly at the step that broke"
)]

mod accounts;
mod budget_follow_up;
mod budgets;
mod consultations;
mod plans;
mod processes;
mod util;
