//! The engine against real PostgreSQL.

#![expect(
    clippy::expect_used,
    reason = "a test fails loudly at the step that broke"
)]

mod budgets;
mod processes;
