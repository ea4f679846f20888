//! Voting: online by a verified resident, at an assisted desk by staff for
//! a resident, or marked at a polling station (the paper ballot is counted
//! there). Every channel goes through the roll first: one conditional
//! update of the voter's roll row, which concurrent votes of one person
//! wait on and then find already marked, so exactly one vote counts
//! however many arrive at once and through whichever channel. The ballot
//! goes into the box in the same transaction, with a random id, the day,
//! and the hash of a receipt code that only the voter is given.
//!
//! Re-voting (when the consultation allows it) replaces a ballot without
//! any stored link: the voter gives their receipt code; the roll holds it
//! hashed under one domain (`revote_tag`), the box under another
//! (`receipt_hash`), so only the code's holder can connect the two.

use super::board::{self, Choices, hex_of};
use super::{Channel, Consultation, ConsultationId, Status, TODAY, get, questions};
use crate::audit::{Actor, audit};
use crate::census::document;
use crate::error::{Error, Field, Problem, Refusal, Result};
use crate::ids::UserId;
use cabildo_tenancy::TenantTx;
use serde_json::json;

/// A vote cast: the receipt code to give the voter (shown once; the
/// platform keeps only its hashes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cast {
    /// The receipt code, in groups of four (`K7QM-…`).
    pub receipt: String,
}

/// A new receipt code: 130 random bits as 26 characters, in groups of
/// four.
fn new_receipt() -> String {
    grouped(&crate::codes::random(26))
}

fn grouped(code: &str) -> String {
    let chunks: Vec<&str> = (code.as_bytes().chunks(4))
        .filter_map(|c| std::str::from_utf8(c).ok())
        .collect();
    chunks.join("-")
}

/// A receipt code as typed (spaces, dashes, lower case, O for 0 …) in its
/// canonical form, or none when it cannot be one.
pub fn normal_receipt(typed: &str) -> Option<String> {
    crate::codes::normal(typed, 26).map(|code| grouped(&code))
}

/// The consultation, open and within its window now (database clock).
async fn voting(tx: &mut TenantTx, id: ConsultationId) -> Result<Consultation> {
    let consultation = get(tx, id).await?;
    let within: bool = sqlx::query_scalar(
        "SELECT now() >= opens_at AND now() < closes_at FROM consultations WHERE id = $1",
    )
    .bind(id)
    .fetch_one(tx.conn())
    .await?;
    if consultation.status != Status::Open || !within {
        return Err(Refusal::PhaseClosed.into());
    }
    Ok(consultation)
}

/// `choices` checked against the consultation's questions.
async fn checked(tx: &mut TenantTx, id: ConsultationId, choices: &Choices) -> Result<Choices> {
    let asked: Vec<_> = (questions(tx, id).await?.iter())
        .map(super::Question::on_board)
        .collect();
    if !board::valid(&asked, choices) {
        return Err(Error::invalid(Field::Choices, Problem::ChoiceInvalid));
    }
    let mut sorted = choices.clone();
    for options in sorted.values_mut() {
        options.sort_unstable();
    }
    Ok(sorted)
}

/// The document of a verified, confirmed, unblocked person.
async fn document_of(tx: &mut TenantTx, user: UserId) -> Result<Vec<u8>> {
    let person: Option<(bool, bool, Option<Vec<u8>>)> = sqlx::query_as(
        "SELECT u.email_confirmed_at IS NOT NULL AND u.blocked_at IS NULL,
                u.verified_at IS NOT NULL, c.document_hash
         FROM users u LEFT JOIN census_claims c ON c.user_id = u.id WHERE u.id = $1",
    )
    .bind(user)
    .fetch_optional(tx.conn())
    .await?;
    match person {
        None | Some((false, _, _)) => Err(Refusal::NotRegistered.into()),
        Some((true, true, Some(document))) => Ok(document),
        Some((true, _, _)) => Err(Refusal::NotVerified.into()),
    }
}

/// Marks `document` as having voted today through `channel`, with the
/// re-vote tag of `receipt`: the one row lock that makes a vote happen
/// once. Refuses a second vote and anyone outside the electorate.
async fn mark(
    tx: &mut TenantTx,
    id: ConsultationId,
    document: &[u8],
    channel: Channel,
    receipt: Option<&str>,
) -> Result<()> {
    let tag = receipt.map(|r| board::revote_tag(r).to_vec());
    let marked = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE consultation_roll SET voted_on = {TODAY}, channel = $3, revote_tag = $4
         WHERE consultation_id = $1 AND document_hash = $2 AND voted_on IS NULL"
    )))
    .bind(id)
    .bind(document)
    .bind(channel.as_str())
    .bind(tag)
    .execute(tx.conn())
    .await?
    .rows_affected();
    if marked == 1 {
        return Ok(());
    }
    let listed: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM consultation_roll WHERE consultation_id = $1 AND document_hash = $2)",
    )
    .bind(id)
    .bind(document)
    .fetch_one(tx.conn())
    .await?;
    Err(if listed {
        Refusal::AlreadyVoted
    } else {
        Refusal::NotInElectorate
    }
    .into())
}

/// Puts a ballot in the box and returns its receipt.
async fn drop_in(
    tx: &mut TenantTx,
    id: ConsultationId,
    choices: &Choices,
    receipt: &str,
) -> Result<Cast> {
    let today = super::today(tx).await?;
    sqlx::query(
        "INSERT INTO consultation_ballots (consultation_id, choices, receipt_hash, cast_on)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(sqlx::types::Json(choices))
    .bind(board::receipt_hash(receipt).as_slice())
    .bind(today)
    .execute(tx.conn())
    .await?;
    Ok(Cast {
        receipt: receipt.to_owned(),
    })
}

/// A verified resident votes online. Nothing about the vote is logged.
pub async fn cast(
    tx: &mut TenantTx,
    id: ConsultationId,
    user: UserId,
    choices: &Choices,
) -> Result<Cast> {
    voting(tx, id).await?;
    let choices = checked(tx, id, choices).await?;
    let document = document_of(tx, user).await?;
    let receipt = new_receipt();
    mark(tx, id, &document, Channel::Online, Some(&receipt)).await?;
    drop_in(tx, id, &choices, &receipt).await
}

/// Replaces the ballot of `user`, who gives its receipt code, with
/// `choices`: the old ballot stays on the board marked withdrawn today and
/// stops counting; a new receipt is returned.
pub async fn revote(
    tx: &mut TenantTx,
    id: ConsultationId,
    user: UserId,
    receipt: &str,
    choices: &Choices,
) -> Result<Cast> {
    let consultation = voting(tx, id).await?;
    if !consultation.revoting {
        return Err(Refusal::RevotingOff.into());
    }
    let choices = checked(tx, id, choices).await?;
    let document = document_of(tx, user).await?;
    let old = normal_receipt(receipt).ok_or(Refusal::ReceiptInvalid)?;
    let new = new_receipt();
    let moved = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE consultation_roll SET voted_on = {TODAY}, revote_tag = $4
         WHERE consultation_id = $1 AND document_hash = $2 AND revote_tag = $3"
    )))
    .bind(id)
    .bind(&document)
    .bind(board::revote_tag(&old).as_slice())
    .bind(board::revote_tag(&new).as_slice())
    .execute(tx.conn())
    .await?
    .rows_affected();
    if moved != 1 {
        return Err(Refusal::ReceiptInvalid.into());
    }
    let withdrawn = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE consultation_ballots SET withdrawn_on = {TODAY}
         WHERE consultation_id = $1 AND receipt_hash = $2 AND withdrawn_on IS NULL"
    )))
    .bind(id)
    .bind(board::receipt_hash(&old).as_slice())
    .execute(tx.conn())
    .await?
    .rows_affected();
    if withdrawn != 1 {
        return Err(Refusal::ReceiptInvalid.into());
    }
    drop_in(tx, id, &choices, &new).await
}

/// The resident with `document_number` as the roll knows it (keyed hash).
fn resident(key: &[u8], document_number: &str) -> Result<Vec<u8>> {
    let normal = document::normalise(document_number)
        .map_err(|_| Error::invalid(Field::Value, Problem::Invalid))?;
    Ok(document::keyed_hash(key, &normal))
}

/// Staff at a polling station or an assisted desk record a resident's
/// vote, by document (checked against the frozen electorate and the
/// roll). With `choices` (assisted desk) the ballot staff enter for them
/// goes into the box and its receipt is returned to hand over on paper;
/// without (polling station), the person votes on paper there and the
/// station's totals are entered after the close of voting. The audit log
/// names the staff member and the channel, never the resident.
pub async fn mark_at_station(
    tx: &mut TenantTx,
    actor: &Actor,
    key: &[u8],
    id: ConsultationId,
    document_number: &str,
    choices: Option<&Choices>,
) -> Result<Option<Cast>> {
    voting(tx, id).await?;
    let choices = match choices {
        Some(c) => Some(checked(tx, id, c).await?),
        None => None,
    };
    let document = resident(key, document_number)?;
    let (channel, receipt) = match &choices {
        Some(_) => (Channel::Assisted, Some(new_receipt())),
        None => (Channel::Station, None),
    };
    mark(tx, id, &document, channel, receipt.as_deref()).await?;
    audit(
        tx,
        actor,
        &format!("consultation.{}", channel.as_str()),
        Some(&id.to_string()),
        json!({}),
    )
    .await?;
    match (choices, receipt) {
        (Some(choices), Some(receipt)) => Ok(Some(drop_in(tx, id, &choices, &receipt).await?)),
        _ => Ok(None),
    }
}

/// Where a person stands in a consultation, for its page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// They may vote.
    MayVote,
    /// They voted (on that day), through that channel.
    Voted(time::Date, Channel),
    /// They may not: the refusal says why (log in, verify, not in the
    /// electorate).
    MayNot(Refusal),
}

/// Where `user` stands in consultation `id` (without its window: the page
/// says whether voting is open).
pub async fn standing(tx: &mut TenantTx, id: ConsultationId, user: UserId) -> Result<Standing> {
    let document = match document_of(tx, user).await {
        Ok(document) => document,
        Err(Error::Refused(refusal)) => return Ok(Standing::MayNot(refusal)),
        Err(error) => return Err(error),
    };
    let row: Option<(Option<time::Date>, Option<Channel>)> = sqlx::query_as(
        "SELECT voted_on, channel FROM consultation_roll WHERE consultation_id = $1 AND document_hash = $2",
    )
    .bind(id)
    .bind(&document)
    .fetch_optional(tx.conn())
    .await?;
    Ok(match row {
        None => Standing::MayNot(Refusal::NotInElectorate),
        Some((Some(on), Some(channel))) => Standing::Voted(on, channel),
        Some(_) => Standing::MayVote,
    })
}

/// Where the ballot of receipt code `typed` stands: the day it was cast
/// and whether a re-vote withdrew it; none when no ballot has it.
pub async fn check_receipt(
    tx: &mut TenantTx,
    id: ConsultationId,
    typed: &str,
) -> Result<Option<(time::Date, bool, String)>> {
    let Some(code) = normal_receipt(typed) else {
        return Ok(None);
    };
    let hash = board::receipt_hash(&code);
    let found: Option<(time::Date, Option<time::Date>)> = sqlx::query_as(
        "SELECT cast_on, withdrawn_on FROM consultation_ballots
         WHERE consultation_id = $1 AND receipt_hash = $2",
    )
    .bind(id)
    .bind(hash.as_slice())
    .fetch_optional(tx.conn())
    .await?;
    Ok(found.map(|(on, withdrawn)| (on, withdrawn.is_some(), hex_of(&hash))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipts_are_26_characters_and_read_back_as_typed() {
        let code = new_receipt();
        assert_eq!(code.len(), 26 + 6, "{code}");
        assert_eq!(normal_receipt(&code).as_deref(), Some(code.as_str()));
        let typed = code.to_lowercase().replace('-', " ").replace('0', "o");
        assert_eq!(normal_receipt(&typed).as_deref(), Some(code.as_str()));
        assert_eq!(normal_receipt("ABCD"), None);
        assert_eq!(normal_receipt(&format!("{code}U")), None);
        assert_ne!(new_receipt(), new_receipt());
    }
}
