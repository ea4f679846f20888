//! Billing for Cabildo: plans as data and what they entitle a council to.
//! Subscriptions, invoices and dunning build on these.
//!
//! A plan is a TOML file under `plans/` (see `plans/README.md`), applied
//! with `cabildo billing plans apply DIR` into `platform.plans`. What a
//! plan allows is a [`cabildo_tenancy::entitlements::Entitlements`], the
//! type the rules that enforce plans read.

pub mod councils;
mod error;
pub mod invoices;
pub mod parties;
pub mod plans;
pub mod requests;
pub mod stripe;

pub use error::{BillingError, Result};
