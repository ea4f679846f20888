//! Passwords: the policy new passwords must meet, and argon2id hashing.
//!
//! Hashing is slow on purpose (about 20 ms of one core with the default
//! parameters), so it runs on the blocking pool, never while a database
//! transaction is open.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use std::sync::LazyLock;

/// Shortest acceptable password, in characters.
pub const MIN_LENGTH: usize = 10;
/// Longest accepted password, in bytes: hashing cost grows with length.
pub const MAX_BYTES: usize = 1024;

/// Passwords people pick most often, lower-cased (shipped with the project).
static COMMON: LazyLock<std::collections::HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../data/common-passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
});

/// Why a new password is refused (stable codes for forms and the API).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weakness {
    /// Fewer than [`MIN_LENGTH`] characters.
    TooShort,
    /// More than [`MAX_BYTES`] bytes.
    TooLong,
    /// On the list of common passwords, or one character repeated.
    Common,
    /// Contains the person's email name or nickname.
    Personal,
}

impl Weakness {
    /// What is wrong with the password field.
    pub fn problem(self) -> crate::Problem {
        match self {
            Self::TooShort => crate::Problem::PasswordTooShort,
            Self::TooLong => crate::Problem::PasswordTooLong,
            Self::Common => crate::Problem::PasswordCommon,
            Self::Personal => crate::Problem::PasswordPersonal,
        }
    }

    /// Stable code.
    pub fn code(self) -> &'static str {
        self.problem().code()
    }
}

/// Checks a new password against the policy. `personal` are words of the
/// person (nickname, the part of the email before `@`) it must not contain.
pub fn check(password: &str, personal: &[&str]) -> Result<(), Weakness> {
    if password.len() > MAX_BYTES {
        return Err(Weakness::TooLong);
    }
    if password.chars().count() < MIN_LENGTH {
        return Err(Weakness::TooShort);
    }
    let lower = password.to_lowercase();
    let mut chars = lower.chars();
    let first = chars.next();
    if COMMON.contains(lower.as_str()) || chars.all(|c| Some(c) == first) {
        return Err(Weakness::Common);
    }
    if personal
        .iter()
        .map(|word| word.trim().to_lowercase())
        .any(|word| word.chars().count() >= 4 && lower.contains(&word))
    {
        return Err(Weakness::Personal);
    }
    Ok(())
}

/// Hashes `password` with argon2id (PHC string with its parameters).
pub async fn hash(password: &str) -> String {
    let password = password.to_owned();
    run_blocking(move || {
        let mut salt = [0u8; 16];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut salt);
        let hashed = SaltString::encode_b64(&salt).and_then(|salt| {
            Argon2::default()
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
        });
        match hashed {
            Ok(hash) => hash,
            // Only reachable with an invalid salt or parameters, which a
            // 16-byte salt and the defaults are not.
            Err(error) => unreachable!("argon2 with default parameters failed: {error}"),
        }
    })
    .await
}

/// A hash of a password nobody knows, verified when an account does not
/// exist so that answering takes as long either way.
static DUMMY: LazyLock<String> = LazyLock::new(|| {
    let salt = SaltString::encode_b64(b"cabildo-no-user!").unwrap_or_else(|_| unreachable!());
    Argon2::default()
        .hash_password(b"no account has this password", &salt)
        .map(|h| h.to_string())
        .unwrap_or_default()
});

/// Whether `password` matches `hash`. With no hash (no such account, or an
/// account without a password) a dummy hash is checked and the answer is
/// false, in about the same time.
pub async fn verify(hash: Option<String>, password: &str) -> bool {
    if password.len() > MAX_BYTES {
        return false;
    }
    let password = password.to_owned();
    run_blocking(move || {
        let (stored, real) = match hash {
            Some(hash) => (hash, true),
            None => (DUMMY.clone(), false),
        };
        let Ok(parsed) = PasswordHash::new(&stored) else {
            tracing::error!("a stored password hash cannot be parsed");
            return false;
        };
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        real && matches
    })
    .await
}

async fn run_blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => value,
        Err(error) => std::panic::resume_unwind(error.into_panic()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_refuses_short_long_common_repeated_and_personal_passwords() {
        assert_eq!(check("corto", &[]), Err(Weakness::TooShort));
        assert_eq!(
            check("ñandú-ñu9", &[]),
            Err(Weakness::TooShort),
            "characters, not bytes"
        );
        assert_eq!(
            check(&"x".repeat(MAX_BYTES + 1), &[]),
            Err(Weakness::TooLong)
        );
        assert_eq!(check("1234567890", &[]), Err(Weakness::Common));
        assert_eq!(check("Contraseña123", &[]), Err(Weakness::Common));
        assert_eq!(check("aaaaaaaaaaaa", &[]), Err(Weakness::Common));
        assert_eq!(
            check("mariagarcia-2026", &["mariagarcia", "maria"]),
            Err(Weakness::Personal)
        );
        assert_eq!(
            check("caballo grapa pila", &["ana"]),
            Ok(()),
            "short words are not checked"
        );
    }

    #[tokio::test]
    async fn hashes_verify_only_their_password() {
        let hash = hash("caballo grapa pila").await;
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify(Some(hash.clone()), "caballo grapa pila").await);
        assert!(!verify(Some(hash), "caballo grapa pilas").await);
        assert!(!verify(None, "no account has this password").await);
        assert!(!verify(Some("not a hash".into()), "x").await);
    }
}
