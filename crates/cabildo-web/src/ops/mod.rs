//! Operator endpoints (health, readiness, metrics) and the demo's mailbox.

pub mod demo_mail;
pub mod health;
