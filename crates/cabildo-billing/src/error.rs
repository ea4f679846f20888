//! The one error type of the billing crate.

use cabildo_tenancy::TenancyError;

/// What can go wrong with billing, named by outcome.
#[derive(Debug, thiserror::Error)]
pub enum BillingError {
    /// A plan file is not acceptable.
    #[error("{file}: {reason}")]
    Invalid {
        /// The file (or plan) at fault.
        file: String,
        /// Why.
        reason: String,
    },
    /// A file or folder could not be read.
    #[error("reading {path}: {source}")]
    Read {
        /// What was being read.
        path: String,
        /// Why it failed.
        #[source]
        source: std::io::Error,
    },
    /// Stripe's API failed or refused (retried by Stripe for webhooks).
    #[error("stripe: {0}")]
    Stripe(String),
    /// The council pays for a plan already: changes go through Stripe's
    /// Customer Portal, not a second subscription.
    #[error("the council already has a subscription")]
    Subscribed,
    /// The council pays against invoices: its plan changes through the
    /// operators, not a card subscription as well.
    #[error("the council pays against invoices")]
    Invoiced,
    /// A webhook whose signature is missing, forged or too old.
    #[error("the webhook signature does not verify")]
    Signature,
    /// A webhook whose body is not a Stripe event.
    #[error("not a Stripe event: {0}")]
    Malformed(String),
    /// The registry failed.
    #[error(transparent)]
    Tenancy(#[from] TenancyError),
}

impl From<sqlx::Error> for BillingError {
    fn from(error: sqlx::Error) -> Self {
        Self::Tenancy(error.into())
    }
}

/// Shorthand for billing results.
pub type Result<T, E = BillingError> = std::result::Result<T, E>;
