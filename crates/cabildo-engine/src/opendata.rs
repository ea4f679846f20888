//! Open data: a published process's proposals, debates and comments with
//! their counts, as JSON and CSV. No personal data: no authors, no
//! supporters, and the text of deleted or hidden comments is left out.
//! CSV cells that a spreadsheet would run as a formula are defused, and
//! files come comma-separated (RFC 4180) or in the semicolon-separated
//! form Spanish Excel opens ([`Dialect`]).

use crate::error::Result;
use cabildo_tenancy::TenantTx;
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

/// A proposal as published.
#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct OpenProposal {
    /// Id.
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: String,
    /// Text.
    pub body: String,
    /// District code.
    pub district: Option<String>,
    /// Status.
    pub status: String,
    /// Official answer.
    pub answer: Option<String>,
    /// Supports.
    pub supports_count: i32,
    /// Comments.
    pub comments_count: i32,
    /// Reached the threshold.
    pub qualified: bool,
    /// Published.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A debate as published.
#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct OpenDebate {
    /// Id.
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// Text.
    pub body: String,
    /// District code.
    pub district: Option<String>,
    /// Comments.
    pub comments_count: i32,
    /// Opened.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A comment as published.
#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct OpenComment {
    /// Id.
    pub id: Uuid,
    /// `process`, `debate` or `proposal`.
    pub target_kind: String,
    /// What it is on.
    pub target_id: Uuid,
    /// What it answers.
    pub parent_id: Option<Uuid>,
    /// Text (empty when deleted or hidden).
    pub body: String,
    /// 1 for, -1 against, 0 neutral.
    pub alignment: i16,
    /// An official answer.
    pub official: bool,
    /// Up votes.
    pub upvotes: i32,
    /// Down votes.
    pub downvotes: i32,
    /// Written.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A survey whose results are public: its responses are open data.
#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct OpenSurvey {
    /// Id.
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// Responses.
    pub responses: i64,
}

/// A consultation once opened: its board and, after the close, results.
#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct OpenConsultation {
    /// Id.
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// `open` or `closed`.
    pub status: String,
}

/// A process's open data.
#[derive(Clone, Debug, Serialize)]
pub struct Export {
    /// Address part.
    pub process: String,
    /// Title.
    pub title: String,
    /// Proposals (visible ones).
    pub proposals: Vec<OpenProposal>,
    /// Debates (visible ones).
    pub debates: Vec<OpenDebate>,
    /// Comments on the process, its debates and proposals.
    pub comments: Vec<OpenComment>,
    /// Surveys whose results are public.
    pub surveys: Vec<OpenSurvey>,
    /// Consultations opened or closed.
    pub consultations: Vec<OpenConsultation>,
}

/// The open data of the published process `slug`.
pub async fn export(tx: &mut TenantTx, slug: &str) -> Result<Option<Export>> {
    let process: Option<(Uuid, String, String)> = sqlx::query_as(
        "SELECT id, slug, title FROM processes WHERE slug = $1 AND status = 'published'",
    )
    .bind(slug)
    .fetch_optional(tx.conn())
    .await?;
    let Some((id, process, title)) = process else {
        return Ok(None);
    };
    let proposals = sqlx::query_as(
        "SELECT id, title, summary, body, district_code AS district, status, answer, supports_count,
                comments_count, qualified_at IS NOT NULL AS qualified, created_at
         FROM proposals WHERE process_id = $1 AND hidden_at IS NULL ORDER BY created_at, id",
    )
    .bind(id)
    .fetch_all(tx.conn())
    .await?;
    let debates = sqlx::query_as(
        "SELECT id, title, body, district_code AS district, comments_count, created_at
         FROM debates WHERE process_id = $1 AND hidden_at IS NULL ORDER BY created_at, id",
    )
    .bind(id)
    .fetch_all(tx.conn())
    .await?;
    // Comments on hidden debates and proposals are left out with them.
    let comments = sqlx::query_as(
        "SELECT c.id, c.target_kind, c.target_id, c.parent_id,
                CASE WHEN c.deleted_at IS NULL AND c.hidden_at IS NULL THEN c.body ELSE '' END AS body,
                c.alignment, c.official, c.upvotes, c.downvotes, c.created_at
         FROM comments c WHERE c.process_id = $1
           AND NOT EXISTS (SELECT 1 FROM debates d WHERE c.target_kind = 'debate' AND d.id = c.target_id AND d.hidden_at IS NOT NULL)
           AND NOT EXISTS (SELECT 1 FROM proposals r WHERE c.target_kind = 'proposal' AND r.id = c.target_id AND r.hidden_at IS NOT NULL)
         ORDER BY c.created_at, c.id",
    )
    .bind(id)
    .fetch_all(tx.conn())
    .await?;
    // A survey's results are public while it runs when staff allow it,
    // and once no survey phase is open.
    let surveys = sqlx::query_as(
        "SELECT s.id, s.title, (SELECT count(*) FROM survey_responses r WHERE r.survey_id = s.id) AS responses
         FROM surveys s WHERE s.process_id = $1 AND s.published_at IS NOT NULL
           AND (s.results_while_open OR NOT EXISTS (
                SELECT 1 FROM process_phases f WHERE f.process_id = s.process_id
                  AND now() >= f.starts_at AND now() < f.ends_at AND 'surveys' = ANY (f.components)))
         ORDER BY s.created_at, s.id",
    )
    .bind(id)
    .fetch_all(tx.conn())
    .await?;
    let consultations = sqlx::query_as(
        "SELECT id, title, status FROM consultations WHERE process_id = $1 AND status <> 'draft'
         ORDER BY created_at, id",
    )
    .bind(id)
    .fetch_all(tx.conn())
    .await?;
    Ok(Some(Export {
        process,
        title,
        proposals,
        debates,
        comments,
        surveys,
        consultations,
    }))
}

/// What the CSV files are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    /// proposals.csv
    Proposals,
    /// debates.csv
    Debates,
    /// comments.csv
    Comments,
}

impl Table {
    /// From a path part.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "proposals" => Some(Self::Proposals),
            "debates" => Some(Self::Debates),
            "comments" => Some(Self::Comments),
            _ => None,
        }
    }
}

fn time(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

impl Export {
    /// One table as CSV in `dialect`, with a header line.
    pub fn csv(&self, table: Table, dialect: Dialect) -> String {
        let mut out = dialect.start();
        match table {
            Table::Proposals => {
                row(
                    &mut out,
                    dialect,
                    [
                        "id",
                        "title",
                        "summary",
                        "body",
                        "district",
                        "status",
                        "answer",
                        "supports_count",
                        "comments_count",
                        "qualified",
                        "created_at",
                    ]
                    .map(String::from),
                );
                for p in &self.proposals {
                    row(
                        &mut out,
                        dialect,
                        [
                            p.id.to_string(),
                            p.title.clone(),
                            p.summary.clone(),
                            p.body.clone(),
                            p.district.clone().unwrap_or_default(),
                            p.status.clone(),
                            p.answer.clone().unwrap_or_default(),
                            p.supports_count.to_string(),
                            p.comments_count.to_string(),
                            p.qualified.to_string(),
                            time(p.created_at),
                        ],
                    );
                }
            }
            Table::Debates => {
                row(
                    &mut out,
                    dialect,
                    [
                        "id",
                        "title",
                        "body",
                        "district",
                        "comments_count",
                        "created_at",
                    ]
                    .map(String::from),
                );
                for d in &self.debates {
                    row(
                        &mut out,
                        dialect,
                        [
                            d.id.to_string(),
                            d.title.clone(),
                            d.body.clone(),
                            d.district.clone().unwrap_or_default(),
                            d.comments_count.to_string(),
                            time(d.created_at),
                        ],
                    );
                }
            }
            Table::Comments => {
                row(
                    &mut out,
                    dialect,
                    [
                        "id",
                        "target_kind",
                        "target_id",
                        "parent_id",
                        "body",
                        "alignment",
                        "official",
                        "upvotes",
                        "downvotes",
                        "created_at",
                    ]
                    .map(String::from),
                );
                for c in &self.comments {
                    row(
                        &mut out,
                        dialect,
                        [
                            c.id.to_string(),
                            c.target_kind.clone(),
                            c.target_id.to_string(),
                            c.parent_id.map(|p| p.to_string()).unwrap_or_default(),
                            c.body.clone(),
                            c.alignment.to_string(),
                            c.official.to_string(),
                            c.upvotes.to_string(),
                            c.downvotes.to_string(),
                            time(c.created_at),
                        ],
                    );
                }
            }
        }
        out
    }
}

fn row<const N: usize>(out: &mut String, dialect: Dialect, cells: [String; N]) {
    line(out, dialect, cells.iter().map(String::as_str));
}

/// How a CSV file is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Dialect {
    /// RFC 4180: comma-separated, no byte-order mark.
    #[default]
    Rfc4180,
    /// Semicolon-separated with a UTF-8 byte-order mark: what Excel in
    /// Spanish (and most European) locales opens directly, accents and
    /// all.
    Excel,
}

impl Dialect {
    /// `excel` is [`Dialect::Excel`]; anything else the default.
    pub fn parse(name: Option<&str>) -> Self {
        match name {
            Some("excel") => Self::Excel,
            _ => Self::Rfc4180,
        }
    }

    /// What a file starts with.
    pub fn start(self) -> String {
        match self {
            Self::Rfc4180 => String::new(),
            Self::Excel => "\u{feff}".to_owned(),
        }
    }

    fn separator(self) -> char {
        match self {
            Self::Rfc4180 => ',',
            Self::Excel => ';',
        }
    }
}

/// Appends one line of `cells` (each through [`cell`]) to `out`.
pub fn line<'a>(out: &mut String, dialect: Dialect, cells: impl IntoIterator<Item = &'a str>) {
    for (i, value) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(dialect.separator());
        }
        out.push_str(&cell(value));
    }
    out.push_str("\r\n");
}

/// Whether a spreadsheet would run text starting with `c` as a formula.
fn formula_start(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r')
}

/// One CSV cell, safe in either [`Dialect`] and in a spreadsheet that
/// guesses the separator: quoted when it holds a comma, semicolon, quote
/// or line break, and every part that could start a field (the cell's
/// start, and text after a comma or semicolon, where a spreadsheet
/// splitting on the other separator would begin one) is prefixed with `'`
/// when it would run as a formula (`=`, `+`, `-`, `@`, tab, carriage
/// return).
pub fn cell(value: &str) -> String {
    let mut defused = String::with_capacity(value.len() + 2);
    let mut field_start = true;
    for c in value.chars() {
        if field_start && formula_start(c) {
            defused.push('\'');
        }
        defused.push(c);
        field_start = matches!(c, ',' | ';');
    }
    if defused.contains([',', ';', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

#[cfg(test)]
mod tests {
    use super::{Dialect, cell, line};

    #[test]
    fn formulas_are_defused_and_quotes_escaped() {
        assert_eq!(
            cell("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\""
        );
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("-2+3"), "'-2+3");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("línea\nnueva"), "\"línea\nnueva\"");
        assert_eq!(cell("plain"), "plain");
    }

    /// Spanish Excel splits on `;`: no part after a separator may start a
    /// formula, and a cell holding one is quoted.
    #[test]
    fn formulas_after_a_separator_are_defused_too() {
        assert_eq!(cell("Parque;=2+3"), "\"Parque;'=2+3\"");
        assert_eq!(cell("a,@SUM(A1)"), "\"a,'@SUM(A1)\"");
        assert_eq!(cell("a; -1"), "\"a; -1\"");
        assert_eq!(cell("uno;dos"), "\"uno;dos\"");
    }

    #[test]
    fn the_excel_dialect_uses_semicolons_and_a_byte_order_mark() {
        let mut out = Dialect::Excel.start();
        line(&mut out, Dialect::Excel, ["número", "a;b", "=1"]);
        assert_eq!(out, "\u{feff}número;\"a;b\";'=1\r\n");
        let mut out = Dialect::Rfc4180.start();
        line(&mut out, Dialect::Rfc4180, ["número", "a;b"]);
        assert_eq!(out, "número,\"a;b\"\r\n");
    }
}
