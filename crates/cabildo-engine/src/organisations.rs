//! Organisations (associations, federations, NGOs): an account applies to
//! speak for one, staff verify or reject it, and verified ones show with a
//! badge. What organisations may do in a process is the process's setting.

use crate::error::{Error, Field, FieldError, Problem, Result};
use crate::ids::UserId;
use crate::staff::{Actor, audit};
use crate::stored::stored;
use cabildo_tenancy::TenantTx;
use serde_json::json;
use uuid::Uuid;

stored! {
    /// Where an organisation's application stands.
    pub enum Status {
        /// Staff have not decided.
        Pending = "pending",
        /// Verified: it acts as the organisation.
        Verified = "verified",
        /// Refused, with a reason.
        Rejected = "rejected",
    }
}

/// An application as typed.
#[derive(Clone, Debug, Default)]
pub struct Application {
    /// The organisation's name.
    pub name: String,
    /// Its number in the public registry of associations.
    pub registry_number: String,
    /// The person responsible.
    pub contact_name: String,
    /// Their phone number, for staff to check.
    pub contact_phone: String,
}

impl Application {
    /// The application trimmed, or every field that is wrong.
    fn checked(&self) -> Result<Application> {
        let mut refused = Vec::new();
        let mut field = |name: Field, value: &str, max: usize| {
            let value = value.trim();
            if value.is_empty() {
                refused.push(FieldError::new(name, Problem::Required));
            } else if value.chars().count() > max || value.chars().any(char::is_control) {
                refused.push(FieldError::new(name, Problem::Invalid));
            }
            value.to_owned()
        };
        let checked = Application {
            name: field(Field::Name, &self.name, 200),
            registry_number: field(Field::RegistryNumber, &self.registry_number, 50),
            contact_name: field(Field::ContactName, &self.contact_name, 100),
            contact_phone: field(Field::ContactPhone, &self.contact_phone, 30),
        };
        let digits = checked
            .contact_phone
            .chars()
            .filter(char::is_ascii_digit)
            .count();
        if !checked.contact_phone.is_empty()
            && (digits < 6
                || !checked
                    .contact_phone
                    .chars()
                    .all(|c| c.is_ascii_digit() || " +-().".contains(c)))
        {
            refused.push(FieldError::new(Field::ContactPhone, Problem::Invalid));
        }
        if refused.is_empty() {
            Ok(checked)
        } else {
            Err(Error::Invalid(refused))
        }
    }
}

/// An organisation as staff and its account see it.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize)]
pub struct Organisation {
    /// Id.
    pub id: Uuid,
    /// The account speaking for it.
    pub user_id: UserId,
    /// Name.
    pub name: String,
    /// Registry number.
    pub registry_number: String,
    /// Person responsible.
    pub contact_name: String,
    /// Their phone.
    pub contact_phone: String,
    /// Where the application stands.
    pub status: Status,
    /// Why it was rejected.
    pub rejection_reason: Option<String>,
}

/// Applies (or applies again after a rejection) for `user`'s account to
/// speak for an organisation.
pub async fn apply(tx: &mut TenantTx, user: UserId, application: &Application) -> Result<()> {
    let checked = application.checked()?;
    sqlx::query(
        "INSERT INTO organisations (user_id, name, registry_number, contact_name, contact_phone)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (user_id) DO UPDATE SET name = EXCLUDED.name,
             registry_number = EXCLUDED.registry_number, contact_name = EXCLUDED.contact_name,
             contact_phone = EXCLUDED.contact_phone, status = 'pending', rejection_reason = NULL,
             reviewed_at = NULL
         WHERE organisations.status <> 'verified'",
    )
    .bind(user)
    .bind(&checked.name)
    .bind(&checked.registry_number)
    .bind(&checked.contact_name)
    .bind(&checked.contact_phone)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// The organisation `user` speaks for, if any.
pub async fn of_user(tx: &mut TenantTx, user: UserId) -> Result<Option<Organisation>> {
    Ok(sqlx::query_as(
        "SELECT id, user_id, name, registry_number, contact_name, contact_phone, status, rejection_reason
         FROM organisations WHERE user_id = $1",
    )
    .bind(user)
    .fetch_optional(tx.conn())
    .await?)
}

/// Applications waiting for staff, oldest first.
pub async fn pending(tx: &mut TenantTx) -> Result<Vec<Organisation>> {
    Ok(sqlx::query_as(
        "SELECT id, user_id, name, registry_number, contact_name, contact_phone, status, rejection_reason
         FROM organisations WHERE status = 'pending' ORDER BY created_at LIMIT 200",
    )
    .fetch_all(tx.conn())
    .await?)
}

/// A staff decision on an application.
#[derive(Clone, Debug)]
pub enum Verdict {
    /// It is who it says.
    Verify,
    /// It is not, with the reason shown to the applicant.
    Reject(String),
}

/// Records a staff decision (audited); the applicant's account gets the
/// outcome. Returns the account, or `None` when the application is not
/// pending any more or the rejection has no reason.
pub async fn review(
    tx: &mut TenantTx,
    actor: &Actor,
    id: Uuid,
    verdict: &Verdict,
) -> Result<Option<UserId>> {
    let (status, reason) = match verdict {
        Verdict::Verify => ("verified", None),
        Verdict::Reject(reason) => {
            let reason = reason.trim();
            if reason.is_empty() || reason.chars().count() > 500 {
                return Ok(None);
            }
            ("rejected", Some(reason.to_owned()))
        }
    };
    let row: Option<(UserId, String)> = sqlx::query_as(
        "UPDATE organisations SET status = $2, rejection_reason = $3, reviewed_at = now()
         WHERE id = $1 AND status = 'pending' RETURNING user_id, name",
    )
    .bind(id)
    .bind(status)
    .bind(&reason)
    .fetch_optional(tx.conn())
    .await?;
    let Some((user, name)) = row else {
        return Ok(None);
    };
    audit(
        tx,
        actor,
        &format!(
            "organisation.{}",
            if reason.is_some() { "reject" } else { "verify" }
        ),
        Some(&name),
        json!({"organisation": id, "reason": reason}),
    )
    .await?;
    Ok(Some(user))
}

/// Verified organisations, by name: (id, name).
pub async fn verified(tx: &mut TenantTx) -> Result<Vec<(uuid::Uuid, String)>> {
    Ok(sqlx::query_as(
        "SELECT id, name FROM organisations WHERE status = 'verified' ORDER BY name LIMIT 2000",
    )
    .fetch_all(tx.conn())
    .await?)
}
