//! An assembly's documents: its rules, reports, signed minutes — PDF
//! files staff attach with a title. The bytes live in the council's
//! storage (the web layer's); this keeps what names them, so a document
//! is listed only once its row commits, and removing it hands back the
//! file to delete.

use crate::audit::{Actor, audit};
use crate::content::text;
use crate::error::{Field, Problem, Refusal, Result};
use crate::ids::{AssemblyId, DocumentId};
use cabildo_tenancy::TenantTx;
use serde_json::json;
use time::OffsetDateTime;

/// A document as listed.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Document {
    /// Id.
    pub id: DocumentId,
    /// Its title.
    pub title: String,
    /// The stored file's name (served at `/media/{file}`).
    pub file: String,
    /// Its size in bytes.
    pub bytes: i64,
    /// When it was attached.
    pub created_at: OffsetDateTime,
}

/// Whether `file` is a name this table takes: 32 lower-case hex digits
/// and `.pdf` (the web layer names files so).
fn valid_file(file: &str) -> bool {
    file.strip_suffix(".pdf").is_some_and(|stem| {
        stem.len() == 32
            && stem
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// Attaches the stored `file` of `bytes` to `assembly` as `title`.
pub async fn add(
    tx: &mut TenantTx,
    actor: &Actor,
    assembly: AssemblyId,
    title: &str,
    file: &str,
    bytes: i64,
) -> Result<DocumentId> {
    let title = text(title, Field::Title, Problem::TitleInvalid, 1, 200)?;
    if !valid_file(file) || bytes <= 0 {
        return Err(crate::Error::invalid(Field::File, Problem::Invalid));
    }
    let id: Option<DocumentId> = sqlx::query_scalar(
        "INSERT INTO assembly_documents (assembly_id, title, file, bytes)
         SELECT id, $2, $3, $4 FROM assemblies WHERE id = $1 RETURNING id",
    )
    .bind(assembly)
    .bind(&title)
    .bind(file)
    .bind(bytes)
    .fetch_optional(tx.conn())
    .await?;
    let id = id.ok_or(Refusal::NotFound)?;
    audit(
        tx,
        actor,
        "assembly.document_add",
        Some(&title),
        json!({"assembly": assembly, "document": id, "bytes": bytes}),
    )
    .await?;
    Ok(id)
}

/// Removes a document of `assembly`; returns its file, which nothing
/// names any more (to delete from storage once this commits).
pub async fn remove(
    tx: &mut TenantTx,
    actor: &Actor,
    assembly: AssemblyId,
    document: DocumentId,
) -> Result<String> {
    let removed: Option<(String, String)> = sqlx::query_as(
        "DELETE FROM assembly_documents WHERE id = $1 AND assembly_id = $2 RETURNING title, file",
    )
    .bind(document)
    .bind(assembly)
    .fetch_optional(tx.conn())
    .await?;
    let (title, file) = removed.ok_or(Refusal::NotFound)?;
    audit(
        tx,
        actor,
        "assembly.document_remove",
        Some(&title),
        json!({"assembly": assembly, "document": document}),
    )
    .await?;
    Ok(file)
}

/// The documents of `assembly`, newest first.
pub async fn of(tx: &mut TenantTx, assembly: AssemblyId) -> Result<Vec<Document>> {
    Ok(sqlx::query_as(
        "SELECT id, title, file, bytes, created_at FROM assembly_documents
         WHERE assembly_id = $1 ORDER BY created_at DESC, title",
    )
    .bind(assembly)
    .fetch_all(tx.conn())
    .await?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_our_pdf_names_are_taken() {
        assert!(super::valid_file("0123456789abcdef0123456789abcdef.pdf"));
        for bad in [
            "0123456789abcdef0123456789abcdef.png",
            "0123456789ABCDEF0123456789abcdef.pdf",
            "../0123456789abcdef0123456789abcd.pdf",
            ".pdf",
        ] {
            assert!(!super::valid_file(bad), "{bad}");
        }
    }
}
