//! The municipal census (padrón) a council uploads, and residency
//! verification against it: one document verifies one account, five failed
//! attempts a day per account at most, and document numbers are stored
//! only as keyed hashes.
//!
//! The census key of a council is derived from the deployment's secret
//! (`CABILDO_SECRET_KEY`) and the council's id, so neither a copy of the
//! database nor another council can test document numbers. Changing the
//! secret means importing the census again (claims made so far are kept:
//! they are stored under the old hashes and simply stop matching).

pub mod document;
pub mod import;

use crate::error::{Error, Field, Problem, Refusal, Result};
use crate::ids::UserId;
use cabildo_tenancy::{TenantId, TenantTx};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use time::Date;

/// Failed verifications allowed per account in 24 hours.
pub const MAX_DAILY_FAILURES: i64 = 5;

/// Residents in the census.
pub async fn size(tx: &mut TenantTx) -> Result<u64> {
    let residents: i64 = sqlx::query_scalar("SELECT count(*) FROM census")
        .fetch_one(tx.conn())
        .await?;
    Ok(residents.unsigned_abs())
}

/// The census key of `tenant` under the deployment's `secret`.
pub fn key(secret: &[u8], tenant: TenantId) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(b"census\0");
    mac.update(tenant.0.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// The outcome of a verification attempt. Every failure looks the same to
/// the person: whether the document is unknown, the birth date wrong or
/// the document already used by another account is not told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verification {
    /// Verified as a resident of `district`.
    Verified {
        /// District code from the census.
        district: String,
    },
    /// Not verified; the attempt counts.
    Failed,
    /// Not tried: too many failures in the last 24 hours.
    TooManyAttempts,
    /// The document number is malformed (not counted: nothing was tried).
    Malformed(document::DocumentError),
}

/// Verifies `user` with a document number and birth date.
pub async fn verify(
    tx: &mut TenantTx,
    key: &[u8],
    user: UserId,
    document_number: &str,
    birth_date: Date,
) -> Result<Verification> {
    let current: Option<(Option<time::OffsetDateTime>, Option<String>)> =
        sqlx::query_as("SELECT verified_at, district_code FROM users WHERE id = $1 FOR UPDATE")
            .bind(user)
            .fetch_optional(tx.conn())
            .await?;
    let Some((verified_at, district)) = current else {
        return Ok(Verification::Failed);
    };
    if let (Some(_), Some(district)) = (verified_at, district) {
        return Ok(Verification::Verified { district });
    }
    let failures: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM verification_failures
         WHERE user_id = $1 AND at > now() - interval '24 hours'",
    )
    .bind(user)
    .fetch_one(tx.conn())
    .await?;
    if failures >= MAX_DAILY_FAILURES {
        return Ok(Verification::TooManyAttempts);
    }
    let normal = match document::normalise(document_number) {
        Ok(normal) => normal,
        Err(error) => return Ok(Verification::Malformed(error)),
    };
    let hash = document::keyed_hash(key, &normal);
    let district: Option<String> = sqlx::query_scalar(
        "SELECT district_code FROM census WHERE document_hash = $1 AND birth_date = $2",
    )
    .bind(&hash)
    .bind(birth_date)
    .fetch_optional(tx.conn())
    .await?;
    let claimed = match &district {
        Some(_) => {
            // A claim left from an earlier verification (since withdrawn)
            // gives way to the new document.
            sqlx::query("DELETE FROM census_claims WHERE user_id = $1 AND document_hash <> $2")
                .bind(user)
                .bind(&hash)
                .execute(tx.conn())
                .await?;
            // One document, one account: the claim is what enforces it,
            // also against two accounts trying at the same moment.
            let claimant: UserId = sqlx::query_scalar(
                "INSERT INTO census_claims (document_hash, user_id) VALUES ($1, $2)
                 ON CONFLICT (document_hash) DO UPDATE SET document_hash = EXCLUDED.document_hash
                 RETURNING user_id",
            )
            .bind(&hash)
            .bind(user)
            .fetch_one(tx.conn())
            .await?;
            claimant == user
        }
        None => false,
    };
    let Some(district) = district.filter(|_| claimed) else {
        sqlx::query("INSERT INTO verification_failures (user_id) VALUES ($1)")
            .bind(user)
            .execute(tx.conn())
            .await?;
        return Ok(Verification::Failed);
    };
    sqlx::query("UPDATE users SET verified_at = now(), district_code = $2 WHERE id = $1")
        .bind(user)
        .bind(&district)
        .execute(tx.conn())
        .await?;
    Ok(Verification::Verified { district })
}

/// Verifies a person by hand (an admin who checked residency another way),
/// with a reason written to the audit log.
pub async fn verify_manually(
    tx: &mut TenantTx,
    actor: &crate::staff::Actor,
    email: &str,
    district: &str,
    reason: &str,
) -> Result<UserId> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(Error::invalid(Field::Reason, Problem::ReasonRequired));
    }
    let known: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM districts WHERE code = $1)")
        .bind(district)
        .fetch_one(tx.conn())
        .await?;
    if !known {
        return Err(Error::invalid(Field::District, Problem::DistrictUnknown));
    }
    let user: Option<UserId> = sqlx::query_scalar(
        "UPDATE users SET verified_at = now(), district_code = $2
         WHERE email = $1 AND deleted_at IS NULL RETURNING id",
    )
    .bind(email.trim().to_lowercase())
    .bind(district)
    .fetch_optional(tx.conn())
    .await?;
    let Some(user) = user else {
        return Err(Refusal::NoSuchPerson.into());
    };
    crate::staff::audit(
        tx,
        actor,
        "census.verify_manually",
        Some(&user.to_string()),
        serde_json::json!({"district": district, "reason": reason}),
    )
    .await?;
    Ok(user)
}
