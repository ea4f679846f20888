//! Importing a census file: one line per resident,
//! `document,birth_date,district` (document: DNI or NIE; birth date:
//! `YYYY-MM-DD` or `DD/MM/YYYY`; district: one of the council's district
//! codes). Commas, semicolons or tabs separate fields (the first line
//! tells), fields may be double-quoted, an optional first line of headings
//! is skipped, and lines may be UTF-8 or Latin-1 (as spreadsheets export
//! them).
//!
//! An import is a full snapshot: it replaces the previous census in one
//! transaction, so verification never sees half a file. Verified people
//! stay verified, and documents already used stay used.

use super::document::{self, DocumentError};
use crate::error::Result;
use cabildo_tenancy::TenantTx;
use cabildo_tenancy::entitlements::{Limit, Need};
use std::collections::HashSet;
use time::{Date, Month};
use uuid::Uuid;

/// Rows sent to the database per statement.
pub const BATCH: usize = 5_000;

/// A line that was not imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejected {
    /// Line number in the file, from 1.
    pub line: u64,
    /// Why (a stable code).
    pub reason: &'static str,
}

/// A resident ready to store.
#[derive(Clone, Debug)]
pub struct Resident {
    document_hash: Vec<u8>,
    birth_date: Date,
    district: String,
}

/// Turns lines of a census file into residents.
pub struct Parser {
    key: Vec<u8>,
    districts: HashSet<String>,
    separator: Option<u8>,
    line: u64,
}

impl Parser {
    /// A parser hashing documents under `key`, accepting `districts`.
    pub fn new(key: Vec<u8>, districts: HashSet<String>) -> Self {
        Self {
            key,
            districts,
            separator: None,
            line: 0,
        }
    }

    /// Parses the next line (without its line ending). `Ok(None)` for a
    /// heading or blank line.
    pub fn line(&mut self, raw: &[u8]) -> Result<Option<Resident>, Rejected> {
        self.line += 1;
        let line = self.line;
        let reject = |reason| Rejected { line, reason };
        let text = decode(raw);
        let text = text.trim_start_matches('\u{feff}').trim();
        if text.is_empty() {
            return Ok(None);
        }
        let separator = *self.separator.get_or_insert_with(|| {
            [b';', b'\t', b',']
                .into_iter()
                .find(|s| text.as_bytes().contains(s))
                .unwrap_or(b',')
        });
        let fields = split(text, separator as char).ok_or_else(|| reject("quotes"))?;
        if fields.len() != 3 {
            return Err(reject("field_count"));
        }
        if line == 1 && document::normalise(&fields[0]).is_err() && parse_date(&fields[1]).is_none()
        {
            return Ok(None); // headings
        }
        let normal = document::normalise(&fields[0]).map_err(|e| {
            reject(match e {
                DocumentError::Format => "document_format",
                DocumentError::Letter => "document_letter",
            })
        })?;
        let birth_date = parse_date(&fields[1]).ok_or_else(|| reject("birth_date"))?;
        let district = fields[2].trim();
        if !self.districts.contains(district) {
            return Err(reject("district_unknown"));
        }
        Ok(Some(Resident {
            document_hash: document::keyed_hash(&self.key, &normal),
            birth_date,
            district: district.to_owned(),
        }))
    }
}

/// UTF-8 when valid, else Latin-1 (every byte is a character).
pub(crate) fn decode(raw: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(raw) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => std::borrow::Cow::Owned(raw.iter().map(|&b| b as char).collect()),
    }
}

/// Splits a line on `separator`, honouring double quotes (`""` inside
/// quotes is a quote). `None` when a quote is left open.
pub(crate) fn split(line: &str, separator: char) -> Option<Vec<String>> {
    let mut fields = Vec::with_capacity(3);
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if c == separator && !quoted => fields.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    if quoted {
        return None;
    }
    fields.push(field);
    Some(fields.into_iter().map(|f| f.trim().to_owned()).collect())
}

/// A calendar day written `YYYY-MM-DD` or `DD/MM/YYYY` (also with `-` or
/// `.`).
pub fn parse_day(input: &str) -> Option<Date> {
    let input = input.trim();
    let parts: Vec<&str> = input.split(['-', '/', '.']).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let (year, month, day) = if a.len() == 4 { (a, b, c) } else { (c, b, a) };
    let year: i32 = year.parse().ok()?;
    let month = Month::try_from(month.parse::<u8>().ok()?).ok()?;
    let day: u8 = day.parse().ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

/// A birth date: [`parse_day`], in the past 130 years.
pub fn parse_date(input: &str) -> Option<Date> {
    let date = parse_day(input)?;
    let today = time::OffsetDateTime::now_utc().date();
    (date <= today && today.year() - date.year() <= 130).then_some(date)
}

/// The council's district codes.
pub async fn district_codes(tx: &mut TenantTx) -> Result<HashSet<String>> {
    let codes: Vec<String> = sqlx::query_scalar("SELECT code FROM districts")
        .fetch_all(tx.conn())
        .await?;
    Ok(codes.into_iter().collect())
}

/// Empties the census before a new snapshot (in the import's transaction).
pub async fn clear(tx: &mut TenantTx) -> Result<()> {
    sqlx::query("DELETE FROM census").execute(tx.conn()).await?;
    Ok(())
}

/// Where the residents read from a file go.
#[derive(Clone, Copy, Debug)]
enum Target {
    /// Straight into the census (which is emptied first).
    Census,
    /// Into the staging area of an upload awaiting confirmation.
    Staged(Uuid),
}

/// Stores a batch of residents; returns how many were new (a document
/// already in this snapshot is a duplicate and skipped).
pub async fn store(tx: &mut TenantTx, residents: &[Resident]) -> Result<u64> {
    store_into(tx, residents, Target::Census).await
}

async fn store_into(tx: &mut TenantTx, residents: &[Resident], target: Target) -> Result<u64> {
    let hashes: Vec<&[u8]> = residents
        .iter()
        .map(|r| r.document_hash.as_slice())
        .collect();
    let dates: Vec<Date> = residents.iter().map(|r| r.birth_date).collect();
    let districts: Vec<&str> = residents.iter().map(|r| r.district.as_str()).collect();
    let (sql, upload) = match target {
        Target::Census => (
            "INSERT INTO census (document_hash, birth_date, district_code)
             SELECT * FROM unnest($1::bytea[], $2::date[], $3::text[])
             ON CONFLICT (document_hash) DO NOTHING",
            None,
        ),
        Target::Staged(upload) => (
            "INSERT INTO census_staged (upload_id, document_hash, birth_date, district_code)
             SELECT $4::uuid, * FROM unnest($1::bytea[], $2::date[], $3::text[])
             ON CONFLICT (upload_id, document_hash) DO NOTHING",
            Some(upload),
        ),
    };
    let mut query = sqlx::query(sql).bind(hashes).bind(dates).bind(districts);
    if let Some(upload) = upload {
        query = query.bind(upload);
    }
    let stored = query.execute(tx.conn()).await?;
    Ok(stored.rows_affected())
}

/// What an import did.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Residents stored.
    pub imported: u64,
    /// Lines repeating a document already in the file.
    pub duplicates: u64,
    /// Lines refused, with their reason.
    pub rejected: Vec<Rejected>,
}

/// Why an import stopped.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read.
    #[error("reading the census: {0}")]
    Read(#[from] std::io::Error),
    /// The database failed; nothing was changed.
    #[error(transparent)]
    Database(#[from] crate::Error),
    /// More lines were refused than accepted: most likely the wrong file
    /// or the wrong format, so the census in place is kept.
    #[error(
        "{} of {} lines were refused (first: line {}, {}); the census in place is kept",
        .0.rejected.len(),
        .0.rejected.len() as u64 + .0.imported + .0.duplicates,
        .0.rejected.first().map_or(0, |r| r.line),
        .0.rejected.first().map_or("", |r| r.reason)
    )]
    MostLinesRefused(Report),
}

/// Replaces the council's census with the residents read from `reader`,
/// in `tx` (commit it to keep them). `progress` is told the bytes read and
/// the residents stored so far, after every batch. A file with more lines
/// refused than accepted is refused whole ([`ImportError::MostLinesRefused`]:
/// do not commit `tx`), so a wrong file never empties the census.
pub async fn import(
    tx: &mut TenantTx,
    key: Vec<u8>,
    reader: impl tokio::io::AsyncBufRead + Unpin,
    by: &str,
    progress: impl FnMut(u64, u64),
) -> Result<Report, ImportError> {
    clear(tx).await?;
    let report = read_into(tx, key, reader, Target::Census, progress).await?;
    record(tx, report.imported, report.rejected.len() as u64, by).await?;
    Ok(report)
}

/// Reads `reader` into `target`; refuses a file with more lines refused
/// than accepted.
async fn read_into(
    tx: &mut TenantTx,
    key: Vec<u8>,
    reader: impl tokio::io::AsyncBufRead + Unpin,
    target: Target,
    mut progress: impl FnMut(u64, u64),
) -> Result<Report, ImportError> {
    use tokio::io::AsyncBufReadExt;
    let mut reader = reader;
    let districts = district_codes(tx).await?;
    let mut parser = Parser::new(key, districts);
    let mut report = Report::default();
    let mut batch = Vec::with_capacity(BATCH);
    let mut line = Vec::with_capacity(128);
    let mut read_so_far = 0u64;
    loop {
        line.clear();
        let read = reader.read_until(b'\n', &mut line).await?;
        if read == 0 {
            break;
        }
        read_so_far += read as u64;
        let end = line
            .iter()
            .rposition(|b| !matches!(b, b'\n' | b'\r'))
            .map_or(0, |i| i + 1);
        match parser.line(&line[..end]) {
            Ok(Some(resident)) => batch.push(resident),
            Ok(None) => {}
            Err(rejected) => report.rejected.push(rejected),
        }
        if batch.len() == BATCH {
            flush(tx, &mut batch, &mut report, target).await?;
            progress(read_so_far, report.imported);
        }
    }
    flush(tx, &mut batch, &mut report, target).await?;
    progress(read_so_far, report.imported);
    if report.rejected.len() as u64 > report.imported {
        return Err(ImportError::MostLinesRefused(report));
    }
    // A census larger than the plan allows is refused whole: the one in
    // place stays (a lowered plan keeps the census it has).
    tx.within_plan(Need::Limit(Limit::CensusSize, report.imported))
        .map_err(crate::Error::from)?;
    Ok(report)
}

/// Refused lines kept with a staged upload, to show.
const FIRST_REJECTED: usize = 10;

/// An upload awaiting confirmation, as the admin sees it before the census
/// is replaced.
#[derive(Clone, Debug)]
pub struct Staged {
    /// Its id, to confirm or discard it.
    pub id: Uuid,
    /// What reading the file found (`rejected` holds the first few).
    pub report: Report,
    /// Lines refused in all.
    pub rejected: u64,
    /// Per district: (code, residents in the file, residents now).
    pub districts: Vec<(String, i64, i64)>,
}

/// Reads `reader` into a staging area without touching the census, for
/// the admin to look at and confirm ([`confirm`]). A file with more lines
/// refused than accepted is refused whole, as by [`import`]. Uploads left
/// unconfirmed for a day are removed (with what they staged).
pub async fn stage(
    tx: &mut TenantTx,
    key: Vec<u8>,
    reader: impl tokio::io::AsyncBufRead + Unpin,
    by: &str,
) -> Result<Staged, ImportError> {
    sqlx::query(
        "DELETE FROM census_uploads WHERE confirmed_at IS NULL AND uploaded_at < now() - interval '1 day'",
    )
    .execute(tx.conn())
    .await
    .map_err(crate::Error::from)?;
    let id: Uuid =
        sqlx::query_scalar("INSERT INTO census_uploads (uploaded_by) VALUES ($1) RETURNING id")
            .bind(by)
            .fetch_one(tx.conn())
            .await
            .map_err(crate::Error::from)?;
    let mut report = read_into(tx, key, reader, Target::Staged(id), |_, _| {}).await?;
    let rejected = report.rejected.len() as u64;
    report.rejected.truncate(FIRST_REJECTED);
    let first: Vec<serde_json::Value> = report
        .rejected
        .iter()
        .map(|r| serde_json::json!({"line": r.line, "reason": r.reason}))
        .collect();
    sqlx::query(
        "UPDATE census_uploads SET residents = $2, duplicates = $3, rejected = $4, first_rejected = $5
         WHERE id = $1",
    )
    .bind(id)
    .bind(i64::try_from(report.imported).unwrap_or(i64::MAX))
    .bind(i64::try_from(report.duplicates).unwrap_or(i64::MAX))
    .bind(i64::try_from(rejected).unwrap_or(i64::MAX))
    .bind(serde_json::Value::Array(first))
    .execute(tx.conn())
    .await
    .map_err(crate::Error::from)?;
    let districts = sqlx::query_as(
        "SELECT d.code, (SELECT count(*) FROM census_staged s WHERE s.upload_id = $1 AND s.district_code = d.code),
                (SELECT count(*) FROM census c WHERE c.district_code = d.code)
         FROM districts d ORDER BY d.position, d.name",
    )
    .bind(id)
    .fetch_all(tx.conn())
    .await
    .map_err(crate::Error::from)?;
    Ok(Staged {
        id,
        report,
        rejected,
        districts,
    })
}

/// Replaces the census with staged upload `id`, recorded as imported by
/// `by`; the number of residents, or `None` when there is no such upload
/// awaiting confirmation.
pub async fn confirm(tx: &mut TenantTx, id: Uuid, by: &str) -> Result<Option<u64>> {
    let pending: Option<i64> = sqlx::query_scalar(
        "UPDATE census_uploads SET confirmed_at = now()
         WHERE id = $1 AND confirmed_at IS NULL RETURNING rejected",
    )
    .bind(id)
    .fetch_optional(tx.conn())
    .await?;
    let Some(rejected) = pending else {
        return Ok(None);
    };
    clear(tx).await?;
    // Read in batches, then inserted: Citus 13.2 misplans `INSERT … SELECT`
    // between a council's tables filtered on a column other than the key
    // (docs/scale-out.md). Batches follow the staged key, so each is one
    // index range.
    let mut stored = 0;
    let mut after: Vec<u8> = Vec::new();
    loop {
        let rows: Vec<(Vec<u8>, Date, String)> = sqlx::query_as(
            "SELECT document_hash, birth_date, district_code FROM census_staged
             WHERE upload_id = $1 AND document_hash > $2 ORDER BY document_hash LIMIT $3",
        )
        .bind(id)
        .bind(&after)
        .bind(i64::try_from(BATCH).unwrap_or(i64::MAX))
        .fetch_all(tx.conn())
        .await?;
        let Some((last, _, _)) = rows.last() else {
            break;
        };
        after.clone_from(last);
        let residents: Vec<Resident> = rows
            .into_iter()
            .map(|(document_hash, birth_date, district)| Resident {
                document_hash,
                birth_date,
                district,
            })
            .collect();
        stored += store_into(tx, &residents, Target::Census).await?;
    }
    sqlx::query("DELETE FROM census_staged WHERE upload_id = $1")
        .bind(id)
        .execute(tx.conn())
        .await?;
    record(tx, stored, u64::try_from(rejected).unwrap_or(0), by).await?;
    Ok(Some(stored))
}

/// Drops staged upload `id` unconfirmed.
pub async fn discard(tx: &mut TenantTx, id: Uuid) -> Result<()> {
    sqlx::query("DELETE FROM census_uploads WHERE id = $1 AND confirmed_at IS NULL")
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

async fn flush(
    tx: &mut TenantTx,
    batch: &mut Vec<Resident>,
    report: &mut Report,
    target: Target,
) -> Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let stored = store_into(tx, batch, target).await?;
    report.imported += stored;
    report.duplicates += batch.len() as u64 - stored;
    batch.clear();
    Ok(())
}

/// Records a finished import.
pub async fn record(tx: &mut TenantTx, imported: u64, rejected: u64, by: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO census_imports (residents, rejected, imported_by) VALUES ($1, $2, $3)",
    )
    .bind(i64::try_from(imported).unwrap_or(i64::MAX))
    .bind(i64::try_from(rejected).unwrap_or(i64::MAX))
    .bind(by)
    .execute(tx.conn())
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parser() -> Parser {
        Parser::new(
            b"key".to_vec(),
            HashSet::from(["01".to_owned(), "02".to_owned()]),
        )
    }

    #[test]
    fn lines_are_parsed_in_either_format_and_bad_ones_rejected_with_a_reason() {
        let mut p = parser();
        assert!(
            p.line(b"documento;fecha_nacimiento;distrito")
                .expect("heading")
                .is_none()
        );
        assert!(p.line(b"12345678Z;1980-05-17;01").expect("ok").is_some());
        assert!(
            p.line(b"\"X1234567L\";17/05/1980;\"02\"")
                .expect("quoted, Spanish date")
                .is_some()
        );
        assert!(p.line(b"").expect("blank").is_none());
        let reason = |p: &mut Parser, line: &[u8]| p.line(line).expect_err("rejected").reason;
        assert_eq!(
            reason(&mut p, b"12345678A;1980-05-17;01"),
            "document_letter"
        );
        assert_eq!(reason(&mut p, b"nope;1980-05-17;01"), "document_format");
        assert_eq!(reason(&mut p, b"12345678Z;1980-02-30;01"), "birth_date");
        assert_eq!(reason(&mut p, b"12345678Z;2999-01-01;01"), "birth_date");
        assert_eq!(
            reason(&mut p, b"12345678Z;1980-05-17;99"),
            "district_unknown"
        );
        assert_eq!(reason(&mut p, b"12345678Z;1980-05-17"), "field_count");
        assert_eq!(reason(&mut p, b"\"12345678Z;1980-05-17;01"), "quotes");
        assert_eq!(p.line(b"12345678Z;x;01").expect_err("line").line, 12);
    }

    #[test]
    fn latin1_lines_and_a_byte_order_mark_are_read() {
        let mut p = Parser::new(b"k".to_vec(), HashSet::from(["Sta. Mª".to_owned()]));
        let mut latin1 = b"12345678Z,1980-05-17,Sta. M".to_vec();
        latin1.push(0xAA); // ª in Latin-1
        assert!(p.line(&latin1).expect("latin-1").is_some());
        let mut q = parser();
        assert!(
            q.line("\u{feff}12345678Z,1980-05-17,01".as_bytes())
                .expect("bom")
                .is_some()
        );
    }
}
