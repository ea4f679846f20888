//! Council slugs: the validated name a council is known by in hosts,
//! schemas and URLs.

use std::fmt;

/// Subdomains the platform keeps for itself; no council may take them.
const RESERVED: &[&str] = &[
    "www",
    "api",
    "admin",
    "app",
    "mail",
    "smtp",
    "imap",
    "pop",
    "static",
    "assets",
    "cdn",
    "console",
    "platform",
    "status",
    "help",
    "support",
    "docs",
    "blog",
    "auth",
    "login",
    "signup",
    "account",
    "accounts",
    "billing",
    "metrics",
    "health",
    "healthz",
    "readyz",
    "internal",
    "public",
    "pg",
    "postgres",
    "redis",
    "demo",
    "test",
    "cabildo",
    "dev",
    "staging",
    "ns1",
    "ns2",
    "mx",
    "ftp",
    "localhost",
];

/// Shortest and longest slug accepted.
pub const SLUG_MIN: usize = 3;
/// See [`SLUG_MIN`]; 40 keeps `t_<slug>` and the role name within
/// PostgreSQL's 63-byte identifiers.
pub const SLUG_MAX: usize = 40;

/// A council's slug: lowercase `a–z`, `0–9` and inner hyphens, 3–40
/// characters, not reserved.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slug(String);

/// Why a slug was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SlugError {
    /// Fewer than [`SLUG_MIN`] characters.
    #[error("must be at least {SLUG_MIN} characters long")]
    TooShort,
    /// More than [`SLUG_MAX`] characters.
    #[error("must be at most {SLUG_MAX} characters long")]
    TooLong,
    /// A character outside `a–z`, `0–9`, `-`.
    #[error("may only contain lowercase letters a-z, digits and hyphens")]
    BadCharacter,
    /// Starts or ends with a hyphen, or has two in a row.
    #[error("must start and end with a letter or digit, without double hyphens")]
    BadHyphen,
    /// Kept by the platform.
    #[error("is reserved by the platform")]
    Reserved,
}

impl Slug {
    /// Validates `input` as a slug (no case folding: `Toledo` is refused, so
    /// that what the operator typed is what the council gets).
    pub fn parse(input: &str) -> Result<Self, SlugError> {
        if input.len() < SLUG_MIN {
            return Err(SlugError::TooShort);
        }
        if input.len() > SLUG_MAX {
            return Err(SlugError::TooLong);
        }
        if !input
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(SlugError::BadCharacter);
        }
        if input.starts_with('-') || input.ends_with('-') || input.contains("--") {
            return Err(SlugError::BadHyphen);
        }
        if RESERVED.contains(&input) {
            return Err(SlugError::Reserved);
        }
        Ok(Self(input.to_owned()))
    }

    /// The slug text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_council_slugs() {
        for slug in [
            "toledo",
            "talavera-de-la-reina",
            "abc",
            "a1b",
            &"x".repeat(SLUG_MAX),
        ] {
            assert_eq!(
                Slug::parse(slug).map(|s| s.to_string()),
                Ok(slug.to_string())
            );
        }
    }

    #[test]
    fn refuses_bad_slugs_with_the_reason() {
        let cases = [
            ("ab", SlugError::TooShort),
            ("", SlugError::TooShort),
            (&"x".repeat(SLUG_MAX + 1), SlugError::TooLong),
            ("Toledo", SlugError::BadCharacter),
            ("tole_do", SlugError::BadCharacter),
            ("toledó", SlugError::BadCharacter),
            ("tol edo", SlugError::BadCharacter),
            ("t;drop", SlugError::BadCharacter),
            ("-toledo", SlugError::BadHyphen),
            ("toledo-", SlugError::BadHyphen),
            ("to--ledo", SlugError::BadHyphen),
            ("www", SlugError::Reserved),
            ("admin", SlugError::Reserved),
            ("platform", SlugError::Reserved),
            ("console", SlugError::Reserved),
        ];
        for (input, expected) in cases {
            assert_eq!(Slug::parse(input), Err(expected), "{input:?}");
        }
    }

    #[test]
    fn the_database_check_agrees_with_the_rust_rules() {
        // migrations/platform keeps a CHECK with this regex; keep them in step.
        let sql = include_str!("../../../migrations/platform/20261126000001_tenants.sql");
        assert!(sql.contains("'^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$'"));
    }
}
