//! The worker and queue against real PostgreSQL.

#![expect(
    clippy::expect_used,
    reason = "a test fails loudly at the step that broke"
)]

mod email;
mod newsletters;
mod notifications;
mod support;
mod worker;
