//! Splits a migration file into its SQL statements, for servers that must
//! receive them one at a time (Citus sends some DDL on to its workers as
//! the text of the whole query, which fails when that text holds several
//! statements).
//!
//! A lexer, not a parser: it knows where PostgreSQL's comments, quoted
//! strings (`E''` ones with backslash escapes too), quoted identifiers and
//! dollar-quoted bodies begin and end, and cuts at every other `;`. `psql`
//! also keeps a `;` inside parentheses (`CREATE RULE … DO (…; …)`) and
//! inside `BEGIN ATOMIC … END` bodies; migrations use neither.

/// The statements of `sql` in order, each without its `;` and trimmed;
/// stretches holding only comments and blanks are dropped.
pub(crate) fn split(sql: &str) -> Vec<&str> {
    let bytes = sql.as_bytes();
    let mut statements = Vec::new();
    let (mut start, mut at) = (0, 0);
    let mut has_code = false;
    while at < bytes.len() {
        let skipped = match bytes[at] {
            b'-' if bytes.get(at + 1) == Some(&b'-') => {
                Some(find(bytes, at, b"\n").map_or(bytes.len(), |end| end + 1))
            }
            b'/' if bytes.get(at + 1) == Some(&b'*') => Some(block_comment_end(bytes, at)),
            b'E' | b'e' if bytes.get(at + 1) == Some(&b'\'') && !follows_identifier(bytes, at) => {
                has_code = true;
                Some(escaped_end(bytes, at + 1))
            }
            b'\'' => {
                has_code = true;
                Some(quoted_end(bytes, at, b'\''))
            }
            b'"' => {
                has_code = true;
                Some(quoted_end(bytes, at, b'"'))
            }
            b'$' if !follows_identifier(bytes, at) => dollar_tag(bytes, at).map(|tag| {
                has_code = true;
                find(bytes, at + tag.len(), tag).map_or(bytes.len(), |end| end + tag.len())
            }),
            b';' => {
                if has_code {
                    statements.push(sql[start..at].trim());
                }
                start = at + 1;
                has_code = false;
                None
            }
            byte => {
                has_code |= !byte.is_ascii_whitespace();
                None
            }
        };
        at = skipped.unwrap_or(at + 1);
    }
    if has_code {
        statements.push(sql[start..].trim());
    }
    statements
}

/// Index of the first `needle` in `bytes` at or after `from`.
fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|offset| from + offset)
}

/// End (exclusive) of the `/* … */` comment at `at`; they nest.
fn block_comment_end(bytes: &[u8], mut at: usize) -> usize {
    let mut depth = 0;
    while at < bytes.len() {
        if bytes[at..].starts_with(b"/*") {
            depth += 1;
            at += 2;
        } else if bytes[at..].starts_with(b"*/") {
            depth -= 1;
            at += 2;
            if depth == 0 {
                return at;
            }
        } else {
            at += 1;
        }
    }
    bytes.len()
}

/// End (exclusive) of the string or identifier quoted by `quote` at `at`;
/// a doubled quote stands for itself.
fn quoted_end(bytes: &[u8], at: usize, quote: u8) -> usize {
    let mut next = at + 1;
    while let Some(end) = find(bytes, next, &[quote]) {
        if bytes.get(end + 1) == Some(&quote) {
            next = end + 2;
        } else {
            return end + 1;
        }
    }
    bytes.len()
}

/// End (exclusive) of the `E'…'` string whose quote is at `at`: a
/// backslash escapes the next byte, and a doubled quote stands for itself.
fn escaped_end(bytes: &[u8], at: usize) -> usize {
    let mut next = at + 1;
    while next < bytes.len() {
        match bytes[next] {
            b'\\' => next += 2,
            b'\'' if bytes.get(next + 1) == Some(&b'\'') => next += 2,
            b'\'' => return next + 1,
            _ => next += 1,
        }
    }
    bytes.len()
}

/// Whether the byte before `at` continues an identifier (`a$b` is one name).
fn follows_identifier(bytes: &[u8], at: usize) -> bool {
    at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_')
}

/// The dollar-quote opening tag (`$$` or `$name$`) at `at`, if one starts there.
fn dollar_tag(bytes: &[u8], at: usize) -> Option<&[u8]> {
    let name = bytes[at + 1..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .count();
    let close = at + 1 + name;
    let starts_with_digit = name > 0 && bytes[at + 1].is_ascii_digit();
    (bytes.get(close) == Some(&b'$') && !starts_with_digit).then(|| &bytes[at..=close])
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn cuts_at_semicolons_outside_quotes_comments_and_bodies() {
        let sql = "-- a comment; not a statement\n\
                   CREATE TABLE a (t text DEFAULT 'x;''y');\n\
                   /* block; /* nested; */ still */ CREATE INDEX \"odd;name\" ON a (t);\n\
                   CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$ BEGIN RETURN 1; END $body$;\n\
                   DO $$ BEGIN PERFORM 1; END $$;\n\
                   SELECT 1 -- trailing; comment\n";
        assert_eq!(
            split(sql),
            vec![
                "-- a comment; not a statement\nCREATE TABLE a (t text DEFAULT 'x;''y')",
                "/* block; /* nested; */ still */ CREATE INDEX \"odd;name\" ON a (t)",
                "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$ BEGIN RETURN 1; END $body$",
                "DO $$ BEGIN PERFORM 1; END $$",
                "SELECT 1 -- trailing; comment",
            ]
        );
    }

    #[test]
    fn comment_only_stretches_and_empty_statements_are_dropped() {
        assert_eq!(
            split("-- nothing\n;;  ;\n/* nor here */"),
            Vec::<&str>::new()
        );
        assert_eq!(split("SELECT 1;\n-- the end\n"), vec!["SELECT 1"]);
    }

    #[test]
    fn escaped_strings_keep_their_escaped_quotes() {
        assert_eq!(
            split(r"SELECT E'it\'s; x', E'\'', 'a'';b'; SELECT 2; SELECT type'x;'"),
            vec![
                r"SELECT E'it\'s; x', E'\'', 'a'';b'",
                "SELECT 2",
                "SELECT type'x;'"
            ]
        );
    }

    #[test]
    fn dollar_signs_inside_names_and_parameters_open_no_body() {
        assert_eq!(
            split("SELECT a$b$ FROM t; SELECT $1; SELECT 2"),
            vec!["SELECT a$b$ FROM t", "SELECT $1", "SELECT 2"]
        );
    }
}
