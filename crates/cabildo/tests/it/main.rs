//! The real `cabildo` binary, run as an operator would.

#![expect(
    clippy::expect_used,
    reason = "a test fails loudly at the step that broke"
)]

mod browser;
mod budget;
mod census;
mod cli;
mod consultation;
mod demo;
mod jobs;
mod startup;
mod support;
mod telemetry;
