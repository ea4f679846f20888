//! The one error type of the tenancy crate.

use crate::slug::SlugError;

/// What can go wrong with councils, named by outcome.
#[derive(Debug, thiserror::Error)]
pub enum TenancyError {
    /// The slug is not acceptable.
    #[error("invalid slug {slug:?}: {reason}")]
    InvalidSlug {
        /// What was given.
        slug: String,
        /// Why it was refused.
        reason: SlugError,
    },
    /// A field of a council definition is not acceptable.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// Which field.
        field: String,
        /// Why.
        reason: String,
    },
    /// Another council already has this slug.
    #[error("the slug {0:?} is already taken")]
    Taken(String),
    /// No council has this slug.
    #[error("no council with slug {0:?}")]
    NotFound(String),
    /// PostgreSQL cannot be reached right now; retrying later may work.
    #[error("the database is unavailable")]
    Unavailable(#[source] sqlx::Error),
    /// Applying migrations failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Any other database failure.
    #[error("database error")]
    Database(#[source] sqlx::Error),
}

impl From<sqlx::Error> for TenancyError {
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_) => Self::Unavailable(error),
            // The server going down or refusing connections says so before
            // it hangs up (SQLSTATE 57P01–57P03 "shutdown", "cannot connect
            // now"; class 08, connection exceptions): a connection taken
            // from the pool just then sees that answer, not a closed socket.
            sqlx::Error::Database(ref e)
                if e.code()
                    .is_some_and(|code| code.starts_with("57P") || code.starts_with("08")) =>
            {
                Self::Unavailable(error)
            }
            other => Self::Database(other),
        }
    }
}

impl TenancyError {
    pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// Whether the failure is the database being unreachable.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }
}

/// Shorthand for tenancy results.
pub type Result<T, E = TenancyError> = std::result::Result<T, E>;

/// SQLSTATE of a unique violation, when `error` is one, with its constraint.
pub(crate) fn unique_violation(error: &sqlx::Error) -> Option<&str> {
    match error {
        sqlx::Error::Database(db) if db.code().as_deref() == Some("23505") => db.constraint(),
        _ => None,
    }
}
