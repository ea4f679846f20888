//! Full-text search across a council's published processes, debates and
//! proposals, stemmed in each of the council's languages and ignoring
//! accents (`search_vector` and `search_query` in the council schema), with
//! highlighted snippets quoted from the text (Markdown marks removed).

use crate::error::Result;
use cabildo_tenancy::TenantTx;
use serde::Serialize;
use uuid::Uuid;

/// Longest query taken, in characters (longer ones are cut).
pub const MAX_QUERY: usize = 200;
/// Most hits returned.
pub const MAX_HITS: i64 = 50;

/// Marks PostgreSQL puts around matched words: private-use characters,
/// so that the snippet can be escaped first and highlighted after.
const START: char = '\u{E000}';
const STOP: char = '\u{E001}';

/// A search hit.
#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct Hit {
    /// `process`, `debate` or `proposal`.
    pub kind: String,
    /// Its id.
    pub id: Uuid,
    /// Its title.
    pub title: String,
    /// The title as HTML: escaped, matches in `<mark>`.
    pub title_html: String,
    /// Where it is shown.
    pub link: String,
    /// The matching passage, as plain text.
    pub snippet: String,
    /// The same passage as HTML: escaped, matches in `<mark>`.
    pub snippet_html: String,
}

/// Which kinds to search.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Kind {
    /// All of them.
    #[default]
    All,
    /// Processes only.
    Processes,
    /// Debates only.
    Debates,
    /// Proposals only.
    Proposals,
}

impl Kind {
    /// From a query value (unknown: all).
    pub fn parse(value: Option<&str>) -> Self {
        match value {
            Some("process" | "processes") => Self::Processes,
            Some("debate" | "debates") => Self::Debates,
            Some("proposal" | "proposals") => Self::Proposals,
            _ => Self::All,
        }
    }

    /// Its query value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "",
            Self::Processes => "process",
            Self::Debates => "debate",
            Self::Proposals => "proposal",
        }
    }
}

/// The best hits for `query` (web-search syntax: words, "phrases", -not).
pub async fn search(tx: &mut TenantTx, query: &str, kind: Kind) -> Result<Vec<Hit>> {
    let query: String = query
        .trim()
        .chars()
        .filter(|c| *c != START && *c != STOP && *c != '\0')
        .take(MAX_QUERY)
        .collect();
    if query.is_empty() {
        return Ok(Vec::new());
    }
    let options = format!(
        "StartSel={START}, StopSel={STOP}, MaxWords=35, MinWords=12, ShortWord=2, MaxFragments=2, FragmentDelimiter=\" … \""
    );
    let title_options = format!("StartSel={START}, StopSel={STOP}, HighlightAll=true");
    let rows: Vec<(String, Uuid, String, String, String, String)> = sqlx::query_as(
        "WITH q AS (SELECT search_query($1) AS q, search_headline_config() AS config),
         best AS (
             SELECT 'process' AS kind, p.id, p.title,
                    p.summary || ' ' || regexp_replace(regexp_replace(p.description_markdown,
                        '\\]\\([^)]*\\)', ']', 'g'), '[*_#>`~\\[\\]|]+', '', 'g') AS body,
                    '/processes/' || p.slug AS link, ts_rank(p.search, q.q) AS rank
             FROM processes p, q WHERE ($2 = '' OR $2 = 'process') AND p.status = 'published' AND p.search @@ q.q
             UNION ALL
             SELECT 'debate', d.id, d.title, d.body, '/debates/' || d.id, ts_rank(d.search, q.q)
             FROM debates d JOIN processes p ON p.id = d.process_id, q
             WHERE ($2 = '' OR $2 = 'debate') AND p.status = 'published' AND d.hidden_at IS NULL AND d.search @@ q.q
             UNION ALL
             SELECT 'proposal', r.id, r.title, r.summary || ' ' || r.body, '/proposals/' || r.id, ts_rank(r.search, q.q)
             FROM proposals r JOIN processes p ON p.id = r.process_id, q
             WHERE ($2 = '' OR $2 = 'proposal') AND p.status = 'published' AND r.hidden_at IS NULL AND r.search @@ q.q
             ORDER BY rank DESC, id LIMIT $3)
         SELECT best.kind, best.id, best.title, ts_headline(q.config, best.title, q.q, $5), best.link,
                ts_headline(q.config, best.body, q.q, $4)
         FROM best, q ORDER BY best.rank DESC, best.id",
    )
    .bind(&query)
    .bind(kind.as_str())
    .bind(MAX_HITS)
    .bind(&options)
    .bind(&title_options)
    .fetch_all(tx.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(kind, id, title, marked_title, link, marked)| {
            // The headline parser drops tags: a title that had some is
            // shown as typed (escaped), without highlights.
            let title_html = if title.contains('<') {
                highlight(&title)
            } else {
                highlight(&marked_title)
            };
            Hit {
                kind,
                id,
                title,
                title_html,
                link,
                snippet: marked
                    .chars()
                    .filter(|c| *c != START && *c != STOP)
                    .collect(),
                snippet_html: highlight(&marked),
            }
        })
        .collect())
}

/// Escapes `marked` for HTML and turns the match marks into balanced
/// `<mark>` elements.
pub fn highlight(marked: &str) -> String {
    let mut html = String::with_capacity(marked.len() + 32);
    let mut open = false;
    for c in marked.chars() {
        match c {
            START if !open => {
                html.push_str("<mark>");
                open = true;
            }
            STOP if open => {
                html.push_str("</mark>");
                open = false;
            }
            START | STOP => {}
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '&' => html.push_str("&amp;"),
            '"' => html.push_str("&quot;"),
            '\'' => html.push_str("&#39;"),
            other => html.push(other),
        }
    }
    if open {
        html.push_str("</mark>");
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_escaped_and_marks_balanced() {
        assert_eq!(
            highlight("a <script>\u{E000}parque\u{E001} & \u{E000}x"),
            "a &lt;script&gt;<mark>parque</mark> &amp; <mark>x</mark>"
        );
        assert_eq!(highlight("\u{E001}\"'"), "&quot;&#39;");
    }
}
